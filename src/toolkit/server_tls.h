#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "base/result.h"
#include "toolkit/tls_settings.h"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace anchor {

// The server's certificate and key, replaceable while the server runs: every new TLS handshake
// takes the pair that is current at that moment (through OpenSSL's certificate callback), so a
// reload can pick up renewed files without a restart. Thread-safe.
class ServerCertificate {
 public:
  ServerCertificate();
  ~ServerCertificate();
  ServerCertificate(const ServerCertificate&) = delete;
  ServerCertificate& operator=(const ServerCertificate&) = delete;

  // Reads a PEM certificate chain (leaf first) and its private key. On success the pair
  // becomes current; on failure says why and keeps the previous pair.
  Status Load(const std::string& cert_file, const std::string& key_file);

  // Makes `ctx` use the current pair for every handshake.
  void Attach(SSL_CTX& ctx);

 private:
  struct Pair;
  static int OnCertificate(SSL* ssl, void* arg);
  std::shared_ptr<const Pair> Current() const;

  mutable std::mutex mu_;
  std::shared_ptr<const Pair> current_;
};

// Sets up an OpenSSL server context from tls_server_config: certificate (from `certificate`,
// which must have been loaded), TLS versions, client certificate policy and CAs.
Status ConfigureServerTls(SSL_CTX& ctx, const TlsServerConfig& config,
                          ServerCertificate& certificate);

// Checks that a tls_server_config can be served: the files load, the key matches, the CAs
// parse.
Status ValidateServerTls(const TlsServerConfig& config);

}  // namespace anchor

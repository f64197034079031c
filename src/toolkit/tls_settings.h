#pragma once

#include <string>
#include <vector>

namespace anchor {

// The TLS settings of a web config file (tls_server_config), apart from the loader, so that
// the loader (web_config) and the server side (server_tls) both depend on this and not on
// each other.
// The exporter-toolkit's client authentication policies (Go's tls.ClientAuthType).
enum class ClientAuthType {
  kNoClientCert,
  kRequestClientCert,           // asks for a certificate, accepts none or any
  kRequireAnyClientCert,        // requires a certificate, does not verify it
  kVerifyClientCertIfGiven,     // verifies a certificate if one is sent
  kRequireAndVerifyClientCert,  // requires a certificate signed by client_ca_file
};

enum class TlsVersion { kTls10, kTls11, kTls12, kTls13 };

const char* ClientAuthTypeName(ClientAuthType type);
const char* TlsVersionName(TlsVersion version);

// tls_server_config of the web config file.
struct TlsServerConfig {
  std::string cert_file;
  std::string key_file;
  ClientAuthType client_auth = ClientAuthType::kNoClientCert;
  std::string client_ca_file;
  TlsVersion min_version = TlsVersion::kTls12;
  TlsVersion max_version = TlsVersion::kTls13;
  // Go crypto/tls names, validated (see toolkit/tls_names.h); empty: the defaults.
  std::vector<std::string> cipher_suites;
  std::vector<std::string> curve_preferences;

  bool operator==(const TlsServerConfig& o) const {
    return cert_file == o.cert_file && key_file == o.key_file && client_auth == o.client_auth &&
           client_ca_file == o.client_ca_file && min_version == o.min_version &&
           max_version == o.max_version && cipher_suites == o.cipher_suites &&
           curve_preferences == o.curve_preferences;
  }
};

}  // namespace anchor

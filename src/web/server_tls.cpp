#include "web/server_tls.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdio>
#include <vector>

#include "config/yaml_reader.h"
#include "web/tls_names.h"

namespace anchor {
namespace {

// The most recent OpenSSL error of this thread as text, and an empty queue afterwards.
std::string OpenSslError() {
  const unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  if (code == 0) return "unknown error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof(buf));
  return buf;
}

int ProtocolVersion(TlsVersion v) {
  switch (v) {
    case TlsVersion::kTls10:
      return TLS1_VERSION;
    case TlsVersion::kTls11:
      return TLS1_1_VERSION;
    case TlsVersion::kTls12:
      return TLS1_2_VERSION;
    case TlsVersion::kTls13:
      return TLS1_3_VERSION;
  }
  return TLS1_2_VERSION;
}

// Accepts whatever certificate the client sent (RequestClientCert, RequireAnyClientCert).
int AcceptAnyCertificate(int, X509_STORE_CTX*) { return 1; }

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;

// A memory BIO over the file's content, read with the size limit of every input file (OpenSSL
// reading /dev/zero itself would never return). Null with `error` set when unreadable.
BioPtr OpenFile(const std::string& path, std::string& content, std::string& error) {
  auto text = ReadFile(path);
  if (!text.ok()) {
    error = text.error();
    return BioPtr(nullptr, BIO_free);
  }
  content = std::move(text).value();
  return BioPtr(BIO_new_mem_buf(content.data(), static_cast<int>(content.size())), BIO_free);
}

// The certificates of a PEM file (CA bundle), at least one, or why not.
std::string ReadCertificates(const std::string& path, std::vector<X509*>& out) {
  std::string content;
  std::string error;
  BioPtr bio = OpenFile(path, content, error);
  if (!bio) return "cannot be read: " + error;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) out.push_back(cert);
  ERR_clear_error();  // the loop ends on an expected "no start line"
  return out.empty() ? "holds no PEM certificate" : "";
}

std::string SetClientVerification(SSL_CTX& ctx, const TlsServerConfig& config) {
  if (!config.client_ca_file.empty()) {
    std::vector<X509*> cas;
    const std::string err = ReadCertificates(config.client_ca_file, cas);
    std::string problem;
    if (!err.empty()) problem = "client_ca_file " + config.client_ca_file + ": " + err;
    X509_STORE* store = SSL_CTX_get_cert_store(&ctx);
    STACK_OF(X509_NAME)* names = sk_X509_NAME_new_null();
    for (X509* ca : cas) {
      if (problem.empty() && X509_STORE_add_cert(store, ca) != 1) {
        problem = "cannot use client_ca_file " + config.client_ca_file + ": " + OpenSslError();
      }
      if (X509_NAME* name = X509_NAME_dup(X509_get_subject_name(ca))) {
        sk_X509_NAME_push(names, name);
      }
      X509_free(ca);
    }
    if (!problem.empty()) {
      sk_X509_NAME_pop_free(names, X509_NAME_free);
      return problem;
    }
    SSL_CTX_set_client_CA_list(&ctx, names);
  }
  switch (config.client_auth) {
    case ClientAuthType::kNoClientCert:
      SSL_CTX_set_verify(&ctx, SSL_VERIFY_NONE, nullptr);
      break;
    case ClientAuthType::kRequestClientCert:
      SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER, AcceptAnyCertificate);
      break;
    case ClientAuthType::kRequireAnyClientCert:
      SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                         AcceptAnyCertificate);
      break;
    case ClientAuthType::kVerifyClientCertIfGiven:
      SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER, nullptr);
      break;
    case ClientAuthType::kRequireAndVerifyClientCert:
      SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
      break;
  }
  return "";
}

// TLS 1.2 ciphers, TLS 1.3 suites and groups from cipher_suites and curve_preferences (Go
// names, validated when the config was loaded).
std::string SetCiphersAndGroups(SSL_CTX& ctx, const TlsServerConfig& config) {
  std::string tls12;
  std::string tls13;
  for (const auto& go : config.cipher_suites) {
    const auto cipher = OpenSslCipherFor(go);
    if (!cipher) return "cipher_suites: unknown cipher suite " + go;
    std::string& list = cipher->tls13 ? tls13 : tls12;
    list += (list.empty() ? "" : ":") + cipher->name;
  }
  // Only TLS 1.3 suites listed: no TLS 1.2 cipher is left ("!ALL" selects none, which OpenSSL
  // refuses, so fall back to the defaults and let min_version decide).
  if (SSL_CTX_set_cipher_list(&ctx, tls12.empty() ? kDefaultTls12Ciphers : tls12.c_str()) != 1) {
    return "cipher_suites: none of the TLS 1.2 suites is available in this OpenSSL: " +
           OpenSslError();
  }
  if (!tls13.empty() && SSL_CTX_set_ciphersuites(&ctx, tls13.c_str()) != 1) {
    return "cipher_suites: cannot use the TLS 1.3 suites: " + OpenSslError();
  }
  // Every configured suite must really be on offer, not silently dropped by OpenSSL.
  const STACK_OF(SSL_CIPHER)* offered = SSL_CTX_get_ciphers(&ctx);
  for (const auto& go : config.cipher_suites) {
    const std::string name = OpenSslCipherFor(go)->name;
    bool found = false;
    for (int i = 0; offered != nullptr && i < sk_SSL_CIPHER_num(offered); ++i) {
      found = found || name == SSL_CIPHER_get_name(sk_SSL_CIPHER_value(offered, i));
    }
    if (!found) return "cipher_suites: " + go + " is not available in this OpenSSL";
  }
  std::string groups;
  for (const auto& go : config.curve_preferences) {
    const auto group = OpenSslGroupFor(go);
    if (!group) return "curve_preferences: unknown curve " + go;
    groups += (groups.empty() ? "" : ":") + *group;
  }
  if (SSL_CTX_set1_groups_list(&ctx, groups.empty() ? kDefaultGroups : groups.c_str()) != 1) {
    return "curve_preferences: cannot use " + groups + ": " + OpenSslError();
  }
  return "";
}

}  // namespace

struct ServerCertificate::Pair {
  X509* cert = nullptr;
  EVP_PKEY* key = nullptr;
  STACK_OF(X509) * chain = nullptr;
  ~Pair() {
    X509_free(cert);
    EVP_PKEY_free(key);
    sk_X509_pop_free(chain, X509_free);
  }
};

ServerCertificate::ServerCertificate() = default;
ServerCertificate::~ServerCertificate() = default;

std::string ServerCertificate::Load(const std::string& cert_file, const std::string& key_file) {
  auto pair = std::make_shared<Pair>();
  std::string content;
  std::string error;
  BioPtr certs = OpenFile(cert_file, content, error);
  if (!certs) return "cannot read cert_file " + cert_file + ": " + error;
  pair->cert = PEM_read_bio_X509(certs.get(), nullptr, nullptr, nullptr);
  if (pair->cert == nullptr) return "cert_file " + cert_file + " holds no PEM certificate";
  pair->chain = sk_X509_new_null();
  while (X509* extra = PEM_read_bio_X509(certs.get(), nullptr, nullptr, nullptr)) {
    sk_X509_push(pair->chain, extra);
  }
  ERR_clear_error();  // the loop ends on an expected "no start line"
  std::string key_content;
  BioPtr key = OpenFile(key_file, key_content, error);
  if (!key) return "cannot read key_file " + key_file + ": " + error;
  pair->key = PEM_read_bio_PrivateKey(key.get(), nullptr, nullptr, nullptr);
  OPENSSL_cleanse(key_content.data(), key_content.size());
  if (pair->key == nullptr) {
    ERR_clear_error();
    return "key_file " + key_file + " holds no unencrypted PEM private key";
  }
  if (X509_check_private_key(pair->cert, pair->key) != 1) {
    ERR_clear_error();
    return "key_file " + key_file + " does not match the certificate in " + cert_file;
  }
  std::lock_guard<std::mutex> lock(mu_);
  current_ = std::move(pair);
  return "";
}

std::shared_ptr<const ServerCertificate::Pair> ServerCertificate::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

int ServerCertificate::OnCertificate(SSL* ssl, void* arg) {
  const auto pair = static_cast<ServerCertificate*>(arg)->Current();
  if (!pair) return 0;
  // The SSL object takes its own references; the pair may be replaced right after.
  return SSL_use_cert_and_key(ssl, pair->cert, pair->key, pair->chain, /*override=*/1) == 1 ? 1 : 0;
}

void ServerCertificate::Attach(SSL_CTX& ctx) {
  SSL_CTX_set_cert_cb(&ctx, &ServerCertificate::OnCertificate, this);
}

std::string ConfigureServerTls(SSL_CTX& ctx, const TlsServerConfig& config,
                               ServerCertificate& certificate) {
  ERR_clear_error();
  SSL_CTX_set_options(
      &ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_set_min_proto_version(&ctx, ProtocolVersion(config.min_version)) != 1 ||
      SSL_CTX_set_max_proto_version(&ctx, ProtocolVersion(config.max_version)) != 1) {
    return "cannot set the TLS versions: " + OpenSslError();
  }
  // Needed for session resumption once clients present certificates.
  static const unsigned char kSessionContext[] = "anchorbrowser_exporter";
  SSL_CTX_set_session_id_context(&ctx, kSessionContext, sizeof(kSessionContext) - 1);
  if (auto err = SetCiphersAndGroups(ctx, config); !err.empty()) return err;
  certificate.Attach(ctx);
  return SetClientVerification(ctx, config);
}

std::string ValidateServerTls(const TlsServerConfig& config) {
  ServerCertificate certificate;
  if (auto err = certificate.Load(config.cert_file, config.key_file); !err.empty()) return err;
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_server_method()),
                                                        SSL_CTX_free);
  if (!ctx) return "cannot create a TLS context: " + OpenSslError();
  return ConfigureServerTls(*ctx, config, certificate);
}

}  // namespace anchor

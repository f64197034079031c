#include "toolkit/server_tls.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdio>
#include <vector>

#include "config/yaml_reader.h"
#include "toolkit/tls_names.h"

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

// A memory BIO over `content`, which must outlive it. Files are read with ReadFile, the size
// limit of every input file (OpenSSL reading /dev/zero itself would never return).
BioPtr MemoryBio(const std::string& content) {
  return BioPtr(BIO_new_mem_buf(content.data(), static_cast<int>(content.size())), BIO_free);
}

// The certificates of a PEM file (CA bundle), at least one, or why not. The caller frees them.
Result<std::vector<X509*>> ReadCertificates(const std::string& path) {
  const auto content = ReadFile(path);
  if (!content.ok()) return Error{"cannot be read: " + content.error()};
  BioPtr bio = MemoryBio(*content);
  if (!bio) return Error{"cannot be read: " + OpenSslError()};
  std::vector<X509*> certs;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    certs.push_back(cert);
  }
  ERR_clear_error();  // the loop ends on an expected "no start line"
  if (certs.empty()) return Error{"holds no PEM certificate"};
  return certs;
}

Status SetClientVerification(SSL_CTX& ctx, const TlsServerConfig& config) {
  if (!config.client_ca_file.empty()) {
    auto read = ReadCertificates(config.client_ca_file);
    if (!read.ok()) return Error{"client_ca_file " + config.client_ca_file + ": " + read.error()};
    const std::vector<X509*> cas = std::move(read).value();
    std::string problem;
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
      return Error{problem};
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
  return Status::Ok();
}

// TLS 1.2 ciphers, TLS 1.3 suites and groups from cipher_suites and curve_preferences (Go
// names, validated when the config was loaded).
Status SetCiphersAndGroups(SSL_CTX& ctx, const TlsServerConfig& config) {
  std::string tls12;
  std::string tls13;
  for (const auto& go : config.cipher_suites) {
    const auto cipher = OpenSslCipherFor(go);
    if (!cipher) return Error{"cipher_suites: unknown cipher suite " + go};
    std::string& list = cipher->tls13 ? tls13 : tls12;
    list += (list.empty() ? "" : ":") + cipher->name;
  }
  // Only TLS 1.3 suites listed: no TLS 1.2 cipher is left ("!ALL" selects none, which OpenSSL
  // refuses, so fall back to the defaults and let min_version decide).
  if (SSL_CTX_set_cipher_list(&ctx, tls12.empty() ? kDefaultTls12Ciphers : tls12.c_str()) != 1) {
    return Error{"cipher_suites: none of the TLS 1.2 suites is available in this OpenSSL: " +
                 OpenSslError()};
  }
  if (!tls13.empty() && SSL_CTX_set_ciphersuites(&ctx, tls13.c_str()) != 1) {
    return Error{"cipher_suites: cannot use the TLS 1.3 suites: " + OpenSslError()};
  }
  // Every configured suite must really be on offer, not silently dropped by OpenSSL.
  const STACK_OF(SSL_CIPHER)* offered = SSL_CTX_get_ciphers(&ctx);
  for (const auto& go : config.cipher_suites) {
    const std::string name = OpenSslCipherFor(go)->name;
    bool found = false;
    for (int i = 0; offered != nullptr && i < sk_SSL_CIPHER_num(offered); ++i) {
      found = found || name == SSL_CIPHER_get_name(sk_SSL_CIPHER_value(offered, i));
    }
    if (!found) return Error{"cipher_suites: " + go + " is not available in this OpenSSL"};
  }
  std::string groups;
  for (const auto& go : config.curve_preferences) {
    const auto group = OpenSslGroupFor(go);
    if (!group) return Error{"curve_preferences: unknown curve " + go};
    groups += (groups.empty() ? "" : ":") + *group;
  }
  if (SSL_CTX_set1_groups_list(&ctx, groups.empty() ? kDefaultGroups : groups.c_str()) != 1) {
    return Error{"curve_preferences: cannot use " + groups + ": " + OpenSslError()};
  }
  return Status::Ok();
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

Status ServerCertificate::Load(const std::string& cert_file, const std::string& key_file) {
  auto pair = std::make_shared<Pair>();
  const auto cert_text = ReadFile(cert_file);
  if (!cert_text.ok())
    return Error{"cannot read cert_file " + cert_file + ": " + cert_text.error()};
  BioPtr certs = MemoryBio(*cert_text);
  if (!certs) return Error{"cannot read cert_file " + cert_file + ": " + OpenSslError()};
  pair->cert = PEM_read_bio_X509(certs.get(), nullptr, nullptr, nullptr);
  if (pair->cert == nullptr) return Error{"cert_file " + cert_file + " holds no PEM certificate"};
  pair->chain = sk_X509_new_null();
  while (X509* extra = PEM_read_bio_X509(certs.get(), nullptr, nullptr, nullptr)) {
    sk_X509_push(pair->chain, extra);
  }
  ERR_clear_error();  // the loop ends on an expected "no start line"
  auto key_text = ReadFile(key_file);
  if (!key_text.ok()) return Error{"cannot read key_file " + key_file + ": " + key_text.error()};
  std::string& key_content = key_text.value();
  BioPtr key = MemoryBio(key_content);
  if (key) pair->key = PEM_read_bio_PrivateKey(key.get(), nullptr, nullptr, nullptr);
  OPENSSL_cleanse(key_content.data(), key_content.size());
  if (!key) return Error{"cannot read key_file " + key_file + ": " + OpenSslError()};
  if (pair->key == nullptr) {
    ERR_clear_error();
    return Error{"key_file " + key_file + " holds no unencrypted PEM private key"};
  }
  if (X509_check_private_key(pair->cert, pair->key) != 1) {
    ERR_clear_error();
    return Error{"key_file " + key_file + " does not match the certificate in " + cert_file};
  }
  std::lock_guard<std::mutex> lock(mu_);
  current_ = std::move(pair);
  return Status::Ok();
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

Status ConfigureServerTls(SSL_CTX& ctx, const TlsServerConfig& config,
                          ServerCertificate& certificate) {
  ERR_clear_error();
  SSL_CTX_set_options(
      &ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_set_min_proto_version(&ctx, ProtocolVersion(config.min_version)) != 1 ||
      SSL_CTX_set_max_proto_version(&ctx, ProtocolVersion(config.max_version)) != 1) {
    return Error{"cannot set the TLS versions: " + OpenSslError()};
  }
  // Needed for session resumption once clients present certificates.
  static const unsigned char kSessionContext[] = "anchorbrowser_exporter";
  SSL_CTX_set_session_id_context(&ctx, kSessionContext, sizeof(kSessionContext) - 1);
  if (auto set = SetCiphersAndGroups(ctx, config); !set.ok()) return set;
  certificate.Attach(ctx);
  return SetClientVerification(ctx, config);
}

Status ValidateServerTls(const TlsServerConfig& config) {
  ServerCertificate certificate;
  if (auto loaded = certificate.Load(config.cert_file, config.key_file); !loaded.ok()) {
    return loaded;
  }
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_server_method()),
                                                        SSL_CTX_free);
  if (!ctx) return Error{"cannot create a TLS context: " + OpenSslError()};
  return ConfigureServerTls(*ctx, config, certificate);
}

}  // namespace anchor

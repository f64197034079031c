// ServerCertificate, ConfigureServerTls and ValidateServerTls (src/toolkit/server_tls.cpp), called
// directly with certificates generated for the test; handshakes run in memory (a BIO pair).
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <memory>
#include <string>

#include "support/test_tls.h"
#include "toolkit/server_tls.h"

namespace {

using anchor::ServerCertificate;
using anchor::TlsServerConfig;
using anchor::test::MakeSelfSignedCertificate;
using anchor::test::MakeTempDir;
using anchor::test::TestCertificate;
using anchor::test::WriteFile;

using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;
using CtxPtr = std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>;
using SslPtr = std::unique_ptr<SSL, decltype(&SSL_free)>;

X509Ptr ReadCertificate(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  REQUIRE(f != nullptr);
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  REQUIRE(cert != nullptr);
  return X509Ptr(cert, X509_free);
}

// The certificate a server set up with `certificate` presents in a handshake right now (null
// when the handshake fails).
X509Ptr Presented(ServerCertificate& certificate) {
  CtxPtr server_ctx(SSL_CTX_new(TLS_server_method()), SSL_CTX_free);
  CtxPtr client_ctx(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
  REQUIRE(ConfigureServerTls(*server_ctx, TlsServerConfig{}, certificate).ok());
  SSL_CTX_set_verify(client_ctx.get(), SSL_VERIFY_NONE, nullptr);
  SslPtr server(SSL_new(server_ctx.get()), SSL_free);
  SslPtr client(SSL_new(client_ctx.get()), SSL_free);
  BIO* server_end = nullptr;
  BIO* client_end = nullptr;
  REQUIRE(BIO_new_bio_pair(&server_end, 0, &client_end, 0) == 1);
  SSL_set_bio(server.get(), server_end, server_end);
  SSL_set_bio(client.get(), client_end, client_end);
  SSL_set_accept_state(server.get());
  SSL_set_connect_state(client.get());
  for (int round = 0; round < 20; ++round) {
    const int c = SSL_do_handshake(client.get());
    const int s = SSL_do_handshake(server.get());
    if (c == 1 && s == 1) break;
    const int ce = SSL_get_error(client.get(), c);
    const int se = SSL_get_error(server.get(), s);
    const bool waiting = (c == 1 || ce == SSL_ERROR_WANT_READ || ce == SSL_ERROR_WANT_WRITE) &&
                         (s == 1 || se == SSL_ERROR_WANT_READ || se == SSL_ERROR_WANT_WRITE);
    if (!waiting) return X509Ptr(nullptr, X509_free);
  }
  return X509Ptr(SSL_get_peer_certificate(client.get()), X509_free);
}

}  // namespace

TEST_CASE("a matching certificate and key load and are presented", "[unit][web][tls]") {
  for (const auto type : {anchor::test::KeyType::kEcP256, anchor::test::KeyType::kRsa2048}) {
    const TestCertificate cert = MakeSelfSignedCertificate("IP:127.0.0.1", false, type);
    ServerCertificate certificate;
    const auto loaded = certificate.Load(cert.cert_file, cert.key_file);
    INFO((loaded.ok() ? "" : loaded.error()));
    REQUIRE(loaded.ok());
    const auto presented = Presented(certificate);
    REQUIRE(presented);
    CHECK(X509_cmp(presented.get(), ReadCertificate(cert.cert_file).get()) == 0);
  }
}

TEST_CASE("bad certificate and key files are refused, naming the file and the problem",
          "[unit][web][tls]") {
  const TestCertificate good = MakeSelfSignedCertificate();
  const TestCertificate other = MakeSelfSignedCertificate();
  const std::string dir = MakeTempDir();
  const std::string garbage = dir + "/garbage.pem";
  WriteFile(garbage, "not a PEM file\n");
  const std::string missing = dir + "/missing.pem";

  ServerCertificate certificate;
  auto check = [&](const std::string& cert_file, const std::string& key_file,
                   const std::string& reason_start) {
    INFO(cert_file << " / " << key_file);
    const auto loaded = certificate.Load(cert_file, key_file);
    REQUIRE_FALSE(loaded.ok());
    CHECK(loaded.error().rfind(reason_start, 0) == 0);
    CHECK(loaded.error().find('\n') == std::string::npos);  // one line
  };
  check(missing, good.key_file, "cannot read cert_file " + missing + ": ");
  check(garbage, good.key_file, "cert_file " + garbage + " holds no PEM certificate");
  check(good.cert_file, missing, "cannot read key_file " + missing + ": ");
  check(good.cert_file, garbage, "key_file " + garbage + " holds no unencrypted PEM private key");
  // A key file holding only a certificate is no key either.
  check(good.cert_file, good.cert_file,
        "key_file " + good.cert_file + " holds no unencrypted PEM private key");
  check(good.cert_file, other.key_file,
        "key_file " + other.key_file + " does not match the certificate in " + good.cert_file);
}

TEST_CASE("a failed load keeps the certificate presented before", "[unit][web][tls][reload]") {
  const TestCertificate first = MakeSelfSignedCertificate();
  const TestCertificate second = MakeSelfSignedCertificate();
  ServerCertificate certificate;
  REQUIRE(certificate.Load(first.cert_file, first.key_file).ok());
  CHECK(X509_cmp(Presented(certificate).get(), ReadCertificate(first.cert_file).get()) == 0);

  CHECK_FALSE(certificate.Load(second.cert_file, first.key_file).ok());  // mismatched pair
  CHECK(X509_cmp(Presented(certificate).get(), ReadCertificate(first.cert_file).get()) == 0);

  REQUIRE(certificate.Load(second.cert_file, second.key_file).ok());
  CHECK(X509_cmp(Presented(certificate).get(), ReadCertificate(second.cert_file).get()) == 0);
}

TEST_CASE("a certificate that was never loaded fails the handshake", "[unit][web][tls]") {
  ServerCertificate certificate;
  CHECK_FALSE(Presented(certificate));
}

TEST_CASE("ValidateServerTls checks the files, the client CAs, ciphers and curves",
          "[unit][web][tls]") {
  const TestCertificate cert = MakeSelfSignedCertificate();
  const std::string dir = MakeTempDir();
  const std::string empty_ca = dir + "/empty-ca.pem";
  WriteFile(empty_ca, "");

  TlsServerConfig config;
  config.cert_file = cert.cert_file;
  config.key_file = cert.key_file;
  CHECK(ValidateServerTls(config).ok());

  config.client_auth = anchor::ClientAuthType::kRequireAndVerifyClientCert;
  config.client_ca_file = cert.cert_file;  // its own CA
  CHECK(ValidateServerTls(config).ok());

  config.client_ca_file = empty_ca;
  auto refused = ValidateServerTls(config);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error() == "client_ca_file " + empty_ca + ": holds no PEM certificate");

  config.client_ca_file = dir + "/missing-ca.pem";
  refused = ValidateServerTls(config);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().rfind("client_ca_file " + dir + "/missing-ca.pem: cannot be read: ", 0) ==
        0);
  config.client_ca_file = cert.cert_file;

  config.cipher_suites = {"TLS_NOT_A_SUITE"};
  refused = ValidateServerTls(config);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error() == "cipher_suites: unknown cipher suite TLS_NOT_A_SUITE");
  config.cipher_suites = {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"};
  CHECK(ValidateServerTls(config).ok());

  config.curve_preferences = {"CurveP1"};
  refused = ValidateServerTls(config);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error() == "curve_preferences: unknown curve CurveP1");
  config.curve_preferences = {"X25519", "CurveP256"};
  CHECK(ValidateServerTls(config).ok());

  config.key_file = dir + "/missing-key.pem";
  refused = ValidateServerTls(config);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().rfind("cannot read key_file ", 0) == 0);
}

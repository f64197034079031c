// The Go crypto/tls names of cipher_suites and curve_preferences mapped to OpenSSL's, called
// directly; unknown names are refused, and every OpenSSL name the table gives is one this
// OpenSSL knows (or, for the insecure suites, one it has dropped).
#include <openssl/ssl.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "toolkit/tls_names.h"

using anchor::OpenSslCipherFor;
using anchor::OpenSslGroupFor;

namespace {

// True when this OpenSSL accepts `list` as a TLS 1.2 cipher list (or TLS 1.3 suites).
bool OpenSslAccepts(const std::string& list, bool tls13) {
  const std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_server_method()),
                                                              SSL_CTX_free);
  REQUIRE(ctx);
  return (tls13 ? SSL_CTX_set_ciphersuites(ctx.get(), list.c_str())
                : SSL_CTX_set_cipher_list(ctx.get(), list.c_str())) == 1;
}

bool OpenSslAcceptsGroups(const std::string& list) {
  const std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_server_method()),
                                                              SSL_CTX_free);
  REQUIRE(ctx);
  return SSL_CTX_set1_groups_list(ctx.get(), list.c_str()) == 1;
}

}  // namespace

TEST_CASE("Go cipher suite names map to OpenSSL names", "[unit][web][tls]") {
  const auto gcm = OpenSslCipherFor("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
  REQUIRE(gcm);
  CHECK(gcm->name == "ECDHE-RSA-AES128-GCM-SHA256");
  CHECK_FALSE(gcm->tls13);
  const auto tls13 = OpenSslCipherFor("TLS_AES_256_GCM_SHA384");
  REQUIRE(tls13);
  CHECK(tls13->name == "TLS_AES_256_GCM_SHA384");
  CHECK(tls13->tls13);
  // Go's old alias and its current name are the same suite.
  CHECK(OpenSslCipherFor("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305")->name ==
        OpenSslCipherFor("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256")->name);
  // An insecure suite is accepted by name, as Go does.
  CHECK(OpenSslCipherFor("TLS_RSA_WITH_AES_128_GCM_SHA256")->name == "AES128-GCM-SHA256");
}

TEST_CASE("unknown cipher suite and curve names are refused", "[unit][web][tls]") {
  for (const char* name : {"", "ECDHE-RSA-AES128-GCM-SHA256", "tls_aes_128_gcm_sha256",
                           "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 ", "TLS_FAKE_SUITE"}) {
    INFO(name);
    CHECK_FALSE(OpenSslCipherFor(name));
  }
  for (const char* name : {"", "P-256", "curvep256", "X448", "secp256r1"}) {
    INFO(name);
    CHECK_FALSE(OpenSslGroupFor(name));
  }
}

TEST_CASE("Go curve names map to OpenSSL groups", "[unit][web][tls]") {
  CHECK(OpenSslGroupFor("CurveP256") == std::string("P-256"));
  CHECK(OpenSslGroupFor("CurveP384") == std::string("P-384"));
  CHECK(OpenSslGroupFor("CurveP521") == std::string("P-521"));
  CHECK(OpenSslGroupFor("X25519") == std::string("X25519"));
  CHECK(anchor::GoCurveNames() == "CurveP256, CurveP384, CurveP521, X25519");
  for (const char* go : {"CurveP256", "CurveP384", "CurveP521", "X25519"}) {
    INFO(go);
    CHECK(OpenSslAcceptsGroups(*OpenSslGroupFor(go)));
  }
}

TEST_CASE("the secure suites and the defaults are names this OpenSSL knows", "[unit][web][tls]") {
  for (const char* go :
       {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"}) {
    INFO(go);
    const auto cipher = OpenSslCipherFor(go);
    REQUIRE(cipher);
    CHECK(OpenSslAccepts(cipher->name, cipher->tls13));
  }
  CHECK(OpenSslAccepts(anchor::kDefaultTls12Ciphers, false));
  CHECK(OpenSslAcceptsGroups(anchor::kDefaultGroups));
  // Forward-secret AEAD only: every default is ECDHE with GCM or ChaCha20-Poly1305.
  const std::string defaults = anchor::kDefaultTls12Ciphers;
  for (std::size_t start = 0; start < defaults.size();) {
    const auto end = std::min(defaults.find(':', start), defaults.size());
    const std::string name = defaults.substr(start, end - start);
    INFO(name);
    CHECK(name.rfind("ECDHE-", 0) == 0);
    CHECK((name.find("-GCM-") != std::string::npos ||
           name.find("CHACHA20-POLY1305") != std::string::npos));
    start = end + 1;
  }
}

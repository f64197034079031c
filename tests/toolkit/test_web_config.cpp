// --web.config.file: the exporter-toolkit format, validated with errors that name file, line and
// key, and never repeat a password hash.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <utility>

#include "support/test_tls.h"
#include "support/web_fixtures.h"
#include "toolkit/web_config.h"

using anchor::ClientAuthType;
using anchor::LoadWebConfigFile;
using anchor::LoadWebConfigString;
using anchor::TlsVersion;
using anchor::test::HtpasswdHash;
using anchor::test::MakeSelfSignedCertificate;

namespace {

std::string ErrorOf(const std::string& yaml, const std::string& base_dir = "") {
  const auto r = LoadWebConfigString(yaml, "web.yml", base_dir);
  REQUIRE_FALSE(r.ok());
  return r.error();
}

}  // namespace

TEST_CASE("an empty web config means plain HTTP without authentication", "[unit][web_config]") {
  for (const char* yaml : {"", "# nothing\n", "basic_auth_users:\n", "tls_server_config: {}\n"}) {
    INFO(yaml);
    const auto r = LoadWebConfigString(yaml, "web.yml", "");
    REQUIRE(r.ok());
    CHECK_FALSE(r->tls);
    CHECK(r->basic_auth_users.empty());
  }
}

TEST_CASE("a full web config loads", "[unit][web_config]") {
  const auto cert = MakeSelfSignedCertificate();
  const std::string hash = HtpasswdHash("s3cret");
  // Relative paths are resolved against the file's directory, as in the toolkit.
  const auto path = cert.dir + "/web.yml";
  anchor::test::WriteFile(path,
                          "tls_server_config:\n"
                          "  cert_file: cert.pem\n"
                          "  key_file: " +
                              cert.key_file +
                              "\n"
                              "  client_auth_type: RequireAndVerifyClientCert\n"
                              "  client_ca_file: cert.pem\n"
                              "  min_version: TLS13\n"
                              "basic_auth_users:\n"
                              "  prometheus: " +
                              hash +
                              "\n"
                              "auth_excluded_paths: [/-/healthy, /-/ready]\n");
  const auto r = LoadWebConfigFile(path);
  INFO((r.ok() ? "" : r.error()));
  REQUIRE(r.ok());
  REQUIRE(r->tls);
  CHECK(r->tls->cert_file == cert.cert_file);
  CHECK(r->tls->client_ca_file == cert.cert_file);
  CHECK(r->tls->client_auth == ClientAuthType::kRequireAndVerifyClientCert);
  CHECK(r->tls->min_version == TlsVersion::kTls13);
  CHECK(r->tls->max_version == TlsVersion::kTls13);
  CHECK(r->basic_auth_users.at("prometheus") == hash);
  CHECK(r->auth_excluded_paths.count("/-/ready") == 1);
}

TEST_CASE("web config errors name the line and key", "[unit][web_config]") {
  const auto cert = MakeSelfSignedCertificate();
  const std::string tls = "tls_server_config:\n  cert_file: " + cert.cert_file +
                          "\n  key_file: " + cert.key_file + "\n";
  // Every problem, one line each, in the order of the file.
  CHECK(ErrorOf("tls_server_config:\n  cert_file: x\n  bogus: 1\n") ==
        "web.yml:2: tls_server_config.key_file: is required to serve TLS\n"
        "web.yml:3: tls_server_config.bogus: unknown key");
  CHECK(ErrorOf("basic_auth_users: {}\nhttp_server_config:\n  http2: false\n") ==
        "web.yml:2: http_server_config: is not supported by this exporter");
  CHECK(ErrorOf("tls_server_config:\n  key_file: " + cert.key_file + "\n") ==
        "web.yml:2: tls_server_config.cert_file: is required to serve TLS");
  CHECK(ErrorOf(tls + "  min_version: TLS9\n") ==
        "web.yml:4: tls_server_config.min_version: unknown value \"TLS9\" (expected one of "
        "TLS10, TLS11, TLS12, TLS13)");
  CHECK(ErrorOf(tls + "  min_version: TLS13\n  max_version: TLS12\n") ==
        "web.yml:4: tls_server_config.min_version: is above max_version");
  CHECK(ErrorOf(tls + "  client_auth_type: RequireClientCertPlease\n")
            .find("web.yml:4: tls_server_config.client_auth_type: unknown value") == 0);
  CHECK(ErrorOf(tls + "  client_auth_type: RequireAndVerifyClientCert\n") ==
        "web.yml:4: tls_server_config.client_ca_file: is required with client_auth_type "
        "RequireAndVerifyClientCert");
  CHECK(ErrorOf(tls + "  client_ca_file: " + cert.cert_file + "\n")
            .find("is set but client_auth_type is NoClientCert") != std::string::npos);
  CHECK(ErrorOf("tls_server_config:\n  cert_file: /nonexistent/c.pem\n  key_file: k\n")
            .find("web.yml:2: tls_server_config: cannot read cert_file /nonexistent/c.pem") == 0);
  // A key that belongs to another certificate.
  const auto other = MakeSelfSignedCertificate();
  CHECK(ErrorOf("tls_server_config:\n  cert_file: " + cert.cert_file +
                "\n  key_file: " + other.key_file + "\n")
            .find("does not match the certificate") != std::string::npos);
  CHECK(ErrorOf("auth_excluded_paths: [metrics]\n") ==
        "web.yml:1: auth_excluded_paths[0]: must start with /");
  CHECK(ErrorOf("basic_auth_users: [a, b]\n").find("web.yml:1: basic_auth_users: expected") == 0);
  CHECK(ErrorOf("tls_server_config: [\n").find("web.yml:") == 0);
}

TEST_CASE("a password hash that is not bcrypt is refused without being repeated",
          "[unit][web_config][secrets]") {
  for (const std::string& bad :
       std::vector<std::string>{"plaintext-password", "$1$saltsalt$abcdefghijklmnopqrstuv",
                                "$6$rounds=5000$salt$" + std::string(86, '0'), "$2y$10$tooshort",
                                "$2y$99$X0h1gDsPszWURQaxFh.zoubFi6DXncSjhoQNJgRrnGs7EsimhC7zG"}) {
    INFO(bad);
    const auto err = ErrorOf("basic_auth_users:\n  alice: " + bad + "\n");
    CHECK(err.find("web.yml:2: basic_auth_users.alice: is not a bcrypt hash") == 0);
    CHECK(err.find(bad) == std::string::npos);
  }
  // The hash htpasswd -nBC 10 makes ($2y$) is accepted, and so are $2a$ and $2b$.
  const std::string good = HtpasswdHash("pw", 10);
  for (const std::string prefix : {"$2y$", "$2a$", "$2b$"}) {
    const auto r = LoadWebConfigString("basic_auth_users:\n  alice: " + prefix + good.substr(4),
                                       "web.yml", "");
    CHECK(r.ok());
  }
}

TEST_CASE("web-config.example.yml is valid", "[unit][web_config]") {
  // Its certificate paths are examples; point them at real files, keep everything else.
  std::ifstream in(std::string(ANCHOR_SOURCE_DIR) + "/web-config.example.yml");
  std::ostringstream text;
  text << in.rdbuf();
  std::string yaml = text.str();
  REQUIRE_FALSE(yaml.empty());
  const auto cert = MakeSelfSignedCertificate();
  for (const auto& [from, to] :
       {std::pair<std::string, std::string>{"/etc/anchorbrowser_exporter/tls.crt", cert.cert_file},
        {"/etc/anchorbrowser_exporter/tls.key", cert.key_file}}) {
    const auto at = yaml.find(from);
    REQUIRE(at != std::string::npos);
    yaml.replace(at, from.size(), to);
  }
  const auto r = LoadWebConfigString(yaml, "web-config.example.yml", "");
  INFO((r.ok() ? "" : r.error()));
  REQUIRE(r.ok());
  CHECK(r->tls);
  CHECK(r->basic_auth_users.count("prometheus") == 1);
}

TEST_CASE("unknown cipher suite and curve names are config errors naming the key",
          "[unit][web][tls][ciphers][config]") {
  const auto cert = MakeSelfSignedCertificate();
  const std::string files = "tls_server_config:\n  cert_file: " + cert.cert_file +
                            "\n  key_file: " + cert.key_file + "\n";
  auto load = [&](const std::string& extra) {
    return anchor::LoadWebConfigString(files + extra, "web.yml", "");
  };
  auto bad =
      load("  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, ECDHE-RSA-AES128-SHA]\n");
  CHECK_FALSE(bad.ok());
  CHECK(bad.error().find("tls_server_config.cipher_suites[1]: unknown cipher suite "
                         "\"ECDHE-RSA-AES128-SHA\"") != std::string::npos);
  bad = load("  curve_preferences: [P-256]\n");
  CHECK_FALSE(bad.ok());
  CHECK(bad.error().find("tls_server_config.curve_preferences[0]: unknown curve \"P-256\" "
                         "(expected one of CurveP256, CurveP384, CurveP521, X25519)") !=
        std::string::npos);
  bad = load("  cipher_suites: TLS_AES_128_GCM_SHA256\n");
  CHECK(bad.error().find("tls_server_config.cipher_suites: expected a list") != std::string::npos);
  const auto good = load(
      "  cipher_suites: [TLS_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305]\n"
      "  curve_preferences: [X25519, CurveP521]\n  prefer_server_cipher_suites: true\n");
  INFO((good.ok() ? "" : good.error()));
  REQUIRE(good.ok());
  CHECK(good->tls->cipher_suites.size() == 2);
  CHECK(good->tls->curve_preferences == std::vector<std::string>{"X25519", "CurveP521"});
}

// Basic authentication from the web config, end to end: 401 with a challenge for missing,
// wrong and unknown credentials, passwords never logged. BasicAuthenticator itself is tested
// directly in toolkit/test_basic_auth.cpp.
#include <httplib.h>

#include <catch2/catch.hpp>
#include <string>

#include "support/exporter_harness.h"
#include "support/fake_anchor_api.h"
#include "support/web_fixtures.h"

using anchor::test::ExporterHarness;
using anchor::test::HtpasswdHash;

namespace {

const char* kPassword = "correct horse battery staple";
const char* kWrongPassword = "Tr0ub4dor&3-do-not-log";

struct Answer {
  int status = 0;
  std::string body;
  std::string challenge;
};

Answer Get(int port, const std::string& path, const std::string& user = "",
           const std::string& password = "") {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(std::chrono::seconds(30));
  if (!user.empty()) client.set_basic_auth(user, password);
  const auto res = client.Get(path);
  if (!res) return {};
  return {res->status, res->body, res->get_header_value("WWW-Authenticate")};
}

}  // namespace

TEST_CASE("the exporter asks for credentials and checks them", "[auth][e2e][secrets]") {
  anchor::FakeAnchorApi api;
  REQUIRE(api.Start());
  auto config = anchor::test::TestConfig(api.base_url(), anchor::FakeAnchorApi::Options{}.api_key);
  const auto web_file = anchor::test::WriteTempFile(
      "web.yml", "basic_auth_users:\n  prometheus: " + HtpasswdHash(kPassword, 10) +
                     "\nauth_excluded_paths: [/-/healthy]\n");
  ExporterHarness exporter(
      anchor::test::TestAppOptions(anchor::test::FixedConfig(config), web_file));
  const int port = exporter.port();

  SECTION("missing credentials") {
    for (const char* path : {"/metrics", "/", "/-/ready", "/probe?target=x", "/no-such-page"}) {
      INFO(path);
      const auto a = Get(port, path);
      CHECK(a.status == 401);  // before any 404: nothing about the paths is revealed
      CHECK(a.challenge == R"(Basic realm="anchorbrowser_exporter", charset="UTF-8")");
    }
    int status = 0;
    exporter.Request("POST", "/-/reload", &status);
    CHECK(status == 401);
  }
  SECTION("correct credentials") {
    const auto a = Get(port, "/metrics", "prometheus", kPassword);
    CHECK(a.status == 200);
    CHECK(a.body.find("anchorbrowser_exporter_build_info") != std::string::npos);
    CHECK(Get(port, "/", "prometheus", kPassword).status == 200);
    CHECK(Get(port, "/metrics", "prometheus", kPassword).status == 200);  // cached
  }
  SECTION("a wrong password and an unknown user") {
    CHECK(Get(port, "/metrics", "prometheus", kWrongPassword).status == 401);
    CHECK(Get(port, "/metrics", "grafana", kPassword).status == 401);
    const auto log = exporter.LogText();
    CHECK(log.find("msg=\"authentication failed\" user=prometheus reason=wrong_password") !=
          std::string::npos);
    CHECK(log.find("msg=\"authentication failed\" user=grafana reason=unknown_user") !=
          std::string::npos);
    CHECK(log.find(kWrongPassword) == std::string::npos);
    CHECK(log.find(kPassword) == std::string::npos);
  }
  SECTION("an excluded path needs no credentials") { CHECK(Get(port, "/-/healthy").status == 200); }
}

// Issue 19: a password flood wrote one warn line per request (1,408 in 10 s). Now each failure
// is counted, and logged once per configured user and reason (all unknown names together) per
// minute. The exact per-minute behaviour is tested with a manual clock in
// toolkit/test_auth_failures.cpp; here the bound holds however long the flood takes (two lines per
// key at most, should it straddle a minute).
TEST_CASE("a password flood on a real socket is counted, and logged a few lines only",
          "[auth][e2e][secrets][hostile]") {
  anchor::FakeAnchorApi api;
  REQUIRE(api.Start());
  auto config = anchor::test::TestConfig(api.base_url(), anchor::FakeAnchorApi::Options{}.api_key);
  const auto web_file = anchor::test::WriteTempFile(
      "web.yml", "basic_auth_users:\n  prometheus: " + HtpasswdHash(kPassword, 4) + "\n");
  ExporterHarness exporter(
      anchor::test::TestAppOptions(anchor::test::FixedConfig(config), web_file));
  const int port = exporter.port();
  constexpr int kFlood = 200;
  for (int i = 0; i < kFlood; ++i) {
    REQUIRE(Get(port, "/metrics", "prometheus", "guess-" + std::to_string(i)).status == 401);
    REQUIRE(Get(port, "/metrics", "user-" + std::to_string(i), kWrongPassword).status == 401);
  }
  const auto metrics = Get(port, "/metrics", "prometheus", kPassword);
  REQUIRE(metrics.status == 200);
  CHECK(metrics.body.find(
            "anchorbrowser_exporter_http_auth_failures_total{reason=\"wrong_password\"} 200") !=
        std::string::npos);
  CHECK(metrics.body.find(
            "anchorbrowser_exporter_http_auth_failures_total{reason=\"unknown_user\"} 200") !=
        std::string::npos);
  const auto log = exporter.LogText();
  auto lines = [&log](const std::string& text) {
    int n = 0;
    for (auto at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) ++n;
    return n;
  };
  CHECK(lines("reason=wrong_password") >= 1);
  CHECK(lines("reason=wrong_password") <= 2);
  CHECK(lines("reason=unknown_user") >= 1);
  CHECK(lines("reason=unknown_user") <= 2);
  CHECK(log.find("guess-") == std::string::npos);
}

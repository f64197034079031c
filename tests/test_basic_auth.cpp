// Basic authentication from the web config: bcrypt hashes made by htpasswd, 401 with a
// challenge for missing, wrong and unknown credentials, passwords never logged.
#include <httplib.h>

#include <catch2/catch.hpp>

#include "support/exporter_harness.h"
#include "support/fake_anchor_api.h"
#include "support/web_fixtures.h"
#include "web/basic_auth.h"

using anchor::BasicAuthenticator;
using anchor::ParseBasicAuthorization;
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

TEST_CASE("Authorization headers are parsed strictly", "[auth]") {
  const auto c = ParseBasicAuthorization("Basic YWxpY2U6cGE6c3M=");  // alice:pa:ss
  REQUIRE(c);
  CHECK(c->user == "alice");
  CHECK(c->password == "pa:ss");
  CHECK(ParseBasicAuthorization("basic YWxpY2U6")->password.empty());  // scheme is case-blind
  CHECK(ParseBasicAuthorization("Basic  YWxpY2U6eA== ")->password == "x");
  for (const char* bad : {"", "Basic", "Basic ", "Bearer YWxpY2U6eA==", "BasicYWxpY2U6eA==",
                          "Basic YWxpY2U", "Basic YWxpY2U6eA=", "Basic YW=pY2U6", "Basic ????",
                          "Basic YWxpY2U="}) {  // the last one decodes to "alice": no colon
    INFO(bad);
    CHECK_FALSE(ParseBasicAuthorization(bad));
  }
}

TEST_CASE("bcrypt hashes from htpasswd verify in constant-time comparison", "[auth]") {
  const BasicAuthenticator auth(
      {{"alice", HtpasswdHash(kPassword, 10)}, {"bob", HtpasswdHash("bobs-password")}});
  CHECK(auth.enabled());
  CHECK(auth.Check({"alice", kPassword}));
  CHECK(auth.Check({"alice", kPassword}));  // now from the cache
  CHECK_FALSE(auth.Check({"alice", kWrongPassword}));
  CHECK_FALSE(auth.Check({"alice", ""}));
  CHECK_FALSE(auth.Check({"alice", std::string(kPassword) + "x"}));
  CHECK_FALSE(auth.Check({"bob", kPassword}));  // another user's password
  CHECK(auth.Check({"bob", "bobs-password"}));
  CHECK_FALSE(auth.Check({"mallory", kPassword}));  // unknown user: checked against a dummy
  CHECK_FALSE(auth.Check({"", ""}));
  CHECK_FALSE(BasicAuthenticator({}).enabled());
}

TEST_CASE("the cache of successful checks stays bounded and exact", "[auth]") {
  const BasicAuthenticator auth({{"alice", HtpasswdHash(kPassword, 4)}});
  // Far more distinct failed attempts than the cache holds: failures are never cached, and
  // the right password keeps working throughout.
  for (size_t i = 0; i < BasicAuthenticator::kCacheSize + 8; ++i) {
    CHECK_FALSE(auth.Check({"alice", "guess-" + std::to_string(i)}));
  }
  CHECK(auth.Check({"alice", kPassword}));
  CHECK_FALSE(auth.Check({"alice", std::string(kPassword).substr(1)}));
}

TEST_CASE("the exporter asks for credentials and checks them", "[auth][e2e][secrets]") {
  anchor::FakeAnchorApi api;
  REQUIRE(api.Start());
  auto config = anchor::test::TestConfig(api.base_url(), anchor::FakeAnchorApi::Options{}.api_key);
  const auto web_file = anchor::test::WriteTempFile(
      "web.yml", "basic_auth_users:\n  prometheus: " + HtpasswdHash(kPassword, 10) +
                     "\nauth_excluded_paths: [/-/healthy]\n");
  ExporterHarness exporter(anchor::AppOptions{{}, web_file, anchor::test::FixedConfig(config)});
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
    CHECK(log.find("msg=\"authentication failed\" user=prometheus") != std::string::npos);
    CHECK(log.find("msg=\"authentication failed\" user=grafana") != std::string::npos);
    CHECK(log.find(kWrongPassword) == std::string::npos);
    CHECK(log.find(kPassword) == std::string::npos);
  }
  SECTION("an excluded path needs no credentials") { CHECK(Get(port, "/-/healthy").status == 200); }
}

// Basic authentication from the web config: bcrypt hashes made by htpasswd, 401 with a
// challenge for missing, wrong and unknown credentials, passwords never logged.
#include <httplib.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

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
  const auto owned_auth = BasicAuthenticator::Create({{"alice", HtpasswdHash(kPassword, 10)},
                                                      {"bob", HtpasswdHash("bobs-password")}})
                              .value();
  const BasicAuthenticator& auth = *owned_auth;
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
  CHECK_FALSE(BasicAuthenticator::Create({}).value()->enabled());
}

TEST_CASE("failures are cached and cannot evict a user's last good password", "[auth]") {
  std::atomic<int> bcrypts{0};
  const auto owned_auth =
      BasicAuthenticator::Create({{"alice", HtpasswdHash(kPassword, 4)}}, [&](const std::string&) {
        ++bcrypts;
      }).value();
  const BasicAuthenticator& auth = *owned_auth;
  CHECK(auth.Check({"alice", kPassword}));
  CHECK(bcrypts == 1);
  for (int i = 0; i < 300; ++i) CHECK_FALSE(auth.Check({"alice", "guess-" + std::to_string(i)}));
  CHECK(bcrypts == 301);
  // A repeated wrong password and the right one: both answered without bcrypt.
  CHECK_FALSE(auth.Check({"alice", "guess-7"}));
  CHECK(auth.Check({"alice", kPassword}));
  CHECK(bcrypts == 301);
  CHECK_FALSE(auth.Check({"alice", std::string(kPassword).substr(1)}));
  CHECK(bcrypts == 302);
}

TEST_CASE("the failure cache forgets the least recently used digest", "[auth]") {
  anchor::DigestLru lru(3);
  auto d = [](unsigned char n) {
    anchor::DigestLru::Digest digest{};
    digest[0] = n;
    return digest;
  };
  for (unsigned char n = 1; n <= 3; ++n) lru.Insert(d(n));
  CHECK(lru.Contains(d(1)));  // 1 is now the most recently used
  lru.Insert(d(4));           // evicts 2
  CHECK(lru.size() == 3);
  CHECK_FALSE(lru.Contains(d(2)));
  CHECK(lru.Contains(d(1)));
  CHECK(lru.Contains(d(3)));
  CHECK(lru.Contains(d(4)));
}

TEST_CASE("a password with a NUL byte is refused", "[auth][secrets]") {
  const auto owned_auth =
      BasicAuthenticator::Create({{"alice", HtpasswdHash("correct-horse", 4)}}).value();
  const BasicAuthenticator& auth = *owned_auth;
  CHECK(auth.Check({"alice", "correct-horse"}));
  // crypt() stops at the NUL, so "correct-horse\0junk" would match the hash.
  CHECK_FALSE(auth.Check({"alice", std::string("correct-horse\0junk", 18)}));
  CHECK_FALSE(auth.Check({"alice", std::string("correct-horse\0", 14)}));
  // The same through the header: base64("alice:correct-horse\0junk").
  CHECK(auth.CheckAuthorization("Basic YWxpY2U6Y29ycmVjdC1ob3JzZQ=="));
  CHECK_FALSE(auth.CheckAuthorization("Basic YWxpY2U6Y29ycmVjdC1ob3JzZQBqdW5r"));
  CHECK_FALSE(auth.CheckAuthorization("Bearer x"));
}

namespace {

// Holds every bcrypt of one user name at the hook until released.
class BcryptGate {
 public:
  explicit BcryptGate(std::string user) : user_(std::move(user)) {
    for (const char* name : {"alice", "bob", "mallory", "eve"}) entered_[name] = 0;
  }
  void Enter(const std::string& user) {
    ++entered_[user];
    if (user != user_) return;
    std::unique_lock<std::mutex> lock(mu_);
    ++waiting_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
  }
  bool WaitHeld() {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(20), [&] { return waiting_ > 0; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  int Entered(const std::string& user) { return entered_[user].load(); }

 private:
  const std::string user_;
  std::map<std::string, std::atomic<int>> entered_;
  std::mutex mu_;
  std::condition_variable cv_;
  int waiting_ = 0;
  bool open_ = false;
};

}  // namespace

TEST_CASE("bcrypt runs once at a time per user, never behind another user's", "[auth][flood]") {
  BcryptGate gate("alice");
  const auto owned_auth =
      BasicAuthenticator::Create(
          {{"alice", HtpasswdHash(kPassword, 4)}, {"bob", HtpasswdHash("bobs-password", 4)}},
          [&](const std::string& user) { gate.Enter(user); })
          .value();
  const BasicAuthenticator& auth = *owned_auth;
  auto first = std::async(std::launch::async, [&] { return auth.Check({"alice", kPassword}); });
  REQUIRE(gate.WaitHeld());  // alice's bcrypt is running (held)

  // Another user is not queued behind it.
  auto bob = std::async(std::launch::async, [&] { return auth.Check({"bob", "bobs-password"}); });
  REQUIRE(bob.wait_for(std::chrono::seconds(20)) == std::future_status::ready);
  CHECK(bob.get());
  // A second password for alice waits at most two bcrypt times, then is refused without a bcrypt.
  auto guess = std::async(std::launch::async, [&] { return auth.Check({"alice", "guess"}); });
  REQUIRE(guess.wait_for(std::chrono::seconds(20)) == std::future_status::ready);
  CHECK_FALSE(guess.get());
  CHECK(gate.Entered("alice") == 1);

  gate.Open();
  CHECK(first.get());
  CHECK(auth.Check({"alice", kPassword}));  // from its slot
  CHECK(gate.Entered("alice") == 1);
}

TEST_CASE("requests with the password being checked share that check", "[auth][flood]") {
  std::atomic<int> bcrypts{0};
  // Cost 10 (~0.1 s): the others arrive while the first check runs and wait for its answer,
  // which takes one bcrypt time, within their limit of two.
  const auto owned_auth =
      BasicAuthenticator::Create({{"alice", HtpasswdHash(kPassword, 10)}}, [&](const std::string&) {
        ++bcrypts;
      }).value();
  const BasicAuthenticator& auth = *owned_auth;
  std::vector<std::future<bool>> checks;
  checks.reserve(4);
  for (int i = 0; i < 4; ++i) {
    checks.push_back(std::async(std::launch::async, [&] {
      return auth.Check({"alice", kPassword});
    }));
  }
  for (auto& check : checks) CHECK(check.get());
  CHECK(bcrypts == 1);
}

TEST_CASE("unknown user names share one bcrypt turn", "[auth][flood]") {
  BcryptGate gate("mallory");
  const auto owned_auth =
      BasicAuthenticator::Create({{"alice", HtpasswdHash(kPassword, 4)}},
                                 [&](const std::string& user) { gate.Enter(user); })
          .value();
  const BasicAuthenticator& auth = *owned_auth;
  auto mallory = std::async(std::launch::async, [&] { return auth.Check({"mallory", "x"}); });
  REQUIRE(gate.WaitHeld());
  // Another unknown name waits for that turn and is refused; a known user goes ahead.
  CHECK_FALSE(auth.Check({"eve", "y"}));
  CHECK(gate.Entered("eve") == 0);
  CHECK(auth.Check({"alice", kPassword}));
  gate.Open();
  CHECK_FALSE(mallory.get());
  CHECK_FALSE(auth.Check({"eve", "y"}));  // now its own (dummy) bcrypt
  CHECK(gate.Entered("eve") == 1);
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

// BasicAuthenticator and ParseBasicAuthorization called directly: bcrypt hashes from htpasswd
// and from libxcrypt (made here at a low cost), right and wrong passwords, unknown users, NUL
// bytes, the per-user success slot that failures cannot evict, and one bcrypt at a time per
// user under a flood.
#include <crypt.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/web_fixtures.h"
#include "toolkit/basic_auth.h"

using anchor::BasicAuthenticator;
using anchor::ParseBasicAuthorization;
using anchor::test::HtpasswdHash;

namespace {

const char* kPassword = "correct horse battery staple";
const char* kWrongPassword = "Tr0ub4dor&3-do-not-log";

// A bcrypt ($2b$) hash of `password` at `cost`, made with libxcrypt (no htpasswd needed).
std::string BcryptHash(const std::string& password, unsigned long cost = 4) {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn("$2b$", cost, nullptr, 0, setting, sizeof(setting)) == nullptr) {
    throw std::runtime_error("crypt_gensalt_rn failed");
  }
  auto data = std::make_unique<crypt_data>();  // ~32 KiB: not for the stack
  const char* hash = crypt_r(password.c_str(), setting, data.get());
  if (hash == nullptr || hash[0] == '*') throw std::runtime_error("crypt_r failed");
  return hash;
}

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

TEST_CASE("Authorization headers are parsed strictly", "[unit][web][auth]") {
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

TEST_CASE("bcrypt hashes from htpasswd verify in constant-time comparison", "[unit][web][auth]") {
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

TEST_CASE("failures are cached and cannot evict a user's last good password", "[unit][web][auth]") {
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

TEST_CASE("a password with a NUL byte is refused", "[unit][web][auth][secrets]") {
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

TEST_CASE("bcrypt runs once at a time per user, never behind another user's",
          "[unit][web][auth][flood]") {
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

TEST_CASE("requests with the password being checked share that check", "[unit][web][auth][flood]") {
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

TEST_CASE("unknown user names share one bcrypt turn", "[unit][web][auth][flood]") {
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

TEST_CASE("libxcrypt bcrypt hashes: right, wrong, unknown user", "[unit][web][auth]") {
  const auto owned_auth =
      BasicAuthenticator::Create({{"alice", BcryptHash("s3cret")}, {"bob", BcryptHash("other")}})
          .value();
  const BasicAuthenticator& auth = *owned_auth;
  CHECK(auth.Check({"alice", "s3cret"}));
  CHECK_FALSE(auth.Check({"alice", "S3cret"}));
  CHECK_FALSE(auth.Check({"alice", "s3cre"}));
  CHECK_FALSE(auth.Check({"Alice", "s3cret"}));  // user names are case-sensitive
  CHECK_FALSE(auth.Check({"carol", "s3cret"}));
  CHECK_FALSE(auth.Check({"bob", "s3cret"}));
  CHECK(auth.Check({"bob", "other"}));
  // Through the header: base64("alice:s3cret") and base64("alice:wrong").
  CHECK(auth.CheckAuthorization("Basic YWxpY2U6czNjcmV0"));
  CHECK_FALSE(auth.CheckAuthorization("Basic YWxpY2U6d3Jvbmc="));
  CHECK_FALSE(auth.CheckAuthorization(""));
  CHECK_FALSE(auth.CheckAuthorization("Basic !!!!"));
}

TEST_CASE("a user name with a NUL byte is refused without a bcrypt", "[unit][web][auth]") {
  std::atomic<int> bcrypts{0};
  const auto owned_auth =
      BasicAuthenticator::Create({{"alice", BcryptHash("pw")}}, [&](const std::string&) {
        ++bcrypts;
      }).value();
  const BasicAuthenticator& auth = *owned_auth;
  CHECK_FALSE(auth.Check({std::string("alice\0", 6), "pw"}));
  CHECK_FALSE(auth.Check({std::string("al\0ice", 6), "pw"}));
  CHECK(bcrypts == 0);
  CHECK(auth.Check({"alice", "pw"}));
  CHECK(bcrypts == 1);
}

TEST_CASE("an unknown user costs one bcrypt against the dummy hash, then is cached",
          "[unit][web][auth]") {
  std::vector<std::string> bcrypts;
  const auto owned_auth =
      BasicAuthenticator::Create({{"alice", BcryptHash("pw")}}, [&](const std::string& user) {
        bcrypts.push_back(user);
      }).value();
  const BasicAuthenticator& auth = *owned_auth;
  CHECK_FALSE(auth.Check({"mallory", "pw"}));
  CHECK_FALSE(auth.Check({"mallory", "pw"}));  // a repeated failure: from the failure cache
  CHECK(bcrypts == std::vector<std::string>{"mallory"});
}

TEST_CASE("a disabled authenticator lets every request through", "[unit][web][auth]") {
  const auto owned_open = BasicAuthenticator::Create({}).value();
  const BasicAuthenticator& open = *owned_open;
  CHECK_FALSE(open.enabled());
  CHECK(open.Check({"anyone", "anything"}));
  CHECK(open.CheckAuthorization(""));
  CHECK(open.CheckAuthorization("Bearer x"));
  // Configured users: a header that is not Basic credentials is refused.
  const auto owned_closed = BasicAuthenticator::Create({{"alice", BcryptHash("pw")}}).value();
  const BasicAuthenticator& closed = *owned_closed;
  CHECK_FALSE(closed.CheckAuthorization("Bearer x"));
}

#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "toolkit/digest_lru.h"

namespace anchor {

// Splits an "Authorization: Basic <base64(user:password)>" header value. nullopt when it is not
// well-formed Basic credentials.
struct BasicCredentials {
  std::string user;
  std::string password;
};
std::optional<BasicCredentials> ParseBasicAuthorization(std::string_view header);

// Why a login failed (a bounded set: the `reason` of
// anchorbrowser_exporter_http_auth_failures_total), or kOk.
enum class AuthVerdict {
  kOk,
  kNoCredentials,  // no Authorization header, or not well-formed Basic credentials
  kUnknownUser,    // the name is not configured (still costs a bcrypt against a dummy hash)
  kWrongPassword,  // a configured name, a wrong password (or one holding a NUL byte)
  kBusy,           // gave up waiting for the bcrypt of the same name (a flood against it)
};
// "no_credentials", "unknown_user", "wrong_password", "busy" ("" for kOk).
const char* AuthVerdictReason(AuthVerdict verdict);
// Every failure verdict, in a fixed order (to export all reasons from the start).
constexpr AuthVerdict kAuthFailures[] = {AuthVerdict::kNoCredentials, AuthVerdict::kUnknownUser,
                                         AuthVerdict::kWrongPassword, AuthVerdict::kBusy};

// Checks HTTP basic credentials against bcrypt hashes, as the exporter-toolkit does, but so that
// a flood of wrong passwords cannot starve valid users:
//  - hashes are verified with libxcrypt's crypt_r and compared in constant time; an unknown user
//    is checked against a dummy hash of the same cost, so timing does not reveal which names
//    exist; a user name or password holding a NUL byte is refused (crypt stops at the NUL);
//  - results are remembered under an HMAC of user, password and hash with a per-process random
//    key (no password is stored): per user, the last successful password in its own slot, which
//    failures cannot evict, so Prometheus pays bcrypt once; failures in a bounded LRU, so a
//    repeated wrong password costs no bcrypt either;
//  - bcrypt runs at most once at a time per user name (all unknown names count as one), never
//    under a global lock: an attack on one name pins at most one core and queues nobody else.
//    A request that misses the cache while its user's check runs waits up to two bcrypt times
//    (as last measured for that user) for the result or its turn, then is refused.
// Thread-safe.
class BasicAuthenticator {
 public:
  // Test seam: called right before every bcrypt with the user name it is for.
  using BcryptHook = std::function<void(const std::string& user)>;

  // Fails only when OpenSSL has no randomness for the cache key or libxcrypt cannot make a salt.
  static Result<std::unique_ptr<BasicAuthenticator>> Create(
      std::map<std::string, std::string> users, BcryptHook before_bcrypt = {});
  ~BasicAuthenticator();
  BasicAuthenticator(const BasicAuthenticator&) = delete;
  BasicAuthenticator& operator=(const BasicAuthenticator&) = delete;

  bool enabled() const { return !users_.empty(); }
  // Whether `user` is a configured name.
  bool knows(const std::string& user) const { return users_.count(user) > 0; }
  bool Check(const BasicCredentials& credentials) const {
    return Judge(credentials) == AuthVerdict::kOk;
  }
  // As Check, saying why a login failed.
  AuthVerdict Judge(const BasicCredentials& credentials) const;
  // The value of an Authorization header; false when it is not Basic credentials.
  bool CheckAuthorization(std::string_view header) const;

  static constexpr std::size_t kFailureCacheSize = 4096;

 private:
  using Digest = std::array<unsigned char, 32>;
  struct UserState;
  BasicAuthenticator(std::map<std::string, std::string> users, BcryptHook before_bcrypt);
  Status Init();
  Digest CacheKey(const BasicCredentials& c, const std::string& hash) const;
  // The cached answer for `key`, if any; state.mu must be held.
  std::optional<bool> Cached(const UserState& state, const Digest& key) const;
  // bcrypt of c.password against `hash`; `took` is how long the bcrypt took.
  bool Verify(const BasicCredentials& c, const std::string& hash,
              std::chrono::duration<double>& took) const;

  const std::map<std::string, std::string> users_;
  const BcryptHook before_bcrypt_;
  std::string dummy_hash_;
  std::array<unsigned char, 32> cache_secret_{};
  // One per configured user, and one shared by every unknown name; fixed after construction.
  std::map<std::string, std::unique_ptr<UserState>> states_;
  std::unique_ptr<UserState> unknown_state_;
  std::unique_ptr<DigestLru> failures_;
};

}  // namespace anchor

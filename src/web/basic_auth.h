#pragma once

#include <array>
#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace anchor {

// Splits an "Authorization: Basic <base64(user:password)>" header value. nullopt when it is not
// well-formed Basic credentials.
struct BasicCredentials {
  std::string user;
  std::string password;
};
std::optional<BasicCredentials> ParseBasicAuthorization(std::string_view header);

// Checks HTTP basic credentials against bcrypt hashes, as the exporter-toolkit does:
//  - hashes are verified with libxcrypt's crypt_r and compared in constant time;
//  - an unknown user is checked against a dummy hash of the same cost, so the answer takes as
//    long as for a known user and timing does not reveal which names exist;
//  - one bcrypt at a time (it is meant to be slow: ~50-100 ms at cost 10), and successful
//    checks are remembered in a small bounded cache, keyed by an HMAC of user, password and
//    hash under a per-process random key, so Prometheus does not pay bcrypt on every scrape.
// Thread-safe.
class BasicAuthenticator {
 public:
  explicit BasicAuthenticator(std::map<std::string, std::string> users);
  BasicAuthenticator(const BasicAuthenticator&) = delete;
  BasicAuthenticator& operator=(const BasicAuthenticator&) = delete;

  bool enabled() const { return !users_.empty(); }
  bool Check(const BasicCredentials& credentials) const;

  static constexpr std::size_t kCacheSize = 64;

 private:
  using Digest = std::array<unsigned char, 32>;
  Digest CacheKey(const BasicCredentials& c, const std::string& hash) const;
  bool Cached(const Digest& key) const;
  void Remember(const Digest& key) const;

  const std::map<std::string, std::string> users_;
  std::string dummy_hash_;
  std::array<unsigned char, 32> cache_secret_{};

  mutable std::mutex bcrypt_mu_;
  mutable std::mutex cache_mu_;
  mutable std::set<Digest> cache_;
  mutable std::deque<Digest> cache_order_;  // oldest first, for eviction
};

}  // namespace anchor

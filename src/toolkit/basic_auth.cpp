#include "toolkit/basic_auth.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>

#include "base/text.h"

namespace anchor {
namespace {

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Standard base64 with padding (RFC 4648 section 4), as browsers and Prometheus send it.
std::optional<std::string> DecodeBase64(std::string_view in) {
  if (in.empty() || in.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(in.size() / 4 * 3);
  for (size_t i = 0; i < in.size(); i += 4) {
    int pad = 0;  // "xx==" or "xxx=" in the last group only
    if (i + 4 == in.size() && in[i + 3] == '=') pad = in[i + 2] == '=' ? 2 : 1;
    int v[4] = {0, 0, 0, 0};
    for (int j = 0; j < 4 - pad; ++j) {
      if ((v[j] = Base64Value(in[i + j])) < 0) return std::nullopt;
    }
    const unsigned triple = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out += static_cast<char>((triple >> 16) & 0xff);
    if (pad < 2) out += static_cast<char>((triple >> 8) & 0xff);
    if (pad < 1) out += static_cast<char>(triple & 0xff);
  }
  return out;
}

// The cost field of a bcrypt hash ("$2b$10$..." -> 10).
unsigned long BcryptCost(const std::string& hash) {
  if (hash.size() < 7) return 10;
  return static_cast<unsigned long>(std::strtoul(hash.substr(4, 2).c_str(), nullptr, 10));
}

// crypt_r into a freshly zeroed work area (crypt_data is ~32 KiB: not for the stack).
std::string Crypt(const std::string& password, const std::string& setting) {
  auto data = std::make_unique<crypt_data>();
  const char* out = crypt_r(password.c_str(), setting.c_str(), data.get());
  // On failure libxcrypt returns a token starting with '*', which matches no hash.
  std::string result = out == nullptr ? std::string("*") : std::string(out);
  OPENSSL_cleanse(data.get(), sizeof(crypt_data));
  return result;
}

}  // namespace

std::optional<BasicCredentials> ParseBasicAuthorization(std::string_view header) {
  constexpr std::string_view kScheme = "basic";
  if (header.size() <= kScheme.size() ||
      !text::EqualsIgnoreCase(header.substr(0, kScheme.size()), kScheme)) {
    return std::nullopt;
  }
  std::string_view rest = header.substr(kScheme.size());
  if (rest.front() != ' ') return std::nullopt;
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  auto decoded = DecodeBase64(rest);
  if (!decoded) return std::nullopt;
  const auto colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  BasicCredentials c{decoded->substr(0, colon), decoded->substr(colon + 1)};
  OPENSSL_cleanse(decoded->data(), decoded->size());
  return c;
}

struct BasicAuthenticator::UserState {
  std::mutex mu;
  std::condition_variable idle;  // notified when `checking` turns false
  bool checking = false;         // a bcrypt for this user runs
  std::optional<Digest> last_success;
  std::chrono::duration<double> bcrypt_time{0};  // of the last check, bounds the wait
};

BasicAuthenticator::BasicAuthenticator(std::map<std::string, std::string> users,
                                       BcryptHook before_bcrypt)
    : users_(std::move(users)), before_bcrypt_(std::move(before_bcrypt)) {}

Result<std::unique_ptr<BasicAuthenticator>> BasicAuthenticator::Create(
    std::map<std::string, std::string> users, BcryptHook before_bcrypt) {
  std::unique_ptr<BasicAuthenticator> authenticator(
      new BasicAuthenticator(std::move(users), std::move(before_bcrypt)));
  if (auto ready = authenticator->Init(); !ready.ok()) return Error{ready.error()};
  return authenticator;
}

Status BasicAuthenticator::Init() {
  if (users_.empty()) return Status::Ok();
  if (RAND_bytes(cache_secret_.data(), static_cast<int>(cache_secret_.size())) != 1) {
    return Error{"no randomness for the basic auth cache key"};
  }
  // The dummy hash costs as much as the most expensive real one.
  unsigned long cost = 4;
  for (const auto& [user, hash] : users_) cost = std::max(cost, BcryptCost(hash));
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn("$2b$", cost, nullptr, 0, setting, sizeof(setting)) == nullptr) {
    return Error{"cannot create a bcrypt salt"};
  }
  unsigned char random[16];
  RAND_bytes(random, sizeof(random));
  const auto start = std::chrono::steady_clock::now();
  dummy_hash_ = Crypt(std::string(reinterpret_cast<char*>(random), sizeof(random)), setting);
  const std::chrono::duration<double> first_bcrypt = std::chrono::steady_clock::now() - start;
  // Until a user's own check is measured, its waits are bounded by this bcrypt at the top cost.
  auto make_state = [&] {
    auto state = std::make_unique<UserState>();
    state->bcrypt_time = first_bcrypt;
    return state;
  };
  for (const auto& [user, hash] : users_) states_.emplace(user, make_state());
  unknown_state_ = make_state();
  failures_ = std::make_unique<DigestLru>(kFailureCacheSize);
  return Status::Ok();
}

BasicAuthenticator::~BasicAuthenticator() = default;

BasicAuthenticator::Digest BasicAuthenticator::CacheKey(const BasicCredentials& c,
                                                        const std::string& hash) const {
  // Length-prefixed fields, so "ab"+"c" and "a"+"bc" differ.
  std::string input;
  for (const std::string* field : {&c.user, &c.password, &hash}) {
    input += std::to_string(field->size()) + ':' + *field;
  }
  Digest out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), cache_secret_.data(), static_cast<int>(cache_secret_.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), out.data(), &len);
  OPENSSL_cleanse(input.data(), input.size());
  return out;
}

std::optional<bool> BasicAuthenticator::Cached(const UserState& state, const Digest& key) const {
  if (state.last_success &&
      CRYPTO_memcmp(state.last_success->data(), key.data(), key.size()) == 0) {
    return true;
  }
  if (failures_->Contains(key)) return false;
  return std::nullopt;
}

bool BasicAuthenticator::Verify(const BasicCredentials& c, const std::string& hash,
                                std::chrono::duration<double>& took) const {
  if (before_bcrypt_) before_bcrypt_(c.user);
  const auto start = std::chrono::steady_clock::now();
  const std::string computed = Crypt(c.password, hash);
  took = std::chrono::steady_clock::now() - start;
  return computed.size() == hash.size() &&
         CRYPTO_memcmp(computed.data(), hash.data(), hash.size()) == 0;
}

const char* AuthVerdictReason(AuthVerdict verdict) {
  switch (verdict) {
    case AuthVerdict::kOk:
      return "";
    case AuthVerdict::kNoCredentials:
      return "no_credentials";
    case AuthVerdict::kUnknownUser:
      return "unknown_user";
    case AuthVerdict::kWrongPassword:
      return "wrong_password";
    case AuthVerdict::kBusy:
      return "busy";
  }
  return "";
}

AuthVerdict BasicAuthenticator::Judge(const BasicCredentials& credentials) const {
  if (users_.empty()) return AuthVerdict::kOk;
  const auto it = users_.find(credentials.user);
  const bool known = it != users_.end();
  const AuthVerdict failed = known ? AuthVerdict::kWrongPassword : AuthVerdict::kUnknownUser;
  if (credentials.user.find('\0') != std::string::npos ||
      credentials.password.find('\0') != std::string::npos) {
    return failed;
  }
  const std::string& hash = known ? it->second : dummy_hash_;
  UserState& state = known ? *states_.at(credentials.user) : *unknown_state_;
  const Digest key = CacheKey(credentials, hash);

  std::unique_lock<std::mutex> lock(state.mu);
  if (auto cached = Cached(state, key)) return *cached ? AuthVerdict::kOk : failed;
  if (state.checking) {
    // Wait for the running check: it may be this very password, or free the user's turn.
    const auto limit =
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(2 * state.bcrypt_time);
    if (!state.idle.wait_for(lock, limit, [&] { return !state.checking; })) {
      return AuthVerdict::kBusy;
    }
    if (auto cached = Cached(state, key)) return *cached ? AuthVerdict::kOk : failed;
  }
  state.checking = true;
  lock.unlock();
  bool match = false;
  std::chrono::duration<double> took{0};
  try {
    // Unknown names too: the dummy hash costs the same, so timing tells nothing.
    const bool verified = Verify(credentials, hash, took);
    match = known && verified;
  } catch (...) {
    lock.lock();
    state.checking = false;
    lock.unlock();
    state.idle.notify_all();
    throw;
  }
  lock.lock();
  state.checking = false;
  state.bcrypt_time = took;
  if (match) {
    state.last_success = key;
  } else {
    failures_->Insert(key);
  }
  lock.unlock();
  state.idle.notify_all();
  return match ? AuthVerdict::kOk : failed;
}

bool BasicAuthenticator::CheckAuthorization(std::string_view header) const {
  auto credentials = ParseBasicAuthorization(header);
  if (!credentials) return users_.empty();
  const bool ok = Check(*credentials);
  OPENSSL_cleanse(credentials->password.data(), credentials->password.size());
  return ok;
}

}  // namespace anchor

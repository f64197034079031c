#include "toolkit/auth_failures.h"

#include "log/logger.h"

namespace anchor {
namespace {

std::size_t Index(AuthVerdict verdict) {
  for (std::size_t i = 0; i < std::size(kAuthFailures); ++i) {
    if (kAuthFailures[i] == verdict) return i;
  }
  return 0;
}

}  // namespace

AuthFailureLog::AuthFailureLog(const Logger& log, const Clock& clock)
    : log_(log), throttle_(clock, kInterval, kMaxKeys) {}

void AuthFailureLog::Record(AuthVerdict verdict, const std::string& user, bool known_user,
                            const std::string& remote_addr, const std::string& path) {
  if (verdict == AuthVerdict::kOk) return;
  counts_[Index(verdict)].fetch_add(1, std::memory_order_relaxed);
  const char* reason = AuthVerdictReason(verdict);
  if (verdict == AuthVerdict::kNoCredentials) {
    if (log_.Enabled(LogLevel::kDebug)) {
      log_.Debug("request without credentials", {{"remote_addr", remote_addr}, {"path", path}});
    }
    return;
  }
  // Configured names are few (the web config's); unknown ones are whatever a client sends, so
  // they share one key per reason (unknown_user, or busy when their shared turn was taken).
  const std::string key = known_user ? std::string(reason) + '\n' + user : std::string(reason);
  const LogThrottle::Decision said = throttle_.Admit(key);
  if (!said.log) return;
  // The user name helps find a misconfigured client; the password is never logged.
  log_.Warn("authentication failed", {{"user", user.substr(0, 64)},
                                      {"reason", reason},
                                      {"failures", said.count},
                                      {"remote_addr", remote_addr},
                                      {"path", path}});
}

std::uint64_t AuthFailureLog::count(AuthVerdict verdict) const {
  return verdict == AuthVerdict::kOk ? 0 : counts_[Index(verdict)].load(std::memory_order_relaxed);
}

}  // namespace anchor

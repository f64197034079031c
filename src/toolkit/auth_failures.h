#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "log/log_throttle.h"
#include "toolkit/basic_auth.h"

namespace anchor {

class Clock;
class Logger;

// Failed logins, said once: every failure is counted per reason
// (anchorbrowser_exporter_http_auth_failures_total{reason}), but a warn line is written at most
// once per configured user and reason per interval, carrying how many failures it stands for
// (`failures`), so a password flood costs a few lines a minute instead of one per request. All
// unknown user names share one key (a flood of random names is one line per interval, naming
// the latest); requests without credentials (a browser's first request) are counted and logged
// at debug level only. The password is never logged. Thread-safe.
class AuthFailureLog {
 public:
  static constexpr std::chrono::seconds kInterval{60};
  static constexpr std::size_t kMaxKeys = 64;

  AuthFailureLog(const Logger& log, const Clock& clock);

  // `known_user`: the name is a configured one (else it shares the unknown names' key).
  void Record(AuthVerdict verdict, const std::string& user, bool known_user,
              const std::string& remote_addr, const std::string& path);
  // Failures so far for one reason of kAuthFailures (web/own_metrics names the family).
  std::uint64_t count(AuthVerdict verdict) const;

 private:
  const Logger& log_;
  LogThrottle throttle_;
  std::array<std::atomic<std::uint64_t>, std::size(kAuthFailures)> counts_{};
};

}  // namespace anchor

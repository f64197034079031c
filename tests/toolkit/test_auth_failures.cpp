#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "support/log_capture.h"
#include "support/manual_clock.h"
#include "toolkit/auth_failures.h"

using anchor::AuthFailureLog;
using anchor::AuthVerdict;
using anchor::LogLevel;
using anchor::test::LogCapture;
using anchor::test::ManualClock;

TEST_CASE("failed logins are counted each and logged once per user and reason per minute",
          "[unit][web][auth]") {
  ManualClock clock;
  LogCapture capture(LogLevel::kInfo);
  AuthFailureLog failures(capture.logger(), clock);
  for (int i = 0; i < 500; ++i) {
    failures.Record(AuthVerdict::kWrongPassword, "prometheus", true, "127.0.0.1", "/metrics");
    failures.Record(AuthVerdict::kUnknownUser, "random-" + std::to_string(i), false, "127.0.0.1",
                    "/");
    failures.Record(AuthVerdict::kBusy, "busy-" + std::to_string(i), false, "127.0.0.1", "/");
    failures.Record(AuthVerdict::kNoCredentials, "", false, "127.0.0.1", "/");
  }
  failures.Record(AuthVerdict::kBusy, "prometheus", true, "127.0.0.1", "/metrics");
  CHECK(capture.Lines("authentication failed") == 4);
  CHECK(capture.Lines("user=busy-0 reason=busy failures=1 ") == 1);
  CHECK(capture.Lines("user=prometheus reason=wrong_password failures=1 ") == 1);
  CHECK(capture.Lines("user=random-0 reason=unknown_user failures=1 ") == 1);
  CHECK(capture.Lines("user=prometheus reason=busy failures=1 ") == 1);
  CHECK(capture.Lines("request without credentials") == 0);  // debug only

  clock.Advance(std::chrono::seconds(60));
  failures.Record(AuthVerdict::kWrongPassword, "prometheus", true, "127.0.0.1", "/metrics");
  failures.Record(AuthVerdict::kUnknownUser, "grafana", false, "127.0.0.1", "/");
  CHECK(capture.Lines("authentication failed") == 6);
  // The 499 held back and this one.
  CHECK(capture.Lines("user=prometheus reason=wrong_password failures=500 ") == 1);
  CHECK(capture.Lines("user=grafana reason=unknown_user failures=500 ") == 1);

  CHECK(failures.count(AuthVerdict::kWrongPassword) == 501);
  CHECK(failures.count(AuthVerdict::kUnknownUser) == 501);
  CHECK(failures.count(AuthVerdict::kNoCredentials) == 500);
  CHECK(failures.count(AuthVerdict::kBusy) == 501);
}

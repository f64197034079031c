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

namespace {

double Sample(const prometheus::MetricFamily& f, const std::string& reason) {
  for (const auto& m : f.metric) {
    if (m.label.size() == 1 && m.label[0].value == reason) return m.counter.value;
  }
  return -1;
}

}  // namespace

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

  const auto family = failures.Family();
  CHECK(family.name == "anchorbrowser_exporter_http_auth_failures_total");
  CHECK(family.type == prometheus::MetricType::Counter);
  CHECK(Sample(family, "wrong_password") == 501);
  CHECK(Sample(family, "unknown_user") == 501);
  CHECK(Sample(family, "no_credentials") == 500);
  CHECK(Sample(family, "busy") == 501);
}

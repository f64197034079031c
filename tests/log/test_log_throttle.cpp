#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "log/log_throttle.h"
#include "support/manual_clock.h"

using anchor::LogThrottle;
using anchor::test::ManualClock;
using std::chrono::seconds;

TEST_CASE("a throttled key logs its first event, then one line per interval with a count",
          "[unit][log][throttle]") {
  ManualClock clock;
  LogThrottle throttle(clock, seconds(60), 8);
  CHECK(throttle.Admit("alice") == std::optional<std::uint64_t>(1));
  for (int i = 0; i < 99; ++i) CHECK_FALSE(throttle.Admit("alice").has_value());
  clock.Advance(seconds(59));
  CHECK_FALSE(throttle.Admit("alice").has_value());
  clock.Advance(seconds(1));
  // The 99 suppressed events, the one at 59 s and this one.
  CHECK(throttle.Admit("alice") == std::optional<std::uint64_t>(101));
  CHECK_FALSE(throttle.Admit("alice").has_value());
}

TEST_CASE("throttled keys are independent", "[unit][log][throttle]") {
  ManualClock clock;
  LogThrottle throttle(clock, seconds(10), 8);
  CHECK(throttle.Admit("a") == std::optional<std::uint64_t>(1));
  CHECK(throttle.Admit("b") == std::optional<std::uint64_t>(1));
  CHECK_FALSE(throttle.Admit("a").has_value());
  CHECK_FALSE(throttle.Admit("b").has_value());
}

TEST_CASE("a flood of distinct keys costs a bounded table and max_keys + 1 lines per interval",
          "[unit][log][throttle]") {
  ManualClock clock;
  LogThrottle throttle(clock, seconds(60), 4);
  int lines = 0;
  std::uint64_t reported = 0;
  for (int i = 0; i < 10000; ++i) {
    if (auto n = throttle.Admit("user-" + std::to_string(i))) {
      ++lines;
      reported += *n;
    }
  }
  CHECK(lines == 5);  // four keys and the shared overflow key
  CHECK(throttle.size() == 5);
  clock.Advance(seconds(60));
  // Old keys make room once their interval has passed; the overflow line reports the rest.
  for (int i = 0; i < 10000; ++i) {
    if (auto n = throttle.Admit("other-" + std::to_string(i))) {
      ++lines;
      reported += *n;
    }
  }
  CHECK(lines == 10);
  CHECK(throttle.size() == 5);
  clock.Advance(seconds(60));
  for (int i = 0; i < 4; ++i) {
    if (auto n = throttle.Admit("other-" + std::to_string(i))) reported += *n;
  }
  if (auto n = throttle.Admit("late")) reported += *n;
  CHECK(reported == 20005);  // every event is reported on some line
}

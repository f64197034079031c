// LogThrottle on a clock the test moves: one line per key per interval, with the count.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "log/log_throttle.h"
#include "support/manual_clock.h"

using anchor::LogThrottle;
using std::chrono::seconds;

TEST_CASE("one line per key per interval, carrying the events since the last line",
          "[unit][log][throttle]") {
  anchor::test::ManualClock clock;
  LogThrottle throttle(clock, seconds(60), 8);

  const auto first = throttle.Admit("not_found");
  CHECK(first.log);
  CHECK(first.count == 1);
  for (int i = 0; i < 999; ++i) CHECK_FALSE(throttle.Admit("not_found").log);
  // Another key has its own interval.
  CHECK(throttle.Admit("timeout").log);

  clock.Advance(seconds(59));
  CHECK_FALSE(throttle.Admit("not_found").log);
  clock.Advance(seconds(1));
  const auto next = throttle.Admit("not_found");
  CHECK(next.log);
  CHECK(next.count == 1001);  // 999 held back, the one at 59 s and this one
  CHECK_FALSE(next.overflow);
  CHECK_FALSE(throttle.Admit("not_found").log);
}

TEST_CASE("the key table is bounded: further keys share the overflow key",
          "[unit][log][throttle]") {
  anchor::test::ManualClock clock;
  LogThrottle throttle(clock, seconds(60), 4);
  for (int i = 0; i < 4; ++i) CHECK(throttle.Admit("k" + std::to_string(i)).log);

  const auto spill = throttle.Admit("k4");
  CHECK(spill.log);
  CHECK(spill.overflow);
  for (int i = 5; i < 10000; ++i) CHECK_FALSE(throttle.Admit("k" + std::to_string(i)).log);
  CHECK(throttle.Keys() == 4);

  // Once quiet for an interval, keys make room again; the overflow reports its count.
  clock.Advance(seconds(60));
  const auto fresh = throttle.Admit("new");
  CHECK(fresh.log);
  CHECK_FALSE(fresh.overflow);
  CHECK(throttle.Keys() == 1);
}

TEST_CASE("a key with events held back is kept until a line reports them",
          "[unit][log][throttle]") {
  anchor::test::ManualClock clock;
  LogThrottle throttle(clock, seconds(60), 1);
  CHECK(throttle.Admit("a").log);
  CHECK_FALSE(throttle.Admit("a").log);  // pending: 1
  clock.Advance(seconds(60));
  const auto other = throttle.Admit("b");  // "a" still has an event to report
  CHECK(other.overflow);
  const auto a = throttle.Admit("a");
  CHECK(a.log);
  CHECK(a.count == 2);
}

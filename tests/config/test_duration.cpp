#include <catch2/catch.hpp>

#include "config/duration.h"

using anchor::FormatDuration;
using anchor::ParseDuration;
using std::chrono::milliseconds;

TEST_CASE("durations parse in the Prometheus style", "[unit][config][duration]") {
  CHECK(ParseDuration("10s") == milliseconds(10'000));
  CHECK(ParseDuration("500ms") == milliseconds(500));
  CHECK(ParseDuration("1m30s") == milliseconds(90'000));
  CHECK(ParseDuration("2h") == milliseconds(7'200'000));
  CHECK(ParseDuration("1d") == milliseconds(86'400'000));
  CHECK(ParseDuration("1w") == milliseconds(604'800'000));
  CHECK(ParseDuration("0") == milliseconds(0));
}

TEST_CASE("bad durations are rejected", "[unit][config][duration]") {
  for (const char* bad :
       {"", "10", "s", "10x", "-5s", "1.5s", "10s ", " 10s", "5m10", "99999999999s"}) {
    INFO(bad);
    CHECK_FALSE(ParseDuration(bad).has_value());
  }
}

TEST_CASE("durations format back to what parses", "[unit][config][duration]") {
  CHECK(FormatDuration(milliseconds(90'000)) == "1m30s");
  CHECK(FormatDuration(milliseconds(500)) == "500ms");
  CHECK(FormatDuration(milliseconds(0)) == "0s");
  CHECK(ParseDuration(FormatDuration(milliseconds(3'723'456))) == milliseconds(3'723'456));
}

// Found by fuzz/fuzz_duration: "1w2m2147483647w" parsed, but FormatDuration wrote
// "2147483648w2m", which does not parse (and a timeout that long overflowed when converted to
// the clock's nanoseconds). Durations are now bounded by kMaxDuration.
TEST_CASE("durations are bounded and every bounded one round-trips", "[unit][config][duration]") {
  using anchor::kMaxDuration;
  CHECK(kMaxDuration == std::chrono::hours(24 * 36500));
  CHECK(ParseDuration("36500d") == kMaxDuration);
  CHECK(ParseDuration("5214w2d") == kMaxDuration);
  for (const char* too_long : {"36500d1ms", "5215w", "1w2m2147483647w", "2147483647w"}) {
    INFO(too_long);
    CHECK_FALSE(ParseDuration(too_long).has_value());
  }
  for (const auto d : {kMaxDuration, kMaxDuration - milliseconds(1), milliseconds(1),
                       milliseconds(604'800'000 + 60'000 + 1)}) {
    INFO(d.count());
    CHECK(ParseDuration(FormatDuration(d)) == d);
  }
  // Any accepted duration converts to the steady clock's nanoseconds and can be added to now.
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(kMaxDuration);
  CHECK(ns.count() / 1'000'000 == kMaxDuration.count());
  CHECK(std::chrono::steady_clock::now().time_since_epoch() <
        std::chrono::steady_clock::duration::max() - ns);
}

#include <catch2/catch.hpp>

#include "config/duration.h"

using anchor::FormatDuration;
using anchor::ParseDuration;
using std::chrono::milliseconds;

TEST_CASE("durations parse in the Prometheus style", "[config][duration]") {
  CHECK(ParseDuration("10s") == milliseconds(10'000));
  CHECK(ParseDuration("500ms") == milliseconds(500));
  CHECK(ParseDuration("1m30s") == milliseconds(90'000));
  CHECK(ParseDuration("2h") == milliseconds(7'200'000));
  CHECK(ParseDuration("1d") == milliseconds(86'400'000));
  CHECK(ParseDuration("1w") == milliseconds(604'800'000));
  CHECK(ParseDuration("0") == milliseconds(0));
}

TEST_CASE("bad durations are rejected", "[config][duration]") {
  for (const char* bad : {"", "10", "s", "10x", "-5s", "1.5s", "10s ", " 10s", "5m10", "99999999999s"}) {
    INFO(bad);
    CHECK_FALSE(ParseDuration(bad).has_value());
  }
}

TEST_CASE("durations format back to what parses", "[config][duration]") {
  CHECK(FormatDuration(milliseconds(90'000)) == "1m30s");
  CHECK(FormatDuration(milliseconds(500)) == "500ms");
  CHECK(FormatDuration(milliseconds(0)) == "0s");
  CHECK(ParseDuration(FormatDuration(milliseconds(3'723'456))) == milliseconds(3'723'456));
}

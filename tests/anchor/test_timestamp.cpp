#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "anchor/timestamp.h"

using anchor::ParseRfc3339;

TEST_CASE("RFC 3339 timestamps become Unix seconds", "[unit][anchor][timestamp]") {
  CHECK(ParseRfc3339("2023-11-07T05:31:56Z") == Approx(1699335116.0));
  CHECK(ParseRfc3339("1970-01-01T00:00:00Z") == Approx(0.0));
  CHECK(ParseRfc3339("2023-11-07T05:31:56.250Z").value() == Approx(1699335116.25));
  CHECK(ParseRfc3339("2023-11-07T07:31:56+02:00") == Approx(1699335116.0));
  CHECK(ParseRfc3339("2023-11-07T00:31:56-05:00") == Approx(1699335116.0));
  CHECK(ParseRfc3339("2024-02-29T12:00:00z") == Approx(1709208000.0));
}

TEST_CASE("malformed timestamps are rejected", "[unit][anchor][timestamp]") {
  for (const char* bad :
       {"", "2023-11-07", "2023-11-07T05:31:56", "2023-13-07T05:31:56Z", "2023-02-30T05:31:56Z",
        "2023-11-07T25:31:56Z", "2023-11-07T05:31:56+0200", "2023-11-07T05:31:56.Z",
        "2023-11-07T05:31:56Zjunk", "yesterday", "2023-11-07T05:31:5xZ"}) {
    INFO(bad);
    CHECK_FALSE(ParseRfc3339(bad).has_value());
  }
}

// Found by fuzz/fuzz_timestamp: strftime's %Y wrote year 0 as "0" (not parseable), and a
// fraction that rounds up to 1000 ms was dropped instead of carried ("...:56.9996" -> ":56Z").
TEST_CASE("formatted timestamps parse back to the same millisecond", "[unit][anchor][timestamp]") {
  using anchor::FormatRfc3339;
  CHECK(FormatRfc3339(1699335116.0) == "2023-11-07T05:31:56Z");
  CHECK(FormatRfc3339(1699335116.25) == "2023-11-07T05:31:56.250Z");
  CHECK(FormatRfc3339(1699335116.9996) == "2023-11-07T05:31:57Z");
  CHECK(FormatRfc3339(-0.0004) == "1970-01-01T00:00:00Z");
  CHECK(FormatRfc3339(-62167219200.0) == "0000-01-01T00:00:00Z");
  CHECK(FormatRfc3339(-59011459200.0) == "0100-01-01T00:00:00Z");
  for (const char* text : {"0000-01-01T00:00:00Z", "0999-12-31T23:59:59.999Z",
                           "2023-11-07T05:31:56.9996Z", "9999-12-31T23:59:59.999Z"}) {
    INFO(text);
    const auto t = ParseRfc3339(text);
    REQUIRE(t);
    const auto again = ParseRfc3339(FormatRfc3339(*t));
    REQUIRE(again);
    CHECK(std::abs(*again - *t) <= 0.0005 + 1e-6);
  }
}

// Rfc3339Parser remembers the minute of the last timestamp: a run of timestamps, valid and
// not, sharing minutes or not, must give exactly what ParseRfc3339 gives one by one.
TEST_CASE("Rfc3339Parser gives ParseRfc3339's results in any order", "[unit][anchor][timestamp]") {
  const std::vector<std::string> texts = {
      "2026-11-28T10:00:05Z",      "2026-11-28T10:00:59.999Z",
      "2026-11-28T10:00:60Z",      "2026-11-28T10:00:61Z",
      "2026-11-28T10:00:07+02:00", "2026-11-28T10:00:0xZ",
      "2026-11-28T10:00:07",       "2026-11-28T10:01:00.5-05:30",
      "2026-11-28T10:00:05.25Z",   "2026-11-28t10:00:05Z",
      "2026-11-28T10:00",          "2026-11-28T10:00:05.Z",
      "2026-02-30T10:00:05Z",      "2026-11-28T10:00:05.123456789012345678901Z",
      "2026-11-28 10:00:05Z",      "2026-11-28T10:00:05z",
      "9999-12-31T23:59:59Z",      "0000-01-01T00:00:00Z",
      "2026-11-28T10:00:05+24:00", ""};
  anchor::Rfc3339Parser parser;
  for (int round = 0; round < 3; ++round) {
    for (size_t i = 0; i < texts.size(); ++i) {
      const auto& text = texts[(i * (round + 1) * 7) % texts.size()];
      INFO(text);
      const auto expected = ParseRfc3339(text);
      const auto got = parser.Parse(text);
      REQUIRE(got.has_value() == expected.has_value());
      if (expected) CHECK(*got == *expected);
    }
  }
}

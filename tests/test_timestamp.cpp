#include <catch2/catch.hpp>

#include "anchor/timestamp.h"

using anchor::ParseRfc3339;

TEST_CASE("RFC 3339 timestamps become Unix seconds", "[anchor][timestamp]") {
  CHECK(ParseRfc3339("2023-11-07T05:31:56Z") == Approx(1699335116.0));
  CHECK(ParseRfc3339("1970-01-01T00:00:00Z") == Approx(0.0));
  CHECK(ParseRfc3339("2023-11-07T05:31:56.250Z").value() == Approx(1699335116.25));
  CHECK(ParseRfc3339("2023-11-07T07:31:56+02:00") == Approx(1699335116.0));
  CHECK(ParseRfc3339("2023-11-07T00:31:56-05:00") == Approx(1699335116.0));
  CHECK(ParseRfc3339("2024-02-29T12:00:00z") == Approx(1709208000.0));
}

TEST_CASE("malformed timestamps are rejected", "[anchor][timestamp]") {
  for (const char* bad :
       {"", "2023-11-07", "2023-11-07T05:31:56", "2023-13-07T05:31:56Z", "2023-02-30T05:31:56Z",
        "2023-11-07T25:31:56Z", "2023-11-07T05:31:56+0200", "2023-11-07T05:31:56.Z",
        "2023-11-07T05:31:56Zjunk", "yesterday", "2023-11-07T05:31:5xZ"}) {
    INFO(bad);
    CHECK_FALSE(ParseRfc3339(bad).has_value());
  }
}

// Result and Status, the code base's one error convention (src/base/result.h).
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "base/result.h"

using anchor::Error;
using anchor::Result;
using anchor::Status;

namespace {

Result<int> ParsePort(const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) {
    return Error{"port '" + text + "' is not a number"};
  }
  return std::stoi(text);
}

}  // namespace

TEST_CASE("Result carries a value or the reason there is none", "[unit][base][result]") {
  const auto good = ParsePort("9877");
  REQUIRE(good.ok());
  CHECK(static_cast<bool>(good));
  CHECK(good.value() == 9877);
  CHECK(*good == 9877);

  const auto bad = ParsePort("http");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error() == "port 'http' is not a number");
  CHECK_THROWS(bad.value());  // reading the value of a failure is a bug, not a default
}

TEST_CASE("Result moves its value out", "[unit][base][result]") {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  std::unique_ptr<int> p = std::move(r).value();
  REQUIRE(p);
  CHECK(*p == 7);
}

TEST_CASE("Status is success or why not", "[unit][base][result]") {
  CHECK(Status::Ok().ok());
  CHECK(Status{}.ok());
  const Status failed = Error{"cannot read /etc/x: Permission denied"};
  CHECK_FALSE(failed.ok());
  CHECK(failed.error() == "cannot read /etc/x: Permission denied");
}

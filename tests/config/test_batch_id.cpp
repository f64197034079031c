#include <catch2/catch.hpp>
#include <string>

#include "config/batch_id.h"

TEST_CASE("batch ids are what the API holds and a URL path carries safely", "[unit][config]") {
  CHECK(anchor::IsValidBatchId("3c90c3cc-0d44-4b50-8888-8dd25736052a"));
  CHECK(anchor::IsValidBatchId("A_b-9"));
  CHECK(anchor::IsValidBatchId(std::string(128, 'a')));
  CHECK_FALSE(anchor::IsValidBatchId(""));
  CHECK_FALSE(anchor::IsValidBatchId("../x"));
  CHECK_FALSE(anchor::IsValidBatchId("a%2Fb"));
  CHECK_FALSE(anchor::IsValidBatchId("a b"));
  CHECK_FALSE(anchor::IsValidBatchId("caf\xc3\xa9"));
  CHECK_FALSE(anchor::IsValidBatchId(std::string(129, 'a')));
}

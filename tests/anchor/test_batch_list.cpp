// ParseBatchListResponse (src/anchor/batch_list.cpp), called directly.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "anchor/batch_list.h"

using anchor::ParseBatchListResponse;

TEST_CASE("a list page gives its valid ids, their statuses and the pagination",
          "[unit][anchor][list]") {
  const auto page = ParseBatchListResponse(
      R"({"data": {"batches": [{"batch_id": "b1", "status": "pending"},
          {"batch_id": "b 2", "status": "pending"}, {"batch_id": "b3"}],
          "pagination": {"has_next": false, "total_pages": 3}}})");
  REQUIRE(page.ok());
  CHECK(page->batch_ids == std::vector<std::string>{"b1", "b3"});
  CHECK(page->statuses == std::vector<std::string>{"pending", ""});
  CHECK(page->dropped_ids == 1);  // "b 2" is not a valid batch id
  CHECK_FALSE(page->has_next);
  CHECK(page->total_pages == 3);

  const auto empty = ParseBatchListResponse(R"({"data": {"batches": []}})");
  REQUIRE(empty.ok());
  CHECK(empty->batch_ids.empty());
  CHECK_FALSE(empty->has_next);
}

TEST_CASE("a body that is not a list page says what is wrong with it", "[unit][anchor][list]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "body is not valid JSON (The document is empty.)"},
      {R"({"data": )", "body is not valid JSON (Invalid value.)"},
      {"<html>502 Bad Gateway</html>", "body is not valid JSON (Invalid value.)"},
      {R"({"batches": []})", R"(body has no "data" object)"},
      {R"({"data": []})", R"(body has no "data" object)"},
      {R"({"data": {}})", R"(body has no "data.batches" list)"},
      {R"({"data": {"batches": {}}})", R"(body has no "data.batches" list)"},
  };
  for (const auto& [body, reason] : cases) {
    INFO(body);
    const auto page = ParseBatchListResponse(body);
    REQUIRE_FALSE(page.ok());
    CHECK(page.error() == reason);
  }
}

// The list endpoint's parser had the same two faults as the status parser: a deeply nested body
// overflowed the stack (now refused beyond 64 levels), and stray BOM bytes were skipped.
TEST_CASE("the list parser survives deep nesting and skips only a whole BOM",
          "[unit][anchor][parser]") {
  const std::string page = R"({"data": {"batches": [{"batch_id": "a1", "status": "processing"}],
      "pagination": {"has_next": true}}})";
  const auto parsed = ParseBatchListResponse("\xEF\xBB\xBF" + page);
  REQUIRE(parsed);
  CHECK(parsed->batch_ids == std::vector<std::string>{"a1"});
  CHECK(parsed->has_next);
  CHECK(parsed->total_pages == 0);  // absent
  const auto counted = ParseBatchListResponse(
      R"({"data": {"batches": [], "pagination": {"has_next": true, "total_pages": 200}}})");
  REQUIRE(counted);
  CHECK(counted->total_pages == 200);
  for (const char* pages : {"-1", "0", "1.5", "\"7\"", "99999999999"}) {
    INFO(pages);
    const auto odd = ParseBatchListResponse(
        std::string(R"({"data": {"batches": [], "pagination": {"total_pages": )") + pages + "}}}");
    REQUIRE(odd);
    CHECK(odd->total_pages == 0);  // not a usable count: pages are followed one at a time
  }
  const auto stray_bom = ParseBatchListResponse("\xBB" + page);
  CHECK_FALSE(stray_bom);
  CHECK_FALSE(stray_bom.error().empty());

  constexpr size_t kDepth = 1'000'000;
  const std::string nested = R"({"data": {"batches": [{"batch_id": "a1", "metadata": )" +
                             std::string(kDepth, '[') + std::string(kDepth, ']') + "}]}}";
  const auto deep = ParseBatchListResponse(nested);  // refused at level 65, no crash
  REQUIRE_FALSE(deep);
  CHECK(deep.error() == "body nests deeper than 64 levels (at offset 113)");
  CHECK_FALSE(ParseBatchListResponse(std::string(kDepth, '[')));
}

// Found by fuzz/fuzz_batch_response (UBSan, on the list_page.json seed): for a list entry or a
// body that is not an object, the parser called MemberEnd() on it, which RapidJSON only allows
// on objects (an assertion in debug builds, a number's bits read as a pointer otherwise).
TEST_CASE("list entries and bodies that are not objects are dropped safely",
          "[unit][anchor][parser]") {
  const auto page = ParseBatchListResponse(
      R"({"data": {"batches": [7, "x", null, [1], {"batch_id": 12}, {"status": "pending"},
          {"batch_id": "ok-1", "status": 3}, {"batch_id": "ok-2", "status": "pending"}],
          "pagination": [true]}})");
  REQUIRE(page);
  CHECK(page->batch_ids == std::vector<std::string>{"ok-1", "ok-2"});
  CHECK(page->statuses == std::vector<std::string>{"", "pending"});
  CHECK(page->dropped_ids == 6);
  CHECK_FALSE(page->has_next);
  for (const char* body : {"[1, 2]", "7", R"({"data": 7})", R"({"data": {"batches": 7}})"}) {
    INFO(body);
    const auto not_a_page = ParseBatchListResponse(body);
    CHECK_FALSE(not_a_page);
    CHECK_FALSE(not_a_page.error().empty());
  }
}

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <vector>

#include "anchor/batch_parser.h"
#include "support/session_bodies.h"

using anchor::ParseBatchResponse;
using anchor::test::kSessionBatchCreated;
using anchor::test::TenthsBody;

namespace {

// The example response of the public API reference, verbatim.
const char* kDocumentedExample =
    R"({"data": {"batch_id": "3c90c3cc-0d44-4b50-8888-8dd25736052a", "status": "pending",
  "total_requests": 123, "completed_requests": 123, "failed_requests": 123,
  "processing_requests": 123, "pending_requests": 123,
  "created_at": "2023-11-07T05:31:56Z", "actual_completion_time": "2023-11-07T05:31:56Z",
  "error": "<string>",
  "sessions": [{"item_index": 123, "session_id": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
    "status": "pending", "cdp_url": "<string>", "live_view_url": "<string>", "error": "<string>",
    "retry_count": 123, "started_at": "2023-11-07T05:31:56Z", "completed_at": "2023-11-07T05:31:56Z",
    "metadata": {}}],
  "progress": {"percentage": 50, "current_phase": "queued"}}})";

bool HasInvalid(const anchor::Batch& b, const std::string& field) {
  return std::find(b.invalid_fields.begin(), b.invalid_fields.end(), field) !=
         b.invalid_fields.end();
}

}  // namespace

TEST_CASE("the documented example parses completely", "[unit][anchor][parser]") {
  const auto r = ParseBatchResponse(kDocumentedExample);
  REQUIRE(r.ok());
  const auto& b = *r;
  CHECK(b.batch_id == "3c90c3cc-0d44-4b50-8888-8dd25736052a");
  CHECK(b.status == "pending");
  CHECK(b.total_requests == 123);
  CHECK(b.completed_requests == 123);
  CHECK(b.failed_requests == 123);
  CHECK(b.processing_requests == 123);
  CHECK(b.pending_requests == 123);
  CHECK(b.created_at == Approx(1699335116.0));
  CHECK(b.completed_at == Approx(1699335116.0));
  CHECK(b.error == "<string>");
  CHECK(b.progress_ratio == Approx(0.5));
  CHECK(b.phase == "queued");
  REQUIRE(b.sessions);
  CHECK(b.sessions->count_by_status.at("pending") == 1);
  CHECK(b.sessions->retries == 123);
  CHECK(b.sessions->retried_sessions == 1);
  CHECK(b.invalid_fields.empty());
}

TEST_CASE("nulls and missing fields leave values unknown and not zero", "[unit][anchor][parser]") {
  const auto r = ParseBatchResponse(
      R"({"data": {"status": null, "total_requests": null, "actual_completion_time": null,
          "error": null, "progress": {"percentage": null, "current_phase": null}}})");
  REQUIRE(r.ok());
  const auto& b = *r;
  CHECK_FALSE(b.status);
  CHECK_FALSE(b.total_requests);
  CHECK_FALSE(b.completed_requests);
  CHECK_FALSE(b.completed_at);
  CHECK_FALSE(b.created_at);
  CHECK_FALSE(b.error);
  CHECK(b.error_field_valid);
  CHECK_FALSE(b.progress_ratio);
  CHECK_FALSE(b.phase);
  CHECK_FALSE(b.sessions);
  CHECK(b.invalid_fields.empty());

  const auto empty = ParseBatchResponse(R"({"data": {}})");
  REQUIRE(empty.ok());
  CHECK_FALSE(empty->error_field_valid);
}

TEST_CASE("wrong types and impossible values are dropped and named", "[unit][anchor][parser]") {
  const auto r = ParseBatchResponse(
      R"({"data": {"status": 7, "total_requests": "12", "completed_requests": -1,
          "failed_requests": 2.5, "processing_requests": 1e300, "pending_requests": 3,
          "created_at": "last tuesday", "actual_completion_time": 1699335116, "error": {"x": 1},
          "progress": {"percentage": 140, "current_phase": "has space"},
          "sessions": [{"status": "completed", "retry_count": "two"}, 5,
                       {"status": ["x"], "retry_count": 2}]}})");
  REQUIRE(r.ok());
  const auto& b = *r;
  CHECK_FALSE(b.status);
  CHECK_FALSE(b.total_requests);
  CHECK_FALSE(b.completed_requests);
  CHECK_FALSE(b.failed_requests);
  CHECK_FALSE(b.processing_requests);
  CHECK(b.pending_requests == 3);
  CHECK_FALSE(b.created_at);
  CHECK_FALSE(b.completed_at);
  CHECK_FALSE(b.error_field_valid);
  CHECK_FALSE(b.progress_ratio);
  CHECK(b.phase == "other");  // a string, but none of the documented phases
  REQUIRE(b.sessions);
  CHECK(b.sessions->count_by_status.at("completed") == 1);
  CHECK(b.sessions->retries == 2);
  CHECK(b.sessions->retried_sessions == 1);
  for (const char* field :
       {"status", "total_requests", "completed_requests", "failed_requests", "processing_requests",
        "created_at", "actual_completion_time", "error", "progress.percentage",
        "progress.current_phase", "sessions[].retry_count", "sessions[]", "sessions[].status"}) {
    INFO(field);
    CHECK(HasInvalid(b, field));
  }
  CHECK_FALSE(HasInvalid(b, "pending_requests"));
}

TEST_CASE("unknown enum values are folded into other and counted", "[unit][anchor][parser]") {
  const auto r = ParseBatchResponse(
      R"({"data": {"status": "paused", "progress": {"percentage": 0, "current_phase": "warming"},
          "sessions": [{"status": "queued_for_retry", "retry_count": 0}, {"status": "x y"},
                       {"status": "pending"}]}})");
  REQUIRE(r.ok());
  CHECK(r->status == "other");
  CHECK(r->phase == "other");
  CHECK(r->sessions->count_by_status ==
        std::map<std::string, std::int64_t>{{"other", 2}, {"pending", 1}});
  CHECK(r->sessions->retried_sessions == 0);
  CHECK(r->invalid_fields ==
        std::vector<std::string>{"status", "progress.current_phase", "sessions[].status"});
}

// 5,000 made-up session statuses in one batch were 5,015 anchorbrowser_batch_sessions series.
TEST_CASE("thousands of distinct session statuses are one other count", "[unit][anchor][parser]") {
  std::string body = R"({"data": {"status": "processing", "sessions": [)";
  for (int i = 0; i < 5000; ++i) {
    body += (i == 0 ? R"({"status": "s)" : R"(, {"status": "s)") + std::to_string(i) + R"("})";
  }
  body += R"(, {"status": "completed"}]}})";
  const auto r = anchor::ParseBatchResponseInPlace(body);
  REQUIRE(r.ok());
  CHECK(r->sessions->count_by_status ==
        std::map<std::string, std::int64_t>{{"other", 5000}, {"completed", 1}});
  CHECK(r->invalid_fields == std::vector<std::string>{"sessions[].status"});
}

TEST_CASE("wrong shapes of sessions and progress are invalid fields", "[unit][anchor][parser]") {
  const auto r = ParseBatchResponse(R"({"data": {"sessions": {"a": 1}, "progress": [50]}})");
  REQUIRE(r.ok());
  CHECK_FALSE(r->sessions);
  CHECK(HasInvalid(*r, "sessions"));
  CHECK(HasInvalid(*r, "progress"));
}

TEST_CASE("bodies that are not a batch fail as a whole with a reason", "[unit][anchor][parser]") {
  for (const char* bad :
       {"<html><body>502 Bad Gateway</body></html>", "", R"({"data": {"status": "pend)", "[1,2]",
        R"({"error": {"code": 500, "message": "boom"}})", R"({"data": "nope"})", "null"}) {
    INFO(bad);
    const auto r = ParseBatchResponse(bad);
    CHECK_FALSE(r.ok());
    CHECK_FALSE(r.error().empty());
  }
}

TEST_CASE("in-place parsing gives the same batch", "[unit][anchor][parser]") {
  std::string body = kDocumentedExample;
  const auto r = anchor::ParseBatchResponseInPlace(body);
  REQUIRE(r.ok());
  CHECK(r->status == "pending");
  CHECK(r->sessions->retries == 123);
}

TEST_CASE("API error bodies yield their message", "[unit][anchor][parser]") {
  CHECK(anchor::ParseApiErrorMessage(R"({"error": {"code": 401, "message": "Invalid API Key"}})") ==
        "Invalid API Key");
  CHECK_FALSE(anchor::ParseApiErrorMessage("<html>").has_value());
}

// Found by fuzz/fuzz_batch_response: the copying parser skipped any of the bytes EF, BB, BF at
// the start on their own (RapidJSON's UTF-8 stream wrapper), the in-place one (which the API
// client uses) none, so the two disagreed. Both now skip exactly one leading UTF-8 BOM.
TEST_CASE("one UTF-8 BOM is skipped and stray BOM bytes are not in either mode",
          "[unit][anchor][parser]") {
  const std::string batch = R"({"data": {"status": "completed"}})";
  std::string with_bom = "\xEF\xBB\xBF" + batch;
  CHECK(ParseBatchResponse(with_bom).ok());
  CHECK(anchor::ParseBatchResponseInPlace(with_bom).ok());
  CHECK(anchor::ParseApiErrorMessage("\xEF\xBB\xBF{\"error\": {\"message\": \"m\"}}") == "m");
  for (const std::string prefix :
       {"\xBB", "\xBF", "\xEF", "\xEF\xBB", "\xBB\xBF", "\xEF\xEF\xBB\xBF"}) {
    std::string body = prefix + batch;
    INFO(body);
    const auto copied = ParseBatchResponse(body);
    CHECK_FALSE(copied.ok());
    const auto in_place = anchor::ParseBatchResponseInPlace(body);
    CHECK_FALSE(in_place.ok());
    CHECK(copied.error() == in_place.error());
    CHECK_FALSE(anchor::ParseApiErrorMessage(prefix + R"({"error": {"message": "m"}})"));
  }
}

// Found by reading the parser, confirmed by fuzz/fuzz_batch_response under UBSan: each
// retry_count up to INT64_MAX was valid, and their sum overflowed (undefined behaviour).
TEST_CASE("retry counts whose sum overflows are invalid and not added", "[unit][anchor][parser]") {
  const auto r = ParseBatchResponse(R"({"data": {"sessions": [
      {"status": "failed", "retry_count": 2}, {"status": "failed", "retry_count": 9223372036854775807},
      {"status": "completed", "retry_count": 9223372036854775805}]}})");
  REQUIRE(r.ok());
  REQUIRE(r->sessions);
  CHECK(r->sessions->retries == 9223372036854775807);
  CHECK(r->sessions->retried_sessions == 2);
  CHECK(r->sessions->count_by_status.at("failed") == 2);
  CHECK(HasInvalid(*r, "sessions[].retry_count"));
}

// Found by reading the parser (Tencent/rapidjson#1027); the fuzzers' 4 KB inputs are too short
// to reach it. RapidJSON's default recursive parser overflowed the stack on a body nested
// ~200,000 levels deep, well under max_response_bytes, and the exporter crashed. Since then a
// body nested deeper than kMaxJsonDepth is refused (tests/anchor/test_batch_stream.cpp).
TEST_CASE("deeply nested bodies are rejected without a crash", "[unit][anchor][parser]") {
  constexpr size_t kDepth = 1'000'000;
  const std::string open(kDepth, '['), close(kDepth, ']');
  const std::string nested =
      R"({"data": {"status": "completed", "metadata": )" + open + close + "}}";
  const std::string unclosed = R"({"data": )" + open;
  const auto copied = ParseBatchResponse(nested);
  CHECK_FALSE(copied.ok());
  CHECK(copied.error() == "body nests deeper than 64 levels (at offset 108)");
  std::string in_place = nested;
  CHECK(anchor::ParseBatchResponseInPlace(in_place).error() == copied.error());
  CHECK_FALSE(ParseBatchResponse(unclosed).ok());
  CHECK_FALSE(anchor::ParseApiErrorMessage(R"({"error": )" + open).has_value());
}

TEST_CASE("session run and queue times are binned bucket by bucket",
          "[unit][anchor][sessions][parser]") {
  anchor::SessionBuckets buckets;
  buckets.duration = {15, 30, 60, 100};
  buckets.queue = {2, 5};
  const auto r = ParseBatchResponse(TenthsBody(), buckets);
  REQUIRE(r.ok());
  REQUIRE(r->sessions);
  const auto& s = *r->sessions;
  // Runs 10..100: <=15: 1, (15,30]: 2, (30,60]: 3, (60,100]: 4, above: 0.
  CHECK(s.duration.counts == std::vector<std::uint64_t>{1, 2, 3, 4, 0});
  CHECK(s.duration.count == 10);
  CHECK(s.duration.sum == 550);
  // Waits 1..10 and 5 (the running one): <=2: 2, (2,5]: 4, above: 5.
  CHECK(s.queue.counts == std::vector<std::uint64_t>{2, 4, 5});
  CHECK(s.queue.count == 11);
  CHECK(s.queue.sum == 60);
  CHECK(s.first_start == kSessionBatchCreated + 1);
  CHECK(s.oldest_running_start == kSessionBatchCreated + 5);
  CHECK(s.last_completion == kSessionBatchCreated + 10 + 100);
  CHECK(s.with_error == 2);  // an empty error string is no error
  CHECK(r->invalid_fields.empty());
}

TEST_CASE("offsets and fractional seconds in session timestamps",
          "[unit][anchor][sessions][parser]") {
  const auto r = ParseBatchResponse(R"({"data": {"created_at": "2026-11-28T12:00:00+02:00",
      "sessions": [{"status": "completed", "started_at": "2026-11-28T10:00:01.250Z",
                    "completed_at": "2026-11-28T05:00:03.75-05:00"},
                   {"status": "processing", "started_at": "2026-11-28T11:30:00.5+01:30"}]}})");
  REQUIRE(r.ok());
  const auto& s = *r->sessions;
  CHECK(s.duration.count == 1);
  CHECK(s.duration.sum == Approx(2.5).margin(1e-6));
  CHECK(s.queue.count == 2);
  CHECK(s.queue.sum == Approx(1.25 + 0.5).margin(1e-6));
  CHECK(*s.oldest_running_start == Approx(kSessionBatchCreated + 0.5).margin(1e-6));
  CHECK(*s.first_start == Approx(kSessionBatchCreated + 0.5).margin(1e-6));
  CHECK(*s.last_completion == Approx(kSessionBatchCreated + 3.75).margin(1e-6));
}

TEST_CASE("missing, null, garbled and impossible session times are omitted and counted",
          "[unit][anchor][sessions][parser]") {
  const auto r = ParseBatchResponse(R"({"data": {"created_at": "2026-11-28T10:00:00Z",
      "sessions": [{"status": "completed", "started_at": "2026-11-28T10:00:10Z"},
                   {"status": "completed", "started_at": null, "completed_at": null},
                   {"status": "completed", "started_at": "yesterday",
                    "completed_at": "2026-11-28T10:00:20Z"},
                   {"status": "completed", "started_at": "2026-11-28T10:00:30Z",
                    "completed_at": 1795860040},
                   {"status": "failed", "started_at": "2026-11-28T10:00:50Z",
                    "completed_at": "2026-11-28T10:00:45Z", "error": 7},
                   {"status": "processing", "started_at": "2026-11-28T09:59:00Z"}]}})");
  REQUIRE(r.ok());
  const auto& b = *r;
  const auto& s = *b.sessions;
  CHECK(HasInvalid(b, "sessions[].started_at"));    // "yesterday"; started before created_at
  CHECK(HasInvalid(b, "sessions[].completed_at"));  // a number; completed before it started
  CHECK(HasInvalid(b, "sessions[].error"));
  CHECK(s.duration.count == 0);  // no session has a usable run time
  CHECK(s.duration.sum == 0);
  CHECK(s.queue.count == 3);  // 10, 30 and 50 s; not the one started before creation
  CHECK(s.queue.sum == 90);
  CHECK(s.first_start == kSessionBatchCreated - 60);
  CHECK(s.oldest_running_start == kSessionBatchCreated - 60);
  CHECK(s.last_completion ==
        kSessionBatchCreated + 45);  // a completion time, though before its start
  CHECK(s.count_by_status.at("completed") == 4);

  // Nothing to go by: no timestamps at all.
  const auto none = ParseBatchResponse(R"({"data": {"sessions": [{"status": "pending"}]}})");
  REQUIRE(none.ok());
  CHECK_FALSE(none->sessions->first_start);
  CHECK_FALSE(none->sessions->oldest_running_start);
  CHECK_FALSE(none->sessions->last_completion);
  CHECK(none->invalid_fields.empty());
}

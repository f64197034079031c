// The status body is read as a stream (anchor/batch_stream.h): nesting is capped at
// kMaxJsonDepth, and only the fields read are kept, whatever else the body holds.
#include <catch2/catch.hpp>
#include <string>

#include "anchor/batch_list.h"
#include "anchor/batch_parser.h"
#include "anchor/json_body.h"

using anchor::kMaxJsonDepth;
using anchor::ParseBatchResponse;

namespace {

// A batch body whose `metadata` nests arrays (or objects) so that the body is `depth` deep.
std::string Nested(unsigned depth, bool objects) {
  std::string open, close;
  for (unsigned i = 2; i < depth; ++i) {  // the body and data are levels 1 and 2
    open += objects ? "{\"k\": " : "[";
    close += objects ? "}" : "]";
  }
  return R"({"data": {"status": "completed", "metadata": )" + open + "1" + close + "}}";
}

// Why a parse failed; "" when it did not.
std::string ErrorOf(const anchor::Result<anchor::Batch>& r) { return r.ok() ? "" : r.error(); }

// Both parsing modes, which must agree.
anchor::Result<anchor::Batch> Both(const std::string& body) {
  auto copied = ParseBatchResponse(body);
  std::string buffer = body;
  const auto in_place = anchor::ParseBatchResponseInPlace(buffer);
  CHECK(ErrorOf(copied) == ErrorOf(in_place));
  CHECK(copied.ok() == in_place.ok());
  return copied;
}

}  // namespace

TEST_CASE("bodies nested up to the cap parse, one level more is refused",
          "[unit][anchor][parser][depth]") {
  for (const bool objects : {false, true}) {
    INFO((objects ? "objects" : "arrays"));
    const auto at_cap = Both(Nested(kMaxJsonDepth, objects));
    REQUIRE(at_cap.ok());
    CHECK(at_cap->status == "completed");
    const auto above = Both(Nested(kMaxJsonDepth + 1, objects));
    CHECK_FALSE(above.ok());
    CHECK(above.error().rfind("body nests deeper than 64 levels (at offset ", 0) == 0);
  }
  // Nesting in the fields read counts the same: body, data, sessions, session, then `levels`.
  const auto in_status = [](unsigned levels) {
    return Both(R"({"data": {"sessions": [{"status": )" + std::string(levels, '[') +
                std::string(levels, ']') + "}]}}");
  };
  const auto at_cap = in_status(kMaxJsonDepth - 4);
  REQUIRE(at_cap.ok());
  CHECK(at_cap->invalid_fields == std::vector<std::string>{"sessions[].status"});
  CHECK(in_status(kMaxJsonDepth - 3).error().rfind("body nests deeper", 0) == 0);
}

TEST_CASE("the other JSON bodies are capped at the same depth", "[unit][anchor][parser][depth]") {
  const std::string deep(kMaxJsonDepth + 1, '[');
  const auto list = anchor::ParseBatchListResponse(R"({"data": {"batches": )" + deep);
  REQUIRE_FALSE(list.ok());
  CHECK(list.error().rfind("body nests deeper than 64 levels", 0) == 0);
  std::string ok_list = R"({"data": {"batches": [{"batch_id": "b1", "m": )";
  for (unsigned i = 4; i < kMaxJsonDepth; ++i) ok_list += "[";
  for (unsigned i = 4; i < kMaxJsonDepth; ++i) ok_list += "]";
  const auto listed = anchor::ParseBatchListResponse(ok_list + "}]}}");
  REQUIRE(listed.ok());
  CHECK(listed.value().batch_ids == std::vector<std::string>{"b1"});
  CHECK(anchor::ParseApiErrorMessage(R"({"error": {"message": "m", "x": )" + deep) == std::nullopt);
}

TEST_CASE("of repeated keys the first is read, in a session the first non-null",
          "[unit][anchor][parser]") {
  const auto r =
      Both(R"({"data": {"status": "failed", "status": "completed", "total_requests": null,
      "total_requests": 4, "sessions": [{"status": null, "status": "failed", "status": "pending"}],
      "sessions": [{"status": "completed"}], "progress": {"current_phase": "ready",
      "current_phase": "queued"}, "progress": {"current_phase": "queued"}},
      "data": {"status": "pending"}})");
  REQUIRE(r.ok());
  CHECK(r->status == "failed");
  CHECK_FALSE(r->total_requests);
  CHECK(r->phase == "ready");
  CHECK(r->sessions->count_by_status == std::map<std::string, std::int64_t>{{"failed", 1}});
  const auto no_data = Both(R"({"data": null, "data": {"status": "pending"}})");
  CHECK(no_data.error() == "body has no \"data\" object");
  CHECK(Both("[{\"data\": {}}]").error() == "body is not a JSON object");
}

TEST_CASE("queue waits are known when created_at comes after the sessions",
          "[unit][anchor][parser]") {
  const auto r = Both(R"({"data": {"sessions": [
      {"status": "completed", "started_at": "2026-11-28T10:00:10Z"},
      {"status": "completed", "started_at": "2026-11-28T09:59:00Z"}],
      "created_at": "2026-11-28T10:00:00Z"}})");
  REQUIRE(r.ok());
  CHECK(r->sessions->queue.count == 1);
  CHECK(r->sessions->queue.sum == 10);
  CHECK(r->invalid_fields == std::vector<std::string>{"sessions[].started_at"});
}

TEST_CASE("long and escaped session strings are read in both modes", "[unit][anchor][parser]") {
  // Longer than the session's 1 KiB buffer: the copying mode allocates, then frees, per session.
  const std::string long_error(5000, 'e');
  std::string body = R"({"data": {"sessions": [)";
  for (int i = 0; i < 100; ++i) {
    body += (i == 0 ? "" : ",") + std::string(R"({"error": ")") + long_error +
            R"(", "status": "fail\u0065d", "metadata": {"error": 1}})";
  }
  const auto r = Both(body + "]}}");
  REQUIRE(r.ok());
  CHECK(r->sessions->with_error == 100);
  CHECK(r->sessions->count_by_status == std::map<std::string, std::int64_t>{{"failed", 100}});
  CHECK(r->invalid_fields.empty());
}

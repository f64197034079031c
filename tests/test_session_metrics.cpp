// Session run and queue times, lifecycle timestamps and errors from sessions[]: parsed from
// known timestamps, exported as gauge histograms, selected by sessions.histograms.
#include <catch2/catch.hpp>
#include <string>

#include "anchor/batch_parser.h"
#include "anchor/timestamp.h"
#include "support/exporter_harness.h"
#include "support/exposition.h"
#include "support/fake_anchor_api.h"

using anchor::ParseBatchResponse;
using anchor::test::FindSample;

namespace {

bool HasInvalid(const anchor::Batch& b, const std::string& field) {
  return std::find(b.invalid_fields.begin(), b.invalid_fields.end(), field) !=
         b.invalid_fields.end();
}

constexpr double kCreated = 1795860000;  // 2026-11-28T10:00:00Z

// A session started `start` s after the batch's creation that ran `run` s (or still runs when
// run < 0), as the API writes one.
std::string Session(const std::string& status, double start, double run,
                    const std::string& error = "null") {
  std::string s = R"({"status": ")" + status + R"(", "retry_count": 0, "started_at": ")" +
                  anchor::FormatRfc3339(kCreated + start) + R"(", "completed_at": )";
  s += run < 0 ? "null" : "\"" + anchor::FormatRfc3339(kCreated + start + run) + "\"";
  return s + R"(, "error": )" + error + "}";
}

std::string Body(const std::string& status, const std::string& sessions) {
  return R"({"data": {"status": ")" + status +
         R"(", "created_at": "2026-11-28T10:00:00Z", "sessions": [)" + sessions + "]}}";
}

// Sessions that ran 10, 20, ..., 100 s after waiting 1, 2, ..., 10 s; one still running since
// 5 s after creation, one pending.
std::string TenthsBody(const std::string& status = "processing") {
  std::string sessions;
  for (int i = 1; i <= 10; ++i) {
    sessions += Session(i % 4 == 0 ? "failed" : "completed", i, 10.0 * i,
                        i % 4 == 0 ? R"("navigation timeout")" : "null") +
                ",";
  }
  sessions += Session("processing", 5, -1) + ",";
  sessions += R"({"status": "pending", "retry_count": 0, "started_at": null, "completed_at": null,
                 "error": ""})";
  return Body(status, sessions);
}

}  // namespace

TEST_CASE("session run and queue times are binned bucket by bucket", "[sessions][parser]") {
  anchor::SessionBuckets buckets;
  buckets.duration = {15, 30, 60, 100};
  buckets.queue = {2, 5};
  const auto r = ParseBatchResponse(TenthsBody(), buckets);
  REQUIRE(r.batch);
  REQUIRE(r.batch->sessions);
  const auto& s = *r.batch->sessions;
  // Runs 10..100: <=15: 1, (15,30]: 2, (30,60]: 3, (60,100]: 4, above: 0.
  CHECK(s.duration.counts == std::vector<std::uint64_t>{1, 2, 3, 4, 0});
  CHECK(s.duration.count == 10);
  CHECK(s.duration.sum == 550);
  // Waits 1..10 and 5 (the running one): <=2: 2, (2,5]: 4, above: 5.
  CHECK(s.queue.counts == std::vector<std::uint64_t>{2, 4, 5});
  CHECK(s.queue.count == 11);
  CHECK(s.queue.sum == 60);
  CHECK(s.first_start == kCreated + 1);
  CHECK(s.oldest_running_start == kCreated + 5);
  CHECK(s.last_completion == kCreated + 10 + 100);
  CHECK(s.with_error == 2);  // an empty error string is no error
  CHECK(r.batch->invalid_fields.empty());
}

TEST_CASE("offsets and fractional seconds in session timestamps", "[sessions][parser]") {
  const auto r = ParseBatchResponse(R"({"data": {"created_at": "2026-11-28T12:00:00+02:00",
      "sessions": [{"status": "completed", "started_at": "2026-11-28T10:00:01.250Z",
                    "completed_at": "2026-11-28T05:00:03.75-05:00"},
                   {"status": "processing", "started_at": "2026-11-28T11:30:00.5+01:30"}]}})");
  REQUIRE(r.batch);
  const auto& s = *r.batch->sessions;
  CHECK(s.duration.count == 1);
  CHECK(s.duration.sum == Approx(2.5).margin(1e-6));
  CHECK(s.queue.count == 2);
  CHECK(s.queue.sum == Approx(1.25 + 0.5).margin(1e-6));
  CHECK(*s.oldest_running_start == Approx(kCreated + 0.5).margin(1e-6));
  CHECK(*s.first_start == Approx(kCreated + 0.5).margin(1e-6));
  CHECK(*s.last_completion == Approx(kCreated + 3.75).margin(1e-6));
}

TEST_CASE("missing, null, garbled and impossible session times are omitted and counted",
          "[sessions][parser]") {
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
  REQUIRE(r.batch);
  const auto& b = *r.batch;
  const auto& s = *b.sessions;
  CHECK(HasInvalid(b, "sessions[].started_at"));    // "yesterday"; started before created_at
  CHECK(HasInvalid(b, "sessions[].completed_at"));  // a number; completed before it started
  CHECK(HasInvalid(b, "sessions[].error"));
  CHECK(s.duration.count == 0);  // no session has a usable run time
  CHECK(s.duration.sum == 0);
  CHECK(s.queue.count == 3);  // 10, 30 and 50 s; not the one started before creation
  CHECK(s.queue.sum == 90);
  CHECK(s.first_start == kCreated - 60);
  CHECK(s.oldest_running_start == kCreated - 60);
  CHECK(s.last_completion == kCreated + 45);  // a completion time, though before its start
  CHECK(s.count_by_status.at("completed") == 4);

  // Nothing to go by: no timestamps at all.
  const auto none = ParseBatchResponse(R"({"data": {"sessions": [{"status": "pending"}]}})");
  REQUIRE(none.batch);
  CHECK_FALSE(none.batch->sessions->first_start);
  CHECK_FALSE(none.batch->sessions->oldest_running_start);
  CHECK_FALSE(none.batch->sessions->last_completion);
  CHECK(none.batch->invalid_fields.empty());
}

TEST_CASE("the session families carry known values from the fake API", "[sessions][metrics]") {
  anchor::FakeAnchorApi api;
  REQUIRE(api.Start());
  api.SetBatchJson("tenths", TenthsBody());
  api.SetBatchJson("done", TenthsBody("completed"));
  api.SetBatchJson(
      "skewed",
      Body("processing", Session("completed", 10, 5) + "," +
                             R"({"status": "completed", "started_at": "2026-11-28T10:00:20Z",
                                              "completed_at": "2026-11-28T10:00:19Z"})"));
  auto config = anchor::test::TestConfig(api.base_url(), anchor::FakeAnchorApi::Options{}.api_key);
  for (const char* id : {"tenths", "done", "skewed"})
    config.batches.push_back({id, {{"team", "a"}}});
  anchor::test::ExporterHarness exporter(config);
  const auto s = anchor::test::ParseExposition(exporter.Scrape());
  const auto labels = [](const char* id, std::map<std::string, std::string> more = {}) {
    more["batch_id"] = id;
    more["team"] = "a";
    return more;
  };
  const std::string d = "anchorbrowser_batch_session_duration_seconds";
  // Default buckets 1, 2.5, 5, 10, 30, 60, 120, ...: cumulative, +Inf equal to the count.
  const std::vector<std::pair<const char*, double>> expected = {
      {"1.0", 0},  {"2.5", 0},    {"5.0", 0},    {"10.0", 1},    {"30.0", 3},
      {"60.0", 6}, {"120.0", 10}, {"300.0", 10}, {"3600.0", 10}, {"+Inf", 10}};
  for (const auto& [le, count] : expected) {
    INFO(le);
    CHECK(FindSample(s, d + "_bucket", labels("tenths", {{"le", le}})) == count);
  }
  CHECK(FindSample(s, d + "_gcount", labels("tenths")) == 10);
  CHECK(FindSample(s, d + "_gsum", labels("tenths")) == 550);
  const std::string q = "anchorbrowser_batch_session_queue_seconds";
  CHECK(FindSample(s, q + "_bucket", labels("tenths", {{"le", "5.0"}})) == 6);
  CHECK(FindSample(s, q + "_bucket", labels("tenths", {{"le", "+Inf"}})) == 11);
  CHECK(FindSample(s, q + "_gcount", labels("tenths")) == 11);
  CHECK(FindSample(s, q + "_gsum", labels("tenths")) == 60);
  CHECK(FindSample(s, "anchorbrowser_batch_session_oldest_running_start_timestamp_seconds",
                   labels("tenths")) == kCreated + 5);
  CHECK(FindSample(s, "anchorbrowser_batch_session_first_start_timestamp_seconds",
                   labels("tenths")) == kCreated + 1);
  CHECK(FindSample(s, "anchorbrowser_batch_session_last_completion_timestamp_seconds",
                   labels("tenths")) == kCreated + 110);
  CHECK(FindSample(s, "anchorbrowser_batch_sessions_with_error", labels("tenths")) == 2);
  CHECK(FindSample(s, "anchorbrowser_exporter_invalid_fields_total",
                   {{"field", "sessions[].completed_at"}}) == 1);  // "skewed"
  CHECK(FindSample(s, d + "_gcount", labels("skewed")) == 1);

  // histograms: active (the default) leaves out finished batches; the gauges stay.
  CHECK_FALSE(FindSample(s, d + "_gcount", labels("done")));
  CHECK_FALSE(FindSample(s, d + "_bucket", labels("done", {{"le", "+Inf"}})));
  CHECK(FindSample(s, "anchorbrowser_batch_sessions_with_error", labels("done")) == 2);
}

TEST_CASE("sessions.histograms selects the batches with histograms", "[sessions][metrics]") {
  anchor::FakeAnchorApi api;
  REQUIRE(api.Start());
  api.SetBatchJson("running", TenthsBody());
  api.SetBatchJson("done", TenthsBody("completed"));
  auto config = anchor::test::TestConfig(api.base_url(), anchor::FakeAnchorApi::Options{}.api_key);
  config.batches = {{"running", {}}, {"done", {}}};
  const std::string count = "anchorbrowser_batch_session_queue_seconds_gcount";
  SECTION("all") {
    config.sessions.histograms = anchor::SessionHistograms::kAll;
    anchor::test::ExporterHarness exporter(config);
    const auto s = anchor::test::ParseExposition(exporter.Scrape());
    CHECK(FindSample(s, count, {{"batch_id", "running"}}) == 11);
    CHECK(FindSample(s, count, {{"batch_id", "done"}}) == 11);
  }
  SECTION("off") {
    config.sessions.histograms = anchor::SessionHistograms::kOff;
    anchor::test::ExporterHarness exporter(config);
    const auto text = exporter.Scrape();
    CHECK(text.find("_bucket") == std::string::npos);
    CHECK(
        text.find("anchorbrowser_batch_session_first_start_timestamp_seconds{batch_id=\"done\"}") !=
        std::string::npos);
  }
  SECTION("custom buckets") {
    config.sessions.buckets.duration = {50, 0.5e6};
    anchor::test::ExporterHarness exporter(config);
    const auto s = anchor::test::ParseExposition(exporter.Scrape());
    const std::string b = "anchorbrowser_batch_session_duration_seconds_bucket";
    CHECK(FindSample(s, b, {{"batch_id", "running"}, {"le", "50.0"}}) == 5);
    CHECK(FindSample(s, b, {{"batch_id", "running"}, {"le", "500000.0"}}) == 10);
    CHECK(FindSample(s, b, {{"batch_id", "running"}, {"le", "+Inf"}}) == 10);
  }
}

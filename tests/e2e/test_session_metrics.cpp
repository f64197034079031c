// Session run and queue times, lifecycle timestamps and errors from sessions[], end to end:
// exported as gauge histograms, selected by sessions.histograms (the parsing itself is tested in
// anchor/test_batch_parser.cpp).
#include <catch2/catch.hpp>
#include <string>

#include "support/exporter_harness.h"
#include "support/exposition.h"
#include "support/fake_anchor_api.h"
#include "support/session_bodies.h"

using anchor::test::FindSample;
using anchor::test::kSessionBatchCreated;
using anchor::test::SessionBatchBody;
using anchor::test::SessionJson;
using anchor::test::TenthsBody;

TEST_CASE("the session families carry known values from the fake API", "[sessions][metrics][e2e]") {
  anchor::FakeAnchorApi api;
  REQUIRE(api.Start());
  api.SetBatchJson("tenths", TenthsBody());
  api.SetBatchJson("done", TenthsBody("completed"));
  api.SetBatchJson(
      "skewed",
      SessionBatchBody("processing",
                       SessionJson("completed", 10, 5) + "," +
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
                   labels("tenths")) == kSessionBatchCreated + 5);
  CHECK(FindSample(s, "anchorbrowser_batch_session_first_start_timestamp_seconds",
                   labels("tenths")) == kSessionBatchCreated + 1);
  CHECK(FindSample(s, "anchorbrowser_batch_session_last_completion_timestamp_seconds",
                   labels("tenths")) == kSessionBatchCreated + 110);
  CHECK(FindSample(s, "anchorbrowser_batch_sessions_with_error", labels("tenths")) == 2);
  CHECK(FindSample(s, "anchorbrowser_exporter_invalid_fields_total",
                   {{"field", "sessions[].completed_at"}}) == 1);  // "skewed"
  CHECK(FindSample(s, d + "_gcount", labels("skewed")) == 1);

  // histograms: active (the default) leaves out finished batches; the gauges stay.
  CHECK_FALSE(FindSample(s, d + "_gcount", labels("done")));
  CHECK_FALSE(FindSample(s, d + "_bucket", labels("done", {{"le", "+Inf"}})));
  CHECK(FindSample(s, "anchorbrowser_batch_sessions_with_error", labels("done")) == 2);
}

TEST_CASE("sessions.histograms selects the batches with histograms", "[sessions][metrics][e2e]") {
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

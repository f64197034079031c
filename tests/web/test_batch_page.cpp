// The batch page (src/web/batch_page*.cpp) rendered directly, and what the collector hands it.
#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <chrono>

#include "collect/batch_collector.h"
#include "collect/self_metrics.h"
#include "log/logger.h"
#include "support/fake_batch_source.h"
#include "support/manual_clock.h"
#include "web/batch_page.h"
#include "web/collector_pages.h"

using anchor::BatchPageInfo;
using anchor::BatchPageSessions;

namespace {

bool Has(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

const char* const kScript = "<script>alert(1)</script>";
const char* const kImg = "\"><img src=x onerror=alert(2)>";

double UnixNow(anchor::WallTime now) {
  return std::chrono::duration<double>(now.time_since_epoch()).count();
}

BatchPageInfo HostilePage() {
  BatchPageInfo info;
  info.id = "b1";
  info.fetched = true;
  info.up = true;
  // Whole seconds, so that the ages below are exact.
  info.now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  info.last_fetch = info.now - std::chrono::seconds(5);
  info.status = "processing";
  info.phase = "ready";
  info.progress_ratio = 0.5;
  info.total_requests = 100;
  info.error = kImg;
  BatchPageSessions s;
  s.count_by_status = {{"processing", 3}, {"failed", 2}};
  s.with_error = 2;
  s.errors_by_class = {{"timeout", 1}, {"other", 1}};
  s.run_time = {{1, 10}, {1, 1, 0}, 2};
  s.queue = {{1, 10}, {0, 0, 2}, 2};
  s.top_errors = {{kScript, 7}, {kImg, 3}};
  const double now = UnixNow(info.now);
  s.longest_running = {{"sess/1 ä", now - 7200}, {kImg, now - 60}};
  s.most_retried = {{"r-1", 5}};
  info.sessions = s;
  return info;
}

}  // namespace

TEST_CASE("the batch page escapes every text from the API", "[unit][web][batch_page]") {
  const auto html = anchor::RenderBatchPageHtml(HostilePage());
  CHECK_FALSE(Has(html, kScript));
  CHECK_FALSE(Has(html, "<img"));
  CHECK(Has(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  CHECK(Has(html, "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"));
  for (const char* table : {"error-classes", "top-errors", "longest-running", "most-retried"}) {
    INFO(table);
    CHECK(Has(html, std::string("<table id=\"") + table + "\">"));
  }
  CHECK(Has(html, "<td>timeout</td><td>1</td>"));
  CHECK(Has(html, "2 h ago"));
  CHECK(Has(html, "1 min ago") == false);  // 60 s is "60 s ago"
  CHECK(Has(html, "60 s ago"));
  // p50 of run time: rank 1 of 2, in (0, 1]; p99 above 10 s (the +Inf bucket of queue).
  CHECK(Has(html, "1 s <span class=\"bucket\">(bucket &le; 1 s)</span>"));
  CHECK(Has(html, "&gt; 10 s"));
}

TEST_CASE("session ids link through sessions.link_template, URL-encoded",
          "[unit][web][batch_page]") {
  CHECK(anchor::SessionLink("", "abc").empty());
  CHECK(anchor::SessionLink("https://x.test/s/{session_id}?again={session_id}", "a b/ä\"") ==
        "https://x.test/s/a%20b%2F%C3%A4%22?again=a%20b%2F%C3%A4%22");
  auto info = HostilePage();
  auto html = anchor::RenderBatchPageHtml(info);
  CHECK_FALSE(Has(html, "href=\"https://"));  // no template: ids are text
  info.link_template = "https://app.example.com/sessions/{session_id}";
  html = anchor::RenderBatchPageHtml(info);
  CHECK(Has(html, "<a href=\"https://app.example.com/sessions/sess%2F1%20%C3%A4\""));
  CHECK(Has(html, "<a href=\"https://app.example.com/sessions/r-1\""));
  CHECK(Has(html, "%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert%282%29%3E"));
  CHECK_FALSE(Has(html, "<img"));
}

TEST_CASE("the batch page as JSON holds the same data", "[unit][web][batch_page]") {
  auto info = HostilePage();
  info.link_template = "https://app.example.com/sessions/{session_id}";
  const auto json = anchor::RenderBatchPageJson(info);
  rapidjson::Document doc;
  REQUIRE_FALSE(doc.Parse(json.c_str()).HasParseError());
  CHECK(std::string(doc["batch_id"].GetString()) == "b1");
  CHECK(std::string(doc["state"].GetString()) == "up");
  CHECK(doc["total_requests"].GetInt64() == 100);
  CHECK(doc["processing_requests"].IsNull());
  const auto& s = doc["sessions"];
  CHECK(s["by_status"]["failed"].GetInt64() == 2);
  CHECK(s["run_time"]["p50"]["seconds"].GetDouble() == Approx(1));
  CHECK(s["queue_wait"]["p99"]["above"].GetDouble() == 10);
  CHECK(std::string(s["errors_by_class"][1]["class"].GetString()) == "other");
  CHECK(std::string(s["top_errors"][0]["message"].GetString()) == kScript);
  CHECK(s["top_errors"][0]["sessions"].GetInt64() == 7);
  CHECK(std::string(s["longest_running"][0]["link"].GetString()) ==
        "https://app.example.com/sessions/sess%2F1%20%C3%A4");
  CHECK(s["longest_running"][0]["age_seconds"].GetDouble() == Approx(7200).margin(1));
  CHECK(s["most_retried"][0]["retries"].GetInt64() == 5);
}

TEST_CASE("a batch not fetched yet, and one that is down, say so", "[unit][web][batch_page]") {
  BatchPageInfo info;
  info.id = "b2";
  CHECK(Has(anchor::RenderBatchPageHtml(info), "not fetched yet"));
  info.fetched = true;
  info.down_reason = "server_error";
  info.down_detail = "HTTP 500: <html>";
  info.http_status = 500;
  const auto html = anchor::RenderBatchPageHtml(info);
  CHECK(Has(html, "<span class=\"reason\">server_error</span> (HTTP 500)"));
  CHECK(Has(html, "HTTP 500: &lt;html&gt;"));
  rapidjson::Document doc;
  REQUIRE_FALSE(doc.Parse(anchor::RenderBatchPageJson(info).c_str()).HasParseError());
  CHECK(std::string(doc["reason"].GetString()) == "server_error");
  CHECK_FALSE(doc.HasMember("sessions"));
}

TEST_CASE("the collector's batch page masks the key in every text from the API",
          "[unit][web][batch_page]") {
  const std::string key = "sk-page-key-0123456789";
  anchor::Config config;
  config.anchor.api_key = anchor::Secret(key);
  config.batches = {{"b1", {}}, {"b2", {}}};
  config.sessions.link_template = "https://x.test/{session_id}";
  anchor::test::FakeBatchSource source;
  anchor::FetchResult r;
  r.http_status = 200;
  r.batch.emplace();
  r.batch->status = "processing";
  r.batch->error = "batch failed with key " + key;
  r.batch->sessions.emplace();
  r.batch->sessions->detail.top_errors = {{"bad key " + key + " sent", 2}};
  r.batch->sessions->detail.longest_running = {{"id-" + key, 1}};
  r.batch->sessions->detail.most_retried = {{"r-" + key, 3}};
  source.SetResult("b1", r);
  source.SetBatch("b2", "processing");
  anchor::SelfMetrics metrics;
  anchor::test::ManualClock clock;
  anchor::BatchCollector collector(config, source, metrics, anchor::NullLogger(), clock);
  CHECK_FALSE(anchor::CollectorBatchPage(collector, "nope"));
  const auto before = anchor::CollectorBatchPage(collector, "b1");
  REQUIRE(before);
  CHECK_FALSE(before->fetched);
  collector.Collect(std::chrono::steady_clock::now() + std::chrono::seconds(5));
  const auto page = anchor::CollectorBatchPage(collector, "b1");
  REQUIRE(page);
  REQUIRE(page->sessions);
  CHECK(page->link_template == "https://x.test/{session_id}");
  for (const auto& text :
       {anchor::RenderBatchPageHtml(*page), anchor::RenderBatchPageJson(*page)}) {
    CHECK_FALSE(Has(text, key));
    CHECK((Has(text, "bad key &lt;redacted&gt; sent") || Has(text, "bad key <redacted> sent")));
  }
}

#include "version.h"
// Every metric of the table in docs/metrics.md, checked by value against a fake API served over
// real HTTP and HTTPS on loopback.
#include <catch2/catch.hpp>
#include <chrono>

#include "anchor/api_client.h"
#include "support/exporter_harness.h"
#include "support/exposition.h"
#include "support/fake_anchor_api.h"
#include "support/test_tls.h"

using anchor::FakeAnchorApi;
using anchor::test::BatchJson;
using anchor::test::ExporterHarness;
using anchor::test::FindSample;
using anchor::test::ParseExposition;
using Labels = std::map<std::string, std::string>;

namespace {

const char* kKey = "test-key-0123456789abcdef";

// Checks every batch series of `id` against what BatchJson(id, status, 50) holds: sessions
// cycle completed/failed/processing/pending (13/13/12/12 of 50) and retry i % 3.
void CheckFiftySessionBatch(const std::vector<anchor::test::Sample>& s, const std::string& id,
                            const std::string& status, const Labels& extra) {
  Labels base = extra;
  base["batch_id"] = id;
  auto with = [&](const std::string& k, const std::string& v) {
    Labels l = base;
    l[k] = v;
    return l;
  };
  CHECK(FindSample(s, "anchorbrowser_batch_up", base) == 1.0);
  CHECK(FindSample(s, "anchorbrowser_batch_total_requests", base) == 50.0);
  CHECK(FindSample(s, "anchorbrowser_batch_requests", with("state", "completed")) == 13.0);
  CHECK(FindSample(s, "anchorbrowser_batch_requests", with("state", "failed")) == 13.0);
  CHECK(FindSample(s, "anchorbrowser_batch_requests", with("state", "processing")) == 12.0);
  CHECK(FindSample(s, "anchorbrowser_batch_requests", with("state", "pending")) == 12.0);
  CHECK(FindSample(s, "anchorbrowser_batch_progress_ratio", base) == Approx(0.425));
  for (const char* st : {"pending", "processing", "completed", "failed", "cancelled"}) {
    INFO(st);
    CHECK(FindSample(s, "anchorbrowser_batch_status", with("status", st)) ==
          (st == status ? 1.0 : 0.0));
  }
  for (const char* ph : {"queued", "provisioning", "configuring", "ready"}) {
    CHECK(FindSample(s, "anchorbrowser_batch_phase", with("phase", ph)) ==
          (std::string(ph) == "ready" ? 1.0 : 0.0));
  }
  CHECK(FindSample(s, "anchorbrowser_batch_sessions", with("status", "completed")) == 13.0);
  CHECK(FindSample(s, "anchorbrowser_batch_sessions", with("status", "failed")) == 13.0);
  CHECK(FindSample(s, "anchorbrowser_batch_sessions", with("status", "processing")) == 12.0);
  CHECK(FindSample(s, "anchorbrowser_batch_sessions", with("status", "pending")) == 12.0);
  CHECK(FindSample(s, "anchorbrowser_batch_sessions", with("status", "cancelled")) == 0.0);
  // retry_count i % 3 over 50 sessions: 17 zeros, 17 ones, 16 twos.
  CHECK(FindSample(s, "anchorbrowser_batch_session_retries", base) == 49.0);
  CHECK(FindSample(s, "anchorbrowser_batch_retried_sessions", base) == 33.0);
  CHECK(FindSample(s, "anchorbrowser_batch_error", base) == 0.0);
  CHECK(FindSample(s, "anchorbrowser_batch_created_timestamp_seconds", base) ==
        Approx(1795860000.0));
  CHECK_FALSE(FindSample(s, "anchorbrowser_batch_completion_timestamp_seconds", base));
  const auto duration = FindSample(s, "anchorbrowser_batch_fetch_duration_seconds", base);
  REQUIRE(duration);
  CHECK(*duration > 0.0);
  CHECK(*duration < 30.0);
}

void RunThreeBatchScrape(FakeAnchorApi& api, anchor::Config config) {
  api.SetBatchJson("batch-a", BatchJson("batch-a", "processing", 50));
  api.SetBatchJson("batch-b", BatchJson("batch-b", "pending", 50));
  api.SetBatchJson("batch-c", BatchJson("batch-c", "failed", 50));
  config.batches = {{"batch-a", {{"team", "growth"}}}, {"batch-b", {}}, {"batch-c", {}}};
  ExporterHarness exporter(config);
  const auto samples = ParseExposition(exporter.Scrape());
  CheckFiftySessionBatch(samples, "batch-a", "processing", {{"team", "growth"}});
  CheckFiftySessionBatch(samples, "batch-b", "pending", {});
  CheckFiftySessionBatch(samples, "batch-c", "failed", {});
  CHECK(FindSample(samples, "anchorbrowser_exporter_api_requests_total", {{"code", "200"}}) == 3.0);
  CHECK(FindSample(samples, "anchorbrowser_exporter_build_info",
                   {{"version", anchor::kVersion}, {"revision", anchor::kRevision}}) == 1.0);
  const auto scrape = FindSample(samples, "anchorbrowser_exporter_scrape_duration_seconds", {});
  REQUIRE(scrape);
  CHECK(*scrape > 0.0);
  // No X-Prometheus-Scrape-Timeout-Seconds: the scrape may take --web.max-scrape-timeout (30 s).
  const auto allowed = FindSample(samples, "anchorbrowser_exporter_scrape_deadline_seconds", {});
  REQUIRE(allowed);
  CHECK(*allowed == Approx(30.0).margin(0.5));
  CHECK(*allowed > *scrape);
  CHECK(api.RequestCount("batch-a") == 1);
}

}  // namespace

TEST_CASE("three batches over HTTP: every metric matches its response", "[e2e]") {
  FakeAnchorApi api(FakeAnchorApi::Options{kKey, "", "", 16});
  REQUIRE(api.Start());
  RunThreeBatchScrape(api, anchor::test::TestConfig(api.base_url(), kKey));
}

TEST_CASE("the scrape deadline gauge is Prometheus' timeout less the offset", "[e2e]") {
  FakeAnchorApi api(FakeAnchorApi::Options{kKey, "", "", 16});
  REQUIRE(api.Start());
  api.SetBatchJson("batch-a", BatchJson("batch-a", "processing", 4));
  auto config = anchor::test::TestConfig(api.base_url(), kKey);
  config.batches = {{"batch-a", {}}};
  ExporterHarness exporter(config);
  int status = 0;
  // 12 s announced, 0.5 s offset (the default): 11.5 s allowed, less the few ms already spent
  // before the collection started.
  const auto samples = ParseExposition(exporter.Get("/metrics", &status, "12"));
  REQUIRE(status == 200);
  const auto allowed = FindSample(samples, "anchorbrowser_exporter_scrape_deadline_seconds", {});
  REQUIRE(allowed);
  CHECK(*allowed == Approx(11.5).margin(0.25));
  CHECK(*allowed <= 11.5);
}

TEST_CASE("three batches over HTTPS verified through tls.ca_file", "[e2e][tls]") {
  const auto cert = anchor::test::MakeSelfSignedCertificate();
  FakeAnchorApi api(FakeAnchorApi::Options{kKey, cert.cert_file, cert.key_file, 16});
  REQUIRE(api.Start());
  REQUIRE(api.base_url().rfind("https://", 0) == 0);
  auto config = anchor::test::TestConfig(api.base_url(), kKey);
  config.anchor.tls.ca_file = cert.cert_file;
  RunThreeBatchScrape(api, config);
}

TEST_CASE("HTTPS with an untrusted certificate is a tls failure", "[e2e][tls]") {
  const auto cert = anchor::test::MakeSelfSignedCertificate();
  FakeAnchorApi api(FakeAnchorApi::Options{kKey, cert.cert_file, cert.key_file, 16});
  REQUIRE(api.Start());
  api.SetBatchJson("b", BatchJson("b", "processing", 5));
  auto config = anchor::test::TestConfig(api.base_url(), kKey);
  config.batches = {{"b", {}}};
  ExporterHarness exporter(config);  // system trust store: does not know the test CA
  const auto samples = ParseExposition(exporter.Scrape());
  CHECK(FindSample(samples, "anchorbrowser_batch_up", {{"batch_id", "b"}}) == 0.0);
  CHECK(FindSample(samples, "anchorbrowser_exporter_fetch_errors_total", {{"reason", "tls"}}) ==
        1.0);

  SECTION("insecure_skip_verify accepts it") {
    config.anchor.tls.insecure_skip_verify = true;
    ExporterHarness insecure(config);
    CHECK(FindSample(ParseExposition(insecure.Scrape()), "anchorbrowser_batch_up",
                     {{"batch_id", "b"}}) == 1.0);
  }
}

TEST_CASE("HTTPS with a certificate for another host is a tls failure", "[e2e][tls]") {
  const auto cert = anchor::test::MakeSelfSignedCertificate("DNS:wrong.example");
  FakeAnchorApi api(FakeAnchorApi::Options{kKey, cert.cert_file, cert.key_file, 16});
  REQUIRE(api.Start());
  api.SetBatchJson("b", BatchJson("b", "processing", 5));
  auto config = anchor::test::TestConfig(api.base_url(), kKey);
  config.anchor.tls.ca_file = cert.cert_file;
  config.batches = {{"b", {}}};
  ExporterHarness exporter(config);
  const auto samples = ParseExposition(exporter.Scrape());
  CHECK(FindSample(samples, "anchorbrowser_batch_up", {{"batch_id", "b"}}) == 0.0);
  CHECK(FindSample(samples, "anchorbrowser_exporter_fetch_errors_total", {{"reason", "tls"}}) ==
        1.0);
}

TEST_CASE("batches are fetched in parallel up to max_concurrency", "[e2e][concurrency]") {
  FakeAnchorApi api(FakeAnchorApi::Options{kKey, "", "", 32});
  REQUIRE(api.Start());
  auto config = anchor::test::TestConfig(api.base_url(), kKey);
  config.anchor.max_concurrency = 10;
  for (int i = 0; i < 10; ++i) {
    const std::string id = "slow-" + std::to_string(i);
    FakeAnchorApi::Answer answer;
    answer.body = BatchJson(id, "processing", 3);
    answer.delay = std::chrono::milliseconds(200);
    api.SetAnswer(id, answer);
    config.batches.push_back({id, {}});
  }
  ExporterHarness exporter(config);
  const auto samples = ParseExposition(exporter.Scrape());
  for (int i = 0; i < 10; ++i) {
    CHECK(FindSample(samples, "anchorbrowser_batch_up",
                     {{"batch_id", "slow-" + std::to_string(i)}}) == 1.0);
  }
  // All ten were held by the fake API at the same time: the scrape took one latency, not ten.
  CHECK(api.PeakConcurrentRequests() == 10);

  SECTION("and never more than max_concurrency") {
    auto narrow = config;
    narrow.anchor.max_concurrency = 3;
    FakeAnchorApi api2(FakeAnchorApi::Options{kKey, "", "", 32});
    REQUIRE(api2.Start());
    narrow.anchor.base_url = api2.base_url();
    for (const auto& b : narrow.batches) {
      FakeAnchorApi::Answer answer;
      answer.body = BatchJson(b.id, "processing", 3);
      answer.delay = std::chrono::milliseconds(50);
      api2.SetAnswer(b.id, answer);
    }
    ExporterHarness exporter2(narrow);
    exporter2.Scrape();
    CHECK(api2.PeakConcurrentRequests() == 3);
    CHECK(api2.TotalRequests() == 10);
  }
}

TEST_CASE("kept-alive connections are reused between scrapes", "[e2e][keepalive]") {
  const auto cert = anchor::test::MakeSelfSignedCertificate();
  FakeAnchorApi api(FakeAnchorApi::Options{kKey, cert.cert_file, cert.key_file, 16});
  REQUIRE(api.Start());
  auto config = anchor::test::TestConfig(api.base_url(), kKey);
  config.anchor.tls.ca_file = cert.cert_file;
  config.anchor.max_concurrency = 1;
  for (const char* id : {"k1", "k2", "k3"}) {
    api.SetBatchJson(id, BatchJson(id, "processing", 2));
    config.batches.push_back({id, {}});
  }
  anchor::SelfMetrics metrics;
  anchor::ApiClient client(config.anchor);
  anchor::BatchCollector collector(config, client, metrics, anchor::NullLogger());
  for (int i = 0; i < 3; ++i) {
    collector.Collect(std::chrono::steady_clock::now() + std::chrono::seconds(10));
  }
  CHECK(api.TotalRequests() == 9);
  CHECK(client.connections_opened() == 1);
}

TEST_CASE("absent fields omit their series instead of exporting 0", "[e2e]") {
  FakeAnchorApi api(FakeAnchorApi::Options{kKey, "", "", 8});
  REQUIRE(api.Start());
  api.SetBatchJson("sparse", R"({"data": {"status": "completed", "error": "quota exceeded",
      "actual_completion_time": "2026-11-28T11:00:00.5Z", "progress": {"current_phase": null}}})");
  api.SetBatchJson("odd", R"({"data": {"status": "paused", "sessions": [],
      "progress": {"percentage": 100, "current_phase": "warming"}}})");
  auto config = anchor::test::TestConfig(api.base_url(), kKey);
  config.batches = {{"sparse", {}}, {"odd", {}}};
  ExporterHarness exporter(config);
  const auto s = ParseExposition(exporter.Scrape());
  const Labels sparse{{"batch_id", "sparse"}};
  CHECK(FindSample(s, "anchorbrowser_batch_up", sparse) == 1.0);
  CHECK(FindSample(s, "anchorbrowser_batch_error", sparse) == 1.0);
  CHECK(FindSample(s, "anchorbrowser_batch_completion_timestamp_seconds", sparse) ==
        Approx(1795863600.5));
  for (const char* absent :
       {"anchorbrowser_batch_total_requests", "anchorbrowser_batch_progress_ratio",
        "anchorbrowser_batch_session_retries", "anchorbrowser_batch_retried_sessions",
        "anchorbrowser_batch_created_timestamp_seconds"}) {
    INFO(absent);
    CHECK(anchor::test::CountSeries(s, absent, "sparse") == 0);
  }
  CHECK(anchor::test::CountSeries(s, "anchorbrowser_batch_requests", "sparse") == 0);
  CHECK(anchor::test::CountSeries(s, "anchorbrowser_batch_sessions", "sparse") == 0);
  // A missing phase: the state set is all 0.
  CHECK(FindSample(s, "anchorbrowser_batch_phase", {{"batch_id", "sparse"}, {"phase", "queued"}}) ==
        0.0);
  CHECK(anchor::test::CountSeries(s, "anchorbrowser_batch_phase", "sparse") == 4);

  // Unknown values are the state "other" with 1 (never a series of their own); the known states
  // stay at 0, and each unknown value is counted as an invalid field.
  CHECK(FindSample(s, "anchorbrowser_batch_status", {{"batch_id", "odd"}, {"status", "other"}}) ==
        1.0);
  CHECK(anchor::test::CountSeries(s, "anchorbrowser_batch_status", "odd") == 6);
  CHECK(FindSample(s, "anchorbrowser_batch_status",
                   {{"batch_id", "odd"}, {"status", "completed"}}) == 0.0);
  CHECK(FindSample(s, "anchorbrowser_batch_phase", {{"batch_id", "odd"}, {"phase", "other"}}) ==
        1.0);
  for (const char* field : {"status", "progress.current_phase"}) {
    INFO(field);
    CHECK(FindSample(s, "anchorbrowser_exporter_invalid_fields_total", {{"field", field}}) == 1.0);
  }
  CHECK(FindSample(s, "anchorbrowser_batch_progress_ratio", {{"batch_id", "odd"}}) == 1.0);
  CHECK(FindSample(s, "anchorbrowser_batch_sessions",
                   {{"batch_id", "odd"}, {"status", "failed"}}) == 0.0);
  CHECK(FindSample(s, "anchorbrowser_batch_session_retries", {{"batch_id", "odd"}}) == 0.0);
}

// Issue 3, end to end: deadlines, classified faults, Retry-After, coalescing, hung batches.
// The fetcher's cache and rate limits are unit-tested in tests/collect/test_batch_fetcher.cpp.
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <thread>

#include "anchor/api_client.h"
#include "support/exporter_harness.h"
#include "support/exposition.h"
#include "support/fake_anchor_api.h"
#include "support/manual_clock.h"

using anchor::FakeAnchorApi;
using anchor::test::BatchJson;
using anchor::test::ExporterHarness;
using anchor::test::FetchErrors;
using anchor::test::ParseExposition;
using anchor::test::SampleValue;
using anchor::test::UpValue;
using Clock = std::chrono::steady_clock;

namespace {

const char* kKey = "resilience-key-77";

FakeAnchorApi::Answer Answer(std::string body, int status = 200) {
  FakeAnchorApi::Answer a;
  a.status = status;
  a.body = std::move(body);
  return a;
}

double PeakRssMiB() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return -1;
}

// Under AddressSanitizer the peak RSS says little about live memory: its quarantine keeps freed
// blocks (up to 256 MiB) and shadow memory adds an eighth, so the bound is checked in the plain
// build (make test) only.
#ifdef ANCHOR_SANITIZE_BUILD
constexpr bool kRssIsMeaningful = false;
#else
constexpr bool kRssIsMeaningful = true;
#endif

}  // namespace

TEST_CASE("a never-answering batch ends at the scrape deadline", "[resilience][deadline][e2e]") {
  FakeAnchorApi api(FakeAnchorApi::Options{kKey, "", "", 16});
  REQUIRE(api.Start());
  FakeAnchorApi::Answer hang;
  hang.never_answer = true;
  api.SetAnswer("hang", hang);
  FakeAnchorApi::Answer trickle = Answer(BatchJson("trickle", "processing", 5));
  trickle.trickle = std::chrono::milliseconds(100);  // ~2 KB at 10 B/s: minutes
  api.SetAnswer("trickle", trickle);
  api.SetBatchJson("fine", BatchJson("fine", "processing", 5));
  auto config = anchor::test::TestConfig(api.base_url(), kKey);
  config.anchor.timeout = std::chrono::seconds(30);  // the scrape deadline must win
  config.batches = {{"hang", {}}, {"trickle", {}}, {"fine", {}}};
  ExporterHarness exporter(config);

  const auto start = Clock::now();
  int status = 0;
  const auto text = exporter.Get("/metrics", &status, "3");
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  CHECK(status == 200);
  CHECK(elapsed < 3.0);  // the deadline is 3 s less the 0.5 s offset
  const auto s = ParseExposition(text);
  CHECK(UpValue(s, "hang") == 0.0);
  CHECK(UpValue(s, "trickle") == 0.0);
  CHECK(UpValue(s, "fine") == 1.0);
  CHECK(FetchErrors(s, "timeout") == 2.0);
  CHECK(exporter.LogText().find("batch_id=hang reason=timeout") != std::string::npos);
}

TEST_CASE("the scrape deadline comes from Prometheus' header", "[resilience][deadline][e2e]") {
  anchor::WebOptions web;
  web.timeout_offset = std::chrono::milliseconds(500);
  web.max_scrape_timeout = std::chrono::seconds(30);
  const auto now = Clock::now();
  auto seconds = [&](Clock::time_point t) {
    return std::chrono::duration<double>(t - now).count();
  };
  CHECK(seconds(anchor::ScrapeDeadline("10", web, now)) == Approx(9.5));
  CHECK(seconds(anchor::ScrapeDeadline("2.5", web, now)) == Approx(2.0));
  CHECK(seconds(anchor::ScrapeDeadline("", web, now)) == Approx(30.0));
  CHECK(seconds(anchor::ScrapeDeadline("junk", web, now)) == Approx(30.0));
  CHECK(seconds(anchor::ScrapeDeadline("120", web, now)) == Approx(30.0));
  CHECK(seconds(anchor::ScrapeDeadline("0.4", web, now)) == Approx(0.36));
}

TEST_CASE("every upstream fault gets its reason and spares the others",
          "[resilience][faults][e2e]") {
  FakeAnchorApi api(FakeAnchorApi::Options{kKey, "", "", 16});
  REQUIRE(api.Start());
  api.SetBatchJson("healthy", BatchJson("healthy", "processing", 10));
  api.SetAnswer("forbidden", Answer(R"({"error": {"code": 403, "message": "Forbidden"}})", 403));
  api.SetAnswer("unavailable", Answer("upstream connect error", 503));
  api.SetAnswer("big", Answer(BatchJson("big", "processing", 200)));  // > max_response_bytes
  api.SetAnswer("wrongtypes", Answer(R"({"data": {"status": "processing", "total_requests": "9",
      "sessions": {"0": {}}, "progress": {"percentage": -3, "current_phase": 4},
      "completed_requests": 2}})"));
  auto config = anchor::test::TestConfig(api.base_url(), kKey);
  config.anchor.max_response_bytes = 4096;
  config.batches = {
      {"healthy", {}}, {"forbidden", {}}, {"unavailable", {}}, {"big", {}}, {"wrongtypes", {}}};
  ExporterHarness exporter(config);
  const auto s = ParseExposition(exporter.Scrape());
  CHECK(UpValue(s, "healthy") == 1.0);
  CHECK(UpValue(s, "forbidden") == 0.0);
  CHECK(UpValue(s, "unavailable") == 0.0);
  CHECK(UpValue(s, "big") == 0.0);
  CHECK(FetchErrors(s, "unauthorized") == 1.0);
  CHECK(FetchErrors(s, "server_error") == 1.0);
  CHECK(FetchErrors(s, "too_large") == 1.0);
  // Wrong types drop the field, count it, and keep the rest of the batch.
  CHECK(UpValue(s, "wrongtypes") == 1.0);
  CHECK(SampleValue(s, "anchorbrowser_batch_requests",
                    {{"batch_id", "wrongtypes"}, {"state", "completed"}}) == 2.0);
  CHECK(anchor::test::CountSeries(s, "anchorbrowser_batch_total_requests", "wrongtypes") == 0);
  CHECK(anchor::test::CountSeries(s, "anchorbrowser_batch_progress_ratio", "wrongtypes") == 0);
  CHECK(anchor::test::CountSeries(s, "anchorbrowser_batch_phase", "wrongtypes") == 0);
  for (const char* field :
       {"total_requests", "sessions", "progress.percentage", "progress.current_phase"}) {
    INFO(field);
    CHECK(SampleValue(s, "anchorbrowser_exporter_invalid_fields_total", {{"field", field}}) == 1.0);
  }
  CHECK(exporter.LogText().find("batch_id=wrongtypes") != std::string::npos);
}

TEST_CASE("a 200 MiB body is refused as too_large without buffering it",
          "[resilience][memory][e2e]") {
  FakeAnchorApi api(FakeAnchorApi::Options{kKey, "", "", 8});
  REQUIRE(api.Start());
  FakeAnchorApi::Answer huge = Answer(R"({"data": {"sessions": )");
  huge.filler_bytes = 200u << 20;
  api.SetAnswer("huge", huge);
  api.SetBatchJson("fine", BatchJson("fine", "completed", 5));
  auto config = anchor::test::TestConfig(api.base_url(), kKey);
  config.batches = {{"huge", {}}, {"fine", {}}};
  ExporterHarness exporter(config);  // default max_response_bytes: 16 MiB
  const auto s = ParseExposition(exporter.Scrape());
  CHECK(UpValue(s, "huge") == 0.0);
  CHECK(UpValue(s, "fine") == 1.0);
  CHECK(FetchErrors(s, "too_large") == 1.0);
  // This process holds the fake API and the exporter: its peak memory bounds the exporter's.
  if (kRssIsMeaningful) CHECK(PeakRssMiB() < 64.0);
}

TEST_CASE("a 5000-session batch is exported correctly", "[resilience][big][e2e]") {
  FakeAnchorApi api(FakeAnchorApi::Options{kKey, "", "", 8});
  REQUIRE(api.Start());
  api.SetBatchJson("big", BatchJson("big", "processing", 5000, 60.0));
  auto config = anchor::test::TestConfig(api.base_url(), kKey);
  config.batches = {{"big", {}}};
  ExporterHarness exporter(config);
  const auto s = ParseExposition(exporter.Scrape());
  const std::map<std::string, std::string> b{{"batch_id", "big"}};
  CHECK(UpValue(s, "big") == 1.0);
  CHECK(SampleValue(s, "anchorbrowser_batch_total_requests", b) == 5000.0);
  for (const char* st : {"completed", "failed", "processing", "pending"}) {
    CHECK(SampleValue(s, "anchorbrowser_batch_sessions", {{"batch_id", "big"}, {"status", st}}) ==
          1250.0);
  }
  // retry_count i % 3: 1667 zeros, 1667 ones, 1666 twos.
  CHECK(SampleValue(s, "anchorbrowser_batch_session_retries", b) == 4999.0);
  CHECK(SampleValue(s, "anchorbrowser_batch_retried_sessions", b) == 3333.0);
  CHECK(SampleValue(s, "anchorbrowser_batch_progress_ratio", b) == Approx(0.6));
}

TEST_CASE("a 429 is honoured until Retry-After passes", "[resilience][ratelimit][e2e]") {
  FakeAnchorApi api(FakeAnchorApi::Options{kKey, "", "", 8});
  REQUIRE(api.Start());
  FakeAnchorApi::Answer limited =
      Answer(R"({"error": {"code": 429, "message": "slow down"}})", 429);
  limited.headers = {{"Retry-After", "1"}};
  api.SetAnswer("limited", limited);
  api.SetBatchJson("other", BatchJson("other", "processing", 3));
  auto config = anchor::test::TestConfig(api.base_url(), kKey);
  config.batches = {{"limited", {}}, {"other", {}}};
  anchor::test::ManualClock clock;  // the fetcher anchors Retry-After's wait on it
  ExporterHarness exporter(config, clock);

  auto s = ParseExposition(exporter.Scrape());
  CHECK(UpValue(s, "limited") == 0.0);
  CHECK(UpValue(s, "other") == 1.0);
  CHECK(FetchErrors(s, "rate_limited") == 1.0);
  CHECK(api.RequestCount("limited") == 1);

  s = ParseExposition(exporter.Scrape());  // within Retry-After: the API is not asked
  CHECK(UpValue(s, "limited") == 0.0);
  CHECK(FetchErrors(s, "rate_limited") == 2.0);
  CHECK(api.RequestCount("limited") == 1);
  CHECK(api.RequestCount("other") == 2);

  api.SetBatchJson("limited", BatchJson("limited", "processing", 3));
  clock.Advance(std::chrono::milliseconds(2100));
  s = ParseExposition(exporter.Scrape());
  CHECK(UpValue(s, "limited") == 1.0);
  CHECK(api.RequestCount("limited") == 2);
}

TEST_CASE("concurrent scrapes share one API request per batch", "[resilience][coalescing][e2e]") {
  FakeAnchorApi api(FakeAnchorApi::Options{kKey, "", "", 64});
  REQUIRE(api.Start());
  auto config = anchor::test::TestConfig(api.base_url(), kKey);
  config.anchor.max_concurrency = 50;
  for (int i = 0; i < 50; ++i) {
    const std::string id = "c" + std::to_string(i);
    auto answer = Answer(BatchJson(id, "processing", 2));
    answer.delay = std::chrono::milliseconds(1000);  // long enough for all scrapes to overlap
    api.SetAnswer(id, answer);
    config.batches.push_back({id, {}});
  }
  ExporterHarness exporter(config);
  std::vector<std::thread> scrapers;
  scrapers.reserve(8);
  std::vector<std::string> bodies(8);
  for (int i = 0; i < 8; ++i) {
    scrapers.emplace_back([&, i] { bodies[i] = exporter.Scrape(); });
  }
  for (auto& t : scrapers) t.join();
  CHECK(api.TotalRequests() == 50);
  for (const auto& body : bodies) {
    const auto s = ParseExposition(body);
    CHECK(UpValue(s, "c0") == 1.0);
    CHECK(UpValue(s, "c49") == 1.0);
  }
}

TEST_CASE("as many hung batches as request slots, listed first, starve no healthy batch",
          "[resilience][e2e]") {
  FakeAnchorApi api(FakeAnchorApi::Options{kKey, "", "", 32});
  REQUIRE(api.Start());
  auto config = anchor::test::TestConfig(api.base_url(), kKey);
  config.anchor.max_concurrency = 3;
  config.anchor.timeout = std::chrono::seconds(10);  // the default: longer than the scrape
  FakeAnchorApi::Answer hang;
  hang.never_answer = true;
  for (int i = 0; i < 3; ++i) {
    api.SetAnswer("hung" + std::to_string(i), hang);
    config.batches.push_back({"hung" + std::to_string(i), {}});
  }
  std::vector<std::string> healthy;
  for (int i = 0; i < 10; ++i) {
    healthy.push_back("ok" + std::to_string(i));
    api.SetBatchJson(healthy.back(), BatchJson(healthy.back(), "processing", 3));
    config.batches.push_back({healthy.back(), {}});
  }
  anchor::test::ExporterHarness exporter(config);

  // Including the first scrape, when nothing is known about any batch yet.
  for (int scrape = 0; scrape < 3; ++scrape) {
    int status = 0;
    const auto start = Clock::now();
    const auto s = ParseExposition(exporter.Get("/metrics", &status, "2"));  // 1.5 s deadline
    CAPTURE(scrape, std::chrono::duration<double>(Clock::now() - start).count());
    CHECK(status == 200);
    for (const auto& id : healthy) {
      CAPTURE(id);
      CHECK(UpValue(s, id) == 1.0);
    }
    CHECK(UpValue(s, "hung0") == 0.0);
  }
  CHECK(api.RequestCount("ok0") == 3);  // each scrape really asked the API
}

// Issue 3, end to end: batches found through the list endpoint are exported beside the
// configured ones. Refreshes, pages and truncation are unit-tested in
// tests/collect/test_batch_discovery.cpp, a batch leaving the list in test_batch_collector.cpp.
#include <catch2/catch.hpp>
#include <chrono>

#include "support/exporter_harness.h"
#include "support/exposition.h"
#include "support/fake_anchor_api.h"

using anchor::FakeAnchorApi;
using anchor::test::BatchJson;
using anchor::test::ExporterHarness;
using anchor::test::ParseExposition;
using anchor::test::SampleValue;

namespace {

const char* kKey = "discovery-key-42";

// 250 processing batches (three pages of 100) plus 20 completed ones that must not be listed.
void ListBatches(FakeAnchorApi& api, int processing) {
  std::vector<FakeAnchorApi::ListedBatch> listed;
  const double now = static_cast<double>(std::time(nullptr));
  for (int i = 0; i < processing; ++i) {
    const std::string id = "found-" + std::to_string(i);
    listed.push_back({id, "processing", now - 60});
    api.SetBatchJson(id, BatchJson(id, "processing", 2));
  }
  for (int i = 0; i < 20; ++i) listed.push_back({"old-" + std::to_string(i), "completed", now});
  api.SetListedBatches(listed);
}

anchor::Config DiscoveryConfig(const FakeAnchorApi& api) {
  auto config = anchor::test::TestConfig(api.base_url(), kKey);
  config.anchor.max_concurrency = 32;
  config.discovery.enabled = true;
  config.discovery.statuses = {"processing"};
  config.discovery.created_within = std::chrono::hours(24);
  return config;
}

}  // namespace

TEST_CASE("discovery over three pages exports every listed batch", "[discovery][e2e]") {
  FakeAnchorApi api(FakeAnchorApi::Options{kKey, "", "", 64});
  REQUIRE(api.Start());
  ListBatches(api, 250);
  api.SetBatchJson("mine", BatchJson("mine", "pending", 2));
  api.SetBatchJson("found-7", BatchJson("found-7", "processing", 2));
  auto config = DiscoveryConfig(api);
  config.batches = {{"mine", {{"team", "a"}}}, {"found-7", {{"team", "b"}}}};
  ExporterHarness exporter(config);
  const auto s = ParseExposition(exporter.Scrape());
  CHECK(api.ListRequestCount() == 3);
  for (int i = 0; i < 250; ++i) {
    const std::string id = "found-" + std::to_string(i);
    if (id == "found-7") continue;
    INFO(id);
    REQUIRE(SampleValue(s, "anchorbrowser_batch_up", {{"batch_id", id}}) == 1.0);
  }
  // A configured batch keeps its labels even when discovery also finds it.
  CHECK(SampleValue(s, "anchorbrowser_batch_up", {{"batch_id", "found-7"}, {"team", "b"}}) == 1.0);
  CHECK(anchor::test::CountSeries(s, "anchorbrowser_batch_up", "found-7") == 1);
  CHECK(SampleValue(s, "anchorbrowser_batch_up", {{"batch_id", "mine"}, {"team", "a"}}) == 1.0);
  CHECK(anchor::test::CountSeries(s, "anchorbrowser_batch_up", "old-1") == 0);
  CHECK(SampleValue(s, "anchorbrowser_exporter_batches", {{"source", "configured"}}) == 2.0);
  CHECK(SampleValue(s, "anchorbrowser_exporter_batches", {{"source", "discovered"}}) == 249.0);
  CHECK(SampleValue(s, "anchorbrowser_exporter_discovery_truncated", {}) == 0.0);

  SECTION("the list is not fetched again before refresh_interval") {
    exporter.Scrape();
    CHECK(api.ListRequestCount() == 3);
  }
}

TEST_CASE("discovery.max_batches cuts the list and says so", "[discovery][e2e]") {
  FakeAnchorApi api(FakeAnchorApi::Options{kKey, "", "", 64});
  REQUIRE(api.Start());
  ListBatches(api, 250);
  auto config = DiscoveryConfig(api);
  config.discovery.max_batches = 120;
  ExporterHarness exporter(config);
  const auto s = ParseExposition(exporter.Scrape());
  CHECK(SampleValue(s, "anchorbrowser_exporter_batches", {{"source", "discovered"}}) == 120.0);
  CHECK(SampleValue(s, "anchorbrowser_exporter_discovery_truncated", {}) == 1.0);
  CHECK(exporter.LogText().find("max_batches cut the list") != std::string::npos);
}

TEST_CASE("a 401 on the list keeps the configured batches exported", "[discovery][e2e]") {
  FakeAnchorApi api(FakeAnchorApi::Options{kKey, "", "", 16});
  REQUIRE(api.Start());
  FakeAnchorApi::Answer denied;
  denied.status = 401;
  denied.body = R"({"error": {"code": 401, "message": "Invalid API Key"}})";
  api.SetListAnswer(denied);
  api.SetBatchJson("mine", BatchJson("mine", "processing", 2));
  auto config = DiscoveryConfig(api);
  config.batches = {{"mine", {}}};
  ExporterHarness exporter(config);
  const auto s = ParseExposition(exporter.Scrape());
  CHECK(SampleValue(s, "anchorbrowser_batch_up", {{"batch_id", "mine"}}) == 1.0);
  CHECK(SampleValue(s, "anchorbrowser_exporter_discovery_errors_total",
                    {{"reason", "unauthorized"}}) == 1.0);
  CHECK(SampleValue(s, "anchorbrowser_exporter_batches", {{"source", "discovered"}}) == 0.0);
  CHECK(exporter.LogText().find("batch discovery failed") != std::string::npos);
}

// 20,000 batches are 200 pages. Listed one after the other at 50 ms a page they would take 10 s,
// past the 3 s refresh interval that bounds a refresh (the list would then be kept empty);
// fetched 16 at a time they fit. The exporter's /sd shows what was found.
TEST_CASE("discovery lists 20000 batches within the refresh interval", "[discovery][sd][e2e]") {
  FakeAnchorApi api(FakeAnchorApi::Options{kKey, "", "", 64});
  REQUIRE(api.Start());
  std::vector<FakeAnchorApi::ListedBatch> listed;
  listed.reserve(20000);
  const double now = static_cast<double>(std::time(nullptr));
  for (int i = 0; i < 20000; ++i) listed.push_back({"b-" + std::to_string(i), "processing", now});
  api.SetListedBatches(listed);
  api.SetListDelay(std::chrono::milliseconds(50));
  auto config = DiscoveryConfig(api);
  config.anchor.max_concurrency = 16;
  config.discovery.max_batches = 20000;
  config.discovery.refresh_interval = std::chrono::seconds(3);
  ExporterHarness exporter(config);
  int status = 0;
  const auto sd = exporter.Get("/sd", &status);
  REQUIRE(status == 200);
  size_t targets = 0;
  for (size_t at = sd.find("\"targets\""); at != std::string::npos;
       at = sd.find("\"targets\"", at + 1)) {
    ++targets;
  }
  CHECK(targets == 20000);
  CHECK(sd.find("\"b-19999\"") != std::string::npos);
  CHECK(api.ListRequestCount() == 200);
  CHECK(exporter.LogText().find("batch discovery failed") == std::string::npos);
}

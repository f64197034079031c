// The demo's simulated batches: what a fresh `--demo` shows, scraped through the real exporter.
// The simulation runs on a fixed clock, so what a scrape sees does not depend on how long the
// machine takes to get there.
#include <catch2/catch.hpp>

#include "demo/batch_simulation.h"
#include "demo/demo_api_server.h"
#include "demo/demo_setup.h"
#include "support/exporter_harness.h"
#include "support/exposition.h"

using anchor::test::FindSample;
using Labels = std::map<std::string, std::string>;

namespace {

constexpr double kDemoStart = 1795860000;  // 2026-11-28T10:00:00Z, the simulation's "now"

Labels Batch(const std::string& id) { return {{"batch_id", id}, {"env", "demo"}}; }

Labels Batch(const std::string& id, const std::string& value, const std::string& label = "status") {
  Labels l = Batch(id);
  l[label] = value;
  return l;
}

}  // namespace

TEST_CASE("a fresh demo has running, completed and failed batches", "[demo][e2e]") {
  anchor::DemoApiServer api([] { return kDemoStart; });  // what --demo serves, time stopped
  const auto specs = anchor::MakeDemoBatches();
  anchor::ServeDemoBatches(api.simulated(), specs, /*loop=*/true);
  REQUIRE(api.Start());
  anchor::test::ExporterHarness exporter(anchor::DemoConfig(api.base_url(), specs));
  const auto s = anchor::test::ParseExposition(exporter.Scrape());

  // Started now: not finished, no completion time.
  CHECK(FindSample(s, "anchorbrowser_batch_status", Batch("demo-price-scrape", "pending")) == 1);
  CHECK_FALSE(FindSample(s, "anchorbrowser_batch_completion_timestamp_seconds",
                         Batch("demo-price-scrape")));

  // Started out finished: created started_ago (300 s / 240 s) ago, completion time present.
  CHECK(FindSample(s, "anchorbrowser_batch_status", Batch("demo-nightly-export", "completed")) ==
        1);
  CHECK(FindSample(s, "anchorbrowser_batch_status", Batch("demo-legacy-sync", "failed")) == 1);
  CHECK(FindSample(s, "anchorbrowser_batch_error", Batch("demo-legacy-sync")) == 1);

  // One configured id the simulated API does not know: down, with its reason and status.
  CHECK(FindSample(s, "anchorbrowser_batch_up", Batch(anchor::kDemoMissingBatch)) == 0);
  CHECK(FindSample(s, "anchorbrowser_batch_fetch_error",
                   Batch(anchor::kDemoMissingBatch, "not_found", "reason")) == 1);
  CHECK(FindSample(s, "anchorbrowser_batch_last_http_status", Batch(anchor::kDemoMissingBatch)) ==
        404);
  for (const auto& [id, age] :
       {std::pair{"demo-nightly-export", 300.0}, std::pair{"demo-legacy-sync", 240.0}}) {
    INFO(id);
    CHECK(FindSample(s, "anchorbrowser_batch_progress_ratio", Batch(id)) == 1);
    const auto created = FindSample(s, "anchorbrowser_batch_created_timestamp_seconds", Batch(id));
    const auto completed =
        FindSample(s, "anchorbrowser_batch_completion_timestamp_seconds", Batch(id));
    REQUIRE(created);
    REQUIRE(completed);
    // Creation time is the simulation's clock at ServeDemoBatches less the age, exactly.
    CHECK(*created == kDemoStart - age);
    CHECK(*completed > *created);
    CHECK(*completed <= *created + age);
  }
}

TEST_CASE("the demo's cdp_url and live_view_url never show on the exporter", "[demo][e2e]") {
  anchor::DemoApiServer api([] { return kDemoStart + 100; });  // sessions running and ended
  const auto specs = anchor::MakeDemoBatches();
  anchor::ServeDemoBatches(api.simulated(), specs, /*loop=*/true);
  REQUIRE(api.Start());
  // The simulated API does send them.
  const auto body = api.simulated().BatchBody("demo-price-scrape");
  REQUIRE(body);
  REQUIRE(body->find(anchor::kDemoLiveViewTokenPrefix) != std::string::npos);

  anchor::test::ExporterHarness exporter(anchor::DemoConfig(api.base_url(), specs));
  for (const std::string path :
       {"/metrics", "/", "/probe?target=demo-price-scrape&debug=true", "/sd"}) {
    int status = 0;
    const auto page = exporter.Get(path, &status);
    INFO(path);
    CHECK(status == 200);
    CHECK_FALSE(page.empty());
    for (const char* secret : {anchor::kDemoLiveViewTokenPrefix, "live.anchorbrowser.io",
                               "connect.anchorbrowser.io", "wss://"}) {
      INFO(secret);
      CHECK(page.find(secret) == std::string::npos);
      CHECK(exporter.LogText().find(secret) == std::string::npos);
    }
  }
}

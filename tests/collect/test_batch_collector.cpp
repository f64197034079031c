// BatchCollector called directly: an in-memory source instead of the API, a clock the test
// moves instead of sleeps.
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "collect/batch_collector.h"
#include "collect/self_metrics.h"
#include "support/fake_batch_source.h"
#include "support/log_capture.h"
#include "support/manual_clock.h"
#include "support/metric_families.h"
#include "support/wait_for.h"

using anchor::BatchCollector;
using anchor::FetchError;
using anchor::ProbeOutcome;
using anchor::test::FamilyValue;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

anchor::Deadline Far() { return std::chrono::steady_clock::now() + seconds(30); }

// A collector over a fake source on a manual clock; set `config` before the first Collector().
struct CollectorRig {
  anchor::test::ManualClock clock;
  anchor::test::FakeBatchSource source;
  anchor::Config config;
  anchor::SelfMetrics metrics;
  anchor::test::LogCapture log{anchor::LogLevel::kInfo};
  std::unique_ptr<BatchCollector> collector;

  BatchCollector& Collector() {
    if (!collector) {
      collector = std::make_unique<BatchCollector>(config, source, metrics, log.logger(), clock);
    }
    return *collector;
  }
  std::vector<std::string> CollectedIds() {
    const auto collection = Collector().CollectBatches(Far());
    std::vector<std::string> ids;
    for (const auto& t : *collection.targets) ids.push_back(t.id);
    return ids;
  }
  void EnableDiscovery() {
    config.discovery.enabled = true;
    config.discovery.statuses = {"processing"};
    config.discovery.refresh_interval = minutes(1);
  }
  // Starts the discovery refresh that is due and waits for it to end. Refreshes run in the
  // background, and one starts only once the one before has ended: asked until it has.
  void RefreshDiscoveryNow() {
    const auto now = clock.SystemNow();
    REQUIRE(anchor::test::WaitFor([&] {
      Collector().RefreshDiscovery(Far());
      return Collector().DiscoveryStatus()->last_success == now;
    }));
  }
};

std::string LabelValue(const anchor::BatchTarget& target, const std::string& name) {
  const auto it = target.labels.find(name);
  return it == target.labels.end() ? "" : it->second;
}

}  // namespace

TEST_CASE("targets are the configured batches, then the discovered ones not configured",
          "[unit][collect][collector]") {
  CollectorRig rig;
  rig.EnableDiscovery();
  rig.config.batches = {{"mine", {{"team", "a"}}}, {"found-1", {{"team", "b"}}}};
  rig.source.SetListed(
      {{"found-0", "processing"}, {"found-1", "processing"}, {"old", "completed"}});
  for (const char* id : {"mine", "found-0", "found-1"}) rig.source.SetBatch(id, "processing");

  const auto collection = rig.Collector().CollectBatches(Far());
  const auto& targets = *collection.targets;
  REQUIRE(targets.size() == 3);
  CHECK(targets[0].id == "mine");
  CHECK(targets[1].id == "found-1");
  CHECK(LabelValue(targets[1], "team") == "b");  // configured labels win over discovery
  CHECK(targets[2].id == "found-0");
  CHECK(targets[2].labels.empty());
  REQUIRE(collection.results.size() == 3);
  for (const auto& r : collection.results) CHECK(r->ok());
  CHECK(FamilyValue(collection.own, "anchorbrowser_exporter_batches", {{"source", "configured"}}) ==
        2.0);
  CHECK(FamilyValue(collection.own, "anchorbrowser_exporter_batches", {{"source", "discovered"}}) ==
        1.0);
  CHECK(FamilyValue(collection.own, "anchorbrowser_exporter_discovery_truncated") == 0.0);
  CHECK(FamilyValue(collection.own, "anchorbrowser_exporter_scrape_deadline_seconds").value_or(0) >
        20.0);
  CHECK(rig.Collector().IsTracked("found-0"));
  CHECK_FALSE(rig.Collector().IsTracked("old"));
}

TEST_CASE("batches in a terminal status come first, each group in tracking order",
          "[unit][collect][collector]") {
  CollectorRig rig;
  rig.config.batches = {{"a", {}}, {"b", {}}, {"c", {}}, {"d", {}}, {"e", {}}};
  rig.source.SetBatch("a", "processing");
  rig.source.SetBatch("b", "completed");
  rig.source.SetBatch("c", "pending");
  rig.source.SetBatch("d", "failed");
  rig.source.SetError("e", FetchError::kServerError, 500);  // no status: not finished

  const auto collection = rig.Collector().CollectBatches(Far());
  std::vector<std::string> ids;
  for (const auto& t : *collection.targets) ids.push_back(t.id);
  CHECK(ids == std::vector<std::string>{"b", "d", "a", "c", "e"});
  // Each result stays with its target.
  for (size_t i = 0; i < 4; ++i) CHECK(collection.results[i]->batch->batch_id == ids[i]);
  CHECK(collection.results[4]->error == FetchError::kServerError);
}

TEST_CASE("a probe target is checked once: invalid, unlisted or fetched",
          "[unit][collect][collector][probe]") {
  CollectorRig rig;
  rig.config.batches = {{"mine", {{"team", "a"}}}};
  rig.source.SetBatch("mine", "processing");
  rig.source.SetBatch("stranger", "processing");

  SECTION("an invalid id is never sent to the API") {
    const auto probe = rig.Collector().Probe("not/an id", Far());
    CHECK(probe.outcome == ProbeOutcome::kInvalidTarget);
    CHECK(probe.families.empty());
    CHECK(probe.result == nullptr);
    CHECK(rig.source.TotalRequests() == 0);
  }
  SECTION("a valid id neither configured nor discovered is refused") {
    const auto probe = rig.Collector().Probe("stranger", Far());
    CHECK(probe.outcome == ProbeOutcome::kUnlisted);
    CHECK(probe.result == nullptr);
    CHECK(rig.source.TotalRequests() == 0);
  }
  SECTION("probe.allow_unlisted lets it through") {
    rig.config.probe.allow_unlisted = true;
    const auto probe = rig.Collector().Probe("stranger", Far());
    CHECK(probe.outcome == ProbeOutcome::kOk);
    REQUIRE(probe.result != nullptr);
    CHECK(probe.result->ok());
    CHECK(rig.source.Requests("stranger") == 1);
    CHECK(FamilyValue(probe.families, "anchorbrowser_batch_up", {{"batch_id", "stranger"}}) == 1.0);
  }
  SECTION("a configured batch is fetched with its labels") {
    const auto probe = rig.Collector().Probe("mine", Far());
    CHECK(probe.outcome == ProbeOutcome::kOk);
    CHECK(FamilyValue(probe.families, "anchorbrowser_batch_up",
                      {{"batch_id", "mine"}, {"team", "a"}}) == 1.0);
  }
  SECTION("a discovered batch is tracked, so it may be probed") {
    rig.EnableDiscovery();
    rig.source.SetListed({{"stranger", "processing"}});
    rig.Collector().RefreshDiscovery(Far());  // the first refresh is waited for
    CHECK(rig.Collector().Probe("stranger", Far()).outcome == ProbeOutcome::kOk);
  }
}

TEST_CASE("fault logs say only what changed", "[unit][collect][collector][log]") {
  CollectorRig rig;
  rig.config.batches = {{"b", {}}};
  rig.source.SetError("b", FetchError::kServerError, 500);
  rig.Collector().Collect(Far());
  rig.Collector().Collect(Far());
  CHECK(rig.log.Lines("batch fetch failed") == 1);
  CHECK(rig.log.Lines("reason=server_error") == 1);

  rig.source.SetError("b", FetchError::kUnauthorized, 403);
  rig.Collector().Collect(Far());
  rig.Collector().Collect(Far());
  CHECK(rig.log.Lines("batch fetch failing for another reason") == 1);
  CHECK(rig.log.Lines("previous_reason=server_error") == 1);

  rig.clock.Advance(std::chrono::milliseconds(30500));
  rig.source.SetBatch("b", "processing", {"progress.percentage"});
  rig.Collector().Collect(Far());
  rig.Collector().Collect(Far());
  INFO(rig.log.Text());
  CHECK(rig.log.Lines("batch fetch recovered") == 1);
  CHECK(rig.log.Lines("failures=4 down_seconds=30.5 last_reason=unauthorized") == 1);
  CHECK(rig.log.Lines("dropped invalid fields from batch response") == 1);
  CHECK(rig.log.Lines("fields=progress.percentage") == 1);

  rig.source.SetBatch("b", "processing");
  rig.Collector().Collect(Far());
  rig.Collector().Collect(Far());
  CHECK(rig.log.Lines("batch response has no invalid fields any more") == 1);
  CHECK(FamilyValue(rig.metrics.Collect(), "anchorbrowser_exporter_fetch_errors_total",
                    {{"reason", "server_error"}}) == 2.0);
  CHECK(FamilyValue(rig.metrics.Collect(), "anchorbrowser_exporter_invalid_fields_total",
                    {{"field", "progress.percentage"}}) == 2.0);
}

TEST_CASE("an answer reused from the cache logs nothing new", "[unit][collect][collector][log]") {
  CollectorRig rig;
  rig.config.batches = {{"b", {}}};
  rig.config.cache.min_interval = minutes(1);
  rig.source.SetBatch("b", "processing", {"sessions"});
  for (int i = 0; i < 3; ++i) rig.Collector().Collect(Far());
  CHECK(rig.source.Requests("b") == 1);
  CHECK(rig.log.Lines("dropped invalid fields from batch response") == 1);
}

TEST_CASE("TrackedBatches shows what the fetcher holds, whoever asked for it",
          "[unit][collect][collector]") {
  CollectorRig rig;
  rig.config.batches = {{"a", {}}, {"limited", {}}};
  rig.config.cache.min_interval = minutes(1);
  rig.source.SetBatch("a", "processing");
  rig.source.SetError("limited", FetchError::kRateLimited, 429, minutes(10));

  auto tracked = rig.Collector().TrackedBatches();
  REQUIRE(tracked.size() == 2);
  CHECK(tracked[0].last == nullptr);

  // A probe, not a scrape, fetched it: the fetcher's answer is what the collector shows.
  const auto probed = rig.Collector().Probe("a", Far()).result;
  const auto answered_at = rig.clock.SystemNow();
  rig.clock.Advance(seconds(20));
  rig.Collector().Collect(Far());  // "a" from the cache
  tracked = rig.Collector().TrackedBatches();
  CHECK(tracked[0].target.id == "a");
  CHECK(tracked[0].last == probed);
  CHECK(tracked[0].last_fetch == answered_at);  // dated by the API's answer, not the scrape
  CHECK_FALSE(tracked[0].discovered);
  CHECK(tracked[1].last->error == FetchError::kRateLimited);
  CHECK(tracked[1].retry_after == rig.clock.SystemNow() + minutes(10));

  rig.clock.Advance(minutes(1));
  rig.source.Hold("a");
  std::thread scrape([&] { rig.Collector().Collect(Far()); });
  CHECK(rig.source.WaitForRequests("a", 2));
  CHECK(rig.Collector().TrackedBatches()[0].in_flight);
  rig.source.Release("a");
  scrape.join();
  tracked = rig.Collector().TrackedBatches();
  CHECK_FALSE(tracked[0].in_flight);
  CHECK(tracked[0].last != probed);
  CHECK(tracked[0].last_fetch == rig.clock.SystemNow());
}

TEST_CASE("a batch that leaves the list stays until it is seen finished",
          "[unit][collect][collector][discovery]") {
  CollectorRig rig;
  rig.EnableDiscovery();
  rig.source.SetListed({{"found-0", "processing"}, {"found-1", "processing"}});
  rig.source.SetBatch("found-0", "processing");
  rig.source.SetBatch("found-1", "processing");
  CHECK(rig.CollectedIds() == std::vector<std::string>{"found-0", "found-1"});

  // found-0 finished and so left the list of processing batches; the exporter has not seen
  // its end yet, so the next refresh keeps it...
  rig.source.SetListed({{"found-1", "processing"}});
  rig.source.SetBatch("found-0", "completed");
  rig.clock.Advance(minutes(1));
  rig.RefreshDiscoveryNow();
  const auto collection = rig.Collector().CollectBatches(Far());
  REQUIRE(collection.targets->size() == 2);
  CHECK((*collection.targets)[0].id == "found-0");  // its end is exported once...
  CHECK(collection.results[0]->batch->status == "completed");

  // ...then the refresh after it drops it: the fetcher holds its terminal answer.
  rig.clock.Advance(minutes(1));
  rig.RefreshDiscoveryNow();
  CHECK(rig.CollectedIds() == std::vector<std::string>{"found-1"});
  const auto tracked = rig.Collector().TrackedBatches();
  REQUIRE(tracked.size() == 1);
  CHECK(tracked[0].discovered);
}

// BatchCollector called directly: an in-memory source instead of the API, a clock the test
// moves instead of sleeps.
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "collect/batch_answer.h"
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

// The collector's part for batch i of a collection.
const anchor::BatchAnswer& At(const anchor::ExpositionParts& parts, size_t i) {
  return dynamic_cast<const anchor::BatchAnswer&>(*parts.series.at(i));
}

std::vector<std::string> Ids(const anchor::ExpositionParts& parts) {
  std::vector<std::string> ids;
  for (size_t i = 0; i < parts.series.size(); ++i) ids.push_back(At(parts, i).target().id);
  return ids;
}

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
  std::vector<std::string> CollectedIds() { return Ids(Collector().CollectBatches(Far())); }
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
  REQUIRE(collection.series.size() == 3);
  CHECK(At(collection, 0).target().id == "mine");
  CHECK(At(collection, 1).target().id == "found-1");
  CHECK(LabelValue(At(collection, 1).target(), "team") == "b");  // configured labels win
  CHECK(At(collection, 2).target().id == "found-0");
  CHECK(At(collection, 2).target().labels.empty());
  for (size_t i = 0; i < 3; ++i) CHECK(At(collection, i).result()->ok());
  CHECK(FamilyValue(collection.other, "anchorbrowser_exporter_batches",
                    {{"source", "configured"}}) == 2.0);
  CHECK(FamilyValue(collection.other, "anchorbrowser_exporter_batches",
                    {{"source", "discovered"}}) == 1.0);
  CHECK(FamilyValue(collection.other, "anchorbrowser_exporter_discovery_truncated") == 0.0);
  CHECK(
      FamilyValue(collection.other, "anchorbrowser_exporter_scrape_deadline_seconds").value_or(0) >
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

  // RenderCache reuses blocks of consecutive unchanged batches: finished ones must be together.
  const auto collection = rig.Collector().CollectBatches(Far());
  const auto ids = Ids(collection);
  CHECK(ids == std::vector<std::string>{"b", "d", "a", "c", "e"});
  // Each result stays with its target.
  for (size_t i = 0; i < 4; ++i) CHECK(At(collection, i).result()->batch->batch_id == ids[i]);
  CHECK(At(collection, 4).result()->error == FetchError::kServerError);
}

TEST_CASE("a batch whose answer did not change is the same part, scrape after scrape",
          "[unit][collect][collector]") {
  CollectorRig rig;
  rig.config.batches = {{"a", {{"team", "x"}}}, {"b", {}}};
  rig.config.cache.min_interval = minutes(1);
  rig.source.SetBatch("a", "processing");
  rig.source.SetBatch("b", "completed");
  const auto first = rig.Collector().CollectBatches(Far());
  REQUIRE(Ids(first) == std::vector<std::string>{"b", "a"});  // finished first
  const auto again = rig.Collector().CollectBatches(Far());   // both from the fetcher's cache
  // RenderCache keeps a part's text by the object's identity: the same object, no new render.
  CHECK(again.series[0] == first.series[0]);
  CHECK(again.series[1] == first.series[1]);

  rig.clock.Advance(minutes(2));  // "a" is fetched again (a new answer), "b" is not (finished)
  rig.source.SetBatch("a", "completed");
  const auto later = rig.Collector().CollectBatches(Far());
  REQUIRE(Ids(later) == std::vector<std::string>{"a", "b"});  // both finished: tracking order
  CHECK(later.series[0] != first.series[1]);
  CHECK(At(later, 0).result()->batch->status == "completed");
  CHECK(LabelValue(At(later, 0).target(), "team") == "x");
  CHECK(later.series[1] == first.series[0]);
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
  REQUIRE(collection.series.size() == 2);
  CHECK(At(collection, 0).target().id == "found-0");  // its end is exported once...
  CHECK(At(collection, 0).result()->batch->status == "completed");

  // ...then the refresh after it drops it: the fetcher holds its terminal answer.
  rig.clock.Advance(minutes(1));
  rig.RefreshDiscoveryNow();
  CHECK(rig.CollectedIds() == std::vector<std::string>{"found-1"});
  const auto tracked = rig.Collector().TrackedBatches();
  REQUIRE(tracked.size() == 1);
  CHECK(tracked[0].discovered);
}

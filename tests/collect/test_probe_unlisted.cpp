// BatchCollector's probes of ids that are not tracked (probe.allow_unlisted): bounded state,
// aggregated logs, tracked batches untouched. An in-memory source and a clock the test moves.
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
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
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

anchor::Deadline Far() { return std::chrono::steady_clock::now() + seconds(30); }

struct UnlistedRig {
  anchor::test::ManualClock clock;
  anchor::test::FakeBatchSource source;
  anchor::Config config;
  anchor::SelfMetrics metrics;
  anchor::test::LogCapture log{anchor::LogLevel::kInfo};
  std::unique_ptr<BatchCollector> collector;

  UnlistedRig() {
    config.probe.allow_unlisted = true;
    config.probe.max_unlisted_state = 100;
  }
  BatchCollector& Collector() {
    if (!collector) {
      collector = std::make_unique<BatchCollector>(config, source, metrics, log.logger(), clock);
    }
    return *collector;
  }
  void ProbeMany(const std::string& prefix, int n) {
    for (int i = 0; i < n; ++i) {
      REQUIRE(Collector().Probe(prefix + std::to_string(i), Far()).outcome == ProbeOutcome::kOk);
    }
  }
};

}  // namespace

TEST_CASE("a probe flood neither evicts nor re-requests tracked batches",
          "[unit][collect][collector][probe][bounds]") {
  UnlistedRig rig;
  rig.config.batches = {{"done", {}}, {"limited", {}}};
  rig.source.SetBatch("done", "completed");
  rig.source.SetError("limited", FetchError::kRateLimited, 429, hours(1));
  rig.Collector().Collect(Far());

  rig.ProbeMany("random-", 20100);
  rig.clock.Advance(minutes(1));
  const auto own = rig.Collector().CollectBatches(Far()).other;
  CHECK(rig.source.Requests("done") == 1);     // still from the cache
  CHECK(rig.source.Requests("limited") == 1);  // still under Retry-After
  CHECK(FamilyValue(own, "anchorbrowser_exporter_probe_unlisted_state_entries") == 100);
  CHECK(FamilyValue(own, "anchorbrowser_exporter_probe_unlisted_state_limit") == 100);
  CHECK(FamilyValue(own, "anchorbrowser_exporter_probe_unlisted_state_evictions_total") == 20000);
  CHECK(FamilyValue(own, "anchorbrowser_exporter_tracked_state_entries") == 2);
  // Fault history only for the tracked batches.
  CHECK(rig.Collector().FaultHistorySize() == 2);
}

TEST_CASE("failed unlisted probes log one line per reason per minute, counters count each",
          "[unit][collect][collector][probe][log]") {
  UnlistedRig rig;
  rig.source.SetError("slow", FetchError::kServerError, 503);
  rig.ProbeMany("gone-", 500);  // unknown to the API: 404
  rig.Collector().Probe("slow", Far());
  CHECK(rig.log.Lines("probes of unlisted batches failed") == 2);
  CHECK(rig.log.Lines("reason=not_found probes=1 ") == 1);
  CHECK(rig.log.Lines("reason=server_error probes=1 ") == 1);
  CHECK(FamilyValue(rig.metrics.Collect(), "anchorbrowser_exporter_fetch_errors_total",
                    {{"reason", "not_found"}}) == 500);

  rig.clock.Advance(seconds(59));
  rig.ProbeMany("more-", 10);
  CHECK(rig.log.Lines("probes of unlisted batches failed") == 2);
  rig.clock.Advance(seconds(1));
  rig.Collector().Probe("last", Far());
  CHECK(rig.log.Lines("probes of unlisted batches failed") == 3);
  CHECK(rig.log.Lines("reason=not_found probes=510 ") == 1);  // 499 + 10 held back, and this
  CHECK(rig.log.Lines("batch fetch failed") == 0);            // no per-id lines
  CHECK(FamilyValue(rig.metrics.Collect(), "anchorbrowser_exporter_fetch_errors_total",
                    {{"reason", "not_found"}}) == 511);
}

TEST_CASE("fault history is pruned to the tracked batches", "[unit][collect][collector][bounds]") {
  UnlistedRig rig;
  rig.config.discovery.enabled = true;
  rig.config.discovery.statuses = {"processing"};
  rig.config.discovery.refresh_interval = minutes(1);
  rig.source.SetListed({{"found-0", "processing"}, {"found-1", "processing"}});
  rig.source.SetError("found-0", FetchError::kServerError, 500);
  rig.source.SetBatch("found-1", "processing");
  rig.Collector().Collect(Far());
  CHECK(rig.Collector().FaultHistorySize() == 2);
  CHECK(rig.Collector().TrackedBatches().size() == 2);

  // found-0 finished and left the list; once seen finished it is dropped, and its history too.
  rig.source.SetListed({{"found-1", "processing"}});
  rig.source.SetBatch("found-0", "completed");
  for (int refresh = 0; refresh < 2; ++refresh) {
    rig.clock.Advance(minutes(1));
    const auto now = rig.clock.SystemNow();
    REQUIRE(anchor::test::WaitFor([&] {
      rig.Collector().RefreshDiscovery(Far());
      return rig.Collector().DiscoveryStatus()->last_success == now;
    }));
    rig.Collector().Collect(Far());
  }
  CHECK(rig.Collector().TrackedBatches().size() == 1);
  CHECK(rig.Collector().FaultHistorySize() == 1);
  const auto own = rig.Collector().CollectBatches(Far()).other;
  CHECK(FamilyValue(own, "anchorbrowser_exporter_tracked_state_entries") == 1);
}

// BatchDiscovery called directly: an in-memory list instead of the API, a clock the test moves
// instead of sleeps.
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "anchor/timestamp.h"
#include "collect/batch_discovery.h"
#include "collect/self_metrics.h"
#include "support/fake_batch_source.h"
#include "support/log_capture.h"
#include "support/manual_clock.h"
#include "support/metric_families.h"
#include "support/wait_for.h"

using anchor::BatchDiscovery;
using anchor::FetchError;
using anchor::test::FakeBatchSource;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

anchor::Deadline Far() { return std::chrono::steady_clock::now() + seconds(30); }

// Discovery over a fake list on a manual clock; set `config` before the first Discovery().
struct DiscoveryRig {
  anchor::test::ManualClock clock;
  FakeBatchSource source;
  anchor::DiscoveryConfig config;
  anchor::SelfMetrics metrics;
  anchor::test::LogCapture log;
  std::mutex finished_mu;
  std::set<std::string> finished;  // what the exporter has "seen finished"
  std::unique_ptr<BatchDiscovery> discovery;

  DiscoveryRig() {
    config.enabled = true;
    config.statuses = {"processing"};
    config.refresh_interval = minutes(1);
  }
  BatchDiscovery& Discovery() {
    if (!discovery) {
      discovery = std::make_unique<BatchDiscovery>(
          source, config, /*max_concurrency=*/4, /*request_timeout=*/seconds(5), metrics,
          log.logger(),
          [this](const std::string& id) {
            std::lock_guard<std::mutex> lock(finished_mu);
            return finished.count(id) != 0;
          },
          clock);
    }
    return *discovery;
  }
  void Finish(const std::string& id) {
    std::lock_guard<std::mutex> lock(finished_mu);
    finished.insert(id);
  }
  // Starts the refresh that is due and waits until it has recorded its outcome. Refreshes run
  // in the background: Current() starts one only once the one before has ended, so it is asked
  // again until it has.
  void Refresh() {
    const auto now = clock.SystemNow();
    REQUIRE(anchor::test::WaitFor([&] {
      Discovery().Current(Far());
      const auto status = Discovery().GetStatus();
      return status.last_success == now || status.last_failure == now;
    }));
  }
};

std::vector<FakeBatchSource::Listed> Processing(int n, const std::string& prefix = "found-") {
  std::vector<FakeBatchSource::Listed> out;
  out.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) out.push_back({prefix + std::to_string(i), "processing"});
  return out;
}

}  // namespace

TEST_CASE("the first refresh lists every page of each status", "[unit][collect][discovery]") {
  DiscoveryRig rig;
  auto listed = Processing(250);
  for (int i = 0; i < 20; ++i) listed.push_back({"old-" + std::to_string(i), "completed"});
  rig.source.SetListed(listed);

  const auto found = rig.Discovery().Current(Far());  // waits for the first refresh
  CHECK(found.batch_ids.size() == 250);
  CHECK(found.batch_ids.front() == "found-0");
  CHECK(found.batch_ids.back() == "found-249");
  CHECK_FALSE(found.truncated);
  CHECK(rig.source.ListRequests() == 3);  // pages of 100
  CHECK(rig.Discovery().Contains("found-7"));
  CHECK_FALSE(rig.Discovery().Contains("old-1"));
  for (const auto& q : rig.source.ListQueries()) CHECK(q.status == "processing");
  const auto status = rig.Discovery().GetStatus();
  CHECK(status.count == 250);
  CHECK(status.last_success == rig.clock.SystemNow());
  CHECK_FALSE(status.last_failed);
}

TEST_CASE("the list is refreshed once refresh_interval has passed", "[unit][collect][discovery]") {
  DiscoveryRig rig;
  rig.source.SetListed(Processing(2));
  rig.Discovery().Current(Far());
  CHECK(rig.source.ListRequests() == 1);

  rig.clock.Advance(seconds(59));
  CHECK(rig.Discovery().Current(Far()).batch_ids.size() == 2);
  rig.source.SetListed(Processing(3));
  rig.clock.Advance(seconds(1));
  rig.Refresh();
  CHECK(rig.source.ListRequests() == 2);  // none at 59 s, one at 60 s
  CHECK(rig.Discovery().Known().size() == 3);
  // Not again before the next interval.
  rig.Discovery().Current(Far());
  rig.clock.Advance(seconds(59));
  rig.Discovery().Current(Far());
  rig.clock.Advance(seconds(1));
  rig.Refresh();
  CHECK(rig.source.ListRequests() == 3);
}

TEST_CASE("a failed refresh keeps the list it had", "[unit][collect][discovery]") {
  DiscoveryRig rig;
  rig.source.SetListed(Processing(2));
  CHECK(rig.Discovery().Current(Far()).batch_ids.size() == 2);

  rig.source.SetListError(FetchError::kUnauthorized, 401);
  rig.clock.Advance(minutes(1));
  rig.Refresh();
  CHECK(rig.Discovery().Current(Far()).batch_ids.size() == 2);
  const auto status = rig.Discovery().GetStatus();
  CHECK(status.last_failed);
  CHECK(status.last_failure == rig.clock.SystemNow());
  CHECK(status.last_error.find("unauthorized") == 0);
  CHECK(status.count == 2);
  CHECK(anchor::test::FamilyValue(rig.metrics.Collect(),
                                  "anchorbrowser_exporter_discovery_errors_total",
                                  {{"reason", "unauthorized"}}) == 1.0);
  // Logged right after the outcome is recorded.
  REQUIRE(anchor::test::WaitFor(
      [&] { return rig.log.Lines("batch discovery failed; keeping the previous list") > 0; }));
  CHECK(rig.log.Lines("batch discovery failed; keeping the previous list") == 1);

  rig.source.SetListError(FetchError::kNone);
  rig.source.SetListed(Processing(5));
  rig.clock.Advance(minutes(1));
  rig.Refresh();
  CHECK(rig.Discovery().Known().size() == 5);
  CHECK_FALSE(rig.Discovery().GetStatus().last_failed);
}

TEST_CASE("a 429 of the list holds the next refresh back by its Retry-After on the clock",
          "[unit][collect][discovery][ratelimit]") {
  DiscoveryRig rig;
  rig.source.SetListed(Processing(2));
  rig.Discovery().Current(Far());
  rig.source.SetListError(FetchError::kRateLimited, 429, minutes(5));
  rig.clock.Advance(minutes(1));
  rig.Refresh();
  CHECK(rig.source.ListRequests() == 2);

  // Not at the next refresh_interval: the wait runs from the 429, on the injected clock.
  rig.source.SetListError(FetchError::kNone);
  rig.clock.Advance(minutes(5) - seconds(1));
  rig.Discovery().Current(Far());
  CHECK(rig.source.ListRequests() == 2);
  rig.clock.Advance(seconds(1));
  rig.Refresh();
  CHECK(rig.source.ListRequests() == 3);
}

TEST_CASE("discovery logs when it starts failing, changes reason and recovers, not each refresh",
          "[unit][collect][discovery]") {
  DiscoveryRig rig;
  rig.source.SetListed(Processing(2));
  rig.Discovery().Current(Far());
  const std::string failed = "batch discovery failed; keeping the previous list";
  auto refresh_after_a_minute = [&] {
    rig.clock.Advance(minutes(1));
    rig.Refresh();
  };

  rig.source.SetListError(FetchError::kServerError, 503);
  refresh_after_a_minute();
  refresh_after_a_minute();
  refresh_after_a_minute();
  CHECK(rig.log.Lines(failed) == 1);
  CHECK(anchor::test::FamilyValue(rig.metrics.Collect(),
                                  "anchorbrowser_exporter_discovery_errors_total",
                                  {{"reason", "server_error"}}) == 3.0);  // each one counted

  rig.source.SetListError(FetchError::kUnauthorized, 401);
  refresh_after_a_minute();
  refresh_after_a_minute();
  CHECK(rig.log.Lines(failed) == 2);
  CHECK(rig.log.Lines("batch discovery recovered") == 0);

  rig.source.SetListError(FetchError::kNone);
  refresh_after_a_minute();
  refresh_after_a_minute();
  CHECK(rig.log.Lines("batch discovery recovered") == 1);
  CHECK(rig.log.Lines(failed) == 2);
  CHECK_FALSE(rig.Discovery().GetStatus().last_failed);
}

TEST_CASE("a batch that leaves the list stays until the exporter has seen it finished",
          "[unit][collect][discovery]") {
  DiscoveryRig rig;
  rig.source.SetListed(Processing(2));  // found-0, found-1
  rig.Discovery().Current(Far());
  rig.source.SetListed({{"found-1", "processing"}});

  rig.clock.Advance(minutes(1));
  rig.Refresh();
  CHECK(rig.Discovery().Known() == std::vector<std::string>{"found-1", "found-0"});

  rig.Finish("found-0");
  rig.clock.Advance(minutes(1));
  rig.Refresh();
  CHECK(rig.Discovery().Known() == std::vector<std::string>{"found-1"});
}

TEST_CASE("a refresh stops at discovery.max_batches and says so", "[unit][collect][discovery]") {
  DiscoveryRig rig;
  rig.config.max_batches = 120;
  rig.source.SetListed(Processing(250));
  const auto found = rig.Discovery().Current(Far());
  CHECK(found.batch_ids.size() == 120);
  CHECK(found.truncated);
  CHECK(rig.Discovery().GetStatus().truncated);
  CHECK(rig.source.ListRequests() == 2);  // the third page cannot fit
  CHECK(rig.log.Lines("max_batches cut the list") == 1);

  SECTION("batches kept because they were not seen finished count against the cap too") {
    rig.source.SetListed(Processing(120, "new-"));
    rig.clock.Advance(minutes(1));
    rig.Refresh();
    CHECK(rig.Discovery().Known().size() == 120);
    CHECK(rig.Discovery().GetStatus().truncated);
    CHECK(rig.log.Lines("max_batches cut the list") == 2);
  }
}

TEST_CASE("discovery.created_within bounds the list by the clock", "[unit][collect][discovery]") {
  DiscoveryRig rig;
  rig.config.created_within = hours(24);
  rig.source.SetListed(Processing(1));
  rig.Discovery().Current(Far());
  const auto since = rig.clock.SystemNow() - hours(24);
  const auto queries = rig.source.ListQueries();
  REQUIRE(queries.size() == 1);
  CHECK(queries[0].created_after ==
        anchor::FormatRfc3339(std::chrono::duration<double>(since.time_since_epoch()).count()));
}

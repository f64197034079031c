// The bounds of BatchFetcher's state: tracked batches (sized by the tracked set, never evicted)
// apart from probe-only ids (an LRU of probe.max_unlisted_state). An in-memory source and a clock
// the test moves; only deadlines are real time.
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "collect/batch_fetcher.h"
#include "collect/self_metrics.h"
#include "support/fake_batch_source.h"
#include "support/log_capture.h"
#include "support/manual_clock.h"

using anchor::BatchFetcher;
using anchor::FetchError;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

anchor::Deadline Far() { return std::chrono::steady_clock::now() + seconds(30); }
anchor::Deadline Soon() { return std::chrono::steady_clock::now() + milliseconds(100); }

struct BoundsRig {
  anchor::test::ManualClock clock;
  anchor::test::FakeBatchSource source;
  anchor::AnchorConfig anchor;
  anchor::CacheConfig cache;
  size_t max_unlisted = 100;
  anchor::SelfMetrics metrics;
  anchor::test::LogCapture log{anchor::LogLevel::kInfo};
  std::unique_ptr<BatchFetcher> fetcher;

  BatchFetcher& Fetcher() {
    if (!fetcher) {
      fetcher = std::make_unique<BatchFetcher>(source, anchor, cache, metrics, log.logger(), clock,
                                               max_unlisted);
    }
    return *fetcher;
  }
  BatchFetcher::ResultPtr Probe(const std::string& id) {
    return Fetcher().FetchUnlisted(id, Far());
  }
};

std::vector<std::string> Ids(const std::string& prefix, int n) {
  std::vector<std::string> ids;
  ids.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) ids.push_back(prefix + std::to_string(i));
  return ids;
}

}  // namespace

TEST_CASE("a flood of distinct unlisted probes stays within the budget and evicts no tracked batch",
          "[unit][collect][fetcher][bounds]") {
  BoundsRig rig;
  rig.source.SetBatch("done", "completed");
  rig.source.SetError("limited", FetchError::kRateLimited, 429, hours(1));
  const std::vector<std::string> tracked = {"done", "limited"};
  rig.Fetcher().Track(tracked);
  rig.Fetcher().FetchAll(tracked, Far());
  REQUIRE(rig.source.TotalRequests() == 2);

  // Budget + 20,000 random ids, each probed once (unknown to the API: 404).
  const int flood = static_cast<int>(rig.max_unlisted) + 20000;
  for (const auto& id : Ids("random-", flood)) rig.Probe(id);
  CHECK(rig.source.TotalRequests() == 2 + flood);
  const auto stats = rig.Fetcher().GetStats();
  CHECK(stats.unlisted == rig.max_unlisted);
  CHECK(stats.unlisted_limit == rig.max_unlisted);
  CHECK(stats.unlisted_evictions == 20000);
  CHECK(stats.tracked == 2);

  // The next scrape: the finished batch from the cache, the limited one still held back.
  rig.clock.Advance(minutes(1));
  const auto results = rig.Fetcher().FetchAll(tracked, Far());
  CHECK(results[0]->ok());
  CHECK(results[1]->error == FetchError::kRateLimited);
  CHECK(rig.source.Requests("done") == 1);
  CHECK(rig.source.Requests("limited") == 1);

  rig.clock.Advance(hours(1) - minutes(1) - seconds(1));
  rig.Fetcher().FetchAll(tracked, Far());
  CHECK(rig.source.Requests("limited") == 1);
  rig.clock.Advance(seconds(1));
  rig.Fetcher().FetchAll(tracked, Far());
  CHECK(rig.source.Requests("limited") == 2);  // Retry-After over: asked again
}

TEST_CASE("tracked finished batches are all served from cache, however many (no cliff)",
          "[unit][collect][fetcher][bounds]") {
  const int n = GENERATE(25000, 50000);
  BoundsRig rig;
  const auto ids = Ids("b-", n);
  for (const auto& id : ids) rig.source.SetBatch(id, "completed");
  rig.Fetcher().Track(ids);
  rig.Fetcher().FetchAll(ids, Far());
  REQUIRE(rig.source.TotalRequests() == n);
  CHECK(rig.Fetcher().GetStats().tracked == static_cast<size_t>(n));

  rig.clock.Advance(minutes(1));
  rig.Fetcher().Track(ids);
  const auto again = rig.Fetcher().FetchAll(ids, Far());
  CHECK(rig.source.TotalRequests() == n);  // 0 requests on the second collection
  int ok = 0;
  for (const auto& r : again) ok += r->ok();
  CHECK(ok == n);
  CHECK(rig.log.Lines("very many tracked batches") == 0);  // 50,000 is the threshold
}

TEST_CASE("a tracked set above the threshold is logged once", "[unit][collect][fetcher][bounds]") {
  BoundsRig rig;
  const auto ids = Ids("b-", static_cast<int>(BatchFetcher::kLargeTrackedSet) + 1);
  rig.Fetcher().Track(ids);
  rig.Fetcher().Track(ids);
  CHECK(rig.log.Lines("very many tracked batches") == 1);
  CHECK(rig.log.Lines("tracked=50001") == 1);
}

TEST_CASE("batches that stop being tracked are released, probed ones that become tracked move",
          "[unit][collect][fetcher][bounds]") {
  BoundsRig rig;
  for (const auto& id : {"a", "b", "c"}) rig.source.SetBatch(id, "completed");
  rig.Fetcher().Track({"a", "b"});
  rig.Fetcher().FetchAll({"a", "b"}, Far());
  rig.Probe("c");
  CHECK(rig.Fetcher().GetStats().tracked == 2);
  CHECK(rig.Fetcher().GetStats().unlisted == 1);

  // Discovery dropped b and found c (which a probe had fetched).
  rig.Fetcher().Track({"a", "c"});
  const auto stats = rig.Fetcher().GetStats();
  CHECK(stats.tracked == 2);
  CHECK(stats.unlisted == 0);
  CHECK(rig.Fetcher().State("b").last == nullptr);
  CHECK(rig.Fetcher().State("c").last != nullptr);
  rig.Fetcher().FetchAll({"a", "c"}, Far());
  CHECK(rig.source.TotalRequests() == 3);  // c's probe answer is the tracked cache now
}

TEST_CASE("an unlisted id is requested at most once a second (or cache.min_interval)",
          "[unit][collect][fetcher][bounds]") {
  BoundsRig rig;
  rig.source.SetBatch("seen", "processing");  // not finished: a tracked batch is not cached

  SECTION("answers and errors alike") {
    for (int i = 0; i < 10; ++i) rig.Probe("seen");
    for (int i = 0; i < 10; ++i) CHECK(rig.Probe("unknown")->error == FetchError::kNotFound);
    CHECK(rig.source.Requests("seen") == 1);
    CHECK(rig.source.Requests("unknown") == 1);
    rig.clock.Advance(milliseconds(999));
    rig.Probe("seen");
    CHECK(rig.source.Requests("seen") == 1);
    rig.clock.Advance(milliseconds(1));
    rig.Probe("seen");
    rig.Probe("unknown");
    CHECK(rig.source.Requests("seen") == 2);
    CHECK(rig.source.Requests("unknown") == 2);
  }
  SECTION("a longer cache.min_interval wins") {
    rig.cache.min_interval = seconds(5);
    rig.Probe("unknown");
    rig.clock.Advance(seconds(4));
    rig.Probe("unknown");
    CHECK(rig.source.Requests("unknown") == 1);
    rig.clock.Advance(seconds(1));
    rig.Probe("unknown");
    CHECK(rig.source.Requests("unknown") == 2);
  }
}

TEST_CASE("anchor.max_requests_per_second holds across distinct unlisted ids",
          "[unit][collect][fetcher][bounds][ratelimit]") {
  BoundsRig rig;
  rig.anchor.max_requests_per_second = 2;
  // On a clock that stands still the bucket holds one token: one request, whatever the ids.
  int limited = 0;
  for (const auto& id : Ids("x-", 10)) {
    limited += rig.Fetcher().FetchUnlisted(id, Soon())->error == FetchError::kRateLimited;
  }
  CHECK(rig.source.TotalRequests() == 1);
  CHECK(limited == 9);
  // A second later the bucket holds two: two more requests.
  rig.clock.Advance(seconds(1));
  for (const auto& id : Ids("y-", 10)) rig.Fetcher().FetchUnlisted(id, Soon());
  CHECK(rig.source.TotalRequests() == 3);
}

TEST_CASE("a 429 for an unlisted id is honoured, even once its state was evicted",
          "[unit][collect][fetcher][bounds][ratelimit]") {
  BoundsRig rig;
  rig.max_unlisted = 2;
  rig.source.SetError("hot", FetchError::kRateLimited, 429, seconds(60));
  CHECK(rig.Probe("hot")->error == FetchError::kRateLimited);
  rig.clock.Advance(seconds(2));
  rig.Probe("hot");
  CHECK(rig.source.Requests("hot") == 1);

  for (const auto& id : Ids("evict-", 3)) rig.Probe(id);  // pushes "hot" out
  CHECK(rig.Fetcher().State("hot").last == nullptr);
  const auto held = rig.Probe("hot");
  CHECK(held->error == FetchError::kRateLimited);
  CHECK(held->detail.find("waiting for Retry-After") != std::string::npos);
  CHECK(rig.source.Requests("hot") == 1);

  rig.clock.Advance(seconds(58));
  rig.source.SetBatch("hot", "processing");
  CHECK(rig.Probe("hot")->ok());
  CHECK(rig.source.Requests("hot") == 2);
}

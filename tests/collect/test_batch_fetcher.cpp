// BatchFetcher called directly: an in-memory source instead of the API, a clock the test moves
// instead of sleeps. Only deadlines are real time (they bound requests).
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "collect/batch_fetcher.h"
#include "collect/self_metrics.h"
#include "support/fake_batch_source.h"
#include "support/log_capture.h"
#include "support/manual_clock.h"
#include "support/metric_families.h"

using anchor::BatchFetcher;
using anchor::FetchError;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

// Never reached by a test that passes.
anchor::Deadline Far() { return std::chrono::steady_clock::now() + seconds(30); }
// For fetches that must give up: as short as the test can afford.
anchor::Deadline Soon() { return std::chrono::steady_clock::now() + milliseconds(100); }

// A fetcher over a fake source on a manual clock; set the configs before the first Fetcher().
struct FetcherRig {
  anchor::test::ManualClock clock;
  anchor::test::FakeBatchSource source;
  anchor::AnchorConfig anchor;
  anchor::CacheConfig cache;
  anchor::SelfMetrics metrics;
  anchor::test::LogCapture log;
  std::unique_ptr<BatchFetcher> fetcher;

  BatchFetcher& Fetcher() {
    if (!fetcher) {
      fetcher = std::make_unique<BatchFetcher>(source, anchor, cache, metrics, log.logger(), clock);
    }
    return *fetcher;
  }
  BatchFetcher::ResultPtr Fetch(const std::string& id) {
    return Fetcher().FetchAll({id}, Far())[0];
  }
  double CacheHits() const {
    return anchor::test::FamilyValue(metrics.Collect(), "anchorbrowser_exporter_cache_hits_total")
        .value_or(-1);
  }
};

int Count(const std::vector<BatchFetcher::ResultPtr>& results, FetchError error) {
  int n = 0;
  for (const auto& r : results) n += r->error == error;
  return n;
}

}  // namespace

TEST_CASE("a fetch while the batch's request runs shares it and sends none of its own",
          "[unit][collect][fetcher]") {
  FetcherRig rig;
  rig.source.SetBatch("c0", "processing");
  rig.source.Hold("c0");
  BatchFetcher::ResultPtr first;
  std::thread requester([&] { first = rig.Fetch("c0"); });
  CHECK(rig.source.WaitForRequests("c0", 1));  // CHECK: the thread must be joined either way
  CHECK(rig.Fetcher().State("c0").in_flight);

  // Seven more, each waiting on the one request until its own deadline.
  std::vector<BatchFetcher::ResultPtr> shared(7);
  std::vector<std::thread> scrapes;
  scrapes.reserve(shared.size());
  for (auto& result : shared) {
    scrapes.emplace_back([&] { result = rig.Fetcher().FetchAll({"c0"}, Soon())[0]; });
  }
  for (auto& t : scrapes) t.join();
  for (const auto& result : shared) {
    CHECK(result->error == FetchError::kTimeout);
    CHECK(result->detail == "shared request still running at the deadline");
  }
  CHECK(rig.source.Requests("c0") == 1);

  rig.source.Release("c0");
  requester.join();
  CHECK(first->ok());
  CHECK(rig.source.Requests("c0") == 1);
  CHECK_FALSE(rig.Fetcher().State("c0").in_flight);
}

TEST_CASE("terminal batches are served from cache within terminal_ttl",
          "[unit][collect][fetcher][cache]") {
  FetcherRig rig;
  rig.source.SetBatch("done", "completed");
  rig.source.SetBatch("active", "processing");
  std::vector<BatchFetcher::ResultPtr> results;
  for (int i = 0; i < 20; ++i) results = rig.Fetcher().FetchAll({"done", "active"}, Far());
  CHECK(rig.source.Requests("done") == 1);
  CHECK(rig.source.Requests("active") == 20);
  CHECK(rig.CacheHits() == 19.0);
  REQUIRE(results[0]->ok());
  CHECK(results[0]->batch->status == "completed");

  SECTION("until terminal_ttl has passed since the answer") {
    rig.clock.Advance(rig.cache.terminal_ttl - seconds(1));  // 5 min by default
    CHECK(rig.Fetch("done") == results[0]);
    CHECK(rig.source.Requests("done") == 1);
    rig.clock.Advance(seconds(1));
    CHECK(rig.Fetch("done") != results[0]);
    CHECK(rig.source.Requests("done") == 2);
  }
}

TEST_CASE("min_interval holds active batches too, terminal_ttl 0 turns caching off",
          "[unit][collect][fetcher][cache]") {
  FetcherRig rig;
  rig.cache.min_interval = minutes(1);
  rig.cache.terminal_ttl = milliseconds(0);
  rig.source.SetBatch("active", "processing");
  rig.source.SetBatch("done", "completed");
  const auto first = rig.Fetch("active");
  for (int i = 0; i < 4; ++i) CHECK(rig.Fetch("active") == first);
  CHECK(rig.source.Requests("active") == 1);

  rig.clock.Advance(seconds(59));
  CHECK(rig.Fetch("active") == first);
  rig.clock.Advance(seconds(1));
  CHECK(rig.Fetch("active") != first);
  CHECK(rig.source.Requests("active") == 2);

  // Past min_interval a finished batch is asked again: terminal_ttl 0 does not hold it.
  rig.Fetch("done");
  rig.clock.Advance(minutes(1));
  rig.Fetch("done");
  CHECK(rig.source.Requests("done") == 2);
}

TEST_CASE("failed fetches are not cached", "[unit][collect][fetcher][cache]") {
  FetcherRig rig;
  rig.cache.min_interval = minutes(1);
  rig.source.SetError("flaky", FetchError::kServerError, 500);
  CHECK_FALSE(rig.Fetch("flaky")->ok());
  rig.source.SetBatch("flaky", "processing");
  CHECK(rig.Fetch("flaky")->ok());
  CHECK(rig.source.Requests("flaky") == 2);
  CHECK(rig.CacheHits() == 0.0);
}

TEST_CASE("a 429's Retry-After holds the batch back until it passes, at most an hour",
          "[unit][collect][fetcher][ratelimit]") {
  FetcherRig rig;
  rig.source.SetError("limited", FetchError::kRateLimited, 429, seconds(1));
  rig.source.SetBatch("other", "processing");
  auto results = rig.Fetcher().FetchAll({"limited", "other"}, Far());
  CHECK(results[0]->error == FetchError::kRateLimited);
  CHECK(results[1]->ok());
  CHECK(rig.source.Requests("limited") == 1);
  CHECK(rig.Fetcher().State("limited").retry_after == rig.clock.SystemNow() + seconds(1));

  // Within Retry-After the API is not asked; the answer says so.
  results = rig.Fetcher().FetchAll({"limited", "other"}, Far());
  CHECK(results[0]->error == FetchError::kRateLimited);
  CHECK(results[0]->http_status == 429);
  CHECK(results[0]->detail.find("waiting for Retry-After") != std::string::npos);
  CHECK(rig.source.Requests("limited") == 1);
  CHECK(rig.source.Requests("other") == 2);

  rig.source.SetBatch("limited", "processing");
  rig.clock.Advance(milliseconds(999));
  CHECK(rig.Fetch("limited")->error == FetchError::kRateLimited);
  CHECK(rig.source.Requests("limited") == 1);
  rig.clock.Advance(milliseconds(1));
  CHECK(rig.Fetch("limited")->ok());
  CHECK(rig.source.Requests("limited") == 2);

  SECTION("a Retry-After of days is taken as an hour") {
    rig.source.SetError("silenced", FetchError::kRateLimited, 429, hours(72));
    rig.Fetch("silenced");
    CHECK(rig.Fetcher().State("silenced").retry_after == rig.clock.SystemNow() + hours(1));
    rig.source.SetBatch("silenced", "processing");
    rig.clock.Advance(hours(1) - seconds(1));
    CHECK_FALSE(rig.Fetch("silenced")->ok());
    rig.clock.Advance(seconds(1));
    CHECK(rig.Fetch("silenced")->ok());
    CHECK(rig.source.Requests("silenced") == 2);
  }
}

TEST_CASE("Retry-After is a wait the fetcher anchors on its clock when the answer arrives",
          "[unit][collect][fetcher][ratelimit]") {
  FetcherRig rig;
  // A month away from the real time: a wait anchored on the wall clock would be long over, or
  // a month too long.
  rig.clock.Advance(hours(24 * 30));
  rig.source.SetError("limited", FetchError::kRateLimited, 429, seconds(30));
  rig.source.Hold("limited");
  BatchFetcher::ResultPtr first;
  std::thread requester([&] { first = rig.Fetch("limited"); });
  REQUIRE(rig.source.WaitForRequests("limited", 1));
  rig.clock.Advance(seconds(10));  // the API takes its time: the wait starts at its answer
  rig.source.Release("limited");
  requester.join();
  CHECK(first->error == FetchError::kRateLimited);
  CHECK(rig.Fetcher().State("limited").retry_after == rig.clock.SystemNow() + seconds(30));

  rig.source.SetBatch("limited", "processing");
  rig.clock.Advance(seconds(29));
  CHECK(rig.Fetch("limited")->error == FetchError::kRateLimited);
  CHECK(rig.source.Requests("limited") == 1);
  rig.clock.Advance(seconds(1));
  CHECK(rig.Fetch("limited")->ok());
  CHECK(rig.source.Requests("limited") == 2);
}

TEST_CASE("max_requests_per_second caps the request rate", "[unit][collect][fetcher][ratelimit]") {
  FetcherRig rig;
  rig.anchor.max_requests_per_second = 2;
  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i) {
    ids.push_back("r" + std::to_string(i));
    rig.source.SetBatch(ids.back(), "processing");
  }

  SECTION("on a clock that stands still, one token: one request") {
    const auto results = rig.Fetcher().FetchAll(ids, Soon());
    CHECK(rig.source.TotalRequests() == 1);
    CHECK(Count(results, FetchError::kRateLimited) == 5);
    for (const auto& r : results) {
      if (!r->ok()) {
        CHECK(r->detail == "anchor.max_requests_per_second left no request before the deadline");
      }
    }
  }

  SECTION("a token every 1/max_requests_per_second seconds") {
    // Held requests keep their slots: only the clock can wake the fetches waiting for a token.
    for (const auto& id : ids) rig.source.Hold(id);
    std::vector<BatchFetcher::ResultPtr> results;
    std::thread scrape([&] { results = rig.Fetcher().FetchAll(ids, Far()); });
    for (int sent = 1; sent <= 6; ++sent) {
      const bool sent_in_time = rig.source.WaitForTotalRequests(sent);
      CHECK(sent_in_time);
      if (!sent_in_time) break;                   // and join the scrape below
      CHECK(rig.source.TotalRequests() == sent);  // no request before its token
      if (sent < 6) rig.clock.Advance(milliseconds(500));
    }
    for (const auto& id : ids) rig.source.Release(id);
    scrape.join();
    CHECK(Count(results, FetchError::kNone) == 6);
  }

  SECTION("an idle bucket fills up to one second's worth") {
    rig.Fetch("r0");
    rig.clock.Advance(seconds(10));
    rig.Fetcher().FetchAll({"r1", "r2", "r3", "r4"}, Soon());
    CHECK(rig.source.TotalRequests() == 3);  // r0, then a burst of 2
  }
}

TEST_CASE("at most max_concurrency requests run at once", "[unit][collect][fetcher]") {
  FetcherRig rig;
  rig.anchor.max_concurrency = 3;
  std::vector<std::string> ids;
  for (int i = 0; i < 10; ++i) {
    ids.push_back("b" + std::to_string(i));
    rig.source.SetBatch(ids.back(), "processing");
    rig.source.Hold(ids.back());
  }
  std::vector<BatchFetcher::ResultPtr> results;
  std::thread scrape([&] { results = rig.Fetcher().FetchAll(ids, Far()); });
  CHECK(rig.source.WaitForTotalRequests(3));
  CHECK(rig.source.TotalRequests() == 3);  // the others wait for a slot
  for (const auto& id : ids) rig.source.Release(id);
  scrape.join();
  CHECK(rig.source.TotalRequests() == 10);
  CHECK(rig.source.PeakInFlight() == 3);
  CHECK(Count(results, FetchError::kNone) == 10);
}

TEST_CASE("batches that answered last time are requested before new and timed-out ones",
          "[unit][collect][fetcher]") {
  FetcherRig rig;
  rig.anchor.max_concurrency = 1;  // one worker: requests go out in the fetcher's order
  for (const char* id : {"healthy", "new", "stuck"}) rig.source.SetBatch(id, "processing");
  rig.Fetch("healthy");
  rig.source.Hold("stuck");
  CHECK(rig.Fetcher().FetchAll({"stuck"}, Soon())[0]->error == FetchError::kTimeout);
  rig.source.Release("stuck");

  rig.Fetcher().FetchAll({"stuck", "new", "healthy"}, Far());
  const auto log = rig.source.RequestLog();
  REQUIRE(log.size() == 5);
  CHECK(std::vector<std::string>(log.begin() + 2, log.end()) ==
        std::vector<std::string>{"healthy", "new", "stuck"});
}

TEST_CASE("hung batches holding every request slot starve no healthy batch",
          "[unit][collect][fetcher]") {
  FetcherRig rig;
  rig.anchor.max_concurrency = 3;
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back("hung" + std::to_string(i));
    rig.source.Hold(ids.back());  // never released: a server that never answers
  }
  std::vector<std::string> healthy;
  for (int i = 0; i < 10; ++i) {
    healthy.push_back("ok" + std::to_string(i));
    rig.source.SetBatch(healthy.back(), "processing");
    ids.push_back(healthy.back());
  }
  // Including the first scrape, when nothing is known about any batch yet.
  for (int scrape = 0; scrape < 3; ++scrape) {
    CAPTURE(scrape);
    const auto results =
        rig.Fetcher().FetchAll(ids, std::chrono::steady_clock::now() + milliseconds(200));
    for (size_t i = 3; i < ids.size(); ++i) {
      CAPTURE(ids[i]);
      CHECK(results[i]->ok());
    }
    CHECK(results[0]->error == FetchError::kTimeout);
  }
  CHECK(rig.source.Requests("ok0") == 3);  // each scrape really asked the API
}

TEST_CASE("a request that throws gives its slot back", "[unit][collect][fetcher]") {
  FetcherRig rig;
  rig.anchor.max_concurrency = 1;
  rig.source.SetThrows("b1", "observer failed");
  rig.source.SetBatch("b2", "processing");

  const auto deadline = std::chrono::steady_clock::now() + seconds(2);
  const auto first = rig.Fetcher().FetchAll({"b1"}, deadline);
  REQUIRE(first.size() == 1);
  CHECK(first[0]->error == FetchError::kConnection);
  CHECK(first[0]->detail.find("observer failed") != std::string::npos);
  CHECK_FALSE(rig.Fetcher().State("b1").in_flight);
  // With the only slot leaked this would wait for the deadline and time out.
  const auto second = rig.Fetcher().FetchAll({"b2"}, deadline);
  REQUIRE(second.size() == 1);
  CHECK(second[0]->ok());
}

TEST_CASE("State is the last answer, dated when the API gave it", "[unit][collect][fetcher]") {
  FetcherRig rig;
  rig.cache.min_interval = minutes(1);
  rig.source.SetBatch("a", "processing");
  CHECK(rig.Fetcher().State("a").last == nullptr);
  const auto answer = rig.Fetch("a");
  const auto answered_at = rig.clock.SystemNow();
  rig.clock.Advance(seconds(30));
  CHECK(rig.Fetch("a") == answer);  // from the cache: not a new answer
  const auto state = rig.Fetcher().State("a");
  CHECK(state.last == answer);
  CHECK(state.answered_at == answered_at);
  CHECK_FALSE(state.in_flight);
}

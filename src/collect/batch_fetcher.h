#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "anchor/fetch_result.h"
#include "anchor/fetch_trace.h"
#include "base/clock.h"
#include "base/system_clock.h"
#include "collect/fetch_state.h"
#include "config/config.h"

namespace anchor {

class BatchSource;
class Logger;
class SelfMetrics;

// How the fetcher answered one traced fetch (for /probe?debug=true).
struct FetchExplanation {
  bool requested = false;  // this call sent a request; `trace` describes it
  std::string source;      // where the answer came from, one line
  std::string cache;       // cache state: hit or miss, age, why
  std::string rate_limit;  // Retry-After and anchor.max_requests_per_second state
  FetchTrace trace;
};

// Decides when a batch is actually requested from the API, and keeps the API's load independent
// of how often and by how many the exporter is scraped:
// - coalescing: concurrent scrapes share one in-flight request per batch;
// - caching: a batch in a terminal status is reused for cache.terminal_ttl, any batch for
//   cache.min_interval (cached results are real responses, never invented);
// - rate limits: after a 429 the batch is not requested again before its Retry-After, and
//   anchor.max_requests_per_second caps the request rate overall;
// - concurrency: at most anchor.max_concurrency requests in flight, across all scrapes;
// - healthy batches first: a scrape requests batches that answered last time before those never
//   seen and those whose last request timed out, and while others still wait, a batch that has
//   not proven itself holds its slot for at most half the time left, so as many hung batches as
//   slots cannot make every other batch miss the deadline (not even on the first scrape).
// - probe-only ids (/probe with probe.allow_unlisted, FetchUnlisted): at most one request per id
//   per max(cache.min_interval, 1 s), whatever the answer was, on top of the rate cap above.
// It holds the one store of the last answer per batch: the collector, discovery and the landing
// page read it through State(). Tracked batches and probe-only ids are held in separate tables
// (FetchTables): the tracked one is sized by the tracked set (Track), the probe-only one by
// `max_unlisted_state` (probe.max_unlisted_state), and no probe can push a tracked batch out.
// Ages, Retry-After and the token bucket run on `clock`; deadlines are real time.
class BatchFetcher {
 public:
  using ResultPtr = std::shared_ptr<const FetchResult>;

  BatchFetcher(BatchSource& source, const AnchorConfig& anchor, const CacheConfig& cache,
               SelfMetrics& metrics, const Logger& log,
               const Clock& clock = SystemClock::Instance(),
               std::size_t max_unlisted_state = ProbeConfig{}.max_unlisted_state);
  ~BatchFetcher();
  BatchFetcher(const BatchFetcher&) = delete;
  BatchFetcher& operator=(const BatchFetcher&) = delete;

  // The tracked batches are now `ids` (configured, then discovered): the state of batches no
  // longer tracked is released. Warns once when the set exceeds kLargeTrackedSet.
  void Track(const std::vector<std::string>& ids);

  // Tracked batches: one result per id, in the order of `ids`; returns by `deadline`.
  std::vector<ResultPtr> FetchAll(const std::vector<std::string>& ids, Deadline deadline);

  // One tracked batch, like FetchAll, explaining each decision and tracing the request if one
  // is sent.
  ResultPtr FetchExplained(const std::string& id, Deadline deadline, FetchExplanation& explanation);

  // An id that is not tracked (a probe with probe.allow_unlisted); its state goes to the
  // probe-only table. With an `explanation`, as FetchExplained.
  ResultPtr FetchUnlisted(const std::string& id, Deadline deadline,
                          FetchExplanation* explanation = nullptr);

  // A tracked set larger than this is logged at warn level (about 1 KiB of state per batch).
  static constexpr std::size_t kLargeTrackedSet = 50000;
  // Probe-only ids are requested at most this often (or cache.min_interval when longer).
  static constexpr auto kUnlistedMinInterval = std::chrono::seconds(1);

  // The size of the fetcher's tables, for the exporter's own metrics.
  struct Stats {
    std::size_t tracked = 0;
    std::size_t unlisted = 0;
    std::size_t unlisted_limit = 0;
    std::uint64_t unlisted_evictions = 0;
  };
  Stats GetStats() const;

  // What the fetcher holds for a batch now, whoever asked for it (scrape, probe).
  struct BatchState {
    ResultPtr last;                           // the last answer from the API; null before the first
    Clock::System::time_point answered_at{};  // when `last` arrived
    bool in_flight = false;                   // a request runs now
    Clock::System::time_point retry_after{};  // not requested before (after a 429)
  };
  BatchState State(const std::string& id) const;

 private:
  using Entry = FetchEntry;
  enum class Scope { kTracked, kUnlisted };
  // Order of requests within a scrape: the first standing goes first.
  enum class Standing { kHealthy, kUnknown, kTimedOut };
  struct Miss {
    size_t index;  // into the ids of FetchAll
    Standing standing;
  };
  static Standing StandingOf(const Entry& entry);
  static Deadline ShareOfRemaining(Deadline deadline, double share);
  // `capped`: the request may use only part of the time left (see kUnprovenShare).
  ResultPtr FetchOne(const std::string& id, Scope scope, Deadline deadline, bool capped,
                     FetchExplanation* explanation = nullptr);
  // The answer that needs no request (cached, or held back by Retry-After); mu_ must be held.
  std::optional<ResultPtr> FromMemory(const std::string& id, const Entry& entry, Scope scope,
                                      FetchExplanation* explanation);
  FetchEntryPtr EntryFor(const std::string& id, Scope scope);
  ResultPtr Request(const std::string& id, Deadline deadline, bool capped, FetchTrace* trace);
  // A cached answer still fresh enough; `why` (when given) says why it is or is not.
  std::optional<ResultPtr> Reusable(const Entry& entry, Scope scope, Clock::Steady::time_point now,
                                    std::string* why = nullptr) const;
  std::string RateLimitState(const Entry& entry);
  void LogRequest(const std::string& id, const FetchResult& result) const;
  bool AcquireSlot(Deadline deadline);
  void ReleaseSlot();

  BatchSource& source_;
  const Clock& clock_;
  const int max_concurrency_;
  const double max_requests_per_second_;
  const CacheConfig cache_;
  SelfMetrics& metrics_;
  const Logger& log_;

  mutable std::mutex mu_;
  FetchTables tables_;                 // guarded by mu_
  bool warned_large_tracked_ = false;  // guarded by mu_

  // Request slots (max_concurrency) and the token bucket (max_requests_per_second).
  std::mutex slot_mu_;
  std::condition_variable slot_cv_;
  int in_flight_ = 0;
  double tokens_ = 1;
  Clock::Steady::time_point tokens_at_;
};

}  // namespace anchor

#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "anchor/fetch_result.h"
#include "base/clock.h"
#include "base/result.h"
#include "base/system_clock.h"
#include "config/config.h"

namespace anchor {

class BatchSource;
struct BatchListResult;
class Logger;
class SelfMetrics;

// Finds batches through the list endpoint (GET /v1/batch-sessions?status=...&page=...), at most
// once per discovery.refresh_interval, one refresh at a time. A refresh runs in the background,
// independent of any scrape's deadline, and must end within refresh_interval (or anchor.timeout
// when that is longer): after the first
// page, the other pages are fetched concurrently (up to anchor.max_concurrency), so 20,000
// batches (200 pages) take ceil(199 / C) page latencies, not 200. A failed refresh keeps the last
// list. A batch that leaves the list (it finished, so its status no longer matches) stays
// tracked until the exporter has seen it in a terminal status, so its end is exported too.
// The refresh interval and the dates of refreshes run on `clock`; a refresh's own time limit is
// real time.
class BatchDiscovery {
 public:
  // True when the exporter has seen this batch in a terminal status.
  using FinishedFn = std::function<bool(const std::string& batch_id)>;

  struct Snapshot {
    std::vector<std::string> batch_ids;
    bool truncated = false;  // discovery.max_batches cut the list
  };

  // What the landing page shows of discovery.
  struct Status {
    std::size_t count = 0;
    bool truncated = false;
    std::optional<Clock::System::time_point> last_success;
    std::optional<Clock::System::time_point> last_failure;
    std::string last_error;    // "reason: detail" of the last failed refresh; never the key
    bool last_failed = false;  // the latest refresh failed (the list is the one before)
  };

  // `request_timeout` (anchor.timeout) is the least time a refresh gets, however short
  // refresh_interval is.
  BatchDiscovery(BatchSource& source, const DiscoveryConfig& config, int max_concurrency,
                 Duration request_timeout, SelfMetrics& metrics, const Logger& log,
                 FinishedFn finished, const Clock& clock = SystemClock::Instance());
  // Waits for a refresh in progress: it stops before its next page, and the request in flight
  // ends within anchor.timeout.
  ~BatchDiscovery();
  BatchDiscovery(const BatchDiscovery&) = delete;
  BatchDiscovery& operator=(const BatchDiscovery&) = delete;

  // The discovered ids. Starts a refresh in the background when one is due; only until the
  // first refresh has ended does it wait for it (up to `deadline`), so that the first scrape
  // already sees the discovered batches.
  Snapshot Current(Deadline deadline);
  // The ids found by the last successful refresh, without refreshing.
  std::vector<std::string> Known() const;
  // Whether `batch_id` is among them (for each /probe: no copy of thousands of ids).
  bool Contains(const std::string& batch_id) const;
  // The last refresh's outcome and the size of the current list.
  Status GetStatus() const;

 private:
  void Refresh();
  // Every configured status listed by `deadline` (truncated: discovery.max_batches cut it), or
  // why not (the failure recorded by RecordFailure).
  Result<Snapshot> List(Deadline deadline);
  // Pages 2..last of one status, concurrently, in page order; the first failure otherwise.
  Result<std::vector<std::vector<std::string>>> ListPages(const std::string& status,
                                                          const std::string& created_after,
                                                          int last, Deadline deadline);
  // Counts a failed list request, records it for the landing page, logs it when the reason
  // changes, and returns it as an Error.
  Error RecordFailure(const BatchListResult& result);

  BatchSource& source_;
  const Clock& clock_;
  const DiscoveryConfig config_;
  const int max_concurrency_;
  const Duration refresh_budget_;  // how long a refresh may take
  SelfMetrics& metrics_;
  const Logger& log_;
  const FinishedFn finished_;
  std::atomic<bool> stopping_{false};

  mutable std::mutex mu_;  // guards the fields below
  std::condition_variable refreshed_cv_;
  Snapshot current_;
  std::unordered_set<std::string> current_ids_;
  Status status_;
  FetchError failing_ = FetchError::kNone;  // why refreshes fail now; kNone while they succeed
  Clock::Steady::time_point next_refresh_{};
  bool refreshing_ = false;
  int refreshes_ended_ = 0;
  std::thread worker_;  // the last refresh started
};

}  // namespace anchor

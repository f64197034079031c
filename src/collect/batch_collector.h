#pragma once

#include <prometheus/metric_family.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "base/probe_outcome.h"
#include "base/system_clock.h"
#include "collect/batch_answers.h"
#include "collect/batch_discovery.h"
#include "collect/batch_fetcher.h"
#include "config/config.h"
#include "exposition/exposition_parts.h"
#include "log/log_throttle.h"

namespace anchor {

class ApiClient;
class BatchSource;
class Logger;
class SelfMetrics;

// What the exporter holds now for one tracked batch (for the landing page), from the fetcher.
struct TrackedBatch {
  BatchTarget target;
  bool discovered = false;
  std::shared_ptr<const FetchResult> last;              // null until first fetched
  std::chrono::system_clock::time_point last_fetch{};   // when the API gave `last`
  bool in_flight = false;                               // a request for it runs now
  std::chrono::system_clock::time_point retry_after{};  // held back until (after a 429)
};

// One scrape's worth of work: fetch the tracked batches (configured, plus discovered when
// discovery is on), count what went wrong, and return the metric families. Built from one
// Config; a reload builds a new one.
class BatchCollector {
 public:
  struct ProbeResult {
    ProbeOutcome outcome = ProbeOutcome::kOk;
    std::vector<prometheus::MetricFamily> families;
    std::shared_ptr<const FetchResult> result;  // null unless status is kOk
  };

  // Reads batches from the Anchor Browser API (an ApiClient of its own).
  BatchCollector(const Config& config, SelfMetrics& metrics, const Logger& log,
                 const Clock& clock = SystemClock::Instance());
  // Reads batches from `source`, which must outlive the collector.
  BatchCollector(const Config& config, BatchSource& source, SelfMetrics& metrics, const Logger& log,
                 const Clock& clock = SystemClock::Instance());
  // Ends discovery's background refresh first: it reads what was last fetched.
  ~BatchCollector();
  BatchCollector(const BatchCollector&) = delete;
  BatchCollector& operator=(const BatchCollector&) = delete;

  // Fetches every tracked batch (ending by `deadline`): one BatchAnswer per batch, finished
  // batches first (each group in tracking order), then the exporter's own families. A batch
  // whose answer did not change since the last call is the same BatchAnswer object.
  ExpositionParts CollectBatches(Deadline deadline);
  // The same as families: the batch families followed by the exporter's own.
  std::vector<prometheus::MetricFamily> Collect(Deadline deadline);

  // Fetches one batch now (blackbox-style /probe): its series, up and fetch duration. A target
  // must be a valid id, and tracked unless probe.allow_unlisted is set. The state of an id that
  // is not tracked goes to the fetcher's probe-only table (probe.max_unlisted_state), and its
  // failures are logged aggregated: at most one line per reason per kProbeLogInterval.
  // With an `explanation`, also says how the fetch was answered and traces its request.
  ProbeResult Probe(const std::string& batch_id, Deadline deadline,
                    FetchExplanation* explanation = nullptr);

  bool IsTracked(const std::string& batch_id) const;
  // Refreshes the discovered list when due, as a scrape does (for /sd, which Prometheus polls
  // whether or not anything scrapes the telemetry path).
  void RefreshDiscovery(Deadline deadline);
  // Every tracked batch with the fetcher's current state of it.
  std::vector<TrackedBatch> TrackedBatches() const;
  // Null when discovery is off.
  std::optional<BatchDiscovery::Status> DiscoveryStatus() const;

  const Config& config() const { return config_; }
  // The clock the batches' answers are dated by.
  const Clock& clock() const { return clock_; }
  // Batches whose fault history (what the logs last said) is kept: at most the tracked ones.
  std::size_t FaultHistorySize() const;

  static constexpr auto kProbeLogInterval = std::chrono::minutes(1);

 private:
  // `own_client` (null with a `source`) is the API client the collector reads from otherwise.
  BatchCollector(const Config& config, std::unique_ptr<ApiClient> own_client, BatchSource* source,
                 SelfMetrics& metrics, const Logger& log, const Clock& clock);
  // Counts what went wrong and logs changes of the batch's state (not every failed scrape).
  void Record(const BatchTarget& target, const std::shared_ptr<const FetchResult>& result);
  void LogChange(const BatchTarget& target, const FetchResult& result);
  // Counts what went wrong with a probe of an id that is not tracked; logs it aggregated.
  void RecordUnlisted(const std::string& batch_id, const FetchResult& result);
  // Forgets the fault history of batches no longer tracked.
  void PruneFaults(const std::vector<std::string>& tracked_ids);
  // What one collection found, for its own families.
  struct ScrapeFacts {
    std::chrono::steady_clock::time_point start;
    Deadline deadline;
    std::size_t tracked = 0;  // batches exported
    bool truncated = false;   // discovery.max_batches cut the list
  };
  void AddScrapeFamilies(std::vector<prometheus::MetricFamily>& own,
                         const ScrapeFacts& scrape) const;
  // The fetcher's table sizes and bound, as the exporter's own families.
  void AddStateFamilies(std::vector<prometheus::MetricFamily>& own) const;
  // Configured targets, then discovered ones that are not configured.
  std::vector<BatchTarget> Targets(Deadline deadline, bool* truncated);
  // Whether the fetcher's last answer for the batch has a terminal status (for discovery).
  bool SeenFinished(const std::string& batch_id) const;
  const BatchTarget* Configured(const std::string& batch_id) const;

  const Config config_;
  std::unordered_map<std::string, size_t> configured_;  // id -> index in config_.batches
  SelfMetrics& metrics_;
  const Logger& log_;
  const Clock& clock_;
  const std::unique_ptr<ApiClient> own_client_;  // null when reading from a given source
  BatchSource& source_;
  BatchFetcher fetcher_;                       // holds the last answer of every batch
  BatchAnswers answers_;                       // the series of each tracked batch, by answer
  std::unique_ptr<BatchDiscovery> discovery_;  // null unless discovery.enabled

  // What the logs last said about a batch, so that only changes are logged. Not an answer
  // store: the answers are the fetcher's.
  struct FaultState {
    // The answer recorded last, by identity only: an answer reused from the cache or shared by
    // concurrent scrapes is recorded once. Does not keep the answer alive.
    std::weak_ptr<const FetchResult> recorded;
    FetchError error = FetchError::kNone;  // kNone: up (or not fetched yet)
    int failures = 0;                      // fetches failed in a row
    Clock::Steady::time_point since{};     // of the first of those failures
    std::vector<std::string> invalid_fields;
  };

  mutable std::mutex faults_mu_;
  // Guarded by faults_mu_. Tracked batches only (probes of other ids log through
  // probe_log_), pruned to the tracked set by every collection.
  std::unordered_map<std::string, FaultState> faults_;
  LogThrottle probe_log_;  // failed probes of ids that are not tracked, by reason
};

}  // namespace anchor

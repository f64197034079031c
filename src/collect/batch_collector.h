#pragma once

#include <prometheus/metric_family.h>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "anchor/api_client.h"
#include "base/probe_outcome.h"
#include "collect/batch_discovery.h"
#include "collect/batch_fetcher.h"
#include "config/config.h"

namespace anchor {

class Logger;
class SelfMetrics;

// What the exporter holds now for one tracked batch (for the landing page).
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
  using Clock = std::chrono::steady_clock;

  struct ProbeResult {
    ProbeOutcome outcome = ProbeOutcome::kOk;
    std::vector<prometheus::MetricFamily> families;
    std::shared_ptr<const FetchResult> result;  // null unless status is kOk
  };

  // One scrape's batches and the exporter's own families, before rendering. Batches in a
  // terminal status come first (in tracking order), then the others: finished batches keep
  // their answers (cache.terminal_ttl), so their text stays together and can be reused.
  struct Collection {
    std::shared_ptr<const std::vector<BatchTarget>> targets;
    std::vector<std::shared_ptr<const FetchResult>> results;  // one per target
    std::vector<prometheus::MetricFamily> own;                // the exporter's own families
    SessionHistograms histograms = SessionHistograms::kActive;
  };

  BatchCollector(const Config& config, SelfMetrics& metrics, const Logger& log);
  // Ends discovery's background refresh first: it reads what was last fetched.
  ~BatchCollector();
  BatchCollector(const BatchCollector&) = delete;
  BatchCollector& operator=(const BatchCollector&) = delete;

  // Fetches every tracked batch (ending by `deadline`).
  Collection CollectBatches(Clock::time_point deadline);
  // The same as families: the batch families followed by the exporter's own.
  std::vector<prometheus::MetricFamily> Collect(Clock::time_point deadline);

  // Fetches one batch now (blackbox-style /probe): its series, up and fetch duration. A target
  // must be a valid id, and tracked unless probe.allow_unlisted is set.
  // With an `explanation`, also says how the fetch was answered and traces its request.
  ProbeResult Probe(const std::string& batch_id, Clock::time_point deadline,
                    FetchExplanation* explanation = nullptr);

  bool IsTracked(const std::string& batch_id) const;
  // Refreshes the discovered list when due, as a scrape does (for /sd, which Prometheus polls
  // whether or not anything scrapes the telemetry path).
  void RefreshDiscovery(Clock::time_point deadline);
  // Every tracked batch with the fetcher's current state of it.
  std::vector<TrackedBatch> TrackedBatches() const;
  // Null when discovery is off.
  std::optional<BatchDiscovery::Status> DiscoveryStatus() const;

  const Config& config() const { return config_; }
  ApiClient& client() { return client_; }

 private:
  // Counts what went wrong and logs changes of the batch's state (not every failed scrape).
  void Record(const BatchTarget& target, const std::shared_ptr<const FetchResult>& result);
  void LogChange(const BatchTarget& target, const FetchResult& result);
  // Configured targets, then discovered ones that are not configured.
  std::vector<BatchTarget> Targets(Clock::time_point deadline, bool* truncated);
  bool SeenFinished(const std::string& batch_id) const;
  const BatchTarget* Configured(const std::string& batch_id) const;

  const Config config_;
  std::unordered_map<std::string, size_t> configured_;  // id -> index in config_.batches
  SelfMetrics& metrics_;
  const Logger& log_;
  ApiClient client_;
  BatchFetcher fetcher_;
  std::unique_ptr<BatchDiscovery> discovery_;  // null unless discovery.enabled

  // What the logs last said about a batch, so that only changes are logged.
  struct FaultState {
    FetchError error = FetchError::kNone;  // kNone: up (or not fetched yet)
    int failures = 0;                      // fetches failed in a row
    std::chrono::steady_clock::time_point since{};
    std::vector<std::string> invalid_fields;
  };

  mutable std::mutex last_mu_;
  std::map<std::string,
           std::pair<std::shared_ptr<const FetchResult>, std::chrono::system_clock::time_point>>
      last_;
  std::map<std::string, FaultState> faults_;  // guarded by last_mu_
};

}  // namespace anchor

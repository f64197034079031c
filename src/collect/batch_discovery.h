#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"

namespace anchor {

class ApiClient;
class Logger;
class SelfMetrics;

// Finds batches through the list endpoint (GET /v1/batch-sessions?status=...&page=...), at most
// once per discovery.refresh_interval, one refresh at a time. A failed refresh keeps the last
// list. A batch that leaves the list (it finished, so its status no longer matches) stays
// tracked until the exporter has seen it in a terminal status, so its end is exported too.
class BatchDiscovery {
 public:
  using Clock = std::chrono::steady_clock;
  // True when the exporter has seen this batch in a terminal status.
  using FinishedFn = std::function<bool(const std::string& batch_id)>;

  struct Snapshot {
    std::vector<std::string> batch_ids;
    bool truncated = false;  // discovery.max_batches cut the list
  };

  BatchDiscovery(ApiClient& client, const DiscoveryConfig& config, SelfMetrics& metrics,
                 const Logger& log);

  // The discovered ids, refreshed first when due (within `deadline`).
  Snapshot Current(Clock::time_point deadline, const FinishedFn& finished);
  // The ids found by the last successful refresh, without refreshing.
  std::vector<std::string> Known() const;

  // How discovery went, for the landing page.
  struct Status {
    std::size_t count = 0;
    bool truncated = false;
    std::optional<std::chrono::system_clock::time_point> last_success;
    std::optional<std::chrono::system_clock::time_point> last_failure;
    std::string last_error;    // "reason: detail" of the last failed refresh; never the key
    bool last_failed = false;  // the latest refresh failed (the list is the one before)
  };
  Status GetStatus() const;

 private:
  // Lists every configured status; false (with the reason logged and counted) on a failure.
  bool List(Clock::time_point deadline, std::vector<std::string>& ids, bool& more);

  ApiClient& client_;
  const DiscoveryConfig config_;
  SelfMetrics& metrics_;
  const Logger& log_;

  std::mutex refresh_mu_;  // held by the one refresh in progress
  mutable std::mutex mu_;  // guards the fields below
  Snapshot current_;
  Status status_;
  Clock::time_point next_refresh_{};
};

}  // namespace anchor

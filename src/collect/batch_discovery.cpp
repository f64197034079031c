#include "collect/batch_discovery.h"

#include <algorithm>
#include <set>

#include "anchor/api_client.h"
#include "anchor/timestamp.h"
#include "collect/self_metrics.h"
#include "log/logger.h"

namespace anchor {

BatchDiscovery::BatchDiscovery(ApiClient& client, const DiscoveryConfig& config,
                               SelfMetrics& metrics, const Logger& log)
    : client_(client), config_(config), metrics_(metrics), log_(log) {}

bool BatchDiscovery::List(Clock::time_point deadline, std::vector<std::string>& ids, bool& more) {
  std::set<std::string> seen;
  std::string created_after;
  if (config_.created_within.count() > 0) {
    const auto since = std::chrono::system_clock::now() - config_.created_within;
    created_after = FormatRfc3339(std::chrono::duration<double>(since.time_since_epoch()).count());
  }
  const auto cap = static_cast<size_t>(config_.max_batches);
  for (const auto& status : config_.statuses) {
    for (int page = 1;; ++page) {
      const auto result = client_.ListBatches({status, page, 100, created_after}, deadline);
      if (!result.ok()) {
        metrics_.CountDiscoveryError(result.error);
        log_.Warn("batch discovery failed; keeping the previous list",
                  {{"reason", FetchErrorReason(result.error)}, {"detail", result.detail}});
        if (result.retry_after) {
          std::lock_guard<std::mutex> lock(mu_);
          const auto wait = *result.retry_after - std::chrono::system_clock::now();
          next_refresh_ = std::max(next_refresh_, Clock::now() + wait);
        }
        return false;
      }
      for (const auto& id : result.page->batch_ids) {
        if (!seen.insert(id).second) continue;
        if (ids.size() == cap) {
          more = true;
          return true;
        }
        ids.push_back(id);
      }
      if (!result.page->has_next || result.page->batch_ids.empty()) break;
    }
  }
  return true;
}

std::vector<std::string> BatchDiscovery::Known() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_.batch_ids;
}

BatchDiscovery::Snapshot BatchDiscovery::Current(Clock::time_point deadline,
                                                 const FinishedFn& finished) {
  std::unique_lock<std::mutex> refresh(refresh_mu_, std::try_to_lock);
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Another scrape is refreshing, or it is not time yet: use what we have.
    if (!refresh.owns_lock() || Clock::now() < next_refresh_) return current_;
    next_refresh_ = Clock::now() + config_.refresh_interval;
  }
  std::vector<std::string> listed;
  bool more = false;
  if (!List(deadline, listed, more)) {
    std::lock_guard<std::mutex> lock(mu_);
    return current_;
  }
  Snapshot previous;
  {
    std::lock_guard<std::mutex> lock(mu_);
    previous = current_;
  }
  // Batches that left the list but were not yet seen finished stay, up to the cap.
  const std::set<std::string> listed_set(listed.begin(), listed.end());
  Snapshot next{listed, more};
  for (const auto& id : previous.batch_ids) {
    if (listed_set.count(id) || finished(id)) continue;
    if (next.batch_ids.size() >= static_cast<size_t>(config_.max_batches)) {
      next.truncated = true;
      break;
    }
    next.batch_ids.push_back(id);
  }
  if (next.truncated) {
    log_.Warn("discovery.max_batches cut the list of discovered batches",
              {{"max_batches", config_.max_batches}});
  }
  log_.Debug("discovered batches", {{"count", next.batch_ids.size()}});
  std::lock_guard<std::mutex> lock(mu_);
  current_ = next;
  return current_;
}

}  // namespace anchor

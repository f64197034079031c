#include "collect/batch_discovery.h"

#include <algorithm>
#include <atomic>
#include <set>
#include <utility>

#include "anchor/batch_source.h"
#include "anchor/timestamp.h"
#include "collect/self_metrics.h"
#include "log/logger.h"

namespace anchor {
namespace {

constexpr int kPageSize = 100;  // the API's largest page

}  // namespace

BatchDiscovery::BatchDiscovery(BatchSource& source, const DiscoveryConfig& config,
                               int max_concurrency, Duration request_timeout, SelfMetrics& metrics,
                               const Logger& log, FinishedFn finished, const Clock& clock)
    : source_(source),
      clock_(clock),
      config_(config),
      max_concurrency_(std::max(1, max_concurrency)),
      refresh_budget_(std::max(config.refresh_interval, request_timeout)),
      metrics_(metrics),
      log_(log),
      finished_(std::move(finished)) {}

BatchDiscovery::~BatchDiscovery() {
  stopping_ = true;
  std::thread worker;
  {
    std::lock_guard<std::mutex> lock(mu_);
    worker = std::move(worker_);
  }
  if (worker.joinable()) worker.join();
}

Error BatchDiscovery::RecordFailure(const BatchListResult& result) {
  metrics_.CountDiscoveryError(result.error);
  FetchError previous = FetchError::kNone;
  std::string reason = std::string(FetchErrorReason(result.error)) +
                       (result.detail.empty() ? "" : ": " + result.detail);
  {
    std::lock_guard<std::mutex> lock(mu_);
    previous = failing_;
    failing_ = result.error;
    status_.last_failure = clock_.SystemNow();
    status_.last_error = reason;
    status_.last_failed = true;
    if (result.retry_after) {
      next_refresh_ = std::max(next_refresh_, clock_.SteadyNow() + *result.retry_after);
    }
  }
  // One warn line when discovery starts failing or fails for another reason, not one per
  // refresh: the counter and the landing page have every failure.
  const std::initializer_list<LogField> fields = {{"reason", FetchErrorReason(result.error)},
                                                  {"detail", result.detail}};
  if (previous != result.error) {
    log_.Warn("batch discovery failed; keeping the previous list", fields);
  } else {
    log_.Debug("batch discovery still failing; keeping the previous list", fields);
  }
  return Error{std::move(reason)};
}

Result<std::vector<std::vector<std::string>>> BatchDiscovery::ListPages(
    const std::string& status, const std::string& created_after, int last, Deadline deadline) {
  std::vector<std::vector<std::string>> pages(static_cast<size_t>(last - 1));
  std::atomic<int> next{2};
  std::atomic<bool> failed{false};
  std::mutex failure_mu;
  std::optional<BatchListResult> failure;
  auto work = [&] {
    for (int page = next++; page <= last && !failed && !stopping_; page = next++) {
      auto result = source_.ListBatches({status, page, kPageSize, created_after}, deadline);
      if (!result.ok()) {
        std::lock_guard<std::mutex> lock(failure_mu);
        if (!failed.exchange(true)) failure = std::move(result);
        return;
      }
      pages[static_cast<size_t>(page - 2)] = std::move(result.page->batch_ids);
    }
  };
  std::vector<std::thread> threads;
  const int workers = std::min(max_concurrency_, last - 1);
  for (int i = 1; i < workers; ++i) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
  if (failure) return RecordFailure(*failure);
  if (stopping_) return Error{"the exporter is stopping"};
  return pages;
}

Result<BatchDiscovery::Snapshot> BatchDiscovery::List(Deadline deadline) {
  Snapshot found;
  std::vector<std::string>& ids = found.batch_ids;
  bool& more = found.truncated;
  std::set<std::string> seen;
  std::string created_after;
  if (config_.created_within.count() > 0) {
    const auto since = clock_.SystemNow() - config_.created_within;
    created_after = FormatRfc3339(std::chrono::duration<double>(since.time_since_epoch()).count());
  }
  const auto cap = static_cast<size_t>(config_.max_batches);
  // Adds a page's ids; false once the cap is reached.
  const auto add = [&](const std::vector<std::string>& page) {
    for (const auto& id : page) {
      if (!seen.insert(id).second) continue;  // pages shift while they are read
      if (ids.size() == cap) {
        more = true;
        return false;
      }
      ids.push_back(id);
    }
    return true;
  };
  for (const auto& status : config_.statuses) {
    auto first = source_.ListBatches({status, 1, kPageSize, created_after}, deadline);
    if (!first.ok()) return RecordFailure(first);
    if (!add(first.page->batch_ids)) return found;
    if (!first.page->has_next || first.page->batch_ids.empty()) continue;
    if (first.page->total_pages > 1) {
      // Only the pages that can fit under the cap (one more, to learn whether it cuts).
      const auto room = static_cast<int>((cap - ids.size()) / kPageSize) + 2;
      const int last = std::min(first.page->total_pages, room);
      auto pages = ListPages(status, created_after, last, deadline);
      if (!pages.ok()) return Error{pages.error()};
      for (const auto& page : *pages) {
        if (!add(page)) return found;
      }
      if (last < first.page->total_pages) more = true;
      continue;
    }
    // No page count: follow has_next one page at a time.
    for (int page = 2; !stopping_; ++page) {
      auto result = source_.ListBatches({status, page, kPageSize, created_after}, deadline);
      if (!result.ok()) return RecordFailure(result);
      if (!add(result.page->batch_ids)) return found;
      if (!result.page->has_next || result.page->batch_ids.empty()) break;
    }
  }
  return found;
}

std::vector<std::string> BatchDiscovery::Known() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_.batch_ids;
}

bool BatchDiscovery::Contains(const std::string& batch_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_ids_.count(batch_id) != 0;
}

void BatchDiscovery::Refresh() {
  // A refresh must end before the next one is due, whatever the scrapes' deadlines (but may
  // always take one request's timeout: a 1 s interval must not fail every slow request). Real
  // time: it bounds requests.
  auto listed = List(std::chrono::steady_clock::now() + refresh_budget_);
  const bool ok = listed.ok();
  Snapshot next;
  if (ok) {
    Snapshot previous;
    {
      std::lock_guard<std::mutex> lock(mu_);
      previous = current_;
    }
    // Batches that left the list but were not yet seen finished stay, up to the cap.
    next = std::move(listed).value();
    const std::set<std::string> listed_set(next.batch_ids.begin(), next.batch_ids.end());
    for (const auto& id : previous.batch_ids) {
      if (listed_set.count(id) || finished_(id)) continue;
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
  }
  std::unordered_set<std::string> ids(next.batch_ids.begin(), next.batch_ids.end());
  FetchError recovered = FetchError::kNone;  // why the refreshes before this one failed
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (ok) {
      current_ = std::move(next);
      current_ids_ = std::move(ids);
      status_.last_success = clock_.SystemNow();
      status_.last_failed = false;
      recovered = std::exchange(failing_, FetchError::kNone);
    }
    refreshing_ = false;
    ++refreshes_ended_;
  }
  if (recovered != FetchError::kNone) {
    log_.Info("batch discovery recovered", {{"last_reason", FetchErrorReason(recovered)}});
  }
  refreshed_cv_.notify_all();
}

BatchDiscovery::Status BatchDiscovery::GetStatus() const {
  std::lock_guard<std::mutex> lock(mu_);
  Status s = status_;
  s.count = current_.batch_ids.size();
  s.truncated = current_.truncated;
  return s;
}

BatchDiscovery::Snapshot BatchDiscovery::Current(Deadline deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  const auto now = clock_.SteadyNow();
  if (!refreshing_ && now >= next_refresh_) {
    refreshing_ = true;
    next_refresh_ = now + config_.refresh_interval;
    // The previous refresh has ended (refreshing_ was false): its thread is done or exiting.
    if (worker_.joinable()) worker_.join();
    worker_ = std::thread([this] { Refresh(); });
  }
  if (refreshes_ended_ == 0) {
    refreshed_cv_.wait_until(lock, deadline, [this] { return refreshes_ended_ > 0; });
  }
  return current_;
}

}  // namespace anchor

#include "collect/batch_fetcher.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "anchor/api_client.h"
#include "collect/self_metrics.h"
#include "log/logger.h"

namespace anchor {

namespace {

// Entries of batches nobody asks for any more (unlisted probe targets, batches removed by
// discovery) are dropped once there are this many.
constexpr size_t kMaxEntries = 20000;
// A Retry-After further away than this is taken as this (a broken header must not silence a
// batch for days).
constexpr auto kMaxRetryAfter = std::chrono::hours(1);

BatchFetcher::ResultPtr ErrorResult(FetchError error, std::string detail) {
  auto r = std::make_shared<FetchResult>();
  r->error = error;
  r->detail = std::move(detail);
  return r;
}

std::string Seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3gs", s);
  return buf;
}

std::string Seconds(std::chrono::steady_clock::duration d) {
  return Seconds(std::chrono::duration<double>(d).count());
}

}  // namespace

struct BatchFetcher::Entry {
  ResultPtr last;  // the last answer from the API, success or error
  Clock::time_point fetched_at{};
  std::shared_future<ResultPtr> in_flight;  // valid while a request for this batch runs
  std::chrono::system_clock::time_point retry_after{};
};

BatchFetcher::BatchFetcher(ApiClient& client, const AnchorConfig& anchor, const CacheConfig& cache,
                           SelfMetrics& metrics, const Logger& log)
    : client_(client),
      max_concurrency_(std::max(1, anchor.max_concurrency)),
      max_requests_per_second_(anchor.max_requests_per_second),
      cache_(cache),
      metrics_(metrics),
      log_(log) {}

BatchFetcher::~BatchFetcher() = default;

std::vector<BatchFetcher::ResultPtr> BatchFetcher::FetchAll(const std::vector<std::string>& ids,
                                                            Clock::time_point deadline) {
  std::vector<ResultPtr> results(ids.size());
  // Answers from memory first, on this thread: a scrape of cached batches starts no threads.
  std::vector<size_t> misses;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = 0; i < ids.size(); ++i) {
      if (auto known = FromMemory(ids[i], nullptr)) {
        results[i] = std::move(*known);
      } else {
        misses.push_back(i);
      }
    }
  }
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t m = next++; m < misses.size(); m = next++) {
      results[misses[m]] = FetchOne(ids[misses[m]], deadline);
    }
  };
  // Workers pull ids from a shared index, so a slow batch delays only its own worker.
  const size_t workers = std::min(misses.size(), static_cast<size_t>(max_concurrency_));
  std::vector<std::thread> threads;
  threads.reserve(workers);
  for (size_t i = 1; i < workers; ++i) threads.emplace_back(worker);
  if (workers > 0) worker();
  for (auto& t : threads) t.join();
  return results;
}

BatchFetcher::Entry& BatchFetcher::EntryFor(const std::string& id) {
  if (entries_.size() >= kMaxEntries) {
    for (auto it = entries_.begin(); it != entries_.end();) {
      it = it->second->in_flight.valid() ? std::next(it) : entries_.erase(it);
    }
  }
  auto& slot = entries_[id];
  if (!slot) slot = std::make_unique<Entry>();
  return *slot;
}

std::optional<BatchFetcher::ResultPtr> BatchFetcher::FromMemory(const std::string& id,
                                                                FetchExplanation* explanation) {
  Entry& entry = EntryFor(id);
  if (explanation) explanation->rate_limit = RateLimitState(entry);
  const auto wall_now = std::chrono::system_clock::now();
  if (wall_now < entry.retry_after) {
    const auto wait =
        std::chrono::duration_cast<std::chrono::seconds>(entry.retry_after - wall_now);
    auto held = std::make_shared<FetchResult>();
    held->error = FetchError::kRateLimited;
    held->http_status = 429;  // the API's last answer for this batch
    held->detail = "waiting for Retry-After (" + std::to_string(wait.count() + 1) +
                   "s left); the API was not called";
    if (explanation) explanation->source = "held back by the API's Retry-After: " + held->detail;
    if (log_.Enabled(LogLevel::kDebug)) {
      log_.Debug("batch held back by Retry-After",
                 {{"batch_id", id}, {"retry_after_seconds", wait.count() + 1}});
    }
    return held;
  }
  std::string why;
  auto cached =
      Reusable(entry, Clock::now(), explanation || log_.Enabled(LogLevel::kDebug) ? &why : nullptr);
  if (explanation) explanation->cache = (cached ? "hit: " : "miss: ") + why;
  if (cached) {
    metrics_.CountCacheHit();
    if (explanation) explanation->source = "cache (an earlier answer of the API)";
    if (log_.Enabled(LogLevel::kDebug)) {
      log_.Debug(
          "batch answered from cache",
          {{"batch_id", id},
           {"cache_hit", true},
           {"age_seconds", std::chrono::duration<double>(Clock::now() - entry.fetched_at).count()},
           {"why", why}});
    }
    return cached;
  }
  return std::nullopt;
}

std::optional<BatchFetcher::ResultPtr> BatchFetcher::Reusable(const Entry& entry,
                                                              Clock::time_point now,
                                                              std::string* why) const {
  if (!entry.last) {
    if (why) *why = "nothing fetched yet";
    return std::nullopt;
  }
  const auto age = now - entry.fetched_at;
  if (!entry.last->ok()) {
    if (why)
      *why = "the last answer (" + Seconds(age) + " ago) was an error; errors are not cached";
    return std::nullopt;
  }
  if (cache_.min_interval.count() > 0 && age < cache_.min_interval) {
    if (why) *why = "age " + Seconds(age) + " < cache.min_interval " + Seconds(cache_.min_interval);
    return entry.last;
  }
  const auto& status = entry.last->batch->status;
  const bool terminal = status && IsTerminalStatus(*status);
  if (terminal && age < cache_.terminal_ttl) {
    if (why) {
      *why = "age " + Seconds(age) + ", status " + *status + " is final, cache.terminal_ttl " +
             Seconds(cache_.terminal_ttl);
    }
    return entry.last;
  }
  if (why) {
    *why = "age " + Seconds(age) +
           (terminal ? " >= cache.terminal_ttl " + Seconds(cache_.terminal_ttl)
                     : ", status " + status.value_or("(none)") +
                           " is not final, cache.min_interval " + Seconds(cache_.min_interval));
  }
  return std::nullopt;
}

std::string BatchFetcher::RateLimitState(const Entry& entry) {
  const auto wall_now = std::chrono::system_clock::now();
  std::string out =
      wall_now < entry.retry_after
          ? "Retry-After pending, " +
                Seconds(std::chrono::duration<double>(entry.retry_after - wall_now).count()) +
                " left"
          : "no Retry-After pending";
  if (max_requests_per_second_ <= 0) return out + "; anchor.max_requests_per_second: no cap";
  std::lock_guard<std::mutex> lock(slot_mu_);
  char buf[96];
  std::snprintf(buf, sizeof(buf), "; anchor.max_requests_per_second %g, %.2g tokens at last use",
                max_requests_per_second_, tokens_);
  return out + buf;
}

BatchFetcher::ResultPtr BatchFetcher::FetchExplained(const std::string& id,
                                                     Clock::time_point deadline,
                                                     FetchExplanation& explanation) {
  return FetchOne(id, deadline, &explanation);
}

BatchFetcher::ResultPtr BatchFetcher::FetchOne(const std::string& id, Clock::time_point deadline,
                                               FetchExplanation* explanation) {
  std::unique_lock<std::mutex> lock(mu_);
  if (auto known = FromMemory(id, explanation)) return *known;
  Entry& entry = EntryFor(id);
  if (entry.in_flight.valid()) {
    // Another scrape is fetching this batch right now: share its answer.
    if (explanation) {
      explanation->source = "shared the request another scrape had in flight (not traced)";
    }
    auto shared = entry.in_flight;
    lock.unlock();
    if (shared.wait_until(deadline) == std::future_status::ready) return shared.get();
    return ErrorResult(FetchError::kTimeout, "shared request still running at the deadline");
  }
  std::promise<ResultPtr> promise;
  entry.in_flight = promise.get_future().share();
  lock.unlock();

  ResultPtr result;
  try {
    if (explanation) {
      explanation->requested = true;
      explanation->source = "API request";
    }
    result = Request(id, deadline, explanation ? &explanation->trace : nullptr);
  } catch (const std::exception& e) {
    result = ErrorResult(FetchError::kConnection, std::string("request failed: ") + e.what());
  }

  lock.lock();
  Entry& done = *entries_.at(id);  // Entries with a request in flight are never erased
  done.in_flight = {};
  done.last = result;
  done.fetched_at = Clock::now();
  if (result->retry_after) {
    done.retry_after =
        std::min(*result->retry_after, std::chrono::system_clock::now() + kMaxRetryAfter);
  }
  lock.unlock();
  promise.set_value(result);
  return result;
}

BatchFetcher::ResultPtr BatchFetcher::Request(const std::string& id, Clock::time_point deadline,
                                              FetchTrace* trace) {
  if (!AcquireSlot(deadline)) {
    return max_requests_per_second_ > 0
               ? ErrorResult(FetchError::kRateLimited,
                             "anchor.max_requests_per_second left no request before the deadline")
               : ErrorResult(FetchError::kTimeout, "no free request slot before the deadline");
  }
  auto result = std::make_shared<FetchResult>(client_.FetchBatch(id, deadline, trace));
  ReleaseSlot();
  if (log_.Enabled(LogLevel::kDebug)) LogRequest(id, *result);
  return result;
}

void BatchFetcher::LogRequest(const std::string& id, const FetchResult& result) const {
  const std::string path = "/v1/batch-sessions/" + id;
  if (result.ok()) {
    log_.Debug("api request", {{"method", "GET"},
                               {"path", path},
                               {"status", result.http_status},
                               {"bytes", result.body_bytes},
                               {"duration_seconds", result.duration_seconds},
                               {"cache_hit", false}});
  } else {
    log_.Debug("api request", {{"method", "GET"},
                               {"path", path},
                               {"status", result.http_status},
                               {"bytes", result.body_bytes},
                               {"duration_seconds", result.duration_seconds},
                               {"cache_hit", false},
                               {"reason", FetchErrorReason(result.error)},
                               {"detail", result.detail}});
  }
}

bool BatchFetcher::AcquireSlot(Clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(slot_mu_);
  while (true) {
    const auto now = Clock::now();
    Clock::time_point wake = deadline;
    if (max_requests_per_second_ > 0) {
      // Token bucket with a burst of one second's worth of requests.
      const double burst = std::max(1.0, max_requests_per_second_);
      tokens_ = std::min(burst, tokens_ + std::chrono::duration<double>(now - tokens_at_).count() *
                                              max_requests_per_second_);
      tokens_at_ = now;
      if (tokens_ < 1) {
        const auto refill = std::chrono::duration<double>((1 - tokens_) / max_requests_per_second_);
        wake = std::min(deadline, now + std::chrono::duration_cast<Clock::duration>(refill));
      }
    }
    const bool token = max_requests_per_second_ <= 0 || tokens_ >= 1;
    if (in_flight_ < max_concurrency_ && token) {
      ++in_flight_;
      if (max_requests_per_second_ > 0) tokens_ -= 1;
      return true;
    }
    if (now >= deadline) return false;
    slot_cv_.wait_until(lock, wake);
  }
}

void BatchFetcher::ReleaseSlot() {
  {
    std::lock_guard<std::mutex> lock(slot_mu_);
    --in_flight_;
  }
  slot_cv_.notify_one();
}

}  // namespace anchor

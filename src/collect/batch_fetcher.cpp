#include "collect/batch_fetcher.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <thread>

#include "anchor/batch_source.h"
#include "collect/self_metrics.h"
#include "log/logger.h"

namespace anchor {

namespace {

// A batch that has not answered yet, or whose last request timed out, may hold a request slot
// for at most this share of the time left while other batches of the scrape still wait: hung
// batches cannot take every slot until the deadline.
constexpr double kUnprovenShare = 0.5;

// Holds one of BatchFetcher's request slots while it lives, whatever the request does.
class SlotGuard {
 public:
  explicit SlotGuard(std::function<void()> release) : release_(std::move(release)) {}
  ~SlotGuard() { release_(); }
  SlotGuard(const SlotGuard&) = delete;
  SlotGuard& operator=(const SlotGuard&) = delete;

 private:
  std::function<void()> release_;
};

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

std::string Seconds(Clock::Steady::duration d) {
  return Seconds(std::chrono::duration<double>(d).count());
}

}  // namespace

BatchFetcher::BatchFetcher(BatchSource& source, const AnchorConfig& anchor,
                           const CacheConfig& cache, SelfMetrics& metrics, const Logger& log,
                           const Clock& clock, std::size_t max_unlisted_state)
    : source_(source),
      clock_(clock),
      max_concurrency_(std::max(1, anchor.max_concurrency)),
      max_requests_per_second_(anchor.max_requests_per_second),
      cache_(cache),
      metrics_(metrics),
      log_(log),
      tables_(max_unlisted_state),
      tokens_at_(clock.SteadyNow()) {}

BatchFetcher::~BatchFetcher() = default;

std::vector<BatchFetcher::ResultPtr> BatchFetcher::FetchAll(const std::vector<std::string>& ids,
                                                            Deadline deadline) {
  std::vector<ResultPtr> results(ids.size());
  // Answers from memory first, on this thread: a scrape of cached batches starts no threads.
  std::vector<Miss> misses;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = 0; i < ids.size(); ++i) {
      const FetchEntryPtr entry = EntryFor(ids[i], Scope::kTracked);
      if (auto known = FromMemory(ids[i], *entry, Scope::kTracked, nullptr)) {
        results[i] = std::move(*known);
      } else {
        misses.push_back({i, StandingOf(*entry)});
      }
    }
  }
  // Healthy batches first, then the ones never seen, then those that timed out last time: a
  // hung batch waits for the slots instead of holding them.
  std::stable_sort(misses.begin(), misses.end(),
                   [](const Miss& a, const Miss& b) { return a.standing < b.standing; });
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t m = next++; m < misses.size(); m = next++) {
      const bool others_wait = next.load() < misses.size();
      const bool capped = misses[m].standing != Standing::kHealthy && others_wait;
      results[misses[m].index] = FetchOne(ids[misses[m].index], Scope::kTracked, deadline, capped);
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

BatchFetcher::Standing BatchFetcher::StandingOf(const Entry& entry) {
  if (entry.last && entry.last->error == FetchError::kTimeout) return Standing::kTimedOut;
  return entry.answered_before ? Standing::kHealthy : Standing::kUnknown;
}

// Real time: it bounds a request.
Deadline BatchFetcher::ShareOfRemaining(Deadline deadline, double share) {
  const auto now = std::chrono::steady_clock::now();
  if (deadline <= now) return deadline;
  return now + std::chrono::duration_cast<Deadline::duration>((deadline - now) * share);
}

BatchFetcher::BatchState BatchFetcher::State(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  const auto entry = tables_.Find(id);
  if (!entry) return {};
  const Entry& e = *entry;
  return {e.last, e.answered_at, e.in_flight.valid(), e.retry_after};
}

void BatchFetcher::Track(const std::vector<std::string>& ids) {
  std::lock_guard<std::mutex> lock(mu_);
  const size_t released = tables_.Track(ids);
  if (released > 0 && log_.Enabled(LogLevel::kDebug)) {
    log_.Debug("released the state of batches no longer tracked", {{"batches", released}});
  }
  if (ids.size() > kLargeTrackedSet && !warned_large_tracked_) {
    warned_large_tracked_ = true;  // once per start or reload
    log_.Warn("very many tracked batches: the exporter keeps about 1 KiB of state for each",
              {{"tracked", ids.size()}, {"threshold", kLargeTrackedSet}});
  }
}

BatchFetcher::Stats BatchFetcher::GetStats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {tables_.TrackedSize(), tables_.UnlistedSize(), tables_.UnlistedLimit(),
          tables_.Evictions()};
}

FetchEntryPtr BatchFetcher::EntryFor(const std::string& id, Scope scope) {
  return scope == Scope::kTracked ? tables_.Tracked(id) : tables_.Unlisted(id, clock_.SystemNow());
}

std::optional<BatchFetcher::ResultPtr> BatchFetcher::FromMemory(const std::string& id,
                                                                const Entry& entry, Scope scope,
                                                                FetchExplanation* explanation) {
  if (explanation) explanation->rate_limit = RateLimitState(entry);
  const auto wall_now = clock_.SystemNow();
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
  const auto now = clock_.SteadyNow();
  auto cached =
      Reusable(entry, scope, now, explanation || log_.Enabled(LogLevel::kDebug) ? &why : nullptr);
  if (explanation) explanation->cache = (cached ? "hit: " : "miss: ") + why;
  if (cached) {
    metrics_.CountCacheHit();
    if (explanation) explanation->source = "cache (an earlier answer of the API)";
    if (log_.Enabled(LogLevel::kDebug)) {
      log_.Debug("batch answered from cache",
                 {{"batch_id", id},
                  {"cache_hit", true},
                  {"age_seconds", std::chrono::duration<double>(now - entry.fetched_at).count()},
                  {"why", why}});
    }
    return cached;
  }
  return std::nullopt;
}

std::optional<BatchFetcher::ResultPtr> BatchFetcher::Reusable(const Entry& entry, Scope scope,
                                                              Clock::Steady::time_point now,
                                                              std::string* why) const {
  if (!entry.last) {
    if (why) *why = "nothing fetched yet";
    return std::nullopt;
  }
  const auto age = now - entry.fetched_at;
  if (scope == Scope::kUnlisted) {
    // Whatever the answer was, errors included: repeating an unknown id must not repeat requests.
    const Clock::Steady::duration interval =
        std::max<Clock::Steady::duration>(cache_.min_interval, kUnlistedMinInterval);
    if (age < interval) {
      if (why) *why = "age " + Seconds(age) + " < " + Seconds(interval) + " (unlisted id)";
      return entry.last;
    }
  }
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
  const auto wall_now = clock_.SystemNow();
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

BatchFetcher::ResultPtr BatchFetcher::FetchExplained(const std::string& id, Deadline deadline,
                                                     FetchExplanation& explanation) {
  return FetchOne(id, Scope::kTracked, deadline, /*capped=*/false, &explanation);
}

BatchFetcher::ResultPtr BatchFetcher::FetchUnlisted(const std::string& id, Deadline deadline,
                                                    FetchExplanation* explanation) {
  return FetchOne(id, Scope::kUnlisted, deadline, /*capped=*/false, explanation);
}

BatchFetcher::ResultPtr BatchFetcher::FetchOne(const std::string& id, Scope scope,
                                               Deadline deadline, bool capped,
                                               FetchExplanation* explanation) {
  std::unique_lock<std::mutex> lock(mu_);
  // Held while the request runs: it is answered into this entry even if a table let it go.
  const FetchEntryPtr held = EntryFor(id, scope);
  Entry& entry = *held;
  if (auto known = FromMemory(id, entry, scope, explanation)) return *known;
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
    result = Request(id, deadline, capped, explanation ? &explanation->trace : nullptr);
  } catch (const std::exception& e) {
    result = ErrorResult(FetchError::kConnection, std::string("request failed: ") + e.what());
  }

  lock.lock();
  Entry& done = entry;
  done.in_flight = {};
  done.last = result;
  done.answered_before = done.answered_before || result->ok();
  done.fetched_at = clock_.SteadyNow();
  done.answered_at = clock_.SystemNow();
  if (result->retry_after) {
    // Anchored on this clock when the answer is recorded (the source hands over a duration).
    done.retry_after =
        done.answered_at + std::min<std::chrono::seconds>(*result->retry_after, kMaxRetryAfter);
  }
  lock.unlock();
  promise.set_value(result);
  return result;
}

BatchFetcher::ResultPtr BatchFetcher::Request(const std::string& id, Deadline deadline, bool capped,
                                              FetchTrace* trace) {
  if (!AcquireSlot(deadline)) {
    return max_requests_per_second_ > 0
               ? ErrorResult(FetchError::kRateLimited,
                             "anchor.max_requests_per_second left no request before the deadline")
               : ErrorResult(FetchError::kTimeout, "no free request slot before the deadline");
  }
  std::shared_ptr<FetchResult> result;
  {
    const SlotGuard slot([this] { ReleaseSlot(); });
    const auto budget = capped ? ShareOfRemaining(deadline, kUnprovenShare) : deadline;
    result = std::make_shared<FetchResult>(source_.FetchBatch(id, budget, trace));
  }
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

// Tokens refill on `clock_`; the wait for them ends at the real `deadline` at the latest.
bool BatchFetcher::AcquireSlot(Deadline deadline) {
  std::unique_lock<std::mutex> lock(slot_mu_);
  while (true) {
    const auto now = clock_.SteadyNow();
    auto wake = Clock::Steady::time_point::max();  // a slot is given back (notified)
    if (max_requests_per_second_ > 0) {
      // Token bucket with a burst of one second's worth of requests.
      const double burst = std::max(1.0, max_requests_per_second_);
      tokens_ = std::min(burst, tokens_ + std::chrono::duration<double>(now - tokens_at_).count() *
                                              max_requests_per_second_);
      tokens_at_ = now;
      if (tokens_ < 1) {
        const auto refill = std::chrono::duration<double>((1 - tokens_) / max_requests_per_second_);
        // Rounded up: a wake at `now` would spin on a clock that does not move by itself.
        wake = now + std::chrono::ceil<Clock::Steady::duration>(refill);
      }
    }
    const bool token = max_requests_per_second_ <= 0 || tokens_ >= 1;
    if (in_flight_ < max_concurrency_ && token) {
      ++in_flight_;
      if (max_requests_per_second_ > 0) tokens_ -= 1;
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    clock_.WaitUntil(slot_cv_, lock, wake, deadline);
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

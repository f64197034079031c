#include "log/log_throttle.h"

namespace anchor {

LogThrottle::LogThrottle(const Clock& clock, std::chrono::seconds interval, std::size_t max_keys)
    : clock_(clock), interval_(interval), max_keys_(max_keys) {}

std::optional<std::uint64_t> LogThrottle::Count(Entry& e, Clock::Steady::time_point now,
                                                Clock::Steady::duration interval) {
  ++e.pending;
  if (now - e.last_line < interval) return std::nullopt;
  const std::uint64_t n = e.pending;
  e.pending = 0;
  e.last_line = now;
  return n;
}

LogThrottle::Entry* LogThrottle::Find(const std::string& key, Clock::Steady::time_point now) {
  if (auto it = entries_.find(key); it != entries_.end()) return &it->second;
  if (entries_.size() >= max_keys_) {
    // Room is made only from keys that would log at once anyway: their interval has passed.
    // Their pending events (if any) are then reported on the overflow key's next line.
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (now - it->second.last_line >= interval_) {
        if (it->second.pending > 0) {
          if (!overflow_) overflow_ = Entry{now - interval_, 0};
          overflow_->pending += it->second.pending;
        }
        it = entries_.erase(it);
      } else {
        ++it;
      }
    }
  }
  if (entries_.size() < max_keys_) {
    // A new key logs its first event at once.
    return &entries_.emplace(key, Entry{now - interval_, 0}).first->second;
  }
  if (!overflow_) overflow_ = Entry{now - interval_, 0};
  return &*overflow_;
}

std::optional<std::uint64_t> LogThrottle::Admit(const std::string& key) {
  const auto now = clock_.SteadyNow();
  std::lock_guard<std::mutex> lock(mu_);
  return Count(*Find(key, now), now, interval_);
}

std::size_t LogThrottle::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size() + (overflow_ ? 1 : 0);
}

}  // namespace anchor

#include "log/log_throttle.h"

#include <algorithm>

namespace anchor {

LogThrottle::LogThrottle(const Clock& clock, Clock::Steady::duration interval, std::size_t max_keys)
    : clock_(clock), interval_(interval), max_keys_(std::max<std::size_t>(1, max_keys)) {}

LogThrottle::Decision LogThrottle::Admit(std::string_view key) {
  const auto now = clock_.SteadyNow();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = slots_.find(std::string(key));
  if (it == slots_.end()) {
    if (slots_.size() >= max_keys_) DropQuiet(now);
    if (slots_.size() >= max_keys_) return Count(overflow_, now, /*overflow=*/true);
    it = slots_.emplace(std::string(key), Slot{}).first;
  }
  return Count(it->second, now, /*overflow=*/false);
}

LogThrottle::Decision LogThrottle::Count(Slot& slot, Clock::Steady::time_point now,
                                         bool overflow) const {
  ++slot.pending;
  Decision d;
  d.overflow = overflow;
  if (slot.logged_once && now - slot.logged_at < interval_) return d;
  d.log = true;
  d.count = slot.pending;
  slot.pending = 0;
  slot.logged_at = now;
  slot.logged_once = true;
  return d;
}

void LogThrottle::DropQuiet(Clock::Steady::time_point now) {
  for (auto it = slots_.begin(); it != slots_.end();) {
    const bool quiet = it->second.pending == 0 && now - it->second.logged_at >= interval_;
    it = quiet ? slots_.erase(it) : std::next(it);
  }
}

std::size_t LogThrottle::Keys() const {
  std::lock_guard<std::mutex> lock(mu_);
  return slots_.size();
}

}  // namespace anchor

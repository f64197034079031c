#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "base/clock.h"

namespace anchor {

// "Say it once": at most one log line per key per interval, each line carrying how many events
// of that key it stands for. Bounded: at most `max_keys` keys are tracked; while that many are
// recent, further keys share one overflow key (so a flood of distinct keys, e.g. random user
// names, costs at most max_keys + 1 lines per interval and a fixed table). A key whose interval
// has passed is forgotten when room is needed; its pending count was reported by its last line
// or is reported by the next one. Counters (metrics) must count every event themselves: this
// only decides what reaches the log. Thread-safe; time comes from the injected Clock.
class LogThrottle {
 public:
  LogThrottle(const Clock& clock, std::chrono::seconds interval, std::size_t max_keys);

  // An event of `key` happened. Returns the number of events to report on a line now (this one
  // and those suppressed since the key's last line; 1 for a first event), or nullopt to stay
  // silent (the event is counted towards the key's next line).
  std::optional<std::uint64_t> Admit(const std::string& key);

  // Keys tracked now (at most max_keys, plus the overflow key); for tests.
  std::size_t size() const;

 private:
  struct Entry {
    Clock::Steady::time_point last_line;
    std::uint64_t pending = 0;  // events since last_line, not yet reported
  };
  Entry* Find(const std::string& key, Clock::Steady::time_point now);
  static std::optional<std::uint64_t> Count(Entry& e, Clock::Steady::time_point now,
                                            Clock::Steady::duration interval);

  const Clock& clock_;
  const Clock::Steady::duration interval_;
  const std::size_t max_keys_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  std::optional<Entry> overflow_;
};

}  // namespace anchor

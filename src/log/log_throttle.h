#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/clock.h"

namespace anchor {

// At most one log line per key per interval, each carrying the count of events since the line
// before: a flood of the same failure (a probe of random ids, a password guesser) costs one line
// a minute, while the caller's counters still count every event. Holds at most `max_keys` keys;
// events of further keys share one overflow key (Decision::overflow), so the table stays bounded
// whatever the keys are. Time runs on the injected `clock`. Thread-safe.
class LogThrottle {
 public:
  struct Decision {
    bool log = false;         // write a line now
    std::uint64_t count = 0;  // events since the last line of this key, this one included
    bool overflow = false;    // the key table was full: counted under the overflow key
  };

  LogThrottle(const Clock& clock, Clock::Steady::duration interval, std::size_t max_keys);

  // Records one event of `key`. The first event of a key logs at once; later ones are counted
  // until `interval` has passed since that key's last line.
  Decision Admit(std::string_view key);

  std::size_t Keys() const;  // keys held now, the overflow key excluded

 private:
  struct Slot {
    Clock::Steady::time_point logged_at{};
    std::uint64_t pending = 0;  // events not yet reported by a line
    bool logged_once = false;
  };
  Decision Count(Slot& slot, Clock::Steady::time_point now, bool overflow) const;
  // Forgets keys with nothing pending whose interval has passed; mu_ is held.
  void DropQuiet(Clock::Steady::time_point now);

  const Clock& clock_;
  const Clock::Steady::duration interval_;
  const std::size_t max_keys_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Slot> slots_;  // at most max_keys_
  Slot overflow_;
};

}  // namespace anchor

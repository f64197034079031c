#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace anchor {

// When real work must end (a network request, a scrape): always the real steady clock, never an
// injected Clock, since what it bounds runs in real time.
using Deadline = std::chrono::steady_clock::time_point;

// The time the collect layer reasons about: cache ages, Retry-After, the request rate cap,
// discovery's refresh interval, the age of an answer. Injected (SystemClock in the exporter) so
// that tests move it by hand instead of sleeping. Thread-safe.
class Clock {
 public:
  using Steady = std::chrono::steady_clock;
  using System = std::chrono::system_clock;

  Clock() = default;
  virtual ~Clock() = default;
  Clock(const Clock&) = delete;
  Clock& operator=(const Clock&) = delete;

  virtual Steady::time_point SteadyNow() const = 0;
  virtual System::time_point SystemNow() const = 0;
  // Blocks on `cv` (whose mutex `lock` holds) until it is notified, this clock reaches `wake`,
  // or the real `deadline` passes, whichever comes first. May return early: callers re-check.
  virtual void WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                         Steady::time_point wake, Deadline deadline) const = 0;
};

}  // namespace anchor

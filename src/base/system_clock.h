#pragma once

#include <algorithm>

#include "base/clock.h"

namespace anchor {

// The real clocks: what the exporter runs on.
class SystemClock final : public Clock {
 public:
  static const SystemClock& Instance() {
    static const SystemClock clock;
    return clock;
  }

  Steady::time_point SteadyNow() const override { return Steady::now(); }
  System::time_point SystemNow() const override { return System::now(); }
  void WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                 Steady::time_point wake, Deadline deadline) const override {
    cv.wait_until(lock, std::min(wake, deadline));
  }
};

}  // namespace anchor

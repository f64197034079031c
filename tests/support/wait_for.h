#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace anchor::test {

// Waits for a condition the test cannot be notified of (a background discovery refresh ending)
// by checking it every millisecond; false after `give_up` of real time, which only a bug takes.
// Never a way to let time pass: advance a ManualClock for that.
inline bool WaitFor(const std::function<bool()>& condition,
                    std::chrono::milliseconds give_up = std::chrono::seconds(10)) {
  const auto end = std::chrono::steady_clock::now() + give_up;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace anchor::test

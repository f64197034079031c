#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>

#include "base/clock.h"

namespace anchor::test {

// A Clock that moves only when the test says so. Starts at the real time, then stands still.
// Advance() wakes every WaitUntil, so code waiting for a token or a refresh on this clock sees
// the new time at once; the real-time deadline of a wait still ends it.
class ManualClock final : public Clock {
 public:
  ManualClock();

  Steady::time_point SteadyNow() const override;
  System::time_point SystemNow() const override;
  void WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                 Steady::time_point wake, Deadline deadline) const override;

  // Moves both clocks forward by `by`.
  void Advance(Steady::duration by);

 private:
  // One thread inside WaitUntil. Advance() notifies its condition variable holding the
  // waiter's own mutex, so a wake-up cannot fall between the waiter's check and its wait.
  struct Waiter {
    std::condition_variable* cv;
    std::mutex* cv_mu;
    std::mutex mu;        // held while notifying; guards `waiting`
    bool waiting = true;  // false once WaitUntil is leaving: cv and cv_mu may go away
  };

  mutable std::mutex mu_;  // guards the fields below; never held while taking another mutex
  Steady::time_point steady_;
  System::time_point system_;
  mutable std::set<std::shared_ptr<Waiter>> waiters_;
};

}  // namespace anchor::test

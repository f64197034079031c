#include "support/manual_clock.h"

#include <vector>

namespace anchor::test {

ManualClock::ManualClock() : steady_(Steady::now()), system_(System::now()) {}

Clock::Steady::time_point ManualClock::SteadyNow() const {
  std::lock_guard<std::mutex> lock(mu_);
  return steady_;
}

Clock::System::time_point ManualClock::SystemNow() const {
  std::lock_guard<std::mutex> lock(mu_);
  return system_;
}

void ManualClock::WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                            Steady::time_point wake, Deadline deadline) const {
  auto waiter = std::make_shared<Waiter>();
  waiter->cv = &cv;
  waiter->cv_mu = lock.mutex();
  {
    // Checked and registered in one step: an Advance() either came before (and is seen here)
    // or comes after (and notifies this waiter).
    std::lock_guard<std::mutex> guard(mu_);
    if (steady_ >= wake) return;
    waiters_.insert(waiter);
  }
  cv.wait_until(lock, deadline);
  // Leave without holding the caller's mutex: Advance() takes the waiter's, then the caller's.
  lock.unlock();
  {
    std::lock_guard<std::mutex> guard(waiter->mu);
    waiter->waiting = false;
  }
  {
    std::lock_guard<std::mutex> guard(mu_);
    waiters_.erase(waiter);
  }
  lock.lock();
}

void ManualClock::Advance(Steady::duration by) {
  std::vector<std::shared_ptr<Waiter>> waiters;
  {
    std::lock_guard<std::mutex> lock(mu_);
    steady_ += by;
    system_ += std::chrono::duration_cast<System::duration>(by);
    waiters.assign(waiters_.begin(), waiters_.end());
  }
  for (const auto& waiter : waiters) {
    const std::lock_guard<std::mutex> guard(waiter->mu);
    if (!waiter->waiting) continue;
    // Taken only once the waiter is inside wait_until (it holds this mutex until then).
    const std::lock_guard<std::mutex> cv_guard(*waiter->cv_mu);
    waiter->cv->notify_all();
  }
}

}  // namespace anchor::test

#include "anchor/deadline_watchdog.h"

namespace anchor {

DeadlineWatchdog::DeadlineWatchdog() : thread_([this] { Run(); }) {}

DeadlineWatchdog::~DeadlineWatchdog() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

DeadlineWatchdog::Token DeadlineWatchdog::Arm(Clock::time_point deadline,
                                              std::function<void()> on_expiry) {
  std::lock_guard<std::mutex> lock(mu_);
  const Token token = next_token_++;
  timers_.emplace(deadline, std::make_pair(token, std::move(on_expiry)));
  cv_.notify_all();
  return token;
}

bool DeadlineWatchdog::Disarm(Token token) {
  std::unique_lock<std::mutex> lock(mu_);
  for (auto it = timers_.begin(); it != timers_.end(); ++it) {
    if (it->second.first == token) {
      timers_.erase(it);
      return true;
    }
  }
  // Already fired: wait until its callback finished so the caller may free what it touches.
  done_cv_.wait(lock, [&] { return running_ != token; });
  return false;
}

void DeadlineWatchdog::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    if (timers_.empty()) {
      cv_.wait(lock);
      continue;
    }
    const auto next = timers_.begin()->first;
    if (Clock::now() < next) {
      cv_.wait_until(lock, next);
      continue;
    }
    auto node = timers_.extract(timers_.begin());
    running_ = node.mapped().first;
    lock.unlock();
    node.mapped().second();
    lock.lock();
    running_ = 0;
    done_cv_.notify_all();
  }
}

}  // namespace anchor

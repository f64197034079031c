#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

namespace anchor {

// Runs a callback when a deadline passes unless it was disarmed first. The API client uses it
// to shut down a socket whose peer trickles bytes: per-read timeouts alone never fire when a
// server sends one byte a second, so the request would outlive the scrape.
class DeadlineWatchdog {
 public:
  using Clock = std::chrono::steady_clock;
  using Token = std::uint64_t;

  DeadlineWatchdog();
  ~DeadlineWatchdog();
  DeadlineWatchdog(const DeadlineWatchdog&) = delete;
  DeadlineWatchdog& operator=(const DeadlineWatchdog&) = delete;

  Token Arm(Clock::time_point deadline, std::function<void()> on_expiry);
  // Returns false when the callback already ran (or is running); after Disarm returns, the
  // callback for this token never starts.
  bool Disarm(Token token);

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<Clock::time_point, std::pair<Token, std::function<void()>>> timers_;
  Token next_token_ = 1;
  Token running_ = 0;  // token whose callback is executing now
  bool stopping_ = false;
  std::condition_variable done_cv_;
  std::thread thread_;
};

}  // namespace anchor

// DeadlineWatchdog, called directly: callbacks run once their deadline passes, in deadline
// order, and never after Disarm. Waits observe a condition (bounded), they do not sleep.
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "anchor/deadline_watchdog.h"

using anchor::DeadlineWatchdog;
using std::chrono::milliseconds;

namespace {

// What the callbacks did, and a way to wait until they did it.
class Events {
 public:
  std::function<void()> Record(int id) {
    return [this, id] {
      std::lock_guard<std::mutex> lock(mu_);
      fired_.push_back(id);
      cv_.notify_all();
    };
  }
  // The ids fired once `count` have fired, or what fired within 5 s.
  std::vector<int> WaitFor(size_t count) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(5), [&] { return fired_.size() >= count; });
    return fired_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<int> fired_;
};

}  // namespace

TEST_CASE("an expired deadline runs its callback once", "[unit][anchor][watchdog]") {
  DeadlineWatchdog watchdog;
  Events events;
  const auto token = watchdog.Arm(DeadlineWatchdog::Clock::now(), events.Record(1));
  CHECK(events.WaitFor(1) == std::vector<int>{1});
  CHECK_FALSE(watchdog.Disarm(token));  // it already ran
}

TEST_CASE("callbacks run in deadline order, not in arming order", "[unit][anchor][watchdog]") {
  DeadlineWatchdog watchdog;
  Events events;
  const auto now = DeadlineWatchdog::Clock::now();
  watchdog.Arm(now + milliseconds(60), events.Record(3));
  watchdog.Arm(now + milliseconds(20), events.Record(1));
  watchdog.Arm(now + milliseconds(40), events.Record(2));
  CHECK(events.WaitFor(3) == std::vector<int>{1, 2, 3});
}

TEST_CASE("a disarmed callback never runs", "[unit][anchor][watchdog]") {
  DeadlineWatchdog watchdog;
  Events events;
  const auto now = DeadlineWatchdog::Clock::now();
  const auto token = watchdog.Arm(now + milliseconds(20), events.Record(1));
  // A later sentinel: once it has run, the disarmed deadline has long passed.
  watchdog.Arm(now + milliseconds(40), events.Record(2));
  CHECK(watchdog.Disarm(token));
  CHECK(events.WaitFor(1) == std::vector<int>{2});
  CHECK_FALSE(watchdog.Disarm(token));  // unknown by now
}

TEST_CASE("destroying the watchdog drops pending callbacks", "[unit][anchor][watchdog]") {
  Events events;
  {
    DeadlineWatchdog watchdog;
    watchdog.Arm(DeadlineWatchdog::Clock::now() + std::chrono::hours(1), events.Record(1));
  }  // must return at once, not wait an hour
  CHECK(events.WaitFor(0).empty());
}

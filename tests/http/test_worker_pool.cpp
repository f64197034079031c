// WorkerPool called directly: it runs the jobs posted, grows to its thread bound, queues up to
// its queue bound, then refuses; Shutdown() runs what is queued and refuses what comes later.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

#include "http/worker_pool.h"

using anchor::WorkerPool;

namespace {

// Jobs that block until Release(); Running() tells how many have started.
class Gate {
 public:
  std::function<void()> Job() {
    return [this] {
      std::unique_lock<std::mutex> lock(mu_);
      ++running_;
      cv_.notify_all();
      cv_.wait(lock, [&] { return open_; });
    };
  }
  bool WaitRunning(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(20), [&] { return running_ >= n; });
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int running_ = 0;
  bool open_ = false;
};

}  // namespace

TEST_CASE("the worker pool grows to its bound, queues, then refuses", "[unit][web][hardening]") {
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  std::atomic<int> done{0};
  auto blocker = [&] {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return release; });
    ++done;
  };
  WorkerPool pool(/*max_threads=*/2, /*max_queued=*/2);
  for (int i = 0; i < 4; ++i) CHECK(pool.TryPost(blocker));  // 2 running, 2 queued
  CHECK(pool.threads() == 2);
  // Full: the front answers 503 rather than letting requests pile up.
  CHECK_FALSE(pool.TryPost([&] { ++done; }));
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
  pool.Shutdown();  // runs what was queued, joins the threads
  CHECK(done == 4);
  CHECK_FALSE(pool.TryPost([] {}));
}

TEST_CASE("WorkerPool runs jobs on its own threads", "[unit][web]") {
  WorkerPool pool(2, 8);
  std::promise<std::thread::id> ran;
  auto where = ran.get_future();
  REQUIRE(pool.TryPost([&] { ran.set_value(std::this_thread::get_id()); }));
  REQUIRE(where.wait_for(std::chrono::seconds(20)) == std::future_status::ready);
  CHECK(where.get() != std::this_thread::get_id());
}

TEST_CASE("WorkerPool starts no thread before it has work", "[unit][web]") {
  Gate gate;
  WorkerPool pool(4, 4);
  CHECK(pool.threads() == 0);
  REQUIRE(pool.TryPost(gate.Job()));
  CHECK(pool.threads() == 1);
  gate.Release();
}

TEST_CASE("a WorkerPool with no queue refuses once every thread is busy", "[unit][web]") {
  Gate gate;
  WorkerPool pool(/*max_threads=*/2, /*max_queued=*/0);
  CHECK(pool.TryPost(gate.Job()));
  CHECK(pool.TryPost(gate.Job()));
  REQUIRE(gate.WaitRunning(2));
  CHECK_FALSE(pool.TryPost([] {}));
  CHECK(pool.threads() == 2);
  gate.Release();
}

TEST_CASE("WorkerPool with max_threads 0 still runs jobs on one thread", "[unit][web]") {
  Gate gate;
  WorkerPool pool(0, 1);
  CHECK(pool.TryPost(gate.Job()));
  REQUIRE(gate.WaitRunning(1));
  CHECK(pool.TryPost([] {}));        // queued
  CHECK_FALSE(pool.TryPost([] {}));  // the queue of one is full
  CHECK(pool.threads() == 1);
  gate.Release();
}

TEST_CASE("WorkerPool's destructor finishes queued jobs", "[unit][web]") {
  std::atomic<int> done{0};
  {
    Gate gate;
    WorkerPool pool(1, 3);
    REQUIRE(pool.TryPost(gate.Job()));
    REQUIRE(gate.WaitRunning(1));
    for (int i = 0; i < 3; ++i) REQUIRE(pool.TryPost([&] { ++done; }));
    gate.Release();
  }
  CHECK(done == 3);
}

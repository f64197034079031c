#pragma once

#include <httplib.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace anchor {

// The exporter's connection pool for httplib::Server::new_task_queue.
//
// cpp-httplib 0.11 gives every accepted connection one task that runs for the connection's whole
// keep-alive life, including the wait for its first request. Its default ThreadPool has a fixed
// number of threads (8 on a small machine) and an unbounded queue, so a handful of idle
// connections delay every scrape behind them by the keep-alive timeout each.
//
// This pool starts threads on demand up to `max_threads`, so idle connections cannot starve a
// scrape until that many are open at once; each of them is closed after the keep-alive timeout.
// Beyond that, up to `max_queued` connections wait in a queue. When the queue is full too, the
// accepting thread serves the connection itself: accepting pauses and further clients wait in
// the kernel's listen backlog. (httplib 0.11's enqueue() cannot refuse a task: the task owns the
// socket and is the only code that closes it, so dropping it would leak the descriptor.)
class BoundedTaskQueue : public httplib::TaskQueue {
 public:
  BoundedTaskQueue(std::size_t max_threads, std::size_t max_queued);
  ~BoundedTaskQueue() override;
  BoundedTaskQueue(const BoundedTaskQueue&) = delete;
  BoundedTaskQueue& operator=(const BoundedTaskQueue&) = delete;

  void enqueue(std::function<void()> fn) override;
  // Runs what is still queued (httplib's tasks close their sockets at once after stop()) and
  // joins the threads.
  void shutdown() override;

  std::size_t threads() const;
  // Connections the accepting thread had to serve itself because the pool was full.
  std::size_t overflowed() const;

 private:
  void Work();

  const std::size_t max_threads_;
  const std::size_t max_queued_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  std::size_t busy_ = 0;  // threads running a job
  std::size_t overflowed_ = 0;
  bool shutdown_ = false;
};

}  // namespace anchor

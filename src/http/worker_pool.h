#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace anchor {

// Runs request handlers - which block on API fetches and bcrypt - off the HTTP front's I/O
// threads. Threads start on demand up to `max_threads`; at most `max_queued` jobs wait. A full
// pool refuses work (the caller answers 503) rather than letting a burst pile up.
class WorkerPool {
 public:
  WorkerPool(std::size_t max_threads, std::size_t max_queued);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // False when the pool is full or shut down; `job` is then not run.
  bool TryPost(std::function<void()> job);
  // Runs what is queued, then joins the threads. Later TryPost calls fail.
  void Shutdown();
  std::size_t threads() const;

 private:
  void Work();

  const std::size_t max_threads_;
  const std::size_t max_queued_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  std::size_t busy_ = 0;  // threads running a job
  bool shutdown_ = false;
};

}  // namespace anchor

#include "web/bounded_task_queue.h"

#include <algorithm>

namespace anchor {

BoundedTaskQueue::BoundedTaskQueue(std::size_t max_threads, std::size_t max_queued)
    : max_threads_(std::max<std::size_t>(1, max_threads)), max_queued_(max_queued) {}

BoundedTaskQueue::~BoundedTaskQueue() { shutdown(); }

void BoundedTaskQueue::enqueue(std::function<void()> fn) {
  {
    std::unique_lock<std::mutex> lock(mu_);
    // Threads not running a job (waiting, or just started) will each take one queued job; the
    // queue bound applies to the jobs beyond those.
    const std::size_t free_threads = threads_.size() - busy_;
    const std::size_t waiting = jobs_.size() > free_threads ? jobs_.size() - free_threads : 0;
    const bool thread_free = jobs_.size() < free_threads;
    const bool can_grow = threads_.size() < max_threads_;
    if (!shutdown_ && (thread_free || can_grow || waiting < max_queued_)) {
      jobs_.push_back(std::move(fn));
      if (!thread_free && can_grow) threads_.emplace_back([this] { Work(); });
      lock.unlock();
      cv_.notify_one();
      return;
    }
    ++overflowed_;
  }
  fn();  // full (or shutting down): serve it on the accepting thread
}

void BoundedTaskQueue::Work() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return !jobs_.empty() || shutdown_; });
    if (jobs_.empty()) return;  // shutting down and nothing left
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    ++busy_;
    lock.unlock();
    job();
    job = nullptr;  // release what the task holds before waiting again
    lock.lock();
    --busy_;
  }
}

void BoundedTaskQueue::shutdown() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shutdown_) return;
    shutdown_ = true;
    threads.swap(threads_);
  }
  cv_.notify_all();
  for (auto& t : threads) t.join();
  // No thread was ever started (or all exited before the queue drained): run what is left.
  std::deque<std::function<void()>> left;
  {
    std::lock_guard<std::mutex> lock(mu_);
    left.swap(jobs_);
  }
  for (auto& job : left) job();
}

std::size_t BoundedTaskQueue::threads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return threads_.size();
}

std::size_t BoundedTaskQueue::overflowed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return overflowed_;
}

}  // namespace anchor

#include "web/bounded_task_queue.h"

#include <algorithm>

namespace anchor {

BoundedTaskQueue::BoundedTaskQueue(std::size_t max_threads, std::size_t max_queued)
    : max_threads_(std::max<std::size_t>(1, max_threads)), max_queued_(max_queued) {}

BoundedTaskQueue::~BoundedTaskQueue() { shutdown(); }

void BoundedTaskQueue::enqueue(std::function<void()> fn) {
  {
    std::unique_lock<std::mutex> lock(mu_);
    // Queued jobs already have a claim on the idle threads.
    const bool idle_thread_free = idle_ > jobs_.size();
    if (!shutdown_ &&
        (idle_thread_free || threads_.size() < max_threads_ || jobs_.size() < max_queued_)) {
      jobs_.push_back(std::move(fn));
      if (!idle_thread_free && threads_.size() < max_threads_) {
        threads_.emplace_back([this] { Work(); });
      }
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
    ++idle_;
    cv_.wait(lock, [this] { return !jobs_.empty() || shutdown_; });
    --idle_;
    if (jobs_.empty()) return;  // shutting down and nothing left
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job();
    job = nullptr;  // release what the task holds before waiting again
    lock.lock();
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

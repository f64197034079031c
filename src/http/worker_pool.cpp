#include "http/worker_pool.h"

namespace anchor {

WorkerPool::WorkerPool(std::size_t max_threads, std::size_t max_queued)
    : max_threads_(max_threads == 0 ? 1 : max_threads), max_queued_(max_queued) {}

WorkerPool::~WorkerPool() { Shutdown(); }

bool WorkerPool::TryPost(std::function<void()> job) {
  std::lock_guard<std::mutex> lock(mu_);
  if (shutdown_) return false;
  const std::size_t spare = threads_.size() - busy_;  // threads that will take a queued job
  if (spare <= jobs_.size()) {
    if (threads_.size() < max_threads_) {
      threads_.emplace_back([this] { Work(); });
    } else if (jobs_.size() - spare >= max_queued_) {
      return false;
    }
  }
  jobs_.push_back(std::move(job));
  cv_.notify_one();
  return true;
}

void WorkerPool::Work() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return shutdown_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // shut down and drained
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    ++busy_;
    lock.unlock();
    job();
    job = nullptr;  // what the job captured is released outside the lock
    lock.lock();
    --busy_;
  }
}

void WorkerPool::Shutdown() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    shutdown_ = true;
    threads.swap(threads_);
  }
  cv_.notify_all();
  for (auto& t : threads) t.join();
}

std::size_t WorkerPool::threads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return threads_.size();
}

}  // namespace anchor

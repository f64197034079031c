#include "collect/batch_fetcher.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "anchor/api_client.h"

namespace anchor {

BatchFetcher::BatchFetcher(ApiClient& client, int max_concurrency)
    : client_(client), max_concurrency_(std::max(1, max_concurrency)) {}

std::vector<BatchFetcher::ResultPtr> BatchFetcher::FetchAll(const std::vector<std::string>& ids,
                                                            Clock::time_point deadline) {
  std::vector<ResultPtr> results(ids.size());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < ids.size(); i = next++) {
      results[i] = std::make_shared<const FetchResult>(client_.FetchBatch(ids[i], deadline));
    }
  };
  // Workers pull ids from a shared index, so a slow batch delays only its own worker.
  const size_t workers = std::min(ids.size(), static_cast<size_t>(max_concurrency_));
  std::vector<std::thread> threads;
  threads.reserve(workers);
  for (size_t i = 1; i < workers; ++i) threads.emplace_back(worker);
  if (workers > 0) worker();
  for (auto& t : threads) t.join();
  return results;
}

}  // namespace anchor

#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "anchor/fetch_result.h"

namespace anchor {

class ApiClient;

// Fetches many batches at once with at most `max_concurrency` requests in flight.
class BatchFetcher {
 public:
  using Clock = std::chrono::steady_clock;
  using ResultPtr = std::shared_ptr<const FetchResult>;

  BatchFetcher(ApiClient& client, int max_concurrency);

  // One result per id, in the order of `ids`; returns by `deadline`.
  std::vector<ResultPtr> FetchAll(const std::vector<std::string>& ids, Clock::time_point deadline);

 private:
  ApiClient& client_;
  int max_concurrency_;
};

}  // namespace anchor

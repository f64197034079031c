#pragma once

#include <prometheus/metric_family.h>

#include <chrono>
#include <memory>
#include <vector>

#include "anchor/api_client.h"
#include "collect/batch_fetcher.h"
#include "config/config.h"

namespace anchor {

class Logger;
class SelfMetrics;

// One scrape's worth of work: fetch every configured batch, count what went wrong, and return
// the metric families. Built from one Config; a reload builds a new one.
class BatchCollector {
 public:
  using Clock = std::chrono::steady_clock;

  BatchCollector(const Config& config, SelfMetrics& metrics, const Logger& log);

  // Fetches every configured batch (ending by `deadline`) and returns the batch families
  // followed by the exporter's own.
  std::vector<prometheus::MetricFamily> Collect(Clock::time_point deadline);

  const Config& config() const { return config_; }
  ApiClient& client() { return client_; }

 private:
  void Record(const BatchTarget& target, const FetchResult& result);

  const Config config_;
  SelfMetrics& metrics_;
  const Logger& log_;
  ApiClient client_;
  BatchFetcher fetcher_;
};

}  // namespace anchor

#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

#include <string>
#include <vector>

#include "anchor/fetch_result.h"

namespace anchor {

// The exporter's own counters and gauges (anchorbrowser_exporter_*), kept across scrapes.
// Thread-safe: prometheus-cpp metrics are atomic and families guard their label sets.
class SelfMetrics {
 public:
  SelfMetrics();
  SelfMetrics(const SelfMetrics&) = delete;
  SelfMetrics& operator=(const SelfMetrics&) = delete;

  void CountApiRequest(int http_status);
  void CountFetchError(FetchError error);
  void CountInvalidField(const std::string& field);
  void CountCacheHit();
  void CountDiscoveryError(FetchError error);

  std::vector<prometheus::MetricFamily> Collect() const;

 private:
  prometheus::Registry registry_;
  prometheus::Family<prometheus::Counter>& api_requests_;
  prometheus::Family<prometheus::Counter>& fetch_errors_;
  prometheus::Family<prometheus::Counter>& invalid_fields_;
  prometheus::Counter& cache_hits_;
  prometheus::Family<prometheus::Counter>& discovery_errors_;
};

}  // namespace anchor

#include "collect/self_metrics.h"

#include "config/label_names.h"
#include "version.h"

namespace anchor {

SelfMetrics::SelfMetrics()
    : api_requests_(prometheus::BuildCounter()
                        .Name("anchorbrowser_exporter_api_requests_total")
                        .Help("Requests sent to the Anchor Browser API, by HTTP status code of "
                              "the answer.")
                        .Register(registry_)),
      fetch_errors_(prometheus::BuildCounter()
                        .Name("anchorbrowser_exporter_fetch_errors_total")
                        .Help("Batch fetches that produced no data, by reason.")
                        .Register(registry_)),
      invalid_fields_(prometheus::BuildCounter()
                          .Name("anchorbrowser_exporter_invalid_fields_total")
                          .Help("Fields of API responses dropped for a wrong type or an "
                                "impossible value, by field name.")
                          .Register(registry_)),
      cache_hits_(prometheus::BuildCounter()
                      .Name("anchorbrowser_exporter_cache_hits_total")
                      .Help("Batch fetches answered from memory instead of the API: terminal "
                            "batches within cache.terminal_ttl, any batch within "
                            "cache.min_interval. Cached values are real API responses.")
                      .Register(registry_)
                      .Add({})),
      discovery_errors_(prometheus::BuildCounter()
                            .Name("anchorbrowser_exporter_discovery_errors_total")
                            .Help("Failed requests to the batch list endpoint during discovery, "
                                  "by reason.")
                            .Register(registry_)) {
  prometheus::BuildGauge()
      .Name("anchorbrowser_exporter_build_info")
      .Help("Build information of the exporter; the value is always 1.")
      .Register(registry_)
      .Add({{labels::kVersion, kVersion}, {labels::kRevision, kRevision}})
      .Set(1);
  // Every reason is present from the start, so rate() sees the first error.
  for (const FetchError e : AllFetchErrors())
    fetch_errors_.Add({{labels::kReason, FetchErrorReason(e)}});
}

void SelfMetrics::CountApiRequest(int http_status) {
  api_requests_.Add({{labels::kCode, std::to_string(http_status)}}).Increment();
}

void SelfMetrics::CountFetchError(FetchError error) {
  fetch_errors_.Add({{labels::kReason, FetchErrorReason(error)}}).Increment();
}

void SelfMetrics::CountCacheHit() { cache_hits_.Increment(); }

void SelfMetrics::CountDiscoveryError(FetchError error) {
  discovery_errors_.Add({{labels::kReason, FetchErrorReason(error)}}).Increment();
}

void SelfMetrics::CountInvalidField(const std::string& field) {
  invalid_fields_.Add({{labels::kField, field}}).Increment();
}

std::vector<prometheus::MetricFamily> SelfMetrics::Collect() const { return registry_.Collect(); }

}  // namespace anchor

// SelfMetrics (src/collect/self_metrics.h): the exporter's own counters, kept across scrapes.
#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "collect/self_metrics.h"
#include "version.h"

using anchor::FetchError;
using Labels = std::map<std::string, std::string>;

namespace {

const prometheus::MetricFamily* Family(const std::vector<prometheus::MetricFamily>& families,
                                       const std::string& name) {
  for (const auto& f : families) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

// The counter (or gauge) value of the series of `name` with exactly `labels`.
std::optional<double> Value(const anchor::SelfMetrics& metrics, const std::string& name,
                            const Labels& labels) {
  const auto families = metrics.Collect();
  const auto* f = Family(families, name);
  if (f == nullptr) return std::nullopt;
  for (const auto& m : f->metric) {
    Labels have;
    for (const auto& l : m.label) have[l.name] = l.value;
    if (have == labels) {
      return f->type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
    }
  }
  return std::nullopt;
}

size_t SeriesCount(const anchor::SelfMetrics& metrics, const std::string& name) {
  const auto families = metrics.Collect();
  const auto* f = Family(families, name);
  return f == nullptr ? 0 : f->metric.size();
}

}  // namespace

TEST_CASE("a fresh SelfMetrics has build info and every fetch error reason at 0",
          "[unit][collect]") {
  const anchor::SelfMetrics metrics;
  CHECK(Value(metrics, "anchorbrowser_exporter_build_info",
              {{"version", anchor::kVersion}, {"revision", anchor::kRevision}}) == 1);
  CHECK(SeriesCount(metrics, "anchorbrowser_exporter_fetch_errors_total") ==
        anchor::AllFetchErrors().size());
  for (const FetchError e : anchor::AllFetchErrors()) {
    INFO(anchor::FetchErrorReason(e));
    CHECK(Value(metrics, "anchorbrowser_exporter_fetch_errors_total",
                {{"reason", anchor::FetchErrorReason(e)}}) == 0);
  }
  CHECK(Value(metrics, "anchorbrowser_exporter_cache_hits_total", {}) == 0);
  // Label sets appear with their first count.
  CHECK(SeriesCount(metrics, "anchorbrowser_exporter_api_requests_total") == 0);
  CHECK(SeriesCount(metrics, "anchorbrowser_exporter_invalid_fields_total") == 0);
  CHECK(SeriesCount(metrics, "anchorbrowser_exporter_discovery_errors_total") == 0);
  for (const auto& f : metrics.Collect()) {
    INFO(f.name);
    CHECK_FALSE(f.help.empty());
    CHECK(f.type == (f.name == "anchorbrowser_exporter_build_info"
                         ? prometheus::MetricType::Gauge
                         : prometheus::MetricType::Counter));
  }
}

TEST_CASE("each Count call adds one to its own series", "[unit][collect]") {
  anchor::SelfMetrics metrics;
  metrics.CountApiRequest(200);
  metrics.CountApiRequest(200);
  metrics.CountApiRequest(429);
  metrics.CountFetchError(FetchError::kTimeout);
  metrics.CountFetchError(FetchError::kTimeout);
  metrics.CountFetchError(FetchError::kTls);
  metrics.CountInvalidField("progress.percentage");
  metrics.CountInvalidField("sessions[].retry_count");
  metrics.CountInvalidField("sessions[].retry_count");
  metrics.CountCacheHit();
  metrics.CountDiscoveryError(FetchError::kUnauthorized);

  CHECK(Value(metrics, "anchorbrowser_exporter_api_requests_total", {{"code", "200"}}) == 2);
  CHECK(Value(metrics, "anchorbrowser_exporter_api_requests_total", {{"code", "429"}}) == 1);
  CHECK(SeriesCount(metrics, "anchorbrowser_exporter_api_requests_total") == 2);
  CHECK(Value(metrics, "anchorbrowser_exporter_fetch_errors_total", {{"reason", "timeout"}}) == 2);
  CHECK(Value(metrics, "anchorbrowser_exporter_fetch_errors_total", {{"reason", "tls"}}) == 1);
  CHECK(Value(metrics, "anchorbrowser_exporter_fetch_errors_total", {{"reason", "connection"}}) ==
        0);
  CHECK(Value(metrics, "anchorbrowser_exporter_invalid_fields_total",
              {{"field", "progress.percentage"}}) == 1);
  CHECK(Value(metrics, "anchorbrowser_exporter_invalid_fields_total",
              {{"field", "sessions[].retry_count"}}) == 2);
  CHECK(Value(metrics, "anchorbrowser_exporter_cache_hits_total", {}) == 1);
  CHECK(Value(metrics, "anchorbrowser_exporter_discovery_errors_total",
              {{"reason", "unauthorized"}}) == 1);
  // Discovery errors are their own family: the fetch errors did not move.
  CHECK(Value(metrics, "anchorbrowser_exporter_fetch_errors_total", {{"reason", "unauthorized"}}) ==
        0);
  // Collect reads; it does not reset.
  CHECK(Value(metrics, "anchorbrowser_exporter_api_requests_total", {{"code", "200"}}) == 2);
}

TEST_CASE("SelfMetrics counts from many threads without losing one", "[unit][collect]") {
  anchor::SelfMetrics metrics;
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&metrics] {
      for (int i = 0; i < 1000; ++i) {
        metrics.CountApiRequest(200 + i % 2);
        metrics.CountCacheHit();
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(Value(metrics, "anchorbrowser_exporter_api_requests_total", {{"code", "200"}}) == 2000);
  CHECK(Value(metrics, "anchorbrowser_exporter_api_requests_total", {{"code", "201"}}) == 2000);
  CHECK(Value(metrics, "anchorbrowser_exporter_cache_hits_total", {}) == 4000);
}

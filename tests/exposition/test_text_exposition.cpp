#include <prometheus/text_serializer.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>

#include "anchor/batch_parser.h"
#include "collect/batch_families.h"
#include "exposition/gauge_histogram.h"
#include "exposition/text_exposition.h"
#include "support/exporter_harness.h"

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

namespace {

std::string Reference(const std::vector<MetricFamily>& families) {
  return prometheus::TextSerializer().Serialize(families);
}

MetricFamily Family(const std::string& name, MetricType type, const std::string& help = "") {
  MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = type;
  return f;
}

// Values across every magnitude and shape: integers, fractions, tiny, huge, negative.
std::vector<double> Values() {
  std::vector<double> v = {0.0,
                           1.0,
                           -1.0,
                           0.1 + 0.2,
                           0.05,
                           2.5e-5,
                           1e-7,
                           100.0,
                           1e15,
                           1e15 - 1,
                           1e16,
                           1e17,
                           1e21,
                           -2.5,
                           5e-324,
                           1.7976931348623157e308,
                           1795860000.0,
                           1795860000.125,
                           123456789012345678.0,
                           9007199254740993.0,
                           -1e15,
                           0.425};
  std::uint64_t x = 0x9e3779b97f4a7c15ULL;
  for (int i = 0; i < 2000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const double mantissa = static_cast<double>(x >> 11) / static_cast<double>(1ULL << 53);
    const int exponent = static_cast<int>(x % 40) - 20;
    v.push_back((i % 2 ? -1 : 1) * mantissa * std::pow(10.0, exponent));
    v.push_back(static_cast<double>(x % 100000));
  }
  v.push_back(std::numeric_limits<double>::infinity());
  v.push_back(-std::numeric_limits<double>::infinity());
  return v;
}

}  // namespace

TEST_CASE("text exposition matches prometheus-cpp for every metric type",
          "[unit][web][exposition]") {
  auto gauge = Family("g", MetricType::Gauge, "A gauge with \"quotes\" in its help.");
  for (const double v : Values()) {
    ClientMetric m;
    m.label = {{"batch_id", "b-1"}, {"odd", "back\\slash \"quote\" new\nline"}};
    m.gauge.value = v;
    gauge.metric.push_back(m);
  }
  auto counter = Family("c_total", MetricType::Counter, "A counter.");
  ClientMetric c;
  c.counter.value = 12;
  counter.metric.push_back(c);
  c.timestamp_ms = 1795860000123;
  counter.metric.push_back(c);
  auto untyped = Family("u", MetricType::Untyped);
  ClientMetric u;
  u.untyped.value = 0.5;
  untyped.metric.push_back(u);
  auto summary = Family("s", MetricType::Summary, "A summary.");
  ClientMetric s;
  s.label = {{"l", "x"}};
  s.summary.sample_count = 4;
  s.summary.sample_sum = 2.5;
  s.summary.quantile = {{0.5, 1.25}, {0.99, 3}};
  summary.metric.push_back(s);
  auto histogram = Family("h", MetricType::Histogram, "A histogram.");
  ClientMetric h;
  h.histogram.sample_count = 3;
  h.histogram.sample_sum = 0.7;
  h.histogram.bucket = {{1, 0.005}, {2, 0.25}};  // no +Inf bucket: one is added
  histogram.metric.push_back(h);
  h.label = {{"l", "y"}};
  h.histogram.bucket.push_back({3, std::numeric_limits<double>::infinity()});
  histogram.metric.push_back(h);
  const auto empty = Family("e", MetricType::Gauge, "No series.");

  const std::vector<MetricFamily> families = {gauge, counter, untyped, summary, histogram, empty};
  CHECK(anchor::SerializeTextExposition(families) == Reference(families));
}

TEST_CASE("text exposition of batch families matches prometheus-cpp", "[unit][web][exposition]") {
  std::vector<anchor::BatchTarget> targets;
  std::vector<anchor::FetchResult> results(3);
  for (int i = 0; i < 3; ++i) {
    targets.push_back({"batch-" + std::to_string(i), {{"team", "a\"b"}}});
    std::string body = anchor::test::BatchJson(targets.back().id, "processing", 50 * i, 12.5 * i);
    results[i].batch = anchor::ParseBatchResponse(body).value();
    results[i].duration_seconds = 0.0123 * i;
  }
  results[2].batch.reset();  // a failed fetch: only anchorbrowser_batch_up 0
  results[2].error = anchor::FetchError::kTimeout;
  std::vector<anchor::BatchSnapshot> snapshots;
  snapshots.reserve(3);
  for (int i = 0; i < 3; ++i) snapshots.push_back({&targets[i], &results[i]});
  auto families = anchor::BuildBatchFamilies(snapshots);
  REQUIRE(!families.empty());
  // prometheus-cpp has no gauge histogram (tested on their own in test_session_metrics.cpp).
  const auto gauge_histograms = std::remove_if(
      families.begin(), families.end(), [](auto& f) { return f.type == anchor::kGaugeHistogram; });
  CHECK(gauge_histograms != families.end());
  families.erase(gauge_histograms, families.end());
  CHECK(anchor::SerializeTextExposition(families) == Reference(families));
}

TEST_CASE("text exposition escapes HELP and writes NaN as the format requires",
          "[unit][web][exposition]") {
  auto f = Family("g", MetricType::Gauge, "line one\nback\\slash");
  ClientMetric m;
  m.gauge.value = std::nan("");
  f.metric.push_back(m);
  CHECK(anchor::SerializeTextExposition({f}) ==
        "# HELP g line one\\nback\\\\slash\n# TYPE g gauge\ng NaN\n");
  CHECK(anchor::SerializeTextExposition({}).empty());
}

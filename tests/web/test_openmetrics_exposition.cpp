// The OpenMetrics 1.0.0 writer, byte for byte, for every metric type: names (a counter's
// family without _total, its samples with it), TYPE/UNIT/HELP lines and their escaping, label
// escaping, canonical bucket and quantile bounds, timestamps in seconds, "# EOF". The same
// families in text 0.0.4 too, so that a change to the shared line writers shows in both.
#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "web/openmetrics_exposition.h"
#include "web/text_exposition.h"

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

namespace {

MetricFamily Family(const std::string& name, MetricType type, const std::string& help) {
  MetricFamily f;
  f.name = name;
  f.type = type;
  f.help = help;
  return f;
}

ClientMetric Metric(std::vector<prometheus::ClientMetric::Label> labels,
                    std::int64_t timestamp_ms = 0) {
  ClientMetric m;
  m.label = std::move(labels);
  m.timestamp_ms = timestamp_ms;
  return m;
}

std::vector<MetricFamily> EveryType() {
  std::vector<MetricFamily> out;
  auto counter =
      Family("requests", MetricType::Counter, "Requests \"served\".\nSecond line \\ end.");
  counter.metric.push_back(Metric({{"code", "200"}, {"path", "a\"b\\c\nd"}}, 1795860000123));
  counter.metric.back().counter.value = 12;
  counter.metric.push_back(Metric({{"code", "500"}}, -1500));
  counter.metric.back().counter.value = 0.5;
  out.push_back(counter);

  auto gauge = Family("queue_seconds", MetricType::Gauge, "");
  gauge.metric.push_back(Metric({}));
  gauge.metric.back().gauge.value = std::numeric_limits<double>::quiet_NaN();
  gauge.metric.push_back(Metric({{"q", "x"}}, 2000));
  gauge.metric.back().gauge.value = -std::numeric_limits<double>::infinity();
  out.push_back(gauge);

  auto untyped = Family("mystery_bytes", MetricType::Untyped, "Unknown.");
  untyped.metric.push_back(Metric({}));
  untyped.metric.back().untyped.value = 1e21;
  out.push_back(untyped);

  auto summary = Family("latency_ratio", MetricType::Summary, "A summary.");
  summary.metric.push_back(Metric({{"job", "j"}}));
  summary.metric.back().summary.sample_count = 4;
  summary.metric.back().summary.sample_sum = 2.25;
  summary.metric.back().summary.quantile = {{0.5, 0.1}, {0.99, 3}};
  out.push_back(summary);

  auto histogram = Family("size", MetricType::Histogram, "A histogram.");
  histogram.metric.push_back(Metric({}));
  histogram.metric.back().histogram.sample_count = 5;
  histogram.metric.back().histogram.sample_sum = 1e-7;
  histogram.metric.back().histogram.bucket = {{1, 0.25}, {3, 1}, {4, 1500000}};
  histogram.metric.push_back(Metric({{"k", "v"}}));
  histogram.metric.back().histogram.bucket = {{0, std::numeric_limits<double>::infinity()}};
  out.push_back(histogram);

  out.push_back(Family("empty_total", MetricType::Counter, "No samples."));
  return out;
}

}  // namespace

TEST_CASE("OpenMetrics text of every metric type, byte for byte", "[unit][web]") {
  CHECK(anchor::SerializeOpenMetrics(EveryType()) ==
        "# TYPE requests counter\n"
        "# HELP requests Requests \\\"served\\\".\\nSecond line \\\\ end.\n"
        "requests_total{code=\"200\",path=\"a\\\"b\\\\c\\nd\"} 12 1795860000.123\n"
        "requests_total{code=\"500\"} 0.5 -1.500\n"
        "# TYPE queue_seconds gauge\n"
        "# UNIT queue_seconds seconds\n"
        "queue_seconds NaN\n"
        "queue_seconds{q=\"x\"} -Inf 2\n"
        "# TYPE mystery_bytes unknown\n"
        "# UNIT mystery_bytes bytes\n"
        "# HELP mystery_bytes Unknown.\n"
        "mystery_bytes 1e+21\n"
        "# TYPE latency_ratio summary\n"
        "# UNIT latency_ratio ratio\n"
        "# HELP latency_ratio A summary.\n"
        "latency_ratio{job=\"j\",quantile=\"0.5\"} 0.1\n"
        "latency_ratio{job=\"j\",quantile=\"0.99\"} 3\n"
        "latency_ratio_count{job=\"j\"} 4\n"
        "latency_ratio_sum{job=\"j\"} 2.25\n"
        "# TYPE size histogram\n"
        "# HELP size A histogram.\n"
        "size_bucket{le=\"0.25\"} 1\n"
        "size_bucket{le=\"1.0\"} 3\n"
        "size_bucket{le=\"1.5e+06\"} 4\n"
        "size_bucket{le=\"+Inf\"} 5\n"
        "size_count 5\n"
        "size_sum 1e-07\n"
        "size_bucket{k=\"v\",le=\"+Inf\"} 0\n"
        "size_count{k=\"v\"} 0\n"
        "size_sum{k=\"v\"} 0\n"
        "# TYPE empty counter\n"
        "# HELP empty No samples.\n"
        "# EOF\n");
}

TEST_CASE("text 0.0.4 of the same families, byte for byte", "[unit][web]") {
  CHECK(anchor::SerializeTextExposition(EveryType()) ==
        "# HELP requests Requests \"served\".\\nSecond line \\\\ end.\n"
        "# TYPE requests counter\n"
        "requests{code=\"200\",path=\"a\\\"b\\\\c\\nd\"} 12 1795860000123\n"
        "requests{code=\"500\"} 0.5 -1500\n"
        "# TYPE queue_seconds gauge\n"
        "queue_seconds NaN\n"
        "queue_seconds{q=\"x\"} -Inf 2000\n"
        "# HELP mystery_bytes Unknown.\n"
        "# TYPE mystery_bytes untyped\n"
        "mystery_bytes 1e+21\n"
        "# HELP latency_ratio A summary.\n"
        "# TYPE latency_ratio summary\n"
        "latency_ratio_count{job=\"j\"} 4\n"
        "latency_ratio_sum{job=\"j\"} 2.25\n"
        "latency_ratio{job=\"j\",quantile=\"0.5\"} 0.1\n"
        "latency_ratio{job=\"j\",quantile=\"0.99\"} 3\n"
        "# HELP size A histogram.\n"
        "# TYPE size histogram\n"
        "size_count 5\n"
        "size_sum 1e-07\n"
        "size_bucket{le=\"0.25\"} 1\n"
        "size_bucket{le=\"1.0\"} 3\n"
        "size_bucket{le=\"1.5e+06\"} 4\n"
        "size_bucket{le=\"+Inf\"} 5\n"
        "size_count{k=\"v\"} 0\n"
        "size_sum{k=\"v\"} 0\n"
        "size_bucket{k=\"v\",le=\"+Inf\"} 0\n"
        "# HELP empty_total No samples.\n"
        "# TYPE empty_total counter\n");
}

// SerializeOpenMetrics and AppendOpenMetricsFamily called directly: the exact bytes for given
// families (every type, units, escaping, timestamps), and the strict parser of
// python3-prometheus-client accepting them.
#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "exposition/gauge_histogram.h"
#include "exposition/openmetrics_exposition.h"
#include "exposition/text_exposition.h"
#include "support/exposition.h"

using anchor::SerializeOpenMetrics;
using anchor::test::StrictOpenMetricsParse;
using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

namespace {

MetricFamily SessionHistogram() {
  MetricFamily f;
  f.name = "anchorbrowser_batch_session_duration_seconds";
  f.help = "Run \"time\".";
  f.type = anchor::kGaugeHistogram;
  ClientMetric m;
  m.label = {{"batch_id", "b"}};
  m.histogram.sample_count = 3;
  m.histogram.sample_sum = 42.5;
  m.histogram.bucket = {{1, 10}, {2, 2.5e6}, {3, std::numeric_limits<double>::infinity()}};
  f.metric.push_back(m);
  return f;
}

MetricFamily Counter() {
  MetricFamily f;
  f.name = "anchorbrowser_exporter_cache_hits_total";
  f.help = "Hits.";
  f.type = prometheus::MetricType::Counter;
  ClientMetric m;
  m.counter.value = 7;
  f.metric.push_back(m);
  return f;
}

MetricFamily Family(const std::string& name, MetricType type, const std::string& help = "") {
  MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = type;
  return f;
}

}  // namespace

TEST_CASE("a gauge histogram in OpenMetrics and in text 0.0.4", "[unit][web][om]") {
  const std::vector<MetricFamily> families = {SessionHistogram(), Counter()};
  CHECK(anchor::SerializeOpenMetrics(families) ==
        "# TYPE anchorbrowser_batch_session_duration_seconds gaugehistogram\n"
        "# UNIT anchorbrowser_batch_session_duration_seconds seconds\n"
        "# HELP anchorbrowser_batch_session_duration_seconds Run \\\"time\\\".\n"
        "anchorbrowser_batch_session_duration_seconds_bucket{batch_id=\"b\",le=\"10.0\"} 1\n"
        "anchorbrowser_batch_session_duration_seconds_bucket{batch_id=\"b\",le=\"2.5e+06\"} 2\n"
        "anchorbrowser_batch_session_duration_seconds_bucket{batch_id=\"b\",le=\"+Inf\"} 3\n"
        "anchorbrowser_batch_session_duration_seconds_gcount{batch_id=\"b\"} 3\n"
        "anchorbrowser_batch_session_duration_seconds_gsum{batch_id=\"b\"} 42.5\n"
        "# TYPE anchorbrowser_exporter_cache_hits counter\n"
        "# HELP anchorbrowser_exporter_cache_hits Hits.\n"
        "anchorbrowser_exporter_cache_hits_total 7\n"
        "# EOF\n");
  // What the official Python client writes for a gauge histogram in text 0.0.4: the same
  // series names and the same `le` bytes.
  CHECK(anchor::SerializeTextExposition(families) ==
        "# HELP anchorbrowser_batch_session_duration_seconds Run \"time\".\n"
        "# TYPE anchorbrowser_batch_session_duration_seconds histogram\n"
        "anchorbrowser_batch_session_duration_seconds_bucket{batch_id=\"b\",le=\"10.0\"} 1\n"
        "anchorbrowser_batch_session_duration_seconds_bucket{batch_id=\"b\",le=\"2.5e+06\"} 2\n"
        "anchorbrowser_batch_session_duration_seconds_bucket{batch_id=\"b\",le=\"+Inf\"} 3\n"
        "# HELP anchorbrowser_batch_session_duration_seconds_gcount Run \"time\".\n"
        "# TYPE anchorbrowser_batch_session_duration_seconds_gcount gauge\n"
        "anchorbrowser_batch_session_duration_seconds_gcount{batch_id=\"b\"} 3\n"
        "# HELP anchorbrowser_batch_session_duration_seconds_gsum Run \"time\".\n"
        "# TYPE anchorbrowser_batch_session_duration_seconds_gsum gauge\n"
        "anchorbrowser_batch_session_duration_seconds_gsum{batch_id=\"b\"} 42.5\n"
        "# HELP anchorbrowser_exporter_cache_hits_total Hits.\n"
        "# TYPE anchorbrowser_exporter_cache_hits_total counter\n"
        "anchorbrowser_exporter_cache_hits_total 7\n");
  std::string output;
  CHECK(StrictOpenMetricsParse(anchor::SerializeOpenMetrics(families), output) == 0);
  CHECK(output ==
        "anchorbrowser_batch_session_duration_seconds gaugehistogram 5\n"
        "anchorbrowser_exporter_cache_hits counter 1\n");
}

TEST_CASE("the strict OpenMetrics parser rejects what it should", "[unit][web][om]") {
  // The check can fail: without # EOF, and with a non-canonical +Inf.
  std::string output;
  CHECK(StrictOpenMetricsParse("# TYPE a gauge\na 1\n", output) != 0);
  output.clear();
  CHECK(StrictOpenMetricsParse("# TYPE a gaugehistogram\na_bucket{le=\"inf\"} 1\na_gcount 1\n"
                               "a_gsum 1\n# EOF\n",
                               output) != 0);
}

TEST_CASE("OpenMetrics: a counter is announced without _total, its samples keep it",
          "[unit][web][om]") {
  auto f = Family("requests", MetricType::Counter, "Requests.");
  ClientMetric m;
  m.label = {{"code", "200"}};
  m.counter.value = 3;
  f.metric.push_back(m);
  CHECK(SerializeOpenMetrics({f}) ==
        "# TYPE requests counter\n"
        "# HELP requests Requests.\n"
        "requests_total{code=\"200\"} 3\n"
        "# EOF\n");
}

TEST_CASE("OpenMetrics: units, escaped help and label values, untyped, no help",
          "[unit][web][om]") {
  auto size = Family("body_bytes", MetricType::Gauge, "Line\nbreak \\ and \"quotes\".");
  ClientMetric m;
  m.label = {{"path", "a\"b\\c\nd"}};
  m.gauge.value = 0.5;
  size.metric.push_back(m);
  auto ratio = Family("hit_ratio", MetricType::Untyped);
  ClientMetric u;
  u.untyped.value = std::numeric_limits<double>::quiet_NaN();
  ratio.metric.push_back(u);
  CHECK(SerializeOpenMetrics({size, ratio}) ==
        "# TYPE body_bytes gauge\n"
        "# UNIT body_bytes bytes\n"
        "# HELP body_bytes Line\\nbreak \\\\ and \\\"quotes\\\".\n"
        "body_bytes{path=\"a\\\"b\\\\c\\nd\"} 0.5\n"
        "# TYPE hit_ratio unknown\n"
        "# UNIT hit_ratio ratio\n"
        "hit_ratio NaN\n"
        "# EOF\n");
}

TEST_CASE("OpenMetrics: timestamps are seconds with milliseconds", "[unit][web][om]") {
  auto f = Family("last_seen", MetricType::Gauge);
  for (const std::int64_t ms : {1700000000123LL, 1700000000000LL, 1700000000050LL}) {
    ClientMetric m;
    m.gauge.value = 1;
    m.timestamp_ms = ms;
    f.metric.push_back(m);
  }
  CHECK(SerializeOpenMetrics({f}) ==
        "# TYPE last_seen gauge\n"
        "last_seen 1 1700000000.123\n"
        "last_seen 1 1700000000\n"
        "last_seen 1 1700000000.050\n"
        "# EOF\n");
}

TEST_CASE("OpenMetrics: histograms and summaries", "[unit][web][om]") {
  auto h = Family("wait_seconds", MetricType::Histogram);
  ClientMetric hm;
  hm.histogram.sample_count = 4;
  hm.histogram.sample_sum = 1.25;
  hm.histogram.bucket = {{1, 0.25}, {3, 1}};  // no +Inf bucket: it is added
  h.metric.push_back(hm);
  auto s = Family("rpc", MetricType::Summary);
  ClientMetric sm;
  sm.summary.sample_count = 10;
  sm.summary.sample_sum = 2;
  sm.summary.quantile = {{0.5, 0.1}, {0.99, 0.7}};
  s.metric.push_back(sm);
  const std::string text = SerializeOpenMetrics({h, s});
  CHECK(text ==
        "# TYPE wait_seconds histogram\n"
        "# UNIT wait_seconds seconds\n"
        "wait_seconds_bucket{le=\"0.25\"} 1\n"
        "wait_seconds_bucket{le=\"1.0\"} 3\n"
        "wait_seconds_bucket{le=\"+Inf\"} 4\n"
        "wait_seconds_count 4\n"
        "wait_seconds_sum 1.25\n"
        "# TYPE rpc summary\n"
        "rpc{quantile=\"0.5\"} 0.1\n"
        "rpc{quantile=\"0.99\"} 0.7\n"
        "rpc_count 10\n"
        "rpc_sum 2\n"
        "# EOF\n");
  std::string output;
  CHECK(StrictOpenMetricsParse(text, output) == 0);
  CHECK(output == "wait_seconds histogram 5\nrpc summary 4\n");
}

TEST_CASE("AppendOpenMetricsFamily appends one family without # EOF", "[unit][web][om]") {
  auto f = Family("up", MetricType::Gauge);
  f.metric.emplace_back();
  std::string out = "x\n";
  anchor::AppendOpenMetricsFamily(out, f);
  CHECK(out == "x\n# TYPE up gauge\nup 0\n");
  CHECK(std::string(anchor::kOpenMetricsEof) == "# EOF\n");
}

// Every metric type in both formats, byte for byte, pinned before the line writers that both
// formats share were factored into exposition_writer: a change there shows in both.
namespace {

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

// Content negotiation, the OpenMetrics 1.0.0 writer and gauge histograms in both formats:
// exact text, the strict parser of python3-prometheus-client, gzip, /metrics and /probe.
#include <httplib.h>
#include <sys/wait.h>
#include <zlib.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <limits>
#include <string>

#include "base/gauge_histogram.h"
#include "demo/demo_setup.h"
#include "support/exporter_harness.h"
#include "support/fake_anchor_api.h"
#include "support/test_tls.h"
#include "web/exposition_format.h"
#include "web/openmetrics_exposition.h"
#include "web/text_exposition.h"

using anchor::ExpositionFormat;
using anchor::NegotiateExpositionFormat;
using prometheus::ClientMetric;
using prometheus::MetricFamily;

namespace {

// What Prometheus 2.42 sends (scrape/scrape.go), without and with the protobuf feature flag.
const char* kPrometheusAccept =
    "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;"
    "q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
const char* kPrometheusProtobufAccept =
    "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;"
    "q=0.9,application/openmetrics-text;version=1.0.0;q=0.8,application/openmetrics-text;"
    "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
const char* kBrowserAccept =
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";
const char* kOpenMetricsType = "application/openmetrics-text; version=1.0.0; charset=utf-8";
const char* kTextType = "text/plain; version=0.0.4; charset=utf-8";

std::string Gunzip(const std::string& gz) {
  z_stream stream{};
  REQUIRE(inflateInit2(&stream, 15 + 16) == Z_OK);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  stream.avail_in = static_cast<uInt>(gz.size());
  std::string out;
  char buf[16384];
  int rc = Z_OK;
  while (rc == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buf);
    stream.avail_out = sizeof(buf);
    rc = inflate(&stream, Z_NO_FLUSH);
    out.append(buf, sizeof(buf) - stream.avail_out);
  }
  inflateEnd(&stream);
  REQUIRE(rc == Z_STREAM_END);
  return out;
}

int Run(const std::string& command, std::string& output) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) output.append(buf, n);
  const int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Parses `text` with the strict OpenMetrics parser of Debian's python3-prometheus-client
// (under /usr/bin/python3, which need not be the first python3 on the PATH); prints the
// family names and types, or the parser's error.
int StrictOpenMetricsParse(const std::string& text, std::string& output) {
  const auto file = anchor::test::MakeTempDir() + "/exposition.om";
  anchor::test::WriteFile(file, text);
  return Run(
      "/usr/bin/python3 -c 'import sys\n"
      "from prometheus_client.openmetrics.parser import text_string_to_metric_families\n"
      "for f in text_string_to_metric_families(open(sys.argv[1]).read()):\n"
      "    print(f.name, f.type, len(f.samples))' " +
          file,
      output);
}

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

}  // namespace

TEST_CASE("content negotiation for the Accept headers scrapers and browsers send", "[web][om]") {
  const std::vector<std::pair<std::string, ExpositionFormat>> cases = {
      {kPrometheusAccept, ExpositionFormat::kOpenMetrics100},
      {kPrometheusProtobufAccept, ExpositionFormat::kOpenMetrics100},
      {"application/openmetrics-text", ExpositionFormat::kOpenMetrics100},
      {"application/openmetrics-text; version=\"1.0.0\"; charset=utf-8",
       ExpositionFormat::kOpenMetrics100},
      {"APPLICATION/OpenMetrics-Text;Version=1.0.0;q=0.6,text/plain;q=0.5",
       ExpositionFormat::kOpenMetrics100},
      {kBrowserAccept, ExpositionFormat::kText004},
      {"", ExpositionFormat::kText004},
      {"*/*", ExpositionFormat::kText004},
      {"text/plain", ExpositionFormat::kText004},
      {"text/plain;version=0.0.4;q=0.9,application/openmetrics-text;q=0.5",
       ExpositionFormat::kText004},
      {"application/openmetrics-text;version=0.0.1", ExpositionFormat::kText004},
      {"application/openmetrics-text;version=2.0.0,text/plain;q=0.1", ExpositionFormat::kText004},
      {"application/openmetrics-text;q=0", ExpositionFormat::kText004},
      {"application/openmetrics-text;q=garbage", ExpositionFormat::kText004},
      {"application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily",
       ExpositionFormat::kText004},
      {";;,,=,application/openmetrics-text;;q=1;", ExpositionFormat::kOpenMetrics100},
  };
  for (const auto& [accept, format] : cases) {
    INFO(accept);
    const auto negotiated = NegotiateExpositionFormat(accept);
    CHECK(negotiated.format == format);
    CHECK(std::string(negotiated.content_type) ==
          (format == ExpositionFormat::kOpenMetrics100 ? kOpenMetricsType : kTextType));
  }
}

TEST_CASE("a gauge histogram in OpenMetrics and in text 0.0.4", "[web][om]") {
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

TEST_CASE("the strict OpenMetrics parser rejects what it should", "[web][om]") {
  // The check can fail: without # EOF, and with a non-canonical +Inf.
  std::string output;
  CHECK(StrictOpenMetricsParse("# TYPE a gauge\na 1\n", output) != 0);
  output.clear();
  CHECK(StrictOpenMetricsParse("# TYPE a gaugehistogram\na_bucket{le=\"inf\"} 1\na_gcount 1\n"
                               "a_gsum 1\n# EOF\n",
                               output) != 0);
}

TEST_CASE("/metrics and /probe answer OpenMetrics to Prometheus and text to others, gzipped or not",
          "[web][om]") {
  anchor::FakeAnchorApi api;
  const auto specs = anchor::MakeDemoBatches();
  anchor::ServeDemoBatches(api.simulated(), specs, /*loop=*/false);
  REQUIRE(api.Start());
  auto config = anchor::DemoConfig(api.base_url(), specs);
  config.sessions.histograms = anchor::SessionHistograms::kAll;
  anchor::test::ExporterHarness exporter(config);
  httplib::Client client("127.0.0.1", exporter.port());
  client.set_decompress(false);

  for (const char* path : {"/metrics", "/probe?target=demo-login-audit"}) {
    for (const bool gzip : {false, true}) {
      INFO(path << (gzip ? " gzip" : ""));
      httplib::Headers om_headers = {{"Accept", kPrometheusAccept}};
      httplib::Headers text_headers = {{"Accept", kBrowserAccept}};
      if (gzip) {
        om_headers.insert({"Accept-Encoding", "gzip"});
        text_headers.insert({"Accept-Encoding", "gzip"});
      }
      const auto om = client.Get(path, om_headers);
      const auto text = client.Get(path, text_headers);
      REQUIRE(om);
      REQUIRE(text);
      CHECK(om->status == 200);
      CHECK(om->get_header_value("Content-Type") == kOpenMetricsType);
      CHECK(text->get_header_value("Content-Type") == kTextType);
      CHECK(om->get_header_value("Content-Encoding") == (gzip ? "gzip" : ""));
      const std::string om_body = gzip ? Gunzip(om->body) : om->body;
      const std::string text_body = gzip ? Gunzip(text->body) : text->body;
      REQUIRE(om_body.size() > 6);
      CHECK(om_body.substr(om_body.size() - 6) == "# EOF\n");
      CHECK(text_body.find("# EOF") == std::string::npos);
      CHECK(om_body.find("# TYPE anchorbrowser_batch_session_duration_seconds gaugehistogram\n") !=
            std::string::npos);
      CHECK(text_body.find("# TYPE anchorbrowser_batch_session_duration_seconds histogram\n") !=
            std::string::npos);
      std::string output;
      CHECK(StrictOpenMetricsParse(om_body, output) == 0);
      INFO(output);
      CHECK(output.find("anchorbrowser_batch_session_queue_seconds gaugehistogram") !=
            std::string::npos);
      // The same sample lines, name and labels (le included) byte for byte, in both formats.
      const auto series = [](const std::string& body) {
        std::vector<std::string> lines;
        size_t pos = 0;
        while (pos < body.size()) {
          const size_t end = body.find('\n', pos);
          const std::string line = body.substr(pos, end - pos);
          pos = end == std::string::npos ? body.size() : end + 1;
          if (line.empty() || line[0] == '#' || line.find("duration_seconds") != std::string::npos)
            continue;  // durations and timings change between the two scrapes
          lines.push_back(line.substr(0, line.rfind(' ')));
        }
        std::sort(lines.begin(), lines.end());
        return lines;
      };
      CHECK(series(om_body) == series(text_body));
    }
  }
  // The text answer is clean for promtool too.
  const auto file = anchor::test::MakeTempDir() + "/metrics.txt";
  anchor::test::WriteFile(file, exporter.Scrape());
  std::string output;
  CHECK(Run("promtool check metrics < " + file, output) == 0);
  CHECK(output.empty());
}

// NegotiateExpositionFormat and SerializeExposition called directly: the Accept headers
// Prometheus and browsers send, q=0, ties between the formats, and the bytes of each format.
#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "exposition/exposition_format.h"
#include "exposition/openmetrics_exposition.h"
#include "exposition/text_exposition.h"

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

bool PicksOpenMetrics(const char* accept) {
  return NegotiateExpositionFormat(accept).format == ExpositionFormat::kOpenMetrics100;
}

}  // namespace

TEST_CASE("content negotiation for the Accept headers scrapers and browsers send",
          "[unit][web][om]") {
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

TEST_CASE("q=0 refuses a format, the highest q wins, ties go to the named type, then text",
          "[unit][web][om]") {
  CHECK_FALSE(PicksOpenMetrics("application/openmetrics-text;q=0,*/*"));
  CHECK_FALSE(PicksOpenMetrics("application/openmetrics-text;q=0,text/plain;q=0"));
  // text/plain refused by name: a wildcard still admits OpenMetrics.
  CHECK(PicksOpenMetrics("text/plain;q=0,*/*"));
  CHECK(PicksOpenMetrics("text/plain;q=0.4,application/openmetrics-text;q=0.5"));
  CHECK_FALSE(PicksOpenMetrics("text/plain;q=0.5,application/openmetrics-text;q=0.4"));
  CHECK_FALSE(PicksOpenMetrics("application/openmetrics-text;q=0.5,text/plain;q=0.5"));
  CHECK(PicksOpenMetrics("application/openmetrics-text;q=0.5,*/*;q=0.5"));
  CHECK(PicksOpenMetrics("application/*"));
  CHECK_FALSE(PicksOpenMetrics("text/*"));
  CHECK_FALSE(PicksOpenMetrics("application/openmetrics-text;q=1.5"));  // out of range: 0
  // The most specific range counts, not the best q among all that match.
  CHECK_FALSE(PicksOpenMetrics("application/openmetrics-text;q=0,application/*;q=1"));
}

TEST_CASE("SerializeExposition writes the negotiated format", "[unit][web][om]") {
  MetricFamily f;
  f.name = "anchorbrowser_exporter_up";
  f.help = "Up.";
  f.type = prometheus::MetricType::Gauge;
  ClientMetric m;
  m.gauge.value = 1;
  f.metric.push_back(m);
  const std::vector<MetricFamily> families = {f};
  CHECK(anchor::SerializeExposition(families, ExpositionFormat::kText004) ==
        "# HELP anchorbrowser_exporter_up Up.\n"
        "# TYPE anchorbrowser_exporter_up gauge\n"
        "anchorbrowser_exporter_up 1\n");
  CHECK(anchor::SerializeExposition(families, ExpositionFormat::kOpenMetrics100) ==
        "# TYPE anchorbrowser_exporter_up gauge\n"
        "# HELP anchorbrowser_exporter_up Up.\n"
        "anchorbrowser_exporter_up 1\n"
        "# EOF\n");
  CHECK(anchor::SerializeExposition({}, ExpositionFormat::kOpenMetrics100) == "# EOF\n");
  CHECK(anchor::SerializeExposition({}, ExpositionFormat::kText004).empty());
}

// OpenMetrics end to end: /metrics and /probe answer it to Prometheus and text to others,
// gzipped or not, accepted by the strict parser of python3-prometheus-client. Negotiation and
// the writers are tested directly in exposition/test_exposition_format.cpp and
// exposition/test_openmetrics_exposition.cpp.
#include <httplib.h>
#include <sys/wait.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "demo/demo_setup.h"
#include "support/exporter_harness.h"
#include "support/exposition.h"
#include "support/fake_anchor_api.h"
#include "support/gzip.h"
#include "support/test_tls.h"

using anchor::test::Gunzip;
using anchor::test::StrictOpenMetricsParse;

namespace {

// What Prometheus 2.42 sends (scrape/scrape.go).
const char* kPrometheusAccept =
    "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;"
    "q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
const char* kBrowserAccept =
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";
const char* kOpenMetricsType = "application/openmetrics-text; version=1.0.0; charset=utf-8";
const char* kTextType = "text/plain; version=0.0.4; charset=utf-8";

int Run(const std::string& command, std::string& output) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) output.append(buf, n);
  const int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("/metrics and /probe answer OpenMetrics to Prometheus and text to others, gzipped or not",
          "[om][e2e]") {
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
      // Exemplars (the demo's sessions have ids) in OpenMetrics, never in text 0.0.4.
      CHECK(om_body.find(R"(_bucket{batch_id=")") != std::string::npos);
      if (std::string(path) == "/metrics") {
        CHECK(om_body.find(R"( # {session_id=")") != std::string::npos);
      }
      CHECK(text_body.find(" # {") == std::string::npos);
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
          std::string line = body.substr(pos, end - pos);
          line = line.substr(0, line.find(" # {"));  // OpenMetrics: a bucket's exemplar
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

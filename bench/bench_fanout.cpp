// Fan-out: how long a scrape of N batches takes when every API request takes L, with at most C
// requests in flight, against the floor ceil(N/C) * L. Over HTTP and over HTTPS with kept-alive
// connections (TLS handshakes per scrape counted from ApiClient::connections_opened()).
#include <prometheus/text_serializer.h>

#include <cmath>
#include <iostream>
#include <optional>
#include <sstream>

#include "anchor/api_client.h"
#include "bench_util.h"
#include "collect/batch_collector.h"
#include "collect/self_metrics.h"
#include "log/logger.h"
#include "support/fake_anchor_api.h"
#include "support/test_tls.h"

namespace anchor::bench {
namespace {

struct Case {
  int batches;
  int reps;
};

struct Run {
  Stats stats;
  double floor = 0;
  std::uint64_t handshakes_first = 0;  // the first scrape opens the connections
  double handshakes_per_scrape = 0;    // every later scrape
  int peak_in_flight = 0;              // as seen by the fake API
};

// Number of batches reported up in a scrape: every one must be, or the timing means nothing.
int CountUp(const std::vector<prometheus::MetricFamily>& families) {
  for (const auto& f : families) {
    if (f.name != "anchorbrowser_batch_up") continue;
    int up = 0;
    for (const auto& m : f.metric) up += m.gauge.value == 1 ? 1 : 0;
    return up;
  }
  return 0;
}

Run RunCase(const std::optional<test::TestCertificate>& cert, const Case& c, int concurrency,
            std::chrono::milliseconds latency) {
  FakeAnchorApi::Options api_options;
  api_options.threads = concurrency + 16;  // every request in flight holds a server thread
  if (cert) {
    api_options.cert_file = cert->cert_file;
    api_options.key_file = cert->key_file;
  }
  FakeAnchorApi api(api_options);
  if (!api.Start()) Fail("cannot start the fake Anchor API");

  Config config;
  config.anchor.base_url = api.base_url();
  config.anchor.api_key = Secret(api_options.api_key);
  config.anchor.max_concurrency = concurrency;
  config.anchor.timeout = std::chrono::seconds(60);
  if (cert) config.anchor.tls.ca_file = cert->cert_file;
  for (int i = 0; i < c.batches; ++i) {
    BatchTarget target;
    target.id = Uuid(static_cast<std::uint64_t>(c.batches), static_cast<std::uint64_t>(i));
    FakeAnchorApi::Answer answer;
    answer.body = BatchBody(target.id, 10, "processing");
    answer.delay = latency;
    api.SetAnswer(target.id, std::move(answer));
    config.batches.push_back(std::move(target));
  }

  SelfMetrics metrics;
  // The collector's own client, held here so that its connection count can be read.
  ApiClient client(
      config.anchor, [&metrics](int status) { metrics.CountApiRequest(status); },
      config.sessions.buckets);
  BatchCollector collector(config, client, metrics, NullLogger());
  auto scrape = [&] {
    const auto start = Clock::now();
    const auto families = collector.Collect(start + std::chrono::minutes(2));
    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, families);
    const double seconds = SecondsSince(start);
    if (const int up = CountUp(families); up != c.batches) {
      Fail("fan-out scrape had " + std::to_string(up) + " of " + std::to_string(c.batches) +
           " batches up");
    }
    return seconds;
  };

  Run run;
  scrape();
  run.handshakes_first = client.connections_opened();
  std::vector<double> samples;
  samples.reserve(static_cast<size_t>(c.reps));
  for (int i = 0; i < c.reps; ++i) samples.push_back(scrape());
  run.stats = Summarize(samples);
  run.handshakes_per_scrape =
      static_cast<double>(client.connections_opened() - run.handshakes_first) / c.reps;
  run.floor = std::ceil(static_cast<double>(c.batches) / concurrency) *
              std::chrono::duration<double>(latency).count();
  run.peak_in_flight = api.PeakConcurrentRequests();
  return run;
}

}  // namespace
}  // namespace anchor::bench

int main(int argc, char** argv) {
  using namespace anchor::bench;
  const Options options = ParseOptions(argc, argv);
  const int concurrency = 32;
  const auto latency = std::chrono::milliseconds(options.quick ? 20 : 50);
  const std::vector<Case> cases = options.quick
                                      ? std::vector<Case>{{10, 5}, {100, 5}}
                                      : std::vector<Case>{{10, 40}, {100, 20}, {1000, 10}};
  const auto cert = anchor::test::MakeSelfSignedCertificate();

  std::cout << "## Fan-out: scrape time against ceil(N/C) * L\n\n"
            << "A scrape = BatchCollector::Collect (fetch every batch, build families) + text "
               "serialization, in process, against the fake API on loopback answering each "
               "request after L (bodies of 10 sessions). Floor = ceil(N/C) * L. One warm-up "
               "scrape opens the connections; later scrapes reuse them (keep-alive).\n\n";
  std::vector<std::vector<std::string>> rows;
  std::optional<double> http_ratio_1000, https_ratio_1000;
  for (const bool https : {false, true}) {
    for (const auto& c : cases) {
      const Run r = RunCase(https ? std::optional(cert) : std::nullopt, c, concurrency, latency);
      const double ratio = r.stats.median / r.floor;
      if (c.batches == 1000) (https ? https_ratio_1000 : http_ratio_1000) = ratio;
      rows.push_back(
          {https ? "https" : "http", std::to_string(c.batches), std::to_string(concurrency),
           Ms(latency.count() / 1000.0), Ms(r.floor), Ms(r.stats.median), Ms(r.stats.p99),
           Fixed(ratio, 3) + "x", Fixed(r.stats.p99 / r.floor, 3) + "x", std::to_string(r.stats.n),
           std::to_string(r.peak_in_flight), https ? std::to_string(r.handshakes_first) : "-",
           https ? Fixed(r.handshakes_per_scrape, 2) : "-"});
    }
  }
  PrintTable(
      {"scheme", "N", "C", "L", "floor", "median", "p99", "median/floor", "p99/floor", "scrapes",
       "peak in flight", "TLS handshakes (1st scrape)", "TLS handshakes / later scrape"},
      rows);
  std::cout << "p99 is the nearest-rank 99th percentile; with fewer than 100 scrapes it is the "
               "slowest one.\n\n";
  if (http_ratio_1000) {
    ReportTarget(options, "fan-out scrape, N=1000 C=32 L=50ms (http, median)", "<= 1.08x floor",
                 Fixed(*http_ratio_1000, 3) + "x", *http_ratio_1000 <= 1.08);
  }
  if (https_ratio_1000) {
    ReportTarget(options, "fan-out scrape, N=1000 C=32 L=50ms (https, kept alive, median)",
                 "<= 1.08x floor", Fixed(*https_ratio_1000, 3) + "x", *https_ratio_1000 <= 1.08);
  }
  return 0;
}

// Upstreams that leave Nagle on and write headers and body separately (TwoWriteUpstream): a
// client that delays its ACK waits ~40 ms for every answer after the first on a kept-alive
// connection. Measures one connection's request time, and the exporter's fan-out against such
// a server and against a well-behaved one (the fake API: TCP_NODELAY, one write), as a ratio to
// the floor ceil(N/C) * L.
#include <httplib.h>

#include <cmath>
#include <iostream>

#include "bench_util.h"
#include "collect/batch_collector.h"
#include "collect/self_metrics.h"
#include "log/logger.h"
#include "support/fake_anchor_api.h"
#include "two_write_upstream.h"

namespace anchor::bench {
namespace {

// Median time of one GET on a kept-alive plain httplib::Client (no TCP_QUICKACK).
double PlainClientRequest(const std::string& base_url, const std::string& id, int requests) {
  httplib::Client client(base_url);
  client.set_keep_alive(true);
  std::vector<double> samples;
  for (int i = 0; i <= requests; ++i) {
    const auto start = Clock::now();
    const auto res = client.Get("/v1/batch-sessions/" + id, {{"anchor-api-key", "demo-api-key"}});
    if (!res || res->status != 200) Fail("plain client: no 200 from " + base_url);
    if (i > 0) samples.push_back(SecondsSince(start));  // the first one opens the connection
  }
  return Summarize(samples).median;
}

int CountUp(const std::vector<prometheus::MetricFamily>& families) {
  for (const auto& f : families) {
    if (f.name != "anchorbrowser_batch_up") continue;
    int up = 0;
    for (const auto& m : f.metric) up += m.gauge.value == 1 ? 1 : 0;
    return up;
  }
  return 0;
}

// Median scrape time of BatchCollector::Collect over `ids` at `base_url`.
double FanOut(const std::string& base_url, const std::vector<std::string>& ids, int concurrency,
              int reps) {
  Config config;
  config.anchor.base_url = base_url;
  config.anchor.api_key = Secret(FakeAnchorApi::Options{}.api_key);
  config.anchor.max_concurrency = concurrency;
  config.anchor.timeout = std::chrono::seconds(60);
  for (const auto& id : ids) config.batches.push_back({id, {}});
  SelfMetrics metrics;
  BatchCollector collector(config, metrics, NullLogger());
  std::vector<double> samples;
  for (int i = 0; i <= reps; ++i) {
    const auto start = Clock::now();
    const auto families = collector.Collect(start + std::chrono::minutes(2));
    if (CountUp(families) != static_cast<int>(ids.size())) Fail("fan-out: batches down");
    if (i > 0) samples.push_back(SecondsSince(start));  // the first one opens the connections
  }
  return Summarize(samples).median;
}

}  // namespace
}  // namespace anchor::bench

int main(int argc, char** argv) {
  using namespace anchor::bench;
  const Options options = ParseOptions(argc, argv);
  const int n = options.quick ? 64 : 400;
  const int concurrency = 16;
  const int reps = options.quick ? 3 : 8;
  const auto latency = std::chrono::milliseconds(20);
  const double l = std::chrono::duration<double>(latency).count();

  TwoWriteUpstream two_write(latency);
  anchor::FakeAnchorApi::Options api_options;
  api_options.threads = concurrency + 8;
  anchor::FakeAnchorApi well_behaved(api_options);
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) {
    ids.push_back(Uuid(7, static_cast<std::uint64_t>(i)));
    const auto body = BatchBody(ids.back(), 10, "processing");
    two_write.SetBody(ids.back(), body);
    anchor::FakeAnchorApi::Answer answer;
    answer.body = body;
    answer.delay = latency;
    well_behaved.SetAnswer(ids.back(), answer);
  }
  if (!two_write.Start() || !well_behaved.Start()) Fail("cannot start the upstreams");

  std::cout << "## Upstreams that write headers and body separately (Nagle on)\n\n"
               "TwoWriteUpstream (bench/two_write_upstream.h) answers after L = 20 ms in two "
               "writes, headers then body, without TCP_NODELAY, like Python's http.server. The "
               "well-behaved server is the fake API (TCP_NODELAY, one write). Kept-alive "
               "connections; the first request or scrape (connection set-up) is not counted.\n\n";
  const int sequential = options.quick ? 5 : 30;
  const double plain_two = PlainClientRequest(two_write.base_url(), ids[0], sequential);
  const double plain_good = PlainClientRequest(well_behaved.base_url(), ids[0], sequential);
  PrintTable(
      {"client", "server", "median time per request", "vs L"},
      {{"plain httplib::Client", "two writes, Nagle", Ms(plain_two), Fixed(plain_two / l, 2) + "x"},
       {"plain httplib::Client", "well-behaved", Ms(plain_good), Fixed(plain_good / l, 2) + "x"}});
  std::cout << "\n";

  const double floor = std::ceil(static_cast<double>(n) / concurrency) * l;
  const double two = FanOut(two_write.base_url(), ids, concurrency, reps);
  const double good = FanOut(well_behaved.base_url(), ids, concurrency, reps);
  PrintTable({"exporter fan-out (ApiClient)", "N", "C", "floor", "median scrape", "median/floor"},
             {{"two writes, Nagle", std::to_string(n), std::to_string(concurrency), Ms(floor),
               Ms(two), Fixed(two / floor, 3) + "x"},
              {"well-behaved", std::to_string(n), std::to_string(concurrency), Ms(floor), Ms(good),
               Fixed(good / floor, 3) + "x"}});
  std::cout << "\n";
  ReportTarget(options, "fan-out against a two-write Nagle upstream (median)", "<= 1.1x floor",
               Fixed(two / floor, 3) + "x", two / floor <= 1.1,
               "well-behaved server: " + Fixed(good / floor, 3) + "x");
  return 0;
}

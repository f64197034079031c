// The exporter binary as a whole, run as a child process against the fake API:
// - peak resident memory (VmHWM) while tracking many big batches;
// - /metrics requests per second under wrk for completed batches (served from the cache when
//   the build has one);
// - upstream load: API requests per batch per scrape interval with one and two scrapers.
#include <iostream>
#include <optional>
#include <thread>

#include "bench_util.h"
#include "exporter_process.h"
#include "support/fake_anchor_api.h"

namespace anchor::bench {
namespace {

struct Env {
  Options options;
  std::string binary;
  std::string dir;  // temporary files: configs, exporter logs
  FakeAnchorApi* api;
  bool cache_supported = false;
};

std::vector<std::string> AddBatches(FakeAnchorApi& api, const std::string& prefix, int count,
                                    int sessions, const std::string& status,
                                    std::chrono::milliseconds delay = {}) {
  std::vector<std::string> ids;
  for (int i = 0; i < count; ++i) {
    ids.push_back(prefix + "-" + Uuid(5, static_cast<std::uint64_t>(i)));
    FakeAnchorApi::Answer answer;
    answer.body = BatchBody(ids.back(), sessions, status);
    answer.delay = delay;
    api.SetAnswer(ids.back(), std::move(answer));
  }
  return ids;
}

void RemoveBatches(FakeAnchorApi& api, const std::vector<std::string>& ids) {
  for (const auto& id : ids) api.Remove(id);
}

std::string MiB(long kib) { return Fixed(static_cast<double>(kib) / 1024.0, 1) + " MiB"; }

// Peak memory while tracking many batches that are re-fetched on every scrape (processing).
void Memory(const Env& env) {
  const int batches = env.options.quick ? 50 : 1000;
  const int sessions = 1000;
  const int scrapes = env.options.quick ? 1 : 3;
  const auto ids = AddBatches(*env.api, "mem", batches, sessions, "processing");
  ExporterConfig config{env.api->base_url(), ids, 16, ""};
  WriteExporterConfig(env.dir + "/memory.yaml", config);
  ExporterProcess exporter(env.binary, env.dir + "/memory.yaml", env.dir + "/memory.log");
  const long idle = CurrentRssKiB(exporter.pid());
  std::vector<double> times;
  for (int i = 0; i < scrapes; ++i) {
    const auto start = Clock::now();
    exporter.Scrape(60);
    times.push_back(SecondsSince(start));
  }
  const long after_sequential = PeakRssKiB(exporter.pid());
  // Two scrapes at once (two Prometheus servers): the worst case for bodies held at a time.
  std::thread other([&] { exporter.Scrape(60); });
  exporter.Scrape(60);
  other.join();
  const long peak = PeakRssKiB(exporter.pid());
  const long rss = CurrentRssKiB(exporter.pid());
  RemoveBatches(*env.api, ids);

  std::cout << "## Peak resident memory of the exporter\n\n"
            << "The exporter binary (anchor.max_concurrency 16) tracking batches in status "
               "`processing` (re-fetched on every scrape) from the fake API answering at once; "
               "VmHWM from /proc/<pid>/status after "
            << scrapes << " sequential scrape(s), then after 2 concurrent scrapes.\n\n";
  const std::string body_mb = Fixed(BatchBody("x", sessions, "processing").size() / 1e6, 2);
  PrintTable(
      {"batches", "sessions each", "body", "scrape (median)", "RSS idle",
       "peak after sequential scrapes", "peak after 2 concurrent", "RSS at end"},
      {{std::to_string(batches), std::to_string(sessions), body_mb + " MB",
        Ms(Summarize(times).median), MiB(idle), MiB(after_sequential), MiB(peak), MiB(rss)}});
  if (!env.options.quick) {
    ReportTarget(env.options, "peak RSS, 1000 batches x 1000 sessions tracked", "< 64 MiB",
                 MiB(peak), peak < 64L * 1024,
                 "(" + MiB(after_sequential) + " with sequential scrapes only)");
  }
}

// Requests per second that the exporter sustains for scrapes of completed batches.
void Throughput(const Env& env) {
  const int batches = env.options.quick ? 100 : 1000;
  const auto ids = AddBatches(*env.api, "done", batches, 1000, "completed");
  ExporterConfig config{env.api->base_url(), ids, 16, ""};
  WriteExporterConfig(env.dir + "/wrk.yaml", config);
  ExporterProcess exporter(env.binary, env.dir + "/wrk.yaml", env.dir + "/wrk.log");
  exporter.Scrape(60);  // fills the cache, if there is one
  const int threads = env.options.quick ? 1 : 2, connections = env.options.quick ? 2 : 8;
  const int seconds = env.options.quick ? 1 : 5;
  std::vector<std::vector<std::string>> rows;
  for (const std::string encoding : {"", "gzip"}) {
    const int before = env.api->TotalRequests();
    const WrkResult wrk = RunWrk(exporter.metrics_url(), threads, connections, seconds,
                                 env.dir + "/wrk.txt", encoding);
    if (wrk.errors > 0) Fail("wrk saw errors:\n" + wrk.raw);
    rows.push_back({encoding.empty() ? "none" : encoding, std::to_string(batches),
                    Fixed(wrk.requests_per_second, 1), std::to_string(wrk.requests),
                    wrk.latency_p50, wrk.latency_p99,
                    std::to_string(env.api->TotalRequests() - before),
                    MiB(PeakRssKiB(exporter.pid()))});
  }
  RemoveBatches(*env.api, ids);

  std::cout << "## Cached scrapes: /metrics requests per second (wrk)\n\n"
            << "`wrk -t" << threads << " -c" << connections << " -d" << seconds
            << "s` on loopback against the exporter binary tracking " << batches
            << " completed batches of 1,000 sessions, after one warm-up scrape; without "
               "Accept-Encoding, then with `Accept-Encoding: gzip` as Prometheus sends it. "
            << (env.cache_supported
                    ? "Completed batches are served from the exporter's cache "
                      "(cache.terminal_ttl, default 5m), so the API calls below should be 0."
                    : "This build has no cache (no cache.terminal_ttl config key): every scrape "
                      "fetches every batch from the fake API, which answers at once.")
            << " wrk and the fake API share the machine's 2 cores with the exporter; the peak "
               "RSS is the exporter's so far.\n\n";
  PrintTable({"Accept-Encoding", "batches", "requests/s", "requests", "latency p50", "latency p99",
              "API calls during the run", "exporter peak RSS"},
             rows);
}

struct LoadCase {
  std::string name;
  int scrapers;
  double offset;  // of the second scraper, as a fraction of the interval
  std::string status;
  bool needs_cache;
  std::string cache_yaml;
};

struct LoadResult {
  double all = 0;     // requests per batch per interval over every interval
  double steady = 0;  // the same, leaving out the first interval (which fills the cache)
};

LoadResult RunLoad(const Env& env, const LoadCase& c, int batches, double interval, int intervals) {
  const auto ids =
      AddBatches(*env.api, "load", batches, 100, c.status, std::chrono::milliseconds(20));
  ExporterConfig config{env.api->base_url(), ids, 16, c.cache_yaml};
  WriteExporterConfig(env.dir + "/load.yaml", config);
  ExporterProcess exporter(env.binary, env.dir + "/load.yaml", env.dir + "/load.log");
  const int start_count = env.api->TotalRequests();
  const auto t0 = Clock::now() + std::chrono::milliseconds(100);
  auto at = [&](double seconds) {
    return t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  };
  std::vector<std::thread> scrapers;
  scrapers.reserve(static_cast<size_t>(c.scrapers));
  for (int s = 0; s < c.scrapers; ++s) {
    scrapers.emplace_back([&, s] {
      for (int k = 0; k < intervals; ++k) {
        std::this_thread::sleep_until(at((k + (s == 1 ? c.offset : 0)) * interval));
        exporter.Scrape(interval);
      }
    });
  }
  std::this_thread::sleep_until(at(0.95 * interval));
  const int first_interval = env.api->TotalRequests() - start_count;
  for (auto& t : scrapers) t.join();
  const int total = env.api->TotalRequests() - start_count;
  RemoveBatches(*env.api, ids);
  LoadResult r;
  r.all = static_cast<double>(total) / (batches * intervals);
  r.steady = static_cast<double>(total - first_interval) / (batches * (intervals - 1));
  return r;
}

void UpstreamLoad(const Env& env) {
  const int batches = env.options.quick ? 20 : 100;
  const double interval = env.options.quick ? 0.5 : 2.0;
  const int intervals = env.options.quick ? 2 : 6;
  const std::string min_interval = std::to_string(static_cast<int>(interval * 800)) + "ms";
  const std::vector<LoadCase> cases = {
      {"1 scraper", 1, 0, "processing", false, ""},
      {"2 scrapers at the same moment (coalescing)", 2, 0, "processing", false, ""},
      {"2 scrapers half an interval apart, no cache", 2, 0.5, "processing", false, ""},
      {"2 scrapers half an interval apart, cache.min_interval " + min_interval, 2, 0.5,
       "processing", true, "cache:\n  min_interval: " + min_interval + "\n"},
      {"1 scraper, completed batches (cache.terminal_ttl 5m)", 1, 0, "completed", true,
       "cache:\n  terminal_ttl: 5m\n"},
  };
  std::cout << "## Upstream load: API requests per batch per scrape interval\n\n"
            << batches << " batches of 100 sessions, fake API latency 20 ms, scrape interval "
            << Fixed(interval, 1) << " s (scaled down from 15 s; the ratios do not depend on it), "
            << intervals
            << " intervals. Requests counted at the fake API "
               "(FakeAnchorApi::TotalRequests). \"steady\" leaves out the first interval, "
               "which fills the cache.\n\n";
  if (!env.cache_supported) {
    std::cout << "This build has no `cache:` config section: the cached cases are skipped.\n\n";
  }
  std::vector<std::vector<std::string>> rows;
  std::optional<double> two_same, two_cached;
  for (const auto& c : cases) {
    if (c.needs_cache && !env.cache_supported) {
      rows.push_back({c.name, std::to_string(c.scrapers), "n/a", "n/a"});
      continue;
    }
    const LoadResult r = RunLoad(env, c, batches, interval, intervals);
    rows.push_back({c.name, std::to_string(c.scrapers), Fixed(r.all, 2), Fixed(r.steady, 2)});
    if (c.scrapers == 2 && c.offset == 0) two_same = r.steady;
    if (c.scrapers == 2 && c.needs_cache) two_cached = r.steady;
  }
  PrintTable({"case", "scrapers", "requests/batch/interval", "steady"}, rows);
  if (env.options.quick) return;
  for (const auto& [name, value] :
       {std::pair{"2 scrapers at the same moment", two_same},
        std::pair{"2 scrapers half an interval apart, cache.min_interval", two_cached}}) {
    ReportTarget(env.options, std::string("API requests per batch per interval, ") + name,
                 "exactly 1", value ? Fixed(*value, 2) : "n/a (no cache in this build)",
                 value && *value > 0.995 && *value < 1.005);
  }
}

}  // namespace
}  // namespace anchor::bench

int main(int argc, char** argv) {
  using namespace anchor::bench;
  const ExporterBench bench = SetUpExporterBench(argc, argv);
  Env env;
  env.options = bench.options;
  env.binary = bench.binary;
  env.dir = bench.dir;
  const auto api_server = StartFakeApi(64);
  auto& api = *api_server;
  env.api = &api;

  WriteExporterConfig(env.dir + "/probe.yaml",
                      {api.base_url(), {"probe"}, 16, "cache:\n  min_interval: 1s\n"});
  env.cache_supported = ConfigAccepted(env.binary, env.dir + "/probe.yaml");
  std::cout << "Exporter binary: " << env.binary.substr(env.binary.rfind('/') + 1)
            << " (cache config " << (env.cache_supported ? "supported" : "not supported")
            << ")\n\n";
  if (env.options.Runs("memory")) Memory(env);
  if (env.options.Runs("wrk")) Throughput(env);
  if (env.options.Runs("load")) UpstreamLoad(env);
  return 0;
}

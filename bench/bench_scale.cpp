// /metrics of one exporter at 1,000 / 5,000 / 10,000 tracked batches (issue 14): mostly finished
// batches (served from the cache: cache.terminal_ttl) plus a share of active ones (re-fetched on
// every scrape). Per scrape: the exporter process's CPU time (utime + stime from /proc), wall
// time, answer size, uncompressed and with Accept-Encoding: gzip (as Prometheus asks); its RSS,
// and its peak RSS (VmHWM) after 4 concurrent scrapes; the API requests each scrape made after the
// first, for the finished batches (0: every one stays cached) and in all.
#include <httplib.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "bench_util.h"
#include "exporter_process.h"
#include "support/fake_anchor_api.h"

namespace anchor::bench {
namespace {

constexpr int kActivePercent = 5;

// utime + stime of a process in seconds.
double CpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string skip;
  for (int i = 3; i < 14; ++i) fields >> skip;  // fields 3..13
  long utime = 0, stime = 0;
  fields >> utime >> stime;
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// One GET /metrics; returns the body size as sent (compressed when gzip is asked for).
size_t Scrape(int port, bool gzip) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(std::chrono::seconds(60));
  client.set_decompress(false);
  httplib::Headers headers{{"X-Prometheus-Scrape-Timeout-Seconds", "30"}};
  if (gzip) headers.emplace("Accept-Encoding", "gzip");
  const auto res = client.Get("/metrics", headers);
  if (!res || res->status != 200) Fail("scrape failed");
  if (gzip != (res->get_header_value("Content-Encoding") == "gzip")) Fail("unexpected encoding");
  return res->body.size();
}

struct Measured {
  double cpu_ms = 0, wall_ms = 0;
  size_t bytes = 0;
};

Measured Measure(const ExporterProcess& exporter, bool gzip, int reps) {
  Measured m;
  std::vector<double> walls;
  const double cpu0 = CpuSeconds(exporter.pid());
  for (int i = 0; i < reps; ++i) {
    const auto start = Clock::now();
    m.bytes = Scrape(exporter.port(), gzip);
    walls.push_back(SecondsSince(start));
  }
  // The clock ticks every 10 ms: the mean over several scrapes.
  m.cpu_ms = (CpuSeconds(exporter.pid()) - cpu0) * 1000 / reps;
  m.wall_ms = Summarize(walls).median * 1000;
  return m;
}

// Requests the fake API received for these batches.
long RequestsFor(const FakeAnchorApi& api, const std::vector<std::string>& ids, size_t from,
                 size_t to) {
  long total = 0;
  for (size_t i = from; i < to; ++i) total += api.RequestCount(ids[i]);
  return total;
}

// How many of these batches the fake API was never asked for.
int Unasked(const FakeAnchorApi& api, const std::vector<std::string>& ids) {
  int unasked = 0;
  for (const auto& id : ids) unasked += api.RequestCount(id) == 0 ? 1 : 0;
  return unasked;
}

std::string KiBMiB(long kib) { return Fixed(static_cast<double>(kib) / 1024.0, 1) + " MiB"; }
std::string Mb(size_t bytes) { return Fixed(static_cast<double>(bytes) / 1e6, 2) + " MB"; }

}  // namespace
}  // namespace anchor::bench

int main(int argc, char** argv) {
  using namespace anchor::bench;
  const ExporterBench bench = SetUpExporterBench(argc, argv);
  const Options& options = bench.options;
  const std::string& binary = bench.binary;
  const std::string& dir = bench.dir;
  // --only N[@P]: N tracked batches alone (e.g. 25000, to see that memory stays linear), P% of
  // them processing (default 5).
  struct Case {
    int n;
    int active_percent;
  };
  const std::vector<Case> cases = [&]() -> std::vector<Case> {
    if (options.only.empty() && options.quick)
      return {{200, kActivePercent}, {1000, kActivePercent}};
    if (options.only.empty()) {
      return {{1000, kActivePercent}, {5000, kActivePercent}, {10000, kActivePercent}, {10000, 10}};
    }
    const size_t at = options.only.find('@');
    return {{std::stoi(options.only.substr(0, at)),
             at == std::string::npos ? kActivePercent : std::stoi(options.only.substr(at + 1))}};
  }();
  const int reps = options.quick ? 2 : 6;

  const auto api_server = StartFakeApi(32);
  auto& api = *api_server;

  std::cout << "## /metrics at thousands of tracked batches\n\n"
            << "The exporter binary (default configuration, anchor.max_concurrency 16) tracking N "
               "configured batches of 20 sessions: "
            << kActivePercent
            << "% processing (fetched on every scrape; 10% in the last row of a full run), the "
               "rest completed (cached for cache.terminal_ttl), from the fake API answering at "
               "once. After one warm-up "
               "scrape, "
            << reps
            << " scrapes each: CPU = the exporter's utime + stime per scrape (mean), wall = "
               "median. API req/scrape: requests the fake API received per scrape after the "
               "warm-up (finished batches: 0 when every one stays cached; all: the processing "
               "ones). RSS after the scrapes (and divided by N); peak = VmHWM of 4 concurrent "
               "gzip scrapes (reset before them).\n\n";
  std::vector<std::vector<std::string>> rows;
  std::optional<Measured> plain10k, gzip10k;
  long peak10k = -1;
  double max_finished_per_scrape = 0;
  long peak10k_mixed = -1;
  for (const auto [n, active_percent] : cases) {
    std::vector<std::string> ids;
    const int active = n * active_percent / 100;
    for (int i = 0; i < n; ++i) {
      ids.push_back(Uuid(14, static_cast<std::uint64_t>(i)));
      api.SetBatchJson(ids.back(),
                       BatchBody(ids.back(), 20, i < active ? "processing" : "completed"));
    }
    const std::string config = dir + "/scale-" + std::to_string(n) + ".yaml";
    WriteExporterConfig(config, {api.base_url(), ids, 16, ""});
    ExporterProcess exporter(binary, config, dir + "/scale-" + std::to_string(n) + ".log");
    // Fills the cache: a scrape that ends at its timeout leaves batches to later scrapes, so
    // scrape again until every batch has been asked for once.
    Scrape(exporter.port(), true);
    for (int k = 0; k < 10 && Unasked(api, ids) > 0; ++k) {
      Scrape(exporter.port(), true);
    }
    const long finished0 = RequestsFor(api, ids, static_cast<size_t>(active), ids.size());
    const long all0 = RequestsFor(api, ids, 0, ids.size());
    const Measured plain = Measure(exporter, false, reps);
    const Measured gz = Measure(exporter, true, reps);
    const long rss = CurrentRssKiB(exporter.pid());
    // The peak of the concurrent scrapes alone, not of the process' life (VmHWM := VmRSS).
    std::ofstream("/proc/" + std::to_string(exporter.pid()) + "/clear_refs") << "5";
    std::vector<std::thread> scrapers;
    scrapers.reserve(4);
    for (int i = 0; i < 4; ++i) scrapers.emplace_back([&] { Scrape(exporter.port(), true); });
    for (auto& t : scrapers) t.join();
    const long peak = PeakRssKiB(exporter.pid());
    const double scrapes = 2.0 * reps + 4;
    const double finished_per_scrape =
        static_cast<double>(RequestsFor(api, ids, static_cast<size_t>(active), ids.size()) -
                            finished0) /
        scrapes;
    const double all_per_scrape =
        static_cast<double>(RequestsFor(api, ids, 0, ids.size()) - all0) / scrapes;
    if (finished_per_scrape > max_finished_per_scrape)
      max_finished_per_scrape = finished_per_scrape;
    rows.push_back({std::to_string(n), std::to_string(active), Fixed(plain.cpu_ms, 1) + " ms",
                    Fixed(plain.wall_ms, 1) + " ms", Mb(plain.bytes), Fixed(gz.cpu_ms, 1) + " ms",
                    Fixed(gz.wall_ms, 1) + " ms", Mb(gz.bytes), Fixed(finished_per_scrape, 2),
                    Fixed(all_per_scrape, 1), KiBMiB(rss), KiBMiB(peak),
                    Fixed(static_cast<double>(rss) / n, 2) + " KiB"});
    if (n == 10000 && active_percent == 10) peak10k_mixed = peak;
    if (n == 10000 && active_percent == kActivePercent) {
      plain10k = plain;
      gzip10k = gz;
      peak10k = peak;
    }
    for (const auto& id : ids) api.Remove(id);
  }
  PrintTable({"N", "active", "CPU/scrape", "wall", "size", "CPU/scrape gzip", "wall gzip",
              "size gzip", "API req/scrape, finished", "API req/scrape, all", "RSS",
              "peak RSS, 4 concurrent", "RSS per batch"},
             rows);
  std::cout << "\n";
  ReportTarget(options, "API requests per scrape for finished batches, after the first", "0",
               Fixed(max_finished_per_scrape, 2), max_finished_per_scrape == 0);
  if (plain10k) {
    ReportTarget(options, "/metrics CPU per scrape, 10,000 batches (uncompressed)", "<= 40 ms",
                 Fixed(plain10k->cpu_ms, 1) + " ms", plain10k->cpu_ms <= 40);
    ReportTarget(options, "/metrics CPU per scrape, 10,000 batches (gzip)", "<= 80 ms",
                 Fixed(gzip10k->cpu_ms, 1) + " ms", gzip10k->cpu_ms <= 80);
    ReportTarget(options, "peak RSS, 4 concurrent scrapes of 10,000 batches", "<= 128 MiB",
                 KiBMiB(peak10k), peak10k <= 128L * 1024);
  }
  if (peak10k_mixed >= 0) {
    ReportTarget(options, "peak RSS, 4 concurrent scrapes of 10,000 batches, 1 in 10 processing",
                 "<= 160 MiB", KiBMiB(peak10k_mixed), peak10k_mixed <= 160L * 1024);
  }
  return 0;
}

// /metrics at 1,000 / 5,000 / 10,000 tracked batches, with and without the render cache
// (WebOptions::render_cache), in one run: CPU time of the exporter per scrape, wall time,
// answer size, and the peak RSS of 4 concurrent scrapes.
//
// The fake API runs in a child process and the scrapes are curl processes, so that the CPU
// time and memory measured (getrusage and VmHWM of this process) are the exporter's alone.
#include <malloc.h>
#include <signal.h>
#include <spdlog/sinks/null_sink.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "anchor/batch_parser.h"
#include "anchor/session_detail_builder.h"
#include "bench_util.h"
#include "collect/batch_answer.h"
#include "collect/batch_families.h"
#include "exporter_process.h"
#include "exposition/http_compression.h"
#include "exposition/render_cache.h"
#include "support/exporter_harness.h"
#include "support/fake_anchor_api.h"
#include "support/test_tls.h"

namespace anchor::bench {
namespace {

constexpr int kSessions = 20;
constexpr int kActiveEvery = 10;  // every 10th batch is processing, the others completed
constexpr const char* kPrometheusAccept =
    "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;"
    "q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

// Two sets of batches: all completed, and every kActiveEvery-th one processing.
std::string BatchId(bool mixed, int i) {
  return (mixed ? "mixed-" : "done-") + Uuid(14, static_cast<std::uint64_t>(i));
}
bool Active(bool mixed, int i) { return mixed && i % kActiveEvery == kActiveEvery - 1; }

// The fake API in a child process, serving `batches` batches; returns its pid.
pid_t StartApi(int port, int batches) {
  int ready[2];
  if (pipe(ready) != 0) Fail("pipe");
  const pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlives the benchmark
    close(ready[0]);
    FakeAnchorApi api;
    for (const bool mixed : {false, true}) {
      for (int i = 0; i < batches; ++i) {
        FakeAnchorApi::Answer answer;
        answer.body = test::BatchJson(BatchId(mixed, i),
                                      Active(mixed, i) ? "processing" : "completed", kSessions);
        api.SetAnswer(BatchId(mixed, i), std::move(answer));
      }
    }
    if (!api.Start(port)) _exit(1);
    const char ok = 1;
    if (write(ready[1], &ok, 1) != 1) _exit(1);
    pause();
    _exit(0);
  }
  close(ready[1]);
  char ok = 0;
  if (read(ready[0], &ok, 1) != 1) Fail("the fake API did not start");
  close(ready[0]);
  TrackChild(pid);
  return pid;
}

double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

struct Fetched {
  double seconds = 0;
  size_t bytes = 0;
};

// GET /metrics with curl (another process), the body written to `file`.
Fetched Curl(int port, bool gzip, bool openmetrics, const std::string& file) {
  std::string cmd = "curl -s -o " + file + " -w '%{time_total} %{size_download} %{http_code}'";
  if (gzip) cmd += " -H 'Accept-Encoding: gzip'";
  if (openmetrics) cmd += std::string(" -H 'Accept: ") + kPrometheusAccept + "'";
  cmd += " http://127.0.0.1:" + std::to_string(port) + "/metrics";
  FILE* out = popen(cmd.c_str(), "r");
  if (out == nullptr) Fail("cannot run curl");
  char buf[128] = {};
  const size_t n = fread(buf, 1, sizeof(buf) - 1, out);
  pclose(out);
  Fetched f;
  int code = 0;
  if (n == 0 || std::sscanf(buf, "%lf %zu %d", &f.seconds, &f.bytes, &code) != 3 || code != 200) {
    Fail("scrape failed: " + std::string(buf));
  }
  return f;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void ResetPeakRss() {
  std::ofstream("/proc/self/clear_refs") << "5";  // resets VmHWM (Linux >= 4.0)
}

// The exporter as main() runs it, logging at info level (ExporterHarness logs at debug level,
// which writes a line per cached batch per scrape).
class InfoLevelExporter {
 public:
  InfoLevelExporter(const Config& config, WebOptions web)
      : log_(LogLevel::kInfo, LogFormat::kLogfmt, std::make_shared<spdlog::sinks::null_sink_mt>()) {
    web.listen_address = "127.0.0.1:0";
    app_ = std::make_unique<ExporterApp>(AppOptions{web, "", test::FixedConfig(config)}, log_);
    if (!app_->Start()) Fail("the exporter did not start");
    thread_ = std::thread([this] { static_cast<void>(app_->Serve()); });
    while (!app_->running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~InfoLevelExporter() {
    app_->Stop();
    thread_.join();
  }
  InfoLevelExporter(const InfoLevelExporter&) = delete;
  InfoLevelExporter& operator=(const InfoLevelExporter&) = delete;
  int port() const { return app_->port(); }

 private:
  Logger log_;
  std::unique_ptr<ExporterApp> app_;
  std::thread thread_;
};

struct Mode {
  const char* name;
  bool gzip;
  bool openmetrics;
};
constexpr Mode kModes[] = {{"text", false, false},
                           {"text + gzip", true, false},
                           {"OpenMetrics + gzip (Prometheus)", true, true}};

struct Row {
  std::vector<std::string> cells;
  double cpu_ms[3] = {};
  long peak4_kib = 0;
};

Row Measure(bool quick, const std::string& api_url, int batches, bool mixed, bool cache,
            const std::string& dir) {
  Config config = test::TestConfig(api_url, FakeAnchorApi::Options{}.api_key);
  for (int i = 0; i < batches; ++i) {
    config.batches.push_back({BatchId(mixed, i), {{"team", "growth"}}});
  }
  config.anchor.max_concurrency = 32;
  WebOptions web;
  web.render_cache = cache;
  web.max_scrape_timeout = std::chrono::seconds(120);
  InfoLevelExporter exporter(config, web);
  const int reps = quick ? 2 : 5;
  Row row;
  row.cells = {std::to_string(batches), mixed ? "1 in 10" : "none", cache ? "on" : "off"};
  const std::string file = dir + "/body";
  std::string ratio = "-";
  for (size_t m = 0; m < 3; ++m) {
    const Mode& mode = kModes[m];
    Curl(exporter.port(), mode.gzip, mode.openmetrics, file);  // warm-up: fetch, fill caches
    std::vector<double> cpu, wall;
    size_t bytes = 0;
    for (int r = 0; r < reps; ++r) {
      const double before = ProcessCpuSeconds();
      const Fetched f = Curl(exporter.port(), mode.gzip, mode.openmetrics, file);
      cpu.push_back(ProcessCpuSeconds() - before);
      wall.push_back(f.seconds);
      bytes = f.bytes;
    }
    row.cpu_ms[m] = Summarize(cpu).median * 1e3;
    row.cells.push_back(Ms(Summarize(cpu).median));
    row.cells.push_back(Ms(Summarize(wall).median));
    row.cells.push_back(Fixed(static_cast<double>(bytes) / 1e6, 2) + " MB");
    if (mode.openmetrics) {
      // The answer against one gzip stream of the same text.
      const std::string gz = ReadFile(file);
      const auto single = GzipFast(GunzipMembers(gz));
      ratio = Fixed(static_cast<double>(gz.size()) / static_cast<double>(single->size()), 3) + "x";
    }
  }
  row.cells.push_back(ratio);
  row.cells.push_back(Fixed(static_cast<double>(CurrentRssKiB()) / 1024, 1) + " MiB");
  // 4 concurrent scrapes as Prometheus makes them, then 4 uncompressed.
  for (const bool gzip : {true, false}) {
    ResetPeakRss();
    std::vector<std::thread> scrapers;
    scrapers.reserve(4);
    for (int k = 0; k < 4; ++k) {
      scrapers.emplace_back(
          [&, k] { Curl(exporter.port(), gzip, gzip, file + std::to_string(k)); });
    }
    for (auto& t : scrapers) t.join();
    const long peak = PeakRssKiB();
    if (gzip) row.peak4_kib = peak;
    row.cells.push_back(Fixed(static_cast<double>(peak) / 1024, 1) + " MiB");
  }
  return row;
}

// Heap bytes in use (glibc's mallinfo2): what is allocated, whatever RSS the heap keeps.
double HeapMiB() { return static_cast<double>(mallinfo2().uordblks) / (1024.0 * 1024.0); }

// The bytes a SessionDetail holds: itself, its vectors' capacity, and each string's heap buffer
// (capacity + 1 beyond the small-string buffer); malloc's own overhead not counted.
std::size_t DetailBytes(const SessionDetail& d) {
  const auto text = [](const std::string& s) {
    return s.capacity() > std::string().capacity() ? s.capacity() + 1 : 0;
  };
  std::size_t bytes = sizeof(SessionDetail);
  bytes += d.top_errors.capacity() * sizeof(SessionDetail::ErrorMessage);
  bytes += d.longest_running.capacity() * sizeof(SessionDetail::Running);
  bytes += d.most_retried.capacity() * sizeof(SessionDetail::Retried);
  for (const auto& e : d.top_errors) bytes += text(e.message);
  for (const auto& r : d.longest_running) bytes += text(r.session_id);
  for (const auto& r : d.most_retried) bytes += text(r.session_id);
  return bytes;
}

// A running batch whose sessions have UUIDs, retries and error texts: the batch page's detail
// gets full tables of ids (10 running, 10 retried) from its kDetailSessions sessions.
constexpr int kDetailSessions = 60;
std::string DetailBody(int batch) {
  static const char* kErrors[] = {
      "Navigation timeout of 30000 ms exceeded",
      "net::ERR_PROXY_CONNECTION_FAILED at https://shop.example.com/item/48213",
      "Target closed: browser has disconnected",
      "Access denied (403) by Cloudflare bot detection on https://news.example.org/",
      "Page.navigate: net::ERR_NAME_NOT_RESOLVED"};
  std::string list;
  for (int i = 0; i < kDetailSessions; ++i) {
    const bool running = i % 3 == 0;
    char started[32];
    std::snprintf(started, sizeof(started), "2030-01-01T%02d:%02d:00Z", i / 60, i % 60);
    list += std::string(i ? "," : "") + R"({"session_id": ")" +
            Uuid(static_cast<std::uint64_t>(batch), static_cast<std::uint64_t>(i)) +
            R"(", "status": ")" + (running ? "processing" : "failed") +
            R"(", "cdp_url": "wss://x", "live_view_url": "https://y", "error": )" +
            (running ? std::string("null") : std::string("\"") + kErrors[i % 5] + "\"") +
            R"(, "retry_count": )" + std::to_string(i % 7) + R"(, "started_at": ")" + started +
            R"(", "completed_at": null})";
  }
  return R"({"data": {"batch_id": "d", "status": "processing", "total_requests": 60,
    "created_at": "2030-01-01T00:00:00Z", "sessions": [)" +
         list + "]}}";
}

// The batch page's detail per tracked batch: as parsed from DetailBody (with the top error
// messages of the body when the parse fills them), and in the worst case the bounds allow.
void DetailRows(int batches, std::vector<std::vector<std::string>>& rows) {
  std::vector<std::shared_ptr<const FetchResult>> results;
  results.reserve(static_cast<std::size_t>(batches));
  const double heap = HeapMiB();
  std::size_t total = 0, most = 0;
  for (int i = 0; i < batches; ++i) {
    auto result = std::make_shared<FetchResult>();
    result->batch = ParseBatchResponse(DetailBody(i)).value();
    const std::size_t bytes = DetailBytes(result->batch->sessions->detail);
    total += bytes;
    most = std::max(most, bytes);
    results.push_back(std::move(result));
  }
  const double mib = HeapMiB() - heap;
  rows.push_back({"parsed answer of a running batch (60 sessions with ids, retries, errors)",
                  Fixed(mib * 1024 / batches, 2) + " KiB (" + Fixed(mib, 1) + " MiB)"});
  rows.push_back({"... of which the batch page's detail (SessionDetail), mean / max",
                  std::to_string(total / static_cast<std::size_t>(batches)) + " / " +
                      std::to_string(most) + " bytes"});
  SessionDetail worst;  // sized exactly, as the parse leaves its tables
  worst.top_errors.reserve(SessionDetail::kRows);
  worst.longest_running.reserve(SessionDetail::kRows);
  worst.most_retried.reserve(SessionDetail::kRows);
  for (std::size_t i = 0; i < SessionDetail::kRows; ++i) {
    worst.top_errors.push_back({std::string(SessionDetail::kMessageBytes, 'm'), 1});
    worst.longest_running.push_back({std::string(SessionDetailBuilder::kMaxIdBytes, 'r'), 1});
    worst.most_retried.push_back({std::string(SessionDetailBuilder::kMaxIdBytes, 'i'), 1});
  }
  rows.push_back({"worst-case detail: 10 x 200-byte messages + 20 x 64-byte ids",
                  std::to_string(DetailBytes(worst)) + " bytes"});
}

// Where the memory of a tracked batch goes, in a process of its own (--memory N): the parsed
// answer (FetchResult), its metric families if they were kept, and what the render cache holds
// per form after scrapes of each, and in its steady state for one form.
int RunMemoryCase(int batches) {
  std::vector<BatchTarget> targets;
  std::vector<std::shared_ptr<const FetchResult>> results;
  double heap = HeapMiB();
  const auto per_batch = [&](double before) {
    const double mib = HeapMiB() - before;
    return Fixed(mib * 1024 * 1024 / batches / 1024, 2) + " KiB (" + Fixed(mib, 1) + " MiB)";
  };
  for (int i = 0; i < batches; ++i) {
    targets.push_back({BatchId(false, i), {{"team", "growth"}}});
    auto result = std::make_shared<FetchResult>();
    result->batch =
        ParseBatchResponse(test::BatchJson(BatchId(false, i), "completed", kSessions)).value();
    results.push_back(std::move(result));
  }
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"parsed answer (FetchResult, Batch, SessionSummary) + target", per_batch(heap)});
  heap = HeapMiB();
  {
    std::vector<std::vector<prometheus::MetricFamily>> families;
    families.reserve(targets.size());
    for (size_t i = 0; i < targets.size(); ++i) {
      families.push_back(BatchFamiliesOf(targets[i], *results[i], SessionHistograms::kActive));
    }
    rows.push_back({"metric families of the batch (if they were kept)", per_batch(heap)});
  }
  ExpositionParts parts;
  for (size_t i = 0; i < targets.size(); ++i) {
    parts.series.push_back(
        std::make_shared<const BatchAnswer>(targets[i], results[i], SessionHistograms::kActive));
  }
  RenderCache cache;
  const auto held = [&] {
    return Fixed(static_cast<double>(cache.HeldBytes()) / batches / 1024, 2) + " KiB";
  };
  heap = HeapMiB();
  cache.Render(parts, ExpositionFormat::kText004, false);
  rows.push_back({"render cache after one text scrape (held by the cache)", held()});
  cache.Render(parts, ExpositionFormat::kText004, true);
  rows.push_back({"... then one text + gzip scrape", held()});
  cache.Render(parts, ExpositionFormat::kOpenMetrics100, true);
  rows.push_back({"... then one OpenMetrics + gzip scrape", held()});
  for (int k = 0; k < 8; ++k) cache.Render(parts, ExpositionFormat::kOpenMetrics100, true);
  rows.push_back({"... then 8 more OpenMetrics + gzip scrapes (steady state)", held()});
  rows.push_back({"heap in use for the render cache, steady state", per_batch(heap)});
  DetailRows(batches, rows);
  std::cout << "## Memory per tracked batch (" << batches << " batches of " << kSessions
            << " sessions, completed)\n\nHeap in use (mallinfo2) before and after, divided by "
               "the number of batches; the render cache's own count of the text and blocks it "
               "holds (RenderCache::HeldBytes).\n\n";
  PrintTable({"what", "per batch"}, rows);
  std::cout << "\n";
  return 0;
}

}  // namespace
}  // namespace anchor::bench

namespace anchor::bench {
namespace {

// One case in a process of its own (this program with --case), so that no case inherits the
// heap of another: prints the row's cells and the numbers the targets need, tab-separated.
int RunCase(char** argv) {
  const bool quick = std::string(argv[2]) == "1";
  const std::string api_url = argv[3];
  const int batches = std::stoi(argv[4]);
  const Row row = Measure(quick, api_url, batches, std::string(argv[5]) == "1",
                          std::string(argv[6]) == "1", argv[7]);
  for (const auto& cell : row.cells) std::cout << cell << '\t';
  std::cout << row.cpu_ms[0] << '\t' << row.cpu_ms[2] << '\t' << row.peak4_kib << '\n';
  return 0;
}

Row SpawnCase(const std::string& self, bool quick, const std::string& api_url, int batches,
              bool mixed, bool cache, const std::string& dir) {
  const std::string cmd = self + " --case " + (quick ? "1 " : "0 ") + api_url + " " +
                          std::to_string(batches) + (mixed ? " 1" : " 0") +
                          (cache ? " 1 " : " 0 ") + dir;
  std::cerr << "+ " << cmd << "\n";
  FILE* out = popen(cmd.c_str(), "r");
  if (out == nullptr) Fail("cannot run " + cmd);
  std::string line;
  char buf[4096];
  while (std::fgets(buf, sizeof(buf), out) != nullptr) line += buf;
  if (pclose(out) != 0) Fail("case failed: " + cmd);
  std::vector<std::string> fields;
  std::stringstream in(line);
  for (std::string f; std::getline(in, f, '\t');) fields.push_back(f);
  if (fields.size() < 4) Fail("case printed nothing: " + cmd);
  Row row;
  row.cells.assign(fields.begin(), fields.end() - 3);
  row.cpu_ms[0] = std::stod(fields[fields.size() - 3]);
  row.cpu_ms[2] = std::stod(fields[fields.size() - 2]);
  row.peak4_kib = std::stol(fields.back());
  return row;
}

void Target(const Options& options, const std::vector<Row>& rows, int n) {
  const Row& off = rows[rows.size() - 2];
  const Row& on = rows.back();
  const std::string what = std::to_string(n) + " completed (cached) batches";
  ReportTarget(options, "/metrics CPU per scrape, " + what + ", text", "<= 40 ms",
               Fixed(on.cpu_ms[0], 1) + " ms", on.cpu_ms[0] <= 40,
               "render cache off: " + Fixed(off.cpu_ms[0], 1) + " ms");
  ReportTarget(options, "/metrics CPU per scrape, " + what + ", OpenMetrics + gzip", "<= 80 ms",
               Fixed(on.cpu_ms[2], 1) + " ms", on.cpu_ms[2] <= 80,
               "render cache off: " + Fixed(off.cpu_ms[2], 1) + " ms");
  ReportTarget(options, "peak RSS, 4 concurrent scrapes (gzip), " + what, "<= 128 MiB",
               Fixed(static_cast<double>(on.peak4_kib) / 1024, 1) + " MiB",
               on.peak4_kib <= 128L * 1024,
               "render cache off: " + Fixed(static_cast<double>(off.peak4_kib) / 1024, 1) + " MiB");
}

}  // namespace
}  // namespace anchor::bench

int main(int argc, char** argv) {
  using namespace anchor::bench;
  if (argc == 8 && std::string(argv[1]) == "--case") return RunCase(argv);
  if (argc == 3 && std::string(argv[1]) == "--memory") return RunMemoryCase(std::stoi(argv[2]));
  const Options options = ParseOptions(argc, argv);
  const std::vector<int> sizes =
      options.quick ? std::vector<int>{200, 1000} : std::vector<int>{1000, 5000, 10000};
  const int port = FreePort();
  const pid_t api = StartApi(port, sizes.back());
  const std::string dir = anchor::test::MakeTempDir();
  const std::string api_url = "http://127.0.0.1:" + std::to_string(port);
  const std::string self = "/proc/" + std::to_string(getpid()) + "/exe";

  std::vector<Row> rows;
  for (const bool mixed : {false, true}) {
    for (const int n : sizes) {
      for (const bool cache : {false, true}) {
        rows.push_back(SpawnCase(self, options.quick, api_url, n, mixed, cache, dir));
      }
      if (!mixed && !options.quick && n == sizes.back()) Target(options, rows, n);
    }
  }
  std::cout << "## Render cache: /metrics at " << sizes.front() << " to " << sizes.back()
            << " tracked batches\n\n"
            << "The exporter (ExporterApp, one process per case) tracking configured batches of "
            << kSessions
            << " sessions, all `completed` (cached by cache.terminal_ttl) or with every "
            << kActiveEvery
            << "th one `processing` (fetched on every scrape, with the session histograms); the "
               "fake API runs in another process and each scrape is a curl process, so CPU "
               "(getrusage, per scrape) and RSS are the exporter's. Render cache off: every "
               "scrape converts and renders every batch (the renderer before the cache); on: "
               "RenderCache. Medians of "
            << (options.quick ? 2 : 5)
            << " scrapes after a warm-up. gzip ratio: the cached OpenMetrics gzip answer "
               "against one gzip stream of the same text (zlib level 1). Peak RSS: VmHWM reset, "
               "then 4 concurrent scrapes (OpenMetrics + gzip as Prometheus asks, then "
               "text uncompressed).\n\n";
  std::vector<std::vector<std::string>> cells;
  cells.reserve(rows.size());
  for (const auto& r : rows) cells.push_back(r.cells);
  PrintTable({"batches", "active", "cache", "CPU text", "wall text", "size text", "CPU text+gzip",
              "wall text+gzip", "size text+gzip", "CPU OM+gzip", "wall OM+gzip", "size OM+gzip",
              "gzip ratio", "RSS after", "peak RSS 4x gzip", "peak RSS 4x text"},
             cells);
  std::cout << "\n" << std::flush;
  // Where a tracked batch's memory goes, in a process of its own.
  const std::string memory_case = self + " --memory " + std::to_string(sizes.back());
  FILE* memory = popen(memory_case.c_str(), "r");
  if (memory == nullptr) Fail("cannot run " + memory_case);
  char buf[4096];
  while (std::fgets(buf, sizeof(buf), memory) != nullptr) std::cout << buf;
  if (pclose(memory) != 0) Fail("failed: " + memory_case);
  kill(api, SIGTERM);
  waitpid(api, nullptr, 0);
  UntrackChild(api);
  return 0;
}

// Soak: 10,000 scrapes of the real exporter binary while the fake API answers with a changing
// mix of faults (404, 500, 429 with Retry-After, garbage, cut-off JSON, slow answers, answers
// that come after the deadline). Prints the exporter's RSS, open file descriptors and threads
// at the start (after a warm-up of a tenth of the scrapes), the middle and the end, and whether
// each stayed within 10 % (no growth beyond it; the scrapers' connections are closed first).
//   bench_soak [--quick] [--targets FILE] [--exporter PATH]   (quick: 500 scrapes)
#include <dirent.h>
#include <httplib.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "exporter_process.h"
#include "support/fake_anchor_api.h"

namespace anchor::bench {
namespace {

constexpr int kBatches = 24;
constexpr int kScrapers = 4;            // concurrent scrapers, each with a kept-alive connection
constexpr double kScrapeTimeout = 0.8;  // header value; the exporter's deadline is 0.3 s
constexpr int kPhaseScrapes = 250;      // the fault mix changes this often

struct Usage {
  long rss_kib = 0;
  long fds = 0;
  long threads = 0;
};

long CountFds(pid_t pid) {
  DIR* dir = opendir(("/proc/" + std::to_string(pid) + "/fd").c_str());
  if (dir == nullptr) Fail("cannot list the exporter's descriptors");
  long n = 0;
  // NOLINTNEXTLINE(concurrency-mt-unsafe): this thread alone reads this directory stream
  while (const dirent* e = readdir(dir)) n += e->d_name[0] != '.';
  closedir(dir);
  return n;
}

long Threads(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::atol(line.c_str() + 8);
  }
  return -1;
}

Usage Measure(pid_t pid) { return {CurrentRssKiB(pid), CountFds(pid), Threads(pid)}; }

// The answer of batch `i` in phase `phase`: every batch goes through every fault over time.
// Answers that outlive the deadline come in one phase of eight only, so the run takes minutes.
FakeAnchorApi::Answer AnswerFor(const std::string& id, int i, int phase) {
  FakeAnchorApi::Answer a;
  const int kind = (i + phase) % 8;
  const bool late_phase = phase % 8 == 3;
  switch (kind) {
    case 0:
      a.status = 404;
      a.body = R"({"error": {"code": 404, "message": "Batch not found"}})";
      break;
    case 1:
      a.status = 500;
      a.body = "upstream connect error or disconnect/reset before headers";
      break;
    case 2:
      a.status = 429;
      a.body = R"({"error": {"message": "Too many requests"}})";
      a.headers = {{"Retry-After", "1"}};
      break;
    case 3:
      a.body = "<html><body>502 Bad Gateway</body></html>";
      break;
    case 4:
      a.body = R"({"data": {"batch_id": ")" + id + R"(", "status": "processing", "sess)";
      break;
    case 5:
      a.body = anchor::bench::BatchBody(id, 20, "processing");
      a.delay = std::chrono::milliseconds(late_phase ? 600 : 20);
      break;
    default:
      a.body = anchor::bench::BatchBody(id, 10, i % 2 ? "completed" : "processing");
  }
  return a;
}

void Script(FakeAnchorApi& api, const std::vector<std::string>& ids, int phase) {
  for (int i = 0; i < static_cast<int>(ids.size()); ++i) {
    api.SetAnswer(ids[i], AnswerFor(ids[i], i, phase));
  }
}

std::string Row(const char* when, long scrapes, const Usage& u) {
  return std::string("| ") + when + " | " + std::to_string(scrapes) + " | " +
         Fixed(u.rss_kib / 1024.0, 1) + " | " + std::to_string(u.fds) + " | " +
         std::to_string(u.threads) + " |";
}

// A leak shows as growth: at most `share` above the reference (less is fine).
bool Within(long value, long reference, double share) {
  return value <= reference + std::lround(static_cast<double>(reference) * share);
}

}  // namespace
}  // namespace anchor::bench

int main(int argc, char** argv) {
  using namespace anchor::bench;
  const ExporterBench bench = SetUpExporterBench(argc, argv);
  const Options& options = bench.options;
  const std::string& binary = bench.binary;
  const std::string& dir = bench.dir;
  const long total = options.quick ? 500 : 10000;
  const int phase_scrapes = options.quick ? 50 : kPhaseScrapes;

  const auto api_server = StartFakeApi(64);
  auto& api = *api_server;
  std::vector<std::string> ids;
  ids.reserve(kBatches);
  for (int i = 0; i < kBatches; ++i) ids.push_back(Uuid(7, static_cast<std::uint64_t>(i)));
  Script(api, ids, 0);
  WriteExporterConfig(dir + "/soak.yaml", {api.base_url(), ids, 4, ""});
  ExporterProcess exporter(binary, dir + "/soak.yaml", dir + "/soak.log");

  // Scrapers run in rounds and stop at each checkpoint, so that usage is read while the
  // exporter is idle (no scrape's worker threads or connections in between).
  std::atomic<long> failed{0};
  std::vector<std::unique_ptr<httplib::Client>> clients;
  for (int s = 0; s < kScrapers; ++s) {
    clients.push_back(std::make_unique<httplib::Client>("127.0.0.1", exporter.port()));
    clients.back()->set_keep_alive(true);
    clients.back()->set_read_timeout(std::chrono::seconds(10));
  }
  const httplib::Headers headers = {
      {"X-Prometheus-Scrape-Timeout-Seconds", Fixed(kScrapeTimeout, 1)},
      {"Accept-Encoding", "gzip"}};
  long done = 0;
  auto run_until = [&](long target) {
    std::atomic<long> next{done};
    std::vector<std::thread> threads;
    threads.reserve(kScrapers);
    for (int s = 0; s < kScrapers; ++s) {
      threads.emplace_back([&, s] {
        for (long n = next++; n < target; n = next++) {
          if (n % phase_scrapes == 0) Script(api, ids, static_cast<int>(n / phase_scrapes));
          const auto res = clients[s]->Get("/metrics", headers);
          if (!res || res->status != 200) ++failed;
        }
      });
    }
    for (auto& t : threads) t.join();
    done = target;
    // Before usage is read: late answers end, one scrape of good answers fills the exporter's
    // pool of API connections (a failed request drops its connection) and the scrapers'
    // connections close, so descriptors do not depend on which fault came last. The settling
    // scrape is not counted.
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    for (size_t i = 0; i < ids.size(); ++i) {
      api.SetBatchJson(ids[i], BatchBody(ids[i], 10, "processing"));
    }
    if (!clients[0]->Get("/metrics", headers)) ++failed;
    Script(api, ids, static_cast<int>(target / phase_scrapes));
    for (auto& c : clients) c->stop();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  };

  const auto started = Clock::now();
  const Usage before = Measure(exporter.pid());
  const long warmup = total / 10;
  run_until(warmup);
  const Usage start = Measure(exporter.pid());
  run_until(total / 2);
  const Usage middle = Measure(exporter.pid());
  run_until(total);
  const Usage end = Measure(exporter.pid());
  const double seconds = SecondsSince(started);

  std::printf("## Soak: %ld scrapes with mixed upstream faults\n\n", total);
  std::printf(
      "%d batches, %d concurrent scrapers (kept-alive connections), scrape timeout %.1f s; every "
      "%d scrapes each batch moves to the next of: 404, 500, 429 + Retry-After, HTML, cut-off "
      "JSON, slow answer (in one phase of eight: after the deadline), good answer. %ld scrapes "
      "failed; %.0f s.\n\n",
      kBatches, kScrapers, kScrapeTimeout, phase_scrapes, failed.load(), seconds);
  std::puts("| when | scrapes | RSS (MiB) | open fds | threads |");
  std::puts("| --- | ---: | ---: | ---: | ---: |");
  std::puts(Row("before the first scrape", 0, before).c_str());
  std::puts(Row("start (after warm-up)", warmup, start).c_str());
  std::puts(Row("middle", total / 2, middle).c_str());
  std::puts(Row("end", total, end).c_str());
  std::puts("");
  const bool rss =
      Within(middle.rss_kib, start.rss_kib, 0.1) && Within(end.rss_kib, start.rss_kib, 0.1);
  const bool fds = Within(middle.fds, start.fds, 0.1) && Within(end.fds, start.fds, 0.1);
  const bool threads =
      Within(middle.threads, start.threads, 0.1) && Within(end.threads, start.threads, 0.1);
  const std::string what = std::to_string(total) + " scrapes with mixed faults";
  ReportTarget(options, "RSS flat over " + what, "middle and end at most 10 % above start",
               Fixed(start.rss_kib / 1024.0, 1) + " -> " + Fixed(middle.rss_kib / 1024.0, 1) +
                   " -> " + Fixed(end.rss_kib / 1024.0, 1) + " MiB",
               rss);
  ReportTarget(options, "open fds flat over " + what, "middle and end at most 10 % above start",
               std::to_string(start.fds) + " -> " + std::to_string(middle.fds) + " -> " +
                   std::to_string(end.fds),
               fds);
  ReportTarget(options, "threads flat over " + what, "middle and end at most 10 % above start",
               std::to_string(start.threads) + " -> " + std::to_string(middle.threads) + " -> " +
                   std::to_string(end.threads),
               threads);
  ReportTarget(options, "scrapes answered during the soak", "all 200",
               std::to_string(total - failed.load()) + " of " + std::to_string(total),
               failed.load() == 0);
  return 0;
}

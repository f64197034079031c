// Clients that ask for /metrics and never read the answer (issue 19, item 5), against the real
// binary at its default flags (--exporter picks another build, for before/after figures):
// 10,000 tracked batches of 20 sessions (quick: 1,000), all completed (cached), and 30
// connections (quick: 10) that each send one uncompressed GET /metrics and read nothing. The
// answer (~35 MB of text at 10,000) stays in flight until the write timeout (60 s). Measured:
// the exporter's RSS before, its peak (VmHWM, reset first) once the answers are stuck, what the
// clients added, and a normal gzip scrape (as Prometheus makes it) meanwhile.
// Target: the non-reading clients add <= 64 MiB, and the normal scrape answers 200.
#include <httplib.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

#include "bench_util.h"
#include "exporter_process.h"
#include "support/fake_anchor_api.h"
#include "support/raw_connection.h"

namespace anchor::bench {
namespace {

using namespace std::chrono_literals;

void ResetPeakRss(pid_t pid) {
  std::ofstream("/proc/" + std::to_string(pid) + "/clear_refs") << "5";  // VmHWM := VmRSS
}

struct Scraped {
  int status = 0;
  double seconds = 0;
  std::string in_flight = "-";  // anchorbrowser_exporter_http_answers_in_flight, when exported
};

Scraped NormalScrape(int port) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(60s);
  client.set_decompress(false);  // httplib reads one gzip member; the answer has several
  const auto start = Clock::now();
  const auto res = client.Get(
      "/metrics", {{"Accept-Encoding", "gzip"}, {"X-Prometheus-Scrape-Timeout-Seconds", "30"}});
  Scraped s;
  s.seconds = SecondsSince(start);
  if (!res) return s;
  s.status = res->status;
  const std::string body = GunzipMembers(res->body);
  const std::string key = "\nanchorbrowser_exporter_http_answers_in_flight ";
  if (const size_t at = body.find(key); at != std::string::npos) {
    const size_t from = at + key.size();
    s.in_flight = body.substr(from, body.find('\n', from) - from);
  }
  return s;
}

// Waits until the exporter's RSS has not grown by more than 1 MiB for 3 s (the stuck answers
// are rendered and queued), at most `limit`.
void WaitForSteadyRss(pid_t pid, std::chrono::seconds limit) {
  const auto until = Clock::now() + limit;
  long base = CurrentRssKiB(pid);
  auto since = Clock::now();
  while (Clock::now() < until) {
    std::this_thread::sleep_for(250ms);
    const long now = CurrentRssKiB(pid);
    if (now > base + 1024) {
      base = now;
      since = Clock::now();
    } else if (Clock::now() - since >= 3s) {
      return;
    }
  }
}

std::string Mib(long kib) { return Fixed(static_cast<double>(kib) / 1024.0, 1) + " MiB"; }

}  // namespace
}  // namespace anchor::bench

int main(int argc, char** argv) {
  using namespace anchor::bench;
  const ExporterBench bench = SetUpExporterBench(argc, argv);
  const int batches = bench.options.quick ? 1000 : 10000;
  const int clients = bench.options.quick ? 10 : 30;
  const auto api = StartFakeApi(32);
  std::vector<std::string> ids;
  for (int i = 0; i < batches; ++i) {
    ids.push_back(Uuid(19, static_cast<std::uint64_t>(i)));
    api->SetBatchJson(ids.back(), BatchBody(ids.back(), 20, "completed"));
  }
  const std::string config = bench.dir + "/slow-readers.yaml";
  WriteExporterConfig(config, {api->base_url(), ids, 16, ""});
  ExporterProcess exporter(bench.binary, config, bench.dir + "/slow-readers.log");
  const int port = exporter.port();
  // Fill the caches: gzip as Prometheus asks, and text as the slow clients will.
  if (const auto warm = NormalScrape(port); warm.status != 200) {
    Fail("warm-up scrape failed: status " + std::to_string(warm.status));
  }
  {
    httplib::Client client("127.0.0.1", port);
    client.set_read_timeout(60s);
    const auto res = client.Get("/metrics");
    if (!res || res->status != 200) Fail("text scrape failed");
    std::cerr << "text answer: " << res->body.size() << " bytes\n";
  }
  const Scraped alone = NormalScrape(port);
  const long before = CurrentRssKiB(exporter.pid());
  ResetPeakRss(exporter.pid());
  std::vector<std::unique_ptr<anchor::test::RawConnection>> slow;
  for (int i = 0; i < clients; ++i) {
    slow.push_back(std::make_unique<anchor::test::RawConnection>(port));
    if (!slow.back()->ok() || !slow.back()->Send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")) {
      Fail("a slow client could not send its request");
    }
  }
  WaitForSteadyRss(exporter.pid(), 40s);
  const Scraped during = NormalScrape(port);
  const long stuck = CurrentRssKiB(exporter.pid());
  const long peak = PeakRssKiB(exporter.pid());
  const long added = peak - before;

  std::cout << "## Clients that never read their /metrics answer\n\n"
            << "The exporter binary at its default flags (--web.max-requests 40, 60 s write "
               "timeout) tracking "
            << batches
            << " completed (cached) batches of 20 sessions; after warm-up scrapes (gzip and "
               "text), "
            << clients
            << " connections each send one uncompressed GET /metrics and never read. RSS before "
               "them, once their answers are stuck (steady for 3 s), and the peak (VmHWM, reset "
               "before they connect); then a normal gzip scrape.\n\n";
  PrintTable(
      {"batches", "non-reading clients", "RSS before", "RSS stuck", "peak", "added", "scrape alone",
       "scrape meanwhile", "status", "answers in flight"},
      {{std::to_string(batches), std::to_string(clients), Mib(before), Mib(stuck), Mib(peak),
        Mib(added), Fixed(alone.seconds * 1e3, 1) + " ms", Fixed(during.seconds * 1e3, 1) + " ms",
        std::to_string(during.status), during.in_flight}});
  std::cout << "\n";
  if (!bench.options.quick) {
    ReportTarget(bench.options,
                 std::to_string(clients) + " non-reading clients of a " + std::to_string(batches) +
                     "-batch /metrics",
                 "<= 64 MiB added, normal scrape 200",
                 Mib(added) + ", " + std::to_string(during.status),
                 added <= 64L * 1024 && during.status == 200);
  }
  slow.clear();
  return during.status == 200 ? 0 : 1;
}

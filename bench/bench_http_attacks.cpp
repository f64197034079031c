// The exporter's own HTTP server under attack, run against the real binary at its default
// flags (--exporter picks another build, e.g. an older one, for before/after figures):
//   slowloris: connections sending one header byte every 1.5 s, plus idle keep-alive
//     connections, while scrapes are timed; target: no scrape fails and the median scrape stays
//     within 2x its unattacked value + 20 ms (measured in the same run);
//   header bomb: connections sending megabytes of small headers; the exporter's RSS after;
//   framing: what a request smuggler would try, and what the server answers.
#include <httplib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "bench_util.h"
#include "exporter_process.h"
#include "support/fake_anchor_api.h"
#include "support/raw_connection.h"
#include "support/web_fixtures.h"

namespace anchor::bench {
namespace {

using namespace std::chrono_literals;

struct Env {
  Options options;
  std::string binary;
  std::string dir;
  FakeAnchorApi* api = nullptr;
  std::vector<std::string> batches;
};

long ThreadsOf(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  while (status >> key) {
    long value = 0;
    if (key == "Threads:" && status >> value) return value;
  }
  return -1;
}

// Times `count` scrapes, one every `gap`; failures are answers other than 200 within 10 s.
std::vector<double> TimeScrapes(int port, int count, std::chrono::milliseconds gap, int& failed) {
  std::vector<double> seconds;
  for (int i = 0; i < count; ++i) {
    httplib::Client client("127.0.0.1", port);
    client.set_connection_timeout(10s);
    client.set_read_timeout(10s);
    const auto start = Clock::now();
    const auto res = client.Get("/metrics", {{"X-Prometheus-Scrape-Timeout-Seconds", "10"}});
    seconds.push_back(SecondsSince(start));
    if (!res || res->status != 200) ++failed;
    std::this_thread::sleep_for(gap);
  }
  return seconds;
}

// Keeps `count` connections sending one byte of an endless request head every 1.5 s,
// reconnecting those the server closes, until `stop`.
void Slowloris(int port, int count, const std::atomic<bool>& stop, std::atomic<long>& reconnects) {
  const std::string start = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ";
  auto open = [&] {
    const int fd = anchor::test::ConnectLoopback(port);
    if (fd >= 0) (void)!send(fd, start.data(), start.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    return fd;
  };
  std::vector<int> fds(static_cast<std::size_t>(count), -1);
  std::vector<Clock::time_point> due(fds.size());
  for (std::size_t i = 0; i < fds.size(); ++i) {
    fds[i] = open();
    due[i] = Clock::now() + std::chrono::milliseconds(static_cast<int>(i % 150) * 10);
  }
  while (!stop) {
    const auto now = Clock::now();
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (now < due[i]) continue;
      due[i] = now + 1500ms;
      if (fds[i] < 0 || send(fds[i], "a", 1, MSG_NOSIGNAL | MSG_DONTWAIT) != 1) {
        if (fds[i] >= 0) close(fds[i]);
        fds[i] = open();
        ++reconnects;
      }
    }
    std::this_thread::sleep_for(10ms);
  }
  for (const int fd : fds) {
    if (fd >= 0) close(fd);
  }
}

void SlowlorisSection(const Env& env) {
  const int slow = env.options.quick ? 100 : 1000;
  const int idle = env.options.quick ? 100 : 1000;
  const int scrapes = env.options.quick ? 8 : 40;
  WriteExporterConfig(env.dir + "/slowloris.yaml", {env.api->base_url(), env.batches, 16, ""});
  ExporterProcess exporter(env.binary, env.dir + "/slowloris.yaml", env.dir + "/slowloris.log");
  int base_failed = 0;
  TimeScrapes(exporter.port(), 3, 0ms, base_failed);  // warm-up
  base_failed = 0;
  const Stats base = Summarize(TimeScrapes(exporter.port(), scrapes, 100ms, base_failed));

  std::atomic<bool> stop{false};
  std::atomic<long> reconnects{0};
  std::thread attacker([&] { Slowloris(exporter.port(), slow, stop, reconnects); });
  std::vector<int> idle_fds;
  const std::string healthy = "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n";
  for (int i = 0; i < idle; ++i) {
    const int fd = anchor::test::ConnectLoopback(exporter.port());
    if (fd < 0) break;
    (void)!send(fd, healthy.data(), healthy.size(), MSG_NOSIGNAL);
    idle_fds.push_back(fd);
  }
  std::this_thread::sleep_for(2s);  // the attack is in place
  int failed = 0;
  // Spread over more than the 10 s head deadline, so that the slow heads are cut and reopened.
  const auto gap = env.options.quick ? 200ms : 300ms;
  const Stats attacked = Summarize(TimeScrapes(exporter.port(), scrapes, gap, failed));
  const long rss = CurrentRssKiB(exporter.pid());
  const long threads = ThreadsOf(exporter.pid());
  stop = true;
  attacker.join();
  for (const int fd : idle_fds) close(fd);

  std::cout << "## Slowloris and idle connections\n\n"
            << slow << " connections sending one header byte every 1.5 s (reopened when closed: "
            << reconnects << " times) and " << idle_fds.size() << " idle keep-alive connections; "
            << scrapes << " scrapes of " << env.batches.size()
            << " batches before and during the attack, default flags.\n\n";
  PrintTable(
      {"", "median", "p99", "max", "failed"},
      {{"unattacked", Ms(base.median), Ms(base.p99), Ms(base.max), std::to_string(base_failed)},
       {"attacked", Ms(attacked.median), Ms(attacked.p99), Ms(attacked.max),
        std::to_string(failed)}});
  const double ratio = base.median > 0 ? attacked.median / base.median : 0;
  std::cout << "\nratio attacked/unattacked median: " << Fixed(ratio, 2)
            << "; exporter during the attack: RSS " << rss / 1024 << " MiB, " << threads
            << " threads\n\n";
  const bool met = failed == 0 && attacked.median <= 2 * base.median + 0.020;
  ReportTarget(env.options, "scrape under slowloris + idle connections",
               "0 failed, median <= 2x unattacked + 20 ms",
               std::to_string(failed) + " failed, " + Ms(attacked.median) + " vs " +
                   Ms(base.median) + " (" + Fixed(ratio, 2) + "x)",
               met);
}

// Sends `bytes` of small header lines after a request line; returns the answer's status (0:
// none) and leaves the connection to close.
int HeaderBomb(int port, std::size_t bytes) {
  anchor::test::RawConnection conn(port);
  std::string head = "GET /metrics HTTP/1.1\r\nHost: x\r\n";
  head.reserve(bytes + 64);
  for (int i = 0; head.size() < bytes; ++i) head += "X-" + std::to_string(i) + ": v\r\n";
  conn.Send(head + "\r\n");
  const auto statuses = anchor::test::AnswerStatuses(conn.ReadAnswers(1, 60s));
  return statuses.empty() ? 0 : statuses.front();
}

void HeaderBombSection(const Env& env) {
  const int connections = env.options.quick ? 4 : 20;
  const std::size_t bytes = env.options.quick ? 1 << 20 : 4 << 20;
  WriteExporterConfig(env.dir + "/bomb.yaml", {env.api->base_url(), env.batches, 16, ""});
  ExporterProcess exporter(env.binary, env.dir + "/bomb.yaml", env.dir + "/bomb.log");
  exporter.Scrape(10);
  const long before = CurrentRssKiB(exporter.pid());
  std::vector<int> statuses(static_cast<std::size_t>(connections));
  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(connections));
  for (int i = 0; i < connections; ++i) {
    threads.emplace_back([&, i] { statuses[i] = HeaderBomb(exporter.port(), bytes); });
  }
  for (auto& t : threads) t.join();
  int small = 0;
  for (int i = 0; i < 1000; ++i)
    small += HeaderBomb(exporter.port(), std::size_t{70} * 1024) == 431 ? 1 : 0;
  std::this_thread::sleep_for(500ms);
  const long after = CurrentRssKiB(exporter.pid());
  std::string answers;
  for (const int s : statuses) answers += (answers.empty() ? "" : " ") + std::to_string(s);
  std::cout << "## Header bomb\n\n"
            << connections << " connections each sending " << (bytes >> 20)
            << " MiB of small header lines, then 1,000 requests with a 70 KiB head.\n\n";
  PrintTable({"RSS before", "RSS after", "answers to the large heads", "431 of 1,000"},
             {{std::to_string(before / 1024) + " MiB", std::to_string(after / 1024) + " MiB",
               answers, std::to_string(small)}});
  std::cout << "\n";
  ReportTarget(
      env.options, "RSS growth after header bombs", "< 16 MiB, all answered 431",
      std::to_string((after - before) / 1024) + " MiB, " + std::to_string(small) + "/1000 431",
      after - before < 16L * 1024 && small == 1000);
}

void FramingSection(const Env& env) {
  // The hidden probe asks for a batch that is not listed (so nothing else fetches it) and that
  // the exporter may probe.
  const std::vector<std::string> listed(env.batches.begin(), env.batches.end() - 1);
  WriteExporterConfig(env.dir + "/framing.yaml",
                      {env.api->base_url(), listed, 16, "probe:\n  allow_unlisted: true\n"});
  ExporterProcess exporter(env.binary, env.dir + "/framing.yaml", env.dir + "/framing.log");
  const std::string hidden =
      "GET /probe?target=" + env.batches.back() + " HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string start = "POST /-/healthy HTTP/1.1\r\nHost: x\r\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"3 pipelined GETs",
       "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\nGET /-/healthy HTTP/1.1\r\n"
       "Host: x\r\n\r\nGET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n"},
      {"GET with a /probe in its body", "GET /-/healthy HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                                            std::to_string(hidden.size()) + "\r\n\r\n" + hidden},
      {"405 with Connection: close",
       "POST /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"},
      {"Content-Length + Transfer-Encoding",
       start + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
      {"differing Content-Length", start + "Content-Length: 4\r\nContent-Length: 5\r\n\r\nabcd"},
      {"Content-Length: +4", start + "Content-Length: +4\r\n\r\nabcd"},
      {"space before the colon", start + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n"},
      {"line without a colon", start + "X-No-Colon\r\n\r\n"},
      {"HTTP/1.1 without Host", "GET /-/healthy HTTP/1.1\r\n\r\n"},
  };
  const long api_before = env.api->RequestCount(env.batches.back());
  std::vector<std::vector<std::string>> rows;
  for (const auto& [name, request] : cases) {
    anchor::test::RawConnection conn(exporter.port());
    conn.Send(request);
    const auto data = conn.ReadUntilClose(3s);
    std::string answers;
    for (const int s : anchor::test::AnswerStatuses(data)) {
      answers += (answers.empty() ? "" : " ") + std::to_string(s);
    }
    rows.push_back({name, answers.empty() ? "none" : answers, conn.closed() ? "yes" : "no"});
  }
  std::cout << "## Request framing\n\n";
  PrintTable({"request", "answers", "closed within 3 s"}, rows);
  std::cout << "\nAPI requests caused by the hidden /probe: "
            << env.api->RequestCount(env.batches.back()) - api_before << "\n\n";
}

}  // namespace
}  // namespace anchor::bench

int main(int argc, char** argv) {
  using namespace anchor::bench;
  const ExporterBench bench = SetUpExporterBench(argc, argv);
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;  // 2,000+ sockets of our own
  setrlimit(RLIMIT_NOFILE, &limit);
  Env env;
  env.options = bench.options;
  env.binary = bench.binary;
  env.dir = bench.dir;
  const auto api_server = StartFakeApi(16);
  auto& api = *api_server;
  env.api = &api;
  for (int i = 0; i < 10; ++i) {
    env.batches.push_back(Uuid(10, static_cast<std::uint64_t>(i)));
    api.SetBatchJson(env.batches.back(), BatchBody(env.batches.back(), 20, "processing"));
  }
  std::cout << "Exporter binary: " << env.binary << "\n\n";
  if (env.options.Runs("slowloris")) SlowlorisSection(env);
  if (env.options.Runs("bomb")) HeaderBombSection(env);
  if (env.options.Runs("framing")) FramingSection(env);
  return 0;
}

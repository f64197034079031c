// Limits of the exporter's HTTP front against clients that send too much, too slowly or hold
// connections open: 431 for oversized heads (before authentication), a deadline for a whole
// request head, an idle timeout, and a connection cap that makes room by closing incomplete
// and idle connections first. The units behind them are tested directly in
// http/test_request_head_check.cpp, http/test_connection_table.cpp, http/test_http_connection.cpp
// and http/test_open_files_limit.cpp.
#include <sys/resource.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "http/open_files_limit.h"
#include "support/exporter_harness.h"
#include "support/exposition.h"
#include "support/fake_anchor_api.h"
#include "support/raw_connection.h"
#include "support/web_fixtures.h"

using anchor::FakeAnchorApi;
using anchor::test::AnswerStatuses;
using anchor::test::ExporterHarness;
using anchor::test::RawConnection;
using namespace std::chrono_literals;

namespace {

anchor::Config TestConfigFor(const FakeAnchorApi& api) {
  return anchor::test::TestConfig(api.base_url(), FakeAnchorApi::Options{}.api_key);
}

std::string LongHead() {
  return "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(std::size_t{70} * 1024, 'a') +
         "\r\n\r\n";
}

std::string ManyLines() {
  std::string head = "GET /metrics HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 150; ++i) head += "X-" + std::to_string(i) + ": v\r\n";
  return head + "\r\n";
}

// 431, then the connection closes.
bool RefusedWith431(int port, const std::string& head) {
  RawConnection conn(port);
  if (!conn.ok() || !conn.Send(head)) return false;
  const auto statuses = AnswerStatuses(conn.ReadUntilClose(10s));
  return statuses == std::vector<int>{431} && conn.closed();
}

long RssKiB() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    long value = 0;
    if (key == "VmRSS:" && status >> value) return value;
  }
  return 0;
}

// Waits until the server holds `n` open connections, that is, it has registered (or dropped)
// the last one: polled every 5 ms, at most 5 s. False when it never did.
bool HoldsConnections(ExporterHarness& exporter, std::size_t n) {
  const auto until = std::chrono::steady_clock::now() + 5s;
  while (exporter.app().server()->connection_stats().open != n) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// True once the server has closed `conn`.
bool ClosedBy(RawConnection& conn, std::chrono::milliseconds limit) {
  conn.ReadUntilClose(limit);
  return conn.closed();
}

}  // namespace

TEST_CASE("an oversized request head gets 431 before authentication", "[http][auth][e2e]") {
  FakeAnchorApi api;
  REQUIRE(api.Start());
  const auto web_file = anchor::test::WriteTempFile(
      "web.yml", "basic_auth_users:\n  prometheus: " + anchor::test::HtpasswdHash("pw", 4) + "\n");
  ExporterHarness plain(TestConfigFor(api));
  ExporterHarness authenticated(
      anchor::test::TestAppOptions(anchor::test::FixedConfig(TestConfigFor(api)), web_file));
  for (const int port : {plain.port(), authenticated.port()}) {
    CHECK(RefusedWith431(port, LongHead()));
    CHECK(RefusedWith431(port, ManyLines()));
  }
}

TEST_CASE("1,000 header bombs leave memory flat", "[http][memory][e2e]") {
  FakeAnchorApi api;
  REQUIRE(api.Start());
  ExporterHarness exporter(TestConfigFor(api));
  for (int i = 0; i < 20; ++i) REQUIRE(RefusedWith431(exporter.port(), LongHead()));  // warm-up
  const long before = RssKiB();
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 250; ++i) {
        if (RefusedWith431(exporter.port(), (i + t) % 2 == 0 ? LongHead() : ManyLines())) {
          ++refused;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(refused == 1000);
  const long grown_kib = RssKiB() - before;
  INFO("RSS grew by " << grown_kib << " KiB");
#ifndef ANCHOR_SANITIZE_BUILD
  CHECK(grown_kib < 16L * 1024);
#endif
}

TEST_CASE("a request head must be complete within --web.read-header-timeout", "[http][e2e]") {
  FakeAnchorApi api;
  REQUIRE(api.Start());
  anchor::WebOptions web;
  web.read_header_timeout = 1s;
  ExporterHarness exporter(TestConfigFor(api), web);
  RawConnection conn(exporter.port());
  REQUIRE(conn.Send("GET /-/healthy HTTP/1.1\r\n"));
  // One byte every 200 ms: each read is quick, the head never ends.
  const auto start = std::chrono::steady_clock::now();
  const std::string trickle = "X-Slow: abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz";
  bool closed = false;
  for (const char c : trickle) {
    if (!conn.Send(std::string(1, c)) || ClosedBy(conn, 200ms)) {
      closed = true;
      break;
    }
  }
  CHECK(closed);
  CHECK(std::chrono::steady_clock::now() - start < 8s);  // the deadline is 1 s
}

TEST_CASE("an idle keep-alive connection is closed after --web.idle-timeout", "[http][e2e]") {
  FakeAnchorApi api;
  REQUIRE(api.Start());
  anchor::WebOptions web;
  web.idle_timeout = 500ms;
  ExporterHarness exporter(TestConfigFor(api), web);
  RawConnection conn(exporter.port());
  REQUIRE(conn.Send("GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n"));
  CHECK(AnswerStatuses(conn.ReadAnswers(1)) == std::vector<int>{200});
  CHECK(ClosedBy(conn, 10s));
}

TEST_CASE("the open-files limit is raised and sets the default connection cap", "[http][e2e]") {
  rlimit original{};
  REQUIRE(getrlimit(RLIMIT_NOFILE, &original) == 0);
  rlimit lowered = original;
  lowered.rlim_cur = std::min<rlim_t>(original.rlim_max, 512);
  REQUIRE(setrlimit(RLIMIT_NOFILE, &lowered) == 0);
  {
    FakeAnchorApi api;
    REQUIRE(api.Start());
    ExporterHarness exporter(TestConfigFor(api));
    rlimit now{};
    REQUIRE(getrlimit(RLIMIT_NOFILE, &now) == 0);
    CHECK(now.rlim_cur == original.rlim_max);
    const auto limit = static_cast<std::size_t>(now.rlim_cur);
    CHECK(exporter.app().server()->connection_stats().cap == anchor::DefaultConnectionCap(limit));
    // Exported with every scrape: the scrape's own connection is the one open.
    const auto s = anchor::test::ParseExposition(exporter.Scrape());
    CHECK(anchor::test::FindSample(s, "anchorbrowser_exporter_http_connections_limit", {}) ==
          static_cast<double>(anchor::DefaultConnectionCap(limit)));
    CHECK(anchor::test::FindSample(s, "anchorbrowser_exporter_http_connections", {}) == 1.0);
  }
  setrlimit(RLIMIT_NOFILE, &original);
}

TEST_CASE("a full server closes incomplete heads, then the oldest idle, then refuses",
          "[http][e2e]") {
  FakeAnchorApi api;
  REQUIRE(api.Start());
  // One slow batch per connection that is kept busy below (one batch would coalesce their
  // fetches into one API request, and the test could not see that each of them is answering).
  const std::vector<std::string> slow_ids = {"slow-1", "slow-2", "slow-3", "slow-4"};
  auto config = TestConfigFor(api);
  for (const auto& id : slow_ids) {
    FakeAnchorApi::Answer slow;
    slow.body = anchor::test::BatchJson(id, "processing", 4);
    slow.delay = 1500ms;
    api.SetAnswer(id, slow);
    config.batches.push_back({id, {}});
  }
  anchor::WebOptions web;
  web.max_connections = 4;
  ExporterHarness exporter(config, web);
  const int port = exporter.port();
  const std::string healthy = "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n";

  // Connections are registered in the order they are accepted; each wait below makes sure the
  // server holds the last one before the next connects, so that "oldest" is well defined.
  RawConnection head1(port);
  REQUIRE(head1.Send("GET /-/healthy HTTP/1.1\r\nHo"));
  REQUIRE(HoldsConnections(exporter, 1));
  RawConnection head2(port);
  REQUIRE(head2.Send("GET /-/healthy HTTP/1.1\r\nHo"));
  REQUIRE(HoldsConnections(exporter, 2));
  RawConnection idle1(port);
  REQUIRE(idle1.Send(healthy));
  REQUIRE(AnswerStatuses(idle1.ReadAnswers(1)).size() == 1);
  REQUIRE(HoldsConnections(exporter, 3));
  RawConnection idle2(port);
  REQUIRE(idle2.Send(healthy));
  REQUIRE(AnswerStatuses(idle2.ReadAnswers(1)).size() == 1);
  REQUIRE(HoldsConnections(exporter, 4));

  RawConnection fifth(port);  // full: the oldest incomplete head goes
  CHECK(ClosedBy(head1, 2s));
  CHECK_FALSE(ClosedBy(head2, 100ms));
  REQUIRE(fifth.Send(healthy));
  CHECK(AnswerStatuses(fifth.ReadAnswers(1)) == std::vector<int>{200});
  RawConnection sixth(port);  // then the other one
  CHECK(ClosedBy(head2, 2s));
  CHECK_FALSE(ClosedBy(idle1, 100ms));
  REQUIRE(sixth.Send(healthy));
  CHECK(AnswerStatuses(sixth.ReadAnswers(1)) == std::vector<int>{200});
  REQUIRE(HoldsConnections(exporter, 4));
  RawConnection seventh(port);  // then the one idle the longest
  CHECK(ClosedBy(idle1, 2s));
  CHECK_FALSE(ClosedBy(idle2, 100ms));
  CHECK(exporter.app().server()->connection_stats().open == 4);

  // Every connection busy answering: a new one is refused (closed unanswered).
  auto probe = [](const std::string& id) {
    return "GET /probe?target=" + id + " HTTP/1.1\r\nHost: x\r\n\r\n";
  };
  REQUIRE(idle2.Send(probe(slow_ids[0])));
  REQUIRE(fifth.Send(probe(slow_ids[1])));
  REQUIRE(sixth.Send(probe(slow_ids[2])));
  REQUIRE(seventh.Send(probe(slow_ids[3])));
  // A request reaches the API only after its connection is marked busy (bounded: 5 s).
  const auto until = std::chrono::steady_clock::now() + 5s;
  auto all_asked = [&] {
    return std::all_of(slow_ids.begin(), slow_ids.end(),
                       [&](const std::string& id) { return api.RequestCount(id) >= 1; });
  };
  while (!all_asked() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(5ms);
  }
  REQUIRE(all_asked());
  RawConnection refused(port);
  refused.Send(healthy);
  CHECK(AnswerStatuses(refused.ReadUntilClose(3s)).empty());
  CHECK(refused.closed());
  CHECK(AnswerStatuses(idle2.ReadAnswers(1)) == std::vector<int>{200});
  // head1, head2 and idle1 were displaced, one connection refused (the counts every scrape
  // exports).
  CHECK(exporter.app().server()->connection_stats().displaced == 3);
  CHECK(exporter.app().server()->connection_stats().refused == 1);
}

// Answers in flight are bounded (issue 19): a client that asks for /metrics and never reads
// keeps one --web.max-requests slot until its answer is written, it goes away, or a scrape that
// finds every slot held displaces it, and holds the render cache's shared blocks, not a copy of
// the answer. Real sockets on 127.0.0.1; the bound is asserted as slots counted and answers
// displaced, never as a time. The memory it saves is
// measured in bench/bench_slow_readers.cpp.
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/exporter_harness.h"
#include "support/fake_anchor_api.h"
#include "support/raw_connection.h"

using anchor::FakeAnchorApi;
using anchor::test::AnswerStatuses;
using anchor::test::ExporterHarness;
using anchor::test::RawConnection;
using namespace std::chrono_literals;

namespace {

// The value of a one-sample family in a text exposition, or -1.
double Value(const std::string& body, const std::string& name) {
  const std::string key = "\n" + name + " ";
  const size_t at = body.find(key);
  return at == std::string::npos ? -1 : std::stod(body.substr(at + key.size()));
}

// Polls `condition` every 50 ms, at most 20 s.
template <class F>
bool Eventually(F condition) {
  const auto until = std::chrono::steady_clock::now() + 20s;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(50ms);
  }
  return true;
}

// 300 finished batches of ~50 KB of text each (a long static label on every series): ~15 MB per
// answer, more than loopback's socket buffers hold, so an answer nobody reads stays in flight.
anchor::Config BigAnswerConfig(FakeAnchorApi& api) {
  auto config = anchor::test::TestConfig(api.base_url(), FakeAnchorApi::Options{}.api_key);
  const std::string pad(1500, 'p');
  for (int i = 0; i < 300; ++i) {
    const std::string id = "big-" + std::to_string(i);
    api.SetBatchJson(id, anchor::test::BatchJson(id, "completed", 5));
    config.batches.push_back({id, {{"pad", pad}}});
  }
  return config;
}

}  // namespace

TEST_CASE("clients that never read hold --web.max-requests slots and never starve a scrape",
          "[http][memory][e2e]") {
  FakeAnchorApi api;
  REQUIRE(api.Start());
  const auto config = BigAnswerConfig(api);
  anchor::WebOptions web;
  web.max_requests = 4;
  ExporterHarness exporter(config, web);
  int status = 0;
  const std::string first = exporter.Get("/metrics", &status);
  REQUIRE(status == 200);
  REQUIRE(first.size() > size_t{10} << 20);

  // Each asks for the uncompressed text, reads its status line (so its answer is being
  // written: the slot is held) and then nothing more.
  std::vector<std::unique_ptr<RawConnection>> slow;
  const auto add_slow = [&] {
    slow.push_back(std::make_unique<RawConnection>(exporter.port()));
    REQUIRE(slow.back()->Send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
    REQUIRE(AnswerStatuses(slow.back()->ReadAnswers(1, 20s)) == std::vector<int>{200});
  };
  for (int i = 0; i < 3; ++i) add_slow();

  // A normal scrape still succeeds, and counts three answers stuck in flight besides itself.
  std::string body = exporter.Get("/metrics", &status);
  CHECK(status == 200);
  CHECK(Value(body, "anchorbrowser_exporter_http_answers_in_flight") == 4);
  CHECK(Value(body, "anchorbrowser_exporter_http_answers_displaced_total") == 0);

  // A fourth takes the last slot. A scrape then displaces the answer whose write started first
  // instead of being refused: that client's connection is closed.
  add_slow();
  body = exporter.Get("/metrics", &status);
  CHECK(status == 200);
  CHECK(Value(body, "anchorbrowser_exporter_http_answers_displaced_total") == 1);
  CHECK(Value(body, "anchorbrowser_exporter_http_answers_in_flight") == 4);
  CHECK(Value(body, "anchorbrowser_exporter_http_answers_refused_total") == 0);
  slow.front()->ReadUntilClose(20s);  // what the kernel still held for it, then the close
  CHECK(slow.front()->closed());

  // Clients that go away free their slots without waiting for the write timeout (60 s), and
  // without displacing anyone: two of the three left go, one stays.
  slow.pop_back();
  slow.pop_back();
  CHECK(Eventually([&] {
    body = exporter.Get("/metrics", &status);
    return status == 200 && Value(body, "anchorbrowser_exporter_http_answers_in_flight") == 2;
  }));
  CHECK(Value(body, "anchorbrowser_exporter_http_answers_displaced_total") == 1);
}

TEST_CASE("many clients that never read cannot starve a scrape", "[http][memory][e2e]") {
  FakeAnchorApi api;
  REQUIRE(api.Start());
  const auto config = BigAnswerConfig(api);
  anchor::WebOptions web;
  web.max_requests = 4;
  ExporterHarness exporter(config, web);
  int status = 0;
  REQUIRE(exporter.Get("/metrics", &status).size() > size_t{10} << 20);

  // Twice as many non-readers as slots: each takes a slot by displacing the oldest stuck one.
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 8; ++i) {
    slow.push_back(std::make_unique<RawConnection>(exporter.port()));
    REQUIRE(slow.back()->Send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
    REQUIRE(AnswerStatuses(slow.back()->ReadAnswers(1, 20s)) == std::vector<int>{200});
  }
  const std::string body = exporter.Get("/metrics", &status);
  CHECK(status == 200);
  CHECK(Value(body, "anchorbrowser_exporter_http_answers_displaced_total") == 5);
  CHECK(Value(body, "anchorbrowser_exporter_http_answers_in_flight") == 4);
  CHECK(Value(body, "anchorbrowser_exporter_http_answers_refused_total") == 0);
  for (int i = 0; i < 5; ++i) {  // the five that started first are closed
    slow[static_cast<size_t>(i)]->ReadUntilClose(20s);
    CHECK(slow[static_cast<size_t>(i)]->closed());
  }
}

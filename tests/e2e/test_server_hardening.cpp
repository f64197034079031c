// The exporter's own server under load it did not ask for: many idle connections, a burst of
// scrapes, a pool that is full. WorkerPool itself is tested directly in http/test_worker_pool.cpp.
#include <httplib.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <thread>

#include "support/exporter_harness.h"
#include "support/exposition.h"
#include "support/fake_anchor_api.h"
#include "support/web_fixtures.h"

using anchor::FakeAnchorApi;
using anchor::test::BatchJson;
using anchor::test::ExporterHarness;

namespace {

// Closes the sockets it holds when it goes out of scope.
struct Sockets {
  std::vector<int> fds;
  ~Sockets() {
    for (const int fd : fds) close(fd);
  }
};

}  // namespace

TEST_CASE("200 idle connections do not starve a scrape", "[hardening][e2e]") {
  FakeAnchorApi api;
  REQUIRE(api.Start());
  api.SetBatchJson("b1", BatchJson("b1", "processing", 4));
  auto config = anchor::test::TestConfig(api.base_url(), FakeAnchorApi::Options{}.api_key);
  config.batches = {{"b1", {}}};
  ExporterHarness exporter(config);

  // 150 connections that send nothing and 50 that send one request and stay open. With
  // httplib's default pool (8 threads, unbounded queue, 5 s keep-alive) the scrape behind them
  // would wait 200 / 8 * 5 s = 125 s; with the exporter's pool every connection gets a thread
  // of its own and idle ones are closed after the 2 s keep-alive timeout.
  Sockets idle;
  for (int i = 0; i < 200; ++i) {
    const int fd = anchor::test::ConnectLoopback(exporter.port());
    REQUIRE(fd >= 0);
    if (i % 4 == 0) {
      const std::string req = "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n";
      REQUIRE(write(fd, req.data(), req.size()) == static_cast<ssize_t>(req.size()));
    }
    idle.fds.push_back(fd);
  }
  httplib::Client client("127.0.0.1", exporter.port());
  // Generous: far below the 125 s the default pool needs, far above what a scrape takes.
  client.set_connection_timeout(std::chrono::seconds(20));
  client.set_read_timeout(std::chrono::seconds(20));
  const auto res = client.Get("/metrics");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body.find("anchorbrowser_batch_up{batch_id=\"b1\"} 1") != std::string::npos);
}

TEST_CASE("scrapes beyond --web.max-requests get 503", "[hardening][e2e]") {
  FakeAnchorApi api;
  REQUIRE(api.Start());
  FakeAnchorApi::Answer slow;
  slow.body = BatchJson("slow", "processing", 4);
  slow.delay = std::chrono::milliseconds(800);
  api.SetAnswer("slow", slow);
  auto config = anchor::test::TestConfig(api.base_url(), FakeAnchorApi::Options{}.api_key);
  config.batches = {{"slow", {}}};
  anchor::WebOptions web;
  web.max_requests = 1;
  ExporterHarness exporter(config, web);

  int first_status = 0;
  std::thread first([&] { exporter.Get("/metrics", &first_status); });
  while (api.RequestCount("slow") == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  int status = 0;
  CHECK(exporter.Get("/probe?target=slow", &status) ==
        "Limit of concurrent requests reached (1), try again later.\n");
  CHECK(status == 503);
  exporter.Get("/-/healthy", &status);  // not a scrape: not limited
  CHECK(status == 200);
  first.join();
  CHECK(first_status == 200);
  exporter.Get("/metrics", &status);  // the slot is free again
  CHECK(status == 200);
}

TEST_CASE("a second exporter cannot listen on a port already in use", "[hardening][e2e]") {
  FakeAnchorApi api;
  REQUIRE(api.Start());
  const auto config = anchor::test::TestConfig(api.base_url(), FakeAnchorApi::Options{}.api_key);
  ExporterHarness first(config);
  anchor::AppOptions options{{}, "", anchor::test::FixedConfig(config)};
  options.web.listen_address = "127.0.0.1:" + std::to_string(first.port());
  anchor::ExporterApp second(std::move(options), anchor::NullLogger());
  CHECK_FALSE(second.Start());
}

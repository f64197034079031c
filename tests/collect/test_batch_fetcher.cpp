// BatchFetcher's request slots: hung batches must not starve healthy ones, and a slot is given
// back whatever the request does.
#include <spdlog/sinks/ostream_sink.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "anchor/api_client.h"
#include "collect/batch_fetcher.h"
#include "collect/self_metrics.h"
#include "log/logger.h"
#include "support/exporter_harness.h"
#include "support/exposition.h"
#include "support/fake_anchor_api.h"

using anchor::FakeAnchorApi;
using anchor::test::BatchJson;
using anchor::test::ParseExposition;
using anchor::test::UpValue;
using Clock = std::chrono::steady_clock;

namespace {

const char* kKey = "fetcher-key-31";

}  // namespace

TEST_CASE("as many hung batches as request slots, listed first, starve no healthy batch",
          "[fetcher][resilience]") {
  FakeAnchorApi api(FakeAnchorApi::Options{kKey, "", "", 32});
  REQUIRE(api.Start());
  auto config = anchor::test::TestConfig(api.base_url(), kKey);
  config.anchor.max_concurrency = 3;
  config.anchor.timeout = std::chrono::seconds(10);  // the default: longer than the scrape
  FakeAnchorApi::Answer hang;
  hang.never_answer = true;
  for (int i = 0; i < 3; ++i) {
    api.SetAnswer("hung" + std::to_string(i), hang);
    config.batches.push_back({"hung" + std::to_string(i), {}});
  }
  std::vector<std::string> healthy;
  for (int i = 0; i < 10; ++i) {
    healthy.push_back("ok" + std::to_string(i));
    api.SetBatchJson(healthy.back(), BatchJson(healthy.back(), "processing", 3));
    config.batches.push_back({healthy.back(), {}});
  }
  anchor::test::ExporterHarness exporter(config);

  // Including the first scrape, when nothing is known about any batch yet.
  for (int scrape = 0; scrape < 3; ++scrape) {
    int status = 0;
    const auto start = Clock::now();
    const auto s = ParseExposition(exporter.Get("/metrics", &status, "2"));  // 1.5 s deadline
    CAPTURE(scrape, std::chrono::duration<double>(Clock::now() - start).count());
    CHECK(status == 200);
    for (const auto& id : healthy) {
      CAPTURE(id);
      CHECK(UpValue(s, id) == 1.0);
    }
    CHECK(UpValue(s, "hung0") == 0.0);
  }
  CHECK(api.RequestCount("ok0") == 3);  // each scrape really asked the API
}

TEST_CASE("a request that throws gives its slot back", "[fetcher]") {
  FakeAnchorApi api(FakeAnchorApi::Options{kKey, "", "", 8});
  REQUIRE(api.Start());
  api.SetBatchJson("b1", BatchJson("b1", "processing", 3));
  api.SetBatchJson("b2", BatchJson("b2", "processing", 3));
  auto config = anchor::test::TestConfig(api.base_url(), kKey);
  config.anchor.max_concurrency = 1;
  std::atomic<bool> throw_next{true};
  // The observer runs inside ApiClient::FetchBatch, so its exception leaves the request.
  anchor::ApiClient client(config.anchor, [&](int) {
    if (throw_next.exchange(false)) throw std::runtime_error("observer failed");
  });
  anchor::SelfMetrics metrics;
  auto out = std::make_shared<std::ostringstream>();
  const anchor::Logger log(anchor::LogLevel::kInfo, anchor::LogFormat::kLogfmt,
                           std::make_shared<spdlog::sinks::ostream_sink_mt>(*out, true));
  anchor::BatchFetcher fetcher(client, config.anchor, config.cache, metrics, log);

  const auto first = fetcher.FetchAll({"b1"}, Clock::now() + std::chrono::seconds(2));
  REQUIRE(first.size() == 1);
  CHECK(first[0]->error == anchor::FetchError::kConnection);
  CHECK(first[0]->detail.find("observer failed") != std::string::npos);
  // With the only slot leaked this would wait for the deadline and time out.
  const auto second = fetcher.FetchAll({"b2"}, Clock::now() + std::chrono::seconds(2));
  REQUIRE(second.size() == 1);
  CHECK(second[0]->ok());
}

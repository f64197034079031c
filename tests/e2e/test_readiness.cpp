// /-/ready turns 200 only once the exporter has fetched its batches once (or given up at
// anchor.timeout), which it does by itself at start, and stays 200 across reloads.
#include <catch2/catch.hpp>
#include <thread>

#include "support/exporter_harness.h"
#include "support/fake_anchor_api.h"

using anchor::FakeAnchorApi;
using anchor::test::BatchJson;
using anchor::test::ExporterHarness;

namespace {

const char* kKey = "readiness-test-key";

anchor::AppOptions WithFirstFetch(const anchor::Config& config) {
  return anchor::test::TestAppOptions(anchor::test::FixedConfig(config), "", /*first_fetch=*/true);
}

// Polls /-/ready until it answers 200; false after `limit`.
bool WaitReady(ExporterHarness& exporter, std::chrono::seconds limit) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (std::chrono::steady_clock::now() < give_up) {
    exporter.Get("/-/ready", &status);
    if (status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

}  // namespace

TEST_CASE("ready only after the first fetch, which the exporter runs itself",
          "[lifecycle][ready][e2e]") {
  FakeAnchorApi api(FakeAnchorApi::Options{kKey, "", "", 8});
  REQUIRE(api.Start());
  FakeAnchorApi::Answer slow;
  slow.body = BatchJson("slow", "processing", 2);
  slow.delay = std::chrono::milliseconds(1500);
  api.SetAnswer("slow", slow);
  auto config = anchor::test::TestConfig(api.base_url(), kKey);
  config.batches = {{"slow", {}}};
  ExporterHarness exporter(WithFirstFetch(config));

  int status = 0;
  const auto body = exporter.Get("/-/ready", &status);
  CHECK(status == 503);
  CHECK(body ==
        "Not ready: first fetch of 1 configured batches still running (at most "
        "anchor.timeout, 5s)\n");
  REQUIRE(WaitReady(exporter, std::chrono::seconds(10)));
  CHECK(api.RequestCount("slow") == 1);  // no scrape was needed
  CHECK(exporter.LogText().find("msg=\"first fetch done, ready\" batches=1 up=1 ") !=
        std::string::npos);

  SECTION("and stays ready across reloads") {
    exporter.Request("POST", "/-/reload", &status);
    CHECK(status == 200);
    exporter.Get("/-/ready", &status);
    CHECK(status == 200);
  }
}

TEST_CASE("a first fetch that times out or fails still makes the exporter ready",
          "[lifecycle][ready][e2e]") {
  FakeAnchorApi api(FakeAnchorApi::Options{kKey, "", "", 8});
  REQUIRE(api.Start());
  FakeAnchorApi::Answer silent;
  silent.never_answer = true;
  api.SetAnswer("silent", silent);
  FakeAnchorApi::Answer gone;
  gone.status = 404;
  api.SetAnswer("gone", gone);
  auto config = anchor::test::TestConfig(api.base_url(), kKey);
  config.anchor.timeout = std::chrono::seconds(1);
  config.batches = {{"silent", {}}, {"gone", {}}};
  config.discovery.enabled = true;
  ExporterHarness exporter(WithFirstFetch(config));
  int status = 0;
  const auto body = exporter.Get("/-/ready", &status);
  CHECK(status == 503);
  CHECK(body.find("first fetch of 2 configured batches and the first discovery still running") !=
        std::string::npos);
  REQUIRE(WaitReady(exporter, std::chrono::seconds(10)));
  const auto log = exporter.LogText();
  CHECK(log.find("msg=\"first fetch done, ready\" batches=2 up=0 ") != std::string::npos);
  CHECK(log.find("batch_id=silent reason=timeout") != std::string::npos);
  CHECK(log.find("batch_id=gone reason=not_found") != std::string::npos);
}

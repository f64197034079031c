// GET /sd end to end: every tracked batch as a Prometheus http_sd_configs target (issue 14).
// RenderServiceDiscovery is tested directly in web/test_service_discovery.cpp.
#include <httplib.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <ctime>
#include <map>
#include <thread>

#include "support/exporter_harness.h"
#include "support/fake_anchor_api.h"
#include "support/sd_targets.h"
#include "support/web_fixtures.h"

using anchor::FakeAnchorApi;
using anchor::test::BatchJson;
using anchor::test::ExporterHarness;

namespace {

const char* kKey = "sd-key-7";
using Labels = anchor::test::SdLabels;
using anchor::test::ParseSdTargets;

struct SdAnswer {
  int status = 0;
  std::string content_type;
  std::string body;
};

SdAnswer GetSd(int port, const std::string& user = "", const std::string& password = "") {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(std::chrono::seconds(30));
  if (!user.empty()) client.set_basic_auth(user, password);
  const auto res = client.Get("/sd");
  if (!res) return {};
  return {res->status, res->get_header_value("Content-Type"), res->body};
}

double Now() { return static_cast<double>(std::time(nullptr)); }

}  // namespace

TEST_CASE("/sd lists configured and discovered batches and follows discovery", "[sd][e2e]") {
  FakeAnchorApi api(FakeAnchorApi::Options{kKey, "", "", 16});
  REQUIRE(api.Start());
  api.SetBatchJson("mine", BatchJson("mine", "pending", 2));
  api.SetBatchJson("found-1", BatchJson("found-1", "processing", 2));
  api.SetListedBatches({{"found-1", "processing", Now()}});
  auto config = anchor::test::TestConfig(api.base_url(), kKey);
  config.batches = {{"mine", {{"team", "a"}}}};
  config.discovery.enabled = true;
  config.discovery.statuses = {"processing"};
  config.discovery.refresh_interval = std::chrono::milliseconds(1);
  ExporterHarness exporter(config);

  // Before any scrape: discovery runs for /sd itself, statuses are not known yet.
  auto sd = GetSd(exporter.port());
  REQUIRE(sd.status == 200);
  CHECK(sd.content_type == "application/json");
  auto targets = ParseSdTargets(sd.body);
  CHECK(targets.size() == 2);
  CHECK(targets["mine"] == Labels{{"__meta_anchorbrowser_source", "configured"},
                                  {"__meta_anchorbrowser_label_team", "a"}});
  CHECK(targets["found-1"] == Labels{{"__meta_anchorbrowser_source", "discovered"}});

  // A probe fetches the batch: its status is known from then on.
  int status = 0;
  exporter.Get("/probe?target=found-1", &status);
  REQUIRE(status == 200);
  targets = ParseSdTargets(GetSd(exporter.port()).body);
  CHECK(targets["found-1"]["__meta_anchorbrowser_status"] == "processing");

  // A new batch appears in the list: it shows up in /sd without any /metrics scrape.
  api.SetBatchJson("found-2", BatchJson("found-2", "processing", 2));
  api.SetListedBatches({{"found-1", "processing", Now()}, {"found-2", "processing", Now()}});
  bool appeared = false;
  for (int i = 0; i < 200 && !appeared; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    appeared = ParseSdTargets(GetSd(exporter.port()).body).count("found-2") == 1;
  }
  CHECK(appeared);
}

TEST_CASE("/sd is behind the same basic authentication as every path", "[sd][auth][e2e]") {
  FakeAnchorApi api(FakeAnchorApi::Options{kKey, "", "", 4});
  REQUIRE(api.Start());
  auto config = anchor::test::TestConfig(api.base_url(), kKey);
  config.batches = {{"mine", {}}};
  const auto web_file = anchor::test::WriteTempFile(
      "web.yml", "basic_auth_users:\n  prometheus: " + anchor::test::HtpasswdHash("s3cret") + "\n");
  ExporterHarness exporter(
      anchor::test::TestAppOptions(anchor::test::FixedConfig(config), web_file));
  CHECK(GetSd(exporter.port()).status == 401);
  CHECK(GetSd(exporter.port(), "prometheus", "wrong").status == 401);
  const auto ok = GetSd(exporter.port(), "prometheus", "s3cret");
  CHECK(ok.status == 200);
  CHECK(ParseSdTargets(ok.body).count("mine") == 1);
}

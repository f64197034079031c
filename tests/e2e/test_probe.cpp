// /probe?target=<batch_id>: one batch fetched now, blackbox-style. Bad targets get 400 and
// never reach the API; labels come from the config, never from the query string.
#include <catch2/catch.hpp>

#include "support/exporter_harness.h"
#include "support/exposition.h"
#include "support/fake_api_fixture.h"
#include "support/web_fixtures.h"

using anchor::FakeAnchorApi;
using anchor::test::BatchJson;
using anchor::test::ExporterHarness;
using anchor::test::FindSample;
using anchor::test::ParseExposition;

namespace {

const char* kKey = "probe-test-key";

struct Fixture : anchor::test::FakeApiFixture {
  explicit Fixture(bool allow_unlisted = false) : FakeApiFixture(kKey) {
    api.SetBatchJson("b1", BatchJson("b1", "processing", 8));
    api.SetBatchJson("b2", BatchJson("b2", "completed", 4));
    api.SetBatchJson("unlisted-1", BatchJson("unlisted-1", "pending", 2));
    config.batches = {{"b1", {{"team", "growth"}}}, {"b2", {}}};
    config.probe.allow_unlisted = allow_unlisted;
  }
};

std::string RawGet(int port, const std::string& target, int* status) {
  std::string body;
  *status = anchor::test::RawHttpRequest(
      port, "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &body);
  return body;
}

}  // namespace

TEST_CASE("probing a configured batch returns its series and nothing else", "[probe][e2e]") {
  Fixture f;
  ExporterHarness exporter(f.config);
  int status = 0;
  const auto text = exporter.Get("/probe?target=b1", &status);
  REQUIRE(status == 200);
  const auto s = ParseExposition(text);
  const std::map<std::string, std::string> labels = {{"batch_id", "b1"}, {"team", "growth"}};
  CHECK(FindSample(s, "anchorbrowser_batch_up", labels) == 1.0);
  CHECK(FindSample(s, "anchorbrowser_batch_total_requests", labels) == 8.0);
  CHECK(FindSample(s, "anchorbrowser_batch_fetch_duration_seconds", labels));
  for (const auto& sample : s) {
    INFO(sample.name);
    CHECK(sample.labels.at("batch_id") == "b1");
    CHECK(sample.name.rfind("anchorbrowser_batch_", 0) == 0);  // no self or process metrics
  }
  CHECK(f.api.RequestCount("b1") == 1);
  CHECK(f.api.RequestCount("b2") == 0);
}

TEST_CASE("labels are not taken from the query string", "[probe][e2e]") {
  Fixture f;
  ExporterHarness exporter(f.config);
  int status = 0;
  const auto s =
      ParseExposition(exporter.Get("/probe?target=b2&team=evil&batch_id=b1&module=x", &status));
  REQUIRE(status == 200);
  CHECK(FindSample(s, "anchorbrowser_batch_up", {{"batch_id", "b2"}}) == 1.0);
  for (const auto& sample : s) CHECK(sample.labels.count("team") == 0);
}

TEST_CASE("an unlisted target is refused unless probe.allow_unlisted is set", "[probe][e2e]") {
  SECTION("refused") {
    Fixture f(false);
    ExporterHarness exporter(f.config);
    int status = 0;
    const auto body = exporter.Get("/probe?target=unlisted-1", &status);
    CHECK(status == 400);
    CHECK(body.find("not a configured or discovered batch") != std::string::npos);
    CHECK(f.api.TotalRequests() == 0);
  }
  SECTION("allowed") {
    Fixture f(true);
    ExporterHarness exporter(f.config);
    int status = 0;
    const auto s = ParseExposition(exporter.Get("/probe?target=unlisted-1", &status));
    CHECK(status == 200);
    CHECK(FindSample(s, "anchorbrowser_batch_up", {{"batch_id", "unlisted-1"}}) == 1.0);
    // Still a valid id that the API does not know: answered, and down.
    const auto gone = ParseExposition(exporter.Get("/probe?target=never-created", &status));
    CHECK(status == 200);
    CHECK(FindSample(gone, "anchorbrowser_batch_up", {{"batch_id", "never-created"}}) == 0.0);
  }
}

TEST_CASE("malformed targets get 400 and never reach the API", "[probe][e2e][secrets]") {
  Fixture f(/*allow_unlisted=*/true);  // even when any valid id may be probed
  ExporterHarness exporter(f.config);
  const std::string too_long(200, 'a');
  for (const std::string& target : std::vector<std::string>{
           "/probe?target=../x", "/probe?target=%2F", "/probe?target=a%2Fb",
           "/probe?target=..%2Fb1", "/probe?target=b1%00", "/probe?target=b1%20",
           "/probe?target=b1/../b2", "/probe?target=%252F", "/probe?target=" + too_long,
           "/probe?target=b%C3%A9"}) {
    INFO(target);
    int status = 0;
    const auto body = RawGet(exporter.port(), target, &status);
    CHECK(status == 400);
    CHECK(body.find("Invalid target") != std::string::npos);
  }
  int status = 0;
  // httplib's request parser refuses a '?' inside the query before any handler runs.
  RawGet(exporter.port(), "/probe?target=b1?x=1", &status);
  CHECK(status == 400);
  CHECK(RawGet(exporter.port(), "/probe", &status).find("Target parameter is missing") == 0);
  CHECK(status == 400);
  RawGet(exporter.port(), "/probe?target=", &status);
  CHECK(status == 400);
  RawGet(exporter.port(), "/probe?target=b1&target=b2", &status);
  CHECK(status == 400);
  CHECK(f.api.TotalRequests() == 0);
  // 128 characters is the longest valid id: it reaches the API (which does not know it).
  RawGet(exporter.port(), "/probe?target=" + std::string(128, 'a'), &status);
  CHECK(status == 200);
  CHECK(f.api.TotalRequests() == 1);
}

TEST_CASE("the probe honours X-Prometheus-Scrape-Timeout-Seconds", "[probe][e2e]") {
  Fixture f;
  FakeAnchorApi::Answer slow;
  slow.body = BatchJson("b1", "processing", 8);
  slow.delay = std::chrono::seconds(4);
  f.api.SetAnswer("b1", slow);
  ExporterHarness exporter(f.config);
  int status = 0;
  // 1.5 s less the 0.5 s offset: the fetch is abandoned after 1 s. Without the header the
  // answer (4 s, within anchor.timeout of 5 s) would arrive and the batch would be up.
  const auto s = ParseExposition(exporter.Get("/probe?target=b1", &status, "1.5"));
  CHECK(status == 200);
  CHECK(FindSample(s, "anchorbrowser_batch_up", {{"batch_id", "b1"}, {"team", "growth"}}) == 0.0);
  CHECK(f.api.RequestCount("b1") == 1);
}

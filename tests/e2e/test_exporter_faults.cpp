// A bad answer for one batch marks that batch down with a reason and leaves the others intact;
// the API key never shows up in what the exporter logs or serves.
#include <catch2/catch.hpp>

#include "support/exporter_harness.h"
#include "support/exposition.h"
#include "support/fake_anchor_api.h"

using anchor::FakeAnchorApi;
using anchor::test::BatchJson;
using anchor::test::CountSeries;
using anchor::test::ExporterHarness;
using anchor::test::FetchErrors;
using anchor::test::FindSample;
using anchor::test::ParseExposition;
using anchor::test::UpValue;

namespace {

const char* kKey = "sk-live-DO-NOT-LEAK-8f3a9c";

FakeAnchorApi::Answer Status(int code, std::string body) {
  FakeAnchorApi::Answer a;
  a.status = code;
  a.body = std::move(body);
  return a;
}

}  // namespace

TEST_CASE("one failing batch does not touch the others", "[e2e][faults]") {
  FakeAnchorApi api(FakeAnchorApi::Options{kKey, "", "", 16});
  REQUIRE(api.Start());
  api.SetBatchJson("good-1", BatchJson("good-1", "processing", 10));
  api.SetBatchJson("good-2", BatchJson("good-2", "completed", 10));
  api.SetAnswer("gone", Status(404, R"({"error": {"code": 404, "message": "Batch not found"}})"));
  api.SetAnswer("broken", Status(500, R"({"error": {"code": 500, "message": "Internal"}})"));
  api.SetAnswer("proxy", Status(502, "<html><body><h1>502 Bad Gateway</h1></body></html>"));
  api.SetAnswer("html200", Status(200, "<html>maintenance</html>"));
  api.SetAnswer("truncated", Status(200, BatchJson("truncated", "processing", 10).substr(0, 120)));
  api.SetAnswer("teapot", Status(418, "{}"));
  auto config = anchor::test::TestConfig(api.base_url(), kKey);
  for (const char* id : {"good-1", "gone", "broken", "proxy", "html200", "truncated", "teapot",
                         "good-2", "never-created"}) {
    config.batches.push_back({id, {}});
  }
  ExporterHarness exporter(config);
  const auto text = exporter.Scrape();
  const auto s = ParseExposition(text);

  CHECK(UpValue(s, "good-1") == 1.0);
  CHECK(UpValue(s, "good-2") == 1.0);
  CHECK(FindSample(s, "anchorbrowser_batch_total_requests", {{"batch_id", "good-2"}}) == 10.0);
  for (const char* id :
       {"gone", "broken", "proxy", "html200", "truncated", "teapot", "never-created"}) {
    INFO(id);
    CHECK(UpValue(s, id) == 0.0);
    // A failed fetch leaves only up, its reason and the HTTP status for that batch.
    int series = 0;
    for (const auto& sample : s) {
      const auto it = sample.labels.find("batch_id");
      series += it != sample.labels.end() && it->second == id;
    }
    CHECK(series == 3);
  }
  // Prometheus alone names each batch's reason and status.
  const std::pair<const char*, std::pair<const char*, int>> expected[] = {
      {"gone", {"not_found", 404}},
      {"broken", {"server_error", 500}},
      {"proxy", {"server_error", 502}},
      {"html200", {"invalid_response", 200}},
      {"truncated", {"invalid_response", 200}},
      {"teapot", {"client_error", 418}},
      {"never-created", {"not_found", 404}}};
  for (const auto& [id, want] : expected) {
    INFO(id);
    CHECK(FindSample(s, "anchorbrowser_batch_fetch_error",
                     {{"batch_id", id}, {"reason", want.first}}) == 1.0);
    CHECK(CountSeries(s, "anchorbrowser_batch_fetch_error", id) == 1);
    CHECK(FindSample(s, "anchorbrowser_batch_last_http_status", {{"batch_id", id}}) ==
          static_cast<double>(want.second));
  }
  CHECK(CountSeries(s, "anchorbrowser_batch_fetch_error", "good-1") == 0);
  CHECK(FindSample(s, "anchorbrowser_batch_last_http_status", {{"batch_id", "good-1"}}) == 200.0);
  CHECK(FetchErrors(s, "not_found") == 2.0);
  CHECK(FetchErrors(s, "server_error") == 2.0);
  CHECK(FetchErrors(s, "invalid_response") == 2.0);
  CHECK(FetchErrors(s, "client_error") == 1.0);
  CHECK(FetchErrors(s, "unauthorized") == 0.0);
  CHECK(FindSample(s, "anchorbrowser_exporter_api_requests_total", {{"code", "200"}}) == 4.0);
  CHECK(FindSample(s, "anchorbrowser_exporter_api_requests_total", {{"code", "404"}}) == 2.0);
  CHECK(FindSample(s, "anchorbrowser_exporter_api_requests_total", {{"code", "502"}}) == 1.0);

  const auto log = exporter.LogText();
  CHECK(log.find("batch_id=gone reason=not_found") != std::string::npos);
  CHECK(log.find("batch_id=broken reason=server_error") != std::string::npos);
  CHECK(log.find("batch_id=truncated reason=invalid_response") != std::string::npos);

  SECTION("and the next scrape still works") {
    const auto again = ParseExposition(exporter.Scrape());
    CHECK(UpValue(again, "good-1") == 1.0);
    CHECK(FetchErrors(again, "not_found") == 4.0);
  }
}

TEST_CASE("a wrong API key marks batches down as unauthorized", "[e2e][faults][secrets]") {
  FakeAnchorApi api(FakeAnchorApi::Options{"the-right-key", "", "", 8});
  REQUIRE(api.Start());
  api.SetBatchJson("b1", BatchJson("b1", "processing", 3));
  auto config = anchor::test::TestConfig(api.base_url(), kKey);
  config.batches = {{"b1", {}}};
  ExporterHarness exporter(config);
  const auto text = exporter.Scrape();
  const auto s = ParseExposition(text);
  CHECK(UpValue(s, "b1") == 0.0);
  CHECK(FetchErrors(s, "unauthorized") == 1.0);
  CHECK(FindSample(s, "anchorbrowser_exporter_api_requests_total", {{"code", "401"}}) == 1.0);
  CHECK(api.RejectedKeyCount() == 1);
  CHECK(exporter.LogText().find("Invalid API Key") != std::string::npos);
  CHECK(exporter.LogText().find("rejected the key from environment variable "
                                "ANCHORBROWSER_API_KEY") != std::string::npos);
  CHECK(exporter.LogText().find(kKey) == std::string::npos);
}

TEST_CASE("the API key never appears in logs or metrics or pages", "[e2e][secrets]") {
  FakeAnchorApi api(FakeAnchorApi::Options{kKey, "", "", 8});
  REQUIRE(api.Start());
  api.SetBatchJson("ok", BatchJson("ok", "processing", 3));
  // An upstream that echoes the request back must not make the exporter repeat the key either.
  api.SetAnswer("echo", Status(400, std::string(R"({"error": {"code": 400, "message": "bad key )") +
                                        kKey + "\"}}"));
  api.SetAnswer("weird", Status(200, R"({"data": {"status": 12, "error": "boom"}})"));
  auto config = anchor::test::TestConfig(api.base_url(), kKey);
  config.batches = {{"ok", {{"team", "a"}}}, {"echo", {}}, {"weird", {}}, {"missing", {}}};
  ExporterHarness exporter(config);
  std::string served = exporter.Scrape() + exporter.Scrape();
  int status = 0;
  served += exporter.Get("/", &status);
  CHECK(status == 200);
  const auto log = exporter.LogText();
  CHECK_FALSE(log.empty());
  CHECK(log.find("boom") != std::string::npos);  // debug level: the batch error text is logged
  CHECK(served.find(kKey) == std::string::npos);
  CHECK(log.find(kKey) == std::string::npos);
  CHECK(log.find("DO-NOT-LEAK") == std::string::npos);
}

TEST_CASE("a connection refused is a connection error", "[e2e][faults]") {
  int port = 0;
  {
    FakeAnchorApi closed;
    REQUIRE(closed.Start());
    port = closed.port();
  }  // stopped: nothing listens on the port now
  auto config = anchor::test::TestConfig("http://127.0.0.1:" + std::to_string(port), kKey);
  config.batches = {{"b", {}}};
  ExporterHarness exporter(config);
  const auto s = ParseExposition(exporter.Scrape());
  CHECK(UpValue(s, "b") == 0.0);
  CHECK(FetchErrors(s, "connection") == 1.0);
}

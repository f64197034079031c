// /probe?target=X&debug=true: the trace of that fetch (request with the key masked, answer,
// timing, parse problems, cache and rate-limit state), then the metrics it would return.
#include <httplib.h>

#include <catch2/catch.hpp>
#include <regex>

#include "support/exporter_harness.h"
#include "support/exposition.h"
#include "support/fake_anchor_api.h"
#include "support/fake_api_fixture.h"
#include "support/test_tls.h"

using anchor::FakeAnchorApi;
using anchor::test::BatchJson;
using anchor::test::ExporterHarness;
using anchor::test::FindSample;
using anchor::test::ParseExposition;

namespace {

const char* kKey = "sk-debug-probe-DO-NOT-LEAK-77e1";

struct Fixture : anchor::test::FakeApiFixture {
  Fixture() : FakeApiFixture(kKey) {
    FakeAnchorApi::Answer up;
    up.body = BatchJson("up-1", "processing", 4);
    up.headers = {{"X-Request-Id", "req-123"}, {"X-Echo", std::string("key=") + kKey}};
    api.SetAnswer("up-1", up);
    FakeAnchorApi::Answer gone;
    gone.status = 404;
    gone.body = R"({"error": {"code": 404, "message": "Batch not found"}})";
    api.SetAnswer("gone", gone);
    FakeAnchorApi::Answer silent;
    silent.never_answer = true;
    api.SetAnswer("silent", silent);
    api.SetBatchJson("done", BatchJson("done", "completed", 2));
    config.batches = {{"up-1", {{"team", "a"}}}, {"gone", {}}, {"silent", {}}, {"done", {}}};
  }
};

struct Page {
  int status = 0;
  std::string type;
  std::string body;
};

Page Debug(const ExporterHarness& exporter, const std::string& target,
           const std::string& timeout = "") {
  httplib::Client client("127.0.0.1", const_cast<ExporterHarness&>(exporter).port());
  client.set_read_timeout(std::chrono::seconds(30));
  httplib::Headers headers;
  if (!timeout.empty()) headers.emplace("X-Prometheus-Scrape-Timeout-Seconds", timeout);
  const auto res = client.Get("/probe?target=" + target + "&debug=true", headers);
  if (!res) return {};
  return {res->status, res->get_header_value("Content-Type"), res->body};
}

bool Has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

// The metrics part of the page.
std::vector<anchor::test::Sample> Metrics(const std::string& body) {
  const auto at = body.find("# Metrics this probe returns\n");
  REQUIRE(at != std::string::npos);
  return ParseExposition(body.substr(at));
}

}  // namespace

TEST_CASE("debug probe of an up batch traces the request and returns the metrics",
          "[probe][debug][e2e][secrets]") {
  Fixture f;
  ExporterHarness exporter(f.config);
  const auto page = Debug(exporter, "up-1");
  INFO(page.body);
  CHECK(page.status == 200);
  CHECK(page.type.rfind("text/plain", 0) == 0);
  const auto& b = page.body;
  CHECK(Has(b, "source: API request\n"));
  CHECK(Has(b, "cache: miss: nothing fetched yet\n"));
  CHECK(Has(b, "rate_limit: no Retry-After pending; anchor.max_requests_per_second: no cap\n"));
  CHECK(Has(b, "request: GET " + f.api.base_url() + "/v1/batch-sessions/up-1\n"));
  CHECK(Has(b, "  anchor-api-key: <masked; from environment variable ANCHORBROWSER_API_KEY>\n"));
  CHECK(Has(b, "connection: new\n"));
  CHECK(Has(b, "status: 200\n"));
  CHECK(Has(b, "  X-Request-Id: req-123\n"));
  CHECK(Has(b, "  X-Echo: key=<redacted>\n"));
  CHECK(Has(b, "body_bytes: " + std::to_string(BatchJson("up-1", "processing", 4).size()) + "\n"));
  CHECK(Has(b, "first_byte: "));
  CHECK(Has(b, "total: "));
  CHECK(Has(b, "invalid_fields: none\n"));
  const auto s = Metrics(b);
  CHECK(FindSample(s, "anchorbrowser_batch_up", {{"batch_id", "up-1"}, {"team", "a"}}) == 1.0);
  CHECK(FindSample(s, "anchorbrowser_batch_total_requests",
                   {{"batch_id", "up-1"}, {"team", "a"}}) == 4.0);
  CHECK_FALSE(Has(b, kKey));
  CHECK_FALSE(Has(exporter.LogText(), kKey));

  SECTION("the second request reuses the kept-alive connection") {
    const auto again = Debug(exporter, "up-1");
    CHECK(Has(again.body, "connection: reused a kept-alive connection\n"));
    CHECK(Has(again.body, "cache: miss: age "));
  }
  SECTION("without debug=true the answer is the plain exposition") {
    int status = 0;
    const auto text = exporter.Get("/probe?target=up-1&debug=false", &status);
    CHECK(status == 200);
    CHECK_FALSE(Has(text, "# Probe of batch"));
  }
}

TEST_CASE("debug probe of a 404 batch shows the answer and the reason", "[probe][debug][e2e]") {
  Fixture f;
  ExporterHarness exporter(f.config);
  const auto page = Debug(exporter, "gone");
  INFO(page.body);
  CHECK(page.status == 200);
  CHECK(Has(page.body, "status: 404\n"));
  CHECK(Has(page.body, "up: 0\n"));
  CHECK(Has(page.body, "reason: not_found\n"));
  CHECK(Has(page.body, "detail: HTTP 404: Batch not found\n"));
  CHECK(Has(page.body, "http_status: 404\n"));
  const auto s = Metrics(page.body);
  CHECK(FindSample(s, "anchorbrowser_batch_fetch_error",
                   {{"batch_id", "gone"}, {"reason", "not_found"}}) == 1.0);
  CHECK(FindSample(s, "anchorbrowser_batch_last_http_status", {{"batch_id", "gone"}}) == 404.0);
  CHECK_FALSE(Has(page.body, kKey));
}

TEST_CASE("debug probe of a timed-out batch says no answer came", "[probe][debug][e2e]") {
  Fixture f;
  ExporterHarness exporter(f.config);
  const auto page = Debug(exporter, "silent", "1.5");  // 1 s after the 0.5 s offset
  INFO(page.body);
  CHECK(page.status == 200);
  CHECK(Has(page.body, "status: no HTTP answer read\n"));
  CHECK(Has(page.body, "reason: timeout\n"));
  CHECK(Has(page.body, "detail: no answer before the deadline\n"));
  CHECK(Has(page.body, "first_byte: not measured"));
  CHECK(Has(page.body, "connect: not measured for plain HTTP"));
  const auto s = Metrics(page.body);
  CHECK(FindSample(s, "anchorbrowser_batch_fetch_error",
                   {{"batch_id", "silent"}, {"reason", "timeout"}}) == 1.0);
  CHECK_FALSE(FindSample(s, "anchorbrowser_batch_last_http_status", {{"batch_id", "silent"}}));
}

TEST_CASE("debug probe of a cached batch says why the cache answered", "[probe][debug][e2e]") {
  Fixture f;
  ExporterHarness exporter(f.config);
  int status = 0;
  exporter.Get("/probe?target=done", &status);
  REQUIRE(status == 200);
  const auto page = Debug(exporter, "done");
  INFO(page.body);
  CHECK(page.status == 200);
  CHECK(Has(page.body, "source: cache (an earlier answer of the API)\n"));
  CHECK(Has(page.body, "cache: hit: age "));
  CHECK(Has(page.body, ", status completed is final, cache.terminal_ttl 300s\n"));
  CHECK_FALSE(Has(page.body, "request: GET"));  // no request was sent
  CHECK(FindSample(Metrics(page.body), "anchorbrowser_batch_up", {{"batch_id", "done"}}) == 1.0);
  CHECK(f.api.RequestCount("done") == 1);
}

TEST_CASE("debug probe follows the access rules of /probe", "[probe][debug][e2e]") {
  Fixture f;
  ExporterHarness exporter(f.config);
  CHECK(Debug(exporter, "not-listed").status == 400);
  CHECK(Debug(exporter, "..%2Fetc").status == 400);
  CHECK(f.api.RequestCount("not-listed") == 0);
  CHECK(f.api.TotalRequests() == 0);
}

TEST_CASE("debug probe over HTTPS measures connect and TLS handshake", "[probe][debug][tls][e2e]") {
  const auto cert = anchor::test::MakeSelfSignedCertificate();
  FakeAnchorApi api(FakeAnchorApi::Options{kKey, cert.cert_file, cert.key_file, 8});
  REQUIRE(api.Start());
  api.SetBatchJson("b1", BatchJson("b1", "processing", 2));
  auto config = anchor::test::TestConfig("https://localhost:" + std::to_string(api.port()), kKey);
  config.anchor.tls.ca_file = cert.cert_file;
  config.batches = {{"b1", {}}};
  ExporterHarness exporter(config);
  const auto page = Debug(exporter, "b1");
  INFO(page.body);
  CHECK(Has(page.body, "up: 1\n"));
  CHECK(Has(page.body, "connection: new\n"));
  const std::regex ms_line(
      "\n(dns_lookup|connect|tls_handshake|first_byte): [0-9]+\\.[0-9]{3} ms ");
  int measured = 0;
  for (std::sregex_iterator it(page.body.begin(), page.body.end(), ms_line), end; it != end; ++it) {
    ++measured;
  }
  CHECK(measured == 4);
  CHECK_FALSE(Has(page.body, kKey));
}

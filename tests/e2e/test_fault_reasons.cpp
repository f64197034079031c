// Why a batch is down, where the operator looks: the reason per batch as a metric, the root
// cause in the log line (errno, name lookup, certificate verify reason, key source), and one
// line when a fault starts and one when it ends, however many scrapes happen in between.
#include <spdlog/sinks/ostream_sink.h>

#include <catch2/catch.hpp>
#include <map>
#include <regex>
#include <sstream>

#include "support/exporter_harness.h"
#include "support/exposition.h"
#include "support/fake_anchor_api.h"
#include "support/test_tls.h"

using anchor::FakeAnchorApi;
using anchor::test::BatchJson;
using anchor::test::ExporterHarness;
using anchor::test::FindSample;
using anchor::test::ParseExposition;
using anchor::test::UpValue;

namespace {

const char* kKey = "sk-why-test-DO-NOT-LEAK-51c0";

FakeAnchorApi::Answer Status(int code, std::string body) {
  FakeAnchorApi::Answer a;
  a.status = code;
  a.body = std::move(body);
  return a;
}

// The log lines (level=warn, info, ...) that mention `batch_id`.
int Lines(const std::string& log, const std::string& level, const std::string& needle) {
  int n = 0;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    n += line.find("level=" + level + " ") != std::string::npos &&
         line.find(needle) != std::string::npos;
  }
  return n;
}

// The detail logged for the first failure of `batch_id`.
std::string Detail(const ExporterHarness& exporter, const std::string& batch_id) {
  const std::regex re("batch_id=" + batch_id + " reason=[a-z_]+ previous_reason=\"\" " +
                      "http_status=[0-9]+ detail=\"([^\"]*)\"");
  std::smatch m;
  const std::string log = exporter.LogText();
  return std::regex_search(log, m, re) ? m[1].str() : "(no failure logged)";
}

// A scrape of one batch at `base_url`, returning the exporter for its log.
std::unique_ptr<ExporterHarness> ScrapeOnce(anchor::Config config, const std::string& batch_id) {
  config.batches = {{batch_id, {}}};
  auto exporter = std::make_unique<ExporterHarness>(config);
  const auto s = ParseExposition(exporter->Scrape());
  CHECK(UpValue(s, batch_id) == 0.0);
  return exporter;
}

}  // namespace

TEST_CASE("one fault logs one warn line when it starts and one info line when it ends",
          "[e2e][faults][log]") {
  FakeAnchorApi api(FakeAnchorApi::Options{kKey, "", "", 8});
  REQUIRE(api.Start());
  api.SetAnswer("flaky", Status(500, R"({"error": {"code": 500, "message": "Internal"}})"));
  api.SetBatchJson("steady", BatchJson("steady", "processing", 3));
  auto config = anchor::test::TestConfig(api.base_url(), kKey);
  config.batches = {{"flaky", {}}, {"steady", {}}};
  ExporterHarness exporter(config);
  for (int i = 0; i < 5; ++i) exporter.Scrape();
  CHECK(Lines(exporter.LogText(), "warn", "batch_id=flaky") == 1);

  SECTION("another reason is a change: one more warn line") {
    api.SetAnswer("flaky", Status(404, R"({"error": {"code": 404, "message": "Not found"}})"));
    exporter.Scrape();
    exporter.Scrape();
    const auto log = exporter.LogText();
    CHECK(Lines(log, "warn", "batch_id=flaky") == 2);
    CHECK(log.find("msg=\"batch fetch failing for another reason\" batch_id=flaky "
                   "reason=not_found previous_reason=server_error http_status=404") !=
          std::string::npos);
  }
  SECTION("recovery: one info line with the number of failures") {
    api.SetBatchJson("flaky", BatchJson("flaky", "processing", 3));
    exporter.Scrape();
    exporter.Scrape();
    const auto log = exporter.LogText();
    CHECK(Lines(log, "warn", "batch_id=flaky") == 1);
    CHECK(Lines(log, "info", "batch_id=flaky") == 1);
    CHECK(log.find("msg=\"batch fetch recovered\" batch_id=flaky failures=5 ") !=
          std::string::npos);
  }
  CHECK(Lines(exporter.LogText(), "warn", "batch_id=steady") == 0);
}

TEST_CASE("debug level logs every API request without the key", "[e2e][log][secrets]") {
  FakeAnchorApi api(FakeAnchorApi::Options{kKey, "", "", 8});
  REQUIRE(api.Start());
  api.SetBatchJson("done", BatchJson("done", "completed", 3));
  auto config = anchor::test::TestConfig(api.base_url(), kKey);
  config.batches = {{"done", {}}};
  ExporterHarness exporter(config);  // logs at debug level
  exporter.Scrape();
  exporter.Scrape();  // a completed batch: from the cache
  const auto log = exporter.LogText();
  CHECK(std::regex_search(log, std::regex("level=debug msg=\"api request\" method=GET "
                                          "path=/v1/batch-sessions/done status=200 "
                                          "bytes=[0-9]+ duration_seconds=[0-9.e-]+ "
                                          "cache_hit=false")));
  CHECK(log.find("msg=\"batch answered from cache\" batch_id=done cache_hit=true") !=
        std::string::npos);
  CHECK(std::regex_search(log, std::regex("level=debug msg=\"http request\" method=GET "
                                          "path=/metrics status=200 bytes=[1-9][0-9]* "
                                          "duration_seconds=[0-9.e-]+ remote_addr=127.0.0.1")));
  CHECK(log.find(kKey) == std::string::npos);
}

TEST_CASE("a rejected key names where it came from, never the key", "[e2e][faults][secrets]") {
  FakeAnchorApi api(FakeAnchorApi::Options{"the-right-key", "", "", 8});
  REQUIRE(api.Start());
  auto config = anchor::test::TestConfig(api.base_url(), kKey);
  SECTION("from the environment") {
    config.anchor.api_key_env = "MY_ANCHOR_KEY";
    const auto exporter = ScrapeOnce(config, "b1");
    CHECK(Detail(*exporter, "b1") ==
          "HTTP 401: Invalid API Key (the API rejected the key from environment variable "
          "MY_ANCHOR_KEY)");
    CHECK(exporter->LogText().find(kKey) == std::string::npos);
  }
  SECTION("from a file") {
    config.anchor.api_key_file = "/etc/anchor/key";
    const auto exporter = ScrapeOnce(config, "b1");
    CHECK(Detail(*exporter, "b1").find("(the API rejected the key from file /etc/anchor/key)") !=
          std::string::npos);
  }
}

TEST_CASE("connection failures say why: refused, name not found", "[e2e][faults][log]") {
  SECTION("nothing listens on the port") {
    int port = 0;
    {
      FakeAnchorApi gone;
      REQUIRE(gone.Start());
      port = gone.port();
    }  // stopped: the port is closed now
    const auto config = anchor::test::TestConfig("http://127.0.0.1:" + std::to_string(port), kKey);
    const auto exporter = ScrapeOnce(config, "b1");
    CHECK(Detail(*exporter, "b1") ==
          "cannot connect to 127.0.0.1:" + std::to_string(port) + ": Connection refused");
  }
  SECTION("the name does not resolve") {
    // .invalid never resolves (RFC 2606); the lookup fails locally, without a network.
    const auto config = anchor::test::TestConfig("https://anchor-api.invalid", kKey);
    const auto exporter = ScrapeOnce(config, "b1");
    const auto detail = Detail(*exporter, "b1");
    CHECK(detail.rfind("cannot resolve host anchor-api.invalid: ", 0) == 0);
    CHECK(detail.size() > std::string("cannot resolve host anchor-api.invalid: ").size());
  }
  SECTION("a name that resolves is connected to by the address we looked up") {
    FakeAnchorApi api(FakeAnchorApi::Options{kKey, "", "", 8});
    REQUIRE(api.Start());
    api.SetBatchJson("b1", BatchJson("b1", "processing", 2));
    auto config = anchor::test::TestConfig("http://localhost:" + std::to_string(api.port()), kKey);
    config.batches = {{"b1", {}}};
    ExporterHarness exporter(config);
    CHECK(UpValue(ParseExposition(exporter.Scrape()), "b1") == 1.0);
  }
}

TEST_CASE("TLS failures carry OpenSSL's verify reason", "[e2e][faults][tls]") {
  struct Case {
    const char* name;
    anchor::test::TestCertificate cert;
    bool trust;  // use the certificate as anchor.tls.ca_file
    const char* expected;
  };
  const Case cases[] = {
      {"self-signed", anchor::test::MakeSelfSignedCertificate(), false,
       "TLS: certificate verify failed: self-signed certificate"},
      {"hostname mismatch", anchor::test::MakeSelfSignedCertificate("DNS:wrong.example"), true,
       "TLS: certificate verify failed: the certificate is not valid for 127.0.0.1 (hostname "
       "mismatch)"},
      {"expired", anchor::test::MakeSelfSignedCertificate("IP:127.0.0.1", /*expired=*/true), true,
       "TLS: certificate verify failed: certificate has expired"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    FakeAnchorApi api(FakeAnchorApi::Options{kKey, c.cert.cert_file, c.cert.key_file, 8});
    REQUIRE(api.Start());
    auto config = anchor::test::TestConfig(api.base_url(), kKey);
    if (c.trust) config.anchor.tls.ca_file = c.cert.cert_file;
    const auto exporter = ScrapeOnce(config, "b1");
    CHECK(Detail(*exporter, "b1") == c.expected);
    const auto s = ParseExposition(exporter->Scrape());
    CHECK(FindSample(s, "anchorbrowser_batch_fetch_error",
                     {{"batch_id", "b1"}, {"reason", "tls"}}) == 1.0);
    CHECK_FALSE(FindSample(s, "anchorbrowser_batch_last_http_status", {{"batch_id", "b1"}}));
  }
}

TEST_CASE("the listen error names the errno", "[e2e][hardening][log]") {
  FakeAnchorApi api;
  REQUIRE(api.Start());
  const auto config = anchor::test::TestConfig(api.base_url(), FakeAnchorApi::Options{}.api_key);
  ExporterHarness first(config);
  anchor::AppOptions options{{}, "", anchor::test::FixedConfig(config), false};
  options.web.listen_address = "127.0.0.1:" + std::to_string(first.port());
  auto out = std::make_shared<std::ostringstream>();
  anchor::Logger log(anchor::LogLevel::kInfo, anchor::LogFormat::kLogfmt,
                     std::make_shared<spdlog::sinks::ostream_sink_mt>(*out, true));
  anchor::ExporterApp second(std::move(options), log);
  CHECK_FALSE(second.Start());
  CHECK(out->str().find("msg=\"cannot listen\" address=127.0.0.1:" + std::to_string(first.port()) +
                        " err=\"Address already in use\"") != std::string::npos);
}

TEST_CASE("six batches down for six reasons: Prometheus names each one", "[e2e][faults]") {
  FakeAnchorApi api(FakeAnchorApi::Options{kKey, "", "", 16});
  REQUIRE(api.Start());
  api.SetAnswer("b-404", Status(404, R"({"error": {"code": 404, "message": "Batch not found"}})"));
  api.SetAnswer("b-500", Status(500, R"({"error": {"code": 500, "message": "Internal"}})"));
  auto limited = Status(429, R"({"error": {"code": 429, "message": "Slow down"}})");
  limited.headers = {{"Retry-After", "120"}};
  api.SetAnswer("b-429", limited);
  api.SetAnswer("b-html", Status(200, "<html>maintenance</html>"));
  FakeAnchorApi::Answer silent;
  silent.never_answer = true;
  api.SetAnswer("b-slow", silent);
  api.SetAnswer("b-big", Status(200, BatchJson("b-big", "processing", 200)));
  auto config = anchor::test::TestConfig(api.base_url(), kKey);
  config.anchor.max_response_bytes = 4096;
  const std::map<std::string, std::pair<std::string, int>> expected = {
      {"b-404", {"not_found", 404}},    {"b-500", {"server_error", 500}},
      {"b-429", {"rate_limited", 429}}, {"b-html", {"invalid_response", 200}},
      {"b-slow", {"timeout", 0}},       {"b-big", {"too_large", 200}}};
  for (const auto& [id, want] : expected) config.batches.push_back({id, {{"team", "t"}}});
  ExporterHarness exporter(config);
  // Two scrapes: the second one answers b-429 from its Retry-After wait, without a request.
  for (int scrape = 0; scrape < 2; ++scrape) {
    const auto s = ParseExposition(exporter.Get("/metrics", nullptr, "1.5"));
    for (const auto& [id, want] : expected) {
      INFO(id << " scrape " << scrape);
      const std::map<std::string, std::string> base = {{"batch_id", id}, {"team", "t"}};
      auto labels = base;
      labels["reason"] = want.first;
      CHECK(FindSample(s, "anchorbrowser_batch_fetch_error", labels) == 1.0);
      CHECK(anchor::test::CountSeries(s, "anchorbrowser_batch_fetch_error", id) == 1);
      const auto status = FindSample(s, "anchorbrowser_batch_last_http_status", base);
      if (want.second == 0) {
        CHECK_FALSE(status);
      } else {
        CHECK(status == static_cast<double>(want.second));
      }
    }
  }
  CHECK(api.RequestCount("b-429") == 1);
  const auto log = exporter.LogText();
  for (const auto& [id, want] : expected) {
    INFO(id);
    CHECK(Lines(log, "warn", "batch_id=" + id + " ") == 1);
  }
  CHECK(log.find(kKey) == std::string::npos);
}

// Issue 19: a 3xx was `client_error` and a body that fails to decode was `connection`. A
// redirect is never followed (the key would go wherever it points) and is named `redirect`; a
// corrupt or truncated gzip body is `invalid_response`.
TEST_CASE("a redirect and an undecodable body are named as such", "[e2e][faults][secrets]") {
  FakeAnchorApi elsewhere(FakeAnchorApi::Options{kKey, "", "", 4});
  REQUIRE(elsewhere.Start());
  FakeAnchorApi api(FakeAnchorApi::Options{kKey, "", "", 8});
  REQUIRE(api.Start());
  auto moved = Status(301, "");
  moved.headers = {{"Location", elsewhere.base_url() + "/v1/batch-sessions/b-301"}};
  api.SetAnswer("b-301", moved);
  auto found = Status(302, "");
  found.headers = {{"Location", "/v1/elsewhere"}};
  api.SetAnswer("b-302", found);
  elsewhere.SetBatchJson("b-301", BatchJson("b-301", "processing", 3));
  auto corrupt = Status(200, "this is not gzip");
  corrupt.headers = {{"Content-Encoding", "gzip"}};
  corrupt.content_type = "application/octet-stream";  // sent as is, not gzipped by httplib
  api.SetAnswer("b-corrupt", corrupt);
  auto truncated = Status(200, std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10));
  truncated.headers = {{"Content-Encoding", "gzip"}};
  truncated.content_type = "application/octet-stream";
  api.SetAnswer("b-truncated", truncated);
  auto config = anchor::test::TestConfig(api.base_url(), kKey);
  const std::map<std::string, std::pair<std::string, int>> expected = {
      {"b-301", {"redirect", 301}},
      {"b-302", {"redirect", 302}},
      {"b-corrupt", {"invalid_response", 200}},
      {"b-truncated", {"invalid_response", 200}}};
  for (const auto& [id, want] : expected) config.batches.push_back({id, {}});
  ExporterHarness exporter(config);
  const auto s = ParseExposition(exporter.Scrape());
  for (const auto& [id, want] : expected) {
    INFO(id);
    CHECK(FindSample(s, "anchorbrowser_batch_fetch_error",
                     {{"batch_id", id}, {"reason", want.first}}) == 1.0);
    CHECK(FindSample(s, "anchorbrowser_batch_last_http_status", {{"batch_id", id}}) ==
          static_cast<double>(want.second));
  }
  CHECK(FindSample(s, "anchorbrowser_exporter_fetch_errors_total", {{"reason", "redirect"}}) ==
        2.0);
  CHECK(FindSample(s, "anchorbrowser_exporter_fetch_errors_total", {{"reason", "connection"}}) ==
        0.0);
  CHECK(elsewhere.TotalRequests() == 0);  // the key never left the configured host
  CHECK(Detail(exporter, "b-301").find("redirect to " + elsewhere.base_url()) != std::string::npos);
  CHECK(Detail(exporter, "b-302").find("not followed") != std::string::npos);
  CHECK(Detail(exporter, "b-corrupt").find("cannot decode the gzip body") != std::string::npos);
  CHECK(Detail(exporter, "b-truncated").find("truncated") != std::string::npos);
  CHECK(exporter.LogText().find(kKey) == std::string::npos);
}

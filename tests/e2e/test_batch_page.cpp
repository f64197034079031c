// GET /batches/<id> of the real exporter against the fake API over HTTP: what the API sends
// that must never come out (cdp_url, live_view_url, the key), in any answer or the log.
#include <catch2/catch.hpp>
#include <ctime>
#include <string>

#include "support/exporter_harness.h"
#include "support/fake_anchor_api.h"
#include "support/headless_browser.h"

using anchor::FakeAnchorApi;
using anchor::test::ExporterHarness;

namespace {

// RFC 3339 for `ago` seconds before now.
std::string Ago(int ago) {
  const std::time_t t = std::time(nullptr) - ago;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string JsonString(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

const char* const kCdp = "wss://connect.example/devtools/CDP-SECRET-7f3e9a";
const char* const kLiveView = "https://live.example/view?token=LIVE-SECRET-42c1b0";

// A running batch whose sessions carry cdp_url and live_view_url, hostile error texts and
// session ids, and the key in an error text.
std::string HostileBody(const std::string& key) {
  std::string sessions;
  const char* errors[] = {"<script>alert(1)</script>", "\"><img src=x onerror=alert(2)>",
                          "Navigation timeout of 30000 ms exceeded", nullptr};
  for (int i = 0; i < 12; ++i) {
    const bool running = i % 2 == 0;
    std::string error = errors[i % 4] ? JsonString(errors[i % 4]) : "null";
    if (i == 5) error = JsonString("proxy refused key " + key);
    const std::string id = i == 2 ? "\\\"><img src=x onerror=alert(3)>" : "s-" + std::to_string(i);
    sessions += i ? "," : "";
    sessions += R"({"session_id": ")" + id + R"(", "status": ")";
    sessions += running ? "processing" : "failed";
    sessions += R"(", "cdp_url": ")";
    sessions += kCdp;
    sessions += R"(", "live_view_url": ")";
    sessions += kLiveView;
    sessions += R"(", "error": )" + error + R"(, "retry_count": )" + std::to_string(i % 4);
    sessions += R"(, "started_at": ")" + Ago(600 - i * 10) + R"(", "completed_at": )";
    sessions += running ? std::string("null") : "\"" + Ago(60) + "\"";
    sessions += "}";
  }
  return R"({"data": {"batch_id": "hostile", "status": "processing", "total_requests": 12,
    "completed_requests": 0, "failed_requests": 6, "processing_requests": 6,
    "pending_requests": 0, "created_at": ")" +
         Ago(900) + R"(", "error": null, "cdp_url": ")" + kCdp + R"(", "sessions": [)" + sessions +
         R"(], "progress": {"percentage": 50, "current_phase": "ready"}}})";
}

}  // namespace

TEST_CASE("cdp_url and live_view_url never leave the exporter, nor does the key",
          "[batch_page][e2e]") {
  FakeAnchorApi api;
  REQUIRE(api.Start());
  const std::string key = FakeAnchorApi::Options{}.api_key;
  api.SetBatchJson("hostile", HostileBody(key));
  auto config = anchor::test::TestConfig(api.base_url(), key);
  config.batches = {{"hostile", {}}};
  config.sessions.link_template = "https://app.example.com/sessions/{session_id}";
  ExporterHarness exporter(config);

  std::vector<std::pair<std::string, std::string>> answers;
  int status = 0;
  answers.emplace_back("/metrics", exporter.Get("/metrics", &status));
  CHECK(status == 200);
  answers.emplace_back("/probe debug", exporter.Get("/probe?target=hostile&debug=true", &status));
  CHECK(status == 200);
  answers.emplace_back("/batches html", exporter.Get("/batches/hostile", &status));
  CHECK(status == 200);
  answers.emplace_back("/batches json", exporter.Get("/batches/hostile?format=json", &status));
  CHECK(status == 200);
  answers.emplace_back("/", exporter.Get("/", &status));
  answers.emplace_back("log", exporter.LogText());

  // The page shows the batch: the running sessions, earliest first, linked.
  const std::string& html = answers[2].second;
  INFO(html);
  CHECK(html.find("<table id=\"longest-running\">") != std::string::npos);
  CHECK(html.find("href=\"https://app.example.com/sessions/s-0\"") != std::string::npos);
  CHECK(html.find("<img") == std::string::npos);
  // 3 retries: s-3, s-7, s-11, ties by id ("s-11" sorts first).
  CHECK(answers[3].second.find("\"most_retried\":[{\"session_id\":\"s-11\"") != std::string::npos);

  for (const auto& [what, text] : answers) {
    INFO(what);
    CHECK_FALSE(text.empty());
    for (const std::string secret : {"CDP-SECRET-7f3e9a", "LIVE-SECRET-42c1b0", "connect.example",
                                     "live.example", key.c_str()}) {
      INFO(secret);
      CHECK(text.find(secret) == std::string::npos);
    }
  }
}

TEST_CASE("a browser shows the batch page with its tables, hostile texts as text",
          "[batch_page][browser][e2e]") {
  FakeAnchorApi api;
  REQUIRE(api.Start());
  const std::string key = FakeAnchorApi::Options{}.api_key;
  api.SetBatchJson("hostile", HostileBody(key));
  auto config = anchor::test::TestConfig(api.base_url(), key);
  config.batches = {{"hostile", {{"team", "<b id=\"injected\">x</b>"}}}};
  config.sessions.link_template = "https://app.example.com/sessions/{session_id}";
  ExporterHarness exporter(config);
  exporter.Scrape();

  const auto run = anchor::test::LoadInBrowser(
      "http://127.0.0.1:" + std::to_string(exporter.port()) + "/batches/hostile");
  INFO(run.log);
  REQUIRE(run.exit_status == 0);
  for (const auto& line : run.console) FAIL_CHECK("console message: " << line);
  const std::string& dom = run.dom;
  INFO(dom);
  for (const char* table :
       {"quantiles", "error-classes", "top-errors", "longest-running", "most-retried"}) {
    INFO(table);
    CHECK(dom.find(std::string("<table id=\"") + table + "\">") != std::string::npos);
  }
  // The hostile session id is text in the DOM (and URL-encoded in its link), no element.
  CHECK(dom.find("<img") == std::string::npos);
  CHECK(dom.find("<b id=\"injected\">") == std::string::npos);
  CHECK(dom.find("\"&gt;&lt;img src=x onerror=alert(3)&gt;") != std::string::npos);
  CHECK(dom.find("%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert%283%29%3E") != std::string::npos);
  CHECK(dom.find("<span class=\"up\">up</span>") != std::string::npos);
  for (const std::string& secret : {std::string("CDP-SECRET"), std::string("LIVE-SECRET"), key}) {
    CHECK(dom.find(secret) == std::string::npos);
  }
}

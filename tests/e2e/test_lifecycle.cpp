// Health, readiness, reload by HTTP, the landing page, methods and unknown paths, and the
// process metrics.
#include <catch2/catch.hpp>
#include <thread>

#include "support/exporter_harness.h"
#include "support/exposition.h"
#include "support/fake_anchor_api.h"
#include "support/fake_api_fixture.h"
#include "support/test_tls.h"
#include "support/web_fixtures.h"

using anchor::FakeAnchorApi;
using anchor::test::BatchJson;
using anchor::test::ExporterHarness;
using anchor::test::FakeApiFixture;
using anchor::test::FindSample;
using anchor::test::ParseExposition;

namespace {

const char* kKey = "lifecycle-test-key-do-not-leak";

// A config file on disk, rewritten by the tests, read with the key from a fake environment.
struct ConfigFile {
  std::string path = anchor::test::MakeTempDir() + "/config.yaml";
  std::string base_url;

  void Write(const std::string& batches_yaml) const {
    anchor::test::WriteFile(path, "anchor:\n  base_url: " + base_url +
                                      "\n  api_key_env: TEST_KEY\n  timeout: 5s\n" + batches_yaml);
  }
  anchor::ConfigSource Source() const {
    return [path = path] {
      return anchor::LoadConfigFile(path, [](const std::string& name) {
        return name == "TEST_KEY" ? std::optional<std::string>(kKey) : std::nullopt;
      });
    };
  }
};

double Value(const std::string& text, const std::string& name,
             const std::map<std::string, std::string>& labels = {}) {
  return FindSample(ParseExposition(text), name, labels).value_or(-1);
}

}  // namespace

TEST_CASE("health and readiness", "[lifecycle][e2e]") {
  const FakeApiFixture f(kKey);
  ExporterHarness exporter(f.config);
  int status = 0;
  CHECK(exporter.Get("/-/healthy", &status) == "Healthy\n");
  CHECK(status == 200);
  CHECK(exporter.Get("/-/ready", &status) == "Ready\n");
  CHECK(status == 200);
  exporter.Request("HEAD", "/-/healthy", &status);
  CHECK(status == 200);
}

TEST_CASE("only GET and HEAD are served, POST only for /-/reload", "[lifecycle][e2e]") {
  const FakeApiFixture f(kKey);
  ExporterHarness exporter(f.config);
  int status = 0;
  for (const auto& [method, path] :
       std::vector<std::pair<std::string, std::string>>{{"POST", "/metrics"},
                                                        {"PUT", "/metrics"},
                                                        {"DELETE", "/"},
                                                        {"PATCH", "/probe"},
                                                        {"OPTIONS", "/metrics"},
                                                        {"POST", "/-/healthy"},
                                                        {"PUT", "/-/reload"},
                                                        {"GET", "/-/reload"},
                                                        {"DELETE", "/-/reload"}}) {
    INFO(method << " " << path);
    exporter.Request(method, path, &status, method == "GET" ? "" : "x=1");
    CHECK(status == 405);
  }
  CHECK(exporter.Get("/-/reload", &status) == "This endpoint requires a POST request.\n");
  CHECK(exporter.Get("/nope", &status) == "404 page not found\n");
  CHECK(status == 404);
  exporter.Get("/metrics/", &status);
  CHECK(status == 404);
  exporter.Request("PUT", "/nope", &status, "x");
  CHECK(status == 404);
  // A refused request with a body (never read) does not confuse the server.
  std::string body;
  CHECK(anchor::test::RawHttpRequest(exporter.port(),
                                     "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                                     "\r\nhello GET /-/healthy HTTP/1.1\r\nHost: x\r\n"
                                     "Connection: close\r\n\r\n",
                                     &body) == 405);
  exporter.Get("/-/healthy", &status);
  CHECK(status == 200);
  // Bodies are small: a large one is refused.
  exporter.Request("POST", "/-/reload", &status, std::string(size_t{64} * 1024, 'x'));
  CHECK(status == 413);
}

TEST_CASE("POST /-/reload applies a good config and keeps the running one on a bad one",
          "[lifecycle][reload][e2e]") {
  FakeApiFixture f(kKey);
  FakeAnchorApi& api = f.api;
  api.SetBatchJson("batch-a", BatchJson("batch-a", "processing", 4));
  api.SetBatchJson("batch-b", BatchJson("batch-b", "completed", 4));
  ConfigFile file;
  file.base_url = api.base_url();
  file.Write("batches:\n  - id: batch-a\n");
  // Without the first fetch at start: the test counts the requests of its scrapes.
  ExporterHarness exporter(anchor::test::TestAppOptions(file.Source(), "", /*first_fetch=*/false));

  auto text = exporter.Scrape();
  CHECK(Value(text, "anchorbrowser_batch_up", {{"batch_id", "batch-a"}}) == 1.0);
  CHECK(Value(text, "anchorbrowser_batch_up", {{"batch_id", "batch-b"}}) == -1);
  CHECK(Value(text, "anchorbrowser_exporter_config_last_reload_successful") == 1.0);
  const double started =
      Value(text, "anchorbrowser_exporter_config_last_reload_success_timestamp_seconds");
  CHECK(started > 1.7e9);

  file.Write("batches:\n  - id: batch-a\n  - id: batch-b\n    labels: {team: x}\n");
  int status = 0;
  CHECK(exporter.Request("POST", "/-/reload", &status) == "Reloaded\n");
  CHECK(status == 200);
  text = exporter.Scrape();
  CHECK(Value(text, "anchorbrowser_batch_up", {{"batch_id", "batch-b"}, {"team", "x"}}) == 1.0);
  // The exporter's counters survive the reload: 1 + 2 requests so far.
  CHECK(Value(text, "anchorbrowser_exporter_api_requests_total", {{"code", "200"}}) == 3.0);
  CHECK(exporter.LogText().find("msg=\"reloaded config\" trigger=http batches=2") !=
        std::string::npos);

  file.Write("batches:\n  - id: batch-a\n    bogus: 1\n");
  const auto body = exporter.Request("POST", "/-/reload", &status);
  CHECK(status == 500);
  CHECK(body == "failed to reload config: " + file.path + ":7: batches[0].bogus: unknown key\n");
  text = exporter.Scrape();
  CHECK(Value(text, "anchorbrowser_batch_up", {{"batch_id", "batch-b"}, {"team", "x"}}) == 1.0);
  CHECK(Value(text, "anchorbrowser_exporter_config_last_reload_successful") == 0.0);
  CHECK(Value(text, "anchorbrowser_exporter_config_last_reload_success_timestamp_seconds") >=
        started);
  const auto page_after = exporter.Get("/");
  CHECK(page_after.find("The last reload failed") != std::string::npos);
  CHECK(page_after.find(":7: batches[0].bogus: unknown key</pre>") != std::string::npos);
  const auto log = exporter.LogText();
  CHECK(log.find("msg=\"error reloading config, keeping the running one\" trigger=http") !=
        std::string::npos);
  CHECK(log.find(kKey) == std::string::npos);

  file.Write("batches:\n  - id: batch-b\n");
  exporter.Request("POST", "/-/reload", &status);
  CHECK(status == 200);
  text = exporter.Scrape();
  CHECK(Value(text, "anchorbrowser_exporter_config_last_reload_successful") == 1.0);
  CHECK(Value(text, "anchorbrowser_batch_up", {{"batch_id", "batch-a"}}) == -1);
}

TEST_CASE("a scrape in flight during a reload finishes with the old config",
          "[lifecycle][reload][e2e]") {
  FakeApiFixture f(kKey);
  FakeAnchorApi& api = f.api;
  FakeAnchorApi::Answer slow;
  slow.body = BatchJson("slow", "processing", 4);
  slow.delay = std::chrono::milliseconds(500);
  api.SetAnswer("slow", slow);
  ConfigFile file;
  file.base_url = api.base_url();
  file.Write("batches:\n  - id: slow\n");
  // Without the first fetch at start, so that the request seen below is the scrape's own.
  ExporterHarness exporter(anchor::test::TestAppOptions(file.Source(), "", /*first_fetch=*/false));

  std::string in_flight;
  std::thread scrape([&] { in_flight = exporter.Scrape(); });
  while (api.RequestCount("slow") == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  file.Write("batches: []\n");
  CHECK(exporter.app().Reload("test").ok());
  scrape.join();
  CHECK(Value(in_flight, "anchorbrowser_batch_up", {{"batch_id", "slow"}}) == 1.0);
  CHECK(Value(exporter.Scrape(), "anchorbrowser_batch_up", {{"batch_id", "slow"}}) == -1);
}

TEST_CASE("the landing page shows the tracked batches, escaped", "[lifecycle][e2e]") {
  FakeApiFixture f;
  f.api.SetBatchJson("good", BatchJson("good", "processing", 8, 42.5));
  auto& config = f.config;
  config.batches = {
      {"good", {{"team", "<script>alert('x')</script>"}}}, {"missing", {}}, {"later", {}}};
  ExporterHarness exporter(config);
  int status = 0;
  std::string page = exporter.Get("/", &status);
  CHECK(status == 200);
  CHECK(page.find("not fetched yet") != std::string::npos);
  exporter.Get("/probe?target=good");
  exporter.Get("/probe?target=missing");
  page = exporter.Get("/");
  CHECK(page.find("Version 0.") != std::string::npos);
  CHECK(page.find("href=\"./metrics\"") != std::string::npos);
  CHECK(page.find("href=\"probe?target=good\"") != std::string::npos);
  CHECK(page.find("href=\"probe?target=good&amp;debug=true\"") != std::string::npos);
  CHECK(page.find("href=\"-/healthy\"") != std::string::npos);
  CHECK(page.find("href=\"-/ready\"") != std::string::npos);
  CHECK(page.find("<script") == std::string::npos);
  CHECK(page.find("team=&quot;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;") !=
        std::string::npos);
  CHECK(page.find("<td class=\"state\"><span class=\"up\">up</span></td><td class=\"why\"></td>"
                  "<td class=\"status\">processing</td><td class=\"progress\"><progress "
                  "value=\"0.4250\" max=\"1\"></progress> 42.5%</td>") != std::string::npos);
  CHECK(page.find("<span class=\"reason\">not_found</span> (HTTP 404)") != std::string::npos);
  CHECK(page.find("Tracked batches (3: 1 up, 1 down)") != std::string::npos);
  CHECK(page.find("<td class=\"source\">configured</td>") != std::string::npos);
}

TEST_CASE("process metrics are present, typed like the Go client's and plausible",
          "[lifecycle][process][e2e]") {
  const FakeApiFixture f(kKey);
  ExporterHarness exporter(f.config);
  const auto text = exporter.Scrape();
  for (const char* line :
       {"# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
        "# TYPE process_cpu_seconds_total counter\n",
        "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
        "# TYPE process_resident_memory_bytes gauge\n",
        "# HELP process_start_time_seconds Start time of the process since unix epoch in "
        "seconds.\n# TYPE process_start_time_seconds gauge\n",
        "# HELP process_open_fds Number of open file descriptors.\n",
        "# HELP process_max_fds Maximum number of open file descriptors.\n",
        "# HELP process_virtual_memory_bytes Virtual memory size in bytes.\n"}) {
    CHECK(text.find(line) != std::string::npos);
  }
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  const double start = Value(text, "process_start_time_seconds");
  CHECK(start <= now + 1);
  CHECK(start > now - 24 * 3600);
  const double rss = Value(text, "process_resident_memory_bytes");
  CHECK(rss > 1e6);
  CHECK(rss < Value(text, "process_virtual_memory_bytes"));
  CHECK(Value(text, "process_open_fds") >= 3);
  CHECK(Value(text, "process_open_fds") <= Value(text, "process_max_fds"));
  CHECK(Value(text, "process_cpu_seconds_total") >= 0);
  // Not part of a probe.
  CHECK(exporter.Get("/probe?target=x").find("process_") == std::string::npos);
}

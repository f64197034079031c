// The landing page: rendered by the real exporter and loaded in a real browser (headless
// Chromium), which must log no console message; the test reads the DOM the browser built.
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>

#include "support/exporter_harness.h"
#include "support/fake_anchor_api.h"
#include "support/headless_browser.h"
#include "support/manual_clock.h"
#include "support/test_tls.h"
#include "web/landing_page.h"

using anchor::FakeAnchorApi;
using anchor::test::BatchJson;
using anchor::test::ExporterHarness;
using anchor::test::LoadInBrowser;

namespace {

// The cells (by class) of the table row whose first cell holds `batch_id`.
std::map<std::string, std::string> RowOf(const std::string& dom, const std::string& batch_id) {
  static const std::regex row_re(R"(<tr class="batch">([\s\S]*?)</tr>)");
  static const std::regex cell_re(R"re(<td class="([a-z-]+)">([\s\S]*?)</td>)re");
  for (auto it = std::sregex_iterator(dom.begin(), dom.end(), row_re); it != std::sregex_iterator();
       ++it) {
    const std::string row = (*it)[1];
    std::map<std::string, std::string> cells;
    for (auto c = std::sregex_iterator(row.begin(), row.end(), cell_re);
         c != std::sregex_iterator(); ++c) {
      cells[(*c)[1]] = (*c)[2];
    }
    if (cells["id"].find(">" + batch_id + "</a>") != std::string::npos) return cells;
  }
  return {};
}

std::string Text(const std::string& html) {  // tags removed
  return std::regex_replace(html, std::regex("<[^>]*>"), "");
}

int Count(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("the browser check fails on console messages", "[landing][browser][e2e]") {
  const auto run = LoadInBrowser("data:text/html,<p>x</p><script>console.error(1)</script>");
  INFO(run.log);
  CHECK(run.exit_status == 0);
  CHECK(run.console.size() == 1);
}

TEST_CASE("a browser shows each batch's state, reason and data age, with markup as text",
          "[landing][browser][e2e]") {
  FakeAnchorApi api;
  REQUIRE(api.Start());
  api.SetBatchJson("good", BatchJson("good", "processing", 8, 42.5));
  FakeAnchorApi::Answer broken;
  broken.status = 500;
  broken.body = "{\"error\": \"database on fire\"}";
  api.SetAnswer("broken", broken);
  FakeAnchorApi::Answer limited;
  limited.status = 429;
  limited.headers = {{"Retry-After", "600"}};
  api.SetAnswer("limited", limited);
  api.SetListedBatches({{"found-1", "processing", static_cast<double>(std::time(nullptr))}});
  api.SetBatchJson("found-1", BatchJson("found-1", "processing", 2, 10));

  auto config = anchor::test::TestConfig(api.base_url(), FakeAnchorApi::Options{}.api_key);
  const std::string markup = "<b id=\"injected\">bold</b><script>console.log('xss')</script>";
  config.batches = {{"good", {{"team", markup}}},
                    {"missing", {}},
                    {"broken", {}},
                    {"limited", {}},
                    {"later", {}}};
  config.discovery.enabled = true;
  // The first load succeeds; every reload after it fails, with markup in its message.
  auto loads = std::make_shared<std::atomic<int>>(0);
  anchor::ConfigSource source = [config, loads]() -> anchor::ConfigLoadResult {
    if ((*loads)++ == 0) return anchor::LoadedConfig{config, {}};
    return anchor::Error{"config.yaml:3: anchor.timeout: must be positive <i>sic</i>"};
  };
  ExporterHarness exporter(anchor::test::TestAppOptions(source));
  exporter.Scrape();  // fetches every batch and discovers found-1
  CHECK_FALSE(exporter.app().Reload("test").ok());
  // Probes after the scrape update what the page shows (it reads the fetcher, not the scrape).
  api.SetBatchJson("good", BatchJson("good", "processing", 8, 87.5));
  exporter.Get("/probe?target=good");

  const auto run = LoadInBrowser("http://127.0.0.1:" + std::to_string(exporter.port()) + "/");
  INFO(run.log);
  REQUIRE(run.exit_status == 0);
  for (const auto& line : run.console) FAIL_CHECK("console message: " << line);
  const std::string& dom = run.dom;
  INFO(dom);

  CHECK(Count(dom, "<tr class=\"batch\">") == 6);
  const std::regex age_re(R"(^\d+ s ago$)");
  auto good = RowOf(dom, "good");
  CHECK(Text(good["state"]) == "up");
  CHECK(Text(good["status"]) == "processing");
  CHECK(good["progress"].find("<progress value=\"0.8750\" max=\"1\"></progress> 87.5%") !=
        std::string::npos);
  CHECK(std::regex_match(Text(good["data-age"]), age_re));
  // The label value is text: escaped in the DOM, no element or script made from it.
  CHECK(good["labels"].find("team=\"&lt;b id=\"injected\"&gt;bold&lt;/b&gt;&lt;script&gt;") !=
        std::string::npos);
  CHECK(dom.find("<b id=\"injected\">") == std::string::npos);

  auto missing = RowOf(dom, "missing");
  CHECK(Text(missing["state"]) == "down");
  CHECK(Text(missing["why"]).find("not_found (HTTP 404)") == 0);
  CHECK(std::regex_match(Text(missing["data-age"]), age_re));
  auto broken_row = RowOf(dom, "broken");
  CHECK(Text(broken_row["why"]).find("server_error (HTTP 500)") == 0);
  auto limited_row = RowOf(dom, "limited");
  CHECK(Text(limited_row["why"]).find("rate_limited (HTTP 429)") == 0);
  CHECK(std::regex_search(Text(limited_row["why"]), std::regex("Retry-After, in (9|10) min")));
  CHECK(Text(RowOf(dom, "later")["why"]).find("not_found (HTTP 404)") == 0);
  auto found = RowOf(dom, "found-1");
  CHECK(Text(found["source"]) == "discovered");
  CHECK(Text(found["state"]) == "up");

  CHECK(dom.find(
            "Batches found: <span class=\"discovered-count\">1</span>, 1 of them not configured") !=
        std::string::npos);
  CHECK(std::regex_search(
      dom, std::regex(R"(Last successful refresh: <span class="age" title="[^"]+">\d+ s ago)")));
  CHECK(dom.find("The last reload failed") != std::string::npos);
  CHECK(dom.find("<pre class=\"reload-error\">config.yaml:3: anchor.timeout: must be positive "
                 "&lt;i&gt;sic&lt;/i&gt;</pre>") != std::string::npos);
  CHECK(dom.find("docs/operating.md: Reloading") != std::string::npos);
  CHECK(dom.find(FakeAnchorApi::Options{}.api_key) == std::string::npos);
}

TEST_CASE("the landing page dates data by the API's answer, not by the scrape that reused it",
          "[landing][e2e]") {
  FakeAnchorApi api;
  REQUIRE(api.Start());
  api.SetBatchJson("cached", BatchJson("cached", "processing", 4));
  auto config = anchor::test::TestConfig(api.base_url(), FakeAnchorApi::Options{}.api_key);
  config.batches = {{"cached", {}}};
  config.cache.min_interval = std::chrono::hours(1);
  anchor::test::ManualClock clock;
  ExporterHarness exporter(config, clock);
  exporter.Scrape();
  clock.Advance(std::chrono::milliseconds(2100));
  exporter.Scrape();  // answered from the cache
  CHECK(api.RequestCount("cached") == 1);
  const auto page = exporter.Get("/");
  INFO(page);
  CHECK(std::regex_search(
      page, std::regex(R"(<td class="data-age"><span class="age" title="[^"]+">[2-9] s ago)")));
}

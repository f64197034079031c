// RenderLandingPage and FormatAge called directly with given values: markup in every value is
// escaped, ages and reasons are shown as the operator needs them, sections follow the state.
#include <catch2/catch.hpp>
#include <cctype>
#include <chrono>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "web/landing_page.h"

using anchor::FormatAge;
using anchor::LandingPageBatch;
using anchor::LandingPageInfo;
using anchor::RenderLandingPage;
using std::chrono::seconds;

namespace {

// 2023-11-14 22:13:20 UTC.
const anchor::WallTime kNow = std::chrono::system_clock::from_time_t(1700000000);

bool Has(const std::string& html, const std::string& part) {
  return html.find(part) != std::string::npos;
}

LandingPageInfo Info() {
  LandingPageInfo info;
  info.telemetry_path = "/metrics";
  info.now = kNow;
  return info;
}

LandingPageBatch Batch(const std::string& id) {
  LandingPageBatch b;
  b.id = id;
  b.fetched = true;
  b.up = true;
  b.last_fetch = kNow - seconds(90);
  return b;
}

}  // namespace

TEST_CASE("FormatAge switches units at two of the next", "[unit][web][landing]") {
  CHECK(FormatAge(kNow, kNow) == "0 s ago");
  CHECK(FormatAge(kNow - seconds(119), kNow) == "119 s ago");
  CHECK(FormatAge(kNow - seconds(120), kNow) == "2 min ago");
  CHECK(FormatAge(kNow - seconds(7199), kNow) == "119 min ago");
  CHECK(FormatAge(kNow - seconds(7200), kNow) == "2 h ago");
  CHECK(FormatAge(kNow - seconds(2 * 86400 - 1), kNow) == "47 h ago");
  CHECK(FormatAge(kNow - seconds(2 * 86400), kNow) == "2 d ago");
  CHECK(FormatAge(kNow + seconds(4), kNow) == "in 4 s");
  CHECK(FormatAge(kNow + seconds(3 * 3600), kNow) == "in 3 h");
}

TEST_CASE("the landing page escapes markup in every value", "[unit][web][landing]") {
  auto info = Info();
  info.telemetry_path = "/m<x>";
  auto b = Batch("<b>id</b>");
  b.labels = {{"team", "\"><script>alert(1)</script>"}};
  b.up = false;
  b.down_reason = "<reason>";
  b.down_detail = "API said <html>&amp;";
  b.status = "<status>";
  info.batches = {b};
  info.discovery.enabled = true;
  info.discovery.statuses = {"<s>"};
  info.discovery.last_failure = kNow - seconds(10);
  info.discovery.last_failed = true;
  info.discovery.last_error = "<discovery error>";
  info.reload.ok = false;
  info.reload.error = "config.yaml:3: <bad>";
  info.docs_base_url = "https://example.org/x\"y";
  const auto html = RenderLandingPage(info);
  for (const char* raw : {"<b>id</b>", "<script>", "<reason>", "<html>", "<status>", "<s>",
                          "<discovery error>", "<bad>", "/m<x>", "x\"y"}) {
    INFO(raw);
    CHECK_FALSE(Has(html, raw));
  }
  CHECK(Has(html, "href=\"probe?target=&lt;b&gt;id&lt;/b&gt;\""));
  CHECK(Has(html, "team=&quot;&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&quot;"));
  CHECK(Has(html, "<span class=\"reason\">&lt;reason&gt;</span>"));
  CHECK(Has(html, "<div class=\"detail\">API said &lt;html&gt;&amp;amp;</div>"));
  CHECK(Has(html, "<td class=\"status\">&lt;status&gt;</td>"));
  CHECK(Has(html, "<span class=\"discovery-error\">&lt;discovery error&gt;</span>"));
  CHECK(Has(html, "<pre class=\"reload-error\">config.yaml:3: &lt;bad&gt;</pre>"));
  CHECK(Has(html, "<a href=\"./m&lt;x&gt;\">Metrics</a> (/m&lt;x&gt;)"));
  CHECK(Has(html, "href=\"https://example.org/x&quot;y/README.md#configuration\""));
}

TEST_CASE("the landing page shows each batch's state, reason, counts and data age",
          "[unit][web][landing]") {
  auto info = Info();
  auto up = Batch("b-up");
  up.status = "processing";
  up.progress_ratio = 0.5;
  up.total_requests = 20;
  up.completed_requests = 12;
  up.failed_requests = 3;
  up.in_flight = true;
  auto down = Batch("b-down");
  down.up = false;
  down.down_reason = "rate_limited";
  down.http_status = 429;
  down.retry_after = kNow + seconds(30);
  down.last_fetch = kNow - seconds(300);
  down.progress_ratio = 1.7;  // shown as 100 %
  auto waiting = Batch("b-new");
  waiting.fetched = false;
  waiting.discovered = true;
  info.batches = {up, down, waiting};
  const auto html = RenderLandingPage(info);
  CHECK(Has(html, "Tracked batches (3: 1 up, 1 down)"));
  CHECK(Has(html, "<td class=\"state\"><span class=\"up\">up</span> (refreshing)</td>"));
  CHECK(Has(html, "<td class=\"state\"><span class=\"down\">down</span></td>"));
  CHECK(Has(html, "<td class=\"state\">not fetched yet</td>"));
  CHECK(Has(html, "<span class=\"reason\">rate_limited</span> (HTTP 429)"));
  CHECK(Has(html, "not requested again before 2023-11-14 22:13:50 UTC (Retry-After, in 30 s)"));
  CHECK(Has(html, "<progress value=\"0.5000\" max=\"1\"></progress> 50.0%"));
  CHECK(Has(html, "<progress value=\"1.0000\" max=\"1\"></progress> 100.0%"));
  CHECK(Has(html, "<td class=\"counts\">12 / 3 / 20</td>"));
  CHECK(Has(html, "<td class=\"counts\">- / - / -</td>"));
  CHECK(Has(html, "title=\"2023-11-14 22:11:50 UTC\">90 s ago</span>"));
  CHECK(Has(html, ">5 min ago</span>"));
  CHECK(Has(html, "<td class=\"source\">discovered</td>"));
  CHECK(Has(html, "<td class=\"data-age\">-</td>"));  // never fetched: no age
  CHECK(Has(html, "Page made 2023-11-14 22:13:20 UTC."));
  CHECK(Has(html, "/probe?target=b-up, tracked batches only"));
}

TEST_CASE("a Retry-After in the past is not shown", "[unit][web][landing]") {
  auto info = Info();
  auto down = Batch("b");
  down.up = false;
  down.down_reason = "rate_limited";
  down.retry_after = kNow - seconds(1);
  info.batches = {down};
  const auto html = RenderLandingPage(info);
  CHECK(Has(html, "<span class=\"reason\">rate_limited</span></td>"));  // no HTTP status either
  CHECK_FALSE(Has(html, "Retry-After"));
}

TEST_CASE("the landing page without batches, discovery or docs URL", "[unit][web][landing]") {
  auto info = Info();
  info.probe_allow_unlisted = true;
  const auto html = RenderLandingPage(info);
  CHECK(Has(html, "Tracked batches (0: 0 up, 0 down)"));
  CHECK(Has(html, "<p>No batches are configured or discovered.</p>"));
  CHECK_FALSE(Has(html, "<table>"));
  CHECK(Has(html, "/probe?target=BATCH_ID, any batch id"));
  CHECK(Has(html, "<p>Discovery is off (discovery.enabled).</p>"));
  CHECK_FALSE(Has(html, "The last reload failed"));
  CHECK(Has(html, "<li>README.md: Metrics (the metric table)</li>"));  // named, not linked
  CHECK_FALSE(Has(html, "<a href=\"/README.md"));
  CHECK_FALSE(Has(html, "<script"));  // no JavaScript
}

TEST_CASE("the landing page's discovery and reload sections", "[unit][web][landing]") {
  auto info = Info();
  auto found = Batch("found");
  found.discovered = true;
  info.batches = {Batch("mine"), found};
  auto& d = info.discovery;
  d.enabled = true;
  d.statuses = {"processing", "pending"};
  d.refresh_interval_seconds = 30;
  d.count = 7;
  d.truncated = true;
  d.max_batches = 7;
  d.last_success = kNow - seconds(3 * 3600);
  d.last_failure = kNow - seconds(60);
  d.last_failed = false;
  d.last_error = "HTTP 503";
  info.reload.loaded_at = kNow - seconds(600);
  info.reload.ok = false;
  info.reload.at = kNow - seconds(5);
  info.reload.error = "a.yaml:1: one\na.yaml:2: two";
  info.docs_base_url = "https://example.org/repo/blob/main";
  const auto html = RenderLandingPage(info);
  CHECK(Has(html, "Statuses: processing, pending; refreshed at most every 30 s"));
  CHECK(Has(html, "Last successful refresh: <span class=\"age\""));
  CHECK(Has(html, ">3 h ago</span>"));
  CHECK(Has(html, "<span class=\"discovered-count\">7</span>, 1 of them not configured"));
  CHECK(Has(html, "truncated at discovery.max_batches (7)"));
  CHECK(Has(html, "<li>Last failed refresh: "));  // an old failure: not marked down
  CHECK_FALSE(Has(html, "(the list shown is the one before)"));
  CHECK(Has(html, "Running configuration loaded <span class=\"age\""));
  CHECK(Has(html, ">10 min ago</span>. POST /-/reload or SIGHUP reloads it."));
  CHECK(Has(html, "The last reload failed <span"));
  CHECK(Has(html, "<pre class=\"reload-error\">a.yaml:1: one\na.yaml:2: two</pre>"));
  CHECK(
      Has(html,
          "<a href=\"https://example.org/repo/blob/main/README.md#how-it-behaves-on-a-bad-day\">"));
  CHECK(Has(html, "docs/operating.md#probe-one-batch-per-target\">"));
}

namespace {

std::string ReadSourceFile(const std::string& relative) {
  std::ifstream in(std::string(ANCHOR_SOURCE_DIR) + "/" + relative);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

TEST_CASE("FormatAge says how long ago, in the largest sensible unit", "[unit][web][landing]") {
  const auto now = std::chrono::system_clock::now();
  using std::chrono::seconds;
  CHECK(anchor::FormatAge(now - seconds(12), now) == "12 s ago");
  CHECK(anchor::FormatAge(now - seconds(119), now) == "119 s ago");
  CHECK(anchor::FormatAge(now - seconds(300), now) == "5 min ago");
  CHECK(anchor::FormatAge(now - seconds(3 * 3600), now) == "3 h ago");
  CHECK(anchor::FormatAge(now - seconds(3 * 86400), now) == "3 d ago");
  CHECK(anchor::FormatAge(now + seconds(4), now) == "in 4 s");
}

TEST_CASE("the landing page links to documentation sections that exist", "[unit][web][landing]") {
  anchor::LandingPageInfo info;
  info.telemetry_path = "/metrics";
  info.docs_base_url = "https://docs.example/tree/main";
  const auto page = anchor::RenderLandingPage(info);
  // GitHub's heading anchors: lower case, spaces to '-', other punctuation dropped.
  auto anchors_of = [](const std::string& markdown) {
    std::set<std::string> out;
    std::istringstream in(markdown);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind('#', 0) != 0) continue;
      const auto text = line.substr(line.find_first_not_of('#') + 1);
      std::string anchor;
      for (const char c : text) {
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') {
          anchor += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        if (c == ' ') anchor += '-';
      }
      out.insert(anchor);
    }
    return out;
  };
  const std::regex link_re("href=\"https://docs\\.example/tree/main/([^\"#]+)#([^\"]+)\"");
  int links = 0;
  for (auto it = std::sregex_iterator(page.begin(), page.end(), link_re);
       it != std::sregex_iterator(); ++it, ++links) {
    const std::string file = (*it)[1], anchor = (*it)[2];
    INFO(file << "#" << anchor);
    CHECK(anchors_of(ReadSourceFile(file)).count(anchor) == 1);
  }
  CHECK(links >= 5);
  info.docs_base_url.clear();  // unpublished docs: named, not linked
  const auto plain = anchor::RenderLandingPage(info);
  CHECK(plain.find("docs/operating.md: Reloading") != std::string::npos);
  CHECK(plain.find("href=\"/docs") == std::string::npos);
}

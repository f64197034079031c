#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace anchor {

using WallTime = std::chrono::system_clock::time_point;

// One row of the landing page's table: what the exporter holds now for a tracked batch.
struct LandingPageBatch {
  std::string id;
  std::map<std::string, std::string> labels;
  bool discovered = false;  // found through discovery rather than configured
  bool fetched = false;     // false until a scrape or probe got an answer for it
  bool up = false;
  bool in_flight = false;                // a request for it runs now
  std::string down_reason;               // fetch error reason when !up
  std::string down_detail;               // what went wrong, for the operator (never the key)
  int http_status = 0;                   // of the last answer; 0 when none was read
  std::optional<WallTime> retry_after;   // not requested before this (after a 429)
  std::optional<std::string> status;     // batch status
  std::optional<double> progress_ratio;  // 0..1
  std::optional<std::int64_t> total_requests;
  std::optional<std::int64_t> completed_requests;
  std::optional<std::int64_t> failed_requests;
  WallTime last_fetch{};  // when the API gave the data shown
};

struct LandingPageDiscovery {
  bool enabled = false;
  std::vector<std::string> statuses;
  int max_batches = 0;
  double refresh_interval_seconds = 0;
  std::size_t count = 0;
  bool truncated = false;
  std::optional<WallTime> last_success;
  std::optional<WallTime> last_failure;
  bool last_failed = false;
  std::string last_error;
};

struct LandingPageReload {
  bool ok = true;                     // the last load or reload succeeded
  std::optional<WallTime> at;         // of the last attempt
  std::optional<WallTime> loaded_at;  // when the running config was loaded
  std::string error;                  // why the last attempt failed (one problem per line)
  // Unix time (system clock, whole seconds) of the last success, 0 before: the own metric's.
  double success_seconds = 0;
};

struct LandingPageInfo {
  std::string telemetry_path;
  std::vector<LandingPageBatch> batches;
  bool probe_allow_unlisted = false;
  LandingPageDiscovery discovery;
  LandingPageReload reload;
  WallTime now = std::chrono::system_clock::now();
  // Where docs/operating.md and README.md are published (a URL ending before "/docs"); empty:
  // the page names the sections without linking them.
  std::string docs_base_url;
};

// The HTML page served at "/": version, links to the endpoints, a table of the tracked batches
// with the age of their data and why they are down, discovery and reload state, and the docs.
// Plain HTML, no JavaScript, no external resources; every value is escaped.
std::string RenderLandingPage(const LandingPageInfo& info);

// "12 s ago", "5 min ago", "3 h ago", "2 d ago" ("in 4 s" for a time ahead).
std::string FormatAge(WallTime then, WallTime now);

// Escapes text for HTML element content and attribute values.
std::string HtmlEscape(const std::string& text);

}  // namespace anchor

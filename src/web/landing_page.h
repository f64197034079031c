#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace anchor {

// One row of the landing page's table: what the exporter last saw of a tracked batch.
struct LandingPageBatch {
  std::string id;
  std::map<std::string, std::string> labels;
  bool discovered = false;  // found through discovery rather than configured
  bool fetched = false;     // false until the first scrape or probe fetched it
  bool up = false;
  std::string down_reason;               // fetch error reason when !up
  std::optional<std::string> status;     // batch status
  std::optional<double> progress_ratio;  // 0..1
  std::optional<std::int64_t> total_requests;
  std::optional<std::int64_t> completed_requests;
  std::optional<std::int64_t> failed_requests;
  std::chrono::system_clock::time_point last_fetch{};
};

struct LandingPageInfo {
  std::string telemetry_path;
  std::vector<LandingPageBatch> batches;
  bool probe_allow_unlisted = false;
  bool reload_ok = true;  // the last reload succeeded (or none happened)
};

// The HTML page served at "/": version, links to the endpoints, and a table of the tracked
// batches with their last status. Plain HTML, no JavaScript; every value is escaped.
std::string RenderLandingPage(const LandingPageInfo& info);

// Escapes text for HTML element content and attribute values.
std::string HtmlEscape(const std::string& text);

}  // namespace anchor

#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "web/landing_page.h"

namespace anchor {

// A session histogram as the batch page needs it (SessionHistogram's counts: per bucket, the
// last one above every bound).
struct BatchPageHistogram {
  std::vector<double> bounds;
  std::vector<std::uint64_t> counts;
  std::uint64_t count = 0;
};

// What GET /batches/<id> shows of `sessions[]`, copied from the batch's SessionSummary. Texts
// from the API are masked of the key before they get here; the renderers escape them.
struct BatchPageSessions {
  std::map<std::string, std::int64_t> count_by_status;
  std::int64_t with_error = 0;
  std::int64_t retries = 0;
  std::int64_t retried_sessions = 0;
  std::vector<std::pair<std::string, std::int64_t>> errors_by_class;  // config order
  BatchPageHistogram run_time;
  BatchPageHistogram queue;
  std::vector<std::pair<std::string, std::int64_t>> top_errors;    // message, sessions
  std::vector<std::pair<std::string, double>> longest_running;     // id, started_at (Unix s)
  std::vector<std::pair<std::string, std::int64_t>> most_retried;  // id, retries
};

// One tracked batch as the exporter holds it now.
struct BatchPageInfo {
  std::string id;
  std::map<std::string, std::string> labels;
  bool discovered = false;
  bool fetched = false;  // false: tracked, no answer yet ("not fetched yet")
  bool up = false;
  std::string down_reason;  // fetch error reason when fetched && !up
  std::string down_detail;
  int http_status = 0;
  WallTime last_fetch{};  // when the API gave the data shown
  std::optional<std::string> status;
  std::optional<std::string> phase;
  std::optional<double> progress_ratio;  // 0..1
  std::optional<std::int64_t> total_requests;
  std::optional<std::int64_t> completed_requests;
  std::optional<std::int64_t> failed_requests;
  std::optional<std::int64_t> processing_requests;
  std::optional<std::int64_t> pending_requests;
  std::optional<std::string> error;           // the batch's own error text
  std::optional<BatchPageSessions> sessions;  // absent when the answer had no sessions list
  std::string link_template;  // sessions.link_template; empty: session ids are not links
  WallTime now = std::chrono::system_clock::now();
};

// `link_template` with every "{session_id}" replaced by `session_id` percent-encoded (all but
// RFC 3986's unreserved characters); empty when the template is.
std::string SessionLink(const std::string& link_template, const std::string& session_id);

// The HTML page: no JavaScript, no external resources, every text escaped. Tables with the
// ids "error-classes", "top-errors", "longest-running" and "most-retried".
std::string RenderBatchPageHtml(const BatchPageInfo& info);
// The same data as one JSON object (docs/operating.md#batch-page).
std::string RenderBatchPageJson(const BatchPageInfo& info);

// "2026-12-07T14:59:25Z" for Unix seconds (whole seconds).
std::string Rfc3339Utc(double unix_seconds);

}  // namespace anchor

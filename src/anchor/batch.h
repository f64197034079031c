#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "anchor/session_detail.h"
#include "config/config.h"

namespace anchor {

// Session statuses and progress phases the API documents. Any other value (newer API versions
// add values) is read as "other" (labels::kOtherValue) and counted as an invalid field, so that
// a batch has at most these values plus "other" as label values, whatever the API sends.
inline const std::vector<std::string>& KnownStatuses() {
  static const std::vector<std::string> kStatuses = {"pending", "processing", "completed", "failed",
                                                     "cancelled"};
  return kStatuses;
}
inline const std::vector<std::string>& KnownPhases() {
  static const std::vector<std::string> kPhases = {"queued", "provisioning", "configuring",
                                                   "ready"};
  return kPhases;
}

// The slowest session of one bucket of a SessionHistogram (OpenMetrics exemplar): 24 bytes, its
// session_id kept in the histogram's exemplar_ids.
struct SessionExemplar {
  double value = 0;            // the session's run time or queue wait, within the bucket
  double timestamp = 0;        // Unix seconds: completed_at (run time) or started_at (queue)
  std::uint32_t id_begin = 0;  // the session_id in SessionHistogram::exemplar_ids
  std::uint8_t id_size = 0;
  std::uint16_t bucket = 0;  // index in SessionHistogram::counts (the last one: +Inf)
};

// A distribution binned while parsing, so that a batch keeps a few hundred bytes however many
// sessions it has. counts[i] is the number of values <= bounds[i] and > bounds[i-1]; the last
// entry (counts.size() == bounds.size() + 1) holds the values above every bound.
struct SessionHistogram {
  std::vector<double> bounds;
  std::vector<std::uint64_t> counts;
  std::uint64_t count = 0;
  double sum = 0;
  // Buckets with an exemplar, in bucket order (session/exemplar picking: session_exemplars.h).
  std::vector<SessionExemplar> exemplars;
  std::string exemplar_ids;  // their session_ids, back to back

  explicit SessionHistogram(std::vector<double> upper_bounds = {})
      : bounds(std::move(upper_bounds)), counts(bounds.size() + 1, 0) {}
  // Returns the bucket (index in counts) the value fell in.
  size_t Add(double value) {
    // Bounds are sorted: the bucket is the number of bounds below the value. Counted without
    // a branch per bound (a few per session otherwise mispredict).
    size_t i = 0;
    for (const double bound : bounds) i += value > bound ? 1 : 0;
    ++counts[i];
    ++count;
    sum += value;
    return i;
  }
  std::string_view ExemplarId(const SessionExemplar& e) const {
    return std::string_view(exemplar_ids).substr(e.id_begin, e.id_size);
  }
};

// What the exporter keeps of `sessions[]`: aggregates only, so a 5,000-session batch costs a few
// hundred bytes, not megabytes.
struct SessionSummary {
  // Sessions per status: known statuses and "other", those with none left out.
  std::map<std::string, std::int64_t> count_by_status;
  std::int64_t retries = 0;           // sum of valid retry_count values
  std::int64_t retried_sessions = 0;  // sessions with retry_count > 0
  std::int64_t with_error = 0;        // sessions whose error is a non-empty string
  std::vector<std::pair<std::string, std::int64_t>>
      errors_by_class;        // sessions with an error, per class
  SessionHistogram duration;  // completed_at - started_at of sessions that have both
  SessionHistogram queue;     // started_at - the batch's created_at of sessions that started
  std::optional<double> oldest_running_start;  // earliest started_at of `processing` sessions
  std::optional<double> first_start;           // earliest started_at
  std::optional<double> last_completion;       // latest completed_at
  SessionDetail detail;                        // the rows of the batch page
};

// One batch as reported by GET /v1/batch-sessions/{id}. Every field is optional: a missing,
// null or invalid field is absent here and its series is omitted, never replaced by 0.
struct Batch {
  std::optional<std::string> batch_id;
  std::optional<std::string> status;  // a KnownStatuses() entry or "other"
  std::optional<std::int64_t> total_requests;
  std::optional<std::int64_t> completed_requests;
  std::optional<std::int64_t> failed_requests;
  std::optional<std::int64_t> processing_requests;
  std::optional<std::int64_t> pending_requests;
  std::optional<double> progress_ratio;    // progress.percentage / 100, within [0, 1]
  std::optional<std::string> phase;        // progress.current_phase: KnownPhases() or "other"
  std::optional<double> created_at;        // Unix seconds
  std::optional<double> completed_at;      // actual_completion_time, Unix seconds
  std::optional<std::string> error;        // non-empty error text; never exported as a label
  bool error_field_valid = false;          // `error` was a string or null, so has_error is known
  std::optional<SessionSummary> sessions;  // absent when `sessions` is missing or not a list

  // Names of fields that were present but had a wrong type or an impossible value
  // ("progress.percentage", "sessions[].retry_count"): dropped and counted, never exported.
  std::vector<std::string> invalid_fields;
};

// True for statuses after which a batch does not change on its own.
inline bool IsTerminalStatus(const std::string& status) {
  return status == "completed" || status == "failed" || status == "cancelled";
}

}  // namespace anchor

#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "anchor/session_detail.h"
#include "config/secret.h"

namespace anchor {

// Picks the rows of SessionDetail's two session tables while sessions[] streams past: the
// kRows `processing` sessions that started first and the kRows with the most retries. Each
// table is a bounded heap whose top is the row to drop next, so a session costs O(log kRows)
// and allocates nothing unless it is kept (a kept row reuses the string of the row it
// replaces). Ties go to the smaller id, so the tables do not depend on the order of sessions[].
class SessionDetailBuilder {
 public:
  // Longer ids are skipped, not cut (a cut id would link to another session): the API's ids are
  // UUIDs (36 bytes). Bounds the tables to 2 × kRows × 64 bytes of ids.
  static constexpr std::size_t kMaxIdBytes = 64;

  // A `processing` session and when it started (Unix seconds). An empty or too long id: ignored.
  void AddRunning(std::string_view session_id, double started_at);
  // A session and its retry_count; ignored unless retries > 0 and the id is usable.
  void AddRetried(std::string_view session_id, std::int64_t retries);

  // Moves the tables into `detail` (longest_running, most_retried), best row first; leaves
  // top_errors alone.
  void Finish(SessionDetail& detail);

 private:
  std::vector<SessionDetail::Running> running_;  // a heap: the latest start on top
  std::vector<SessionDetail::Retried> retried_;  // a heap: the fewest retries on top
};

// `detail` with the key replaced by "<redacted>" in the session ids, as the API client does for
// every text it exports. Not in top_errors: those were masked before they were normalised and
// cut (SessionParseOptions::api_key), which a mask afterwards could not do.
void RedactDetail(SessionDetail& detail, const Secret& key);

}  // namespace anchor

#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace anchor {

// What a batch page shows of `sessions[]` beyond the metrics: a few rows per table, taken while
// parsing and kept with the parsed answer, so a batch's detail costs the same whatever its size
// and is rebuilt only when the API's answer changes. Never holds cdp_url or live_view_url: the
// parse does not read them.
struct SessionDetail {
  static constexpr std::size_t kRows = 10;           // rows per table
  static constexpr std::size_t kMessageBytes = 200;  // an error message is cut here

  // A normalised error text (numbers, UUIDs, URLs and hex collapsed) and how many sessions had
  // one that normalises to it.
  struct ErrorMessage {
    std::string message;
    std::int64_t sessions = 0;
  };
  // A session still `processing`, with when it started (Unix seconds).
  struct Running {
    std::string session_id;
    double started_at = 0;
  };
  // A session with its retry_count.
  struct Retried {
    std::string session_id;
    std::int64_t retries = 0;
  };

  std::vector<ErrorMessage> top_errors;  // most sessions first, at most kRows
  std::vector<Running> longest_running;  // earliest start first, at most kRows
  std::vector<Retried> most_retried;     // most retries first (retries > 0), at most kRows
};

}  // namespace anchor

#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "anchor/batch.h"

namespace anchor {

// Why a fetch produced no batch. The names are the `reason` label values of
// anchorbrowser_exporter_fetch_errors_total.
enum class FetchError {
  kNone,
  kTimeout,
  kConnection,
  kTls,
  kUnauthorized,
  kNotFound,
  kRateLimited,
  kServerError,
  kClientError,
  kInvalidResponse,
  kTooLarge,
  kRedirect,  // a 3xx: never followed, so that the key never leaves anchor.url's host
};

const char* FetchErrorReason(FetchError error);

// Every reason, in a stable order (for pre-seeding counters at 0).
const std::vector<FetchError>& AllFetchErrors();

// What every answer of the API says besides its payload: whether it failed, why, and how long
// to wait before asking again. FetchResult and BatchListResult add their payload to it.
struct ApiOutcome {
  FetchError error = FetchError::kNone;
  int http_status = 0;  // 0 when no HTTP answer was read
  std::string detail;   // for the log line; never holds the API key
  // From a 429: wait this long before asking again. A duration, anchored by the caller on its
  // own clock when the answer arrives (negative: a Retry-After date already past).
  std::optional<std::chrono::seconds> retry_after;
};

// The outcome of one batch request: a batch, or an error carried as a value with its reason.
struct FetchResult : ApiOutcome {
  std::optional<Batch> batch;
  double duration_seconds = 0;
  std::size_t body_bytes = 0;  // bytes of the answer's body read

  bool ok() const { return batch.has_value(); }
};

}  // namespace anchor

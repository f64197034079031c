#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "anchor/batch.h"

namespace anchor {

// SessionBuckets' defaults.
const SessionBuckets& DefaultSessionBuckets();

// A parsed status response: the batch, or why the body as a whole is unusable.
struct BatchParseResult {
  std::optional<Batch> batch;
  std::string error;  // set when batch is empty: "body is not JSON (...)", "no data object"
};

// Parses the body of GET /v1/batch-sessions/{id}. Fields with a wrong type or an impossible
// value are dropped and named in Batch::invalid_fields; only a body that is not a JSON object
// with a `data` object fails as a whole. Parses in place: `body` is overwritten.
// Session run and queue times are binned into `buckets` while parsing.
BatchParseResult ParseBatchResponseInPlace(std::string& body,
                                           const SessionBuckets& buckets = DefaultSessionBuckets());

// Same, leaving the input untouched.
BatchParseResult ParseBatchResponse(std::string_view body,
                                    const SessionBuckets& buckets = DefaultSessionBuckets());

// The `error.message` of an API error body ({"error": {"code": 401, "message": "..."}}),
// shortened to a log-safe length; nullopt when the body is not such an object.
std::optional<std::string> ParseApiErrorMessage(std::string_view body);

}  // namespace anchor

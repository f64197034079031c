#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "anchor/batch.h"
#include "base/result.h"

namespace anchor {

// SessionBuckets' defaults.
const SessionBuckets& DefaultSessionBuckets();

// Parses the body of GET /v1/batch-sessions/{id}. Fields with a wrong type or an impossible
// value are dropped and named in Batch::invalid_fields; only a body that is not a JSON object
// with a `data` object fails as a whole, with the reason ("body is not JSON (...)", "no data
// object"). Parses in place: `body` is overwritten.
// Session run and queue times are binned into `buckets` while parsing.
Result<Batch> ParseBatchResponseInPlace(std::string& body,
                                        const SessionBuckets& buckets = DefaultSessionBuckets());

// Same, leaving the input untouched.
Result<Batch> ParseBatchResponse(std::string_view body,
                                 const SessionBuckets& buckets = DefaultSessionBuckets());

// The `error.message` of an API error body ({"error": {"code": 401, "message": "..."}}),
// shortened to a log-safe length; nullopt when the body is not such an object.
std::optional<std::string> ParseApiErrorMessage(std::string_view body);

}  // namespace anchor

#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "anchor/batch.h"
#include "base/result.h"
#include "config/error_classes.h"
#include "config/secret.h"

namespace anchor {

// SessionBuckets' defaults.
const SessionBuckets& DefaultSessionBuckets();

// What the parse needs of the config: the histogram bounds session run and queue times are
// binned into, and the error classes session error texts are counted in.
struct SessionParseOptions {
  SessionParseOptions() = default;
  // A SessionBuckets alone (what the parse took before): with the default error classes.
  SessionParseOptions(SessionBuckets b)  // NOLINT(google-explicit-constructor)
      : buckets(std::move(b)) {}
  SessionParseOptions(SessionBuckets b, std::shared_ptr<const ErrorClassifier> classes)
      : buckets(std::move(b)), error_classes(std::move(classes)) {}

  SessionBuckets buckets;
  std::shared_ptr<const ErrorClassifier> error_classes = DefaultErrorClassifier();  // not null
  // The API key (the ApiClient fills it in): masked in each session error text before the text
  // is classified and normalised, so that no cut or placeholder can leave a fragment of it.
  Secret api_key;
};

// The defaults of both.
const SessionParseOptions& DefaultSessionParseOptions();

// Parses the body of GET /v1/batch-sessions/{id}. Fields with a wrong type or an impossible
// value are dropped and named in Batch::invalid_fields; only a body that is not a JSON object
// with a `data` object fails as a whole, with the reason ("body is not JSON (...)", "no data
// object"). Parses in place: `body` is overwritten.
// Session run and queue times are binned into `options.buckets` while parsing, and session
// error texts counted per class of `options.error_classes` (SessionSummary::errors_by_class)
// and per normalised message (SessionDetail::top_errors).
Result<Batch> ParseBatchResponseInPlace(
    std::string& body, const SessionParseOptions& options = DefaultSessionParseOptions());

// Same, leaving the input untouched.
Result<Batch> ParseBatchResponse(std::string_view body,
                                 const SessionParseOptions& options = DefaultSessionParseOptions());

// The `error.message` of an API error body ({"error": {"code": 401, "message": "..."}}),
// shortened to a log-safe length; nullopt when the body is not such an object.
std::optional<std::string> ParseApiErrorMessage(std::string_view body);

}  // namespace anchor

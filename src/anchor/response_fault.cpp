#include "anchor/response_fault.h"

#include <chrono>

#include "anchor/batch_parser.h"
#include "anchor/retry_after.h"

namespace anchor {

namespace {

FetchError ClassifyStatus(int status) {
  if (status == 401 || status == 403) return FetchError::kUnauthorized;
  if (status == 404) return FetchError::kNotFound;
  if (status == 429) return FetchError::kRateLimited;
  if (status >= 500) return FetchError::kServerError;
  if (status >= 300 && status < 400) return FetchError::kRedirect;
  return FetchError::kClientError;
}

// The log line of a status other than 200, before masking.
std::string StatusDetail(const RawResponse& raw, FetchError error, const std::string& key_source) {
  std::string detail = "HTTP " + std::to_string(raw.status);
  if (const auto message = ParseApiErrorMessage(raw.body)) detail += ": " + *message;
  if (error == FetchError::kUnauthorized) {
    detail += " (the API rejected the key from " + key_source + ")";
  }
  if (error == FetchError::kRedirect) {
    // Following it would send the key to wherever the answer points: check anchor.url instead.
    constexpr std::size_t kMaxLocation = 200;
    detail = "HTTP " + std::to_string(raw.status) + ": redirect to " +
             (raw.location.empty() ? std::string("(no Location)")
                                   : raw.location.substr(0, kMaxLocation)) +
             ", not followed (the key is sent to anchor.url's host only): check anchor.url";
  }
  return detail;
}

}  // namespace

std::optional<ApiOutcome> FaultOf(const RawResponse& raw, const Secret& key,
                                  const std::string& key_source) {
  ApiOutcome fault;
  fault.http_status = raw.status;
  if (raw.error != FetchError::kNone) {
    fault.error = raw.error;
    fault.detail = raw.detail;
    return fault;
  }
  if (raw.status == 200) return std::nullopt;
  fault.error = ClassifyStatus(raw.status);
  fault.detail = Redacted(StatusDetail(raw, fault.error, key_source), key);
  if (raw.status == 429 && !raw.retry_after.empty()) {
    // The one reading of the wall clock in this layer: an HTTP date becomes a wait from the
    // moment the answer is classified; the collect layer anchors the wait on its own clock.
    fault.retry_after = ParseRetryAfter(raw.retry_after, std::chrono::system_clock::now());
  }
  return fault;
}

}  // namespace anchor

#pragma once

#include <optional>
#include <string>

#include "anchor/fetch_result.h"
#include "anchor/raw_response.h"
#include "base/result.h"
#include "config/secret.h"

namespace anchor {

// Why `raw` is not usable: a failed request, or a status other than 200 (its kind, a log line
// masked of `key`, and a 429's Retry-After as a wait); none when it is a usable 200.
// `key_source` says where the key came from, for a 401/403.
std::optional<ApiOutcome> FaultOf(const RawResponse& raw, const Secret& key,
                                  const std::string& key_source);

// The shared tail of every API request: the fault of `raw`, or its body parsed by `parse`
// (std::string& -> Result<T>) into the result's `payload`, any text from the API masked of
// `key`. R is FetchResult or BatchListResult.
template <typename R, typename T, typename Parse>
R Interpret(RawResponse& raw, std::optional<T> R::*payload, Parse parse, const Secret& key,
            const std::string& key_source) {
  R result;
  result.http_status = raw.status;
  if (auto fault = FaultOf(raw, key, key_source)) {
    static_cast<ApiOutcome&>(result) = std::move(*fault);
  } else if (Result<T> parsed = parse(raw.body)) {
    result.*payload = std::move(parsed).value();
  } else {
    result.error = FetchError::kInvalidResponse;
    result.detail = parsed.error();
  }
  result.detail = Redacted(std::move(result.detail), key);
  return result;
}

}  // namespace anchor

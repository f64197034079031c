#include "anchor/fetch_result.h"

#include <vector>

namespace anchor {

const char* FetchErrorReason(FetchError error) {
  switch (error) {
    case FetchError::kNone:
      return "none";
    case FetchError::kTimeout:
      return "timeout";
    case FetchError::kConnection:
      return "connection";
    case FetchError::kTls:
      return "tls";
    case FetchError::kUnauthorized:
      return "unauthorized";
    case FetchError::kNotFound:
      return "not_found";
    case FetchError::kRateLimited:
      return "rate_limited";
    case FetchError::kServerError:
      return "server_error";
    case FetchError::kClientError:
      return "client_error";
    case FetchError::kInvalidResponse:
      return "invalid_response";
    case FetchError::kTooLarge:
      return "too_large";
    case FetchError::kRedirect:
      return "redirect";
  }
  return "unknown";
}

const std::vector<FetchError>& AllFetchErrors() {
  static const std::vector<FetchError> kAll = {
      FetchError::kTimeout,      FetchError::kConnection,  FetchError::kTls,
      FetchError::kUnauthorized, FetchError::kNotFound,    FetchError::kRateLimited,
      FetchError::kServerError,  FetchError::kClientError, FetchError::kInvalidResponse,
      FetchError::kTooLarge,     FetchError::kRedirect};
  return kAll;
}

}  // namespace anchor

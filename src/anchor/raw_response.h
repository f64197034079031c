#pragma once

#include <string>

#include "anchor/fetch_result.h"

namespace anchor {

// What one GET of the API client read: the status line, the headers it acts on and the body,
// or how the request failed before a usable answer arrived (error, detail).
struct RawResponse {
  int status = 0;  // stays set when the body failed (e.g. too large) after the status line
  std::string body;
  std::string retry_after;
  std::string location;          // of a 3xx, which is never followed
  std::string content_encoding;  // decoded by DecodeBody once the body is in
  FetchError error = FetchError::kNone;
  std::string detail;
};

}  // namespace anchor

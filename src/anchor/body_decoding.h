#pragma once

#include <cstddef>
#include <string>

namespace anchor {

// Why a body could not be decoded per its Content-Encoding.
enum class BodyDecoding { kOk, kTooLarge, kCorrupt, kUnsupported };

// Whether a body was decoded, or the kind of failure and why.
struct BodyDecodingResult {
  BodyDecoding kind = BodyDecoding::kOk;
  std::string detail;  // what was wrong, when not kOk
  bool ok() const { return kind == BodyDecoding::kOk; }
};

// Decodes `body` in place per the answer's Content-Encoding: none or "identity" leaves it as is;
// "gzip", "x-gzip" and "deflate" are inflated (zlib), at most `max_bytes` of output. The API
// client decodes itself rather than in httplib, so that a corrupt body (invalid_response) is
// told apart from a connection that broke while the body was read (connection).
BodyDecodingResult DecodeBody(const std::string& content_encoding, std::string& body,
                              std::size_t max_bytes);

}  // namespace anchor

#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "anchor/session_detail.h"

namespace anchor {

// The row key of an error text on the batch page: the parts that differ from session to session
// collapsed into placeholders, so that "timeout after 30012 ms" and "timeout after 30544 ms" are
// one row ("timeout after <n> ms"):
//   <url>   a URL (scheme://... up to a space or a quote/bracket)
//   <uuid>  a UUID (8-4-4-4-12 hex digits)
//   <hex>   0x followed by hex digits, or a word of 8 or more hex digits, digits and letters
//   <n>     a number (digits, with a decimal part) at the start of a word ("30012ms" gives
//           "<n>ms"; "HTTP2" and "ERR_407" are kept as they are)
// Runs of whitespace and control characters become one space, and the ends are trimmed. The
// result is cut to `max_bytes` at a UTF-8 character boundary; the scan stops there, so a 1 MB
// text costs no more than a short one. Linear time, no regular expressions. Neither masks the
// API key nor escapes HTML: the page renderer does both.
std::string NormaliseErrorMessage(std::string_view text,
                                  std::size_t max_bytes = SessionDetail::kMessageBytes);
// Same, into `out` (cleared first): a buffer reused from text to text allocates nothing once
// it has grown to max_bytes.
void NormaliseErrorMessage(std::string_view text, std::string& out,
                           std::size_t max_bytes = SessionDetail::kMessageBytes);

}  // namespace anchor

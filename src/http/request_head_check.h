#pragma once

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <string_view>

#include "http/head_verdict.h"

namespace anchor {

// Limits on a request head (request line and header fields), checked before anything else -
// authentication included - looks at the request.
struct RequestHeadLimits {
  static constexpr std::size_t kMaxHeadBytes = std::size_t{64} * 1024;
  static constexpr std::size_t kMaxHeaderLines = 100;
};

using ParsedHead = boost::beast::http::request_header<>;

// Checks a head Beast has parsed for what its parser lets through but a proxy in front of the
// exporter may read differently (request smuggling): a transfer coding other than chunked, a
// Content-Length Beast reads as a list or beyond 18 digits, an HTTP/1.1 request without exactly
// one Host; and more than 100 fields (431: Beast limits a head's size, not its fields).
HeadVerdict CheckParsedHead(const ParsedHead& head);

// Beast's refusal of a head in the words of the answer: `so_far` holds the fields parsed before
// the failing one, `rest` the bytes from the failing line on. Beast reports CL with TE,
// differing or malformed Content-Length, a line without a colon and whitespace before it.
HeadVerdict ExplainParseError(const boost::system::error_code& ec, const ParsedHead& so_far,
                              std::string_view rest);

}  // namespace anchor

#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace anchor {

// Limits on a request head (request line and header fields), checked before anything else -
// authentication included - looks at the request.
struct RequestHeadLimits {
  static constexpr std::size_t kMaxHeadBytes = std::size_t{64} * 1024;
  static constexpr std::size_t kMaxHeaderLines = 100;
};

struct HeadVerdict {
  int status = 0;  // 0: acceptable; else the status to answer before closing the connection
  std::string reason;
};

// Where the head in `data` ends (just past its blank line), or npos when it is not complete.
// The search starts at `from`, where an earlier search of a shorter prefix left off
// (data.size() - 3 of that prefix), so that a head arriving byte by byte costs linear time.
std::size_t FindHeadEnd(std::string_view data, std::size_t from = 0);

// Checks a head that is not complete yet, from its size and line ends so far: 431 once it is
// over a limit.
HeadVerdict CheckPartialHead(std::size_t bytes, std::size_t line_ends);

// Checks a complete head (from FindHeadEnd) for what an HTTP parser may let through but a
// proxy in front of the exporter may read differently (request smuggling): lines without a
// colon, whitespace before the colon, folded lines, bare LF, malformed or differing
// Content-Length, Content-Length with Transfer-Encoding, a transfer coding other than chunked,
// and an HTTP/1.1 request without exactly one Host. Also the size and line limits (431).
HeadVerdict CheckRequestHead(std::string_view head);

}  // namespace anchor

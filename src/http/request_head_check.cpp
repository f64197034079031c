#include "http/request_head_check.h"

#include <algorithm>
#include <boost/beast/http/error.hpp>
#include <iterator>

#include "base/text.h"

namespace anchor {
namespace {

namespace http = boost::beast::http;

HeadVerdict Bad(std::string reason) { return HeadVerdict::Refused(400, std::move(reason)); }

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Beast takes "4, 4" as one length and 19 digits as long as they fit 64 bits; a proxy may not.
HeadVerdict CheckContentLengths(const ParsedHead& head) {
  const auto [first, last] = head.equal_range(http::field::content_length);
  for (auto it = first; it != last; ++it) {
    const auto value = it->value();
    if (value.size() > 18 || !AllDigits(std::string_view(value.data(), value.size()))) {
      return Bad("malformed Content-Length");
    }
  }
  return HeadVerdict::Accepted();
}

// The value of a raw header line, "Name: value" up to its CRLF.
std::string_view LineValue(std::string_view line) {
  const auto colon = line.find(':');
  return colon == std::string_view::npos ? std::string_view()
                                         : text::TrimOws(line.substr(colon + 1));
}

// A complete head within 64 KiB: at most some 16,000 fields to count, once.
HeadVerdict CheckFieldCount(const ParsedHead& head) {
  if (static_cast<std::size_t>(std::distance(head.begin(), head.end())) >
      RequestHeadLimits::kMaxHeaderLines) {
    return HeadVerdict::Refused(431, "more than 100 header lines");
  }
  return HeadVerdict::Accepted();
}

}  // namespace

HeadVerdict CheckParsedHead(const ParsedHead& head) {
  if (auto count = CheckFieldCount(head); !count.ok()) return count;
  if (auto lengths = CheckContentLengths(head); !lengths.ok()) return lengths;
  const auto codings = head.count(http::field::transfer_encoding);
  if (codings > 1 ||
      (codings == 1 &&
       !text::EqualsIgnoreCase(std::string_view(head[http::field::transfer_encoding].data(),
                                                head[http::field::transfer_encoding].size()),
                               "chunked"))) {
    return Bad("unsupported Transfer-Encoding");
  }
  const auto hosts = head.count(http::field::host);
  if (head.version() == 11 && hosts != 1) {
    return Bad(hosts == 0 ? "missing Host header" : "several Host headers");
  }
  return HeadVerdict::Accepted();
}

HeadVerdict ExplainParseError(const boost::system::error_code& ec, const ParsedHead& so_far,
                              std::string_view rest) {
  const std::string_view line = rest.substr(0, rest.find("\r\n"));
  const bool after_length = so_far.count(http::field::content_length) > 0;
  const bool after_coding = so_far.count(http::field::transfer_encoding) > 0;
  if (ec == http::error::header_limit) {
    return HeadVerdict::Refused(431, "request head larger than 64 KiB");
  }
  if (ec == http::error::body_limit) {
    // The head is complete here: framing it cannot have comes first.
    if (auto head = CheckParsedHead(so_far); !head.ok()) return head;
    return HeadVerdict::Refused(413, "request body too large");
  }
  if (ec == http::error::bad_field) {
    return Bad(line.find(':') == std::string_view::npos
                   ? "header line without a colon"
                   : "invalid header name (whitespace before the colon?)");
  }
  if (ec == http::error::bad_content_length) {
    if (after_coding) return Bad("both Content-Length and Transfer-Encoding");
    return Bad(after_length && AllDigits(LineValue(line)) ? "differing Content-Length values"
                                                          : "malformed Content-Length");
  }
  if (ec == http::error::bad_transfer_encoding) {
    return Bad(after_length ? "both Content-Length and Transfer-Encoding"
                            : "unsupported Transfer-Encoding");
  }
  return Bad("malformed request head");
}

}  // namespace anchor

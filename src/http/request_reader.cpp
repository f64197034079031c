#include "http/request_reader.h"

#include <boost/asio/buffer.hpp>
#include <cstdint>

#include "http/request_head_check.h"

namespace anchor {

namespace http = boost::beast::http;

RequestReader::RequestReader(std::size_t max_body_bytes) { parser_.body_limit(max_body_bytes); }

RequestReader::Fed RequestReader::FeedHead(std::string_view buffered) {
  if (auto scanned = scan_.Scan(buffered); !scanned.ok()) return {0, scanned};
  // Beast measures only what it has not taken yet against its limit: what is left of 64 KiB.
  parser_.header_limit(static_cast<std::uint32_t>(RequestHeadLimits::kMaxHeadBytes - taken_));
  boost::system::error_code ec;
  const std::size_t n = parser_.put(boost::asio::buffer(buffered.data(), buffered.size()), ec);
  if (ec && ec != http::error::need_more) {
    return {0, ExplainParseError(ec, parser_.get().base(), buffered.substr(n))};
  }
  taken_ += n;
  scan_.Dropped(n);
  if (!head_done()) return {n, HeadVerdict::Accepted()};
  return {n, CheckParsedHead(parser_.get().base())};
}

}  // namespace anchor

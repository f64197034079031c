#pragma once

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <string_view>

#include "http/head_line_scan.h"
#include "http/head_verdict.h"

namespace anchor {

// Reads one request's head as its bytes arrive, with one parser: the raw line scan
// (HeadLineScan), then Beast's parser bounded by the head limits, then the checks Beast does not
// make on the fields it parsed (CheckParsedHead). The body is then read with parser().
class RequestReader {
 public:
  using Parser = boost::beast::http::request_parser<boost::beast::http::string_body>;

  // What FeedHead did: how many bytes of the buffer the parser took (the caller drops them; they
  // are never fed again), or why the head is refused.
  struct Fed {
    std::size_t taken = 0;
    HeadVerdict verdict = HeadVerdict::Accepted();
  };

  explicit RequestReader(std::size_t max_body_bytes);

  // Feeds the buffered bytes of a head not done yet (from the first byte not taken). Beast may
  // take the lines before its first wait for more, so the head's size is bounded across calls;
  // after that wait it parses on only once the whole head is there, within the limit.
  Fed FeedHead(std::string_view buffered);
  bool head_done() const { return parser_.is_header_done(); }
  Parser& parser() { return parser_; }

 private:
  Parser parser_;
  HeadLineScan scan_;
  std::size_t taken_ = 0;  // bytes of the head the parser has taken
};

}  // namespace anchor

// FindHeadEnd, CheckPartialHead and CheckRequestHead called directly with crafted heads: the
// limits (431) and every framing a proxy in front of the exporter might read differently (400).
#include <catch2/catch.hpp>
#include <string>

#include "http/request_head_check.h"

using anchor::CheckPartialHead;
using anchor::CheckRequestHead;
using anchor::FindHeadEnd;

namespace {

std::string LongHead() {
  return "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(std::size_t{70} * 1024, 'a') +
         "\r\n\r\n";
}

std::string ManyLines() {
  std::string head = "GET /metrics HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 150; ++i) head += "X-" + std::to_string(i) + ": v\r\n";
  return head + "\r\n";
}

// The verdict on a POST head with `fields` between its Host line and the blank line.
anchor::HeadVerdict CheckFields(const std::string& fields) {
  return CheckRequestHead("POST /-/healthy HTTP/1.1\r\nHost: x\r\n" + fields + "\r\n");
}

}  // namespace

TEST_CASE("request heads are checked against the limits", "[unit][web][http]") {
  CHECK(CheckRequestHead("GET / HTTP/1.1\r\nHost: x\r\n\r\n").status == 0);
  CHECK(CheckRequestHead(LongHead()).status == 431);
  CHECK(CheckRequestHead(ManyLines()).status == 431);
  std::string hundred = "GET / HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 99; ++i) hundred += "X: v\r\n";
  CHECK(CheckRequestHead(hundred + "\r\n").status == 0);
  CHECK(CheckRequestHead(hundred + "X: v\r\n\r\n").status == 431);
  CHECK(anchor::FindHeadEnd("GET / HTTP/1.1\r\nHost: x\r\n") == std::string::npos);
  CHECK(anchor::CheckPartialHead(64 * 1024 + 1, 3).status == 431);
}

TEST_CASE("CheckPartialHead refuses a head over a limit before it ends", "[unit][web][http]") {
  CHECK(CheckPartialHead(0, 0).status == 0);
  CHECK(CheckPartialHead(std::size_t{64} * 1024, 102).status ==
        0);  // at both limits: still acceptable
  const auto big = CheckPartialHead(64 * 1024 + 1, 0);
  CHECK(big.status == 431);
  CHECK(big.reason == "request head larger than 64 KiB");
  // 100 header lines, the request line and the blank line: 102 line ends; one more is over.
  const auto lines = CheckPartialHead(10, 103);
  CHECK(lines.status == 431);
  CHECK(lines.reason == "more than 100 header lines");
}

TEST_CASE("FindHeadEnd finds the blank line, also across resumed searches", "[unit][web][http]") {
  const std::string head = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  CHECK(FindHeadEnd(head) == head.size());
  CHECK(FindHeadEnd(head + "GET / HTTP/1.1\r\n") == head.size());  // pipelined: the first head
  CHECK(FindHeadEnd("GET / HTTP/1.0\n\n") == 16);                  // bare LFs end it too
  CHECK(FindHeadEnd("GET / HTTP/1.1\r\nHost: x\r\n\r") == std::string::npos);
  CHECK(FindHeadEnd("") == std::string::npos);
  // Byte by byte, each search starting where the one of the shorter prefix left off.
  std::size_t from = 0;
  std::size_t end = std::string::npos;
  for (std::size_t n = 1; n <= head.size() && end == std::string::npos; ++n) {
    const std::string_view prefix(head.data(), n);
    end = FindHeadEnd(prefix, from);
    from = n > 3 ? n - 3 : 0;
  }
  CHECK(end == head.size());
}

TEST_CASE("CheckRequestHead refuses ambiguous framing with its reason", "[unit][web][http]") {
  const std::pair<const char*, const char*> cases[] = {
      {"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n",
       "both Content-Length and Transfer-Encoding"},
      {"Transfer-Encoding: chunked\r\nContent-Length: 4\r\n",
       "both Content-Length and Transfer-Encoding"},
      {"Content-Length: 4\r\nContent-Length: 5\r\n", "differing Content-Length values"},
      {"Content-Length: +4\r\n", "malformed Content-Length"},
      {"Content-Length: -1\r\n", "malformed Content-Length"},
      {"Content-Length: 4x\r\n", "malformed Content-Length"},
      {"Content-Length: 4, 5\r\n", "malformed Content-Length"},
      {"Content-Length: \r\n", "malformed Content-Length"},
      {"Content-Length: 1234567890123456789\r\n", "malformed Content-Length"},  // 19 digits
      {"Transfer-Encoding : chunked\r\n", "invalid header name (whitespace before the colon?)"},
      {"Content-Length : 4\r\n", "invalid header name (whitespace before the colon?)"},
      {": no name\r\n", "invalid header name (whitespace before the colon?)"},
      {"Transfer-Encoding: gzip, chunked\r\n", "unsupported Transfer-Encoding"},
      {"Transfer-Encoding: identity\r\n", "unsupported Transfer-Encoding"},
      {"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
       "unsupported Transfer-Encoding"},
      {"X-No-Colon-Here\r\n", "header line without a colon"},
      {"X-Folded: a\r\n  b\r\n", "folded header line"},
      {"X-Folded: a\r\n\tb\r\n", "folded header line"},
      {"X-Bare: lf\n", "bare LF in the request head"},
      {"Host: y\r\n", "several Host headers"},
  };
  for (const auto& [fields, reason] : cases) {
    INFO(fields);
    const auto verdict = CheckFields(fields);
    CHECK(verdict.status == 400);
    CHECK(verdict.reason == reason);
  }
}

TEST_CASE("CheckRequestHead lets unambiguous framing through", "[unit][web][http]") {
  for (const char* fields :
       {"", "Content-Length: 4\r\n", "Content-Length: 4\r\nContent-Length: 4\r\n",
        "content-length:0\r\n", "Transfer-Encoding: chunked\r\n", "transfer-encoding: CHUNKED \r\n",
        "X-Empty:\r\n", "X-Token!#$%&'*+-.^_`|~: v\r\n"}) {
    INFO(fields);
    const auto verdict = CheckFields(fields);
    CHECK(verdict.status == 0);
    CHECK(verdict.reason.empty());
  }
}

TEST_CASE("HTTP/1.1 needs exactly one Host, HTTP/1.0 none", "[unit][web][http]") {
  const auto missing = CheckRequestHead("GET /-/healthy HTTP/1.1\r\n\r\n");
  CHECK(missing.status == 400);
  CHECK(missing.reason == "missing Host header");
  CHECK(CheckRequestHead("GET /-/healthy HTTP/1.1\r\nhost: x\r\n\r\n").status == 0);
  CHECK(CheckRequestHead("GET /-/healthy HTTP/1.0\r\n\r\n").status == 0);
  CHECK(CheckRequestHead("GET /-/healthy HTTP/1.0\r\nHost: x\r\n\r\n").status == 0);
}

TEST_CASE("CheckRequestHead refuses empty requests and empty header lines", "[unit][web][http]") {
  CHECK(CheckRequestHead("\r\n\r\n").reason == "empty request");
  CHECK(CheckRequestHead("").reason == "empty request");
  // An empty line inside the head, before more fields (a head split in two).
  const auto split = CheckRequestHead("GET / HTTP/1.1\r\n\r\nHost: x\r\n\r\n");
  CHECK(split.status == 400);
  CHECK(split.reason == "empty header line");
}

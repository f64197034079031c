// RequestReader (HeadLineScan, Beast's parser, CheckParsedHead) fed crafted heads directly: the
// limits (431) and every framing a proxy in front of the exporter might read differently (400),
// with the reason each answer gives.
#include <catch2/catch.hpp>
#include <string>

#include "http/request_head_check.h"
#include "http/request_reader.h"

using anchor::HeadVerdict;
using anchor::RequestReader;

namespace {

// The verdict on `head` fed at once, as when it arrives in one read.
HeadVerdict Check(const std::string& head) {
  RequestReader reader(4096);
  auto fed = reader.FeedHead(head);
  if (fed.verdict.ok() && !reader.head_done()) return HeadVerdict::Refused(0, "incomplete");
  return std::move(fed.verdict);
}

// The verdict on `head` fed `step` bytes at a time, dropping what the parser took, as the
// connection does; "incomplete" when it never ended.
HeadVerdict CheckInSteps(const std::string& head, std::size_t step) {
  RequestReader reader(4096);
  std::string buffered;
  for (std::size_t at = 0; at < head.size(); at += step) {
    buffered += head.substr(at, step);
    auto fed = reader.FeedHead(buffered);
    if (!fed.verdict.ok()) return std::move(fed.verdict);
    buffered.erase(0, fed.taken);
    if (reader.head_done()) return HeadVerdict::Accepted();
  }
  return HeadVerdict::Refused(0, "incomplete");
}

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
HeadVerdict CheckFields(const std::string& fields) {
  return Check("POST /-/healthy HTTP/1.1\r\nHost: x\r\n" + fields + "\r\n");
}

}  // namespace

TEST_CASE("request heads are checked against the limits", "[unit][web][http]") {
  CHECK(Check("GET / HTTP/1.1\r\nHost: x\r\n\r\n").ok());
  CHECK(Check(LongHead()).status() == 431);
  CHECK(Check(LongHead()).reason() == "request head larger than 64 KiB");
  CHECK(Check(ManyLines()).status() == 431);
  CHECK(Check(ManyLines()).reason() == "more than 100 header lines");
  std::string hundred = "GET / HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 99; ++i) hundred += "X: v\r\n";
  CHECK(Check(hundred + "\r\n").ok());
  CHECK(Check(hundred + "X: v\r\n\r\n").status() == 431);
  CHECK(Check("GET / HTTP/1.1\r\nHost: x\r\n").reason() == "incomplete");
}

TEST_CASE("the head limits hold across feeds, also before the head ends", "[unit][web][http]") {
  // Beast takes complete lines as they come: the 64 KiB are the whole head's, not a feed's.
  std::string many_fields = "GET / HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 90; ++i) many_fields += "X-Pad: " + std::string(1000, 'a') + "\r\n";
  const auto big = CheckInSteps(many_fields, 1500);  // never ends: refused on the way
  CHECK(big.status() == 431);
  CHECK(big.reason() == "request head larger than 64 KiB");
  std::string lines = "GET / HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 150; ++i) lines += "X: v\r\n";
  const auto counted = CheckInSteps(lines + "\r\n", 7);
  CHECK(counted.status() == 431);
  CHECK(counted.reason() == "more than 100 header lines");
  CHECK(CheckInSteps(LongHead(), 1).status() == 431);
  CHECK(CheckInSteps("GET / HTTP/1.1\r\nHost: x\r\n\r\n", 1).ok());
  CHECK(CheckInSteps("GET / HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n", 1).reason() ==
        "folded header line");
}

TEST_CASE("a head of bare LFs is refused before it ends", "[unit][web][http]") {
  // Beast would wait for a CRLF CRLF that never comes, until the head timeout.
  CHECK(Check("GET / HTTP/1.0\n\n").reason() == "bare LF in the request head");
  CHECK(CheckInSteps("GET / HTTP/1.1\nHost: x\n", 1).reason() == "bare LF in the request head");
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
      {"Content-Length: 4, 4\r\n", "malformed Content-Length"},
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
    REQUIRE_FALSE(verdict.ok());
    CHECK(verdict.status() == 400);
    CHECK(verdict.reason() == reason);
  }
}

TEST_CASE("CheckRequestHead lets unambiguous framing through", "[unit][web][http]") {
  for (const char* fields :
       {"", "Content-Length: 4\r\n", "Content-Length: 4\r\nContent-Length: 4\r\n",
        "content-length:0\r\n", "Transfer-Encoding: chunked\r\n", "transfer-encoding: CHUNKED \r\n",
        "X-Empty:\r\n", "X-Token!#$%&'*+-.^_`|~: v\r\n"}) {
    INFO(fields);
    CHECK(CheckFields(fields).ok());
  }
}

TEST_CASE("HTTP/1.1 needs exactly one Host, HTTP/1.0 none", "[unit][web][http]") {
  const auto missing = Check("GET /-/healthy HTTP/1.1\r\n\r\n");
  CHECK(missing.status() == 400);
  CHECK(missing.reason() == "missing Host header");
  CHECK(Check("GET /-/healthy HTTP/1.1\r\nhost: x\r\n\r\n").ok());
  CHECK(Check("GET /-/healthy HTTP/1.0\r\n\r\n").ok());
  CHECK(Check("GET /-/healthy HTTP/1.0\r\nHost: x\r\n\r\n").ok());
}

TEST_CASE("a body over the limit gets 413 once its head is known good", "[unit][web][http]") {
  const auto big = Check("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n");
  CHECK(big.status() == 413);
  CHECK(big.reason() == "request body too large");
  // The framing of the head comes first.
  CHECK(Check("POST / HTTP/1.1\r\nContent-Length: 5000\r\n\r\n").reason() == "missing Host header");
}

TEST_CASE("a head split by an empty line ends at it", "[unit][web][http]") {
  // The fields after the blank line are not this head's: without Host, HTTP/1.1 gets 400.
  const auto split = Check("GET / HTTP/1.1\r\n\r\nHost: x\r\n\r\n");
  CHECK(split.status() == 400);
  CHECK(split.reason() == "missing Host header");
}

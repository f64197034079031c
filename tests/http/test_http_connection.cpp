// One connection of the HTTP front, driven with raw bytes against a front on loopback whose
// handler only records what it is given: pipelined requests answered in order, keep-alive and
// its idle timeout, the head deadline, bodies read per their framing and dropped, and refused
// heads answered before the connection closes.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "support/raw_connection.h"
#include "support/running_front.h"

using anchor::HttpRequest;
using anchor::HttpResponse;
using anchor::test::AnswerStatuses;
using anchor::test::RawConnection;
using anchor::test::RecordingHandler;
using anchor::test::RunningFront;
using anchor::test::TestFrontOptions;
using namespace std::chrono_literals;

namespace {

const std::string kGet = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
const std::string kGetClose = "GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

struct Exchanged {
  std::string bytes;
  bool closed = false;
};

// Sends `request` on a new connection and reads until the front closes it (or 5 s pass).
Exchanged Exchange(int port, const std::string& request) {
  RawConnection conn(port);
  REQUIRE(conn.ok());
  REQUIRE(conn.Send(request));
  Exchanged out;
  out.bytes = conn.ReadUntilClose(5s);
  out.closed = conn.closed();
  return out;
}

}  // namespace

TEST_CASE("pipelined requests are answered in order, HEAD without a body", "[unit][web][http]") {
  RecordingHandler handler;
  RunningFront front(TestFrontOptions(), handler.handler());
  const auto out = Exchange(front.port(),
                            "GET /1 HTTP/1.1\r\nHost: x\r\n\r\n"
                            "HEAD /2 HTTP/1.1\r\nHost: x\r\n\r\n"
                            "GET /3 HTTP/1.1\r\nHost: x\r\n\r\n" +
                                kGetClose);
  CHECK(AnswerStatuses(out.bytes) == std::vector<int>{200, 200, 200, 200});
  CHECK(out.closed);
  const auto first = out.bytes.find("GET /1\n");
  const auto third = out.bytes.find("GET /3\n");
  const auto last = out.bytes.find("GET /last\n");
  CHECK(first < third);
  CHECK(third < last);
  CHECK(last != std::string::npos);
  // The HEAD answer has the GET's Content-Length ("HEAD /2\n" is 8 bytes) and no body.
  CHECK(out.bytes.find("HEAD /2\n") == std::string::npos);
  CHECK(out.bytes.find("Content-Length: 8\r\n") != std::string::npos);
  CHECK(handler.paths() == std::vector<std::string>{"/1", "/2", "/3", "/last"});
}

TEST_CASE("a keep-alive connection serves one request after another, then idles out",
          "[unit][web][http]") {
  auto options = TestFrontOptions();
  options.idle_timeout = 300ms;
  RecordingHandler handler;
  RunningFront front(options, handler.handler());
  RawConnection conn(front.port());
  for (int i = 0; i < 3; ++i) {
    REQUIRE(conn.Send(kGet));
    CHECK(AnswerStatuses(conn.ReadAnswers(1)) == std::vector<int>{200});
    CHECK_FALSE(conn.closed());
  }
  CHECK(handler.requests().size() == 3);
  // Nothing more is sent: the front closes the connection after the idle timeout.
  CHECK(conn.ReadUntilClose(10s).empty());
  CHECK(conn.closed());
}

TEST_CASE("HTTP/1.0 closes after the answer unless it asks for keep-alive", "[unit][web][http]") {
  RecordingHandler handler;
  RunningFront front(TestFrontOptions(), handler.handler());
  const auto plain = Exchange(front.port(), "GET /old HTTP/1.0\r\n\r\n");
  CHECK(AnswerStatuses(plain.bytes) == std::vector<int>{200});
  CHECK(plain.closed);
  RawConnection conn(front.port());
  REQUIRE(conn.Send("GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  CHECK(AnswerStatuses(conn.ReadAnswers(1)) == std::vector<int>{200});
  REQUIRE(conn.Send("GET /again HTTP/1.0\r\n\r\n"));
  CHECK(AnswerStatuses(conn.ReadUntilClose(5s)) == std::vector<int>{200});
  CHECK(conn.closed());
}

TEST_CASE("a request head not complete within the head timeout closes the connection",
          "[unit][web][http]") {
  auto options = TestFrontOptions();
  options.head_timeout = 300ms;
  RecordingHandler handler;
  RunningFront front(options, handler.handler());
  RawConnection conn(front.port());
  REQUIRE(conn.Send("GET /slow HTTP/1.1\r\nHost: x\r\nX-Slow: a"));
  // Bytes keep coming, but the head never ends: the deadline is for the whole head.
  bool closed = false;
  for (int i = 0; i < 40 && !closed; ++i) {
    if (!conn.Send("a")) break;
    conn.ReadUntilClose(100ms);
    closed = conn.closed();
  }
  if (!closed) conn.ReadUntilClose(5s);
  CHECK(conn.closed());
  CHECK(handler.requests().empty());
}

TEST_CASE("a request body is read per its framing and dropped, never parsed as a request",
          "[unit][web][http]") {
  RecordingHandler handler;
  RunningFront front(TestFrontOptions(), handler.handler());
  const std::string hidden = "GET /hidden HTTP/1.1\r\nHost: x\r\n\r\n";
  char chunk_size[16];
  std::snprintf(chunk_size, sizeof(chunk_size), "%zx", hidden.size());
  const auto out = Exchange(
      front.port(), "POST /sized HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                        std::to_string(hidden.size()) + "\r\n\r\n" + hidden +
                        "POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
                        chunk_size + "\r\n" + hidden + "\r\n0\r\n\r\n" + kGetClose);
  CHECK(AnswerStatuses(out.bytes) == std::vector<int>{200, 200, 200});
  CHECK(handler.paths() == std::vector<std::string>{"/sized", "/chunked", "/last"});
  const auto requests = handler.requests();
  REQUIRE(requests.size() == 3);
  CHECK(requests[0].has_body);
  CHECK(requests[1].has_body);
  CHECK_FALSE(requests[2].has_body);
}

TEST_CASE("a body over max_body_bytes gets 413 and the connection closed", "[unit][web][http]") {
  auto options = TestFrontOptions();
  options.max_body_bytes = 16;
  RecordingHandler handler;
  RunningFront front(options, handler.handler());
  const auto out =
      Exchange(front.port(), "POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 17\r\n\r\n" +
                                 std::string(17, 'x') + kGet);
  CHECK(AnswerStatuses(out.bytes) == std::vector<int>{413});
  CHECK(out.bytes.find("413 payload too large: request body too large\n") != std::string::npos);
  CHECK(out.closed);
  CHECK(handler.requests().empty());
  // 16 bytes are fine.
  const auto ok =
      Exchange(front.port(), "POST /ok HTTP/1.1\r\nHost: x\r\nContent-Length: 16\r\n\r\n" +
                                 std::string(16, 'x') + kGetClose);
  CHECK(AnswerStatuses(ok.bytes) == std::vector<int>{200, 200});
}

TEST_CASE("a refused head is answered with its reason, then the connection closes",
          "[unit][web][http]") {
  RecordingHandler handler;
  RunningFront front(TestFrontOptions(), handler.handler());
  const std::pair<std::string, std::string> cases[] = {
      {"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n",
       "400 bad request: both Content-Length and Transfer-Encoding\n"},
      {"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: +4\r\n\r\n",
       "400 bad request: malformed Content-Length\n"},
      {"POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n",
       "400 bad request: invalid header name (whitespace before the colon?)\n"},
      {"GET /x HTTP/1.1\r\n\r\n", "400 bad request: missing Host header\n"},
      {"GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n", "400 bad request: invalid request target\n"},
      {"GET /x HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(std::size_t{70} * 1024, 'a') +
           "\r\n\r\n",
       "431 request header fields too large: request head larger than 64 KiB\n"},
  };
  for (const auto& [request, answer] : cases) {
    INFO(answer);
    const auto out = Exchange(front.port(), request + kGet);
    CHECK(AnswerStatuses(out.bytes).size() == 1);
    CHECK(out.bytes.find(answer) != std::string::npos);
    CHECK(out.closed);
  }
  CHECK(handler.requests().empty());
}

TEST_CASE("the handler gets the decoded request and its answer goes out as given",
          "[unit][web][http]") {
  std::vector<HttpRequest> seen;
  std::mutex mu;
  RunningFront front(TestFrontOptions(), [&](const HttpRequest& req) {
    std::lock_guard<std::mutex> lock(mu);
    seen.push_back(req);
    HttpResponse res = HttpResponse::Text(418, "teapot\n");
    res.content_type = "text/x-test";
    res.headers = {{"X-Answer", "yes"}};
    res.close = true;
    return res;
  });
  // Blank lines before the request line are ignored.
  const auto out = Exchange(front.port(),
                            "\r\n\r\nGET /p%20q?target=b+1&debug HTTP/1.1\r\nHost: h\r\n"
                            "X-Custom: v\r\n\r\n" +
                                kGet);
  CHECK(AnswerStatuses(out.bytes) == std::vector<int>{418});  // close: the second is not read
  CHECK(out.closed);
  CHECK(out.bytes.find("Content-Type: text/x-test\r\n") != std::string::npos);
  CHECK(out.bytes.find("X-Answer: yes\r\n") != std::string::npos);
  CHECK(out.bytes.find("\r\n\r\nteapot\n") != std::string::npos);
  std::lock_guard<std::mutex> lock(mu);
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].method == "GET");
  CHECK(seen[0].path == "/p q");
  CHECK(seen[0].Params("target") == std::vector<std::string>{"b 1"});
  CHECK(seen[0].Params("debug") == std::vector<std::string>{""});
  CHECK(seen[0].Header("x-custom") == "v");
  CHECK(seen[0].remote_addr == "127.0.0.1");
  CHECK_FALSE(seen[0].has_body);
}

TEST_CASE("a handler that throws gets 500, and the connection goes on", "[unit][web][http]") {
  RunningFront front(TestFrontOptions(), [](const HttpRequest& req) -> HttpResponse {
    if (req.path == "/throw") throw std::runtime_error("boom");
    return HttpResponse::Text(200, "ok\n");
  });
  const auto out = Exchange(front.port(), "GET /throw HTTP/1.1\r\nHost: x\r\n\r\n" + kGetClose);
  CHECK(AnswerStatuses(out.bytes) == std::vector<int>{500, 200});
  CHECK(out.bytes.find("500 internal server error\n") != std::string::npos);
  CHECK(out.bytes.find("boom") == std::string::npos);
}

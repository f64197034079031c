// The exporter's HTTP front reads requests the way a proxy in front of it would: bodies are
// consumed per their framing (or the connection is closed), never parsed as requests;
// ambiguous framing is refused; pipelined requests are all answered, in order.
#include <catch2/catch.hpp>

#include "support/exporter_harness.h"
#include "support/fake_anchor_api.h"
#include "support/raw_connection.h"
#include "support/web_fixtures.h"

using anchor::FakeAnchorApi;
using anchor::test::AnswerStatuses;
using anchor::test::BatchJson;
using anchor::test::ExporterHarness;
using anchor::test::RawConnection;

namespace {

// A probe of a batch that nothing else fetches (the exporter fetches b1 itself at start).
const std::string kHidden = "GET /probe?target=hidden HTTP/1.1\r\nHost: x\r\n\r\n";

struct Setup {
  FakeAnchorApi api;
  std::unique_ptr<ExporterHarness> exporter;
  explicit Setup(const std::string& web_config = "") {
    REQUIRE(api.Start());
    api.SetBatchJson("b1", BatchJson("b1", "processing", 4));
    api.SetBatchJson("hidden", BatchJson("hidden", "processing", 4));
    auto config = anchor::test::TestConfig(api.base_url(), FakeAnchorApi::Options{}.api_key);
    config.batches = {{"b1", {}}};
    config.probe.allow_unlisted = true;  // so that a parsed hidden probe would reach the API
    const std::string file =
        web_config.empty() ? "" : anchor::test::WriteTempFile("web.yml", web_config);
    exporter = std::make_unique<ExporterHarness>(
        anchor::test::TestAppOptions(anchor::test::FixedConfig(config), file));
  }
  int port() const { return exporter->port(); }
};

// Sends `request` on a new connection; returns the answers' statuses once the server closes
// it, and whether it did.
std::vector<int> Exchange(int port, const std::string& request, bool* closed = nullptr) {
  RawConnection conn(port);
  REQUIRE(conn.ok());
  REQUIRE(conn.Send(request));
  const auto data = conn.ReadUntilClose(std::chrono::seconds(5));
  if (closed != nullptr) *closed = conn.closed();
  return AnswerStatuses(data);
}

}  // namespace

TEST_CASE("pipelined requests are all answered, in order", "[http][e2e]") {
  Setup s;
  RawConnection conn(s.port());
  REQUIRE(
      conn.Send("GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n"
                "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
                "HEAD /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n"
                "GET /-/ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  const auto data = conn.ReadUntilClose();
  CHECK(AnswerStatuses(data) == std::vector<int>{200, 404, 200, 404});
  CHECK(conn.closed());
  // The HEAD answer has the GET's Content-Length and no body: "Healthy" is sent once.
  CHECK(data.find("Healthy\n") != std::string::npos);
  CHECK(data.find("Healthy\n") == data.rfind("Healthy\n"));
}

TEST_CASE("a request body is consumed per its framing, never parsed as a request", "[http][e2e]") {
  Setup s;
  const std::string length = std::to_string(kHidden.size());
  // A GET with a body, a refused POST with a body, a chunked body.
  CHECK(Exchange(s.port(), "GET /-/healthy HTTP/1.1\r\nHost: x\r\nContent-Length: " + length +
                               "\r\n\r\n" + kHidden +
                               "GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n") ==
        std::vector<int>{200, 200});
  CHECK(Exchange(s.port(), "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: " + length +
                               "\r\n\r\n" + kHidden +
                               "GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n") ==
        std::vector<int>{405, 200});
  char chunk_size[16];
  std::snprintf(chunk_size, sizeof(chunk_size), "%zx", kHidden.size());
  CHECK(Exchange(s.port(),
                 "GET /-/healthy HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
                     std::string(chunk_size) + "\r\n" + kHidden + "\r\n0\r\n\r\n" +
                     "GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n") ==
        std::vector<int>{200, 200});
  // Too large to read: 413, and the connection closes rather than parse the rest.
  bool closed = false;
  CHECK(Exchange(s.port(),
                 "POST /-/reload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + kHidden,
                 &closed) == std::vector<int>{413});
  CHECK(closed);
  CHECK(s.api.RequestCount("hidden") == 0);
  // The same request sent as a request does reach the API: the check above can fail.
  CHECK(Exchange(s.port(), kHidden.substr(0, kHidden.size() - 2) + "Connection: close\r\n\r\n") ==
        std::vector<int>{200});
  CHECK(s.api.RequestCount("hidden") == 1);
}

TEST_CASE("a body sent to a refused request is not parsed either (401)", "[http][auth][e2e]") {
  Setup s("basic_auth_users:\n  prometheus: " + anchor::test::HtpasswdHash("pw", 4) + "\n");
  const std::string length = std::to_string(kHidden.size());
  CHECK(Exchange(s.port(), "GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: " + length +
                               "\r\n\r\n" + kHidden +
                               "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n") ==
        std::vector<int>{401, 401});
  CHECK(s.api.RequestCount("hidden") == 0);
}

TEST_CASE("ambiguous framing gets 400 and the connection closed", "[http][e2e]") {
  Setup s;
  const std::string start = "POST /-/healthy HTTP/1.1\r\nHost: x\r\n";
  for (const std::string& fields : {
           std::string("Content-Length: 4\r\nTransfer-Encoding: chunked\r\n"),
           std::string("Transfer-Encoding: chunked\r\nContent-Length: 4\r\n"),
           std::string("Content-Length: 4\r\nContent-Length: 5\r\n"),
           std::string("Content-Length: +4\r\n"), std::string("Content-Length: -1\r\n"),
           std::string("Content-Length: 4x\r\n"), std::string("Content-Length: 4, 5\r\n"),
           std::string("Transfer-Encoding : chunked\r\n"), std::string("Content-Length : 4\r\n"),
           std::string("Transfer-Encoding: gzip, chunked\r\n"),
           std::string("Transfer-Encoding: identity\r\n"), std::string("X-No-Colon-Here\r\n"),
           std::string("X-Folded: a\r\n  b\r\n"), std::string("X-Bare: lf\n"),
           std::string("Host: y\r\n"),  // two Host fields
       }) {
    INFO(fields);
    bool closed = false;
    CHECK(Exchange(s.port(), start + fields + "\r\nbodyGET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n",
                   &closed) == std::vector<int>{400});
    CHECK(closed);
  }
}

TEST_CASE("HTTP/1.1 without Host gets 400, HTTP/1.0 does not need it", "[http][e2e]") {
  Setup s;
  bool closed = false;
  CHECK(Exchange(s.port(), "GET /-/healthy HTTP/1.1\r\n\r\n", &closed) == std::vector<int>{400});
  CHECK(closed);
  CHECK(Exchange(s.port(), "GET /-/healthy HTTP/1.0\r\n\r\n", &closed) == std::vector<int>{200});
  CHECK(closed);  // HTTP/1.0 without keep-alive
}

TEST_CASE("Connection: close is honoured on every answer", "[http][auth][e2e]") {
  Setup s("basic_auth_users:\n  prometheus: " + anchor::test::HtpasswdHash("pw", 4) +
          "\nauth_excluded_paths: [/-/healthy]\n");
  for (const std::string& request : {
           std::string("POST /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),  // 405
           std::string("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),     // 401
           std::string("GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),   // 200
       }) {
    INFO(request);
    RawConnection conn(s.port());
    REQUIRE(conn.Send(request));
    const auto statuses = AnswerStatuses(conn.ReadUntilClose(std::chrono::seconds(5)));
    CHECK(statuses.size() == 1);
    CHECK(conn.closed());
  }
}

// Issue 19: an absolute-form target got 400. RFC 9112 section 3.2.2: a server MUST accept it,
// and the target's authority replaces Host. Any authority: the exporter is an origin server
// that never forwards (ParseRequestTarget says why).
TEST_CASE("absolute-form request targets are served, for any authority", "[http][e2e]") {
  Setup s;
  const std::string self = "127.0.0.1:" + std::to_string(s.port());
  CHECK(Exchange(s.port(), "GET http://" + self + "/-/healthy HTTP/1.1\r\nHost: " + self +
                               "\r\nConnection: close\r\n\r\n") == std::vector<int>{200});
  std::string body;
  CHECK(anchor::test::RawHttpRequest(s.port(),
                                     "GET HTTP://exporter.example:9877/metrics HTTP/1.1\r\n"
                                     "Host: something-else\r\nConnection: close\r\n\r\n",
                                     &body) == 200);
  CHECK(body.find("anchorbrowser_batch_up{batch_id=\"b1\"") != std::string::npos);
  CHECK(Exchange(s.port(),
                 "GET https://x/probe?target=hidden HTTP/1.1\r\nHost: x\r\n"
                 "Connection: close\r\n\r\n") == std::vector<int>{200});
  CHECK(s.api.RequestCount("hidden") == 1);
  // Still refused: another scheme, no host, credentials in the target.
  for (const char* target : {"ftp://x/metrics", "http:///metrics", "http://u:p@x/metrics"}) {
    INFO(target);
    CHECK(Exchange(s.port(), std::string("GET ") + target +
                                 " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n") ==
          std::vector<int>{400});
  }
}

// Issue 19: a client sending "Expect: 100-continue" waits for "100 Continue" before its body
// (curl waits a second, then sends it anyway); the front said nothing.
TEST_CASE("Expect: 100-continue gets 100 Continue before the body, or a final status at once",
          "[http][e2e]") {
  Setup s;
  SECTION("a body within the limit: 100, then the answer once the body is sent") {
    RawConnection conn(s.port());
    REQUIRE(conn.Send(
        "GET /-/healthy HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
    std::string data = conn.ReadAnswers(1);
    CHECK(AnswerStatuses(data) == std::vector<int>{100});
    REQUIRE(conn.Send("hello"));
    data += conn.ReadAnswers(2);
    CHECK(AnswerStatuses(data) == std::vector<int>{100, 200});
  }
  SECTION("a body over the limit: 413 at once, no 100") {
    bool closed = false;
    CHECK(Exchange(s.port(),
                   "POST /-/reload HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                   "Content-Length: 1000000\r\n\r\n",
                   &closed) == std::vector<int>{413});
    CHECK(closed);
  }
  SECTION("no body: the answer, no 100") {
    CHECK(Exchange(s.port(),
                   "GET /-/healthy HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                   "Connection: close\r\n\r\n") == std::vector<int>{200});
  }
  SECTION("HTTP/1.0: the expectation is ignored (RFC 9110, 10.1.1)") {
    CHECK(Exchange(s.port(),
                   "GET /-/healthy HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"
                   "hi") == std::vector<int>{200});
  }
  SECTION("another expectation: 417") {
    bool closed = false;
    CHECK(Exchange(s.port(), "GET /-/healthy HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\n\r\n",
                   &closed) == std::vector<int>{417});
    CHECK(closed);
  }
}

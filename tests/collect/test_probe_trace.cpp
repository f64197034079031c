// RenderProbeTrace (src/collect/probe_trace.h): the text of /probe?debug=true for given traces.
#include <catch2/catch.hpp>
#include <string>

#include "collect/probe_trace.h"

using anchor::FetchError;
using anchor::FetchExplanation;
using anchor::FetchResult;

namespace {

FetchExplanation Requested(const std::string& url) {
  FetchExplanation e;
  e.requested = true;
  e.source = "API request (cache miss)";
  e.cache = "miss: never fetched";
  e.rate_limit = "no Retry-After; no request rate cap";
  auto& t = e.trace;
  t.method = "GET";
  t.url = url;
  t.request_headers = {{"anchor-api-key", "<masked>"}, {"Accept", "application/json"}};
  t.status = 200;
  t.response_headers = {{"Content-Type", "application/json"}};
  t.body_bytes = 1234;
  t.new_connection = true;
  t.address = "127.0.0.1:8443";
  t.lookup = "getaddrinfo";
  t.dns_seconds = 0.0015;
  t.connect_seconds = 0.002;
  t.tls_seconds = 0.0105;
  t.first_byte_seconds = 0.03;
  t.total_seconds = 0.0456;
  t.notes = {"first note", "second note"};
  return e;
}

FetchResult Up() {
  FetchResult r;
  r.batch = anchor::Batch{};
  r.http_status = 200;
  return r;
}

}  // namespace

TEST_CASE("a traced HTTPS request renders every section", "[unit][collect][probe]") {
  const auto text = anchor::RenderProbeTrace(
      "b-1", Requested("https://api.example:8443/v1/batch-sessions/b-1"), Up());
  CHECK(text ==
        "# Probe of batch b-1\n"
        "source: API request (cache miss)\n"
        "cache: miss: never fetched\n"
        "rate_limit: no Retry-After; no request rate cap\n"
        "\n# Request\n"
        "request: GET https://api.example:8443/v1/batch-sessions/b-1\n"
        "  anchor-api-key: <masked>\n"
        "  Accept: application/json\n"
        "address: 127.0.0.1:8443\n"
        "connection: new\n"
        "\n# Answer\n"
        "status: 200\n"
        "  Content-Type: application/json\n"
        "body_bytes: 1234\n"
        "\n# Timing\n"
        "dns_lookup: 1.500 ms (getaddrinfo of the API's host name)\n"
        "connect: 2.000 ms (socket opened to TCP connected)\n"
        "tls_handshake: 10.500 ms (ClientHello to handshake done)\n"
        "first_byte: 30.000 ms (request start to response headers parsed; includes the connect "
        "and TLS handshake of a new connection)\n"
        "total: 45.600 ms (request start to body read and parsed)\n"
        "note: first note\n"
        "note: second note\n"
        "\n# Result\n"
        "up: 1\n"
        "http_status: 200\n"
        "invalid_fields: none\n");
}

TEST_CASE("plain HTTP, a reused connection and other lookups say what was not measured",
          "[unit][collect][probe]") {
  auto plain = Requested("http://127.0.0.1:8080/v1/batch-sessions/b-1");
  plain.trace.lookup = "numeric";
  plain.trace.tls_seconds.reset();
  const auto text = anchor::RenderProbeTrace("b-1", plain, Up());
  CHECK(text.find("dns_lookup: none (the base URL holds an address)\n") != std::string::npos);
  CHECK(text.find("connect: not measured for plain HTTP (part of first_byte)\n") !=
        std::string::npos);
  CHECK(text.find("tls_handshake") == std::string::npos);

  auto reused = Requested("https://api.example/v1/batch-sessions/b-1");
  reused.trace.new_connection = false;
  reused.trace.lookup = "cached";
  reused.trace.first_byte_seconds.reset();
  const auto again = anchor::RenderProbeTrace("b-1", reused, Up());
  CHECK(again.find("connection: reused a kept-alive connection\n") != std::string::npos);
  CHECK(again.find("dns_lookup: none (the address of a lookup less than 30 s old)\n") !=
        std::string::npos);
  CHECK(again.find("connect: none (kept-alive connection reused)\n") != std::string::npos);
  CHECK(again.find("tls_handshake") == std::string::npos);
  CHECK(again.find("first_byte: not measured (") != std::string::npos);

  auto no_answer = Requested("https://api.example/v1/batch-sessions/b-1");
  no_answer.trace.status = 0;
  no_answer.trace.address.clear();
  no_answer.trace.response_headers.clear();
  no_answer.trace.connect_seconds.reset();
  FetchResult timeout;
  timeout.error = FetchError::kTimeout;
  timeout.detail = "no answer within 10 s";
  const auto failed = anchor::RenderProbeTrace("b-1", no_answer, timeout);
  CHECK(failed.find("status: no HTTP answer read\n") != std::string::npos);
  CHECK(failed.find("address: (none)\n") != std::string::npos);
  CHECK(failed.find("connect: not measured (socket opened to TCP connected)\n") !=
        std::string::npos);
  CHECK(failed.find("\n# Result\nup: 0\nreason: timeout\ndetail: no answer within 10 s\n") !=
        std::string::npos);
  CHECK(failed.find("http_status") == std::string::npos);
  CHECK(failed.find("invalid_fields") == std::string::npos);
}

TEST_CASE("an answer from the cache renders no request", "[unit][collect][probe]") {
  FetchExplanation cached;
  cached.source = "cache (terminal batch)";
  cached.cache = "hit: 12 s old";
  cached.rate_limit = "not consulted";
  auto up = Up();
  up.batch->invalid_fields = {"progress.percentage", "sessions[].retry_count"};
  const auto text = anchor::RenderProbeTrace("done", cached, up);
  CHECK(text ==
        "# Probe of batch done\n"
        "source: cache (terminal batch)\n"
        "cache: hit: 12 s old\n"
        "rate_limit: not consulted\n"
        "\n# Result\n"
        "up: 1\n"
        "http_status: 200\n"
        "invalid_fields: progress.percentage, sessions[].retry_count\n");
  FetchExplanation unconsulted;
  CHECK(anchor::RenderProbeTrace("x", unconsulted, up).find("cache: not consulted\n") !=
        std::string::npos);
}

TEST_CASE("an invalid answer names its parse error and HTTP status", "[unit][collect][probe]") {
  FetchResult invalid;
  invalid.error = FetchError::kInvalidResponse;
  invalid.http_status = 200;
  invalid.detail = "not JSON at offset 0";
  const auto text = anchor::RenderProbeTrace("b", FetchExplanation{}, invalid);
  CHECK(text.find("up: 0\nreason: invalid_response\ndetail: not JSON at offset 0\n"
                  "http_status: 200\nparse_error: not JSON at offset 0\n") != std::string::npos);
}

TEST_CASE("header values from the API stay on one line each", "[unit][collect][probe]") {
  auto e = Requested("https://api.example/v1/batch-sessions/b");
  e.trace.response_headers = {{"X-Evil", "a\r\nup: 1\tb"}};
  FetchResult down;
  down.error = FetchError::kServerError;
  down.http_status = 500;
  down.detail = "HTTP 500:\nbody";
  const auto text = anchor::RenderProbeTrace("b", e, down);
  CHECK(text.find("  X-Evil: a  up: 1 b\n") != std::string::npos);
  CHECK(text.find("detail: HTTP 500: body\n") != std::string::npos);
  CHECK(text.find("\nup: 1") == std::string::npos);  // no injected line
}

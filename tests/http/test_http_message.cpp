// ParseRequestTarget and HttpRequest's look-ups called directly.
#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "http/http_message.h"

using anchor::HttpRequest;
using anchor::HttpResponse;
using anchor::ParseRequestTarget;
using Query = std::vector<std::pair<std::string, std::string>>;

TEST_CASE("ParseRequestTarget splits and decodes path and query", "[unit][web][http]") {
  std::string path;
  Query query;
  // The path and query of `target`, false when it is refused.
  auto parse = [&](const char* target) {
    auto parsed = ParseRequestTarget(target);
    if (!parsed.ok()) return false;
    path = parsed->path;
    query = parsed->query;
    return true;
  };
  REQUIRE(parse("/probe?target=b%2D1&debug=true"));
  CHECK(path == "/probe");
  CHECK(query == Query{{"target", "b-1"}, {"debug", "true"}});
  // '+' is a space in the query only; %2B is a plus; a key without '=' has an empty value.
  REQUIRE(parse("/a+b%20c?x=1+2&y=%2B&flag&&z="));
  CHECK(path == "/a+b c");
  CHECK(query == Query{{"x", "1 2"}, {"y", "+"}, {"flag", ""}, {"z", ""}});
  // Repeated keys stay, in order; '=' inside a value is part of it.
  REQUIRE(parse("/p?k=1&k=2&e=a=b"));
  CHECK(query == Query{{"k", "1"}, {"k", "2"}, {"e", "a=b"}});
  REQUIRE(parse("/"));
  CHECK(path == "/");
  CHECK(query.empty());  // cleared from the last call
  REQUIRE(parse("/%41%62?"));
  CHECK(path == "/Ab");
  CHECK(query.empty());
}

TEST_CASE("ParseRequestTarget refuses targets that are not origin-form or badly escaped",
          "[unit][web][http]") {
  for (const char* bad : {"", "*", "metrics", "/%", "/%4", "/%zz", "/ok?x=%", "/ok?x=%g1",
                          "/ok?%=1", "ftp://example.org/metrics", "http://", "http:///metrics",
                          "http://user:secret@example.org/metrics", "http://exa mple/metrics",
                          "http://example.org/%zz"}) {
    INFO(bad);
    const auto refused = ParseRequestTarget(bad);
    CHECK_FALSE(refused.ok());
    CHECK_FALSE(refused.error().empty());
  }
}

TEST_CASE("ParseRequestTarget takes the absolute-form for any host (RFC 9112 section 3.2.2)",
          "[unit][web][http]") {
  auto parsed = ParseRequestTarget("http://127.0.0.1:9877/probe?target=b%2D1");
  REQUIRE(parsed.ok());
  CHECK(parsed->authority == "127.0.0.1:9877");
  CHECK(parsed->path == "/probe");
  REQUIRE(parsed->query.size() == 1);
  CHECK(parsed->query[0].second == "b-1");
  parsed = ParseRequestTarget("HTTPS://[::1]:9877");
  REQUIRE(parsed.ok());
  CHECK(parsed->authority == "[::1]:9877");
  CHECK(parsed->path == "/");
  parsed = ParseRequestTarget("http://exporter.example?x=1");
  REQUIRE(parsed.ok());
  CHECK(parsed->path == "/");
  CHECK(parsed->query.size() == 1);
  parsed = ParseRequestTarget("/metrics");
  REQUIRE(parsed.ok());
  CHECK(parsed->authority.empty());
}

TEST_CASE("HttpRequest looks headers up case-blind and parameters by exact name",
          "[unit][web][http]") {
  HttpRequest req;
  req.headers = {{"Accept-Encoding", "gzip"}, {"X-Twice", "first"}, {"x-twice", "second"}};
  req.query = {{"target", "a"}, {"Target", "b"}, {"target", "c"}};
  CHECK(req.Header("accept-encoding") == "gzip");
  CHECK(req.Header("ACCEPT-ENCODING") == "gzip");
  CHECK(req.Header("X-TWICE") == "first");
  CHECK(req.Header("Accept").empty());
  CHECK(req.Params("target") == std::vector<std::string>{"a", "c"});
  CHECK(req.Params("debug").empty());
}

TEST_CASE("HttpResponse::Text is a plain-text answer", "[unit][web][http]") {
  const auto res = HttpResponse::Text(404, "not found\n");
  CHECK(res.status == 404);
  CHECK(res.body == "not found\n");
  CHECK(res.content_type == "text/plain; charset=utf-8");
  CHECK(res.headers.empty());
  CHECK_FALSE(res.close);
}

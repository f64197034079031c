#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace anchor {

// A request as the exporter's routes see it, independent of the HTTP library that parsed it.
struct HttpRequest {
  std::string method;                                      // as sent, e.g. "GET"
  std::string path;                                        // percent-decoded, without the query
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  std::vector<std::pair<std::string, std::string>> headers;
  std::string remote_addr;
  bool has_body = false;  // the request announced a body (it has been read and dropped)

  // The first value of header `name` (case-insensitive), or "".
  std::string Header(std::string_view name) const;
  // The values of query parameter `name`.
  std::vector<std::string> Params(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  // Sent after `body`: immutable blocks that other answers may share (the render cache's), so
  // that an answer waiting for a slow client costs references, not a copy of them.
  std::vector<std::shared_ptr<const std::string>> blocks;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type/-Length
  bool close = false;  // close the connection after this answer
  // Released once the answer has been written or its connection has ended: e.g. the
  // --web.max-requests slot of a scrape, which an answer still being written keeps.
  std::shared_ptr<const void> hold;
  // Called by the front as it starts writing the answer (on the connection's thread), with a
  // way to close the connection from any thread: how a --web.max-requests slot held by an
  // answer stuck in a client that does not read can be taken back (AnswerSlots).
  std::function<void(std::function<void()> close)> on_write;

  std::size_t BodySize() const;
  // `body` followed by the blocks, in one string (tests, small answers).
  std::string BodyText() const;

  static HttpResponse Text(int status, std::string text) {
    HttpResponse res;
    res.status = status;
    res.body = std::move(text);
    return res;
  }
};

// Answers `req` with `handler`; a handler that throws gets "500 internal server error", after
// `report` (when given) is told what it threw. The server's one catch-all: the front answers
// every request through it, and the exporter's routes through it too, to log the path.
HttpResponse AnswerOrInternalError(const std::function<HttpResponse(const HttpRequest&)>& handler,
                                   const HttpRequest& req,
                                   const std::function<void(const std::string& what)>& report = {});

// A request target split into its percent-decoded path and query parameters.
struct RequestTarget {
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  std::string authority;  // host[:port] of an absolute-form target, else empty
};

// Splits a request target ('+' is a space in the query), or says why it cannot: neither
// origin-form ("/metrics?x=1") nor absolute-form, or a broken %-escape.
//
// Absolute-form ("http://host:port/metrics", RFC 9112 section 3.2.2: a server MUST accept it)
// is taken for any authority, as Go's net/http does: the exporter is an origin server, not a
// proxy, serves one site whatever name or address a client used to reach it, and never forwards
// a request, so no authority can make it talk to anyone else. The scheme must be http or https
// and the authority non-empty; userinfo ("user:pass@host") is refused (RFC 9110 section 4.2.4
// says to treat it as an error). An empty path is "/". The authority then replaces the Host
// header's value (RFC 9112 section 3.2.2), which the front does.
Result<RequestTarget> ParseRequestTarget(std::string_view target);

}  // namespace anchor

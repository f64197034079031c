#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/result.h"
#include "http/connection_stats.h"
#include "http/http_front_options.h"

namespace anchor {

struct FrontCore;  // http_front_core.h: what the listener and the connections share

// The exporter's HTTP/1.1 server, for clients that may be hostile: a few I/O threads serve
// every connection asynchronously (Boost.Beast and Asio), so slow or idle connections cost
// memory, not threads; handlers run on a bounded WorkerPool. Every request head is parsed once
// and checked (RequestReader) before the handler sees it; a body is read per its framing and
// dropped, or the connection is closed; pipelined requests are answered in order.
class HttpFront {
 public:
  // Plain HTTP until UseTls().
  HttpFront(HttpFrontOptions options, HttpHandler handler);
  ~HttpFront();
  HttpFront(const HttpFront&) = delete;
  HttpFront& operator=(const HttpFront&) = delete;

  // Serves every connection over TLS, with the context `setup` configures; before Bind(). A
  // call of its own, so that a caller tells a TLS failure from a listen failure by the step.
  Status UseTls(const TlsContextSetup& setup);
  // Listens, or says why not.
  Status Bind();
  // Serves until Stop(), then returns once every connection is closed and handlers are done.
  // Also returns, with the reason, when the listening socket fails for good (accept() errors
  // that a retry cannot cure; running out of descriptors is retried, not fatal).
  Status Serve();
  // Safe from any thread, also before Serve() (which then returns at once).
  void Stop();
  bool running() const;
  int port() const;

  // What the connection table holds and has done (for the exporter's own metrics).
  ConnectionStats connection_stats() const;

 private:
  std::shared_ptr<FrontCore> core_;
};

}  // namespace anchor

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
// memory, not threads; handlers run on a bounded WorkerPool. Every request head is checked
// (CheckRequestHead) before the handler sees it; a body is read per its framing and dropped, or
// the connection is closed; pipelined requests are answered in order.
class HttpFront {
 public:
  // `tls` null: plain HTTP.
  HttpFront(HttpFrontOptions options, HttpHandler handler, TlsContextSetup tls = nullptr);
  ~HttpFront();
  HttpFront(const HttpFront&) = delete;
  HttpFront& operator=(const HttpFront&) = delete;

  // Sets up TLS and listens, or says why not (starting with kTlsSetupError when TLS failed).
  Status Bind();
  // Serves until Stop(); returns once every connection is closed and handlers are done.
  void Serve();
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

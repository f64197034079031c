#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/result.h"
#include "web/connection_stats.h"
#include "web/http_message.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace anchor {

struct HttpFrontOptions {
  std::string host = "0.0.0.0";
  int port = 0;
  std::size_t max_connections = 1024;  // open at once; see ConnectionTable for a full server
  std::chrono::milliseconds head_timeout{10000};   // from a head's first byte to its end
  std::chrono::milliseconds idle_timeout{60000};   // keep-alive: a connection waiting for a request
  std::chrono::milliseconds write_timeout{60000};  // to send one answer
  std::size_t io_threads = 2;
  std::size_t worker_threads = 48;  // handlers running at once
  std::size_t worker_queue = 64;    // handlers waiting; beyond that 503
  std::size_t max_body_bytes = 4096;
  // Called on an I/O thread each time accept() fails (the front retries 50 ms later), with the
  // error, whether it means out of descriptors (EMFILE, ENFILE) and the connections open now.
  // Must not block; the caller rate-limits what it logs.
  std::function<void(const std::string& error, bool out_of_descriptors, std::size_t open)>
      on_accept_error;
};

constexpr const char* kTlsSetupError = "TLS: ";

// Answers a request; runs on a worker thread, so it may block.
using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;
// Sets up the server's TLS context, or says why it cannot.
using TlsContextSetup = std::function<Status(SSL_CTX&)>;

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

  struct Core;  // defined in http_front_core.h, for the front's own sources only

 private:
  std::shared_ptr<Core> core_;
};

}  // namespace anchor

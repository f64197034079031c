#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

#include "base/result.h"
#include "http/http_message.h"

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
  std::size_t worker_threads = 48;    // handlers running at once
  std::size_t worker_queue = 64;      // handlers waiting; beyond that 503
  std::size_t max_body_bytes = 4096;  // read and dropped; larger: 413
  // Called on an I/O thread each time accept() fails (the front retries 50 ms later), with the
  // error, whether it means out of descriptors (EMFILE, ENFILE) and the connections open now.
  // Must not block; the caller rate-limits what it logs.
  std::function<void(const std::string& error, bool out_of_descriptors, std::size_t open)>
      on_accept_error;
};

// Answers a request; runs on a worker thread, so it may block.
using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;
// Sets up the server's TLS context, or says why it cannot.
using TlsContextSetup = std::function<Status(SSL_CTX&)>;

}  // namespace anchor

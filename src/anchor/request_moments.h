#pragma once

#include <chrono>
#include <optional>

typedef struct ssl_ctx_st SSL_CTX;

namespace anchor {

// When the phases of one API request happened. cpp-httplib has no timing hooks, but it opens
// the socket (socket_options callback) and runs the TLS handshake (OpenSSL's info callback) on
// the thread that called Get(), so a thread-local pointer collects them without locking.
struct RequestMoments {
  using Clock = std::chrono::steady_clock;
  std::optional<Clock::time_point> socket_opened;      // just before connect()
  std::optional<Clock::time_point> handshake_started;  // TCP connected, TLS ClientHello next
  std::optional<Clock::time_point> handshake_done;
  std::optional<Clock::time_point> headers_received;  // status line and headers parsed

  // While it lives, the callbacks below record into `moments` on this thread.
  class Scope {
   public:
    explicit Scope(RequestMoments& moments);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    RequestMoments* previous_;
  };

  // For the client's socket_options callback.
  static void MarkSocketOpened();
  // Installs the TLS handshake observer on a client's SSL_CTX (once per context).
  static void ObserveHandshakes(SSL_CTX* ctx);
};

}  // namespace anchor

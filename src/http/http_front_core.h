// Internal to http_front.cpp and http_connection.cpp: what the listener and the connections
// share. Includes Boost.Asio; keep it out of other headers.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "http/connection_table.h"
#include "http/http_front_options.h"
#include "http/worker_pool.h"

namespace anchor {

struct FrontCore : std::enable_shared_from_this<FrontCore> {
  FrontCore(HttpFrontOptions o, HttpHandler h)
      : options(std::move(o)),
        handler(std::move(h)),
        table(options.max_connections),
        pool(options.worker_threads, options.worker_queue),
        acceptor(io),
        retry_timer(io) {}

  void Accept();
  void AcceptFailed(const boost::system::error_code& ec);
  void ListenerBroke(const boost::system::error_code& ec);
  void OnAccept(boost::asio::ip::tcp::socket socket);
  void StopOnIoThread();

  const HttpFrontOptions options;
  const HttpHandler handler;
  ConnectionTable table;
  WorkerPool pool;
  boost::asio::io_context io;
  std::optional<boost::asio::ssl::context> tls;
  boost::asio::ip::tcp::acceptor acceptor;
  boost::asio::steady_timer retry_timer;  // after accept() fails (e.g. out of descriptors)
  std::atomic<std::uint64_t> accept_errors{0};
  std::atomic<bool> running{false};
  std::atomic<bool> stopped{false};
  int port = 0;
  // Why the listener failed for good; written on an I/O thread, read once they are joined.
  std::optional<std::string> listener_failure;
};

// Starts serving an accepted connection (plain or TLS, as the core says).
void StartConnection(const std::shared_ptr<FrontCore>& core, boost::asio::ip::tcp::socket socket);

}  // namespace anchor

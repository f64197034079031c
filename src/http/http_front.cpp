#include "http/http_front.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <thread>
#include <vector>

#include "http/http_front_core.h"

namespace anchor {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// accept() errors that no retry cures: the listening socket itself is gone or broken (EBADF,
// ENOTSOCK, EINVAL once it is shut down, EOPNOTSUPP). Running out of descriptors or memory and
// connections aborted before they were accepted pass, and are retried.
bool ListenerBroken(const boost::system::error_code& ec) {
  namespace errc = boost::system::errc;
  return ec == errc::bad_file_descriptor || ec == errc::not_a_socket ||
         ec == errc::invalid_argument || ec == errc::operation_not_supported;
}

}  // namespace

HttpFront::HttpFront(HttpFrontOptions options, HttpHandler handler)
    : core_(std::make_shared<FrontCore>(std::move(options), std::move(handler))) {}

HttpFront::~HttpFront() {
  try {
    Stop();
    if (!core_->running) {
      // Runs what Stop() posted and what the closed connections still have to finish, so that
      // no handler queued in the io_context keeps the core (which owns that io_context) alive.
      core_->io.restart();
      core_->io.run();
    }
    core_->pool.Shutdown();
  } catch (...) {  // a destructor must not throw
  }
}

Status HttpFront::UseTls(const TlsContextSetup& setup) {
  FrontCore& c = *core_;
  c.tls.emplace(asio::ssl::context::tls_server);
  if (auto set_up = setup(*c.tls->native_handle()); !set_up.ok()) {
    c.tls.reset();
    return set_up;
  }
  return Status::Ok();
}

Status HttpFront::Bind() {
  FrontCore& c = *core_;
  boost::system::error_code ec;
  tcp::resolver resolver(c.io);
  const auto endpoints =
      resolver.resolve(c.options.host, std::to_string(c.options.port),
                       tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty())
    return Error{"cannot resolve " + c.options.host + ": " + ec.message()};
  const tcp::endpoint endpoint = endpoints.begin()->endpoint();
  c.acceptor.open(endpoint.protocol(), ec);
  // SO_REUSEADDR only, as Go servers do: SO_REUSEPORT would let a second exporter bind the same
  // port without an error and silently take half the scrapes.
  if (!ec) c.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) c.acceptor.bind(endpoint, ec);
  if (!ec) c.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Error{ec.message()};
  c.port = c.acceptor.local_endpoint().port();
  return Status::Ok();
}

void FrontCore::Accept() {
  acceptor.async_accept(asio::make_strand(io),
                        [self = shared_from_this()](boost::system::error_code ec, tcp::socket s) {
                          if (!self->acceptor.is_open()) return;
                          if (ListenerBroken(ec)) return self->ListenerBroke(ec);
                          if (ec) {
                            self->AcceptFailed(ec);
                            // Out of descriptors or a transient error: try again shortly instead of
                            // spinning.
                            self->retry_timer.expires_after(std::chrono::milliseconds(50));
                            self->retry_timer.async_wait([self](boost::system::error_code) {
                              if (self->acceptor.is_open()) self->Accept();
                            });
                            return;
                          }
                          self->OnAccept(std::move(s));
                          self->Accept();
                        });
}

void FrontCore::AcceptFailed(const boost::system::error_code& ec) {
  accept_errors.fetch_add(1, std::memory_order_relaxed);
  if (!options.on_accept_error) return;
  const bool out_of_descriptors = ec == boost::system::errc::too_many_files_open ||
                                  ec == boost::system::errc::too_many_files_open_in_system;
  try {
    options.on_accept_error(ec.message(), out_of_descriptors, table.size());
  } catch (...) {  // logging must not end the accept loop
  }
}

// Serving ends as after Stop(): answers in progress are finished, then Serve() says why.
void FrontCore::ListenerBroke(const boost::system::error_code& ec) {
  accept_errors.fetch_add(1, std::memory_order_relaxed);
  listener_failure = "cannot accept connections: " + ec.message();
  stopped = true;
  StopOnIoThread();
}

void FrontCore::OnAccept(tcp::socket socket) {
  boost::system::error_code ec;
  // The answer goes out as headers and body; with Nagle's algorithm the body would wait for the
  // scraper's delayed ACK, ~40 ms per scrape on Linux.
  socket.set_option(tcp::no_delay(true), ec);
  StartConnection(shared_from_this(), std::move(socket));
}

void FrontCore::StopOnIoThread() {
  boost::system::error_code ec;
  acceptor.close(ec);
  retry_timer.cancel();
  table.CloseAllButBusy();
}

Status HttpFront::Serve() {
  FrontCore& c = *core_;
  if (c.stopped) return Status::Ok();
  c.running = true;
  asio::post(c.io, [core = core_] {
    if (core->stopped) {
      core->StopOnIoThread();
    } else {
      core->Accept();
    }
  });
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < c.options.io_threads; ++i) threads.emplace_back([&c] { c.io.run(); });
  c.io.run();
  for (auto& t : threads) t.join();
  c.running = false;
  c.pool.Shutdown();
  if (c.listener_failure) return Error{*c.listener_failure};
  return Status::Ok();
}

void HttpFront::Stop() {
  if (core_->stopped.exchange(true)) return;
  asio::post(core_->io, [core = core_] { core->StopOnIoThread(); });
}

bool HttpFront::running() const { return core_->running; }
int HttpFront::port() const { return core_->port; }
ConnectionStats HttpFront::connection_stats() const {
  const ConnectionTable& t = core_->table;
  return {t.size(), t.cap(), t.displaced(), t.refused(),
          core_->accept_errors.load(std::memory_order_relaxed)};
}

}  // namespace anchor

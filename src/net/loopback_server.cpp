#include "net/loopback_server.h"

#include <httplib.h>

#include <chrono>
#include <utility>

#include "net/listen_backlog.h"
#include "net/listen_diagnosis.h"

namespace anchor {

LoopbackServer::LoopbackServer(std::unique_ptr<httplib::Server> server, bool tls)
    : server_(std::move(server)), tls_(tls) {}

LoopbackServer::~LoopbackServer() { Stop(); }

namespace {

// httplib says only that binding failed; binding again as it does finds the errno text.
Error BindError(int port) {
  std::string reason = "cannot bind 127.0.0.1:" + std::to_string(port);
  if (const Status why = DiagnoseListen("127.0.0.1", port); !why.ok()) {
    reason += ": " + why.error();
  }
  return Error{reason};
}

}  // namespace

Status LoopbackServer::Start(int port) {
  if (!server_->is_valid()) {
    return Error{"cannot start the loopback server: its TLS certificate or key did not load"};
  }
  if (port == 0) {
    port_ = server_->bind_to_any_port("127.0.0.1");
    if (port_ <= 0) return BindError(port);
  } else {
    if (!server_->bind_to_port("127.0.0.1", port)) return BindError(port);
    port_ = port;
  }
  WidenListenBacklog(*server_);
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // A stop() before the accept loop runs would be lost and leave it running forever.
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return Status::Ok();
}

void LoopbackServer::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string LoopbackServer::base_url() const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
}

}  // namespace anchor

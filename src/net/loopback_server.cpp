#include "net/loopback_server.h"

#include <httplib.h>

#include <chrono>
#include <utility>

#include "net/listen_backlog.h"

namespace anchor {

LoopbackServer::LoopbackServer(std::unique_ptr<httplib::Server> server, bool tls)
    : server_(std::move(server)), tls_(tls) {}

LoopbackServer::~LoopbackServer() { Stop(); }

bool LoopbackServer::Start(int port) {
  if (!server_->is_valid()) return false;
  if (port == 0) {
    port_ = server_->bind_to_any_port("127.0.0.1");
    if (port_ <= 0) return false;
  } else {
    if (!server_->bind_to_port("127.0.0.1", port)) return false;
    port_ = port;
  }
  WidenListenBacklog(*server_);
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // A stop() before the accept loop runs would be lost and leave it running forever.
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return true;
}

void LoopbackServer::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string LoopbackServer::base_url() const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
}

}  // namespace anchor

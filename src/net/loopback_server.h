#pragma once

#include <memory>
#include <string>
#include <thread>

#include "base/result.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace anchor {

// Runs a cpp-httplib server on 127.0.0.1 from a background thread: the demo's simulated API
// and the tests' scripted fake share this start/stop logic.
class LoopbackServer {
 public:
  // Takes a configured server (routes, limits set); `tls` only decides the URL scheme.
  LoopbackServer(std::unique_ptr<httplib::Server> server, bool tls);
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  // Binds an ephemeral port on 127.0.0.1 (or `port`) and serves until Stop(). Else why not
  // (certificate not loaded, port taken), so that a caller can log the reason.
  Status Start(int port = 0);
  void Stop();
  int port() const { return port_; }
  std::string base_url() const;
  httplib::Server& server() { return *server_; }

 private:
  std::unique_ptr<httplib::Server> server_;
  bool tls_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace anchor

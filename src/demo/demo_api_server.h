#pragma once

#include <string>

#include "base/result.h"
#include "demo/simulated_api.h"
#include "net/loopback_server.h"

namespace anchor {

// The simulated Anchor API that `--demo` points the exporter at: a real HTTP server on
// 127.0.0.1 answering the two read endpoints from a SimulatedApi, with the API's 401 and 404.
// Nothing here scripts faults: that is the tests' fake API (tests/support/fake_anchor_api.h).
class DemoApiServer {
 public:
  // `now`: the simulation's clock (the system clock; a test passes a fixed one).
  explicit DemoApiServer(UnixClock now = SystemUnixNow);
  // Else why the server cannot listen (the reason names the port).
  Status Start() { return server_.Start(); }
  void Stop() { server_.Stop(); }
  std::string base_url() const { return server_.base_url(); }
  SimulatedApi& simulated() { return simulated_; }

 private:
  SimulatedApi simulated_;
  LoopbackServer server_;
};

}  // namespace anchor

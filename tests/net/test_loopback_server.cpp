// LoopbackServer (src/net/loopback_server.h): a cpp-httplib server on 127.0.0.1, started on an
// ephemeral or given port and stopped for good.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "net/connect_diagnosis.h"
#include "net/loopback_server.h"

using std::chrono::milliseconds;

namespace {

// The reason of a failed Status, "" for success.
std::string Why(const anchor::Status& status) { return status.ok() ? "" : status.error(); }

std::unique_ptr<httplib::Server> HelloServer() {
  auto server = std::make_unique<httplib::Server>();
  server->Get("/hello", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("hi", "text/plain");
  });
  return server;
}

}  // namespace

TEST_CASE("a loopback server serves on an ephemeral port until stopped", "[unit][net]") {
  anchor::LoopbackServer server(HelloServer(), /*tls=*/false);
  REQUIRE(server.Start());
  REQUIRE(server.port() > 0);
  CHECK(server.base_url() == "http://127.0.0.1:" + std::to_string(server.port()));
  httplib::Client client(server.base_url());
  const auto hello = client.Get("/hello");
  REQUIRE(hello);
  CHECK(hello->status == 200);
  CHECK(hello->body == "hi");
  server.Stop();
  CHECK(Why(anchor::DiagnoseConnect("127.0.0.1", server.port(), milliseconds(2000))) ==
        "Connection refused");
  server.Stop();  // twice is harmless
}

TEST_CASE("a loopback server starts on a given port, not on a taken one", "[unit][net]") {
  // A plain listener holds the port (cpp-httplib binds with SO_REUSEPORT, so a second
  // cpp-httplib server on the same port would share it rather than fail).
  const int holder = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(holder >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(holder, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0);
  REQUIRE(listen(holder, 4) == 0);
  socklen_t len = sizeof(addr);
  REQUIRE(getsockname(holder, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  const int port = ntohs(addr.sin_port);
  anchor::LoopbackServer taken(HelloServer(), /*tls=*/false);
  const anchor::Status refused = taken.Start(port);
  CHECK_FALSE(refused);
  CHECK(refused.error() ==
        "cannot bind 127.0.0.1:" + std::to_string(port) + ": Address already in use");
  close(holder);

  anchor::LoopbackServer again(HelloServer(), /*tls=*/false);
  REQUIRE(again.Start(port));
  CHECK(again.port() == port);
  httplib::Client client(again.base_url());
  REQUIRE(client.Get("/hello"));
}

TEST_CASE("a loopback server stopped right after its start does not hang", "[unit][net]") {
  for (int i = 0; i < 20; ++i) {
    anchor::LoopbackServer server(HelloServer(), /*tls=*/false);
    REQUIRE(server.Start());
  }  // the destructor stops it: a lost stop() would never return here
}

TEST_CASE("a TLS loopback server that cannot load its certificate does not start",
          "[unit][net][tls]") {
  anchor::LoopbackServer server(
      std::make_unique<httplib::SSLServer>("/nonexistent/cert.pem", "/nonexistent/key.pem"),
      /*tls=*/true);
  const anchor::Status refused = server.Start();
  CHECK_FALSE(refused);
  CHECK(refused.error().find("certificate") != std::string::npos);
  CHECK(server.base_url().rfind("https://127.0.0.1:", 0) == 0);
}

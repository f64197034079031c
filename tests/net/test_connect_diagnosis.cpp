// The connect diagnosis (src/net/connect_diagnosis.h): our own name lookup and one connect that
// names the errno. Only 127.0.0.1 and ::1 are contacted; .invalid names never resolve (RFC 2606).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <string>

#include "net/connect_diagnosis.h"

using std::chrono::milliseconds;

namespace {

// The reason of a failed Status, "" for success.
std::string Why(const anchor::Status& status) { return status.ok() ? "" : status.error(); }

// A TCP socket bound to 127.0.0.1 on an ephemeral port; listening or not. Bound but not
// listening, the port is refused and no other test can take it meanwhile.
class LoopbackSocket {
 public:
  explicit LoopbackSocket(bool listening, int backlog = 16) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0);
    socklen_t len = sizeof(addr);
    REQUIRE(getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
    if (listening) REQUIRE(listen(fd_, backlog) == 0);
  }
  ~LoopbackSocket() { close(fd_); }
  LoopbackSocket(const LoopbackSocket&) = delete;
  LoopbackSocket& operator=(const LoopbackSocket&) = delete;
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace

TEST_CASE("ErrnoText is the system's text for an errno", "[unit][net]") {
  CHECK(anchor::ErrnoText(ECONNREFUSED) == "Connection refused");
  CHECK(anchor::ErrnoText(EADDRINUSE) == "Address already in use");
  CHECK(anchor::ErrnoText(EHOSTUNREACH) == "No route to host");
}

TEST_CASE("a connect to a closed loopback port names ECONNREFUSED", "[unit][net]") {
  const LoopbackSocket closed(/*listening=*/false);
  CHECK(Why(anchor::DiagnoseConnect("127.0.0.1", closed.port(), milliseconds(2000))) ==
        "Connection refused");
}

TEST_CASE("a connect that succeeds reports no failure", "[unit][net]") {
  const LoopbackSocket open(/*listening=*/true);
  CHECK(anchor::DiagnoseConnect("127.0.0.1", open.port(), milliseconds(2000)).ok());
}

TEST_CASE("a connect that is never answered reports the wait", "[unit][net]") {
  // A listener whose accept queue is full drops further SYNs: the connect stays pending.
  const LoopbackSocket full(/*listening=*/true, /*backlog=*/0);
  std::vector<int> fillers;
  for (int i = 0; i < 4; ++i) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(full.port()));
    const int rc = connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
    CHECK((rc == 0 || errno == EINPROGRESS));
    fillers.push_back(fd);
  }
  CHECK(Why(anchor::DiagnoseConnect("127.0.0.1", full.port(), milliseconds(50))) ==
        "no answer to the connection attempt within 50 ms");
  for (const int fd : fillers) close(fd);
}

TEST_CASE("a connect needs a numeric address", "[unit][net]") {
  CHECK(Why(anchor::DiagnoseConnect("localhost", 80, milliseconds(10))) ==
        "not a numeric address: localhost");
}

TEST_CASE("a connect over IPv6 loopback names the errno too", "[unit][net]") {
  const int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in6 addr{};
  addr.sin6_family = AF_INET6;
  addr.sin6_addr = in6addr_loopback;
  if (fd < 0 || bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    if (fd >= 0) close(fd);
    WARN("no IPv6 loopback here");
    return;
  }
  socklen_t len = sizeof(addr);
  REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  CHECK(Why(anchor::DiagnoseConnect("::1", ntohs(addr.sin6_port), milliseconds(2000))) ==
        "Connection refused");
  close(fd);
}

TEST_CASE("ResolveHost returns numeric addresses as they are", "[unit][net]") {
  const auto v4 = anchor::ResolveHost("127.0.0.1", 443);
  REQUIRE(v4.ok());
  CHECK(*v4 == std::vector<std::string>{"127.0.0.1"});
  const auto v6 = anchor::ResolveHost("::1", 443);
  REQUIRE(v6.ok());
  CHECK(*v6 == std::vector<std::string>{"::1"});
}

TEST_CASE("ResolveHost finds localhost once per address", "[unit][net]") {
  const auto local = anchor::ResolveHost("localhost", 443);
  REQUIRE(local.ok());
  REQUIRE_FALSE(local->empty());
  for (const auto& a : (*local)) {
    INFO(a);
    CHECK((a == "127.0.0.1" || a == "::1"));
    CHECK(std::count((*local).begin(), (*local).end(), a) == 1);
  }
}

TEST_CASE("ResolveHost of a name that does not resolve says why", "[unit][net]") {
  const auto gone = anchor::ResolveHost("anchor-api.invalid", 443);
  REQUIRE_FALSE(gone.ok());
  CHECK_FALSE(gone.error().empty());
}

// The listen diagnosis (src/net/listen_diagnosis.h): binds as a server would and names why not.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "net/listen_diagnosis.h"

namespace {

// The reason of a failed Status, "" for success.
std::string Why(const anchor::Status& status) { return status.ok() ? "" : status.error(); }

// A socket listening on 127.0.0.1 on an ephemeral port.
struct Listener {
  int fd = -1;
  int port = 0;
  Listener() {
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0);
    REQUIRE(listen(fd, 4) == 0);
    socklen_t len = sizeof(addr);
    REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port = ntohs(addr.sin_port);
  }
  ~Listener() {
    if (fd >= 0) close(fd);
  }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
};

}  // namespace

TEST_CASE("a port another socket listens on is EADDRINUSE", "[unit][net]") {
  const Listener taken;
  CHECK(Why(anchor::DiagnoseListen("127.0.0.1", taken.port)) == "Address already in use");
}

TEST_CASE("a port that can be listened on gives no reason", "[unit][net]") {
  int port = 0;
  {
    const Listener released;
    port = released.port;
  }  // closed: free again (SO_REUSEADDR, as a server binds)
  CHECK(anchor::DiagnoseListen("127.0.0.1", port).ok());
  CHECK(anchor::DiagnoseListen("127.0.0.1", 0).ok());
}

TEST_CASE("a listen host that does not resolve names the lookup error", "[unit][net]") {
  const std::string why = Why(anchor::DiagnoseListen("exporter.invalid", 0));
  CHECK(why.rfind("cannot resolve exporter.invalid: ", 0) == 0);
  CHECK(why.size() > std::string("cannot resolve exporter.invalid: ").size());
}

TEST_CASE("a listen address that is not this host's is refused", "[unit][net]") {
  // 192.0.2.1 (TEST-NET-1, RFC 5737) is no local address: bind fails, nothing is sent.
  CHECK(Why(anchor::DiagnoseListen("192.0.2.1", 0)) == "Cannot assign requested address");
}

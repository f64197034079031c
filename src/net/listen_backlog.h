#pragma once

#include <httplib.h>
#include <sys/socket.h>

namespace anchor {

// cpp-httplib 0.11 listens with a backlog of 5, fixed at compile time in Debian's shared
// library. Ten clients connecting at once then overflow the accept queue and some wait a full
// second for a SYN retransmission. Calling listen() again on the bound socket raises the
// backlog (Linux updates it in place). Call after bind_to_port / bind_to_any_port.
inline bool WidenListenBacklog(httplib::Server& server, int backlog = SOMAXCONN) {
  // The listening socket is protected; a pointer to member taken through a derived class is
  // the standard way to read it without changing the library.
  struct Access : httplib::Server {
    static socket_t Socket(httplib::Server& s) { return s.*(&Access::svr_sock_); }
  };
  return ::listen(static_cast<int>(Access::Socket(server)), backlog) == 0;
}

}  // namespace anchor

#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace anchor {

// cpp-httplib reports every failure to connect as Error::Connection. These find the root cause
// themselves, so that a log line says "Connection refused" or "Name or service not known".

struct ResolvedHost {
  std::vector<std::string> addresses;  // numeric, e.g. 127.0.0.1 or ::1; empty on failure
  std::string error;                   // gai_strerror text when it failed
};

// getaddrinfo() of `host` (a name or a numeric address) for a TCP connection; the addresses
// in the resolver's order of preference (RFC 6724), without duplicates.
ResolvedHost ResolveHost(const std::string& host, int port);

// One non-blocking connect to `address`:`port` that waits at most `timeout`; returns the errno
// text of the failure ("Connection refused", "No route to host", ...), or nullopt when it
// connected (the earlier failure happened after the connection was made, or went away).
std::optional<std::string> DiagnoseConnect(const std::string& address, int port,
                                           std::chrono::milliseconds timeout);

// The errno text of `err` (strerror_r, thread-safe).
std::string ErrnoText(int err);

}  // namespace anchor

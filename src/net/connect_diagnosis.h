#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace anchor {

// cpp-httplib reports every failure to connect as Error::Connection. These find the root cause
// themselves, so that a log line says "Connection refused" or "Name or service not known".

// getaddrinfo() of `host` (a name or a numeric address) for a TCP connection: the numeric
// addresses (e.g. 127.0.0.1 or ::1) in the resolver's order of preference (RFC 6724), without
// duplicates, at least one; or the gai_strerror text.
Result<std::vector<std::string>> ResolveHost(const std::string& host, int port);

// One non-blocking connect to `address`:`port` that waits at most `timeout`: fails with the
// errno text ("Connection refused", "No route to host", ...), Ok when it connected (the earlier
// failure happened after the connection was made, or went away).
Status DiagnoseConnect(const std::string& address, int port, std::chrono::milliseconds timeout);

// The errno text of `err` (strerror_r, thread-safe).
std::string ErrnoText(int err);

}  // namespace anchor

#pragma once

#include <string>

#include "base/result.h"

namespace anchor {

// Where the exporter listens: a host (numeric or a name; "0.0.0.0" for all interfaces) and a
// port (0: any free one).
struct ListenAddress {
  std::string host;
  int port = 0;
};

// Splits "host:port", ":port" or "[v6]:port"; an empty host means all interfaces. The port is
// decimal, at most 65535.
Result<ListenAddress> ParseListenAddress(const std::string& address);

}  // namespace anchor

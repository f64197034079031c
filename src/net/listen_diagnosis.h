#pragma once

#include <string>

#include "base/result.h"

namespace anchor {

// Why the HTTP server could not listen on host:port: binds a socket the way a server does and
// fails with the errno text ("Address already in use", "Permission denied", ...) or the name
// lookup error; Ok when it can listen now (the failure went away).
Status DiagnoseListen(const std::string& host, int port);

}  // namespace anchor

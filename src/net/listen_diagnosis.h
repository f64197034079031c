#pragma once

#include <string>

namespace anchor {

// Why the HTTP server could not listen on host:port: binds a socket the way a server does and
// returns the errno text ("Address already in use", "Permission denied", ...) or the name
// lookup error. Empty when it can listen now (the failure went away). The HTTP library only
// reports false.
std::string DiagnoseListen(const std::string& host, int port);

}  // namespace anchor

#include "http/listen_address.h"

#include <cstdlib>

namespace anchor {

Result<ListenAddress> ParseListenAddress(const std::string& address) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos) return Error{"no port (expected [host]:port)"};
  ListenAddress parsed;
  parsed.host = address.substr(0, colon);
  if (parsed.host.size() >= 2 && parsed.host.front() == '[' && parsed.host.back() == ']') {
    parsed.host = parsed.host.substr(1, parsed.host.size() - 2);
  }
  const std::string port_text = address.substr(colon + 1);
  if (port_text.empty() || port_text.find_first_not_of("0123456789") != std::string::npos ||
      port_text.size() > 5) {
    return Error{"port \"" + port_text + "\" is not a number from 0 to 65535"};
  }
  parsed.port = std::atoi(port_text.c_str());
  if (parsed.port > 65535) {
    return Error{"port \"" + port_text + "\" is not a number from 0 to 65535"};
  }
  if (parsed.host.empty()) parsed.host = "0.0.0.0";
  return parsed;
}

}  // namespace anchor

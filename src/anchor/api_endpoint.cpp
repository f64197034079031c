#include "anchor/api_endpoint.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstdlib>

namespace anchor {

namespace {

bool IsNumericAddress(const std::string& host) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

}  // namespace

ApiEndpoint ApiEndpoint::Parse(const std::string& base_url) {
  ApiEndpoint out;
  const auto scheme_end = base_url.find("://");
  const auto path_start = base_url.find('/', scheme_end + 3);
  out.scheme_host_port = base_url.substr(0, path_start);
  if (path_start != std::string::npos) out.path_prefix = base_url.substr(path_start);
  const bool https = base_url.compare(0, 8, "https://") == 0;
  out.port = https ? 443 : 80;
  std::string authority = scheme_end == std::string::npos
                              ? out.scheme_host_port
                              : out.scheme_host_port.substr(scheme_end + 3);
  const auto close = authority.rfind(']');
  const auto colon = authority.rfind(':');
  if (colon != std::string::npos && (close == std::string::npos || colon > close)) {
    out.port = std::atoi(authority.c_str() + colon + 1);
    authority.resize(colon);
  }
  if (authority.size() >= 2 && authority.front() == '[' && authority.back() == ']') {
    authority = authority.substr(1, authority.size() - 2);
  }
  out.host = authority;
  out.host_is_numeric = IsNumericAddress(out.host);
  return out;
}

}  // namespace anchor

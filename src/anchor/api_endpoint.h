#pragma once

#include <string>

namespace anchor {

// Where anchor.url points, cut into the pieces the API client needs: the origin httplib
// connects to, the path every request is prefixed with, and the host and port it resolves and
// connects to itself.
struct ApiEndpoint {
  std::string scheme_host_port;  // "https://api.anchorbrowser.io" (with ":port" when given)
  std::string path_prefix;       // "" or "/prefix"
  std::string host;              // without brackets
  int port = 443;
  bool host_is_numeric = false;  // an IPv4 or IPv6 literal: no name lookup

  // `base_url` is a URL the config loader accepted (http:// or https://).
  static ApiEndpoint Parse(const std::string& base_url);
};

}  // namespace anchor

#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace anchor {

// What one API request did, for /probe?debug=true. Filled only when asked for: normal scrapes
// pass no trace and pay nothing. The API key never enters it (its header is masked).
struct FetchTrace {
  using Headers = std::vector<std::pair<std::string, std::string>>;

  std::string method;
  std::string url;  // scheme://host[:port]/path, as requested
  Headers request_headers;
  int status = 0;  // 0: no HTTP answer was read
  Headers response_headers;
  std::size_t body_bytes = 0;
  bool new_connection = false;  // false: a kept-alive connection was reused
  std::string address;          // the address connected to (from our own name lookup)
  std::string lookup;           // how `address` was found: "numeric", "cached" or "getaddrinfo"
  // Seconds; absent when not measured (see the docs for what each one covers).
  std::optional<double> dns_seconds;
  std::optional<double> connect_seconds;
  std::optional<double> tls_seconds;
  std::optional<double> first_byte_seconds;
  double total_seconds = 0;
  std::vector<std::string> notes;  // diagnostics in the order they happened
};

}  // namespace anchor

#include "web/http_compression.h"

#include <zlib.h>

#include <cctype>
#include <cstdlib>

namespace anchor {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// The q value of one Accept-Encoding element's parameters ("q=0.5"); 1 when absent.
double Quality(std::string_view params) {
  while (!params.empty()) {
    const auto semicolon = params.find(';');
    const std::string_view param = Trim(params.substr(0, semicolon));
    if (param.size() > 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
      return std::strtod(std::string(param.substr(2)).c_str(), nullptr);
    }
    if (semicolon == std::string_view::npos) break;
    params.remove_prefix(semicolon + 1);
  }
  return 1;
}

}  // namespace

bool AcceptsGzip(std::string_view accept_encoding) {
  while (!accept_encoding.empty()) {
    const auto comma = accept_encoding.find(',');
    const std::string_view element = accept_encoding.substr(0, comma);
    const auto semicolon = element.find(';');
    if (EqualsIgnoreCase(Trim(element.substr(0, semicolon)), "gzip")) {
      return semicolon == std::string_view::npos || Quality(element.substr(semicolon + 1)) > 0;
    }
    if (comma == std::string_view::npos) break;
    accept_encoding.remove_prefix(comma + 1);
  }
  return false;
}

std::optional<std::string> GzipFast(std::string_view data) {
  z_stream stream{};
  // windowBits 15 + 16: a gzip header and trailer around the deflate stream.
  if (deflateInit2(&stream, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return std::nullopt;
  }
  std::string out(deflateBound(&stream, static_cast<uLong>(data.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&stream, Z_FINISH);
  deflateEnd(&stream);
  if (rc != Z_STREAM_END) return std::nullopt;
  out.resize(stream.total_out);
  return out;
}

}  // namespace anchor

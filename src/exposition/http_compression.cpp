#include "exposition/http_compression.h"

#include <zlib.h>

#include <cctype>
#include <cstdlib>

#include "base/text.h"

namespace anchor {
namespace {

using text::EqualsIgnoreCase;
// Any whitespace (not only OWS) around codings and weights, as this parser always accepted.
using text::TrimSpace;

// An RFC 9110 qvalue: "0" to "1" with up to three decimals. nullopt when malformed, so that a
// garbled weight never turns into "acceptable".
std::optional<double> ParseQValue(std::string_view v) {
  if (v.empty() || v.size() > 5 || (v[0] != '0' && v[0] != '1')) return std::nullopt;
  if (v.size() > 1 && v[1] != '.') return std::nullopt;
  double value = v[0] - '0';
  double scale = 0.1;
  for (size_t i = 2; i < v.size(); ++i, scale /= 10) {
    if (!std::isdigit(static_cast<unsigned char>(v[i]))) return std::nullopt;
    value += (v[i] - '0') * scale;
  }
  if (value > 1) return std::nullopt;
  return value;
}

// The q value of one Accept-Encoding element's parameters ("q=0.5"); 1 when absent, nullopt
// when malformed.
std::optional<double> Quality(std::string_view params) {
  while (!params.empty()) {
    const auto semicolon = params.find(';');
    const std::string_view param = TrimSpace(params.substr(0, semicolon));
    const auto equals = param.find('=');
    if (equals != std::string_view::npos &&
        EqualsIgnoreCase(TrimSpace(param.substr(0, equals)), "q")) {
      return ParseQValue(TrimSpace(param.substr(equals + 1)));
    }
    if (semicolon == std::string_view::npos) break;
    params.remove_prefix(semicolon + 1);
  }
  return 1.0;
}

}  // namespace

bool AcceptsGzip(std::string_view accept_encoding) {
  // gzip's own weight wins over "*" (RFC 9110 section 12.5.3); listed twice, the last counts.
  std::optional<double> gzip;
  std::optional<double> any;
  while (!accept_encoding.empty()) {
    const auto comma = accept_encoding.find(',');
    const std::string_view element = accept_encoding.substr(0, comma);
    const auto semicolon = element.find(';');
    const std::string_view coding = TrimSpace(element.substr(0, semicolon));
    const auto q = semicolon == std::string_view::npos ? std::optional<double>(1.0)
                                                       : Quality(element.substr(semicolon + 1));
    if (EqualsIgnoreCase(coding, "gzip") || EqualsIgnoreCase(coding, "x-gzip")) {
      gzip = q.value_or(0);
    } else if (coding == "*") {
      any = q.value_or(0);
    }
    if (comma == std::string_view::npos) break;
    accept_encoding.remove_prefix(comma + 1);
  }
  if (gzip) return *gzip > 0;
  return any && *any > 0;
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

#include "anchor/body_decoding.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace anchor {
namespace {

std::string Lowered(const std::string& text) {
  std::string out = text;
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  // "gzip " or " gzip": the value's optional whitespace.
  const auto first = out.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return out.substr(first, out.find_last_not_of(" \t") - first + 1);
}

// zlib's inflate of `in` into `out` (window_bits: 16+15 gzip, 32+15 zlib or gzip).
BodyDecodingResult Inflate(const std::string& in, int window_bits, std::size_t max_bytes,
                           std::string& out) {
  z_stream zs{};
  if (inflateInit2(&zs, window_bits) != Z_OK) return {BodyDecoding::kCorrupt, "cannot set up zlib"};
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  std::array<char, 16384> chunk{};
  int rc = Z_OK;
  BodyDecodingResult result;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(chunk.data());
    zs.avail_out = static_cast<uInt>(chunk.size());
    rc = inflate(&zs, Z_NO_FLUSH);
    const std::size_t produced = chunk.size() - zs.avail_out;
    if (out.size() + produced > max_bytes) {
      result.kind = BodyDecoding::kTooLarge;
      break;
    }
    out.append(chunk.data(), produced);
  }
  if (result.ok() && rc != Z_STREAM_END) {
    result.kind = BodyDecoding::kCorrupt;
    result.detail = rc == Z_BUF_ERROR || rc == Z_OK
                        ? std::string("the compressed stream is truncated")
                        : std::string(zs.msg != nullptr ? zs.msg : "error");
  } else if (result.ok() && zs.avail_in != 0) {
    result = {BodyDecoding::kCorrupt, "data after the end of the compressed stream"};
  }
  inflateEnd(&zs);
  return result;
}

}  // namespace

BodyDecodingResult DecodeBody(const std::string& content_encoding, std::string& body,
                              std::size_t max_bytes) {
  const std::string encoding = Lowered(content_encoding);
  if (encoding.empty() || encoding == "identity") return {};
  int window_bits = 0;
  if (encoding == "gzip" || encoding == "x-gzip") {
    window_bits = 16 + MAX_WBITS;
  } else if (encoding == "deflate") {
    window_bits = 32 + MAX_WBITS;
  } else {
    return {BodyDecoding::kUnsupported, "unsupported Content-Encoding " + encoding.substr(0, 40)};
  }
  std::string decoded;
  BodyDecodingResult result = Inflate(body, window_bits, max_bytes, decoded);
  if (result.ok()) {
    body = std::move(decoded);
  } else if (result.kind == BodyDecoding::kCorrupt) {
    result.detail = "cannot decode the " + encoding + " body: " + result.detail;
  }
  return result;
}

}  // namespace anchor

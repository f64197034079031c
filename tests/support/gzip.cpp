#include "support/gzip.h"

#include <zlib.h>

#include <catch2/catch.hpp>

namespace anchor::test {

namespace {

// Inflates the member at the start of `gz` into `out`; returns the bytes it took.
size_t InflateMember(const char* gz, size_t size, std::string& out) {
  z_stream stream{};
  REQUIRE(inflateInit2(&stream, 15 + 16) == Z_OK);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz));
  stream.avail_in = static_cast<uInt>(size);
  char buf[65536];
  int rc = Z_OK;
  while (rc == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buf);
    stream.avail_out = sizeof(buf);
    rc = inflate(&stream, Z_NO_FLUSH);
    out.append(buf, sizeof(buf) - stream.avail_out);
  }
  const size_t used = stream.total_in;
  inflateEnd(&stream);
  CHECK(rc == Z_STREAM_END);
  return rc == Z_STREAM_END ? used : size;
}

}  // namespace

std::string Gunzip(const std::string& gz) {
  std::string out;
  InflateMember(gz.data(), gz.size(), out);
  return out;
}

std::string GunzipMembers(const std::string& gz) {
  std::string out;
  for (size_t used = 0; used < gz.size();) {
    used += InflateMember(gz.data() + used, gz.size() - used, out);
  }
  return out;
}

}  // namespace anchor::test

// AcceptsGzip and GzipFast called directly: Accept-Encoding as RFC 9110 defines it (q=0,
// identity, "*", malformed weights) and gzip output that zlib inflates back to its input.
#include <zlib.h>

#include <catch2/catch.hpp>
#include <string>

#include "exposition/http_compression.h"
#include "support/gzip.h"

using anchor::AcceptsGzip;
using anchor::GzipFast;
using anchor::test::Gunzip;

TEST_CASE("Accept-Encoding: gzip is recognised as HTTP defines it", "[unit][web][gzip]") {
  CHECK(AcceptsGzip("gzip"));
  CHECK(AcceptsGzip("GZip"));
  CHECK(AcceptsGzip("deflate, gzip;q=0.5, br"));
  CHECK(AcceptsGzip(" identity , gzip "));
  CHECK_FALSE(AcceptsGzip(""));
  CHECK_FALSE(AcceptsGzip("br, deflate"));
  CHECK_FALSE(AcceptsGzip("x-gzip2"));
  CHECK_FALSE(AcceptsGzip("gzip;q=0"));
  CHECK_FALSE(AcceptsGzip("gzip; q=0.0, br"));
  CHECK_FALSE(AcceptsGzip("identity"));
  CHECK_FALSE(AcceptsGzip("identity;q=1, *;q=0"));
  CHECK_FALSE(AcceptsGzip("gzip;q=0, *"));  // gzip's own weight beats "*"
  CHECK_FALSE(AcceptsGzip("gzip;Q=0.000"));
  CHECK_FALSE(AcceptsGzip("gzip;q=abc"));  // a malformed weight is not "acceptable"
  CHECK_FALSE(AcceptsGzip("gzip;q=2"));
  CHECK_FALSE(AcceptsGzip("gzip;q=0.0001"));  // at most three decimals
  CHECK_FALSE(AcceptsGzip("gzipfoo"));
  CHECK(AcceptsGzip("*"));
  CHECK(AcceptsGzip("identity, *;q=0.1"));
  CHECK(AcceptsGzip("gzip;q=0.001"));
  CHECK(AcceptsGzip("gzip ; q = 1.0"));
  CHECK(AcceptsGzip("x-gzip"));
}

TEST_CASE("GzipFast output inflates back to its input", "[unit][web][gzip]") {
  std::string text;
  for (int i = 0; i < 20000; ++i) {
    text += "anchorbrowser_batch_up{batch_id=\"b-" + std::to_string(i) + "\"} 1\n";
  }
  for (const std::string& input : {std::string(), std::string("x"), text}) {
    const auto gz = GzipFast(input);
    REQUIRE(gz);
    CHECK(Gunzip(*gz) == input);
  }
  CHECK(GzipFast(text)->size() < text.size() / 5);
}

TEST_CASE("AcceptsGzip: listed twice, the last weight counts", "[unit][web][gzip]") {
  CHECK_FALSE(AcceptsGzip("gzip, gzip;q=0"));
  CHECK(AcceptsGzip("gzip;q=0, gzip"));
  CHECK_FALSE(AcceptsGzip("x-gzip;q=0"));
  CHECK_FALSE(AcceptsGzip(",,;"));
  CHECK(AcceptsGzip("br;q=1, gzip;q=1.000"));
  CHECK_FALSE(AcceptsGzip("*;q=0.5, gzip;q=0"));  // order does not let "*" win
}

TEST_CASE("GzipFast writes one gzip member at zlib's fastest level", "[unit][web][gzip]") {
  const auto gz = GzipFast("hello, hello, hello");
  REQUIRE(gz);
  REQUIRE(gz->size() > 18);  // 10-byte header, 8-byte trailer
  CHECK(static_cast<unsigned char>((*gz)[0]) == 0x1f);
  CHECK(static_cast<unsigned char>((*gz)[1]) == 0x8b);
  CHECK((*gz)[2] == 8);  // deflate
  CHECK((*gz)[8] == 4);  // XFL: the fastest compression
  CHECK(Gunzip(*gz) == "hello, hello, hello");
}

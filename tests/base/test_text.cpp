// The string helpers of src/base/text.h that header parsing and the config loader share.
#include <catch2/catch.hpp>
#include <string>

#include "base/text.h"

using anchor::text::EqualsIgnoreCase;
using anchor::text::Join;
using anchor::text::TrimOws;
using anchor::text::TrimSpace;

TEST_CASE("TrimOws drops spaces and tabs at both ends, nothing else", "[unit][base]") {
  CHECK(TrimOws("").empty());
  CHECK(TrimOws(" \t ").empty());
  CHECK(TrimOws("gzip") == "gzip");
  CHECK(TrimOws(" \tgzip ;q=1\t ") == "gzip ;q=1");
  // Other whitespace is not optional whitespace in a header: it stays.
  CHECK(TrimOws("\r\ngzip\v\f") == "\r\ngzip\v\f");
  CHECK(TrimOws(" \v x \t") == "\v x");
}

TEST_CASE("TrimSpace drops every kind of whitespace at both ends", "[unit][base]") {
  CHECK(TrimSpace("").empty());
  CHECK(TrimSpace(" \t\r\n\v\f").empty());
  CHECK(TrimSpace("\n sk-key\r\n") == "sk-key");
  CHECK(TrimSpace(" a b ") == "a b");  // inner whitespace stays
  CHECK(TrimSpace("x") == "x");
}

TEST_CASE("EqualsIgnoreCase compares ASCII letters without case", "[unit][base]") {
  CHECK(EqualsIgnoreCase("", ""));
  CHECK(EqualsIgnoreCase("Content-Length", "content-length"));
  CHECK(EqualsIgnoreCase("GZIP", "gzip"));
  CHECK_FALSE(EqualsIgnoreCase("gzip", "gzip "));
  CHECK_FALSE(EqualsIgnoreCase("gzip", "gzi"));
  CHECK_FALSE(EqualsIgnoreCase("x-gzip", "x_gzip"));
  // Bytes above 0x7f are compared as they are, not folded.
  CHECK(EqualsIgnoreCase("\xc3\xa9", "\xc3\xa9"));
  CHECK_FALSE(EqualsIgnoreCase("\xc3\xa9", "\xc3\x89"));
}

TEST_CASE("Join puts the separator between the parts only", "[unit][base]") {
  CHECK(Join({}, "\n").empty());
  CHECK(Join({"one"}, "\n") == "one");
  CHECK(Join({"a", "b", "c"}, ",") == "a,b,c");
  CHECK(Join({"", "b"}, ",") == ",b");  // an empty part keeps its place
}

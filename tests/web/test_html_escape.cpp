// HtmlEscape, called directly: every character that can end a text node or an attribute value
// is escaped; everything else passes through byte for byte (UTF-8 included).
#include <catch2/catch.hpp>

#include "web/landing_page.h"

using anchor::HtmlEscape;

TEST_CASE("HtmlEscape escapes markup and both quote characters", "[unit][web][landing]") {
  CHECK(HtmlEscape("<script>alert('x')</script>") ==
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
  CHECK(HtmlEscape(R"(a="b" & c)") == "a=&quot;b&quot; &amp; c");
  // Escaping twice escapes the ampersands of the first pass: no double-decoding shortcuts.
  CHECK(HtmlEscape(HtmlEscape("&")) == "&amp;amp;");
}

TEST_CASE("HtmlEscape leaves other text untouched", "[unit][web][landing]") {
  CHECK(HtmlEscape("").empty());
  CHECK(HtmlEscape("batch-42_ok") == "batch-42_ok");
  CHECK(HtmlEscape("caf\xc3\xa9 \xe2\x9c\x93") == "caf\xc3\xa9 \xe2\x9c\x93");
  const std::string with_nul("a\0b", 3);
  CHECK(HtmlEscape(with_nul) == with_nul);
}

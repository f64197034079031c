// Secret and Redacted (src/config/secret.h): the API key as a type that is never printed.
#include <catch2/catch.hpp>

#include "config/secret.h"

TEST_CASE("Redacted replaces every occurrence of the secret", "[unit][config][secrets]") {
  const anchor::Secret key("abc");
  CHECK(anchor::Redacted("abc", key) == "<redacted>");
  CHECK(anchor::Redacted("x abc yabcabc", key) == "x <redacted> y<redacted><redacted>");
  CHECK(anchor::Redacted("ab c", key) == "ab c");
  CHECK(anchor::Redacted("text", anchor::Secret()) == "text");
  // The mark itself holding the secret does not loop.
  CHECK(anchor::Redacted("redacted", anchor::Secret("redacted")) == "<redacted>");
}

// NormaliseErrorMessage (src/anchor/error_message.h): what differs from session to session
// collapses into placeholders, so the batch page counts one row per kind of failure.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "anchor/error_message.h"

using anchor::NormaliseErrorMessage;

TEST_CASE("numbers, UUIDs, URLs and hex runs collapse into placeholders",
          "[unit][anchor][errors]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"timeout after 30012 ms", "timeout after <n> ms"},
      {"timeout after 30544 ms", "timeout after <n> ms"},
      {"waited 1.5s", "waited <n>s"},
      {"30012ms", "<n>ms"},
      {"session 3c90c3cc-0d44-4b50-8888-8dd25736052a closed", "session <uuid> closed"},
      {"(3C90C3CC-0D44-4B50-8888-8DD25736052A)", "(<uuid>)"},
      {"net::ERR_NAME_NOT_RESOLVED at https://shop-7.example.com/item/42?x=1",
       "net::ERR_NAME_NOT_RESOLVED at <url>"},
      {"connect to wss://connect.example.io?sessionId=abc failed", "connect to <url> failed"},
      {"\"http://a.example/\" refused", "\"<url>\" refused"},
      {"segfault at 0x7ffe12ab", "segfault at <hex>"},
      {"frame deadbeef1234 detached", "frame <hex> detached"},
      {"ERR_HTTP2_PROTOCOL_ERROR", "ERR_HTTP2_PROTOCOL_ERROR"},  // digits inside a word stay
      {"code ERR_407 and 407", "code ERR_407 and <n>"},
      {"accepted decade", "accepted decade"},  // hex letters without a digit are words
      {"version 1.2.3", "version <n>.<n>"},
      {"  two\t\nlines  \r\n", "two lines"},
      {"", ""},
      {"Ünïcode 12 fehlgeschlagen", "Ünïcode <n> fehlgeschlagen"},
  };
  for (const auto& [text, want] : cases) {
    INFO(text);
    CHECK(NormaliseErrorMessage(text) == want);
  }
}

TEST_CASE("a normalised message is cut at 200 bytes, never inside a character",
          "[unit][anchor][errors]") {
  CHECK(NormaliseErrorMessage(std::string(1000, 'a')) == std::string(200, 'a'));
  // 199 ASCII bytes, then a 2-byte character across the cut: cut before it.
  const std::string text = std::string(199, 'a') + "\xc3\xa9" + "tail";
  CHECK(NormaliseErrorMessage(text) == std::string(199, 'a'));
  CHECK(NormaliseErrorMessage("abc  def", 4) == "abc");  // no trailing space after the cut
  // A 1 MB text with no space: the scan stops at the cut.
  const std::string huge = "crash " + std::string(1 << 20, '9') + " tail";
  CHECK(NormaliseErrorMessage(huge) == "crash <n> tail");
  const std::string words = std::string(1 << 20, 'w');
  CHECK(NormaliseErrorMessage(words).size() == 200);
}

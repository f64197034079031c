// Static labels (batches[].labels) are checked when the config is loaded, so that --config.check
// and a reload refuse what Prometheus would refuse or what would reach /metrics and /sd raw.
#include <catch2/catch.hpp>
#include <string>

#include "base/utf8.h"
#include "config/config_loader.h"
#include "config/label_check.h"
#include "config/label_names.h"
#include "support/config_problems.h"

namespace {

anchor::ConfigLoadResult LoadLabels(const std::string& labels) {
  return anchor::LoadConfigString("batches:\n  - id: b1\n    labels:\n" + labels, "c.yaml", "",
                                  [](const std::string&) { return std::string("key"); });
}

std::string Error(const std::string& labels) {
  const auto r = LoadLabels(labels);
  return r.ok() ? std::string("(loaded)") : r.error();
}

}  // namespace

TEST_CASE("utf8::FirstInvalidByte follows RFC 3629", "[unit][config][labels]") {
  using anchor::utf8::FirstInvalidByte;
  constexpr auto kValid = std::string_view::npos;
  CHECK(FirstInvalidByte("") == kValid);
  CHECK(FirstInvalidByte("plain ascii") == kValid);
  CHECK(FirstInvalidByte("caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80") == kValid);
  CHECK(FirstInvalidByte("\xef\xbf\xbf\xf4\x8f\xbf\xbf") == kValid);  // U+FFFF, U+10FFFF
  CHECK(FirstInvalidByte("ab\xff") == 2);
  CHECK(FirstInvalidByte("a\x80") == 1);                          // lone continuation byte
  CHECK(FirstInvalidByte("a\xc3") == 1);                          // cut short
  CHECK(FirstInvalidByte("\xc0\xaf") == 0);                       // overlong '/'
  CHECK(FirstInvalidByte("\xe0\x80\xaf") == 0);                   // overlong
  CHECK(FirstInvalidByte("x\xed\xa0\x80") == 1);                  // surrogate U+D800
  CHECK(FirstInvalidByte("\xf4\x90\x80\x80") == 0);               // beyond U+10FFFF
  CHECK(FirstInvalidByte("\xe2\x9c") == 0);                       // cut short
  CHECK(FirstInvalidByte("\xe2\x28\xa1") == 0);                   // bad continuation
  CHECK(FirstInvalidByte(std::string_view("\0x", 2)) == kValid);  // NUL is UTF-8 (a control)
}

TEST_CASE("utf8::FirstControlCharacter finds C0, DEL and C1", "[unit][config][labels]") {
  using anchor::utf8::FirstControlCharacter;
  CHECK(FirstControlCharacter("caf\xc3\xa9 \xc2\xa0ok") == std::string_view::npos);  // NBSP
  CHECK(FirstControlCharacter(std::string_view("ab\0", 3)) == 2);
  CHECK(FirstControlCharacter("a\x1b[0m") == 1);
  CHECK(FirstControlCharacter("tab\there") == 3);
  CHECK(FirstControlCharacter("del\x7f") == 3);
  CHECK(FirstControlCharacter("c1 \xc2\x85") == 3);  // NEL
}

TEST_CASE("every label name the exporter sets is refused as a static label",
          "[unit][config][labels]") {
  for (const auto name : anchor::labels::kExporterLabelNames) {
    const std::string error = Error("      " + std::string(name) + ": x\n");
    INFO(error);
    CHECK(error.find("c.yaml:4: batches[0].labels." + std::string(name) +
                     ": is a label the exporter sets itself") == 0);
  }
  CHECK(Error("      Status: x\n") == "(loaded)");  // names are case-sensitive
}

TEST_CASE("label names must be legacy Prometheus names", "[unit][config][labels]") {
  CHECK(Error("      team_1: x\n      _x: y\n") == "(loaded)");
  for (const char* bad : {"1team", "te-am", "t.eam", "\"t am\"", "\"caf\xc3\xa9\"", "\"\""}) {
    const std::string error = Error("      " + std::string(bad) + ": x\n");
    INFO(bad << ": " << error);
    CHECK(error.find("c.yaml:4: ") == 0);
    CHECK(error.find("invalid label name") != std::string::npos);
  }
  CHECK(Error("      __x: y\n").find("reserved for Prometheus") != std::string::npos);
}

TEST_CASE("label values are bounded printable UTF-8", "[unit][config][labels]") {
  const std::size_t max = anchor::kMaxLabelValueBytes;
  CHECK(Error("      team: " + std::string(max, 'x') + "\n") == "(loaded)");
  CHECK(Error("      team: " + std::string(max + 1, 'x') + "\n") ==
        "c.yaml:4: batches[0].labels.team: label value is 1025 bytes long (at most 1024)");
  // The size of the report, not the value, comes back: a 70,000-character value is refused in
  // one short line.
  const std::string huge = Error("      team: " + std::string(70000, 'x') + "\n");
  CHECK(huge == "c.yaml:4: batches[0].labels.team: label value is 70000 bytes long (at most 1024)");
  CHECK(Error("      team: \"\\0\"\n").find("control character (byte 0x00 at offset 0)") !=
        std::string::npos);
  CHECK(Error("      team: \"\\e\"\n").find("control character (byte 0x1b") != std::string::npos);
  CHECK(Error("      team: \"\\x85\"\n").find("control character (byte 0xc2") != std::string::npos);
  CHECK(Error("      team: \"\\uDFFF\"\n").find("invalid YAML: invalid unicode") !=
        std::string::npos);  // a surrogate: not UTF-8, refused by yaml-cpp
  CHECK(Error("      team: \"caf\\u00e9 \xe2\x9c\x93\"\n") == "(loaded)");
  CHECK(Error("      team: \"\"\n") == "(loaded)");
}

TEST_CASE("every bad label is reported, the good ones still load", "[unit][config][labels]") {
  const auto r = LoadLabels("      status: a\n      team: ok\n      le: b\n      x: \"\\e\"\n");
  REQUIRE_FALSE(r.ok());
  const auto errors = anchor::test::ProblemLines(r);
  REQUIRE(errors.size() == 3);
  CHECK(errors[0].find("c.yaml:4: batches[0].labels.status") == 0);
  CHECK(errors[1].find("c.yaml:6: batches[0].labels.le") == 0);
  CHECK(errors[2].find("c.yaml:7: batches[0].labels.x") == 0);
}

TEST_CASE("a config file that is not UTF-8 is refused before it is parsed",
          "[unit][config][labels]") {
  const auto r = anchor::LoadConfigString("anchor:\n  timeout: 5s\n# caf\xe9\n", "c.yaml", "",
                                          [](const std::string&) { return std::string("k"); });
  REQUIRE_FALSE(r.ok());
  CHECK(r.error() ==
        "c.yaml:3: the file is not valid UTF-8 (byte 0xe9 at column 6); save it as UTF-8");
  // A UTF-8 byte order mark is UTF-8.
  CHECK(anchor::LoadConfigString("\xef\xbb\xbf"
                                 "anchor:\n  timeout: 5s\n",
                                 "c.yaml", "", [](const std::string&) { return std::string("k"); })
            .ok());
}

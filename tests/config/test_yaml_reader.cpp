// YamlReader and its helpers (src/config/yaml_reader.h): typed getters that collect every
// problem as `file:line: key: problem`, duplicate and unknown keys with "did you mean", tabs,
// syntax errors, and files read with a size limit.
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "config/yaml_reader.h"
#include "support/test_tls.h"

using anchor::KeyList;
using anchor::YamlConfigError;
using anchor::YamlReader;
using Lines = std::vector<std::string>;

namespace {

// The message Fail() throws for `read`, or "(no failure)".
template <typename Read>
std::string FailureOf(Read read) {
  try {
    read();
  } catch (const YamlConfigError& e) {
    return e.message;
  }
  return "(no failure)";
}

}  // namespace

TEST_CASE("typed getters return the value or fail naming file, line and key",
          "[unit][config][yaml]") {
  const auto root = YAML::Load(
      "name: exporter\n"
      "on: true\n"
      "count: 12\n"
      "ratio: 0.25\n"
      "wait: 1m30s\n"
      "mode: active\n"
      "list: [1, 2]\n"
      "junk: 12abc\n"
      "big: 99999999999999999999\n"
      "inf: .inf\n"
      "maybe: perhaps\n");
  const YamlReader r("c.yml");
  CHECK(r.String(root["name"], "name") == "exporter");
  CHECK(r.Bool(root["on"], "on"));
  CHECK(r.Integer(root["count"], "count", 1, 100) == 12);
  CHECK(r.Number(root["ratio"], "ratio", 0, 1) == 0.25);
  CHECK(r.DurationValue(root["wait"], "wait") == std::chrono::seconds(90));
  CHECK(r.OneOf(root["mode"], "mode", {"all", "active", "off"}) == "active");

  CHECK(FailureOf([&] { r.String(root["list"], "list"); }) == "c.yml:7: list: expected a string");
  CHECK(FailureOf([&] { r.Bool(root["maybe"], "maybe"); }) ==
        "c.yml:11: maybe: expected true or false");
  CHECK(FailureOf([&] { r.Integer(root["junk"], "junk", 0, 100); }) ==
        "c.yml:8: junk: expected an integer");
  CHECK(FailureOf([&] { r.Integer(root["big"], "big", 0, 100); }) ==
        "c.yml:9: big: expected an integer");  // out of long long's range
  CHECK(FailureOf([&] { r.Integer(root["count"], "count", 20, 30); }) ==
        "c.yml:3: count: must be between 20 and 30, got 12");
  CHECK(FailureOf([&] { r.Integer(root["list"], "list", 0, 1); }) ==
        "c.yml:7: list: expected an integer");
  CHECK(FailureOf([&] { r.Number(root["inf"], "inf", 0, 1); }) ==
        "c.yml:10: inf: expected a number");
  CHECK(FailureOf([&] { r.Number(root["ratio"], "ratio", 0.5, 1e4); }) ==
        "c.yml:4: ratio: must be between 0.5 and 10000, got 0.25");
  CHECK(FailureOf([&] {
          r.DurationValue(root["junk"], "wait");
        }).rfind("c.yml:8: wait: invalid duration \"12abc\" (expected a number with a unit", 0) ==
        0);
  CHECK(FailureOf([&] {
          r.OneOf(root["name"], "mode", {"all", "off"});
        }) == "c.yml:1: mode: unknown value \"exporter\" (expected one of all, off)");
  CHECK_FALSE(r.HasErrors());  // Fail throws; it records nothing by itself
}

TEST_CASE("an embedded NUL does not end an integer early", "[unit][config][yaml]") {
  const auto root = YAML::Load("n: \"12\\0junk\"\n");
  const YamlReader r("c.yml");
  CHECK(FailureOf([&] { r.Integer(root["n"], "n", 0, 100); }) == "c.yml:1: n: expected an integer");
}

TEST_CASE("Attempt and Key record what fails and go on", "[unit][config][yaml]") {
  const auto root = YAML::Load(
      "a: 1\n"
      "b: nope\n"
      "c: 3\n"
      "d: [x]\n");
  const YamlReader r("c.yml");
  long long a = 0, c = 0;
  r.Key(root, "d", [&](const YAML::Node& v) { r.String(v, "d"); });
  r.Key(root, "a", [&](const YAML::Node& v) { a = r.Integer(v, "a", 0, 9); });
  r.Key(root, "b", [&](const YAML::Node& v) { r.Integer(v, "b", 0, 9); });
  r.Key(root, "c", [&](const YAML::Node& v) { c = r.Integer(v, "c", 0, 9); });
  bool absent_read = false;
  r.Key(root, "missing", [&](const YAML::Node&) { absent_read = true; });
  r.Key(YAML::Load("[1]"), "a", [&](const YAML::Node&) { absent_read = true; });  // no map
  CHECK_FALSE(absent_read);
  CHECK(a == 1);
  CHECK(c == 3);
  REQUIRE(r.HasErrors());
  // Ordered by line, whatever the order of reading.
  CHECK(r.Errors() == Lines{"c.yml:2: b: expected an integer", "c.yml:4: d: expected a string"});
}

TEST_CASE("Report records a problem and goes on, each message once", "[unit][config][yaml]") {
  const auto root = YAML::Load("x: 1\ny: 2\n");
  const YamlReader r("c.yml");
  r.Report(root["y"], "y", "second");
  r.Report(root["x"], "x", "first");
  r.Report(root["x"], "x", "first");
  r.Report(YAML::Node(), "", "about the whole file");  // no line
  CHECK(r.Errors() ==
        Lines{"c.yml: about the whole file", "c.yml:1: x: first", "c.yml:2: y: second"});
}

TEST_CASE("ExpectMap reports unknown, repeated and unsupported keys", "[unit][config][yaml]") {
  const auto root = YAML::Load(
      "anchor:\n"
      "  timeout: 1s\n"
      "  max_concurency: 3\n"
      "  colour: blue\n"
      "  timeout: 2s\n"
      "  http2: true\n"
      "  colour: red\n");
  const YamlReader r("c.yml");
  r.ExpectMap(root["anchor"], "anchor", {"timeout", "max_concurrency"}, {"http2"});
  const std::string hint =
      R"(c.yml:3: anchor.max_concurency: unknown key, did you mean "max_concurrency"?)";
  CHECK(r.Errors() == Lines{
                          hint,
                          "c.yml:4: anchor.colour: unknown key",
                          "c.yml:5: anchor.timeout: duplicate key (first at line 2)",
                          "c.yml:6: anchor.http2: is not supported by this exporter",
                          // A repeated unknown key is reported as repeated, not twice unknown.
                          "c.yml:7: anchor.colour: duplicate key (first at line 4)",
                      });
  // Not a mapping at all: the only failure that abandons the section.
  const YamlReader s("c.yml");
  CHECK(FailureOf([&] { s.ExpectMap(YAML::Load("a: [1, 2]")["a"], "a", {"x"}); }) ==
        "c.yml:1: a: expected a mapping");
  // At the root the key has no path before it.
  const YamlReader t("c.yml");
  t.ExpectMap(YAML::Load("batchs: []\n"), "", {"batches"});
  CHECK(t.Errors() == Lines{"c.yml:1: batchs: unknown key, did you mean \"batches\"?"});
}

TEST_CASE("a problem quoting control characters stays one printable line", "[unit][config][yaml]") {
  CHECK(anchor::OneLine("a\nb\tc\x01\x7f") == "a\\nb\\tc\\x01\\x7f");
  CHECK(anchor::OneLine("plain ünïcode") == "plain ünïcode");
  const auto root = YAML::Load("\"we\\nird\": 1\n");
  const YamlReader r("c.yml");
  r.ExpectMap(root, "", {"other"});
  CHECK(r.Errors() == Lines{"c.yml:1: we\\nird: unknown key"});
}

TEST_CASE("Join and ResolvePath", "[unit][config][yaml]") {
  CHECK(YamlReader::Join("", "anchor") == "anchor");
  CHECK(YamlReader::Join("anchor", "tls") == "anchor.tls");
  CHECK(anchor::ResolvePath("/etc/anchor", "key") == "/etc/anchor/key");
  CHECK(anchor::ResolvePath("/etc/anchor", "/abs/key") == "/abs/key");
  CHECK(anchor::ResolvePath("", "key") == "key");
  CHECK(anchor::ResolvePath("/etc/anchor", "").empty());
}

TEST_CASE("NearestKey suggests a likely typo only", "[unit][config][yaml]") {
  const KeyList keys = {"max_concurrency", "timeout", "tls", "base_url"};
  CHECK(anchor::NearestKey("max_concurency", keys) == "max_concurrency");
  CHECK(anchor::NearestKey("timeuot", keys) == "timeout");
  CHECK(anchor::NearestKey("base-url", keys) == "base_url");
  CHECK_FALSE(anchor::NearestKey("colour", keys));
  CHECK_FALSE(anchor::NearestKey("tsl", keys));  // 2 edits of a 3-letter word: too many
  CHECK_FALSE(anchor::NearestKey("anything", {}));
}

TEST_CASE("tabs in indentation are named by line", "[unit][config][yaml]") {
  const std::string yaml =
      "anchor:\n"
      "\ttimeout: 1s\n"
      "  base_url: \"a\tb\"\n"  // a tab inside a value is no indentation
      "\t# a comment may be indented with a tab\n"
      "\t\n"
      " \tbatches: []\n";
  CHECK(anchor::TabIndentationErrors(yaml, "c.yml") ==
        Lines{"c.yml:2: tab character in indentation (YAML indents with spaces only)",
              "c.yml:6: tab character in indentation (YAML indents with spaces only)"});
  CHECK(anchor::TabIndentationErrors("a: 1\n", "c.yml").empty());
}

TEST_CASE("ReadYaml: tabs first, then syntax, then what the loader found", "[unit][config][yaml]") {
  const YamlReader none("c.yml");
  bool loaded = false;
  const auto tabs =
      anchor::ReadYaml("a:\n\tb: [\n", none, "c.yml", [&](const YAML::Node&) { loaded = true; });
  CHECK(tabs == Lines{"c.yml:2: tab character in indentation (YAML indents with spaces only)"});
  CHECK_FALSE(loaded);  // not parsed at all

  const auto syntax = anchor::ReadYaml("a: 1\nb: [1, 2\n", none, "c.yml",
                                       [&](const YAML::Node&) { loaded = true; });
  REQUIRE(syntax.size() == 1);
  CHECK(syntax[0].rfind("c.yml:", 0) == 0);
  CHECK(syntax[0].find(": invalid YAML: ") != std::string::npos);
  CHECK_FALSE(loaded);

  const YamlReader r("c.yml");
  const auto problems = anchor::ReadYaml("a: 1\nb: x\n", r, "c.yml", [&](const YAML::Node& root) {
    r.Key(root, "b", [&](const YAML::Node& v) { r.Integer(v, "b", 0, 1); });
    r.Fail(root["a"], "a", "not wanted");
  });
  CHECK(problems == Lines{"c.yml:1: a: not wanted", "c.yml:2: b: expected an integer"});

  // yaml-cpp's own exceptions inside the loader become a line, not a crash.
  const YamlReader e("c.yml");
  const auto thrown = anchor::ReadYaml("a: [1]\n", e, "c.yml",
                                       [](const YAML::Node& root) { (void)root["a"].as<int>(); });
  REQUIRE(thrown.size() == 1);
  CHECK(thrown[0].rfind("c.yml: invalid YAML: ", 0) == 0);

  const YamlReader ok("c.yml");
  CHECK(anchor::ReadYaml("a: 1\n", ok, "c.yml", [](const YAML::Node&) {}).empty());
}

TEST_CASE("ReadFile reads whole files up to a limit and says why not", "[unit][config][yaml]") {
  const std::string dir = anchor::test::MakeTempDir();
  anchor::test::WriteFile(dir + "/small", "hello\n");
  const auto small = anchor::ReadFile(dir + "/small");
  REQUIRE(small.ok());
  CHECK(small.value() == "hello\n");

  CHECK(anchor::ReadFile(dir + "/missing").error() == "No such file or directory");
  CHECK(anchor::ReadFile(dir).error() == "is a directory");

  anchor::test::WriteFile(dir + "/ten", std::string(10, 'x'));
  CHECK(anchor::ReadFile(dir + "/ten", 10).value() == std::string(10, 'x'));  // exactly the limit
  CHECK(anchor::ReadFile(dir + "/ten", 9).error() == "is larger than 9 bytes");
  anchor::test::WriteFile(dir + "/big", std::string((1 << 20) + 1, 'k'));
  CHECK(anchor::ReadFile(dir + "/big").error() == "is larger than 1 MiB");
  CHECK(anchor::ReadFile("/dev/zero").error() == "is larger than 1 MiB");  // ends, too

  if (geteuid() != 0) {  // root reads anything
    anchor::test::WriteFile(dir + "/secret", "k");
    chmod((dir + "/secret").c_str(), 0);
    CHECK(anchor::ReadFile(dir + "/secret").error() == "Permission denied");
  }
}

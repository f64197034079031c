#include <catch2/catch.hpp>
#include <cstdio>
#include <map>

#include "config/config_loader.h"
#include "support/config_problems.h"
#include "support/test_tls.h"

using anchor::LoadConfigString;

namespace {

const char* kKey = "sk-test-SECRET-1234567890";

anchor::EnvLookup Env(const std::map<std::string, std::string>& vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

anchor::ConfigLoadResult Load(const std::string& yaml) {
  return LoadConfigString(yaml, "config.yaml", "", Env({{"ANCHORBROWSER_API_KEY", kKey}}));
}

// Loading must fail with a message that contains every one of `parts`, and never the key.
void ExpectError(const std::string& yaml, std::initializer_list<const char*> parts) {
  const auto r = Load(yaml);
  INFO(yaml);
  REQUIRE_FALSE(r.ok());
  INFO(anchor::test::Problems(r));
  for (const char* part : parts) CHECK(r.error().find(part) != std::string::npos);
  CHECK(r.error().find(kKey) == std::string::npos);
  CHECK(r.error().find('\n') == std::string::npos);
}

}  // namespace

TEST_CASE("config.example.yaml is valid", "[unit][config]") {
  const auto r = anchor::LoadConfigFile(std::string(ANCHOR_SOURCE_DIR) + "/config.example.yaml",
                                        Env({{"ANCHORBROWSER_API_KEY", kKey}}));
  INFO(anchor::test::Problems(r));
  REQUIRE(r.ok());
  CHECK(r->config.batches.size() == 2);
  CHECK(r->config.batches[0].labels.at("team") == "growth");
  CHECK(r->config.anchor.api_key.Reveal() == kKey);
}

TEST_CASE("a full config loads with its values", "[unit][config]") {
  const auto r = Load(R"(
anchor:
  base_url: http://127.0.0.1:8080/prefix/
  timeout: 2s
  connect_timeout: 500ms
  max_concurrency: 4
  max_response_bytes: 2048
  tls:
    insecure_skip_verify: true
batches:
  - id: abc_DEF-123
    labels: {team: a, env: prod}
  - id: other
)");
  INFO(anchor::test::Problems(r));
  REQUIRE(r.ok());
  const auto& c = r->config;
  CHECK(c.anchor.base_url == "http://127.0.0.1:8080/prefix");
  CHECK(c.anchor.timeout == std::chrono::seconds(2));
  CHECK(c.anchor.connect_timeout == std::chrono::milliseconds(500));
  CHECK(c.anchor.max_concurrency == 4);
  CHECK(c.anchor.max_response_bytes == 2048);
  CHECK(c.anchor.tls.insecure_skip_verify);
  REQUIRE(c.batches.size() == 2);
  CHECK(c.batches[0].id == "abc_DEF-123");
  CHECK(c.batches[0].labels.size() == 2);
  CHECK(c.batches[1].labels.empty());
}

TEST_CASE("defaults apply to an almost empty config", "[unit][config]") {
  const auto r = Load("batches: []\n");
  REQUIRE(r.ok());
  CHECK(r->config.anchor.base_url == "https://api.anchorbrowser.io");
  CHECK(r->config.anchor.timeout == std::chrono::seconds(10));
  CHECK(r->config.anchor.max_concurrency == 16);
  CHECK(r->config.anchor.max_response_bytes == 16u << 20);
}

TEST_CASE("config errors name the file and line and key", "[unit][config]") {
  ExpectError("anchor:\n  timeout: 10x\n", {"config.yaml:2:", "anchor.timeout", "10x"});
  ExpectError("anchor:\n  tmeout: 10s\n", {"config.yaml:2:", "anchor.tmeout", "unknown key"});
  ExpectError("anchr: {}\n", {"config.yaml:1:", "anchr", "unknown key"});
  ExpectError("anchor:\n  max_concurrency: many\n",
              {"config.yaml:2:", "anchor.max_concurrency", "integer"});
  ExpectError("anchor:\n  max_concurrency: 0\n", {"anchor.max_concurrency", "between 1 and 256"});
  ExpectError("anchor:\n  base_url: ftp://x\n", {"config.yaml:2:", "anchor.base_url"});
  ExpectError("anchor:\n  base_url: [1]\n", {"anchor.base_url", "expected a string"});
  ExpectError("anchor:\n  tls:\n    insecure_skip_verify: maybe\n",
              {"config.yaml:3:", "anchor.tls.insecure_skip_verify", "true or false"});
  ExpectError("batches:\n  - id: a\n  - id: b/../c\n",
              {"config.yaml:3:", "batches[1].id", "invalid batch id"});
  ExpectError("batches:\n  - id: a\n  - id: a\n", {"config.yaml:3:", "batches[1].id", "duplicate"});
  ExpectError("batches:\n  - id: " + std::string(129, 'x') + "\n", {"batches[0].id"});
  ExpectError("batches:\n  - labels: {a: b}\n", {"batches[0].id", "required"});
  ExpectError("batches:\n  - id: a\n    labels:\n      0bad: x\n",
              {"config.yaml:4:", "batches[0].labels.0bad", "invalid label name"});
  ExpectError("batches:\n  - id: a\n    labels:\n      __name: x\n", {"reserved for Prometheus"});
  ExpectError("batches:\n  - id: a\n    labels:\n      batch_id: x\n",
              {"config.yaml:4:", "batch_id", "the exporter sets itself"});
  ExpectError("batches:\n  - id: a\n    lables: {}\n", {"config.yaml:3:", "batches[0].lables"});
  ExpectError("batches: {id: a}\n", {"batches", "list"});
  ExpectError("anchor: [\n", {"config.yaml:", "invalid YAML"});
  ExpectError("", {"empty"});
}

TEST_CASE("durations longer than the maximum are config errors", "[unit][config]") {
  ExpectError("anchor:\n  timeout: 36501d\n",
              {"config.yaml:2:", "anchor.timeout", "at most 36500d"});
  ExpectError("anchor:\n  connect_timeout: 2147483647w\n", {"anchor.connect_timeout", "36500d"});
  const auto r = Load("anchor:\n  timeout: 36500d\n");
  INFO(anchor::test::Problems(r));
  REQUIRE(r.ok());
  CHECK(r->config.anchor.timeout == anchor::kMaxDuration);
}

// Found by reading the loader while writing fuzz/fuzz_config: strtoll and strtod stopped at an
// escaped NUL and the rest of the value was ignored.
TEST_CASE("a number with an embedded NUL is not a number", "[unit][config]") {
  ExpectError("anchor:\n  max_concurrency: \"12\\0junk\"\n",
              {"config.yaml:2:", "anchor.max_concurrency", "expected an integer"});
  ExpectError("anchor:\n  max_requests_per_second: \"1.5\\0junk\"\n",
              {"config.yaml:2:", "anchor.max_requests_per_second", "expected a number"});
}

// Found by fuzz/fuzz_config: values, keys and yaml-cpp's own messages quoted control characters
// (a newline in a base_url, a NUL escape) into the error, which is logged as one line.
TEST_CASE("config errors stay one printable line whatever they quote", "[unit][config]") {
  const std::pair<std::string, std::string> cases[] = {
      {"anchor:\n  base_url: \"ftp://x\\ny\"\n", "ftp://x\\ny"},
      {"anchor:\n  timeout: \"1\\ts\"\n", "1\\ts"},
      {"\"an\\x01chor\": {}\n", "an\\x01chor"},
      {"batches:\n  - id: \"a\\x7fb\"\n", "a\\x7fb"},
      // yaml-cpp: "unknown escape character: " and the raw character
      {std::string("anchor: \"\\\0\"\n", 13), "invalid YAML: unknown escape character: \\x00"},
      {"anchor:\n  bo\x7fgus: 1\n", "anchor.bo\\x7fgus: unknown key"},
  };
  for (const auto& [yaml, quoted] : cases) {
    const auto r = Load(yaml);
    INFO(yaml);
    REQUIRE_FALSE(r.ok());
    INFO(anchor::test::Problems(r));
    CHECK(r.error().find(quoted) != std::string::npos);
    for (const char c : r.error()) {
      CHECK((static_cast<unsigned char>(c) >= 0x20 && c != 0x7f));
    }
  }
}

TEST_CASE("a missing API key names the variable or file and never a key", "[unit][config]") {
  const auto r = LoadConfigString("batches: []\n", "c.yaml", "", Env({}));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().find("ANCHORBROWSER_API_KEY") != std::string::npos);

  const auto custom = LoadConfigString("anchor:\n  api_key_env: MY_KEY\n", "c.yaml", "",
                                       Env({{"ANCHORBROWSER_API_KEY", kKey}}));
  REQUIRE_FALSE(custom.ok());
  CHECK(custom.error().find("c.yaml:2:") != std::string::npos);
  CHECK(custom.error().find("MY_KEY") != std::string::npos);
  CHECK(custom.error().find(kKey) == std::string::npos);

  const auto file =
      LoadConfigString("anchor:\n  api_key_file: /nonexistent/key\n", "c.yaml", "", Env({}));
  REQUIRE_FALSE(file.ok());
  CHECK(file.error().find("cannot read file /nonexistent/key: No such file or directory") !=
        std::string::npos);
}

TEST_CASE("the API key can come from a file next to the config", "[unit][config]") {
  const auto dir = anchor::test::MakeTempDir();
  anchor::test::WriteFile(dir + "/key", std::string("  ") + kKey + "\n");
  anchor::test::WriteFile(dir + "/config.yaml", "anchor:\n  api_key_file: key\n");
  const auto r = anchor::LoadConfigFile(dir + "/config.yaml", Env({}));
  INFO(anchor::test::Problems(r));
  REQUIRE(r.ok());
  CHECK(r->config.anchor.api_key.Reveal() == kKey);

  anchor::test::WriteFile(dir + "/empty", "\n");
  anchor::test::WriteFile(dir + "/c2.yaml", "anchor:\n  api_key_file: empty\n");
  const auto empty = anchor::LoadConfigFile(dir + "/c2.yaml", Env({}));
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().find("is empty") != std::string::npos);
}

TEST_CASE("an unreadable CA file is a config error", "[unit][config]") {
  ExpectError(
      "anchor:\n  tls:\n    ca_file: /nonexistent/ca.pem\n",
      {"config.yaml:3:", "anchor.tls.ca_file", "/nonexistent/ca.pem: No such file or directory"});
}

TEST_CASE("a missing config file is reported by name", "[unit][config]") {
  const auto r = anchor::LoadConfigFile("/nonexistent/config.yaml", Env({}));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error() ==
        "/nonexistent/config.yaml: cannot read config file: No such file or directory");
  const auto dir = anchor::test::MakeTempDir();
  const auto directory = anchor::LoadConfigFile(dir, Env({}));
  CHECK(directory.error() == dir + ": cannot read config file: is a directory");
}

TEST_CASE("a config file of 50,000 batches loads, and one beyond 16 MiB is refused",
          "[unit][config]") {
  const auto dir = anchor::test::MakeTempDir();
  std::string yaml = "anchor:\n  api_key_file: key\nbatches:\n";
  char id[40];
  for (int i = 0; i < 50000; ++i) {
    std::snprintf(id, sizeof(id), "3c90c3cc-0d44-4b50-8888-%012d", i);
    yaml += std::string("  - id: ") + id + "\n";
  }
  REQUIRE(yaml.size() > (size_t{1} << 20));  // beyond the limit of the other files read
  anchor::test::WriteFile(dir + "/key", kKey);
  anchor::test::WriteFile(dir + "/config.yaml", yaml);
  const auto r = anchor::LoadConfigFile(dir + "/config.yaml", Env({}));
  INFO(anchor::test::Problems(r));
  REQUIRE(r.ok());
  CHECK(r->config.batches.size() == 50000);

  anchor::test::WriteFile(dir + "/big.yaml", yaml + std::string(size_t{16} << 20, '#'));
  CHECK(anchor::LoadConfigFile(dir + "/big.yaml", Env({})).error() ==
        dir + "/big.yaml: cannot read config file: is larger than 16 MiB");
}

TEST_CASE("label names are checked", "[unit][config]") {
  CHECK(anchor::IsValidLabelName("team_1"));
  CHECK_FALSE(anchor::IsValidLabelName("1team"));
  CHECK_FALSE(anchor::IsValidLabelName("te-am"));
  CHECK_FALSE(anchor::IsValidLabelName("__x"));
}

TEST_CASE("cache and discovery and probe keys load and validate", "[unit][config]") {
  const auto r = Load(R"(
anchor:
  max_requests_per_second: 2.5
cache:
  terminal_ttl: 10m
  min_interval: 15s
discovery:
  enabled: true
  statuses: [processing]
  created_within: 24h
  max_batches: 50
  refresh_interval: 2m
probe:
  allow_unlisted: true
  max_unlisted_state: 250
)");
  INFO(anchor::test::Problems(r));
  REQUIRE(r.ok());
  const auto& c = r->config;
  CHECK(c.anchor.max_requests_per_second == 2.5);
  CHECK(c.cache.terminal_ttl == std::chrono::minutes(10));
  CHECK(c.cache.min_interval == std::chrono::seconds(15));
  CHECK(c.discovery.enabled);
  CHECK(c.discovery.statuses == std::vector<std::string>{"processing"});
  CHECK(c.discovery.created_within == std::chrono::hours(24));
  CHECK(c.discovery.max_batches == 50);
  CHECK(c.discovery.refresh_interval == std::chrono::minutes(2));
  CHECK(c.probe.allow_unlisted);
  CHECK(c.probe.max_unlisted_state == 250);

  ExpectError("cache:\n  terminal_ttl: soon\n", {"config.yaml:2:", "cache.terminal_ttl"});
  ExpectError("cache:\n  ttl: 5m\n", {"config.yaml:2:", "cache.ttl", "unknown key"});
  ExpectError("discovery:\n  statuses: []\n", {"config.yaml:2:", "discovery.statuses"});
  ExpectError("discovery:\n  statuses: [pending, \"a b\"]\n",
              {"discovery.statuses[1]", "unknown value \"a b\" (expected one of pending,"});
  ExpectError("discovery:\n  max_batches: 0\n", {"discovery.max_batches"});
  ExpectError("probe:\n  max_unlisted_state: 0\n", {"probe.max_unlisted_state"});
  ExpectError("discovery:\n  refresh_interval: 0\n", {"discovery.refresh_interval", "positive"});
  ExpectError("discovery:\n  enabled: yes please\n", {"discovery.enabled"});
  ExpectError("anchor:\n  max_requests_per_second: -1\n", {"anchor.max_requests_per_second"});
  ExpectError("anchor:\n  max_requests_per_second: fast\n",
              {"config.yaml:2:", "anchor.max_requests_per_second", "number"});
  ExpectError("probe:\n  allow: true\n", {"config.yaml:2:", "probe.allow", "unknown key"});
}

TEST_CASE("the sessions section: histograms and bucket bounds", "[unit][config][sessions]") {
  const auto defaults = Load("batches: [{id: b1}]\n");
  REQUIRE(defaults.ok());
  CHECK(defaults->config.sessions.histograms == anchor::SessionHistograms::kActive);
  CHECK(defaults->config.sessions.buckets.duration.size() == 12);
  CHECK(defaults->config.sessions.buckets.queue.front() == 0.5);

  const auto r = Load(
      "batches: [{id: b1}]\nsessions:\n  histograms: all\n  duration_buckets: [0.5, 10, 1e3]\n"
      "  queue_buckets: [60]\n");
  REQUIRE(r.ok());
  CHECK(r->config.sessions.histograms == anchor::SessionHistograms::kAll);
  CHECK(r->config.sessions.buckets.duration == std::vector<double>{0.5, 10, 1000});
  CHECK(r->config.sessions.buckets.queue == std::vector<double>{60});
  CHECK(Load("sessions: {histograms: 'off'}\n")->config.sessions.histograms ==
        anchor::SessionHistograms::kOff);

  ExpectError("batches: []\nsessions:\n  histograms: some\n",
              {"config.yaml:3:", "sessions.histograms", "all, active, off"});
  ExpectError("sessions:\n  duration_buckets: [1, 5, 5]\n",
              {"config.yaml:2:", "sessions.duration_buckets[2]", "strictly increasing"});
  ExpectError("sessions:\n  queue_buckets:\n    - 10\n    - 0\n",
              {"config.yaml:4:", "sessions.queue_buckets[1]"});
  ExpectError("sessions:\n  queue_buckets: [-1]\n",
              {"config.yaml:2:", "sessions.queue_buckets[0]"});
  ExpectError("sessions:\n  duration_buckets: []\n",
              {"config.yaml:2:", "sessions.duration_buckets", "1 to 30"});
  ExpectError("sessions:\n  duration_buckets: 10\n",
              {"config.yaml:2:", "sessions.duration_buckets"});
  ExpectError("sessions:\n  duration_buckets: [1, ten]\n",
              {"config.yaml:2:", "sessions.duration_buckets[1]"});
  ExpectError("sessions:\n  duration_buckets: [.inf]\n",
              {"config.yaml:2:", "sessions.duration_buckets[0]"});
  std::string many = "sessions:\n  duration_buckets: [";
  for (int i = 1; i <= 31; ++i) many += std::to_string(i) + (i < 31 ? ", " : "]\n");
  ExpectError(many, {"config.yaml:2:", "sessions.duration_buckets", "1 to 30"});
  ExpectError("sessions:\n  buckets: [1]\n", {"config.yaml:2:", "sessions", "buckets"});
}

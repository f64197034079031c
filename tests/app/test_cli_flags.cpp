// ParseFlags and CheckFlags (src/cli_flags.cpp), called directly: nothing is printed, the text
// for stdout and stderr comes back with the exit status.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <variant>
#include <vector>

#include "cli_flags.h"

namespace {

using anchor::Flags;
using anchor::FlagsExit;

std::variant<Flags, FlagsExit> Parse(const std::vector<std::string>& args) {
  std::vector<const char*> argv = {"anchorbrowser_exporter"};
  for (const auto& a : args) argv.push_back(a.c_str());
  return anchor::ParseFlags(static_cast<int>(argv.size()), argv.data());
}

Flags ParseOk(const std::vector<std::string>& args) {
  auto parsed = Parse(args);
  if (const auto* exit = std::get_if<FlagsExit>(&parsed))
    FAIL("exit " << exit->status << ": " << exit->err);
  return std::get<Flags>(parsed);
}

FlagsExit ParseExit(const std::vector<std::string>& args) {
  auto parsed = Parse(args);
  REQUIRE(std::holds_alternative<FlagsExit>(parsed));
  return std::get<FlagsExit>(parsed);
}

}  // namespace

TEST_CASE("without flags every default is the documented one", "[unit][app][flags]") {
  using namespace std::chrono_literals;
  const Flags f = ParseOk({});
  CHECK(f.config_file == "config.yaml");
  CHECK_FALSE(f.config_check);
  CHECK_FALSE(f.config_check_skip_secrets);
  CHECK_FALSE(f.demo);
  CHECK(f.web_config_file.empty());
  CHECK(f.web.listen_address == ":9877");
  CHECK(f.web.telemetry_path == "/metrics");
  CHECK(f.web.timeout_offset == 500ms);
  CHECK(f.web.max_scrape_timeout == 30s);
  CHECK(f.web.max_connections == 0);
  CHECK(f.web.max_requests == 40);
  CHECK(f.web.read_header_timeout == 10s);
  CHECK(f.web.idle_timeout == 60s);
  CHECK(f.log_level == anchor::LogLevel::kInfo);
  CHECK(f.log_format == anchor::LogFormat::kLogfmt);
  CHECK(anchor::CheckFlags(f).empty());
}

TEST_CASE("flags set what they name", "[unit][app][flags]") {
  using namespace std::chrono_literals;
  const Flags f = ParseOk(
      {"--config.file=/etc/a.yaml", "--config.check", "--config.check.skip-secrets",
       "--web.listen-address", "127.0.0.1:1234", "--web.telemetry-path=/m",
       "--web.timeout-offset=1s", "--web.max-scrape-timeout=1m", "--web.max-connections=100",
       "--web.max-requests=0", "--web.read-header-timeout=2s", "--web.idle-timeout=90s",
       "--web.config.file=web.yml", "--log.level=debug", "--log.format=json", "--demo"});
  CHECK(f.config_file == "/etc/a.yaml");
  CHECK(f.config_check);
  CHECK(f.config_check_skip_secrets);
  CHECK(f.web.listen_address == "127.0.0.1:1234");
  CHECK(f.web.telemetry_path == "/m");
  CHECK(f.web.timeout_offset == 1s);
  CHECK(f.web.max_scrape_timeout == 60s);
  CHECK(f.web.max_connections == 100);
  CHECK(f.web.max_requests == 0);
  CHECK(f.web.read_header_timeout == 2s);
  CHECK(f.web.idle_timeout == 90s);
  CHECK(f.web_config_file == "web.yml");
  CHECK(f.log_level == anchor::LogLevel::kDebug);
  CHECK(f.log_format == anchor::LogFormat::kJson);
  CHECK(f.demo);
}

TEST_CASE("--help and --version exit 0 with their text on stdout", "[unit][app][flags]") {
  const FlagsExit version = ParseExit({"--version"});
  CHECK(version.status == 0);
  CHECK(version.out.rfind("anchorbrowser_exporter, version ", 0) == 0);
  CHECK(version.out.find("(revision ") != std::string::npos);
  CHECK(version.err.empty());

  const FlagsExit help = ParseExit({"--help"});
  CHECK(help.status == 0);
  CHECK(help.out.find("--web.listen-address") != std::string::npos);
  CHECK(help.out.find("--config.check.skip-secrets") != std::string::npos);
  CHECK(help.err.empty());
}

TEST_CASE("a bad or unknown flag exits 1 and says which", "[unit][app][flags]") {
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"--no-such-flag"}, "--no-such-flag"},
      {{"--log.level=verbose"}, "--log.level"},
      {{"--log.format=xml"}, "--log.format"},
      {{"--web.timeout-offset=10 seconds"}, "invalid duration \"10 seconds\""},
      {{"--web.max-scrape-timeout=soon"}, "invalid duration \"soon\""},
      {{"--web.max-requests=-1"}, "--web.max-requests"},
      {{"--web.max-requests=65537"}, "--web.max-requests"},
      {{"--web.max-connections=many"}, "--web.max-connections"},
      {{"--web.telemetry-path=metrics"},
       "--web.telemetry-path: must start with /, got \"metrics\"\n"},
      {{"--config.check.skip-secrets"}, "--config.check.skip-secrets needs --config.check\n"},
      {{"--web.idle-timeout=0s"},
       "--web.read-header-timeout and --web.idle-timeout must be longer than 0\n"},
      {{"--web.read-header-timeout=0s"},
       "--web.read-header-timeout and --web.idle-timeout must be longer than 0\n"},
  };
  for (const auto& c : cases) {
    INFO(c.args.front());
    const FlagsExit exit = ParseExit(c.args);
    CHECK(exit.status == 1);
    CHECK(exit.err.find(c.says) != std::string::npos);
    CHECK(exit.out.empty());
  }
}

TEST_CASE("CheckFlags refuses a listen address it cannot use", "[unit][app][flags]") {
  Flags f = ParseOk({"--web.listen-address=localhost"});
  CHECK(anchor::CheckFlags(f) ==
        std::vector<std::string>{"--web.listen-address: invalid address \"localhost\" (expected "
                                 "[host]:port, e.g. :9877 or 127.0.0.1:9877 or [::1]:9877)"});
  f.web.listen_address = "[::1]:9877";
  CHECK(anchor::CheckFlags(f).empty());
}

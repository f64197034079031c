#include "cli_flags.h"

#include <CLI/CLI.hpp>
#include <sstream>
#include <utility>

#include "http/listen_address.h"
#include "version.h"

namespace anchor {

namespace {

// A CLI11 validator for durations such as 500ms or 30s.
CLI::Validator DurationValidator() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        return ParseDuration(text) ? "" : "invalid duration \"" + text + "\" (e.g. 500ms, 30s)";
      },
      "DURATION");
}

// What CLI11 reads as text (or as a bare flag) before it becomes a Flags field: the values are
// converted only once the whole command line has parsed.
struct RawFlags {
  std::string level = "info";
  std::string format = "logfmt";
  std::string offset = "500ms";
  std::string max_timeout = "30s";
  std::string header_timeout = "10s";
  std::string idle_timeout = "60s";
  bool version = false;
};

void AddConfigFlags(CLI::App& app, Flags& flags) {
  app.add_option("--config.file", flags.config_file, "Configuration file")->capture_default_str();
  app.add_flag("--config.check", flags.config_check,
               "Validate the configuration file, the web config file and the flags, print "
               "every problem and exit (0 if valid, 1 if not)");
  app.add_flag("--config.check.skip-secrets", flags.config_check_skip_secrets,
               "With --config.check: do not require the API key (its environment variable or "
               "file) to exist, for CI jobs that do not hold the secret");
}

// The listener's address, path and TLS file, and its limits on connections and requests.
void AddWebServerFlags(CLI::App& app, Flags& flags) {
  app.add_option("--web.listen-address", flags.web.listen_address,
                 "Address to listen on for the web interface and telemetry")
      ->capture_default_str();
  app.add_option("--web.telemetry-path", flags.web.telemetry_path,
                 "Path under which to expose metrics")
      ->capture_default_str();
  app.add_option("--web.config.file", flags.web_config_file,
                 "Path to a web configuration file (exporter-toolkit format) that enables TLS "
                 "and/or basic authentication");
  app.add_option("--web.max-connections", flags.web.max_connections,
                 "Connections open at once; when full, incomplete and idle ones are closed "
                 "first. 0 derives it from the open-files limit")
      ->check(CLI::Range(0, 1 << 20))
      ->capture_default_str();
}

// The listener's timeouts and the scrape's time budget; registered after AddWebServerFlags so
// that --help lists them in the order they have always had.
void AddWebTimingFlags(CLI::App& app, Flags& flags, RawFlags& raw) {
  app.add_option("--web.read-header-timeout", raw.header_timeout,
                 "A request head must arrive within this, or the connection is closed")
      ->check(DurationValidator())
      ->capture_default_str();
  app.add_option("--web.idle-timeout", raw.idle_timeout,
                 "An idle keep-alive connection is closed after this")
      ->check(DurationValidator())
      ->capture_default_str();
  app.add_option("--web.max-requests", flags.web.max_requests,
                 "Scrapes (metrics and /probe) answered at once; more get 503. 0 means no limit")
      ->check(CLI::Range(0, 65536))
      ->capture_default_str();
  app.add_option("--web.timeout-offset", raw.offset,
                 "Subtracted from Prometheus' scrape timeout to leave time to answer")
      ->check(DurationValidator())
      ->capture_default_str();
  app.add_option("--web.max-scrape-timeout", raw.max_timeout,
                 "Longest a scrape may take (also used when Prometheus sends no timeout)")
      ->check(DurationValidator())
      ->capture_default_str();
}

void AddLogAndModeFlags(CLI::App& app, Flags& flags, RawFlags& raw) {
  app.add_option("--log.level", raw.level, "Only log messages with the given severity or above")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();
  app.add_option("--log.format", raw.format, "Output format of log messages")
      ->check(CLI::IsMember({"logfmt", "json"}))
      ->capture_default_str();
  app.add_flag("--demo", flags.demo,
               "Serve a simulated Anchor API on loopback and export its batches (no API key "
               "needed; the config file is not read)");
  app.add_flag("--version", raw.version, "Show the version and exit");
}

// The checks that span flags, and the conversion of the text ones (the validators have
// accepted them, so the parses cannot fail).
std::variant<Flags, FlagsExit> Finish(Flags flags, const RawFlags& raw) {
  if (flags.config_check_skip_secrets && !flags.config_check) {
    return FlagsExit{1, "", "--config.check.skip-secrets needs --config.check\n"};
  }
  if (flags.web.telemetry_path.empty() || flags.web.telemetry_path[0] != '/') {
    return FlagsExit{
        1, "",
        "--web.telemetry-path: must start with /, got \"" + flags.web.telemetry_path + "\"\n"};
  }
  flags.log_level = *Logger::ParseLevel(raw.level);
  flags.log_format = *Logger::ParseFormat(raw.format);
  flags.web.timeout_offset = *ParseDuration(raw.offset);
  flags.web.max_scrape_timeout = *ParseDuration(raw.max_timeout);
  flags.web.read_header_timeout = *ParseDuration(raw.header_timeout);
  flags.web.idle_timeout = *ParseDuration(raw.idle_timeout);
  if (flags.web.read_header_timeout.count() <= 0 || flags.web.idle_timeout.count() <= 0) {
    return FlagsExit{1, "",
                     "--web.read-header-timeout and --web.idle-timeout must be longer than 0\n"};
  }
  return flags;
}

}  // namespace

std::variant<Flags, FlagsExit> ParseFlags(int argc, const char* const* argv) {
  Flags flags;
  RawFlags raw;
  CLI::App app{"Prometheus exporter for Anchor Browser batch sessions.", "anchorbrowser_exporter"};
  AddConfigFlags(app, flags);
  AddWebServerFlags(app, flags);
  AddWebTimingFlags(app, flags, raw);
  AddLogAndModeFlags(app, flags, raw);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::ostringstream out;
    std::ostringstream err;
    // --help exits 0; every bad or unknown flag exits 1 (CLI11's own codes go up to 255).
    const int status = app.exit(e, out, err) == 0 ? 0 : 1;
    return FlagsExit{status, out.str(), err.str()};
  }
  if (raw.version) {
    return FlagsExit{0,
                     std::string("anchorbrowser_exporter, version ") + kVersion + " (revision " +
                         kRevision + ")\n",
                     ""};
  }
  return Finish(std::move(flags), raw);
}

std::vector<std::string> CheckFlags(const Flags& flags) {
  std::vector<std::string> problems;
  if (!ParseListenAddress(flags.web.listen_address).ok()) {
    problems.push_back("--web.listen-address: invalid address \"" + flags.web.listen_address +
                       "\" (expected [host]:port, e.g. :9877 or 127.0.0.1:9877 or [::1]:9877)");
  }
  return problems;
}

}  // namespace anchor

#pragma once

#include <string>
#include <variant>
#include <vector>

#include "log/logger.h"
#include "web/web_options.h"

namespace anchor {

// Command-line flags, named as in the Prometheus exporters (--config.file, --web.listen-address).
struct Flags {
  std::string config_file = "config.yaml";
  bool config_check = false;
  bool config_check_skip_secrets = false;  // --config.check without needing the API key
  bool demo = false;
  WebOptions web;
  std::string web_config_file;  // exporter-toolkit web config: TLS and basic auth
  LogLevel log_level = LogLevel::kInfo;
  LogFormat log_format = LogFormat::kLogfmt;
};

// The process ends at once instead of running: after --help or --version with status 0, on a
// bad or unknown flag with status 1 and `err` saying which.
struct FlagsExit {
  int status = 0;
  std::string out;  // for stdout (the help or version text)
  std::string err;  // for stderr
};

// Parses argv (prints nothing): the flags to run with, or how to exit.
std::variant<Flags, FlagsExit> ParseFlags(int argc, const char* const* argv);

// What --config.check checks besides the config file: the flags that name an address or a
// path. One line per problem; empty when all are valid.
std::vector<std::string> CheckFlags(const Flags& flags);

}  // namespace anchor

#pragma once

#include <optional>
#include <string>
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

// Parses argv. Returns the flags, or sets `exit_code` (0 after --help/--version, 1 on a bad or
// unknown flag, with the message already printed).
std::optional<Flags> ParseFlags(int argc, char** argv, int& exit_code);

// What --config.check checks besides the config file: the flags that name an address or a
// path. One line per problem; empty when all are valid.
std::vector<std::string> CheckFlags(const Flags& flags);

}  // namespace anchor

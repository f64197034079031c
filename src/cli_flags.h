#pragma once

#include <optional>
#include <string>

#include "log/logger.h"
#include "web/exporter_server.h"

namespace anchor {

// Command-line flags, named as in the Prometheus exporters (--config.file, --web.listen-address).
struct Flags {
  std::string config_file = "config.yaml";
  bool config_check = false;
  bool demo = false;
  WebOptions web;
  std::string web_config_file;  // exporter-toolkit web config: TLS and basic auth
  LogLevel log_level = LogLevel::kInfo;
  LogFormat log_format = LogFormat::kLogfmt;
};

// Parses argv. Returns the flags, or sets `exit_code` (0 after --help/--version, 1 on a bad
// flag, with the message already printed).
std::optional<Flags> ParseFlags(int argc, char** argv, int& exit_code);

}  // namespace anchor

#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace anchor {

// Looks up an environment variable; the default reads the process environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup ProcessEnv();

// The outcome of loading a config: either a validated Config, or every problem found, one line
// each naming the file, line and key ("config.yaml:7: anchor.timeout: ...").
struct ConfigLoadResult {
  ConfigLoadResult() = default;
  ConfigLoadResult(std::optional<Config> loaded, std::string problem)
      : config(std::move(loaded)), error(std::move(problem)) {
    if (!error.empty()) errors = {error};
  }

  std::optional<Config> config;
  std::string error;  // `errors`, one per line
  std::vector<std::string> errors;
  std::vector<std::string> warnings;  // a valid config that is likely not what was meant
  bool ok() const { return config.has_value(); }
};

struct ConfigLoadOptions {
  std::string base_dir;  // resolves relative paths; LoadConfigFile sets it to the file's directory
  EnvLookup env = ProcessEnv();
  // Check everything but the API key itself (the variable being set, the file existing), so
  // that CI can validate a config without holding the secret. The Config has no key then.
  bool skip_secrets = false;
};

// Reads and validates a YAML config file. Relative paths inside it (api_key_file, tls.ca_file)
// are resolved against the file's directory, as Prometheus does.
ConfigLoadResult LoadConfigFile(const std::string& path, const EnvLookup& env = ProcessEnv());
ConfigLoadResult LoadConfigFile(const std::string& path, const ConfigLoadOptions& options);

// Same, from text; `source` names it in errors and `base_dir` resolves relative paths.
ConfigLoadResult LoadConfigString(std::string_view yaml, const std::string& source,
                                  const std::string& base_dir, const EnvLookup& env = ProcessEnv());
ConfigLoadResult LoadConfigString(std::string_view yaml, const std::string& source,
                                  const ConfigLoadOptions& options);

// True for a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*) not reserved ("__" prefix).
bool IsValidLabelName(std::string_view name);

}  // namespace anchor

#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "config/config.h"
#include "config/config_load_options.h"

namespace anchor {

// A validated config, and what in it is likely not what was meant (one line each).
struct LoadedConfig {
  Config config;
  std::vector<std::string> warnings;
};

// The outcome of loading a config: a LoadedConfig, or every problem found in one Error, one line
// each naming the file, line and key ("config.yaml:7: anchor.timeout: ..."), so that a user fixes
// them all in one go.
using ConfigLoadResult = Result<LoadedConfig>;

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

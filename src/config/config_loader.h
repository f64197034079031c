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

// The outcome of loading a config: either a validated Config or one line saying what is wrong,
// naming the file, line and key ("config.yaml:7: anchor.timeout: ...").
struct ConfigLoadResult {
  std::optional<Config> config;
  std::string error;
  std::vector<std::string> warnings;  // for the log: loaded, but something is unsafe
  bool ok() const { return config.has_value(); }
};

// Reads and validates a YAML config file. Relative paths inside it (api_key_file, tls.ca_file)
// are resolved against the file's directory, as Prometheus does.
ConfigLoadResult LoadConfigFile(const std::string& path, const EnvLookup& env = ProcessEnv());

// Same, from text; `source` names it in errors and `base_dir` resolves relative paths.
ConfigLoadResult LoadConfigString(std::string_view yaml, const std::string& source,
                                  const std::string& base_dir, const EnvLookup& env = ProcessEnv());

// True for ids the API can hold and a URL path can carry safely: [A-Za-z0-9_-]{1,128}.
bool IsValidBatchId(std::string_view id);

// True for a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*) not reserved ("__" prefix).
bool IsValidLabelName(std::string_view name);

}  // namespace anchor

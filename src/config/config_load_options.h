#pragma once

#include <functional>
#include <optional>
#include <string>

namespace anchor {

// Looks up an environment variable; the default reads the process environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup ProcessEnv();

// How a config is read: shared by the loader and its section readers.
struct ConfigLoadOptions {
  std::string base_dir;  // resolves relative paths; LoadConfigFile sets it to the file's directory
  EnvLookup env = ProcessEnv();
  // Check everything but the API key itself (the variable being set, the file existing), so
  // that CI can validate a config without holding the secret. The Config has no key then.
  bool skip_secrets = false;
};

}  // namespace anchor

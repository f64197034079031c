#include "config/config_loader.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <utility>

#include "base/text.h"
#include "config/anchor_section.h"
#include "config/api_key_source.h"
#include "config/batch_sections.h"
#include "config/scrape_sections.h"
#include "config/yaml_reader.h"

namespace anchor {
namespace {

// The sections a config may hold; a new one goes here and into Load() below.
const KeyList kRootKeys = {"anchor", "batches", "cache", "discovery", "probe", "sessions"};

Config Load(const YAML::Node& root, const YamlReader& r, const ConfigLoadOptions& options) {
  Config config;
  if (root.IsNull() || !root.IsDefined()) r.Fail(root, "", "the file is empty");
  r.ExpectMap(root, "", kRootKeys);
  r.Attempt([&] { LoadAnchor(r, root["anchor"], options, config.anchor); });
  r.Attempt([&] { config.batches = LoadBatches(r, root["batches"]); });
  r.Attempt([&] { LoadCache(r, root["cache"], config.cache); });
  r.Attempt([&] { LoadDiscovery(r, root["discovery"], config.discovery); });
  r.Attempt([&] { LoadProbe(r, root["probe"], config.probe); });
  r.Attempt([&] { LoadSessions(r, root["sessions"], config.sessions); });
  return config;
}

// What a valid config likely does not mean.
std::vector<std::string> Warnings(const Config& config, const std::string& source,
                                  const ConfigLoadOptions& options) {
  std::vector<std::string> warnings;
  if (config.batches.empty() && !config.discovery.enabled) {
    warnings.push_back(source +
                       ": warning: no batches are configured and discovery is disabled, "
                       "so no batch will be exported");
  }
  if (!config.anchor.api_key_file.empty() && !options.skip_secrets) {
    if (auto mode = KeyFileModeWarning(source, config.anchor.api_key_file)) {
      warnings.push_back(std::move(*mode));
    }
  }
  return warnings;
}

}  // namespace

bool IsValidLabelName(std::string_view name) {
  if (name.empty() || name.substr(0, 2) == "__") return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    const bool ok = std::isalpha(c) || c == '_' || (i > 0 && std::isdigit(c));
    if (!ok || c > 127) return false;
  }
  return true;
}

ConfigLoadResult LoadConfigString(std::string_view yaml, const std::string& source,
                                  const ConfigLoadOptions& options) {
  const YamlReader reader(source);
  Config config;
  const std::vector<std::string> problems = ReadYaml(
      yaml, reader, source, [&](const YAML::Node& root) { config = Load(root, reader, options); });
  // All of them in one reason, one per line: the user fixes the file in one go.
  if (!problems.empty()) return Error{text::Join(problems, "\n")};
  std::vector<std::string> warnings = Warnings(config, source, options);
  return LoadedConfig{std::move(config), std::move(warnings)};
}

ConfigLoadResult LoadConfigString(std::string_view yaml, const std::string& source,
                                  const std::string& base_dir, const EnvLookup& env) {
  ConfigLoadOptions options;
  options.base_dir = base_dir;
  options.env = env;
  return LoadConfigString(yaml, source, options);
}

ConfigLoadResult LoadConfigFile(const std::string& path, const ConfigLoadOptions& options) {
  const auto read = ReadFile(path, kMaxConfigFileBytes);
  if (!read.ok()) return Error{OneLine(path + ": cannot read config file: " + read.error())};
  ConfigLoadOptions with_dir = options;
  const auto slash = path.rfind('/');
  with_dir.base_dir = slash == std::string::npos ? "" : path.substr(0, slash);
  return LoadConfigString(read.value(), path, with_dir);
}

ConfigLoadResult LoadConfigFile(const std::string& path, const EnvLookup& env) {
  ConfigLoadOptions options;
  options.env = env;
  return LoadConfigFile(path, options);
}

}  // namespace anchor

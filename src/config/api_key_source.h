#pragma once

#include <optional>
#include <string>

#include "config/config.h"
#include "config/config_load_options.h"

namespace YAML {
class Node;
}

namespace anchor {

class YamlReader;

// Resolves the API key from a file (trimmed) or an environment variable, as `a` names them.
// Messages name the variable or file, never the key. With options.skip_secrets only the names
// are checked. Fails through `r` (it throws, as YamlReader::Fail does).
void ResolveApiKey(const YamlReader& r, const YAML::Node& anchor_node,
                   const ConfigLoadOptions& options, AnchorConfig& a);

// A warning when the key file can be read by others than its owner (as ssh gives for keys).
std::optional<std::string> KeyFileModeWarning(const std::string& source, const std::string& path);

}  // namespace anchor

#pragma once

#include "config/config.h"
#include "config/config_load_options.h"

namespace YAML {
class Node;
}

namespace anchor {

class YamlReader;

// Reads the `anchor:` section (the API's URL, key, limits and TLS) into `a`, recording every
// problem in `r`; an absent section keeps the defaults but still resolves the API key.
void LoadAnchor(const YamlReader& r, const YAML::Node& node, const ConfigLoadOptions& options,
                AnchorConfig& a);

}  // namespace anchor

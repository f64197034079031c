#pragma once

#include <vector>

#include "config/config.h"

namespace YAML {
class Node;
}

namespace anchor {

class YamlReader;

// The two sections that say which batches are exported: the listed ones (`batches:`) and the
// found ones (`discovery:`). Each records every problem in `r`; an absent section keeps the
// defaults.
std::vector<BatchTarget> LoadBatches(const YamlReader& r, const YAML::Node& node);
void LoadDiscovery(const YamlReader& r, const YAML::Node& node, DiscoveryConfig& d);

}  // namespace anchor

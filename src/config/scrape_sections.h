#pragma once

#include "config/config.h"

namespace YAML {
class Node;
}

namespace anchor {

class YamlReader;

// The sections that shape how batches are fetched and exported: `cache:`, `probe:` and
// `sessions:`. Each records every problem in `r`; an absent section keeps the defaults.
void LoadCache(const YamlReader& r, const YAML::Node& node, CacheConfig& cache);
void LoadProbe(const YamlReader& r, const YAML::Node& node, ProbeConfig& probe);
void LoadSessions(const YamlReader& r, const YAML::Node& node, SessionsConfig& sessions);

}  // namespace anchor

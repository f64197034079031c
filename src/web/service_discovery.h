#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config.h"

namespace anchor {

// One target of GET /sd: a tracked batch, as Prometheus' HTTP service discovery lists it.
struct ServiceDiscoveryTarget {
  std::string batch_id;
  bool discovered = false;            // found through discovery (else configured)
  std::optional<std::string> status;  // last status seen, when the batch has been fetched
  LabelMap labels;                    // the batch's static labels
};

// The body of GET /sd in the http_sd_configs format: a JSON list of target groups, one per batch
// (so that each carries its own labels), the target being the batch id. Labels:
// __meta_anchorbrowser_source (configured or discovered), __meta_anchorbrowser_status (when
// known) and __meta_anchorbrowser_label_<name> per static label. Prometheus drops __meta_ labels
// after relabeling, so users keep what they want with labelmap or relabel rules.
std::string RenderServiceDiscovery(const std::vector<ServiceDiscoveryTarget>& targets);

}  // namespace anchor

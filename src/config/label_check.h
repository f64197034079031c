#pragma once

#include <cstddef>
#include <string>

#include "config/config.h"
#include "config/yaml_reader.h"

namespace anchor {

// Longest static label value accepted, in bytes. Prometheus has no limit of its own, but every
// byte is repeated on each series of the batch, in every scrape.
constexpr std::size_t kMaxLabelValueBytes = 1024;

// Reads a mapping of static label names to values (batches[].labels) at `path`. Each name must be
// a Prometheus legacy label name ([a-zA-Z_][a-zA-Z0-9_]*), not start with "__" (reserved by
// Prometheus) and not be one the exporter sets itself (labels::kExporterLabelNames); each value
// must be valid UTF-8 without control characters and at most kMaxLabelValueBytes long. Each
// refusal is reported with the file, line and key, and the other labels are still read.
LabelMap LoadLabels(const YamlReader& r, const YAML::Node& node, const std::string& path);

}  // namespace anchor

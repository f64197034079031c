#include "config/batch_sections.h"

#include <yaml-cpp/yaml.h>

#include <map>
#include <string>

#include "config/batch_id.h"
#include "config/label_check.h"
#include "config/yaml_reader.h"

namespace anchor {
namespace {

// The keys each section may hold; a new key goes here and into its section's reader.
const KeyList kBatchKeys = {"id", "labels"};
const KeyList kDiscoveryKeys = {"enabled", "statuses", "created_within", "max_batches",
                                "refresh_interval"};
// Batch statuses the API documents (docs: batch-sessions).
const KeyList kBatchStatuses = {"pending", "processing", "completed", "failed", "cancelled"};

// One `batches:` item; `first_line` remembers each id's line to name it in a duplicate's error.
BatchTarget LoadBatch(const YamlReader& r, const YAML::Node& item, const std::string& path,
                      std::map<std::string, int>& first_line) {
  r.ExpectMap(item, path, kBatchKeys);
  if (!item["id"]) r.Fail(item, path + ".id", "is required");
  BatchTarget target;
  target.id = r.String(item["id"], path + ".id");
  if (!IsValidBatchId(target.id)) {
    r.Fail(item["id"], path + ".id",
           "invalid batch id \"" + target.id + "\" (must match [A-Za-z0-9_-]{1,128})");
  }
  const int line = item["id"].Mark().line + 1;
  if (const auto [it, fresh] = first_line.emplace(target.id, line); !fresh) {
    r.Fail(item["id"], path + ".id",
           "duplicate batch id \"" + target.id + "\" (first at line " + std::to_string(it->second) +
               ")");
  }
  r.Key(item, "labels",
        [&](const YAML::Node& v) { target.labels = LoadLabels(r, v, path + ".labels"); });
  return target;
}

void LoadStatuses(const YamlReader& r, const YAML::Node& statuses, DiscoveryConfig& d) {
  if (!statuses.IsSequence() || statuses.size() == 0) {
    r.Fail(statuses, "discovery.statuses", "expected a non-empty list of batch statuses");
  }
  d.statuses.clear();
  for (size_t i = 0; i < statuses.size(); ++i) {
    r.Attempt([&] {
      const std::string path = "discovery.statuses[" + std::to_string(i) + "]";
      d.statuses.push_back(r.OneOf(statuses[i], path, kBatchStatuses));
    });
  }
}

}  // namespace

std::vector<BatchTarget> LoadBatches(const YamlReader& r, const YAML::Node& node) {
  std::vector<BatchTarget> batches;
  if (!node || node.IsNull()) return batches;
  if (!node.IsSequence()) r.Fail(node, "batches", "expected a list of {id, labels}");
  std::map<std::string, int> first_line;
  for (size_t i = 0; i < node.size(); ++i) {
    r.Attempt([&] {
      const std::string path = "batches[" + std::to_string(i) + "]";
      batches.push_back(LoadBatch(r, node[i], path, first_line));
    });
  }
  return batches;
}

void LoadDiscovery(const YamlReader& r, const YAML::Node& node, DiscoveryConfig& d) {
  if (!node || node.IsNull()) return;
  r.ExpectMap(node, "discovery", kDiscoveryKeys);
  r.Key(node, "enabled", [&](const YAML::Node& v) { d.enabled = r.Bool(v, "discovery.enabled"); });
  r.Key(node, "statuses", [&](const YAML::Node& v) { LoadStatuses(r, v, d); });
  r.Key(node, "created_within", [&](const YAML::Node& v) {
    d.created_within = r.DurationValue(v, "discovery.created_within");
  });
  r.Key(node, "max_batches", [&](const YAML::Node& v) {
    d.max_batches = static_cast<int>(r.Integer(v, "discovery.max_batches", 1, 100000));
  });
  r.Key(node, "refresh_interval", [&](const YAML::Node& v) {
    d.refresh_interval = r.DurationValue(v, "discovery.refresh_interval");
    if (d.refresh_interval.count() <= 0) {
      r.Fail(v, "discovery.refresh_interval", "must be positive");
    }
  });
}

}  // namespace anchor

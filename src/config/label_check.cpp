#include "config/label_check.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>

#include "base/utf8.h"
#include "config/label_names.h"

namespace anchor {
namespace {

// [a-zA-Z_][a-zA-Z0-9_]*: the label names every Prometheus version accepts.
bool IsLegacyLabelName(const std::string& name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!letter && (i == 0 || c < '0' || c > '9')) return false;
  }
  return true;
}

std::string ReservedNames() {
  std::string names;
  for (const auto name : labels::kExporterLabelNames) {
    names.append(names.empty() ? "" : ", ").append(name);
  }
  return names;
}

std::string Hex(unsigned char byte) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "0x%02x", byte);
  return buf;
}

void CheckName(const YamlReader& r, const YAML::Node& key, const std::string& path,
               const std::string& name) {
  if (!IsLegacyLabelName(name)) {
    r.Fail(key, path, "invalid label name (must match [a-zA-Z_][a-zA-Z0-9_]*)");
  }
  if (name.compare(0, 2, "__") == 0) {
    r.Fail(key, path, "label names starting with __ are reserved for Prometheus' own use");
  }
  const auto& reserved = labels::kExporterLabelNames;
  if (std::find(reserved.begin(), reserved.end(), name) != reserved.end()) {
    r.Fail(key, path,
           "is a label the exporter sets itself, a second one would make Prometheus refuse the "
           "scrape (reserved: " +
               ReservedNames() + ")");
  }
}

void CheckValue(const YamlReader& r, const YAML::Node& node, const std::string& path,
                const std::string& value) {
  if (value.size() > kMaxLabelValueBytes) {
    r.Fail(node, path,
           "label value is " + std::to_string(value.size()) + " bytes long (at most " +
               std::to_string(kMaxLabelValueBytes) + ")");
  }
  // Values are UTF-8 already: the file is checked before it is parsed (ReadYaml), and yaml-cpp
  // writes escapes ("\xe9", "\u00e9") as UTF-8 and refuses surrogates ("\ud800").
  if (const auto at = utf8::FirstControlCharacter(value); at != std::string::npos) {
    r.Fail(node, path,
           "label value holds a control character (byte " +
               Hex(static_cast<unsigned char>(value[at])) + " at offset " + std::to_string(at) +
               "); labels must be printable text");
  }
}

}  // namespace

LabelMap LoadLabels(const YamlReader& r, const YAML::Node& node, const std::string& path) {
  if (!node.IsMap()) r.Fail(node, path, "expected a mapping of label names to values");
  LabelMap labels;
  for (const auto& kv : node) {
    r.Attempt([&] {
      const std::string name = kv.first.Scalar();
      const std::string key_path = YamlReader::Join(path, name);
      CheckName(r, kv.first, key_path, name);
      if (labels.count(name) != 0) r.Fail(kv.first, key_path, "duplicate label name");
      std::string value = r.String(kv.second, key_path);
      CheckValue(r, kv.second, key_path, value);
      labels[name] = std::move(value);
    });
  }
  return labels;
}

}  // namespace anchor

#include "config/config_loader.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cstdlib>
#include <initializer_list>
#include <set>
#include <sstream>

#include "config/yaml_reader.h"

namespace anchor {
namespace {

std::string Trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t start = 0;
  while (start < s.size() && std::isspace(static_cast<unsigned char>(s[start]))) ++start;
  return s.substr(start);
}

void CheckBaseUrl(const YamlReader& r, const YAML::Node& node, const std::string& url) {
  const auto scheme_end = url.find("://");
  const std::string scheme = scheme_end == std::string::npos ? "" : url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") {
    r.Fail(node, "anchor.base_url", "must start with https:// or http://, got \"" + url + "\"");
  }
  const std::string rest = url.substr(scheme_end + 3);
  if (rest.empty() || rest[0] == '/' || rest[0] == ':') {
    r.Fail(node, "anchor.base_url", "has no host: \"" + url + "\"");
  }
  if (rest.find_first_of("?#@ ") != std::string::npos) {
    r.Fail(node, "anchor.base_url",
           "must be scheme://host[:port][/path] without query, fragment or credentials");
  }
}

void LoadTls(const YamlReader& r, const YAML::Node& node, const std::string& base_dir,
             ClientTlsConfig& tls) {
  r.ExpectMap(node, "anchor.tls", {"ca_file", "insecure_skip_verify"});
  if (node["ca_file"]) {
    tls.ca_file = ResolvePath(base_dir, r.String(node["ca_file"], "anchor.tls.ca_file"));
    std::string why;
    if (!ReadFile(tls.ca_file, &why)) {
      r.Fail(node["ca_file"], "anchor.tls.ca_file", "cannot read file " + tls.ca_file + ": " + why);
    }
  }
  if (node["insecure_skip_verify"]) {
    tls.insecure_skip_verify =
        r.Bool(node["insecure_skip_verify"], "anchor.tls.insecure_skip_verify");
  }
}

// Resolves the API key from a file (trimmed) or an environment variable. Messages name the
// variable or file, never the key.
void ResolveApiKey(const YamlReader& r, const YAML::Node& anchor_node, const EnvLookup& env,
                   AnchorConfig& a) {
  if (!a.api_key_file.empty()) {
    std::string why;
    const auto content = ReadFile(a.api_key_file, &why);
    const auto& key_node = anchor_node["api_key_file"];
    if (!content) {
      r.Fail(key_node, "anchor.api_key_file", "cannot read file " + a.api_key_file + ": " + why);
    }
    a.api_key = Secret(Trim(*content));
    if (a.api_key.empty()) {
      r.Fail(key_node, "anchor.api_key_file", "file " + a.api_key_file + " is empty");
    }
    return;
  }
  const auto value = env(a.api_key_env);
  if (!value || Trim(*value).empty()) {
    const bool named = anchor_node && anchor_node.IsMap() && anchor_node["api_key_env"];
    r.Fail(named ? anchor_node["api_key_env"] : anchor_node, "anchor.api_key_env",
           "environment variable " + a.api_key_env +
               " is not set or empty (it must hold the Anchor Browser API key)");
  }
  a.api_key = Secret(Trim(*value));
}

void LoadAnchor(const YamlReader& r, const YAML::Node& node, const std::string& base_dir,
                const EnvLookup& env, AnchorConfig& a) {
  if (!node || node.IsNull()) {
    ResolveApiKey(r, node, env, a);
    return;
  }
  r.ExpectMap(node, "anchor",
              {"base_url", "api_key_env", "api_key_file", "timeout", "connect_timeout",
               "max_concurrency", "max_response_bytes", "max_requests_per_second", "tls"});
  if (node["base_url"]) {
    a.base_url = r.String(node["base_url"], "anchor.base_url");
    while (!a.base_url.empty() && a.base_url.back() == '/') a.base_url.pop_back();
    CheckBaseUrl(r, node["base_url"], a.base_url);
  }
  if (node["api_key_env"]) {
    a.api_key_env = r.String(node["api_key_env"], "anchor.api_key_env");
    if (a.api_key_env.empty()) r.Fail(node["api_key_env"], "anchor.api_key_env", "is empty");
  }
  if (node["api_key_file"]) {
    a.api_key_file = ResolvePath(base_dir, r.String(node["api_key_file"], "anchor.api_key_file"));
  }
  if (node["api_key_env"] && node["api_key_file"]) {
    r.Fail(node["api_key_file"], "anchor.api_key_file",
           "set api_key_env or api_key_file, not both");
  }
  if (node["timeout"]) a.timeout = r.DurationValue(node["timeout"], "anchor.timeout");
  if (a.timeout.count() <= 0) r.Fail(node["timeout"], "anchor.timeout", "must be positive");
  if (node["connect_timeout"]) {
    a.connect_timeout = r.DurationValue(node["connect_timeout"], "anchor.connect_timeout");
    if (a.connect_timeout.count() <= 0) {
      r.Fail(node["connect_timeout"], "anchor.connect_timeout", "must be positive");
    }
  }
  if (node["max_concurrency"]) {
    a.max_concurrency =
        static_cast<int>(r.Integer(node["max_concurrency"], "anchor.max_concurrency", 1, 256));
  }
  if (node["max_response_bytes"]) {
    a.max_response_bytes = static_cast<std::size_t>(
        r.Integer(node["max_response_bytes"], "anchor.max_response_bytes", 1024, 1LL << 31));
  }
  if (node["max_requests_per_second"]) {
    a.max_requests_per_second =
        r.Number(node["max_requests_per_second"], "anchor.max_requests_per_second", 0, 10000);
  }
  if (node["tls"]) LoadTls(r, node["tls"], base_dir, a.tls);
  ResolveApiKey(r, node, env, a);
}

LabelMap LoadLabels(const YamlReader& r, const YAML::Node& node, const std::string& path) {
  if (!node.IsMap()) r.Fail(node, path, "expected a mapping of label names to values");
  LabelMap labels;
  for (const auto& kv : node) {
    const std::string name = kv.first.Scalar();
    std::string key_path = path;
    key_path.append(".").append(name);
    if (!IsValidLabelName(name)) {
      r.Fail(kv.first, key_path,
             "invalid label name (must match [a-zA-Z_][a-zA-Z0-9_]* and not start with __)");
    }
    if (name == "batch_id") r.Fail(kv.first, key_path, "clashes with the batch_id label");
    labels[name] = r.String(kv.second, key_path);
  }
  return labels;
}

std::vector<BatchTarget> LoadBatches(const YamlReader& r, const YAML::Node& node) {
  std::vector<BatchTarget> batches;
  if (!node || node.IsNull()) return batches;
  if (!node.IsSequence()) r.Fail(node, "batches", "expected a list of {id, labels}");
  std::set<std::string> seen;
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node item = node[i];
    const std::string path = "batches[" + std::to_string(i) + "]";
    r.ExpectMap(item, path, {"id", "labels"});
    if (!item["id"]) r.Fail(item, path + ".id", "is required");
    BatchTarget target;
    target.id = r.String(item["id"], path + ".id");
    if (!IsValidBatchId(target.id)) {
      r.Fail(item["id"], path + ".id",
             "invalid batch id \"" + target.id + "\" (must match [A-Za-z0-9_-]{1,128})");
    }
    if (!seen.insert(target.id).second) {
      r.Fail(item["id"], path + ".id", "duplicate batch id \"" + target.id + "\"");
    }
    if (item["labels"]) target.labels = LoadLabels(r, item["labels"], path + ".labels");
    batches.push_back(std::move(target));
  }
  return batches;
}

void LoadCache(const YamlReader& r, const YAML::Node& node, CacheConfig& cache) {
  if (!node || node.IsNull()) return;
  r.ExpectMap(node, "cache", {"terminal_ttl", "min_interval"});
  if (node["terminal_ttl"])
    cache.terminal_ttl = r.DurationValue(node["terminal_ttl"], "cache.terminal_ttl");
  if (node["min_interval"])
    cache.min_interval = r.DurationValue(node["min_interval"], "cache.min_interval");
}

void LoadDiscovery(const YamlReader& r, const YAML::Node& node, DiscoveryConfig& d) {
  if (!node || node.IsNull()) return;
  r.ExpectMap(node, "discovery",
              {"enabled", "statuses", "created_within", "max_batches", "refresh_interval"});
  if (node["enabled"]) d.enabled = r.Bool(node["enabled"], "discovery.enabled");
  if (const auto statuses = node["statuses"]) {
    if (!statuses.IsSequence() || statuses.size() == 0) {
      r.Fail(statuses, "discovery.statuses", "expected a non-empty list of batch statuses");
    }
    d.statuses.clear();
    for (size_t i = 0; i < statuses.size(); ++i) {
      const std::string path = "discovery.statuses[" + std::to_string(i) + "]";
      const std::string status = r.String(statuses[i], path);
      if (!IsValidBatchId(status) || status.size() > 32) {
        r.Fail(statuses[i], path, "invalid status \"" + status + "\"");
      }
      d.statuses.push_back(status);
    }
  }
  if (node["created_within"]) {
    d.created_within = r.DurationValue(node["created_within"], "discovery.created_within");
  }
  if (node["max_batches"]) {
    d.max_batches =
        static_cast<int>(r.Integer(node["max_batches"], "discovery.max_batches", 1, 100000));
  }
  if (node["refresh_interval"]) {
    d.refresh_interval = r.DurationValue(node["refresh_interval"], "discovery.refresh_interval");
    if (d.refresh_interval.count() <= 0) {
      r.Fail(node["refresh_interval"], "discovery.refresh_interval", "must be positive");
    }
  }
}

Config Load(const YAML::Node& root, const YamlReader& r, const std::string& base_dir,
            const EnvLookup& env) {
  Config config;
  if (root.IsNull() || !root.IsDefined()) {
    r.Fail(root, "", "the file is empty");
  }
  r.ExpectMap(root, "", {"anchor", "batches", "cache", "discovery", "probe"});
  LoadAnchor(r, root["anchor"], base_dir, env, config.anchor);
  config.batches = LoadBatches(r, root["batches"]);
  LoadCache(r, root["cache"], config.cache);
  LoadDiscovery(r, root["discovery"], config.discovery);
  if (const auto probe = root["probe"]; probe && !probe.IsNull()) {
    r.ExpectMap(probe, "probe", {"allow_unlisted"});
    if (probe["allow_unlisted"]) {
      config.probe.allow_unlisted = r.Bool(probe["allow_unlisted"], "probe.allow_unlisted");
    }
  }
  return config;
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    // Read at load time only; the exporter never sets environment variables.
    const char* value = std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe)
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

bool IsValidBatchId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (const char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  }
  return true;
}

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
                                  const std::string& base_dir, const EnvLookup& env) {
  const YamlReader reader(source);
  try {
    const YAML::Node root = YAML::Load(std::string(yaml));
    return {Load(root, reader, base_dir, env), ""};
  } catch (const YamlConfigError& e) {
    return {std::nullopt, e.message};
  } catch (const YAML::Exception& e) {
    const int line = e.mark.is_null() ? 0 : e.mark.line + 1;
    return {std::nullopt,
            OneLine(source + ":" + std::to_string(line) + ": invalid YAML: " + e.msg)};
  }
}

ConfigLoadResult LoadConfigFile(const std::string& path, const EnvLookup& env) {
  std::string why;
  const auto text = ReadFile(path, &why);
  if (!text) return {std::nullopt, path + ": cannot read config file: " + why};
  const auto slash = path.rfind('/');
  const std::string base_dir = slash == std::string::npos ? "" : path.substr(0, slash);
  return LoadConfigString(*text, path, base_dir, env);
}

}  // namespace anchor

#include "config/config_loader.h"

#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>

#include "base/text.h"
#include "config/batch_id.h"
#include "config/label_check.h"
#include "config/yaml_reader.h"

namespace anchor {
namespace {

// A key read from a file or the environment, without the line end (or spaces) around it.
std::string TrimmedKey(const std::string& s) { return std::string(text::TrimSpace(s)); }

// The keys each section may hold; a new key goes here and into its section's loader.
const KeyList kRootKeys = {"anchor", "batches", "cache", "discovery", "probe", "sessions"};
const KeyList kAnchorKeys = {"base_url",
                             "api_key_env",
                             "api_key_file",
                             "timeout",
                             "connect_timeout",
                             "max_concurrency",
                             "max_response_bytes",
                             "max_requests_per_second",
                             "tls"};
const KeyList kAnchorTlsKeys = {"ca_file", "insecure_skip_verify"};
const KeyList kBatchKeys = {"id", "labels"};
const KeyList kCacheKeys = {"terminal_ttl", "min_interval"};
const KeyList kDiscoveryKeys = {"enabled", "statuses", "created_within", "max_batches",
                                "refresh_interval"};
const KeyList kProbeKeys = {"allow_unlisted", "max_unlisted_state"};
const KeyList kSessionsKeys = {"histograms", "duration_buckets", "queue_buckets"};
const KeyList kHistogramModes = {"all", "active", "off"};
// Batch statuses the API documents (docs: batch-sessions).
const KeyList kBatchStatuses = {"pending", "processing", "completed", "failed", "cancelled"};

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

void LoadTls(const YamlReader& r, const YAML::Node& node, const ConfigLoadOptions& options,
             ClientTlsConfig& tls) {
  r.ExpectMap(node, "anchor.tls", kAnchorTlsKeys);
  r.Key(node, "ca_file", [&](const YAML::Node& v) {
    tls.ca_file = ResolvePath(options.base_dir, r.String(v, "anchor.tls.ca_file"));
    const auto read = ReadFile(tls.ca_file);
    if (!read.ok()) {
      r.Fail(v, "anchor.tls.ca_file", "cannot read file " + tls.ca_file + ": " + read.error());
    }
  });
  r.Key(node, "insecure_skip_verify", [&](const YAML::Node& v) {
    tls.insecure_skip_verify = r.Bool(v, "anchor.tls.insecure_skip_verify");
  });
}

// A POSIX environment variable name (letters, digits, '_', not starting with a digit).
bool IsVariableName(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return c > 0 && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  });
}

// Warns when the key file can be read by others than its owner (as ssh does for keys).
void CheckKeyFileMode(const std::string& source, const std::string& path,
                      std::vector<std::string>& warnings) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0 || (st.st_mode & (S_IRWXG | S_IRWXO)) == 0) return;
  char mode[8];
  std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
  warnings.push_back(source + ": warning: anchor.api_key_file " + path +
                     " is readable by group or others (mode " + mode + "); chmod 600 it");
}

// Resolves the API key from a file (trimmed) or an environment variable. Messages name the
// variable or file, never the key. With options.skip_secrets only the names are checked.
void ResolveApiKey(const YamlReader& r, const YAML::Node& anchor_node,
                   const ConfigLoadOptions& options, AnchorConfig& a) {
  const bool named = anchor_node && anchor_node.IsMap() && anchor_node["api_key_env"];
  const YAML::Node& env_node = named ? anchor_node["api_key_env"] : anchor_node;
  // The value is never repeated: a key pasted here by mistake would end up in the log and in
  // the /-/reload answer.
  if (a.api_key_file.empty() && !IsVariableName(a.api_key_env)) {
    r.Fail(env_node, "anchor.api_key_env",
           "is not an environment variable name (letters, digits and _): it must name the "
           "variable that holds the API key, not hold the key itself");
  }
  if (options.skip_secrets) return;
  if (!a.api_key_file.empty()) {
    const auto read = ReadFile(a.api_key_file);
    const auto& key_node = anchor_node["api_key_file"];
    if (!read.ok()) {
      r.Fail(key_node, "anchor.api_key_file",
             "cannot read file " + a.api_key_file + ": " + read.error());
    }
    a.api_key = Secret(TrimmedKey(read.value()));
    if (a.api_key.empty()) {
      r.Fail(key_node, "anchor.api_key_file", "file " + a.api_key_file + " is empty");
    }
    return;
  }
  const auto value = options.env(a.api_key_env);
  if (!value || text::TrimSpace(*value).empty()) {
    // Conventional names (upper case) are shown; anything else might be a key after all.
    const bool conventional =
        a.api_key_env.size() <= 64 && std::none_of(a.api_key_env.begin(), a.api_key_env.end(),
                                                   [](char c) { return std::islower(c) != 0; });
    r.Fail(env_node, "anchor.api_key_env",
           (conventional ? "environment variable " + a.api_key_env
                         : std::string("the environment variable it names")) +
               " is not set or empty (it must hold the Anchor Browser API key)");
  }
  a.api_key = Secret(TrimmedKey(*value));
}

void LoadAnchorLimits(const YamlReader& r, const YAML::Node& node, AnchorConfig& a) {
  r.Key(node, "timeout", [&](const YAML::Node& v) {
    a.timeout = r.DurationValue(v, "anchor.timeout");
    if (a.timeout.count() <= 0) r.Fail(v, "anchor.timeout", "must be positive");
  });
  r.Key(node, "connect_timeout", [&](const YAML::Node& v) {
    a.connect_timeout = r.DurationValue(v, "anchor.connect_timeout");
    if (a.connect_timeout.count() <= 0) r.Fail(v, "anchor.connect_timeout", "must be positive");
  });
  r.Key(node, "max_concurrency", [&](const YAML::Node& v) {
    a.max_concurrency = static_cast<int>(r.Integer(v, "anchor.max_concurrency", 1, 256));
  });
  r.Key(node, "max_response_bytes", [&](const YAML::Node& v) {
    a.max_response_bytes =
        static_cast<std::size_t>(r.Integer(v, "anchor.max_response_bytes", 1024, 1LL << 31));
  });
  r.Key(node, "max_requests_per_second", [&](const YAML::Node& v) {
    a.max_requests_per_second = r.Number(v, "anchor.max_requests_per_second", 0, 10000);
  });
}

void LoadAnchor(const YamlReader& r, const YAML::Node& node, const ConfigLoadOptions& options,
                AnchorConfig& a) {
  if (!node || node.IsNull()) {
    ResolveApiKey(r, node, options, a);
    return;
  }
  r.ExpectMap(node, "anchor", kAnchorKeys);
  r.Key(node, "base_url", [&](const YAML::Node& v) {
    a.base_url = r.String(v, "anchor.base_url");
    while (!a.base_url.empty() && a.base_url.back() == '/') a.base_url.pop_back();
    CheckBaseUrl(r, v, a.base_url);
  });
  bool key_names_ok = true;
  r.Key(node, "api_key_env", [&](const YAML::Node& v) {
    key_names_ok = false;
    a.api_key_env = r.String(v, "anchor.api_key_env");
    if (a.api_key_env.empty()) r.Fail(v, "anchor.api_key_env", "is empty");
    key_names_ok = true;
  });
  r.Key(node, "api_key_file", [&](const YAML::Node& v) {
    key_names_ok = false;
    a.api_key_file = ResolvePath(options.base_dir, r.String(v, "anchor.api_key_file"));
    if (node["api_key_env"]) {
      r.Fail(v, "anchor.api_key_file", "set api_key_env or api_key_file, not both");
    }
    key_names_ok = true;
  });
  LoadAnchorLimits(r, node, a);
  r.Key(node, "tls", [&](const YAML::Node& v) { LoadTls(r, v, options, a.tls); });
  if (key_names_ok) r.Attempt([&] { ResolveApiKey(r, node, options, a); });
}

std::vector<BatchTarget> LoadBatches(const YamlReader& r, const YAML::Node& node) {
  std::vector<BatchTarget> batches;
  if (!node || node.IsNull()) return batches;
  if (!node.IsSequence()) r.Fail(node, "batches", "expected a list of {id, labels}");
  std::map<std::string, int> first_line;
  for (size_t i = 0; i < node.size(); ++i) {
    r.Attempt([&] {
      const YAML::Node item = node[i];
      const std::string path = "batches[" + std::to_string(i) + "]";
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
               "duplicate batch id \"" + target.id + "\" (first at line " +
                   std::to_string(it->second) + ")");
      }
      r.Key(item, "labels",
            [&](const YAML::Node& v) { target.labels = LoadLabels(r, v, path + ".labels"); });
      batches.push_back(std::move(target));
    });
  }
  return batches;
}

void LoadCache(const YamlReader& r, const YAML::Node& node, CacheConfig& cache) {
  if (!node || node.IsNull()) return;
  r.ExpectMap(node, "cache", kCacheKeys);
  r.Key(node, "terminal_ttl", [&](const YAML::Node& v) {
    cache.terminal_ttl = r.DurationValue(v, "cache.terminal_ttl");
  });
  r.Key(node, "min_interval", [&](const YAML::Node& v) {
    cache.min_interval = r.DurationValue(v, "cache.min_interval");
  });
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

void LoadProbe(const YamlReader& r, const YAML::Node& node, ProbeConfig& probe) {
  if (!node || node.IsNull()) return;
  r.ExpectMap(node, "probe", kProbeKeys);
  r.Key(node, "allow_unlisted",
        [&](const YAML::Node& v) { probe.allow_unlisted = r.Bool(v, "probe.allow_unlisted"); });
  r.Key(node, "max_unlisted_state", [&](const YAML::Node& v) {
    probe.max_unlisted_state =
        static_cast<int>(r.Integer(v, "probe.max_unlisted_state", 1, 100000));
  });
}

// Histogram bounds: positive, finite, strictly increasing, 1 to 30 of them.
std::vector<double> LoadBuckets(const YamlReader& r, const YAML::Node& node,
                                const std::string& path) {
  constexpr size_t kMaxBuckets = 30;
  if (!node.IsSequence() || node.size() == 0 || node.size() > kMaxBuckets) {
    r.Fail(node, path, "expected a list of 1 to 30 bucket bounds in seconds, e.g. [1, 10, 60]");
  }
  std::vector<double> bounds;
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string item = path + "[" + std::to_string(i) + "]";
    const double bound = r.Number(node[i], item, 0, 1e9);
    if (bound <= 0) r.Fail(node[i], item, "a bucket bound must be positive");
    if (!bounds.empty() && bound <= bounds.back()) {
      r.Fail(node[i], item, "bucket bounds must be strictly increasing");
    }
    bounds.push_back(bound);
  }
  return bounds;
}

void LoadSessions(const YamlReader& r, const YAML::Node& node, SessionsConfig& sessions) {
  if (!node || node.IsNull()) return;
  r.ExpectMap(node, "sessions", kSessionsKeys);
  r.Key(node, "histograms", [&](const YAML::Node& v) {
    const std::string mode = r.OneOf(v, "sessions.histograms", kHistogramModes);
    sessions.histograms = mode == "all"      ? SessionHistograms::kAll
                          : mode == "active" ? SessionHistograms::kActive
                                             : SessionHistograms::kOff;
  });
  r.Key(node, "duration_buckets", [&](const YAML::Node& v) {
    sessions.buckets.duration = LoadBuckets(r, v, "sessions.duration_buckets");
  });
  r.Key(node, "queue_buckets", [&](const YAML::Node& v) {
    sessions.buckets.queue = LoadBuckets(r, v, "sessions.queue_buckets");
  });
}

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

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += (out.empty() ? "" : "\n") + line;
  return out;
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
  ConfigLoadResult result;
  result.errors = ReadYaml(yaml, reader, source,
                           [&](const YAML::Node& root) { config = Load(root, reader, options); });
  if (!result.errors.empty()) {
    result.error = JoinLines(result.errors);
    return result;
  }
  if (config.batches.empty() && !config.discovery.enabled) {
    result.warnings.push_back(source +
                              ": warning: no batches are configured and discovery is disabled, "
                              "so no batch will be exported");
  }
  if (!config.anchor.api_key_file.empty() && !options.skip_secrets) {
    CheckKeyFileMode(source, config.anchor.api_key_file, result.warnings);
  }
  result.config = std::move(config);
  return result;
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
  if (!read.ok()) {
    ConfigLoadResult failed;
    failed.errors = {OneLine(path + ": cannot read config file: " + read.error())};
    failed.error = failed.errors[0];
    return failed;
  }
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

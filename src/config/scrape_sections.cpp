#include "config/scrape_sections.h"

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <string>
#include <vector>

#include "config/yaml_reader.h"

namespace anchor {
namespace {

// The keys each section may hold; a new key goes here and into its section's reader.
const KeyList kCacheKeys = {"terminal_ttl", "min_interval"};
const KeyList kProbeKeys = {"allow_unlisted", "max_unlisted_state"};
const KeyList kSessionsKeys = {"histograms", "duration_buckets", "queue_buckets", "error_classes",
                               "link_template"};
const KeyList kErrorClassKeys = {"class", "pattern"};
const KeyList kHistogramModes = {"all", "active", "off"};

// Histogram bounds: positive, finite, strictly increasing, 1 to 30 of them.
std::vector<double> LoadBuckets(const YamlReader& r, const YAML::Node& node,
                                const std::string& path) {
  constexpr std::size_t kMaxBuckets = 30;
  if (!node.IsSequence() || node.size() == 0 || node.size() > kMaxBuckets) {
    r.Fail(node, path, "expected a list of 1 to 30 bucket bounds in seconds, e.g. [1, 10, 60]");
  }
  std::vector<double> bounds;
  for (std::size_t i = 0; i < node.size(); ++i) {
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

// One {class, pattern} entry: the name a valid label value, not "other" and not taken, the
// pattern one RE2 compiles (its message otherwise). Returns false when the entry is refused.
bool LoadErrorClass(const YamlReader& r, const YAML::Node& item, const std::string& path,
                    std::vector<ErrorClassRule>& rules) {
  r.ExpectMap(item, path, kErrorClassKeys);
  for (const char* key : {"class", "pattern"}) {
    if (!item[key]) r.Fail(item, YamlReader::Join(path, key), "is required");
  }
  ErrorClassRule rule{r.String(item["class"], path + ".class"),
                      r.String(item["pattern"], path + ".pattern")};
  if (const auto problem = ErrorClassNameProblem(rule.name); !problem.empty()) {
    r.Fail(item["class"], path + ".class", problem);
  }
  for (const auto& earlier : rules) {
    if (earlier.name == rule.name) r.Fail(item["class"], path + ".class", "duplicate class name");
  }
  if (const auto problem = ErrorClassifier::PatternProblem(rule.pattern); !problem.empty()) {
    r.Fail(item["pattern"], path + ".pattern", "not a valid RE2 pattern: " + problem);
  }
  rules.push_back(std::move(rule));
  return true;
}

// The list replaces the defaults; an empty list leaves only "other". Each entry's problems are
// reported; the classes are compiled only when every entry is good.
void LoadErrorClasses(const YamlReader& r, const YAML::Node& node, SessionsConfig& sessions) {
  const std::string path = "sessions.error_classes";
  if (!node.IsSequence() || node.size() > kMaxErrorClasses) {
    r.Fail(node, path, "expected a list of at most 16 {class, pattern} entries");
  }
  std::vector<ErrorClassRule> rules;
  bool all_good = true;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const std::string item = path + "[" + std::to_string(i) + "]";
    bool good = false;
    r.Attempt([&] { good = LoadErrorClass(r, node[i], item, rules); });
    all_good = all_good && good;
  }
  if (!all_good) return;
  auto compiled = ErrorClassifier::Compile(rules);
  if (!compiled.ok()) r.Fail(node, path, compiled.error());
  sessions.error_classes = std::move(compiled).value();
}

// A URL of the operator's session page: http(s), with {session_id} where the id goes.
std::string LoadLinkTemplate(const YamlReader& r, const YAML::Node& node) {
  const std::string path = "sessions.link_template";
  std::string url = r.String(node, path);
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    r.Fail(
        node, path,
        "expected an http:// or https:// URL, e.g. https://app.example.com/sessions/{session_id}");
  }
  if (url.find("{session_id}") == std::string::npos) {
    r.Fail(node, path, "the URL must contain {session_id}, where the session's id goes");
  }
  for (const char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '"' || c == '<' || c == '>') {
      r.Fail(node, path, "the URL must not contain spaces, control characters, quotes or <>");
    }
  }
  return url;
}

}  // namespace

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
  r.Key(node, "error_classes", [&](const YAML::Node& v) { LoadErrorClasses(r, v, sessions); });
  r.Key(node, "link_template",
        [&](const YAML::Node& v) { sessions.link_template = LoadLinkTemplate(r, v); });
}

}  // namespace anchor

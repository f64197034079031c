#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "config/duration.h"

namespace YAML {
class Node;
}

namespace anchor {

// Thrown by YamlReader::Fail: it abandons the key being read. Attempt() and the loaders catch it.
struct YamlConfigError {
  int line = 0;  // 1-based; 0 when the problem has no line (the file as a whole)
  std::string message;
};

// The keys a mapping may hold. A table per section keeps "did you mean" hints and new keys in
// one place.
using KeyList = std::vector<std::string_view>;

// Walks a YAML tree with typed getters. Every problem is one printable line,
// "<source>:<line>: <key path>: <problem>". Fail() abandons the current key (it throws);
// Report() records a problem and goes on; Attempt() runs one key's reading and records what
// failed, so that one file's problems are all reported at once. Shared by the config and the
// web config loaders.
class YamlReader {
 public:
  explicit YamlReader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void Fail(const YAML::Node& node, const std::string& path,
                         const std::string& problem) const;
  void Report(const YAML::Node& node, const std::string& path, const std::string& problem) const;
  void Attempt(const std::function<void()>& read) const;
  // Reads node[key] with `read` when it is present, recording what fails.
  void Key(const YAML::Node& map, const char* key,
           const std::function<void(const YAML::Node&)>& read) const;

  // A mapping whose keys must all be in `allowed`, each once; keys in `unsupported` are known to
  // the format but refused by this exporter, and say so. Unknown and repeated keys are reported
  // (with a hint for a near miss); only a value that is no mapping at all fails.
  void ExpectMap(const YAML::Node& node, const std::string& path, const KeyList& allowed,
                 const KeyList& unsupported = {}) const;

  std::string String(const YAML::Node& node, const std::string& path) const;
  bool Bool(const YAML::Node& node, const std::string& path) const;
  long long Integer(const YAML::Node& node, const std::string& path, long long min,
                    long long max) const;
  double Number(const YAML::Node& node, const std::string& path, double min, double max) const;
  Duration DurationValue(const YAML::Node& node, const std::string& path) const;
  // One of `choices`, else "unknown value "x" (expected one of a, b, c)".
  std::string OneOf(const YAML::Node& node, const std::string& path, const KeyList& choices) const;

  // The problems recorded so far, ordered by line.
  std::vector<std::string> Errors() const;
  bool HasErrors() const { return !errors_.empty(); }

  static std::string Join(const std::string& path, const std::string& key);

 private:
  YamlConfigError Problem(const YAML::Node& node, const std::string& path,
                          const std::string& problem) const;

  std::string source_;
  mutable std::vector<YamlConfigError> errors_;
};

// Escapes control characters so that an error quoting the file stays one printable line.
std::string OneLine(const std::string& text);

// `path` relative to `base_dir` (the config file's directory), as Prometheus resolves paths.
std::string ResolvePath(const std::string& base_dir, const std::string& path);

// Files the exporter reads (config, web config, API key, CA, certificates, keys) are small; a
// larger one is refused rather than read without end (/dev/zero, a log file named by mistake).
constexpr std::size_t kMaxInputFileBytes = 1 << 20;
// The config file lists the tracked batches, ~45 bytes each as `  - id: <uuid>` and more with
// labels: 1 MiB stopped at ~23,000 batches, and the exporter is meant to track 50,000 (issue 19).
constexpr std::size_t kMaxConfigFileBytes = std::size_t{16} << 20;

// The whole file, or why it cannot be read: the errno text ("No such file or directory",
// "Permission denied"), "is a directory" or "is larger than 1 MiB" (beyond `max_bytes`).
Result<std::string> ReadFile(const std::string& path, std::size_t max_bytes = kMaxInputFileBytes);

// The closest of `candidates` to `word` when it is a likely typo of it (small edit distance).
std::optional<std::string> NearestKey(std::string_view word, const KeyList& candidates);

// Problems a YAML text has before it is parsed: tabs in indentation, named by line. yaml-cpp
// reports those as "illegal map value" or worse, far from the tab.
std::vector<std::string> TabIndentationErrors(std::string_view yaml, const std::string& source);

// The first byte of `yaml` that is not UTF-8, as "<source>:<line>: the file is not valid UTF-8
// (byte 0xff at column 7)..."; nullopt when it all is. yaml-cpp would pass such bytes on into
// label values and errors.
std::optional<std::string> Utf8Error(std::string_view yaml, const std::string& source);

// Parses `yaml` and hands the root to `load`; the problems it records, the first byte that is not
// UTF-8, the tab lines and a YAML syntax error come back as one line each (empty: `load`
// succeeded).
std::vector<std::string> ReadYaml(std::string_view yaml, const YamlReader& reader,
                                  const std::string& source,
                                  const std::function<void(const YAML::Node&)>& load);

}  // namespace anchor

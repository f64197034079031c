#pragma once

#include <initializer_list>
#include <optional>
#include <string>

#include "config/duration.h"

namespace YAML {
class Node;
}

namespace anchor {

// Thrown by YamlReader::Fail; the loaders catch it and return its message as their error.
struct YamlConfigError {
  std::string message;
};

// Walks a YAML tree with typed getters that fail as one printable line:
// "<source>:<line>: <key path>: <problem>". Shared by the config and the web config loaders.
class YamlReader {
 public:
  explicit YamlReader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void Fail(const YAML::Node& node, const std::string& path,
                         const std::string& problem) const;

  // A mapping whose keys must all be in `allowed`; keys in `unsupported` are known to the
  // format but refused by this exporter, and say so.
  void ExpectMap(const YAML::Node& node, const std::string& path,
                 std::initializer_list<const char*> allowed,
                 std::initializer_list<const char*> unsupported = {}) const;

  std::string String(const YAML::Node& node, const std::string& path) const;
  bool Bool(const YAML::Node& node, const std::string& path) const;
  long long Integer(const YAML::Node& node, const std::string& path, long long min,
                    long long max) const;
  double Number(const YAML::Node& node, const std::string& path, double min, double max) const;
  Duration DurationValue(const YAML::Node& node, const std::string& path) const;

  static std::string Join(const std::string& path, const std::string& key);

 private:
  std::string source_;
};

// Escapes control characters so that an error quoting the file stays one printable line.
std::string OneLine(const std::string& text);

// `path` relative to `base_dir` (the config file's directory), as Prometheus resolves paths.
std::string ResolvePath(const std::string& base_dir, const std::string& path);

// The whole file, or nullopt with `why` (when given) set to the reason: the errno text
// ("No such file or directory", "Permission denied") or "is a directory".
std::optional<std::string> ReadFile(const std::string& path, std::string* why = nullptr);

}  // namespace anchor

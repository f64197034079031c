#include "config/yaml_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>

#include "base/utf8.h"

namespace anchor {

namespace {

std::string Shortest(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

}  // namespace

// Errors quote keys and values from the file and yaml-cpp quotes the characters it rejects;
// control characters among them are escaped so that an error stays one printable line.
std::string OneLine(const std::string& text) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      out += {'\\', 'x', kHex[u >> 4], kHex[u & 0xf]};
    } else {
      out += c;
    }
  }
  return out;
}

YamlConfigError YamlReader::Problem(const YAML::Node& node, const std::string& path,
                                    const std::string& problem) const {
  const int line = node.IsDefined() && node.Mark().line >= 0 ? node.Mark().line + 1 : 0;
  std::ostringstream out;
  out << source_;
  if (line > 0) out << ':' << line;
  out << ": " << (path.empty() ? "" : path + ": ") << problem;
  return {line, OneLine(out.str())};
}

void YamlReader::Fail(const YAML::Node& node, const std::string& path,
                      const std::string& problem) const {
  throw Problem(node, path, problem);
}

void YamlReader::Report(const YAML::Node& node, const std::string& path,
                        const std::string& problem) const {
  errors_.push_back(Problem(node, path, problem));
}

void YamlReader::Attempt(const std::function<void()>& read) const {
  try {
    read();
  } catch (const YamlConfigError& e) {
    errors_.push_back(e);
  }
}

void YamlReader::Key(const YAML::Node& map, const char* key,
                     const std::function<void(const YAML::Node&)>& read) const {
  if (!map || !map.IsMap()) return;
  const YAML::Node value = map[key];
  if (value) Attempt([&] { read(value); });
}

std::vector<std::string> YamlReader::Errors() const {
  auto sorted = errors_;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.line < b.line; });
  std::vector<std::string> out;
  for (auto& e : sorted) {
    if (out.empty() || out.back() != e.message) out.push_back(std::move(e.message));
  }
  return out;
}

void YamlReader::ExpectMap(const YAML::Node& node, const std::string& path, const KeyList& allowed,
                           const KeyList& unsupported) const {
  if (!node.IsMap()) Fail(node, path, "expected a mapping");
  std::map<std::string, int> first_line;
  for (const auto& kv : node) {
    const auto key = kv.first.Scalar();
    const int line = kv.first.Mark().line + 1;
    if (const auto [it, fresh] = first_line.emplace(key, line); !fresh) {
      Report(kv.first, Join(path, key),
             "duplicate key (first at line " + std::to_string(it->second) + ")");
      continue;
    }
    if (std::find(unsupported.begin(), unsupported.end(), key) != unsupported.end()) {
      Report(kv.first, Join(path, key), "is not supported by this exporter");
    } else if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      const auto hint = NearestKey(key, allowed);
      Report(kv.first, Join(path, key),
             hint ? "unknown key, did you mean \"" + *hint + "\"?" : std::string("unknown key"));
    }
  }
}

std::string YamlReader::OneOf(const YAML::Node& node, const std::string& path,
                              const KeyList& choices) const {
  std::string value = String(node, path);
  if (std::find(choices.begin(), choices.end(), value) != choices.end()) return value;
  std::string names;
  for (const auto c : choices) names += (names.empty() ? "" : ", ") + std::string(c);
  Fail(node, path, "unknown value \"" + value + "\" (expected one of " + names + ")");
}

std::string YamlReader::String(const YAML::Node& node, const std::string& path) const {
  if (!node.IsScalar()) Fail(node, path, "expected a string");
  return node.Scalar();
}

bool YamlReader::Bool(const YAML::Node& node, const std::string& path) const {
  bool value = false;
  if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value)) {
    Fail(node, path, "expected true or false");
  }
  return value;
}

long long YamlReader::Integer(const YAML::Node& node, const std::string& path, long long min,
                              long long max) const {
  const std::string text = node.IsScalar() ? node.Scalar() : "";
  char* end = nullptr;
  errno = 0;
  const long long value = text.empty() ? 0 : std::strtoll(text.c_str(), &end, 10);
  // The whole text: a YAML "\0" escape must not end it early ("12\0junk" is not 12).
  if (text.empty() || end != text.c_str() + text.size() || errno != 0) {
    Fail(node, path, "expected an integer");
  }
  if (value < min || value > max) {
    Fail(
        node, path,
        "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " + text);
  }
  return value;
}

double YamlReader::Number(const YAML::Node& node, const std::string& path, double min,
                          double max) const {
  const std::string text = node.IsScalar() ? node.Scalar() : "";
  char* end = nullptr;
  const double value = text.empty() ? 0 : std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(value)) {
    Fail(node, path, "expected a number");
  }
  if (value < min || value > max) {
    Fail(node, path,
         "must be between " + Shortest(min) + " and " + Shortest(max) + ", got " + text);
  }
  return value;
}

Duration YamlReader::DurationValue(const YAML::Node& node, const std::string& path) const {
  const auto parsed = node.IsScalar() ? ParseDuration(node.Scalar()) : std::nullopt;
  if (!parsed) {
    Fail(node, path,
         "invalid duration \"" + (node.IsScalar() ? node.Scalar() : std::string()) +
             "\" (expected a number with a unit: ms, s, m, h, d, w; e.g. 10s or 1m30s; "
             "at most " +
             std::to_string(kMaxDuration / std::chrono::hours(24)) + "d)");
  }
  return *parsed;
}

std::string YamlReader::Join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string ResolvePath(const std::string& base_dir, const std::string& path) {
  if (path.empty() || path[0] == '/' || base_dir.empty()) return path;
  return base_dir + "/" + path;
}

namespace {

// strerror_r: strerror is not thread-safe (GNU version: returns the text, maybe not in buf).
std::string ErrorText(int err) {
  char buf[256];
  const char* text = strerror_r(err, buf, sizeof(buf));
  return text != nullptr ? std::string(text) : std::string(buf);
}

}  // namespace

Result<std::string> ReadFile(const std::string& path, std::size_t max_bytes) {
  const auto fail = [](std::string reason) -> Result<std::string> {
    return Error{std::move(reason)};
  };
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(ErrorText(errno));
  struct stat st {};
  if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    close(fd);
    return fail("is a directory");
  }
  std::string out;
  char buf[65536];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n == 0) break;
    // One byte beyond the limit tells "too large" from "exactly the limit".
    if (n > 0 && out.size() + static_cast<std::size_t>(n) > max_bytes) {
      close(fd);
      return fail(max_bytes % (1 << 20) == 0
                      ? "is larger than " + std::to_string(max_bytes >> 20) + " MiB"
                      : "is larger than " + std::to_string(max_bytes) + " bytes");
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      close(fd);
      return fail(ErrorText(err));
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  close(fd);
  return out;
}

std::optional<std::string> NearestKey(std::string_view word, const KeyList& candidates) {
  // Levenshtein distance; a hint needs at most 2 edits and fewer than a third of the word.
  auto distance = [](std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
      size_t diagonal = row[0];
      row[0] = i;
      for (size_t j = 1; j <= b.size(); ++j) {
        const size_t up = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
        diagonal = up;
      }
    }
    return row[b.size()];
  };
  std::optional<std::string> best;
  size_t best_distance = 3;
  for (const auto c : candidates) {
    const size_t d = distance(word, c);
    if (d < best_distance && d * 3 < std::max(word.size(), c.size())) {
      best_distance = d;
      best = std::string(c);
    }
  }
  return best;
}

std::vector<std::string> TabIndentationErrors(std::string_view yaml, const std::string& source) {
  std::vector<std::string> out;
  int line = 1;
  for (size_t pos = 0; pos <= yaml.size(); ++line) {
    const size_t end = std::min(yaml.find('\n', pos), yaml.size());
    const std::string_view text = yaml.substr(pos, end - pos);
    const size_t content = text.find_first_not_of(" \t");
    const std::string_view indent = text.substr(0, std::min(content, text.size()));
    const bool blank = content == std::string_view::npos || text[content] == '#';
    if (!blank && indent.find('\t') != std::string_view::npos) {
      out.push_back(source + ":" + std::to_string(line) +
                    ": tab character in indentation (YAML indents with spaces only)");
    }
    pos = end + 1;
  }
  return out;
}

std::optional<std::string> Utf8Error(std::string_view yaml, const std::string& source) {
  const std::size_t at = utf8::FirstInvalidByte(yaml);
  if (at == std::string_view::npos) return std::nullopt;
  const std::size_t newline = yaml.rfind('\n', at);
  const std::size_t line_start = newline == std::string_view::npos ? 0 : newline + 1;
  const auto line =
      1 + std::count(yaml.begin(), yaml.begin() + static_cast<std::ptrdiff_t>(at), '\n');
  char byte[8];
  std::snprintf(byte, sizeof(byte), "0x%02x", static_cast<unsigned char>(yaml[at]));
  return source + ":" + std::to_string(line) + ": the file is not valid UTF-8 (byte " + byte +
         " at column " + std::to_string(at - line_start + 1) + "); save it as UTF-8";
}

std::vector<std::string> ReadYaml(std::string_view yaml, const YamlReader& reader,
                                  const std::string& source,
                                  const std::function<void(const YAML::Node&)>& load) {
  if (auto bad = Utf8Error(yaml, source)) return {*bad};
  if (auto tabs = TabIndentationErrors(yaml, source); !tabs.empty()) return tabs;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    const int line = e.mark.is_null() ? 0 : e.mark.line + 1;
    return {OneLine(source + ":" + std::to_string(line) + ": invalid YAML: " + e.msg)};
  }
  try {
    reader.Attempt([&] { load(root); });
  } catch (const YAML::Exception& e) {
    reader.Report(YAML::Node(), "", "invalid YAML: " + e.msg);
  }
  return reader.Errors();
}

}  // namespace anchor

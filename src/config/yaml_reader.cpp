#include "config/yaml_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

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

void YamlReader::Fail(const YAML::Node& node, const std::string& path,
                      const std::string& problem) const {
  std::ostringstream out;
  out << source_;
  if (node.IsDefined() && node.Mark().line >= 0) out << ':' << node.Mark().line + 1;
  out << ": " << (path.empty() ? "" : path + ": ") << problem;
  throw YamlConfigError{OneLine(out.str())};
}

void YamlReader::ExpectMap(const YAML::Node& node, const std::string& path,
                           std::initializer_list<const char*> allowed,
                           std::initializer_list<const char*> unsupported) const {
  if (!node.IsMap()) Fail(node, path, "expected a mapping");
  for (const auto& kv : node) {
    const auto key = kv.first.Scalar();
    for (const char* u : unsupported) {
      if (key == u) Fail(kv.first, Join(path, key), "is not supported by this exporter");
    }
    bool known = false;
    for (const char* a : allowed) known = known || key == a;
    if (!known) Fail(kv.first, Join(path, key), "unknown key");
  }
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

std::optional<std::string> ReadFile(const std::string& path, std::string* why) {
  const auto fail = [why](std::string reason) {
    if (why != nullptr) *why = std::move(reason);
    return std::nullopt;
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

}  // namespace anchor

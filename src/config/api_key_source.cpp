#include "config/api_key_source.h"

#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "base/text.h"
#include "config/yaml_reader.h"

namespace anchor {
namespace {

// A key read from a file or the environment, without the line end (or spaces) around it.
std::string TrimmedKey(const std::string& s) { return std::string(text::TrimSpace(s)); }

// A POSIX environment variable name (letters, digits, '_', not starting with a digit).
bool IsVariableName(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return c > 0 && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  });
}

void ReadKeyFile(const YamlReader& r, const YAML::Node& anchor_node, AnchorConfig& a) {
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
}

void ReadKeyVariable(const YamlReader& r, const YAML::Node& env_node,
                     const ConfigLoadOptions& options, AnchorConfig& a) {
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

}  // namespace

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
    ReadKeyFile(r, anchor_node, a);
    return;
  }
  ReadKeyVariable(r, env_node, options, a);
}

std::optional<std::string> KeyFileModeWarning(const std::string& source, const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0 || (st.st_mode & (S_IRWXG | S_IRWXO)) == 0) return std::nullopt;
  char mode[8];
  std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
  return source + ": warning: anchor.api_key_file " + path +
         " is readable by group or others (mode " + mode + "); chmod 600 it";
}

}  // namespace anchor

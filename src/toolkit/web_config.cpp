#include "toolkit/web_config.h"

#include <crypt.h>
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <initializer_list>
#include <sstream>
#include <utility>

#include "base/text.h"
#include "config/yaml_reader.h"
#include "toolkit/server_tls.h"
#include "toolkit/tls_names.h"

namespace anchor {
namespace {

template <typename T>
T Choose(const YamlReader& r, const YAML::Node& node, const std::string& path,
         std::initializer_list<std::pair<const char*, T>> choices) {
  const std::string value = r.String(node, path);
  std::string names;
  for (const auto& [name, v] : choices) {
    if (value == name) return v;
    names += (names.empty() ? "" : ", ") + std::string(name);
  }
  r.Fail(node, path, "unknown value \"" + value + "\" (expected one of " + names + ")");
}

TlsVersion Version(const YamlReader& r, const YAML::Node& node, const std::string& path) {
  return Choose<TlsVersion>(r, node, path,
                            {{"TLS10", TlsVersion::kTls10},
                             {"TLS11", TlsVersion::kTls11},
                             {"TLS12", TlsVersion::kTls12},
                             {"TLS13", TlsVersion::kTls13}});
}

// A list of names, each checked by `problem` (returns "" for a good name).
template <typename Check>
std::vector<std::string> Names(const YamlReader& r, const YAML::Node& node, const std::string& path,
                               Check problem) {
  std::vector<std::string> names;
  if (!node || node.IsNull()) return names;
  if (!node.IsSequence()) r.Fail(node, path, "expected a list of names");
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string item = path + "[" + std::to_string(i) + "]";
    names.push_back(r.String(node[i], item));
    if (const std::string why = problem(names.back()); !why.empty()) r.Fail(node[i], item, why);
  }
  return names;
}

// The Go crypto/tls names of cipher_suites and curve_preferences, each checked.
void LoadTlsNames(const YamlReader& r, const YAML::Node& node, const std::string& p,
                  TlsServerConfig& tls) {
  tls.cipher_suites = Names(r, node["cipher_suites"], p + ".cipher_suites", [&](const auto& name) {
    return OpenSslCipherFor(name) ? ""
                                  : "unknown cipher suite \"" + name +
                                        "\" (expected a Go crypto/tls name such as "
                                        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)";
  });
  tls.curve_preferences =
      Names(r, node["curve_preferences"], p + ".curve_preferences", [&](const auto& name) {
        return OpenSslGroupFor(name)
                   ? ""
                   : "unknown curve \"" + name + "\" (expected one of " + GoCurveNames() + ")";
      });
}

// What the fields allow only together: versions in order, a CA exactly when certificates are
// verified, and files that load.
void CheckTls(const YamlReader& r, const YAML::Node& node, const std::string& p,
              const TlsServerConfig& tls) {
  if (tls.min_version > tls.max_version) {
    r.Fail(node["min_version"], p + ".min_version", "is above max_version");
  }
  const bool verifies = tls.client_auth == ClientAuthType::kVerifyClientCertIfGiven ||
                        tls.client_auth == ClientAuthType::kRequireAndVerifyClientCert;
  if (verifies && tls.client_ca_file.empty()) {
    r.Fail(node["client_auth_type"], p + ".client_ca_file",
           std::string("is required with client_auth_type ") + ClientAuthTypeName(tls.client_auth));
  }
  if (!tls.client_ca_file.empty() && tls.client_auth == ClientAuthType::kNoClientCert) {
    r.Fail(node["client_ca_file"], p + ".client_ca_file",
           "is set but client_auth_type is NoClientCert (use RequireAndVerifyClientCert)");
  }
  if (const auto usable = ValidateServerTls(tls); !usable.ok()) r.Fail(node, p, usable.error());
}

// The files, the client policy and the versions.
TlsServerConfig LoadTlsFields(const YamlReader& r, const YAML::Node& node, const std::string& p,
                              const std::string& base_dir) {
  TlsServerConfig tls;
  for (const auto& [key, field] :
       {std::pair<const char*, std::string*>{"cert_file", &tls.cert_file},
        {"key_file", &tls.key_file},
        {"client_ca_file", &tls.client_ca_file}}) {
    if (node[key]) *field = ResolvePath(base_dir, r.String(node[key], p + "." + key));
  }
  if (tls.cert_file.empty()) r.Fail(node, p + ".cert_file", "is required to serve TLS");
  if (tls.key_file.empty()) r.Fail(node, p + ".key_file", "is required to serve TLS");
  if (node["client_auth_type"]) {
    using C = ClientAuthType;
    tls.client_auth = Choose<C>(r, node["client_auth_type"], p + ".client_auth_type",
                                {{"NoClientCert", C::kNoClientCert},
                                 {"RequestClientCert", C::kRequestClientCert},
                                 {"RequireAnyClientCert", C::kRequireAnyClientCert},
                                 {"VerifyClientCertIfGiven", C::kVerifyClientCertIfGiven},
                                 {"RequireAndVerifyClientCert", C::kRequireAndVerifyClientCert}});
  }
  if (node["min_version"]) tls.min_version = Version(r, node["min_version"], p + ".min_version");
  if (node["max_version"]) tls.max_version = Version(r, node["max_version"], p + ".max_version");
  return tls;
}

std::optional<TlsServerConfig> LoadTls(const YamlReader& r, const YAML::Node& node,
                                       const std::string& base_dir) {
  const std::string p = "tls_server_config";
  if (!node || node.IsNull()) return std::nullopt;
  r.ExpectMap(node, p,
              {"cert_file", "key_file", "client_auth_type", "client_ca_file", "min_version",
               "max_version", "cipher_suites", "curve_preferences", "prefer_server_cipher_suites"},
              {"cert", "key", "client_ca", "client_allowed_sans"});
  // As in the exporter-toolkit, TLS is on once a certificate, key or client policy is given.
  if (!node["cert_file"] && !node["key_file"] && !node["client_auth_type"] &&
      !node["client_ca_file"]) {
    return std::nullopt;
  }
  TlsServerConfig tls = LoadTlsFields(r, node, p, base_dir);
  LoadTlsNames(r, node, p, tls);
  // Go ignores it since 1.18 (the server's order is used); accepted for compatibility.
  if (node["prefer_server_cipher_suites"]) {
    r.Bool(node["prefer_server_cipher_suites"], p + ".prefer_server_cipher_suites");
  }
  CheckTls(r, node, p, tls);
  return tls;
}

// Only bcrypt, as in the exporter-toolkit; libxcrypt checks the cost and the salt.
bool IsBcryptHash(const std::string& hash) {
  const bool prefix =
      hash.rfind("$2a$", 0) == 0 || hash.rfind("$2b$", 0) == 0 || hash.rfind("$2y$", 0) == 0;
  if (!prefix || hash.size() != 60 || hash[6] != '$') return false;
  // "$2y$10$...": a two-digit cost from 4 to 31, as bcrypt allows.
  if (!std::isdigit(static_cast<unsigned char>(hash[4])) ||
      !std::isdigit(static_cast<unsigned char>(hash[5]))) {
    return false;
  }
  const int cost = (hash[4] - '0') * 10 + (hash[5] - '0');
  return cost >= 4 && cost <= 31 && crypt_checksalt(hash.c_str()) == CRYPT_SALT_OK;
}

void LoadUsers(const YamlReader& r, const YAML::Node& node, WebConfig& web) {
  if (!node || node.IsNull()) return;
  if (!node.IsMap()) r.Fail(node, "basic_auth_users", "expected a mapping of user to bcrypt hash");
  for (const auto& kv : node) {
    const std::string user = kv.first.Scalar();
    const std::string path = "basic_auth_users." + user;
    if (user.empty() || user.find(':') != std::string::npos) {
      r.Fail(kv.first, path, "user names must be non-empty and hold no ':'");
    }
    // The message never repeats the value: it is a password hash.
    if (!kv.second.IsScalar() || !IsBcryptHash(kv.second.Scalar())) {
      r.Fail(kv.second, path,
             "is not a bcrypt hash (create one with: htpasswd -nBC 10 \"\" | tr -d ':\\n')");
    }
    web.basic_auth_users[user] = kv.second.Scalar();
  }
}

void LoadExcludedPaths(const YamlReader& r, const YAML::Node& node, WebConfig& web) {
  if (!node || node.IsNull()) return;
  const std::string p = "auth_excluded_paths";
  if (!node.IsSequence()) r.Fail(node, p, "expected a list of paths");
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string path = r.String(node[i], p + "[" + std::to_string(i) + "]");
    if (path.empty() || path[0] != '/') {
      r.Fail(node[i], p + "[" + std::to_string(i) + "]", "must start with /");
    }
    web.auth_excluded_paths.insert(path);
  }
}

WebConfig Load(const YAML::Node& root, const YamlReader& r, const std::string& base_dir) {
  WebConfig web;
  if (!root.IsDefined() || root.IsNull()) return web;  // an empty file: plain HTTP, no auth
  r.ExpectMap(root, "", {"tls_server_config", "basic_auth_users", "auth_excluded_paths"},
              {"http_server_config", "rate_limit"});
  web.tls = LoadTls(r, root["tls_server_config"], base_dir);
  LoadUsers(r, root["basic_auth_users"], web);
  LoadExcludedPaths(r, root["auth_excluded_paths"], web);
  return web;
}

}  // namespace

Result<WebConfig> LoadWebConfigString(std::string_view yaml, const std::string& source,
                                      const std::string& base_dir) {
  const YamlReader reader(source);
  WebConfig web;
  const auto errors = ReadYaml(yaml, reader, source,
                               [&](const YAML::Node& root) { web = Load(root, reader, base_dir); });
  if (errors.empty()) return web;
  return Error{text::Join(errors, "\n")};
}

Result<WebConfig> LoadWebConfigFile(const std::string& path) {
  const auto read = ReadFile(path);
  if (!read.ok()) return Error{path + ": cannot read web config file: " + read.error()};
  const auto slash = path.rfind('/');
  return LoadWebConfigString(read.value(), path,
                             slash == std::string::npos ? "" : path.substr(0, slash));
}

}  // namespace anchor

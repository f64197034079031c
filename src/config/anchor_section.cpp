#include "config/anchor_section.h"

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <string>

#include "config/api_key_source.h"
#include "config/yaml_reader.h"

namespace anchor {
namespace {

// The keys the section may hold; a new key goes here and into its reader below.
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

}  // namespace

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
  // A key name that failed to read leaves nothing to resolve the key from.
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

}  // namespace anchor

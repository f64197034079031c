#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "toolkit/tls_settings.h"

namespace anchor {

// The --web.config.file of the Prometheus exporter-toolkit: TLS and basic authentication for
// the exporter's own endpoints.
struct WebConfig {
  std::optional<TlsServerConfig> tls;  // absent: plain HTTP
  // user name -> bcrypt hash ($2a$, $2b$ or $2y$). Empty: no authentication.
  std::map<std::string, std::string> basic_auth_users;
  // Paths served without authentication (exact match), e.g. /-/healthy for a liveness probe.
  std::set<std::string> auth_excluded_paths;
};

// Reads and validates a web config file: unknown keys are refused, the certificate and key are
// loaded (and must match), hashes must be bcrypt. Relative paths are resolved against the
// file's directory. The error names the file, line and key of each problem, one per line
// ("web.yml:4: tls_server_config.min_version: ..."); it never holds a password hash.
Result<WebConfig> LoadWebConfigFile(const std::string& path);
Result<WebConfig> LoadWebConfigString(std::string_view yaml, const std::string& source,
                                      const std::string& base_dir);

}  // namespace anchor

#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace anchor {

// The exporter-toolkit's client authentication policies (Go's tls.ClientAuthType).
enum class ClientAuthType {
  kNoClientCert,
  kRequestClientCert,           // asks for a certificate, accepts none or any
  kRequireAnyClientCert,        // requires a certificate, does not verify it
  kVerifyClientCertIfGiven,     // verifies a certificate if one is sent
  kRequireAndVerifyClientCert,  // requires a certificate signed by client_ca_file
};

enum class TlsVersion { kTls10, kTls11, kTls12, kTls13 };

const char* ClientAuthTypeName(ClientAuthType type);
const char* TlsVersionName(TlsVersion version);

// tls_server_config of the web config file.
struct TlsServerConfig {
  std::string cert_file;
  std::string key_file;
  ClientAuthType client_auth = ClientAuthType::kNoClientCert;
  std::string client_ca_file;
  TlsVersion min_version = TlsVersion::kTls12;
  TlsVersion max_version = TlsVersion::kTls13;
  // Go crypto/tls names, validated (see web/tls_names.h); empty: the defaults.
  std::vector<std::string> cipher_suites;
  std::vector<std::string> curve_preferences;

  bool operator==(const TlsServerConfig& o) const {
    return cert_file == o.cert_file && key_file == o.key_file && client_auth == o.client_auth &&
           client_ca_file == o.client_ca_file && min_version == o.min_version &&
           max_version == o.max_version && cipher_suites == o.cipher_suites &&
           curve_preferences == o.curve_preferences;
  }
};

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

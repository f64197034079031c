#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "config/duration.h"
#include "config/secret.h"

namespace anchor {

using LabelMap = std::map<std::string, std::string>;

struct ClientTlsConfig {
  std::string ca_file;  // empty: the system trust store
  bool insecure_skip_verify = false;
};

struct AnchorConfig {
  std::string base_url = "https://api.anchorbrowser.io";
  std::string api_key_env = "ANCHORBROWSER_API_KEY";
  std::string api_key_file;
  Secret api_key;  // resolved from api_key_file or api_key_env while loading
  Duration timeout = std::chrono::seconds(10);
  Duration connect_timeout = std::chrono::seconds(5);
  int max_concurrency = 16;
  std::size_t max_response_bytes = 16u << 20;
  ClientTlsConfig tls;
};

struct BatchTarget {
  std::string id;
  LabelMap labels;  // extra static labels on every series of this batch
};

struct ProbeConfig {
  bool allow_unlisted = false;  // /probe may fetch batches that are neither configured nor discovered
};

struct Config {
  AnchorConfig anchor;
  std::vector<BatchTarget> batches;
  ProbeConfig probe;
};

}  // namespace anchor

#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "config/duration.h"
#include "config/error_classes.h"
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
  double max_requests_per_second = 0;  // 0: no cap
  ClientTlsConfig tls;
};

struct CacheConfig {
  // A batch in a terminal status (completed, failed, cancelled) is re-fetched at most this often.
  Duration terminal_ttl = std::chrono::minutes(5);
  // Any batch is re-fetched at most this often (0: on every scrape).
  Duration min_interval{0};
};

struct DiscoveryConfig {
  bool enabled = false;
  std::vector<std::string> statuses = {"pending", "processing"};
  Duration created_within{0};  // 0: no bound on creation time
  int max_batches = 500;
  Duration refresh_interval = std::chrono::seconds(60);
};

struct BatchTarget {
  std::string id;
  LabelMap labels;  // extra static labels on every series of this batch
};

struct ProbeConfig {
  bool allow_unlisted =
      false;  // /probe may fetch batches that are neither configured nor discovered
  // Ids probed with allow_unlisted whose state (last answer, Retry-After) the exporter keeps,
  // least recently probed forgotten first; never counts or touches tracked batches.
  int max_unlisted_state = 1000;
};

// Upper bounds (seconds, strictly increasing, +Inf implied) of the session histograms. The
// defaults span browser sessions from about a second to an hour.
struct SessionBuckets {
  std::vector<double> duration = {1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600};
  std::vector<double> queue = {0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600};
};

// Which batches export the session histograms: ~30 series per batch with the default buckets.
enum class SessionHistograms { kAll, kActive, kOff };

struct SessionsConfig {
  SessionHistograms histograms = SessionHistograms::kActive;  // kActive: batches not finished
  SessionBuckets buckets;
  // sessions.error_classes compiled (never null): the defaults, or the config's list in its
  // place (a list given replaces the defaults; an empty one leaves only "other").
  std::shared_ptr<const ErrorClassifier> error_classes = DefaultErrorClassifier();
  // The operator's page of one session, "{session_id}" replaced by the URL-encoded id (the
  // batch page's links); empty: no links. No default: the API documents no such page.
  std::string link_template;
};

struct Config {
  AnchorConfig anchor;
  std::vector<BatchTarget> batches;
  CacheConfig cache;
  DiscoveryConfig discovery;
  ProbeConfig probe;
  SessionsConfig sessions;
};

}  // namespace anchor

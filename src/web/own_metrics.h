#pragma once

#include <prometheus/metric_family.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "http/connection_stats.h"

namespace anchor {

// The numbers behind the exporter's own families that are not the collector's: the last
// configuration (re)load, the HTTP front's connections, basic auth and the routes' answers.
struct ServerNumbers {
  bool reload_ok = true;                       // the last load or reload succeeded
  double reload_success_seconds = 0;           // Unix time of the last successful one, 0: none
  std::optional<ConnectionStats> connections;  // none without an HTTP front (route tests)
  std::vector<std::uint64_t> auth_failures;    // by kAuthFailures
  double answers_in_flight = 0;                // --web.max-requests slots held
  double answers_refused = 0;
  double answers_displaced = 0;
};

// Every anchorbrowser_exporter_* family /metrics adds after the collector's, and the process_*
// families, in the order they are written: reload, process, connections, auth, answers. One
// place names them all, built from numbers, as node_exporter builds its scrape metrics.
std::vector<prometheus::MetricFamily> ServerFamilies(const ServerNumbers& numbers);

}  // namespace anchor

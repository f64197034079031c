#pragma once

#include <prometheus/metric_family.h>

#include <vector>

#include "http/connection_stats.h"

namespace anchor {

// anchorbrowser_exporter_http_connections{,_limit,_displaced_total,_refused_total} and
// anchorbrowser_exporter_http_accept_errors_total.
std::vector<prometheus::MetricFamily> ConnectionFamilies(const ConnectionStats& stats);

}  // namespace anchor

#include "web/connection_metrics.h"

#include "exposition/single_sample_family.h"

namespace anchor {

std::vector<prometheus::MetricFamily> ConnectionFamilies(const ConnectionStats& stats) {
  using prometheus::MetricType;
  std::vector<prometheus::MetricFamily> out;
  out.push_back(SingleSampleFamily("anchorbrowser_exporter_http_connections",
                                   "Connections to the exporter's own HTTP port open now.",
                                   MetricType::Gauge, static_cast<double>(stats.open)));
  out.push_back(SingleSampleFamily("anchorbrowser_exporter_http_connections_limit",
                                   "Connections the exporter's HTTP port holds at most "
                                   "(--web.max-connections, or derived from the open-files limit).",
                                   MetricType::Gauge, static_cast<double>(stats.cap)));
  out.push_back(SingleSampleFamily("anchorbrowser_exporter_http_connections_displaced_total",
                                   "Connections closed at the limit to make room for a new one (an "
                                   "incomplete request head first, then the longest idle).",
                                   MetricType::Counter, static_cast<double>(stats.displaced)));
  out.push_back(SingleSampleFamily("anchorbrowser_exporter_http_connections_refused_total",
                                   "Connections refused at the limit, with none to displace.",
                                   MetricType::Counter, static_cast<double>(stats.refused)));
  out.push_back(
      SingleSampleFamily("anchorbrowser_exporter_http_accept_errors_total",
                         "Failed accept() calls on the exporter's HTTP port, mostly out of "
                         "file descriptors (retried every 50 ms; logged with a count).",
                         MetricType::Counter, static_cast<double>(stats.accept_errors)));
  return out;
}

}  // namespace anchor

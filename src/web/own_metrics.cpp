#include "web/own_metrics.h"

#include "collect/process_metrics.h"
#include "exposition/own_family.h"
#include "toolkit/basic_auth.h"

namespace anchor {
namespace {

using prometheus::MetricFamily;
using prometheus::MetricType;

void Add(std::vector<MetricFamily>& to, const char* name, const char* help, MetricType type,
         double value) {
  to.push_back(SingleSampleFamily(name, help, type, value));
}

void AddConnections(std::vector<MetricFamily>& out, const ConnectionStats& stats) {
  Add(out, "anchorbrowser_exporter_http_connections",
      "Connections to the exporter's own HTTP port open now.", MetricType::Gauge,
      static_cast<double>(stats.open));
  Add(out, "anchorbrowser_exporter_http_connections_limit",
      "Connections the exporter's HTTP port holds at most "
      "(--web.max-connections, or derived from the open-files limit).",
      MetricType::Gauge, static_cast<double>(stats.cap));
  Add(out, "anchorbrowser_exporter_http_connections_displaced_total",
      "Connections closed at the limit to make room for a new one (an "
      "incomplete request head first, then the longest idle).",
      MetricType::Counter, static_cast<double>(stats.displaced));
  Add(out, "anchorbrowser_exporter_http_connections_refused_total",
      "Connections refused at the limit, with none to displace.", MetricType::Counter,
      static_cast<double>(stats.refused));
  Add(out, "anchorbrowser_exporter_http_accept_errors_total",
      "Failed accept() calls on the exporter's HTTP port, mostly out of "
      "file descriptors (retried every 50 ms; logged with a count).",
      MetricType::Counter, static_cast<double>(stats.accept_errors));
}

MetricFamily AuthFailures(const std::vector<std::uint64_t>& counts) {
  MetricFamily f;
  f.name = "anchorbrowser_exporter_http_auth_failures_total";
  f.help = "Requests refused by basic authentication, by reason.";
  f.type = MetricType::Counter;
  size_t i = 0;
  for (const AuthVerdict verdict : kAuthFailures) {
    prometheus::ClientMetric m;
    m.label.push_back({"reason", AuthVerdictReason(verdict)});
    m.counter.value = i < counts.size() ? static_cast<double>(counts[i]) : 0;
    f.metric.push_back(std::move(m));
    ++i;
  }
  return f;
}

}  // namespace

std::vector<MetricFamily> ServerFamilies(const ServerNumbers& n) {
  std::vector<MetricFamily> out;
  Add(out, "anchorbrowser_exporter_config_last_reload_successful",
      "Whether the last configuration reload attempt was successful.", MetricType::Gauge,
      n.reload_ok ? 1 : 0);
  Add(out, "anchorbrowser_exporter_config_last_reload_success_timestamp_seconds",
      "Timestamp of the last successful configuration reload.", MetricType::Gauge,
      n.reload_success_seconds);
  for (auto& f : CollectProcessMetrics()) out.push_back(std::move(f));
  if (n.connections) AddConnections(out, *n.connections);
  out.push_back(AuthFailures(n.auth_failures));
  Add(out, "anchorbrowser_exporter_http_answers_in_flight",
      "Scrapes (metrics and /probe) being answered or still being written to their client; "
      "--web.max-requests caps them.",
      MetricType::Gauge, n.answers_in_flight);
  Add(out, "anchorbrowser_exporter_http_answers_refused_total",
      "Scrapes refused with 503 at --web.max-requests.", MetricType::Counter, n.answers_refused);
  Add(out, "anchorbrowser_exporter_http_answers_displaced_total",
      "Answers being written to a client that did not read them, closed at --web.max-requests "
      "to free a slot for a new scrape.",
      MetricType::Counter, n.answers_displaced);
  return out;
}

}  // namespace anchor

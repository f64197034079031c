// ServerFamilies called directly: every family named, typed and valued from the numbers.
#include <catch2/catch.hpp>
#include <string>

#include "web/own_metrics.h"

namespace {

const prometheus::MetricFamily* Find(const std::vector<prometheus::MetricFamily>& families,
                                     const std::string& name) {
  for (const auto& f : families) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("the connection counts become two gauges and three counters", "[unit][web]") {
  anchor::ServerNumbers numbers;
  numbers.connections = anchor::ConnectionStats{7, 900, 12, 3, 41};
  const auto families = anchor::ServerFamilies(numbers);
  auto check = [&](const std::string& name, prometheus::MetricType type, double value) {
    INFO(name);
    const auto* family = Find(families, name);
    REQUIRE(family != nullptr);
    CHECK(family->type == type);
    CHECK_FALSE(family->help.empty());
    REQUIRE(family->metric.size() == 1);
    CHECK(family->metric[0].label.empty());
    const auto& m = family->metric[0];
    CHECK((type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value) == value);
  };
  using prometheus::MetricType;
  check("anchorbrowser_exporter_http_connections", MetricType::Gauge, 7);
  check("anchorbrowser_exporter_http_connections_limit", MetricType::Gauge, 900);
  check("anchorbrowser_exporter_http_connections_displaced_total", MetricType::Counter, 12);
  check("anchorbrowser_exporter_http_connections_refused_total", MetricType::Counter, 3);
  check("anchorbrowser_exporter_http_accept_errors_total", MetricType::Counter, 41);
  // Without an HTTP front (route tests), no connection families.
  CHECK(Find(anchor::ServerFamilies({}), "anchorbrowser_exporter_http_connections") == nullptr);
}

TEST_CASE("auth failures are one counter with every reason", "[unit][web][auth]") {
  anchor::ServerNumbers numbers;
  numbers.auth_failures = {500, 501, 502, 503};  // by kAuthFailures
  const auto families = anchor::ServerFamilies(numbers);
  const auto* family = Find(families, "anchorbrowser_exporter_http_auth_failures_total");
  REQUIRE(family != nullptr);
  CHECK(family->type == prometheus::MetricType::Counter);
  auto sample = [&](const std::string& reason) {
    for (const auto& m : family->metric) {
      if (m.label.size() == 1 && m.label[0].value == reason) return m.counter.value;
    }
    return -1.0;
  };
  CHECK(sample("no_credentials") == 500);
  CHECK(sample("unknown_user") == 501);
  CHECK(sample("wrong_password") == 502);
  CHECK(sample("busy") == 503);
}

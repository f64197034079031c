// ConnectionFamilies called directly: five families, typed and valued from the stats.
#include <catch2/catch.hpp>
#include <string>

#include "web/connection_metrics.h"

TEST_CASE("the connection counts become two gauges and three counters", "[unit][web]") {
  const auto families = anchor::ConnectionFamilies({7, 900, 12, 3, 41});
  REQUIRE(families.size() == 5);
  auto check = [&](size_t i, const std::string& name, prometheus::MetricType type, double value) {
    INFO(name);
    CHECK(families[i].name == name);
    CHECK(families[i].type == type);
    CHECK_FALSE(families[i].help.empty());
    REQUIRE(families[i].metric.size() == 1);
    CHECK(families[i].metric[0].label.empty());
    const auto& m = families[i].metric[0];
    CHECK((type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value) == value);
  };
  using prometheus::MetricType;
  check(0, "anchorbrowser_exporter_http_connections", MetricType::Gauge, 7);
  check(1, "anchorbrowser_exporter_http_connections_limit", MetricType::Gauge, 900);
  check(2, "anchorbrowser_exporter_http_connections_displaced_total", MetricType::Counter, 12);
  check(3, "anchorbrowser_exporter_http_connections_refused_total", MetricType::Counter, 3);
  check(4, "anchorbrowser_exporter_http_accept_errors_total", MetricType::Counter, 41);
}

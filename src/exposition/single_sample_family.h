#pragma once

#include <prometheus/metric_family.h>

namespace anchor {

// A family of one unlabelled sample, a gauge or a counter: what the exporter's own process and
// connection metrics are made of.
inline prometheus::MetricFamily SingleSampleFamily(const char* name, const char* help,
                                                   prometheus::MetricType type, double value) {
  prometheus::MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = type;
  f.metric.emplace_back();
  if (type == prometheus::MetricType::Counter) {
    f.metric.back().counter.value = value;
  } else {
    f.metric.back().gauge.value = value;
  }
  return f;
}

}  // namespace anchor

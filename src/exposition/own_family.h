#pragma once

#include <prometheus/metric_family.h>

#include <utility>
#include <vector>

namespace anchor {

// The one helper the exporter's own families (anchorbrowser_exporter_*, process_*) are made
// with: a family, then its samples, each a counter's or a gauge's value per the family's type.
inline prometheus::MetricFamily OwnFamily(const char* name, const char* help,
                                          prometheus::MetricType type) {
  prometheus::MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = type;
  return f;
}

inline void AddSample(prometheus::MetricFamily& family, double value,
                      std::vector<prometheus::ClientMetric::Label> labels = {}) {
  family.metric.emplace_back();
  family.metric.back().label = std::move(labels);
  if (family.type == prometheus::MetricType::Counter) {
    family.metric.back().counter.value = value;
  } else {
    family.metric.back().gauge.value = value;
  }
}

// A family of one unlabelled sample.
inline prometheus::MetricFamily SingleSampleFamily(const char* name, const char* help,
                                                   prometheus::MetricType type, double value) {
  auto f = OwnFamily(name, help, type);
  AddSample(f, value);
  return f;
}

}  // namespace anchor

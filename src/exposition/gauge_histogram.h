#pragma once

#include <prometheus/metric_type.h>

namespace anchor {

// The type of a family holding gauge histograms: distributions of the current state (they can
// go down), in ClientMetric::histogram with cumulative buckets. prometheus-cpp 1.0.1 has no such
// type, so a value outside its enumerators stands for it (valid for a scoped enum); only this
// exporter's exposition writers (src/web) read it: OpenMetrics `gaugehistogram`, and in text
// 0.0.4 a histogram of the buckets plus gauges `_gcount` and `_gsum`, as the official Python
// client writes them.
inline constexpr prometheus::MetricType kGaugeHistogram = static_cast<prometheus::MetricType>(64);

}  // namespace anchor

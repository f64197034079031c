#pragma once

#include <prometheus/metric_family.h>

#include <string>
#include <vector>

namespace anchor {

// The Prometheus text exposition format (0.0.4) of `families`, as one string.
//
// Same output as prometheus::TextSerializer (prometheus-cpp 1.0.1) — values with 16 significant
// digits ("%.16g"), label values escaped (\\, \", \n), timestamps in ms when set — except that
// HELP text is escaped as the format requires (\\ and \n) and NaN is written "NaN". It appends to
// one pre-sized string instead of formatting character by character through an ostream, which
// made TextSerializer ~85% of the time to render /metrics for 1,000 batches (bench/).
// Histogram bounds (`le`) are written as OpenMetrics requires ("10.0"), the same bytes in both
// formats; gauge histograms (kGaugeHistogram) as the official Python client writes them.
std::string SerializeTextExposition(const std::vector<prometheus::MetricFamily>& families);

// The text of one family, appended to `out` (families are independent of one another).
void AppendTextFamily(std::string& out, const prometheus::MetricFamily& family);

}  // namespace anchor

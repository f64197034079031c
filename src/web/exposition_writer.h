#pragma once

#include <prometheus/metric_family.h>

#include <cstdint>
#include <string>
#include <vector>

// Building blocks shared by the text 0.0.4 and OpenMetrics writers: each appends to one
// pre-sized string (see SerializeTextExposition for why).
namespace anchor::exposition {

void AppendInteger(std::string& out, std::uint64_t value);

// "%.16g", as prometheus-cpp writes values; NaN, +Inf and -Inf as both formats spell them.
void AppendValue(std::string& out, double value);

// A bucket bound the way the official Python client writes it in both formats ("10.0", "0.25",
// "1e+06", "+Inf"): OpenMetrics' canonical form, and the same bytes in text 0.0.4, because
// Prometheus takes `le="10"` and `le="10.0"` for two different series.
void AppendCanonicalNumber(std::string& out, double value);

// Escapes `\`, newlines and, when `quote`, `"`.
void AppendEscaped(std::string& out, const std::string& text, bool quote);

// A label value that is a number (histogram "le", summary "quantile").
struct NumberLabel {
  const char* name = nullptr;
  double value = 0;
  bool canonical = false;  // AppendCanonicalNumber instead of AppendValue
};

// Name, suffix, labels and the space before the value.
void AppendHead(std::string& out, const prometheus::MetricFamily& family,
                const prometheus::ClientMetric& metric, const char* suffix = "",
                NumberLabel extra = {});

// "# <keyword> <name><suffix> <text>\n" (HELP with `text` escaped as `quote_help` says).
void AppendComment(std::string& out, const char* keyword, const std::string& name,
                   const char* suffix, const std::string& text);

// The cumulative buckets of a histogram, +Inf added when missing (with the sample count).
void AppendBuckets(std::string& out, const prometheus::MetricFamily& family,
                   const prometheus::ClientMetric& metric);

// Room for the whole text of `families` up front (within a few percent).
size_t EstimateSize(const std::vector<prometheus::MetricFamily>& families);

}  // namespace anchor::exposition

#pragma once

#include <prometheus/metric_family.h>

#include <cstdint>
#include <string>
#include <vector>

#include "exposition/exemplar.h"

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

// "# <keyword> <name><suffix> <text>\n", `text` as it is.
void AppendComment(std::string& out, const char* keyword, const std::string& name,
                   const char* suffix, const std::string& text);

// "# HELP <name><suffix> <help>\n" with `help` escaped (`"` too when `quote`: OpenMetrics).
void AppendHelp(std::string& out, const std::string& name, const char* suffix,
                const std::string& help, bool quote);

// The TYPE of a counter, gauge, summary or histogram family; `other` for any other type
// (text 0.0.4 calls it "untyped", OpenMetrics "unknown").
const char* TypeName(prometheus::MetricType type, const char* other);

// The value of a one-line sample: a counter's, a gauge's, or (any other type) the untyped one.
double SingleValue(prometheus::MetricType type, const prometheus::ClientMetric& metric);

// The cumulative buckets of a histogram, +Inf added when missing (with the sample count), each
// with its exemplar from `exemplars` if any (OpenMetrics only).
void AppendBuckets(std::string& out, const prometheus::MetricFamily& family,
                   const prometheus::ClientMetric& metric,
                   const BucketExemplars* exemplars = nullptr);

// A time in milliseconds as OpenMetrics seconds: "12", "12.500", "-0.250" (as sample timestamps).
void AppendMillisAsSeconds(std::string& out, std::int64_t ms);

// " # {name=\"value\"} <value> <timestamp>" (OpenMetrics); nothing when the label is longer
// than kMaxExemplarLabelChars characters or its name is empty.
void AppendExemplar(std::string& out, const Exemplar& exemplar);

// Room for the whole text of `families` up front (within a few percent).
size_t EstimateSize(const std::vector<prometheus::MetricFamily>& families);

}  // namespace anchor::exposition

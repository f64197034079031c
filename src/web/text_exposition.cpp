#include "web/text_exposition.h"

#include <string>

#include "base/gauge_histogram.h"
#include "web/exposition_writer.h"

namespace anchor {
namespace {

using exposition::AppendBuckets;
using exposition::AppendComment;
using exposition::AppendEscaped;
using exposition::AppendHead;
using exposition::AppendInteger;
using exposition::AppendValue;
using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

void AppendTail(std::string& out, const ClientMetric& metric) {
  if (metric.timestamp_ms != 0) {
    out += ' ';
    out += std::to_string(metric.timestamp_ms);
  }
  out += '\n';
}

void AppendSummary(std::string& out, const MetricFamily& family, const ClientMetric& metric) {
  const auto& summary = metric.summary;
  AppendHead(out, family, metric, "_count");
  AppendInteger(out, summary.sample_count);
  AppendTail(out, metric);
  AppendHead(out, family, metric, "_sum");
  AppendValue(out, summary.sample_sum);
  AppendTail(out, metric);
  for (const auto& q : summary.quantile) {
    AppendHead(out, family, metric, "", {"quantile", q.quantile});
    AppendValue(out, q.value);
    AppendTail(out, metric);
  }
}

void AppendHistogram(std::string& out, const MetricFamily& family, const ClientMetric& metric) {
  AppendHead(out, family, metric, "_count");
  AppendInteger(out, metric.histogram.sample_count);
  AppendTail(out, metric);
  AppendHead(out, family, metric, "_sum");
  AppendValue(out, metric.histogram.sample_sum);
  AppendTail(out, metric);
  AppendBuckets(out, family, metric);
}

const char* TypeName(MetricType type) {
  switch (type) {
    case MetricType::Counter:
      return "counter";
    case MetricType::Gauge:
      return "gauge";
    case MetricType::Summary:
      return "summary";
    case MetricType::Histogram:
      return "histogram";
    default:
      return "untyped";
  }
}

void AppendHeader(std::string& out, const MetricFamily& family, const char* suffix,
                  const char* type) {
  if (!family.help.empty()) {
    std::string help;
    AppendEscaped(help, family.help, false);
    AppendComment(out, "HELP", family.name, suffix, help);
  }
  AppendComment(out, "TYPE", family.name, suffix, type);
}

// Text 0.0.4 has no gauge histogram: the buckets become a histogram without _count and _sum,
// and those two are gauge families of their own (what the official Python client writes), so
// that the series names are the same as in OpenMetrics.
void AppendGaugeHistogram(std::string& out, const MetricFamily& family) {
  AppendHeader(out, family, "", "histogram");
  for (const auto& metric : family.metric) AppendBuckets(out, family, metric);
  AppendHeader(out, family, "_gcount", "gauge");
  for (const auto& metric : family.metric) {
    AppendHead(out, family, metric, "_gcount");
    AppendInteger(out, metric.histogram.sample_count);
    out += '\n';
  }
  AppendHeader(out, family, "_gsum", "gauge");
  for (const auto& metric : family.metric) {
    AppendHead(out, family, metric, "_gsum");
    AppendValue(out, metric.histogram.sample_sum);
    out += '\n';
  }
}

}  // namespace

void AppendTextFamily(std::string& out, const MetricFamily& family) {
  if (family.type == kGaugeHistogram) {
    AppendGaugeHistogram(out, family);
    return;
  }
  AppendHeader(out, family, "", TypeName(family.type));
  for (const auto& metric : family.metric) {
    switch (family.type) {
      case MetricType::Counter:
        AppendHead(out, family, metric);
        AppendValue(out, metric.counter.value);
        AppendTail(out, metric);
        break;
      case MetricType::Gauge:
        AppendHead(out, family, metric);
        AppendValue(out, metric.gauge.value);
        AppendTail(out, metric);
        break;
      case MetricType::Summary:
        AppendSummary(out, family, metric);
        break;
      case MetricType::Histogram:
        AppendHistogram(out, family, metric);
        break;
      default:
        AppendHead(out, family, metric);
        AppendValue(out, metric.untyped.value);
        AppendTail(out, metric);
        break;
    }
  }
}

std::string SerializeTextExposition(const std::vector<MetricFamily>& families) {
  std::string out;
  out.reserve(exposition::EstimateSize(families));
  for (const auto& family : families) AppendTextFamily(out, family);
  return out;
}

}  // namespace anchor

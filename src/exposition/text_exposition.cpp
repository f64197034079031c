#include "exposition/text_exposition.h"

#include <string>

#include "exposition/exposition_writer.h"
#include "exposition/gauge_histogram.h"

namespace anchor {
namespace {

using exposition::AppendBuckets;
using exposition::AppendComment;
using exposition::AppendHead;
using exposition::AppendHelp;
using exposition::AppendInteger;
using exposition::AppendValue;
using exposition::SingleValue;
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

void AppendHeader(std::string& out, const MetricFamily& family, const char* suffix,
                  const char* type) {
  if (!family.help.empty()) AppendHelp(out, family.name, suffix, family.help, false);
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
  AppendHeader(out, family, "", exposition::TypeName(family.type, "untyped"));
  for (const auto& metric : family.metric) {
    if (family.type == MetricType::Summary) {
      AppendSummary(out, family, metric);
    } else if (family.type == MetricType::Histogram) {
      AppendHistogram(out, family, metric);
    } else {
      AppendHead(out, family, metric);
      AppendValue(out, SingleValue(family.type, metric));
      AppendTail(out, metric);
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

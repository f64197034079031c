#include "exposition/openmetrics_exposition.h"

#include <charconv>
#include <string_view>

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

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// OpenMetrics timestamps are seconds (text 0.0.4: milliseconds).
void AppendTail(std::string& out, const ClientMetric& metric) {
  if (metric.timestamp_ms != 0) {
    out += ' ';
    char buf[32];
    const auto ms = metric.timestamp_ms;
    out.append(buf, std::to_chars(buf, buf + sizeof(buf), ms / 1000).ptr);
    const auto frac = static_cast<std::uint64_t>(ms < 0 ? -(ms % 1000) : ms % 1000);
    if (frac != 0) {
      out += '.';
      out += static_cast<char>('0' + frac / 100);
      out += static_cast<char>('0' + frac / 10 % 10);
      out += static_cast<char>('0' + frac % 10);
    }
  }
  out += '\n';
}

const char* TypeName(MetricType type) {
  return type == kGaugeHistogram ? "gaugehistogram" : exposition::TypeName(type, "unknown");
}

void AppendCounters(std::string& out, const MetricFamily& family) {
  // The samples of a counter family `x` are `x_total`: the family is named without it.
  MetricFamily sample_name;
  sample_name.name = EndsWith(family.name, "_total") ? family.name : family.name + "_total";
  for (const auto& metric : family.metric) {
    AppendHead(out, sample_name, metric);
    AppendValue(out, metric.counter.value);
    AppendTail(out, metric);
  }
}

void AppendDistribution(std::string& out, const MetricFamily& family, const ClientMetric& metric,
                        bool gauge, const BucketExemplars* exemplars) {
  AppendBuckets(out, family, metric, exemplars);
  AppendHead(out, family, metric, gauge ? "_gcount" : "_count");
  AppendInteger(out, metric.histogram.sample_count);
  out += '\n';
  AppendHead(out, family, metric, gauge ? "_gsum" : "_sum");
  AppendValue(out, metric.histogram.sample_sum);
  out += '\n';
}

void AppendSummary(std::string& out, const MetricFamily& family, const ClientMetric& metric) {
  for (const auto& q : metric.summary.quantile) {
    AppendHead(out, family, metric, "", {"quantile", q.quantile, true});
    AppendValue(out, q.value);
    out += '\n';
  }
  AppendHead(out, family, metric, "_count");
  AppendInteger(out, metric.summary.sample_count);
  out += '\n';
  AppendHead(out, family, metric, "_sum");
  AppendValue(out, metric.summary.sample_sum);
  out += '\n';
}

void AppendMetadata(std::string& out, const std::string& name, const MetricFamily& family) {
  AppendComment(out, "TYPE", name, "", TypeName(family.type));
  for (const char* unit : {"seconds", "bytes", "ratio"}) {
    if (EndsWith(name, std::string("_") + unit)) AppendComment(out, "UNIT", name, "", unit);
  }
  // HELP text escapes `"` too in OpenMetrics.
  if (!family.help.empty()) AppendHelp(out, name, "", family.help, true);
}

}  // namespace

void AppendOpenMetricsFamily(std::string& out, const MetricFamily& family,
                             const FamilyExemplars* exemplars) {
  const bool counter = family.type == MetricType::Counter;
  const std::string name = counter && EndsWith(family.name, "_total")
                               ? family.name.substr(0, family.name.size() - 6)
                               : family.name;
  AppendMetadata(out, name, family);
  if (counter) {
    AppendCounters(out, family);
    return;
  }
  for (size_t m = 0; m < family.metric.size(); ++m) {
    const auto& metric = family.metric[m];
    if (family.type == kGaugeHistogram || family.type == MetricType::Histogram) {
      const bool with = exemplars != nullptr && m < exemplars->metrics.size();
      AppendDistribution(out, family, metric, family.type == kGaugeHistogram,
                         with ? &exemplars->metrics[m] : nullptr);
    } else if (family.type == MetricType::Summary) {
      AppendSummary(out, family, metric);
    } else {
      AppendHead(out, family, metric);
      AppendValue(out, SingleValue(family.type, metric));
      AppendTail(out, metric);
    }
  }
}

std::string SerializeOpenMetrics(const std::vector<MetricFamily>& families,
                                 const std::vector<FamilyExemplars>& exemplars) {
  std::string out;
  out.reserve(exposition::EstimateSize(families) + 8);
  for (size_t f = 0; f < families.size(); ++f) {
    AppendOpenMetricsFamily(out, families[f], f < exemplars.size() ? &exemplars[f] : nullptr);
  }
  out += kOpenMetricsEof;
  return out;
}

}  // namespace anchor

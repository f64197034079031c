#include "web/text_exposition.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>

namespace anchor {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

void AppendInteger(std::string& out, std::uint64_t value) {
  char buf[24];
  const auto end = std::to_chars(buf, buf + sizeof(buf), value).ptr;
  out.append(buf, end);
}

// "%.16g", as prometheus-cpp writes values (std::ostream with precision 16); integers below
// 1e15 (counts, 0/1 states, whole timestamps: most values) take a shortcut with the same text.
void AppendValue(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value < 0 ? "-Inf" : "+Inf";
  } else if (std::abs(value) < 1e15 && std::trunc(value) == value && !std::signbit(value)) {
    AppendInteger(out, static_cast<std::uint64_t>(value));
  } else {
    char buf[32];
    const auto end =
        std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::general, 16).ptr;
    out.append(buf, end);
  }
}

// Escapes `\`, `"` (label values only) and newlines.
void AppendEscaped(std::string& out, const std::string& text, bool quote) {
  const char* specials = quote ? "\\\"\n" : "\\\n";
  if (text.find_first_of(specials) == std::string::npos) {
    out += text;
    return;
  }
  for (const char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else {
      if (c == '\\' || (quote && c == '"')) out += '\\';
      out += c;
    }
  }
}

// A label value that is a number (histogram "le", summary "quantile").
struct NumberLabel {
  const char* name = nullptr;
  double value = 0;
};

// Name, labels and the space before the value.
void AppendHead(std::string& out, const MetricFamily& family, const ClientMetric& metric,
                const char* suffix = "", NumberLabel extra = {}) {
  out += family.name;
  out += suffix;
  if (!metric.label.empty() || extra.name != nullptr) {
    out += '{';
    const char* separator = "";
    for (const auto& label : metric.label) {
      out += separator;
      out += label.name;
      out += "=\"";
      AppendEscaped(out, label.value, true);
      out += '"';
      separator = ",";
    }
    if (extra.name != nullptr) {
      out += separator;
      out += extra.name;
      out += "=\"";
      AppendValue(out, extra.value);
      out += '"';
    }
    out += '}';
  }
  out += ' ';
}

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
  const auto& histogram = metric.histogram;
  AppendHead(out, family, metric, "_count");
  AppendInteger(out, histogram.sample_count);
  AppendTail(out, metric);
  AppendHead(out, family, metric, "_sum");
  AppendValue(out, histogram.sample_sum);
  AppendTail(out, metric);
  double last = -std::numeric_limits<double>::infinity();
  for (const auto& bucket : histogram.bucket) {
    AppendHead(out, family, metric, "_bucket", {"le", bucket.upper_bound});
    last = bucket.upper_bound;
    AppendInteger(out, bucket.cumulative_count);
    AppendTail(out, metric);
  }
  if (last != std::numeric_limits<double>::infinity()) {
    AppendHead(out, family, metric, "_bucket", {"le", std::numeric_limits<double>::infinity()});
    AppendInteger(out, histogram.sample_count);
    AppendTail(out, metric);
  }
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

void AppendFamily(std::string& out, const MetricFamily& family) {
  if (!family.help.empty()) {
    out += "# HELP ";
    out += family.name;
    out += ' ';
    AppendEscaped(out, family.help, false);
    out += '\n';
  }
  out += "# TYPE ";
  out += family.name;
  out += ' ';
  out += TypeName(family.type);
  out += '\n';
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

// Room for the whole text up front (within a few percent), so it is written without regrowth.
size_t EstimateSize(const std::vector<MetricFamily>& families) {
  size_t size = 0;
  for (const auto& family : families) {
    size += family.help.size() + 3 * family.name.size() + 32;
    for (const auto& metric : family.metric) {
      size_t line = family.name.size() + 32;
      for (const auto& label : metric.label) line += label.name.size() + label.value.size() + 4;
      const size_t lines = family.type == MetricType::Histogram ? metric.histogram.bucket.size() + 3
                           : family.type == MetricType::Summary ? metric.summary.quantile.size() + 2
                                                                : 1;
      size += line * lines;
    }
  }
  return size;
}

}  // namespace

std::string SerializeTextExposition(const std::vector<MetricFamily>& families) {
  std::string out;
  out.reserve(EstimateSize(families));
  for (const auto& family : families) AppendFamily(out, family);
  return out;
}

}  // namespace anchor

#include "exposition/exposition_writer.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace anchor::exposition {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

void AppendInteger(std::string& out, std::uint64_t value) {
  char buf[24];
  const auto end = std::to_chars(buf, buf + sizeof(buf), value).ptr;
  out.append(buf, end);
}

// Integers below 1e15 (counts, 0/1 states, whole timestamps: most values) take a shortcut with
// the same text as "%.16g".
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

// Python's repr() of a float below 1e6, Go's FormatFloat(v, 'g', -1, 64) from 1e6 on: what
// Prometheus' own clients write for `le` (the Python client's floatToGoString, without its
// three-digit exponents from 1e10 on: "1e+10", as Go writes it, not "1e+010").
void AppendCanonicalNumber(std::string& out, double value) {
  if (std::isnan(value) || std::isinf(value) || value <= 0 || value >= 1e16) {
    AppendValue(out, value);
    return;
  }
  char buf[40];
  char* end = buf;
  if (value >= 1e6) {
    // The shortest digits with a two-digit exponent at least: Go's FormatFloat(v, 'g', -1, 64)
    // from 1e6 on ("1e+06", "1.5e+06", "1e+10").
    end = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::scientific).ptr;
  } else if (std::trunc(value) == value) {
    end = std::to_chars(buf, buf + sizeof(buf), static_cast<std::uint64_t>(value)).ptr;
    *end++ = '.';
    *end++ = '0';
  } else if (value >= 1e-4) {
    // The shortest fixed notation that reads back as the same double, as repr() writes it.
    end = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::fixed).ptr;
  } else {
    end = std::to_chars(buf, buf + sizeof(buf), value).ptr;
  }
  out.append(buf, end);
}

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

void AppendHead(std::string& out, const MetricFamily& family, const ClientMetric& metric,
                const char* suffix, NumberLabel extra) {
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
      if (extra.canonical) {
        AppendCanonicalNumber(out, extra.value);
      } else {
        AppendValue(out, extra.value);
      }
      out += '"';
    }
    out += '}';
  }
  out += ' ';
}

void AppendComment(std::string& out, const char* keyword, const std::string& name,
                   const char* suffix, const std::string& text) {
  out += "# ";
  out += keyword;
  out += ' ';
  out += name;
  out += suffix;
  out += ' ';
  out += text;
  out += '\n';
}

void AppendHelp(std::string& out, const std::string& name, const char* suffix,
                const std::string& help, bool quote) {
  out += "# HELP ";
  out += name;
  out += suffix;
  out += ' ';
  AppendEscaped(out, help, quote);
  out += '\n';
}

const char* TypeName(MetricType type, const char* other) {
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
      return other;
  }
}

double SingleValue(MetricType type, const ClientMetric& metric) {
  switch (type) {
    case MetricType::Counter:
      return metric.counter.value;
    case MetricType::Gauge:
      return metric.gauge.value;
    default:
      return metric.untyped.value;
  }
}

namespace {

size_t Utf8Chars(const std::string& text) {
  size_t n = 0;
  for (const char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

void AppendBucketExemplar(std::string& out, const BucketExemplars* exemplars, size_t b) {
  if (exemplars != nullptr && b < exemplars->size() && (*exemplars)[b]) {
    AppendExemplar(out, *(*exemplars)[b]);
  }
}

}  // namespace

void AppendMillisAsSeconds(std::string& out, std::int64_t ms) {
  char buf[32];
  if (ms < 0 && ms > -1000) out += '-';  // -0.5 s: the integer part alone has no sign
  out.append(buf, std::to_chars(buf, buf + sizeof(buf), ms / 1000).ptr);
  const auto frac = static_cast<std::uint64_t>(ms < 0 ? -(ms % 1000) : ms % 1000);
  if (frac == 0) return;
  out += '.';
  out += static_cast<char>('0' + frac / 100);
  out += static_cast<char>('0' + frac / 10 % 10);
  out += static_cast<char>('0' + frac % 10);
}

void AppendExemplar(std::string& out, const Exemplar& exemplar) {
  const auto& label = exemplar.label;
  if (label.name.empty() ||
      Utf8Chars(label.name) + Utf8Chars(label.value) > kMaxExemplarLabelChars) {
    return;
  }
  out += " # {";
  out += label.name;
  out += "=\"";
  AppendEscaped(out, label.value, true);
  out += "\"} ";
  AppendValue(out, exemplar.value);
  if (std::isfinite(exemplar.timestamp) && std::abs(exemplar.timestamp) < 1e15) {
    out += ' ';
    AppendMillisAsSeconds(out, std::llround(exemplar.timestamp * 1000));
  }
}

void AppendBuckets(std::string& out, const MetricFamily& family, const ClientMetric& metric,
                   const BucketExemplars* exemplars) {
  const auto& histogram = metric.histogram;
  double last = -std::numeric_limits<double>::infinity();
  size_t b = 0;
  for (const auto& bucket : histogram.bucket) {
    AppendHead(out, family, metric, "_bucket", {"le", bucket.upper_bound, true});
    last = bucket.upper_bound;
    AppendInteger(out, bucket.cumulative_count);
    AppendBucketExemplar(out, exemplars, b++);
    out += '\n';
  }
  if (last != std::numeric_limits<double>::infinity()) {
    AppendHead(out, family, metric, "_bucket",
               {"le", std::numeric_limits<double>::infinity(), true});
    AppendInteger(out, histogram.sample_count);
    AppendBucketExemplar(out, exemplars, b);
    out += '\n';
  }
}

size_t EstimateSize(const std::vector<MetricFamily>& families) {
  size_t size = 0;
  for (const auto& family : families) {
    size += 3 * family.help.size() + 9 * family.name.size() + 96;
    for (const auto& metric : family.metric) {
      size_t line = family.name.size() + 32;
      for (const auto& label : metric.label) line += label.name.size() + label.value.size() + 4;
      const size_t lines = !metric.histogram.bucket.empty()     ? metric.histogram.bucket.size() + 3
                           : family.type == MetricType::Summary ? metric.summary.quantile.size() + 2
                                                                : 1;
      size += line * lines;
    }
  }
  return size;
}

}  // namespace anchor::exposition

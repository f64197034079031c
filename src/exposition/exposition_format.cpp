#include "exposition/exposition_format.h"

#include <cstdlib>

#include "base/text.h"
#include "exposition/openmetrics_exposition.h"
#include "exposition/text_exposition.h"

namespace anchor {
namespace {

constexpr const char* kTextType = "text/plain; version=0.0.4; charset=utf-8";
constexpr const char* kOpenMetricsType =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

using text::EqualsIgnoreCase;
using text::TrimOws;

std::string_view Unquote(std::string_view v) {
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') return v.substr(1, v.size() - 2);
  return v;
}

// One media range of an Accept header: "type/subtype;version=...;q=...".
struct MediaRange {
  std::string_view type;
  std::string_view version;  // empty when not given
  double q = 1;
};

MediaRange ParseRange(std::string_view item) {
  MediaRange range;
  size_t semi = item.find(';');
  range.type = TrimOws(item.substr(0, semi));
  while (semi != std::string_view::npos) {
    const size_t next = item.find(';', semi + 1);
    const auto param =
        item.substr(semi + 1, next == std::string_view::npos ? next : next - semi - 1);
    const size_t eq = param.find('=');
    if (eq != std::string_view::npos) {
      const auto key = TrimOws(param.substr(0, eq));
      const auto value = Unquote(TrimOws(param.substr(eq + 1)));
      if (EqualsIgnoreCase(key, "q")) {
        const std::string text(value);
        char* end = nullptr;
        const double q = std::strtod(text.c_str(), &end);
        range.q = end != text.c_str() && *end == '\0' && q >= 0 && q <= 1 ? q : 0;
      } else if (EqualsIgnoreCase(key, "version")) {
        range.version = value;
      }
    }
    semi = next;
  }
  return range;
}

// How well a range matches one of our formats: 0 not at all, 1 wildcard, 2 by name.
int Match(const MediaRange& r, ExpositionFormat format) {
  if (r.type == "*/*") return 1;
  if (format == ExpositionFormat::kText004) {
    if (EqualsIgnoreCase(r.type, "text/*")) return 1;
    if (EqualsIgnoreCase(r.type, "text/plain") && (r.version.empty() || r.version == "0.0.4")) {
      return 2;
    }
    return 0;
  }
  if (EqualsIgnoreCase(r.type, "application/*")) return 1;
  if (EqualsIgnoreCase(r.type, "application/openmetrics-text") &&
      (r.version.empty() || r.version == "1.0.0")) {
    return 2;
  }
  return 0;
}

// The q the header gives `format` (its most specific matching range) and how specific it is.
std::pair<double, int> Preference(std::string_view accept, ExpositionFormat format) {
  double q = 0;
  int best = 0;
  while (!accept.empty()) {
    const size_t comma = accept.find(',');
    const MediaRange r = ParseRange(accept.substr(0, comma));
    const int m = Match(r, format);
    if (m > best || (m == best && m > 0 && r.q > q)) {
      best = m;
      q = r.q;
    }
    if (comma == std::string_view::npos) break;
    accept.remove_prefix(comma + 1);
  }
  return {q, best};
}

}  // namespace

NegotiatedFormat NegotiateExpositionFormat(std::string_view accept) {
  const auto om = Preference(accept, ExpositionFormat::kOpenMetrics100);
  const auto text = Preference(accept, ExpositionFormat::kText004);
  if (om.first > 0 &&
      (om.first > text.first || (om.first == text.first && om.second > text.second))) {
    return {ExpositionFormat::kOpenMetrics100, kOpenMetricsType};
  }
  return {ExpositionFormat::kText004, kTextType};
}

std::string SerializeExposition(const std::vector<prometheus::MetricFamily>& families,
                                ExpositionFormat format) {
  return format == ExpositionFormat::kOpenMetrics100 ? SerializeOpenMetrics(families)
                                                     : SerializeTextExposition(families);
}

}  // namespace anchor

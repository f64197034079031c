#pragma once

#include <prometheus/metric_family.h>

#include <string>
#include <string_view>
#include <vector>

namespace anchor {

enum class ExpositionFormat { kText004, kOpenMetrics100 };

struct NegotiatedFormat {
  ExpositionFormat format = ExpositionFormat::kText004;
  const char* content_type = nullptr;  // the Content-Type of an answer in `format`
};

// Picks the exposition format for an Accept header value: OpenMetrics 1.0.0 when the client
// prefers application/openmetrics-text (without a version, or version=1.0.0) over text/plain,
// as Prometheus does; text 0.0.4 for everything else, including a missing header, `*/*`, a
// browser's header and media types this exporter does not write (protobuf). The highest q wins;
// on a tie, a type named exactly beats a wildcard, and text wins between the two formats.
NegotiatedFormat NegotiateExpositionFormat(std::string_view accept);

// The families in `format` (text 0.0.4 or OpenMetrics, which ends with "# EOF").
std::string SerializeExposition(const std::vector<prometheus::MetricFamily>& families,
                                ExpositionFormat format);

}  // namespace anchor

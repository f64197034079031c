#pragma once

#include <prometheus/metric_family.h>

#include <string>
#include <vector>

#include "exposition/exemplar.h"

namespace anchor {

// The OpenMetrics 1.0.0 text of `families`, ending with "# EOF".
//
// Series names are those of the text 0.0.4 writer (SerializeTextExposition): a counter family is
// announced without its `_total` (OpenMetrics' rule) and its samples keep it; gauge histograms
// (kGaugeHistogram) are `gaugehistogram` with `_bucket`, `_gcount` and `_gsum`; `le` has the
// same bytes in both formats. UNIT is given for names ending in _seconds, _bytes or _ratio. No
// `_created` series are written. Histogram buckets carry their exemplars from `exemplars`
// (exemplars[f] for families[f]; shorter: none).
std::string SerializeOpenMetrics(const std::vector<prometheus::MetricFamily>& families,
                                 const std::vector<FamilyExemplars>& exemplars = {});

// The OpenMetrics text of one family (without the closing "# EOF"), its buckets with the
// exemplars of `exemplars` when given.
void AppendOpenMetricsFamily(std::string& out, const prometheus::MetricFamily& family,
                             const FamilyExemplars* exemplars = nullptr);

// The line that ends every OpenMetrics exposition.
inline constexpr const char* kOpenMetricsEof = "# EOF\n";

}  // namespace anchor

#pragma once

#include <prometheus/client_metric.h>
#include <prometheus/metric_family.h>

#include <optional>
#include <vector>

namespace anchor {

// An OpenMetrics exemplar of one histogram bucket, written after the bucket's value as
// ` # {<label>="<value>"} <value> <timestamp>`. prometheus-cpp's ClientMetric::Bucket has no
// room for one, so exemplars travel beside the families (FamiliesWithExemplars); text 0.0.4 has
// none.
struct Exemplar {
  prometheus::ClientMetric::Label label;
  double value = 0;
  double timestamp = 0;  // Unix seconds; not written when not finite
};

// The exemplars of one histogram series: [b] for bucket b of its histogram.bucket (b ==
// bucket.size(): the +Inf bucket the writers add when it is missing). Shorter: none for the rest.
using BucketExemplars = std::vector<std::optional<Exemplar>>;

// The exemplars of one family: metrics[m] for family.metric[m]. Shorter: none for the rest.
struct FamilyExemplars {
  std::vector<BucketExemplars> metrics;
};

// Families with the exemplars of their buckets: exemplars[f] for families[f]. Shorter (empty for
// most families): none for the rest.
struct FamiliesWithExemplars {
  std::vector<prometheus::MetricFamily> families;
  std::vector<FamilyExemplars> exemplars;
};

// OpenMetrics allows an exemplar's label names and values 128 UTF-8 characters together; the
// writer leaves out an exemplar whose label is longer.
inline constexpr std::size_t kMaxExemplarLabelChars = 128;

}  // namespace anchor

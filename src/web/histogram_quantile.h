#pragma once

#include <cstdint>
#include <vector>

namespace anchor {

// A quantile estimated from a histogram's buckets as PromQL's histogram_quantile does: the
// bucket holding the q-th value, interpolated linearly between its bounds (0 below the first).
struct QuantileEstimate {
  enum class Where {
    kNone,       // no values
    kBucket,     // `value` within (lower, upper]
    kAboveLast,  // in the +Inf bucket: more than `upper`, the last bound (what PromQL returns)
  };
  Where where = Where::kNone;
  double value = 0;
  double upper = 0;  // the upper bound of the bucket (kBucket) or the last bound (kAboveLast)
};

// `counts` per bucket, not cumulative: counts[i] holds the values in (bounds[i-1], bounds[i]],
// counts[bounds.size()] those above every bound. `q` within [0, 1].
QuantileEstimate EstimateQuantile(double q, const std::vector<double>& bounds,
                                  const std::vector<std::uint64_t>& counts);

}  // namespace anchor

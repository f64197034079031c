#include "web/histogram_quantile.h"

#include <algorithm>

namespace anchor {

QuantileEstimate EstimateQuantile(double q, const std::vector<double>& bounds,
                                  const std::vector<std::uint64_t>& counts) {
  QuantileEstimate out;
  std::uint64_t total = 0;
  for (const auto c : counts) total += c;
  if (total == 0 || bounds.empty() || counts.size() != bounds.size() + 1) return out;
  q = std::clamp(q, 0.0, 1.0);
  const double rank = q * static_cast<double>(total);
  double below = 0;  // values in the buckets before i
  std::size_t i = 0;
  // The first bucket whose cumulative count reaches the rank (PromQL's sort.Search).
  while (i < bounds.size() && below + static_cast<double>(counts[i]) < rank) {
    below += static_cast<double>(counts[i]);
    ++i;
  }
  if (i == bounds.size()) {
    out.where = QuantileEstimate::Where::kAboveLast;
    out.value = out.upper = bounds.back();
    return out;
  }
  const double lower = i == 0 ? std::min(0.0, bounds[0]) : bounds[i - 1];
  const double upper = bounds[i];
  const double in_bucket = static_cast<double>(counts[i]);
  out.where = QuantileEstimate::Where::kBucket;
  out.upper = upper;
  out.value = in_bucket > 0 ? lower + (upper - lower) * ((rank - below) / in_bucket) : upper;
  return out;
}

}  // namespace anchor

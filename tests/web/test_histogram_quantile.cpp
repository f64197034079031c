// The batch page's p50/p90/p99: estimated from bucket counts as PromQL's histogram_quantile.
#include <catch2/catch.hpp>

#include "web/histogram_quantile.h"

using anchor::EstimateQuantile;
using Where = anchor::QuantileEstimate::Where;

TEST_CASE("a quantile is interpolated linearly within its bucket", "[unit][web][quantile]") {
  // 10 values in (0, 1], 10 in (1, 5], none in (5, 10], none above.
  const std::vector<double> bounds = {1, 5, 10};
  const std::vector<std::uint64_t> counts = {10, 10, 0, 0};
  const auto p50 = EstimateQuantile(0.5, bounds, counts);
  CHECK(p50.where == Where::kBucket);
  CHECK(p50.value == Approx(1.0));  // rank 10: the top of the first bucket
  CHECK(p50.upper == 1);
  const auto p90 = EstimateQuantile(0.9, bounds, counts);
  CHECK(p90.value == Approx(1 + 4 * 0.8));  // rank 18: 8 of the 10 in (1, 5]
  CHECK(p90.upper == 5);
  const auto p25 = EstimateQuantile(0.25, bounds, counts);
  CHECK(p25.value == Approx(0.5));  // the first bucket starts at 0
}

TEST_CASE("a quantile in the +Inf bucket is the last bound, said to be above it",
          "[unit][web][quantile]") {
  const std::vector<double> bounds = {1, 5};
  const std::vector<std::uint64_t> counts = {1, 0, 99};
  const auto p50 = EstimateQuantile(0.5, bounds, counts);
  CHECK(p50.where == Where::kAboveLast);
  CHECK(p50.upper == 5);
  CHECK(p50.value == 5);  // what histogram_quantile returns
  CHECK(EstimateQuantile(0.01, bounds, counts).where == Where::kBucket);
}

TEST_CASE("no values, or counts that do not fit the bounds, give no estimate",
          "[unit][web][quantile]") {
  CHECK(EstimateQuantile(0.5, {1, 5}, {0, 0, 0}).where == Where::kNone);
  CHECK(EstimateQuantile(0.5, {1, 5}, {1, 2}).where == Where::kNone);
  CHECK(EstimateQuantile(0.5, {}, {3}).where == Where::kNone);
}

TEST_CASE("empty buckets before the rank are skipped", "[unit][web][quantile]") {
  const auto e = EstimateQuantile(0.5, {1, 2, 4, 8}, {0, 0, 4, 0, 0});
  CHECK(e.where == Where::kBucket);
  CHECK(e.upper == 4);
  CHECK(e.value == Approx(3));  // rank 2 of 4 in (2, 4]
}

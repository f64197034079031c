#pragma once

#include <memory>
#include <utility>

#include "anchor/fetch_result.h"
#include "collect/batch_families.h"
#include "config/config.h"
#include "exposition/series_source.h"

namespace anchor {

// One batch's part of a /metrics answer: whom it is for and what the API answered. Immutable,
// as SeriesSource requires: a new answer from the API, or a reload, makes a new object.
class BatchAnswer final : public SeriesSource {
 public:
  BatchAnswer(BatchTarget target, std::shared_ptr<const FetchResult> result,
              SessionHistograms histograms)
      : target_(std::move(target)), result_(std::move(result)), histograms_(histograms) {}

  std::vector<prometheus::MetricFamily> Families() const override {
    return BatchFamiliesOf(target_, *result_, histograms_);
  }
  FamiliesWithExemplars FamiliesAndExemplars() const override {
    return BatchSeriesOf(target_, *result_, histograms_);
  }
  const BatchTarget& target() const { return target_; }
  const std::shared_ptr<const FetchResult>& result() const { return result_; }

 private:
  const BatchTarget target_;
  const std::shared_ptr<const FetchResult> result_;
  const SessionHistograms histograms_;
};

}  // namespace anchor

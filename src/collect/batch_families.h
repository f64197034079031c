#pragma once

#include <prometheus/metric_family.h>

#include <vector>

#include "anchor/fetch_result.h"
#include "config/config.h"
#include "exposition/exemplar.h"

namespace anchor {

// One batch as seen by one scrape: whom it is for and what the fetch returned.
struct BatchSnapshot {
  const BatchTarget* target;
  const FetchResult* result;
};

// Turns fetched batches into the anchorbrowser_batch_* families, one family per metric name
// holding the series of every batch. A batch whose fetch failed contributes only
// anchorbrowser_batch_up 0; a field that is absent contributes no series. Families without
// series are left out. The session run and queue time distributions are gauge histograms
// (kGaugeHistogram), exported for the batches that `histograms` selects.
std::vector<prometheus::MetricFamily> BuildBatchFamilies(
    const std::vector<BatchSnapshot>& batches,
    SessionHistograms histograms = SessionHistograms::kActive);

// The families of one batch alone: every family BuildBatchFamilies can return, in its order,
// empty ones included (so that family i is the same family for every batch).
std::vector<prometheus::MetricFamily> BatchFamiliesOf(
    const BatchTarget& target, const FetchResult& result,
    SessionHistograms histograms = SessionHistograms::kActive);

// BatchFamiliesOf with the exemplars of the session histograms' buckets: each bucket's slowest
// session, `session_id="<id>"` (see SessionHistogram::exemplars).
FamiliesWithExemplars BatchSeriesOf(const BatchTarget& target, const FetchResult& result,
                                    SessionHistograms histograms = SessionHistograms::kActive);

}  // namespace anchor

#pragma once

#include <prometheus/metric_family.h>

#include <memory>
#include <vector>

#include "exposition/series_source.h"

namespace anchor {

// What one /metrics answer is made of, in the order it is written: the series of each part
// (family by family across parts), then `other` families (the exporter's own). RenderCache
// keeps a reference to every part it holds text for, so an address is never reused while it
// is cached.
struct ExpositionParts {
  std::vector<std::shared_ptr<const SeriesSource>> series;  // one per batch
  std::vector<prometheus::MetricFamily> other;
};

}  // namespace anchor

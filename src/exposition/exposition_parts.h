#pragma once

#include <prometheus/metric_family.h>

#include <functional>
#include <memory>
#include <vector>

namespace anchor {

// What one /metrics answer is made of, in the order it is written: the series of each batch
// (family by family across batches), then `other` families (the exporter's own).
//
// A batch is named by the answer its series come from: the same pointer must always give the
// same series (the collector guarantees it: a cached API answer is one immutable object, and a
// reload builds a new collector whose answers are new objects). RenderCache keeps a reference
// to every answer it holds text for, so an address is never reused while it is cached.
struct ExpositionParts {
  std::vector<std::shared_ptr<const void>> answers;  // one per batch
  // The families of batch `i` alone: the same list, in the same order, for every batch, empty
  // families included. Called only for batches whose text is not cached.
  std::function<std::vector<prometheus::MetricFamily>(size_t i)> families_of;
  std::vector<prometheus::MetricFamily> other;
};

}  // namespace anchor

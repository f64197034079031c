#pragma once

#include <prometheus/metric_family.h>

#include <vector>

#include "exposition/exemplar.h"

namespace anchor {

// The series of one part of an answer (one batch, for this exporter), made on demand.
//
// Immutable: an object gives the same families every time it is asked. RenderCache relies on
// it, keeping a part's text by the object's identity; a part whose series change is a new
// object.
class SeriesSource {
 public:
  virtual ~SeriesSource() = default;
  // The families of this part alone: the same list, in the same order, for every part of one
  // ExpositionParts, empty families included (so that family i is the same family everywhere).
  virtual std::vector<prometheus::MetricFamily> Families() const = 0;
  // Families() with the exemplars of their histogram buckets, for OpenMetrics. The same
  // families; by default without exemplars.
  virtual FamiliesWithExemplars FamiliesAndExemplars() const { return {Families(), {}}; }
};

}  // namespace anchor

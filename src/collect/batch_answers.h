#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "collect/batch_answer.h"

namespace anchor {

// The BatchAnswer of each tracked batch, kept while the fetcher's answer for it stays the same:
// a batch whose answer did not change is then the same object scrape after scrape, which is
// what lets RenderCache reuse its text. One per collector: within it, an id's target (its
// labels) never changes, so the answer alone tells whether the object still fits. Thread-safe.
class BatchAnswers {
 public:
  explicit BatchAnswers(SessionHistograms histograms) : histograms_(histograms) {}

  // The object for `target` answered by `result`: the one made before if `result` is the same.
  std::shared_ptr<const BatchAnswer> Of(const BatchTarget& target,
                                        const std::shared_ptr<const FetchResult>& result);
  // Forgets the batches no longer tracked.
  void Prune(const std::vector<std::string>& tracked_ids);
  std::size_t size() const;

 private:
  const SessionHistograms histograms_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const BatchAnswer>> by_id_;  // guarded by mu_
};

}  // namespace anchor

#include "collect/batch_answers.h"

#include <string_view>
#include <unordered_set>

namespace anchor {

std::shared_ptr<const BatchAnswer> BatchAnswers::Of(
    const BatchTarget& target, const std::shared_ptr<const FetchResult>& result) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& known = by_id_[target.id];
  if (!known || known->result() != result) {
    known = std::make_shared<const BatchAnswer>(target, result, histograms_);
  }
  return known;
}

void BatchAnswers::Prune(const std::vector<std::string>& tracked_ids) {
  const std::unordered_set<std::string_view> tracked(tracked_ids.begin(), tracked_ids.end());
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = by_id_.begin(); it != by_id_.end();) {
    it = tracked.count(it->first) != 0 ? std::next(it) : by_id_.erase(it);
  }
}

std::size_t BatchAnswers::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return by_id_.size();
}

}  // namespace anchor

#include "collect/batch_answers.h"

#include "collect/erase_untracked.h"

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
  std::lock_guard<std::mutex> lock(mu_);
  EraseUntracked(by_id_, tracked_ids);
}

std::size_t BatchAnswers::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return by_id_.size();
}

}  // namespace anchor

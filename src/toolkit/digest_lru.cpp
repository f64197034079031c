#include "toolkit/digest_lru.h"

namespace anchor {

bool DigestLru::Contains(const Digest& digest) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = index_.find(digest);
  if (it == index_.end()) return false;
  order_.splice(order_.begin(), order_, it->second);
  return true;
}

void DigestLru::Insert(const Digest& digest) {
  std::lock_guard<std::mutex> lock(mu_);
  if (capacity_ == 0) return;
  const auto it = index_.find(digest);
  if (it != index_.end()) {
    order_.splice(order_.begin(), order_, it->second);
    return;
  }
  if (order_.size() >= capacity_) {
    index_.erase(order_.back());
    order_.pop_back();
  }
  order_.push_front(digest);
  index_.emplace(digest, order_.begin());
}

std::size_t DigestLru::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return order_.size();
}

}  // namespace anchor

#include "collect/fetch_state.h"

#include <algorithm>
#include <unordered_set>

namespace anchor {

FetchTables::FetchTables(std::size_t max_unlisted)
    : max_unlisted_(std::max<std::size_t>(1, max_unlisted)) {}

const FetchEntryPtr& FetchTables::Tracked(const std::string& id) {
  auto& slot = tracked_[id];
  if (slot) return slot;
  if (const auto it = unlisted_.find(id); it != unlisted_.end()) {
    slot = std::move(it->second->second);
    lru_.erase(it->second);
    unlisted_.erase(it);
  } else {
    slot = std::make_shared<FetchEntry>();
  }
  return slot;
}

const FetchEntryPtr& FetchTables::Unlisted(const std::string& id, Clock::System::time_point now) {
  if (const auto it = tracked_.find(id); it != tracked_.end()) return it->second;
  if (const auto it = unlisted_.find(id); it != unlisted_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->second;
  }
  while (unlisted_.size() >= max_unlisted_) {
    const auto& oldest = lru_.back();
    evicted_retry_after_ = std::max(evicted_retry_after_, oldest.second->retry_after);
    unlisted_.erase(oldest.first);
    lru_.pop_back();
    ++evictions_;
  }
  auto entry = std::make_shared<FetchEntry>();
  if (evicted_retry_after_ > now) entry->retry_after = evicted_retry_after_;
  lru_.emplace_front(id, std::move(entry));
  unlisted_.emplace(id, lru_.begin());
  return lru_.front().second;
}

FetchEntryPtr FetchTables::Find(const std::string& id) const {
  if (const auto it = tracked_.find(id); it != tracked_.end()) return it->second;
  if (const auto it = unlisted_.find(id); it != unlisted_.end()) return it->second->second;
  return nullptr;
}

std::size_t FetchTables::Track(const std::vector<std::string>& ids) {
  const std::unordered_set<std::string> keep(ids.begin(), ids.end());
  std::size_t released = 0;
  for (auto it = tracked_.begin(); it != tracked_.end();) {
    if (keep.count(it->first) != 0) {
      ++it;
    } else {
      it = tracked_.erase(it);
      ++released;
    }
  }
  // Probe-only state of batches tracked now (discovery found a probed id) moves over.
  for (const auto& id : ids) {
    if (unlisted_.count(id) != 0) Tracked(id);
  }
  return released;
}

}  // namespace anchor

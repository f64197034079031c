#pragma once

#include <iterator>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace anchor {

// Erases the entries of `by_id` (a map keyed by batch id) whose batch is not in `tracked_ids`:
// how every per-batch table of the collect layer forgets a batch no longer tracked, so that
// none outgrows the tracked set. The caller holds the table's lock.
template <typename Map>
void EraseUntracked(Map& by_id, const std::vector<std::string>& tracked_ids) {
  const std::unordered_set<std::string_view> tracked(tracked_ids.begin(), tracked_ids.end());
  for (auto it = by_id.begin(); it != by_id.end();) {
    it = tracked.count(it->first) != 0 ? std::next(it) : by_id.erase(it);
  }
}

}  // namespace anchor

#pragma once

#include <cstddef>
#include <cstdint>
#include <future>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "anchor/fetch_result.h"
#include "base/clock.h"

namespace anchor {

// What BatchFetcher knows of one batch.
struct FetchEntry {
  using ResultPtr = std::shared_ptr<const FetchResult>;
  ResultPtr last;                           // the last answer from the API, success or error
  bool answered_before = false;             // some request for it has succeeded
  Clock::Steady::time_point fetched_at{};   // when `last` arrived, to tell its age
  Clock::System::time_point answered_at{};  // the same moment, as a date
  std::shared_future<ResultPtr> in_flight;  // valid while a request for this batch runs
  Clock::System::time_point retry_after{};
};
using FetchEntryPtr = std::shared_ptr<FetchEntry>;

// BatchFetcher's two tables, apart so that neither can push the other out:
// - tracked batches (configured and discovered): as many entries as batches are tracked, each
//   kept exactly as long as its batch is tracked (Track() releases the others). No cap erases
//   them, whatever clients ask for.
// - probe-only ids (/probe with probe.allow_unlisted): at most `max_unlisted` entries, the least
//   recently probed forgotten first. A forgotten entry's pending Retry-After is not: every new
//   probe-only entry inherits the latest of them, so eviction cannot turn a 429 into a request.
// Entries are shared: a request in flight keeps writing into its entry even if it was released.
// Not thread-safe (BatchFetcher's mutex guards it).
class FetchTables {
 public:
  explicit FetchTables(std::size_t max_unlisted);

  // The entry of a tracked batch, made (or taken over from the probe-only table) if new.
  const FetchEntryPtr& Tracked(const std::string& id);
  // The entry of a probe-only id (a tracked batch's entry if it is one), made if new; counts as
  // its latest use.
  const FetchEntryPtr& Unlisted(const std::string& id, Clock::System::time_point now);
  // Either table's entry, or null; changes nothing.
  FetchEntryPtr Find(const std::string& id) const;

  // The tracked set is now `ids`: entries of other tracked batches are released, and probe-only
  // entries of ids in the set become tracked ones. Returns how many were released.
  std::size_t Track(const std::vector<std::string>& ids);

  std::size_t TrackedSize() const { return tracked_.size(); }
  std::size_t UnlistedSize() const { return unlisted_.size(); }
  std::size_t UnlistedLimit() const { return max_unlisted_; }
  std::uint64_t Evictions() const { return evictions_; }

 private:
  using Lru = std::list<std::pair<std::string, FetchEntryPtr>>;  // most recent first

  const std::size_t max_unlisted_;
  std::unordered_map<std::string, FetchEntryPtr> tracked_;
  Lru lru_;
  std::unordered_map<std::string, Lru::iterator> unlisted_;  // into lru_
  std::uint64_t evictions_ = 0;
  // The latest Retry-After of evicted probe-only entries.
  Clock::System::time_point evicted_retry_after_{};
};

}  // namespace anchor

#include "http/connection_table.h"

#include <vector>

namespace anchor {

std::optional<std::uint64_t> ConnectionTable::Victim() const {
  std::optional<std::uint64_t> head;
  std::optional<std::uint64_t> idle;
  Clock::time_point head_since = Clock::time_point::max();
  Clock::time_point idle_since = Clock::time_point::max();
  for (const auto& [id, entry] : entries_) {
    if (entry.state == State::kHead && entry.since < head_since) {
      head = id;
      head_since = entry.since;
    } else if (entry.state == State::kIdle && entry.since < idle_since) {
      idle = id;
      idle_since = entry.since;
    }
  }
  return head ? head : idle;
}

std::optional<std::uint64_t> ConnectionTable::Admit(Closer closer) {
  Closer displaced;
  std::uint64_t id = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (entries_.size() >= cap_) {
      const auto victim = Victim();
      if (!victim) {
        ++refused_;
        return std::nullopt;
      }
      // Removed at once so that it is not chosen twice; its own Remove() is then a no-op.
      displaced = std::move(entries_[*victim].closer);
      entries_.erase(*victim);
      ++displaced_;
    }
    id = next_id_++;
    entries_[id] = Entry{State::kHead, Clock::now(), std::move(closer)};
  }
  if (displaced) displaced();
  return id;
}

void ConnectionTable::Set(std::uint64_t id, State state) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = entries_.find(id);
  if (it == entries_.end()) return;
  it->second.state = state;
  it->second.since = Clock::now();
}

void ConnectionTable::Remove(std::uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.erase(id);
}

void ConnectionTable::CloseAllButBusy() {
  std::vector<Closer> closers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [id, entry] : entries_) {
      if (entry.state != State::kBusy) closers.push_back(entry.closer);
    }
  }
  for (auto& close : closers) close();
}

std::size_t ConnectionTable::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

std::uint64_t ConnectionTable::displaced() const {
  std::lock_guard<std::mutex> lock(mu_);
  return displaced_;
}

std::uint64_t ConnectionTable::refused() const {
  std::lock_guard<std::mutex> lock(mu_);
  return refused_;
}

}  // namespace anchor

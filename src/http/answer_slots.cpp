#include "http/answer_slots.h"

#include <utility>

namespace anchor {

std::shared_ptr<AnswerSlots::Slot> AnswerSlots::Acquire() {
  Closer displaced;
  std::shared_ptr<Slot> slot;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (max_ > 0 && entries_.size() >= static_cast<std::size_t>(max_)) {
      auto victim = entries_.end();
      for (auto it = entries_.begin(); it != entries_.end(); ++it) {
        if (it->second.write_start == 0) continue;  // still computed: never displaced
        if (victim == entries_.end() || it->second.write_start < victim->second.write_start) {
          victim = it;
        }
      }
      if (victim == entries_.end()) return nullptr;
      displaced = std::move(victim->second.closer);
      entries_.erase(victim);  // its Slot's release then finds nothing to do
      ++displaced_;
    }
    const std::uint64_t id = next_id_++;
    entries_.emplace(id, Entry{});
    slot = std::make_shared<Slot>(*this, id);
  }
  if (displaced) displaced();
  return slot;
}

void AnswerSlots::Writing(std::uint64_t id, Closer closer) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  it->second.write_start = next_write_++;
  it->second.closer = std::move(closer);
}

void AnswerSlots::Release(std::uint64_t id) {
  Closer closer;  // destroyed outside the lock
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  closer = std::move(it->second.closer);
  entries_.erase(it);
}

int AnswerSlots::held() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(entries_.size());
}

std::uint64_t AnswerSlots::displaced() const {
  std::lock_guard<std::mutex> lock(mu_);
  return displaced_;
}

}  // namespace anchor

#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

namespace anchor {

// The --web.max-requests slots of scrapes (metrics and /probe). A slot is held while its answer
// is computed, then while it is written (AnswerSlots::Slot::Writing), until it is released.
// Clients that send a scrape and never read its answer would otherwise hold every slot until the
// write timeout and starve real scrapes; so when every slot is held and some are held only by
// answers being written, a new scrape displaces the writer that started writing first (the
// oldest write start: it has had the longest to be read), closing its connection. Answers still
// being computed are never displaced. Thread-safe; holds at most `max` entries (when max > 0).
class AnswerSlots {
 public:
  using Closer = std::function<void()>;  // closes the answer's connection; callable from any thread

  class Slot;
  // max <= 0: no cap (slots are still counted).
  explicit AnswerSlots(int max) : max_(max) {}
  AnswerSlots(const AnswerSlots&) = delete;
  AnswerSlots& operator=(const AnswerSlots&) = delete;

  // A held slot, or null when every slot is held by an answer still being computed. A displaced
  // writer's closer is called outside the lock, before this returns.
  std::shared_ptr<Slot> Acquire();

  int max() const { return max_; }
  int held() const;
  std::uint64_t displaced() const;

 private:
  struct Entry {
    std::uint64_t write_start = 0;  // order of Writing(); 0 while the answer is computed
    Closer closer;
  };
  void Writing(std::uint64_t id, Closer closer);
  void Release(std::uint64_t id);

  const int max_;
  mutable std::mutex mu_;
  std::map<std::uint64_t, Entry> entries_;
  std::uint64_t next_id_ = 1;
  std::uint64_t next_write_ = 1;
  std::uint64_t displaced_ = 0;
};

// Released when the last reference goes (e.g. HttpResponse::hold, once the answer is written or
// its connection has ended), or at once when it is displaced.
class AnswerSlots::Slot {
 public:
  Slot(AnswerSlots& slots, std::uint64_t id) : slots_(slots), id_(id) {}
  ~Slot() { slots_.Release(id_); }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;

  // The answer is computed and its write starts; `closer` ends its connection if it is displaced.
  void Writing(Closer closer) const { slots_.Writing(id_, std::move(closer)); }

 private:
  AnswerSlots& slots_;
  const std::uint64_t id_;
};

}  // namespace anchor

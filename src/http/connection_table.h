#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>

namespace anchor {

// The open connections of the HTTP front and what each is doing, so that a full server can make
// room: when `cap` connections are open, a new one first displaces the connection that has
// been sending an incomplete request head the longest, then the one idle the longest; only
// when every connection is busy answering is the new one refused. Thread-safe.
class ConnectionTable {
 public:
  enum class State { kHead, kIdle, kBusy };
  using Clock = std::chrono::steady_clock;
  using Closer = std::function<void()>;  // asks the connection to close (from any thread)

  explicit ConnectionTable(std::size_t cap) : cap_(cap == 0 ? 1 : cap) {}

  // Registers a new connection (in kHead). Returns its id, or nullopt when it must be refused.
  // A displaced connection's closer is called outside the lock.
  std::optional<std::uint64_t> Admit(Closer closer);
  void Set(std::uint64_t id, State state);
  void Remove(std::uint64_t id);
  // Calls the closer of every connection that is not answering a request (for Stop(): the
  // answers in progress are finished, and those connections close after them).
  void CloseAllButBusy();

  std::size_t size() const;
  std::size_t cap() const { return cap_; }
  std::uint64_t displaced() const;
  std::uint64_t refused() const;

 private:
  struct Entry {
    State state = State::kHead;
    Clock::time_point since;
    Closer closer;
  };
  std::optional<std::uint64_t> Victim() const;

  const std::size_t cap_;
  mutable std::mutex mu_;
  std::map<std::uint64_t, Entry> entries_;
  std::uint64_t next_id_ = 1;
  std::uint64_t displaced_ = 0;
  std::uint64_t refused_ = 0;
};

}  // namespace anchor

#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace anchor {

// A set of distinct short texts, numbered 0, 1, ... in the order they were added, for counting
// per text while a body is parsed: the texts are copied into one arena and found through an
// open-addressing table of their 64-bit hashes, so adding one costs an append (no allocation of
// its own) and finding one a hash, a probe or two and a comparison with the text kept. The
// caller bounds the number and length of texts; the table keeps its load at most 1/2.
class TextTable {
 public:
  static constexpr std::size_t kNotFound = static_cast<std::size_t>(-1);

  static std::uint64_t Hash(std::string_view text) { return std::hash<std::string_view>{}(text); }

  // The number of `text` (whose Hash is `hash`), or kNotFound.
  std::size_t Find(std::string_view text, std::uint64_t hash) const {
    if (slots_.empty()) return kNotFound;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      const std::uint32_t slot = slots_[i];
      if (slot == 0) return kNotFound;
      const Entry& e = entries_[slot - 1];
      if (e.hash == hash && Text(slot - 1) == text) return slot - 1;
    }
  }

  // Adds `text`, which Find did not find; returns its number.
  std::size_t Add(std::string_view text, std::uint64_t hash) {
    if (2 * (entries_.size() + 1) > slots_.size()) Grow();
    entries_.push_back({hash, arena_.size(), text.size()});
    arena_.append(text);
    Place(entries_.size() - 1);
    return entries_.size() - 1;
  }

  std::string_view Text(std::size_t number) const {
    const Entry& e = entries_[number];
    return std::string_view(arena_).substr(e.offset, e.length);
  }
  std::size_t size() const { return entries_.size(); }

 private:
  static constexpr std::size_t kFirstSlots = 64;
  struct Entry {
    std::uint64_t hash;
    std::size_t offset;  // in arena_
    std::size_t length;
  };

  void Place(std::size_t number) {
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = entries_[number].hash & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = static_cast<std::uint32_t>(number + 1);
  }

  void Grow() {
    slots_.assign(slots_.empty() ? kFirstSlots : 2 * slots_.size(), 0);
    if (entries_.capacity() == 0) {
      entries_.reserve(kFirstSlots / 2);
      arena_.reserve(kFirstSlots / 2 * kTypicalTextBytes);
    }
    for (std::size_t n = 0; n < entries_.size(); ++n) Place(n);
  }
  static constexpr std::size_t kTypicalTextBytes = 64;

  std::string arena_;                 // the texts, one after the other
  std::vector<Entry> entries_;        // by number
  std::vector<std::uint32_t> slots_;  // 0: free, else number + 1; a power of 2 in size
};

}  // namespace anchor

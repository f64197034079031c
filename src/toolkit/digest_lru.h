#pragma once

#include <array>
#include <cstddef>
#include <list>
#include <map>
#include <mutex>

namespace anchor {

// A bounded set of 32-byte digests that forgets the least recently used one when full.
// Thread-safe.
class DigestLru {
 public:
  using Digest = std::array<unsigned char, 32>;

  explicit DigestLru(std::size_t capacity) : capacity_(capacity) {}
  DigestLru(const DigestLru&) = delete;
  DigestLru& operator=(const DigestLru&) = delete;

  // True when `digest` is held; it becomes the most recently used.
  bool Contains(const Digest& digest);
  void Insert(const Digest& digest);
  std::size_t size() const;

 private:
  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::list<Digest> order_;  // most recently used first
  std::map<Digest, std::list<Digest>::iterator> index_;
};

}  // namespace anchor

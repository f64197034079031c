#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace anchor {

// A uniform value in [0, 1) from (id, session, salt): deterministic, no global RNG state, so the
// same batch, session and salt always draw the same value. Each use of it has a salt of its own.
inline double SimulationUniform(const std::string& id, int session, int salt) {
  std::uint64_t h = std::hash<std::string>{}(id) ^ (0x9e3779b97f4a7c15ULL * (session + 1));
  h ^= static_cast<std::uint64_t>(salt) * 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 31;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 29;
  return static_cast<double>(h >> 11) / static_cast<double>(1ULL << 53);
}

}  // namespace anchor

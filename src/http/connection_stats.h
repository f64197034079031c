#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

namespace anchor {

// What the HTTP front's connection table holds and has done, for the exporter's own metrics:
// an operator sees how close the port is to its cap, and whether hostile or leaky clients are
// being pushed out (displaced) or turned away (refused).
struct ConnectionStats {
  std::size_t open = 0;             // connections open now
  std::size_t cap = 0;              // connections the port holds at most
  std::uint64_t displaced = 0;      // closed to make room for a new connection at the cap
  std::uint64_t refused = 0;        // refused at the cap, with nothing to displace
  std::uint64_t accept_errors = 0;  // accept() failed (out of descriptors, mostly)
};

using ConnectionStatsFn = std::function<ConnectionStats()>;

}  // namespace anchor

#pragma once

#include <cstddef>

namespace anchor {

// Raises the soft RLIMIT_NOFILE to the hard limit, as Go programs do at start, and returns the
// soft limit in effect afterwards (0 when it cannot be read).
std::size_t RaiseOpenFilesLimit();

// The soft RLIMIT_NOFILE now (0 when it cannot be read; a large number when unlimited).
std::size_t CurrentOpenFilesLimit();

// Descriptors kept free for API sockets, the log, config and certificate files.
std::size_t ReservedDescriptors(std::size_t open_files_limit);

// The default cap on open HTTP connections for an open-files limit: what is left after the
// reserve, at least 16.
std::size_t DefaultConnectionCap(std::size_t open_files_limit);

}  // namespace anchor

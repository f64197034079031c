#include "http/open_files_limit.h"

#include <sys/resource.h>

#include <algorithm>

namespace anchor {

std::size_t RaiseOpenFilesLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  // An unlimited hard limit is not a descriptor count; treat it as a large one.
  if (limit.rlim_cur == RLIM_INFINITY) return 1 << 20;
  return static_cast<std::size_t>(limit.rlim_cur);
}

std::size_t CurrentOpenFilesLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur == RLIM_INFINITY) return 1 << 20;
  return static_cast<std::size_t>(limit.rlim_cur);
}

std::size_t ReservedDescriptors(std::size_t open_files_limit) {
  // Scrapes and probes each hold up to anchor.max_concurrency API sockets; 256 covers the
  // defaults (40 requests x a few sockets) and a tenth of a large limit leaves headroom.
  return std::max<std::size_t>(256, open_files_limit / 10);
}

std::size_t DefaultConnectionCap(std::size_t open_files_limit) {
  const std::size_t reserve = ReservedDescriptors(open_files_limit);
  return open_files_limit > reserve + 16 ? open_files_limit - reserve : 16;
}

}  // namespace anchor

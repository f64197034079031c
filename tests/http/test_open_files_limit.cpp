// RaiseOpenFilesLimit, ReservedDescriptors and DefaultConnectionCap called directly.
#include <sys/resource.h>

#include <catch2/catch.hpp>

#include "http/open_files_limit.h"

using anchor::DefaultConnectionCap;
using anchor::ReservedDescriptors;

TEST_CASE("the default connection cap leaves a reserve of descriptors", "[unit][web][http]") {
  CHECK(anchor::DefaultConnectionCap(1024) == 1024 - 256);
  CHECK(anchor::DefaultConnectionCap(100000) == 90000);
  CHECK(anchor::DefaultConnectionCap(100) == 16);
  CHECK(ReservedDescriptors(0) == 256);
  CHECK(ReservedDescriptors(2560) == 256);
  CHECK(ReservedDescriptors(2570) == 257);
  CHECK(DefaultConnectionCap(256 + 16) == 16);
  CHECK(DefaultConnectionCap(256 + 17) == 17);
  CHECK(DefaultConnectionCap(0) == 16);
}

TEST_CASE("RaiseOpenFilesLimit raises the soft limit to the hard one", "[unit][web][http]") {
  rlimit original{};
  REQUIRE(getrlimit(RLIMIT_NOFILE, &original) == 0);
  rlimit lowered = original;
  lowered.rlim_cur = std::min<rlim_t>(original.rlim_max, 512);
  REQUIRE(setrlimit(RLIMIT_NOFILE, &lowered) == 0);
  const std::size_t raised = anchor::RaiseOpenFilesLimit();
  rlimit now{};
  REQUIRE(getrlimit(RLIMIT_NOFILE, &now) == 0);
  setrlimit(RLIMIT_NOFILE, &original);
  CHECK(now.rlim_cur == original.rlim_max);
  if (original.rlim_max == RLIM_INFINITY) {
    CHECK(raised == std::size_t{1} << 20);
  } else {
    CHECK(raised == static_cast<std::size_t>(original.rlim_max));
  }
  // Already at the hard limit: nothing to raise, the same answer.
  rlimit at_max = original;
  at_max.rlim_cur = original.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &at_max) == 0) {
    CHECK(anchor::RaiseOpenFilesLimit() == raised);
    setrlimit(RLIMIT_NOFILE, &original);
  }
}

#pragma once

#include <cstdio>

// An invariant of a fuzz target. On violation it names the condition and traps, so libFuzzer
// reports a crash and saves the input. Unlike assert(), it is never compiled out.
#define FUZZ_CHECK(cond)                                                                  \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "%s:%d: invariant violated: %s\n", __FILE__, __LINE__, #cond); \
      __builtin_trap();                                                                   \
    }                                                                                     \
  } while (0)

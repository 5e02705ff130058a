// Failure counting for the C++ tests (each test is one translation unit with
// its own main): CHECK(cond, printf-format, ...) records a failure and prints
// the first 20 of them; main returns `failures ? 1 : 0`.
#pragma once

#include <cstdio>

static int failures = 0;

#define CHECK(cond, ...)                                     \
  do {                                                       \
    if (!(cond)) {                                           \
      if (failures++ < 20) {                                 \
        std::printf("FAIL %s:%d: ", __FILE__, __LINE__);     \
        std::printf(__VA_ARGS__);                            \
        std::printf("\n");                                   \
      }                                                      \
    }                                                        \
  } while (0)

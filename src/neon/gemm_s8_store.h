// What the NEON int8 GEMM micro-kernel units share (smull, sdot, i8mm,
// armv7): the inline macro of their assembly tiles and the partial tiles'
// small copies. Their output stages (the rule of core/requant.h) are in each
// unit's assembly and intrinsics.
//
// Everything here has internal linkage (anonymous namespace): the sdot and
// i8mm units are compiled with -march=armv8.2-a+dotprod / +i8mm, and an
// inline function with external linkage defined in several units could be
// merged by the linker into an extension unit's copy and then run on a CPU
// without that extension.
#pragma once

#include <arm_neon.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/gemm.h"

// The assembly tiles are forced inline into their micro-kernel, which then
// saves the callee-saved d8-d15 they clobber once per call, not once per tile.
#if defined(__GNUC__)
#define ARMCONV_S8_INLINE inline __attribute__((always_inline))
#else
#define ARMCONV_S8_INLINE inline
#endif

namespace armconv {
namespace detail {
namespace {

// n (1..16) bytes from t to p by at most two fixed-size copies (which may
// overlap): no call to memcpy, nothing written outside [p, p + n). The
// partial tiles' row stores of both aarch64 micro-kernels.
inline void s8_copy_small(char* p, const char* t, size_t n) {
  if (n >= 8) {
    std::memcpy(p, t, 8);
    std::memcpy(p + n - 8, t + n - 8, 8);
  } else if (n >= 4) {
    std::memcpy(p, t, 4);
    std::memcpy(p + n - 4, t + n - 4, 4);
  } else if (n >= 2) {
    std::memcpy(p, t, 2);
    std::memcpy(p + n - 2, t + n - 2, 2);
  } else {
    *p = *t;
  }
}

}  // namespace
}  // namespace detail
}  // namespace armconv

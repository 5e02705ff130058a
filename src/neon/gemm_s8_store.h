// Output stage of the NEON int8 micro-kernels (the rule of core/requant.h),
// shared by the smull and sdot micro-kernel units.
//
// Everything here has internal linkage (anonymous namespace): the sdot unit
// is compiled with -march=armv8.2-a+dotprod, and an inline function with
// external linkage defined in both units could be merged by the linker into
// the dotprod copy and then run on a CPU without it.
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

// x -> clamp(sqrdmulh(sat(x << E), M), qmin, qmax) as int8 (lanes 0..3 of the
// result hold the four outputs; vqrdmulhq_s32 is exactly the rule's
// floor((2xM + 2^31) / 2^32), the narrowing saturates before the clamp, which
// is harmless as qmin >= -127 and qmax <= 127).
inline int8x8_t s8_requant4(int32x4_t x, int32_t mult, int shift, int8x8_t qmin, int8x8_t qmax) {
  if (shift) x = vqshlq_s32(x, vdupq_n_s32(shift));
  x = vqrdmulhq_s32(x, vdupq_n_s32(mult));
  const int16x4_t h = vqmovn_s32(x);
  const int8x8_t q = vqmovn_s16(vcombine_s16(h, h));
  return vmin_s8(vmax_s8(q, qmin), qmax);
}

// Stores lanes [0, cols) (cols <= 4) of v, the accumulators of row r of the
// block at columns [j0, j0 + cols), through the output stage.
inline void s8_store4(int32x4_t v, size_t r, size_t j0, size_t cols, void* c, size_t ldc,
                      const S8Output& out) {
  switch (out.kind) {
    case S8OutKind::Int32: {
      int32_t* p = static_cast<int32_t*>(c) + r * ldc + j0;
      if (cols == 4) {
        vst1q_s32(p, v);
      } else {
        int32_t t[4];
        vst1q_s32(t, v);
        std::memcpy(p, t, cols * sizeof(int32_t));
      }
      break;
    }
    case S8OutKind::Int8: {
      int8_t* p = static_cast<int8_t*>(c) + r * ldc + j0;
      const int8x8_t q = s8_requant4(v, out.mult[r], out.shift, vdup_n_s8(int8_t(out.qmin)),
                                     vdup_n_s8(int8_t(out.qmax)));
      if (cols == 4) {
        // Through memcpy: an int32 lane store may be emitted with an
        // alignment hint on A32, and p is only byte-aligned.
        const int32_t w = vget_lane_s32(vreinterpret_s32_s8(q), 0);
        std::memcpy(p, &w, 4);
      } else {
        int8_t t[8];
        vst1_s8(t, q);
        std::memcpy(p, t, cols);
      }
      break;
    }
    case S8OutKind::Float: {
      float* p = static_cast<float*>(c) + r * ldc + j0;
      float32x4_t f = vmulq_n_f32(vcvtq_f32_s32(v), out.fscale[r]);
      if (out.fclamp) f = vminq_f32(vmaxq_f32(f, vdupq_n_f32(out.fmin)), vdupq_n_f32(out.fmax));
      if (cols == 4) {
        vst1q_f32(p, f);
      } else {
        float t[4];
        vst1q_f32(t, f);
        std::memcpy(p, t, cols * sizeof(float));
      }
      break;
    }
  }
}

}  // namespace
}  // namespace detail
}  // namespace armconv

// NEON fp32 GEMV: the N = 1 entry of the fp32 GEMM tables (core/gemm.h,
// gemv_fn), for 1x1 layers on 1x1 maps (squeeze-and-excitation). One packed
// A panel (k-major, MR floats per k) times a dense x of k floats:
//
//   y[r * ldy] = clamp(bias[r] + sum_k A[r][k] x[k]),  r < m <= MR
//
// Written once for both ISAs' tiles: Sgemv<8> (aarch64, neon/aarch64/
// sgemm_8x12.cpp) and Sgemv<6> (armv7, neon/armv7/sgemm_6x8.cpp).
// Intrinsics; an anonymous namespace, so each unit has its own copy.
//
// Registers, per 4 k (one load of x, MR/4 loads of A per k):
//   x:            xv = x[k .. k+3]                       (1 q)
//   aarch64 MR 8: even k into e0, e1 (rows 0-3, 4-7), odd k into o0, o1:
//                 fmla e0, A[k][0:4], xv[0]; fmla e1, A[k][4:8], xv[0]; ...
//                 two FMLA chains, added at the end (bias in the even one)
//   armv7 MR 6:   rows 0-3 in a q, rows 4-5 in a d, vmla by d-lane of x
//                 (multiply, round, add, round: as the armv7 micro-kernel)
// So 4 k cost 1 + 2*4 loads and 8 FMLA (MR 8): 32 MACs in 17 instructions,
// against the 1-column micro-kernel tile's one packed B row per k (and
// packing B first).
#pragma once

#include <arm_neon.h>

#include <cstddef>

#include "core/gemm.h"

namespace armconv {
namespace detail {
namespace {

template <size_t kMR>
struct Sgemv;

// Stores rows [0, m) of a column held in vectors, ldy floats apart.
inline void sgemv_store(float* y, size_t ldy, size_t m, const float* t) {
  for (size_t r = 0; r < m; r++) y[r * ldy] = t[r];
}

#if defined(__aarch64__)
template <>
struct Sgemv<8> {
  static void run(size_t k, size_t m, const float* a, const float* x, float* y, size_t ldy,
                  const F32Output& out) {
    float32x4_t e0 = vld1q_f32(out.bias), e1 = vld1q_f32(out.bias + 4);  // (bias: MR readable)
    float32x4_t o0 = vdupq_n_f32(0.0f), o1 = vdupq_n_f32(0.0f);
    size_t kk = 0;
    // 8 k per step in assembly (GCC's code for the same intrinsics spent 33
    // instructions here): 1 LDP of x, 4 LD1 of four A vectors, 16 FMLA,
    // SUBS + B.NE = 23 instructions per 64 MACs. Register map:
    //   v16, v17  x[k .. k+3], x[k+4 .. k+7]
    //   v20-v31   A rows 0-7 of k, k+1, k+2 (v20-v23 reloaded for k+3)
    //   e0, e1    even k, rows 0-3 / 4-7;  o0, o1  odd k (compiler-chosen)
    if (size_t blocks = k / 8) {
      __asm__ volatile(
          "1:\n"
          "ldp q16, q17, [%[x]], #32\n"
          "ld1 {v20.4s-v23.4s}, [%[a]], #64\n"
          "ld1 {v24.4s-v27.4s}, [%[a]], #64\n"
          "fmla %[e0].4s, v20.4s, v16.s[0]\n"
          "fmla %[e1].4s, v21.4s, v16.s[0]\n"
          "fmla %[o0].4s, v22.4s, v16.s[1]\n"
          "fmla %[o1].4s, v23.4s, v16.s[1]\n"
          "ld1 {v28.4s-v31.4s}, [%[a]], #64\n"
          "fmla %[e0].4s, v24.4s, v16.s[2]\n"
          "fmla %[e1].4s, v25.4s, v16.s[2]\n"
          "fmla %[o0].4s, v26.4s, v16.s[3]\n"
          "fmla %[o1].4s, v27.4s, v16.s[3]\n"
          "ld1 {v20.4s-v23.4s}, [%[a]], #64\n"
          "fmla %[e0].4s, v28.4s, v17.s[0]\n"
          "fmla %[e1].4s, v29.4s, v17.s[0]\n"
          "fmla %[o0].4s, v30.4s, v17.s[1]\n"
          "fmla %[o1].4s, v31.4s, v17.s[1]\n"
          "fmla %[e0].4s, v20.4s, v17.s[2]\n"
          "fmla %[e1].4s, v21.4s, v17.s[2]\n"
          "fmla %[o0].4s, v22.4s, v17.s[3]\n"
          "fmla %[o1].4s, v23.4s, v17.s[3]\n"
          "subs %[n], %[n], #1\n"
          "b.ne 1b\n"
          : [e0] "+w"(e0), [e1] "+w"(e1), [o0] "+w"(o0), [o1] "+w"(o1), [a] "+r"(a), [x] "+r"(x),
            [n] "+r"(blocks)
          :
          : "cc", "memory", "v16", "v17", "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27",
            "v28", "v29", "v30", "v31");
      kk = k / 8 * 8;
    }
    for (; kk + 4 <= k; kk += 4, a += 32, x += 4) {
      const float32x4_t xv = vld1q_f32(x);
      e0 = vfmaq_laneq_f32(e0, vld1q_f32(a + 0), xv, 0);
      e1 = vfmaq_laneq_f32(e1, vld1q_f32(a + 4), xv, 0);
      o0 = vfmaq_laneq_f32(o0, vld1q_f32(a + 8), xv, 1);
      o1 = vfmaq_laneq_f32(o1, vld1q_f32(a + 12), xv, 1);
      e0 = vfmaq_laneq_f32(e0, vld1q_f32(a + 16), xv, 2);
      e1 = vfmaq_laneq_f32(e1, vld1q_f32(a + 20), xv, 2);
      o0 = vfmaq_laneq_f32(o0, vld1q_f32(a + 24), xv, 3);
      o1 = vfmaq_laneq_f32(o1, vld1q_f32(a + 28), xv, 3);
    }
    for (; kk < k; kk++, a += 8, x++) {
      const float32x4_t xv = vld1q_dup_f32(x);
      e0 = vfmaq_f32(e0, vld1q_f32(a), xv);
      e1 = vfmaq_f32(e1, vld1q_f32(a + 4), xv);
    }
    e0 = vaddq_f32(e0, o0);
    e1 = vaddq_f32(e1, o1);
    if (out.clamp) {  // FMAX/FMIN: NaN propagates
      const float32x4_t lo = vdupq_n_f32(out.lo), hi = vdupq_n_f32(out.hi);
      e0 = vminq_f32(vmaxq_f32(e0, lo), hi);
      e1 = vminq_f32(vmaxq_f32(e1, lo), hi);
    }
    if (ldy == 1 && m == 8) {
      vst1q_f32(y, e0);
      vst1q_f32(y + 4, e1);
      return;
    }
    float t[8];
    vst1q_f32(t, e0);
    vst1q_f32(t + 4, e1);
    sgemv_store(y, ldy, m, t);
  }
};
#else
template <>
struct Sgemv<6> {
  static void run(size_t k, size_t m, const float* a, const float* x, float* y, size_t ldy,
                  const F32Output& out) {
    float32x4_t e0 = vld1q_f32(out.bias);
    float32x2_t e1 = vld1_f32(out.bias + 4);
    float32x4_t o0 = vdupq_n_f32(0.0f);
    float32x2_t o1 = vdup_n_f32(0.0f);
    size_t kk = 0;
    for (; kk + 4 <= k; kk += 4, a += 24, x += 4) {
      const float32x4_t xv = vld1q_f32(x);
      const float32x2_t xl = vget_low_f32(xv), xh = vget_high_f32(xv);
      e0 = vmlaq_lane_f32(e0, vld1q_f32(a + 0), xl, 0);
      e1 = vmla_lane_f32(e1, vld1_f32(a + 4), xl, 0);
      o0 = vmlaq_lane_f32(o0, vld1q_f32(a + 6), xl, 1);
      o1 = vmla_lane_f32(o1, vld1_f32(a + 10), xl, 1);
      e0 = vmlaq_lane_f32(e0, vld1q_f32(a + 12), xh, 0);
      e1 = vmla_lane_f32(e1, vld1_f32(a + 16), xh, 0);
      o0 = vmlaq_lane_f32(o0, vld1q_f32(a + 18), xh, 1);
      o1 = vmla_lane_f32(o1, vld1_f32(a + 22), xh, 1);
    }
    for (; kk < k; kk++, a += 6, x++) {
      const float32x2_t xv = vld1_dup_f32(x);
      e0 = vmlaq_lane_f32(e0, vld1q_f32(a), xv, 0);
      e1 = vmla_lane_f32(e1, vld1_f32(a + 4), xv, 0);
    }
    e0 = vaddq_f32(e0, o0);
    e1 = vadd_f32(e1, o1);
    if (out.clamp) {  // VMAX/VMIN: NaN propagates
      e0 = vminq_f32(vmaxq_f32(e0, vdupq_n_f32(out.lo)), vdupq_n_f32(out.hi));
      e1 = vmin_f32(vmax_f32(e1, vdup_n_f32(out.lo)), vdup_n_f32(out.hi));
    }
    float t[6];
    vst1q_f32(t, e0);
    vst1_f32(t + 4, e1);
    sgemv_store(y, ldy, m, t);
  }
};
#endif

}  // namespace
}  // namespace detail
}  // namespace armconv

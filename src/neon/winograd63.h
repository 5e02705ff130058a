// NEON Winograd F(6x6, 3x3) transforms, what both ISAs share: the Ops
// policy of core/winograd_kernels.h over float32x4_t = one pixel of 4
// channels (nc4hw4), the assembly text of the 1-D transforms (WA_IN_1D,
// WA_OUT_1D: the same operations as the templates, spelled for aarch64 or
// A32 by the operation macros), the clamp modes and the staging kernel.
// The per-tile assembly is per ISA: neon/aarch64/winograd63_nc4.cpp and
// neon/armv7/winograd63_nc4.cpp (an anonymous namespace: each has its copy).
//
// The transform constants live in lanes of 3 registers (c[K / 4] lane K % 4)
// and enter through multiply-accumulate by element: on aarch64 fused
// (fmla/fmls v.4s, v.4s, c.s[k]); armv7 has no fused by-scalar form, so there
// it is vmla/vmls by scalar (a multiply and an add, as the generic kernels).
// Register use per 1-D transform of 8: 8 inputs, 8 outputs (reusing inputs as
// they die), 2 partial sums, 3 constant registers; within aarch64's 32 and
// close to armv7's 16 q registers.
// Output tiles go to NCHW through a 4x4 transpose per row (store_row6,
// store_row; aarch64: st1..st4 structure lane stores, see output_full_a64 and
// output_edge_a64, which write edge tiles of 4 channels in place too).
// The per-position GEMM is its own family: core/wino_gemm.h.
#pragma once

#include <arm_neon.h>

#include <cmath>
#include <cstddef>

#include "core/winograd.h"
#include "core/winograd_kernels.h"

namespace armconv {
namespace detail {
namespace {

struct Ops {
  using V = float32x4_t;
  float32x4_t c[3];
  explicit Ops(const float* consts)
      : c{vld1q_f32(consts), vld1q_f32(consts + 4), vld1q_f32(consts + 8)} {}
  // Called at the top of each transform loop: the empty asm tells the compiler
  // the 3 constant registers may have changed, so it cannot hoist a splat of
  // each constant out of the loop (10 more live registers, and spills) and
  // keeps the by-element forms fmla v.4s, v.4s, c.s[k]. Emits no instruction.
  void refresh() {
#if defined(__GNUC__)
    asm volatile("" : "+w"(c[0]), "+w"(c[1]), "+w"(c[2]));
#endif
  }
  static V load(const float* p) { return vld1q_f32(p); }
  static void store(float* p, V a) { vst1q_f32(p, a); }
  static V zero() { return vdupq_n_f32(0.0f); }
  static V dup(float x) { return vdupq_n_f32(x); }
  static V add(V a, V b) { return vaddq_f32(a, b); }
  static V sub(V a, V b) { return vsubq_f32(a, b); }
  // FMAX/FMIN (VMAX/VMIN) return NaN when either operand is NaN.
  static V max(V a, V b) { return vmaxq_f32(a, b); }
  static V min(V a, V b) { return vminq_f32(a, b); }
#if defined(__aarch64__)
  template <int K>
  V mla(V a, V b) const { return vfmaq_laneq_f32(a, b, c[K / 4], K % 4); }
  template <int K>
  V mls(V a, V b) const { return vfmsq_laneq_f32(a, b, c[K / 4], K % 4); }
  template <int K>
  V mul(V b) const { return vmulq_laneq_f32(b, c[K / 4], K % 4); }
#else
  template <int K>
  float32x2_t half() const { return (K % 4) < 2 ? vget_low_f32(c[K / 4]) : vget_high_f32(c[K / 4]); }
  template <int K>
  V mla(V a, V b) const { return vmlaq_lane_f32(a, b, half<K>(), K % 2); }
  template <int K>
  V mls(V a, V b) const { return vmlsq_lane_f32(a, b, half<K>(), K % 2); }
  template <int K>
  V mul(V b) const { return vmulq_lane_f32(b, half<K>(), K % 2); }
#endif
  // Channel l of pixels 0..5 (lane l of y[0..5]) as c[l] (pixels 0..3) and
  // z[l] (pixels 4, 5): a 4x4 transpose of y0..y3 (trn of pairs, then of
  // 64-bit halves) and a zip of y4, y5.
  static void transpose_row(const V* y, V* c, float32x2_t* z) {
#if defined(__aarch64__)
    const float64x2_t t0 = vreinterpretq_f64_f32(vtrn1q_f32(y[0], y[1]));
    const float64x2_t t1 = vreinterpretq_f64_f32(vtrn2q_f32(y[0], y[1]));
    const float64x2_t t2 = vreinterpretq_f64_f32(vtrn1q_f32(y[2], y[3]));
    const float64x2_t t3 = vreinterpretq_f64_f32(vtrn2q_f32(y[2], y[3]));
    c[0] = vreinterpretq_f32_f64(vzip1q_f64(t0, t2));
    c[1] = vreinterpretq_f32_f64(vzip1q_f64(t1, t3));
    c[2] = vreinterpretq_f32_f64(vzip2q_f64(t0, t2));
    c[3] = vreinterpretq_f32_f64(vzip2q_f64(t1, t3));
    const float32x4_t z0 = vzip1q_f32(y[4], y[5]), z1 = vzip2q_f32(y[4], y[5]);
#else
    const float32x4x2_t a = vtrnq_f32(y[0], y[1]), b = vtrnq_f32(y[2], y[3]);
    c[0] = vcombine_f32(vget_low_f32(a.val[0]), vget_low_f32(b.val[0]));
    c[1] = vcombine_f32(vget_low_f32(a.val[1]), vget_low_f32(b.val[1]));
    c[2] = vcombine_f32(vget_high_f32(a.val[0]), vget_high_f32(b.val[0]));
    c[3] = vcombine_f32(vget_high_f32(a.val[1]), vget_high_f32(b.val[1]));
    const float32x4x2_t zz = vzipq_f32(y[4], y[5]);
    const float32x4_t z0 = zz.val[0], z1 = zz.val[1];
#endif
    z[0] = vget_low_f32(z0);
    z[1] = vget_high_f32(z0);
    z[2] = vget_low_f32(z1);
    z[3] = vget_high_f32(z1);
  }
  // Channel l of pixels 0..5 (lane l of y[0..5]) to p + l * ch, l < 4.
  // (Plain stores of transposed rows: compilers handle them better than
  // st4/st2 lane stores, whose register tuples gcc 12 copies for each store.)
  static void store_row6(float* p, size_t ch, const V* y) {
    V c[4];
    float32x2_t z[4];
    transpose_row(y, c, z);
    for (size_t l = 0; l < 4; l++) {
      vst1q_f32(p + l * ch, c[l]);
      vst1_f32(p + l * ch + 4, z[l]);
    }
  }
  // The same for the first `cols` pixels (1..6) of channels l < nch.
  static void store_row(float* p, size_t ch, const V* y, size_t cols, size_t nch) {
    V c[4];
    float32x2_t z[4];
    transpose_row(y, c, z);
    for (size_t l = 0; l < nch; l++) {
      float* q = p + l * ch;
      if (cols >= 4) {
        vst1q_f32(q, c[l]);
        if (cols == 6) vst1_f32(q + 4, z[l]);
        if (cols == 5) vst1_lane_f32(q + 4, z[l], 0);
      } else {
        if (cols >= 2) vst1_f32(q, vget_low_f32(c[l]));
        if (cols == 3) vst1q_lane_f32(q + 2, c[l], 2);
        if (cols == 1) vst1q_lane_f32(q, c[l], 0);
      }
    }
  }
};


// Instruction text is assembled from the macros below; register arguments are
// numbers (17 -> v17 / q17 on aarch64, 9 -> q9 on armv7).

#if defined(__aarch64__)
#define WA_OP3(op, d, a, b) #op " v" #d ".4s, v" #a ".4s, v" #b ".4s\n"
#define WA_FADD(d, a, b) WA_OP3(fadd, d, a, b)
#define WA_FSUB(d, a, b) WA_OP3(fsub, d, a, b)
#define WA_FMAX(d, a, b) WA_OP3(fmax, d, a, b)
#define WA_FMIN(d, a, b) WA_OP3(fmin, d, a, b)
// d (op)= a * c.s[k]
#define WA_LANE(op, d, a, c, k) #op " v" #d ".4s, v" #a ".4s, v" #c ".s[" #k "]\n"
#define WA_FMLA(d, a, c, k) WA_LANE(fmla, d, a, c, k)
#define WA_FMLS(d, a, c, k) WA_LANE(fmls, d, a, c, k)
#define WA_FMUL(d, a, c, k) WA_LANE(fmul, d, a, c, k)
#define WA_MOV(d, a) "mov v" #d ".16b, v" #a ".16b\n"
#else
// A32: q registers; lane k of constant register c (q0-q2 only) is the scalar
// d(2c + k/2)[k % 2]. vmla/vmls by scalar are not fused (a multiply, then an
// add), as vmlaq_lane_f32 and the generic kernels.
#define WA_OP3(op, d, a, b) #op ".f32 q" #d ", q" #a ", q" #b "\n"
#define WA_FADD(d, a, b) WA_OP3(vadd, d, a, b)
#define WA_FSUB(d, a, b) WA_OP3(vsub, d, a, b)
#define WA_FMAX(d, a, b) WA_OP3(vmax, d, a, b)
#define WA_FMIN(d, a, b) WA_OP3(vmin, d, a, b)
#define WA_SCALAR_0_0 "d0[0]"
#define WA_SCALAR_0_1 "d0[1]"
#define WA_SCALAR_0_2 "d1[0]"
#define WA_SCALAR_0_3 "d1[1]"
#define WA_SCALAR_1_0 "d2[0]"
#define WA_SCALAR_1_1 "d2[1]"
#define WA_SCALAR_1_2 "d3[0]"
#define WA_SCALAR_1_3 "d3[1]"
#define WA_SCALAR_2_0 "d4[0]"
#define WA_SCALAR_2_1 "d4[1]"
#define WA_LANE(op, d, a, c, k) #op ".f32 q" #d ", q" #a ", " WA_SCALAR_##c##_##k "\n"
#define WA_FMLA(d, a, c, k) WA_LANE(vmla, d, a, c, k)
#define WA_FMLS(d, a, c, k) WA_LANE(vmls, d, a, c, k)
#define WA_FMUL(d, a, c, k) WA_LANE(vmul, d, a, c, k)
#define WA_MOV(d, a) "vmov q" #d ", q" #a "\n"
#endif

// B^T d on 8 vectors d0..d7 (27 instructions, the same operations as
// wino::input_1d), temporaries T1..T3; constants v0 = {5.25, 4.25, 0.25,
// 1.25}, v1 = {0.5, 2.5, 2, 4} (kInConstValues). Results:
//   t0 = d0, t1 = T3, t2 = T1, t3 = d2, t4 = d4, t5 = d3, t6 = d6, t7 = d7.
#define WA_IN_1D(d0, d1, d2, d3, d4, d5, d6, d7, T1, T2, T3)                          \
  WA_FSUB(T1, d4, d2)      /* t0 = (d0 - d6) + 5.25 (d4 - d2) */                     \
  WA_FSUB(d0, d0, d6)                                                                 \
  WA_FMLA(d0, T1, 0, 0)                                                               \
  WA_FSUB(T1, d3, d5)      /* t7 = (d7 - d1) + 5.25 (d3 - d5) */                     \
  WA_FSUB(d7, d7, d1)                                                                 \
  WA_FMLA(d7, T1, 0, 0)                                                               \
  WA_FADD(T1, d2, d6)      /* a = d2 + d6 - 4.25 d4 */                                \
  WA_FMLS(T1, d4, 0, 1)                                                               \
  WA_FADD(T2, d1, d5)      /* b = d1 + d5 - 4.25 d3 */                                \
  WA_FMLS(T2, d3, 0, 1)                                                               \
  WA_FADD(T3, T1, T2)      /* t1 = a + b */                                           \
  WA_FSUB(T1, T1, T2)      /* t2 = a - b */                                           \
  WA_FMUL(T2, d4, 0, 3)    /* q = 1.25 d4 */                                          \
  WA_FSUB(d4, d6, T2)      /* a = (d6 - q) + 0.25 d2 */                               \
  WA_FMLA(d4, d2, 0, 2)                                                               \
  WA_FSUB(d2, d2, T2)      /* a' = d6 + 4 (d2 - q) */                                 \
  WA_FMLA(d6, d2, 1, 3)                                                               \
  WA_FMUL(T2, d1, 1, 0)    /* b = 0.5 d1 - 2.5 d3 + 2 d5 */                           \
  WA_FMLS(T2, d3, 1, 1)                                                               \
  WA_FMLA(T2, d5, 1, 2)                                                               \
  WA_FADD(d2, d4, T2)      /* t3 = a + b */                                           \
  WA_FSUB(d4, d4, T2)      /* t4 = a - b */                                           \
  WA_FMUL(d1, d1, 1, 2)    /* b' = 2 d1 - 2.5 d3 + 0.5 d5 */                          \
  WA_FMLS(d1, d3, 1, 1)                                                               \
  WA_FMLA(d1, d5, 1, 0)                                                               \
  WA_FADD(d3, d6, d1)      /* t5 = a' + b' */                                         \
  WA_FSUB(d6, d6, d1)      /* t6 = a' - b' */

// A^T m on 8 vectors m0..m7 -> 6 (22 instructions: the 20 of
// wino::output_1d plus two copies, since s1 and d1 each start two fmla
// chains), temporaries X1, X2; Y5 may be m7. Constants v0 = {2, 0.5, 4,
// 0.25}, v1 = {8, 1/8, 16, 1/16}, v2 = {32, 1/32, -, -} (kOutConstValues).
// Results: y0..y3 = m0..m3, y4 = X1, y5 = Y5.
#define WA_OUT_1D(m0, m1, m2, m3, m4, m5, m6, m7, X1, X2, Y5)                         \
  WA_FADD(X1, m1, m2)      /* s1 */                                                   \
  WA_FSUB(m1, m1, m2)      /* d1 */                                                   \
  WA_FADD(X2, m3, m4)      /* s3 */                                                   \
  WA_FSUB(m4, m3, m4)      /* d3 */                                                   \
  WA_FADD(m3, m5, m6)      /* s5 */                                                   \
  WA_FSUB(m5, m5, m6)      /* d5 */                                                   \
  WA_FADD(m0, m0, X1)      /* y0 = (m0 + s1) + (s3 + s5) */                           \
  WA_FADD(m6, X2, m3)                                                                 \
  WA_FADD(m0, m0, m6)                                                                 \
  WA_MOV(m2, X1)           /* y2 = s1 + 4 s3 + s5 / 4 */                              \
  WA_FMLA(m2, X2, 0, 2)                                                               \
  WA_FMLA(m2, m3, 0, 3)                                                               \
  WA_FMLA(X1, X2, 1, 2)    /* y4 = s1 + 16 s3 + s5 / 16 */                            \
  WA_FMLA(X1, m3, 1, 3)                                                               \
  WA_FADD(Y5, m7, m1)      /* y5 = (d1 + m7) + 32 d3 + d5 / 32 */                     \
  WA_FMLA(Y5, m4, 2, 0)                                                               \
  WA_FMLA(Y5, m5, 2, 1)                                                               \
  WA_MOV(m3, m1)           /* y3 = d1 + 8 d3 + d5 / 8 */                              \
  WA_FMLA(m3, m4, 1, 0)                                                               \
  WA_FMLA(m3, m5, 1, 1)                                                               \
  WA_FMLA(m1, m4, 0, 0)    /* y1 = d1 + 2 d3 + d5 / 2 */                              \
  WA_FMLA(m1, m5, 0, 1)

// Clamp modes of the 4-channel output transforms (both ISAs): which bounds
// are applied. A bound of -inf (+inf) is not: max(y, -inf) = y, NaN included.
enum ClampMode { kClampNone = 0, kClampLo = 1, kClampHi = 2, kClampBoth = 3 };
inline int clamp_mode(bool clamp, float lo, float hi) {
  return clamp ? (lo != -INFINITY ? kClampLo : 0) | (hi != INFINITY ? kClampHi : 0) : kClampNone;
}


// One box row: 4 channel rows -> nc4 by 4 loads and one st4 per 4 pixels,
// the padding pixels by vector stores of zeros. (The zero vector is made
// opaque to the compiler: otherwise it turns the short store loops into
// memset calls, whose set-up costs more than the ~1-3 stores of a row.)
void pack_nc4(const float* x, size_t ch_stride, size_t nch, size_t lo, size_t n, size_t hi,
              float* dst) {
  float32x4_t z = vdupq_n_f32(0.0f);
#if defined(__GNUC__)
  asm("" : "+w"(z));
#endif
  for (size_t i = 0; i < lo; i++, dst += 4) vst1q_f32(dst, z);
  for (size_t i = 0; i < hi; i++) vst1q_f32(dst + 4 * (n + i), z);
  size_t i = 0;
  if (nch == 4) {
    const float* x0 = x;
    const float* x1 = x + ch_stride;
    const float* x2 = x + 2 * ch_stride;
    const float* x3 = x + 3 * ch_stride;
    for (; i + 4 <= n; i += 4) {
      float32x4x4_t v;
      v.val[0] = vld1q_f32(x0 + i);
      v.val[1] = vld1q_f32(x1 + i);
      v.val[2] = vld1q_f32(x2 + i);
      v.val[3] = vld1q_f32(x3 + i);
      vst4q_f32(dst + 4 * i, v);
    }
    for (; i < n; i++) {  // the last 1-3 pixels: one lane per channel
      float32x4_t v = vld1q_dup_f32(x0 + i);
      v = vld1q_lane_f32(x1 + i, v, 1);
      v = vld1q_lane_f32(x2 + i, v, 2);
      v = vld1q_lane_f32(x3 + i, v, 3);
      vst1q_f32(dst + 4 * i, v);
    }
  }
  for (; i < n; i++)
    for (size_t l = 0; l < 4; l++) dst[i * 4 + l] = l < nch ? x[l * ch_stride + i] : 0.0f;
}


}  // namespace
}  // namespace detail
}  // namespace armconv

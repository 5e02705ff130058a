// NEON Winograd transforms, what both ISAs and every tile size share: the
// Ops policy of core/winograd_kernels.h over float32x4_t = one pixel of 4
// channels (nc4hw4), the operation macros the assembly transforms are
// spelled with (WA_FADD, WA_FMLA, ...: aarch64 or A32 text from the same
// source), the clamp modes and the staging kernel. F(6,3)'s 1-D transforms
// in assembly text are in neon/winograd63.h; the per-tile kernels are per
// ISA and tile size: neon/<isa>/winograd{23,43,63}_nc4.cpp (an anonymous
// namespace here: each unit has its copy).
//
// The transform constants live in lanes of 3 registers (c[K / 4] lane K % 4)
// and enter through multiply-accumulate by element: on aarch64 fused
// (fmla/fmls v.4s, v.4s, c.s[k]); armv7 has no fused by-scalar form, so there
// it is vmla/vmls by scalar (a multiply and an add, as the generic kernels).
// Output tiles go to NCHW through a transpose per row (store_row,
// store_row_full: 4x4 for rows of 4 and 6 pixels, a zip for 2; the aarch64
// assembly uses st1..st4 structure lane stores instead).
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
  // Lanes l of y0..y3 as c[l] (a 4x4 transpose: trn of pairs, then of
  // 64-bit halves): channel l of pixels 0..3.
  static void transpose4(const V* y, V* c) {
#if defined(__aarch64__)
    const float64x2_t t0 = vreinterpretq_f64_f32(vtrn1q_f32(y[0], y[1]));
    const float64x2_t t1 = vreinterpretq_f64_f32(vtrn2q_f32(y[0], y[1]));
    const float64x2_t t2 = vreinterpretq_f64_f32(vtrn1q_f32(y[2], y[3]));
    const float64x2_t t3 = vreinterpretq_f64_f32(vtrn2q_f32(y[2], y[3]));
    c[0] = vreinterpretq_f32_f64(vzip1q_f64(t0, t2));
    c[1] = vreinterpretq_f32_f64(vzip1q_f64(t1, t3));
    c[2] = vreinterpretq_f32_f64(vzip2q_f64(t0, t2));
    c[3] = vreinterpretq_f32_f64(vzip2q_f64(t1, t3));
#else
    const float32x4x2_t a = vtrnq_f32(y[0], y[1]), b = vtrnq_f32(y[2], y[3]);
    c[0] = vcombine_f32(vget_low_f32(a.val[0]), vget_low_f32(b.val[0]));
    c[1] = vcombine_f32(vget_low_f32(a.val[1]), vget_low_f32(b.val[1]));
    c[2] = vcombine_f32(vget_high_f32(a.val[0]), vget_high_f32(b.val[0]));
    c[3] = vcombine_f32(vget_high_f32(a.val[1]), vget_high_f32(b.val[1]));
#endif
  }
  // Lanes l of two vectors a, b as z[l] = {a[l], b[l]} (a zip).
  static void zip2(V a, V b, float32x2_t* z) {
#if defined(__aarch64__)
    const float32x4_t z0 = vzip1q_f32(a, b), z1 = vzip2q_f32(a, b);
#else
    const float32x4x2_t zz = vzipq_f32(a, b);
    const float32x4_t z0 = zz.val[0], z1 = zz.val[1];
#endif
    z[0] = vget_low_f32(z0);
    z[1] = vget_high_f32(z0);
    z[2] = vget_low_f32(z1);
    z[3] = vget_high_f32(z1);
  }
  // Channel l's first `cols` pixels of a row whose pixels 0..3 are c and
  // 4..5 are z (M = 6), to q.
  static void store_cols(float* q, V c, float32x2_t z, size_t cols) {
    if (cols >= 4) {
      vst1q_f32(q, c);
      if (cols == 6) vst1_f32(q + 4, z);
      if (cols == 5) vst1_lane_f32(q + 4, z, 0);
    } else {
      if (cols >= 2) vst1_f32(q, vget_low_f32(c));
      if (cols == 3) vst1q_lane_f32(q + 2, c, 2);
      if (cols == 1) vst1q_lane_f32(q, c, 0);
    }
  }
  // store_row_full<M>: lane l of y[0 .. M) to M consecutive floats at
  // p + l * ch, l < 4. (Plain stores of transposed rows: compilers handle
  // them better than st4/st2 lane stores, whose register tuples gcc 12
  // copies for each store.)
  template <size_t M>
  static void store_row_full(float* p, size_t ch, const V* y) {
    static_assert(M == 2 || M == 4 || M == 6, "tile side");
    if (M == 2) {
      float32x2_t z[4];
      zip2(y[0], y[1], z);
      for (size_t l = 0; l < 4; l++) vst1_f32(p + l * ch, z[l]);
    } else {
      V c[4];
      transpose4(y, c);
      float32x2_t z[4];
      if (M == 6) zip2(y[4], y[5], z);
      for (size_t l = 0; l < 4; l++) {
        vst1q_f32(p + l * ch, c[l]);
        if (M == 6) vst1_f32(p + l * ch + 4, z[l]);
      }
    }
  }
  // store_row<M>: the same for the first `cols` pixels (1..M) of channels l < nch.
  template <size_t M>
  static void store_row(float* p, size_t ch, const V* y, size_t cols, size_t nch) {
    static_assert(M == 2 || M == 4 || M == 6, "tile side");
    if (M == 2) {
      float32x2_t z[4];
      zip2(y[0], y[1], z);
      for (size_t l = 0; l < nch; l++) {
        if (cols == 2)
          vst1_f32(p + l * ch, z[l]);
        else
          vst1_lane_f32(p + l * ch, z[l], 0);
      }
    } else {
      V c[4];
      transpose4(y, c);
      float32x2_t z[4] = {vdup_n_f32(0), vdup_n_f32(0), vdup_n_f32(0), vdup_n_f32(0)};
      if (M == 6) zip2(y[4], y[5], z);
      for (size_t l = 0; l < nch; l++) store_cols(p + l * ch, c[l], z[l], cols);
    }
  }
#if defined(__aarch64__)
  // fp16 storage (core/winograd_kernels.h): FCVTN/FCVTN2 (Armv8.0; round to
  // nearest even under the default FPCR).
  static void store_h8(Half* p, V a, V b) {
    const float16x8_t h = vcvt_high_f16_f32(vcvt_f16_f32(a), b);
    vst1q_u16(reinterpret_cast<uint16_t*>(p), vreinterpretq_u16_f16(h));
  }
  // The first k (1..4) lanes of a, rounded, to p.
  static void store_h4(Half* p, V a, size_t k) {
    const uint16x4_t h = vreinterpret_u16_f16(vcvt_f16_f32(a));
    uint16_t* q = reinterpret_cast<uint16_t*>(p);
    if (k == 4) {
      vst1_u16(q, h);
      return;
    }
    if (k >= 2) vst1_lane_u32(reinterpret_cast<uint32_t*>(q), vreinterpret_u32_u16(h), 0);
    if (k == 3) vst1_lane_u16(q + 2, h, 2);
    if (k == 1) vst1_lane_u16(q, h, 0);
  }
  // store_row<M> / store_row_full<M> to binary16 (M = 2, 4: the fp16
  // Winograd's tile sides): the same transposes, each channel's row rounded
  // by one FCVTN.
  template <size_t M>
  static void store_row(Half* p, size_t ch, const V* y, size_t cols, size_t nch) {
    static_assert(M == 2 || M == 4, "fp16 tile side");
    V c[4];
    if (M == 2) {
      float32x2_t z[4];
      zip2(y[0], y[1], z);
      for (size_t l = 0; l < 4; l++) c[l] = vcombine_f32(z[l], z[l]);
    } else {
      transpose4(y, c);
    }
    for (size_t l = 0; l < nch; l++) store_h4(p + l * ch, c[l], cols);
  }
  template <size_t M>
  static void store_row_full(Half* p, size_t ch, const V* y) {
    store_row<M>(p, ch, y, M, 4);
  }
#endif
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

// Clamp modes of the 4-channel output transforms (both ISAs): which bounds
// are applied. A bound of -inf (+inf) is not: max(y, -inf) = y, NaN included.
enum ClampMode { kClampNone = 0, kClampLo = 1, kClampHi = 2, kClampBoth = 3 };
inline int clamp_mode(bool clamp, float lo, float hi) {
  return clamp ? (lo != -INFINITY ? kClampLo : 0) | (hi != INFINITY ? kClampHi : 0) : kClampNone;
}

// The table of a unit's 4-channel output transforms OUT<Full, Clamp> by
// [edge][clamp mode] (edge: OUT<false, ...>, the tile cut by the map).
#define WA_OUTPUT_TABLE(OUT)                                                                        \
  {{OUT<true, kClampNone>, OUT<true, kClampLo>, OUT<true, kClampHi>, OUT<true, kClampBoth>},      \
   {OUT<false, kClampNone>, OUT<false, kClampLo>, OUT<false, kClampHi>, OUT<false, kClampBoth>}}

// The wino_output_fn of a unit whose 4-channel output transforms are
// assembly, one per (edge, clamp mode) in Table (edge: the tile is cut by
// the map, fewer than F::m rows or columns): tiles of 4 channels go there
// (a tail call), tiles of fewer (the last group of a layer whose channel
// count is not a multiple of 4) to the template of the tile traits F.
template <class F, const wino_output_fn (&Table)[2][4]>
void output_tile_4ch(const float* src, size_t src_pos, const WinoOutTile& ot, size_t nch, size_t dst_ch,
                     size_t dst_row, bool clamp, float lo, float hi) {
  if (nch == 4) {
    const bool edge = ot.rows != F::m || ot.cols != F::m;
    Table[edge][clamp_mode(clamp, lo, hi)](src, src_pos, ot, nch, dst_ch, dst_row, clamp, lo, hi);
  } else {
    wino::output_tile<Ops, F>(src, src_pos, ot, nch, dst_ch, dst_row, clamp, lo, hi);
  }
}

// The assembly output transforms (both ISAs, every tile size): one asm block
// per clamp mode, chosen at compile time by the caller's template parameter
// Clamp. SETUP: the block's set-up text; BODY(CLAMP_SETUP, CLAMP): its text,
// given the load of the bounds (LOHI) and the clamp of a row (CLAMP_LO and /
// or CLAMP_HI, or nothing); OPERANDS: its operand and clobber lists (a macro
// name: its commas are not split).
#define WA_ASM_PER_CLAMP(SETUP, BODY, LOHI, CLAMP_LO, CLAMP_HI, OPERANDS)              \
  if (Clamp == kClampBoth)                                                            \
    asm volatile(SETUP BODY(LOHI, CLAMP_LO CLAMP_HI) OPERANDS);                       \
  else if (Clamp == kClampLo)                                                         \
    asm volatile(SETUP BODY(LOHI, CLAMP_LO) OPERANDS);                                \
  else if (Clamp == kClampHi)                                                         \
    asm volatile(SETUP BODY(LOHI, CLAMP_HI) OPERANDS);                                \
  else                                                                                \
    asm volatile(SETUP BODY("", "") OPERANDS);

#if defined(__aarch64__)
// The vector registers the aarch64 transform blocks use: the caller-saved
// ones only (v0-v7, v16-v31), so no d8-d15 save.
#define WA_VCLOBBER                                                                   \
  "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v16", "v17", "v18", "v19", "v20",  \
      "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31"
#endif


#if defined(__aarch64__)
// pack_nc4's 4-channel rows, aarch64: 8 pixels per step (8 post-indexed
// loads + 2 st4 + loop = 12 instructions per 32 floats), then 4, then
// lane by lane. GCC 12 compiles the intrinsics loop of pack_nc4 to 8 per 16
// (register-offset loads and a separate index add). Measured (cortex-a72,
// bench/insncount.py): r18w63_3x3_64_56 -0.53% instructions, r18_3x3_256_14
// -0.3%, grp3x3_160_g10_14 (rows of 14) -1.4%.
__attribute__((always_inline)) inline void pack_nc4_rows_a64(const float* x0, const float* x1,
                                                           const float* x2, const float* x3,
                                                           size_t n, float* dst) {
  size_t pairs = n / 8;
  const size_t four = n & 4;
  asm volatile(
      "cbz %[pairs], 2f\n"
      "1:\n"
      "ld1 {v0.4s}, [%[x0]], #16\n"
      "ld1 {v1.4s}, [%[x1]], #16\n"
      "ld1 {v2.4s}, [%[x2]], #16\n"
      "ld1 {v3.4s}, [%[x3]], #16\n"
      "ld1 {v4.4s}, [%[x0]], #16\n"
      "ld1 {v5.4s}, [%[x1]], #16\n"
      "ld1 {v6.4s}, [%[x2]], #16\n"
      "ld1 {v7.4s}, [%[x3]], #16\n"
      "st4 {v0.4s, v1.4s, v2.4s, v3.4s}, [%[d]], #64\n"
      "st4 {v4.4s, v5.4s, v6.4s, v7.4s}, [%[d]], #64\n"
      "subs %[pairs], %[pairs], #1\n"
      "b.ne 1b\n"
      "2:\n"
      "cbz %[four], 3f\n"
      "ld1 {v0.4s}, [%[x0]], #16\n"
      "ld1 {v1.4s}, [%[x1]], #16\n"
      "ld1 {v2.4s}, [%[x2]], #16\n"
      "ld1 {v3.4s}, [%[x3]], #16\n"
      "st4 {v0.4s, v1.4s, v2.4s, v3.4s}, [%[d]], #64\n"
      "3:\n"
      : [x0] "+r"(x0), [x1] "+r"(x1), [x2] "+r"(x2), [x3] "+r"(x3), [d] "+r"(dst), [pairs] "+r"(pairs)
      : [four] "r"(four)
      : "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7");
  for (size_t i = n & 3; i > 0; i--, dst += 4) {  // the last 1-3 pixels: one lane per channel
    float32x4_t v = vld1q_dup_f32(x0++);
    v = vld1q_lane_f32(x1++, v, 1);
    v = vld1q_lane_f32(x2++, v, 2);
    v = vld1q_lane_f32(x3++, v, 3);
    vst1q_f32(dst, v);
  }
}
#endif

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
#if defined(__aarch64__)
    pack_nc4_rows_a64(x0, x1, x2, x3, n, dst);
    return;
#endif
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

#if defined(__aarch64__)
// pack_nc4 from a binary16 image (wino_pack_nc4_h_fn): FCVTL widens 4
// pixels of a channel exactly, then the same st4.
inline void pack_nc4_h(const Half* x, size_t ch_stride, size_t nch, size_t lo, size_t n, size_t hi, float* dst) {
  float32x4_t z = vdupq_n_f32(0.0f);
#if defined(__GNUC__)
  asm("" : "+w"(z));
#endif
  for (size_t i = 0; i < lo; i++, dst += 4) vst1q_f32(dst, z);
  for (size_t i = 0; i < hi; i++) vst1q_f32(dst + 4 * (n + i), z);
  const uint16_t* xs = reinterpret_cast<const uint16_t*>(x);
  size_t i = 0;
  if (nch == 4) {
    for (; i + 4 <= n; i += 4) {
      float32x4x4_t v;
      for (size_t l = 0; l < 4; l++)
        v.val[l] = vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(xs + l * ch_stride + i)));
      vst4q_f32(dst + 4 * i, v);
    }
  }
  for (; i < n; i++) {
    uint16x4_t h = vdup_n_u16(0);
    if (nch > 0) h = vld1_lane_u16(xs + i, h, 0);
    if (nch > 1) h = vld1_lane_u16(xs + ch_stride + i, h, 1);
    if (nch > 2) h = vld1_lane_u16(xs + 2 * ch_stride + i, h, 2);
    if (nch > 3) h = vld1_lane_u16(xs + 3 * ch_stride + i, h, 3);
    vst1q_f32(dst + 4 * i, vcvt_f32_f16(vreinterpret_f16_u16(h)));
  }
}
#endif

}  // namespace
}  // namespace detail
}  // namespace armconv

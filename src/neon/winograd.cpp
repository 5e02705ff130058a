// NEON Winograd F(6x6, 3x3) transforms (aarch64 and armv7 NEON/VFPv4): the
// kernels of core/winograd_kernels.h over float32x4_t = one pixel of 4
// channels (nc4hw4), and the same transforms, operation for operation, as one
// inline-assembly block per tile, which is what runs: input_tile_a64 /
// output_tile_a64 (per tile x 4 channels about 580 and 480 instructions
// against 770 and 800 for the compiled template; edge tiles about as a full
// one) and input_tile_a32 / output_tile_a32 (about 670 and 590 against 1005
// and 970). Only output tiles of fewer than 4 channels take other paths (the
// template on armv7, a full tile to scratch on aarch64).
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
// The per-position GEMM is in neon/winograd_gemm.cpp.
#include <arm_neon.h>

#include <cmath>
#include <cstddef>

#include "core/winograd.h"
#include "core/winograd_kernels.h"

namespace armconv {
namespace detail {
namespace neon {

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

// ---------------------------------------------------------------------------
// aarch64: both transforms of a full tile as one inline-assembly block each.
//
// Why assembly: written through the Ops policy, GCC 12 spends ~44
// instructions per 1-D input transform of 27 (register copies for the
// destructive fmla, a dup of a constant, loop control, 2-vector ldp/single
// str instead of 4-vector ld1 and paired stp) and ~50 per output row of 20.
// Below, the register allocation is chosen so that the destructive
// `fmla v.4s, v.4s, c.s[k]` always accumulates into a value that dies (or a
// copy where a value feeds two chains), loads and stores are 4-vector ld1 or
// single-vector ld1/st1 post-indexed by the stride, and the stack round trip
// between the two passes uses paired stores: two 1-D transforms run side by
// side so that their outputs for the same position are adjacent in the
// buffer (stp), and the other pass reads each 1-D input as 8 contiguous
// vectors (2 x ld1 {4 regs}). Only caller-saved vector registers (v0-v7,
// v16-v31) are used.
//
// armv7 (A32/Thumb-2): the same 1-D transforms (WA_IN_1D, WA_OUT_1D below,
// spelled in A32 by the operation macros) in one block per tile too; see
// "armv7" further down for its registers and layout.
//
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

#if defined(__aarch64__)
// Input, row pass on patch rows R, R + 1 (A: v16-v23, temporaries v2-v4;
// B: v24-v31, temporaries v5-v7; constants v0, v1). Each row is 8 contiguous
// vectors = 2 x ld1 {4 regs}; src0 / src1 point at its halves. Output t_j of
// row r goes to e + 128 j + 16 r (e[j][r]), so rows R and R + 1 pair up in
// one stp.
#define WA_IN_STP(a, b, J, R) "stp q" #a ", q" #b ", [%[e], #(" #J " * 128 + " #R " * 16)]\n"
#define WA_IN_ROWS(R)                                                                 \
  "ld1 {v16.4s, v17.4s, v18.4s, v19.4s}, [%[src0]], %[rs]\n"                          \
  "ld1 {v20.4s, v21.4s, v22.4s, v23.4s}, [%[src1]], %[rs]\n"                          \
  "ld1 {v24.4s, v25.4s, v26.4s, v27.4s}, [%[src0]], %[rs]\n"                          \
  "ld1 {v28.4s, v29.4s, v30.4s, v31.4s}, [%[src1]], %[rs]\n"                          \
  WA_IN_1D(16, 17, 18, 19, 20, 21, 22, 23, 2, 3, 4)                                   \
  WA_IN_1D(24, 25, 26, 27, 28, 29, 30, 31, 5, 6, 7)                                   \
  WA_IN_STP(16, 24, 0, R) WA_IN_STP(4, 7, 1, R) WA_IN_STP(2, 5, 2, R)                 \
  WA_IN_STP(18, 26, 3, R) WA_IN_STP(20, 28, 4, R) WA_IN_STP(19, 27, 5, R)             \
  WA_IN_STP(22, 30, 6, R) WA_IN_STP(23, 31, 7, R)

// Input, column pass on columns j, j + 1 of e (16 contiguous vectors, read
// with %[e] post-incremented): position (i, j) goes to dst + (8 i + j) *
// dst_pos through pointer d<i>, which steps by dst_pos per column.
#define WA_IN_STR(t, i) "st1 {v" #t ".4s}, [%[d" #i "]], %[dp]\n"
#define WA_IN_STR8(t0, t1, t2, t3, t4, t5, t6, t7)                                    \
  WA_IN_STR(t0, 0) WA_IN_STR(t1, 1) WA_IN_STR(t2, 2) WA_IN_STR(t3, 3)                 \
  WA_IN_STR(t4, 4) WA_IN_STR(t5, 5) WA_IN_STR(t6, 6) WA_IN_STR(t7, 7)
#define WA_IN_COLS                                                                    \
  "ld1 {v16.4s, v17.4s, v18.4s, v19.4s}, [%[e]], #64\n"                               \
  "ld1 {v20.4s, v21.4s, v22.4s, v23.4s}, [%[e]], #64\n"                               \
  "ld1 {v24.4s, v25.4s, v26.4s, v27.4s}, [%[e]], #64\n"                               \
  "ld1 {v28.4s, v29.4s, v30.4s, v31.4s}, [%[e]], #64\n"                               \
  WA_IN_1D(16, 17, 18, 19, 20, 21, 22, 23, 2, 3, 4)                                   \
  WA_IN_1D(24, 25, 26, 27, 28, 29, 30, 31, 5, 6, 7)                                   \
  WA_IN_STR8(16, 4, 2, 18, 20, 19, 22, 23)                                            \
  WA_IN_STR8(24, 7, 5, 26, 28, 27, 30, 31)

#define WA_VCLOBBER                                                                   \
  "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v16", "v17", "v18", "v19", "v20",  \
      "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31"

// wino_input_fn: 16 x 27 arithmetic + 16 ld1 (patch) + 32 stp / 16 ld1 (round
// trip through e) + 64 st1 (results) + set-up = 578 instructions (GCC 12).
void input_tile_a64(const float* src, size_t src_row, float* dst, size_t dst_pos) {
  alignas(16) float e[8][8][4];  // e[j][r]: row pass output, column j of row r
  float* ep = &e[0][0][0];
  const float* src0 = src;
  const float* src1 = src + 16;  // pixels 4..7 of the row
  const size_t s8 = 8 * dst_pos;
  float* d0 = dst;
  float* d1 = d0 + s8;
  float* d2 = d1 + s8;
  float* d3 = d2 + s8;
  float* d4 = d3 + s8;
  float* d5 = d4 + s8;
  float* d6 = d5 + s8;
  float* d7 = d6 + s8;
  asm volatile(
      "ld1 {v0.4s, v1.4s}, [%[c]]\n"
      WA_IN_ROWS(0) WA_IN_ROWS(2) WA_IN_ROWS(4) WA_IN_ROWS(6)
      WA_IN_COLS WA_IN_COLS WA_IN_COLS WA_IN_COLS
      : [src0] "+r"(src0), [src1] "+r"(src1), [e] "+r"(ep), [d0] "+r"(d0), [d1] "+r"(d1),
        [d2] "+r"(d2), [d3] "+r"(d3), [d4] "+r"(d4), [d5] "+r"(d5), [d6] "+r"(d6), [d7] "+r"(d7)
      : [rs] "r"(src_row * sizeof(float)), [dp] "r"(dst_pos * sizeof(float)),
        [c] "r"(wino::kInConstValues)
      : "memory", WA_VCLOBBER);
}

// Output, column pass on columns j, j + 1 (A: v16-v25, B: v26-v31 + v3-v6,
// constants v0-v2):
// position (i, j) is loaded through pointer s<i> (src + 8 i src_pos, stepped
// by src_pos); output row a of columns j, j + 1 goes to f + 128 a + 16 j
// (f[a][j], f[a][j + 1]) in one stp.
#define WA_OUT_LDR(m, i) "ld1 {v" #m ".4s}, [%[s" #i "]], %[spos]\n"
#define WA_OUT_STP(a, b, A, J) "stp q" #a ", q" #b ", [%[f], #(" #A " * 128 + " #J " * 16)]\n"
#define WA_OUT_COLS(J)                                                                \
  WA_OUT_LDR(16, 0) WA_OUT_LDR(26, 0) WA_OUT_LDR(17, 1) WA_OUT_LDR(27, 1)             \
  WA_OUT_LDR(18, 2) WA_OUT_LDR(28, 2) WA_OUT_LDR(19, 3) WA_OUT_LDR(29, 3)             \
  WA_OUT_LDR(20, 4) WA_OUT_LDR(30, 4) WA_OUT_LDR(21, 5) WA_OUT_LDR(31, 5)             \
  WA_OUT_LDR(22, 6) WA_OUT_LDR(3, 6) WA_OUT_LDR(23, 7) WA_OUT_LDR(4, 7)               \
  WA_OUT_1D(16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 23)                               \
  WA_OUT_1D(26, 27, 28, 29, 30, 31, 3, 4, 5, 6, 4)                                    \
  WA_OUT_STP(16, 26, 0, J) WA_OUT_STP(17, 27, 1, J) WA_OUT_STP(18, 28, 2, J)          \
  WA_OUT_STP(19, 29, 3, J) WA_OUT_STP(24, 5, 4, J) WA_OUT_STP(23, 4, 5, J)

// Output, row pass on row a of f (8 contiguous vectors, %[f] post-
// incremented): y0..y3 in v16-v19, y4, y5 in v24, v25, so that channel l of
// the 6 pixels is one st4 (lane l of v16-v19) and one st2 (lane l of v24,
// v25) to o<l> = dst + l dst_ch, which then steps to the next row.
#define WA_OUT_ST(l)                                                                  \
  "st4 {v16.s, v17.s, v18.s, v19.s}[" #l "], [%[o" #l "]], #16\n"                     \
  "st2 {v24.s, v25.s}[" #l "], [%[o" #l "]], %[adv]\n"
#define WA_OUT_ROW(CLAMP)                                                             \
  "ld1 {v16.4s, v17.4s, v18.4s, v19.4s}, [%[f]], #64\n"                               \
  "ld1 {v20.4s, v21.4s, v22.4s, v23.4s}, [%[f]], #64\n"                               \
  WA_OUT_1D(16, 17, 18, 19, 20, 21, 22, 23, 24, 26, 25)                               \
  CLAMP WA_OUT_ST(0) WA_OUT_ST(1) WA_OUT_ST(2) WA_OUT_ST(3)
// max(y, lo) then min(., hi) as the generic path (NaN propagates): lo, hi in
// v3, v4. A bound of -inf (+inf) is skipped: max(y, -inf) = y, NaN included.
#define WA_CLAMP_LO                                                                   \
  WA_FMAX(16, 16, 3) WA_FMAX(17, 17, 3) WA_FMAX(18, 18, 3) WA_FMAX(19, 19, 3)         \
  WA_FMAX(24, 24, 3) WA_FMAX(25, 25, 3)
#define WA_CLAMP_HI                                                                   \
  WA_FMIN(16, 16, 4) WA_FMIN(17, 17, 4) WA_FMIN(18, 18, 4) WA_FMIN(19, 19, 4)         \
  WA_FMIN(24, 24, 4) WA_FMIN(25, 25, 4)
#define WA_OUT_BODY(CLAMP_SETUP, CLAMP)                                               \
  WA_OUT_COLS(0) WA_OUT_COLS(2) WA_OUT_COLS(4) WA_OUT_COLS(6)                         \
  CLAMP_SETUP                                                                         \
  WA_OUT_ROW(CLAMP) WA_OUT_ROW(CLAMP) WA_OUT_ROW(CLAMP)                               \
  WA_OUT_ROW(CLAMP) WA_OUT_ROW(CLAMP) WA_OUT_ROW(CLAMP)


// Set-up and operands shared by output_full_a64 and output_edge_a64. The
// pointers s1..s7, o1..o3 are set up inside the block (GCC shuffles them
// between registers when computed in C++).
#define WA_OUT_SETUP                                                                  \
  "ld1 {v0.4s, v1.4s, v2.4s}, [%[c]]\n"                                               \
  "add %[s1], %[s0], %[s8]\n"                                                         \
  "add %[s2], %[s1], %[s8]\n"                                                         \
  "add %[s3], %[s2], %[s8]\n"                                                         \
  "add %[s4], %[s3], %[s8]\n"                                                         \
  "add %[s5], %[s4], %[s8]\n"                                                         \
  "add %[s6], %[s5], %[s8]\n"                                                         \
  "add %[s7], %[s6], %[s8]\n"                                                         \
  "add %[o1], %[o0], %[ch]\n"                                                         \
  "add %[o2], %[o1], %[ch]\n"                                                         \
  "add %[o3], %[o2], %[ch]\n"
// WA_EXTRA_OUT, WA_EXTRA_IN: operands of one function only (each with a
// leading comma, or nothing), defined before its asm.
#define WA_OUT_OPERANDS                                                               \
  : [s0] "+r"(s0), [s1] "=&r"(s1), [s2] "=&r"(s2), [s3] "=&r"(s3), [s4] "=&r"(s4),    \
    [s5] "=&r"(s5), [s6] "=&r"(s6), [s7] "=&r"(s7), [f] "+r"(fp), [o0] "+r"(o0),      \
    [o1] "=&r"(o1), [o2] "=&r"(o2), [o3] "=&r"(o3) WA_EXTRA_OUT                       \
  : [spos] "r"(src_pos * sizeof(float)), [s8] "r"(8 * src_pos * sizeof(float)),       \
    [ch] "r"(dst_ch * sizeof(float)), [adv] "r"(adv * sizeof(float)),                 \
    [c] "r"(wino::kOutConstValues), [lohi] "r"(Clamp ? lohi : nullptr) WA_EXTRA_IN    \
  : "memory", "cc", WA_VCLOBBER
#define WA_LOHI "ld2r {v3.4s, v4.4s}, [%[lohi]]\n"
// The asm block BODY(CLAMP_SETUP, CLAMP) for each clamp mode (Clamp: a
// template parameter).
#define WA_OUT_ASM(BODY)                                                              \
  if (Clamp == kClampBoth)                                                               \
    asm volatile(WA_OUT_SETUP BODY(WA_LOHI, WA_CLAMP_LO WA_CLAMP_HI) WA_OUT_OPERANDS); \
  else if (Clamp == kClampLo)                                                            \
    asm volatile(WA_OUT_SETUP BODY(WA_LOHI, WA_CLAMP_LO) WA_OUT_OPERANDS);            \
  else if (Clamp == kClampHi)                                                            \
    asm volatile(WA_OUT_SETUP BODY(WA_LOHI, WA_CLAMP_HI) WA_OUT_OPERANDS);            \
  else                                                                                \
    asm volatile(WA_OUT_SETUP BODY("", "") WA_OUT_OPERANDS);

// Full 6x6 tile, 4 channels: 64 ld1 + 8 x 22 + 24 stp (column pass), 6 x
// (2 ld1 + 22 (+ 6 per bound) + 8 st4/st2) (row pass) + set-up = 480
// instructions without a clamp, 554 with both bounds (GCC 12).
template <int Clamp>
void output_full_a64(const float* src, size_t src_pos, const WinoOutTile& ot, size_t /*nch*/,
                     size_t dst_ch, size_t dst_row, bool /*clamp*/, float lo, float hi) {
  alignas(16) float f[6][8][4];  // column pass output: f[a][j]
  const float lohi[2] = {lo, hi};
  float* fp = &f[0][0][0];
  const float* s0 = src;
  float* o0 = ot.dst;
  size_t s1, s2, s3, s4, s5, s6, s7, o1, o2, o3;
  const size_t adv = dst_row - 4;  // after the st4 of pixels 0..3: to the next row
#define WA_EXTRA_OUT
#define WA_EXTRA_IN
  WA_OUT_ASM(WA_OUT_BODY)
#undef WA_EXTRA_OUT
#undef WA_EXTRA_IN
}

// Edge tiles, 4 channels (rows or cols < 6): the column pass of a full tile,
// then the row pass for `rows` rows only, each channel's first `cols` pixels
// stored straight to NCHW by structure lane stores: lane l of y0..y(n-1) is
// one st<n> {..}.s[l] for n = cols <= 4; 5 and 6 pixels are the st4 of a full
// row plus st1 {y4} / st2 {y4, y5}. The column count chooses one of 6 row
// loops (WA_EDGE_LOOP, the same code but for the stores) by at most 3
// compares and 3 branches per tile; a loop costs subs + b.ne per row over
// the straight-line full tile. The pointer o<l> steps by `adv` floats: one
// row for n <= 4, one row - 4 after the #16 of the st4 for 5, 6.
#define WA_EDGE_ST1(l) "st1 {v16.s}[" #l "], [%[o" #l "]], %[adv]\n"
#define WA_EDGE_ST2(l) "st2 {v16.s, v17.s}[" #l "], [%[o" #l "]], %[adv]\n"
#define WA_EDGE_ST3(l) "st3 {v16.s, v17.s, v18.s}[" #l "], [%[o" #l "]], %[adv]\n"
#define WA_EDGE_ST4(l) "st4 {v16.s, v17.s, v18.s, v19.s}[" #l "], [%[o" #l "]], %[adv]\n"
#define WA_EDGE_ST5(l)                                                                \
  "st4 {v16.s, v17.s, v18.s, v19.s}[" #l "], [%[o" #l "]], #16\n"                     \
  "st1 {v24.s}[" #l "], [%[o" #l "]], %[adv]\n"
#define WA_EDGE_ST6(l) WA_OUT_ST(l)
// Row loop for N columns at label N0 (10, 20, ... 60), `rows` rows.
#define WA_EDGE_LOOP(N, CLAMP)                                                        \
  #N "0:\n"                                                                           \
  "ld1 {v16.4s, v17.4s, v18.4s, v19.4s}, [%[f]], #64\n"                               \
  "ld1 {v20.4s, v21.4s, v22.4s, v23.4s}, [%[f]], #64\n"                               \
  WA_OUT_1D(16, 17, 18, 19, 20, 21, 22, 23, 24, 26, 25)                               \
  CLAMP WA_EDGE_ST##N(0) WA_EDGE_ST##N(1) WA_EDGE_ST##N(2) WA_EDGE_ST##N(3)           \
  "subs %[rows], %[rows], #1\n"                                                       \
  "b.ne " #N "0b\n"
#define WA_EDGE_BODY(CLAMP_SETUP, CLAMP)                                              \
  WA_OUT_COLS(0) WA_OUT_COLS(2) WA_OUT_COLS(4) WA_OUT_COLS(6)                         \
  CLAMP_SETUP                                                                         \
  "cmp %[cols], #4\n"                                                                 \
  "b.eq 40f\n"                                                                        \
  "b.hi 7f\n"                                                                         \
  "cmp %[cols], #2\n"                                                                 \
  "b.eq 20f\n"                                                                        \
  "b.hi 30f\n"                                                                        \
  WA_EDGE_LOOP(1, CLAMP) "b 9f\n"                                                     \
  WA_EDGE_LOOP(2, CLAMP) "b 9f\n"                                                     \
  WA_EDGE_LOOP(3, CLAMP) "b 9f\n"                                                     \
  WA_EDGE_LOOP(4, CLAMP) "b 9f\n"                                                     \
  "7:\n"                                                                              \
  "cmp %[cols], #5\n"                                                                 \
  "b.ne 60f\n"                                                                        \
  WA_EDGE_LOOP(5, CLAMP) "b 9f\n"                                                     \
  WA_EDGE_LOOP(6, CLAMP)                                                              \
  "9:\n"

template <int Clamp>
void output_edge_a64(const float* src, size_t src_pos, const WinoOutTile& ot, size_t /*nch*/,
                     size_t dst_ch, size_t dst_row, bool /*clamp*/, float lo, float hi) {
  alignas(16) float f[6][8][4];  // column pass output: f[a][j]
  const float lohi[2] = {lo, hi};
  float* fp = &f[0][0][0];
  const float* s0 = src;
  float* o0 = ot.dst;
  size_t s1, s2, s3, s4, s5, s6, s7, o1, o2, o3;
  size_t rows = ot.rows;
  const size_t cols = ot.cols;
  const size_t adv = cols > 4 ? dst_row - 4 : dst_row;
#define WA_EXTRA_OUT , [rows] "+r"(rows)
#define WA_EXTRA_IN , [cols] "r"(cols)
  WA_OUT_ASM(WA_EDGE_BODY)
#undef WA_EXTRA_OUT
#undef WA_EXTRA_IN
}
#undef WA_OUT_ASM
#undef WA_LOHI
#undef WA_OUT_OPERANDS
#undef WA_OUT_SETUP

// Copies the rows x cols corner of nch channel tiles t[l][y][x] (6 x 6 each,
// NCHW) to dst, with `move` copying one row of cols pixels; 4 channels go
// row by row with the channels unrolled.
template <class Move>
inline void copy_cut_rows(const float* t, float* dst, size_t rows, size_t nch, size_t dst_ch,
                          size_t dst_row, Move move) {
  if (nch == 4) {
    for (size_t y = 0; y < rows; y++, t += 6, dst += dst_row) {
      move(t, dst);
      move(t + 36, dst + dst_ch);
      move(t + 72, dst + 2 * dst_ch);
      move(t + 108, dst + 3 * dst_ch);
    }
  } else {
    for (size_t l = 0; l < nch; l++)
      for (size_t y = 0; y < rows; y++) move(t + 36 * l + 6 * y, dst + l * dst_ch + y * dst_row);
  }
}

// A row of 4 (2) pixels is one 4-float (2-float) move, of 5..6 (3) pixels two
// overlapping ones, so the loops have no per-row branch.
void copy_cut(const float* t, float* dst, size_t rows, size_t cols, size_t nch, size_t dst_ch,
              size_t dst_row) {
  if (cols == 4) {
    copy_cut_rows(t, dst, rows, nch, dst_ch, dst_row,
                  [](const float* s, float* d) { vst1q_f32(d, vld1q_f32(s)); });
  } else if (cols == 2) {
    copy_cut_rows(t, dst, rows, nch, dst_ch, dst_row,
                  [](const float* s, float* d) { vst1_f32(d, vld1_f32(s)); });
  } else if (cols >= 4) {
    const size_t o = cols - 4;
    copy_cut_rows(t, dst, rows, nch, dst_ch, dst_row, [o](const float* s, float* d) {
      vst1q_f32(d + o, vld1q_f32(s + o));
      vst1q_f32(d, vld1q_f32(s));
    });
  } else if (cols >= 2) {
    const size_t o = cols - 2;
    copy_cut_rows(t, dst, rows, nch, dst_ch, dst_row, [o](const float* s, float* d) {
      vst1_f32(d + o, vld1_f32(s + o));
      vst1_f32(d, vld1_f32(s));
    });
  } else {
    copy_cut_rows(t, dst, rows, nch, dst_ch, dst_row, [](const float* s, float* d) { *d = *s; });
  }
}

// The 4-channel output transforms by [edge][clamp mode]: output_full_a64 for
// 6x6 tiles, output_edge_a64 for cut ones. They take wino_output_fn's
// arguments (nch = 4 and clamp implied) so that output_tile_a64 reaches them
// by a plain tail call.
constexpr wino_output_fn kOutput[2][4] = {
    {output_full_a64<kClampNone>, output_full_a64<kClampLo>, output_full_a64<kClampHi>, output_full_a64<kClampBoth>},
    {output_edge_a64<kClampNone>, output_edge_a64<kClampLo>, output_edge_a64<kClampHi>, output_edge_a64<kClampBoth>}};

// Tiles of fewer than 4 channels (lanes l >= nch are computed but not
// stored; the last group of a layer whose channel count is not a multiple of
// 4): the full tile to a 4 x 6 x 6 scratch, then the valid part. Kept out of line so that the full-tile path below stays a
// tail call without a stack frame.
__attribute__((noinline)) void output_cut_a64(wino_output_fn full, const float* src, size_t src_pos,
                                              const WinoOutTile& ot, size_t nch, size_t dst_ch,
                                              size_t dst_row, float lo, float hi) {
  alignas(16) float t[4 * 36];
  const WinoOutTile tile = {t, 6, 6};
  full(src, src_pos, tile, 4, 36, 6, true, lo, hi);
  copy_cut(t, ot.dst, ot.rows, ot.cols, nch, dst_ch, dst_row);
}

// wino_output_fn.
void output_tile_a64(const float* src, size_t src_pos, const WinoOutTile& ot, size_t nch,
                     size_t dst_ch, size_t dst_row, bool clamp, float lo, float hi) {
  const int mode = clamp_mode(clamp, lo, hi);
  if (nch == 4) {
    const wino_output_fn fn = ot.rows == 6 && ot.cols == 6 ? kOutput[0][mode] : kOutput[1][mode];
    fn(src, src_pos, ot, nch, dst_ch, dst_row, clamp, lo, hi);
  } else {
    output_cut_a64(kOutput[0][mode], src, src_pos, ot, nch, dst_ch, dst_row, lo, hi);
  }
}
#else  // armv7
// ---------------------------------------------------------------------------
// armv7: both transforms of a full tile as one inline-assembly block each.
// (Through the Ops template GCC 12 ran ~1005 and ~970 instructions per tile:
// with 16 q registers it kept inputs and constants in each other's way,
// copied values for the destructive vmla, and addressed every vector load
// and store separately.) Only 16 q registers: one 1-D transform at a time.
// Registers (q numbers):
//   input:  q0, q1 constants (kInConstValues), q8-q15 the 8 inputs, q2-q4
//           temporaries (WA_IN_1D);
//   output: q0-q2 constants (kOutConstValues), q8-q15 the 8 inputs, q3-q5
//           temporaries and y4, y5 (WA_OUT_1D), q6, q7 the clamp bounds.
// The round trip through the stack is as on aarch64 (e[j][r], f[a][j]), one
// vector per store (vst1 post-indexed by a register holding 128 bytes), and
// each pass's 8 inputs are 4 contiguous vld1 {4 d} where the layout allows.
//
// General registers: GCC at -O0 in Thumb-2 code finds only about 7 for an asm
// block (see neon/winograd_gemm.cpp), so each block takes 6 at most: two
// pointers, 2-3 scratch and `args`, from which it loads strides and pointers
// when a pass needs them. One pointer walks all 8 (4) strided rows, stepping
// back once per column (row, channel set) instead of keeping 8 (4) pointers.
struct A32InArgs {
  const float* consts;  // kInConstValues
  size_t src_adv;       // bytes from the last vld1 of a patch row to the next row
  float* dst;
  size_t dst_step;      // bytes: 8 positions (8 dst_pos)
  size_t dst_back;      // bytes: from position 64 + j back to j + 1 (63 dst_pos)
};

// Input, row pass on patch row r: 8 vectors in q8-q15 (3 vld1 with
// writeback + 1 stepping to the next row: %[u] = src_adv), t_j to e[j][r]
// (post-index %[t] = 128 bytes), then back to e[0][r + 1]. t0..t7 are in
// q8, q4, q2, q10, q12, q11, q14, q15 (WA_IN_1D's result registers).
#define WB_IN_ST(q) "vst1.32 {q" #q "}, [%[e]], %[t]\n"
#define WB_IN_ROW                                                                     \
  "vld1.32 {d16-d19}, [%[p]]!\n"                                                      \
  "vld1.32 {d20-d23}, [%[p]]!\n"                                                      \
  "vld1.32 {d24-d27}, [%[p]]!\n"                                                      \
  "vld1.32 {d28-d31}, [%[p]], %[u]\n"                                                 \
  WA_IN_1D(8, 9, 10, 11, 12, 13, 14, 15, 2, 3, 4)                                     \
  WB_IN_ST(8) WB_IN_ST(4) WB_IN_ST(2) WB_IN_ST(10)                                    \
  WB_IN_ST(12) WB_IN_ST(11) WB_IN_ST(14) WB_IN_ST(15)                                 \
  "sub %[e], %[e], #1008\n"
// Input, column pass on column j of e (8 contiguous vectors, %[e] post-
// incremented): position (i, j) to dst + (8 i + j) dst_pos through %[p]
// (post-index %[t] = 8 dst_pos), then back to position j + 1 (%[u]).
#define WB_IN_STD(q) "vst1.32 {q" #q "}, [%[p]], %[t]\n"
#define WB_IN_COL                                                                     \
  "vld1.32 {d16-d19}, [%[e]]!\n"                                                      \
  "vld1.32 {d20-d23}, [%[e]]!\n"                                                      \
  "vld1.32 {d24-d27}, [%[e]]!\n"                                                      \
  "vld1.32 {d28-d31}, [%[e]]!\n"                                                      \
  WA_IN_1D(8, 9, 10, 11, 12, 13, 14, 15, 2, 3, 4)                                     \
  WB_IN_STD(8) WB_IN_STD(4) WB_IN_STD(2) WB_IN_STD(10)                                \
  WB_IN_STD(12) WB_IN_STD(11) WB_IN_STD(14) WB_IN_STD(15)                             \
  "sub %[p], %[p], %[u]\n"

#define WB_VCLOBBER                                                                   \
  "d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9", "d10", "d11", "d12",    \
      "d13", "d14", "d15", "d16", "d17", "d18", "d19", "d20", "d21", "d22", "d23",    \
      "d24", "d25", "d26", "d27", "d28", "d29", "d30", "d31"

// wino_input_fn: 16 x (27 arithmetic + 4 vld1 + 8 vst1 + 1 step) + set-up.
void input_tile_a32(const float* src, size_t src_row, float* dst, size_t dst_pos) {
  alignas(16) float e[8][8][4];  // e[j][r]: row pass output, column j of row r
  float* ep = &e[0][0][0];
  const A32InArgs args = {wino::kInConstValues, (src_row - 24) * sizeof(float), dst,
                          8 * dst_pos * sizeof(float), 63 * dst_pos * sizeof(float)};
  const float* p = src;
  size_t t, u;
  asm volatile(
      "ldr %[t], [%[args], %[o_c]]\n"
      "vld1.32 {d0-d3}, [%[t]]\n"
      "ldr %[u], [%[args], %[o_adv]]\n"
      "mov %[t], #128\n"
      WB_IN_ROW WB_IN_ROW WB_IN_ROW WB_IN_ROW WB_IN_ROW WB_IN_ROW WB_IN_ROW WB_IN_ROW
      "sub %[e], %[e], #128\n"
      "ldr %[p], [%[args], %[o_dst]]\n"
      "ldr %[t], [%[args], %[o_step]]\n"
      "ldr %[u], [%[args], %[o_back]]\n"
      WB_IN_COL WB_IN_COL WB_IN_COL WB_IN_COL WB_IN_COL WB_IN_COL WB_IN_COL WB_IN_COL
      : [p] "+r"(p), [e] "+r"(ep), [t] "=&r"(t), [u] "=&r"(u)
      : [args] "r"(&args), [o_c] "I"(offsetof(A32InArgs, consts)),
        [o_adv] "I"(offsetof(A32InArgs, src_adv)), [o_dst] "I"(offsetof(A32InArgs, dst)),
        [o_step] "I"(offsetof(A32InArgs, dst_step)), [o_back] "I"(offsetof(A32InArgs, dst_back))
      : "cc", "memory", WB_VCLOBBER);
}

struct A32OutArgs {
  float lo, hi;         // clamp bounds (first: loaded from `args` itself)
  const float* consts;  // kOutConstValues
  size_t src_step;      // bytes: 8 positions (8 src_pos)
  size_t src_back;      // bytes: from position 64 + j back to j + 1 (63 src_pos)
  float* dst;
  size_t ch_adv;        // bytes from the row of channel l after its stores to channel l + 1
  size_t row_back;      // bytes from channel 4's row back to channel 0's next row
  size_t rows, cols;    // output_edge_a32
};
static_assert(offsetof(A32OutArgs, lo) == 0 && offsetof(A32OutArgs, hi) == 4, "WB_LOHI loads lo, hi");

// Output, column pass on column j: position (i, j) through %[a] (post-index
// %[t] = 8 src_pos, then back by %[u]), y0..y5 (q8-q11, q4, q5) to f[a][j]
// (post-index %[w] = 128 bytes), then on to f[0][j + 1].
#define WB_OUT_LD(q) "vld1.32 {q" #q "}, [%[a]], %[t]\n"
#define WB_OUT_STF(q) "vst1.32 {q" #q "}, [%[f]], %[w]\n"
#define WB_OUT_COL                                                                    \
  WB_OUT_LD(8) WB_OUT_LD(9) WB_OUT_LD(10) WB_OUT_LD(11)                               \
  WB_OUT_LD(12) WB_OUT_LD(13) WB_OUT_LD(14) WB_OUT_LD(15)                             \
  "sub %[a], %[a], %[u]\n"                                                            \
  WA_OUT_1D(8, 9, 10, 11, 12, 13, 14, 15, 4, 3, 5)                                    \
  WB_OUT_STF(8) WB_OUT_STF(9) WB_OUT_STF(10) WB_OUT_STF(11)                           \
  WB_OUT_STF(4) WB_OUT_STF(5)                                                         \
  "sub %[f], %[f], #752\n"
// Output, row pass on row a of f (4 contiguous vld1): y0..y3 in q8-q11, y4,
// y5 in q4, q5, so that channel l of the 6 pixels is one vst4 (lane l of
// q8-q11: lane l of d16/d18/d20/d22 for l < 2, lane l - 2 of d17/d19/d21/d23
// for l >= 2) and one vst2 (lane l of q4, q5) through %[a], which steps on to
// the next channel (%[t] = ch_adv) and after 4 channels back to the next row
// (%[u]).
#define WB_OUT_ST(e0, e1, e2, e3, y4, y5, l)                                          \
  "vst4.32 {d" #e0 "[" #l "], d" #e1 "[" #l "], d" #e2 "[" #l "], d" #e3 "[" #l "]}, [%[a]]!\n" \
  "vst2.32 {d" #y4 "[" #l "], d" #y5 "[" #l "]}, [%[a]], %[t]\n"
#define WB_OUT_ROW_Y(CLAMP)                                                           \
  "vld1.32 {d16-d19}, [%[f]]!\n"                                                      \
  "vld1.32 {d20-d23}, [%[f]]!\n"                                                      \
  "vld1.32 {d24-d27}, [%[f]]!\n"                                                      \
  "vld1.32 {d28-d31}, [%[f]]!\n"                                                      \
  WA_OUT_1D(8, 9, 10, 11, 12, 13, 14, 15, 4, 3, 5)                                    \
  CLAMP
#define WB_OUT_ROW(CLAMP)                                                             \
  WB_OUT_ROW_Y(CLAMP)                                                                 \
  WB_OUT_ST(16, 18, 20, 22, 8, 10, 0) WB_OUT_ST(16, 18, 20, 22, 8, 10, 1)             \
  WB_OUT_ST(17, 19, 21, 23, 9, 11, 0) WB_OUT_ST(17, 19, 21, 23, 9, 11, 1)             \
  "sub %[a], %[a], %[u]\n"
// max(y, lo) then min(., hi) (q6 = lo, q7 = hi); NaN propagates, as vmaxq_f32.
#define WB_CLAMP_LO                                                                   \
  WA_FMAX(8, 8, 6) WA_FMAX(9, 9, 6) WA_FMAX(10, 10, 6) WA_FMAX(11, 11, 6)             \
  WA_FMAX(4, 4, 6) WA_FMAX(5, 5, 6)
#define WB_CLAMP_HI                                                                   \
  WA_FMIN(8, 8, 7) WA_FMIN(9, 9, 7) WA_FMIN(10, 10, 7) WA_FMIN(11, 11, 7)             \
  WA_FMIN(4, 4, 7) WA_FMIN(5, 5, 7)
#define WB_LOHI                                                                       \
  "vld1.32 {d12[], d13[]}, [%[args]]\n"                                               \
  "add %[t], %[args], #4\n"                                                           \
  "vld1.32 {d14[], d15[]}, [%[t]]\n"
// Set-up and column pass of both output_full_a32 and output_edge_a32.
#define WB_OUT_COLUMNS                                                                \
  "ldr %[t], [%[args], %[o_c]]\n"                                                     \
  "vld1.32 {d0-d3}, [%[t]]!\n"                                                        \
  "vld1.32 {d4-d5}, [%[t]]\n"                                                         \
  "ldr %[t], [%[args], %[o_step]]\n"                                                  \
  "ldr %[u], [%[args], %[o_back]]\n"                                                  \
  "mov %[w], #128\n"                                                                  \
  WB_OUT_COL WB_OUT_COL WB_OUT_COL WB_OUT_COL WB_OUT_COL WB_OUT_COL WB_OUT_COL        \
  WB_OUT_COL                                                                          \
  "sub %[f], %[f], #128\n"
#define WB_OUT_BODY(CLAMP_SETUP, CLAMP)                                               \
  WB_OUT_COLUMNS                                                                      \
  CLAMP_SETUP                                                                         \
  "ldr %[a], [%[args], %[o_dst]]\n"                                                   \
  "ldr %[t], [%[args], %[o_chadv]]\n"                                                 \
  "ldr %[u], [%[args], %[o_rowback]]\n"                                               \
  WB_OUT_ROW(CLAMP) WB_OUT_ROW(CLAMP) WB_OUT_ROW(CLAMP) WB_OUT_ROW(CLAMP)             \
  WB_OUT_ROW(CLAMP) WB_OUT_ROW(CLAMP)
#define WB_OUT_OPERANDS                                                               \
  : [a] "+r"(a), [f] "+r"(fp), [t] "=&r"(t), [u] "=&r"(u), [w] "=&r"(w)               \
  : [args] "r"(&args), [o_c] "I"(offsetof(A32OutArgs, consts)),                       \
    [o_step] "I"(offsetof(A32OutArgs, src_step)),                                     \
    [o_back] "I"(offsetof(A32OutArgs, src_back)), [o_dst] "I"(offsetof(A32OutArgs, dst)), \
    [o_chadv] "I"(offsetof(A32OutArgs, ch_adv)),                                      \
    [o_rowback] "I"(offsetof(A32OutArgs, row_back)),                                  \
    [o_rows] "I"(offsetof(A32OutArgs, rows)), [o_cols] "I"(offsetof(A32OutArgs, cols)) \
  : "cc", "memory", WB_VCLOBBER
// The asm block BODY(CLAMP_SETUP, CLAMP) for each clamp mode (Clamp: a
// template parameter).
#define WB_OUT_ASM(BODY)                                                              \
  if (Clamp == kClampBoth)                                                               \
    asm volatile(BODY(WB_LOHI, WB_CLAMP_LO WB_CLAMP_HI) WB_OUT_OPERANDS);             \
  else if (Clamp == kClampLo)                                                            \
    asm volatile(BODY(WB_LOHI, WB_CLAMP_LO) WB_OUT_OPERANDS);                         \
  else if (Clamp == kClampHi)                                                            \
    asm volatile(BODY(WB_LOHI, WB_CLAMP_HI) WB_OUT_OPERANDS);                         \
  else                                                                                \
    asm volatile(BODY("", "") WB_OUT_OPERANDS);


// Full 6x6 tile, 4 channels: 8 x (8 vld1 + 22 + 6 vst1 + 2 steps) (column
// pass), 6 x (4 vld1 + 22 (+ 6 per bound) + 8 vst4/vst2 + 1 step) (row
// pass) + set-up.
template <int Clamp>
void output_full_a32(const float* src, const A32OutArgs& args) {
  alignas(16) float f[6][8][4];  // column pass output: f[a][j]
  float* fp = &f[0][0][0];
  const float* a = src;
  size_t t, u, w;
  WB_OUT_ASM(WB_OUT_BODY)
}

// Edge tiles, 4 channels (rows or cols < 6), as output_edge_a64: the column
// pass of a full tile, then `rows` rows (counted in %[w], free after the
// column pass), channel l's first n = cols pixels by one vst<n> of lane l of
// q8.. (n <= 4; %[a] then steps by ch_adv = one channel), or the vst4 of a
// full row plus vst1 {y4} / vst2 {y4, y5} (n = 5, 6; ch_adv = one channel -
// 4 pixels). One row loop per column count, chosen once per tile.
#define WB_EDGE_ST1(e0, e1, e2, e3, y4, y5, l) "vst1.32 {d" #e0 "[" #l "]}, [%[a]], %[t]\n"
#define WB_EDGE_ST2(e0, e1, e2, e3, y4, y5, l)                                        \
  "vst2.32 {d" #e0 "[" #l "], d" #e1 "[" #l "]}, [%[a]], %[t]\n"
#define WB_EDGE_ST3(e0, e1, e2, e3, y4, y5, l)                                        \
  "vst3.32 {d" #e0 "[" #l "], d" #e1 "[" #l "], d" #e2 "[" #l "]}, [%[a]], %[t]\n"
#define WB_EDGE_ST4(e0, e1, e2, e3, y4, y5, l)                                        \
  "vst4.32 {d" #e0 "[" #l "], d" #e1 "[" #l "], d" #e2 "[" #l "], d" #e3 "[" #l "]}, [%[a]], %[t]\n"
#define WB_EDGE_ST5(e0, e1, e2, e3, y4, y5, l)                                        \
  "vst4.32 {d" #e0 "[" #l "], d" #e1 "[" #l "], d" #e2 "[" #l "], d" #e3 "[" #l "]}, [%[a]]!\n" \
  "vst1.32 {d" #y4 "[" #l "]}, [%[a]], %[t]\n"
#define WB_EDGE_ST6 WB_OUT_ST
// Row loop for N columns, entered at label N0, looping at N1.
#define WB_EDGE_LOOP(N, CLAMP)                                                        \
  #N "0:\n"                                                                           \
  "ldr %[t], [%[args], %[o_chadv]]\n"                                                 \
  #N "1:\n"                                                                           \
  WB_OUT_ROW_Y(CLAMP)                                                                 \
  WB_EDGE_ST##N(16, 18, 20, 22, 8, 10, 0) WB_EDGE_ST##N(16, 18, 20, 22, 8, 10, 1)     \
  WB_EDGE_ST##N(17, 19, 21, 23, 9, 11, 0) WB_EDGE_ST##N(17, 19, 21, 23, 9, 11, 1)     \
  "sub %[a], %[a], %[u]\n"                                                            \
  "subs %[w], %[w], #1\n"                                                             \
  "bne " #N "1b\n"
#define WB_EDGE_BODY(CLAMP_SETUP, CLAMP)                                              \
  WB_OUT_COLUMNS                                                                      \
  CLAMP_SETUP                                                                         \
  "ldr %[a], [%[args], %[o_dst]]\n"                                                   \
  "ldr %[u], [%[args], %[o_rowback]]\n"                                               \
  "ldr %[w], [%[args], %[o_rows]]\n"                                                  \
  "ldr %[t], [%[args], %[o_cols]]\n"                                                  \
  "cmp %[t], #4\n"                                                                    \
  "beq 40f\n"                                                                         \
  "bhi 7f\n"                                                                          \
  "cmp %[t], #2\n"                                                                    \
  "beq 20f\n"                                                                         \
  "bhi 30f\n"                                                                         \
  WB_EDGE_LOOP(1, CLAMP) "b 9f\n"                                                     \
  WB_EDGE_LOOP(2, CLAMP) "b 9f\n"                                                     \
  WB_EDGE_LOOP(3, CLAMP) "b 9f\n"                                                     \
  WB_EDGE_LOOP(4, CLAMP) "b 9f\n"                                                     \
  "7:\n"                                                                              \
  "cmp %[t], #5\n"                                                                    \
  "bne 60f\n"                                                                         \
  WB_EDGE_LOOP(5, CLAMP) "b 9f\n"                                                     \
  WB_EDGE_LOOP(6, CLAMP)                                                              \
  "9:\n"

template <int Clamp>
void output_edge_a32(const float* src, const A32OutArgs& args) {
  alignas(16) float f[6][8][4];  // column pass output: f[a][j]
  float* fp = &f[0][0][0];
  const float* a = src;
  size_t t, u, w;
  WB_OUT_ASM(WB_EDGE_BODY)
}

// The 4-channel output transforms by [edge][clamp mode] (as kOutput on
// aarch64). They take their strides in an A32OutArgs made by the caller: a
// call of 2 arguments (wino_output_fn's 9 put 3 on the stack, and a tail
// call with them cost ~30 instructions).
using A32OutFn = void (*)(const float* src, const A32OutArgs& args);
constexpr A32OutFn kOutputA32[2][4] = {
    {output_full_a32<kClampNone>, output_full_a32<kClampLo>, output_full_a32<kClampHi>, output_full_a32<kClampBoth>},
    {output_edge_a32<kClampNone>, output_edge_a32<kClampLo>, output_edge_a32<kClampHi>, output_edge_a32<kClampBoth>}};

// wino_output_fn: tiles of 4 channels by the assembly above, of fewer (the
// last group of a layer whose channel count is not a multiple of 4) by the
// template (store_row).
void output_tile_a32(const float* src, size_t src_pos, const WinoOutTile& ot, size_t nch,
                     size_t dst_ch, size_t dst_row, bool clamp, float lo, float hi) {
  if (nch == 4) {
    const int mode = clamp_mode(clamp, lo, hi);
    const bool edge = ot.rows != 6 || ot.cols != 6;
    // Channel step after a row's stores: vst<cols> (cols <= 4) leaves the
    // pointer at the row start, vst4! + vst1/vst2 (5, 6) 4 pixels on.
    const size_t ch_adv = ot.cols > 4 ? dst_ch - 4 : dst_ch;
    const A32OutArgs args = {lo, hi, wino::kOutConstValues, 8 * src_pos * sizeof(float),
                             63 * src_pos * sizeof(float), ot.dst, ch_adv * sizeof(float),
                             (4 * dst_ch - dst_row) * sizeof(float), ot.rows, ot.cols};
    kOutputA32[edge][mode](src, args);
  } else {
    wino::output_tile<Ops>(src, src_pos, ot, nch, dst_ch, dst_row, clamp, lo, hi);
  }
}
#endif  // __aarch64__

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

// neon/winograd_gemm.cpp
void wino_gemm(size_t m8, size_t n, size_t kq, const float* u, size_t u_stride, const float* v,
               float* c, size_t ldc, const float* bias, bool accumulate);

}  // namespace neon

const WinoKernels& wino63_neon_kernels() {
#if defined(__aarch64__)
  static const WinoKernels k = {"neon-a64", neon::pack_nc4, neon::input_tile_a64,
                                neon::output_tile_a64, neon::wino_gemm};
#else
  static const WinoKernels k = {"neon-a32", neon::pack_nc4, neon::input_tile_a32,
                                neon::output_tile_a32, neon::wino_gemm};
#endif
  return k;
}

}  // namespace detail
}  // namespace armconv

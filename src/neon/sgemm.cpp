// NEON fp32 GEMM: register-tile micro-kernels and the packers that feed them
// (formats and contract: core/sgemm.h). One file for both ISAs: the packers are
// shared (written for the tile's MR/NR), the micro-kernels differ with the
// register file.
//
// aarch64, 8x12 tile (32 q registers):
//   c[r][j]  r = 0..7 (output channel), j = 0..2 (4 pixels each): 24 accumulators
//   A: the 8 weights of a k-step are the lanes of 2 q registers (ld1 {4 regs}
//      loads two k-steps); B: the 12 pixels of a k-step are 3 q registers.
//   k-step: 24 `fmla v.4s, b, a.s[lane]` (96 MACs). With 8 registers left for
//   operands, four k-steps take 5 multi-register loads (1.25 per 24 FMLA);
//   the k-loop does 16 k-steps per iteration. See ukernel_8x12 for why this
//   one block is inline assembly.
//   A strip of tiles (one A panel times consecutive B panels) is one call, so
//   register saves and set-up are paid per strip; edge tiles of 4 or 8 valid
//   columns use narrower intrinsics kernels instead of a zero-padded 8x12,
//   and those of 1-3 columns a transposed one (tile_8xn_t: vectors over the
//   8 rows, B by lane).
//
// armv7, 6x8 tile (16 q registers):
//   c[r][j]  r = 0..5, j = 0..1: 12 accumulators
//   A: 6 weights = 3 d registers (lanes for vmla.f32 q, q, d[x]), B: 8 pixels =
//      2 q registers; k-step: 12 multiply-accumulates per 2 loads;
//      12 + 1.5 + 2 = 15.5 registers. (4x12 would need 16 registers with one
//      A load per k-step and 3 loads per 12 MLA.)
//   A32 has no fused multiply-add by scalar (VFMA has no lane form), so the
//   lane form is vmla (multiply, round, add, round). A dot product computed
//   that way stays within the same gamma_K bound as a fused one (Higham 3.1),
//   which is what the tests check against the float64 reference.
//
// Edges: packing zero-pads A rows past M and B columns past N, so the
// micro-kernel always computes from whole panels; a partial tile goes through
// a small stack buffer so that only the m x n valid outputs of C are read or
// written.
#include <arm_neon.h>

#include <algorithm>
#include <cstring>

#include "core/sgemm.h"

namespace armconv {
namespace detail {
namespace {

#if defined(__aarch64__)
constexpr size_t kMR = 8, kNR = 12;
#else
constexpr size_t kMR = 6, kNR = 8;
#endif

// ---------------------------------------------------------------------------

// Copies the m x n valid part of a tile between C and a dense MR x NR buffer.
inline void tile_from_c(float* t, const float* c, size_t ldc, size_t m, size_t n) {
  for (size_t r = 0; r < m; r++) std::memcpy(t + r * kNR, c + r * ldc, n * sizeof(float));
}
inline void tile_to_c(const float* t, float* c, size_t ldc, size_t m, size_t n) {
  for (size_t r = 0; r < m; r++) std::memcpy(c + r * ldc, t + r * kNR, n * sizeof(float));
}

#if defined(__aarch64__)
// ---------------------------------------------------------------------------
// aarch64 8x12 micro-kernel.
//
// Written as one inline-assembly block (the rest of the library is
// intrinsics). With 24 accumulators + 7 operand registers live, GCC 12 and
// clang 14 both spill or shuffle registers around the multi-register loads
// when this loop is written with vld1q_f32_x3/_x4 + vfmaq_laneq_f32: measured
// per 2 k-steps (48 FMLA), GCC 12: 61-68 instructions (movs, stack spills),
// clang 14: 85 with ld1 tuples, 58 with plain vld1q (ldp pairs, 2.5 loads per
// k-step). The block below runs 48 FMLA in 50.8 instructions (96 FMLA + 5
// loads per 4 k-steps, loop branch every 16), which the MACs/instruction
// targets of the benchmark need. (Inline asm cannot take the 24 accumulators
// as operands either: GCC allows 30 operands, an in-out operand counts twice.
// So the block owns v0-v31 and does init, k-loop, clamp and store itself.)
//
// Registers: v8-v31 the accumulators, c[r][j] = v(8 + 3r + j) (row r of the
// tile = output channel r, pixels 4j..4j+3); v0-v3 A (two k-steps: rows 0-3,
// 4-7 of k, then of k+1), v4-v7 B. Four k-steps take 5 loads:
//   ld1 {v0-v3} A(k0) A(k1)        ld1 {v4-v7} B(k0)[0:12] B(k1)[0:4]
//   k0 (24 fmla), k1 column 0 (8)
//   ld1 {v4-v7} B(k1)[4:12] B(k2)[0:8]
//   k1 columns 1-2 (16)
//   ld1 {v0-v3} A(k2) A(k3)
//   k2 columns 0-1 (16)
//   ld1 {v4-v7} B(k2)[8:12] B(k3)[0:12]
//   k2 column 2 (8), k3 (24)
// i.e. 96 FMLA + 5 loads per 4 k-steps; the loop runs 16 k-steps per
// iteration: 384 FMLA + 20 loads + 2 = 406 instructions (3.78 MACs per
// instruction; llvm-mca: 384 cycles on cortex-a72, 192 on neoverse-n1, the
// FMLA bound of both). Each load reuses a register group as soon as its
// last reader has issued; out-of-order cores (A72, A76) rename it, so the load
// does not wait for those FMLAs.

// Assembly text: c[r][j] += vb * va[lane], and the 8 of accumulator column j
// (rows 0-3 from the lanes of alo, rows 4-7 from ahi).
#define AC_FMLA(acc, vb, va, lane) "fmla v" #acc ".4s, " vb ".4s, " va ".s[" #lane "]\n"
#define AC_COL_REGS(r0, r1, r2, r3, r4, r5, r6, r7, vb, alo, ahi)                      \
  AC_FMLA(r0, vb, alo, 0) AC_FMLA(r1, vb, alo, 1) AC_FMLA(r2, vb, alo, 2)               \
  AC_FMLA(r3, vb, alo, 3) AC_FMLA(r4, vb, ahi, 0) AC_FMLA(r5, vb, ahi, 1)               \
  AC_FMLA(r6, vb, ahi, 2) AC_FMLA(r7, vb, ahi, 3)
#define AC_COL_0(vb, alo, ahi) AC_COL_REGS(8, 11, 14, 17, 20, 23, 26, 29, vb, alo, ahi)
#define AC_COL_1(vb, alo, ahi) AC_COL_REGS(9, 12, 15, 18, 21, 24, 27, 30, vb, alo, ahi)
#define AC_COL_2(vb, alo, ahi) AC_COL_REGS(10, 13, 16, 19, 22, 25, 28, 31, vb, alo, ahi)
#define AC_COL(j, vb, alo, ahi) AC_COL_##j(vb, alo, ahi)
// The 8 rows of the tile: v8-v10, v11-v13, ..., v29-v31.
#define AC_ROWS(OP)                                                                    \
  OP("v8", "v9", "v10") OP("v11", "v12", "v13") OP("v14", "v15", "v16")               \
  OP("v17", "v18", "v19") OP("v20", "v21", "v22") OP("v23", "v24", "v25")             \
  OP("v26", "v27", "v28") OP("v29", "v30", "v31")
#define AC_LOAD_ROW(x, y, z) "ld1 {" x ".4s, " y ".4s, " z ".4s}, [%[cl]], %[ldt]\n"
#define AC_STORE_ROW(x, y, z) "st1 {" x ".4s, " y ".4s, " z ".4s}, [%[ct]], %[ldt]\n"
#define AC_CLAMP_ROW(x, y, z)                                                          \
  "fmax " x ".4s, " x ".4s, v0.4s\n fmin " x ".4s, " x ".4s, v1.4s\n"                  \
  "fmax " y ".4s, " y ".4s, v0.4s\n fmin " y ".4s, " y ".4s, v1.4s\n"                  \
  "fmax " z ".4s, " z ".4s, v0.4s\n fmin " z ".4s, " z ".4s, v1.4s\n"
#define AC_DUP_ROW(x, y, z, src, lane)                                                 \
  "dup " x ".4s, " src ".s[" #lane "]\n dup " y ".4s, " src ".s[" #lane "]\n"          \
  "dup " z ".4s, " src ".s[" #lane "]\n"

// Four k-steps (see above): 96 FMLA, 5 loads; pa, pb: the A and B pointers.
#define AC_BODY4_AB(pa, pb)                                                            \
  "ld1 {v0.4s-v3.4s}, [" pa "], #64\n"                                                  \
  "ld1 {v4.4s-v7.4s}, [" pb "], #64\n"                                                  \
  AC_COL(0, "v4", "v0", "v1") AC_COL(1, "v5", "v0", "v1") AC_COL(2, "v6", "v0", "v1")   \
  AC_COL(0, "v7", "v2", "v3")                                                          \
  "ld1 {v4.4s-v7.4s}, [" pb "], #64\n"                                                  \
  AC_COL(1, "v4", "v2", "v3") AC_COL(2, "v5", "v2", "v3")                              \
  "ld1 {v0.4s-v3.4s}, [" pa "], #64\n"                                                  \
  AC_COL(0, "v6", "v0", "v1") AC_COL(1, "v7", "v0", "v1")                              \
  "ld1 {v4.4s-v7.4s}, [" pb "], #64\n"                                                  \
  AC_COL(2, "v4", "v0", "v1")                                                          \
  AC_COL(0, "v5", "v2", "v3") AC_COL(1, "v6", "v2", "v3") AC_COL(2, "v7", "v2", "v3")

// `tiles` 8x12 tiles over kc k-steps: tile t reads the A panel `a` and the B
// panel that follows the previous one (panels are consecutive, so `b` just
// runs on), and writes C columns [12t, 12t + 12) of `ct` (row stride ldt
// floats; C itself or a stack tile). `bias3` holds bias[r] three times per row
// (24 floats) so that six ld4r {4 regs} set the 24 accumulators (not 24 dup).
inline void tiles_8x12(size_t tiles, size_t kc, const float* a, const float* b, float* ct,
                       size_t ldt, const float* bias3, size_t accumulate, size_t clamp,
                       const float* lohi) {
  const size_t k16 = kc / 16, k4 = (kc / 4) % 4, k1 = kc % 4;
  const size_t ldt_bytes = ldt * sizeof(float);
  // After the 8 row stores (post-incremented by ldt), back to row 0 and on
  // to the next tile's 12 columns.
  const size_t rewind = (kMR * ldt - kNR) * sizeof(float);
  // Per-tile copies of the pointers and counters the block advances (ap: A
  // panel, bp: bias3); B needs none: the next panel starts where a tile's
  // reads end.
  const float* ap;
  const float* bp;
  float* cl;
  size_t n16, n4, n1;
  asm volatile(
      "0:\n"
      "mov %[ap], %[a]\n"
      "mov %[bp], %[bias]\n"
      // Accumulators from C, or from the bias (row r = bias[r] in every lane).
      "cbz %[accumulate], 1f\n"
      "mov %[cl], %[ct]\n"
      AC_ROWS(AC_LOAD_ROW)
      "b 2f\n"
      "1:\n"
      "ld4r {v8.4s, v9.4s, v10.4s, v11.4s}, [%[bp]], #16\n"
      "ld4r {v12.4s, v13.4s, v14.4s, v15.4s}, [%[bp]], #16\n"
      "ld4r {v16.4s, v17.4s, v18.4s, v19.4s}, [%[bp]], #16\n"
      "ld4r {v20.4s, v21.4s, v22.4s, v23.4s}, [%[bp]], #16\n"
      "ld4r {v24.4s, v25.4s, v26.4s, v27.4s}, [%[bp]], #16\n"
      "ld4r {v28.4s, v29.4s, v30.4s, v31.4s}, [%[bp]]\n"
      "2:\n"
      "cbz %[k16], 4f\n"
      "mov %[n16], %[k16]\n"
      "3:\n"  // sixteen k-steps
      AC_BODY4_AB("%[ap]", "%[b]") AC_BODY4_AB("%[ap]", "%[b]")
      AC_BODY4_AB("%[ap]", "%[b]") AC_BODY4_AB("%[ap]", "%[b]")
      "subs %[n16], %[n16], #1\n"
      "b.ne 3b\n"
      "4:\n"
      "cbz %[k4], 6f\n"
      "mov %[n4], %[k4]\n"
      "5:\n"  // four k-steps
      AC_BODY4_AB("%[ap]", "%[b]")
      "subs %[n4], %[n4], #1\n"
      "b.ne 5b\n"
      "6:\n"
      "cbz %[k1], 7f\n"
      "mov %[n1], %[k1]\n"
      "9:\n"  // one k-step
      "ld1 {v0.4s, v1.4s}, [%[ap]], #32\n"
      "ld1 {v4.4s-v6.4s}, [%[b]], #48\n"
      AC_COL(0, "v4", "v0", "v1") AC_COL(1, "v5", "v0", "v1") AC_COL(2, "v6", "v0", "v1")
      "subs %[n1], %[n1], #1\n"
      "b.ne 9b\n"
      "7:\n"  // %[b] now points at the next tile's B panel
      // Clamp: fmax/fmin (not fmaxnm/fminnm) so that NaN propagates.
      "cbz %[clamp], 8f\n"
      "ld1r {v0.4s}, [%[lo]]\n"
      "ld1r {v1.4s}, [%[hi]]\n"
      AC_ROWS(AC_CLAMP_ROW)
      "8:\n"
      AC_ROWS(AC_STORE_ROW)
      "sub %[ct], %[ct], %[rewind]\n"
      "subs %[tiles], %[tiles], #1\n"
      "b.ne 0b\n"
      : [b] "+r"(b), [ct] "+r"(ct), [tiles] "+r"(tiles), [ap] "=&r"(ap), [bp] "=&r"(bp),
        [cl] "=&r"(cl), [n16] "=&r"(n16), [n4] "=&r"(n4), [n1] "=&r"(n1)
      : [a] "r"(a), [k16] "r"(k16), [k4] "r"(k4), [k1] "r"(k1), [ldt] "r"(ldt_bytes),
        [rewind] "r"(rewind),
        [bias] "r"(bias3), [accumulate] "r"(accumulate), [clamp] "r"(clamp), [lo] "r"(lohi),
        [hi] "r"(lohi + 1)
      : "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10",
        "v11", "v12", "v13", "v14", "v15", "v16", "v17", "v18", "v19", "v20", "v21", "v22",
        "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31");
}

// A narrow edge tile, 8 x 4*NV (NV = 1, 2) from the first NV q registers of
// a 12-column panel: the last panel of a row of tiles often has only 4 or 8
// valid columns, and a full 8x12 tile would spend 2/3 or 1/3 of its FMLAs on
// zero padding. Few registers are live here, so intrinsics compile well.
// `t` is an 8 x 12 stack tile (read when accumulating, written at the end).
template <int NV>
void tile_8xv(size_t kc, const float* a, const float* b, float* t, const float* bias,
              bool accumulate, bool clamp, float lo, float hi) {
  // e<r><j>: row r, columns 4j..4j+3 (named registers: arrays of vectors
  // indexed in loops are not always kept in registers by GCC 12).
  float32x4_t e00, e10, e20, e30, e40, e50, e60, e70;
  float32x4_t e01, e11, e21, e31, e41, e51, e61, e71;
#define E_ROWS(OP) OP(0) OP(1) OP(2) OP(3) OP(4) OP(5) OP(6) OP(7)
#define E_INIT(r)                                                                   \
  e##r##0 = accumulate ? vld1q_f32(t + r * kNR) : vdupq_n_f32(bias[r]);             \
  e##r##1 = NV > 1 && accumulate ? vld1q_f32(t + r * kNR + 4) : vdupq_n_f32(bias[r]);
  E_ROWS(E_INIT)
#undef E_INIT
  for (size_t k = 0; k < kc; k++, a += kMR, b += kNR) {
    const float32x4_t a_lo = vld1q_f32(a), a_hi = vld1q_f32(a + 4);
    const float32x4_t b0 = vld1q_f32(b);
#define E_FMA(r, j, bj) e##r##j = vfmaq_laneq_f32(e##r##j, bj, r < 4 ? a_lo : a_hi, r & 3);
#define E_FMA0(r) E_FMA(r, 0, b0)
    E_ROWS(E_FMA0)
    if (NV > 1) {
      const float32x4_t b1 = vld1q_f32(b + 4);
#define E_FMA1(r) E_FMA(r, 1, b1)
      E_ROWS(E_FMA1)
    }
  }
  const float32x4_t vlo = vdupq_n_f32(lo), vhi = vdupq_n_f32(hi);
  // FMAX/FMIN propagate NaN, like the generic twin's comparisons.
#define E_STORE(r)                                                                   \
  if (clamp) e##r##0 = vminq_f32(vmaxq_f32(e##r##0, vlo), vhi);                      \
  vst1q_f32(t + r * kNR, e##r##0);                                                   \
  if (NV > 1) {                                                                      \
    if (clamp) e##r##1 = vminq_f32(vmaxq_f32(e##r##1, vlo), vhi);                    \
    vst1q_f32(t + r * kNR + 4, e##r##1);                                             \
  }
  E_ROWS(E_STORE)
#undef E_STORE
#undef E_FMA
#undef E_FMA0
#undef E_FMA1
#undef E_ROWS
}

// A very narrow edge tile, 8 x NC (NC = 1..3), with the roles of A and B
// swapped: accumulator d[h][j] holds rows 4h..4h+3 of column j, so a k-step is
// one 8-float A load, one 4-float B load (columns 0-3 of the panel row; the
// 12-column panel always has them) and 2*NC `fmla d, a, b.s[j]`. A 1-column
// tail (Winograd: 25 tiles = 12 + 12 + 1) thus costs ~4.5 instructions per
// k-step instead of the 8x4 tile's 11 plus a stack tile. Reads and writes the
// m x NC valid outputs of C directly, element by element (once per call).
template <int NC>
void tile_8xn_t(size_t kc, const float* a, const float* b, float* c, size_t ldc, size_t m,
                const float* bias, bool accumulate, bool clamp, float lo, float hi) {
  float32x4_t d0[NC], d1[NC];
  for (int j = 0; j < NC; j++) {
    float t[kMR];
    for (size_t r = 0; r < kMR; r++) t[r] = accumulate && r < m ? c[r * ldc + j] : bias[r];
    d0[j] = vld1q_f32(t);
    d1[j] = vld1q_f32(t + 4);
  }
  // (Indices are written `j % NC` so that the branches NC does not take still
  // index inside the arrays.)
  auto step = [&](const float* ak, const float* bk) {
    const float32x4_t a0 = vld1q_f32(ak), a1 = vld1q_f32(ak + 4), b0 = vld1q_f32(bk);
    d0[0] = vfmaq_laneq_f32(d0[0], a0, b0, 0);
    d1[0] = vfmaq_laneq_f32(d1[0], a1, b0, 0);
    if (NC > 1) {
      d0[1 % NC] = vfmaq_laneq_f32(d0[1 % NC], a0, b0, 1);
      d1[1 % NC] = vfmaq_laneq_f32(d1[1 % NC], a1, b0, 1);
    }
    if (NC > 2) {
      d0[2 % NC] = vfmaq_laneq_f32(d0[2 % NC], a0, b0, 2);
      d1[2 % NC] = vfmaq_laneq_f32(d1[2 % NC], a1, b0, 2);
    }
  };
  size_t k = 0;
  for (; k + 4 <= kc; k += 4, a += 4 * kMR, b += 4 * kNR) {
    step(a, b);
    step(a + kMR, b + kNR);
    step(a + 2 * kMR, b + 2 * kNR);
    step(a + 3 * kMR, b + 3 * kNR);
  }
  for (; k < kc; k++, a += kMR, b += kNR) step(a, b);
  const float32x4_t vlo = vdupq_n_f32(lo), vhi = vdupq_n_f32(hi);
  for (int j = 0; j < NC; j++) {
    if (clamp) {
      d0[j] = vminq_f32(vmaxq_f32(d0[j], vlo), vhi);
      d1[j] = vminq_f32(vmaxq_f32(d1[j], vlo), vhi);
    }
    float t[kMR];
    vst1q_f32(t, d0[j]);
    vst1q_f32(t + 4, d1[j]);
    for (size_t r = 0; r < m; r++) c[r * ldc + j] = t[r];
  }
}

// The micro-kernel entry: one A panel times the n / 12 B panels that follow
// each other in `b`. Full tiles run as one strip (register saves, bias set-up
// and loop set-up paid once per call); a partial tile (m < 8 or the last
// n % 12 columns) goes through a stack tile, copied from / to the valid part
// of C, so that nothing outside the m x n outputs is touched.
void ukernel_8x12(size_t kc, const float* a, const float* b, float* c, size_t ldc, size_t m,
                  size_t n, const float* bias, unsigned flags, float lo, float hi) {
  float bias3[3 * kMR];
  for (size_t r = 0; r < kMR; r++) bias3[3 * r] = bias3[3 * r + 1] = bias3[3 * r + 2] = bias[r];
  const float lohi[2] = {lo, hi};
  const size_t accumulate = flags & kAccumulate, clamp = flags & kClamp;
  const size_t full = m == kMR ? n / kNR : 0;
  if (full) tiles_8x12(full, kc, a, b, c, ldc, bias3, accumulate, clamp, lohi);
  for (size_t q = full * kNR; q < n; q += kNR) {
    const size_t cols = std::min(kNR, n - q);
    const float* bq = b + q * kc;
    if (cols <= 3) {
      if (cols == 1) tile_8xn_t<1>(kc, a, bq, c + q, ldc, m, bias, accumulate, clamp, lo, hi);
      if (cols == 2) tile_8xn_t<2>(kc, a, bq, c + q, ldc, m, bias, accumulate, clamp, lo, hi);
      if (cols == 3) tile_8xn_t<3>(kc, a, bq, c + q, ldc, m, bias, accumulate, clamp, lo, hi);
      continue;
    }
    float tile[kMR * kNR] = {};
    if (accumulate) tile_from_c(tile, c + q, ldc, m, cols);
    if (cols <= 4)
      tile_8xv<1>(kc, a, bq, tile, bias, accumulate, clamp, lo, hi);
    else if (cols <= 8)
      tile_8xv<2>(kc, a, bq, tile, bias, accumulate, clamp, lo, hi);
    else
      tiles_8x12(1, kc, a, bq, tile, kNR, bias3, accumulate, clamp, lohi);
    tile_to_c(tile, c + q, ldc, m, cols);
  }
}
#undef AC_BODY4_AB
#undef AC_FMLA
#undef AC_COL
#undef AC_COL_REGS
#undef AC_COL_0
#undef AC_COL_1
#undef AC_COL_2
#undef AC_ROWS
#undef AC_LOAD_ROW
#undef AC_STORE_ROW
#undef AC_CLAMP_ROW
#undef AC_DUP_ROW

#else
// ---------------------------------------------------------------------------
// armv7 6x8 micro-kernel.
//
// One inline-assembly block for a strip of full tiles (init, k-loop, clamp,
// store, next tile). Written with vmlaq_lane_f32, GCC 12 keeps A in q
// registers and moves the lanes the scalar operand needs into d registers
// (2 vmov per k-step), and a 2-k unroll spills; the block needs no moves.
//
// Registers: q4-q15 the accumulators, c[r][j] = q(4 + 2r + j) (row r = output
// channel r, pixels 4j..4j+3), so row r is d(8+4r)-d(11+4r) and moves to or
// from C with one vld1/vst1 of 4 d registers; d0-d2 A (the 6 rows of a
// k-step: d0[0], d0[1], d1[0], ... d2[1]; the scalar operand of vmla.f32 by
// scalar must be in d0-d15), q2-q3 (d4-d7) B (8 pixels). A k-step is 2 loads
// and 12 vmla.f32 (48 MACs in 14 instructions):
//   vld1.32 {d0-d2}, [a]!        vld1.32 {d4-d7}, [b]!
//   vmla.f32 q4, q2, d0[0]       vmla.f32 q5, q3, d0[0]      (row 0)
//   ...                          vmla.f32 q15, q3, d2[1]     (row 5)
// and the loop runs 8 k-steps per iteration (112 + 2 instructions, 3.37 MACs
// per instruction; llvm-mca: 105 cycles per iteration on cortex-a15 and 48 on
// cortex-a57 (the A72's model), against their vmla bounds of 96 and 48; the
// intrinsics loop ran 2.1 MACs per instruction). Only d3 is left, so no operand of the next k-step is
// loaded before the current one is done; out-of-order cores (A15, A72) rename
// the registers, so the next loads do not wait for the vmla that read them.
#define AC32_KSTEP                                                              \
  "vld1.32 {d0-d2}, [%[a]]!\n"                                                  \
  "vld1.32 {d4-d7}, [%[b]]!\n"                                                  \
  "vmla.f32 q4, q2, d0[0]\n vmla.f32 q5, q3, d0[0]\n"                           \
  "vmla.f32 q6, q2, d0[1]\n vmla.f32 q7, q3, d0[1]\n"                           \
  "vmla.f32 q8, q2, d1[0]\n vmla.f32 q9, q3, d1[0]\n"                           \
  "vmla.f32 q10, q2, d1[1]\n vmla.f32 q11, q3, d1[1]\n"                         \
  "vmla.f32 q12, q2, d2[0]\n vmla.f32 q13, q3, d2[0]\n"                         \
  "vmla.f32 q14, q2, d2[1]\n vmla.f32 q15, q3, d2[1]\n"
// The 6 rows of the tile: their d-register lists and q registers.
#define AC32_ROWS(OP)                                                           \
  OP("d8-d11", "q4", "q5") OP("d12-d15", "q6", "q7") OP("d16-d19", "q8", "q9")  \
  OP("d20-d23", "q10", "q11") OP("d24-d27", "q12", "q13")                       \
  OP("d28-d31", "q14", "q15")
// Row loads/stores step by %[n] = the C row stride in bytes.
#define AC32_LOAD_ROW(d, x, y) "vld1.32 {" d "}, [%[ct]], %[n]\n"
#define AC32_STORE_ROW(d, x, y) "vst1.32 {" d "}, [%[ct]], %[n]\n"
// Clamp: vmax/vmin (not vmaxnm/vminnm) so that NaN propagates, matching the
// generic twin's comparisons. q0 = lo, q1 = hi.
#define AC32_CLAMP_ROW(d, x, y)                                                 \
  "vmax.f32 " x ", " x ", q0\n vmin.f32 " x ", " x ", q1\n"                     \
  "vmax.f32 " y ", " y ", q0\n vmin.f32 " y ", " y ", q1\n"
// ct -= 6 rows (n: scratch).
#define AC32_REWIND_ROWS                                                        \
  "ldr %[n], [%[args], %[o_ldt]]\n"                                             \
  "add %[n], %[n], %[n], lsl #1\n"                                              \
  "sub %[ct], %[ct], %[n], lsl #1\n"

// What a strip of tiles reads from memory rather than from registers: GCC
// at -O0 in Thumb-2 code finds only 7 general registers for an asm block,
// and the block uses 6 (tiles, a, b, ct, args, and n for the loop counter
// and scratch). So it keeps no copies of its start pointers either: it
// rewinds A by kc k-steps and C by 6 rows.
struct Tile6x8Args {
  float bias[6];    // row r starts from bias[r] (unless kAccumulate)
  float lo, hi;     // the clamp (kClamp)
  size_t flags;     // kAccumulate | kClamp
  size_t ldt_bytes; // C row stride
  size_t kc;        // k-steps, >= 1
};

// `tiles` 6x8 tiles over args.kc k-steps: tile t reads the A panel `a` and
// the B panel that follows the previous one (panels are consecutive, so `b`
// runs on), and writes C columns [8t, 8t + 8) of `ct` (C itself or a stack
// tile).
inline void tiles_6x8(size_t tiles, const float* a, const float* b, float* ct,
                      const Tile6x8Args& args) {
  size_t n;  // loop counter and scratch
  asm volatile(
      "0:\n"
      // Accumulators from C, or from the bias (row r = bias[r] in every lane).
      "ldr %[n], [%[args], %[o_flags]]\n"
      "tst %[n], %[acc]\n"
      "beq 1f\n"
      "ldr %[n], [%[args], %[o_ldt]]\n"
      AC32_ROWS(AC32_LOAD_ROW)
      AC32_REWIND_ROWS
      "b 2f\n"
      "1:\n"
      "vld1.32 {d0-d2}, [%[args]]\n"
      "vdup.32 q4, d0[0]\n vdup.32 q5, d0[0]\n vdup.32 q6, d0[1]\n vdup.32 q7, d0[1]\n"
      "vdup.32 q8, d1[0]\n vdup.32 q9, d1[0]\n vdup.32 q10, d1[1]\n vdup.32 q11, d1[1]\n"
      "vdup.32 q12, d2[0]\n vdup.32 q13, d2[0]\n vdup.32 q14, d2[1]\n vdup.32 q15, d2[1]\n"
      "2:\n"
      "ldr %[n], [%[args], %[o_kc]]\n"
      "lsrs %[n], %[n], #3\n"
      "beq 4f\n"
      "3:\n"  // eight k-steps
      AC32_KSTEP AC32_KSTEP AC32_KSTEP AC32_KSTEP
      AC32_KSTEP AC32_KSTEP AC32_KSTEP AC32_KSTEP
      "subs %[n], %[n], #1\n"
      "bne 3b\n"
      "4:\n"
      "ldr %[n], [%[args], %[o_kc]]\n"
      "ands %[n], %[n], #7\n"
      "beq 6f\n"
      "5:\n"  // one k-step
      AC32_KSTEP
      "subs %[n], %[n], #1\n"
      "bne 5b\n"
      "6:\n"
      // Back to the start of the A panel: a -= 24 * kc bytes.
      "ldr %[n], [%[args], %[o_kc]]\n"
      "add %[n], %[n], %[n], lsl #1\n"
      "sub %[a], %[a], %[n], lsl #3\n"
      "ldr %[n], [%[args], %[o_flags]]\n"
      "tst %[n], %[clamp]\n"
      "beq 7f\n"
      "vldr d4, [%[args], %[o_lo]]\n"
      "vdup.32 q0, d4[0]\n"
      "vdup.32 q1, d4[1]\n"
      AC32_ROWS(AC32_CLAMP_ROW)
      "7:\n"
      "ldr %[n], [%[args], %[o_ldt]]\n"
      AC32_ROWS(AC32_STORE_ROW)
      // On to the next tile's 8 columns.
      AC32_REWIND_ROWS
      "add %[ct], %[ct], #32\n"
      "subs %[tiles], %[tiles], #1\n"
      "bne 0b\n"
      : [tiles] "+r"(tiles), [a] "+r"(a), [b] "+r"(b), [ct] "+r"(ct), [n] "=&r"(n)
      : [args] "r"(&args), [acc] "I"(kAccumulate), [clamp] "I"(kClamp),
        [o_lo] "I"(offsetof(Tile6x8Args, lo)), [o_flags] "I"(offsetof(Tile6x8Args, flags)),
        [o_ldt] "I"(offsetof(Tile6x8Args, ldt_bytes)), [o_kc] "I"(offsetof(Tile6x8Args, kc))
      : "cc", "memory", "d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9", "d10",
        "d11", "d12", "d13", "d14", "d15", "d16", "d17", "d18", "d19", "d20", "d21", "d22",
        "d23", "d24", "d25", "d26", "d27", "d28", "d29", "d30", "d31");
}

// The micro-kernel entry: one A panel times the B panels that follow each
// other in `b`. Full tiles (6 valid rows, 8 valid columns) go to C as one
// strip; a partial tile is computed whole in a stack tile, of which only the
// m x n valid part is read from and written to C.
void ukernel_6x8(size_t kc, const float* a, const float* b, float* c, size_t ldc, size_t m,
                 size_t n, const float* bias, unsigned flags, float lo, float hi) {
  Tile6x8Args args;
  std::memcpy(args.bias, bias, sizeof(args.bias));
  args.lo = lo;
  args.hi = hi;
  args.flags = flags;
  args.ldt_bytes = ldc * sizeof(float);
  args.kc = kc;
  const size_t full = m == kMR ? n / kNR : 0;
  if (full) tiles_6x8(full, a, b, c, args);
  if (full * kNR < n) {
    args.ldt_bytes = kNR * sizeof(float);
    for (size_t q = full * kNR; q < n; q += kNR) {
      const size_t cols = std::min(kNR, n - q);
      float tile[kMR * kNR];
      if (flags & kAccumulate) {
        std::memset(tile, 0, sizeof(tile));
        tile_from_c(tile, c + q, ldc, m, cols);
      }
      tiles_6x8(1, a, b + q * kc, tile, args);
      tile_to_c(tile, c + q, ldc, m, cols);
    }
  }
}
#undef AC32_KSTEP
#undef AC32_ROWS
#undef AC32_LOAD_ROW
#undef AC32_STORE_ROW
#undef AC32_CLAMP_ROW
#undef AC32_REWIND_ROWS
#endif

// ---------------------------------------------------------------------------
// Packers (shared by both ISAs; MR/NR from the tile above).

// A: MR-row panels, k-major (core/sgemm.h). Full panels read MR rows side by
// side, 4 k at a time, and transpose 4x4 blocks in registers; the ragged
// edges are copied element by element. Runs once per layer.
void pack_a(size_t m, size_t k, const float* a, size_t lda, float* dst) {
  for (size_t p = 0; p < m; p += kMR) {
    const size_t rows = std::min(kMR, m - p);
    const float* ap = a + p * lda;
    size_t kk = 0;
    if (rows == kMR) {
      for (; kk + 4 <= k; kk += 4) {
        // Rows r..r+3 x columns kk..kk+3 -> 4 k-groups of (r..r+3).
        for (size_t r = 0; r + 4 <= kMR; r += 4) {
          const float32x4_t x0 = vld1q_f32(ap + (r + 0) * lda + kk);
          const float32x4_t x1 = vld1q_f32(ap + (r + 1) * lda + kk);
          const float32x4_t x2 = vld1q_f32(ap + (r + 2) * lda + kk);
          const float32x4_t x3 = vld1q_f32(ap + (r + 3) * lda + kk);
          const float32x4x2_t t01 = vtrnq_f32(x0, x1);  // (00 10 02 12), (01 11 03 13)
          const float32x4x2_t t23 = vtrnq_f32(x2, x3);  // (20 30 22 32), (21 31 23 33)
          float* d = dst + kk * kMR + r;
          vst1q_f32(d + 0 * kMR, vcombine_f32(vget_low_f32(t01.val[0]), vget_low_f32(t23.val[0])));
          vst1q_f32(d + 1 * kMR, vcombine_f32(vget_low_f32(t01.val[1]), vget_low_f32(t23.val[1])));
          vst1q_f32(d + 2 * kMR, vcombine_f32(vget_high_f32(t01.val[0]), vget_high_f32(t23.val[0])));
          vst1q_f32(d + 3 * kMR, vcombine_f32(vget_high_f32(t01.val[1]), vget_high_f32(t23.val[1])));
        }
        for (size_t r = kMR / 4 * 4; r < kMR; r++)  // armv7: rows 4, 5 of a 6-row panel
          for (size_t i = 0; i < 4; i++) dst[(kk + i) * kMR + r] = ap[r * lda + kk + i];
      }
    }
    for (; kk < k; kk++)
      for (size_t r = 0; r < kMR; r++) dst[kk * kMR + r] = r < rows ? ap[r * lda + kk] : 0.0f;
    dst += kMR * k;
  }
}

// Copies NR floats (a whole panel row): one ld1/st1 {3 regs} on aarch64.
inline void copy_nr(float* d, const float* s) {
#if defined(__aarch64__)
  vst1q_f32_x3(d, vld1q_f32_x3(s));
#else
  for (size_t j = 0; j < kNR; j += 4) vst1q_f32(d + j, vld1q_f32(s + j));
#endif
}
inline void zero_nr(float* d) {
  const float32x4_t z = vdupq_n_f32(0.0f);
  for (size_t j = 0; j < kNR; j += 4) vst1q_f32(d + j, z);
}

// B (dense): NR-column panels. A full panel is one NR-float copy per k; the
// last, partial panel copies `cols` floats and zero-fills the rest (no read
// past column nc).
void pack_b(size_t kc, size_t nc, const float* b, size_t ldb, float* dst) {
  size_t q = 0;
  for (; q + kNR <= nc; q += kNR) {
    const float* s = b + q;
    size_t kk = 0;
    for (; kk + 4 <= kc; kk += 4) {
      copy_nr(dst, s);
      copy_nr(dst + kNR, s + ldb);
      copy_nr(dst + 2 * kNR, s + 2 * ldb);
      copy_nr(dst + 3 * kNR, s + 3 * ldb);
      dst += 4 * kNR;
      s += 4 * ldb;
    }
    for (; kk < kc; kk++) {
      copy_nr(dst, s);
      dst += kNR;
      s += ldb;
    }
  }
  if (q < nc) {
    const size_t cols = nc - q;
    for (size_t kk = 0; kk < kc; kk++) {
      zero_nr(dst);
      std::memcpy(dst, b + kk * ldb + q, cols * sizeof(float));
      dst += kNR;
    }
  }
}

// im2col into NR-column panels, written straight into the panels (the full
// im2col matrix never exists).
//
// Which pixels of a row k = (c, ky, kx) read the image, and from where,
// depends only on the kernel tap (ky, kx), not on the channel c: for each
// output row (run of pixels) of the block, the valid pixels form one interval,
// read from one input row with stride sw. So for each tap the packer zeroes
// its rows if the tap reads any padding in this block, then walks the output
// rows, cuts each valid
// interval at panel boundaries into pieces of at most NR columns, and copies
// each piece for every channel of the block: the geometry is resolved once
// per (tap, piece), and the channel loop only steps the source by one plane
// and the destination by `taps` panel rows.

// d[t] = s[t * S] for t < count, reading only s[0 .. (count-1)*S]
// (S = 0: the stride is `stride`, given at run time).
template <size_t S>
inline void copy_strided(float* d, const float* s, size_t count, size_t stride) {
  size_t t = 0;
  if (S == 1 && count >= 4) {
    for (; t + 4 <= count; t += 4) vst1q_f32(d + t, vld1q_f32(s + t));
    if (t < count) vst1q_f32(d + count - 4, vld1q_f32(s + count - 4));  // overlapping tail
    return;
  }
  if (S == 2 && count >= 5) {
    // vld2 reads s[2t .. 2t+7] for 4 outputs: safe while 2t+7 <= 2(count-1),
    // i.e. t+4 < count.
    for (; t + 4 < count; t += 4) vst1q_f32(d + t, vld2q_f32(s + 2 * t).val[0]);
    // The last 4: the odd lanes of s[2count-9 .. 2count-2] (overlapping).
    const float* e = s + 2 * count - 9;
    vst1q_f32(d + count - 4, vuzpq_f32(vld1q_f32(e), vld1q_f32(e + 4)).val[1]);
    return;
  }
  const size_t step = S ? S : stride;
  if (S) {
    switch (count) {  // short pieces, straight-line
      case 4: d[3] = s[3 * step]; [[fallthrough]];
      case 3: d[2] = s[2 * step]; [[fallthrough]];
      case 2: d[1] = s[step]; [[fallthrough]];
      case 1: d[0] = s[0]; return;
      default: break;
    }
  }
  for (; t < count; t++) d[t] = s[t * step];
}

// A whole panel row (NR pixels) with stride S.
template <size_t S>
inline void copy_row(float* d, const float* s, size_t stride) {
  if (S == 1) {
    copy_nr(d, s);
  } else if (S == 2) {
    // NR/4 groups of 4 even elements: vld2 of s[8i .. 8i+7]; the last group
    // takes the odd lanes of s[8i-1 .. 8i+6] so that nothing past s[2(NR-1)]
    // is read.
    for (size_t i = 0; i + 1 < kNR / 4; i++) vst1q_f32(d + 4 * i, vld2q_f32(s + 8 * i).val[0]);
    const float* e = s + 2 * kNR - 9;
    vst1q_f32(d + kNR - 4, vuzpq_f32(vld1q_f32(e), vld1q_f32(e + 4)).val[1]);
  } else {
    copy_strided<0>(d, s, kNR, stride);
  }
}

// Groups of 4 pixels with stride 2 via vld2, which also reads the odd element
// after the last pixel: only where that element is inside the image.
template <size_t G>
inline void copy_groups_s2(float* d, const float* s) {
  for (size_t i = 0; i < G; i++) vst1q_f32(d + 4 * i, vld2q_f32(s + 8 * i).val[0]);
}

// One piece (count pixels, stride S) for `channels` channels: the source steps
// by one plane, the destination by `dstep` floats (taps panel rows).
// `overread_ok`: the float after the piece's last source pixel is inside the
// image (not the end of the last row), so vld2 may touch it.
template <size_t S>
void copy_piece(float* d, const float* s, size_t count, size_t stride, size_t channels,
                size_t dstep, size_t plane, bool overread_ok) {
  if (S == 2 && overread_ok && count % 4 == 0) {
    switch (count / 4) {
      case 1:
        for (size_t ch = 0; ch < channels; ch++, d += dstep, s += plane) copy_groups_s2<1>(d, s);
        return;
      case 2:
        for (size_t ch = 0; ch < channels; ch++, d += dstep, s += plane) copy_groups_s2<2>(d, s);
        return;
      case 3:
        for (size_t ch = 0; ch < channels; ch++, d += dstep, s += plane) copy_groups_s2<3>(d, s);
        return;
      default:
        break;
    }
  }
  if (count == kNR) {
    size_t ch = channels;
    for (; ch >= 2; ch -= 2, d += 2 * dstep, s += 2 * plane) {
      copy_row<S>(d, s, stride);
      copy_row<S>(d + dstep, s + plane, stride);
    }
    if (ch) copy_row<S>(d, s, stride);
  } else {
    for (size_t ch = 0; ch < channels; ch++, d += dstep, s += plane)
      copy_strided<S>(d, s, count, stride);
  }
}

template <size_t S>
void pack_im2col_s(const Im2colGeom& g, size_t k0, size_t kc, size_t n0, size_t nc, float* dst) {
  const size_t taps = g.kh * g.kw, plane = g.h * g.w;
  const size_t panel = kNR * kc;  // floats per panel of the block
  const ptrdiff_t sw = ptrdiff_t(g.sw), w = ptrdiff_t(g.w);
  // Columns past nc in the last panel are zero in every row.
  if (nc % kNR) {
    float* d = dst + nc / kNR * panel;
    for (size_t kk = 0; kk < kc; kk++, d += kNR) zero_nr(d);
  }
  for (size_t tap = 0; tap < taps; tap++) {
    // Channels c whose row k = c*taps + tap is in the block [k0, k0 + kc).
    const size_t c_begin = k0 <= tap ? 0 : (k0 - tap + taps - 1) / taps;
    const size_t c_end = k0 + kc <= tap ? 0 : (k0 + kc - tap + taps - 1) / taps;
    if (c_begin >= c_end) continue;
    const size_t channels = c_end - c_begin;
    const size_t kk0 = c_begin * taps + tap - k0;  // its first row in the block
    const size_t ky = tap / g.kw, kx = tap % g.kw;
    // Output columns ox whose input column ix = ox*sw + off is in [0, w).
    const ptrdiff_t off = ptrdiff_t(kx * g.dw) - g.pad_left;
    const ptrdiff_t ox_lo = off >= 0 ? 0 : (-off + sw - 1) / sw;
    const ptrdiff_t ox_hi =
        off >= w ? 0 : std::min<ptrdiff_t>(ptrdiff_t(g.wo), (w - off + sw - 1) / sw);
    const float* x0 = g.x + c_begin * plane;
    float* d0 = dst + kk0 * kNR;
    // Zero this tap's rows first if any of its pixels in the block reads
    // padding (top/bottom rows or left/right columns).
    const size_t oy_first = n0 / g.wo, oy_last = (n0 + nc - 1) / g.wo;
    const ptrdiff_t iy_first = ptrdiff_t(oy_first * g.sh + ky * g.dh) - g.pad_top;
    const ptrdiff_t iy_last = ptrdiff_t(oy_last * g.sh + ky * g.dh) - g.pad_top;
    const bool cols_pad = ox_lo > 0 || ox_hi < ptrdiff_t(g.wo);
    if (cols_pad || iy_first < 0 || iy_last >= ptrdiff_t(g.h)) {
      for (size_t p = 0; p < nc; p += kNR) {
        float* d = d0 + p * kc;
        for (size_t ch = 0; ch < channels; ch++, d += taps * kNR) zero_nr(d);
      }
    }
    size_t oy = n0 / g.wo, ox = n0 % g.wo;
    for (size_t j = 0; j < nc; oy++, ox = 0) {
      const size_t run = std::min(g.wo - ox, nc - j);
      const ptrdiff_t iy = ptrdiff_t(oy * g.sh + ky * g.dh) - g.pad_top;
      const ptrdiff_t a = std::max<ptrdiff_t>(ptrdiff_t(ox), ox_lo);
      const ptrdiff_t b = std::min<ptrdiff_t>(ptrdiff_t(ox + run), ox_hi);
      if (iy >= 0 && iy < ptrdiff_t(g.h) && a < b) {
        // Valid pixels a .. b-1 of this output row: block columns from jv on,
        // cut at panel boundaries into pieces; piece pixels a+t .. a+t+n-1.
        const size_t jv = j + size_t(a) - ox, cnt = size_t(b - a);
        const float* s = x0 + iy * w + a * sw + off;
        for (size_t t = 0; t < cnt;) {
          const size_t jj = jv + t, n = std::min(cnt - t, kNR - jj % kNR);
          // The float after the piece's last source pixel is in the image if
          // there is a next input row, or if the piece ends before the row.
          const ptrdiff_t ix_after = (a + ptrdiff_t(t + n - 1)) * sw + off + 1;
          const bool overread_ok = iy + 1 < ptrdiff_t(g.h) || ix_after < w;
          copy_piece<S>(d0 + jj / kNR * panel + jj % kNR, s + t * g.sw, n, g.sw, channels,
                        taps * kNR, plane, overread_ok);
          t += n;
        }
      }
      j += run;
    }
  }
}

void pack_im2col(const Im2colGeom& g, size_t k0, size_t kc, size_t n0, size_t nc, float* dst) {
  if (g.sw == 1)
    pack_im2col_s<1>(g, k0, kc, n0, nc, dst);
  else if (g.sw == 2)
    pack_im2col_s<2>(g, k0, kc, n0, nc, dst);
  else
    pack_im2col_s<0>(g, k0, kc, n0, nc, dst);
}

}  // namespace

const SgemmKernels& sgemm_neon_kernels() {
#if defined(__aarch64__)
  static const SgemmKernels k = {"neon-a64-8x12", kMR, kNR, ukernel_8x12, pack_a, pack_b,
                                 pack_im2col};
#else
  static const SgemmKernels k = {"neon-a32-6x8", kMR, kNR, ukernel_6x8, pack_a, pack_b,
                                 pack_im2col};
#endif
  return k;
}

}  // namespace detail
}  // namespace armconv

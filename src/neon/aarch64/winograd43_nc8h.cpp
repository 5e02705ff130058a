// NEON fp16 Winograd F(4x4, 3x3) output transforms on the points {0,
// +-2/3, +-3/2, inf}, aarch64 (winograd43-aarch64-nc8h; contract:
// core/winograd.h, WinoF16Kernels; matrices B^T, G, A^T there, "F(4,3)h").
// fp32 arithmetic (fused multiply-adds by element) and conversions only
// (FCVTN for binary16 outputs; Armv8.0): a baseline unit, not an fp16
// extension unit; it runs only where dispatch.cpp chose the fp16 Winograd
// (after the fp16 check). The input side (nc8 binary16 staging, the input
// transform in binary16 arithmetic) is the fp16 unit
// winograd43_in_fp16.cpp, which completes the table. Twin:
// generic/winograd_f16.cpp, bit for bit: the assembly below runs the
// operations of wino::F43h::output_1d (core/winograd_kernels.h) in the same
// order, each rounded the same way (keep them in step).
//
// The 1-D output transform (m: 6 inputs, y = A^T m), with a = 2/3, b = 3/2
// (constants rounded to fp32):
//
//   A^T = [ 1  b^2  b^2   a    a   0 ]       with s1 = m1 + m2, d1 = m1 - m2,
//         [ 0   b   -b    1   -1   0 ]            s3 = m3 + m4, d3 = m3 - m4:
//         [ 0   1    1    b    b   0 ]         y0 = (m0 + b^2 s1) + a s3
//         [ 0   a   -a   b^2 -b^2  1 ]         y1 = d3 + b d1,  y2 = s1 + b s3
//                                              y3 = (m5 + a d1) + b^2 d3
//   (10 operations, no copies)
//
// One inline-assembly block per tile, built as the fp32 F(4,3)'s
// (neon/aarch64/winograd43_nc4.cpp): two 1-D transforms side by side, the
// column pass through a stack buffer whose layout lets the row pass load
// each 1-D input as contiguous vectors. Counted per call (bench/bench_fp16.cpp,
// fp16_wino43h_out_x400, cortex-a76): 258 per tile and 4 channels.
// Output tiles of fewer than 4 channels take the template (the same
// operations in intrinsics, so the same bits). Only caller-saved vector
// registers.
#include <arm_neon.h>

#include <cstddef>

#include "core/winograd.h"
#include "core/winograd_kernels.h"
// (its Ops and assembly macros; its nc4 staging is unused here: the input
// side is winograd43_in_fp16.cpp's)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "neon/winograd.h"
#pragma GCC diagnostic pop

namespace armconv {
namespace detail {
namespace {

// ---- output: Y = A^T M A for 4 channels, float32 or binary16 ------------------------
//
// One 1-D transform (wino::F43h::output_1d): m0..m5 in M0..M5, fresh
// temporaries S, Y; d1 goes to M2, s3 to M3; constants in P (lanes a, b,
// b^2: kOut43hConstValues). Results: y0 = M0, y1 = Y, y2 = S, y3 = M5.
#define H43_OUT_1D(M0, M1, M2, M3, M4, M5, S, Y, P)                                    \
  WA_FADD(S, M1, M2)    /* s1 = m1 + m2 */                                            \
  WA_FSUB(M2, M1, M2)   /* d1 = m1 - m2 */                                            \
  WA_FSUB(Y, M3, M4)    /* d3 = m3 - m4 */                                            \
  WA_FADD(M3, M3, M4)   /* s3 = m3 + m4 */                                            \
  WA_FMLA(M0, S, P, 2)  /* y0 = (m0 + b^2 s1) + a s3 */                               \
  WA_FMLA(M0, M3, P, 0)                                                               \
  WA_FMLA(M5, M2, P, 0) /* y3 = (m5 + a d1) + b^2 d3 */                               \
  WA_FMLA(M5, Y, P, 2)                                                                \
  WA_FMLA(Y, M2, P, 1)  /* y1 = d3 + b d1 */                                          \
  WA_FMLA(S, M3, P, 1)  /* y2 = s1 + b s3 */

// Column pass on columns j (transform A: m in v16-v21, S v22, Y v23)
// and j + 1 (B: m in v1-v6, S v7, Y v24); constants v28.
// Position (i, j) is loaded through pointer s<i> (src + 6 i src_pos, stepped
// by src_pos); output row a of columns j, j + 1 goes to f + 96 a + 16 j
// (f[a][j], f[a][j + 1]) in one stp.
#define H43_OUT_LDR(m, i) "ld1 {v" #m ".4s}, [%[s" #i "]], %[spos]\n"
#define H43_OUT_STP(a, b, A, J) "stp q" #a ", q" #b ", [%[f], #(" #A " * 96 + " #J " * 16)]\n"
#define H43_OUT_COLS(J)                                                               \
  H43_OUT_LDR(16, 0) H43_OUT_LDR(1, 0) H43_OUT_LDR(17, 1) H43_OUT_LDR(2, 1)           \
  H43_OUT_LDR(18, 2) H43_OUT_LDR(3, 2) H43_OUT_LDR(19, 3) H43_OUT_LDR(4, 3)           \
  H43_OUT_LDR(20, 4) H43_OUT_LDR(5, 4) H43_OUT_LDR(21, 5) H43_OUT_LDR(6, 5)           \
  H43_OUT_1D(16, 17, 18, 19, 20, 21, 22, 23, 28)                                      \
  H43_OUT_1D(1, 2, 3, 4, 5, 6, 7, 24, 28)                                             \
  H43_OUT_STP(16, 1, 0, J) H43_OUT_STP(23, 24, 1, J) H43_OUT_STP(22, 7, 2, J)         \
  H43_OUT_STP(21, 6, 3, J)
#define H43_COLUMNS H43_OUT_COLS(0) H43_OUT_COLS(2) H43_OUT_COLS(4)

// Row pass on row a of f (%[f] post-incremented): m0 to v20, m1..m4 to
// v16-v19, m5 to v23, so that y0 (m0), y1 (Y = v21), y2 (S = v22), y3 (m5)
// are v20-v23 and channel l's `cols` pixels are one st<cols> of lane l of
// v20.. to o<l> = dst + l dst_ch, which then steps to the next row (adv).
// Binary16 outputs: the 4 vectors rounded first (FCVTN in place), the same
// lane stores on .h lanes.
#define H43_OUT_ROW_Y(CLAMP)                                                          \
  "ld1 {v20.4s}, [%[f]], #16\n"                                                       \
  "ld1 {v16.4s, v17.4s, v18.4s, v19.4s}, [%[f]], #64\n"                               \
  "ld1 {v23.4s}, [%[f]], #16\n"                                                       \
  H43_OUT_1D(20, 16, 17, 18, 19, 23, 22, 21, 28)                                      \
  CLAMP
#define H43_CVT4                                                                      \
  "fcvtn v20.4h, v20.4s\n fcvtn v21.4h, v21.4s\n"                                     \
  "fcvtn v22.4h, v22.4s\n fcvtn v23.4h, v23.4s\n"
#define H43_ST1(T, l) "st1 {v20." #T "}[" #l "], [%[o" #l "]], %[adv]\n"
#define H43_ST2(T, l) "st2 {v20." #T ", v21." #T "}[" #l "], [%[o" #l "]], %[adv]\n"
#define H43_ST3(T, l) "st3 {v20." #T ", v21." #T ", v22." #T "}[" #l "], [%[o" #l "]], %[adv]\n"
#define H43_ST4(T, l) "st4 {v20." #T ", v21." #T ", v22." #T ", v23." #T "}[" #l "], [%[o" #l "]], %[adv]\n"
#define H43_STORE(N, T) H43_ST##N(T, 0) H43_ST##N(T, 1) H43_ST##N(T, 2) H43_ST##N(T, 3)
// max(y, lo) then min(., hi) as the template (NaN propagates): lo, hi in v4, v5.
#define H43_CLAMP_LO WA_FMAX(20, 20, 4) WA_FMAX(21, 21, 4) WA_FMAX(22, 22, 4) WA_FMAX(23, 23, 4)
#define H43_CLAMP_HI WA_FMIN(20, 20, 5) WA_FMIN(21, 21, 5) WA_FMIN(22, 22, 5) WA_FMIN(23, 23, 5)
// Full tiles: 4 rows unrolled; CVT is "" (float32) or H43_CVT4 (binary16),
// T the lane type (s or h).
// After each quad of channels: M's next 4 channels (s0 back by the 6
// columns it stepped, + 16 bytes), the output's next 4 channel planes.
#define H43_QUAD_NEXT                                                                 \
  "sub %[s0], %[s0], %[s6]\n"                                                         \
  "add %[s0], %[s0], #16\n"                                                           \
  "add %[ob], %[ob], %[ch], lsl #2\n"                                                 \
  "subs %[q], %[q], #1\n"                                                             \
  "b.ne 8b\n"
#define H43_FULL(CVT, T, CLAMP_SETUP, CLAMP)                                          \
  H43_COLUMNS CLAMP_SETUP                                                             \
  H43_OUT_ROW_Y(CLAMP) CVT H43_STORE(4, T) H43_OUT_ROW_Y(CLAMP) CVT H43_STORE(4, T)   \
  H43_OUT_ROW_Y(CLAMP) CVT H43_STORE(4, T) H43_OUT_ROW_Y(CLAMP) CVT H43_STORE(4, T)   \
  H43_QUAD_NEXT
#define H43_FULL_F(CLAMP_SETUP, CLAMP) H43_FULL("", s, CLAMP_SETUP, CLAMP)
#define H43_FULL_H(CLAMP_SETUP, CLAMP) H43_FULL(H43_CVT4, h, CLAMP_SETUP, CLAMP)
// Edge tiles: `rows` rows of `cols` pixels, one row loop per column count
// (label N0 for N columns), chosen by at most 2 compares per tile.
#define H43_EDGE_LOOP(N, CVT, T, CLAMP)                                               \
  #N "0:\n"                                                                           \
  H43_OUT_ROW_Y(CLAMP) CVT H43_STORE(N, T)                                            \
  "subs %[rows], %[rows], #1\n"                                                       \
  "b.ne " #N "0b\n"
#define H43_EDGE(CVT, T, CLAMP_SETUP, CLAMP)                                          \
  H43_COLUMNS CLAMP_SETUP                                                             \
  "cmp %[cols], #2\n"                                                                 \
  "b.eq 20f\n"                                                                        \
  "b.lo 10f\n"                                                                        \
  "cmp %[cols], #3\n"                                                                 \
  "b.eq 30f\n"                                                                        \
  H43_EDGE_LOOP(4, CVT, T, CLAMP) "b 9f\n"                                            \
  H43_EDGE_LOOP(3, CVT, T, CLAMP) "b 9f\n"                                            \
  H43_EDGE_LOOP(2, CVT, T, CLAMP) "b 9f\n"                                            \
  H43_EDGE_LOOP(1, CVT, T, CLAMP)                                                     \
  "9:\n"                                                                              \
  H43_QUAD_NEXT
#define H43_EDGE_F(CLAMP_SETUP, CLAMP) H43_EDGE("", s, CLAMP_SETUP, CLAMP)
#define H43_EDGE_H(CLAMP_SETUP, CLAMP) H43_EDGE(H43_CVT4, h, CLAMP_SETUP, CLAMP)
#define H43_LOHI "ld2r {v4.4s, v5.4s}, [%[lohi]]\n"
#define H43_OUT_SETUP                                                                 \
  "ld1 {v28.4s}, [%[c]]\n"                                                            \
  "8:\n" /* per quad of channels */                                                   \
  "mov %[f], %[fb]\n"                                                                 \
  "mov %[o0], %[ob]\n"                                                                \
  "mov %[rows], %[rows0]\n"                                                           \
  "add %[s1], %[s0], %[s6]\n"                                                         \
  "add %[s2], %[s1], %[s6]\n"                                                         \
  "add %[s3], %[s2], %[s6]\n"                                                         \
  "add %[s4], %[s3], %[s6]\n"                                                         \
  "add %[s5], %[s4], %[s6]\n"                                                         \
  "add %[o1], %[o0], %[ch]\n"                                                         \
  "add %[o2], %[o1], %[ch]\n"                                                         \
  "add %[o3], %[o2], %[ch]\n"
#define H43_OUT_OPERANDS                                                              \
  : [s0] "+r"(s0), [s1] "=&r"(s1), [s2] "=&r"(s2), [s3] "=&r"(s3), [s4] "=&r"(s4),    \
    [s5] "=&r"(s5), [f] "=&r"(fp), [o0] "=&r"(o0), [o1] "=&r"(o1), [o2] "=&r"(o2),    \
    [o3] "=&r"(o3), [rows] "=&r"(rows_left), [ob] "+r"(ob), [q] "+r"(quads)           \
  : [spos] "r"(src_pos * sizeof(float)), [s6] "r"(6 * src_pos * sizeof(float)),       \
    [ch] "r"(dst_ch * sizeof(Y)), [adv] "r"(dst_row * sizeof(Y)),                     \
    [c] "r"(wino::kOut43hConstValues), [lohi] "r"(lohi), [cols] "r"(cols),            \
    [fb] "r"(&f[0][0][0]), [rows0] "r"(rows)                                          \
  : "memory", "cc", WA_VCLOBBER
#define H43_OUT_ASM(BODY) \
  WA_ASM_PER_CLAMP(H43_OUT_SETUP, BODY, H43_LOHI, H43_CLAMP_LO, H43_CLAMP_HI, H43_OUT_OPERANDS)

// Output transforms of `quads` quads of channels (4 each) to Y = float
// (float32 image) or Half (binary16), full (4x4) or edge tiles, per clamp
// mode, one assembly block: per quad 12 x 10 arithmetic + 36 ld1 + 12 stp
// (column pass), per row 3 ld1 + 10 (+ 4 per bound, + 4 FCVTN for
// binary16) + 4 st4 (row pass), + 16 to step to the next quad.
template <class Y, bool Full, int Clamp>
void output_h_a64(const float* src, size_t src_pos, Y* dst, size_t rows, size_t cols, size_t dst_ch,
                  size_t dst_row, float lo, float hi, size_t quads) {
  alignas(16) float f[4][6][4];  // column pass output: f[a][j]
  const float lohi[2] = {lo, hi};
  float* fp;
  const float* s0 = src;
  Y* o0;
  Y* ob = dst;
  size_t s1, s2, s3, s4, s5, o1, o2, o3, rows_left;
  if constexpr (sizeof(Y) == sizeof(Half)) {
    if (Full) {
      H43_OUT_ASM(H43_FULL_H)
    } else {
      H43_OUT_ASM(H43_EDGE_H)
    }
  } else {
    if (Full) {
      H43_OUT_ASM(H43_FULL_F)
    } else {
      H43_OUT_ASM(H43_EDGE_F)
    }
  }
}

// ---- full tiles, two quads (8 channels) at a time ------------------------------------
//
// The same operations as above on quads A (channels 0-3 of the pair) and B
// (4-7) side by side, so that each position's 8 channels are one ld1 of 2
// registers (18 loads per quad in the column pass instead of 36):
//   column pass, column j: position i of A and B to v(16 + 2i), v(17 + 2i)
//     (A: m = v16, v18, .., v26, S v3, Y v4; B: v17, .., v27, S v5, Y v6;
//     constants v0), output row a of A and B to f + 192 a + 32 j (one stp);
//   row pass, row a: f's 12 vectors to v16-v27 by 3 ld1 of 4 (A's m_j in
//     v(16 + 2j), B's in v(17 + 2j)); A's y1, y2 in v4, v5 and y0, y3 moved
//     to v3, v6; B's y1, y2 in v29, v30, y0, y3 moved to v28, v31; channel
//     l of A is one st4 of lane l of v3-v6 to o<l>, of B of v28-v31 to
//     o<4 + l>; lo, hi (clamps) in v1, v2.
#define H2_STP(a, b, A, J) "stp q" #a ", q" #b ", [%[f], #(" #A " * 192 + " #J " * 32)]\n"
#define H2_OUT_COL(J)                                                                 \
  "ld1 {v16.4s, v17.4s}, [%[s0]], %[spos]\n"                                         \
  "ld1 {v18.4s, v19.4s}, [%[s1]], %[spos]\n"                                         \
  "ld1 {v20.4s, v21.4s}, [%[s2]], %[spos]\n"                                         \
  "ld1 {v22.4s, v23.4s}, [%[s3]], %[spos]\n"                                         \
  "ld1 {v24.4s, v25.4s}, [%[s4]], %[spos]\n"                                         \
  "ld1 {v26.4s, v27.4s}, [%[s5]], %[spos]\n"                                         \
  H43_OUT_1D(16, 18, 20, 22, 24, 26, 3, 4, 0)                                         \
  H43_OUT_1D(17, 19, 21, 23, 25, 27, 5, 6, 0)                                         \
  H2_STP(16, 17, 0, J) H2_STP(4, 6, 1, J) H2_STP(3, 5, 2, J) H2_STP(26, 27, 3, J)
#define H2_COLUMNS H2_OUT_COL(0) H2_OUT_COL(1) H2_OUT_COL(2) H2_OUT_COL(3) H2_OUT_COL(4) H2_OUT_COL(5)
#define H2_ROW(CLAMP, CVT, T)                                                         \
  "ld1 {v16.4s, v17.4s, v18.4s, v19.4s}, [%[f]], #64\n"                              \
  "ld1 {v20.4s, v21.4s, v22.4s, v23.4s}, [%[f]], #64\n"                              \
  "ld1 {v24.4s, v25.4s, v26.4s, v27.4s}, [%[f]], #64\n"                              \
  H43_OUT_1D(16, 18, 20, 22, 24, 26, 5, 4, 0)                                         \
  H43_OUT_1D(17, 19, 21, 23, 25, 27, 30, 29, 0)                                       \
  "mov v3.16b, v16.16b\n mov v6.16b, v26.16b\n"                                      \
  "mov v28.16b, v17.16b\n mov v31.16b, v27.16b\n"                                    \
  CLAMP CVT                                                                           \
  H2_ST4(T, 3, 0, 0) H2_ST4(T, 3, 1, 1) H2_ST4(T, 3, 2, 2) H2_ST4(T, 3, 3, 3)         \
  H2_ST4(T, 28, 0, 4) H2_ST4(T, 28, 1, 5) H2_ST4(T, 28, 2, 6) H2_ST4(T, 28, 3, 7)
#define H2_ST4(T, R, l, o) H2_ST4_(T, R, l, o)
#define H2_ST4_(T, R, l, o) "st4 {v" #R "." #T ", v" H2_NEXT##R "." #T ", v" H2_NEXT2##R "." #T ", v" H2_NEXT3##R "." #T "}[" #l "], [%[o" #o "]], %[adv]\n"
#define H2_NEXT3 "4"
#define H2_NEXT23 "5"
#define H2_NEXT33 "6"
#define H2_NEXT28 "29"
#define H2_NEXT228 "30"
#define H2_NEXT328 "31"
#define H2_CLAMP_LO                                                                   \
  WA_FMAX(3, 3, 1) WA_FMAX(4, 4, 1) WA_FMAX(5, 5, 1) WA_FMAX(6, 6, 1)                 \
  WA_FMAX(28, 28, 1) WA_FMAX(29, 29, 1) WA_FMAX(30, 30, 1) WA_FMAX(31, 31, 1)
#define H2_CLAMP_HI                                                                   \
  WA_FMIN(3, 3, 2) WA_FMIN(4, 4, 2) WA_FMIN(5, 5, 2) WA_FMIN(6, 6, 2)                 \
  WA_FMIN(28, 28, 2) WA_FMIN(29, 29, 2) WA_FMIN(30, 30, 2) WA_FMIN(31, 31, 2)
#define H2_CVT8                                                                       \
  "fcvtn v3.4h, v3.4s\n fcvtn v4.4h, v4.4s\n fcvtn v5.4h, v5.4s\n fcvtn v6.4h, v6.4s\n" \
  "fcvtn v28.4h, v28.4s\n fcvtn v29.4h, v29.4s\n fcvtn v30.4h, v30.4s\n fcvtn v31.4h, v31.4s\n"
#define H2_BODY(CVT, T, CLAMP_SETUP, CLAMP)                                           \
  "8:\n" /* per pair of quads */                                                      \
  "mov %[f], %[fb]\n"                                                                 \
  "add %[s1], %[s0], %[s6]\n"                                                         \
  "add %[s2], %[s1], %[s6]\n"                                                         \
  "add %[s3], %[s2], %[s6]\n"                                                         \
  "add %[s4], %[s3], %[s6]\n"                                                         \
  "add %[s5], %[s4], %[s6]\n"                                                         \
  "mov %[o0], %[ob]\n"                                                                \
  "add %[o1], %[o0], %[ch]\n"                                                         \
  "add %[o2], %[o1], %[ch]\n"                                                         \
  "add %[o3], %[o2], %[ch]\n"                                                         \
  "add %[o4], %[o3], %[ch]\n"                                                         \
  "add %[o5], %[o4], %[ch]\n"                                                         \
  "add %[o6], %[o5], %[ch]\n"                                                         \
  "add %[o7], %[o6], %[ch]\n"                                                         \
  H2_COLUMNS CLAMP_SETUP                                                              \
  H2_ROW(CLAMP, CVT, T) H2_ROW(CLAMP, CVT, T) H2_ROW(CLAMP, CVT, T) H2_ROW(CLAMP, CVT, T) \
  "sub %[s0], %[s0], %[s6]\n"                                                         \
  "add %[s0], %[s0], #32\n"                                                           \
  "add %[ob], %[ob], %[ch], lsl #3\n"                                                 \
  "subs %[q], %[q], #1\n"                                                             \
  "b.ne 8b\n"
#define H2_BODY_F(CLAMP_SETUP, CLAMP) H2_BODY("", s, CLAMP_SETUP, CLAMP)
#define H2_BODY_H(CLAMP_SETUP, CLAMP) H2_BODY(H2_CVT8, h, CLAMP_SETUP, CLAMP)
#define H2_LOHI "ld2r {v1.4s, v2.4s}, [%[lohi]]\n"
#define H2_OPERANDS                                                                   \
  : [s0] "+r"(s0), [s1] "=&r"(s1), [s2] "=&r"(s2), [s3] "=&r"(s3), [s4] "=&r"(s4),    \
    [s5] "=&r"(s5), [f] "=&r"(fp), [o0] "=&r"(o0), [o1] "=&r"(o1), [o2] "=&r"(o2),    \
    [o3] "=&r"(o3), [o4] "=&r"(o4), [o5] "=&r"(o5), [o6] "=&r"(o6), [o7] "=&r"(o7),   \
    [ob] "+r"(ob), [q] "+r"(pairs)                                                    \
  : [spos] "r"(src_pos * sizeof(float)), [s6] "r"(6 * src_pos * sizeof(float)),       \
    [ch] "r"(dst_ch * sizeof(Y)), [adv] "r"(dst_row * sizeof(Y)),                     \
    [lohi] "r"(lohi), [fb] "r"(&f[0][0][0]), [c] "r"(wino::kOut43hConstValues)        \
  : "memory", "cc", WA_VCLOBBER
#define H2_ASM(BODY) \
  WA_ASM_PER_CLAMP("ld1 {v0.4s}, [%[c]]\n", BODY, H2_LOHI, H2_CLAMP_LO, H2_CLAMP_HI, H2_OPERANDS)

// Full 4x4 tiles of `pairs` pairs of quads (8 channels each): per pair
// 12 x 20 arithmetic + 36 ld1 + 24 stp (column pass), per row 3 ld1 + 20 +
// 4 mov (+ 8 per bound, + 8 FCVTN for binary16) + 8 st4, + 23 per pair.
template <class Y, int Clamp>
void output_h2_a64(const float* src, size_t src_pos, Y* dst, size_t dst_ch, size_t dst_row, float lo, float hi,
                   size_t pairs) {
  alignas(16) float f[4][6][2][4];  // column pass output: f[a][j][quad]
  const float lohi[2] = {lo, hi};
  float* fp;
  const float* s0 = src;
  Y* ob = dst;
  size_t s1, s2, s3, s4, s5, o0, o1, o2, o3, o4, o5, o6, o7;
  if constexpr (sizeof(Y) == sizeof(Half)) {
    H2_ASM(H2_BODY_H)
  } else {
    H2_ASM(H2_BODY_F)
  }
}

template <class Y>
using Out2Fn = void (*)(const float*, size_t, Y*, size_t, size_t, float, float, size_t);
template <class Y>
constexpr Out2Fn<Y> kOutput2[4] = {output_h2_a64<Y, kClampNone>, output_h2_a64<Y, kClampLo>,
                                   output_h2_a64<Y, kClampHi>, output_h2_a64<Y, kClampBoth>};

template <class Y>
using OutFn = void (*)(const float*, size_t, Y*, size_t, size_t, size_t, size_t, float, float, size_t);
template <class Y>
constexpr OutFn<Y> kOutput[2][4] = {
    {output_h_a64<Y, true, kClampNone>, output_h_a64<Y, true, kClampLo>, output_h_a64<Y, true, kClampHi>,
     output_h_a64<Y, true, kClampBoth>},
    {output_h_a64<Y, false, kClampNone>, output_h_a64<Y, false, kClampLo>, output_h_a64<Y, false, kClampHi>,
     output_h_a64<Y, false, kClampBoth>}};

// wino_output_fn (Y = float, Tile = WinoOutTile) / wino_output_h_fn (Half,
// WinoOutTileH), up to 16 channels (core/winograd.h, fp16 F(4,3)): full
// tiles of a multiple of 8 channels by the paired assembly (a tail call),
// the rest by output_mixed.
template <class Y, class Tile>
__attribute__((noinline)) void output_mixed(const float* src, size_t src_pos, const Tile& ot, size_t nch,
                                            size_t dst_ch, size_t dst_row, bool clamp, float lo, float hi) {
  // Edge tiles, or full ones with 4 channels more than a multiple of 8: the
  // single-quad assembly; a last quad of 1..3 channels: the template.
  const bool edge = ot.rows != 4 || ot.cols != 4;
  const int cm = clamp_mode(clamp, lo, hi);
  size_t q0 = 0;
  if (!edge && nch >= 8) {
    kOutput2<Y>[cm](src, src_pos, ot.dst, dst_ch, dst_row, lo, hi, nch / 8);
    q0 = 2 * (nch / 8);
  }
  const size_t quads = nch / 4 - q0;
  if (quads)
    kOutput<Y>[edge][cm](src + 4 * q0, src_pos, ot.dst + 4 * q0 * dst_ch, ot.rows, ot.cols, dst_ch, dst_row, lo, hi,
                         quads);
  const size_t done = 4 * (q0 + quads);
  if (nch > done)
    wino::output_tile<Ops, wino::F43h, Tile>(src + done, src_pos, Tile{ot.dst + done * dst_ch, ot.rows, ot.cols},
                                             nch - done, dst_ch, dst_row, clamp, lo, hi);
}

template <class Y, class Tile>
void output_tile_a64(const float* src, size_t src_pos, const Tile& ot, size_t nch, size_t dst_ch, size_t dst_row,
                     bool clamp, float lo, float hi) {
  if (ot.rows == 4 && ot.cols == 4 && nch % 8 == 0)
    return kOutput2<Y>[clamp_mode(clamp, lo, hi)](src, src_pos, ot.dst, dst_ch, dst_row, lo, hi, nch / 8);
  output_mixed<Y, Tile>(src, src_pos, ot, nch, dst_ch, dst_row, clamp, lo, hi);
}

#undef H43_OUT_1D
#undef H43_OUT_LDR
#undef H43_OUT_STP
#undef H43_OUT_COLS
#undef H43_COLUMNS
#undef H43_OUT_ROW_Y
#undef H43_CVT4
#undef H43_ST1
#undef H43_ST2
#undef H43_ST3
#undef H43_ST4
#undef H43_STORE
#undef H43_CLAMP_LO
#undef H43_CLAMP_HI
#undef H43_QUAD_NEXT
#undef H2_STP
#undef H2_OUT_COL
#undef H2_COLUMNS
#undef H2_ROW
#undef H2_ST4
#undef H2_ST4_
#undef H2_CLAMP_LO
#undef H2_CLAMP_HI
#undef H2_CVT8
#undef H2_BODY
#undef H2_BODY_F
#undef H2_BODY_H
#undef H2_LOHI
#undef H2_OPERANDS
#undef H2_ASM
#undef H2_NEXT3
#undef H2_NEXT23
#undef H2_NEXT33
#undef H2_NEXT28
#undef H2_NEXT228
#undef H2_NEXT328
#undef H43_FULL
#undef H43_FULL_F
#undef H43_FULL_H
#undef H43_EDGE_LOOP
#undef H43_EDGE
#undef H43_EDGE_F
#undef H43_EDGE_H
#undef H43_LOHI
#undef H43_OUT_SETUP
#undef H43_OUT_OPERANDS
#undef H43_OUT_ASM

}  // namespace

// The output half of the table; the fp16 unit winograd43_in_fp16.cpp
// completes it (wino43_f16_neon_kernels) with the binary16 input side.
const WinoF16Kernels& wino43_f16_neon_outputs() {
  static const WinoF16Kernels k = {"winograd43-aarch64-nc8h", 4, nullptr, nullptr, nullptr,
                                   output_tile_a64<float, WinoOutTile>, output_tile_a64<Half, WinoOutTileH>};
  return k;
}

}  // namespace detail
}  // namespace armconv

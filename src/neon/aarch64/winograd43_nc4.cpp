// NEON Winograd F(4x4, 3x3) transforms, aarch64 (winograd43-aarch64-nc4:
// one tile of 4 channels per call). Shared parts: neon/winograd.h and
// neon/winograd43.h (the 1-D transforms in assembly text).
//
// Both transforms of a tile run as one inline-assembly block each, as
// F(6,3)'s (neon/aarch64/winograd63_nc4.cpp, where the reasons are written
// down): per tile x 4 channels about 245 and 200 instructions against 377
// and 393 for the compiled template (GCC 12). Two 1-D transforms run side
// by side so that their outputs for the same position are adjacent in the
// stack buffer between the passes (stp), and the other pass reads each 1-D
// input as contiguous vectors. Output tiles of fewer than 4 channels take
// the template. Only caller-saved vector registers (v0-v7, v16-v31) are used.
#include <arm_neon.h>

#include <cstddef>

#include "core/winograd.h"
#include "core/winograd_kernels.h"
#include "neon/winograd43.h"

namespace armconv {
namespace detail {
namespace {

// Input, row pass on patch rows R, R + 1 (A: d in v16-v21, temporaries
// v22-v26; B: d in v1-v6, temporaries v7, v27-v30; constants v0). A row is 6
// contiguous vectors (ld1 {4 regs} + ld1 {2 regs}; %[src] then steps to the
// next row by rs = row bytes - 64). Output t_j of row r goes to e + 96 j +
// 16 r (e[j][r]), so rows R and R + 1 pair up in one stp. Result registers
// (W43_IN_1D): A t0..t5 = v22, v24, v25, v26, v17, v21; B = v7, v28, v29,
// v30, v2, v6.
#define W4_IN_STP(a, b, J, R) "stp q" #a ", q" #b ", [%[e], #(" #J " * 96 + " #R " * 16)]\n"
#define W4_IN_ROWS(R)                                                                 \
  "ld1 {v16.4s, v17.4s, v18.4s, v19.4s}, [%[src]], #64\n"                             \
  "ld1 {v20.4s, v21.4s}, [%[src]], %[rs]\n"                                           \
  "ld1 {v1.4s, v2.4s, v3.4s, v4.4s}, [%[src]], #64\n"                                 \
  "ld1 {v5.4s, v6.4s}, [%[src]], %[rs]\n"                                             \
  W43_IN_1D(16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 0)                            \
  W43_IN_1D(1, 2, 3, 4, 5, 6, 7, 27, 28, 29, 30, 0)                                   \
  W4_IN_STP(22, 7, 0, R) W4_IN_STP(24, 28, 1, R) W4_IN_STP(25, 29, 2, R)              \
  W4_IN_STP(26, 30, 3, R) W4_IN_STP(17, 2, 4, R) W4_IN_STP(21, 6, 5, R)

// Input, column pass on columns j, j + 1 of e (12 contiguous vectors, %[e]
// post-incremented): position (i, j) goes to dst + (6 i + j) dst_pos
// through pointer d<i>, which steps by dst_pos per column.
#define W4_IN_ST(t, i) "st1 {v" #t ".4s}, [%[d" #i "]], %[dp]\n"
#define W4_IN_ST6(t0, t1, t2, t3, t4, t5)                                             \
  W4_IN_ST(t0, 0) W4_IN_ST(t1, 1) W4_IN_ST(t2, 2) W4_IN_ST(t3, 3) W4_IN_ST(t4, 4)      \
  W4_IN_ST(t5, 5)
#define W4_IN_COLS                                                                    \
  "ld1 {v16.4s, v17.4s, v18.4s, v19.4s}, [%[e]], #64\n"                               \
  "ld1 {v20.4s, v21.4s}, [%[e]], #32\n"                                               \
  "ld1 {v1.4s, v2.4s, v3.4s, v4.4s}, [%[e]], #64\n"                                   \
  "ld1 {v5.4s, v6.4s}, [%[e]], #32\n"                                                 \
  W43_IN_1D(16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 0)                            \
  W43_IN_1D(1, 2, 3, 4, 5, 6, 7, 27, 28, 29, 30, 0)                                   \
  W4_IN_ST6(22, 24, 25, 26, 17, 21)                                                   \
  W4_IN_ST6(7, 28, 29, 30, 2, 6)

// wino_input_fn: 12 x 13 arithmetic + 6 x 2 ld1 (patch) + 18 stp / 12 ld1
// (round trip through e) + 36 st1 (results) + set-up.
void input_tile_a64(const float* src, size_t src_row, float* dst, size_t dst_pos) {
  alignas(16) float e[6][6][4];  // e[j][r]: row pass output, column j of row r
  float* ep = &e[0][0][0];
  const size_t s6 = 6 * dst_pos;
  float* d0 = dst;
  float* d1 = d0 + s6;
  float* d2 = d1 + s6;
  float* d3 = d2 + s6;
  float* d4 = d3 + s6;
  float* d5 = d4 + s6;
  asm volatile(
      "ld1 {v0.4s}, [%[c]]\n"
      W4_IN_ROWS(0) W4_IN_ROWS(2) W4_IN_ROWS(4)
      W4_IN_COLS W4_IN_COLS W4_IN_COLS
      : [src] "+r"(src), [e] "+r"(ep), [d0] "+r"(d0), [d1] "+r"(d1), [d2] "+r"(d2), [d3] "+r"(d3),
        [d4] "+r"(d4), [d5] "+r"(d5)
      : [rs] "r"((src_row - 16) * sizeof(float)), [dp] "r"(dst_pos * sizeof(float)),
        [c] "r"(wino::kIn43ConstValues)
      : "memory", WA_VCLOBBER);
}

// Output, column pass on columns j, j + 1 (A: m in v16-v21, temporaries
// v22-v25; B: m in v1-v6, temporaries v7, v26-v28; constants v0): position
// (i, j) is loaded through pointer s<i> (src + 6 i src_pos, stepped by
// src_pos); output row a of columns j, j + 1 goes to f + 96 a + 16 j
// (f[a][j], f[a][j + 1]) in one stp. Results (W43_OUT_1D): A y0..y3 = v16,
// v22, v23, v21; B = v1, v7, v26, v6.
#define W4_OUT_LDR(m, i) "ld1 {v" #m ".4s}, [%[s" #i "]], %[spos]\n"
#define W4_OUT_STP(a, b, A, J) "stp q" #a ", q" #b ", [%[f], #(" #A " * 96 + " #J " * 16)]\n"
#define W4_OUT_COLS(J)                                                                \
  W4_OUT_LDR(16, 0) W4_OUT_LDR(1, 0) W4_OUT_LDR(17, 1) W4_OUT_LDR(2, 1)               \
  W4_OUT_LDR(18, 2) W4_OUT_LDR(3, 2) W4_OUT_LDR(19, 3) W4_OUT_LDR(4, 3)               \
  W4_OUT_LDR(20, 4) W4_OUT_LDR(5, 4) W4_OUT_LDR(21, 5) W4_OUT_LDR(6, 5)               \
  W43_OUT_1D(16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 0)                               \
  W43_OUT_1D(1, 2, 3, 4, 5, 6, 7, 26, 27, 28, 0)                                      \
  W4_OUT_STP(16, 1, 0, J) W4_OUT_STP(22, 7, 1, J) W4_OUT_STP(23, 26, 2, J)            \
  W4_OUT_STP(21, 6, 3, J)

// Output, row pass on row a of f (%[f] post-incremented): m0 to v20, m1..m4
// to v16-v19, m5 to v23, so that y0..y3 land in v20-v23 and channel l's
// `cols` pixels are one st<cols> of lane l of v20.. to o<l> = dst + l
// dst_ch, which then steps to the next row (adv).
#define W4_OUT_ROW_Y(CLAMP)                                                           \
  "ld1 {v20.4s}, [%[f]], #16\n"                                                       \
  "ld1 {v16.4s, v17.4s, v18.4s, v19.4s}, [%[f]], #64\n"                               \
  "ld1 {v23.4s}, [%[f]], #16\n"                                                       \
  W43_OUT_1D(20, 16, 17, 18, 19, 23, 21, 22, 24, 25, 0)                               \
  CLAMP
#define W4_ST1(l) "st1 {v20.s}[" #l "], [%[o" #l "]], %[adv]\n"
#define W4_ST2(l) "st2 {v20.s, v21.s}[" #l "], [%[o" #l "]], %[adv]\n"
#define W4_ST3(l) "st3 {v20.s, v21.s, v22.s}[" #l "], [%[o" #l "]], %[adv]\n"
#define W4_ST4(l) "st4 {v20.s, v21.s, v22.s, v23.s}[" #l "], [%[o" #l "]], %[adv]\n"
#define W4_OUT_ROW(CLAMP) W4_OUT_ROW_Y(CLAMP) W4_ST4(0) W4_ST4(1) W4_ST4(2) W4_ST4(3)
// max(y, lo) then min(., hi) as the generic path (NaN propagates): lo, hi in
// v4, v5.
#define W4_CLAMP_LO WA_FMAX(20, 20, 4) WA_FMAX(21, 21, 4) WA_FMAX(22, 22, 4) WA_FMAX(23, 23, 4)
#define W4_CLAMP_HI WA_FMIN(20, 20, 5) WA_FMIN(21, 21, 5) WA_FMIN(22, 22, 5) WA_FMIN(23, 23, 5)
#define W4_COLUMNS W4_OUT_COLS(0) W4_OUT_COLS(2) W4_OUT_COLS(4)
// Full tile: 4 rows unrolled.
#define W4_FULL_BODY(CLAMP_SETUP, CLAMP)                                              \
  W4_COLUMNS CLAMP_SETUP                                                              \
  W4_OUT_ROW(CLAMP) W4_OUT_ROW(CLAMP) W4_OUT_ROW(CLAMP) W4_OUT_ROW(CLAMP)
// Edge tile: `rows` rows of `cols` pixels, one row loop per column count
// (label N0 for N columns), chosen by at most 2 compares per tile.
#define W4_EDGE_LOOP(N, CLAMP)                                                        \
  #N "0:\n"                                                                           \
  W4_OUT_ROW_Y(CLAMP) W4_ST##N(0) W4_ST##N(1) W4_ST##N(2) W4_ST##N(3)                 \
  "subs %[rows], %[rows], #1\n"                                                       \
  "b.ne " #N "0b\n"
#define W4_EDGE_BODY(CLAMP_SETUP, CLAMP)                                              \
  W4_COLUMNS CLAMP_SETUP                                                              \
  "cmp %[cols], #2\n"                                                                 \
  "b.eq 20f\n"                                                                        \
  "b.lo 10f\n"                                                                        \
  "cmp %[cols], #3\n"                                                                 \
  "b.eq 30f\n"                                                                        \
  W4_EDGE_LOOP(4, CLAMP) "b 9f\n"                                                     \
  W4_EDGE_LOOP(3, CLAMP) "b 9f\n"                                                     \
  W4_EDGE_LOOP(2, CLAMP) "b 9f\n"                                                     \
  W4_EDGE_LOOP(1, CLAMP)                                                              \
  "9:\n"
#define W4_LOHI "ld2r {v4.4s, v5.4s}, [%[lohi]]\n"
#define W4_OUT_SETUP                                                                  \
  "ld1 {v0.4s}, [%[c]]\n"                                                             \
  "add %[s1], %[s0], %[s6]\n"                                                         \
  "add %[s2], %[s1], %[s6]\n"                                                         \
  "add %[s3], %[s2], %[s6]\n"                                                         \
  "add %[s4], %[s3], %[s6]\n"                                                         \
  "add %[s5], %[s4], %[s6]\n"                                                         \
  "add %[o1], %[o0], %[ch]\n"                                                         \
  "add %[o2], %[o1], %[ch]\n"                                                         \
  "add %[o3], %[o2], %[ch]\n"
#define W4_OUT_OPERANDS                                                               \
  : [s0] "+r"(s0), [s1] "=&r"(s1), [s2] "=&r"(s2), [s3] "=&r"(s3), [s4] "=&r"(s4),    \
    [s5] "=&r"(s5), [f] "+r"(fp), [o0] "+r"(o0), [o1] "=&r"(o1), [o2] "=&r"(o2),      \
    [o3] "=&r"(o3), [rows] "+r"(rows)                                                 \
  : [spos] "r"(src_pos * sizeof(float)), [s6] "r"(6 * src_pos * sizeof(float)),       \
    [ch] "r"(dst_ch * sizeof(float)), [adv] "r"(dst_row * sizeof(float)),             \
    [c] "r"(wino::kOut43ConstValues), [lohi] "r"(lohi), [cols] "r"(ot.cols)           \
  : "memory", "cc", WA_VCLOBBER
#define W4_OUT_ASM(BODY) \
  WA_ASM_PER_CLAMP(W4_OUT_SETUP, BODY, W4_LOHI, W4_CLAMP_LO, W4_CLAMP_HI, W4_OUT_OPERANDS)

// 4-channel output transforms, full (4x4) or edge tiles, per clamp mode:
// 12 x 10 arithmetic + 36 ld1 + 12 stp (column pass), per row 3 ld1 + 10
// (+ 4 per bound) + 4 st4 (row pass), + set-up.
template <bool Full, int Clamp>
void output_a64(const float* src, size_t src_pos, const WinoOutTile& ot, size_t /*nch*/, size_t dst_ch,
                size_t dst_row, bool /*clamp*/, float lo, float hi) {
  alignas(16) float f[4][6][4];  // column pass output: f[a][j]
  const float lohi[2] = {lo, hi};
  float* fp = &f[0][0][0];
  const float* s0 = src;
  float* o0 = ot.dst;
  size_t s1, s2, s3, s4, s5, o1, o2, o3;
  size_t rows = ot.rows;
  if (Full) {
    W4_OUT_ASM(W4_FULL_BODY)
  } else {
    W4_OUT_ASM(W4_EDGE_BODY)
  }
}

constexpr wino_output_fn kOutput[2][4] = WA_OUTPUT_TABLE(output_a64);


#undef W4_IN_STP
#undef W4_IN_ROWS
#undef W4_IN_ST
#undef W4_IN_ST6
#undef W4_IN_COLS
#undef W4_OUT_LDR
#undef W4_OUT_STP
#undef W4_OUT_COLS
#undef W4_OUT_ROW_Y
#undef W4_ST1
#undef W4_ST2
#undef W4_ST3
#undef W4_ST4
#undef W4_OUT_ROW
#undef W4_CLAMP_LO
#undef W4_CLAMP_HI
#undef W4_COLUMNS
#undef W4_FULL_BODY
#undef W4_EDGE_LOOP
#undef W4_EDGE_BODY
#undef W4_LOHI
#undef W4_OUT_SETUP
#undef W4_OUT_OPERANDS
#undef W4_OUT_ASM

}  // namespace

const WinoKernels& wino43_neon_kernels() {
  static const WinoKernels k = {"winograd43-aarch64-nc4", 4, pack_nc4, input_tile_a64,
                                output_tile_4ch<wino::F43, kOutput>};
  return k;
}

}  // namespace detail
}  // namespace armconv

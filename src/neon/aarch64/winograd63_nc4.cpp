// NEON Winograd F(6x6, 3x3) transforms, aarch64 (winograd63-aarch64-nc4:
// one tile of 4 channels per call). Shared parts: neon/winograd.h and
// neon/winograd63.h (the 1-D transforms).
//
// Both transforms of a full tile run as one inline-assembly block each:
// input_tile_a64 / output_tile_a64, per tile x 4 channels about 580 and 480
// instructions against 770 and 800 for the compiled template; edge tiles
// about as a full one. Only output tiles of fewer than 4 channels take
// another path (a full tile to scratch, then its valid part).
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
#include <arm_neon.h>

#include <cstddef>

#include "core/winograd.h"
#include "core/winograd_kernels.h"
#include "neon/winograd63.h"

namespace armconv {
namespace detail {
namespace {

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
#define WA_OUT_ASM(BODY) \
  WA_ASM_PER_CLAMP(WA_OUT_SETUP, BODY, WA_LOHI, WA_CLAMP_LO, WA_CLAMP_HI, WA_OUT_OPERANDS)

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

}  // namespace

const WinoKernels& wino63_neon_kernels() {
  static const WinoKernels k = {"winograd63-aarch64-nc4", 6, pack_nc4, input_tile_a64,
                                output_tile_a64};
  return k;
}

}  // namespace detail
}  // namespace armconv

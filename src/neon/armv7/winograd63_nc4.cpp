// NEON Winograd F(6x6, 3x3) transforms, armv7 (winograd63-armv7-nc4: one
// tile of 4 channels per call). Shared parts, the 1-D transforms included:
// neon/winograd63.h. Per tile x 4 channels about 670 and 590 instructions
// against 1005 and 970 for the compiled template; output tiles of fewer than
// 4 channels take the template.
#include <arm_neon.h>

#include <cstddef>

#include "core/winograd.h"
#include "core/winograd_kernels.h"
#include "neon/winograd63.h"

namespace armconv {
namespace detail {
namespace {

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
// block (see neon/armv7/sgemm_6x8.cpp), so each block takes 6 at most: two
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
#define WB_OUT_ASM(BODY) \
  WA_ASM_PER_CLAMP(, BODY, WB_LOHI, WB_CLAMP_LO, WB_CLAMP_HI, WB_OUT_OPERANDS)


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
    wino::output_tile<Ops, wino::F63>(src, src_pos, ot, nch, dst_ch, dst_row, clamp, lo, hi);
  }
}

}  // namespace

const WinoKernels& wino63_neon_kernels() {
  static const WinoKernels k = {"winograd63-armv7-nc4", 6, pack_nc4, input_tile_a32,
                                output_tile_a32};
  return k;
}

}  // namespace detail
}  // namespace armconv

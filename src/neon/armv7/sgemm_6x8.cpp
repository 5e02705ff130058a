// NEON fp32 GEMM micro-kernel, armv7 (NEON/VFPv4), 6x8 tile
// (sgemm-armv7-6x8); formats and contract: core/gemm.h; packers:
// neon/sgemm_pack.h.
//
// 16 q registers:
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
// Edges: packing zero-pads A rows past M and B columns past N. The last
// panel of an M that is not a multiple of 6 (m < 6 rows) runs a kernel of
// exactly m rows (tiles_6x8<Rows>), in place in C like a full panel; the
// last n % 8 columns of a panel are computed whole in a small stack tile, of
// which only the valid outputs are read from and written to C.
#include <arm_neon.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>

#include "core/gemm.h"
#include "neon/sgemm_pack.h"
#include "neon/sgemv.h"

namespace armconv {
namespace detail {
namespace {

constexpr size_t kMR = 6, kNR = 8;

// ---------------------------------------------------------------------------

// Copies the m x n valid part of a tile between C and a dense MR x NR buffer.
inline void tile_from_c(float* t, const float* c, size_t ldc, size_t m, size_t n) {
  for (size_t r = 0; r < m; r++) std::memcpy(t + r * kNR, c + r * ldc, n * sizeof(float));
}
inline void tile_to_c(const float* t, float* c, size_t ldc, size_t m, size_t n) {
  for (size_t r = 0; r < m; r++) std::memcpy(c + r * ldc, t + r * kNR, n * sizeof(float));
}

// ---------------------------------------------------------------------------
// armv7 6x8 micro-kernel.
//
// One inline-assembly block for a strip of tiles (init, k-loop, clamp,
// store, next tile), of 6 rows or of the m < 6 rows of a last panel. Written with vmlaq_lane_f32, GCC 12 keeps A in q
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

// Row r of the tile (r < Rows, the rows a tiles_6x8<Rows> call computes):
// its d-register list (for C loads/stores), its two q registers, and its A
// lane (the scalar operand).
#define AC32_ROW0(OP) OP("d8-d11", "q4", "q5", "d0[0]")
#define AC32_ROW1(OP) OP("d12-d15", "q6", "q7", "d0[1]")
#define AC32_ROW2(OP) OP("d16-d19", "q8", "q9", "d1[0]")
#define AC32_ROW3(OP) OP("d20-d23", "q10", "q11", "d1[1]")
#define AC32_ROW4(OP) OP("d24-d27", "q12", "q13", "d2[0]")
#define AC32_ROW5(OP) OP("d28-d31", "q14", "q15", "d2[1]")
// OP over rows 0 .. R-1.
#define AC32_ROWS_1(OP) AC32_ROW0(OP)
#define AC32_ROWS_2(OP) AC32_ROWS_1(OP) AC32_ROW1(OP)
#define AC32_ROWS_3(OP) AC32_ROWS_2(OP) AC32_ROW2(OP)
#define AC32_ROWS_4(OP) AC32_ROWS_3(OP) AC32_ROW3(OP)
#define AC32_ROWS_5(OP) AC32_ROWS_4(OP) AC32_ROW4(OP)
#define AC32_ROWS_6(OP) AC32_ROWS_5(OP) AC32_ROW5(OP)
#define AC32_MLA_ROW(d, x, y, s) "vmla.f32 " x ", q2, " s "\n vmla.f32 " y ", q3, " s "\n"
// One k-step of R rows: 2 loads (A: all 6 rows, one instruction whatever R
// is; B: 8 pixels) and 2R vmla.
#define AC32_KSTEP(R)                                                           \
  "vld1.32 {d0-d2}, [%[a]]!\n"                                                  \
  "vld1.32 {d4-d7}, [%[b]]!\n"                                                  \
  AC32_ROWS_##R(AC32_MLA_ROW)
// Row loads/stores step by %[n] = the C row stride in bytes.
#define AC32_LOAD_ROW(d, x, y, s) "vld1.32 {" d "}, [%[ct]], %[n]\n"
#define AC32_STORE_ROW(d, x, y, s) "vst1.32 {" d "}, [%[ct]], %[n]\n"
// Clamp: vmax/vmin (not vmaxnm/vminnm) so that NaN propagates, matching the
// generic twin's comparisons. q0 = lo, q1 = hi.
#define AC32_CLAMP_ROW(d, x, y, s)                                              \
  "vmax.f32 " x ", " x ", q0\n vmin.f32 " x ", " x ", q1\n"                     \
  "vmax.f32 " y ", " y ", q0\n vmin.f32 " y ", " y ", q1\n"
// The lower bound only (ReLU, hi = +inf: vmin against +inf changes no
// value, NaN included).
#define AC32_CLAMP_LO_ROW(d, x, y, s)                                           \
  "vmax.f32 " x ", " x ", q0\n vmax.f32 " y ", " y ", q0\n"
// The clamp of a strip, fixed per call (template Clamp of tiles_6x8):
// 0 none, 1 lower bound only, 2 both; the bounds pre-broadcast in args.
#define AC32_CLAMP_0(R) ""
#define AC32_CLAMP_1(R)                                                         \
  "add %[n], %[args], %[o_lohi]\n vld1.32 {d0-d1}, [%[n]]\n"                   \
  AC32_ROWS_##R(AC32_CLAMP_LO_ROW)
#define AC32_CLAMP_2(R)                                                         \
  "add %[n], %[args], %[o_lohi]\n vld1.32 {d0-d3}, [%[n]]\n"                   \
  AC32_ROWS_##R(AC32_CLAMP_ROW)
// The accumulators of R rows from the bias, pre-broadcast (args.bias8 at
// offset 0 of args: row r = d(8+4r)-d(11+4r) = 8 floats): one vldm of up to
// 16 d registers (13 vdup for 6 rows otherwise). n is scratch.
#define AC32_BIAS_1 "vldmia %[args], {d8-d11}\n"
#define AC32_BIAS_2 "vldmia %[args], {d8-d15}\n"
#define AC32_BIAS_3 "vldmia %[args], {d8-d19}\n"
#define AC32_BIAS_4 "vldmia %[args], {d8-d23}\n"
#define AC32_BIAS_5 AC32_BIAS_4 "add %[n], %[args], #128\n vldmia %[n], {d24-d27}\n"
#define AC32_BIAS_6 AC32_BIAS_4 "add %[n], %[args], #128\n vldmia %[n], {d24-d31}\n"
// ct -= R rows, from n = the row stride (n is scratch afterwards).
#define AC32_REWIND_1 "sub %[ct], %[ct], %[n]\n"
#define AC32_REWIND_2 "sub %[ct], %[ct], %[n], lsl #1\n"
#define AC32_REWIND_3 "add %[n], %[n], %[n], lsl #1\n sub %[ct], %[ct], %[n]\n"
#define AC32_REWIND_4 "sub %[ct], %[ct], %[n], lsl #2\n"
#define AC32_REWIND_5 "add %[n], %[n], %[n], lsl #2\n sub %[ct], %[ct], %[n]\n"
#define AC32_REWIND_6 "add %[n], %[n], %[n], lsl #1\n sub %[ct], %[ct], %[n], lsl #1\n"

// What a strip of tiles reads from memory rather than from registers: GCC
// at -O0 in Thumb-2 code finds only 7 general registers for an asm block,
// and the block uses 6 (tiles, a, b, ct, args, and n for the loop counter
// and scratch). So it keeps no copies of its start pointers either: it
// rewinds A by kc k-steps and C by the rows it loaded.
struct Tile6x8Args {
  float bias8[6 * 8];  // row r starts from bias[r] (unless kAccumulate), 8 times
  float lohi[8];    // the clamp (kLastK): lo 4 times, hi 4 times (q0, q1)
  float lo, hi;     // the same, for the edge kernels
  size_t flags;     // kAccumulate | kLastK (= clamp)
  size_t ldt_bytes; // C row stride
  size_t kc;        // k-steps, >= 1
  size_t a_back;    // the A panel's bytes (24 kc): a's rewind after a tile
};

// `tiles` Rows x 8 tiles (rows 0 .. Rows-1 of the 6-row A panel) over
// args.kc k-steps: tile t reads the A panel `a` and the B panel that follows
// the previous one (panels are consecutive, so `b` runs on), and reads
// (kAccumulate) and writes rows [0, Rows) x columns [8t, 8t + 8) of `ct` (C
// itself or a stack tile). Rows = 6: the full tile; Rows < 6: the last panel
// of an M that is not a multiple of 6 (M = 32, 64, 160, 320, 1280, ...),
// computed and stored in place like a full one, at 2 + 2 * Rows instructions
// per k-step instead of 14.
#define AC32_TILES_ASM(R, CLAMP)                                                \
  asm volatile(                                                                 \
      "0:\n"                                                                    \
      /* Accumulators from C, or from the bias (row r = bias[r] in every lane). */ \
      "ldr %[n], [%[args], %[o_flags]]\n"                                       \
      "tst %[n], %[acc]\n"                                                      \
      "beq 1f\n"                                                                \
      "ldr %[n], [%[args], %[o_ldt]]\n"                                         \
      AC32_ROWS_##R(AC32_LOAD_ROW)                                              \
      AC32_REWIND_##R                                                           \
      "b 2f\n"                                                                  \
      "1:\n"                                                                    \
      AC32_BIAS_##R                                                             \
      "2:\n"                                                                    \
      "ldr %[n], [%[args], %[o_kc]]\n"                                          \
      "lsrs %[n], %[n], #3\n"                                                   \
      "beq 4f\n"                                                                \
      "3:\n" /* eight k-steps */                                                \
      AC32_KSTEP(R) AC32_KSTEP(R) AC32_KSTEP(R) AC32_KSTEP(R)                   \
      AC32_KSTEP(R) AC32_KSTEP(R) AC32_KSTEP(R) AC32_KSTEP(R)                   \
      "subs %[n], %[n], #1\n"                                                   \
      "bne 3b\n"                                                                \
      "4:\n"                                                                    \
      "ldr %[n], [%[args], %[o_kc]]\n"                                          \
      "ands %[n], %[n], #7\n"                                                   \
      "beq 6f\n"                                                                \
      "5:\n" /* one k-step */                                                   \
      AC32_KSTEP(R)                                                             \
      "subs %[n], %[n], #1\n"                                                   \
      "bne 5b\n"                                                                \
      "6:\n"                                                                    \
      /* Back to the start of the A panel: a -= 24 * kc bytes. */               \
      "ldr %[n], [%[args], %[o_aback]]\n"                                       \
      "sub %[a], %[a], %[n]\n"                                                  \
      CLAMP                                                                     \
      "ldr %[n], [%[args], %[o_ldt]]\n"                                         \
      AC32_ROWS_##R(AC32_STORE_ROW)                                             \
      /* On to the next tile's 8 columns. */                                    \
      AC32_REWIND_##R                                                           \
      "add %[ct], %[ct], #32\n"                                                 \
      "subs %[tiles], %[tiles], #1\n"                                           \
      "bne 0b\n"                                                                \
      : [tiles] "+r"(tiles), [a] "+r"(a), [b] "+r"(b), [ct] "+r"(ct), [n] "=&r"(n) \
      : [args] "r"(&args), [acc] "I"(kAccumulate),                              \
        [o_lohi] "I"(offsetof(Tile6x8Args, lohi)), [o_flags] "I"(offsetof(Tile6x8Args, flags)), \
        [o_ldt] "I"(offsetof(Tile6x8Args, ldt_bytes)), [o_kc] "I"(offsetof(Tile6x8Args, kc)), \
        [o_aback] "I"(offsetof(Tile6x8Args, a_back))                              \
      : "cc", "memory", "d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9", "d10", \
        "d11", "d12", "d13", "d14", "d15", "d16", "d17", "d18", "d19", "d20", "d21", "d22", \
        "d23", "d24", "d25", "d26", "d27", "d28", "d29", "d30", "d31");
// Clamp: 0 none, 1 lower bound only, 2 both (AC32_CLAMP_*), fixed per call
// (3 instructions a tile fewer than a test of the flags in the block).
#define AC32_TILES_CLAMP(R)                                                     \
  if constexpr (Clamp == 0) {                                                   \
    AC32_TILES_ASM(R, AC32_CLAMP_0(R))                                          \
  } else if constexpr (Clamp == 1) {                                            \
    AC32_TILES_ASM(R, AC32_CLAMP_1(R))                                          \
  } else {                                                                      \
    AC32_TILES_ASM(R, AC32_CLAMP_2(R))                                          \
  }
template <int Rows, int Clamp>
inline void tiles_6x8(size_t tiles, const float* a, const float* b, float* ct,
                      const Tile6x8Args& args) {
  size_t n;  // loop counter and scratch
  static_assert(Rows >= 1 && Rows <= 6, "1 to 6 rows");
  static_assert(offsetof(Tile6x8Args, bias8) == 0, "AC32_BIAS_R loads from args");
  if constexpr (Rows == 6) {
    AC32_TILES_CLAMP(6)
  } else if constexpr (Rows == 5) {
    AC32_TILES_CLAMP(5)
  } else if constexpr (Rows == 4) {
    AC32_TILES_CLAMP(4)
  } else if constexpr (Rows == 3) {
    AC32_TILES_CLAMP(3)
  } else if constexpr (Rows == 2) {
    AC32_TILES_CLAMP(2)
  } else {
    AC32_TILES_CLAMP(1)
  }
}
#undef AC32_TILES_ASM
#undef AC32_TILES_CLAMP
#undef AC32_CLAMP_0
#undef AC32_CLAMP_1
#undef AC32_CLAMP_2

// tiles_6x8 for the m valid rows of the panel (1 <= m <= 6).
template <int Clamp>
void tiles_rows_c(size_t m, size_t tiles, const float* a, const float* b, float* ct,
                  const Tile6x8Args& args) {
  switch (m) {
    case 1: tiles_6x8<1, Clamp>(tiles, a, b, ct, args); break;
    case 2: tiles_6x8<2, Clamp>(tiles, a, b, ct, args); break;
    case 3: tiles_6x8<3, Clamp>(tiles, a, b, ct, args); break;
    case 4: tiles_6x8<4, Clamp>(tiles, a, b, ct, args); break;
    case 5: tiles_6x8<5, Clamp>(tiles, a, b, ct, args); break;
    default: tiles_6x8<6, Clamp>(tiles, a, b, ct, args); break;
  }
}
inline void tiles_rows(int clamp, size_t m, size_t tiles, const float* a, const float* b, float* ct,
                       const Tile6x8Args& args) {
  if (clamp == 0) tiles_rows_c<0>(m, tiles, a, b, ct, args);
  else if (clamp == 1) tiles_rows_c<1>(m, tiles, a, b, ct, args);
  else tiles_rows_c<2>(m, tiles, a, b, ct, args);
}

// Edge kernels for the last n % 8 columns of a panel where real layers have
// them: N % 8 == 1 (7x7 maps, N = 49) and 4 (14x14 maps, N = 196). The
// 6x8 tile would spend 7/8 (1/2) of its vmla on zero padding: per k-step
// these take 4 (8) instructions instead of 14. Each computes every output as
// tiles_6x8 does (vmla by scalar, in k order, from the bias or C), so a
// column gives the same bits whichever kernel computes it. `t` holds the
// start values (bias or C) and receives the result: 6 x 4 floats, rows 16
// bytes apart (tile_6x4_asm), or 6 floats of one column (col_6x1_asm).
//
// 6 x 4 (columns 0-3 of the last panel). Registers: q8-q13 rows 0-5;
// d0-d2 A (the 6 rows of a k-step, lanes as in tiles_6x8); q2 B (columns
// 0-3 of the panel row: post-incremented by the 32-byte row, %[s]).
#define E4_32_KSTEP                                                             \
  "vld1.32 {d0-d2}, [%[a]]!\n"                                                  \
  "vld1.32 {d4-d5}, [%[b]], %[s]\n"                                             \
  "vmla.f32 q8, q2, d0[0]\n vmla.f32 q9, q2, d0[1]\n"                           \
  "vmla.f32 q10, q2, d1[0]\n vmla.f32 q11, q2, d1[1]\n"                         \
  "vmla.f32 q12, q2, d2[0]\n vmla.f32 q13, q2, d2[1]\n"
// 6 x 1 (column 0 of the last panel), rows in vector lanes (as the
// aarch64 8x1 edge): q8 rows 0-3, d18 rows 4-5; d3[0] B (column 0 of the
// panel row). A k-step: 2 loads, 2 vmla.
#define E1_32_KSTEP                                                             \
  "vld1.32 {d0-d2}, [%[a]]!\n"                                                  \
  "vld1.32 {d3[0]}, [%[b]], %[s]\n"                                             \
  "vmla.f32 q8, q0, d3[0]\n vmla.f32 d18, d2, d3[0]\n"
// The k-loop of an edge kernel (4 k-steps per iteration, then single ones)
// and its clamp (q0 = lo, q1 = hi), around LOAD / CLAMP / STORE code.
#define E32_ASM(LOAD, KSTEP, CLAMP, STORE)                                      \
  asm volatile(                                                                 \
      LOAD                                                                      \
      "ldr %[n], [%[args], %[o_kc]]\n"                                          \
      "lsrs %[n], %[n], #2\n"                                                   \
      "beq 2f\n"                                                                \
      "1:\n"                                                                    \
      KSTEP KSTEP KSTEP KSTEP                                                   \
      "subs %[n], %[n], #1\n"                                                   \
      "bne 1b\n"                                                                \
      "2:\n"                                                                    \
      "ldr %[n], [%[args], %[o_kc]]\n"                                          \
      "ands %[n], %[n], #3\n"                                                   \
      "beq 4f\n"                                                                \
      "3:\n"                                                                    \
      KSTEP                                                                     \
      "subs %[n], %[n], #1\n"                                                   \
      "bne 3b\n"                                                                \
      "4:\n"                                                                    \
      "ldr %[n], [%[args], %[o_flags]]\n"                                       \
      "tst %[n], %[clamp]\n"                                                    \
      "beq 5f\n"                                                                \
      "vldr d4, [%[args], %[o_lo]]\n"                                           \
      "vdup.32 q0, d4[0]\n"                                                     \
      "vdup.32 q1, d4[1]\n"                                                     \
      CLAMP                                                                     \
      "5:\n"                                                                    \
      STORE                                                                     \
      : [a] "+r"(a), [b] "+r"(b), [t] "+r"(t), [n] "=&r"(n)                     \
      : [s] "r"(s), [args] "r"(&args), [clamp] "I"(kLastK),         \
        [o_lo] "I"(offsetof(Tile6x8Args, lo)), [o_flags] "I"(offsetof(Tile6x8Args, flags)), \
        [o_kc] "I"(offsetof(Tile6x8Args, kc))                                   \
      : "cc", "memory", "d0", "d1", "d2", "d3", "d4", "d5", "d16", "d17", "d18", "d19", \
        "d20", "d21", "d22", "d23", "d24", "d25", "d26", "d27")
#define E32_CLAMP_Q(x) "vmax.f32 " x ", " x ", q0\n vmin.f32 " x ", " x ", q1\n"
inline void tile_6x4_asm(const float* a, const float* b, float* t, const Tile6x8Args& args) {
  size_t n;
  const size_t s = kNR * sizeof(float);
  E32_ASM("vld1.32 {d16-d19}, [%[t]]!\n vld1.32 {d20-d23}, [%[t]]!\n"
          "vld1.32 {d24-d27}, [%[t]]\n sub %[t], %[t], #64\n",
          E4_32_KSTEP,
          E32_CLAMP_Q("q8") E32_CLAMP_Q("q9") E32_CLAMP_Q("q10") E32_CLAMP_Q("q11")
          E32_CLAMP_Q("q12") E32_CLAMP_Q("q13"),
          "vst1.32 {d16-d19}, [%[t]]!\n vst1.32 {d20-d23}, [%[t]]!\n"
          "vst1.32 {d24-d27}, [%[t]]\n");
}
inline void col_6x1_asm(const float* a, const float* b, float* t, const Tile6x8Args& args) {
  size_t n;
  const size_t s = kNR * sizeof(float);
  E32_ASM("vld1.32 {d16-d18}, [%[t]]\n", E1_32_KSTEP,
          E32_CLAMP_Q("q8") "vmax.f32 d18, d18, d0\n vmin.f32 d18, d18, d2\n",
          "vst1.32 {d16-d18}, [%[t]]\n");
}
#undef E4_32_KSTEP
#undef E1_32_KSTEP
#undef E32_ASM
#undef E32_CLAMP_Q

// The last cols <= 4 columns of a panel (m rows of C at c) through an edge
// kernel: 1 column col_6x1_asm, 2-4 columns tile_6x4_asm.
inline void edge_6x4(size_t m, size_t cols, const float* a, const float* b, float* c, size_t ldc,
                     const Tile6x8Args& args) {
  const bool acc = args.flags & kAccumulate;
  if (cols == 1) {
    float t[kMR];
    for (size_t r = 0; r < kMR; r++) t[r] = !acc ? args.bias8[8 * r] : r < m ? c[r * ldc] : 0.0f;
    col_6x1_asm(a, b, t, args);
    for (size_t r = 0; r < m; r++) c[r * ldc] = t[r];
    return;
  }
  float t[kMR * 4];
  for (size_t r = 0; r < kMR; r++)
    for (size_t j = 0; j < 4; j++)
      t[r * 4 + j] = !acc ? args.bias8[8 * r] : r < m && j < cols ? c[r * ldc + j] : 0.0f;
  tile_6x4_asm(a, b, t, args);
  for (size_t r = 0; r < m; r++) std::memcpy(c + r * ldc, t + r * 4, cols * sizeof(float));
}

// The micro-kernel entry: one A panel times the B panels that follow each
// other in `b`. The tiles of 8 valid columns go to C as one strip of
// m-row tiles (m = 6, or the m < 6 rows of a last panel); the last n % 8
// columns are computed in a stack tile, of which only the m x n valid part
// is read from and written to C.
void ukernel_6x8(size_t kc, size_t m, size_t n, const float* a, const float* b, float* c,
                 size_t ldc, const F32Output& out, unsigned flags) {
  Tile6x8Args args;
  if (!(flags & kAccumulate))
    for (size_t r = 0; r < kMR; r++) {
      const float32x4_t v = vdupq_n_f32(out.bias[r]);
      vst1q_f32(args.bias8 + 8 * r, v);
      vst1q_f32(args.bias8 + 8 * r + 4, v);
    }
  args.lo = out.lo;
  args.hi = out.hi;
  // The block's flag bits: kAccumulate, and kLastK as "clamp".
  args.flags = (flags & kAccumulate) | ((flags & kLastK) && out.clamp ? kLastK : 0u);
  const int clamp = !(args.flags & kLastK) ? 0 : out.hi == INFINITY ? 1 : 2;
  if (clamp) {
    vst1q_f32(args.lohi, vdupq_n_f32(out.lo));
    vst1q_f32(args.lohi + 4, vdupq_n_f32(out.hi));
  }
  args.ldt_bytes = ldc * sizeof(float);
  args.kc = kc;
  args.a_back = kMR * sizeof(float) * kc;
  const size_t full = n / kNR;
  if (full) tiles_rows(clamp, m, full, a, b, c, args);
  if (full * kNR < n) {
    const size_t q = full * kNR, cols = n - q;
    if (cols <= 4) {
      edge_6x4(m, cols, a, b + q * kc, c + q, ldc, args);
      return;
    }
    float tile[kMR * kNR];
    args.ldt_bytes = kNR * sizeof(float);
    if (flags & kAccumulate) {
      std::memset(tile, 0, m * kNR * sizeof(float));
      tile_from_c(tile, c + q, ldc, m, cols);
    }
    tiles_rows(clamp, m, 1, a, b + q * kc, tile, args);
    tile_to_c(tile, c + q, ldc, m, cols);
  }
}
#undef AC32_ROW0
#undef AC32_ROW1
#undef AC32_ROW2
#undef AC32_ROW3
#undef AC32_ROW4
#undef AC32_ROW5
#undef AC32_ROWS_1
#undef AC32_ROWS_2
#undef AC32_ROWS_3
#undef AC32_ROWS_4
#undef AC32_ROWS_5
#undef AC32_ROWS_6
#undef AC32_MLA_ROW
#undef AC32_BIAS_1
#undef AC32_BIAS_2
#undef AC32_BIAS_3
#undef AC32_BIAS_4
#undef AC32_BIAS_5
#undef AC32_BIAS_6
#undef AC32_KSTEP
#undef AC32_LOAD_ROW
#undef AC32_STORE_ROW
#undef AC32_CLAMP_ROW
#undef AC32_CLAMP_LO_ROW
#undef AC32_REWIND_1
#undef AC32_REWIND_2
#undef AC32_REWIND_3
#undef AC32_REWIND_4
#undef AC32_REWIND_5
#undef AC32_REWIND_6

}  // namespace

const SgemmKernels& sgemm_neon_kernels() {
  using Pack = SgemmPack<kMR, kNR>;
  static const SgemmKernels k = {"sgemm-armv7-6x8", kMR,         kNR,
                                 1,                 ukernel_6x8, Pack::pack_a,
                                 Pack::pack_b,      Pack::pack_im2col,
                                 /*pad_copy=*/true,                     Sgemv<kMR>::run,
                                 // The planner's costs of a partial panel: 5-7
                                 // columns run a full tile, the 2-4-column edge kernel
                                 // costs about 0.7 of one (edge_step 4: 2/3), the
                                 // 1-column one 0.3 (K = 160, 64); a partial M-panel of
                                 // m rows (m-row kernels) about (1 + m) / 7 of a full one.
                                 /*edge_step=*/4, /*edge1_cost=*/0.3, /*row_step=*/1};
  return k;
}

}  // namespace detail
}  // namespace armconv

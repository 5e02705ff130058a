// NEON int8 GEMM micro-kernel, aarch64 + dotprod, 8x12 tile with k grouped
// by 4 (gemm_s8-aarch64-8x12k4-dotprod; formats and contract: core/gemm.h).
// An ISA-extension unit: compiled with -march=armv8.2-a+dotprod (CMake's
// extension list, by its file-name suffix) and reached only through
// dispatch.cpp after the AT_HWCAP check. It shares no inline or template code
// with baseline units: its helpers are in an anonymous namespace, and the
// generic packer it reuses is called through the generic table, not
// instantiated here (tests/cpp/check_extension_symbols.cmake checks the
// built objects). k grouped by 4:
//
//   sdot acc.4s, b.16b, a.4b[r]:  acc[j] += sum_i b[4j + i] * a[4r + i]
//
// one instruction for 4 columns x 4 k of one row: 16 MACs.
//
// Tile 8 x 12. Per k group, A is 8 rows x 4 bytes (2 registers: rows 0-3 and
// 4-7, used by element), B is 12 columns x 4 bytes (3 registers); the 24
// accumulators (row r, columns 4v..4v+3) start from the row's bias: 24 sdot
// per 2 + 3 loaded registers (31 of the 32 registers live with the
// accumulators; four groups: 96 sdot per 2 + 3 loads of 64 bytes).
// The tile, output stage included, is one assembly block, and so is a strip
// of full tiles (see "the tile" below). Full tiles are stored straight from
// the registers:
// int32 as is; int8 by sqrdmulh with the row's multiplier (by element), two
// saturating narrows (int32 -> int16 -> int8, two rows per register) and the
// clamp; float by scvtf and fmul with the row's scale (by element). Other
// tiles (the last, narrower panel of a block: only the column vectors it
// needs are computed, NV = 1 or 2 of 3; or fewer than 8 rows) spill the
// accumulators, stored by rows (tile_partial: the same operations as the
// assembly output stage, so the same values).
#include <arm_neon.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/gemm.h"
#include "neon/gemm_s8_im2col.h"
#include "neon/gemm_s8_store.h"

namespace armconv {
namespace detail {
namespace {

constexpr int kMR = 8, kNR = 12;

// ---- the tile (assembly) -----------------------------------------------------
// Register allocation: accumulator (row r, column vector v) in v(8 + 8v + r):
// v8-v15 hold columns 0-3 of rows 0-7, v16-v23 columns 4-7, v24-v31 columns
// 8-11. A in v0-v3 (two k groups: rows 0-3 and 4-7 of group 0, then of
// group 1), B in v4-v6 (one group, reloaded), or in v4-v7 (four vectors of
// the 12 of four groups: ARMCONV_FOUR_GROUPS3); v0-v7 are free for the store.
//   init: ld4r replicates 4 biases into 4 registers: 6 loads for 24.
//   loop: eight k groups per iteration: four 64-byte A loads, six 64-byte B
//         loads, 192 sdot, cmp + b.ne (204 instructions for 3072 MACs); the
//         remaining 0-7 groups in blocks of 4, 2, 1 (ARMCONV_K_ANY).
// A call's full tiles (m = 8, 12 columns) run as one strip in one block
// (ARMCONV_TILES_ASM), so the C++ call and set-up are paid per strip, not per
// tile.
// Assembly because the compilers spill some of the 24 accumulators when 31
// vector registers are live.

// sdot of B vector B into the 8 accumulators r0..r7 of one column vector.
#define ARMCONV_SDOT_COL(B, A0, A1, r0, r1, r2, r3, r4, r5, r6, r7)                 \
  "sdot " r0 ".4s, " B ".16b, " A0 ".4b[0]\n sdot " r1 ".4s, " B ".16b, " A0 ".4b[1]\n" \
  "sdot " r2 ".4s, " B ".16b, " A0 ".4b[2]\n sdot " r3 ".4s, " B ".16b, " A0 ".4b[3]\n" \
  "sdot " r4 ".4s, " B ".16b, " A1 ".4b[0]\n sdot " r5 ".4s, " B ".16b, " A1 ".4b[1]\n" \
  "sdot " r6 ".4s, " B ".16b, " A1 ".4b[2]\n sdot " r7 ".4s, " B ".16b, " A1 ".4b[3]\n"
#define ARMCONV_APPLY(M, ...) M(__VA_ARGS__)
#define ARMCONV_COL0 "v8", "v9", "v10", "v11", "v12", "v13", "v14", "v15"
#define ARMCONV_COL1 "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23"
#define ARMCONV_COL2 "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31"
#define ARMCONV_STEP1(A0, A1) ARMCONV_APPLY(ARMCONV_SDOT_COL, "v4", A0, A1, ARMCONV_COL0)
#define ARMCONV_STEP2(A0, A1) \
  ARMCONV_STEP1(A0, A1) ARMCONV_APPLY(ARMCONV_SDOT_COL, "v5", A0, A1, ARMCONV_COL1)
#define ARMCONV_STEP3(A0, A1) \
  ARMCONV_STEP2(A0, A1) ARMCONV_APPLY(ARMCONV_SDOT_COL, "v6", A0, A1, ARMCONV_COL2)

// Two k groups: A of both in v0-v3, B of each in turn in v4-v6; one k group:
// A in v0-v1.
#define ARMCONV_TWO_GROUPS(STEP)                                  \
  "ld1 {v0.16b, v1.16b, v2.16b, v3.16b}, [%[ap]], #64\n"         \
  "ld1 {v4.16b, v5.16b, v6.16b}, [%[b]], #48\n" STEP("v0", "v1") \
  "ld1 {v4.16b, v5.16b, v6.16b}, [%[b]], #48\n" STEP("v2", "v3")
#define ARMCONV_ONE_GROUP(STEP)                                   \
  "ld1 {v0.16b, v1.16b}, [%[ap]], #32\n"                         \
  "ld1 {v4.16b, v5.16b, v6.16b}, [%[b]], #48\n" STEP("v0", "v1")

// Four k groups of a full-width tile (all 3 column vectors) with B in
// 64-byte loads (12 vectors in 3 loads, not 4 of 48 bytes: 5 loads for 96
// sdot). B vector 3g + c (group g, column vector c) goes to v(4 + (3g + c) % 4):
//   A g0,g1 -> v0-v3; B g0c0 g0c1 g0c2 g1c0 -> v4-v7; 4 column vectors' sdot;
//   B g1c1 g1c2 g2c0 g2c1 -> v4-v7; 2 (g1 done: A g0,g1 free);
//   A g2,g3 -> v0-v3; 2; B g2c2 g3c0 g3c1 g3c2 -> v4-v7; 4.
#define ARMCONV_COL(B, A0, A1, COL) ARMCONV_APPLY(ARMCONV_SDOT_COL, B, A0, A1, COL)
#define ARMCONV_FOUR_GROUPS3                                                                 \
  "ld1 {v0.16b, v1.16b, v2.16b, v3.16b}, [%[ap]], #64\n"                                     \
  "ld1 {v4.16b, v5.16b, v6.16b, v7.16b}, [%[b]], #64\n"                                      \
  ARMCONV_COL("v4", "v0", "v1", ARMCONV_COL0) ARMCONV_COL("v5", "v0", "v1", ARMCONV_COL1)    \
  ARMCONV_COL("v6", "v0", "v1", ARMCONV_COL2) ARMCONV_COL("v7", "v2", "v3", ARMCONV_COL0)    \
  "ld1 {v4.16b, v5.16b, v6.16b, v7.16b}, [%[b]], #64\n"                                      \
  ARMCONV_COL("v4", "v2", "v3", ARMCONV_COL1) ARMCONV_COL("v5", "v2", "v3", ARMCONV_COL2)    \
  "ld1 {v0.16b, v1.16b, v2.16b, v3.16b}, [%[ap]], #64\n"                                     \
  ARMCONV_COL("v6", "v0", "v1", ARMCONV_COL0) ARMCONV_COL("v7", "v0", "v1", ARMCONV_COL1)    \
  "ld1 {v4.16b, v5.16b, v6.16b, v7.16b}, [%[b]], #64\n"                                      \
  ARMCONV_COL("v4", "v0", "v1", ARMCONV_COL2) ARMCONV_COL("v5", "v2", "v3", ARMCONV_COL0)    \
  ARMCONV_COL("v6", "v2", "v3", ARMCONV_COL1) ARMCONV_COL("v7", "v2", "v3", ARMCONV_COL2)
// Four groups of a narrower tile (the first NV column vectors: STEP1, STEP2).
#define ARMCONV_FOUR_GROUPS(STEP) ARMCONV_TWO_GROUPS(STEP) ARMCONV_TWO_GROUPS(STEP)

// The k groups of a tile, in k order: eight per iteration (FOUR twice: ten
// loads, 192 sdot, cmp + b.ne: 204 instructions for 3072 MACs; the loop ends
// when the A pointer reaches %[aend], so no counter is set per tile), then
// the last groups % 8 by the bits of the remainder: blocks of 4, 2 and 1
// groups (K = 16: one block of 4; K = 24: 4 + 2). K_ANY is any K; K_LOOP
// only groups % 8 = 0, K_REM only groups < 8 (their two branches fewer).
#define ARMCONV_K_LOOP(FOUR) "1:\n" FOUR FOUR "cmp %[ap], %[aend]\n b.ne 1b\n"
#define ARMCONV_K_REM(FOUR, STEP)                                 \
  "tbz %[rem], #2, 3f\n" FOUR                                    \
  "3:\n"                                                          \
  "tbz %[rem], #1, 4f\n" ARMCONV_TWO_GROUPS(STEP)                 \
  "4:\n"                                                          \
  "tbz %[rem], #0, 5f\n" ARMCONV_ONE_GROUP(STEP)                  \
  "5:\n"
#define ARMCONV_K_ANY(FOUR, STEP) \
  "cbz %[n8], 2f\n" ARMCONV_K_LOOP(FOUR) "2:\n cbz %[rem], 5f\n" ARMCONV_K_REM(FOUR, STEP)

// --- store stages (after the loop; v0-v7 free) ---
// All 24 accumulators to the buffer at acc (column-major: (r, v) at 32v + 4r).
#define ARMCONV_SPILL                                      \
  "st1 {v8.4s, v9.4s, v10.4s, v11.4s}, [%[c]], #64\n"     \
  "st1 {v12.4s, v13.4s, v14.4s, v15.4s}, [%[c]], #64\n"   \
  "st1 {v16.4s, v17.4s, v18.4s, v19.4s}, [%[c]], #64\n"   \
  "st1 {v20.4s, v21.4s, v22.4s, v23.4s}, [%[c]], #64\n"   \
  "st1 {v24.4s, v25.4s, v26.4s, v27.4s}, [%[c]], #64\n"   \
  "st1 {v28.4s, v29.4s, v30.4s, v31.4s}, [%[c]], #64\n"

// One 12-wide row of 32-bit values to c, then c += ldc (bytes).
#define ARMCONV_ROW32(q0, q1, q2) \
  "stp " q0 ", " q1 ", [%[c]]\n str " q2 ", [%[c], #32]\n add %[c], %[c], %[ldc]\n"
#define ARMCONV_ROWS32                                                          \
  ARMCONV_ROW32("q8", "q16", "q24") ARMCONV_ROW32("q9", "q17", "q25")          \
  ARMCONV_ROW32("q10", "q18", "q26") ARMCONV_ROW32("q11", "q19", "q27")        \
  ARMCONV_ROW32("q12", "q20", "q28") ARMCONV_ROW32("q13", "q21", "q29")        \
  ARMCONV_ROW32("q14", "q22", "q30") ARMCONV_ROW32("q15", "q23", "q31")

// Per-row operations on the 8 accumulators of a column (row r uses lane
// r % 4 of v0 (rows 0-3) or v1 (rows 4-7)).
#define ARMCONV_BY_ROW(OP, r0, r1, r2, r3, r4, r5, r6, r7)                         \
  OP " " r0 ".4s, " r0 ".4s, v0.s[0]\n " OP " " r1 ".4s, " r1 ".4s, v0.s[1]\n"      \
  OP " " r2 ".4s, " r2 ".4s, v0.s[2]\n " OP " " r3 ".4s, " r3 ".4s, v0.s[3]\n"      \
  OP " " r4 ".4s, " r4 ".4s, v1.s[0]\n " OP " " r5 ".4s, " r5 ".4s, v1.s[1]\n"      \
  OP " " r6 ".4s, " r6 ".4s, v1.s[2]\n " OP " " r7 ".4s, " r7 ".4s, v1.s[3]\n"
// The same operation for all 8 with the same trailing operands V (", v2.4s" or "").
#define ARMCONV_BY_VEC(OP, V, r0, r1, r2, r3, r4, r5, r6, r7)                 \
  OP " " r0 ".4s, " r0 ".4s" V "\n " OP " " r1 ".4s, " r1 ".4s" V "\n"         \
  OP " " r2 ".4s, " r2 ".4s" V "\n " OP " " r3 ".4s, " r3 ".4s" V "\n"         \
  OP " " r4 ".4s, " r4 ".4s" V "\n " OP " " r5 ".4s, " r5 ".4s" V "\n"         \
  OP " " r6 ".4s, " r6 ".4s" V "\n " OP " " r7 ".4s, " r7 ".4s" V "\n"
#define ARMCONV_ALL_BY_ROW(OP)                                                        \
  ARMCONV_APPLY(ARMCONV_BY_ROW, OP, ARMCONV_COL0) ARMCONV_APPLY(ARMCONV_BY_ROW, OP, ARMCONV_COL1) \
  ARMCONV_APPLY(ARMCONV_BY_ROW, OP, ARMCONV_COL2)
#define ARMCONV_ALL_BY_VEC(OP, V)                                                        \
  ARMCONV_APPLY(ARMCONV_BY_VEC, OP, V, ARMCONV_COL0) ARMCONV_APPLY(ARMCONV_BY_VEC, OP, V, ARMCONV_COL1) \
  ARMCONV_APPLY(ARMCONV_BY_VEC, OP, V, ARMCONV_COL2)

// int32 tile.
#define ARMCONV_STORE_INT32 ARMCONV_ROWS32

// float tile: scvtf, fmul by the row's scale (p0: 8 floats), optional clamp to
// [p1[0], p1[1]] (if shift != 0), store.
#define ARMCONV_STORE_FLOAT                                                    \
  "ld1 {v0.4s, v1.4s}, [%[p0]]\n" ARMCONV_ALL_BY_VEC("scvtf", "")            \
  ARMCONV_ALL_BY_ROW("fmul")                                              \
  "cbz %[shift], 7f\n"                                                         \
  "ld2r {v2.4s, v3.4s}, [%[p1]]\n" ARMCONV_ALL_BY_VEC("fmax", ", v2.4s")            \
  ARMCONV_ALL_BY_VEC("fmin", ", v3.4s")                                             \
  "7:\n" ARMCONV_ROWS32

// int8 tile (the rule of core/requant.h): sqshl by E (if shift != 0),
// sqrdmulh by the row's multiplier (p0: 8 int32), then per pair of rows
// sqxtn/sqxtn2 to [row r | row r+1] int16, sqxtn/sqxtn2 to int8, clamp to
// [p1[0], p1[1]] (int8) and two 8-byte stores at c; columns 8-11 of four rows
// at a time go to c8 (= c + 8).
// TO8: the int16 -> int8 narrowing and the clamp of v2, v3 into v4:
//   S8_CLAMP: sqxtn/sqxtn2, smax with qmin, smin with qmax;
//   S8_CLAMP_NOMAX: the same without smin (qmax = 127: the narrowing saturates there);
//   S8_CLAMP_U: qmin = 0 (ReLU): sqxtun/sqxtun2 (saturating to [0, 255]) and
//     umin with qmax (<= 127): clamp(t, 0, qmax) without the smax.
#define ARMCONV_S8_CLAMP_NOMAX \
  "sqxtn v4.8b, v2.8h\n sqxtn2 v4.16b, v3.8h\n smax v4.16b, v4.16b, v0.16b\n"
#define ARMCONV_S8_CLAMP ARMCONV_S8_CLAMP_NOMAX "smin v4.16b, v4.16b, v1.16b\n"
#define ARMCONV_S8_CLAMP_U \
  "sqxtun v4.8b, v2.8h\n sqxtun2 v4.16b, v3.8h\n umin v4.16b, v4.16b, v1.16b\n"
#define ARMCONV_S8_PAIR(TO8, a0, a1, b0, b1)                                                \
  "sqxtn v2.4h, " a0 ".4s\n sqxtn2 v2.8h, " a1 ".4s\n sqxtn v3.4h, " b0 ".4s\n"            \
  "sqxtn2 v3.8h, " b1 ".4s\n" TO8                                                          \
  "st1 {v4.d}[0], [%[c]], %[ldc]\n st1 {v4.d}[1], [%[c]], %[ldc]\n"
#define ARMCONV_S8_QUAD(TO8, r0, r1, r2, r3)                                                \
  "sqxtn v2.4h, " r0 ".4s\n sqxtn2 v2.8h, " r1 ".4s\n sqxtn v3.4h, " r2 ".4s\n"            \
  "sqxtn2 v3.8h, " r3 ".4s\n" TO8                                                          \
  "st1 {v4.s}[0], [%[c8]], %[ldc]\n st1 {v4.s}[1], [%[c8]], %[ldc]\n"                      \
  "st1 {v4.s}[2], [%[c8]], %[ldc]\n st1 {v4.s}[3], [%[c8]], %[ldc]\n"
#define ARMCONV_STORE_INT8_(TO8)                                                            \
  "ld1 {v0.4s, v1.4s}, [%[p0]]\n"                                                          \
  "cbz %[shift], 7f\n"                                                                      \
  "dup v2.4s, %w[shift]\n" ARMCONV_ALL_BY_VEC("sqshl", ", v2.4s")                          \
  "7:\n" ARMCONV_ALL_BY_ROW("sqrdmulh")                                                     \
  "ld2r {v0.16b, v1.16b}, [%[p1]]\n"                                                       \
  ARMCONV_S8_PAIR(TO8, "v8", "v16", "v9", "v17") ARMCONV_S8_PAIR(TO8, "v10", "v18", "v11", "v19") \
  ARMCONV_S8_PAIR(TO8, "v12", "v20", "v13", "v21") ARMCONV_S8_PAIR(TO8, "v14", "v22", "v15", "v23") \
  ARMCONV_S8_QUAD(TO8, "v24", "v25", "v26", "v27") ARMCONV_S8_QUAD(TO8, "v28", "v29", "v30", "v31")
#define ARMCONV_STORE_INT8 ARMCONV_STORE_INT8_(ARMCONV_S8_CLAMP)
#define ARMCONV_STORE_INT8_NOMAX ARMCONV_STORE_INT8_(ARMCONV_S8_CLAMP_NOMAX)
#define ARMCONV_STORE_INT8_U ARMCONV_STORE_INT8_(ARMCONV_S8_CLAMP_U)

// `tiles` tiles in a row (a strip: the same A panel, consecutive B panels,
// C columns 12t..12t+11): per tile the A pointer reset, the accumulators from
// the bias (ld4r replicates 4 biases into 4 registers: 6 loads for 24), the k
// groups, STORE, then REWIND takes the C pointers back from row 8 to row 0
// of the next tile's columns (c -= 8 ldc - 12 elements); B needs nothing:
// the next panel starts where a tile's reads end. Register map (general):
// a (A panel), ap (A pointer), aend (ap after the 8-group loop), n8 / rem
// (groups / 8, groups % 8), b (B panels), c / c8 (C, and C + 8 bytes for the
// int8 stage's columns 8-11), tiles (count down), bias / bias4 (rows 0-3 and
// 4-7), ldc (bytes), rewind (bytes), p0 / p1 / shift (the store stage's).
#define ARMCONV_REWIND_C "sub %[c], %[c], %[rewind]\n"
#define ARMCONV_REWIND_C8 "sub %[c], %[c], %[rewind]\n sub %[c8], %[c8], %[rewind]\n"
#define ARMCONV_TILES_ASM(KCODE, STORE, REWIND)                                          \
  __asm__ volatile(                                                                     \
      "0:\n"                                                                            \
      "mov %[ap], %[a]\n"                                                               \
      "ld4r {v8.4s, v9.4s, v10.4s, v11.4s}, [%[bias]]\n"                                \
      "ld4r {v12.4s, v13.4s, v14.4s, v15.4s}, [%[bias4]]\n"                             \
      "ld4r {v16.4s, v17.4s, v18.4s, v19.4s}, [%[bias]]\n"                              \
      "ld4r {v20.4s, v21.4s, v22.4s, v23.4s}, [%[bias4]]\n"                             \
      "ld4r {v24.4s, v25.4s, v26.4s, v27.4s}, [%[bias]]\n"                              \
      "ld4r {v28.4s, v29.4s, v30.4s, v31.4s}, [%[bias4]]\n"                             \
      KCODE STORE REWIND                                                                \
      "subs %[tiles], %[tiles], #1\n"                                                   \
      "b.ne 0b\n"                                                                       \
      : [ap] "=&r"(ap), [b] "+r"(b), [c] "+r"(c), [c8] "+r"(c8), [tiles] "+r"(tiles)    \
      : [a] "r"(a), [aend] "r"(aend), [n8] "r"(n8), [rem] "r"(rem), [bias] "r"(bias),   \
        [bias4] "r"(bias + 4), [ldc] "r"(ldc_bytes), [rewind] "r"(rewind), [p0] "r"(p0), \
        [p1] "r"(p1), [shift] "r"(shift)                                                \
      : "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9",     \
        "v10", "v11", "v12", "v13", "v14", "v15", "v16", "v17", "v18", "v19", "v20",    \
        "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31")

// The k loop's counts (groups = ceil(K / 4); A is 32 bytes a group).
#define ARMCONV_K_COUNTS                                   \
  const size_t n8 = groups / 8, rem = groups % 8;          \
  const int8_t* const aend = a + 256 * n8;                 \
  const int8_t* ap

// One tile of any width: the accumulators of its first NV column vectors go to acc.
template <int NV>
ARMCONV_S8_INLINE void tile_spill(size_t groups, const int8_t* a, const int8_t* b,
                                      const int32_t* bias, int32_t* acc) {
  ARMCONV_K_COUNTS;
  char* c = reinterpret_cast<char*>(acc);
  char* c8 = nullptr;
  const void *p0 = nullptr, *p1 = nullptr;
  const size_t ldc_bytes = 0, rewind = 0;
  const long shift = 0;
  size_t tiles = 1;
  if (NV == 1) {
    ARMCONV_TILES_ASM(ARMCONV_K_ANY(ARMCONV_FOUR_GROUPS(ARMCONV_STEP1), ARMCONV_STEP1), ARMCONV_SPILL, "");
  } else if (NV == 2) {
    ARMCONV_TILES_ASM(ARMCONV_K_ANY(ARMCONV_FOUR_GROUPS(ARMCONV_STEP2), ARMCONV_STEP2), ARMCONV_SPILL, "");
  } else {
    ARMCONV_TILES_ASM(ARMCONV_K_ANY(ARMCONV_FOUR_GROUPS3, ARMCONV_STEP3), ARMCONV_SPILL, "");
  }
}

// The k code of a strip by K: groups % 8 = 0 (the 8-group loop only), groups
// < 8 (the remainder blocks only), any.
enum KShape { kKLoop, kKRem, kKAny };
#define ARMCONV_TILES_K(STORE, REWIND)                                                        \
  if constexpr (KS == kKLoop) {                                                               \
    ARMCONV_TILES_ASM(ARMCONV_K_LOOP(ARMCONV_FOUR_GROUPS3), STORE, REWIND);                   \
  } else if constexpr (KS == kKRem) {                                                         \
    ARMCONV_TILES_ASM(ARMCONV_K_REM(ARMCONV_FOUR_GROUPS3, ARMCONV_STEP3), STORE, REWIND);     \
  } else {                                                                                    \
    ARMCONV_TILES_ASM(ARMCONV_K_ANY(ARMCONV_FOUR_GROUPS3, ARMCONV_STEP3), STORE, REWIND);     \
  }

// A strip of `tiles` (>= 1) full 8 x 12 tiles through the output stage.
template <KShape KS>
ARMCONV_S8_INLINE void tiles_full(size_t tiles, size_t groups, const int8_t* a, const int8_t* b,
                                      void* cv, size_t ldc, const S8Output& out) {
  ARMCONV_K_COUNTS;
  const int32_t* bias = out.bias;
  char* c = static_cast<char*>(cv);
  char* c8 = c + 8;
  switch (out.kind) {
    case S8OutKind::Int32: {
      const void *p0 = nullptr, *p1 = nullptr;
      const size_t ldc_bytes = ldc * sizeof(int32_t), rewind = (kMR * ldc - kNR) * sizeof(int32_t);
      const long shift = 0;
      ARMCONV_TILES_K(ARMCONV_STORE_INT32, ARMCONV_REWIND_C)
      break;
    }
    case S8OutKind::Int8: {
      const int8_t range[2] = {int8_t(out.qmin), int8_t(out.qmax)};
      const void *p0 = out.mult, *p1 = range;
      const size_t ldc_bytes = ldc, rewind = kMR * ldc - kNR;
      const long shift = out.shift;
      if (out.qmin == 0) {
        ARMCONV_TILES_K(ARMCONV_STORE_INT8_U, ARMCONV_REWIND_C8)
      } else if (out.qmax < 127) {
        ARMCONV_TILES_K(ARMCONV_STORE_INT8, ARMCONV_REWIND_C8)
      } else {
        ARMCONV_TILES_K(ARMCONV_STORE_INT8_NOMAX, ARMCONV_REWIND_C8)
      }
      break;
    }
    case S8OutKind::Float: {
      const float range[2] = {out.fmin, out.fmax};
      const void *p0 = out.fscale, *p1 = range;
      const size_t ldc_bytes = ldc * sizeof(float), rewind = (kMR * ldc - kNR) * sizeof(float);
      const long shift = out.fclamp ? 1 : 0;
      ARMCONV_TILES_K(ARMCONV_STORE_FLOAT, ARMCONV_REWIND_C)
      break;
    }
  }
}

#undef ARMCONV_K_COUNTS
#undef ARMCONV_TILES_ASM
#undef ARMCONV_REWIND_C8
#undef ARMCONV_REWIND_C
#undef ARMCONV_TILES_K
#undef ARMCONV_K_ANY
#undef ARMCONV_K_REM
#undef ARMCONV_K_LOOP
#undef ARMCONV_FOUR_GROUPS
#undef ARMCONV_FOUR_GROUPS3
#undef ARMCONV_COL
#undef ARMCONV_ONE_GROUP
#undef ARMCONV_STORE_INT8
#undef ARMCONV_STORE_INT8_NOMAX
#undef ARMCONV_STORE_INT8_
#undef ARMCONV_STORE_INT8_U
#undef ARMCONV_S8_CLAMP_U
#undef ARMCONV_S8_CLAMP
#undef ARMCONV_S8_CLAMP_NOMAX
#undef ARMCONV_S8_QUAD
#undef ARMCONV_S8_PAIR
#undef ARMCONV_STORE_FLOAT
#undef ARMCONV_STORE_INT32
#undef ARMCONV_ALL_BY_VEC
#undef ARMCONV_ALL_BY_ROW
#undef ARMCONV_BY_VEC
#undef ARMCONV_BY_ROW
#undef ARMCONV_ROWS32
#undef ARMCONV_ROW32
#undef ARMCONV_SPILL
#undef ARMCONV_TWO_GROUPS
#undef ARMCONV_STEP3
#undef ARMCONV_STEP2
#undef ARMCONV_STEP1
#undef ARMCONV_COL2
#undef ARMCONV_COL1
#undef ARMCONV_COL0
#undef ARMCONV_APPLY
#undef ARMCONV_SDOT_COL

// A partial tile (cols < 12 or m < 8): rows [0, m), columns [0, cols) by
// rows from the spilled accumulators, the operations of the assembly output
// stage (so the same values): int8 a row at once (the NV column vectors narrowed into one
// register, cols bytes stored), int32 / float a column vector at once.
template <int NV>
ARMCONV_S8_INLINE void tile_partial(size_t groups, size_t m, size_t cols, const int8_t* a,
                                        const int8_t* b, void* cv, size_t ldc, const S8Output& out) {
  alignas(16) int32_t acc[kMR * kNR];
  tile_spill<NV>(groups, a, b, out.bias, acc);
  char* c = static_cast<char*>(cv);
  if (NV == 1 && m == size_t(kMR) && out.kind == S8OutKind::Int8) {
    // 8 rows of 1..4 columns (the last panel of every MobileNetV2 layer:
    // N % 12 = 1 or 4): the 8 rows at once, rows 0-3 and 4-7 narrowed into
    // one register each (4 bytes a row).
    int32x4_t x[kMR];
    for (int r = 0; r < kMR; r++) {
      x[r] = vld1q_s32(acc + 4 * r);
      if (out.shift) x[r] = vqshlq_s32(x[r], vdupq_n_s32(out.shift));
    }
    const int32x4_t m0 = vld1q_s32(out.mult), m1 = vld1q_s32(out.mult + 4);
    x[0] = vqrdmulhq_laneq_s32(x[0], m0, 0);
    x[1] = vqrdmulhq_laneq_s32(x[1], m0, 1);
    x[2] = vqrdmulhq_laneq_s32(x[2], m0, 2);
    x[3] = vqrdmulhq_laneq_s32(x[3], m0, 3);
    x[4] = vqrdmulhq_laneq_s32(x[4], m1, 0);
    x[5] = vqrdmulhq_laneq_s32(x[5], m1, 1);
    x[6] = vqrdmulhq_laneq_s32(x[6], m1, 2);
    x[7] = vqrdmulhq_laneq_s32(x[7], m1, 3);
    const int8x16_t lo = vdupq_n_s8(int8_t(out.qmin)), hi = vdupq_n_s8(int8_t(out.qmax));
    int8x16_t q[2];
    for (int h = 0; h < 2; h++) {
      const int16x8_t a01 = vqmovn_high_s32(vqmovn_s32(x[4 * h]), x[4 * h + 1]);
      const int16x8_t a23 = vqmovn_high_s32(vqmovn_s32(x[4 * h + 2]), x[4 * h + 3]);
      q[h] = vminq_s8(vmaxq_s8(vqmovn_high_s16(vqmovn_s16(a01), a23), lo), hi);
    }
    if (cols == 4) {  // st1 lane stores (no alignment needed on AArch64)
      vst1q_lane_s32(reinterpret_cast<int32_t*>(static_cast<void*>(c)), vreinterpretq_s32_s8(q[0]), 0);
      vst1q_lane_s32(reinterpret_cast<int32_t*>(static_cast<void*>(c + ldc)), vreinterpretq_s32_s8(q[0]), 1);
      vst1q_lane_s32(reinterpret_cast<int32_t*>(static_cast<void*>(c + 2 * ldc)), vreinterpretq_s32_s8(q[0]), 2);
      vst1q_lane_s32(reinterpret_cast<int32_t*>(static_cast<void*>(c + 3 * ldc)), vreinterpretq_s32_s8(q[0]), 3);
      vst1q_lane_s32(reinterpret_cast<int32_t*>(static_cast<void*>(c + 4 * ldc)), vreinterpretq_s32_s8(q[1]), 0);
      vst1q_lane_s32(reinterpret_cast<int32_t*>(static_cast<void*>(c + 5 * ldc)), vreinterpretq_s32_s8(q[1]), 1);
      vst1q_lane_s32(reinterpret_cast<int32_t*>(static_cast<void*>(c + 6 * ldc)), vreinterpretq_s32_s8(q[1]), 2);
      vst1q_lane_s32(reinterpret_cast<int32_t*>(static_cast<void*>(c + 7 * ldc)), vreinterpretq_s32_s8(q[1]), 3);
    } else {
      alignas(16) char t[32];
      vst1q_s8(reinterpret_cast<int8_t*>(t), q[0]);
      vst1q_s8(reinterpret_cast<int8_t*>(t + 16), q[1]);
      for (int r = 0; r < kMR; r++, c += ldc) s8_copy_small(c, t + 4 * r, cols);
    }
    return;
  }
  if (out.kind == S8OutKind::Int8) {
    const int8x16_t lo = vdupq_n_s8(int8_t(out.qmin)), hi = vdupq_n_s8(int8_t(out.qmax));
    const int32x4_t sh = vdupq_n_s32(out.shift);
    for (size_t r = 0; r < m; r++, c += ldc) {
      int32x4_t x[3];
      for (int v = 0; v < NV; v++) {
        x[v] = vld1q_s32(acc + 32 * v + 4 * r);
        if (out.shift) x[v] = vqshlq_s32(x[v], sh);
        x[v] = vqrdmulhq_n_s32(x[v], out.mult[r]);
      }
      const int16x8_t h0 = vqmovn_high_s32(vqmovn_s32(x[0]), x[NV > 1 ? 1 : 0]);
      const int16x4_t h1 = vqmovn_s32(x[NV > 2 ? 2 : 0]);
      int8x16_t q = vqmovn_high_s16(vqmovn_s16(h0), vcombine_s16(h1, h1));
      q = vminq_s8(vmaxq_s8(q, lo), hi);
      alignas(16) char t[16];
      vst1q_s8(reinterpret_cast<int8_t*>(t), q);
      s8_copy_small(c, t, cols);
    }
  } else {
    const bool fl = out.kind == S8OutKind::Float;
    for (size_t r = 0; r < m; r++, c += ldc * 4)
      for (int v = 0; v < NV && size_t(4 * v) < cols; v++) {
        int32x4_t x = vld1q_s32(acc + 32 * v + 4 * r);
        if (fl) {
          float32x4_t f = vmulq_n_f32(vcvtq_f32_s32(x), out.fscale[r]);
          if (out.fclamp) f = vminq_f32(vmaxq_f32(f, vdupq_n_f32(out.fmin)), vdupq_n_f32(out.fmax));
          x = vreinterpretq_s32_f32(f);
        }
        const size_t n = cols - size_t(4 * v) < 4 ? cols - size_t(4 * v) : 4;
        char* p = c + 16 * v;
        if (n == 4) {
          vst1q_s32(reinterpret_cast<int32_t*>(static_cast<void*>(p)), x);
        } else {
          alignas(16) char t[16];
          vst1q_s32(reinterpret_cast<int32_t*>(static_cast<void*>(t)), x);
          s8_copy_small(p, t, 4 * n);
        }
      }
  }
}

// ---- packing B (k grouped by 4, 12-column panels) ----------------------------
// Four rows k..k+3 of 16 columns become, by st4 (see pack_b_sdot) or by two
// rounds of zips, 16 groups
// [column j: k, k+1, k+2, k+3]: zip1/zip2 of bytes pairs rows (0,1) and (2,3),
// zip of 16-bit pairs then interleaves the pairs. The first 12 columns are
// one panel group (48 bytes). The last panels, whose 16-byte row loads
// would pass the end of the block, are read as pack_b_sdot says there.
//
// Rows r0..r3 (16 columns each) -> 3 x 16 bytes: [column j: r0, r1, r2, r3], j < 12.
inline void interleave4x12(int8x16_t r0, int8x16_t r1, int8x16_t r2, int8x16_t r3, int8_t* d) {
  const int16x8_t z01l = vreinterpretq_s16_s8(vzip1q_s8(r0, r1));
  const int16x8_t z01h = vreinterpretq_s16_s8(vzip2q_s8(r0, r1));
  const int16x8_t z23l = vreinterpretq_s16_s8(vzip1q_s8(r2, r3));
  const int16x8_t z23h = vreinterpretq_s16_s8(vzip2q_s8(r2, r3));
  int8x16x3_t o;
  o.val[0] = vreinterpretq_s8_s16(vzip1q_s16(z01l, z23l));  // columns 0-3
  o.val[1] = vreinterpretq_s8_s16(vzip2q_s16(z01l, z23l));  // columns 4-7
  o.val[2] = vreinterpretq_s8_s16(vzip1q_s16(z01h, z23h));  // columns 8-11
  vst1q_s8_x3(d, o);
}

void pack_b_sdot(size_t k, size_t nc, const int8_t* b, size_t ldb, int8_t* dst) {
  const size_t kp = (k + 3) / 4 * 4, k4 = k / 4 * 4;
  size_t q = 0;
  // Panels whose 16-byte row loads stay in the block: st4 of the 4 rows
  // writes [column j: k, k+1, k+2, k+3] for 16 columns (64 bytes, no zips);
  // columns 12-15 (16 bytes) land in the first 4 columns of the next group,
  // which its own st4 then overwrites, and after a panel's last group in the
  // first group of the next panel, which exists (q + 16 <= nc) and is packed
  // later in this call (here, or below: every packer writes all 48 bytes of
  // a group, the zero columns too). Nothing past panel q + 12 is written.
  for (; q + 16 <= nc; q += kNR) {
    const int8_t* s = b + q;
    int8_t* d = dst + q * kp;  // panel q / 12
    if (k4) {
      // The k4 / 4 full groups: rows s0..s3 (each on by 4 rows a group), d
      // on by 48 bytes a group; 7 instructions a group.
      const int8_t *s0 = s, *s1 = s + ldb, *s2 = s + 2 * ldb, *s3 = s + 3 * ldb;
      size_t groups = k4 / 4;
      __asm__ volatile(
          "1:\n"
          "ld1 {v0.16b}, [%[s0]], %[step]\n"
          "ld1 {v1.16b}, [%[s1]], %[step]\n"
          "ld1 {v2.16b}, [%[s2]], %[step]\n"
          "ld1 {v3.16b}, [%[s3]], %[step]\n"
          "subs %[groups], %[groups], #1\n"
          "st4 {v0.16b, v1.16b, v2.16b, v3.16b}, [%[d]], %[d48]\n"
          "b.ne 1b\n"
          : [s0] "+r"(s0), [s1] "+r"(s1), [s2] "+r"(s2), [s3] "+r"(s3), [d] "+r"(d),
            [groups] "+r"(groups)
          : [step] "r"(4 * ldb), [d48] "r"(size_t(4 * kNR))
          : "cc", "memory", "v0", "v1", "v2", "v3");
      s = s0;
    }
    if (k4 < k) {  // the last group: rows past k are zero
      const int8x16_t z = vdupq_n_s8(0);
      const int8x16x4_t r = {{vld1q_s8(s), k4 + 1 < k ? vld1q_s8(s + ldb) : z,
                              k4 + 2 < k ? vld1q_s8(s + 2 * ldb) : z, z}};
      vst4q_s8(d, r);
    }
  }
  // The last panels (at most two: q + 16 > nc), w = min(12, nc - q) columns,
  // by the zips (48 bytes a group: nothing written past them). A row but the
  // block's last is read 16 bytes at a time when that stays inside the block's
  // span (row k - 2 ends at (k - 2) ldb + q + 16 <= (k - 1) ldb + nc: other
  // columns of the matrix, never past its last byte), the columns past w
  // masked to zero; the last row (every row, if not) by a copy of its w bytes.
  static const uint8_t kIota[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  for (; q < nc; q += kNR) {
    const size_t w = nc - q < size_t(kNR) ? nc - q : size_t(kNR);
    const int8x16_t mask = vreinterpretq_s8_u8(vcltq_u8(vld1q_u8(kIota), vdupq_n_u8(uint8_t(w))));
    const size_t kwide = q + 16 <= ldb + nc ? k - 1 : 0;  // rows [0, kwide): 16-byte loads
    const int8_t* s = b + q;
    int8_t* d = dst + q * kp;
    size_t kk = 0;
    for (; kk + 4 <= kwide; kk += 4, s += 4 * ldb, d += 4 * kNR)  // four 16-byte rows
      interleave4x12(vandq_s8(vld1q_s8(s), mask), vandq_s8(vld1q_s8(s + ldb), mask),
                     vandq_s8(vld1q_s8(s + 2 * ldb), mask), vandq_s8(vld1q_s8(s + 3 * ldb), mask), d);
    s -= kk * ldb;
    for (; kk < k; kk += 4, d += 4 * kNR) {
      int8x16_t r[4];
      for (size_t i = 0; i < 4; i++) {
        const int8_t* p = s + (kk + i) * ldb;
        if (kk + i < kwide) {
          r[i] = vandq_s8(vld1q_s8(p), mask);
        } else if (kk + i < k) {
          alignas(16) char t[16] = {};
          s8_copy_small(t, reinterpret_cast<const char*>(p), w);
          r[i] = vld1q_s8(reinterpret_cast<const int8_t*>(t));
        } else {
          r[i] = vdupq_n_s8(0);
        }
      }
      interleave4x12(r[0], r[1], r[2], r[3], d);
    }
  }
}

// ---- packing B straight from the image (im2col) --------------------------------
// The geometries of neon/gemm_s8_im2col.h (no padding read: a padded layer
// is packed from the conv driver's zero-padded copy; stride 1 or 2 along
// x): each 12-column panel is a block of runs there, and each 4-row group of
// it the 4 rows' loads (one per run) and one st4 (stride 2, and the last
// group of a panel's rows: the zips of interleave4x12 and one 48-byte store). Rows past
// kc are zero, and so are columns past nc. Other
// geometries: the generic packer (the driver stages them through pack_b
// instead: pack_im2col_ok).
template <int SW>
void pack_im2col_direct(const Im2colGeom& g, size_t k0, size_t kc, size_t n0, size_t nc, int8_t* dst) {
  const size_t kcp = (kc + 3) / 4 * 4;
  constexpr size_t kChunk = 512;  // rows whose offsets are worked out at once (a multiple of 4)
  size_t off[kChunk];
  for (size_t r0 = 0; r0 < kc; r0 += kChunk) {
    const size_t rows = kc - r0 < kChunk ? kc - r0 : kChunk;
    s8_im2col_offsets(g, k0 + r0, rows, off);
    for (size_t q = 0; q < nc; q += kNR) {
      S8Runs rs;
      s8_runs<SW>(g, n0 + q, nc - q < size_t(kNR) ? nc - q : size_t(kNR), off[rows - 1], &rs);
      int8_t* d = dst + q * kcp + r0 * kNR;
      s8_with_loader<SW, kNR>(g, rs, [&](auto load) {
        // Stride 1: all groups but the last of these rows by st4 (64 bytes:
        // the last 16 land in the next group, which overwrites them; see
        // pack_b_sdot), the last by the zips (48 bytes: nothing past this
        // panel's rows). Stride 2 (ld2 loads): all by the zips (st4 counted
        // more there: GCC moves each ld2 result into st4's four registers).
        size_t i = 0;
        if (SW == 1) {
          for (; i + 4 < rows; i += 4, d += 4 * kNR) {
            const int8x16x4_t r = {{load(off[i]), load(off[i + 1]), load(off[i + 2]), load(off[i + 3])}};
            vst4q_s8(d, r);
          }
        }
        for (; i + 4 <= rows; i += 4, d += 4 * kNR)
          interleave4x12(load(off[i]), load(off[i + 1]), load(off[i + 2]), load(off[i + 3]), d);
        if (i < rows) {  // the last group: rows past kc are zero
          const int8x16_t z = vdupq_n_s8(0);
          interleave4x12(load(off[i]), i + 1 < rows ? load(off[i + 1]) : z, i + 2 < rows ? load(off[i + 2]) : z,
                         z, d);
        }
      });
    }
  }
}

void pack_im2col_sdot(const Im2colGeom& g, size_t k0, size_t kc, size_t n0, size_t nc, int8_t* dst) {
  if (kc == 0 || nc == 0) return;
  if (!s8_im2col_direct_ok(g))
    return gemm_s8_generic_kernels_for(kMR, kNR, 4)->pack_im2col(g, k0, kc, n0, nc, dst);
  if (g.sw == 1)
    pack_im2col_direct<1>(g, k0, kc, n0, nc, dst);
  else
    pack_im2col_direct<2>(g, k0, kc, n0, nc, dst);
}

void ukernel_sdot(size_t k, size_t m, size_t n, const int8_t* a, const int8_t* b, void* c,
                  size_t ldc, const S8Output& out, unsigned /*flags: K is never split*/) {
  const size_t groups = (k + 3) / 4, es = out.kind == S8OutKind::Int8 ? 1 : 4;
  size_t q = 0;
  if (m == size_t(kMR) && n >= size_t(kNR)) {  // the full tiles: one strip
    const size_t tiles = n / kNR;
    if (groups % 8 == 0)
      tiles_full<kKLoop>(tiles, groups, a, b, c, ldc, out);
    else if (groups < 8)
      tiles_full<kKRem>(tiles, groups, a, b, c, ldc, out);
    else
      tiles_full<kKAny>(tiles, groups, a, b, c, ldc, out);
    q = tiles * kNR;
    b += q * 4 * groups;
  }
  for (; q < n; q += kNR, b += kNR * 4 * groups) {
    const size_t cols = n - q < size_t(kNR) ? n - q : size_t(kNR);
    void* cq = static_cast<char*>(c) + q * es;
    if (cols > 8)
      tile_partial<3>(groups, m, cols, a, b, cq, ldc, out);
    else if (cols > 4)
      tile_partial<2>(groups, m, cols, a, b, cq, ldc, out);
    else
      tile_partial<1>(groups, m, cols, a, b, cq, ldc, out);
  }
}

}  // namespace

const S8GemmKernels& gemm_s8_dotprod_kernels() {
  static const S8GemmKernels t = [] {
    S8GemmKernels k = *gemm_s8_generic_kernels_for(kMR, kNR, 4);  // pack_a
    k.name = "gemm_s8-aarch64-8x12k4-dotprod";
    k.ukernel = ukernel_sdot;
    k.pack_b = pack_b_sdot;
    k.pack_im2col = pack_im2col_sdot;
    k.pack_im2col_ok = s8_im2col_direct_ok;  // other geometries: staged through pack_b
    k.pad_copy = true;
    k.edge_step = 4;          // a partial panel computes the 4-column vectors it needs (tile_partial<NV>)
    return k;
  }();
  return t;
}

}  // namespace detail
}  // namespace armconv

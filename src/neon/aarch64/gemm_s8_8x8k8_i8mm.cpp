// NEON int8 GEMM micro-kernel, aarch64 + i8mm, 8x8 tile with k grouped by 8
// (gemm_s8-aarch64-8x8k8-i8mm; formats and contract: core/gemm.h). An
// ISA-extension unit: compiled with -march=armv8.2-a+i8mm (CMake's extension
// list, by its file-name suffix) and reached only through dispatch.cpp after
// the AT_HWCAP2 check. It shares no inline or template code with baseline
// units: its helpers are in an anonymous namespace (also those of the
// headers it includes), and the generic packers it falls back on are called
// through the generic table, not instantiated here
// (tests/cpp/check_extension_symbols.cmake checks the built objects).
//
//   smmla acc.4s, a.16b, b.16b:  acc[2i + j] += sum_k a[8i + k] * b[8j + k]  (i, j < 2, k < 8)
//
// a 2x8 by 8x2 matrix product, 32 MACs an instruction. The packed formats of
// core/gemm.h with KR = 8 are its operands as they are: 16 bytes of an A
// group are rows r, r+1 (8 k each), 16 bytes of a B group columns j, j+1;
// acc holds the 2x2 block [r c, r c+1, r+1 c, r+1 c+1].
//
// Tile 8 x 8 (why not 8x12 or 12x8, below): per k group A is 64 bytes (4
// row pairs) and B 64 bytes (4 column pairs), one ld1 of 4 registers each,
// and the 16 accumulators (row pair p, column pair q) take 16 smmla: 512
// MACs in 18 instructions (28.4 per instruction; the bound, smmla alone, is
// 32). The k loop runs 8 groups an iteration (16 loads, 128 smmla, cmp +
// b.ne: 146 instructions for 4096 MACs, 28.1), then 4, 2, 1 groups by the
// bits of the rest. 8x12 (24 accumulators, A 4 + B 6 registers a group in
// the 8 left: 24 smmla per 2.5 four-register loads at best, 29.0) would
// gain 2% in the loop and lose more on the shapes that matter: output
// channels are multiples of 8 (16, 24, 32, 96, 144, 160...; 12 rows would
// pad 16 and 64 channels to 24 and 72) and MobileNetV2's maps (12544, 3136,
// 784 pixels) are multiples of 8, not of 12; 7x7 (49) pads to 56 here, 60
// there. 12x12 would need 36 accumulators.
//
// Output stage, full tiles, from the paired accumulators (no un-pairing
// but for 32-bit stores): per-row parameters are expanded once per call
// into row-pair vectors [x(2p), x(2p), x(2p+1), x(2p+1)] (bias2 / par2), so
// that every operation is one instruction per accumulator:
//   init    4 ld1 (the 4 row-pair bias vectors, once per column pair);
//   int32   zip1/zip2 .2d un-pair row 2p's and 2p+1's 4-column halves,
//           st1 {2 registers} per row (24 instructions);
//   float   scvtf, fmul by the row-pair scales, fmax/fmin if clamped, then
//           the int32 store (58; 91 clamped);
//   int8    sqshl (if E > 0: 17 more), sqrdmulh by the row-pair
//           multipliers, per row pair sqxtn/sqxtn2 x2 to int16 and
//           sqxtn/sqxtn2 to int8 (16 bytes: the 2-byte column pairs of rows
//           2p and 2p+1 alternate), the clamp, uzp1/uzp2 .8h of two row
//           pairs into [row r | row r+2] and 8-byte lane stores (63; 59
//           with one clamp, the sdot kernel's variants: qmax = 127, or
//           qmin = 0 by the unsigned narrowing).
// With the 4 ld1 of the bias, the tile loop (mov, sub, subs, b.ne) and the
// k code's branches, a tile of K = 16 (2 groups: 4 loads, 32 smmla) with
// int8 ReLU6 output is 106 instructions, 59 of them the store.
// Partial tiles (fewer than 8 rows or columns) run the same assembly with
// the first NQ = 1, 2 or 4 column pairs in the k loop into an 8x8 buffer,
// then copy m rows of `cols` elements: the same instructions, so the same
// values, and nothing written outside C.
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

constexpr int kMR = 8, kNR = 8, kKR = 8;

// ---- the tile (assembly) -----------------------------------------------------
// Register map:
//   v16-v31  accumulators: (row pair p, column pair q) in v(16 + 4q + p), so
//            v16-v19 are columns 0-1 of rows 0-7, v20-v23 columns 2-3, ...;
//            ld1 {v16-v19} of bias2 initialises one column pair;
//   v0-v3    A of a k group (row pairs 0-3), v4-v7 its B (column pairs 0-3);
//   v8-v15   the same for the second group of a pair of groups;
//   v0-v15   free for the store stage after the k loop.
// x registers: ap (A, from a per tile), b (B: the panels follow each other,
// so it is never rewound), c (C: rows stored with post-index ldc, then
// rewound to the next tile), tiles (count down).

// smmla of one B column pair B with the 4 A row pairs into the accumulators r0..r3.
#define ARMCONV_I8_MM(B, A0, A1, A2, A3, r0, r1, r2, r3)                    \
  "smmla " r0 ".4s, " A0 ".16b, " B ".16b\n smmla " r1 ".4s, " A1 ".16b, " B ".16b\n" \
  "smmla " r2 ".4s, " A2 ".16b, " B ".16b\n smmla " r3 ".4s, " A3 ".16b, " B ".16b\n"
#define ARMCONV_I8_APPLY(M, ...) M(__VA_ARGS__)
#define ARMCONV_I8_Q0 "v16", "v17", "v18", "v19"
#define ARMCONV_I8_Q1 "v20", "v21", "v22", "v23"
#define ARMCONV_I8_Q2 "v24", "v25", "v26", "v27"
#define ARMCONV_I8_Q3 "v28", "v29", "v30", "v31"
#define ARMCONV_I8_SET0 "v0", "v1", "v2", "v3"
#define ARMCONV_I8_SET1 "v8", "v9", "v10", "v11"
// The first NQ column pairs of a group; A in set S (0: v0-v3, B v4-v7; 1: v8-v11, B v12-v15).
#define ARMCONV_I8_MM1_0 ARMCONV_I8_APPLY(ARMCONV_I8_MM, "v4", ARMCONV_I8_SET0, ARMCONV_I8_Q0)
#define ARMCONV_I8_MM2_0 ARMCONV_I8_MM1_0 ARMCONV_I8_APPLY(ARMCONV_I8_MM, "v5", ARMCONV_I8_SET0, ARMCONV_I8_Q1)
#define ARMCONV_I8_MM4_0                                                  \
  ARMCONV_I8_MM2_0 ARMCONV_I8_APPLY(ARMCONV_I8_MM, "v6", ARMCONV_I8_SET0, ARMCONV_I8_Q2) \
  ARMCONV_I8_APPLY(ARMCONV_I8_MM, "v7", ARMCONV_I8_SET0, ARMCONV_I8_Q3)
#define ARMCONV_I8_MM1_1 ARMCONV_I8_APPLY(ARMCONV_I8_MM, "v12", ARMCONV_I8_SET1, ARMCONV_I8_Q0)
#define ARMCONV_I8_MM2_1 ARMCONV_I8_MM1_1 ARMCONV_I8_APPLY(ARMCONV_I8_MM, "v13", ARMCONV_I8_SET1, ARMCONV_I8_Q1)
#define ARMCONV_I8_MM4_1                                                  \
  ARMCONV_I8_MM2_1 ARMCONV_I8_APPLY(ARMCONV_I8_MM, "v14", ARMCONV_I8_SET1, ARMCONV_I8_Q2) \
  ARMCONV_I8_APPLY(ARMCONV_I8_MM, "v15", ARMCONV_I8_SET1, ARMCONV_I8_Q3)
// Loads: A 64 bytes; B the first NQ column pairs of its 64 bytes (the
// pointer steps a whole group).
#define ARMCONV_I8_LDA_0 "ld1 {v0.16b, v1.16b, v2.16b, v3.16b}, [%[ap]], #64\n"
#define ARMCONV_I8_LDA_1 "ld1 {v8.16b, v9.16b, v10.16b, v11.16b}, [%[ap]], #64\n"
#define ARMCONV_I8_LDB4_0 "ld1 {v4.16b, v5.16b, v6.16b, v7.16b}, [%[b]], #64\n"
#define ARMCONV_I8_LDB4_1 "ld1 {v12.16b, v13.16b, v14.16b, v15.16b}, [%[b]], #64\n"
#define ARMCONV_I8_LDB2_0 "ldp q4, q5, [%[b]], #64\n"
#define ARMCONV_I8_LDB2_1 "ldp q12, q13, [%[b]], #64\n"
#define ARMCONV_I8_LDB1_0 "ldr q4, [%[b]], #64\n"
#define ARMCONV_I8_LDB1_1 "ldr q12, [%[b]], #64\n"
// One, two and four k groups.
#define ARMCONV_I8_ONE(NQ) ARMCONV_I8_LDA_0 ARMCONV_I8_LDB##NQ##_0 ARMCONV_I8_MM##NQ##_0
#define ARMCONV_I8_TWO(NQ)                                                                   \
  ARMCONV_I8_LDA_0 ARMCONV_I8_LDB##NQ##_0 ARMCONV_I8_LDA_1 ARMCONV_I8_LDB##NQ##_1 \
  ARMCONV_I8_MM##NQ##_0 ARMCONV_I8_MM##NQ##_1
#define ARMCONV_I8_FOUR(NQ) ARMCONV_I8_TWO(NQ) ARMCONV_I8_TWO(NQ)
// The k groups of a tile, in k order: eight per iteration (the loop ends
// when ap reaches aend: no counter per tile), then groups % 8 by the bits of
// the rest (4, 2, 1). K_LOOP: groups % 8 = 0 only; K_REM: groups < 8 only;
// K_ANY: any (two branches more).
#define ARMCONV_I8_K_LOOP(NQ) "1:\n" ARMCONV_I8_FOUR(NQ) ARMCONV_I8_FOUR(NQ) "cmp %[ap], %[aend]\n b.ne 1b\n"
#define ARMCONV_I8_K_REM(NQ)                        \
  "tbz %[rem], #2, 3f\n" ARMCONV_I8_FOUR(NQ)        \
  "3:\n"                                            \
  "tbz %[rem], #1, 4f\n" ARMCONV_I8_TWO(NQ)         \
  "4:\n"                                            \
  "tbz %[rem], #0, 5f\n" ARMCONV_I8_ONE(NQ)         \
  "5:\n"
#define ARMCONV_I8_K_ANY(NQ) "cbz %[n8], 2f\n" ARMCONV_I8_K_LOOP(NQ) "2:\n cbz %[rem], 5f\n" ARMCONV_I8_K_REM(NQ)

// --- store stages (after the k loop; v0-v15 free) ---
// Un-pairing: row 2p is the low halves (zip1 .2d), row 2p+1 the high halves
// (zip2 .2d) of (p, 0), (p, 1) (columns 0-3) and (p, 2), (p, 3) (columns 4-7).
#define ARMCONV_I8_ROWS32(q0, q1, q2, q3, t0, t1, t2, t3)                                 \
  "zip1 " t0 ".2d, " q0 ".2d, " q1 ".2d\n zip1 " t1 ".2d, " q2 ".2d, " q3 ".2d\n"     \
  "zip2 " t2 ".2d, " q0 ".2d, " q1 ".2d\n zip2 " t3 ".2d, " q2 ".2d, " q3 ".2d\n"     \
  "st1 {" t0 ".4s, " t1 ".4s}, [%[c]], %[ldc]\n st1 {" t2 ".4s, " t3 ".4s}, [%[c]], %[ldc]\n"
#define ARMCONV_I8_STORE32                                                       \
  ARMCONV_I8_ROWS32("v16", "v20", "v24", "v28", "v0", "v1", "v2", "v3")          \
  ARMCONV_I8_ROWS32("v17", "v21", "v25", "v29", "v4", "v5", "v6", "v7")          \
  ARMCONV_I8_ROWS32("v18", "v22", "v26", "v30", "v8", "v9", "v10", "v11")        \
  ARMCONV_I8_ROWS32("v19", "v23", "v27", "v31", "v12", "v13", "v14", "v15")

// OP on the 16 accumulators with the trailing operands of their row pair:
// BY_PAIR (row pair p's vector v(p), p < 4) or the same V for all (BY_VEC).
#define ARMCONV_I8_OP4(OP, V, r0, r1, r2, r3)                                       \
  OP " " r0 ".4s, " r0 ".4s" V "\n " OP " " r1 ".4s, " r1 ".4s" V "\n"               \
  OP " " r2 ".4s, " r2 ".4s" V "\n " OP " " r3 ".4s, " r3 ".4s" V "\n"
#define ARMCONV_I8_BY_VEC(OP, V)                                                             \
  ARMCONV_I8_APPLY(ARMCONV_I8_OP4, OP, V, ARMCONV_I8_Q0) ARMCONV_I8_APPLY(ARMCONV_I8_OP4, OP, V, ARMCONV_I8_Q1) \
  ARMCONV_I8_APPLY(ARMCONV_I8_OP4, OP, V, ARMCONV_I8_Q2) ARMCONV_I8_APPLY(ARMCONV_I8_OP4, OP, V, ARMCONV_I8_Q3)
#define ARMCONV_I8_PAIR4(OP, q0, q1, q2, q3, p)                                     \
  OP " " q0 ".4s, " q0 ".4s, " p ".4s\n " OP " " q1 ".4s, " q1 ".4s, " p ".4s\n"     \
  OP " " q2 ".4s, " q2 ".4s, " p ".4s\n " OP " " q3 ".4s, " q3 ".4s, " p ".4s\n"
#define ARMCONV_I8_BY_PAIR(OP)                                   \
  ARMCONV_I8_PAIR4(OP, "v16", "v20", "v24", "v28", "v0")         \
  ARMCONV_I8_PAIR4(OP, "v17", "v21", "v25", "v29", "v1")         \
  ARMCONV_I8_PAIR4(OP, "v18", "v22", "v26", "v30", "v2")         \
  ARMCONV_I8_PAIR4(OP, "v19", "v23", "v27", "v31", "v3")

// int32 tile.
#define ARMCONV_I8_STORE_INT32 ARMCONV_I8_STORE32

// float tile: scvtf, fmul by the row-pair scales (p0: 16 floats), the clamp
// to [p1[0], p1[1]] if shift != 0, the int32 store.
#define ARMCONV_I8_STORE_FLOAT                                                  \
  "ld1 {v0.4s, v1.4s, v2.4s, v3.4s}, [%[p0]]\n" ARMCONV_I8_BY_VEC("scvtf", "") \
  ARMCONV_I8_BY_PAIR("fmul")                                                    \
  "cbz %[shift], 7f\n"                                                          \
  "ld2r {v4.4s, v5.4s}, [%[p1]]\n" ARMCONV_I8_BY_VEC("fmax", ", v4.4s")        \
  ARMCONV_I8_BY_VEC("fmin", ", v5.4s")                                          \
  "7:\n" ARMCONV_I8_STORE32

// int8 tile (the rule of core/requant.h): sqshl by E (if shift != 0),
// sqrdmulh by the row-pair multipliers (p0: 16 int32); per row pair p the
// int16 narrowing of its column pairs 0-1 into T0 and 2-3 into T1, then TO8
// narrows T0, T1 into O and clamps it to [v4, v5] (p1: qmin, qmax bytes):
// O's 16-bit lanes are [row 2p: columns 0-1], [row 2p+1: 0-1], [row 2p:
// 2-3], ... Then uzp1/uzp2 .8h of the row pairs 0, 1 (and 2, 3) give [row
// 0 | row 2] and [row 1 | row 3], stored 8 bytes a row.
//   S8_TO8: sqxtn/sqxtn2, smax with qmin, smin with qmax;
//   S8_TO8_NOMAX: without smin (qmax = 127: the narrowing saturates there);
//   S8_TO8_U: qmin = 0 (ReLU): sqxtun/sqxtun2 (to [0, 255]) and umin with
//     qmax (<= 127): clamp(t, 0, qmax) without the smax.
#define ARMCONV_I8_TO8_NOMAX(O, T0, T1) \
  "sqxtn " O ".8b, " T0 ".8h\n sqxtn2 " O ".16b, " T1 ".8h\n smax " O ".16b, " O ".16b, v4.16b\n"
#define ARMCONV_I8_TO8(O, T0, T1) ARMCONV_I8_TO8_NOMAX(O, T0, T1) "smin " O ".16b, " O ".16b, v5.16b\n"
#define ARMCONV_I8_TO8_U(O, T0, T1) \
  "sqxtun " O ".8b, " T0 ".8h\n sqxtun2 " O ".16b, " T1 ".8h\n umin " O ".16b, " O ".16b, v5.16b\n"
#define ARMCONV_I8_NARROW(TO8, q0, q1, q2, q3, T0, T1, O)                                 \
  "sqxtn " T0 ".4h, " q0 ".4s\n sqxtn2 " T0 ".8h, " q1 ".4s\n"                           \
  "sqxtn " T1 ".4h, " q2 ".4s\n sqxtn2 " T1 ".8h, " q3 ".4s\n" TO8(O, T0, T1)
#define ARMCONV_I8_ST4ROWS(E, O)                                                            \
  "st1 {" E ".d}[0], [%[c]], %[ldc]\n st1 {" O ".d}[0], [%[c]], %[ldc]\n"                   \
  "st1 {" E ".d}[1], [%[c]], %[ldc]\n st1 {" O ".d}[1], [%[c]], %[ldc]\n"
#define ARMCONV_I8_STORE_INT8_(TO8)                                                       \
  "ld1 {v0.4s, v1.4s, v2.4s, v3.4s}, [%[p0]]\n"                                          \
  "cbz %[shift], 7f\n"                                                                    \
  "dup v4.4s, %w[shift]\n" ARMCONV_I8_BY_VEC("sqshl", ", v4.4s")                         \
  "7:\n" ARMCONV_I8_BY_PAIR("sqrdmulh")                                                   \
  "ld2r {v4.16b, v5.16b}, [%[p1]]\n"                                                     \
  ARMCONV_I8_NARROW(TO8, "v16", "v20", "v24", "v28", "v0", "v1", "v8")                   \
  ARMCONV_I8_NARROW(TO8, "v17", "v21", "v25", "v29", "v2", "v3", "v9")                   \
  ARMCONV_I8_NARROW(TO8, "v18", "v22", "v26", "v30", "v6", "v7", "v10")                  \
  ARMCONV_I8_NARROW(TO8, "v19", "v23", "v27", "v31", "v12", "v13", "v11")                \
  "uzp1 v14.8h, v8.8h, v9.8h\n uzp2 v15.8h, v8.8h, v9.8h\n"                               \
  "uzp1 v0.8h, v10.8h, v11.8h\n uzp2 v1.8h, v10.8h, v11.8h\n"                             \
  ARMCONV_I8_ST4ROWS("v14", "v15") ARMCONV_I8_ST4ROWS("v0", "v1")
#define ARMCONV_I8_STORE_INT8 ARMCONV_I8_STORE_INT8_(ARMCONV_I8_TO8)
#define ARMCONV_I8_STORE_INT8_NOMAX ARMCONV_I8_STORE_INT8_(ARMCONV_I8_TO8_NOMAX)
#define ARMCONV_I8_STORE_INT8_U ARMCONV_I8_STORE_INT8_(ARMCONV_I8_TO8_U)

// A strip of `tiles` (>= 1) tiles: per tile ap from a, the accumulators from
// bias2 (4 ld1 of the same 64 bytes), the k code, the store stage, c back
// by `rewind` bytes (8 rows down, then 8 columns on: the next tile).
#define ARMCONV_I8_TILES_ASM(KCODE, STORE)                                               \
  __asm__ volatile(                                                                     \
      "0:\n"                                                                            \
      "mov %[ap], %[a]\n"                                                               \
      "ld1 {v16.4s, v17.4s, v18.4s, v19.4s}, [%[bias2]]\n"                              \
      "ld1 {v20.4s, v21.4s, v22.4s, v23.4s}, [%[bias2]]\n"                              \
      "ld1 {v24.4s, v25.4s, v26.4s, v27.4s}, [%[bias2]]\n"                              \
      "ld1 {v28.4s, v29.4s, v30.4s, v31.4s}, [%[bias2]]\n"                              \
      KCODE STORE                                                                       \
      "sub %[c], %[c], %[rewind]\n"                                                     \
      "subs %[tiles], %[tiles], #1\n"                                                   \
      "b.ne 0b\n"                                                                       \
      : [ap] "=&r"(ap), [b] "+r"(b), [c] "+r"(c), [tiles] "+r"(tiles)                   \
      : [a] "r"(a), [aend] "r"(aend), [n8] "r"(n8), [rem] "r"(rem), [bias2] "r"(st.bias2), \
        [ldc] "r"(ldc_bytes), [rewind] "r"(rewind), [p0] "r"(p0), [p1] "r"(p1),         \
        [shift] "r"(shift)                                                              \
      : "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9",     \
        "v10", "v11", "v12", "v13", "v14", "v15", "v16", "v17", "v18", "v19", "v20",    \
        "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31")

// The per-call output stage: the per-row parameters of the 8 rows as
// row-pair vectors [x(2p), x(2p), x(2p+1), x(2p+1)] (p = 0..3), the clamp
// range, and which int8 clamp the store needs.
struct I8Stage {
  alignas(16) int32_t bias2[16];
  alignas(16) int32_t par2[16];  // Int8: multipliers; Float: scales (bits)
  int8_t range8[2];
  float rangef[2];
};

inline void pair_rows(const void* src, int32_t* dst) {
  const int32x4_t lo = vld1q_s32(static_cast<const int32_t*>(src));
  const int32x4_t hi = vld1q_s32(static_cast<const int32_t*>(src) + 4);
  vst1q_s32(dst, vzip1q_s32(lo, lo));
  vst1q_s32(dst + 4, vzip2q_s32(lo, lo));
  vst1q_s32(dst + 8, vzip1q_s32(hi, hi));
  vst1q_s32(dst + 12, vzip2q_s32(hi, hi));
}

inline void i8_stage(const S8Output& out, I8Stage* st) {
  pair_rows(out.bias, st->bias2);
  if (out.kind == S8OutKind::Int8) pair_rows(out.mult, st->par2);
  if (out.kind == S8OutKind::Float) pair_rows(out.fscale, st->par2);
  st->range8[0] = int8_t(out.qmin);
  st->range8[1] = int8_t(out.qmax);
  st->rangef[0] = out.fmin;
  st->rangef[1] = out.fmax;
}

// The k code of a strip by K: groups % 8 = 0 (the 8-group loop only), groups
// < 8 (the remainder blocks only), any.
enum KShape { kKLoop, kKRem, kKAny };
#define ARMCONV_I8_TILES_K(STORE)                                        \
  if constexpr (KS == kKLoop) {                                          \
    ARMCONV_I8_TILES_ASM(ARMCONV_I8_K_LOOP(4), STORE);                   \
  } else if constexpr (KS == kKRem) {                                    \
    ARMCONV_I8_TILES_ASM(ARMCONV_I8_K_REM(4), STORE);                    \
  } else if constexpr (NQ == 4) {                                        \
    ARMCONV_I8_TILES_ASM(ARMCONV_I8_K_ANY(4), STORE);                    \
  } else if constexpr (NQ == 2) {                                        \
    ARMCONV_I8_TILES_ASM(ARMCONV_I8_K_ANY(2), STORE);                    \
  } else {                                                               \
    ARMCONV_I8_TILES_ASM(ARMCONV_I8_K_ANY(1), STORE);                    \
  }

// `tiles` tiles through the output stage at cv (row stride ldc elements):
// full 8 x 8 tiles (NQ = 4), or (tiles = 1, KS = kKAny) a tile of which only
// the first NQ column pairs are computed (the others hold the bias).
template <int NQ, KShape KS>
ARMCONV_S8_INLINE void i8_tiles(size_t tiles, size_t groups, const int8_t* a, const int8_t* b, void* cv,
                                size_t ldc, const S8Output& out, const I8Stage& st) {
  static_assert(NQ == 4 || KS == kKAny, "narrow tiles run the k code for any K");
  const size_t n8 = groups / 8, rem = groups % 8;
  const int8_t* const aend = a + 8 * 64 * n8;
  const int8_t* ap;
  char* c = static_cast<char*>(cv);
  switch (out.kind) {
    case S8OutKind::Int32: {
      const void *p0 = nullptr, *p1 = nullptr;
      const size_t ldc_bytes = ldc * sizeof(int32_t), rewind = (kMR * ldc - kNR) * sizeof(int32_t);
      const long shift = 0;
      ARMCONV_I8_TILES_K(ARMCONV_I8_STORE_INT32)
      break;
    }
    case S8OutKind::Int8: {
      const void *p0 = st.par2, *p1 = st.range8;
      const size_t ldc_bytes = ldc, rewind = kMR * ldc - kNR;
      const long shift = out.shift;
      if (out.qmin == 0) {
        ARMCONV_I8_TILES_K(ARMCONV_I8_STORE_INT8_U)
      } else if (out.qmax < 127) {
        ARMCONV_I8_TILES_K(ARMCONV_I8_STORE_INT8)
      } else {
        ARMCONV_I8_TILES_K(ARMCONV_I8_STORE_INT8_NOMAX)
      }
      break;
    }
    case S8OutKind::Float: {
      const void *p0 = st.par2, *p1 = st.rangef;
      const size_t ldc_bytes = ldc * sizeof(float), rewind = (kMR * ldc - kNR) * sizeof(float);
      const long shift = out.fclamp ? 1 : 0;
      ARMCONV_I8_TILES_K(ARMCONV_I8_STORE_FLOAT)
      break;
    }
  }
}

#undef ARMCONV_I8_TILES_K
#undef ARMCONV_I8_TILES_ASM
#undef ARMCONV_I8_STORE_INT8_U
#undef ARMCONV_I8_STORE_INT8_NOMAX
#undef ARMCONV_I8_STORE_INT8
#undef ARMCONV_I8_STORE_INT8_
#undef ARMCONV_I8_ST4ROWS
#undef ARMCONV_I8_NARROW
#undef ARMCONV_I8_TO8_U
#undef ARMCONV_I8_TO8
#undef ARMCONV_I8_TO8_NOMAX
#undef ARMCONV_I8_STORE_FLOAT
#undef ARMCONV_I8_STORE_INT32
#undef ARMCONV_I8_BY_PAIR
#undef ARMCONV_I8_PAIR4
#undef ARMCONV_I8_BY_VEC
#undef ARMCONV_I8_OP4
#undef ARMCONV_I8_STORE32
#undef ARMCONV_I8_ROWS32
#undef ARMCONV_I8_K_ANY
#undef ARMCONV_I8_K_REM
#undef ARMCONV_I8_K_LOOP
#undef ARMCONV_I8_FOUR
#undef ARMCONV_I8_TWO
#undef ARMCONV_I8_ONE
#undef ARMCONV_I8_LDB1_1
#undef ARMCONV_I8_LDB1_0
#undef ARMCONV_I8_LDB2_1
#undef ARMCONV_I8_LDB2_0
#undef ARMCONV_I8_LDB4_1
#undef ARMCONV_I8_LDB4_0
#undef ARMCONV_I8_LDA_1
#undef ARMCONV_I8_LDA_0
#undef ARMCONV_I8_MM4_1
#undef ARMCONV_I8_MM2_1
#undef ARMCONV_I8_MM1_1
#undef ARMCONV_I8_MM4_0
#undef ARMCONV_I8_MM2_0
#undef ARMCONV_I8_MM1_0
#undef ARMCONV_I8_SET1
#undef ARMCONV_I8_SET0
#undef ARMCONV_I8_Q3
#undef ARMCONV_I8_Q2
#undef ARMCONV_I8_Q1
#undef ARMCONV_I8_Q0
#undef ARMCONV_I8_APPLY
#undef ARMCONV_I8_MM

// A partial tile: rows [0, m) x columns [0, cols) through an 8 x 8 buffer.
template <int NQ>
ARMCONV_S8_INLINE void i8_tile_partial(size_t groups, size_t m, size_t cols, const int8_t* a, const int8_t* b,
                                       char* c, size_t ldc, const S8Output& out, const I8Stage& st) {
  alignas(16) char t[kMR * kNR * 4];
  i8_tiles<NQ, kKAny>(1, groups, a, b, t, kNR, out, st);
  const size_t es = out.kind == S8OutKind::Int8 ? 1 : 4, row = ldc * es, bytes = cols * es;
  for (size_t r = 0; r < m; r++) {  // 1..28 bytes a row: 16 and the rest, or the rest
    char* p = c + r * row;
    const char* s = t + r * kNR * es;
    if (bytes > 16) {
      std::memcpy(p, s, 16);
      s8_copy_small(p + 16, s + 16, bytes - 16);
    } else {
      s8_copy_small(p, s, bytes);
    }
  }
}

void ukernel_i8mm(size_t k, size_t m, size_t n, const int8_t* a, const int8_t* b, void* cv, size_t ldc,
                  const S8Output& out, unsigned /*flags: K is never split*/) {
  const size_t groups = (k + kKR - 1) / kKR, es = out.kind == S8OutKind::Int8 ? 1 : 4;
  const size_t panel = size_t(kNR * kKR) * groups;  // bytes of one B panel
  I8Stage st;
  i8_stage(out, &st);
  char* c = static_cast<char*>(cv);
  size_t q = 0;
  if (m == size_t(kMR) && n >= size_t(kNR)) {  // the full tiles: one strip
    const size_t tiles = n / kNR;
    if (groups % 8 == 0)
      i8_tiles<4, kKLoop>(tiles, groups, a, b, c, ldc, out, st);
    else if (groups < 8)
      i8_tiles<4, kKRem>(tiles, groups, a, b, c, ldc, out, st);
    else
      i8_tiles<4, kKAny>(tiles, groups, a, b, c, ldc, out, st);
    q = tiles * kNR;
    b += tiles * panel;
  }
  for (; q < n; q += kNR, b += panel) {
    const size_t cols = n - q < size_t(kNR) ? n - q : size_t(kNR);
    char* cq = c + q * es;
    if (cols <= 2)
      i8_tile_partial<1>(groups, m, cols, a, b, cq, ldc, out, st);
    else if (cols <= 4)
      i8_tile_partial<2>(groups, m, cols, a, b, cq, ldc, out, st);
    else
      i8_tile_partial<4>(groups, m, cols, a, b, cq, ldc, out, st);
  }
}

// ---- packing B (k grouped by 8, 8-column panels) -----------------------------
// Eight rows k..k+7 of 16 columns (two panels) become the two panels'
// groups [column j: its 8 k] by two rounds of zips and st2:
//   zip1/zip2 .16b of rows (0,1), (2,3), (4,5), (6,7): [column j: k, k+1]
//   zip1/zip2 .8h of those: w[h][v] = [column 4v + i: rows 4h..4h+3] (i < 4)
//   st2 .4s of w[0][v], w[1][v]: [column 4v + i: rows 0-3, rows 4-7], i.e.
//   columns 4v..4v+3 of the format (32 bytes); v = 0, 1 panel q, v = 2, 3
//   panel q + 1.
// 16 zips and 4 stores for 128 bytes (a third round of zips and st1 would
// be 24 and 2).
inline void block8x16(const int8x16_t* r, int8_t* d0, int8_t* d1, bool second) {
  const int16x8_t z01l = vreinterpretq_s16_s8(vzip1q_s8(r[0], r[1]));
  const int16x8_t z01h = vreinterpretq_s16_s8(vzip2q_s8(r[0], r[1]));
  const int16x8_t z23l = vreinterpretq_s16_s8(vzip1q_s8(r[2], r[3]));
  const int16x8_t z23h = vreinterpretq_s16_s8(vzip2q_s8(r[2], r[3]));
  const int16x8_t z45l = vreinterpretq_s16_s8(vzip1q_s8(r[4], r[5]));
  const int16x8_t z45h = vreinterpretq_s16_s8(vzip2q_s8(r[4], r[5]));
  const int16x8_t z67l = vreinterpretq_s16_s8(vzip1q_s8(r[6], r[7]));
  const int16x8_t z67h = vreinterpretq_s16_s8(vzip2q_s8(r[6], r[7]));
  int32x4x2_t o;
  o.val[0] = vreinterpretq_s32_s16(vzip1q_s16(z01l, z23l));
  o.val[1] = vreinterpretq_s32_s16(vzip1q_s16(z45l, z67l));
  vst2q_s32(reinterpret_cast<int32_t*>(static_cast<void*>(d0)), o);
  o.val[0] = vreinterpretq_s32_s16(vzip2q_s16(z01l, z23l));
  o.val[1] = vreinterpretq_s32_s16(vzip2q_s16(z45l, z67l));
  vst2q_s32(reinterpret_cast<int32_t*>(static_cast<void*>(d0 + 32)), o);
  if (!second) return;
  o.val[0] = vreinterpretq_s32_s16(vzip1q_s16(z01h, z23h));
  o.val[1] = vreinterpretq_s32_s16(vzip1q_s16(z45h, z67h));
  vst2q_s32(reinterpret_cast<int32_t*>(static_cast<void*>(d1)), o);
  o.val[0] = vreinterpretq_s32_s16(vzip2q_s16(z01h, z23h));
  o.val[1] = vreinterpretq_s32_s16(vzip2q_s16(z45h, z67h));
  vst2q_s32(reinterpret_cast<int32_t*>(static_cast<void*>(d1 + 32)), o);
}

void pack_b_i8mm(size_t k, size_t nc, const int8_t* b, size_t ldb, int8_t* dst) {
  const size_t kp = (k + 7) / 8 * 8, k8 = k / 8 * 8, ps = kNR * kp;  // ps: bytes of a panel
  size_t q = 0;
  // Blocks of 16 columns: each whole group from 8 row loads; the last,
  // partial group with the rows past k zero.
  for (; q + 16 <= nc; q += 16) {
    const int8_t* s = b + q;
    int8_t* d = dst + q * kp;
    for (size_t kk = 0; kk < k8; kk += 8, d += 64) {
      int8x16_t r[8];
      r[0] = vld1q_s8(s);
      for (int i = 1; i < 8; i++) r[i] = vld1q_s8(s += ldb);
      s += ldb;
      block8x16(r, d, d + ps, true);
    }
    if (k8 < k) {
      int8x16_t r[8];
      for (size_t i = 0; i < 8; i++) r[i] = k8 + i < k ? vld1q_s8(s + i * ldb) : vdupq_n_s8(0);
      block8x16(r, d, d + ps, true);
    }
  }
  if (q == nc) return;
  // The last w < 16 columns (one or two panels, the columns past w zero): a
  // row but the block's last is read 16 bytes at a time when that stays
  // inside the block's span (row kk ends at kk ldb + q + 16 <= (k - 1) ldb +
  // nc for kk <= k - 2 when q + 16 <= ldb + nc: other columns of the matrix,
  // never past its last byte) and masked to w bytes; the last row (every
  // row, if not) by a copy of its w bytes.
  static const uint8_t kIota[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  const size_t w = nc - q;
  const int8x16_t mask = vreinterpretq_s8_u8(vcltq_u8(vld1q_u8(kIota), vdupq_n_u8(uint8_t(w))));
  const size_t kwide = q + 16 <= ldb + nc ? k - 1 : 0;  // rows [0, kwide): 16-byte loads
  const int8_t* s = b + q;
  int8_t* d = dst + q * kp;
  for (size_t kk = 0; kk < k; kk += 8, d += 64) {
    int8x16_t r[8];
    for (size_t i = 0; i < 8; i++) {
      const size_t row = kk + i;
      if (row < kwide) {
        r[i] = vandq_s8(vld1q_s8(s + row * ldb), mask);
      } else if (row < k) {
        alignas(16) char t[16] = {};
        s8_copy_small(t, reinterpret_cast<const char*>(s + row * ldb), w);
        r[i] = vld1q_s8(reinterpret_cast<const int8_t*>(t));
      } else {
        r[i] = vdupq_n_s8(0);
      }
    }
    block8x16(r, d, d + ps, w > 8);
  }
}

// ---- packing B straight from the image (im2col) --------------------------------
// The geometries of neon/gemm_s8_im2col.h (no padding read: a padded layer
// is packed from the conv driver's zero-padded copy; stride 1 or 2 along
// x): each block of 16 columns (two panels) is a block of runs there, and
// each 8-row group of it the 8 rows' loads (one per run) and block8x16.
// Rows past kc are zero, and so are columns past nc. Other geometries: the
// generic packer (the driver stages them through pack_b instead:
// pack_im2col_ok).
template <int SW>
void pack_im2col_direct(const Im2colGeom& g, size_t k0, size_t kc, size_t n0, size_t nc, int8_t* dst) {
  const size_t kcp = (kc + 7) / 8 * 8, ps = kNR * kcp;
  constexpr size_t kChunk = 512;  // rows whose offsets are worked out at once (a multiple of 8)
  size_t off[kChunk];
  for (size_t r0 = 0; r0 < kc; r0 += kChunk) {
    const size_t rows = kc - r0 < kChunk ? kc - r0 : kChunk;
    s8_im2col_offsets(g, k0 + r0, rows, off);
    for (size_t q = 0; q < nc; q += 16) {
      const size_t cols = nc - q < 16 ? nc - q : 16;
      S8Runs rs;
      s8_runs<SW>(g, n0 + q, cols, off[rows - 1], &rs);
      int8_t* d = dst + q * kcp + r0 * kNR;
      s8_with_loader<SW, 16>(g, rs, [&](auto load) {
        size_t i = 0;
        for (; i + 8 <= rows; i += 8, d += 64) {
          const int8x16_t r[8] = {load(off[i]),     load(off[i + 1]), load(off[i + 2]), load(off[i + 3]),
                                  load(off[i + 4]), load(off[i + 5]), load(off[i + 6]), load(off[i + 7])};
          block8x16(r, d, d + ps, cols > 8);
        }
        if (i < rows) {  // the last group: rows past kc are zero
          int8x16_t r[8];
          for (size_t t = 0; t < 8; t++) r[t] = i + t < rows ? load(off[i + t]) : vdupq_n_s8(0);
          block8x16(r, d, d + ps, cols > 8);
        }
      });
    }
  }
}

void pack_im2col_i8mm(const Im2colGeom& g, size_t k0, size_t kc, size_t n0, size_t nc, int8_t* dst) {
  if (kc == 0 || nc == 0) return;
  if (!s8_im2col_direct_ok(g))
    return gemm_s8_generic_kernels_for(kMR, kNR, kKR)->pack_im2col(g, k0, kc, n0, nc, dst);
  if (g.sw == 1)
    pack_im2col_direct<1>(g, k0, kc, n0, nc, dst);
  else
    pack_im2col_direct<2>(g, k0, kc, n0, nc, dst);
}

}  // namespace

const S8GemmKernels& gemm_s8_i8mm_kernels() {
  static const S8GemmKernels t = [] {
    S8GemmKernels k = *gemm_s8_generic_kernels_for(kMR, kNR, kKR);  // pack_a
    k.name = "gemm_s8-aarch64-8x8k8-i8mm";
    k.ukernel = ukernel_i8mm;
    k.pack_b = pack_b_i8mm;
    k.pack_im2col = pack_im2col_i8mm;
    k.pack_im2col_ok = s8_im2col_direct_ok;  // other geometries: staged through pack_b
    k.pad_copy = true;
    return k;
  }();
  return t;
}

}  // namespace detail
}  // namespace armconv

// NEON int8 GEMM micro-kernel, aarch64, the smull path, 4x4 tile with k
// grouped by 16 (gemm_s8-aarch64-4x4k16; formats and contract: core/gemm.h).
// For one row group a (16 int8) and one column group b:
//
//   t = smull(a[0:8], b[0:8])        8 int16 lanes: a_i * b_i
//   t = smlal2(t, a[8:16], b[8:16])  lane i += a_{i+8} * b_{i+8}   (|t| <= 2*127*128)
//   acc = sadalp(acc, t)             4 int32 lanes += pairs of t
//
// 16 MACs in 3 instructions. The 4 lanes of acc (row r, column j) are summed
// once per tile with pairwise adds; the first k group widens with saddlp
// instead of sadalp so the accumulators need no zeroing.
//
// Tile 4 x 4 (16 accumulators + 4 A + 4 B registers + 4 int16 temporaries
// + 4 per-call constants: all 32), in assembly. A call's full tiles run as
// one strip in one asm block (sm_tiles: the k code by the number of k
// groups, A hoisted out of the strip for 1 or 2 groups, no C rewind: one
// pointer per row); the last panel's 1..3 columns as a narrow tile
// (sm_narrow: only those columns' products); fewer than 4 rows through a
// 64-byte buffer. B is packed by neon/gemm_s8_pack_k16.h, A by the generic
// packer (once per layer); im2col by pack_im2col_k16 (direct geometries) or
// the driver's staged packer (core/gemm_driver.cpp) and pack_b.
#include <arm_neon.h>

#include <cstring>

#include "core/buffer.h"
#include "core/gemm.h"
#include "neon/gemm_s8_pack_k16.h"
#include "neon/gemm_s8_store.h"

namespace armconv {
namespace detail {
namespace {

// ---- the aarch64 4 x 4 tile (assembly) -----------------------------------------
// Register map (vector): A rows 0-3 in v0-v3 and B columns 0-3 in v4-v7 (one
// k group each), int16 products in v8-v11 (one row at a time: 4 temporaries;
// the core renames them), accumulator (row r, column j) in v(16 + 4r + j),
// and four per-call constants in v12-v15 (loaded once per strip):
//   v12 the 4 rows' biases; v13 their multipliers (int8) or scales (float);
//   int8: v14 the byte permutation of the store (kTransposeIdx), v15 qmax
//   (clamps with qmax) or qmin (qmax = 127: ARMCONV_SM_TO8_NOMAX), as 16 bytes;
//   float: v14 fmin, v15 fmax (4 floats each).
// A k group: 4 x (4 smull, 4 smlal2, 4 sadalp) + 2 loads = 50 instructions
// for 256 MACs; a tile's first group widens with saddlp (no zeroing).
// (G2 strips: v0-v3 and v8-v11 hold the two groups' A, the temporaries are
// v12-v15 and the constants are reloaded per tile: ARMCONV_SM_K_G2.)
// After the k groups, v0-v11 are free, and v16-v31 after the sums; the
// epilogue (scratch: v4-v7, v16-v19) reduces the accumulators to COLUMN
// vectors: column j = addp(addp(acc 0j, acc 1j), addp(acc 2j, acc 3j))
// in v(4 + j), lane r = row r (12 addp), so the per-row bias, multiplier and
// scale are one vector each (v12, v13: 4 add, 4 sqrdmulh / fmul by vector,
// no dup). Stores by row from column vectors: 32-bit values by st4 of lane r
// of v4-v7 (row r's 16 bytes); int8 by one tbl (v14) that turns the narrowed
// column-major 4 x 4 bytes row-major, then 4-byte lane stores.
// (Assembly: with all 32 registers live the compilers spill.)
//
// Row ra (A register) times the 4 columns, temporaries t0..t3.
#define ARMCONV_SM_ROW_T(OP, ra, t0, t1, t2, t3, a0, a1, a2, a3)                             \
  "smull " t0 ".8h, " ra ".8b, v4.8b\n smull " t1 ".8h, " ra ".8b, v5.8b\n"               \
  "smull " t2 ".8h, " ra ".8b, v6.8b\n smull " t3 ".8h, " ra ".8b, v7.8b\n"               \
  "smlal2 " t0 ".8h, " ra ".16b, v4.16b\n smlal2 " t1 ".8h, " ra ".16b, v5.16b\n"         \
  "smlal2 " t2 ".8h, " ra ".16b, v6.16b\n smlal2 " t3 ".8h, " ra ".16b, v7.16b\n"         \
  OP " " a0 ".4s, " t0 ".8h\n " OP " " a1 ".4s, " t1 ".8h\n " OP " " a2 ".4s, " t2 ".8h\n" \
  OP " " a3 ".4s, " t3 ".8h\n"
#define ARMCONV_SM_ROW(OP, ra, a0, a1, a2, a3) ARMCONV_SM_ROW_T(OP, ra, "v8", "v9", "v10", "v11", a0, a1, a2, a3)
// A rows in A0..A3, temporaries T0..T3.
#define ARMCONV_SM_MAC_AT(OP, A0, A1, A2, A3, T0, T1, T2, T3)              \
  ARMCONV_SM_ROW_T(OP, A0, T0, T1, T2, T3, "v16", "v17", "v18", "v19")    \
  ARMCONV_SM_ROW_T(OP, A1, T0, T1, T2, T3, "v20", "v21", "v22", "v23")    \
  ARMCONV_SM_ROW_T(OP, A2, T0, T1, T2, T3, "v24", "v25", "v26", "v27")    \
  ARMCONV_SM_ROW_T(OP, A3, T0, T1, T2, T3, "v28", "v29", "v30", "v31")
#define ARMCONV_SM_MAC(OP) ARMCONV_SM_MAC_AT(OP, "v0", "v1", "v2", "v3", "v8", "v9", "v10", "v11")
#define ARMCONV_SM_LOAD_B "ld1 {v4.16b, v5.16b, v6.16b, v7.16b}, [%[b]], #64\n"
// One k group with A from the pointer AP (an operand name), post-incremented
// or not (POST: ", #64" or "").
#define ARMCONV_SM_GROUP(OP, AP, POST) \
  "ld1 {v0.16b, v1.16b, v2.16b, v3.16b}, [%[" AP "]]" POST "\n" ARMCONV_SM_LOAD_B ARMCONV_SM_MAC(OP)

// The k code of a tile by K (KShape, chosen per call):
//   G1 (1 group: K <= 16): A is the same 64 bytes for every tile of the
//     strip: loaded once in the prologue (kept in v0-v3), B alone per tile;
//   G2 (2 groups): both groups' A (a, a2 = a + 64) loaded once too (below);
//   G3, G4: ap = a, then the groups in a row (ap post-incremented);
//   GN (5 or more): ap = a, the first group, then the other groups - 1 (rem)
//     by its bits: one group (bit 0), two (bit 1), then blocks of four until
//     ap reaches aend (a do-while: rem >= 4; 2 instructions per 4 groups).
#define ARMCONV_SM_AP(OP) ARMCONV_SM_GROUP(OP, "ap", ", #64")
#define ARMCONV_SM_K_G1 ARMCONV_SM_LOAD_B ARMCONV_SM_MAC("saddlp")
// G2 in a strip: both groups' A hoisted too (v0-v3 and v8-v11, loaded once),
// the temporaries in v12-v15, and the four constants reloaded per tile after
// the products (one 64-byte load from the stage's cst: 1 instruction, not
// the 2 A loads).
#define ARMCONV_SM_K_G2                                                                     \
  ARMCONV_SM_LOAD_B ARMCONV_SM_MAC_AT("saddlp", "v0", "v1", "v2", "v3", "v12", "v13", "v14", "v15") \
  ARMCONV_SM_LOAD_B ARMCONV_SM_MAC_AT("sadalp", "v8", "v9", "v10", "v11", "v12", "v13", "v14", "v15") \
  "ld1 {v12.16b, v13.16b, v14.16b, v15.16b}, [%[cst]]\n"
#define ARMCONV_SM_K_G3 "mov %[ap], %[a]\n" ARMCONV_SM_AP("saddlp") ARMCONV_SM_AP("sadalp") ARMCONV_SM_AP("sadalp")
#define ARMCONV_SM_K_G4 ARMCONV_SM_K_G3 ARMCONV_SM_AP("sadalp")
#define ARMCONV_SM_K_GN                                                                     \
  "mov %[ap], %[a]\n" ARMCONV_SM_AP("saddlp")                                               \
  "tbz %[rem], #0, 1f\n" ARMCONV_SM_AP("sadalp")                                            \
  "1:\n tbz %[rem], #1, 2f\n" ARMCONV_SM_AP("sadalp") ARMCONV_SM_AP("sadalp")               \
  "2:\n" ARMCONV_SM_AP("sadalp") ARMCONV_SM_AP("sadalp") ARMCONV_SM_AP("sadalp")            \
  ARMCONV_SM_AP("sadalp") "cmp %[ap], %[aend]\n b.ne 2b\n"

// The column vectors (+ bias) in v4-v7 (the accumulators are dead after).
#define ARMCONV_SM_COL(j, a0, a1, a2, a3)                                             \
  "addp " a0 ".4s, " a0 ".4s, " a1 ".4s\n addp " a2 ".4s, " a2 ".4s, " a3 ".4s\n"     \
  "addp v" j ".4s, " a0 ".4s, " a2 ".4s\n"
#define ARMCONV_SM_SUMS                                                               \
  ARMCONV_SM_COL("4", "v16", "v20", "v24", "v28") ARMCONV_SM_COL("5", "v17", "v21", "v25", "v29") \
  ARMCONV_SM_COL("6", "v18", "v22", "v26", "v30") ARMCONV_SM_COL("7", "v19", "v23", "v27", "v31") \
  "add v4.4s, v4.4s, v12.4s\n add v5.4s, v5.4s, v12.4s\n"                             \
  "add v6.4s, v6.4s, v12.4s\n add v7.4s, v7.4s, v12.4s\n"
#define ARMCONV_SM_ALL(OP, V)                                               \
  OP " v4.4s, v4.4s" V "\n " OP " v5.4s, v5.4s" V "\n " OP " v6.4s, v6.4s" V "\n " \
  OP " v7.4s, v7.4s" V "\n"

// ---- stores (after SUMS; rows at c0..c3, each post-incremented) ----
// 32-bit rows: row r = lane r of v4-v7 (st4 of one lane: 16 bytes).
#define ARMCONV_SM_ST32                                                                     \
  "st4 {v4.s, v5.s, v6.s, v7.s}[0], [%[c0]], #16\n st4 {v4.s, v5.s, v6.s, v7.s}[1], [%[c1]], #16\n" \
  "st4 {v4.s, v5.s, v6.s, v7.s}[2], [%[c2]], #16\n st4 {v4.s, v5.s, v6.s, v7.s}[3], [%[c3]], #16\n"
// int8 rows: row r = bytes 4r..4r+3 of v5.
#define ARMCONV_SM_ST8                                                                      \
  "st1 {v5.s}[0], [%[c0]], #4\n st1 {v5.s}[1], [%[c1]], #4\n"                             \
  "st1 {v5.s}[2], [%[c2]], #4\n st1 {v5.s}[3], [%[c3]], #4\n"
// The stages take the final stores as arguments (S32: 32-bit rows from
// v4-v7, S8: int8 rows from v5): the full tile's above, or a narrow tile's
// (sm_narrow).
#define ARMCONV_SM_STORE_INT32(S32, S8) S32
// float: scvtf, fmul by the rows' scales, clamp to [fmin, fmax] (FLOATC).
#define ARMCONV_SM_STORE_FLOAT(S32, S8) ARMCONV_SM_ALL("scvtf", "") ARMCONV_SM_ALL("fmul", ", v13.4s") S32
#define ARMCONV_SM_STORE_FLOATC(S32, S8)                                            \
  ARMCONV_SM_ALL("scvtf", "") ARMCONV_SM_ALL("fmul", ", v13.4s")                    \
  ARMCONV_SM_ALL("fmax", ", v14.4s") ARMCONV_SM_ALL("fmin", ", v15.4s") S32
// int8 (the rule of core/requant.h): [sqshl by E: SHIFT,] sqrdmulh by the
// rows' multipliers, sqxtn to int16 (columns 0-1 in v16, 2-3 in v17), TO8 to
// int8 and clamped in v4 (byte 4j + r = (r, j)), tbl to row-major v5 (byte
// 4r + j), 4-byte rows.
//   TO8: sqxtn + smax qmin + smin qmax (FULL: qmin in v18, loaded per tile
//   from p2; qmax in v15); NOMAX (qmax = 127: the narrowing saturates there;
//   qmin in v15); U (qmin = 0, ReLU/ReLU6: sqxtun saturates to [0, 255], umin
//   with qmax <= 127 is the whole clamp).
#define ARMCONV_SM_TO8_FULL \
  "sqxtn v4.8b, v16.8h\n sqxtn2 v4.16b, v17.8h\n smax v4.16b, v4.16b, v18.16b\n smin v4.16b, v4.16b, v15.16b\n"
#define ARMCONV_SM_TO8_NOMAX "sqxtn v4.8b, v16.8h\n sqxtn2 v4.16b, v17.8h\n smax v4.16b, v4.16b, v15.16b\n"
#define ARMCONV_SM_TO8_U "sqxtun v4.8b, v16.8h\n sqxtun2 v4.16b, v17.8h\n umin v4.16b, v4.16b, v15.16b\n"
#define ARMCONV_SM_INT8(TO8, S8)                                                          \
  ARMCONV_SM_ALL("sqrdmulh", ", v13.4s")                                                  \
  "sqxtn v16.4h, v4.4s\n sqxtn2 v16.8h, v5.4s\n sqxtn v17.4h, v6.4s\n sqxtn2 v17.8h, v7.4s\n" \
  TO8 "tbl v5.16b, {v4.16b}, v14.16b\n" S8
#define ARMCONV_SM_STORE_INT8_U(S32, S8) ARMCONV_SM_INT8(ARMCONV_SM_TO8_U, S8)
#define ARMCONV_SM_STORE_INT8_NOMAX(S32, S8) ARMCONV_SM_INT8(ARMCONV_SM_TO8_NOMAX, S8)
#define ARMCONV_SM_STORE_INT8(S32, S8) "ldr q18, [%[p2]]\n" ARMCONV_SM_INT8(ARMCONV_SM_TO8_FULL, S8)
// E != 0: p2 holds qmin (16 bytes) then E (4 int32).
#define ARMCONV_SM_STORE_INT8_SHIFT(S32, S8)                                \
  "ld1 {v18.16b, v19.16b}, [%[p2]]\n" ARMCONV_SM_ALL("sqshl", ", v19.4s")    \
  ARMCONV_SM_INT8(ARMCONV_SM_TO8_FULL, S8)

// Per-call prologues: the constants of v12-v15 (and A for G1).
#define ARMCONV_SM_PRO_INT32 "ld1 {v12.4s}, [%[bias]]\n"
#define ARMCONV_SM_PRO_OUT "ld1 {v12.4s}, [%[bias]]\n ld1 {v13.4s}, [%[p0]]\n ld1 {v14.16b, v15.16b}, [%[p1]]\n"

// `tiles` (>= 1) tiles of one strip: the same A panel, consecutive B panels
// (a tile's reads end where the next panel starts), C rows at c0..c3 (each
// on by 4 elements a tile: no rewind). Per tile: K code, SUMS, STORE,
// subs + b.ne. Register map (general): a, a2 (= a + 64), ap (the A pointer
// of GN), aend (GN: ap after the last group), rem (groups - 1), b, c0-c3,
// tiles (count down), bias, p0 / p1 / p2 (the store stage's constants).
#define ARMCONV_SM_TILES_ASM(PRO, KCODE, STORE)                                            \
  __asm__ volatile(                                                                        \
      PRO "0:\n" KCODE ARMCONV_SM_SUMS STORE                                               \
      "subs %[tiles], %[tiles], #1\n"                                                      \
      "b.ne 0b\n"                                                                          \
      : [ap] "=&r"(ap), [b] "+r"(b), [c0] "+r"(c0), [c1] "+r"(c1), [c2] "+r"(c2),          \
        [c3] "+r"(c3), [tiles] "+r"(tiles)                                                 \
      : [a] "r"(a), [a2] "r"(a + 64), [aend] "r"(aend), [rem] "r"(rem), [bias] "r"(bias),  \
        [p0] "r"(p0), [p1] "r"(p1), [p2] "r"(p2)                                           \
      : "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", \
        "v11", "v12", "v13", "v14", "v15", "v16", "v17", "v18", "v19", "v20", "v21", "v22", \
        "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31")

// K <= 64 (G1..G4, where the tile loop's 2 instructions weigh most): two
// tiles an iteration, entered at the second when `tiles` is odd, the loop
// ending when b reaches bend (b + 64 groups x tiles): 1 instruction a tile.
#define ARMCONV_SM_TILES2_ASM(PRO, KCODE, STORE)                                           \
  __asm__ volatile(                                                                        \
      PRO "tbnz %[tiles], #0, 5f\n"                                                        \
      "0:\n" KCODE ARMCONV_SM_SUMS STORE "5:\n" KCODE ARMCONV_SM_SUMS STORE                \
      "cmp %[b], %[bend]\n"                                                                \
      "b.ne 0b\n"                                                                          \
      : [ap] "=&r"(ap), [b] "+r"(b), [c0] "+r"(c0), [c1] "+r"(c1), [c2] "+r"(c2),          \
        [c3] "+r"(c3)                                                                      \
      : [tiles] "r"(tiles), [bend] "r"(b + 64 * groups * tiles), [a] "r"(a),               \
        [a2] "r"(a + 64), [bias] "r"(bias), [p0] "r"(p0), [p1] "r"(p1), [p2] "r"(p2),      \
        [cst] "r"(st.cst)                                                                  \
      : "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", \
        "v11", "v12", "v13", "v14", "v15", "v16", "v17", "v18", "v19", "v20", "v21", "v22", \
        "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31")

enum KShape { kG1, kG2, kG3, kG4, kGN };
#define ARMCONV_SM_TILES_K(PRO, STORE)                                                      \
  if constexpr (KS == kG1) {                                                                \
    ARMCONV_SM_TILES2_ASM(PRO "ld1 {v0.16b, v1.16b, v2.16b, v3.16b}, [%[a]]\n", ARMCONV_SM_K_G1, STORE); \
  } else if constexpr (KS == kG2) {                                                         \
    ARMCONV_SM_TILES2_ASM("ld1 {v0.16b, v1.16b, v2.16b, v3.16b}, [%[a]]\n"                  \
                          "ld1 {v8.16b, v9.16b, v10.16b, v11.16b}, [%[a2]]\n", ARMCONV_SM_K_G2, STORE); \
  } else if constexpr (KS == kG3) {                                                         \
    ARMCONV_SM_TILES2_ASM(PRO, ARMCONV_SM_K_G3, STORE);                                     \
  } else if constexpr (KS == kG4) {                                                         \
    ARMCONV_SM_TILES2_ASM(PRO, ARMCONV_SM_K_G4, STORE);                                     \
  } else {                                                                                  \
    ARMCONV_SM_TILES_ASM(PRO, ARMCONV_SM_K_GN, STORE);                                      \
  }

// Row r of byte 4r + j is byte 4j + r of the column-major narrowing.
alignas(16) constexpr int8_t kTransposeIdx[16] = {0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15};

// The store stage of a call: which variant, and its constants (p0: the rows'
// multipliers or scales; p1: v14-v15; p2: the per-tile loads).
enum class SmStore { Int32, Float, FloatC, Int8U, Int8NoMax, Int8, Int8Shift };
struct SmStage {
  SmStore kind;
  const void* p0;
  alignas(16) int8_t p1[32];
  alignas(16) int8_t p2[32];
  alignas(16) int32_t cst[16];  // G2 strips: v12-v15 (bias, p0's 4 values, p1)
};

inline void sm_stage(const S8Output& out, SmStage* s, bool g2) {
  s->kind = SmStore::Int32;
  s->p0 = out.bias;
  switch (out.kind) {
    case S8OutKind::Int32:
      s->kind = SmStore::Int32;
      break;
    case S8OutKind::Float: {
      s->kind = out.fclamp ? SmStore::FloatC : SmStore::Float;
      s->p0 = out.fscale;
      vst1q_f32(reinterpret_cast<float*>(static_cast<void*>(s->p1)), vdupq_n_f32(out.fmin));
      vst1q_f32(reinterpret_cast<float*>(static_cast<void*>(s->p1 + 16)), vdupq_n_f32(out.fmax));
      break;
    }
    case S8OutKind::Int8: {
      s->p0 = out.mult;
      const int8x16_t lo = vdupq_n_s8(int8_t(out.qmin)), hi = vdupq_n_s8(int8_t(out.qmax));
      vst1q_s8(s->p1, vld1q_s8(kTransposeIdx));
      if (out.shift != 0) {
        s->kind = SmStore::Int8Shift;
        vst1q_s8(s->p1 + 16, hi);
        vst1q_s8(s->p2, lo);
        vst1q_s32(reinterpret_cast<int32_t*>(static_cast<void*>(s->p2 + 16)), vdupq_n_s32(out.shift));
      } else if (out.qmin == 0) {
        s->kind = SmStore::Int8U;
        vst1q_s8(s->p1 + 16, hi);
      } else if (out.qmax == 127) {
        s->kind = SmStore::Int8NoMax;
        vst1q_s8(s->p1 + 16, lo);
      } else {
        s->kind = SmStore::Int8;
        vst1q_s8(s->p1 + 16, hi);
        vst1q_s8(s->p2, lo);
      }
      break;
    }
  }
  if (g2) {  // (per-row arrays are readable for 4 rows: core/gemm.h; int32: v12 alone)
    vst1q_s32(s->cst, vld1q_s32(out.bias));
    if (s->kind == SmStore::Int32) return;
    vst1q_s32(s->cst + 4, vld1q_s32(static_cast<const int32_t*>(s->p0)));
    vst1q_s32(s->cst + 8, vld1q_s32(reinterpret_cast<const int32_t*>(static_cast<const void*>(s->p1))));
    vst1q_s32(s->cst + 12, vld1q_s32(reinterpret_cast<const int32_t*>(static_cast<const void*>(s->p1 + 16))));
  }
}

// A strip of `tiles` 4 x 4 tiles through the stage, rows at c0..c3.
template <KShape KS>
void sm_tiles(size_t tiles, size_t groups, const int8_t* a, const int8_t* b, char* c0, char* c1,
              char* c2, char* c3, const int32_t* bias, const SmStage& st) {
  const size_t rem = groups - 1;
  const int8_t* const aend = a + 64 * groups;
  const int8_t* ap;
  const void *p0 = st.p0, *p1 = st.p1, *p2 = st.p2;
  switch (st.kind) {
    case SmStore::Int32: ARMCONV_SM_TILES_K(ARMCONV_SM_PRO_INT32, ARMCONV_SM_STORE_INT32(ARMCONV_SM_ST32, ARMCONV_SM_ST8)) break;
    case SmStore::Float: ARMCONV_SM_TILES_K(ARMCONV_SM_PRO_OUT, ARMCONV_SM_STORE_FLOAT(ARMCONV_SM_ST32, ARMCONV_SM_ST8)) break;
    case SmStore::FloatC: ARMCONV_SM_TILES_K(ARMCONV_SM_PRO_OUT, ARMCONV_SM_STORE_FLOATC(ARMCONV_SM_ST32, ARMCONV_SM_ST8)) break;
    case SmStore::Int8U: ARMCONV_SM_TILES_K(ARMCONV_SM_PRO_OUT, ARMCONV_SM_STORE_INT8_U(ARMCONV_SM_ST32, ARMCONV_SM_ST8)) break;
    case SmStore::Int8NoMax: ARMCONV_SM_TILES_K(ARMCONV_SM_PRO_OUT, ARMCONV_SM_STORE_INT8_NOMAX(ARMCONV_SM_ST32, ARMCONV_SM_ST8)) break;
    case SmStore::Int8: ARMCONV_SM_TILES_K(ARMCONV_SM_PRO_OUT, ARMCONV_SM_STORE_INT8(ARMCONV_SM_ST32, ARMCONV_SM_ST8)) break;
    case SmStore::Int8Shift: ARMCONV_SM_TILES_K(ARMCONV_SM_PRO_OUT, ARMCONV_SM_STORE_INT8_SHIFT(ARMCONV_SM_ST32, ARMCONV_SM_ST8)) break;
  }
}

// ---- a narrow tile (the last panel's 1..3 columns, 4 rows) ----
// Only the NC columns' products: per k group the A load, NC B vectors of the
// panel's 64 bytes (post-indexed by 64), 4 x NC x (smull, smlal2, sadalp)
// (NC = 1: 14 instructions, not 50); the k groups: the first, one more if
// groups - 1 is odd, then pairs (n2 of them). The sums and stages as a full
// tile's (columns NC..3 computed from unused registers, never stored), the
// rows' NC elements stored (st1/st2/st3 of one lane; int8 a byte, a half, or
// both).
#define ARMCONV_SM_NROW1(OP, ra, a0, a1, a2, a3) \
  "smull v8.8h, " ra ".8b, v4.8b\n smlal2 v8.8h, " ra ".16b, v4.16b\n " OP " " a0 ".4s, v8.8h\n"
#define ARMCONV_SM_NROW2(OP, ra, a0, a1, a2, a3)                                         \
  "smull v8.8h, " ra ".8b, v4.8b\n smull v9.8h, " ra ".8b, v5.8b\n"                    \
  "smlal2 v8.8h, " ra ".16b, v4.16b\n smlal2 v9.8h, " ra ".16b, v5.16b\n"              \
  OP " " a0 ".4s, v8.8h\n " OP " " a1 ".4s, v9.8h\n"
#define ARMCONV_SM_NROW3(OP, ra, a0, a1, a2, a3)                                         \
  "smull v8.8h, " ra ".8b, v4.8b\n smull v9.8h, " ra ".8b, v5.8b\n"                    \
  "smull v10.8h, " ra ".8b, v6.8b\n smlal2 v8.8h, " ra ".16b, v4.16b\n"                \
  "smlal2 v9.8h, " ra ".16b, v5.16b\n smlal2 v10.8h, " ra ".16b, v6.16b\n"             \
  OP " " a0 ".4s, v8.8h\n " OP " " a1 ".4s, v9.8h\n " OP " " a2 ".4s, v10.8h\n"
#define ARMCONV_SM_NGROUP(ROW, BL, OP)                                                    \
  "ld1 {v0.16b, v1.16b, v2.16b, v3.16b}, [%[ap]], #64\n ld1 {" BL "}, [%[b]], %[b64]\n"  \
  ROW(OP, "v0", "v16", "v17", "v18", "v19") ROW(OP, "v1", "v20", "v21", "v22", "v23")    \
  ROW(OP, "v2", "v24", "v25", "v26", "v27") ROW(OP, "v3", "v28", "v29", "v30", "v31")
#define ARMCONV_SM_NK(ROW, BL)                                                   \
  ARMCONV_SM_NGROUP(ROW, BL, "saddlp")                                           \
  "tbz %[rem], #0, 1f\n" ARMCONV_SM_NGROUP(ROW, BL, "sadalp")                    \
  "1:\n cbz %[n2], 3f\n"                                                         \
  "2:\n" ARMCONV_SM_NGROUP(ROW, BL, "sadalp") ARMCONV_SM_NGROUP(ROW, BL, "sadalp") \
  "subs %[n2], %[n2], #1\n b.ne 2b\n"                                            \
  "3:\n"
#define ARMCONV_SM_NST32_1 \
  "st1 {v4.s}[0], [%[c0]]\n st1 {v4.s}[1], [%[c1]]\n st1 {v4.s}[2], [%[c2]]\n st1 {v4.s}[3], [%[c3]]\n"
#define ARMCONV_SM_NST32_2                                                       \
  "st2 {v4.s, v5.s}[0], [%[c0]]\n st2 {v4.s, v5.s}[1], [%[c1]]\n"                \
  "st2 {v4.s, v5.s}[2], [%[c2]]\n st2 {v4.s, v5.s}[3], [%[c3]]\n"
#define ARMCONV_SM_NST32_3                                                       \
  "st3 {v4.s, v5.s, v6.s}[0], [%[c0]]\n st3 {v4.s, v5.s, v6.s}[1], [%[c1]]\n"    \
  "st3 {v4.s, v5.s, v6.s}[2], [%[c2]]\n st3 {v4.s, v5.s, v6.s}[3], [%[c3]]\n"
#define ARMCONV_SM_NST8_1 \
  "st1 {v5.b}[0], [%[c0]]\n st1 {v5.b}[4], [%[c1]]\n st1 {v5.b}[8], [%[c2]]\n st1 {v5.b}[12], [%[c3]]\n"
#define ARMCONV_SM_NST8_2 \
  "st1 {v5.h}[0], [%[c0]]\n st1 {v5.h}[2], [%[c1]]\n st1 {v5.h}[4], [%[c2]]\n st1 {v5.h}[6], [%[c3]]\n"
#define ARMCONV_SM_NST8_3                                                                      \
  "st1 {v5.h}[0], [%[c0]], #2\n st1 {v5.h}[2], [%[c1]], #2\n"                                  \
  "st1 {v5.h}[4], [%[c2]], #2\n st1 {v5.h}[6], [%[c3]], #2\n"                                  \
  "st1 {v5.b}[2], [%[c0]]\n st1 {v5.b}[6], [%[c1]]\n st1 {v5.b}[10], [%[c2]]\n st1 {v5.b}[14], [%[c3]]\n"
#define ARMCONV_SM_NARROW_ASM(PRO, ROW, BL, STORE)                                           \
  __asm__ volatile(                                                                          \
      PRO ARMCONV_SM_NK(ROW, BL) ARMCONV_SM_SUMS STORE                                       \
      : [ap] "+r"(ap), [b] "+r"(b), [c0] "+r"(c0), [c1] "+r"(c1), [c2] "+r"(c2),            \
        [c3] "+r"(c3), [n2] "+r"(n2)                                                         \
      : [rem] "r"(rem), [b64] "r"(b64), [bias] "r"(bias), [p0] "r"(p0), [p1] "r"(p1),       \
        [p2] "r"(p2)                                                                         \
      : "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10",   \
        "v11", "v12", "v13", "v14", "v15", "v16", "v17", "v18", "v19", "v20", "v21", "v22",  \
        "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31")
#define ARMCONV_SM_NARROW_NC(ROW, BL, S32, S8)                                                              \
  switch (st.kind) {                                                                                        \
    case SmStore::Int32: ARMCONV_SM_NARROW_ASM(ARMCONV_SM_PRO_INT32, ROW, BL, ARMCONV_SM_STORE_INT32(S32, S8)); break; \
    case SmStore::Float: ARMCONV_SM_NARROW_ASM(ARMCONV_SM_PRO_OUT, ROW, BL, ARMCONV_SM_STORE_FLOAT(S32, S8)); break;   \
    case SmStore::FloatC: ARMCONV_SM_NARROW_ASM(ARMCONV_SM_PRO_OUT, ROW, BL, ARMCONV_SM_STORE_FLOATC(S32, S8)); break; \
    case SmStore::Int8U: ARMCONV_SM_NARROW_ASM(ARMCONV_SM_PRO_OUT, ROW, BL, ARMCONV_SM_STORE_INT8_U(S32, S8)); break; \
    case SmStore::Int8NoMax: ARMCONV_SM_NARROW_ASM(ARMCONV_SM_PRO_OUT, ROW, BL, ARMCONV_SM_STORE_INT8_NOMAX(S32, S8)); break; \
    case SmStore::Int8: ARMCONV_SM_NARROW_ASM(ARMCONV_SM_PRO_OUT, ROW, BL, ARMCONV_SM_STORE_INT8(S32, S8)); break;    \
    case SmStore::Int8Shift: ARMCONV_SM_NARROW_ASM(ARMCONV_SM_PRO_OUT, ROW, BL, ARMCONV_SM_STORE_INT8_SHIFT(S32, S8)); break; \
  }

// One 4-row tile of NC (1..3) columns through the stage, rows at c0..c3.
template <int NC>
void sm_narrow(size_t groups, const int8_t* a, const int8_t* b, char* c0, char* c1, char* c2,
               char* c3, const int32_t* bias, const SmStage& st) {
  const size_t rem = groups - 1, b64 = 64;
  size_t n2 = rem / 2;
  const int8_t* ap = a;
  const void *p0 = st.p0, *p1 = st.p1, *p2 = st.p2;
  if constexpr (NC == 1) {
    ARMCONV_SM_NARROW_NC(ARMCONV_SM_NROW1, "v4.16b", ARMCONV_SM_NST32_1, ARMCONV_SM_NST8_1)
  } else if constexpr (NC == 2) {
    ARMCONV_SM_NARROW_NC(ARMCONV_SM_NROW2, "v4.16b, v5.16b", ARMCONV_SM_NST32_2, ARMCONV_SM_NST8_2)
  } else {
    ARMCONV_SM_NARROW_NC(ARMCONV_SM_NROW3, "v4.16b, v5.16b, v6.16b", ARMCONV_SM_NST32_3, ARMCONV_SM_NST8_3)
  }
}

#undef ARMCONV_SM_NARROW_NC
#undef ARMCONV_SM_NARROW_ASM
#undef ARMCONV_SM_NST8_3
#undef ARMCONV_SM_NST8_2
#undef ARMCONV_SM_NST8_1
#undef ARMCONV_SM_NST32_3
#undef ARMCONV_SM_NST32_2
#undef ARMCONV_SM_NST32_1
#undef ARMCONV_SM_NK
#undef ARMCONV_SM_NGROUP
#undef ARMCONV_SM_NROW3
#undef ARMCONV_SM_NROW2
#undef ARMCONV_SM_NROW1
#undef ARMCONV_SM_ST8
#undef ARMCONV_SM_TILES_K
#undef ARMCONV_SM_TILES_ASM
#undef ARMCONV_SM_TILES2_ASM
#undef ARMCONV_SM_PRO_OUT
#undef ARMCONV_SM_PRO_INT32
#undef ARMCONV_SM_STORE_INT8_SHIFT
#undef ARMCONV_SM_STORE_INT8
#undef ARMCONV_SM_STORE_INT8_NOMAX
#undef ARMCONV_SM_STORE_INT8_U
#undef ARMCONV_SM_INT8
#undef ARMCONV_SM_TO8_U
#undef ARMCONV_SM_TO8_NOMAX
#undef ARMCONV_SM_TO8_FULL
#undef ARMCONV_SM_STORE_FLOATC
#undef ARMCONV_SM_STORE_FLOAT
#undef ARMCONV_SM_STORE_INT32
#undef ARMCONV_SM_ST32
#undef ARMCONV_SM_ALL
#undef ARMCONV_SM_SUMS
#undef ARMCONV_SM_COL
#undef ARMCONV_SM_K_GN
#undef ARMCONV_SM_K_G4
#undef ARMCONV_SM_K_G3
#undef ARMCONV_SM_K_G2
#undef ARMCONV_SM_K_G1
#undef ARMCONV_SM_AP
#undef ARMCONV_SM_GROUP
#undef ARMCONV_SM_LOAD_B
#undef ARMCONV_SM_MAC
#undef ARMCONV_SM_MAC_AT
#undef ARMCONV_SM_ROW_T
#undef ARMCONV_SM_ROW

template <KShape KS>
void sm_block(size_t groups, size_t m, size_t n, const int8_t* a, const int8_t* b, char* c,
              size_t ldc, const S8Output& out, const SmStage& st) {
  const size_t es = out.kind == S8OutKind::Int8 ? 1 : 4, row = ldc * es;
  size_t q = 0;
  if (m == 4 && n >= 4) {  // the full tiles: one strip
    const size_t tiles = n / 4;
    sm_tiles<KS>(tiles, groups, a, b, c, c + row, c + 2 * row, c + 3 * row, out.bias, st);
    q = 4 * tiles;
    b += 64 * groups * tiles;
  }
  if (m == 4 && q < n) {  // the last panel's n - q < 4 columns: a narrow tile
    char* cq = c + q * es;
    if (n - q == 1)
      sm_narrow<1>(groups, a, b, cq, cq + row, cq + 2 * row, cq + 3 * row, out.bias, st);
    else if (n - q == 2)
      sm_narrow<2>(groups, a, b, cq, cq + row, cq + 2 * row, cq + 3 * row, out.bias, st);
    else
      sm_narrow<3>(groups, a, b, cq, cq + row, cq + 2 * row, cq + 3 * row, out.bias, st);
    return;
  }
  // m < 4 (a layer's last rows, M % 4): each tile's 4 x 4 results, row-major,
  // into t (the same code), then m rows of cols elements.
  for (; q < n; q += 4, b += 64 * groups) {
    const size_t cols = n - q < 4 ? n - q : 4;
    alignas(16) char t[64];
    sm_tiles<KS>(1, groups, a, b, t, t + 4 * es, t + 8 * es, t + 12 * es, out.bias, st);
    char* cq = c + q * es;
    for (size_t r = 0; r < m; r++) s8_copy_small(cq + r * row, t + 4 * es * r, cols * es);
  }
}

// C block of one A panel (4 rows) and the B panels of n columns.
void ukernel_smull_4x4(size_t k, size_t m, size_t n, const int8_t* a, const int8_t* b, void* c,
                       size_t ldc, const S8Output& out, unsigned /*flags: K is never split*/) {
  const size_t groups = div_up(k, 16);
  SmStage st;
  sm_stage(out, &st, groups == 2);
  char* cc = static_cast<char*>(c);
  if (groups == 1)
    sm_block<kG1>(groups, m, n, a, b, cc, ldc, out, st);
  else if (groups == 2)
    sm_block<kG2>(groups, m, n, a, b, cc, ldc, out, st);
  else if (groups == 3)
    sm_block<kG3>(groups, m, n, a, b, cc, ldc, out, st);
  else if (groups == 4)
    sm_block<kG4>(groups, m, n, a, b, cc, ldc, out, st);
  else
    sm_block<kGN>(groups, m, n, a, b, cc, ldc, out, st);
}

}  // namespace

const S8GemmKernels& gemm_s8_neon_kernels() {
  static const S8GemmKernels t = [] {
    S8GemmKernels k = *gemm_s8_generic_kernels_for(4, 4, 16);  // pack_a
    k.name = "gemm_s8-aarch64-4x4k16";
    k.ukernel = ukernel_smull_4x4;
    k.pack_b = pack_b_k16<4>;
    k.pack_im2col = pack_im2col_k16<4>;
    k.pack_im2col_ok = s8_im2col_direct_ok;  // other geometries: staged through pack_b
    k.pad_copy = true;
    return k;
  }();
  return t;
}

}  // namespace detail
}  // namespace armconv

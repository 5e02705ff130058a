// NEON fp32 GEMM micro-kernel, aarch64, 8x12 tile (sgemm-aarch64-8x12);
// formats and contract: core/gemm.h; packers: neon/sgemm_pack.h.
//
// 32 q registers:
//   c[r][j]  r = 0..7 (output channel), j = 0..2 (4 pixels each): 24 accumulators
//   A: the 8 weights of a k-step are the lanes of 2 q registers (ld1 {4 regs}
//      loads two k-steps); B: the 12 pixels of a k-step are 3 q registers.
//   k-step: 24 `fmla v.4s, b, a.s[lane]` (96 MACs). With 8 registers left for
//   operands, four k-steps take 5 multi-register loads (1.25 per 24 FMLA);
//   the k-loop does 16 k-steps per iteration. See tiles_8x12 for why this
//   one block is inline assembly.
//   A strip of tiles (one A panel times consecutive B panels) is one call, so
//   register saves and set-up are paid per strip; edge tiles of 1..4
//   valid columns (the tails of real layers: N % 12 = 1 of 7x7 maps, 4 of
//   14x14 .. 112x112 maps) use narrower assembly kernels (tile_8xr_groups:
//   1..3 columns from the last panel's edge groups, core/gemm.h, the 1
//   column of a whole 8-row panel straight into C by tile_8x1_asm;
//   tile_8x4_asm), 5-8 columns an 8x8 one (tile_8x8_asm), instead of a
//   zero-padded 8x12 (edge_tile picks one).
//
// Edges: packing zero-pads A rows past M and B columns past N, so the
// micro-kernel always computes from whole panels. The last M-panel of a layer
// whose output channels are not a multiple of 8 (m < 8 rows: 255 = 31*8 + 7
// of a YOLO head, 21 classes, 3-channel outputs) runs its whole 12-column
// tiles in place like full ones: m = 5..7 with the 8-row kernel whose C loads
// and stores stop after row m (tiles_8x12<Clamp, kRows5to7>), m = 1..4 with a
// 4-row kernel (tiles_8x12<Clamp, kRows1to4>: 12 accumulators, half the
// FMLAs; it reads the low half of each packed A k-step). Only the last n % 12
// columns of a panel go through a small stack tile (when the narrow kernels
// below cannot write C directly), so that only the m x n valid outputs of C
// are read or written.
#include <arm_neon.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>

#include "core/gemm.h"
#include "neon/sgemm_pack.h"
#include "neon/sgemv.h"

namespace armconv {
namespace detail {
namespace {

constexpr size_t kMR = 8, kNR = 12;

// ---------------------------------------------------------------------------

// Copies the m x n valid part (n = 4..12) of a tile between C and a dense
// MR x NR buffer: per row the vectors of floats [0, 4), [4, 8) if n > 8,
// and [n - 4, n), which overlaps them (the same values again), so nothing
// outside the n floats is touched and no loop runs over the remainder (a
// memcpy call or a loop per row cost 25-40 instructions; measured).
inline void row_copy(float* d, const float* s, size_t n) {
  vst1q_f32(d, vld1q_f32(s));
  if (n > 8) vst1q_f32(d + 4, vld1q_f32(s + 4));
  vst1q_f32(d + n - 4, vld1q_f32(s + n - 4));
}
inline void tile_from_c(float* t, const float* c, size_t ldc, size_t m, size_t n) {
  std::memset(t, 0, kMR * kNR * sizeof(float));  // (the kernels read whole rows)
  for (size_t r = 0; r < m; r++) row_copy(t + r * kNR, c + r * ldc, n);
}
inline void tile_to_c(const float* t, float* c, size_t ldc, size_t m, size_t n) {
  for (size_t r = 0; r < m; r++) row_copy(c + r * ldc, t + r * kNR, n);
}

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
// The 8 rows of the tile: v8-v10, v11-v13, ..., v29-v31 (the 4-row kernel
// uses rows 0-3: v8-v19).
#define AC_R0(OP) OP("v8", "v9", "v10")
#define AC_R1(OP) OP("v11", "v12", "v13")
#define AC_R2(OP) OP("v14", "v15", "v16")
#define AC_R3(OP) OP("v17", "v18", "v19")
#define AC_R4(OP) OP("v20", "v21", "v22")
#define AC_R5(OP) OP("v23", "v24", "v25")
#define AC_R6(OP) OP("v26", "v27", "v28")
#define AC_R7(OP) OP("v29", "v30", "v31")
#define AC_ROWS4(OP) AC_R0(OP) AC_R1(OP) AC_R2(OP) AC_R3(OP)
#define AC_ROWS(OP) AC_ROWS4(OP) AC_R4(OP) AC_R5(OP) AC_R6(OP) AC_R7(OP)
// Rows [0, m) only, for the partial M-panel kernels (OP: a C load or store,
// post-incremented by the row stride): 5..7 rows store rows 0-4, then 5 and
// 6 as m says; 1..4 rows store row 0, then 1, 2, 3 as m says (%[m] = m).
#define AC_ROWS_5TO7(OP)                                                               \
  AC_ROWS4(OP) AC_R4(OP) "cmp %[m], #6\n b.lo 10f\n" AC_R5(OP) "b.eq 10f\n" AC_R6(OP)  \
  "10:\n"
#define AC_ROWS_1TO4(OP)                                                               \
  AC_R0(OP) "cmp %[m], #2\n b.lo 10f\n" AC_R1(OP) "b.eq 10f\n" AC_R2(OP)               \
  "cmp %[m], #4\n b.lo 10f\n" AC_R3(OP) "10:\n"
#define AC_LOAD_ROW(x, y, z) "ld1 {" x ".4s, " y ".4s, " z ".4s}, [%[cl]], %[ldt]\n"
#define AC_STORE_ROW(x, y, z) "st1 {" x ".4s, " y ".4s, " z ".4s}, [%[ct]], %[ldt]\n"
#define AC_CLAMP_ROW(x, y, z)                                                          \
  "fmax " x ".4s, " x ".4s, v0.4s\n fmin " x ".4s, " x ".4s, v1.4s\n"                  \
  "fmax " y ".4s, " y ".4s, v0.4s\n fmin " y ".4s, " y ".4s, v1.4s\n"                  \
  "fmax " z ".4s, " z ".4s, v0.4s\n fmin " z ".4s, " z ".4s, v1.4s\n"
#define AC_CLAMP_LO_ROW(x, y, z)                                                       \
  "fmax " x ".4s, " x ".4s, v0.4s\n fmax " y ".4s, " y ".4s, v0.4s\n"                  \
  "fmax " z ".4s, " z ".4s, v0.4s\n"
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

// Two k-steps: 48 FMLA, 3 loads (the first two loads of AC_BODY4_AB, then
// B(k1)[4:12]).
#define AC_BODY2_AB(pa, pb)                                                            \
  "ld1 {v0.4s-v3.4s}, [" pa "], #64\n"                                                  \
  "ld1 {v4.4s-v7.4s}, [" pb "], #64\n"                                                  \
  AC_COL(0, "v4", "v0", "v1") AC_COL(1, "v5", "v0", "v1") AC_COL(2, "v6", "v0", "v1")   \
  AC_COL(0, "v7", "v2", "v3")                                                          \
  "ld1 {v4.4s, v5.4s}, [" pb "], #32\n"                                                 \
  AC_COL(1, "v4", "v2", "v3") AC_COL(2, "v5", "v2", "v3")
// One k-step: 24 FMLA, 2 loads.
#define AC_BODY1_AB(pa, pb)                                                            \
  "ld1 {v0.4s, v1.4s}, [" pa "], #32\n"                                                 \
  "ld1 {v4.4s-v6.4s}, [" pb "], #48\n"                                                  \
  AC_COL(0, "v4", "v0", "v1") AC_COL(1, "v5", "v0", "v1") AC_COL(2, "v6", "v0", "v1")

// The 4-row kernel (m <= 4: rows 4-7 of the packed A are zero padding).
// Accumulators v8-v19 (rows 0-3 as above); a k-step is 12 FMLA
// `fmla c[r][j], B[j], a.s[r]` with a = the low 4 floats of the k-step's 8 A
// floats. Four k-steps: ld1 {v0-v3} and ld1 {v4-v7} take the A of k0, k1 and
// k2, k3 (a = v0, v2, v4, v6; the high halves v1, v3, v5, v7 are not read),
// three ld1 {4 regs} the 48 B floats into v20-v31: 48 FMLA + 5 loads.
#define A4_COL(r0, r1, r2, r3, vb, va)                                                 \
  AC_FMLA(r0, vb, va, 0) AC_FMLA(r1, vb, va, 1) AC_FMLA(r2, vb, va, 2) AC_FMLA(r3, vb, va, 3)
#define A4_STEP(b0, b1, b2, va)                                                        \
  A4_COL(8, 11, 14, 17, b0, va) A4_COL(9, 12, 15, 18, b1, va) A4_COL(10, 13, 16, 19, b2, va)
#define A4_BODY4_AB(pa, pb)                                                            \
  "ld1 {v0.4s-v3.4s}, [" pa "], #64\n"                                                  \
  "ld1 {v20.4s-v23.4s}, [" pb "], #64\n"                                                \
  "ld1 {v24.4s-v27.4s}, [" pb "], #64\n"                                                \
  A4_STEP("v20", "v21", "v22", "v0")                                                   \
  "ld1 {v4.4s-v7.4s}, [" pa "], #64\n"                                                  \
  "ld1 {v28.4s-v31.4s}, [" pb "], #64\n"                                                \
  A4_STEP("v23", "v24", "v25", "v2")                                                   \
  A4_STEP("v26", "v27", "v28", "v4") A4_STEP("v29", "v30", "v31", "v6")
// Two k-steps: 24 FMLA, 3 loads; one k-step: 12 FMLA, 2 loads.
#define A4_BODY2_AB(pa, pb)                                                            \
  "ld1 {v0.4s-v3.4s}, [" pa "], #64\n"                                                  \
  "ld1 {v20.4s-v23.4s}, [" pb "], #64\n"                                                \
  "ld1 {v24.4s, v25.4s}, [" pb "], #32\n"                                               \
  A4_STEP("v20", "v21", "v22", "v0") A4_STEP("v23", "v24", "v25", "v2")
#define A4_BODY1_AB(pa, pb)                                                            \
  "ldr q0, [" pa "], #32\n"                                                             \
  "ld1 {v20.4s-v22.4s}, [" pb "], #48\n"                                                \
  A4_STEP("v20", "v21", "v22", "v0")

// `tiles` 8x12 tiles over kc k-steps: tile t reads the A panel `a` and the B
// panel that follows the previous one (panels are consecutive, so `b` just
// runs on), and writes C columns [12t, 12t + 12) of `ct` (row stride ldt
// floats; C itself or a stack tile). `bias3` holds bias[r] three times per row
// (24 floats) so that six ld4r {4 regs} set the 24 accumulators (not 24 dup).
// A tile's fixed instructions (besides bias or C loads, clamp and stores):
// A pointer reset, 3 branches on accumulate / k16 / the remainder, the clamp
// bounds (one ld2r), the C pointer's rewind and the tile loop (2); the bias
// pointer returns by its last ld4r's post-index (%[bback] < 0) and the
// 16-step loop ends when the A pointer reaches %[aend] (no counter to set).
#define AC_TILES_ASM(LOAD_CODE, BIAS_CODE, BODY4, BODY2, BODY1, CLAMP_CODE, STORE_CODE) \
  asm volatile( \
      "mov %[bp], %[bias]\n" \
      "0:\n" \
      "mov %[ap], %[a]\n" \
      /* Accumulators from C, or from the bias (row r = bias[r] in every lane). */ \
      "cbz %[accumulate], 1f\n" \
      "mov %[cl], %[ct]\n" \
      LOAD_CODE \
      "b 2f\n" \
      "1:\n" \
      BIAS_CODE \
      "2:\n" \
      "cbz %[k16], 4f\n" \
      "3:\n"  /* sixteen k-steps */ \
      BODY4("%[ap]", "%[b]") BODY4("%[ap]", "%[b]") \
      BODY4("%[ap]", "%[b]") BODY4("%[ap]", "%[b]") \
      "cmp %[ap], %[aend]\n" \
      "b.ne 3b\n" \
      "4:\n" \
      /* The last kc % 16 k-steps, by the bits of the remainder: blocks of \
         8, 4, 2 and 1 k-steps, in k order (K = 147: 2 + 1; K = 27: 8 + 2 + 1). */ \
      "cbz %[rem], 7f\n" \
      "tbz %[rem], #3, 5f\n" \
      BODY4("%[ap]", "%[b]") BODY4("%[ap]", "%[b]") \
      "5:\n" \
      "tbz %[rem], #2, 6f\n" \
      BODY4("%[ap]", "%[b]") \
      "6:\n" \
      "tbz %[rem], #1, 9f\n" \
      BODY2("%[ap]", "%[b]") \
      "9:\n" \
      "tbz %[rem], #0, 7f\n" \
      BODY1("%[ap]", "%[b]") \
      "7:\n"  /* %[b] now points at the next tile's B panel */ \
      /* Clamp: fmax/fmin (not fmaxnm/fminnm) so that NaN propagates. */ \
      CLAMP_CODE \
      "8:\n" \
      STORE_CODE \
      "sub %[ct], %[ct], %[rewind]\n" \
      "subs %[tiles], %[tiles], #1\n" \
      "b.ne 0b\n" \
      : [b] "+r"(b), [ct] "+r"(ct), [tiles] "+r"(tiles), [ap] "=&r"(ap), [bp] "=&r"(bp), \
        [cl] "=&r"(cl) \
      : [a] "r"(a), [k16] "r"(k16), [rem] "r"(rem), [ldt] "r"(ldt_bytes), \
        [rewind] "r"(rewind), [m] "r"(m), [aend] "r"(aend), [bback] "r"(bback), \
        [bias] "r"(bias3), [accumulate] "r"(accumulate), [lo] "r"(lohi) \
      : "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", \
        "v11", "v12", "v13", "v14", "v15", "v16", "v17", "v18", "v19", "v20", "v21", "v22", \
        "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31");
// Clamp: 0 none, 1 lower bound only (ReLU: fmax; fmin against +inf changes
// no value, NaN included, so it is left out: 24 instructions per tile), 2
// both (fmax/fmin, not fmaxnm/fminnm, so that NaN propagates).
#define AC_CLAMP_LO(ROWS) "ld1r {v0.4s}, [%[lo]]\n" ROWS(AC_CLAMP_LO_ROW)
#define AC_CLAMP_BOTH(ROWS) "ld2r {v0.4s, v1.4s}, [%[lo]]\n" ROWS(AC_CLAMP_ROW)
// Accumulators from the bias: six ld4r {4 regs} for 8 rows, three for 4;
// the last one takes bp back to bias3 (bback = -80, -32 bytes).
#define AC_BIAS8                                                                       \
  "ld4r {v8.4s, v9.4s, v10.4s, v11.4s}, [%[bp]], #16\n"                                 \
  "ld4r {v12.4s, v13.4s, v14.4s, v15.4s}, [%[bp]], #16\n"                               \
  "ld4r {v16.4s, v17.4s, v18.4s, v19.4s}, [%[bp]], #16\n"                               \
  "ld4r {v20.4s, v21.4s, v22.4s, v23.4s}, [%[bp]], #16\n"                               \
  "ld4r {v24.4s, v25.4s, v26.4s, v27.4s}, [%[bp]], #16\n"                               \
  "ld4r {v28.4s, v29.4s, v30.4s, v31.4s}, [%[bp]], %[bback]\n"
#define AC_BIAS4                                                                       \
  "ld4r {v8.4s, v9.4s, v10.4s, v11.4s}, [%[bp]], #16\n"                                 \
  "ld4r {v12.4s, v13.4s, v14.4s, v15.4s}, [%[bp]], #16\n"                               \
  "ld4r {v16.4s, v17.4s, v18.4s, v19.4s}, [%[bp]], %[bback]\n"
// The kernel variants by the rows of the A panel: all 8, 5..7 (8-row
// compute, C loads and stores stop after row m) and 1..4 (the 4-row kernel).
enum RowsKind { kRows8, kRows5to7, kRows1to4 };
#define AC_TILES_8(CLAMP)                                                              \
  AC_TILES_ASM(AC_ROWS(AC_LOAD_ROW), AC_BIAS8, AC_BODY4_AB, AC_BODY2_AB, AC_BODY1_AB, \
               CLAMP, AC_ROWS(AC_STORE_ROW))
#define AC_TILES_5TO7(CLAMP)                                                           \
  AC_TILES_ASM(AC_ROWS_5TO7(AC_LOAD_ROW), AC_BIAS8, AC_BODY4_AB, AC_BODY2_AB,          \
               AC_BODY1_AB, CLAMP, AC_ROWS_5TO7(AC_STORE_ROW))
#define AC_TILES_1TO4(CLAMP)                                                           \
  AC_TILES_ASM(AC_ROWS_1TO4(AC_LOAD_ROW), AC_BIAS4, A4_BODY4_AB, A4_BODY2_AB,          \
               A4_BODY1_AB, CLAMP, AC_ROWS_1TO4(AC_STORE_ROW))
// m: the valid rows of the A panel (8 for kRows8, 5..7, 1..4).
template <int Clamp, RowsKind Rows>
inline void tiles_8x12(size_t tiles, size_t kc, size_t m, const float* a, const float* b,
                       float* ct, size_t ldt, const float* bias3, size_t accumulate,
                       const float* lohi) {
  const size_t k16 = kc / 16, rem = kc % 16;
  const size_t ldt_bytes = ldt * sizeof(float);
  // After the m row stores (post-incremented by ldt), back to row 0 and on
  // to the next tile's 12 columns.
  const size_t rewind = (m * ldt - kNR) * sizeof(float);
  // The pointers the block advances (ap: A panel, reset per tile; bp: bias3,
  // back at its start after each tile's ld4r; cl: C rows, accumulate); B
  // needs none: the next panel starts where a tile's reads end. aend: ap
  // after the 16-step loop (8 floats a k-step, both row kernels).
  const float* ap;
  const float* bp;
  float* cl;
  const float* aend = a + 16 * kMR * k16;
  const ptrdiff_t bback = Rows == kRows1to4 ? -32 : -80;
  if constexpr (Rows == kRows8) {
    if constexpr (Clamp == 0) {
      AC_TILES_8("")
    } else if constexpr (Clamp == 1) {
      AC_TILES_8(AC_CLAMP_LO(AC_ROWS))
    } else {
      AC_TILES_8(AC_CLAMP_BOTH(AC_ROWS))
    }
  } else if constexpr (Rows == kRows5to7) {
    if constexpr (Clamp == 0) {
      AC_TILES_5TO7("")
    } else if constexpr (Clamp == 1) {
      AC_TILES_5TO7(AC_CLAMP_LO(AC_ROWS))
    } else {
      AC_TILES_5TO7(AC_CLAMP_BOTH(AC_ROWS))
    }
  } else {
    if constexpr (Clamp == 0) {
      AC_TILES_1TO4("")
    } else if constexpr (Clamp == 1) {
      AC_TILES_1TO4(AC_CLAMP_LO(AC_ROWS4))
    } else {
      AC_TILES_1TO4(AC_CLAMP_BOTH(AC_ROWS4))
    }
  }
}
#undef AC_TILES_ASM
#undef AC_TILES_8
#undef AC_TILES_5TO7
#undef AC_TILES_1TO4
#undef AC_BIAS8
#undef AC_BIAS4
#undef AC_CLAMP_LO
#undef AC_CLAMP_BOTH
#undef A4_COL
#undef A4_STEP
#undef A4_BODY4_AB
#undef A4_BODY2_AB
#undef A4_BODY1_AB

// Edge tiles in assembly for the two tails real layers have: N % 12 == 4
// (maps of 14x14, 28x28, 56x56, 112x112: N = 196, 784, 3136, 12544) and
// N % 12 == 1 (7x7 maps: N = 49). Each k-step sums into the accumulators in
// k order from the bias (or C), like tiles_8x12, so a column gives the same
// bits whichever tile computes it (results do not depend on how N is cut).
// The intrinsics kernels above compiled to ~12 instructions per k-step for
// 8x4 and ~6 for 8x1 (GCC 12: a load and an address add per operand);
// measured per layer (python3 bench/insncount.py, cortex-a72): the 8x4 tail
// was 4% of mbv2_pw_64_384_14, the 8x1 tail 5.4% of r18_3x3s2_256_512_14.

// 8 x 4 (the first 4 columns of the last 12-column panel). Registers:
//   v16-v23 acc row r = v(16 + r) (4 columns)
//   v0-v7   A of 4 k-steps (k: v(2k), v(2k + 1) = rows 0-3, 4-7), 2 x ld1 {4 regs}
//   v24-v27 B of 4 k-steps (columns 0-3 of the panel row; ldr q, post-index 48)
// per 4 k-steps 32 fmla + 6 loads. ct: rows of the tile, ldt bytes apart
// (C itself, or a stack tile); init: C's rows (accumulate) or bias.
#define E4_FMLA(acc, vb, va, lane) "fmla v" #acc ".4s, " vb ".4s, " va ".s[" #lane "]\n"
#define E4_STEP(vb, alo, ahi)                                                          \
  E4_FMLA(16, vb, alo, 0) E4_FMLA(17, vb, alo, 1) E4_FMLA(18, vb, alo, 2)               \
  E4_FMLA(19, vb, alo, 3) E4_FMLA(20, vb, ahi, 0) E4_FMLA(21, vb, ahi, 1)               \
  E4_FMLA(22, vb, ahi, 2) E4_FMLA(23, vb, ahi, 3)
#define E4_BODY4                                                                       \
  "ld1 {v0.4s-v3.4s}, [%[a]], #64\n"                                                    \
  "ldr q24, [%[b]], #48\n"                                                              \
  "ldr q25, [%[b]], #48\n"                                                              \
  E4_STEP("v24", "v0", "v1")                                                           \
  "ld1 {v4.4s-v7.4s}, [%[a]], #64\n"                                                    \
  "ldr q26, [%[b]], #48\n"                                                              \
  E4_STEP("v25", "v2", "v3")                                                           \
  "ldr q27, [%[b]], #48\n"                                                              \
  E4_STEP("v26", "v4", "v5") E4_STEP("v27", "v6", "v7")
#define E4_ROWS(OP) OP("v16") OP("v17") OP("v18") OP("v19") OP("v20") OP("v21") OP("v22") OP("v23")
#define E4_LOAD(x) "ld1 {" x ".4s}, [%[cl]], %[ldt]\n"
#define E4_STORE(x) "st1 {" x ".4s}, [%[ct]], %[ldt]\n"
#define E4_CLAMP(x) "fmax " x ".4s, " x ".4s, v0.4s\n fmin " x ".4s, " x ".4s, v1.4s\n"
inline void tile_8x4_asm(size_t kc, const float* a, const float* b, float* ct, size_t ldt,
                         const float* bias, size_t accumulate, size_t clamp, const float* lohi) {
  size_t k8 = kc / 8, k4 = (kc / 4) % 2, k1 = kc % 4;
  const size_t ldt_bytes = ldt * sizeof(float);
  const float* cl = ct;
  asm volatile(
      "cbz %[accumulate], 1f\n"
      E4_ROWS(E4_LOAD)
      "b 2f\n"
      "1:\n"
      "ld4r {v16.4s, v17.4s, v18.4s, v19.4s}, [%[bias]], #16\n"
      "ld4r {v20.4s, v21.4s, v22.4s, v23.4s}, [%[bias]]\n"
      "2:\n"
      "cbz %[k8], 4f\n"
      "3:\n"  // eight k-steps
      E4_BODY4 E4_BODY4
      "subs %[k8], %[k8], #1\n"
      "b.ne 3b\n"
      "4:\n"
      "cbz %[k4], 5f\n"
      E4_BODY4
      "5:\n"
      "cbz %[k1], 7f\n"
      "6:\n"  // one k-step
      "ld1 {v0.4s, v1.4s}, [%[a]], #32\n"
      "ldr q24, [%[b]], #48\n"
      E4_STEP("v24", "v0", "v1")
      "subs %[k1], %[k1], #1\n"
      "b.ne 6b\n"
      "7:\n"
      "cbz %[clamp], 8f\n"
      "ld1r {v0.4s}, [%[lo]]\n"
      "ld1r {v1.4s}, [%[hi]]\n"
      E4_ROWS(E4_CLAMP)
      "8:\n"
      E4_ROWS(E4_STORE)
      : [a] "+r"(a), [b] "+r"(b), [ct] "+r"(ct), [cl] "+r"(cl), [bias] "+r"(bias), [k8] "+r"(k8),
        [k1] "+r"(k1)
      : [k4] "r"(k4), [ldt] "r"(ldt_bytes), [accumulate] "r"(accumulate), [clamp] "r"(clamp),
        [lo] "r"(lohi), [hi] "r"(lohi + 1)
      : "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v16", "v17", "v18",
        "v19", "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27");
}
#undef E4_FMLA
#undef E4_STEP
#undef E4_BODY4
#undef E4_ROWS
#undef E4_LOAD
#undef E4_STORE
#undef E4_CLAMP

// 8 x 8 (columns 0-7 of the last panel: 5-8 valid columns; a full 8x12
// tile would spend a third of its FMLAs on the zero padding). Registers:
//   v16-v23  acc row r, columns 0-3 = v(16 + r)
//   v24-v31  acc row r, columns 4-7 = v(24 + r)
//   v0-v3    A of 2 k-steps (k: v(2k), v(2k + 1) = rows 0-3, 4-7), ld1 {4 regs}
//   v4-v7    B of 2 k-steps (k: v(4 + 2k), v(5 + 2k) = columns 0-3, 4-7 of the
//            panel row; ldp q, post-index 48)
// (v8-v15 are not used: no callee-saved registers to spill.) Per 4 k-steps
// 64 fmla + 6 loads (the 12-column tile: 96 + 5). The
// intrinsics version compiled to 23 instructions per k-step (a load and an
// address add per operand), 1.04 of a whole 8x12 tile. ct: rows of the
// tile, ldt bytes apart (the stack tile); init: C's rows (accumulate) or
// the bias (ld4r into v16-v23, copied to v24-v31).
#define E8_FMLA(acc, vb, va, lane) "fmla v" #acc ".4s, " vb ".4s, " va ".s[" #lane "]\n"
#define E8_HALF(a0, a1, a2, a3, a4, a5, a6, a7, vb, alo, ahi)                           \
  E8_FMLA(a0, vb, alo, 0) E8_FMLA(a1, vb, alo, 1) E8_FMLA(a2, vb, alo, 2)               \
  E8_FMLA(a3, vb, alo, 3) E8_FMLA(a4, vb, ahi, 0) E8_FMLA(a5, vb, ahi, 1)               \
  E8_FMLA(a6, vb, ahi, 2) E8_FMLA(a7, vb, ahi, 3)
#define E8_STEP(b0, b1, alo, ahi)                                                      \
  E8_HALF(16, 17, 18, 19, 20, 21, 22, 23, b0, alo, ahi)                                \
  E8_HALF(24, 25, 26, 27, 28, 29, 30, 31, b1, alo, ahi)
#define E8_BODY2                                                                       \
  "ld1 {v0.4s-v3.4s}, [%[a]], #64\n"                                                    \
  "ldp q4, q5, [%[b]], #48\n"                                                           \
  "ldp q6, q7, [%[b]], #48\n"                                                           \
  E8_STEP("v4", "v5", "v0", "v1") E8_STEP("v6", "v7", "v2", "v3")
#define E8_BODY4 E8_BODY2 E8_BODY2
#define E8_ROWS(OP) OP("16", "24") OP("17", "25") OP("18", "26") OP("19", "27") \
  OP("20", "28") OP("21", "29") OP("22", "30") OP("23", "31")
#define E8_LOAD(x, y) "ldp q" x ", q" y ", [%[cl]]\n add %[cl], %[cl], %[ldt]\n"
#define E8_STORE(x, y) "stp q" x ", q" y ", [%[ct]]\n add %[ct], %[ct], %[ldt]\n"
#define E8_COPY(x, y) "mov v" y ".16b, v" x ".16b\n"
#define E8_CLAMP(x, y)                                                                 \
  "fmax v" x ".4s, v" x ".4s, v0.4s\n fmin v" x ".4s, v" x ".4s, v1.4s\n"                \
  "fmax v" y ".4s, v" y ".4s, v0.4s\n fmin v" y ".4s, v" y ".4s, v1.4s\n"
inline void tile_8x8_asm(size_t kc, const float* a, const float* b, float* ct, size_t ldt,
                         const float* bias, size_t accumulate, size_t clamp, const float* lohi) {
  size_t k8 = kc / 8, k1 = kc % 4;
  const size_t k4 = (kc / 4) % 2, ldt_bytes = ldt * sizeof(float);
  const float* cl = ct;
  asm volatile(
      "cbz %[accumulate], 1f\n"
      E8_ROWS(E8_LOAD)
      "b 2f\n"
      "1:\n"
      "ld4r {v16.4s, v17.4s, v18.4s, v19.4s}, [%[bias]], #16\n"
      "ld4r {v20.4s, v21.4s, v22.4s, v23.4s}, [%[bias]]\n"
      E8_ROWS(E8_COPY)
      "2:\n"
      "cbz %[k8], 4f\n"
      "3:\n"  // eight k-steps
      E8_BODY4 E8_BODY4
      "subs %[k8], %[k8], #1\n"
      "b.ne 3b\n"
      "4:\n"
      "cbz %[k4], 5f\n"
      E8_BODY4
      "5:\n"
      "cbz %[k1], 7f\n"
      "6:\n"  // one k-step
      "ld1 {v0.4s, v1.4s}, [%[a]], #32\n"
      "ldp q4, q5, [%[b]], #48\n"
      E8_STEP("v4", "v5", "v0", "v1")
      "subs %[k1], %[k1], #1\n"
      "b.ne 6b\n"
      "7:\n"
      "cbz %[clamp], 8f\n"
      "ld1r {v0.4s}, [%[lo]]\n"
      "ld1r {v1.4s}, [%[hi]]\n"
      E8_ROWS(E8_CLAMP)
      "8:\n"
      E8_ROWS(E8_STORE)
      : [a] "+r"(a), [b] "+r"(b), [ct] "+r"(ct), [cl] "+r"(cl), [bias] "+r"(bias), [k8] "+r"(k8),
        [k1] "+r"(k1)
      : [k4] "r"(k4), [ldt] "r"(ldt_bytes), [accumulate] "r"(accumulate), [clamp] "r"(clamp),
        [lo] "r"(lohi), [hi] "r"(lohi + 1)
      : "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v16", "v17", "v18", "v19",
        "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31");
}
#undef E8_FMLA
#undef E8_HALF
#undef E8_STEP
#undef E8_BODY2
#undef E8_BODY4
#undef E8_ROWS
#undef E8_LOAD
#undef E8_STORE
#undef E8_COPY
#undef E8_CLAMP


// Edge tiles of 1..3 columns (N % 12 = 1: 7x7 maps, N = 49; 2, 3: Winograd-
// free odd maps), from the last panel's edge groups (core/gemm.h: in each
// group of 4 k, a column's 4 values are contiguous). The roles of A and B
// are swapped: accumulator d[j][h] holds rows 4h..4h+3 of column j, and a
// k-step is `fmla d[j][h], A(k)[h], Bcol_j.s[k % 4]` (A by vector, B by
// element), so 4 k-steps of R columns take 2 A loads (ld1 {4 regs}: 4 k of
// 8 rows), ONE B load (ld1 {R regs}: 4 k of R columns) and 8R fmla. (In the
// row layout each k-step loaded its B row apart, the 1-column tile 8 fmla +
// 6 loads per 4 k-steps: 14 instructions, here 11.) Each accumulator sums in
// k order from the bias (or C), like tiles_8x12, so a column gets the same
// bits whichever tile computes it. Registers:
//   v16-v21  d[j][h] = v(16 + 2j + h)
//   v0-v7    A of 4 k-steps (v(2i), v(2i + 1): rows 0-3, 4-7 of k-step i)
//   v24-v26  B: column j of the group = v(24 + j) (4 k); in the last kc % 4
//            rows (row layout) v24 = the row, column j in lane j
// init / out: 8R floats, column j's 8 rows at 8j (the bias or C's columns,
// gathered and scattered by the caller).
#define G_COL(acc0, acc1, vb, lane, alo, ahi)                                          \
  "fmla v" #acc0 ".4s, " alo ".4s, " vb ".s[" #lane "]\n"                               \
  "fmla v" #acc1 ".4s, " ahi ".4s, " vb ".s[" #lane "]\n"
// One k-step of a group (lane i of the column vectors) for R = 1, 2, 3.
#define G_K_1(i, alo, ahi) G_COL(16, 17, "v24", i, alo, ahi)
#define G_K_2(i, alo, ahi) G_K_1(i, alo, ahi) G_COL(18, 19, "v25", i, alo, ahi)
#define G_K_3(i, alo, ahi) G_K_2(i, alo, ahi) G_COL(20, 21, "v26", i, alo, ahi)
// One k-step of a row (column j in lane j of v24).
#define G_ROW_1(alo, ahi) G_COL(16, 17, "v24", 0, alo, ahi)
#define G_ROW_2(alo, ahi) G_ROW_1(alo, ahi) G_COL(18, 19, "v24", 1, alo, ahi)
#define G_ROW_3(alo, ahi) G_ROW_2(alo, ahi) G_COL(20, 21, "v24", 2, alo, ahi)
#define G_BLOAD_1 "ld1 {v24.4s}, [%[b]], %[gs]\n"
#define G_BLOAD_2 "ld1 {v24.4s, v25.4s}, [%[b]], %[gs]\n"
#define G_BLOAD_3 "ld1 {v24.4s, v25.4s, v26.4s}, [%[b]], %[gs]\n"
#define G_INIT_1 "ld1 {v16.4s, v17.4s}, [%[init]]\n"
#define G_INIT_2 "ld1 {v16.4s, v17.4s, v18.4s, v19.4s}, [%[init]]\n"
#define G_INIT_3 G_INIT_2 "ldp q20, q21, [%[init], #64]\n"
#define G_STORE_1 "st1 {v16.4s, v17.4s}, [%[out]]\n"
#define G_STORE_2 "st1 {v16.4s, v17.4s, v18.4s, v19.4s}, [%[out]]\n"
#define G_STORE_3 G_STORE_2 "stp q20, q21, [%[out], #64]\n"
#define G_CLAMP(x) "fmax " x ".4s, " x ".4s, v0.4s\n fmin " x ".4s, " x ".4s, v1.4s\n"
#define G_CLAMP_1 G_CLAMP("v16") G_CLAMP("v17")
#define G_CLAMP_2 G_CLAMP_1 G_CLAMP("v18") G_CLAMP("v19")
#define G_CLAMP_3 G_CLAMP_2 G_CLAMP("v20") G_CLAMP("v21")
// A group: 4 k-steps.
#define G_GROUP(R)                                                                     \
  "ld1 {v0.4s-v3.4s}, [%[a]], #64\n"                                                    \
  G_BLOAD_##R                                                                          \
  "ld1 {v4.4s-v7.4s}, [%[a]], #64\n"                                                    \
  G_K_##R(0, "v0", "v1") G_K_##R(1, "v2", "v3") G_K_##R(2, "v4", "v5") G_K_##R(3, "v6", "v7")
#define G_ASM(R)                                                                       \
  asm volatile(                                                                        \
      G_INIT_##R                                                                       \
      "cbz %[g2], 2f\n"                                                                 \
      "1:\n" /* two groups: 8 k-steps */                                               \
      G_GROUP(R) G_GROUP(R)                                                            \
      "subs %[g2], %[g2], #1\n"                                                         \
      "b.ne 1b\n"                                                                       \
      "2:\n"                                                                            \
      "cbz %[g1], 3f\n"                                                                 \
      G_GROUP(R)                                                                       \
      "3:\n"                                                                            \
      "cbz %[t], 5f\n"                                                                  \
      "4:\n" /* the last kc % 4 rows, one k-step each */                               \
      "ld1 {v0.4s, v1.4s}, [%[a]], #32\n"                                               \
      "ldr q24, [%[b]], #48\n"                                                          \
      G_ROW_##R("v0", "v1")                                                            \
      "subs %[t], %[t], #1\n"                                                           \
      "b.ne 4b\n"                                                                       \
      "5:\n"                                                                            \
      "cbz %[clamp], 6f\n"                                                              \
      "ld1r {v0.4s}, [%[lo]]\n"                                                         \
      "ld1r {v1.4s}, [%[hi]]\n"                                                         \
      G_CLAMP_##R                                                                      \
      "6:\n"                                                                            \
      G_STORE_##R                                                                      \
      : [a] "+r"(a), [b] "+r"(b), [g2] "+r"(g2), [t] "+r"(t)                            \
      : [g1] "r"(g1), [gs] "r"(gs), [init] "r"(init), [out] "r"(out), [clamp] "r"(clamp), \
        [lo] "r"(lohi), [hi] "r"(lohi + 1)                                              \
      : "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v16", "v17", "v18", \
        "v19", "v20", "v21", "v24", "v25", "v26")
template <int R>
inline void tile_8xr_groups_asm(size_t kc, const float* a, const float* b, const float* init, float* out,
                                size_t clamp, const float* lohi) {
  size_t g2 = kc / 8, t = kc % 4;
  const size_t g1 = (kc / 4) % 2, gs = 4 * kNR * sizeof(float);
  if constexpr (R == 1) G_ASM(1);
  else if constexpr (R == 2) G_ASM(2);
  else G_ASM(3);
}

// The 1-column edge of a whole 8-row panel (N % 12 = 1: the 49th column of
// a 7x7 map), straight into C: C's column is read (accumulate) and written
// with single-lane ld1 / st1 stepping by the row stride (8 each), so that
// no stack tile is filled, gathered or scattered (tile_8xr_groups below
// does that for m < 8 and for 2-3 columns: about 40 instructions a call).
// The k-loop takes 16 k-steps (4 groups: 32 fmla + 12 loads) a pass, then
// 2 and 1 groups by the bits of the group count and the kc % 4 rows one
// by one. Registers as tile_8xr_groups_asm's (R = 1): v16, v17 rows 0-3,
// 4-7 of the column; v0-v7 A of 4 k-steps; v24 the column's 4 k (or, in the
// last kc % 4 rows, lane 0 of the row).
#define G8X1_LANES(OP, v) OP(v, 0) OP(v, 1) OP(v, 2) OP(v, 3)
#define G8X1_LD(v, l) "ld1 {" v ".s}[" #l "], [%[cl]], %[ldc]\n"
#define G8X1_ST(v, l) "st1 {" v ".s}[" #l "], [%[c]], %[ldc]\n"
inline void tile_8x1_asm(size_t kc, const float* a, const float* b, float* c, size_t ldc,
                         const float* bias, size_t accumulate, size_t clamp, const float* lohi) {
  size_t g4 = kc / 16, t = kc % 4;
  const size_t g = kc / 4, gs = 4 * kNR * sizeof(float), ldc_bytes = ldc * sizeof(float);
  const float* cl = c;
  asm volatile(
      "cbz %[accumulate], 1f\n"
      G8X1_LANES(G8X1_LD, "v16") G8X1_LANES(G8X1_LD, "v17")
      "b 2f\n"
      "1:\n"
      "ld1 {v16.4s, v17.4s}, [%[bias]]\n"
      "2:\n"
      "cbz %[g4], 4f\n"
      "3:\n" /* four groups: 16 k-steps */
      G_GROUP(1) G_GROUP(1) G_GROUP(1) G_GROUP(1)
      "subs %[g4], %[g4], #1\n"
      "b.ne 3b\n"
      "4:\n"
      "tbz %[g], #1, 5f\n"
      G_GROUP(1) G_GROUP(1)
      "5:\n"
      "tbz %[g], #0, 6f\n"
      G_GROUP(1)
      "6:\n"
      "cbz %[t], 8f\n"
      "7:\n" /* the last kc % 4 rows, one k-step each */
      "ld1 {v0.4s, v1.4s}, [%[a]], #32\n"
      "ldr q24, [%[b]], #48\n"
      G_ROW_1("v0", "v1")
      "subs %[t], %[t], #1\n"
      "b.ne 7b\n"
      "8:\n"
      "cbz %[clamp], 9f\n"
      "ld2r {v0.4s, v1.4s}, [%[lo]]\n"
      G_CLAMP_1
      "9:\n"
      G8X1_LANES(G8X1_ST, "v16") G8X1_LANES(G8X1_ST, "v17")
      : [a] "+r"(a), [b] "+r"(b), [c] "+r"(c), [cl] "+r"(cl), [g4] "+r"(g4), [t] "+r"(t)
      : [g] "r"(g), [gs] "r"(gs), [ldc] "r"(ldc_bytes), [bias] "r"(bias),
        [accumulate] "r"(accumulate), [clamp] "r"(clamp), [lo] "r"(lohi)
      : "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v16", "v17", "v24");
}
#undef G8X1_LANES
#undef G8X1_LD
#undef G8X1_ST
#undef G_COL
#undef G_K_1
#undef G_K_2
#undef G_K_3
#undef G_ROW_1
#undef G_ROW_2
#undef G_ROW_3
#undef G_BLOAD_1
#undef G_BLOAD_2
#undef G_BLOAD_3
#undef G_INIT_1
#undef G_INIT_2
#undef G_INIT_3
#undef G_STORE_1
#undef G_STORE_2
#undef G_STORE_3
#undef G_CLAMP
#undef G_CLAMP_1
#undef G_CLAMP_2
#undef G_CLAMP_3
#undef G_GROUP
#undef G_ASM

// Columns 0..R-1 of the last panel (edge groups) into the m valid rows of
// C's columns (row stride ldc).
template <int R>
void tile_8xr_groups(size_t kc, size_t m, const float* a, const float* b, float* c, size_t ldc,
                     const float* bias, size_t accumulate, size_t clamp, const float* lohi) {
  if (R == 1 && m == kMR) {  // straight into C's column
    tile_8x1_asm(kc, a, b, c, ldc, bias, accumulate, clamp, lohi);
    return;
  }
  alignas(16) float init[kMR * R], out[kMR * R];
  for (int j = 0; j < R; j++) {
    if (!accumulate) {  // (bias is readable for MR rows: core/gemm.h)
      vst1q_f32(init + kMR * j, vld1q_f32(bias));
      vst1q_f32(init + kMR * j + 4, vld1q_f32(bias + 4));
      continue;
    }
    for (size_t r = 0; r < kMR; r++) init[kMR * j + r] = r < m ? c[r * ldc + j] : 0.0f;
  }
  tile_8xr_groups_asm<R>(kc, a, b, init, out, clamp, lohi);
  for (size_t r = 0; r < m; r++)
    for (int j = 0; j < R; j++) c[r * ldc + j] = out[kMR * j + r];
}


// The tiles of one call (m valid rows; tiles_8x12 by row kind and clamp
// mode 0 none, 1 lower bound only, 2 both).
template <RowsKind R>
void tiles_mode(int mode, size_t count, size_t kc, size_t m, const float* a, const float* b, float* ct,
                size_t ldt, const float* bias3, size_t accumulate, const float* lohi) {
  if (mode == 0) tiles_8x12<0, R>(count, kc, m, a, b, ct, ldt, bias3, accumulate, lohi);
  else if (mode == 1) tiles_8x12<1, R>(count, kc, m, a, b, ct, ldt, bias3, accumulate, lohi);
  else tiles_8x12<2, R>(count, kc, m, a, b, ct, ldt, bias3, accumulate, lohi);
}
inline void tiles_any(int mode, size_t count, size_t kc, size_t m, const float* a, const float* b, float* ct,
                      size_t ldt, const float* bias3, size_t accumulate, const float* lohi) {
  if (m == kMR) tiles_mode<kRows8>(mode, count, kc, m, a, b, ct, ldt, bias3, accumulate, lohi);
  else if (m > 4) tiles_mode<kRows5to7>(mode, count, kc, m, a, b, ct, ldt, bias3, accumulate, lohi);
  else tiles_mode<kRows1to4>(mode, count, kc, m, a, b, ct, ldt, bias3, accumulate, lohi);
}
// bias3 (tiles_8x12): bias[r] three times per row, two vst3 of the 8 biases
// (bias is readable for MR rows: core/gemm.h).
inline void make_bias3(float* bias3, const float* bias) {
  const float32x4_t b0 = vld1q_f32(bias), b1 = vld1q_f32(bias + 4);
  vst3q_f32(bias3, (float32x4x3_t{{b0, b0, b0}}));
  vst3q_f32(bias3 + 3 * 4, (float32x4x3_t{{b1, b1, b1}}));
}

// The last cols = 1..11 columns of a panel (at b and c), m valid rows.
#if defined(__GNUC__)
__attribute__((noinline))
#endif
void edge_tile(size_t kc, size_t m, size_t cols, const float* a, const float* b, float* c, size_t ldc,
               const F32Output& out, size_t accumulate, size_t clamp, int mode, const float* lohi) {
  const float* bias = out.bias;
  if (cols <= 3) {  // edge groups (core/gemm.h)
    if (cols == 1) tile_8xr_groups<1>(kc, m, a, b, c, ldc, bias, accumulate, clamp, lohi);
    if (cols == 2) tile_8xr_groups<2>(kc, m, a, b, c, ldc, bias, accumulate, clamp, lohi);
    if (cols == 3) tile_8xr_groups<3>(kc, m, a, b, c, ldc, bias, accumulate, clamp, lohi);
    return;
  }
  if (cols == 4 && m == kMR) {
    tile_8x4_asm(kc, a, b, c, ldc, bias, accumulate, clamp, lohi);
    return;
  }
  if (cols == 8 && m == kMR) {
    tile_8x8_asm(kc, a, b, c, ldc, bias, accumulate, clamp, lohi);
    return;
  }
  // (Every kernel below writes the whole 8 x 4, 8 x 8 or 8 x 12 tile: no
  // zeroing; rows past m are read only when accumulating.)
  float tile[kMR * kNR];
  if (accumulate) tile_from_c(tile, c, ldc, m, cols);
  if (cols == 4) {
    tile_8x4_asm(kc, a, b, tile, kNR, bias, accumulate, clamp, lohi);
  } else if (cols <= 8) {
    tile_8x8_asm(kc, a, b, tile, kNR, bias, accumulate, clamp, lohi);
  } else {
    alignas(16) float bias3[3 * kMR];
    if (!accumulate) make_bias3(bias3, bias);
    tiles_any(mode, 1, kc, m, a, b, tile, kNR, bias3, accumulate, lohi);
  }
  tile_to_c(tile, c, ldc, m, cols);
}

// The micro-kernel entry: one A panel times the n / 12 B panels that follow
// each other in `b`. Whole 12-column tiles run in place as one strip
// (register saves, bias set-up and loop set-up paid once per call), whatever
// m (tiles_8x12's row variants); the last n % 12 columns take the narrow
// kernels (edge_tile), through a stack tile (copied from / to the valid part
// of C) where they cannot write C directly, so that nothing outside the m x n
// outputs is touched. (Per call, besides the kernels: about 40
// instructions; the edge tiles' set-up out of line.)
void ukernel_8x12(size_t kc, size_t m, size_t n, const float* a, const float* b, float* c,
                  size_t ldc, const F32Output& out, unsigned flags) {
  const float lohi[2] = {out.lo, out.hi};
  const size_t accumulate = flags & kAccumulate, clamp = (flags & kLastK) && out.clamp;
  const size_t full = n / kNR, q = full * kNR;
  // The clamp of the 12-column tiles, fixed per call (tiles_8x12).
  const int mode = !clamp ? 0 : out.hi == INFINITY ? 1 : 2;
  if (full) {
    alignas(16) float bias3[3 * kMR];
    if (!accumulate) make_bias3(bias3, out.bias);
    tiles_any(mode, full, kc, m, a, b, c, ldc, bias3, accumulate, lohi);
  }
  if (q < n) edge_tile(kc, m, n - q, a, b + q * kc, c + q, ldc, out, accumulate, clamp, mode, lohi);
}
#undef AC_BODY4_AB
#undef AC_BODY2_AB
#undef AC_BODY1_AB
#undef AC_FMLA
#undef AC_COL
#undef AC_COL_REGS
#undef AC_COL_0
#undef AC_COL_1
#undef AC_COL_2
#undef AC_ROWS
#undef AC_ROWS4
#undef AC_ROWS_5TO7
#undef AC_ROWS_1TO4
#undef AC_R0
#undef AC_R1
#undef AC_R2
#undef AC_R3
#undef AC_R4
#undef AC_R5
#undef AC_R6
#undef AC_R7
#undef AC_LOAD_ROW
#undef AC_STORE_ROW
#undef AC_CLAMP_ROW
#undef AC_CLAMP_LO_ROW
#undef AC_DUP_ROW


}  // namespace

const SgemmKernels& sgemm_neon_kernels() {
  // Edge groups (core/gemm.h) for a last panel of 1..3 columns: tile_8xr_groups.
  constexpr size_t kEdgeCols = 3;
  // The planner's costs of partial panels (core/gemm.h, gemm_edge_cost /
  // gemm_row_cost), measured: executed instructions of whole calls (packing
  // included) of insn_bench's layer spec conv:128,M,1,1,0,1,1,N (a 1x1
  // layer, K = 128, on a 1 x N map), qemu cortex-a72:
  //   r columns: (insns(M 64, N 24 + r) - insns(64, 24)) / (insns(64, 36) - insns(64, 24))
  //     r = 1..3: 0.202 0.312 0.400 (tile_8xr_groups); 4: 0.441 (tile_8x4_asm);
  //     5..7: 0.794, 8: 0.774 (tile_8x8_asm; 5..7 through a stack tile);
  //     9..11: 1.104 (a full tile through a stack tile: counted as 1).
  //     (insns(64, 24) = 54,956, insns(64, 36) = 81,377)
  //   m rows: (insns(64 + m, 48) - insns(64, 48)) / (insns(72, 48) - insns(64, 48))
  //     m = 1..4: 0.533 0.533 0.534 0.534 (the 4-row kernel); 5..7: 1.000 .. 1.001.
  //     (insns(64, 48) = 107,798, insns(72, 48) = 120,996)
  // Re-measured after the pw merge (dc96593: tile_8x1_asm, the 1-column edge
  // straight into C; dense B panels packed in assembly; sgemm unchanged since).
  static constexpr double kEdgeCosts[kNR] = {0.0,   0.202, 0.312, 0.400, 0.441, 0.794,
                                             0.794, 0.794, 0.774, 1.0,   1.0,   1.0};
  static constexpr double kRowCosts[kMR] = {0.0, 0.533, 0.533, 0.534, 0.534, 1.0, 1.0, 1.0};
  using Pack = SgemmPack<kMR, kNR, kEdgeCols>;
  static const SgemmKernels k = [] {
    SgemmKernels t = {"sgemm-aarch64-8x12", kMR,          kNR,
                      1,                    ukernel_8x12, Pack::pack_a,
                      Pack::pack_b,         Pack::pack_im2col,
                      /*pad_copy=*/true,                     Sgemv<kMR>::run};
    t.b_edge_cols = kEdgeCols;
    t.edge_costs = kEdgeCosts;
    t.row_costs = kRowCosts;
    return t;
  }();
  return k;
}

}  // namespace detail
}  // namespace armconv

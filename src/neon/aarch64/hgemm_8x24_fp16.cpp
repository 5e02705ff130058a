// NEON fp16 GEMM micro-kernel, aarch64 + FP16 (Armv8.2), 8x24 tile
// (hgemm-aarch64-8x24-fp16; formats and contract: core/gemm.h, F16Output;
// packers: neon/hgemm_pack_fp16.h). An ISA-extension unit: compiled with
// -march=armv8.2-a+fp16 (CMake's extension list, by its file-name suffix),
// reached only through dispatch.cpp after the AT_HWCAP check; its helpers
// are in an anonymous namespace (tests/cpp/check_extension_symbols.cmake).
// Two tables, one per image/output type (float32, converted while packing
// and when stored; or binary16), with the same tile, A panels and arithmetic.
//
// The tile. `fmla v.8h, b.8h, a.h[i]` is 8 multiply-adds, twice the fp32
// rate. Its by-element operand must be one of v0-v15. Accumulators hold 8
// consecutive pixels (columns) of one output channel (row), so the NCHW
// output is stored straight from them. With 24 accumulators and 8 operand
// registers, the candidate tiles (MR x NR, operand registers per k-step):
//   8 x 24: A 1 (8 rows = one register, by element), B 3: 4 per 24 FMLA
//   12 x 16: A 1.5, B 2: 3.5 per 24 FMLA, but MR = 12 wastes a third of a
//           panel on the common 8k channel counts (64 = 5*12 + 4)
//   24 x 8: A 3, B 1: 4, and 3 A registers must stay in v0-v15
// 8x24 it is. Four k-steps (96 FMLA, 768 MACs) need 4 A and 12 B registers:
// four 4-register loads (LD1 {4 regs}, the widest), i.e. 1 load per 24 FMLA:
//   ld1 {v0-v3}  A(k0..k3)            ld1 {v4-v7}  B(k0)[0:24] B(k1)[0:8]
//   k0 (24 fmla), k1 column 0 (8)
//   ld1 {v4-v7}  B(k1)[8:24] B(k2)[0:16]
//   k1 columns 1-2 (16), k2 columns 0-1 (16)
//   ld1 {v4-v7}  B(k2)[16:24] B(k3)[0:24]
//   k2 column 2 (8), k3 (24)
// The loop runs 16 k-steps per iteration: 384 FMLA + 16 loads + 2 = 402
// instructions for 3072 MACs (7.64 MACs/instruction; the bound is 8).
// llvm-mca -mcpu=neoverse-n1 (the Cortex-A76 core): 192 cycles per
// iteration, the 2 FMLA/cycle bound.
//
// Registers (the whole tile is one assembly block, as the fp32 8x12, for
// the same reason: 24 accumulators + 8 operands leave the compilers no room):
//   v8-v31   c[r][j] = v(8 + 3r + j): row r (output channel), pixels 8j..8j+7
//   v0-v3    A: one k-step per register (rows 0-7 in lanes 0-7)
//   v4-v7    B
// Set-up: the bias, three copies per row (24 halves), by six LD4R {4 regs};
// or, on a later K-block, C (binary16 as is; float32 by FCVTN/FCVTN2, exact:
// C holds binary16 values). After the loop, v0-v7 are free: the clamp
// (FMAX/FMIN .8h: NaN propagates) and the store, binary16 as is (one ST1
// {3 regs} per row) or float32 (FCVTL/FCVTL2: 6 per row, exact; two stores).
//
// Edges: packing zero-pads A rows past M and B columns past N. A tile with
// fewer than 8 valid rows, or the last panel of a strip, goes through a
// binary16 stack tile (copied from/to the valid part of C, exactly); a last
// panel of at most 8 or 16 valid columns uses a narrower kernel (8 or 16
// accumulators) instead of the 24-column tile.
#include <arm_neon.h>

#include <algorithm>
#include <cstring>

#include "core/gemm.h"
#include "neon/hgemm_pack_fp16.h"

namespace armconv {
namespace detail {
namespace {

constexpr size_t kMR = 8, kNR = 24;

// ---- the 8x24 tile (assembly) ------------------------------------------------------

// c[r][j] += vb * va[lane]: the 8 rows of accumulator column j.
#define HG_FMLA(acc, vb, va, lane) "fmla v" #acc ".8h, " vb ".8h, " va ".h[" #lane "]\n"
#define HG_COL_REGS(r0, r1, r2, r3, r4, r5, r6, r7, vb, va)                                    \
  HG_FMLA(r0, vb, va, 0) HG_FMLA(r1, vb, va, 1) HG_FMLA(r2, vb, va, 2) HG_FMLA(r3, vb, va, 3)  \
  HG_FMLA(r4, vb, va, 4) HG_FMLA(r5, vb, va, 5) HG_FMLA(r6, vb, va, 6) HG_FMLA(r7, vb, va, 7)
#define HG_COL_0(vb, va) HG_COL_REGS(8, 11, 14, 17, 20, 23, 26, 29, vb, va)
#define HG_COL_1(vb, va) HG_COL_REGS(9, 12, 15, 18, 21, 24, 27, 30, vb, va)
#define HG_COL_2(vb, va) HG_COL_REGS(10, 13, 16, 19, 22, 25, 28, 31, vb, va)
// The 8 rows of the tile: v8-v10, ..., v29-v31.
#define HG_ROWS(OP)                                                                         \
  OP("v8", "v9", "v10") OP("v11", "v12", "v13") OP("v14", "v15", "v16")                    \
  OP("v17", "v18", "v19") OP("v20", "v21", "v22") OP("v23", "v24", "v25")                  \
  OP("v26", "v27", "v28") OP("v29", "v30", "v31")

// Four k-steps (see the top): 96 FMLA, 4 loads.
#define HG_BODY4                                                                            \
  "ld1 {v0.8h-v3.8h}, [%[ap]], #64\n"                                                       \
  "ld1 {v4.8h-v7.8h}, [%[b]], #64\n"                                                        \
  HG_COL_0("v4", "v0") HG_COL_1("v5", "v0") HG_COL_2("v6", "v0") HG_COL_0("v7", "v1")       \
  "ld1 {v4.8h-v7.8h}, [%[b]], #64\n"                                                        \
  HG_COL_1("v4", "v1") HG_COL_2("v5", "v1") HG_COL_0("v6", "v2") HG_COL_1("v7", "v2")       \
  "ld1 {v4.8h-v7.8h}, [%[b]], #64\n"                                                        \
  HG_COL_2("v4", "v2") HG_COL_0("v5", "v3") HG_COL_1("v6", "v3") HG_COL_2("v7", "v3")

// Per row of accumulators (x, y, z): from C, clamp, to C. %[ct]/%[cl]
// advance by one C row (ldt bytes) per row.
#define HG_LOAD_ROW_H(x, y, z) "ld1 {" x ".8h, " y ".8h, " z ".8h}, [%[cl]], %[ldt]\n"
#define HG_STORE_ROW_H(x, y, z) "st1 {" x ".8h, " y ".8h, " z ".8h}, [%[ct]], %[ldt]\n"
#define HG_LOAD_ROW_F(x, y, z)                                                              \
  "ld1 {v0.4s-v3.4s}, [%[cl]], #64\n ld1 {v4.4s, v5.4s}, [%[cl]], %[rstep]\n"                \
  "fcvtn " x ".4h, v0.4s\n fcvtn2 " x ".8h, v1.4s\n fcvtn " y ".4h, v2.4s\n"                 \
  "fcvtn2 " y ".8h, v3.4s\n fcvtn " z ".4h, v4.4s\n fcvtn2 " z ".8h, v5.4s\n"
#define HG_STORE_ROW_F(x, y, z)                                                             \
  "fcvtl v0.4s, " x ".4h\n fcvtl2 v1.4s, " x ".8h\n fcvtl v2.4s, " y ".4h\n"                 \
  "fcvtl2 v3.4s, " y ".8h\n fcvtl v4.4s, " z ".4h\n fcvtl2 v5.4s, " z ".8h\n"                \
  "st1 {v0.4s-v3.4s}, [%[ct]], #64\n st1 {v4.4s, v5.4s}, [%[ct]], %[rstep]\n"
#define HG_CLAMP_ROW(x, y, z)                                                               \
  "fmax " x ".8h, " x ".8h, v0.8h\n fmin " x ".8h, " x ".8h, v1.8h\n"                        \
  "fmax " y ".8h, " y ".8h, v0.8h\n fmin " y ".8h, " y ".8h, v1.8h\n"                        \
  "fmax " z ".8h, " z ".8h, v0.8h\n fmin " z ".8h, " z ".8h, v1.8h\n"

// `tiles` 8x24 tiles over kc k-steps: tile t reads the A panel `a` and the B
// panel that follows the previous one (`b` runs on), and writes C columns
// [24t, 24t + 24) of `ct` (row stride ldt elements of C: float32 (LOAD_ROW_F,
// STORE_ROW_F) or binary16 (_H)). bias3: bias[r] three times per row (24
// halves); lohi: the clamp bounds.
#define HG_TILES_ASM(LOAD_ROW, STORE_ROW)                                                   \
  asm volatile(                                                                             \
      "0:\n"                                                                                \
      "mov %[ap], %[a]\n"                                                                   \
      "cbz %[accumulate], 1f\n"                                                             \
      "mov %[cl], %[ct]\n" HG_ROWS(LOAD_ROW) "b 2f\n"                                       \
      "1:\n"                                                                                \
      "mov %[bp], %[bias]\n"                                                                \
      "ld4r {v8.8h, v9.8h, v10.8h, v11.8h}, [%[bp]], #8\n"                                  \
      "ld4r {v12.8h, v13.8h, v14.8h, v15.8h}, [%[bp]], #8\n"                                \
      "ld4r {v16.8h, v17.8h, v18.8h, v19.8h}, [%[bp]], #8\n"                                \
      "ld4r {v20.8h, v21.8h, v22.8h, v23.8h}, [%[bp]], #8\n"                                \
      "ld4r {v24.8h, v25.8h, v26.8h, v27.8h}, [%[bp]], #8\n"                                \
      "ld4r {v28.8h, v29.8h, v30.8h, v31.8h}, [%[bp]]\n"                                    \
      "2:\n"                                                                                \
      "cbz %[k16], 4f\n"                                                                    \
      "mov %[n16], %[k16]\n"                                                                \
      "3:\n" HG_BODY4 HG_BODY4 HG_BODY4 HG_BODY4                                            \
      "subs %[n16], %[n16], #1\n"                                                           \
      "b.ne 3b\n"                                                                           \
      "4:\n"                                                                                \
      "cbz %[k4], 6f\n"                                                                     \
      "mov %[n4], %[k4]\n"                                                                  \
      "5:\n" HG_BODY4                                                                       \
      "subs %[n4], %[n4], #1\n"                                                             \
      "b.ne 5b\n"                                                                           \
      "6:\n"                                                                                \
      "cbz %[k1], 7f\n"                                                                     \
      "mov %[n1], %[k1]\n"                                                                  \
      "9:\n"                                                                                \
      "ld1 {v0.8h}, [%[ap]], #16\n"                                                         \
      "ld1 {v4.8h-v6.8h}, [%[b]], #48\n"                                                    \
      HG_COL_0("v4", "v0") HG_COL_1("v5", "v0") HG_COL_2("v6", "v0")                        \
      "subs %[n1], %[n1], #1\n"                                                             \
      "b.ne 9b\n"                                                                           \
      "7:\n"                                                                                \
      "cbz %[clamp], 8f\n"                                                                  \
      "ld1r {v0.8h}, [%[lohi]]\n"                                                           \
      "ld1r {v1.8h}, [%[hi]]\n" HG_ROWS(HG_CLAMP_ROW)                                       \
      "8:\n" HG_ROWS(STORE_ROW)                                                             \
      "sub %[ct], %[ct], %[rewind]\n"                                                       \
      "subs %[tiles], %[tiles], #1\n"                                                       \
      "b.ne 0b\n"                                                                           \
      : [b] "+r"(b), [ct] "+r"(ct), [tiles] "+r"(tiles), [ap] "=&r"(ap), [bp] "=&r"(bp),    \
        [cl] "=&r"(cl), [n16] "=&r"(n16), [n4] "=&r"(n4), [n1] "=&r"(n1)                    \
      : [a] "r"(a), [k16] "r"(k16), [k4] "r"(k4), [k1] "r"(k1), [ldt] "r"(ldt_bytes),       \
        [rstep] "r"(ldt_bytes - 64), [rewind] "r"(rewind), [bias] "r"(bias3),               \
        [accumulate] "r"(accumulate), [clamp] "r"(clamp), [lohi] "r"(lohi), [hi] "r"(lohi + 1) \
      : "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10",  \
        "v11", "v12", "v13", "v14", "v15", "v16", "v17", "v18", "v19", "v20", "v21", "v22", \
        "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31")

template <class IO>
void tiles_8x24(size_t tiles, size_t kc, const Half* a, const Half* b, IO* ct, size_t ldt,
                const Half* bias3, size_t accumulate, size_t clamp, const Half* lohi) {
  const size_t k16 = kc / 16, k4 = (kc / 4) % 4, k1 = kc % 4;
  const size_t ldt_bytes = ldt * sizeof(IO);
  // After the 8 row stores (each advancing by a row), back to row 0 and on
  // to the next tile's 24 columns.
  const size_t rewind = (kMR * ldt - kNR) * sizeof(IO);
  const Half* ap;
  const Half* bp;
  IO* cl;
  size_t n16, n4, n1;
  if constexpr (sizeof(IO) == 4)
    HG_TILES_ASM(HG_LOAD_ROW_F, HG_STORE_ROW_F);
  else
    HG_TILES_ASM(HG_LOAD_ROW_H, HG_STORE_ROW_H);
}

#undef HG_TILES_ASM
#undef HG_BODY4
#undef HG_LOAD_ROW_H
#undef HG_STORE_ROW_H
#undef HG_LOAD_ROW_F
#undef HG_STORE_ROW_F
#undef HG_CLAMP_ROW
#undef HG_ROWS
#undef HG_COL_0
#undef HG_COL_1
#undef HG_COL_2
#undef HG_COL_REGS
#undef HG_FMLA

// ---- edge tiles ------------------------------------------------------------------------

// 8 x 8*NV (NV = 1, 2) from the first NV vectors of a 24-column panel, in
// the binary16 stack tile t (8 x 24: read when accumulating, written at the
// end). Assembly too: with intrinsics gcc 12 turns the lane FMLAs into a DUP
// of each A lane plus vector FMLAs (or 8 scalar loads of A), 23-24
// instructions per k-step instead of 11 (NV = 1: 8 FMLA + 2 loads + loop)
// or 19 (NV = 2).
// Registers: v16-v23 rows 0-7 of column vector 0, v24-v31 of column vector
// 1; v0 A, v1-v2 B; v3-v4 the clamp bounds.
#define HE_COL(r0, r1, r2, r3, r4, r5, r6, r7, vb)                                          \
  "fmla " r0 ".8h, " vb ".8h, v0.h[0]\n fmla " r1 ".8h, " vb ".8h, v0.h[1]\n"                \
  "fmla " r2 ".8h, " vb ".8h, v0.h[2]\n fmla " r3 ".8h, " vb ".8h, v0.h[3]\n"                \
  "fmla " r4 ".8h, " vb ".8h, v0.h[4]\n fmla " r5 ".8h, " vb ".8h, v0.h[5]\n"                \
  "fmla " r6 ".8h, " vb ".8h, v0.h[6]\n fmla " r7 ".8h, " vb ".8h, v0.h[7]\n"
#define HE_V0 "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23"
#define HE_V1 "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31"
#define HE_APPLY(M, ...) M(__VA_ARGS__)
#define HE_CLAMP(r0, r1, r2, r3, r4, r5, r6, r7)                                            \
  "fmax " r0 ".8h, " r0 ".8h, v3.8h\n fmax " r1 ".8h, " r1 ".8h, v3.8h\n"                   \
  "fmax " r2 ".8h, " r2 ".8h, v3.8h\n fmax " r3 ".8h, " r3 ".8h, v3.8h\n"                   \
  "fmax " r4 ".8h, " r4 ".8h, v3.8h\n fmax " r5 ".8h, " r5 ".8h, v3.8h\n"                   \
  "fmax " r6 ".8h, " r6 ".8h, v3.8h\n fmax " r7 ".8h, " r7 ".8h, v3.8h\n"                   \
  "fmin " r0 ".8h, " r0 ".8h, v4.8h\n fmin " r1 ".8h, " r1 ".8h, v4.8h\n"                   \
  "fmin " r2 ".8h, " r2 ".8h, v4.8h\n fmin " r3 ".8h, " r3 ".8h, v4.8h\n"                   \
  "fmin " r4 ".8h, " r4 ".8h, v4.8h\n fmin " r5 ".8h, " r5 ".8h, v4.8h\n"                   \
  "fmin " r6 ".8h, " r6 ".8h, v4.8h\n fmin " r7 ".8h, " r7 ".8h, v4.8h\n"
// Accumulators of column vector 0 (and 1) from / to the tile, row stride 48 bytes.
#define HE_LOAD1                                                                             \
  "ldr q16, [%[t]]\n ldr q17, [%[t], #48]\n ldr q18, [%[t], #96]\n ldr q19, [%[t], #144]\n" \
  "ldr q20, [%[t], #192]\n ldr q21, [%[t], #240]\n ldr q22, [%[t], #288]\n"                 \
  "ldr q23, [%[t], #336]\n"
#define HE_STORE1                                                                            \
  "str q16, [%[t]]\n str q17, [%[t], #48]\n str q18, [%[t], #96]\n str q19, [%[t], #144]\n" \
  "str q20, [%[t], #192]\n str q21, [%[t], #240]\n str q22, [%[t], #288]\n"                 \
  "str q23, [%[t], #336]\n"
#define HE_LOAD2                                                                             \
  "ldp q16, q24, [%[t]]\n ldp q17, q25, [%[t], #48]\n ldp q18, q26, [%[t], #96]\n"           \
  "ldp q19, q27, [%[t], #144]\n ldp q20, q28, [%[t], #192]\n ldp q21, q29, [%[t], #240]\n"   \
  "ldp q22, q30, [%[t], #288]\n ldp q23, q31, [%[t], #336]\n"
#define HE_STORE2                                                                            \
  "stp q16, q24, [%[t]]\n stp q17, q25, [%[t], #48]\n stp q18, q26, [%[t], #96]\n"           \
  "stp q19, q27, [%[t], #144]\n stp q20, q28, [%[t], #192]\n stp q21, q29, [%[t], #240]\n"   \
  "stp q22, q30, [%[t], #288]\n stp q23, q31, [%[t], #336]\n"
#define HE_ASM(LOAD, BIAS, LOADB, FMLAS, CLAMPS, STORE)                                      \
  __asm__ volatile(                                                                          \
      "cbz %[accumulate], 1f\n" LOAD "b 2f\n"                                                \
      "1:\n"                                                                                 \
      "ld4r {v16.8h-v19.8h}, [%[bias]]\n"                                                    \
      "ld4r {v20.8h-v23.8h}, [%[bias4]]\n" BIAS                                              \
      "2:\n"                                                                                 \
      "cbz %[kc], 4f\n"                                                                      \
      "3:\n"                                                                                 \
      "ld1 {v0.8h}, [%[a]], #16\n" LOADB FMLAS                                               \
      "subs %[kc], %[kc], #1\n"                                                              \
      "b.ne 3b\n"                                                                            \
      "4:\n"                                                                                 \
      "cbz %[clamp], 5f\n"                                                                   \
      "ld1r {v3.8h}, [%[lohi]]\n"                                                            \
      "ld1r {v4.8h}, [%[hi]]\n" CLAMPS                                                       \
      "5:\n" STORE                                                                           \
      : [a] "+r"(a), [b] "+r"(b), [kc] "+r"(kc)                                               \
      : [t] "r"(t), [bias] "r"(bias), [bias4] "r"(bias + 4), [accumulate] "r"(accumulate),   \
        [clamp] "r"(clamp), [lohi] "r"(lohi), [hi] "r"(lohi + 1), [bstep] "r"(kNR * sizeof(Half)) \
      : "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v16", "v17", "v18", "v19", "v20",     \
        "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31")

template <int NV>
void tile_8xv(size_t kc, const Half* a, const Half* b, Half* t, const Half* bias,
              size_t accumulate, size_t clamp, const Half* lohi) {
  if constexpr (NV == 1) {
    HE_ASM(HE_LOAD1, "", "ld1 {v1.8h}, [%[b]], %[bstep]\n", HE_APPLY(HE_COL, HE_V0, "v1"),
           HE_APPLY(HE_CLAMP, HE_V0), HE_STORE1);
  } else {
    HE_ASM(HE_LOAD2,
           "mov v24.16b, v16.16b\n mov v25.16b, v17.16b\n mov v26.16b, v18.16b\n"
           "mov v27.16b, v19.16b\n mov v28.16b, v20.16b\n mov v29.16b, v21.16b\n"
           "mov v30.16b, v22.16b\n mov v31.16b, v23.16b\n",
           "ld1 {v1.8h, v2.8h}, [%[b]], %[bstep]\n",
           HE_APPLY(HE_COL, HE_V0, "v1") HE_APPLY(HE_COL, HE_V1, "v2"),
           HE_APPLY(HE_CLAMP, HE_V0) HE_APPLY(HE_CLAMP, HE_V1), HE_STORE2);
  }
}
#undef HE_ASM
#undef HE_STORE2
#undef HE_LOAD2
#undef HE_STORE1
#undef HE_LOAD1
#undef HE_CLAMP
#undef HE_APPLY
#undef HE_V1
#undef HE_V0
#undef HE_COL

// The m x n valid part of a tile between C and the binary16 stack tile
// (exact both ways: C holds binary16 values).
inline void tile_from_c(Half* t, const Half* c, size_t ldc, size_t m, size_t n) {
  for (size_t r = 0; r < m; r++) std::memcpy(t + r * kNR, c + r * ldc, n * sizeof(Half));
}
inline void tile_to_c(const Half* t, Half* c, size_t ldc, size_t m, size_t n) {
  for (size_t r = 0; r < m; r++) std::memcpy(c + r * ldc, t + r * kNR, n * sizeof(Half));
}
inline void tile_from_c(Half* t, const float* c, size_t ldc, size_t m, size_t n) {
  for (size_t r = 0; r < m; r++)
    for (size_t j = 0; j < n; j++) t[r * kNR + j] = to_half(c[r * ldc + j]);
}
inline void tile_to_c(const Half* t, float* c, size_t ldc, size_t m, size_t n) {
  for (size_t r = 0; r < m; r++)
    for (size_t j = 0; j < n; j++) {
      float16_t h;
      std::memcpy(&h, t + r * kNR + j, sizeof h);
      c[r * ldc + j] = float(h);
    }
}

// The micro-kernel entry: one A panel times the n / 24 B panels that follow
// each other in `b`. Full tiles run as one strip (register saves and set-up
// once per call); a partial tile goes through the stack tile.
template <class IO>
void ukernel_8x24(size_t kc, size_t m, size_t n, const Half* a, const Half* b, IO* c, size_t ldc,
                  const F16Output<IO>& out, unsigned flags) {
  Half bias3[3 * kMR];
  for (size_t r = 0; r < kMR; r++) bias3[3 * r] = bias3[3 * r + 1] = bias3[3 * r + 2] = out.bias[r];
  const Half lohi[2] = {out.lo, out.hi};
  const size_t accumulate = flags & kAccumulate, clamp = (flags & kLastK) && out.clamp;
  const size_t full = m == kMR ? n / kNR : 0;
  if (full) tiles_8x24<IO>(full, kc, a, b, c, ldc, bias3, accumulate, clamp, lohi);
  for (size_t q = full * kNR; q < n; q += kNR) {
    const size_t cols = std::min(kNR, n - q);
    const Half* bq = b + q * kc;
    Half tile[kMR * kNR];
    if (accumulate) tile_from_c(tile, c + q, ldc, m, cols);
    if (cols <= 8)
      tile_8xv<1>(kc, a, bq, tile, out.bias, accumulate, clamp, lohi);
    else if (cols <= 16)
      tile_8xv<2>(kc, a, bq, tile, out.bias, accumulate, clamp, lohi);
    else
      tiles_8x24<Half>(1, kc, a, bq, tile, kNR, bias3, accumulate, clamp, lohi);
    tile_to_c(tile, c + q, ldc, m, cols);
  }
}

template <class IO>
GemmKernel<F16GemmT<IO>> table() {
  using Pack = HgemmPack<kNR>;
  GemmKernel<F16GemmT<IO>> k;
  k.name = "hgemm-aarch64-8x24-fp16";
  k.mr = kMR;
  k.nr = kNR;
  k.kr = 1;
  k.ukernel = ukernel_8x24<IO>;
  // A is packed once per layer: the generic packer (the same bytes).
  k.pack_a = hgemm_generic_kernels_for(kMR, kNR).f32->pack_a;
  k.pack_b = Pack::template pack_b<IO>;
  k.pack_im2col = Pack::template pack_im2col<IO>;
  return k;
}

}  // namespace

HgemmPair hgemm_fp16_kernels() {
  static const HgemmKernels k32 = table<float>();
  static const HgemmKernelsH k16 = table<Half>();
  return {&k32, &k16};
}

}  // namespace detail
}  // namespace armconv

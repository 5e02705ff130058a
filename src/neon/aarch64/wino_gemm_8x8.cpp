// NEON "pack4" GEMM of one Winograd transform position, aarch64: 8 output
// channels x 8 tiles per register block (wino_gemm-aarch64-8x8; contract:
// core/wino_gemm.h):
//
//   C[j][m] = init[j][m] + sum_k U[k][m] V[k][j]     m < 8 channels, j < n tiles
//
// k runs in vector lanes: V[4q..4q+3][j] is one vector (tile j's input
// transform, 4 input channels, as the input transform wrote it) and U[k][0..7]
// two vectors (8 output channels). A k-quad is, per tile j and lane kk,
//
//   acc[j][h] += U[4q + kk][h] * V_q[j].s[kk]      h = 0 (channels 0-3), 1 (4-7)
//
// i.e. multiply-accumulate by element, and C[j] comes out as two nc4 vectors
// for the output transform: no transposes on either side.
//
// aarch64, n = 8 (the hot path): one inline-assembly block (as the fp32 GEMM
// in neon/aarch64/sgemm_8x12.cpp, and for the same reason: all 32 registers are live and
// compilers shuffle or spill around the multi-register loads). Registers:
//   v16-v31  acc[j][h] = v(16 + 2j + h)                      (16)
//   v0-v7    V_q[j] = vj: 8 tiles of a quad, 2 x ld1 {4 regs}  (8)
//   v8-v15   U[4q + kk][h] = v(8 + 2kk + h): 2 x ld1 {4 regs}  (8)
// so a quad is 4 loads + 64 fmla (256 MACs in 68 instructions). The fmlas run
// lane-major (kk outer, tile inner): consecutive updates of one accumulator
// are 16 instructions apart, more than FMLA latency x issue width on the A72
// (7 x 2) and A76 (4 x 2). U[2..3] is loaded after the kk = 0 step; the other
// loads sit at the top of the quad and rely on register renaming (A72, A76
// are out of order) to run ahead of the previous quad's fmlas. The loop body
// is two quads (llvm-mca: 128 cycles on cortex-a72 and 64 on neoverse-n1 per
// 128 fmla, their FMLA bounds). Zero init costs nothing: the first lane step
// of the first quad is fmul instead of fmla. v8-v15 are callee-saved (low
// halves): the compiler saves d8-d15 around the block (8 instructions per call).
//
// aarch64 n < 8: blocks of N = 4, 2, 1 tiles (n = 3, 5, 6, 7 as sums of
// those, block j0 at v + 4 j0 and c + j0 ldc, the same U and v_quad), also
// inline assembly: GCC 12 spilled accumulators to the stack inside the k-loop
//
//
// Reads: exactly U[0 .. 32 kq), V rows q < kq, tiles j < n (4n floats each),
#include <cstddef>

#include "core/wino_gemm.h"
#include "neon/wino_gemm_strip.h"

namespace armconv {
namespace detail {
namespace {

// ---------------------------------------------------------------------------
// aarch64 8 channels x 8 tiles (register map above).

// "op vACC.4s, vU.4s, vJ.s[kk]" for the 8 tiles of one lane step: tile j's
// accumulators v(16+2j), v(17+2j) from U halves u0, u1 and lane kk of vj.
#define WG_OP(op, acc, u, j, kk) op " v" #acc ".4s, v" #u ".4s, v" #j ".s[" #kk "]\n"
#define WG_STEP(op, u0, u1, kk)                                                          \
  WG_OP(op, 16, u0, 0, kk) WG_OP(op, 17, u1, 0, kk) WG_OP(op, 18, u0, 1, kk)              \
  WG_OP(op, 19, u1, 1, kk) WG_OP(op, 20, u0, 2, kk) WG_OP(op, 21, u1, 2, kk)              \
  WG_OP(op, 22, u0, 3, kk) WG_OP(op, 23, u1, 3, kk) WG_OP(op, 24, u0, 4, kk)              \
  WG_OP(op, 25, u1, 4, kk) WG_OP(op, 26, u0, 5, kk) WG_OP(op, 27, u1, 5, kk)              \
  WG_OP(op, 28, u0, 6, kk) WG_OP(op, 29, u1, 6, kk) WG_OP(op, 30, u0, 7, kk)              \
  WG_OP(op, 31, u1, 7, kk)
// Top of a quad: U[0..1] (v8-v11), V_q[0..7] (v0-v7; the second load steps
// %[v] on to the next quad: 64 + vstep = v_quad floats).
#define WG_QUAD_LOADS                                                                    \
  "ld1 {v8.4s, v9.4s, v10.4s, v11.4s}, [%[u]], #64\n"                                    \
  "ld1 {v0.4s, v1.4s, v2.4s, v3.4s}, [%[v]], #64\n"                                      \
  "ld1 {v4.4s, v5.4s, v6.4s, v7.4s}, [%[v]], %[vstep]\n"
// Lane steps 1-3 of a quad (and the load of U[2..3]).
#define WG_QUAD_REST                                                                     \
  WG_STEP("fmla", 10, 11, 1)                                                             \
  "ld1 {v12.4s, v13.4s, v14.4s, v15.4s}, [%[u]], #64\n"                                  \
  WG_STEP("fmla", 12, 13, 2) WG_STEP("fmla", 14, 15, 3)
#define WG_QUAD WG_QUAD_LOADS WG_STEP("fmla", 8, 9, 0) WG_QUAD_REST
// Rows of C: tile j's 8 channels (two vectors).
#define WG_ROWS(OP)                                                                      \
  OP("v16", "v17") OP("v18", "v19") OP("v20", "v21") OP("v22", "v23") OP("v24", "v25")   \
  OP("v26", "v27") OP("v28", "v29") OP("v30", "v31")
#define WG_LOAD_C(a, b) "ld1 {" a ".4s, " b ".4s}, [%[cl]], %[ldc]\n"
#define WG_LOAD_BIAS(a, b) "ld1 {" a ".4s, " b ".4s}, [%[bias]]\n"
#define WG_STORE_C(a, b) "st1 {" a ".4s, " b ".4s}, [%[c]], %[ldc]\n"

// wino_gemm for n = 8 (inlined into the strip loops, which save no
// registers for it but d8-d15).
__attribute__((always_inline)) inline void block_8x8(size_t kq, const float* u, const float* v, size_t v_quad,
                                                     float* c, size_t ldc, const float* bias, bool accumulate) {
  const size_t acc = accumulate;
  const size_t vstep = v_quad * sizeof(float) - 64;
  const size_t ldc_bytes = ldc * sizeof(float);
  size_t pairs = (kq - 1) / 2;  // quads after the first: pairs, then one if odd
  const size_t odd = (kq - 1) % 2;
  const float* cl = c;
  asm volatile(
      WG_QUAD_LOADS
      "cbnz %[acc], 2f\n"
      "cbnz %[bias], 1f\n"
      WG_STEP("fmul", 8, 9, 0)  // zero init: acc = U[0] * V.s[0]
      "b 3f\n"
      "1:\n"
      WG_ROWS(WG_LOAD_BIAS)
      "b 4f\n"
      "2:\n"
      WG_ROWS(WG_LOAD_C)
      "4:\n"
      WG_STEP("fmla", 8, 9, 0)
      "3:\n"
      WG_QUAD_REST
      "cbz %[pairs], 6f\n"
      "5:\n"  // two quads
      WG_QUAD WG_QUAD
      "subs %[pairs], %[pairs], #1\n"
      "b.ne 5b\n"
      "6:\n"
      "cbz %[odd], 7f\n"
      WG_QUAD
      "7:\n"
      WG_ROWS(WG_STORE_C)
      : [u] "+r"(u), [v] "+r"(v), [c] "+r"(c), [cl] "+r"(cl), [pairs] "+r"(pairs)
      : [vstep] "r"(vstep), [ldc] "r"(ldc_bytes), [bias] "r"(bias), [acc] "r"(acc),
        [odd] "r"(odd)
      : "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10",
        "v11", "v12", "v13", "v14", "v15", "v16", "v17", "v18", "v19", "v20", "v21", "v22",
        "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31");
}

// Tails, N = 4, 2, 1 tiles (n < 8 runs as a sum of those). Eight
// accumulators whatever N is: S = 4 / N sets of C, set s taking the lane
// steps kk with kk % S == s, summed at the end; so consecutive updates of
// one accumulator are 8 fmla apart (the A76's FMLA latency x issue width),
// not a chain of 4 per quad. Registers (all caller-saved):
//   v16-v23  acc: set s, tile j, half h = v(16 + 2Ns + 2j + h)
//   v0-v3    V_q[0 .. N-1]: one ld1 {N regs}
//   v24-v31  U[4q + kk][h] = v(24 + 2kk + h): 2 x ld1 {4 regs}
// A quad: 3 loads + 8N fmla + subs/b.ne (N = 1: 13 instructions, 32 MACs).
#define WG_T(a0, a1, j, kk, u0, u1) WG_OP("fmla", a0, u0, j, kk) WG_OP("fmla", a1, u1, j, kk)
// Lane step kk (U halves u0, u1) for N tiles into the set at v16 / v20 / v(16 + 2kk).
#define WG_TSTEP4(kk, u0, u1) \
  WG_T(16, 17, 0, kk, u0, u1) WG_T(18, 19, 1, kk, u0, u1) WG_T(20, 21, 2, kk, u0, u1) \
  WG_T(22, 23, 3, kk, u0, u1)
#define WG_TSTEP2_SET0(kk, u0, u1) WG_T(16, 17, 0, kk, u0, u1) WG_T(18, 19, 1, kk, u0, u1)
#define WG_TSTEP2_SET1(kk, u0, u1) WG_T(20, 21, 0, kk, u0, u1) WG_T(22, 23, 1, kk, u0, u1)
#define WG_QUAD4 WG_TSTEP4(0, 24, 25) WG_TSTEP4(1, 26, 27) WG_TSTEP4(2, 28, 29) WG_TSTEP4(3, 30, 31)
#define WG_QUAD2                                                                       \
  WG_TSTEP2_SET0(0, 24, 25) WG_TSTEP2_SET1(1, 26, 27) WG_TSTEP2_SET0(2, 28, 29)         \
  WG_TSTEP2_SET1(3, 30, 31)
#define WG_QUAD1                                                                       \
  WG_T(16, 17, 0, 0, 24, 25) WG_T(18, 19, 0, 1, 26, 27) WG_T(20, 21, 0, 2, 28, 29)      \
  WG_T(22, 23, 0, 3, 30, 31)
// Set 0, tile j: init from C or bias; store to C (after the sets are summed).
#define WG_TLOAD_C(a, b) "ld1 {v" #a ".4s, v" #b ".4s}, [%[cl]], %[ldc]\n"
#define WG_TLOAD_BIAS(a, b) "ld1 {v" #a ".4s, v" #b ".4s}, [%[bias]]\n"
#define WG_TSTORE(a, b) "st1 {v" #a ".4s, v" #b ".4s}, [%[c]], %[ldc]\n"
#define WG_TROWS4(OP) OP(16, 17) OP(18, 19) OP(20, 21) OP(22, 23)
#define WG_TROWS2(OP) OP(16, 17) OP(18, 19)
#define WG_TROWS1(OP) OP(16, 17)
#define WG_FADD(d, a) "fadd v" #d ".4s, v" #d ".4s, v" #a ".4s\n"
#define WG_SUM4
#define WG_SUM2 WG_FADD(16, 20) WG_FADD(17, 21) WG_FADD(18, 22) WG_FADD(19, 23)
#define WG_SUM1 WG_FADD(16, 18) WG_FADD(17, 19) WG_FADD(20, 22) WG_FADD(21, 23) \
  WG_FADD(16, 20) WG_FADD(17, 21)
#define WG_VREGS4 "{v0.4s, v1.4s, v2.4s, v3.4s}"
#define WG_VREGS2 "{v0.4s, v1.4s}"
#define WG_VREGS1 "{v0.4s}"

// The asm block of an N-tile tail (N: 4, 2 or 1, pasted into the names above).
#define WG_TAIL_ASM(N)                                                                 \
  asm volatile(                                                                        \
      "movi v16.4s, #0\n movi v17.4s, #0\n movi v18.4s, #0\n movi v19.4s, #0\n"        \
      "movi v20.4s, #0\n movi v21.4s, #0\n movi v22.4s, #0\n movi v23.4s, #0\n"        \
      "cbnz %[acc], 2f\n"                                                              \
      "cbz %[bias], 3f\n"                                                              \
      WG_TROWS##N(WG_TLOAD_BIAS)                                                       \
      "b 3f\n"                                                                         \
      "2:\n"                                                                           \
      WG_TROWS##N(WG_TLOAD_C)                                                          \
      "3:\n"                                                                           \
      "ld1 " WG_VREGS##N ", [%[v]], %[vq]\n"                                           \
      "ld1 {v24.4s, v25.4s, v26.4s, v27.4s}, [%[u]], #64\n"                            \
      "ld1 {v28.4s, v29.4s, v30.4s, v31.4s}, [%[u]], #64\n"                            \
      WG_QUAD##N                                                                       \
      "subs %[kq], %[kq], #1\n"                                                        \
      "b.ne 3b\n"                                                                      \
      WG_SUM##N                                                                        \
      WG_TROWS##N(WG_TSTORE)                                                           \
      : [u] "+r"(u), [v] "+r"(v), [c] "+r"(c), [cl] "+r"(cl), [kq] "+r"(kq)            \
      : [vq] "r"(vq), [ldc] "r"(ldc_bytes), [bias] "r"(bias), [acc] "r"(acc)           \
      : "cc", "memory", "v0", "v1", "v2", "v3", "v16", "v17", "v18", "v19", "v20",     \
        "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31")

template <int N>
void block_n(size_t kq, const float* u, const float* v, size_t v_quad, float* c, size_t ldc,
             const float* bias, bool accumulate) {
  const size_t vq = v_quad * sizeof(float), ldc_bytes = ldc * sizeof(float);
  const size_t acc = accumulate;
  const float* cl = c;
  if (N == 4) WG_TAIL_ASM(4);
  if (N == 2) WG_TAIL_ASM(2);
  if (N == 1) WG_TAIL_ASM(1);
}
#undef WG_OP
#undef WG_STEP
#undef WG_QUAD_LOADS
#undef WG_QUAD_REST
#undef WG_QUAD
#undef WG_ROWS
#undef WG_LOAD_C
#undef WG_LOAD_BIAS
#undef WG_STORE_C
#undef WG_T
#undef WG_TSTEP4
#undef WG_TSTEP2_SET0
#undef WG_TSTEP2_SET1
#undef WG_QUAD4
#undef WG_QUAD2
#undef WG_QUAD1
#undef WG_TLOAD_C
#undef WG_TLOAD_BIAS
#undef WG_TSTORE
#undef WG_TROWS4
#undef WG_TROWS2
#undef WG_TROWS1
#undef WG_FADD
#undef WG_SUM4
#undef WG_SUM2
#undef WG_SUM1
#undef WG_VREGS4
#undef WG_VREGS2
#undef WG_VREGS1
#undef WG_TAIL_ASM

// ---------------------------------------------------------------------------
// aarch64 16 channels x N = 4, 2, 1 tiles: two blocks of U (u0 = u, u1 = u +
// u_stride: channels 0-7 and 8-15, adjacent in C) against the same V, for
// the tiles left over after the 8-tile groups when a position has blocks of
// channels in pairs. Each U vector still meets N tiles, but per 16 channels
// a quad loads V once and the loop runs once: 16 x 4 is 5 loads + 64 fmla
// per quad (two 8 x 4 quads: 6 loads + 64 fmla + 2 loop instructions).
// Registers (all 32; v8-v15 callee-saved, low halves saved by the compiler):
//   v16-v31  acc: set s, tile j, channel quarter h = v(16 + 4 (N s + j) + h),
//            S = 4 / N sets, lane kk going to set kk % S (as the 8-channel
//            tails: consecutive updates of one accumulator >= 16 fmla apart)
//   v0-v3    V_q[0 .. N-1]: one ld1 {N regs}
//   U[4q + kk], channels 0-3, 4-7, 8-11, 12-15:
//     kk = 0: v4, v5, v8, v9      kk = 1: v6, v7, v10, v11     (ld1 u0, ld1 u1)
//     kk = 2: v12, v13, v4, v5    kk = 3: v14, v15, v6, v7     (ld1 u0, ld1 u1)
//   (v4-v7 are loaded twice per quad, after their first readers: register
//   renaming on the A72 and A76 lets the load run ahead).
#define W16_F(op, acc, u, j, kk) op " v" #acc ".4s, v" #u ".4s, v" #j ".s[" #kk "]\n"
// Tile j, lane kk into accumulators a0..a3 from U quarters u0..u3.
#define W16_T(op, a0, a1, a2, a3, j, kk, u0, u1, u2, u3)                                   \
  W16_F(op, a0, u0, j, kk) W16_F(op, a1, u1, j, kk) W16_F(op, a2, u2, j, kk) W16_F(op, a3, u3, j, kk)
#define W16_U0(OP, kk) OP(kk, 4, 5, 8, 9)
#define W16_U1(OP, kk) OP(kk, 6, 7, 10, 11)
#define W16_U2(OP, kk) OP(kk, 12, 13, 4, 5)
#define W16_U3(OP, kk) OP(kk, 14, 15, 6, 7)
// Lane steps: N = 4 (one set), N = 2 (set kk % 2), N = 1 (set kk).
#define W16_S4(op, kk, u0, u1, u2, u3)                                                     \
  W16_T(op, 16, 17, 18, 19, 0, kk, u0, u1, u2, u3) W16_T(op, 20, 21, 22, 23, 1, kk, u0, u1, u2, u3) \
  W16_T(op, 24, 25, 26, 27, 2, kk, u0, u1, u2, u3) W16_T(op, 28, 29, 30, 31, 3, kk, u0, u1, u2, u3)
#define W16_S4_FMLA(kk, u0, u1, u2, u3) W16_S4("fmla", kk, u0, u1, u2, u3)
#define W16_S4_FMUL(kk, u0, u1, u2, u3) W16_S4("fmul", kk, u0, u1, u2, u3)
#define W16_S2_0(kk, u0, u1, u2, u3)                                                       \
  W16_T("fmla", 16, 17, 18, 19, 0, kk, u0, u1, u2, u3) W16_T("fmla", 20, 21, 22, 23, 1, kk, u0, u1, u2, u3)
#define W16_S2_1(kk, u0, u1, u2, u3)                                                       \
  W16_T("fmla", 24, 25, 26, 27, 0, kk, u0, u1, u2, u3) W16_T("fmla", 28, 29, 30, 31, 1, kk, u0, u1, u2, u3)
#define W16_S1_0(kk, u0, u1, u2, u3) W16_T("fmla", 16, 17, 18, 19, 0, kk, u0, u1, u2, u3)
#define W16_S1_1(kk, u0, u1, u2, u3) W16_T("fmla", 20, 21, 22, 23, 0, kk, u0, u1, u2, u3)
#define W16_S1_2(kk, u0, u1, u2, u3) W16_T("fmla", 24, 25, 26, 27, 0, kk, u0, u1, u2, u3)
#define W16_S1_3(kk, u0, u1, u2, u3) W16_T("fmla", 28, 29, 30, 31, 0, kk, u0, u1, u2, u3)
#define W16_LD_A "ld1 {v4.4s, v5.4s, v6.4s, v7.4s}, [%[u0]], #64\n ld1 {v8.4s, v9.4s, v10.4s, v11.4s}, [%[u1]], #64\n"
#define W16_LD_B0 "ld1 {v12.4s, v13.4s, v14.4s, v15.4s}, [%[u0]], #64\n"
#define W16_LD_B1 "ld1 {v4.4s, v5.4s, v6.4s, v7.4s}, [%[u1]], #64\n"
#define W16_VREGS4 "{v0.4s, v1.4s, v2.4s, v3.4s}"
#define W16_VREGS2 "{v0.4s, v1.4s}"
#define W16_VREGS1 "{v0.4s}"
#define W16_LD_V(N) "ld1 " W16_VREGS##N ", [%[v]], %[vq]\n"
// A quad after its loads of V and U[0..1], lane 0 by FIRST (fmla or fmul).
#define W16_QUAD4_AFTER0 W16_LD_B0 W16_U1(W16_S4_FMLA, 1) W16_LD_B1 W16_U2(W16_S4_FMLA, 2) W16_U3(W16_S4_FMLA, 3)
#define W16_QUAD4 W16_LD_V(4) W16_LD_A W16_U0(W16_S4_FMLA, 0) W16_QUAD4_AFTER0
#define W16_QUAD2                                                                          \
  W16_LD_V(2) W16_LD_A W16_U0(W16_S2_0, 0) W16_LD_B0 W16_U1(W16_S2_1, 1) W16_LD_B1          \
  W16_U2(W16_S2_0, 2) W16_U3(W16_S2_1, 3)
#define W16_QUAD1                                                                          \
  W16_LD_V(1) W16_LD_A W16_U0(W16_S1_0, 0) W16_LD_B0 W16_U1(W16_S1_1, 1) W16_LD_B1          \
  W16_U2(W16_S1_2, 2) W16_U3(W16_S1_3, 3)
// Set 0, tile j = accumulators a..a+3: init from C (16 channels of row j) or
// the bias; store to C.
#define W16_LOAD_C(a, b, c, d) "ld1 {v" #a ".4s, v" #b ".4s, v" #c ".4s, v" #d ".4s}, [%[cl]], %[ldc]\n"
#define W16_LOAD_BIAS(a, b, c, d) "ld1 {v" #a ".4s, v" #b ".4s, v" #c ".4s, v" #d ".4s}, [%[bias]]\n"
#define W16_STORE(a, b, c, d) "st1 {v" #a ".4s, v" #b ".4s, v" #c ".4s, v" #d ".4s}, [%[c]], %[ldc]\n"
#define W16_ROWS4(OP) OP(16, 17, 18, 19) OP(20, 21, 22, 23) OP(24, 25, 26, 27) OP(28, 29, 30, 31)
#define W16_ROWS2(OP) OP(16, 17, 18, 19) OP(20, 21, 22, 23)
#define W16_ROWS1(OP) OP(16, 17, 18, 19)
#define W16_ADD(d, a) "fadd v" #d ".4s, v" #d ".4s, v" #a ".4s\n"
#define W16_ADD4(d, a) W16_ADD(d, a)
#define W16_SUM2                                                                           \
  W16_ADD(16, 24) W16_ADD(17, 25) W16_ADD(18, 26) W16_ADD(19, 27) W16_ADD(20, 28)           \
  W16_ADD(21, 29) W16_ADD(22, 30) W16_ADD(23, 31)
#define W16_SUM1                                                                           \
  W16_ADD(16, 20) W16_ADD(17, 21) W16_ADD(18, 22) W16_ADD(19, 23) W16_ADD(24, 28)           \
  W16_ADD(25, 29) W16_ADD(26, 30) W16_ADD(27, 31) W16_ADD(16, 24) W16_ADD(17, 25)           \
  W16_ADD(18, 26) W16_ADD(19, 27)
#define W16_ZERO                                                                           \
  "movi v16.4s, #0\n movi v17.4s, #0\n movi v18.4s, #0\n movi v19.4s, #0\n"                 \
  "movi v20.4s, #0\n movi v21.4s, #0\n movi v22.4s, #0\n movi v23.4s, #0\n"                 \
  "movi v24.4s, #0\n movi v25.4s, #0\n movi v26.4s, #0\n movi v27.4s, #0\n"                 \
  "movi v28.4s, #0\n movi v29.4s, #0\n movi v30.4s, #0\n movi v31.4s, #0\n"
#define W16_CLOBBER                                                                        \
  "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11", \
      "v12", "v13", "v14", "v15", "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23",   \
      "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31"

// N = 4: zero init is the first lane step as fmul (as block_8x8); the loop
// runs two quads per iteration.
void block16_4(size_t kq, const float* u, size_t u_stride, const float* v, size_t v_quad, float* c,
               size_t ldc, const float* bias, bool accumulate) {
  const size_t acc = accumulate, vq = v_quad * sizeof(float), ldc_bytes = ldc * sizeof(float);
  size_t pairs = (kq - 1) / 2;
  const size_t odd = (kq - 1) % 2;
  const float* u0 = u;
  const float* u1 = u + u_stride;
  const float* cl = c;
  asm volatile(
      W16_LD_V(4) W16_LD_A
      "cbnz %[acc], 2f\n"
      "cbnz %[bias], 1f\n"
      W16_U0(W16_S4_FMUL, 0)
      "b 3f\n"
      "1:\n"
      W16_ROWS4(W16_LOAD_BIAS)
      "b 4f\n"
      "2:\n"
      W16_ROWS4(W16_LOAD_C)
      "4:\n"
      W16_U0(W16_S4_FMLA, 0)
      "3:\n"
      W16_QUAD4_AFTER0
      "cbz %[pairs], 6f\n"
      "5:\n"
      W16_QUAD4 W16_QUAD4
      "subs %[pairs], %[pairs], #1\n"
      "b.ne 5b\n"
      "6:\n"
      "cbz %[odd], 7f\n"
      W16_QUAD4
      "7:\n"
      W16_ROWS4(W16_STORE)
      : [u0] "+r"(u0), [u1] "+r"(u1), [v] "+r"(v), [c] "+r"(c), [cl] "+r"(cl), [pairs] "+r"(pairs)
      : [vq] "r"(vq), [ldc] "r"(ldc_bytes), [bias] "r"(bias), [acc] "r"(acc), [odd] "r"(odd)
      : W16_CLOBBER);
}

// N = 2, 1: several sets, zeroed, set 0 from C or the bias, summed at the end.
#define W16_TAIL_ASM(N)                                                                    \
  asm volatile(                                                                            \
      W16_ZERO                                                                             \
      "cbnz %[acc], 2f\n"                                                                  \
      "cbz %[bias], 3f\n"                                                                  \
      W16_ROWS##N(W16_LOAD_BIAS)                                                           \
      "b 3f\n"                                                                             \
      "2:\n"                                                                               \
      W16_ROWS##N(W16_LOAD_C)                                                              \
      "3:\n"                                                                               \
      W16_QUAD##N                                                                          \
      "subs %[kq], %[kq], #1\n"                                                            \
      "b.ne 3b\n"                                                                          \
      W16_SUM##N                                                                           \
      W16_ROWS##N(W16_STORE)                                                               \
      : [u0] "+r"(u0), [u1] "+r"(u1), [v] "+r"(v), [c] "+r"(c), [cl] "+r"(cl), [kq] "+r"(kq) \
      : [vq] "r"(vq), [ldc] "r"(ldc_bytes), [bias] "r"(bias), [acc] "r"(acc)               \
      : W16_CLOBBER)

template <int N>
void block16_n(size_t kq, const float* u, size_t u_stride, const float* v, size_t v_quad, float* c,
               size_t ldc, const float* bias, bool accumulate) {
  if (N == 4) return block16_4(kq, u, u_stride, v, v_quad, c, ldc, bias, accumulate);
  const size_t acc = accumulate, vq = v_quad * sizeof(float), ldc_bytes = ldc * sizeof(float);
  const float* u0 = u;
  const float* u1 = u + u_stride;
  const float* cl = c;
  if (N == 2) W16_TAIL_ASM(2);
  if (N == 1) W16_TAIL_ASM(1);
}
#undef W16_F
#undef W16_T
#undef W16_U0
#undef W16_U1
#undef W16_U2
#undef W16_U3
#undef W16_S4
#undef W16_S4_FMLA
#undef W16_S4_FMUL
#undef W16_S2_0
#undef W16_S2_1
#undef W16_S1_0
#undef W16_S1_1
#undef W16_S1_2
#undef W16_S1_3
#undef W16_LD_A
#undef W16_LD_B0
#undef W16_LD_B1
#undef W16_VREGS4
#undef W16_VREGS2
#undef W16_VREGS1
#undef W16_LD_V
#undef W16_QUAD4_AFTER0
#undef W16_QUAD4
#undef W16_QUAD2
#undef W16_QUAD1
#undef W16_LOAD_C
#undef W16_LOAD_BIAS
#undef W16_STORE
#undef W16_ROWS4
#undef W16_ROWS2
#undef W16_ROWS1
#undef W16_ADD
#undef W16_ADD4
#undef W16_SUM2
#undef W16_SUM1
#undef W16_ZERO
#undef W16_CLOBBER
#undef W16_TAIL_ASM

// The register blocks, for the strip loops of neon/wino_gemm_strip.h.
struct Blocks {
  template <int N>
  static void block(size_t kq, const float* u, const float* v, size_t v_quad, float* c, size_t ldc,
                    const float* bias, bool accumulate) {
    block_n<N>(kq, u, v, v_quad, c, ldc, bias, accumulate);
  }
  __attribute__((always_inline)) static void block8(size_t kq, const float* u, const float* v, size_t v_quad,
                                                    float* c, size_t ldc, const float* bias, bool accumulate) {
    block_8x8(kq, u, v, v_quad, c, ldc, bias, accumulate);
  }
  static constexpr bool kPairs = true;  // block16<N>: 16 channels x N tiles
  template <int N>
  static void block16(size_t kq, const float* u, size_t u_stride, const float* v, size_t v_quad, float* c,
                      size_t ldc, const float* bias, bool accumulate) {
    block16_n<N>(kq, u, u_stride, v, v_quad, c, ldc, bias, accumulate);
  }
};

}  // namespace

const WinoGemmKernels& wino_gemm_neon_kernels() {
  static const WinoGemmKernels k = {"wino_gemm-aarch64-8x8", WinoGemmStrip<Blocks>::gemm};
  return k;
}

}  // namespace detail
}  // namespace armconv

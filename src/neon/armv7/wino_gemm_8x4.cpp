// NEON "pack4" GEMM of one Winograd transform position, armv7 (NEON/VFPv4):
// 8 output channels x 4 tiles per register block (wino_gemm-armv7-8x4;
// contract: core/wino_gemm.h):
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
// armv7: the same N = 4, 2, 1 blocks in inline assembly (n = 8 as two 4-tile
// blocks: 8 accumulators + 4 V + 4 U q registers, all 16). A32 has no fused
// multiply-add by scalar, so armv7 uses vmla by scalar (multiply, round, add,
// round), like the rest of the armv7 code; the result stays within the same
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
// armv7: blocks of N = 4, 2, 1 tiles, one inline-assembly block each. (Written
// with vmlaq_lane_f32, GCC 12 ran 60 instructions per 4-tile quad instead of
// 40: the scalar operand of vmla.f32 by scalar must sit in d0-d15, and GCC
// kept accumulators there too and moved them around.) Registers:
//   q8-q15   acc: set s, tile j, half h = q(8 + 2Ns + 2j + h) (S = 4 / N sets,
//            as on aarch64: consecutive updates of one accumulator are 8 vmla
//            apart)
//   d0-d7    V_q[0 .. N-1] (tile j = d(2j), d(2j+1): lane kk is d(2j + kk/2)[kk%2])
//   q4-q7    U[4q + kk]: q4, q5 for even kk, q6, q7 for odd (one vld1 of 4 d each)
// A quad: 1 or 2 V loads, 4 U loads, 8N vmla, subs/bne (N = 4: 128 MACs in 40
// instructions; llvm-mca: 34 cycles on cortex-a15 and 16 on cortex-a57, against
// vmla bounds of 32 and 16; n = 8, K = 64 went from 1.90 to 2.88 MACs per
// instruction on cortex-a15 against the intrinsics version).
//
// General registers: GCC at -O0 in Thumb-2 code finds only about 7 for an asm
// block (see neon/armv7/sgemm_6x8.cpp), so the block takes 6: u, v, kq, two scratch
// (p, t) and `args`, from which it reloads the rest.
struct BlockArgs {
  const float* init;  // set 0 starts from init + j * istride (C, bias or zeros)
  size_t istride;     // bytes: ldc when accumulating, else 0
  size_t vstep;       // bytes from the last V load of a quad to the next quad
  float* c;
  size_t ldc;         // bytes
};

#define WG7_OP(acc, u, d, l) "vmla.f32 q" #acc ", q" #u ", d" #d "[" #l "]\n"
#define WG7_T(a0, a1, d, l, u0, u1) WG7_OP(a0, u0, d, l) WG7_OP(a1, u1, d, l)
#define WG7_U_EVEN "vld1.32 {d8-d11}, [%[u]]!\n"   // U[4q + kk] -> q4, q5 (kk even)
#define WG7_U_ODD "vld1.32 {d12-d15}, [%[u]]!\n"   //               q6, q7 (kk odd)
// Lane step kk of 4 tiles: V lanes dA..dD [l] (d(2j + kk/2)[kk % 2]).
#define WG7_STEP4(dA, dB, dC, dD, l, u0, u1)                                          \
  WG7_T(8, 9, dA, l, u0, u1) WG7_T(10, 11, dB, l, u0, u1) WG7_T(12, 13, dC, l, u0, u1) \
  WG7_T(14, 15, dD, l, u0, u1)
#define WG7_QUAD4                                                                     \
  WG7_U_EVEN WG7_STEP4(0, 2, 4, 6, 0, 4, 5) WG7_U_ODD WG7_STEP4(0, 2, 4, 6, 1, 6, 7)   \
  WG7_U_EVEN WG7_STEP4(1, 3, 5, 7, 0, 4, 5) WG7_U_ODD WG7_STEP4(1, 3, 5, 7, 1, 6, 7)
// 2 tiles: set 0 (q8-q11) takes even kk, set 1 (q12-q15) odd kk.
#define WG7_QUAD2                                                                     \
  WG7_U_EVEN WG7_T(8, 9, 0, 0, 4, 5) WG7_T(10, 11, 2, 0, 4, 5)                         \
  WG7_U_ODD WG7_T(12, 13, 0, 1, 6, 7) WG7_T(14, 15, 2, 1, 6, 7)                        \
  WG7_U_EVEN WG7_T(8, 9, 1, 0, 4, 5) WG7_T(10, 11, 3, 0, 4, 5)                         \
  WG7_U_ODD WG7_T(12, 13, 1, 1, 6, 7) WG7_T(14, 15, 3, 1, 6, 7)
// 1 tile: set kk in q(8 + 2kk), q(9 + 2kk).
#define WG7_QUAD1                                                                     \
  WG7_U_EVEN WG7_T(8, 9, 0, 0, 4, 5) WG7_U_ODD WG7_T(10, 11, 0, 1, 6, 7)               \
  WG7_U_EVEN WG7_T(12, 13, 1, 0, 4, 5) WG7_U_ODD WG7_T(14, 15, 1, 1, 6, 7)
// V_q for N tiles (the last load steps on to the next quad).
#define WG7_LOADV4 "vld1.32 {d0-d3}, [%[v]]!\n vld1.32 {d4-d7}, [%[v]], %[t]\n"
#define WG7_LOADV2 "vld1.32 {d0-d3}, [%[v]], %[t]\n"
#define WG7_LOADV1 "vld1.32 {d0-d1}, [%[v]], %[t]\n"
// Set 0 from init (p, stride t); the other sets zero. Stores: tile j's q pair.
#define WG7_INIT4                                                                     \
  "vld1.32 {d16-d19}, [%[p]], %[t]\n vld1.32 {d20-d23}, [%[p]], %[t]\n"                \
  "vld1.32 {d24-d27}, [%[p]], %[t]\n vld1.32 {d28-d31}, [%[p]], %[t]\n"
#define WG7_INIT2                                                                     \
  "vld1.32 {d16-d19}, [%[p]], %[t]\n vld1.32 {d20-d23}, [%[p]], %[t]\n"                \
  "vmov.i32 q12, #0\n vmov.i32 q13, #0\n vmov.i32 q14, #0\n vmov.i32 q15, #0\n"
#define WG7_INIT1                                                                     \
  "vld1.32 {d16-d19}, [%[p]], %[t]\n"                                                 \
  "vmov.i32 q10, #0\n vmov.i32 q11, #0\n vmov.i32 q12, #0\n vmov.i32 q13, #0\n"        \
  "vmov.i32 q14, #0\n vmov.i32 q15, #0\n"
#define WG7_SUM4
#define WG7_SUM2                                                                      \
  "vadd.f32 q8, q8, q12\n vadd.f32 q9, q9, q13\n vadd.f32 q10, q10, q14\n"             \
  "vadd.f32 q11, q11, q15\n"
#define WG7_SUM1                                                                      \
  "vadd.f32 q8, q8, q10\n vadd.f32 q9, q9, q11\n vadd.f32 q12, q12, q14\n"             \
  "vadd.f32 q13, q13, q15\n vadd.f32 q8, q8, q12\n vadd.f32 q9, q9, q13\n"
#define WG7_STORE4                                                                    \
  "vst1.32 {d16-d19}, [%[p]], %[t]\n vst1.32 {d20-d23}, [%[p]], %[t]\n"                \
  "vst1.32 {d24-d27}, [%[p]], %[t]\n vst1.32 {d28-d31}, [%[p]], %[t]\n"
#define WG7_STORE2 "vst1.32 {d16-d19}, [%[p]], %[t]\n vst1.32 {d20-d23}, [%[p]], %[t]\n"
#define WG7_STORE1 "vst1.32 {d16-d19}, [%[p]], %[t]\n"

#define WG7_BLOCK_ASM(N)                                                              \
  asm volatile(                                                                       \
      "ldr %[p], [%[args], %[o_init]]\n"                                              \
      "ldr %[t], [%[args], %[o_istride]]\n"                                           \
      WG7_INIT##N                                                                     \
      "ldr %[t], [%[args], %[o_vstep]]\n"                                             \
      "1:\n"                                                                          \
      WG7_LOADV##N                                                                    \
      WG7_QUAD##N                                                                     \
      "subs %[kq], %[kq], #1\n"                                                       \
      "bne 1b\n"                                                                      \
      WG7_SUM##N                                                                      \
      "ldr %[p], [%[args], %[o_c]]\n"                                                 \
      "ldr %[t], [%[args], %[o_ldc]]\n"                                               \
      WG7_STORE##N                                                                    \
      : [u] "+r"(u), [v] "+r"(v), [kq] "+r"(kq), [p] "=&r"(p), [t] "=&r"(t)            \
      : [args] "r"(&args), [o_init] "I"(offsetof(BlockArgs, init)),                    \
        [o_istride] "I"(offsetof(BlockArgs, istride)),                                 \
        [o_vstep] "I"(offsetof(BlockArgs, vstep)), [o_c] "I"(offsetof(BlockArgs, c)),  \
        [o_ldc] "I"(offsetof(BlockArgs, ldc))                                          \
      : "cc", "memory", "d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9",      \
        "d10", "d11", "d12", "d13", "d14", "d15", "d16", "d17", "d18", "d19", "d20",    \
        "d21", "d22", "d23", "d24", "d25", "d26", "d27", "d28", "d29", "d30", "d31")

const float kZeros[8] = {};

template <int N>
void block_n(size_t kq, const float* u, const float* v, size_t v_quad, float* c, size_t ldc,
             const float* bias, bool accumulate) {
  BlockArgs args;
  args.init = accumulate ? c : bias ? bias : kZeros;
  args.istride = accumulate ? ldc * sizeof(float) : 0;
  args.vstep = v_quad * sizeof(float) - (N == 4 ? 32 : 0);
  args.c = c;
  args.ldc = ldc * sizeof(float);
  const float* p;
  size_t t;
  if (N == 4) WG7_BLOCK_ASM(4);
  if (N == 2) WG7_BLOCK_ASM(2);
  if (N == 1) WG7_BLOCK_ASM(1);
}
#undef WG7_OP
#undef WG7_T
#undef WG7_U_EVEN
#undef WG7_U_ODD
#undef WG7_STEP4
#undef WG7_QUAD4
#undef WG7_QUAD2
#undef WG7_QUAD1
#undef WG7_LOADV4
#undef WG7_LOADV2
#undef WG7_LOADV1
#undef WG7_INIT4
#undef WG7_INIT2
#undef WG7_INIT1
#undef WG7_SUM4
#undef WG7_SUM2
#undef WG7_SUM1
#undef WG7_STORE4
#undef WG7_STORE2
#undef WG7_STORE1
#undef WG7_BLOCK_ASM

// The register blocks, for the strip loops of neon/wino_gemm_strip.h.
struct Blocks {
  template <int N>
  static void block(size_t kq, const float* u, const float* v, size_t v_quad, float* c, size_t ldc,
                    const float* bias, bool accumulate) {
    block_n<N>(kq, u, v, v_quad, c, ldc, bias, accumulate);
  }
  static void block8(size_t kq, const float* u, const float* v, size_t v_quad, float* c, size_t ldc,
                     const float* bias, bool accumulate) {
    WinoGemmStrip<Blocks>::blocks_n(8, kq, u, v, v_quad, c, ldc, bias, accumulate);
  }
  static constexpr bool kPairs = false;  // no 16-channel blocks: 16 q registers
  template <int N>
  static void block16(size_t, const float*, size_t, const float*, size_t, float*, size_t, const float*, bool) {}
};

}  // namespace

const WinoGemmKernels& wino_gemm_neon_kernels() {
  static const WinoGemmKernels k = {"wino_gemm-armv7-8x4", WinoGemmStrip<Blocks>::gemm};
  return k;
}

}  // namespace detail
}  // namespace armconv

// NEON fp16 "pack8" GEMM of one Winograd transform position, aarch64 + FP16
// (Armv8.2): 16 output channels x 8 tiles per register block
// (wino_gemm-aarch64-16x8-fp16; contract: core/wino_gemm.h,
// wino_gemm_f16_fn; twin: generic/wino_gemm_f16.cpp, bit for bit). An
// ISA-extension unit: compiled with -march=armv8.2-a+fp16 (CMake's extension
// list, by its file-name suffix), reached only through dispatch.cpp after
// the AT_HWCAP check; everything but the table is in an anonymous namespace
// (tests/cpp/check_extension_symbols.cmake).
//
// k runs in the 8 lanes of a .8h vector: V[8o..8o+7][j] is one vector (tile
// j, 8 input channels), U[k][0..15] two (16 output channels), and an octet is,
// per tile j and lane kk,
//
//   acc[j][h] += U[8o + kk][h] * V_o[j].h[kk]     h = 0 (channels 0-7), 1 (8-15)
//
// (`fmla v.8h, u.8h, v.h[kk]`: 8 multiply-adds, twice the fp32 rate). The
// by-element operand must be one of v0-v15.
//
// The tile, by loads per FMLA (32 registers; V by element in v0-v15):
//   16 ch x 8 tiles: 16 acc, V 8 (v0-v7), U 8 (v8-v15, four lane steps at a
//     time): per octet 2 loads of V + 4 of U for 128 FMLA (0.047 per FMLA)
//   8 ch x 16 tiles: 16 acc, V 16 = all of v0-v15, no register left for U
//   8 ch x 12 tiles: 12 acc, V 12, U 8: 3 + 2 loads per 96 FMLA (0.052)
//   24 ch x 8 tiles: 24 acc + 8 V leave no register for U
// 16 x 8 it is: an octet is 6 loads + 128 FMLA, 1024 MACs in 134
// instructions (7.64 MACs/instruction; the bound is 8).
//
// Why runs: the Cortex-A76 has no FMLAL (FEAT_FHM), so fp16 products are
// summed in fp16 or not at all, and over all of Cin that error dominates.
// bench/wino_fp16_study.py (float64 emulation; max |err| / max |ref|, worst
// of 3 seeds, x ~ N(0,1), w ~ N(0, 1/(9 Cin)), fp32 transforms, U and V in
// binary16; the README has the whole table):
//                                         Cin 16   Cin 64   Cin 512
//   F(2,3)  fp16 over all of Cin          1.7e-3   2.9e-3   6.6e-3
//   F(2,3)  runs of 32 channels           1.7e-3   2.2e-3   1.7e-3
//   F(4,3)  fp16 over all of Cin          2.5e-2   5.2e-2   1.9e-1
//   F(4,3)  runs of 16                    2.5e-2   2.2e-2   2.0e-2
//   F(4,3) on {0,1,-1,2,-1/2}, runs of 16 1.1e-2   8.6e-3   7.5e-3
//   F(4,3) on {0,+-2/3,+-3/2}, runs of 32 7.7e-3   8.4e-3   6.4e-3
//   F(6,3)  runs of 16                    4.4e-2   3.4e-2   2.7e-2
//
// Runs (accuracy, see core/wino_gemm.h): the accumulators are binary16 over
// a run of `run` octets, then widened (FCVTL/FCVTL2, exact) and added to C in
// fp32: per tile 4 FCVTL + a 4-register LD1 of C, 4 FADD, a 4-register ST1
// (10 instructions; the first run without init skips the load and the adds).
// A run's first lane step is FMUL (the zero start costs nothing).
//
// Registers of the 8-tile run (one assembly block: all 32 registers are
// live, as in the fp32 wino_gemm-aarch64-8x8):
//   v16-v31  acc[j][h] = v(16 + 2j + h)                          (16)
//   v0-v7    V_o[j] = vj: 8 tiles of an octet, 2 x ld1 {4 regs}   (8)
//   v8-v15   U[8o + kk][h]: kk = 0, 1 (v8-v11) and 2, 3 (v12-v15), then
//            4, 5 (v8-v11) and 6, 7 (v12-v15), each ld1 {4 regs} issued
//            after the last reader of the registers it replaces   (8)
//   after the octets: v0-v7 widened C rows, v8-v11 the bias (fp32).
// The FMLAs run lane-major (lane kk outer, tile inner): consecutive updates
// of one accumulator are 16 instructions apart, more than the A76's FMLA
// latency x issue width (4 x 2).
//
// Tails (n % 8 tiles: blocks of 4, 2, 1) are the same assembly on the
// first 2N accumulators and N V registers (gcc made the intrinsics of
// 1-tile blocks DUP + FMLA, 2.1 MACs per instruction). Their consecutive
// updates of an accumulator are 2N instructions apart: latency-bound on a
// real core for N < 4, but they are at most 7 of a strip's tiles.
// All runs of a block are one assembly block (no call or C++ loop per run).
// When the runs are all of 2 or 4 octets (ko a multiple of the run: the
// layers' runs of 16 and 32 channels), the straight-line variants below
// (groups_fast, groups_16xn) take all full groups of a channel block in
// one assembly block and the tails without an octet counter; the general
// runs_16xn takes any other run length.
#include <arm_neon.h>

#include <algorithm>
#include <cstdint>

#include "core/wino_gemm.h"

namespace armconv {
namespace detail {
namespace {

// How a run's sum meets C: kStore C = R (first run, no init), kAdd C += R,
// kBias C = bias + R (first run with a bias).
enum RunMode : size_t { kStore = 0, kAdd = 1, kBias = 2 };

#define WH_OP(op, acc, u, j, kk) op " v" #acc ".8h, v" #u ".8h, v" #j ".h[" #kk "]\n"
// One lane step kk for N = 1, 2, 4, 8 tiles: tile j's accumulators are
// v(16 + 2j) (channels 0-7, U register u0) and v(17 + 2j) (8-15, u1).
#define WH_STEP1(op, u0, u1, kk) WH_OP(op, 16, u0, 0, kk) WH_OP(op, 17, u1, 0, kk)
#define WH_STEP2(op, u0, u1, kk) \
  WH_STEP1(op, u0, u1, kk) WH_OP(op, 18, u0, 1, kk) WH_OP(op, 19, u1, 1, kk)
#define WH_STEP4(op, u0, u1, kk)                                                        \
  WH_STEP2(op, u0, u1, kk) WH_OP(op, 20, u0, 2, kk) WH_OP(op, 21, u1, 2, kk)             \
  WH_OP(op, 22, u0, 3, kk) WH_OP(op, 23, u1, 3, kk)
#define WH_STEP8(op, u0, u1, kk)                                                        \
  WH_STEP4(op, u0, u1, kk) WH_OP(op, 24, u0, 4, kk) WH_OP(op, 25, u1, 4, kk)             \
  WH_OP(op, 26, u0, 5, kk) WH_OP(op, 27, u1, 5, kk) WH_OP(op, 28, u0, 6, kk)             \
  WH_OP(op, 29, u1, 6, kk) WH_OP(op, 30, u0, 7, kk) WH_OP(op, 31, u1, 7, kk)
#define WH_LD_U(a, b, c, d) "ld1 {v" #a ".8h, v" #b ".8h, v" #c ".8h, v" #d ".8h}, [%[u]], #64\n"
// An octet's V of N tiles to v0.. (%[v] then steps to the next octet).
#define WH_LD_V1 "ld1 {v0.8h}, [%[v]], %[vstep]\n"
#define WH_LD_V2 "ld1 {v0.8h, v1.8h}, [%[v]], %[vstep]\n"
#define WH_LD_V4 "ld1 {v0.8h, v1.8h, v2.8h, v3.8h}, [%[v]], %[vstep]\n"
#define WH_LD_V8                                                                        \
  "ld1 {v0.8h, v1.8h, v2.8h, v3.8h}, [%[v]], #64\n"                                      \
  "ld1 {v4.8h, v5.8h, v6.8h, v7.8h}, [%[v]], %[vstep]\n"
// One octet of N tiles; FIRST is the op of lane step 0 (fmul starts a run).
#define WH_OCTET(N, FIRST)                                                              \
  WH_LD_V##N WH_LD_U(8, 9, 10, 11) WH_LD_U(12, 13, 14, 15)                               \
  WH_STEP##N(FIRST, 8, 9, 0) WH_STEP##N("fmla", 10, 11, 1) WH_LD_U(8, 9, 10, 11)          \
  WH_STEP##N("fmla", 12, 13, 2) WH_STEP##N("fmla", 14, 15, 3) WH_LD_U(12, 13, 14, 15)     \
  WH_STEP##N("fmla", 8, 9, 4) WH_STEP##N("fmla", 10, 11, 5)                              \
  WH_STEP##N("fmla", 12, 13, 6) WH_STEP##N("fmla", 14, 15, 7)
// Tile j's 16 channels (accumulators a, b) widened into v0-v3.
#define WH_WIDEN(a, b)                                                                  \
  "fcvtl v0.4s, v" #a ".4h\n fcvtl2 v1.4s, v" #a ".8h\n"                                 \
  "fcvtl v2.4s, v" #b ".4h\n fcvtl2 v3.4s, v" #b ".8h\n"
#define WH_STORE_ROW(a, b) WH_WIDEN(a, b) "st1 {v0.4s, v1.4s, v2.4s, v3.4s}, [%[c]], %[ldc]\n"
#define WH_ADD4(x, y, z, w)                                                             \
  "fadd v0.4s, v0.4s, v" #x ".4s\n fadd v1.4s, v1.4s, v" #y ".4s\n"                      \
  "fadd v2.4s, v2.4s, v" #z ".4s\n fadd v3.4s, v3.4s, v" #w ".4s\n"
#define WH_ADD_ROW(a, b)                                                                \
  "ld1 {v4.4s, v5.4s, v6.4s, v7.4s}, [%[cl]], %[ldc]\n" WH_WIDEN(a, b)                   \
  WH_ADD4(4, 5, 6, 7) "st1 {v0.4s, v1.4s, v2.4s, v3.4s}, [%[c]], %[ldc]\n"
#define WH_BIAS_ROW(a, b) \
  WH_WIDEN(a, b) WH_ADD4(8, 9, 10, 11) "st1 {v0.4s, v1.4s, v2.4s, v3.4s}, [%[c]], %[ldc]\n"
#define WH_ROWS1(OP) OP(16, 17)
#define WH_ROWS2(OP) WH_ROWS1(OP) OP(18, 19)
#define WH_ROWS4(OP) WH_ROWS2(OP) OP(20, 21) OP(22, 23)
#define WH_ROWS8(OP) WH_ROWS4(OP) OP(24, 25) OP(26, 27) OP(28, 29) OP(30, 31)

// A run's sum meets C by %[mode] (kStore: C = R, kAdd: C += R, kBias: C =
// bias + R), N tiles' rows; ends at local label 5.
#define WH_MEET_C(N)                                                                    \
  "cmp %[mode], #1\n"                                                                   \
  "b.eq 3f\n"                                                                           \
  "b.hi 4f\n"                                                                           \
  WH_ROWS##N(WH_STORE_ROW)                                                              \
  "b 5f\n"                                                                              \
  "3:\n"                                                                                \
  WH_ROWS##N(WH_ADD_ROW)                                                                \
  "b 5f\n"                                                                              \
  "4:\n"                                                                                \
  "ld1 {v8.4s, v9.4s, v10.4s, v11.4s}, [%[bias]]\n"                                     \
  WH_ROWS##N(WH_BIAS_ROW)                                                               \
  "5:\n"
// All runs of a block of 16 channels x N tiles (N = 8, or 4, 2, 1 for the
// tail of a strip), one assembly block: ko >= 1 octets in runs of `run`
// (the last one shorter), u at the block's first octet (16 x 8 halves per
// octet), v at its first tile's first octet (v_oct halves per octet), c
// tile 0's 16 channels. The first run meets C by `mode`, the others add
// (kAdd); between runs c steps back by N rows. Per run: its octets (N x 16
// FMLA + 4 loads of U + 1 or 2 of V each), the widening into C (10 per
// tile) and 12 instructions of control.
#define WH_RUNS(N)                                                                      \
  asm volatile(                                                                         \
      "0:\n"                                                                            \
      "cmp %[left], %[run]\n" /* octs = min(left, run); left -= octs */                 \
      "csel %[octs], %[left], %[run], lo\n"                                             \
      "sub %[left], %[left], %[octs]\n"                                                 \
      WH_OCTET(N, "fmul")                                                               \
      "subs %[octs], %[octs], #1\n"                                                     \
      "b.eq 2f\n"                                                                       \
      "1:\n"                                                                            \
      WH_OCTET(N, "fmla")                                                               \
      "subs %[octs], %[octs], #1\n"                                                     \
      "b.ne 1b\n"                                                                       \
      "2:\n"                                                                            \
      WH_MEET_C(N)                                                                      \
      "cbz %[left], 6f\n" /* next run: the same C rows, added to */                     \
      "sub %[c], %[c], %[crows]\n"                                                      \
      "mov %[cl], %[c]\n"                                                               \
      "mov %[mode], #1\n"                                                               \
      "b 0b\n"                                                                          \
      "6:\n"                                                                            \
      : [u] "+r"(u), [v] "+r"(v), [c] "+r"(c), [cl] "+r"(cl), [left] "+r"(left),         \
        [mode] "+r"(m), [octs] "=&r"(octs)                                              \
      : [run] "r"(run), [vstep] "r"(vstep), [ldc] "r"(ldc_bytes), [crows] "r"(N * ldc_bytes), \
        [bias] "r"(bias)                                                                \
      : "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", \
        "v11", "v12", "v13", "v14", "v15", "v16", "v17", "v18", "v19", "v20", "v21",    \
        "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31");
template <int N>
void runs_16xn(size_t ko, size_t run, const Half* u, const Half* v, size_t v_oct, float* c, size_t ldc,
               RunMode mode, const float* bias) {
  const size_t vstep = v_oct * sizeof(Half) - (N == 8 ? 64 : 0), ldc_bytes = ldc * sizeof(float);
  const float* cl = c;
  size_t left = ko, m = size_t(mode), octs;
  if constexpr (N == 8) {
    WH_RUNS(8)
  } else if constexpr (N == 4) {
    WH_RUNS(4)
  } else if constexpr (N == 2) {
    WH_RUNS(2)
  } else {
    static_assert(N == 1, "tiles per block");
    WH_RUNS(1)
  }
}
// Runs of exactly `RUN` octets (ko a multiple of RUN = 2 or 4: the layers'
// runs of 16 and 32 channels): one assembly block for `groups` blocks of
// N tiles of a channel block (N = 8: all the full groups; N = 4, 2, 1: a
// tail block, groups = 1). Per run its RUN octets in a straight line (no
// octet counter), the first run of a block meeting C by `mode`, the others
// adding (a counted loop of runs), then the next block (V continues where
// its last octet left it; U rewinds by ko octets; C rows: the next N).
// Control per block: about 12 instructions (runs_16xn: about 36 in the
// assembly and 12 in the C++ loop around it).
#define WH_OCTETS2(N) WH_OCTET(N, "fmul") WH_OCTET(N, "fmla")
#define WH_OCTETS4(N) WH_OCTETS2(N) WH_OCTET(N, "fmla") WH_OCTET(N, "fmla")
#define WH_GROUPS(RUN, N)                                                               \
  asm volatile(                                                                         \
      "0:\n"                                                                            \
      WH_OCTETS##RUN(N)                                                                 \
      WH_MEET_C(N)                                                                      \
      "cbz %[more], 7f\n"  /* the block's other runs: C += R */                         \
      "mov %[left], %[more]\n"                                                          \
      "6:\n"                                                                            \
      "sub %[c], %[c], %[crows]\n"                                                      \
      "mov %[cl], %[c]\n"                                                               \
      WH_OCTETS##RUN(N)                                                                 \
      WH_ROWS##N(WH_ADD_ROW)                                                            \
      "subs %[left], %[left], #1\n"                                                     \
      "b.ne 6b\n"                                                                       \
      "7:\n"                                                                            \
      "sub %[u], %[u], %[ubytes]\n" /* the next block: the same U */                   \
      "mov %[cl], %[c]\n"                                                               \
      "subs %[groups], %[groups], #1\n"                                                 \
      "b.ne 0b\n"                                                                       \
      : [u] "+r"(u), [v] "+r"(v), [c] "+r"(c), [cl] "+r"(cl), [left] "=&r"(left),       \
        [groups] "+r"(groups)                                                           \
      : [mode] "r"(m), [more] "r"(more), [vstep] "r"(vstep), [ldc] "r"(ldc_bytes),     \
        [crows] "r"(N * ldc_bytes), [ubytes] "r"(ubytes), [bias] "r"(bias)             \
      : "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", \
        "v11", "v12", "v13", "v14", "v15", "v16", "v17", "v18", "v19", "v20", "v21",    \
        "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31");
// Full groups with at least two runs and the mode known at compile time:
// per group the first run's widening by MODE (no dispatch), then the other
// runs (a do-while until U reaches its end for the group), then the next
// group: 8 instructions of control per group.
#define WH_FAST(RUN, FIRST)                                                             \
  asm volatile(                                                                         \
      "0:\n"                                                                            \
      WH_OCTETS##RUN(8)                                                                 \
      FIRST                                                                             \
      "6:\n"                                                                            \
      "sub %[c], %[c], %[crows]\n"                                                      \
      "mov %[cl], %[c]\n"                                                               \
      WH_OCTETS##RUN(8)                                                                 \
      WH_ROWS8(WH_ADD_ROW)                                                              \
      "cmp %[u], %[uend]\n"                                                             \
      "b.ne 6b\n"                                                                       \
      "sub %[u], %[u], %[ubytes]\n" /* the next group: the same U */                   \
      "mov %[cl], %[c]\n"                                                               \
      "subs %[groups], %[groups], #1\n"                                                 \
      "b.ne 0b\n"                                                                       \
      : [u] "+r"(u), [v] "+r"(v), [c] "+r"(c), [cl] "+r"(cl), [groups] "+r"(groups)     \
      : [uend] "r"(uend), [vstep] "r"(vstep), [ldc] "r"(ldc_bytes),                     \
        [crows] "r"(8 * ldc_bytes), [ubytes] "r"(ubytes), [bias] "r"(bias)             \
      : "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", \
        "v11", "v12", "v13", "v14", "v15", "v16", "v17", "v18", "v19", "v20", "v21",    \
        "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31");
#define WH_FIRST_STORE WH_ROWS8(WH_STORE_ROW)
#define WH_FIRST_ADD WH_ROWS8(WH_ADD_ROW)
#define WH_FIRST_BIAS "ld1 {v8.4s, v9.4s, v10.4s, v11.4s}, [%[bias]]\n" WH_ROWS8(WH_BIAS_ROW)
template <int RUN, RunMode MODE>
__attribute__((always_inline)) inline void groups_fast(size_t groups, size_t ko, const Half* u, const Half* v, float* c, size_t ldc, const float* bias) {
  const size_t vstep = 64, ldc_bytes = ldc * sizeof(float), ubytes = ko * 16 * 8 * sizeof(Half);
  const Half* uend = u + ko * 16 * 8;
  const float* cl = c;
  if constexpr (RUN == 4) {
    if constexpr (MODE == kStore) {
      WH_FAST(4, WH_FIRST_STORE)
    } else if constexpr (MODE == kAdd) {
      WH_FAST(4, WH_FIRST_ADD)
    } else {
      WH_FAST(4, WH_FIRST_BIAS)
    }
  } else {
    if constexpr (MODE == kStore) {
      WH_FAST(2, WH_FIRST_STORE)
    } else if constexpr (MODE == kAdd) {
      WH_FAST(2, WH_FIRST_ADD)
    } else {
      WH_FAST(2, WH_FIRST_BIAS)
    }
  }
}
template <int RUN>
__attribute__((always_inline)) inline void groups_fast(size_t groups, size_t ko, const Half* u, const Half* v, float* c, size_t ldc, RunMode mode,
                 const float* bias) {
  if (mode == kStore)
    groups_fast<RUN, kStore>(groups, ko, u, v, c, ldc, bias);
  else if (mode == kAdd)
    groups_fast<RUN, kAdd>(groups, ko, u, v, c, ldc, bias);
  else
    groups_fast<RUN, kBias>(groups, ko, u, v, c, ldc, bias);
}
#undef WH_FAST
#undef WH_FIRST_STORE
#undef WH_FIRST_ADD
#undef WH_FIRST_BIAS

// v_oct: halves per octet of the block's group (64 for full groups, 8 nb
// in a tail).
template <int RUN, int N>
__attribute__((always_inline)) inline void groups_16xn(size_t groups, size_t ko, const Half* u, const Half* v, size_t v_oct, float* c, size_t ldc,
                 RunMode mode, const float* bias) {
  const size_t vstep = v_oct * sizeof(Half) - (N == 8 ? 64 : 0), ldc_bytes = ldc * sizeof(float);
  const size_t ubytes = ko * 16 * 8 * sizeof(Half), m = size_t(mode), more = ko / RUN - 1;
  const float* cl = c;
  size_t left;
  static_assert(RUN == 2 || RUN == 4, "run length");
  // (The assembly's text takes RUN and N as tokens: one block per pair.)
#define WH_GROUPS_OF_N(RUN) \
  if constexpr (N == 8) {   \
    WH_GROUPS(RUN, 8)       \
  } else if constexpr (N == 4) { \
    WH_GROUPS(RUN, 4)       \
  } else if constexpr (N == 2) { \
    WH_GROUPS(RUN, 2)       \
  } else {                  \
    WH_GROUPS(RUN, 1)       \
  }
  if constexpr (RUN == 4) {
    WH_GROUPS_OF_N(4)
  } else {
    WH_GROUPS_OF_N(2)
  }
#undef WH_GROUPS_OF_N
}

// A tail block of N tiles (tiles j0 .. j0 + N - 1 of the last group) with
// runs of `run` octets: groups_16xn when they are fixed (fixed = run), else
// runs_16xn.
template <int N>
__attribute__((always_inline)) inline void tail_16xn(size_t fixed, size_t ko, size_t run, const Half* u, const Half* v, size_t v_oct, float* c,
               size_t ldc, RunMode mode, const float* bias) {
  if (fixed == 4)
    groups_16xn<4, N>(1, ko, u, v, v_oct, c, ldc, mode, bias);
  else if (fixed == 2)
    groups_16xn<2, N>(1, ko, u, v, v_oct, c, ldc, mode, bias);
  else
    runs_16xn<N>(ko, run, u, v, v_oct, c, ldc, mode, bias);
}
#undef WH_OCTETS2
#undef WH_OCTETS4
#undef WH_GROUPS

#undef WH_OP
#undef WH_STEP1
#undef WH_STEP2
#undef WH_STEP4
#undef WH_STEP8
#undef WH_LD_U
#undef WH_LD_V1
#undef WH_LD_V2
#undef WH_LD_V4
#undef WH_LD_V8
#undef WH_OCTET
#undef WH_WIDEN
#undef WH_STORE_ROW
#undef WH_ADD4
#undef WH_ADD_ROW
#undef WH_BIAS_ROW
#undef WH_ROWS1
#undef WH_ROWS2
#undef WH_ROWS4
#undef WH_ROWS8
#undef WH_RUNS
#undef WH_MEET_C

// The tail of a strip (nb < 8 tiles at vg, C at cg): blocks of 4, 2, 1.
template <bool FIXED>
__attribute__((always_inline)) inline void tail_blocks(size_t nb, size_t fixed, size_t ko, size_t run, const Half* ub,
                                                       const Half* vg, float* cg, size_t ldc, RunMode mode,
                                                       const float* bb) {
  const size_t v_oct = 8 * nb;
  const size_t fx = FIXED ? fixed : 0;
  size_t j0 = 0;
  if (nb - j0 >= 4) tail_16xn<4>(fx, ko, run, ub, vg + 8 * j0, v_oct, cg + j0 * ldc, ldc, mode, bb), j0 += 4;
  if (nb - j0 >= 2) tail_16xn<2>(fx, ko, run, ub, vg + 8 * j0, v_oct, cg + j0 * ldc, ldc, mode, bb), j0 += 2;
  if (nb - j0 >= 1) tail_16xn<1>(fx, ko, run, ub, vg + 8 * j0, v_oct, cg + j0 * ldc, ldc, mode, bb);
}

// Runs of 2 or 4 octets that divide ko (fixed = run): the full groups by
// groups_fast / groups_16xn, the tail by the fixed-run blocks; one function
// (one save of the callee-saved registers per call).
__attribute__((noinline)) void gemm_fixed(size_t m16, size_t n, size_t ko, size_t fixed, const Half* u,
                                          size_t u_stride, const Half* v, float* c, size_t ldc, const float* bias,
                                          bool accumulate) {
  for (size_t b = 0; b < m16; b++) {
    const Half* ub = u + b * u_stride;
    const float* bb = bias ? bias + 16 * b : nullptr;
    const RunMode mode = accumulate ? kAdd : bb ? kBias : kStore;
    const size_t g = n / 8;
    if (g) {
      float* cb = c + 16 * b;
      if (ko >= 2 * fixed) {  // two runs or more
        if (fixed == 4)
          groups_fast<4>(g, ko, ub, v, cb, ldc, mode, bb);
        else
          groups_fast<2>(g, ko, ub, v, cb, ldc, mode, bb);
      } else if (fixed == 4) {
        groups_16xn<4, 8>(g, ko, ub, v, 64, cb, ldc, mode, bb);
      } else {
        groups_16xn<2, 8>(g, ko, ub, v, 64, cb, ldc, mode, bb);
      }
    }
    if (n % 8) tail_blocks<true>(n % 8, fixed, ko, fixed, ub, v + 64 * ko * g, c + 8 * g * ldc + 16 * b, ldc, mode, bb);
  }
}

// Any other run length: runs_16xn per group of 8 tiles and tail block.
__attribute__((noinline)) void gemm_general(size_t m16, size_t n, size_t ko, size_t run, const Half* u,
                                            size_t u_stride, const Half* v, float* c, size_t ldc, const float* bias,
                                            bool accumulate) {
  for (size_t b = 0; b < m16; b++) {
    const Half* ub = u + b * u_stride;
    const float* bb = bias ? bias + 16 * b : nullptr;
    const RunMode mode = accumulate ? kAdd : bb ? kBias : kStore;
    for (size_t g = 0; 8 * g < n; g++) {
      const size_t nb = std::min<size_t>(8, n - 8 * g);
      const Half* vg = v + 64 * ko * g;
      float* cg = c + 8 * g * ldc + 16 * b;
      if (nb == 8)
        runs_16xn<8>(ko, run, ub, vg, 8 * nb, cg, ldc, mode, bb);
      else
        tail_blocks<false>(nb, 0, ko, run, ub, vg, cg, ldc, mode, bb);
    }
  }
}

void wino_gemm_16x8(size_t m16, size_t n, size_t ko, size_t run, const Half* u, size_t u_stride,
                    const Half* v, float* c, size_t ldc, const float* bias, bool accumulate) {
  if (ko == 0) return;  // no runs (runs_16xn needs one)
  if ((run == 4 || run == 2) && ko % run == 0)
    gemm_fixed(m16, n, ko, run, u, u_stride, v, c, ldc, bias, accumulate);
  else
    gemm_general(m16, n, ko, run, u, u_stride, v, c, ldc, bias, accumulate);
}

}  // namespace

const WinoGemmF16Kernels& wino_gemm_fp16_kernels() {
  static const WinoGemmF16Kernels k = {"wino_gemm-aarch64-16x8-fp16", wino_gemm_16x8};
  return k;
}

}  // namespace detail
}  // namespace armconv

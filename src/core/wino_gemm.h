// The per-position GEMM of Winograd F(6x6, 3x3) (the 64 GEMMs between the
// input and the output transforms of core/winograd.h; conv_winograd.cpp
// calls it once per transform position, tile block and channel chunk).
//
// It is a GEMM family of its own rather than the general GEMM of
// core/gemm.h: its operands are the transforms' nc4 vectors as they are,
// with the reduction index in the vector lanes ("pack4"), so that neither
// transform needs a transpose; the general GEMM's B panels would.
#pragma once

#include <cstddef>
#include <cstdint>

#include "armconv/armconv.h"  // Half

namespace armconv {
namespace detail {

// The GEMM of one transform position (wino_gemm_fn), for m8 blocks of 8
// output channels and a strip of n >= 1 tiles, k in quads ("pack4": the k
// index runs in vector lanes):
//
//   C[j][m] = init[j][m] + sum_k U[k][m] V[k][j]   m < 8 m8, j < n, k < 4 kq
//
//   u: U[k][8b .. 8b+7] at u + b * u_stride + 8 k (packed U blocks: 8
//      channels per k; two vectors);
//   v: packed in groups of 8 tiles (the last group holds the nb = n - 8g
//      left over): V[4q .. 4q+3][8g + i] (one vector: tile 8g + i, k-quad q)
//      at v + 32 kq g + 4 nb_g q + 4 i, where nb_g = min(8, n - 8g). Each
//      group is a kq x nb_g array of vectors, so the kernel reads it straight
//      through; the whole strip is 4 kq n floats.
//   c: C[j][m] at c + j * ldc + m (tile j's channels: nc4 vectors);
//   init: C itself if `accumulate`, else bias[m] if bias, else 0.
//
// Per k-quad the kernel multiplies each U vector by one lane of a V vector
// (fmla by element), so an nc4 vector of the input transform is used as it
// is, and C comes out as nc4 vectors for the output transform. One call
// covers all of a position's channel blocks, so per-call costs (saving the
// callee-saved vector registers) are paid once per position.
using wino_gemm_fn = void (*)(size_t m8, size_t n, size_t kq, const float* u, size_t u_stride,
                              const float* v, float* c, size_t ldc, const float* bias,
                              bool accumulate);

struct WinoGemmKernels {
  const char* name;  // wino_gemm-<isa>-<tile>: tile = channels x tiles of the register block
  wino_gemm_fn gemm;
};

const WinoGemmKernels& wino_gemm_generic_kernels();
#if defined(ARMCONV_HAVE_NEON)
const WinoGemmKernels& wino_gemm_neon_kernels();
#endif

// ---- fp16 ("pack8") ---------------------------------------------------------------
//
// The same GEMM on binary16 operands with k in the 8 lanes of a .8h vector,
// for the fp16 Winograd (precision="fp16"), m16 blocks of 16 output
// channels, a strip of n >= 1 tiles, k in octets:
//
//   C[j][m] = init[j][m] + R_0[j][m] + R_1[j][m] + ...   (fp32, in this order)
//   R_r[j][m] = fp16 sum over the k of run r of U[k][m] V[k][j]
//
// A run is `run` >= 1 octets (the last one the rest): its sum is binary16,
// U[k0][m] V[k0][j] rounded (FMUL) and then each further product fused
// (FMLA .8h: one rounding each), in k order; it is widened exactly to fp32
// and added to C in fp32 (init: C itself if `accumulate`, else the fp32
// bias[m] if bias; without either, C = R_0 + R_1 + ...). Runs bound the
// error that accumulating in fp16 adds (bench/wino_fp16_study.py: runs of
// 32 channels, 16 up to 48 channels, keep F(4,3) on its fp16 points within
// 1e-2) at a cost of about 10 instructions per tile and 16 channels per run
// (the aarch64 kernel).
//
//   u: U[k][16b .. 16b+15] at u + b * u_stride + 16 k (binary16)
//   v: groups of 8 tiles (the last holds the nb = n - 8g left over):
//      V[8o .. 8o+7][8g + i] at v + 64 ko g + 8 nb_g o + 8 i (binary16)
//   c: C[j][m] at c + j * ldc + m (fp32)
using wino_gemm_f16_fn = void (*)(size_t m16, size_t n, size_t ko, size_t run, const Half* u,
                                  size_t u_stride, const Half* v, float* c, size_t ldc,
                                  const float* bias, bool accumulate);

struct WinoGemmF16Kernels {
  const char* name;  // wino_gemm-<isa>-16x8-fp16
  wino_gemm_f16_fn gemm;
};

// src/generic/wino_gemm_f16.cpp (the same arithmetic, bit for bit, with
// core/half.h); src/neon/aarch64/wino_gemm_16x8_fp16.cpp (FP16 units only).
const WinoGemmF16Kernels& wino_gemm_f16_generic_kernels();
#if defined(ARMCONV_HAVE_FP16)
const WinoGemmF16Kernels& wino_gemm_fp16_kernels();
#endif

// ---- int16 -> int32 (the int8 Winograd, core/winograd.h int8 section) -------------
//
// The same GEMM on int16 operands with k in the 8 lanes of a .8h vector, m8
// blocks of 8 output channels, a strip of n >= 1 tiles, k in octets:
//
//   C[j][m] = init[j][m] + sum_k U[k][m] V[k][j]   (int32, wrapping mod 2^32)
//
//   u: U[k][8b .. 8b+7] at u + b * u_stride + 8 k (int16: one vector)
//   v: groups of 8 tiles (the last holds the nb = n - 8g left over):
//      V[8o .. 8o+7][8g + i] at v + 64 ko g + 8 nb_g o + 8 i (int16)
//   c: C[j][m] at c + j * ldc + m (int32: two nc4 vectors per 8 channels)
//   init: C itself if `accumulate`, else 0.
// Each product is exact in int32 (|U| <= 1143, |V| <= 512); the sums wrap
// (smlal / vmlal.s16 by element), which the int8 Winograd's exactness
// argument allows (core/winograd.h).
using wino_gemm_s16_fn = void (*)(size_t m8, size_t n, size_t ko, const int16_t* u, size_t u_stride,
                                  const int16_t* v, int32_t* c, size_t ldc, bool accumulate);

struct WinoGemmS16Kernels {
  const char* name;  // wino_gemm_s16-<isa>-<channels>x<tiles>
  wino_gemm_s16_fn gemm;
};

// src/generic/wino_gemm_s16.cpp; src/neon/aarch64/wino_gemm_s16_8x8.cpp,
// src/neon/armv7/wino_gemm_s16_8x4.cpp.
const WinoGemmS16Kernels& wino_gemm_s16_generic_kernels();
#if defined(ARMCONV_HAVE_NEON)
const WinoGemmS16Kernels& wino_gemm_s16_neon_kernels();
#endif

}  // namespace detail
}  // namespace armconv

// The strip loops of the NEON per-position Winograd GEMM (contract:
// core/wino_gemm.h), shared by the ISAs' register blocks: Blocks provides
// block<N>(kq, u, v, v_quad, c, ldc, bias, accumulate) for N = 4, 2, 1 tiles
// and block8(...) for 8 (aarch64: its 8x8 assembly block; armv7: two 4-tile
// blocks) of 8 channels, and, if kPairs, block16<N>(kq, u, u_stride, ...)
// for 16 channels (two blocks of U) x N = 4, 2, 1 tiles. An anonymous
// namespace: each unit has its own copy.
#pragma once

#include <cstddef>

namespace armconv {
namespace detail {
namespace {

template <class Blocks>
struct WinoGemmStrip {
  // n tiles as blocks of 4, 2, 1. Not inlined, so that gemm itself is a
  // test and a tail call.
  __attribute__((noinline)) static void blocks_n(size_t n, size_t kq, const float* u,
                                                 const float* v, size_t v_quad, float* c,
                                                 size_t ldc, const float* bias, bool accumulate) {
    size_t j = 0;
    for (; j + 4 <= n; j += 4)
      Blocks::template block<4>(kq, u, v + 4 * j, v_quad, c + j * ldc, ldc, bias, accumulate);
    if (j + 2 <= n) {
      Blocks::template block<2>(kq, u, v + 4 * j, v_quad, c + j * ldc, ldc, bias, accumulate);
      j += 2;
    }
    if (j < n) Blocks::template block<1>(kq, u, v + 4 * j, v_quad, c + j * ldc, ldc, bias, accumulate);
  }

  // The same for 16 channels (blocks u, u + u_stride).
  __attribute__((noinline)) static void blocks16_n(size_t n, size_t kq, const float* u, size_t u_stride,
                                                   const float* v, size_t v_quad, float* c, size_t ldc,
                                                   const float* bias, bool accumulate) {
    size_t j = 0;
    for (; j + 4 <= n; j += 4)
      Blocks::template block16<4>(kq, u, u_stride, v + 4 * j, v_quad, c + j * ldc, ldc, bias, accumulate);
    if (j + 2 <= n) {
      Blocks::template block16<2>(kq, u, u_stride, v + 4 * j, v_quad, c + j * ldc, ldc, bias, accumulate);
      j += 2;
    }
    if (j < n)
      Blocks::template block16<1>(kq, u, u_stride, v + 4 * j, v_quad, c + j * ldc, ldc, bias, accumulate);
  }

  // With tiles left over after the groups of 8 (n % 8 > 0), where the ISA
  // has 16-channel blocks: pairs of blocks b, b + 1 (u, u + u_stride; C
  // channels 8b .. 8b + 15) take the leftover tiles together, an odd last
  // block alone.
  __attribute__((noinline)) static void gemm_pairs(size_t m8, size_t n, size_t kq, const float* u,
                                                   size_t u_stride, const float* v, float* c, size_t ldc,
                                                   const float* bias, bool accumulate) {
    const size_t full = n / 8 * 8;
    size_t b = 0;
    for (; b + 2 <= m8; b += 2, u += 2 * u_stride, c += 16) {
      for (size_t i = 0; i < 2; i++) {
        const float* bb = bias ? bias + 8 * (b + i) : nullptr;
        for (size_t j = 0; j < full; j += 8)
          Blocks::block8(kq, u + i * u_stride, v + 4 * kq * j, 32, c + 8 * i + j * ldc, ldc, bb, accumulate);
      }
      blocks16_n(n - full, kq, u, u_stride, v + 4 * kq * full, 4 * (n - full), c + full * ldc, ldc,
                 bias ? bias + 8 * b : nullptr, accumulate);
    }
    if (b < m8) gemm_blocks(1, n, kq, u, u_stride, v, c, ldc, bias ? bias + 8 * b : nullptr, accumulate);
  }

  // Per block of 8 channels, the strip: groups of 8 tiles (v_quad 32), then
  // the last group of nb < 8 (v_quad 4 nb).
  static void gemm_blocks(size_t m8, size_t n, size_t kq, const float* u, size_t u_stride, const float* v,
                          float* c, size_t ldc, const float* bias, bool accumulate) {
    for (size_t b = 0; b < m8; b++, u += u_stride, c += 8) {
      const float* bb = bias ? bias + 8 * b : nullptr;
      size_t j = 0;
      for (; j + 8 <= n; j += 8)
        Blocks::block8(kq, u, v + 4 * kq * j, 32, c + j * ldc, ldc, bb, accumulate);
      if (j < n)
        blocks_n(n - j, kq, u, v + 4 * kq * j, 4 * (n - j), c + j * ldc, ldc, bb, accumulate);
    }
  }

  // wino_gemm_fn. One call per position, so the save of d8-d15 and the call
  // itself are paid once for all its blocks.
  static void gemm(size_t m8, size_t n, size_t kq, const float* u, size_t u_stride, const float* v,
                   float* c, size_t ldc, const float* bias, bool accumulate) {
    if (Blocks::kPairs && n % 8 && m8 >= 2)
      return gemm_pairs(m8, n, kq, u, u_stride, v, c, ldc, bias, accumulate);
    gemm_blocks(m8, n, kq, u, u_stride, v, c, ldc, bias, accumulate);
  }
};

}  // namespace
}  // namespace detail
}  // namespace armconv

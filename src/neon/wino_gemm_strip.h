// The strip loops of the NEON per-position Winograd GEMM (contract:
// core/wino_gemm.h), shared by the ISAs' register blocks: Blocks provides
// block<N>(kq, u, v, v_quad, c, ldc, bias, accumulate) for N = 4, 2, 1 tiles
// and block8(...) for 8 (aarch64: its 8x8 assembly block; armv7: two 4-tile
// blocks). An anonymous namespace: each unit has its own copy.
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

  // wino_gemm_fn. Per block of 8 channels, the strip: groups of 8 tiles
  // (v_quad 32), then the last group of nb < 8 (v_quad 4 nb). One call per
  // position, so the save of d8-d15 and the call itself are paid once for
  // all its blocks.
  static void gemm(size_t m8, size_t n, size_t kq, const float* u, size_t u_stride, const float* v,
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
};

}  // namespace
}  // namespace detail
}  // namespace armconv

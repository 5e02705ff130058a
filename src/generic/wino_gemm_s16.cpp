// Portable int16 per-position Winograd GEMM (contract: core/wino_gemm.h,
// wino_gemm_s16_fn) in plain loops, the twin of
// neon/aarch64/wino_gemm_s16_8x8.cpp and neon/armv7/wino_gemm_s16_8x4.cpp:
// the sums are done in uint32 (modulo 2^32, as smlal / vmlal.s16 wrap), so
// they are the same bits in any order.
#include <algorithm>
#include <cstdint>

#include "core/wino_gemm.h"

namespace armconv {
namespace detail {
namespace {

void wino_gemm_s16(size_t m8, size_t n, size_t ko, const int16_t* u, size_t u_stride, const int16_t* v, int32_t* c,
                   size_t ldc, bool accumulate) {
  for (size_t j = 0; j < n; j++) {
    const size_t g = j / 8, nb = std::min<size_t>(8, n - 8 * g);
    const int16_t* vj = v + 64 * ko * g + 8 * (j % 8);  // + 8 nb o for octet o
    int32_t* cj = c + j * ldc;
    for (size_t m = 0; m < 8 * m8; m++) {
      const int16_t* ub = u + (m / 8) * u_stride + m % 8;
      uint32_t s = accumulate ? uint32_t(cj[m]) : 0u;
      for (size_t o = 0; o < ko; o++)
        for (size_t l = 0; l < 8; l++) s += uint32_t(int32_t(ub[(8 * o + l) * 8]) * int32_t(vj[8 * nb * o + l]));
      cj[m] = int32_t(s);
    }
  }
}

}  // namespace

const WinoGemmS16Kernels& wino_gemm_s16_generic_kernels() {
  static const WinoGemmS16Kernels k = {"wino_gemm_s16-generic-8x1", wino_gemm_s16};
  return k;
}

}  // namespace detail
}  // namespace armconv

// Portable per-position Winograd GEMM (contract: core/wino_gemm.h) in plain
// loops: the twin of the NEON register-block kernels, one tile's 8 channels
// at a time.
#include <algorithm>

#include "core/wino_gemm.h"

namespace armconv {
namespace detail {
namespace {

// wino_gemm_fn: C[j][m] = init + sum_k U[k][m] V[k][j], k = 4 q + l.
void wino_gemm(size_t m8, size_t n, size_t kq, const float* u, size_t u_stride, const float* v,
               float* c, size_t ldc, const float* bias, bool accumulate) {
  for (size_t j = 0; j < n; j++) {
    const size_t g = j / 8, nb = std::min<size_t>(8, n - 8 * g);
    const float* vj = v + 32 * kq * g + 4 * (j % 8);  // + 4 nb q for quad q
    float* cj = c + j * ldc;
    for (size_t m = 0; m < 8 * m8; m++) {
      const float* ub = u + (m / 8) * u_stride + m % 8;
      float s = accumulate ? cj[m] : (bias ? bias[m] : 0.0f);
      for (size_t q = 0; q < kq; q++)
        for (size_t l = 0; l < 4; l++) s += ub[(4 * q + l) * 8] * vj[4 * nb * q + l];
      cj[m] = s;
    }
  }
}

}  // namespace

const WinoGemmKernels& wino_gemm_generic_kernels() {
  static const WinoGemmKernels k = {"wino_gemm-generic-8x1", wino_gemm};
  return k;
}

}  // namespace detail
}  // namespace armconv

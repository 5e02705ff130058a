// Portable fp16 per-position Winograd GEMM (contract: core/wino_gemm.h,
// wino_gemm_f16_fn) in plain loops, the twin of
// neon/aarch64/wino_gemm_16x8_fp16.cpp: the same roundings in the same
// order (core/half.h: FMUL, FMLA .8h, exact widening, fp32 adds), so tests
// compare the NEON kernel with it bit for bit.
#include <algorithm>

#include "core/half.h"
#include "core/wino_gemm.h"

namespace armconv {
namespace detail {
namespace {

void wino_gemm_f16(size_t m16, size_t n, size_t ko, size_t run, const Half* u, size_t u_stride,
                   const Half* v, float* c, size_t ldc, const float* bias, bool accumulate) {
  for (size_t j = 0; j < n; j++) {
    const size_t g = j / 8, nb = std::min<size_t>(8, n - 8 * g);
    const Half* vj = v + 64 * ko * g + 8 * (j % 8);  // + 8 nb o for octet o
    float* cj = c + j * ldc;
    for (size_t m = 0; m < 16 * m16; m++) {
      const Half* ub = u + (m / 16) * u_stride + m % 16;
      const bool init = accumulate || bias;
      float s = accumulate ? cj[m] : (bias ? bias[m] : 0.0f);
      for (size_t o0 = 0; o0 < ko; o0 += run) {
        Half r{0};
        for (size_t o = o0; o < std::min(ko, o0 + run); o++)
          for (size_t l = 0; l < 8; l++) {
            const Half a = ub[(8 * o + l) * 16], b = vj[8 * nb * o + l];
            r = o == o0 && l == 0 ? mul_half(a, b) : fma_half(a, b, r);
          }
        const float w = half_to_float(r);
        s = o0 == 0 && !init ? w : s + w;
      }
      cj[m] = s;
    }
  }
}

}  // namespace

const WinoGemmF16Kernels& wino_gemm_f16_generic_kernels() {
  static const WinoGemmF16Kernels k = {"wino_gemm-generic-16x1-fp16", wino_gemm_f16};
  return k;
}

}  // namespace detail
}  // namespace armconv

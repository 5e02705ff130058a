// wino_gemm_s16-armv7-8x4: the int16 per-position GEMM of the int8
// Winograd F(2,3) (contract: core/wino_gemm.h, wino_gemm_s16_fn), 8 output
// channels x 4 tiles per register block (vmlal.s16 by scalar: 8
// accumulators, 4 V vectors and U in the 16 q registers; neon/wino_s8.h).
#include "neon/wino_s8.h"

namespace armconv {
namespace detail {

const WinoGemmS16Kernels& wino_gemm_s16_neon_kernels() {
  static const WinoGemmS16Kernels k = {"wino_gemm_s16-armv7-8x4", wino_s8::gemm<4>};
  return k;
}

}  // namespace detail
}  // namespace armconv

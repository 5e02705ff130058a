// wino_gemm_s16-aarch64-8x8: the int16 per-position GEMM of the int8
// Winograd F(2,3) (contract: core/wino_gemm.h, wino_gemm_s16_fn), 8 output
// channels x 8 tiles per register block (smlal/smlal2 by element; the
// register map and instruction counts: neon/wino_s8.h).
#include "neon/wino_s8.h"

namespace armconv {
namespace detail {

const WinoGemmS16Kernels& wino_gemm_s16_neon_kernels() {
  static const WinoGemmS16Kernels k = {"wino_gemm_s16-aarch64-8x8", wino_s8::gemm<8>};
  return k;
}

}  // namespace detail
}  // namespace armconv

// The "quantize" family (float32 -> int8, armconv's rule) on aarch64: 16
// elements per step; the code, why it is exact and its cost are in
// neon/quantize.h.
#include "neon/quantize.h"

namespace armconv {
namespace detail {

const QuantizeKernels& quantize_neon_kernels() {
  static const QuantizeKernels k = {"quantize-aarch64-16", quantize_neon};
  return k;
}

}  // namespace detail
}  // namespace armconv

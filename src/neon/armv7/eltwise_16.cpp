// The "eltwise" family (elementwise Add, Sub, Mul, Max, Min of float32 with a
// fused clamp) on armv7: 16 elements per step; the code and its cost are in
// neon/eltwise.h.
#include "neon/eltwise.h"

namespace armconv {
namespace detail {

const EltwiseKernels& eltwise_neon_kernels() {
  static const EltwiseKernels k = {"eltwise-armv7-16", eltwise_vv_neon, eltwise_vs_neon};
  return k;
}

}  // namespace detail
}  // namespace armconv

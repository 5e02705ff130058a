// The "depthwise" family (any shape) on armv7: one output row in segments of
// 16 columns (4 vectors) from staged, phase-split input rows; the code and
// its cost are in neon/dwconv_any.h.
#include "neon/dwconv_any.h"

namespace armconv {
namespace detail {

const DwAnyKernels& dw_any_neon_kernels() {
  static const DwAnyKernels k = {"dwconv-armv7-1x16", any_scratch_floats, any_planes_neon};
  return k;
}

}  // namespace detail
}  // namespace armconv

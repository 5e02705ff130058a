// NEON int8 depthwise 3x3, stride 1 and 2, armv7 (dwconv3x3_s8-armv7-1x16: one
// output row of 16 columns per step). The kernels are written once for both
// ISAs in neon/dwconv3x3_s8.h.
#include "core/dwconv.h"
#include "neon/dwconv3x3_s8.h"

namespace armconv {
namespace detail {

const Dw3x3S8Kernels& dw3x3_s8_neon_kernels() {
  static const Dw3x3S8Kernels k = {"dwconv3x3_s8-armv7-1x16", dw3x3_s8_stride1, dw3x3_s8_stride2};
  return k;
}

}  // namespace detail
}  // namespace armconv

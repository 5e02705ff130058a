// NEON fp32 depthwise 3x3, stride 1 and 2, armv7 (dwconv3x3-armv7-1x8:
// one output row of up to 8 columns per strip step, 2 vectors). The kernels
// are written once for both ISAs in neon/dwconv3x3.h.
#include "core/dwconv.h"
#include "neon/dwconv3x3.h"

namespace armconv {
namespace detail {

static_assert(kWideNV == 2, "neon/dwconv3x3.h: strip width of this ISA");

const Dw3x3Kernels& dw3x3_neon_kernels() {
  static const Dw3x3Kernels k = {"dwconv3x3-armv7-1x8", stride1, stride2};
  return k;
}

}  // namespace detail
}  // namespace armconv

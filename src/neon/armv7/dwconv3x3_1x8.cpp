// NEON fp32 depthwise 3x3, stride 1 and 2, armv7 (dwconv3x3-armv7-1x8: strips
// of up to 8 output columns, 2 vectors per output row). The kernels are
// written once for both ISAs and kernel sizes in neon/dwconv.h.
#include "core/dwconv.h"
#include "neon/dwconv.h"

namespace armconv {
namespace detail {

const DwKernels& dw3x3_neon_kernels() {
  static const DwKernels k = {"dwconv3x3-armv7-1x8", 3, dw_stride1<3, 2>, dw_stride2<3, 2>};
  return k;
}

}  // namespace detail
}  // namespace armconv

// NEON fp32 depthwise 3x3, stride 1 and 2, aarch64 (dwconv3x3-aarch64-1x16: strips
// of up to 16 output columns, 4 vectors per output row). The kernels are
// written once for both ISAs and kernel sizes in neon/dwconv.h.
#include "core/dwconv.h"
#include "neon/dwconv.h"

namespace armconv {
namespace detail {

const DwKernels& dw3x3_neon_kernels() {
  static const DwKernels k = {"dwconv3x3-aarch64-1x16", 3, dw_stride1<3, 4>, dw_stride2<3, 4>};
  return k;
}

}  // namespace detail
}  // namespace armconv

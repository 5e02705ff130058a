// NEON fp32 depthwise 5x5, stride 1 and 2, aarch64 (dwconv5x5-aarch64-1x8: strips
// of up to 8 output columns, 2 vectors per output row). The kernels are
// written once for both ISAs and kernel sizes in neon/dwconv.h.
#include "core/dwconv.h"
#include "neon/dwconv.h"

namespace armconv {
namespace detail {

const DwKernels& dw5x5_neon_kernels() {
  static const DwKernels k = {"dwconv5x5-aarch64-1x8", 5, dw_stride1<5, 2>, dw_stride2<5, 2>};
  return k;
}

}  // namespace detail
}  // namespace armconv

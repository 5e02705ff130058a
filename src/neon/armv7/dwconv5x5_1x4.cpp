// NEON fp32 depthwise 5x5, stride 1 and 2, armv7 (dwconv5x5-armv7-1x4: strips
// of up to 4 output columns, 1 vector per output row). The kernels are
// written once for both ISAs and kernel sizes in neon/dwconv.h.
#include "core/dwconv.h"
#include "neon/dwconv.h"

namespace armconv {
namespace detail {

const DwKernels& dw5x5_neon_kernels() {
  static const DwKernels k = {"dwconv5x5-armv7-1x4", 5, dw_stride1<5, 1>, dw_stride2<5, 1>};
  return k;
}

}  // namespace detail
}  // namespace armconv

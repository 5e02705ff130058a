// NEON fp32 depthwise 5x5, stride 2, unclamped output, aarch64: one of the two
// units of dwconv5x5-aarch64-1x8 (its table: dwconv5x5_1x8.cpp; the kernels: neon/dwconv.h).
#include "core/dwconv.h"
#include "neon/dwconv.h"

namespace armconv {
namespace detail {

void dwconv5x5_aarch64_1x8_s2(const DwPlane& p) { dw_stride2<5, 2, false>(p); }

}  // namespace detail
}  // namespace armconv

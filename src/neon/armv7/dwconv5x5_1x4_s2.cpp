// NEON fp32 depthwise 5x5, stride 2, unclamped output, armv7: one of the two
// units of dwconv5x5-armv7-1x4 (its table: dwconv5x5_1x4.cpp; the kernels: neon/dwconv.h).
#include "core/dwconv.h"
#include "neon/dwconv.h"

namespace armconv {
namespace detail {

void dwconv5x5_armv7_1x4_s2(const DwPlane& p) { dw_stride2<5, 1, false>(p); }

}  // namespace detail
}  // namespace armconv

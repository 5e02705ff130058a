// NEON fp32 depthwise 3x3, stride 1, unclamped output, armv7: one of the four
// units of dwconv3x3-armv7-1x8 (its table: dwconv3x3_1x8.cpp; the kernels: neon/dwconv.h).
#include "core/dwconv.h"
#include "neon/dwconv.h"

namespace armconv {
namespace detail {

void dwconv3x3_armv7_1x8_s1(const DwPlane& p) { dw_stride1<3, 2, false>(p); }

}  // namespace detail
}  // namespace armconv

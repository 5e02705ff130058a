// NEON fp32 depthwise 3x3, stride 1, both activations, armv7: the strips of
// dwconv3x3-armv7-1x8 for stride 1 (its table: dwconv3x3_1x8.cpp; the kernels:
// neon/dwconv.h). Both activations in one unit: the strips that only rare
// planes take (buffered, "valid" padding, whole rows, the rarer layouts)
// exist once for both (kClampShared, kOwnStrip in neon/dwconv.h).
#include "core/dwconv.h"
#include "neon/dwconv.h"

namespace armconv {
namespace detail {

void dwconv3x3_armv7_1x8_s1(const DwPlane& p) { dw_stride1<3, 2, false>(p); }
void dwconv3x3_armv7_1x8_s1_clamp(const DwPlane& p) { dw_stride1<3, 2, true>(p); }

}  // namespace detail
}  // namespace armconv

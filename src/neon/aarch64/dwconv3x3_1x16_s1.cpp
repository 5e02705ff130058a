// NEON fp32 depthwise 3x3, stride 1, both activations, aarch64: the strips of
// dwconv3x3-aarch64-1x16 for stride 1 (its table: dwconv3x3_1x16.cpp; the kernels:
// neon/dwconv.h). Both activations in one unit: the strips that only rare
// planes take (buffered, "valid" padding, whole rows, the rarer layouts)
// exist once for both (kClampShared, kOwnStrip in neon/dwconv.h).
#include "core/dwconv.h"
#include "neon/dwconv.h"

namespace armconv {
namespace detail {

void dwconv3x3_aarch64_1x16_s1(const DwPlane& p) { dw_stride1<3, 4, false>(p); }
void dwconv3x3_aarch64_1x16_s1_clamp(const DwPlane& p) { dw_stride1<3, 4, true>(p); }

}  // namespace detail
}  // namespace armconv

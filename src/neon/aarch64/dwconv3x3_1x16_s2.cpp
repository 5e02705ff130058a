// NEON fp32 depthwise 3x3, stride 2, both activations, aarch64: the strips of
// dwconv3x3-aarch64-1x16 for stride 2 (its table: dwconv3x3_1x16.cpp; the kernels:
// neon/dwconv.h). Both activations in one unit: the strips that only rare
// planes take (buffered, "valid" padding, whole rows, the rarer layouts)
// exist once for both (kClampShared, kOwnStrip in neon/dwconv.h).
#include "core/dwconv.h"
#include "neon/dwconv.h"

namespace armconv {
namespace detail {

void dwconv3x3_aarch64_1x16_s2(const DwPlane& p) { dw_stride2<3, 4, false>(p); }
void dwconv3x3_aarch64_1x16_s2_clamp(const DwPlane& p) { dw_stride2<3, 4, true>(p); }

}  // namespace detail
}  // namespace armconv

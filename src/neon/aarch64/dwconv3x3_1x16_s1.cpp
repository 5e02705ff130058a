// NEON fp32 depthwise 3x3, stride 1, unclamped output, aarch64: one of the four
// units of dwconv3x3-aarch64-1x16 (its table: dwconv3x3_1x16.cpp; the kernels: neon/dwconv.h).
#include "core/dwconv.h"
#include "neon/dwconv.h"

namespace armconv {
namespace detail {

void dwconv3x3_aarch64_1x16_s1(const DwPlane& p) { dw_stride1<3, 4, false>(p); }

}  // namespace detail
}  // namespace armconv

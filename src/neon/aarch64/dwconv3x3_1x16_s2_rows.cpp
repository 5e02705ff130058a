// NEON fp32 depthwise 3x3, stride 2, pad 1, maps of 8 to 16 columns (14 -> 7),
// aarch64: whole rows of up to two pairs in registers, all planes
// of a call in one loop (neon/dwconv3x3_rows.h, Rows3x3S2). Part of
// dwconv3x3-aarch64-1x16 (its table: dwconv3x3_1x16.cpp), which runs every
// other plane with the strips.
#include "core/dwconv.h"
#include "neon/dwconv3x3_rows.h"

namespace armconv {
namespace detail {

bool dwconv3x3_aarch64_1x16_s2_rows(const DwPlane& p) {
  // (Unclamped calls: the clamped kernels with infinite bounds, dw_rows_unbounded.)
  return p.clamp ? rows3x3_s2_planes<2, true>(p) : rows3x3_s2_planes<2, true, true>(p);
}

}  // namespace detail
}  // namespace armconv

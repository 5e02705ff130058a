// NEON fp32 depthwise 3x3, stride 1, pad 1, maps of at most 8 columns,
// armv7: whole rows in registers, all planes of a call in one loop
// (neon/dwconv3x3_rows.h; 16 Q registers hold two vectors per row). Part of
// dwconv3x3-armv7-1x8 (its table: dwconv3x3_1x8.cpp), which runs every other
// plane with the strips.
#include "core/dwconv.h"
#include "neon/dwconv3x3_rows.h"

namespace armconv {
namespace detail {

bool dwconv3x3_armv7_1x8_s1_rows(const DwPlane& p) {
  return p.clamp ? rows3x3_s1_planes<2, true>(p) : rows3x3_s1_planes<2, false>(p);
}

}  // namespace detail
}  // namespace armconv

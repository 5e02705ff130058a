// NEON fp32 depthwise 3x3, stride 1, pad 1, maps of at most 16 columns,
// aarch64: whole rows in registers, all planes of a call in one loop
// (neon/dwconv3x3_rows.h). Part of dwconv3x3-aarch64-1x16 (its table:
// dwconv3x3_1x16.cpp), which runs every other plane with the strips.
#include "core/dwconv.h"
#include "neon/dwconv3x3_rows.h"

namespace armconv {
namespace detail {

bool dwconv3x3_aarch64_1x16_s1_rows(const DwPlane& p) {
  return p.clamp ? rows3x3_s1_planes<4, true>(p) : rows3x3_s1_planes<4, false>(p);
}

}  // namespace detail
}  // namespace armconv

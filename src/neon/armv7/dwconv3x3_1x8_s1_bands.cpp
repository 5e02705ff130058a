// NEON fp32 depthwise 3x3, stride 1, pad 1, maps of 9 to 16 columns (14x14
// above all), armv7: rows of up to four vectors do not fit 16 Q registers
// three times over, so each plane runs as two bands of whole-plane rows,
// vectors 2.. then 0..1 (neon/dwconv3x3_rows.h, rows3x3_s1_bands). Part of
// dwconv3x3-armv7-1x8 (its table: dwconv3x3_1x8.cpp), which runs every other
// plane with the strips.
#include "core/dwconv.h"
#include "neon/dwconv3x3_rows.h"

namespace armconv {
namespace detail {

bool dwconv3x3_armv7_1x8_s1_bands(const DwPlane& p) {
  return p.clamp ? rows3x3_s1_bands_planes<2, 4, true>(p) : rows3x3_s1_bands_planes<2, 4, false>(p);
}

}  // namespace detail
}  // namespace armconv

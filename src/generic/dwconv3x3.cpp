// Portable depthwise 3x3 kernels: the reference twin of src/neon/dwconv3x3.cpp.
// Each output row is split into the columns whose 3 taps all lie inside the
// row (no bounds checks, the compiler vectorises the loop) and the border
// columns, which check every tap. Rows outside the plane contribute nothing.
#include <cstddef>

#include "core/dwconv.h"

namespace armconv {
namespace detail {
namespace {

// Written with comparisons (not fmin/fmax) so that NaN propagates.
inline float activate(float v, const DwPlane& p) {
  return p.clamp ? (v < p.lo ? p.lo : (v > p.hi ? p.hi : v)) : v;
}

template <size_t S>
void plane(const DwPlane& p) {
  const ptrdiff_t h = ptrdiff_t(p.h), w = ptrdiff_t(p.w);
  const ptrdiff_t pt = ptrdiff_t(p.pad_top), pl = ptrdiff_t(p.pad_left);
  const float* k = p.k;
  // Output columns [ox_lo, ox_hi) read input columns ox*S - pl + {0,1,2}, all inside [0, w).
  ptrdiff_t ox_lo = (pl + ptrdiff_t(S) - 1) / ptrdiff_t(S);
  ptrdiff_t ox_hi = w - 3 + pl >= 0 ? (w - 3 + pl) / ptrdiff_t(S) + 1 : 0;
  if (ox_hi > ptrdiff_t(p.wo)) ox_hi = ptrdiff_t(p.wo);
  if (ox_lo > ox_hi) ox_lo = ox_hi;
  for (size_t oy = 0; oy < p.ho; oy++) {
    float* yr = p.y + oy * p.wo;
    for (size_t ox = 0; ox < p.wo; ox++) yr[ox] = k[9];
    for (ptrdiff_t ky = 0; ky < 3; ky++) {
      const ptrdiff_t iy = ptrdiff_t(oy * S) - pt + ky;
      if (iy < 0 || iy >= h) continue;
      const float* xr = p.x + iy * w;
      const float k0 = k[ky * 3], k1 = k[ky * 3 + 1], k2 = k[ky * 3 + 2];
      for (ptrdiff_t ox = ox_lo; ox < ox_hi; ox++) {
        const float* xi = xr + ox * ptrdiff_t(S) - pl;
        yr[ox] += k0 * xi[0] + k1 * xi[1] + k2 * xi[2];
      }
      for (ptrdiff_t ox = 0; ox < ptrdiff_t(p.wo); ox++) {
        if (ox == ox_lo) ox = ox_hi;  // skip the interior
        if (ox >= ptrdiff_t(p.wo)) break;
        for (ptrdiff_t kx = 0; kx < 3; kx++) {
          const ptrdiff_t ix = ox * ptrdiff_t(S) - pl + kx;
          if (ix >= 0 && ix < w) yr[ox] += k[ky * 3 + kx] * xr[ix];
        }
      }
    }
    for (size_t ox = 0; ox < p.wo; ox++) yr[ox] = activate(yr[ox], p);
  }
}

}  // namespace

const Dw3x3Kernels& dw3x3_generic_kernels() {
  static const Dw3x3Kernels k = {"dwconv3x3-generic-1x1", plane<1>, plane<2>};
  return k;
}

}  // namespace detail
}  // namespace armconv

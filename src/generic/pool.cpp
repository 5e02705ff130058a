// Portable pooling (contract: core/pool.h): one output at a time, the window's
// taps row-major, padding taps skipped (max: -inf, avg: 0, neither changes
// the result). For CPUs without NEON (and the C++ tests' twin of the NEON
// kernels, which cover every shape themselves).
#include <cmath>
#include <limits>

#include "core/pool.h"

namespace armconv {
namespace detail {
namespace {

// max that propagates NaN from either side (as FMAX and np.maximum do).
inline float max_nan(float m, float v) { return (v > m || v != v) ? v : m; }

size_t scratch_floats(const PoolShape&) { return 0; }

void max_planes(const PoolShape& s, const float* x, float* y, size_t planes, float*) {
  const long long h = (long long)s.h, w = (long long)s.w;
  for (size_t p = 0; p < planes; p++) {
    const float* xp = x + p * s.h * s.w;
    float* yp = y + p * s.ho * s.wo;
    for (size_t oy = 0; oy < s.ho; oy++) {
      const long long y0 = (long long)(oy * s.sh) - (long long)s.pt;
      for (size_t ox = 0; ox < s.wo; ox++) {
        const long long x0 = (long long)(ox * s.sw) - (long long)s.pl;
        float m = -std::numeric_limits<float>::infinity();
        for (size_t ky = 0; ky < s.kh; ky++) {
          const long long iy = y0 + (long long)(ky * s.dh);
          if (iy < 0 || iy >= h) continue;
          for (size_t kx = 0; kx < s.kw; kx++) {
            const long long ix = x0 + (long long)(kx * s.dw);
            if (ix < 0 || ix >= w) continue;
            m = max_nan(m, xp[iy * w + ix]);
          }
        }
        yp[oy * s.wo + ox] = m;
      }
    }
  }
}

void avg_planes(const PoolShape& s, const float* x, float* y, size_t planes, float*) {
  const long long h = (long long)s.h, w = (long long)s.w;
  const long long rlo = s.include_pad ? -(long long)s.pt : 0, rhi = s.include_pad ? h + (long long)s.pb : h;
  const long long clo = s.include_pad ? -(long long)s.pl : 0, chi = s.include_pad ? w + (long long)s.pr : w;
  for (size_t p = 0; p < planes; p++) {
    const float* xp = x + p * s.h * s.w;
    float* yp = y + p * s.ho * s.wo;
    for (size_t oy = 0; oy < s.ho; oy++) {
      const long long y0 = (long long)(oy * s.sh) - (long long)s.pt;
      const size_t ch = pool_axis_count(oy, s.sh, s.kh, s.dh, s.pt, rlo, rhi);
      for (size_t ox = 0; ox < s.wo; ox++) {
        const long long x0 = (long long)(ox * s.sw) - (long long)s.pl;
        const size_t cw = pool_axis_count(ox, s.sw, s.kw, s.dw, s.pl, clo, chi);
        float sum = 0.0f;
        for (size_t ky = 0; ky < s.kh; ky++) {
          const long long iy = y0 + (long long)(ky * s.dh);
          if (iy < 0 || iy >= h) continue;
          for (size_t kx = 0; kx < s.kw; kx++) {
            const long long ix = x0 + (long long)(kx * s.dw);
            if (ix < 0 || ix >= w) continue;
            sum += xp[iy * w + ix];
          }
        }
        yp[oy * s.wo + ox] = sum * pool_inv_count(ch * cw);
      }
    }
  }
}

}  // namespace

const PoolKernels& pool_generic_kernels() {
  static const PoolKernels k{"pool-generic-1", scratch_floats, max_planes, avg_planes};
  return k;
}

}  // namespace detail
}  // namespace armconv

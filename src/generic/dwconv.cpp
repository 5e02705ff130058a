// Portable fp32 depthwise kernels (contract: core/dwconv.h): one direct loop
// for any kernel size, stride and dilation. It is the "depthwise" family's
// generic table and, with a 3x3 or 5x5 shape, the twin of the NEON K x K
// kernels.
//
// An output row starts as the bias; then each tap (ky, kx) whose input row is
// inside the plane adds k * x over the output columns whose input column is
// inside the row ([ox_lo, ox_hi): no bounds checks in the loop, which the
// compiler vectorises for stride 1); then the clamp. Sums run tap by tap,
// row-major.
#include <cstddef>
#include <cstdint>

#include "core/dwconv.h"

namespace armconv {
namespace detail {
namespace {

// Written with comparisons (not fmin/fmax) so that NaN propagates.
inline float activate(float v, const DwPlane& p) {
  return p.clamp ? (v < p.lo ? p.lo : (v > p.hi ? p.hi : v)) : v;
}

// Output columns [lo, hi) whose input column ox * sw + ix0 is in [0, w).
inline void column_range(int64_t ix0, int64_t sw, int64_t w, size_t wo, size_t* lo, size_t* hi) {
  const int64_t l = ix0 >= 0 ? 0 : (-ix0 + sw - 1) / sw;
  int64_t h = ix0 >= w ? 0 : (w - ix0 + sw - 1) / sw;
  if (h > int64_t(wo)) h = int64_t(wo);
  *lo = size_t(l < h ? l : h);
  *hi = size_t(h);
}

// Output columns [lo, hi) of tap column kx and the offset of its first input
// column (which depend only on kx: worked out once per call, not per row).
struct TapColumns {
  size_t lo, hi;
  int64_t ix;  // input column of output column lo
};
inline TapColumns tap_columns(const DwPlane& p, const DwShape& s, size_t kx) {
  TapColumns t;
  const int64_t ix0 = int64_t(kx) * s.dw - int64_t(p.pad_left);
  column_range(ix0, s.sw, int64_t(p.w), p.wo, &t.lo, &t.hi);
  t.ix = int64_t(t.lo) * s.sw + ix0;
  return t;
}

// yr[ox] += kv * xs[(ox - lo) * sw] for ox in [lo, hi) (the columns read are
// inside the row; yr and xs never overlap: restrict lets the compiler
// vectorise without run-time alias checks).
inline void axpy(float* __restrict yr, const float* __restrict xs, float kv, size_t lo, size_t hi,
                 int64_t sw) {
  if (sw == 1) {
    for (size_t ox = lo; ox < hi; ox++) yr[ox] += kv * xs[ox - lo];
  } else {
    const size_t st = size_t(sw);
    for (size_t ox = lo; ox < hi; ox++) yr[ox] += kv * xs[(ox - lo) * st];
  }
}

constexpr size_t kMaxCachedKw = 16;

void one_plane(const DwPlane& p, const DwShape& s) {
  const int64_t h = int64_t(p.h);
  const int64_t pt = int64_t(p.pad_top);
  const float* k = p.k;
  const size_t taps = s.kh * s.kw;
  TapColumns cols[kMaxCachedKw];
  const bool cached = s.kw <= kMaxCachedKw;
  if (cached)
    for (size_t kx = 0; kx < s.kw; kx++) cols[kx] = tap_columns(p, s, kx);
  for (size_t oy = 0; oy < p.ho; oy++) {
    float* yr = p.y + oy * p.wo;
    for (size_t ox = 0; ox < p.wo; ox++) yr[ox] = k[taps];
    for (size_t ky = 0; ky < s.kh; ky++) {
      const int64_t iy = int64_t(oy) * s.sh - pt + int64_t(ky) * s.dh;
      if (iy < 0 || iy >= h) continue;
      const float* xr = p.x + size_t(iy) * p.w;
      for (size_t kx = 0; kx < s.kw; kx++) {
        const TapColumns t = cached ? cols[kx] : tap_columns(p, s, kx);
        if (t.lo < t.hi) axpy(yr, xr + t.ix, k[ky * s.kw + kx], t.lo, t.hi, s.sw);
      }
    }
    for (size_t ox = 0; ox < p.wo; ox++) yr[ox] = activate(yr[ox], p);
  }
}

template <size_t K, int64_t S>
void kxk_planes(const DwPlane& p) { dw_plane_generic(p, DwShape{K, K, S, S, 1, 1}); }

size_t no_scratch(const DwShape&, size_t, size_t, size_t, size_t) { return 0; }
void any_planes(const DwPlane& p, const DwShape& s, float*) { dw_plane_generic(p, s); }

}  // namespace

void dw_plane_generic(const DwPlane& p, const DwShape& s) {
  DwPlane one = p;
  const size_t hw = p.h * p.w, howo = p.ho * p.wo, kstep = dw_packed_floats(s.kh * s.kw);
  for (size_t i = 0; i < p.count; i++) {
    one_plane(one, s);
    one.x += hw;
    one.y += howo;
    one.k += kstep;
  }
}

const DwKernels& dw3x3_generic_kernels() {
  static const DwKernels k = {"dwconv3x3-generic-1x1", 3, kxk_planes<3, 1>, kxk_planes<3, 2>};
  return k;
}

const DwKernels& dw5x5_generic_kernels() {
  static const DwKernels k = {"dwconv5x5-generic-1x1", 5, kxk_planes<5, 1>, kxk_planes<5, 2>};
  return k;
}

const DwAnyKernels& dw_any_generic_kernels() {
  static const DwAnyKernels k = {"dwconv-generic-1x1", no_scratch, any_planes};
  return k;
}

}  // namespace detail
}  // namespace armconv

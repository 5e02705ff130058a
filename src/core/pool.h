// Pooling kernels (the "pool" family; the public operator: armconv/pool.h).
//
// Contract. Planes are dense NCHW float32: plane p of x is x + p*h*w, of y
// y + p*ho*wo; planes are independent (the driver, core/pool.cpp, splits them
// over threads: a kernel call takes planes [0, planes)). For output (oy, ox)
// the window is rows iy = oy*sh - pt + ky*dh (ky < kh), columns
// ix = ox*sw - pl + kx*dw (kx < kw); positions outside [0, h) x [0, w) are
// padding (top/left pt, pl; bottom/right whatever ho, wo reach, plus pb, pr
// for the divisor below).
//   max: the largest element, padding as -inf; NaN if any element is NaN
//        (NEON FMAX/VMAX and numpy's maximum propagate NaN; so must every
//        implementation). A window wholly in padding gives -inf.
//   avg: the sum of the in-map elements times 1/count (count computed in
//        double, 1/count rounded to float once), count = the number of
//        window positions in [0, h) x [0, w) (include_pad false) or in
//        [-pt, h + pb) x [-pl, w + pr) (true). count is a product of a row
//        and a column count. A window with count 0 gives 0 * inf = NaN.
// Sums run in float in an order each implementation chooses (the tests allow
// float32 rounding against a float64 reference); max results are exact.
// Reads x only inside its planes (a vector load never passes a plane's end);
// writes y[0, planes*ho*wo) only. `scratch`: scratch_floats(shape) floats,
// 64-byte aligned, any content.
#pragma once

#include <cstddef>

namespace armconv {
namespace detail {

struct PoolShape {
  size_t h, w, ho, wo;
  size_t kh, kw, sh, sw, dh, dw;
  size_t pt, pl, pb, pr;
  bool include_pad;  // average: count padding positions
};

struct PoolKernels {
  const char* name;  // pool-<isa>-<floats per vector>
  size_t (*scratch_floats)(const PoolShape& s);
  void (*max)(const PoolShape& s, const float* x, float* y, size_t planes, float* scratch);
  void (*avg)(const PoolShape& s, const float* x, float* y, size_t planes, float* scratch);
};

// generic/pool.cpp: the portable twin, one output at a time, taps row-major.
const PoolKernels& pool_generic_kernels();
// neon/pool.h, instantiated by neon/aarch64/pool_4.cpp and
// neon/armv7/pool_4.cpp: rows staged through scratch (every kernel size,
// stride and dilation), global pooling as a plane reduction.
const PoolKernels& pool_neon_kernels();

// Inline helpers in an anonymous namespace (see core/im2col.h): the NEON
// units, built with other flags on armv7, share no inline symbol with the
// baseline units.
namespace {

// Window positions of output o along one axis inside [lo, hi) (the map, or
// the padded map): the count the average divides by.
inline size_t pool_axis_count(size_t o, size_t stride, size_t k, size_t dil, size_t pad,
                              long long lo, long long hi) {
  size_t c = 0;
  const long long start = (long long)(o * stride) - (long long)pad;
  for (size_t t = 0; t < k; t++) {
    const long long i = start + (long long)(t * dil);
    if (i >= lo && i < hi) c++;
  }
  return c;
}

// 1/count rounded to float once; a count of 0 (a window wholly in padding,
// excluded) gives +inf, so that its sum 0 becomes NaN.
inline float pool_inv_count(size_t count) {
  return count ? float(1.0 / double(count)) : __builtin_inff();
}

}  // namespace

}  // namespace detail
}  // namespace armconv

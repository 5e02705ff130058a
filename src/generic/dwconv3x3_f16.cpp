// Portable fp16 depthwise 3x3: the generic twin of the NEON fp16 kernels
// (contract and order of operations: core/dwconv.h, DwPlaneH), with the
// binary16 emulation of core/half.h, so both give the same bits. One output
// at a time; slow (every operation emulated): tests only, never dispatched.
#include <cstddef>

#include "core/dwconv.h"
#include "core/half.h"

namespace armconv {
namespace detail {
namespace {

inline Half to_half(float v) { return float_to_half(v); }
inline Half to_half(Half v) { return v; }
inline void put(float* y, Half v) { *y = half_to_float(v); }
inline void put(Half* y, Half v) { *y = v; }

template <size_t S, class IO>
void one_plane(const DwPlaneH<IO>& p) {
  const ptrdiff_t h = ptrdiff_t(p.h), w = ptrdiff_t(p.w);
  const ptrdiff_t pt = ptrdiff_t(p.pad_top), pl = ptrdiff_t(p.pad_left);
  for (size_t oy = 0; oy < p.ho; oy++)
    for (size_t ox = 0; ox < p.wo; ox++) {
      Half acc{0};
      for (ptrdiff_t t = 0; t < 9; t++) {
        const ptrdiff_t iy = ptrdiff_t(oy * S) - pt + t / 3, ix = ptrdiff_t(ox * S) - pl + t % 3;
        const Half xv = iy >= 0 && iy < h && ix >= 0 && ix < w ? to_half(p.x[iy * w + ix]) : Half{0};
        acc = t == 0 ? mul_half(xv, p.k[0]) : fma_half(xv, p.k[t], acc);
      }
      acc = add_half(acc, p.k[9]);
      if (p.clamp) acc = min_half(max_half(acc, p.lo), p.hi);
      put(p.y + oy * p.wo + ox, acc);
    }
}

template <size_t S, class IO>
void plane(const DwPlaneH<IO>& p) {
  DwPlaneH<IO> q = p;
  for (size_t i = 0; i < p.count; i++) {
    q.x = p.x + i * p.h * p.w;
    q.y = p.y + i * p.ho * p.wo;
    q.k = p.k + i * kDw3x3PackedHalves;
    one_plane<S>(q);
  }
}

size_t no_scratch(size_t, size_t) { return 0; }

}  // namespace

const Dw3x3F16Kernels& dw3x3_f16_generic_kernels() {
  static const Dw3x3F16Kernels k = {"dwconv3x3-generic-1x1-fp16", plane<1, float>, plane<2, float>,
                                    plane<1, Half>, plane<2, Half>, no_scratch};
  return k;
}

}  // namespace detail
}  // namespace armconv

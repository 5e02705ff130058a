// Portable int8 depthwise convolution, any kernel size, stride and dilation:
// one output at a time, the exact int32 sum then the output stage of
// core/requant.h (contract: core/dwconv.h). It is the "depthwise" family of
// QConv2d and, with a 3x3 shape, the generic twin of the NEON 3x3 kernels.
#include "core/dwconv.h"
#include "core/requant.h"

namespace armconv {
namespace detail {

void dw_s8_plane_generic(const DwPlaneS8& p, const DwShape& s) {
  const int64_t h = int64_t(p.h), w = int64_t(p.w);
  const int64_t pt = int64_t(p.pad_top), pl = int64_t(p.pad_left);
  const S8Output& out = p.out;
  for (size_t oy = 0; oy < p.ho; oy++)
    for (size_t ox = 0; ox < p.wo; ox++) {
      int32_t acc = out.bias[0];
      for (size_t ky = 0; ky < s.kh; ky++) {
        const int64_t iy = int64_t(oy) * s.sh - pt + int64_t(ky) * s.dh;
        if (iy < 0 || iy >= h) continue;
        for (size_t kx = 0; kx < s.kw; kx++) {
          const int64_t ix = int64_t(ox) * s.sw - pl + int64_t(kx) * s.dw;
          if (ix < 0 || ix >= w) continue;
          acc += int32_t(p.x[size_t(iy) * p.w + size_t(ix)]) * int32_t(p.k[ky * s.kw + kx]);
        }
      }
      const size_t i = oy * p.wo + ox;
      if (out.kind == S8OutKind::Int8) {
        static_cast<int8_t*>(p.y)[i] = int8_t(s8_requant(acc, out.mult[0], out.shift, out.qmin, out.qmax));
      } else {
        float v = float(acc) * out.fscale[0];
        if (out.fclamp) v = v < out.fmin ? out.fmin : (v > out.fmax ? out.fmax : v);
        static_cast<float*>(p.y)[i] = v;
      }
    }
}

namespace {
// p.count planes, one at a time (core/dwconv.h).
void planes3x3(const DwPlaneS8& p, int64_t s) {
  DwPlaneS8 q = p;
  q.count = 1;
  const size_t es = out_elem_bytes(p.out);
  for (size_t i = 0; i < p.count; i++) {
    q.x = p.x + i * p.h * p.w;
    q.y = static_cast<char*>(p.y) + i * p.ho * p.wo * es;
    q.k = p.k + i * kDwS8PackedBytes;
    q.out = out_from_row(p.out, i);
    dw_s8_plane_generic(q, DwShape{3, 3, s, s, 1, 1});
  }
}
void plane3x3_s1(const DwPlaneS8& p) { planes3x3(p, 1); }
void plane3x3_s2(const DwPlaneS8& p) { planes3x3(p, 2); }
}  // namespace

const Dw3x3S8Kernels& dw3x3_s8_generic_kernels() {
  static const Dw3x3S8Kernels k = {"dwconv3x3_s8-generic-1x1", plane3x3_s1, plane3x3_s2};
  return k;
}

}  // namespace detail
}  // namespace armconv

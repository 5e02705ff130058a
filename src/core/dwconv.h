// Depthwise 3x3 convolution kernels (fp32, NCHW): the per-channel contract.
//
// A kernel convolves one channel plane:
//   y[oy][ox] = act(bias + sum_{ky,kx < 3} k[ky*3 + kx] * x[oy*s - pad_top + ky][ox*s - pad_left + kx])
// for oy < ho, ox < wo, where taps outside the h x w plane read zero. The
// padding is resolved inside the kernel (zero taps are skipped or zero vectors
// substituted), so the padded image is never materialised. Bottom and right
// padding are implied by ho and wo. Kernels read only x[0 .. h*w) and write only
// y[0 .. ho*wo): they may be handed user arrays with nothing around them.
//
// Packed weights: 12 floats per channel, k[0..8] the taps row-major, k[9] the
// bias, k[10..11] zero (three whole vectors; the bias is lane 1 of the third).
#pragma once

#include <cstddef>

namespace armconv {
namespace detail {

struct DwPlane {
  const float* x;  // input plane, h x w, dense
  size_t h, w;
  float* y;        // output plane, ho x wo, dense
  size_t ho, wo;
  size_t pad_top, pad_left;
  const float* k;  // 12 packed floats (see above)
  bool clamp;      // clamp the result to [lo, hi] (NaN propagates)
  float lo, hi;
};

using dw3x3_plane_fn = void (*)(const DwPlane& p);

struct Dw3x3Kernels {
  const char* name;  // implementation, reported by cpu_info()
  dw3x3_plane_fn stride1, stride2;
};

// Packed-weight layout size per channel.
constexpr size_t kDw3x3PackedFloats = 12;

const Dw3x3Kernels& dw3x3_generic_kernels();
#if defined(ARMCONV_HAVE_NEON)
const Dw3x3Kernels& dw3x3_neon_kernels();
#endif

}  // namespace detail
}  // namespace armconv

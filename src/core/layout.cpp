// nc4hw4 <-> NCHW conversions (see core/winograd.h for the layout).
#include <algorithm>

#include "core/dispatch.h"
#include "core/winograd.h"

namespace armconv {
namespace detail {

void nchw_to_nc4hw4(const float* x, size_t n, size_t c, size_t h, size_t w, float* y) {
  // Each group of 4 channel planes is one long row for the Winograd staging
  // kernel (pack_nc4: interleave, zero-fill the channel tail).
  const wino_pack_nc4_fn pack = kernels().winograd[0]->pack_nc4;
  const size_t hw = h * w, c4 = (c + 3) / 4;
  for (size_t b = 0; b < n; b++)
    for (size_t g = 0; g < c4; g++)
      pack(x + (b * c + 4 * g) * hw, hw, std::min<size_t>(4, c - 4 * g), 0, hw, 0,
           y + (b * c4 + g) * hw * 4);
}

void nc4hw4_to_nchw(const float* y, size_t n, size_t c, size_t h, size_t w, float* x) {
  const size_t hw = h * w, c4 = (c + 3) / 4;
  for (size_t b = 0; b < n; b++) {
    for (size_t ch = 0; ch < c; ch++) {
      const float* src = y + (b * c4 + ch / 4) * hw * 4 + ch % 4;
      float* dst = x + (b * c + ch) * hw;
      for (size_t i = 0; i < hw; i++) dst[i] = src[i * 4];
    }
  }
}

}  // namespace detail
}  // namespace armconv

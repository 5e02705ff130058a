// nc4hw4 <-> NCHW conversions (see core/winograd.h for the layout).
#include <cstring>

#include "core/winograd.h"

namespace armconv {
namespace detail {

void nchw_to_nc4hw4(const float* x, size_t n, size_t c, size_t h, size_t w, float* y) {
  const size_t hw = h * w, c4 = (c + 3) / 4;
  for (size_t b = 0; b < n; b++) {
    for (size_t g = 0; g < c4; g++) {
      float* dst = y + (b * c4 + g) * hw * 4;
      for (size_t l = 0; l < 4; l++) {
        const size_t ch = g * 4 + l;
        if (ch < c) {
          const float* src = x + (b * c + ch) * hw;
          for (size_t i = 0; i < hw; i++) dst[i * 4 + l] = src[i];
        } else {
          for (size_t i = 0; i < hw; i++) dst[i * 4 + l] = 0.0f;
        }
      }
    }
  }
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

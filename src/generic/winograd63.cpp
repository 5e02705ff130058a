// Portable Winograd F(6x6, 3x3) transforms: the templates of
// core/winograd_kernels.h over a 4-float "vector" (the compiler may vectorise
// it; the results do not depend on it), and the transform matrices. The
// per-position GEMM's twin is generic/wino_gemm.cpp.
#include <algorithm>

#include "core/winograd.h"
#include "core/winograd_kernels.h"

namespace armconv {
namespace detail {

const double kWinoBT[8][8] = {
    {1, 0, -21.0 / 4, 0, 21.0 / 4, 0, -1, 0},
    {0, 1, 1, -17.0 / 4, -17.0 / 4, 1, 1, 0},
    {0, -1, 1, 17.0 / 4, -17.0 / 4, -1, 1, 0},
    {0, 0.5, 0.25, -2.5, -1.25, 2, 1, 0},
    {0, -0.5, 0.25, 2.5, -1.25, -2, 1, 0},
    {0, 2, 4, -2.5, -5, 0.5, 1, 0},
    {0, -2, 4, 2.5, -5, -0.5, 1, 0},
    {0, -1, 0, 21.0 / 4, 0, -21.0 / 4, 0, 1},
};
const double kWinoG[8][3] = {
    {1, 0, 0},
    {-2.0 / 9, -2.0 / 9, -2.0 / 9},
    {-2.0 / 9, 2.0 / 9, -2.0 / 9},
    {1.0 / 90, 1.0 / 45, 2.0 / 45},
    {1.0 / 90, -1.0 / 45, 2.0 / 45},
    {32.0 / 45, 16.0 / 45, 8.0 / 45},
    {32.0 / 45, -16.0 / 45, 8.0 / 45},
    {0, 0, 1},
};
const double kWinoAT[6][8] = {
    {1, 1, 1, 1, 1, 1, 1, 0},
    {0, 1, -1, 2, -2, 0.5, -0.5, 0},
    {0, 1, 1, 4, 4, 0.25, 0.25, 0},
    {0, 1, -1, 8, -8, 0.125, -0.125, 0},
    {0, 1, 1, 16, 16, 1.0 / 16, 1.0 / 16, 0},
    {0, 1, -1, 32, -32, 1.0 / 32, -1.0 / 32, 1},
};

namespace generic {

struct V4 {
  float v[4];
};

// Plain-float policy for core/winograd_kernels.h. mla/mls are a multiply and
// an add (no fused multiply-add is required of the compiler).
struct Ops {
  using V = V4;
  const float* c;
  explicit Ops(const float* consts) : c(consts) {}
  void refresh() {}
  static V load(const float* p) { return {{p[0], p[1], p[2], p[3]}}; }
  static void store(float* p, const V& a) {
    for (int l = 0; l < 4; l++) p[l] = a.v[l];
  }
  static V zero() { return {{0, 0, 0, 0}}; }
  static V dup(float x) { return {{x, x, x, x}}; }
  static V add(const V& a, const V& b) {
    V r;
    for (int l = 0; l < 4; l++) r.v[l] = a.v[l] + b.v[l];
    return r;
  }
  static V sub(const V& a, const V& b) {
    V r;
    for (int l = 0; l < 4; l++) r.v[l] = a.v[l] - b.v[l];
    return r;
  }
  // Comparisons, so that a NaN in `a` propagates.
  static V max(const V& a, const V& b) {
    V r;
    for (int l = 0; l < 4; l++) r.v[l] = a.v[l] < b.v[l] ? b.v[l] : a.v[l];
    return r;
  }
  static V min(const V& a, const V& b) {
    V r;
    for (int l = 0; l < 4; l++) r.v[l] = a.v[l] > b.v[l] ? b.v[l] : a.v[l];
    return r;
  }
  template <int K>
  V mla(const V& a, const V& b) const {
    V r;
    for (int l = 0; l < 4; l++) r.v[l] = a.v[l] + b.v[l] * c[K];
    return r;
  }
  template <int K>
  V mls(const V& a, const V& b) const {
    V r;
    for (int l = 0; l < 4; l++) r.v[l] = a.v[l] - b.v[l] * c[K];
    return r;
  }
  template <int K>
  V mul(const V& b) const {
    V r;
    for (int l = 0; l < 4; l++) r.v[l] = b.v[l] * c[K];
    return r;
  }
  static void store_row(float* p, size_t ch, const V* y, size_t cols, size_t nch) {
    for (size_t l = 0; l < nch; l++)
      for (size_t b = 0; b < cols; b++) p[l * ch + b] = y[b].v[l];
  }
  static void store_row6(float* p, size_t ch, const V* y) { store_row(p, ch, y, 6, 4); }
};

void pack_nc4(const float* x, size_t ch_stride, size_t nch, size_t lo, size_t n, size_t hi,
              float* dst) {
  std::fill_n(dst, lo * 4, 0.0f);
  dst += lo * 4;
  for (size_t i = 0; i < n; i++)
    for (size_t l = 0; l < 4; l++) dst[i * 4 + l] = l < nch ? x[l * ch_stride + i] : 0.0f;
  std::fill_n(dst + n * 4, hi * 4, 0.0f);
}

}  // namespace generic

const WinoKernels& wino63_generic_kernels() {
  static const WinoKernels k = {"winograd63-generic-nc4", generic::pack_nc4,
                                wino::input_tile<generic::Ops>, wino::output_tile<generic::Ops>};
  return k;
}

}  // namespace detail
}  // namespace armconv

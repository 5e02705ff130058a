// The Strassen combine micro-kernel (core/strassen.h), portable twin: one
// element at a time, the same adds in the same order as the NEON kernels.
#include <cstring>

#include "core/strassen.h"
#include "core/strassen_pack.h"

namespace armconv {
namespace detail {
namespace {

// min(max(v, lo), hi) as FMAX / FMIN (VMAX / VMIN) compute it: NaN
// propagates, and max(-0, +0) = +0 (relu of a -0 sum is +0, as on NEON).
inline float clampf(float v, float lo, float hi) {
  const float m = (v > lo || v != v) ? v : lo;
  return (m < hi || m != m) ? m : hi;
}

void combine_generic(size_t m_top, size_t m_bot, size_t n_left, size_t n_right, const float* p, size_t ldp,
                     size_t pstride, float* c11, float* c21, size_t ldc, size_t n2, bool clamp, float lo,
                     float hi) {
  for (size_t r = 0; r < m_top; r++) {
    const float* p1 = p + r * ldp;
    const float *p2 = p1 + pstride, *p3 = p2 + pstride, *p4 = p3 + pstride, *p5 = p4 + pstride,
                *p6 = p5 + pstride, *p7 = p6 + pstride;
    float* y11 = c11 + r * ldc;
    float* y21 = c21 + r * ldc;
    const bool bot = r < m_bot;
    for (size_t j = 0; j < n_left; j++) {
      float v11 = ((p1[j] + p4[j]) - p5[j]) + p7[j];
      float v12 = p3[j] + p5[j];
      float v21 = p2[j] + p4[j];
      float v22 = ((p1[j] - p2[j]) + p3[j]) + p6[j];
      if (clamp) {
        v11 = clampf(v11, lo, hi);
        v12 = clampf(v12, lo, hi);
        v21 = clampf(v21, lo, hi);
        v22 = clampf(v22, lo, hi);
      }
      y11[j] = v11;
      if (j < n_right) y11[n2 + j] = v12;
      if (bot) {
        y21[j] = v21;
        if (j < n_right) y21[n2 + j] = v22;
      }
    }
  }
}

// The B-combination packer's "vector" (core/strassen_pack.h): 4 floats,
// one add at a time (the same IEEE operations as the NEON lanes).
struct StrassenV4Generic {
  struct T {
    float v[4];
  };
  static T load(const float* p) {
    T t;
    std::memcpy(t.v, p, sizeof t.v);
    return t;
  }
  static void store(float* p, T t) { std::memcpy(p, t.v, sizeof t.v); }
  static T add(T a, T b) {
    for (int i = 0; i < 4; i++) a.v[i] += b.v[i];
    return a;
  }
  static T sub(T a, T b) {
    for (int i = 0; i < 4; i++) a.v[i] -= b.v[i];
    return a;
  }
};

void pack_b_combo_generic(const StrassenBlock& a, const StrassenBlock* b, bool sub, size_t k2, size_t nc,
                          size_t col0, size_t nr, size_t edge_cols, float* dst) {
  strassen_pack_b_combo<StrassenV4Generic>(a, b, sub, k2, nc, col0, nr, edge_cols, dst);
}

}  // namespace

const StrassenKernels& strassen_generic_kernels() {
  static const StrassenKernels k = {"strassen-generic-1", combine_generic, pack_b_combo_generic};
  return k;
}

}  // namespace detail
}  // namespace armconv

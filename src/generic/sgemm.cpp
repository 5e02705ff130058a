// Portable fp32 GEMM: packers and a register-tile micro-kernel written so that
// the compiler vectorises it (fixed MR x NR accumulator array, unit-stride inner
// loop over NR). It uses the same packed formats as the NEON kernels (see
// core/sgemm.h), with the aarch64 tile (8 x 12) by default; other tiles are
// instantiated for tests that compare packers panel by panel.
#include "generic/sgemm_generic.h"

#include <cstring>

namespace armconv {
namespace detail {
namespace generic {

template <size_t MR, size_t NR>
void sgemm_tile(size_t kc, const float* a, const float* b, float* c, size_t ldc, size_t m,
                size_t n, const float* bias, unsigned flags, float lo, float hi) {
  float acc[MR][NR];
  for (size_t r = 0; r < MR; r++)
    for (size_t j = 0; j < NR; j++) acc[r][j] = 0.0f;
  for (size_t k = 0; k < kc; k++) {
    const float* bk = b + k * NR;
    const float* ak = a + k * MR;
    for (size_t r = 0; r < MR; r++)
      for (size_t j = 0; j < NR; j++) acc[r][j] += ak[r] * bk[j];
  }
  const bool accumulate = flags & kAccumulate;
  const bool clamp = flags & kClamp;
  for (size_t r = 0; r < m; r++) {
    float* cr = c + r * ldc;
    for (size_t j = 0; j < n; j++) {
      float v = acc[r][j] + (accumulate ? cr[j] : bias[r]);
      // Written with comparisons (not fmin/fmax) so that NaN propagates.
      if (clamp) v = v < lo ? lo : (v > hi ? hi : v);
      cr[j] = v;
    }
  }
}

// One A panel times the B panels that follow each other in `b`, tile by tile.
template <size_t MR, size_t NR>
void sgemm_ukernel(size_t kc, const float* a, const float* b, float* c, size_t ldc, size_t m,
                   size_t n, const float* bias, unsigned flags, float lo, float hi) {
  for (size_t q = 0; q < n; q += NR, b += NR * kc, c += NR)
    sgemm_tile<MR, NR>(kc, a, b, c, ldc, m, n - q < NR ? n - q : NR, bias, flags, lo, hi);
}

template <size_t MR>
void pack_a(size_t m, size_t k, const float* a, size_t lda, float* dst) {
  for (size_t p = 0; p < m; p += MR) {
    for (size_t kk = 0; kk < k; kk++) {
      for (size_t r = 0; r < MR; r++) *dst++ = (p + r < m) ? a[(p + r) * lda + kk] : 0.0f;
    }
  }
}

template <size_t NR>
void pack_b(size_t kc, size_t nc, const float* b, size_t ldb, float* dst) {
  for (size_t q = 0; q < nc; q += NR) {
    const size_t cols = nc - q < NR ? nc - q : NR;
    for (size_t kk = 0; kk < kc; kk++) {
      const float* src = b + kk * ldb + q;
      size_t j = 0;
      for (; j < cols; j++) dst[j] = src[j];
      for (; j < NR; j++) dst[j] = 0.0f;
      dst += NR;
    }
  }
}

template <size_t NR>
void pack_im2col(const Im2colGeom& g, size_t k0, size_t kc, size_t n0, size_t nc, float* dst) {
  for (size_t q = 0; q < nc; q += NR) {
    const size_t cols = nc - q < NR ? nc - q : NR;
    // Top-left input coordinate of each column's receptive field.
    ptrdiff_t iy0[NR], ix0[NR];
    for (size_t j = 0; j < NR; j++) {
      const size_t col = n0 + q + (j < cols ? j : 0);
      iy0[j] = ptrdiff_t(col / g.wo * g.sh) - g.pad_top;
      ix0[j] = ptrdiff_t(col % g.wo * g.sw) - g.pad_left;
    }
    size_t c = k0 / (g.kh * g.kw), ky = k0 / g.kw % g.kh, kx = k0 % g.kw;
    for (size_t kk = 0; kk < kc; kk++) {
      const float* plane = g.x + c * g.h * g.w;
      const ptrdiff_t dy = ptrdiff_t(ky * g.dh), dx = ptrdiff_t(kx * g.dw);
      for (size_t j = 0; j < NR; j++) {
        const ptrdiff_t iy = iy0[j] + dy, ix = ix0[j] + dx;
        const bool inside = j < cols && size_t(iy) < g.h && size_t(ix) < g.w;
        dst[j] = inside ? plane[size_t(iy) * g.w + size_t(ix)] : 0.0f;
      }
      dst += NR;
      if (++kx == g.kw) {
        kx = 0;
        if (++ky == g.kh) { ky = 0; c++; }
      }
    }
  }
}

template <size_t MR, size_t NR>
const SgemmKernels& table(const char* name) {
  static const SgemmKernels k = {name, MR, NR, sgemm_ukernel<MR, NR>, pack_a<MR>, pack_b<NR>,
                                 pack_im2col<NR>};
  return k;
}

}  // namespace generic

const SgemmKernels& sgemm_generic_kernels() { return generic::table<8, 12>("generic-8x12"); }

const SgemmKernels* sgemm_generic_kernels_for(size_t mr, size_t nr) {
  if (mr == 8 && nr == 12) return &generic::table<8, 12>("generic-8x12");
  if (mr == 8 && nr == 8) return &generic::table<8, 8>("generic-8x8");
  if (mr == 6 && nr == 8) return &generic::table<6, 8>("generic-6x8");
  if (mr == 4 && nr == 8) return &generic::table<4, 8>("generic-4x8");
  if (mr == 4 && nr == 12) return &generic::table<4, 12>("generic-4x12");
  if (mr == 12 && nr == 8) return &generic::table<12, 8>("generic-12x8");
  return nullptr;
}

}  // namespace detail
}  // namespace armconv

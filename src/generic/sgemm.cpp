// Portable fp32 GEMM: a register-tile micro-kernel written so that the
// compiler vectorises it (fixed MR x NR accumulator array, unit-stride inner
// loop over NR), over the packers of generic/gemm_generic.h (KR = 1). The
// default table has the aarch64 tile (8 x 12); other tiles are instantiated
// for tests that compare a NEON table with its twin panel by panel.
#include <cstring>

#include "core/gemm.h"
#include "generic/gemm_generic.h"

namespace armconv {
namespace detail {
namespace generic {
namespace {

// EC: the table's b_edge_cols (core/gemm.h: a last panel of n <= EC
// columns is packed in 4-row groups).
template <size_t MR, size_t NR, size_t EC>
void sgemm_tile(size_t kc, size_t m, size_t n, const float* a, const float* b, float* c,
                size_t ldc, const F32Output& out, unsigned flags) {
  float acc[MR][NR];
  for (size_t r = 0; r < MR; r++)
    for (size_t j = 0; j < NR; j++) acc[r][j] = 0.0f;
  if (n <= EC) {
    for (size_t k = 0; k < kc; k++) {
      const float* ak = a + k * MR;
      for (size_t r = 0; r < MR; r++)
        for (size_t j = 0; j < n; j++) acc[r][j] += ak[r] * b[packed_b_at(NR, 1, EC, kc, n, k, j)];
    }
  } else {
    for (size_t k = 0; k < kc; k++) {
      const float* bk = b + k * NR;
      const float* ak = a + k * MR;
      for (size_t r = 0; r < MR; r++)
        for (size_t j = 0; j < NR; j++) acc[r][j] += ak[r] * bk[j];
    }
  }
  const bool accumulate = flags & kAccumulate;
  const bool clamp = (flags & kLastK) && out.clamp;
  for (size_t r = 0; r < m; r++) {
    float* cr = c + r * ldc;
    for (size_t j = 0; j < n; j++) {
      float v = acc[r][j] + (accumulate ? cr[j] : out.bias[r]);
      // Written with comparisons (not fmin/fmax) so that NaN propagates.
      if (clamp) v = v < out.lo ? out.lo : (v > out.hi ? out.hi : v);
      cr[j] = v;
    }
  }
}

// One A panel times the B panels that follow each other in `b`, tile by tile.
template <size_t MR, size_t NR, size_t EC>
void sgemm_ukernel(size_t kc, size_t m, size_t n, const float* a, const float* b, float* c,
                   size_t ldc, const F32Output& out, unsigned flags) {
  for (size_t q = 0; q < n; q += NR, b += NR * kc, c += NR)
    sgemm_tile<MR, NR, EC>(kc, m, n - q < NR ? n - q : NR, a, b, c, ldc, out, flags);
}

// The last panel of a packed block (row layout) into edge groups, if it has
// 1..EC columns (core/gemm.h).
template <size_t NR, size_t EC>
void edge_groups(size_t kc, size_t nc, float* dst) {
  const size_t cols = nc % NR;
  if (EC == 0 || cols == 0 || cols > EC) return;
  float* p = dst + nc / NR * NR * kc;
  for (size_t g = 0; g + 4 <= kc; g += 4) {
    float t[4 * NR];
    std::memcpy(t, p + g * NR, sizeof t);
    for (size_t i = 0; i < 4 * NR; i++) p[g * NR + i] = 0.0f;
    for (size_t j = 0; j < cols; j++)
      for (size_t i = 0; i < 4; i++) p[g * NR + j * 4 + i] = t[i * NR + j];
  }
}
template <size_t NR, size_t EC>
void pack_b_edge(size_t kc, size_t nc, const float* b, size_t ldb, float* dst) {
  pack_b<float, float, NR, 1>(kc, nc, b, ldb, dst);
  edge_groups<NR, EC>(kc, nc, dst);
}
template <size_t NR, size_t EC>
void pack_im2col_edge(const Im2colGeom& g, size_t k0, size_t kc, size_t n0, size_t nc, float* dst) {
  pack_im2col<float, float, NR, 1>(g, k0, kc, n0, nc, dst);
  edge_groups<NR, EC>(kc, nc, dst);
}

// N = 1: one A panel times x (core/gemm.h, gemv_fn), k in order.
template <size_t MR>
void sgemv(size_t k, size_t m, const float* a, const float* x, float* y, size_t ldy, const F32Output& out) {
  float acc[MR];
  for (size_t r = 0; r < MR; r++) acc[r] = out.bias[r];
  for (size_t kk = 0; kk < k; kk++)
    for (size_t r = 0; r < MR; r++) acc[r] += a[kk * MR + r] * x[kk];
  for (size_t r = 0; r < m; r++) {
    float v = acc[r];
    if (out.clamp) v = v < out.lo ? out.lo : (v > out.hi ? out.hi : v);
    y[r * ldy] = v;
  }
}

template <size_t MR, size_t NR, size_t EC = 0>
const SgemmKernels& table(const char* name) {
  static const SgemmKernels k = [&] {
    SgemmKernels t = {name,
                      MR,
                      NR,
                      1,
                      sgemm_ukernel<MR, NR, EC>,
                      pack_a<float, MR, 1>,
                      pack_b_edge<NR, EC>,
                      pack_im2col_edge<NR, EC>,
                      /*pad_copy=*/false,
                      sgemv<MR>};
    t.b_edge_cols = EC;
    return t;
  }();
  return k;
}

}  // namespace
}  // namespace generic

// The 8x12 tile has the edge groups of the aarch64 kernel's format (b_edge_cols 3).
const SgemmKernels& sgemm_generic_kernels() { return generic::table<8, 12, 3>("sgemm-generic-8x12"); }

const SgemmKernels* sgemm_generic_kernels_for(size_t mr, size_t nr) {
  if (mr == 8 && nr == 12) return &sgemm_generic_kernels();
  if (mr == 8 && nr == 8) return &generic::table<8, 8>("sgemm-generic-8x8");
  if (mr == 6 && nr == 8) return &generic::table<6, 8>("sgemm-generic-6x8");
  if (mr == 4 && nr == 8) return &generic::table<4, 8>("sgemm-generic-4x8");
  if (mr == 4 && nr == 12) return &generic::table<4, 12>("sgemm-generic-4x12");
  if (mr == 12 && nr == 8) return &generic::table<12, 8>("sgemm-generic-12x8");
  return nullptr;
}

}  // namespace detail
}  // namespace armconv

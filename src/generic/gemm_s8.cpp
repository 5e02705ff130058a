// Portable int8 GEMM: packers for both packed formats (k grouped by 16 for the
// smull path, by 4 for the sdot path; see core/gemm_s8.h) and a register-tile
// micro-kernel over either. The default table uses the aarch64 smull tile
// (4 x 4, KG 16); other tiles are instantiated for tests that compare the
// NEON packers and kernels with these, panel by panel.
#include <cstring>

#include "core/buffer.h"
#include "core/gemm_s8.h"

namespace armconv {
namespace detail {
namespace generic {

// One output row segment through the output stage (the rule in gemm_s8.h).
void store_row(const int32_t* acc, size_t r, size_t n, void* c, size_t ldc, const S8Output& out) {
  switch (out.kind) {
    case S8OutKind::Int32: {
      int32_t* cr = static_cast<int32_t*>(c) + r * ldc;
      for (size_t j = 0; j < n; j++) cr[j] = acc[j];
      break;
    }
    case S8OutKind::Int8: {
      int8_t* cr = static_cast<int8_t*>(c) + r * ldc;
      for (size_t j = 0; j < n; j++)
        cr[j] = int8_t(s8_requant(acc[j], out.mult[r], out.shift, out.qmin, out.qmax));
      break;
    }
    case S8OutKind::Float: {
      float* cr = static_cast<float*>(c) + r * ldc;
      for (size_t j = 0; j < n; j++) {
        float v = float(acc[j]) * out.fscale[r];
        if (out.fclamp) v = v < out.fmin ? out.fmin : (v > out.fmax ? out.fmax : v);
        cr[j] = v;
      }
      break;
    }
  }
}

template <size_t MR, size_t NR, size_t KG>
void ukernel(size_t k, size_t m, size_t n, const int8_t* a, const int8_t* b, void* c, size_t ldc,
             const S8Output& out) {
  const size_t groups = div_up(k, KG), es = out.kind == S8OutKind::Int8 ? 1 : 4;
  for (size_t q = 0; q < n; q += NR, b += NR * KG * groups) {
    int32_t acc[MR][NR];
    for (size_t r = 0; r < MR; r++)
      for (size_t j = 0; j < NR; j++) acc[r][j] = out.bias[r];
    for (size_t g = 0; g < groups; g++) {
      const int8_t* ag = a + g * MR * KG;
      const int8_t* bg = b + g * NR * KG;
      for (size_t r = 0; r < MR; r++)
        for (size_t j = 0; j < NR; j++) {
          int32_t s = 0;
          for (size_t i = 0; i < KG; i++) s += int32_t(ag[r * KG + i]) * int32_t(bg[j * KG + i]);
          acc[r][j] += s;
        }
    }
    const size_t cols = n - q < NR ? n - q : NR;
    void* cq = static_cast<char*>(c) + q * es;
    for (size_t r = 0; r < m; r++) store_row(acc[r], r, cols, cq, ldc, out);
  }
}

template <size_t MR, size_t KG>
void pack_a(size_t m, size_t k, const int8_t* a, size_t lda, int8_t* dst) {
  const size_t kp = round_up(k, KG);
  for (size_t p = 0; p < m; p += MR)
    for (size_t g = 0; g < kp; g += KG)
      for (size_t r = 0; r < MR; r++)
        for (size_t i = 0; i < KG; i++)
          *dst++ = (p + r < m && g + i < k) ? a[(p + r) * lda + g + i] : 0;
}

template <size_t NR, size_t KG>
void pack_b(size_t k, size_t nc, const int8_t* b, size_t ldb, int8_t* dst) {
  const size_t kp = round_up(k, KG);
  for (size_t q = 0; q < nc; q += NR) {
    const size_t cols = nc - q < NR ? nc - q : NR;
    for (size_t g = 0; g < kp; g += KG)
      for (size_t j = 0; j < NR; j++)
        for (size_t i = 0; i < KG; i++)
          *dst++ = (j < cols && g + i < k) ? b[(g + i) * ldb + q + j] : 0;
  }
}

template <size_t NR, size_t KG>
void pack_im2col(const Im2colGeomS8& gs, size_t n0, size_t nc, int8_t* dst) {
  const Im2colGeom& g = gs.geom;
  const size_t k = g.channels * g.kh * g.kw, kp = round_up(k, KG);
  for (size_t q = 0; q < nc; q += NR) {
    const size_t cols = nc - q < NR ? nc - q : NR;
    // Top-left input coordinate of each column's receptive field.
    ptrdiff_t iy0[NR], ix0[NR];
    for (size_t j = 0; j < NR; j++) {
      const size_t col = n0 + q + (j < cols ? j : 0);
      iy0[j] = ptrdiff_t(col / g.wo * g.sh) - g.pad_top;
      ix0[j] = ptrdiff_t(col % g.wo * g.sw) - g.pad_left;
    }
    std::memset(dst, 0, NR * kp);
    size_t c = 0, ky = 0, kx = 0;
    for (size_t kk = 0; kk < k; kk++) {
      const int8_t* plane = gs.x + c * g.h * g.w;
      const ptrdiff_t dy = ptrdiff_t(ky * g.dh), dx = ptrdiff_t(kx * g.dw);
      int8_t* d = dst + kk / KG * NR * KG + kk % KG;
      for (size_t j = 0; j < cols; j++) {
        const ptrdiff_t iy = iy0[j] + dy, ix = ix0[j] + dx;
        if (size_t(iy) < g.h && size_t(ix) < g.w) d[j * KG] = plane[size_t(iy) * g.w + size_t(ix)];
      }
      if (++kx == g.kw) {
        kx = 0;
        if (++ky == g.kh) { ky = 0; c++; }
      }
    }
    dst += NR * kp;
  }
}

template <size_t MR, size_t NR, size_t KG>
const S8GemmKernels& table(const char* name) {
  static const S8GemmKernels t = {name,           MR,          NR,          KG,
                                  ukernel<MR, NR, KG>, pack_a<MR, KG>, pack_b<NR, KG>,
                                  pack_im2col<NR, KG>};
  return t;
}

}  // namespace generic

const S8GemmKernels& gemm_s8_generic_kernels() { return generic::table<4, 4, 16>("generic-4x4k16"); }

const S8GemmKernels* gemm_s8_generic_kernels_for(size_t mr, size_t nr, size_t kg) {
  if (mr == 4 && nr == 4 && kg == 16) return &generic::table<4, 4, 16>("generic-4x4k16");
  if (mr == 4 && nr == 2 && kg == 16) return &generic::table<4, 2, 16>("generic-4x2k16");
  if (mr == 8 && nr == 12 && kg == 4) return &generic::table<8, 12, 4>("generic-8x12k4");
  return nullptr;
}

}  // namespace detail
}  // namespace armconv

// The int8 GEMM macro loops (see gemm_s8.h), A prepacked whole, K unblocked:
//
//   for each N-block of nc columns        (independent: the threading split)
//     pack B[:, n-block] into NR-column panels (k grouped by KG; fits L2)
//     for each MR-row panel of A
//       micro-kernel: MR x nc strip of C, requantized in its store
//
// Also the requantization multipliers (the rule is in gemm_s8.h).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/buffer.h"
#include "core/gemm_s8.h"

namespace armconv {
namespace detail {

namespace {
// The packed B block aims at 128 KB (half an L2 share on Cortex-A72/A76, the
// rest for the output rows it produces).
constexpr size_t kBlockBytes = 128 * 1024;

size_t elem_bytes(S8OutKind kind) { return kind == S8OutKind::Int8 ? 1 : 4; }
}  // namespace

void requant_multipliers(const double* s, size_t count, int32_t* mult, int* shift) {
  double smax = 0.0;
  for (size_t i = 0; i < count; i++) smax = std::max(smax, s[i]);
  // Smallest E >= 0 with round(smax * 2^(31-E)) < 2^31 (E <= 31: larger
  // scales saturate every nonzero accumulator anyway).
  int e = 0;
  while (e < 31 && std::floor(std::ldexp(smax, 31 - e) + 0.5) >= 2147483648.0) e++;
  for (size_t i = 0; i < count; i++) {
    const double m = std::floor(std::ldexp(s[i], 31 - e) + 0.5);
    mult[i] = int32_t(std::min(m, 2147483647.0));
  }
  *shift = e;
}

namespace {
// Row (c, ky, kx) of the im2col matrix, columns [n0, n0 + nc), into out.
void im2col_row(const Im2colGeomS8& gs, size_t c, size_t ky, size_t kx, size_t n0, size_t nc,
                int8_t* out) {
  const Im2colGeom& g = gs.geom;
  const int8_t* plane = gs.x + c * g.h * g.w;
  size_t oy = n0 / g.wo, ox = n0 % g.wo;
  for (size_t left = nc; left > 0; ox = 0, oy++) {
    const size_t run = std::min(g.wo - ox, left);  // the rest of output row oy
    const ptrdiff_t iy = ptrdiff_t(oy * g.sh + ky * g.dh) - g.pad_top;
    const ptrdiff_t ix0 = ptrdiff_t(ox * g.sw + kx * g.dw) - g.pad_left;
    if (iy < 0 || size_t(iy) >= g.h) {
      std::memset(out, 0, run);
    } else {
      const int8_t* row = plane + size_t(iy) * g.w;
      if (g.sw == 1) {  // inputs ix0 .. ix0 + run - 1: zeros, a copy, zeros
        const ptrdiff_t w = ptrdiff_t(g.w), r = ptrdiff_t(run);
        const ptrdiff_t lo = std::min(std::max(-ix0, ptrdiff_t(0)), r);
        const ptrdiff_t hi = std::max(std::min(w - ix0, r), lo);
        if (lo > 0) std::memset(out, 0, size_t(lo));
        std::memcpy(out + lo, row + ix0 + lo, size_t(hi - lo));
        if (hi < r) std::memset(out + hi, 0, size_t(r - hi));
      } else {
        for (size_t t = 0; t < run; t++) {
          const ptrdiff_t ix = ix0 + ptrdiff_t(t * g.sw);
          out[t] = ix >= 0 && size_t(ix) < g.w ? row[ix] : 0;
        }
      }
    }
    out += run;
    left -= run;
  }
}
}  // namespace

void pack_im2col_via_pack_b(gemm_s8_pack_b_fn pack_b, size_t nr, size_t kg, const Im2colGeomS8& gs,
                            size_t n0, size_t nc, int8_t* dst) {
  const Im2colGeom& g = gs.geom;
  const size_t k = g.channels * g.kh * g.kw, kp = round_up(k, kg), panels = div_up(nc, nr);
  // Scratch from the caller (im2col_s8_scratch_bytes): gathered rows, then
  // the packed group of every panel.
  int8_t* stage = gs.scratch;
  int8_t* group = gs.scratch + kg * nc;
  size_t c = 0, ky = 0, kx = 0;
  for (size_t k0 = 0; k0 < k; k0 += kg) {
    for (size_t i = 0; i < kg; i++) {
      if (k0 + i < k) {
        im2col_row(gs, c, ky, kx, n0, nc, stage + i * nc);
        if (++kx == g.kw) {
          kx = 0;
          if (++ky == g.kh) { ky = 0; c++; }
        }
      } else {
        std::memset(stage + i * nc, 0, nc);
      }
    }
    pack_b(kg, nc, stage, nc, group);
    for (size_t p = 0; p < panels; p++)
      std::memcpy(dst + p * nr * kp + k0 * nr, group + p * nr * kg, nr * kg);
  }
}

S8Blocking gemm_s8_blocking(const S8GemmKernels& kern, size_t m, size_t n, size_t k) {
  (void)m;
  S8Blocking blk;
  blk.kp = round_up(std::max<size_t>(k, 1), kern.kg);
  size_t nc = kBlockBytes / blk.kp / kern.nr * kern.nr;
  nc = std::max(nc, kern.nr);
  blk.nc = std::min(nc, round_up(std::max<size_t>(n, 1), kern.nr));
  return blk;
}

void gemm_s8_run(const S8GemmKernels& kern, const S8Blocking& blk, size_t m, size_t n, size_t k,
                 const int8_t* packed_a, const S8BSource& src, void* c, size_t ldc,
                 const S8Output& out, int8_t* workspace) {
  const size_t mr = kern.mr, es = elem_bytes(out.kind);
  char* cbytes = static_cast<char*>(c);
  for (size_t n0 = 0; n0 < n; n0 += blk.nc) {
    const size_t nc = std::min(blk.nc, n - n0);
    if (src.im2col)
      kern.pack_im2col(*src.im2col, n0, nc, workspace);
    else
      kern.pack_b(k, nc, src.b + n0, src.ldb, workspace);
    for (size_t m0 = 0; m0 < m; m0 += mr) {
      S8Output o = out;
      o.bias += m0;
      if (o.mult) o.mult += m0;
      if (o.fscale) o.fscale += m0;
      kern.ukernel(k, std::min(mr, m - m0), nc, packed_a + m0 * blk.kp, workspace,
                   cbytes + (m0 * ldc + n0) * es, ldc, o);
    }
  }
}

}  // namespace detail
}  // namespace armconv

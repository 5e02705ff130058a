// The GEMM driver (contract: core/gemm.h), one template for every data type,
// instantiated below for F32Gemm, S8Gemm and the two fp16 traits. BLIS loop order, A packed once
// per layer, over a range of work units:
//
//   for each N-block of the range (nc columns)
//     for each K-block (kc rows; one block when the traits never split K)
//       pack B[k-block][n-block] into NR-column panels        (fits L2)
//       for each MR-row panel of the range in this N-block  (kc x MR of A in L1)
//         micro-kernel over the NR-column panels of the block:
//           MR x NR tiles of C, one after the other, output stage fused
//
// The first K-block starts from the bias, later ones accumulate into C, and
// only the last one applies the activation; so each output sees the same
// sequence of operations whatever range computes it.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/buffer.h"
#include "core/gemm.h"
#include "core/requant.h"

namespace armconv {
namespace detail {

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

template <class C>
C* c_at(C* c, size_t row, size_t col, size_t ldc, size_t es) {
  return static_cast<C*>(static_cast<void*>(static_cast<char*>(static_cast<void*>(c)) +
                                            (row * ldc + col) * es));
}

// Row (channel c, tap t) of the im2col matrix, block columns from output row
// oy0, column ox0 on (nc of them), into out: zeros, then the runs of pixels
// inside the image. (Out of line: inlined into the packer's loops, its
// state no longer fits the registers.)
template <class E>
#if defined(__GNUC__)
__attribute__((noinline))
#endif
void im2col_row(const Im2colGeom& g, size_t c, const Im2colTap& t, size_t oy0, size_t ox0,
                size_t nc, E* out) {
  const E* plane = static_cast<const E*>(g.x) + c * g.h * g.w;
  // One memset for the row rather than one per padding run (1-2 elements
  // at each end of an output row: a call each).
  std::memset(out, 0, nc * sizeof(E));
  Im2colRun r;
  if (g.sw == 1) {
    for (Im2colRuns it(g, t, oy0, ox0, nc); it.next(&r);)
      if (r.count) std::memcpy(out + r.j + r.lead, plane + r.src, r.count * sizeof(E));
  } else {
    const size_t sw = size_t(g.sw);  // (several pixels of a run are in the image)
    for (Im2colRuns it(g, t, oy0, ox0, nc); it.next(&r);) {
      E* d = out + r.j + r.lead;
      const E* s = plane + r.src;
      for (size_t i = 0; i < r.count; i++) d[i] = s[i * sw];
    }
  }
}

// Staged im2col packing for tables without a pack_im2col: KR rows of the
// matrix at a time are gathered into scratch (contiguous runs of the image
// copied, padding zero-filled), packed by the table's dense pack_b as a
// KR-row matrix (exactly one k group of every panel), and each panel's group
// moved into place. The same bytes as pack_b over the dense im2col matrix.
// The tap geometry is worked out once per call (the rows step through the
// taps in order), not once per row: divisions are library calls on armv7.
template <class T>
#if defined(__GNUC__)
__attribute__((noinline))
#endif
void pack_im2col_staged(const GemmKernel<T>& kern, const Im2colGeom& g, size_t k0, size_t kc,
                        size_t n0, size_t nc, typename T::B* dst, typename T::X* stage) {
  using B = typename T::B;
  using X = typename T::X;
  const size_t kr = kern.kr, nr = kern.nr, kcp = round_up(kc, kr), panels = div_up(nc, nr);
  const size_t taps = g.kh * g.kw, oy0 = n0 / g.wo, ox0 = n0 % g.wo;
  constexpr size_t kCachedTaps = 49;  // up to 7x7 kernels
  Im2colTap cache[kCachedTaps];
  const bool cached = taps <= kCachedTaps;
  if (cached)
    for (size_t t = 0; t < taps; t++) cache[t] = im2col_tap(g, t);
  size_t c = k0 / taps, t = k0 % taps;  // channel and tap of the next row
  X* rows = stage;  // KR rows of nc X elements, then one group of every panel
  B* group = reinterpret_cast<B*>(stage + kr * nc);
  for (size_t kk = 0; kk < kc; kk += kr) {
    for (size_t i = 0; i < kr; i++) {
      if (kk + i < kc) {
        im2col_row(g, c, cached ? cache[t] : im2col_tap(g, t), oy0, ox0, nc, rows + i * nc);
        if (++t == taps) {
          t = 0;
          c++;
        }
      } else {
        std::memset(rows + i * nc, 0, nc * sizeof(X));
      }
    }
    kern.pack_b(kr, nc, rows, nc, group);
    for (size_t p = 0; p < panels; p++)
      std::memcpy(dst + p * nr * kcp + kk * nr, group + p * nr * kr, nr * kr * sizeof(B));
  }
}

}  // namespace

template <class T>
GemmPlan gemm_plan(const GemmKernel<T>& kern, size_t m, size_t n, size_t k, bool im2col,
                   size_t want_units, bool stages) {
  using B = typename T::B;
  GemmPlan p;
  p.m = m;
  p.n = n;
  p.k = k;
  const size_t k1 = std::max<size_t>(k, 1), n1 = std::max<size_t>(n, 1);
  p.kp = round_up(k1, kern.kr);
  // K is split into equal blocks, not a full block plus a sliver, so that the
  // per-tile store cost is not paid for a tiny remainder.
  p.kc = k1;
  if (T::kMaxKc && k1 > T::kMaxKc) p.kc = round_up(div_up(k1, div_up(k1, T::kMaxKc)), kern.kr);
  const size_t kcp = round_up(p.kc, kern.kr);
  size_t nc = T::kBlockBytes / sizeof(B) / kcp / kern.nr * kern.nr;
  nc = std::max(nc, kern.nr);
  p.nc = std::min(nc, round_up(n1, kern.nr));
  p.n_blocks = div_up(n, p.nc);
  p.m_panels = div_up(m, kern.mr);
  if (want_units > 0 && n > 0) {
    // N-blocks of equal width, more of them if the units are fewer than
    // wanted (each at least kMinBlockPanels panels, so that the per-block
    // costs stay small): the N-block only sets how much of B one packing
    // covers, never the order of a sum.
    const size_t panels = div_up(n, kern.nr);
    const size_t most = std::max<size_t>(1, panels / kMinBlockPanels);
    const size_t blocks = std::max(p.n_blocks, std::min(most, div_up(want_units, p.m_panels)));
    p.nc = div_up(panels, blocks) * kern.nr;
    p.n_blocks = div_up(n, p.nc);
  }
  // The last N-block's cost relative to a full one: its columns (the
  // micro-kernels' edge tiles of 1 to 3 or 4 columns cost about that share).
  if (p.n_blocks > 0) p.last_block_cost = double(n - (p.n_blocks - 1) * p.nc) / double(p.nc);
  p.b_bytes = p.nc * kcp * sizeof(B);
  p.stage_bytes = im2col && !kern.pack_im2col
                      ? kern.kr * p.nc * sizeof(typename T::X) + p.nc * kern.kr * sizeof(B)
                      : 0;
  // 64 bytes of slack after each part: vector loads may run over the end of
  // a packed panel.
  p.scratch_bytes = round_up(p.b_bytes + 64, 64) + (p.stage_bytes ? round_up(p.stage_bytes + 64, 64) : 0);
  if (stages && p.n_blocks > 0) {
    // B lives in the shared buffer; a worker's scratch is the im2col staging.
    p.staged = true;
    p.k_blocks = div_up(k1, p.kc);
    p.slab_bytes = round_up(p.b_bytes + 64, 64);
    const size_t panels = p.nc / kern.nr;
    const size_t groups = std::min(panels, std::max<size_t>(1, div_up(want_units, p.n_blocks * p.k_blocks)));
    p.pack_panels = div_up(panels, groups);
    p.pack_groups = div_up(panels, p.pack_panels);
    p.scratch_bytes = p.stage_bytes ? round_up(p.stage_bytes + 64, 64) : 0;
  }
  return p;
}

namespace {

// Columns [n0, n0 + nc) x rows [k0, k0 + kc) of B into NR-column panels at dst.
template <class T>
void pack_block(const GemmKernel<T>& kern, const GemmB<T>& src, size_t k0, size_t kc, size_t n0, size_t nc,
                typename T::B* dst, typename T::X* stage) {
  if (!src.im2col)
    kern.pack_b(kc, nc, src.b + k0 * src.ldb + n0, src.ldb, dst);
  else if (kern.pack_im2col)
    kern.pack_im2col(*src.im2col, k0, kc, n0, nc, dst);
  else
    pack_im2col_staged(kern, *src.im2col, k0, kc, n0, nc, dst, stage);
}

// M-panels [mp0, mp1) of the K-block [k0, k0 + kc) of N-block [n0, n0 + nc),
// B packed at bbuf.
template <class T>
void run_panels(const GemmKernel<T>& kern, const GemmPlan& p, const typename T::A* packed_a,
                const typename T::B* bbuf, typename T::C* c, size_t ldc, const typename T::Out& out,
                size_t n0, size_t nc, size_t k0, size_t kc, size_t mp0, size_t mp1) {
  const size_t mr = kern.mr, es = out_elem_bytes(out);
  const unsigned flags = (k0 > 0 ? kAccumulate : 0u) | (k0 + kc == p.k ? kLastK : 0u);
  for (size_t mp = mp0; mp < mp1; mp++) {
    const size_t m0 = mp * mr;
    // Panels one after the other: one call runs the whole strip of tiles.
    kern.ukernel(kc, std::min(mr, p.m - m0), nc, packed_a + m0 * p.kp + k0 * mr, bbuf,
                 c_at(c, m0, n0, ldc, es), ldc, out_from_row(out, m0), flags);
  }
}

}  // namespace

template <class T>
void gemm_run(const GemmKernel<T>& kern, const GemmPlan& p, const typename T::A* packed_a,
              const GemmB<T>& src, typename T::C* c, size_t ldc, const typename T::Out& out,
              size_t begin, size_t end, void* scratch) {
  using B = typename T::B;
  B* bbuf = static_cast<B*>(scratch);
  using X = typename T::X;
  X* stage = reinterpret_cast<X*>(static_cast<char*>(scratch) + round_up(p.b_bytes + 64, 64));
  for (size_t u = begin; u < end;) {
    // Panels [mp0, mp1) of N-block nb.
    const size_t nb = u / p.m_panels, mp0 = u % p.m_panels;
    const size_t mp1 = std::min(p.m_panels, mp0 + (end - u));
    u += mp1 - mp0;
    const size_t n0 = nb * p.nc, nc = std::min(p.nc, p.n - n0);
    for (size_t k0 = 0; k0 < p.k; k0 += p.kc) {
      const size_t kc = std::min(p.kc, p.k - k0);
      pack_block(kern, src, k0, kc, n0, nc, bbuf, stage);
      run_panels(kern, p, packed_a, bbuf, c, ldc, out, n0, nc, k0, kc, mp0, mp1);
    }
  }
}

template <class T>
void gemm_pack(const GemmKernel<T>& kern, const GemmPlan& p, const GemmB<T>& src, size_t begin, size_t end,
               void* shared, void* scratch) {
  using B = typename T::B;
  using X = typename T::X;
  X* stage = static_cast<X*>(scratch);
  const size_t nr = kern.nr, per_block = p.k_blocks * p.pack_groups;
  for (size_t u = begin; u < end; u++) {
    // Panels [a, a + pack_panels) of K-block kb of N-block nb.
    const size_t nb = u / per_block, kb = u % per_block / p.pack_groups, pg = u % p.pack_groups;
    const size_t n0 = nb * p.nc, nc = std::min(p.nc, p.n - n0), a = pg * p.pack_panels;
    if (a * nr >= nc) continue;  // the last N-block may have fewer panels
    const size_t cols = std::min(nc, (a + p.pack_panels) * nr) - a * nr;
    const size_t k0 = kb * p.kc, kc = std::min(p.kc, p.k - k0);
    // The K-block's panels are NR x round_up(kc, KR) each (what pack_b writes).
    B* slab = reinterpret_cast<B*>(static_cast<char*>(shared) + (nb * p.k_blocks + kb) * p.slab_bytes);
    pack_block(kern, src, k0, kc, n0 + a * nr, cols, slab + a * nr * round_up(kc, kern.kr), stage);
  }
}

template <class T>
void gemm_run_packed(const GemmKernel<T>& kern, const GemmPlan& p, const typename T::A* packed_a,
                     const void* shared, typename T::C* c, size_t ldc, const typename T::Out& out,
                     size_t begin, size_t end) {
  using B = typename T::B;
  for (size_t u = begin; u < end;) {
    const size_t nb = u / p.m_panels, mp0 = u % p.m_panels;
    const size_t mp1 = std::min(p.m_panels, mp0 + (end - u));
    u += mp1 - mp0;
    const size_t n0 = nb * p.nc, nc = std::min(p.nc, p.n - n0);
    for (size_t k0 = 0, kb = 0; k0 < p.k; k0 += p.kc, kb++) {
      const B* bbuf =
          reinterpret_cast<const B*>(static_cast<const char*>(shared) + (nb * p.k_blocks + kb) * p.slab_bytes);
      run_panels(kern, p, packed_a, bbuf, c, ldc, out, n0, nc, k0, std::min(p.kc, p.k - k0), mp0, mp1);
    }
  }
}

#define ARMCONV_GEMM_DRIVER(T, K)                                                                     \
  template GemmPlan gemm_plan<T>(const K&, size_t, size_t, size_t, bool, size_t, bool);                \
  template void gemm_run<T>(const K&, const GemmPlan&, const T::A*, const GemmB<T>&, T::C*, size_t,    \
                            const T::Out&, size_t, size_t, void*);                                     \
  template void gemm_pack<T>(const K&, const GemmPlan&, const GemmB<T>&, size_t, size_t, void*, void*); \
  template void gemm_run_packed<T>(const K&, const GemmPlan&, const T::A*, const void*, T::C*, size_t,  \
                                   const T::Out&, size_t, size_t);
ARMCONV_GEMM_DRIVER(F32Gemm, SgemmKernels)
ARMCONV_GEMM_DRIVER(S8Gemm, S8GemmKernels)
ARMCONV_GEMM_DRIVER(F16Gemm, HgemmKernels)
ARMCONV_GEMM_DRIVER(F16GemmH, HgemmKernelsH)
#undef ARMCONV_GEMM_DRIVER

}  // namespace detail
}  // namespace armconv

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
// dst_kcp: the k rows between dst's panels (round_up(kc, KR) for a whole
// block; more when these rows are a slice of a taller block's panels).
template <class T>
#if defined(__GNUC__)
__attribute__((noinline))
#endif
void pack_im2col_staged(const GemmKernel<T>& kern, const Im2colGeom& g, size_t k0, size_t kc,
                        size_t n0, size_t nc, typename T::B* dst, typename T::X* stage, size_t dst_kcp) {
  using B = typename T::B;
  using X = typename T::X;
  const size_t kr = kern.kr, nr = kern.nr, kcp = dst_kcp, panels = div_up(nc, nr);
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
double gemm_edge_cost(const GemmKernel<T>& kern, size_t r) {
  const size_t nr = kern.nr;
  if (r == 0 || r >= nr) return r == 0 ? 0.0 : 1.0;
  if (kern.edge_costs) return std::min(1.0, kern.edge_costs[r]);
  if (r == 1 && kern.edge1_cost > 0.0) return kern.edge1_cost;
  // edge_step columns at a time, and a step more for spill and store; by
  // default (KR = 1) about the columns' share, at least a quarter; a whole
  // panel for the int8 kernels without edge_step (their edge tiles compute
  // the full tile).
  if (kern.edge_step)
    return std::min(1.0, double(div_up(r, kern.edge_step) + 1) / double(nr / kern.edge_step + 1));
  return kern.kr == 1 ? std::max(double(r) / double(nr), 0.25) : 1.0;
}

template <class T>
double gemm_row_cost(const GemmKernel<T>& kern, size_t m) {
  if (m == 0 || m >= kern.mr) return 1.0;
  if (kern.row_costs) return std::min(1.0, kern.row_costs[m]);
  if (!kern.row_step) return 1.0;
  return std::min(1.0, double(div_up(m, kern.row_step) + 1) / double(kern.mr / kern.row_step + 1));
}

namespace {

// Rows of a stage-0 slice at least (below this the per-call costs of the
// packers weigh).
constexpr size_t kMinSliceRows = 32;
// Columns of a stage-0 group of panels at least, for the KR > 1 packers
// (their transposes take 16 columns at a time, and each call its set-up).
constexpr size_t kMinGroupCols = 48;

// The plan in stages (core/gemm.h), from the one-thread blocking in p (kc,
// nc, m_panels; n > 0).
template <class T>
GemmPlan gemm_plan_staged(const GemmKernel<T>& kern, GemmPlan p, bool im2col, size_t want_units, size_t taps) {
  using B = typename T::B;
  const size_t nr = kern.nr, kr = kern.kr, n = p.n, want = std::max<size_t>(want_units, 1);
  const size_t panels = div_up(n, nr), one_blocks = p.n_blocks;
  p.staged = true;
  p.k_blocks = div_up(std::max<size_t>(p.k, 1), p.kc);
  // Stage 0 packs slabs: the one-thread N-blocks (at most an L2 share), of
  // equal width.
  const size_t slab_panels = div_up(panels, one_blocks);
  p.slab_nc = slab_panels * nr;
  p.slabs = div_up(n, p.slab_nc);
  // (The staged im2col packer, gather below, pays a set-up per K-row group
  // and output row of a slab: a narrow last slab costs about half a full
  // one; measured, qemu cortex-a76, qr18_3x3_512_7: a 1-column slab of 24.)
  const bool gather = im2col && !kern.pack_im2col;
  p.last_slab_cost = double(n - (p.slabs - 1) * p.slab_nc) / double(p.slab_nc);
  if (gather) p.last_slab_cost = std::max(p.last_slab_cost, 0.5);
  // Stage 1: N-blocks of equal width (as narrow as one panel), at least the
  // one-thread ones, and enough for twice want_units with the M-panels:
  // with B packed once, a narrower block costs only a micro-kernel call, and
  // finer units even out what the split's cost model only estimates (the
  // edge tiles of the last block, below).
  const size_t blocks = std::max(one_blocks, div_up(2 * want, std::max<size_t>(p.m_panels, 1)));
  const size_t d = div_up(panels, blocks);
  p.nc = d * nr;
  p.n_blocks = div_up(n, p.nc);
  // The last N-block's cost: its full panels, and a partial panel at
  // gemm_edge_cost().
  const size_t last = n - (p.n_blocks - 1) * p.nc;
  p.last_block_cost = std::min(1.0, (double(last / nr) + gemm_edge_cost(kern, last % nr)) / double(d));
  // Stage 0: about want_units units over the slabs' K-blocks, each split
  // into groups of panels (kernel packers of KR = 1: a panel's rows are
  // contiguous, so a group may be one panel) and slices of rows. The staged
  // im2col packer keeps the slab's whole width (its per-row costs want wide
  // rows) and splits rows only; the int8 packers (their 16-column
  // transposes want wide rows) take groups of at least kMinGroupCols
  // columns where the slab has that many, else rows.
  const size_t want0 = div_up(want, p.slabs * p.k_blocks);
  // (KR > 1: a slice of rows is packed aside and copied into place.)
  const size_t groups = gather   ? 1
                        : kr == 1 ? std::min(slab_panels, want0)
                                  : std::max<size_t>(1, std::min(slab_panels / div_up(kMinGroupCols, nr), want0));
  p.pack_panels = div_up(slab_panels, groups);
  p.pack_groups = div_up(slab_panels, p.pack_panels);
  // (KR = 1 kernel packers: slices only when the groups are too few: fewer
  // panels than wanted, or, for a plain matrix or a 1x1 kernel's im2col,
  // groups of several panels rounded to fewer than wanted (13 panels in 12
  // groups are 7 of 2). A sliced group is packed panel by panel, a call with
  // its set-up per panel and slice, and an im2col packer's set-up walks the
  // kernel's taps: slicing the rounded groups of a 3x3 layer took cortex-a72's
  // conv3x3s2_32_64_56 at 4 threads (22 groups of 3 panels) from 400 K to
  // 590 K packing instructions, the call from 1.011 to 1.056 of one
  // thread's, for a packing stage of a tenth of the call;
  // KR > 1 kernel packers: slices only without groups, a quarter as many
  // (two per thread): each pays packer calls and a copy per panel.)
  const size_t want_slices = gather    ? div_up(want0, p.pack_groups)
                             : kr > 1  ? (p.pack_groups == 1 ? div_up(want0, 4) : 1)
                             : want0 > (im2col && taps > 1 ? slab_panels : p.pack_groups) ? div_up(want0, p.pack_groups)
                                                                                         : 1;
  const size_t slices = std::max<size_t>(1, std::min(want_slices, p.kc / std::max(kMinSliceRows, kr)));
  // (A slice starts at a multiple of KR rows, and of 4 for a table with edge
  // groups: core/gemm.h.)
  p.slice_k = round_up(div_up(p.kc, slices), kern.b_edge_cols ? std::max<size_t>(kr, 4) : kr);
  p.k_slices = div_up(p.kc, p.slice_k);
  p.b_bytes = 0;  // B is in the shared buffer
  p.kb_bytes = panels * nr * round_up(p.kc, kr) * sizeof(B);
  // A worker's scratch: the im2col staging (gather), and for the sliced
  // int8 kernel packers the slice as pack_b writes it (copied into place).
  p.stage_bytes = gather ? kr * p.slab_nc * sizeof(typename T::X) + p.slab_nc * kr * sizeof(B) : 0;
  const size_t slice_bytes =
      !gather && kr > 1 && p.k_slices > 1 ? p.pack_panels * nr * p.slice_k * sizeof(B) : 0;
  p.scratch_bytes = (p.stage_bytes ? round_up(p.stage_bytes + 64, 64) : 0) +
                    (slice_bytes ? round_up(slice_bytes + 64, 64) : 0);
  return p;
}

}  // namespace

template <class T>
GemmPlan gemm_plan(const GemmKernel<T>& kern, size_t m, size_t n, size_t k, bool im2col,
                   size_t want_units, bool stages, size_t taps) {
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
  // The last M-panel's cost relative to a full one.
  p.last_panel_cost = gemm_row_cost(kern, m % kern.mr);
  if (stages && n > 0) return gemm_plan_staged(kern, p, im2col, want_units, taps);
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
  // The last N-block's cost relative to a full one: its full panels and
  // the partial one's gemm_edge_cost().
  if (p.n_blocks > 0) {
    const size_t last = n - (p.n_blocks - 1) * p.nc;
    p.last_block_cost = std::min(1.0, (double(last / kern.nr) + gemm_edge_cost(kern, last % kern.nr)) /
                                          double(p.nc / kern.nr));
  }
  p.b_bytes = p.nc * kcp * sizeof(B);
  p.stage_bytes = im2col && !kern.pack_im2col
                      ? kern.kr * p.nc * sizeof(typename T::X) + p.nc * kern.kr * sizeof(B)
                      : 0;
  // 64 bytes of slack after each part: vector loads may run over the end of
  // a packed panel.
  p.scratch_bytes = round_up(p.b_bytes + 64, 64) + (p.stage_bytes ? round_up(p.stage_bytes + 64, 64) : 0);
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
    pack_im2col_staged(kern, *src.im2col, k0, kc, n0, nc, dst, stage, round_up(kc, kern.kr));
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
  const size_t nr = kern.nr, kr = kern.kr;
  const bool gather = src.im2col && !kern.pack_im2col;
  X* stage = static_cast<X*>(scratch);
  B* slice = reinterpret_cast<B*>(static_cast<char*>(scratch) +
                                  (p.stage_bytes ? round_up(p.stage_bytes + 64, 64) : 0));
  const size_t per_kb = p.pack_groups * p.k_slices, per_slab = p.k_blocks * per_kb;
  for (size_t u = begin; u < end; u++) {
    // Rows [r0, r0 + rows) of K-block kb, panels [a, a + pack_panels) of slab s.
    const size_t s = u / per_slab, kb = u % per_slab / per_kb, ks = u % per_kb / p.pack_groups, pg = u % p.pack_groups;
    const size_t n0 = s * p.slab_nc, nc = std::min(p.slab_nc, p.n - n0), a = pg * p.pack_panels;
    const size_t k0 = kb * p.kc, kc = std::min(p.kc, p.k - k0), r0 = ks * p.slice_k;
    if (a * nr >= nc || r0 >= kc) continue;  // the last slab or K-block may be smaller
    const size_t cols = std::min(nc, (a + p.pack_panels) * nr) - a * nr, rows = std::min(p.slice_k, kc - r0);
    // The K-block's panels are NR x kcp each (what pack_b writes for it);
    // rows r0.. of panel q start r0 * NR into it (r0 a multiple of KR, and
    // of 4 for a table with edge groups: slice_k is).
    const size_t kcp = round_up(kc, kr);
    B* dst = reinterpret_cast<B*>(static_cast<char*>(shared) + kb * p.kb_bytes) + (n0 / nr + a) * nr * kcp +
             r0 * nr;
    if (rows == kc) {
      pack_block(kern, src, k0, kc, n0 + a * nr, cols, dst, stage);
    } else if (gather) {
      pack_im2col_staged(kern, *src.im2col, k0 + r0, rows, n0 + a * nr, cols, dst, stage, kcp);
    } else if (kr == 1) {  // one panel at a time: its rows are contiguous
      for (size_t q = 0; q * nr < cols; q++)
        pack_block(kern, src, k0 + r0, rows, n0 + (a + q) * nr, std::min(nr, cols - q * nr),
                   dst + q * nr * kcp, stage);
    } else {  // packed as a block of `rows` rows, then each panel's rows moved into place
      const size_t rp = round_up(rows, kr);
      pack_block(kern, src, k0 + r0, rows, n0 + a * nr, cols, slice, stage);
      for (size_t q = 0; q * nr < cols; q++) std::memcpy(dst + q * nr * kcp, slice + q * nr * rp, nr * rp * sizeof(B));
    }
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
    // N-block nb: panels from n0 / NR on, in each K-block's panels.
    const size_t n0 = nb * p.nc, nc = std::min(p.nc, p.n - n0);
    for (size_t k0 = 0, kb = 0; k0 < p.k; k0 += p.kc, kb++) {
      const size_t kc = std::min(p.kc, p.k - k0);
      const B* bbuf = reinterpret_cast<const B*>(static_cast<const char*>(shared) + kb * p.kb_bytes) +
                      n0 * round_up(kc, kern.kr);
      run_panels(kern, p, packed_a, bbuf, c, ldc, out, n0, nc, k0, kc, mp0, mp1);
    }
  }
}

#define ARMCONV_GEMM_DRIVER(T, K)                                                                     \
  template double gemm_edge_cost<T>(const K&, size_t);                                                 \
  template double gemm_row_cost<T>(const K&, size_t);                                                  \
  template GemmPlan gemm_plan<T>(const K&, size_t, size_t, size_t, bool, size_t, bool, size_t);                \
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

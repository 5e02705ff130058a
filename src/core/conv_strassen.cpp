// The "strassen" family: 1x1 stride-1 unpadded fp32 convolutions (groups
// 1) as one level of Strassen over the GEMM C = A B (A the weights M x K, B
// the image K x N, N = pixels; the formulas and the error: core/strassen.h).
//
// Weights: the plain weights packed as two halves of rows (top [0, M2),
// bottom [M2, M), all K, MR-row panels: 1x the weights; M2 =
// strassen_split_rows, ceil(M / 2) rounded up to a multiple of MR where
// that fits, so that the halves are byte for byte the GEMM's pack_a() of
// the whole matrix), and the A operands
// of the products (A11 + A22, A21 + A22, A11, A22, A11 + A12, A21 - A11,
// A12 - A22, each M2 x K2, zero past A's edge) packed once into MR-row
// panels by the table's pack_a, but A11 and A22, which are views into the
// plain halves where the micro-kernel can read them there (KR = 1 and K
// even: A22's K2 k-steps end at its panel's end). So a layer holds
// 1 + 5/4 of the weights (K odd: 1 + 7/4) plus panel padding, against the
// plain GEMM layer's 1x; and seven bias rows (M2 each) and the bias. An
// `auto` layer that picks between the two (conv2d.cpp, ByMapSize) builds
// Strassen on the GEMM's packing (make_strassen_conv_on): the halves are
// the GEMM's panels, so the layer holds 1x + 5/4 (K odd: 7/4; 6/4 where
// the GEMM's panel count is odd: A22 packed) and no copy of the weights.
//
// Peeled columns: where it is cheaper (strassen_peel, the table's
// partial-panel costs), Strassen runs on the first N - p columns and the
// last p (< 2 NR) are the plain GEMM of the top and bottom rows of each
// unit of the last column block (the micro-kernel on the plain halves, with
// the bias and the clamp): on a 7x7 map (p = 1) the halves are then 24 =
// 2 x 12 columns wide, on a 14x14 map (p = 4) 96 = 8 x 12, without a partial
// panel in each of the seven products.
//
// Units: (image, column block of the half-width N2, MR-row panel of the
// half-height M2), panel innermost. A unit computes the seven MR x nc
// product tiles (the fp32 micro-kernel, the whole K2 in one call, from the
// products' bias rows, no clamp) into its worker's scratch, then the
// combine micro-kernel writes the four C tiles (rows r0.., M2 + r0.. of
// columns n0.., N2 + n0..) with the clamp. The B operands of a column block
// (B11 + B22, B11, B12 - B22, B21 - B11, B22, B11 + B12, B21 + B22) are
// packed into scratch when a range enters the block (every panel of it
// reuses them): a whole block straight from the image with the table's
// pack_b, a combination (or a block cut by the image's edge) summed
// straight into the panels (the combination table's pack_b_combo,
// core/strassen.h: KR = 1 tables with NR 12, 8 or 4), or else into a dense K2 x nc staging tile that pack_b packs. Every output
// element goes through the same instructions whichever units and threads
// compute it (each product column is summed over all of K2 in one
// micro-kernel call), so any cut of the units gives the same bits.
//
// Scratch per worker: the packed B (7 x round_up(nc, NR) x K2 floats), the
// staging tile (K2 x nc; tables whose NR the combination packer has no
// case for), the product tiles (7 x MR x round_up(nc, 4)) and the peeled
// columns' B panels (round_up(p, NR) x K).
// nc: kStrassenBlockBytes of packed B (an L2 share: the seven operands
// together), at least kMinBlockPanels panels.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "core/buffer.h"
#include "core/conv_impl.h"
#include "core/dispatch.h"
#include "core/strassen.h"

namespace armconv {
namespace detail {
namespace {

constexpr size_t kStrassenBlockBytes = 512 * 1024;

using Part = StrassenBlock;  // (core/strassen.h)

// d[j] = a[j] + b[j] / a[j] - b[j], j < n (restrict: the compiler vectorizes
// them without overlap checks).
void add_row(const float* __restrict a, const float* __restrict b, float* __restrict d, size_t n) {
  for (size_t j = 0; j < n; j++) d[j] = a[j] + b[j];
}
void sub_row(const float* __restrict a, const float* __restrict b, float* __restrict d, size_t n) {
  for (size_t j = 0; j < n; j++) d[j] = a[j] - b[j];
}

// dst (rows x cols, row stride ldd) = a (+ or -) b (b may be absent), zeros
// where neither has data; columns [col0, col0 + cols) of the half-size
// blocks. Each element's arithmetic depends only on its position in the
// half-size block (not on how the block is cut): a + b where both have
// data, a (or +-b) where one has, 0 where neither has.
void combine_rows(const Part& a, const Part* b, bool sub, size_t rows, size_t cols, size_t col0, float* dst,
                  size_t ldd) {
  // Valid columns of each operand in the window (the same for all its rows).
  const size_t wa = col0 < a.cols ? std::min(cols, a.cols - col0) : 0;
  const size_t wb = b && col0 < b->cols ? std::min(cols, b->cols - col0) : 0;
  for (size_t r = 0; r < rows; r++) {
    float* d = dst + r * ldd;
    const size_t ca = r < a.rows ? wa : 0;
    const size_t cb = b && r < b->rows ? wb : 0;
    const float* xa = ca ? a.row(r) + col0 : nullptr;
    const float* xb = cb ? b->row(r) + col0 : nullptr;
    const size_t both = std::min(ca, cb);
    if (both) (sub ? sub_row : add_row)(xa, xb, d, both);
    size_t j = both;
    if (ca > j) {
      std::memcpy(d + j, xa + j, (ca - j) * sizeof(float));
      j = ca;
    }
    if (sub)
      for (; j < cb; j++) d[j] = -xb[j];
    else
      for (; j < cb; j++) d[j] = xb[j];
    for (; j < cols; j++) d[j] = 0.0f;
  }
}

// The operands of product i (0-based): A blocks (a, b, subtract?) and B
// blocks, by index 0 = X11, 1 = X12, 2 = X21, 3 = X22; -1: none.
struct Operand {
  int a, b;
  bool sub;
};
constexpr Operand kAOps[7] = {{0, 3, false}, {2, 3, false}, {0, -1, false}, {3, -1, false},
                              {0, 1, false}, {2, 0, true},  {1, 3, true}};
constexpr Operand kBOps[7] = {{0, 3, false}, {0, -1, false}, {1, 3, true}, {2, 0, true},
                              {3, -1, false}, {0, 1, false}, {2, 3, false}};

// The four blocks of an R x C matrix (row stride ld), cut after row r2
// (default: ceil(R / 2)) and column ceil(C / 2).
void quarters(const float* base, size_t ld, size_t r, size_t c, Part q[4], size_t r2 = 0) {
  if (!r2) r2 = (r + 1) / 2;
  const size_t c2 = (c + 1) / 2;
  q[0] = {base, ld, 0, 0, r2, c2};
  q[1] = {base, ld, 0, c2, r2, c - c2};
  q[2] = {base, ld, r2, 0, r - r2, c2};
  q[3] = {base, ld, r2, c2, r - r2, c - c2};
}

// The M x K matrix that pack_a (MR-row panels, K groups of KR: core/gemm.h)
// packed into pa, back into a dense one.
void unpack_a(const float* pa, size_t m, size_t k, size_t mr, size_t kr, float* dst) {
  const size_t kp = round_up(k, kr);
  for (size_t r = 0; r < m; r++)
    for (size_t j = 0; j < k; j++)
      dst[r * k + j] = pa[r / mr * mr * kp + j / kr * mr * kr + r % mr * kr + j % kr];
}

class StrassenConv final : public ConvImpl {
 public:
  // weight: the dense M x K weights, or nullptr with gemm_packed (the
  // GEMM's pack_a() of them on `kern`) or neither (plan only).
  StrassenConv(const Conv2dParams& p, const SgemmKernels& kern, const StrassenKernels& comb, const float* weight,
               const float* bias, const float* gemm_packed = nullptr)
      : p_(p), kern_(kern), comb_(comb) {
    m_ = size_t(p.out_channels);
    k_ = size_t(p.in_channels);
    m2_ = strassen_split_rows(m_, kern.mr);
    k2_ = (k_ + 1) / 2;
    mpad2_ = round_up(m2_, kern.mr);
    kp2_ = round_up(k2_, kern.kr);
    kpf_ = round_up(k_, kern.kr);
    peels_.resize(4 * kern.nr + 2);
    for (size_t n = 0; n < peels_.size(); n++) peels_[n] = static_cast<unsigned char>(strassen_peel(kern, n));
    std::vector<float> dense_w;
    if (!weight && gemm_packed) {
      dense_w.resize(m_ * k_);
      unpack_a(gemm_packed, m_, k_, kern.mr, kern.kr, dense_w.data());
      weight = dense_w.data();
    }
    if (!weight) return;  // plan only
    // The plain weights in two halves of rows, top [0, M2) and bottom [M2,
    // M), all K each, as MR-row panels (mpad2 rows each): the peeled
    // column's GEMM (run()), and A11 / A22 as views into them where the
    // micro-kernel can read a K-block of a panel (KR = 1, K even: A22's K2
    // k-steps end at its panel's end). Where M2 is a multiple of MR, these
    // are byte for byte the GEMM's pack_a() of the whole matrix (its panels
    // p < M2 / MR are the top half's, the rest the bottom half's, each
    // MR x Kp, zeros past M): a layer given the GEMM's packing reads them
    // there and packs nothing of its own. The GEMM's bottom half may have
    // one panel fewer than the top (its ceil(M / MR) panels odd, e.g. 40
    // rows on MR = 8: 24 + 16); A22's view would read that missing panel,
    // so such a layer packs A22 as it packs the combinations (6/4 of the
    // weights). The peeled column reads only panels with bottom rows.
    const bool shared = gemm_packed && m2_ % kern.mr == 0;
    if (shared) {
      plain_ = gemm_packed;
    } else {
      own_plain_.reset(2 * mpad2_ * kpf_);
      kern.pack_a(m2_, k_, weight, k_, own_plain_.data());
      if (m_ > m2_) kern.pack_a(m_ - m2_, k_, weight + m2_ * k_, k_, own_plain_.data() + mpad2_ * kpf_);
      plain_ = own_plain_.data();
    }
    const bool views = kern.kr == 1 && k_ == 2 * k2_;
    const bool view22 = views && (!shared || round_up(m_ - m2_, kern.mr) == mpad2_);
    // The other A operands: dense M2 x K2 combinations, then pack_a.
    Part q[4];
    quarters(weight, k_, m_, k_, q, m2_);
    std::vector<float> dense(m2_ * k2_);
    packed_a_.reset((views ? view22 ? 5 : 6 : 7) * mpad2_ * kp2_);
    size_t own = 0;
    for (int i = 0; i < 7; i++) {
      if (views && (i == 2 || (i == 3 && view22))) {  // P3 = A11 (...), P4 = A22 (...)
        a_[i] = plain_ + (i == 2 ? 0 : mpad2_ * k_ + k2_ * kern.mr);
        a_panel_[i] = kern.mr * k_;
        continue;
      }
      const Operand& o = kAOps[i];
      combine_rows(q[o.a], o.b >= 0 ? &q[o.b] : nullptr, o.sub, m2_, k2_, 0, dense.data(), k2_);
      float* dst = packed_a_.data() + own++ * mpad2_ * kp2_;
      kern.pack_a(m2_, k2_, dense.data(), k2_, dst);
      a_[i] = dst;
      a_panel_[i] = kern.mr * kp2_;
    }
    bias_.reset(m_ + kern.mr);
    if (bias) std::memcpy(bias_.data(), bias, m_ * sizeof(float));
    // Bias rows: P1 0, P2 bb, P3 bt, P4 0, P5 0, P6 2 bb - bt, P7 bt (zeros
    // past M; each row padded to mpad2 + MR: the micro-kernel may read MR).
    bstride_ = mpad2_ + kern.mr;
    biases_.reset(7 * bstride_);
    for (size_t r = 0; r < m2_; r++) {
      const float bt = bias ? bias[r] : 0.0f;
      const float bb = bias && m2_ + r < m_ ? bias[m2_ + r] : 0.0f;
      biases_[1 * bstride_ + r] = bb;
      biases_[2 * bstride_ + r] = bt;
      biases_[5 * bstride_ + r] = 2.0f * bb - bt;
      biases_[6 * bstride_ + r] = bt;
    }
  }

  ConvPlan plan(int64_t n, int64_t h, int64_t w) const override { return make_plan(n, h, w, 0); }
  // More, narrower column blocks when the one-thread plan has fewer units
  // than kUnitsPerThread per thread (any cut gives the same bits).
  ConvPlan plan_for_threads(int64_t n, int64_t h, int64_t w, int threads) const override {
    const ConvPlan one = make_plan(n, h, w, 0);
    const size_t target = kUnitsPerThread * size_t(threads);
    if (one.units >= target) return one;
    return make_plan(n, h, w, div_up(target, std::max<size_t>(1, size_t(n))));
  }

  // (the plain halves only where the layer packed them itself)
  size_t weight_bytes() const override { return (own_plain_.size() + packed_a_.size()) * sizeof(float); }

  void run(const ConvPlan& pl, const float* x, float* y, size_t begin, size_t end, void* scratch) const override {
    const GemmPlan& g = pl.gemm;
    const size_t nr = kern_.nr, mr = kern_.mr;
    const size_t npix = size_t(pl.h) * size_t(pl.w), n2 = g.n;
    const size_t peel = peel_of(npix), ns = npix - peel;  // Strassen's columns [0, ns), the GEMM's [ns, npix)
    const size_t nc = g.nc, ncp = round_up(nc, nr), ldp = round_up(nc, 4);
    float* const pb = static_cast<float*>(scratch);
    const size_t pb_stride = ncp * kp2_;
    float* const stage = pb + 7 * pb_stride;
    float* const prod = stage + round_up(kp2_ * nc, 16);
    float* const pbpeel = prod + 7 * mr * ldp;  // the peeled columns' B panels
    const size_t per = g.units();
    size_t cur = size_t(-1);  // (image, column block) whose B operands are packed
    for (size_t u = begin; u < end; u++) {
      const size_t img = u / per, lu = u % per, nb = lu / g.m_panels, mp = lu % g.m_panels;
      const size_t n0 = nb * nc, nl = std::min(nc, n2 - n0);
      const size_t nright = ns - n2 > n0 ? std::min(nc, ns - n2 - n0) : 0;
      const float* xi = x + img * k_ * npix;
      if (img * g.n_blocks + nb != cur) {
        cur = img * g.n_blocks + nb;
        Part q[4];
        quarters(xi, npix, k_, ns, q);
        if (peel && nb + 1 == g.n_blocks) kern_.pack_b(k_, peel, xi + ns, npix, pbpeel);
        for (int i = 0; i < 7; i++) {
          const Operand& o = kBOps[i];
          const Part& a = q[o.a];
          float* dst = pb + size_t(i) * pb_stride;
          if (o.b < 0 && a.rows == k2_ && a.cols >= n0 + nl) {
            kern_.pack_b(k2_, nl, a.row(0) + n0, npix, dst);  // a whole block of the image
          } else if (kern_.kr == 1 && (nr == 12 || nr == 8 || nr == 4)) {
            comb_.pack_b_combo(a, o.b >= 0 ? &q[o.b] : nullptr, o.sub, k2_, nl, n0, nr, kern_.b_edge_cols, dst);
          } else {
            combine_rows(a, o.b >= 0 ? &q[o.b] : nullptr, o.sub, k2_, nl, n0, stage, nl);
            kern_.pack_b(k2_, nl, stage, nl, dst);
          }
        }
      }
      const size_t r0 = mp * mr, mt = std::min(mr, m2_ - r0);
      const size_t mb = m_ - m2_ > r0 ? std::min(mr, m_ - m2_ - r0) : 0;
      for (int i = 0; i < 7; i++) {
        F32Output o;
        o.bias = biases_.data() + size_t(i) * bstride_ + r0;
        kern_.ukernel(k2_, mt, nl, a_[i] + mp * a_panel_[i],
                      pb + size_t(i) * pb_stride, prod + size_t(i) * mr * ldp, ldp, o, kLastK);
      }
      float* yi = y + img * m_ * npix;
      float* c11 = yi + r0 * npix + n0;
      float* c21 = mb ? yi + (m2_ + r0) * npix + n0 : c11;
      comb_.combine(mt, mb, nl, nright, prod, ldp, mr * ldp, c11, c21, npix, n2, p_.clamp, p_.out_min, p_.out_max);
      if (peel && nb + 1 == g.n_blocks) {
        // The peeled columns: the plain GEMM of the unit's top and bottom rows.
        F32Output o;
        o.clamp = p_.clamp;
        o.lo = p_.out_min;
        o.hi = p_.out_max;
        o.bias = bias_.data() + r0;
        kern_.ukernel(k_, mt, peel, plain_ + mp * mr * kpf_, pbpeel, yi + r0 * npix + ns, npix, o, kLastK);
        if (mb) {
          o.bias = bias_.data() + m2_ + r0;
          kern_.ukernel(k_, mb, peel, plain_ + (mpad2_ + mp * mr) * kpf_, pbpeel, yi + (m2_ + r0) * npix + ns,
                        npix, o, kLastK);
        }
      }
    }
  }

 private:
  // strassen_peel(kern_, npix) without its 2 NR candidates per call: its
  // costs repeat with period 2 NR in N once every candidate fits (N >= 2 NR
  // + 1: N2 and the peel's panels shift by NR, all costs by 7), so the
  // constructor tabulates N < 4 NR + 2 and maps a larger N into [2 NR + 2, 4 NR + 2).
  size_t peel_of(size_t npix) const {
    const size_t per = 2 * kern_.nr, tab = 2 * per + 2;
    if (npix >= tab) npix = per + 2 + (npix - per - 2) % per;
    return peels_[npix];
  }

  ConvPlan make_plan(int64_t n, int64_t h, int64_t w, size_t want_units) const {
    ConvPlan pl;
    pl.algo = "strassen";
    pl.n = n;
    pl.h = h;
    pl.w = w;
    output_size(p_, h, w, &pl.ho, &pl.wo);
    GemmPlan& g = pl.gemm;
    const size_t nr = kern_.nr, mr = kern_.mr;
    const size_t npix = size_t(pl.ho) * size_t(pl.wo);
    g.m = m2_;
    g.k = k2_;
    g.kp = kp2_;
    g.kc = k2_;
    g.n = (npix - peel_of(npix) + 1) / 2;
    g.m_panels = div_up(m2_, mr);
    // Column blocks: the packed B of the seven operands within
    // kStrassenBlockBytes, at least kMinBlockPanels panels, at most all of N2.
    // Blocks of equal panel counts (a last block of a few columns would
    // repeat the B packing's per-row set-up for them).
    const size_t fit = std::max<size_t>(kMinBlockPanels, kStrassenBlockBytes / (7 * kp2_ * sizeof(float) * nr));
    const size_t panels = div_up(g.n, nr);
    size_t blocks = div_up(panels, fit);
    size_t nc = div_up(panels, blocks) * nr;
    blocks = div_up(g.n, nc);
    if (want_units && blocks * g.m_panels < want_units) {
      blocks = std::min(div_up(g.n, nr), div_up(want_units, g.m_panels));
      nc = round_up(div_up(g.n, blocks), nr);
      blocks = div_up(g.n, nc);
    }
    g.nc = nc;
    g.n_blocks = blocks;
    g.last_block_cost = double(g.n - (blocks - 1) * nc) / double(nc);
    const size_t floats = 7 * round_up(nc, nr) * kp2_ + round_up(kp2_ * nc, 16) + 7 * mr * round_up(nc, 4) +
                          round_up(peel_of(npix), nr) * kpf_;  // (the peeled columns' B panels)
    g.scratch_bytes = round_up(floats * sizeof(float) + 64, 64);  // (+64: vector loads past a panel's end)
    pl.axes[0] = size_t(n);
    pl.axes[1] = g.n_blocks;
    pl.axes[2] = g.m_panels;
    pl.last_cost[1] = g.last_block_cost;
    pl.units = pl.axes[0] * g.units();
    pl.scratch_bytes = g.scratch_bytes;
    pl.macs = conv_macs(p_, pl);
    pl.cost_per_mac = 0.9;  // 7/8 of the products plus the combinations (bench: strassen_*)
    return pl;
  }

  Conv2dParams p_;
  const SgemmKernels& kern_;
  const StrassenKernels& comb_;
  size_t m_, k_, m2_, k2_, mpad2_, kp2_, kpf_;
  size_t bstride_ = 0;
  std::vector<unsigned char> peels_;  // strassen_peel(kern_, N), N < 4 NR + 2 (peel_of)
  const float* plain_ = nullptr;  // the weights' top and bottom rows, 2 x mpad2 x Kp (own_plain_ or the GEMM's)
  Buffer<float> own_plain_;
  Buffer<float> packed_a_;  // the A operands that are no views: 5 or 7 x mpad2 x kp2
  const float* a_[7] = {};  // product i's A panels: panel p at a_[i] + p * a_panel_[i]
  size_t a_panel_[7] = {};
  Buffer<float> biases_;    // 7 x bstride
  Buffer<float> bias_;      // the layer's bias (M + MR, zeros past M)
};

}  // namespace

const char* strassen_conv_rejects(const Conv2dParams& p) {
  if (p.kernel_h != 1 || p.kernel_w != 1) return "it needs a 1x1 kernel";
  if (p.stride_h != 1 || p.stride_w != 1) return "it needs stride 1";
  if (p.pad_top || p.pad_bottom || p.pad_left || p.pad_right) return "it needs padding 0";
  if (p.groups != 1) return "it needs groups 1";
  return nullptr;
}

ConvImplPtr make_strassen_conv_with(const Conv2dParams& p, const float* weight, const float* bias,
                                    const SgemmKernels& kern, const StrassenKernels& comb) {
  return ConvImplPtr(new StrassenConv(p, kern, comb, weight, bias));
}

ConvImplPtr make_strassen_conv(const Conv2dParams& p, const float* weight, const float* bias) {
  return make_strassen_conv_with(p, weight, bias, *kernels().sgemm, *kernels().strassen);
}

ConvImplPtr make_strassen_conv_on(const Conv2dParams& p, const float* gemm_packed_a, const float* bias) {
  return ConvImplPtr(new StrassenConv(p, *kernels().sgemm, *kernels().strassen, nullptr, bias, gemm_packed_a));
}

// Columns computed by the plain GEMM (the peel, p = 0 .. 2 NR - 1):
// Strassen on the first N - p columns (halves of N2 = ceil((N - p) / 2),
// the right one zero-padded where N - p is odd) and the last p columns by
// the micro-kernel on the plain weights (top and bottom halves, full K).
// In units of one full NR-column panel of a half-height (M2 rows), half-K
// (K2) product, with P(n) = floor(n / NR) + e(n % NR) the panels of n
// columns and e(r) the table's partial-panel cost (gemm_edge_cost, relative
// to a full panel):
//   cost(p) = 7 P(N2(p))     the seven half-size products
//           + 4 P(p)         the peel: two halves of rows, 2 K2 deep each
// and the peel is the p with the least cost (the smallest p on a tie).
// p < 2 NR is enough: 2 NR more peeled columns cost 4 x 2 = 8 panels and
// save 7 (N2 one panel narrower). The B packing and the combine (a, b in
// strassen_conv_cost) are left out: they only add to Strassen's columns.
// aarch64 8x12 (e(1..4) = 0.202, 0.312, 0.400, 0.441, e(8) = 0.774):
//   7x7, N = 49:      p = 0: 7 e(1) = 1.41;  p = 1: N2 = 24 = 2 x 12, 4 e(1) = 0.81 -> 1
//   14x14, N = 196:   p = 0: N2 = 98 = 8 x 12 + 2, 7 e(2) = 2.18;  p = 4: N2 = 96, 4 e(4) = 1.76 -> 4
//   28x28, N = 784:   p = 0: N2 = 392 = 32 x 12 + 8, 7 e(8) = 5.42;  p = 16: 4 (1 + e(4)) = 5.76;
//                     p = 8: 7 e(4) + 4 e(8) = 6.18 -> 0 (56x56, 112x112: N2 % 12 = 8 too -> 0)
// armv7 6x8 (e(1) = 0.3, e(2..4) = 2/3, e(5..7) = 1): 7x7 -> 1 (N2 = 24 = 3 x
// 8), 14x14 -> 4 (7 x 2/3 = 4.67 against 4 x 2/3 = 2.67; N2 = 96 = 12 x 8),
// 28x28 .. 112x112 -> 0 (N2 a multiple of 8).
size_t strassen_peel(const SgemmKernels& kern, size_t npix) {
  if (npix < 3) return 0;
  const size_t nr = kern.nr;
  auto panels = [&](size_t n) { return double(n / nr) + (n % nr ? gemm_edge_cost(kern, n % nr) : 0.0); };
  size_t best = 0;
  double best_cost = 7.0 * panels((npix + 1) / 2);
  for (size_t p = 1; p < 2 * nr && p + 2 <= npix; p++) {
    const double c = 7.0 * panels((npix - p + 1) / 2) + 4.0 * panels(p);
    if (c < best_cost - 1e-9) {
      best = p;
      best_cost = c;
    }
  }
  return best;
}

size_t strassen_split_rows(size_t m, size_t mr) {
  const size_t half = (m + 1) / 2, up = round_up(half, mr);
  return up <= m ? up : half;
}

}  // namespace detail
}  // namespace armconv

namespace armconv {
namespace detail {

// The planner's estimate of a strassen layer (one image on an ho x wo map),
// as the GEMM's estimate (im2col_conv_cost, conv_gemm.cpp) plus the
// difference of the two: the micro-kernel term of 7 half-size products
// instead of the full one (the GEMM model's own tile term, T below), and
// what Strassen adds, per element of the half-size blocks:
//   a M2 N2   the combine (7 loads, 8 adds, 4 stores per 4 x 4 outputs),
//             the products' extra stores and their edge tiles
//   b K2 N2   packing the 7 B operands (5 of them sums)
//   d         per call (7 micro-kernel calls per unit, set-up)
// a, b, d: a least-squares fit (relative to the GEMM's count) of the
// measured difference strassen - gemm on MobileNetV2's 19 distinct 1x1
// layers (bench/bench_strassen.cpp, python3 bench/insncount.py --exe
// build-a64/bench/insn_bench --cpu cortex-a72 'strassen_*' 'gemm1x1_*'):
//   aarch64 (cortex-a72): a = 6.32, b = 7.58, d = 18760 (refit with the
//     peeled columns of strassen_peel: 14x14 maps peel 4; was a = 6.79,
//     b = 4.17, d = 73800 with at most one). Strassen counts 0.918x the
//     GEMM on 960->320 7x7, 0.922x on 320->1280 7x7, 0.948x on 960->160
//     7x7, 0.954x on 576->160 7x7, 0.959x on 160->960 7x7, 0.967x on
//     96->576 14x14, 0.973x on 384->96 14x14, 0.975x on 576->96 14x14,
//     1.009x on 64->384 14x14, 1.011x on 384->64 14x14, and 1.031x
//     (192->64 14x14) to 1.53x on the other 9 (K or M <= 32, or 28x28 and
//     larger maps with K, M <= 192); the model's difference (in % of the
//     GEMM's count) is within 2.5 points of the measured one on all 19
//     (within 1.1 on the 12 with K, M >= 64 and 7x7 or 14x14 maps but
//     160->960 7x7, 2.0, and 192->64 14x14, 2.0), and the planner asks for
//     a margin (conv2d.cpp, kStrassenMargin).
//   armv7 (cortex-a15, --arch arm, the 6x8 tile; python3 bench/insncount.py
//     --arch arm --cpu cortex-a15 --exe build-a32/bench/insn_bench ...):
//     a = -2.05, b = 9.73, d = 88600 (the B combinations packed by the
//     NEON pack_b_combo; was a = -2.51, b = 34.2, d = 123000 when the
//     packer was a scalar loop on armv7): Strassen counts 0.937x the GEMM
//     on 960->320 7x7, 0.943x on 320->1280 7x7, 0.992x on 160->960 7x7,
//     0.997x on 576->96 14x14, 1.000x on 384->96 14x14, 1.002x on 96->576
//     and 960->160 7x7 (the 14x14 ones with 4 peeled columns: were 1.043x,
//     1.061x, 1.043x) and 1.010x (576->160 7x7) to 2.03x (32->16 112x112)
//     on the other 12 (the 6x8 kernel's per-call cost, 7 calls per unit);
//     the model's difference (relative to the measured GEMM count) is
//     within 2 points on the layers with K, M >= 96 and 7x7 or 14x14 maps,
//     and the planner (kStrassenMargin) picks Strassen on 960->320 and
//     320->1280 7x7, not on 160->960 7x7 (0.992x measured). A refit on the
//     counts with the peeled columns (a = -1.89, b = 9.82, d = 71600) has
//     160->960 7x7 2.8% below the GEMM (0.8% measured), under the margin:
//     not taken (the estimates of the 14x14 layers with these constants:
//     1.002x to 1.022x, the measured 0.997x to 1.000x).
namespace {
#if defined(__arm__)
// armv7: T = 13.87 K t + 181 t, t = ceil(M / 6) ceil(N / 8) tiles (im2col_conv_cost's fit).
double tile_term(double m, double k, double n) {
  const double t = std::ceil(m / 6) * std::ceil(n / 8);
  return 13.87 * k * t + 181.2 * t;
}
constexpr double kA = -2.05, kB = 9.73, kD = 88600;
#else
// aarch64: T = ceil(M / 8) K (24.3 per 12-column panel + the partial panel's cost).
double tile_term(double m, double k, double n) {
  const int64_t r = int64_t(n) % 12;
  const double tail = r == 0 ? 0 : r == 1 ? 5.7 : r == 2 ? 9.2 : r == 3 ? 11.8 : r == 4 ? 15.1 : r <= 8 ? 23.5 : 25.0;
  return std::ceil(m / 8) * k * (24.3 * std::floor(n / 12) + tail);
}
constexpr double kA = 6.32, kB = 7.58, kD = 18760;
#endif
}  // namespace

double strassen_conv_cost(const Conv2dParams& p, int64_t ho, int64_t wo) {
  const double m = double(p.out_channels), k = double(p.in_channels), n = double(ho * wo);
  // (the peeled columns, if any (strassen_peel: 0 .. 2 NR - 1): p columns of the full GEMM)
  const double peel = double(strassen_peel(*kernels().sgemm, size_t(ho * wo)));
  const double m2 = double(strassen_split_rows(size_t(m), kernels().sgemm->mr)), k2 = std::ceil(k / 2), n2 = std::ceil((n - peel) / 2);
  return im2col_conv_cost(p, ho, wo) + 7 * tile_term(m2, k2, n2) + (peel ? tile_term(m, k, peel) : 0.0) -
         tile_term(m, k, n) + kA * m2 * n2 + kB * k2 * n2 + kD;
}

}  // namespace detail
}  // namespace armconv

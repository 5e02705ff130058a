// Convolution as GEMM, for every data type (one template, instantiated for
// fp32 and fp16 layers and for QConv2d's int8 layers):
//
//   C (Cout/g x Ho*Wo) = W (Cout/g x Cin/g*kh*kw) * B
//
//   gemm:   1x1 kernel, no padding. Stride 1: B is the image itself (C x H*W),
//           packed panel by panel; stride > 1 (fp32): subsampled while packing.
//   im2col: any shape; B's panels are packed straight from the image (stride,
//           padding and dilation resolved while packing, core/im2col.h), so
//           the im2col matrix is never materialised.
//
// Weights are packed once per group into MR-row panels; the output is
// written in place, NCHW, by the micro-kernel's store (output stage fused).
// Work units: (image, group) x the GEMM's own units (N-blocks x M-panels,
// core/gemm.h), image-group outermost.
//
// Threads on small maps (7x7, 14x14 with many channels: few N-blocks, the
// M-panels carry the threads): each thread's range of M-panels would pack
// all of its N-block's B again. Such a plan (plan_for_threads) runs in two
// stages (core/plan.h): stage 0 packs B of every image-group once into a
// buffer the threads share, in units of (image-group, slab of B, K-block,
// NR-panel group, slice of rows); stage 1 runs the micro-kernels of the
// usual units (N-blocks as narrow as one panel) from it. A layer that packs
// from a zero-padded copy of the image (GemmKernel::pad_copy) makes that copy
// in a stage of its own before them (three stages; units: image-group,
// channel, band of rows), into the same shared buffer, so that no two
// threads copy the same rows.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/buffer.h"
#include "core/conv_impl.h"
#include "core/dispatch.h"
#include "core/half.h"

namespace armconv {
namespace detail {
namespace {

// What a GEMM layer owns besides its packed weights: its output stage.
template <class T>
struct GemmRows;

template <>
struct GemmRows<F32Gemm> {
  Buffer<float> bias;  // Cout floats (zeros without a bias), slack past the end
  F32Output out;
  GemmRows(const Conv2dParams& p, const float* b) : bias(size_t(p.out_channels)) {
    if (b) std::memcpy(bias.data(), b, size_t(p.out_channels) * sizeof(float));
    out.bias = bias.data();
    out.clamp = p.clamp;
    out.lo = p.out_min;
    out.hi = p.out_max;
  }
};

template <>
struct GemmRows<S8Gemm> {
  S8Output out;  // points into the QuantLayer, which outlives the layer's families
  explicit GemmRows(const QuantLayer& q) : out(q.out) {}
};

// Largest packed B a plan in stages shares among its threads (the whole call's).
constexpr size_t kMaxSharedB = size_t(4) << 20;

// Largest zero-padded image copy (one group's channels) a worker's scratch
// holds for a kernel table with pad_copy (core/gemm.h). The copy costs about
// one load and store per 4 pixels; the stride-1 row packer it enables (one
// vector load per 4 pixels and tap, neon/sgemm_pack.h) saves more than that
// on every tap. Measured (python3 bench/insncount.py --cpu cortex-a72
// conv5x5_16_32_28 im2col3x3_64_28): 5x5 p2 16->32 28x28 3.08 -> 3.51 MACs
// per instruction, 3x3 p1 64->64 28x28 3.42 -> 3.56. (The size only bounds
// scratch; larger maps keep packing from the image.)
constexpr size_t kMaxPadCopy = size_t(256) << 10;

template <class T>
using ConvImplFor = typename std::conditional<std::is_same<T, S8Gemm>::value, ConvImplS8, ConvImpl>::type;

// A GEMM layer's shape, and its weights packed into MR-row panels per group
// (what every data type's layer has; A is the element type of the panels).
template <class A>
struct GemmLayer {
  Conv2dParams p;
  const char* algo;
  size_t g, m, cg, k, mpad, kp;
  bool dense;  // 1x1, stride 1, no padding: the image is B
  Buffer<A> packed_a;

  template <class K>
  GemmLayer(const Conv2dParams& p_, const K& kern, const char* algo_, const A* weight)
      : p(p_), algo(algo_) {
    g = size_t(p.groups);
    m = size_t(p.out_channels) / g;
    cg = size_t(p.in_channels) / g;
    k = cg * size_t(p.kernel_h * p.kernel_w);
    mpad = round_up(m, kern.mr);
    kp = round_up(k, kern.kr);
    if (weight) {  // nullptr: plan only (core/conv_impl.h)
      packed_a.reset(g * mpad * kp);
      for (size_t gi = 0; gi < g; gi++)
        kern.pack_a(m, k, weight + gi * m * k, k, packed_a.data() + gi * mpad * kp);
    }
    dense = p.kernel_h == 1 && p.kernel_w == 1 && p.stride_h == 1 && p.stride_w == 1 &&
            p.pad_top == 0 && p.pad_bottom == 0 && p.pad_left == 0 && p.pad_right == 0;
  }

  // want_units: the units a team would like (0: the one-thread plan;
  // gemm_plan: more, narrower N-blocks when the M-panels are too few).
  template <class T>
  ConvPlan plan(const GemmKernel<T>& kern, int64_t n, int64_t h, int64_t w, size_t want_units = 0,
                bool stages = false) const {
    ConvPlan pl;
    pl.algo = algo;
    pl.n = n;
    pl.h = h;
    pl.w = w;
    output_size(p, h, w, &pl.ho, &pl.wo);
    pl.gemm = gemm_plan(kern, m, size_t(pl.ho) * size_t(pl.wo), k, !dense, want_units, stages,
                        size_t(p.kernel_h * p.kernel_w));
    pl.axes[0] = size_t(n) * g;
    pl.axes[1] = pl.gemm.n_blocks;
    pl.axes[2] = pl.gemm.m_panels;
    pl.last_cost[1] = pl.gemm.last_block_cost;
    pl.last_cost[2] = pl.gemm.last_panel_cost;
    pl.units = pl.axes[0] * pl.gemm.units();
    pl.scratch_bytes = pl.gemm.scratch_bytes;
    pl.pad = pad_plan(kern, pl, want_units);
    if (pl.pad.bytes && !pl.gemm.staged) pl.scratch_bytes = round_up(pl.scratch_bytes, 64) + pl.pad.bytes;
    pl.macs = conv_macs(p, pl);
    if (pl.gemm.staged) {
      // [the padded copy,] packing B, the micro-kernels.
      pl.stages = pl.pad.bytes ? 3 : 2;
      if (pl.pad.bytes) {
        UnitGrid& gp = pl.early[0];
        gp.axes[0] = pl.axes[0];
        gp.axes[1] = cg;
        gp.axes[2] = pl.pad.bands;
        gp.last_cost[2] = double(pl.pad.hp - (pl.pad.bands - 1) * pl.pad.rows_per_unit) /
                          double(pl.pad.rows_per_unit);
      }
      UnitGrid& g0 = pl.early[pl.stages - 2];
      g0.axes[0] = pl.axes[0];
      g0.axes[1] = pl.gemm.slabs;
      g0.axes[2] = pl.gemm.k_blocks * pl.gemm.pack_groups * pl.gemm.k_slices;
      g0.last_cost[1] = pl.gemm.last_slab_cost;
      pl.shared_bytes = pl.axes[0] * pl.gemm.shared_bytes();
      if (pl.pad.bytes) {
        pl.pad.offset = round_up(pl.shared_bytes, 64);
        pl.shared_bytes = pl.pad.offset + pl.axes[0] * pl.pad.bytes;
      }
    }
    return pl;
  }

  // Stride-1 im2col from a zero-padded copy of the image (GemmKernel::pad_copy,
  // core/plan.h PadPlan): bytes 0 if the plan packs from the image itself.
  // The copy has the padded geometry: hp x wp planes, the image at
  // (pad_top, pad_left), zeros around it, so the packer sees a layer
  // without padding. A plan in stages copies in about want_units units per
  // image-group (bands of rows when the channels are fewer).
  template <class T>
  PadPlan pad_plan(const GemmKernel<T>& kern, const ConvPlan& pl, size_t want_units) const {
    PadPlan pad;
    if (!kern.pad_copy || dense || pl.ho < 1 || pl.wo < 1) return pad;
    if (p.pad_top == 0 && p.pad_bottom == 0 && p.pad_left == 0 && p.pad_right == 0) return pad;
    // The padded rows and columns the taps read: (ho - 1) sh + (kh - 1) dh + 1 by
    // (wo - 1) sw + (kw - 1) dw + 1 (stride 1: ho + kh - 1 by wo + kw - 1).
    const double hpd = double(pl.ho - 1) * double(p.stride_h) + double(p.kernel_h - 1) * double(p.dilation_h) + 1;
    const double wpd = double(pl.wo - 1) * double(p.stride_w) + double(p.kernel_w - 1) * double(p.dilation_w) + 1;
    const double bytes = double(cg) * hpd * wpd * sizeof(typename T::X);
    if (bytes > double(kMaxPadCopy)) return pad;
    const size_t hp = size_t(hpd), wp = size_t(wpd);
    if (kern.pack_im2col_ok) {
      // The table's packer says which padded geometries it packs fast.
      Im2colGeom padded = im2col_geom(p, pl.h, pl.w, pl.ho, pl.wo);
      padded.h = hp;
      padded.w = wp;
      padded.pad_top = padded.pad_left = 0;
      if (!kern.pack_im2col_ok(padded)) return pad;
    } else if (p.stride_h != 1 || p.stride_w != 1 || p.dilation_h != 1 || p.dilation_w != 1 || pl.wo % 4 != 0) {
      return pad;
    }
    pad.bytes = round_up(size_t(bytes), 64);
    pad.hp = hp;
    pad.wp = wp;
    const size_t bands = std::min(hp, std::max<size_t>(1, div_up(want_units, cg)));
    pad.rows_per_unit = div_up(hp, bands);
    pad.bands = div_up(hp, pad.rows_per_unit);
    return pad;
  }

  // The im2col geometry of the padded copy at `padded` (pl.pad).
  void use_padded(const ConvPlan& pl, const void* padded, Im2colGeom* geom) const {
    geom->x = padded;
    geom->h = pl.pad.hp;
    geom->w = pl.pad.wp;
    geom->pad_top = geom->pad_left = 0;
  }

  // Rows [r0, r1) of channels [c0, c1) of the zero-padded copy of
  // image-group xg into dst (cg planes of hp x wp): padded row r is input
  // row r - pad_top.
  template <class X>
  void pad_rows(const ConvPlan& pl, const X* xg, size_t c0, size_t c1, size_t r0, size_t r1, X* dst) const {
    const size_t h = size_t(pl.h), w = size_t(pl.w);
    const size_t hp = pl.pad.hp, wp = pl.pad.wp;
    // Padded column u is input column u - pad_left: zeros, the image's
    // columns that fall inside [0, wp) (all of them at stride 1: a stride
    // may leave the last ones unread), zeros.
    const size_t left = std::min(size_t(p.pad_left), wp);
    const size_t copy = std::min(w, wp - left), right = wp - left - copy;
    for (size_t c = c0; c < c1; c++) {
      for (size_t r = r0; r < r1; r++) {
        X* d = dst + (c * hp + r) * wp;
        const int64_t iy = int64_t(r) - p.pad_top;
        if (iy < 0 || iy >= int64_t(h)) {
          std::fill_n(d, wp, X{});
          continue;
        }
        std::fill_n(d, left, X{});
        std::memcpy(d + left, xg + (c * h + size_t(iy)) * w, copy * sizeof(X));
        std::fill_n(d + left + copy, right, X{});
      }
    }
  }

  // Whether a plan runs as GEMVs (GemmKernel::gemv): a dense layer on a 1x1
  // map, one-stage plan (units: M-panels, one N-block).
  template <class T>
  bool gemv_applies(const GemmKernel<T>& kern, const ConvPlan& pl) const {
    return kern.gemv && dense && pl.ho == 1 && pl.wo == 1 && !pl.gemm.staged;
  }

  // The B of image-group ig: the image (dense) or its im2col geometry.
  template <class T>
  GemmB<T> b_of(const ConvPlan& pl, const typename T::X* x, size_t ig, Im2colGeom* geom) const {
    const size_t hw = size_t(pl.h) * size_t(pl.w);
    const typename T::X* xg = x + ig * cg * hw;
    GemmB<T> src;
    if (dense) {
      src.b = xg;
      src.ldb = hw;
    } else {
      geom->x = xg;
      src.im2col = geom;
    }
    return src;
  }

  // Threads: kUnitsPerThread units per thread over the call's GEMMs (more,
  // narrower N-blocks when the M-panels are too few). When the one-thread
  // plan has fewer (image-group, N-block) pairs than that, threads would
  // share N-blocks and each pack B again. Unless a one-stage plan with a
  // multiple of `threads` N-blocks of about equal width hands every thread
  // whole N-blocks (wide maps: split_units cuts no N-block), the plan then
  // runs in stages (B packed once, shared), if the call's packed B fits
  // kMaxSharedB.
  template <class T>
  ConvPlan plan_for_threads(const GemmKernel<T>& kern, int64_t n, int64_t h, int64_t w, int threads) const {
    const size_t gemms = std::max<size_t>(1, size_t(n) * g);
    const size_t target = kUnitsPerThread * size_t(threads), want = div_up(target, gemms);
    const ConvPlan one = plan(kern, n, h, w);
    if (one.axes[0] * one.gemm.n_blocks < target && !gemv_applies(kern, one)) {
      const size_t mp = std::max<size_t>(1, one.gemm.m_panels);
      const ConvPlan flat = plan(kern, n, h, w, round_up(div_up(want, mp), size_t(threads)) * mp);
      if (whole_blocks(flat, threads)) return flat;
      ConvPlan st = plan(kern, n, h, w, want, true);
      if (st.shared_bytes <= kMaxSharedB) return st;
    }
    return plan(kern, n, h, w, want);
  }

  // Whether split_units gives each of `threads` threads whole (image-group,
  // N-block) pairs of a one-stage plan: no B block packed by two threads.
  static bool whole_blocks(const ConvPlan& pl, int threads) {
    if (threads < 2 || threads > 64 || pl.axes[0] * pl.gemm.n_blocks < size_t(threads)) return false;
    size_t bounds[65];
    split_units(pl.grid(), threads, bounds);
    for (int t = 1; t < threads; t++)
      if (bounds[t] % pl.gemm.m_panels != 0) return false;
    return true;
  }

  // Units [begin, end) of stage `stage` of a plan in stages.
  template <class T>
  void run_stage(const GemmKernel<T>& kern, const typename T::Out& out, const ConvPlan& pl, int stage,
                 const typename T::X* x, typename T::C* y, size_t begin, size_t end, void* scratch,
                 void* shared) const {
    using C = typename T::C;
    using X = typename T::X;
    const size_t howo = size_t(pl.ho) * size_t(pl.wo), es = out_elem_bytes(out);
    // -1: the padded copy (a three-stage plan's stage 0), 0: packing B, 1: the micro-kernels.
    const int s = stage - (pl.stages - 2);
    const size_t hw = size_t(pl.h) * size_t(pl.w);
    X* const padded = pl.pad.bytes ? reinterpret_cast<X*>(static_cast<char*>(shared) + pl.pad.offset) : nullptr;
    if (s < 0) {
      // Unit (ig, c, band): rows of plane c of image-group ig's copy.
      for (size_t u = begin; u < end; u++) {
        const size_t band = u % pl.pad.bands, c = u / pl.pad.bands % cg, ig = u / pl.pad.bands / cg;
        const size_t r0 = band * pl.pad.rows_per_unit, r1 = std::min(pl.pad.hp, r0 + pl.pad.rows_per_unit);
        X* dst = reinterpret_cast<X*>(reinterpret_cast<char*>(padded) + ig * pl.pad.bytes);
        pad_rows(pl, x + ig * cg * hw, c, c + 1, r0, r1, dst);
      }
      return;
    }
    const size_t per = s == 0 ? pl.gemm.pack_units() : pl.gemm.units();
    Im2colGeom geom = im2col_geom(p, pl.h, pl.w, pl.ho, pl.wo);
    for (size_t u = begin; u < end;) {
      const size_t ig = u / per, lo = u % per, hi = std::min(per, lo + (end - u));
      u += hi - lo;
      char* b_ig = static_cast<char*>(shared) + ig * pl.gemm.shared_bytes();
      if (s == 0) {
        GemmB<T> src = b_of<T>(pl, x, ig, &geom);
        if (padded) use_padded(pl, reinterpret_cast<char*>(padded) + ig * pl.pad.bytes, &geom);
        gemm_pack(kern, pl.gemm, src, lo, hi, b_ig, scratch);
        continue;
      }
      const size_t gi = ig % g;
      C* yg = static_cast<C*>(static_cast<void*>(static_cast<char*>(static_cast<void*>(y)) +
                                                 ig * m * howo * es));
      gemm_run_packed(kern, pl.gemm, packed_a.data() + gi * mpad * kp, b_ig, yg, howo, out_from_row(out, gi * m),
                      lo, hi);
    }
  }

  template <class T>
  void run(const GemmKernel<T>& kern, const typename T::Out& out, const ConvPlan& pl,
           const typename T::X* x, typename T::C* y, size_t begin, size_t end,
           void* scratch) const {
    using C = typename T::C;
    if (pl.gemm.staged) throw Error("internal: a GEMM plan in stages runs through run_stage()");
    const size_t howo = size_t(pl.ho) * size_t(pl.wo);
    const size_t per = pl.gemm.units(), es = out_elem_bytes(out);
    Im2colGeom geom = im2col_geom(p, pl.h, pl.w, pl.ho, pl.wo);
    using X = typename T::X;
    X* const padded =
        pl.pad.bytes ? reinterpret_cast<X*>(static_cast<char*>(scratch) + round_up(pl.gemm.scratch_bytes, 64))
                     : nullptr;
    for (size_t u = begin; u < end;) {
      // GEMM units [lo, hi) of image-group ig.
      const size_t ig = u / per, lo = u % per, hi = std::min(per, lo + (end - u));
      u += hi - lo;
      const size_t gi = ig % g;
      C* yg = static_cast<C*>(static_cast<void*>(static_cast<char*>(static_cast<void*>(y)) +
                                                 ig * m * howo * es));
      if (gemv_applies(kern, pl)) {
        // N = 1 (a 1x1 layer on a 1x1 map): each unit is one M-panel, its
        // GEMV reads the image-group's cg inputs as they are.
        const X* xg = x + ig * cg;
        for (size_t mp = lo; mp < hi; mp++) {
          const size_t r0 = mp * kern.mr;
          kern.gemv(k, std::min(kern.mr, m - r0), packed_a.data() + gi * mpad * kp + r0 * kp, xg,
                    static_cast<C*>(static_cast<void*>(static_cast<char*>(static_cast<void*>(yg)) + r0 * es)), 1,
                    out_from_row(out, gi * m + r0));
        }
        continue;
      }
      GemmB<T> src = b_of<T>(pl, x, ig, &geom);
      if (padded) {
        // The padded rows the units' N-blocks read: output rows oy0 .. oy1 - 1
        // need padded rows oy0 sh .. (oy1 - 1) sh + (kh - 1) dh.
        const size_t n0 = lo / pl.gemm.m_panels * pl.gemm.nc;
        const size_t n1 = std::min(howo, ((hi - 1) / pl.gemm.m_panels + 1) * pl.gemm.nc);
        const size_t oy0 = n0 / size_t(pl.wo), oy1 = (n1 - 1) / size_t(pl.wo) + 1;
        const size_t sh = size_t(geom.sh), dh = size_t(geom.dh);
        pad_rows(pl, static_cast<const X*>(geom.x), 0, cg, oy0 * sh, (oy1 - 1) * sh + (geom.kh - 1) * dh + 1,
                 padded);
        use_padded(pl, padded, &geom);
      }
      gemm_run(kern, pl.gemm, packed_a.data() + gi * mpad * kp, src, yg, howo,
               out_from_row(out, gi * m), lo, hi, scratch);
    }
  }
};

template <class T>
class GemmConv final : public ConvImplFor<T> {
  using A = typename T::A;
  using X = typename T::X;
  using C = typename T::C;

 public:
  template <class... R>
  GemmConv(const Conv2dParams& p, const GemmKernel<T>& kern, const char* algo, const A* weight,
           R&&... rows)
      : layer_(p, kern, algo, weight), kern_(kern), rows_(std::forward<R>(rows)...) {}

  ConvPlan plan(int64_t n, int64_t h, int64_t w) const override {
    ConvPlan pl = layer_.plan(kern_, n, h, w);
    if (refused(pl)) pl = layer_.plan(staged_, n, h, w);
    return pl;
  }
  ConvPlan plan_for_threads(int64_t n, int64_t h, int64_t w, int threads) const override {
    ConvPlan pl = layer_.plan_for_threads(kern_, n, h, w, threads);
    if (refused(pl)) pl = layer_.plan_for_threads(staged_, n, h, w, threads);
    return pl;
  }

  void run(const ConvPlan& pl, const X* x, C* y, size_t begin, size_t end,
           void* scratch) const override {
    // (Two calls rather than one through a chosen reference: the tables'
    // fields stay known to the compiler in the per-panel loops.)
    if (staged(pl))
      layer_.run(staged_, rows_.out, pl, x, y, begin, end, scratch);
    else
      layer_.run(kern_, rows_.out, pl, x, y, begin, end, scratch);
  }
  void run_stage(const ConvPlan& pl, int stage, const X* x, C* y, size_t begin, size_t end, void* scratch,
                 void* shared) const override {
    if (pl.stages == 1) return run(pl, x, y, begin, end, scratch);
    if (staged(pl))
      layer_.run_stage(staged_, rows_.out, pl, stage, x, y, begin, end, scratch, shared);
    else
      layer_.run_stage(kern_, rows_.out, pl, stage, x, y, begin, end, scratch, shared);
  }

 private:
  // A table whose pack_im2col is fast only where pack_im2col_ok says
  // (core/gemm.h): a plan of kern_ whose geometry (after the padded copy,
  // if it makes one) it refuses is planned and run with staged_, the same
  // table packing im2col through pack_b, staged by the driver.
  bool refused(const ConvPlan& pl) const {
    if (!kern_.pack_im2col_ok || layer_.dense) return false;
    Im2colGeom g = im2col_geom(layer_.p, pl.h, pl.w, pl.ho, pl.wo);
    if (pl.pad.bytes) {
      g.h = pl.pad.hp;
      g.w = pl.pad.wp;
      g.pad_top = g.pad_left = 0;
    }
    return !kern_.pack_im2col_ok(g);
  }
  // Whether a plan runs with staged_: a staged plan reserves scratch for
  // the staging (gemm_plan: stage_bytes), a plan of kern_ none.
  bool staged(const ConvPlan& pl) const {
    return kern_.pack_im2col_ok && !layer_.dense && pl.gemm.stage_bytes;
  }
  static GemmKernel<T> staged_table(const GemmKernel<T>& k) {
    GemmKernel<T> s = k;
    s.pack_im2col = nullptr;
    s.pack_im2col_ok = nullptr;
    s.pad_copy = false;
    return s;
  }

  GemmLayer<A> layer_;
  const GemmKernel<T>& kern_;
  GemmKernel<T> staged_ = staged_table(kern_);

 public:
  size_t weight_bytes() const override { return layer_.packed_a.size() * sizeof(A); }
  const A* packed_a() const { return layer_.packed_a.data(); }

 private:
  GemmRows<T> rows_;
};

// fp16: weights rounded to binary16 and packed once; the float32-image table
// and the binary16-image table of the same kernel share them.
struct F16Rows {
  Buffer<Half> bias;  // Cout binary16 (zeros without a bias), slack past the end
  Half lo, hi;
  F16Rows(const Conv2dParams& p, const float* b) : bias(size_t(p.out_channels)) {
    if (b)
      for (size_t o = 0; o < size_t(p.out_channels); o++) bias[o] = float_to_half(b[o]);
    lo = float_to_half(p.out_min);
    hi = float_to_half(p.out_max);
  }
  template <class IO>
  F16Output<IO> out(const Conv2dParams& p) const {
    F16Output<IO> o;
    o.bias = bias.data();
    o.clamp = p.clamp;
    o.lo = lo;
    o.hi = hi;
    return o;
  }
};

std::vector<Half> to_half(const float* v, size_t n) {
  std::vector<Half> h(n);
  for (size_t i = 0; i < n; i++) h[i] = float_to_half(v[i]);
  return h;
}

class HgemmConv final : public ConvImplF16 {
 public:
  HgemmConv(const Conv2dParams& p, const HgemmPair& kern, const char* algo, const float* weight,
            const float* bias)
      : kern_(kern),
        layer_(p, *kern.f32, algo,
               weight ? to_half(weight, size_t(p.out_channels) * size_t(p.in_channels / p.groups) *
                                            size_t(p.kernel_h * p.kernel_w))
                            .data()
                      : nullptr),
        rows_(p, bias),
        out32_(rows_.out<float>(p)),
        out16_(rows_.out<Half>(p)) {}

  ConvPlan plan(int64_t n, int64_t h, int64_t w) const override {
    return layer_.plan(*kern_.f32, n, h, w);
  }
  // (The binary16 table has the float32 one's tile and packers: one plan.)
  ConvPlan plan_for_threads(int64_t n, int64_t h, int64_t w, int threads) const override {
    return layer_.plan_for_threads(*kern_.f32, n, h, w, threads);
  }
  void run(const ConvPlan& pl, const float* x, float* y, size_t begin, size_t end,
           void* scratch) const override {
    layer_.run(*kern_.f32, out32_, pl, x, y, begin, end, scratch);
  }
  void run(const ConvPlan& pl, const Half* x, Half* y, size_t begin, size_t end,
           void* scratch) const override {
    layer_.run(*kern_.f16, out16_, pl, x, y, begin, end, scratch);
  }
  void run_stage(const ConvPlan& pl, int stage, const float* x, float* y, size_t begin, size_t end,
                 void* scratch, void* shared) const override {
    if (pl.stages == 1) return run(pl, x, y, begin, end, scratch);
    layer_.run_stage(*kern_.f32, out32_, pl, stage, x, y, begin, end, scratch, shared);
  }
  void run_stage(const ConvPlan& pl, int stage, const Half* x, Half* y, size_t begin, size_t end,
                 void* scratch, void* shared) const override {
    if (pl.stages == 1) return run(pl, x, y, begin, end, scratch);
    layer_.run_stage(*kern_.f16, out16_, pl, stage, x, y, begin, end, scratch, shared);
  }

 private:
  HgemmPair kern_;
  GemmLayer<Half> layer_;
  F16Rows rows_;
  F16Output<float> out32_;
  F16Output<Half> out16_;
};

}  // namespace

// ---- fp32 ---------------------------------------------------------------------

const char* gemm_conv_rejects(const Conv2dParams& p) {
  if (p.kernel_h != 1 || p.kernel_w != 1) return "it needs a 1x1 kernel";
  if (p.pad_top || p.pad_bottom || p.pad_left || p.pad_right) return "it needs padding 0";
  return nullptr;
}

ConvImplPtr make_gemm_conv(const Conv2dParams& p, const float* weight, const float* bias) {
  return ConvImplPtr(new GemmConv<F32Gemm>(p, *kernels().sgemm, "gemm", weight, p, bias));
}

ConvImplPtr make_gemm_conv_sharing(const Conv2dParams& p, const float* weight, const float* bias,
                                   const float** packed_a) {
  GemmConv<F32Gemm>* impl = new GemmConv<F32Gemm>(p, *kernels().sgemm, "gemm", weight, p, bias);
  *packed_a = impl->packed_a();
  return ConvImplPtr(impl);
}

const char* im2col_conv_rejects(const Conv2dParams&) { return nullptr; }

ConvImplPtr make_im2col_conv(const Conv2dParams& p, const float* weight, const float* bias) {
  return ConvImplPtr(new GemmConv<F32Gemm>(p, *kernels().sgemm, "im2col", weight, p, bias));
}

// ---- fp16 ----------------------------------------------------------------------

ConvImplPtr make_gemm_conv_f16(const Conv2dParams& p, const float* weight, const float* bias) {
  const HgemmPair& k = kernels().hgemm;
  return k.f32 ? ConvImplPtr(new HgemmConv(p, k, "gemm", weight, bias)) : nullptr;
}

ConvImplPtr make_im2col_conv_f16(const Conv2dParams& p, const float* weight, const float* bias) {
  const HgemmPair& k = kernels().hgemm;
  return k.f32 ? ConvImplPtr(new HgemmConv(p, k, "im2col", weight, bias)) : nullptr;
}

// The im2col cost model (the fp32 planner weighs it against Winograd's,
// conv_winograd.cpp): estimated instructions of one image, a least-squares
// fit to qemu-user counts (bench/insncount.py) of 38 3x3 layers
// (pays_im2col_<Cin>_<Cout>_<map>, maps 1..56, bench/bench_winograd.cpp).
// Per group, with K = Cin/g kh kw and N = Ho Wo columns:
//   aarch64 (-cpu cortex-a72; also 15 1 x N rows, im2col_row_n<N>), 8x12
//   tiles, M8 = ceil(Cout/g / 8) row panels: M8 K x (24.3 per full
//   12-column panel + for the last N % 12 columns 5.7, 9.2, 11.8, 15.1 for
//   1..4 (tiles of their own), 23.5 for 5..8 (the 8-column tile), 25.0 for
//   9..11 (a 12-column tile through a stack tile)) + 2.06 K N (packing B)
//   + 16.8 K Ho (per packed row segment) + 2765: mean error 4.7%, at most
//   22% (4 -> 4 channels, where every algorithm costs little);
//   armv7 (-cpu cortex-a15), 6x8 tiles (every tail a full tile), T =
//   ceil(Cout/g / 6) ceil(N / 8) tiles: 13.87 K T + 181 T + 2.4 K N + 14.5
//   K Ho + 7620: mean error 4.7%, at most 17%.
double im2col_conv_cost(const Conv2dParams& p, int64_t ho, int64_t wo) {
  const double k = double(p.in_channels / p.groups * p.kernel_h * p.kernel_w);
  const int64_t mg = p.out_channels / p.groups, n = ho * wo;
#if defined(__arm__)
  const double tiles = std::ceil(double(mg) / 6) * std::ceil(double(n) / 8);
  return double(p.groups) * (13.87 * k * tiles + 181.2 * tiles + 2.4 * k * double(n) + 14.53 * k * double(ho) + 7620);
#else
  const double m8 = std::ceil(double(mg) / 8);
  const int64_t r = n % 12;
  const double tail = r == 0 ? 0 : r == 1 ? 5.7 : r == 2 ? 9.2 : r == 3 ? 11.8 : r == 4 ? 15.1 : r <= 8 ? 23.5 : 25.0;
  return double(p.groups) * (m8 * k * (24.3 * double(n / 12) + tail) + 2.06 * k * double(n) + 16.8 * k * double(ho) + 2765);
#endif
}

// ---- int8 ----------------------------------------------------------------------

const char* gemm_s8_conv_rejects(const Conv2dParams& p) {
  if (p.kernel_h != 1 || p.kernel_w != 1) return "it needs a 1x1 kernel";
  if (p.stride_h != 1 || p.stride_w != 1) return "it needs stride 1";
  if (p.pad_top || p.pad_bottom || p.pad_left || p.pad_right) return "it needs padding 0";
  return nullptr;
}

ConvImplS8Ptr make_gemm_s8_conv(const Conv2dParams& p, const QuantLayer& q) {
  return ConvImplS8Ptr(new GemmConv<S8Gemm>(p, *kernels().gemm_s8, "gemm", q.w_q.data(), q));
}

ConvImplS8Ptr make_im2col_s8_conv(const Conv2dParams& p, const QuantLayer& q) {
  return ConvImplS8Ptr(new GemmConv<S8Gemm>(p, *kernels().gemm_s8, "im2col", q.w_q.data(), q));
}

// The int8 im2col's estimated instructions of one image, per group (the
// int8 planner compares it with winograd_s8_conv_cost, conv_winograd.cpp),
// with K = Cin/g kh kw, N = Ho Wo, Mg = Cout/g:
//   a ceil(Mg / MR) ceil(N / NR) ceil(K / KR)   micro-kernel steps
//   b K N                                       im2col packing
//   c K Ho                                      per packed row segment
//   d                                           per call
//   e K, maps narrower than 4 (Wo < 4)          staged packing (i8mm fit only)
// the tile MR x NR k KR of the dispatched int8 GEMM (4x4k16 smull, 8x12k4
// sdot, 8x8k8 i8mm, 4x2k16 armv7). A least-squares fit (relative error, coefficients
// >= 0) to the counts of bench/bench_int8.cpp's qpays_im2col_* (3x3, 3..512
// channels, maps 1..56, python3 bench/insncount.py 'qpays_*'), aarch64
// refitted after the direct im2col packers (neon/gemm_s8_im2col.h), which
// left maps narrower than 4 on the staged packer (the term the model lacks:
// its worst errors, 1x1 and 2x2 maps, where Winograd counts 3x fewer):
//   smull (cortex-a72): mean error 17.6%, at most 54%; it picks the cheaper
//   of the two on all 11 counted layers (Winograd but on 3 input channels);
//   sdot (cortex-a76): mean 18.1%, at most 58%; it picks the cheaper on 10
//   of 11 (16->16 8x8: Winograd, 7% over im2col's 35.9 K), im2col on
//   ResNet-18's 3x3 layers (1.7x to 2.1x fewer than Winograd);
//   armv7 (cortex-a15, --arch arm): mean 18.4%, at most 51%; 11 of 11
//   (Winograd counts 1.1x to 3.4x fewer but on 3 input channels);
//   i8mm (qemu max, --cpu max): with the term e, which the others lack
//   (their e = 0), mean 8.1%, at most 23%; it picks the cheaper on 11 of 11
//   (Winograd on 8->24 3x3, 64->64 2x2 and 128->64 1x1, im2col 1.4x to 6x
//   fewer on the rest); without e: mean 21%, at most 73%, and im2col on the
//   2x2 and 1x1 maps (3x Winograd's count). (Before this fit a kr = 8 table
//   used the smull fit: about 2.6x its counts on the large maps, and
//   Winograd on 16->16 8x8, where im2col counts 1.45x fewer.)
// (python3 -c over the counts: scipy.optimize.nnls on the rows weighed by
// 1 / count; the counts change with the packers, the fits with them.)
double im2col_s8_conv_cost(const Conv2dParams& p, int64_t ho, int64_t wo) {
  const S8GemmKernels& g = *kernels().gemm_s8;
  struct Fit {
    double a, b, c, d, e;
  };
#if defined(__arm__)
  const Fit f = {30.84, 0.0, 31.83, 36240, 0.0};
#else
  const Fit f = g.kr == 8   ? Fit{18.16, 0.7793, 7.749, 9308, 141.3}
                : g.kr == 4 ? Fit{28.45, 0.2326, 4.562, 26490, 0.0}
                            : Fit{56.02, 0.0, 15.38, 27020, 0.0};
#endif
  const double k = double(p.in_channels / p.groups * p.kernel_h * p.kernel_w), n = double(ho * wo);
  const double steps = std::ceil(double(p.out_channels / p.groups) / double(g.mr)) * std::ceil(n / double(g.nr)) *
                       std::ceil(k / double(g.kr));
  const double staged = wo < 4 ? k : 0.0;
  return double(p.groups) * (f.a * steps + f.b * k * n + f.c * k * double(ho) + f.d + f.e * staged);
}

}  // namespace detail
}  // namespace armconv

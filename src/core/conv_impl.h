// The operator layer's view of the kernel families. Each family says whether
// it can run a convolution (and if not, why), and builds an implementation
// (core/plan.h: plan + run ranges) that owns the weights packed for it. The
// planners choose among them: conv2d.cpp for fp32, qconv.cpp for int8.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "armconv/armconv.h"
#include "armconv/quant.h"
#include "core/buffer.h"
#include "core/plan.h"
#include "core/strassen.h"
#include "core/wino_gemm.h"
#include "core/winograd.h"

namespace armconv {
namespace detail {

using ConvImplPtr = std::unique_ptr<const ConvImpl>;
using ConvImplS8Ptr = std::unique_ptr<const ConvImplS8>;

// Multiply-adds of a convolution call (direct-convolution equivalent).
inline double conv_macs(const Conv2dParams& p, const ConvPlan& pl) {
  return double(pl.n) * double(p.out_channels) * double(pl.ho) * double(pl.wo) *
         double(p.in_channels / p.groups) * double(p.kernel_h) * double(p.kernel_w);
}

// Runs every unit of a call: the one place where convolutions go parallel
// (Conv2d::run, QConv2d::run_any), for every family.
//
// `plan` is the family's plan(n, h, w). call_plan(): if the call's work is worth more than
// one thread (threads.h: team_for_work, from the plan's work (MACs weighted
// by the family's cost per MAC) and this thread's get_num_threads()), the family re-plans for that many threads
// (plan_for_threads: finer units), the units are split into contiguous ranges
// of equal cost, one per thread, and each thread runs its range with its own
// scratch (ScratchLease: cached per thread between calls). The packed weights
// are shared, read-only. Units never split a reduction, so the output bits
// do not depend on the thread count.
// The reference form (run_all): `plan` itself when one thread runs it (no
// copy of the plan per call), else the team's plan, made in *threaded.
template <class X, class Y>
const ConvPlan& call_plan(const ConvImplT<X, Y>& impl, const ConvPlan& plan, std::optional<ConvPlan>* threaded,
                          int* team) {
  const int want = team_for_work(plan.work());
  if (want > 1) {
    const ConvPlan& tp = threaded->emplace(impl.plan_for_threads(plan.n, plan.h, plan.w, want));
    *team = team_size(tp.units, tp.work_per_unit(), want);
    if (*team > 1) return tp;
  }
  *team = 1;
  return plan;
}
template <class X, class Y>
ConvPlan call_plan(const ConvImplT<X, Y>& impl, const ConvPlan& plan, int* team) {
  std::optional<ConvPlan> threaded;
  return call_plan(impl, plan, &threaded, team);
}

// The scratch memory a call of `plan` takes at this thread's thread count
// (what run_all leases): each thread of the team its plan's scratch, and a
// plan in stages the buffer its threads share (64-byte rounded). Conv2d and
// QConv2d::workspace_bytes report it for a batch of one.
template <class X, class Y>
size_t call_workspace_bytes(const ConvImplT<X, Y>& impl, const ConvPlan& plan) {
  int team = 1;
  const ConvPlan pl = call_plan(impl, plan, &team);
  return size_t(team) * pl.scratch_bytes + (pl.shared_bytes + 63) / 64 * 64;
}

// A plan in stages (plan.h) runs stage after stage on the same team, with one
// shared buffer for the call (run_staged_units).
template <class X, class Y>
void run_all(const ConvImplT<X, Y>& impl, const ConvPlan& plan, const X* x, Y* y) {
  int team = 1;
  std::optional<ConvPlan> threaded;
  const ConvPlan& pl = call_plan(impl, plan, &threaded, &team);
  if (pl.stages > 1) {
    UnitGrid grids[ConvPlan::kMaxStages];
    for (int s = 0; s < pl.stages; s++) grids[s] = pl.stage_grid(s);
    run_staged_units(grids, pl.stages, team, pl.scratch_bytes, pl.shared_bytes,
                     [&](int stage, size_t begin, size_t end, void* scratch, void* shared) {
                       impl.run_stage(pl, stage, x, y, begin, end, scratch, shared);
                     });
    return;
  }
  run_units(pl.grid(), team, pl.scratch_bytes, [&](size_t begin, size_t end, void* scratch) {
    impl.run(pl, x, y, begin, end, scratch);
  });
}

// Runs `impl` over an (n, C, h, w) x on the layer's kept plan of that size
// (`plans`, core/plan.h: made by the first call of the size), or on one
// planned for this call when the layer keeps as many sizes as it may: what
// Conv2d::run and QConv2d::run_any do. plan() checks h and w (output_size),
// also for n = 0, which runs nothing.
template <class X, class Y>
void run_kept(const PlanMemo& plans, const ConvImplT<X, Y>& impl, int64_t n, int64_t h, int64_t w,
              const X* x, Y* y) {
  const auto make = [&] { return impl.plan(n, h, w); };
  if (const ConvPlan* kept = plans.find(n, h, w, make)) {
    if (n > 0) run_all(impl, *kept, x, y);
    return;
  }
  const ConvPlan plan = make();
  if (n > 0) run_all(impl, plan, x, y);
}

// What a call of a layer runs: its plan and team (bench/insn_bench and the
// Python test hooks report them). Declared a friend by Conv2d and QConv2d.
struct PlanAccess {
  static ConvPlan plan(const Conv2d& layer, int64_t n, int64_t h, int64_t w, int* team);
  static ConvPlan plan(const QConv2d& layer, int64_t n, int64_t h, int64_t w, int* team);
  // How many algorithms' weights the layer holds packed (an `auto` layer that
  // picks by map size packs each on the first run that needs it; others: 1).
  static size_t packed_algos(const Conv2d& layer);
  static size_t packed_algos(const QConv2d& layer);
  // The bytes of weights an fp32 layer holds (ConvImpl::weight_bytes: packed
  // panels and a kept copy; biases not counted).
  static size_t weight_bytes(const Conv2d& layer);
};

// ---- fp32 families ------------------------------------------------------------
// `rejects` returns nullptr when the family can run `p`, or a sentence saying
// why not; `make` packs the weights (called only after rejects() returned
// nullptr and validate() passed). Winograd and im2col (the families an `auto`
// layer picks between by map size) also take weight == nullptr: a plan-only
// implementation, whose plan() and plan_for_threads() are those of the packed
// one, with nothing packed (run() must not be called).

// conv_gemm.cpp: 1x1 convolutions as a GEMM over the image (strided ones
// subsampled while packing), and im2col + GEMM for any shape.
const char* gemm_conv_rejects(const Conv2dParams& p);
ConvImplPtr make_gemm_conv(const Conv2dParams& p, const float* weight, const float* bias);
const char* im2col_conv_rejects(const Conv2dParams& p);
ConvImplPtr make_im2col_conv(const Conv2dParams& p, const float* weight, const float* bias);
// The 1x1 GEMM layer (fp32), and where its packed weights are (*packed_a:
// pack_a() of the whole weight matrix on kernels().sgemm, MR-row panels),
// for a strassen layer of the same weights to share (make_strassen_conv_on).
ConvImplPtr make_gemm_conv_sharing(const Conv2dParams& p, const float* weight, const float* bias,
                                   const float** packed_a);

// conv_strassen.cpp: 1x1 stride-1 unpadded layers (groups 1) as one level
// of Strassen over the fp32 GEMM (core/strassen.h); _with: on the given
// tables (tests: the generic twins). weight == nullptr: plan only.
const char* strassen_conv_rejects(const Conv2dParams& p);
ConvImplPtr make_strassen_conv(const Conv2dParams& p, const float* weight, const float* bias);
ConvImplPtr make_strassen_conv_with(const Conv2dParams& p, const float* weight, const float* bias,
                                    const SgemmKernels& kern, const StrassenKernels& comb);
// On the GEMM's packed weights (gemm_packed_a: pack_a() of the whole M x K
// weight matrix on kernels().sgemm, kept alive by the caller): the weights
// are read back from it, and the plain halves of rows are views into it
// where they are its panels (strassen_split_rows: the top half a multiple
// of MR rows), so the layer holds only its 5 (or 7) combinations.
ConvImplPtr make_strassen_conv_on(const Conv2dParams& p, const float* gemm_packed_a, const float* bias);
// The rows of the top half (M2): ceil(M / 2) rounded up to a multiple of
// MR where that is at most M (then the halves' MR-row panels are the
// GEMM's own, and the products' panel count ceil(M2 / MR) is unchanged),
// else ceil(M / 2).
size_t strassen_split_rows(size_t m, size_t mr);
// The columns of an N-pixel map that the plain micro-kernel computes after
// Strassen's first N - p (0 <= p < 2 NR; the rule: conv_strassen.cpp).
size_t strassen_peel(const SgemmKernels& kern, size_t npix);
// The planner's estimate of the strassen family (as im2col_conv_cost below).
double strassen_conv_cost(const Conv2dParams& p, int64_t ho, int64_t wo);

// fp16 twins (Precision::Fp16): the same families with fp16 kernels, or
// nullptr when this CPU runs none (no fp16 vector arithmetic, or not built).
// Their implementations run float32 and binary16 images (ConvImpl::f16()).
ConvImplPtr make_gemm_conv_f16(const Conv2dParams& p, const float* weight, const float* bias);
ConvImplPtr make_im2col_conv_f16(const Conv2dParams& p, const float* weight, const float* bias);
ConvImplPtr make_dw3x3_conv_f16(const Conv2dParams& p, const float* weight, const float* bias);

// conv_dwconv.cpp: depthwise 3x3 and 5x5, stride 1 and 2; any other
// depthwise shape (channel multiplier 1).
const char* dw3x3_conv_rejects(const Conv2dParams& p);
ConvImplPtr make_dw3x3_conv(const Conv2dParams& p, const float* weight, const float* bias);
const char* dw5x5_conv_rejects(const Conv2dParams& p);
ConvImplPtr make_dw5x5_conv(const Conv2dParams& p, const float* weight, const float* bias);
const char* dw_conv_rejects(const Conv2dParams& p);
ConvImplPtr make_dw_conv(const Conv2dParams& p, const float* weight, const float* bias);

// conv_winograd.cpp: Winograd F(m x m, 3x3), m = 2, 4, 6 (any groups); at
// stride 2 (p.stride_h == 2: winograd_s2_conv_rejects) m = 2, 4
// (core/winograd.h, stride-2 section).
const char* winograd_conv_rejects(const Conv2dParams& p);
const char* winograd_s2_conv_rejects(const Conv2dParams& p);
ConvImplPtr make_winograd_conv(const Conv2dParams& p, size_t m, const float* weight, const float* bias);
// fp16 (core/winograd.h, fp16 section): F(2,3) and F(4,3) where this CPU
// runs the fp16 kernels (nullptr otherwise, and for F(6,3)); _with: on the
// given kernels (tests: the generic twins).
bool winograd_runs_f16(size_t m);
ConvImplPtr make_winograd_conv_f16(const Conv2dParams& p, size_t m, const float* weight, const float* bias);
ConvImplPtr make_winograd_conv_f16_with(const Conv2dParams& p, size_t m, const float* weight, const float* bias,
                                        const WinoF16Kernels& tx, const WinoGemmF16Kernels& gemm);

// Mixed tilings (core/plan.h, WinoMixPlan; algo "winograd<core>3+<edge>3",
// e.g. "winograd63+23"; at stride 2 "winograd43s2+23s2"): F(core,3) tiles on the largest part of the output
// map that is a multiple of `core` (rows [0, ch), columns [0, cw)), F(edge,
// 3) on the right border (rows [0, ch), columns [cw, wo)) and the bottom one
// (rows [ch, ho), all columns); a map smaller than `core` either way is one
// region at `edge`. winograd_tiling(): those regions (count 1..3) and their
// estimated instructions (the cost model below, summed).
struct WinoRegion {
  size_t m, y0, x0, h, w;
};
struct WinoTiling {
  size_t count = 0;
  WinoRegion r[kMaxWinoRegions];
  double cost = 0.0;
};
WinoTiling winograd_tiling(const Conv2dParams& p, size_t core, size_t edge, int64_t ho, int64_t wo);
// The tile sizes (core, edge) of a mixed tiling's Algo, or false (conv2d.cpp).
bool mixed_tiles(Algo a, size_t* core, size_t* edge);
// The mixed-tiling implementation over part(m), the layer's F(m,3)
// implementation (fp32, from make_winograd_conv; plan-only ones make a
// plan-only mixed one), which the caller keeps alive; part(m) is called when
// a plan or a run needs it (an `auto` layer packs each tile size on first
// use and shares it with its single-tile-size plans). _layer: owns its parts.
using WinoPartFn = std::function<const ConvImpl&(size_t m)>;
ConvImplPtr make_winograd_mixed(const Conv2dParams& p, size_t core, size_t edge, WinoPartFn part);
ConvImplPtr make_winograd_mixed_layer(const Conv2dParams& p, size_t core, size_t edge, const float* weight,
                                      const float* bias);

// The cost model the fp32 planner (conv2d.cpp) compares: estimated executed
// instructions of one image on an ho x wo output map, from measured counts
// (the measurements are written down with each).
double winograd_conv_cost(const Conv2dParams& p, size_t m, int64_t ho, int64_t wo);  // conv_winograd.cpp
double im2col_conv_cost(const Conv2dParams& p, int64_t ho, int64_t wo);              // conv_gemm.cpp

// ---- int8 families --------------------------------------------------------------

// What QConv2d derives from the float weights once (qconv.cpp), shared by its
// families (they keep a reference: the layer owns both).
struct QuantLayer {
  std::vector<int8_t> w_q;  // (out, in / groups, kh, kw)
  std::vector<float> w_scale, dequant;
  std::vector<int32_t> bias_q, mult;
  int shift = 0;
  int32_t qmin = -127, qmax = 127;
  // The output stage over all output channels; its per-row arrays live in
  // the buffers below, readable 16 entries past the last channel (MR rows).
  S8Output out;
  Buffer<int32_t> kbias, kmult;
  Buffer<float> kscale;
};

// conv_gemm.cpp. "gemm": 1x1, stride 1, no padding (the image is B);
// "im2col": anything else.
const char* gemm_s8_conv_rejects(const Conv2dParams& p);
ConvImplS8Ptr make_gemm_s8_conv(const Conv2dParams& p, const QuantLayer& q);
ConvImplS8Ptr make_im2col_s8_conv(const Conv2dParams& p, const QuantLayer& q);

// conv_dwconv.cpp. "depthwise3x3": the dispatched 3x3 stride 1/2 kernels;
// "depthwise": any other depthwise shape (channel multiplier 1), a direct
// generic loop.
const char* dw3x3_s8_conv_rejects(const Conv2dParams& p);
ConvImplS8Ptr make_dw3x3_s8_conv(const Conv2dParams& p, const QuantLayer& q);
const char* dw_s8_conv_rejects(const Conv2dParams& p);
ConvImplS8Ptr make_dw_s8_conv(const Conv2dParams& p, const QuantLayer& q);

// conv_winograd.cpp. "winograd23": int8 F(2,3) (core/winograd.h, int8
// section: exact), 3x3 stride 1 dilation 1, any groups, at most
// kWinoS8MaxChannels input channels per group; _with: on the given kernels
// (tests: the generic twins). winograd_s8_conv_cost: the planner's estimate
// of one image's executed instructions (as winograd_conv_cost), and
// im2col_s8_conv_cost the int8 im2col's (conv_gemm.cpp).
const char* winograd_s8_conv_rejects(const Conv2dParams& p);
ConvImplS8Ptr make_winograd_s8_conv(const Conv2dParams& p, const QuantLayer& q);
ConvImplS8Ptr make_winograd_s8_conv_with(const Conv2dParams& p, const QuantLayer& q, const WinoS8Kernels& tx,
                                         const WinoGemmS16Kernels& gemm);
double winograd_s8_conv_cost(const Conv2dParams& p, int64_t ho, int64_t wo);
double im2col_s8_conv_cost(const Conv2dParams& p, int64_t ho, int64_t wo);

// ---- geometry -----------------------------------------------------------------------

// Effective kernel extent (k - 1) * dilation + 1.
inline int64_t kernel_extent(int64_t k, int64_t d) { return (k - 1) * d + 1; }

// The im2col geometry of one group of `p` over an h x w map (output ho x wo);
// the caller sets `x` to the group's first channel.
inline Im2colGeom im2col_geom(const Conv2dParams& p, int64_t h, int64_t w, int64_t ho,
                              int64_t wo) {
  Im2colGeom g{};
  g.channels = size_t(p.in_channels / p.groups);
  g.h = size_t(h);
  g.w = size_t(w);
  g.kh = size_t(p.kernel_h);
  g.kw = size_t(p.kernel_w);
  g.sh = p.stride_h;
  g.sw = p.stride_w;
  g.dh = p.dilation_h;
  g.dw = p.dilation_w;
  g.pad_top = p.pad_top;
  g.pad_left = p.pad_left;
  g.ho = size_t(ho);
  g.wo = size_t(wo);
  return g;
}

}  // namespace detail
}  // namespace armconv

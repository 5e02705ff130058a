// The fp32 operator layer: validate, choose the algorithm (the planner
// below), pack the weights once, then per call plan and run (core/plan.h).
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/buffer.h"
#include "core/conv_impl.h"
#include "core/dispatch.h"
#include "core/half.h"

namespace armconv {

namespace {

// The fp32 planner: the one place that chooses a convolution algorithm.
//
// At construction (choose()): depthwise 3x3, 5x5, or any other depthwise
// shape (channel multiplier 1, groups > 1) where it runs, else the 1x1
// GEMM where it runs, else, for a 3x3 stride-1 layer (Winograd's shapes),
// all of F(6,3), F(4,3), F(2,3), im2col and the mixed Winograd tilings
// (F(6,3) or F(4,3) on the map's core, a smaller tile on its borders:
// conv_winograd.cpp), for a 3x3 stride-2 one F(4,3)s2, F(2,3)s2, im2col and
// F(4,3)s2+F(2,3)s2 (core/winograd.h, stride 2), else im2col. At plan time (per map size) a layer with
// several (ByMapSize) runs the one the cost model finds cheapest on that
// output map (conv_cost(): estimated instructions from measured counts, see
// winograd_conv_cost() in conv_winograd.cpp, a mixed tiling's the sum of its
// regions', and im2col_conv_cost() in conv_gemm.cpp;
// tests/cpp/test_planner.cpp checks the model against the counts and states
// the choices for the 3x3 layers of ResNet-18 and MobileNetV2). A mixed
// tiling is a candidate only where it has more than one region (on a map
// that is a multiple of its core it is the core's tile size). Typical
// outcomes on cortex-a72: F(6,3) where the map is a multiple of 6,
// F(6,3)+F(2,3) on 14x14 and 56x56, F(6,3)+F(4,3) on 28x28, F(4,3) on 7x7
// (6x6 tiles would compute 12x12), F(2,3) on 2x2, im2col on 1x1 maps.
//
// Precision::Fp16 takes the same family, built by its fp16 `make_f16` where
// this CPU runs fp16 kernels for it; otherwise the fp32 one (and the layer
// says so: Conv2d::precision()).
using MakeFn = detail::ConvImplPtr (*)(const Conv2dParams& p, const float* weight, const float* bias);
struct ConvFamily {
  Algo algo;
  const char* (*rejects)(const Conv2dParams& p);
  MakeFn make;
  MakeFn make_f16;  // nullptr: no fp16 kernels for the family
};

const ConvFamily kFamilies[] = {
    {Algo::Depthwise3x3, detail::dw3x3_conv_rejects, detail::make_dw3x3_conv,
     detail::make_dw3x3_conv_f16},
    {Algo::Depthwise5x5, detail::dw5x5_conv_rejects, detail::make_dw5x5_conv, nullptr},
    {Algo::Depthwise, detail::dw_conv_rejects, detail::make_dw_conv, nullptr},
    {Algo::Winograd63, detail::winograd_conv_rejects,
     [](const Conv2dParams& p, const float* w, const float* b) { return detail::make_winograd_conv(p, 6, w, b); },
     nullptr},
    {Algo::Winograd43, detail::winograd_conv_rejects,
     [](const Conv2dParams& p, const float* w, const float* b) { return detail::make_winograd_conv(p, 4, w, b); },
     [](const Conv2dParams& p, const float* w, const float* b) {
       return detail::make_winograd_conv_f16(p, 4, w, b);
     }},
    {Algo::Winograd23, detail::winograd_conv_rejects,
     [](const Conv2dParams& p, const float* w, const float* b) { return detail::make_winograd_conv(p, 2, w, b); },
     [](const Conv2dParams& p, const float* w, const float* b) {
       return detail::make_winograd_conv_f16(p, 2, w, b);
     }},
    {Algo::Winograd63x23, detail::winograd_conv_rejects,
     [](const Conv2dParams& p, const float* w, const float* b) { return detail::make_winograd_mixed_layer(p, 6, 2, w, b); },
     nullptr},
    {Algo::Winograd63x43, detail::winograd_conv_rejects,
     [](const Conv2dParams& p, const float* w, const float* b) { return detail::make_winograd_mixed_layer(p, 6, 4, w, b); },
     nullptr},
    {Algo::Winograd43x23, detail::winograd_conv_rejects,
     [](const Conv2dParams& p, const float* w, const float* b) { return detail::make_winograd_mixed_layer(p, 4, 2, w, b); },
     nullptr},
    {Algo::Winograd43s2, detail::winograd_s2_conv_rejects,
     [](const Conv2dParams& p, const float* w, const float* b) { return detail::make_winograd_conv(p, 4, w, b); },
     nullptr},
    {Algo::Winograd23s2, detail::winograd_s2_conv_rejects,
     [](const Conv2dParams& p, const float* w, const float* b) { return detail::make_winograd_conv(p, 2, w, b); },
     nullptr},
    {Algo::Winograd43s2x23s2, detail::winograd_s2_conv_rejects,
     [](const Conv2dParams& p, const float* w, const float* b) { return detail::make_winograd_mixed_layer(p, 4, 2, w, b); },
     nullptr},
    {Algo::Gemm, detail::gemm_conv_rejects, detail::make_gemm_conv, detail::make_gemm_conv_f16},
    {Algo::Im2col, detail::im2col_conv_rejects, detail::make_im2col_conv,
     detail::make_im2col_conv_f16},
    {Algo::Strassen, detail::strassen_conv_rejects, detail::make_strassen_conv, nullptr},
};

const ConvFamily& family(Algo a) {
  for (const ConvFamily& f : kFamilies)
    if (f.algo == a) return f;
  throw Error("unknown algorithm");
}

// The family's implementation at `precision`: fp16 where it can, else fp32.
detail::ConvImplPtr make(const ConvFamily& f, const Conv2dParams& p, const float* weight,
                         const float* bias, Precision precision) {
  if (precision == Precision::Fp16 && f.make_f16)
    if (detail::ConvImplPtr impl = f.make_f16(p, weight, bias)) return impl;
  return f.make(p, weight, bias);
}

// Whether the family runs fp16 kernels on this CPU (without building it).
bool runs_f16(const ConvFamily& f) {
  const detail::Kernels& k = detail::kernels();
  switch (f.algo) {
    case Algo::Gemm:
    case Algo::Im2col: return k.hgemm.f32 != nullptr;
    case Algo::Depthwise3x3: return k.dw3x3_f16 != nullptr;
    case Algo::Winograd43: return detail::winograd_runs_f16(4);
    case Algo::Winograd23: return detail::winograd_runs_f16(2);
    default: return false;
  }
}

using detail::mixed_tiles;

// Estimated instructions of one image of the layer on an ho x wo output map.
double conv_cost(Algo a, const Conv2dParams& p, int64_t ho, int64_t wo) {
  size_t core, edge;
  if (mixed_tiles(a, &core, &edge)) return detail::winograd_tiling(p, core, edge, ho, wo).cost;
  switch (a) {
    case Algo::Winograd23: return detail::winograd_conv_cost(p, 2, ho, wo);
    case Algo::Winograd43: return detail::winograd_conv_cost(p, 4, ho, wo);
    case Algo::Winograd63: return detail::winograd_conv_cost(p, 6, ho, wo);
    case Algo::Winograd23s2: return detail::winograd_conv_cost(p, 2, ho, wo);  // (p: stride 2)
    case Algo::Winograd43s2: return detail::winograd_conv_cost(p, 4, ho, wo);
    case Algo::Strassen: return detail::strassen_conv_cost(p, ho, wo);
    default: return detail::im2col_conv_cost(p, ho, wo);
  }
}

// A stride-2 Winograd runs only where its estimate undercuts im2col's by
// this much: im2col's model, fitted at stride 1, overestimates 3x3 stride-2
// layers on small maps (by up to 35% on a 2x2 output, 17% on 256->256 5x5 on
// cortex-a15; within 8% on ResNet-18's, tests/cpp/test_planner.cpp
// kMeasuredS2), where Winograd's estimates stay within 10%. Per ISA, as
// the margin that keeps `auto` within 6% of the best count on every
// kMeasuredS2 layer: armv7 needs <= 0.92 (256->256 9x9 runs F(2,3)s2 8%
// above im2col at 0.93); aarch64, whose stride-2 transforms are assembly
// (neon/aarch64/winograd{23,43}s2_nc4.cpp), >= 0.93 (at 0.9 8->8 14x14
// keeps im2col, 23% above F(2,3)s2, where im2col's model underestimates
// by 9%); any value in 0.93..1.0 picks the same there.
#if defined(__arm__)
constexpr double kS2WinoMargin = 0.9;
#else
constexpr double kS2WinoMargin = 0.95;
#endif

// Strassen (1x1 layers) runs only where its estimate undercuts the GEMM's
// by 2%: the model (strassen_conv_cost, conv_strassen.cpp) estimates the
// difference of the two within 2.5 points of the GEMM's count on the
// measured MobileNetV2 layers, where Strassen saves 0 to 8%; at 0.98
// (cortex-a72) it picks the five 7x7 layers (960->320, 320->1280,
// 960->160, 576->160, 160->960: 0.918x to 0.959x the GEMM's count) and
// 96->576, 576->96 14x14 (0.967x, 0.975x), and leaves 384->96 14x14
// (0.973x, estimated 0.983x) to the GEMM.
constexpr double kStrassenMargin = 0.98;

// What conv_cost() says where `a` is a candidate on the map: a mixed tiling
// that is one tile size there (a map that is a multiple of its core, or
// smaller than it) is not one (the single tile size is, at the same cost);
// a stride-2 Winograd's estimate over kS2WinoMargin.
double pick_cost(Algo a, const Conv2dParams& p, int64_t ho, int64_t wo) {
  const double margin = a == Algo::Strassen                         ? 1.0 / kStrassenMargin
                        : p.stride_h == 2 && a != Algo::Im2col ? 1.0 / kS2WinoMargin
                                                               : 1.0;
  size_t core, edge;
  if (mixed_tiles(a, &core, &edge)) {
    const detail::WinoTiling t = detail::winograd_tiling(p, core, edge, ho, wo);
    return t.count > 1 ? margin * t.cost : HUGE_VAL;
  }
  return margin * conv_cost(a, p, ho, wo);
}

// The cheapest of `algos` on an ho x wo output map (the first on a tie).
Algo cheapest(const std::vector<Algo>& algos, const Conv2dParams& p, int64_t ho, int64_t wo) {
  Algo best = algos[0];
  double best_cost = pick_cost(best, p, ho, wo);
  for (size_t i = 1; i < algos.size(); i++) {
    const double c = pick_cost(algos[i], p, ho, wo);
    if (c < best_cost) {
      best = algos[i];
      best_cost = c;
    }
  }
  return best;
}

// The output map the layer's `algo` is named for: a large one.
constexpr int64_t kLargeMap = 224;

// Whether an `auto` 1x1 layer takes Strassen as a candidate: where the
// cost model has it cheaper (with the margin) on one of the usual CNN maps
// (7x7 .. 224x224; then every map picks by pick_cost). Such a layer picks between the GEMM and Strassen by map size
// (ByMapSize: it packs the GEMM at construction, 1x the weights, keeps no
// copy, and adds Strassen's 5/4 (K odd: 7/4) when a map first runs it,
// its plain halves shared with the GEMM's panels); every other
// 1x1 layer stays a plain GEMM layer (one packing, no pick per call), and
// so does one with fewer than 64 output channels: Strassen won on no
// measured layer with M < 96, and the per-call pick costs a 1x1-map layer
// (squeeze-and-excitation) ~0.5% (effb0_se_1152_48, cortex-a72: 2.6682 ->
// 2.6530 MACs/insn as a candidate).
bool strassen_may_pay(const Conv2dParams& p) {
  if (detail::strassen_conv_rejects(p) || p.out_channels < 64) return false;
  for (int64_t s : {int64_t(7), int64_t(14), int64_t(28), int64_t(56), int64_t(112), kLargeMap})
    if (pick_cost(Algo::Strassen, p, s, s) < pick_cost(Algo::Gemm, p, s, s)) return true;
  return false;
}

// Every algorithm that `auto` considers for the layer, the one it names
// first.
std::vector<Algo> choose(const Conv2dParams& p) {
  if (!detail::dw3x3_conv_rejects(p)) return {Algo::Depthwise3x3};
  if (!detail::dw5x5_conv_rejects(p)) return {Algo::Depthwise5x5};
  if (!detail::dw_conv_rejects(p)) return {Algo::Depthwise};  // any other depthwise shape: a direct loop
  if (!detail::gemm_conv_rejects(p)) {
    // 1x1: the GEMM, and Strassen by map size where it may pay
    // (strassen_may_pay; the one large maps get first).
    if (strassen_may_pay(p)) {
      if (cheapest({Algo::Strassen, Algo::Gemm}, p, kLargeMap, kLargeMap) == Algo::Strassen)
        return {Algo::Strassen, Algo::Gemm};
      return {Algo::Gemm, Algo::Strassen};
    }
    return {Algo::Gemm};
  }
  if (!detail::winograd_conv_rejects(p)) {
    // (single tile sizes first: a mixed tiling that is one of them, on a
    // map that is a multiple of its core, ties and loses)
    std::vector<Algo> all = {Algo::Winograd63,    Algo::Winograd43,    Algo::Winograd23,   Algo::Im2col,
                             Algo::Winograd63x23, Algo::Winograd63x43, Algo::Winograd43x23};
    // `algo` names the family large maps run: the tile size of a mixed
    // tiling's core (224 = 37 x 6 + 2 runs winograd63+23: "winograd63").
    const Algo large = cheapest({all.begin(), all.begin() + 4}, p, kLargeMap, kLargeMap);
    all.erase(std::find(all.begin(), all.end(), large));
    all.insert(all.begin(), large);  // (the order of the rest stays: ties)
    return all;
  }
  if (!detail::winograd_s2_conv_rejects(p)) {  // 3x3 stride 2: the same, on the stride-2 tiles
    std::vector<Algo> all = {Algo::Winograd43s2, Algo::Winograd23s2, Algo::Im2col, Algo::Winograd43s2x23s2};
    const Algo large = cheapest({all.begin(), all.begin() + 3}, p, kLargeMap, kLargeMap);
    all.erase(std::find(all.begin(), all.end(), large));
    all.insert(all.begin(), large);
    return all;
  }
  return {Algo::Im2col};
}

// fp16 `auto` layers of Winograd's shapes, where this CPU runs the fp16
// Winograd: one Winograd tile size chosen by accuracy (bench/wino_fp16_study.py,
// README "fp16 Winograd"): F(4,3) on {0, +-2/3, +-3/2, inf} at every channel
// count (within 1e-2 of max|ref| from 1 to 512 input channels per group
// with its run lengths, WinoF16::run_octets; F(2,3), more accurate but
// slower: 8.57 against 13.0 direct-equivalent MACs per instruction on
// 32->32 56x56, runs by algo="winograd23" only); F(6,3) never (it misses
// 1e-2 even with exact sums); and im2col (fp16), which a map takes where
// the tiles' positions per output pixel (tiles (m + 2)^2 / (ho wo), with the
// tiles cut at the map's edge) exceed kF16WinoMaxRatio of im2col's 9
// multiply-adds.
constexpr double kF16WinoMaxRatio = 0.6;

std::vector<Algo> choose_f16(const Conv2dParams& p) {
  // Depthwise layers: their own families, as at fp32 (a 3x3 stride-2
  // depthwise layer is also a stride-2 Winograd shape: one group per
  // channel; im2col would run it as C GEMMs of one row).
  if (!detail::dw3x3_conv_rejects(p) || !detail::dw5x5_conv_rejects(p) || !detail::dw_conv_rejects(p))
    return choose(p);
  // 3x3 stride 2: fp16 im2col (FMLA .8h, 8 multiply-adds an instruction)
  // where it runs; there is no fp16 stride-2 Winograd.
  if (!detail::winograd_s2_conv_rejects(p) && runs_f16(family(Algo::Im2col))) return {Algo::Im2col};
  // 1x1: the fp16 GEMM where it runs (Strassen is fp32 only), else as fp32.
  if (!detail::gemm_conv_rejects(p) && runs_f16(family(Algo::Gemm))) return {Algo::Gemm};
  if (!detail::gemm_conv_rejects(p) || detail::winograd_conv_rejects(p)) return choose(p);
  if (!detail::winograd_runs_f16(4) || !runs_f16(family(Algo::Im2col))) return choose(p);
  return {Algo::Winograd43, Algo::Im2col};
}

// choose_f16()'s choice for an ho x wo output map: algos = {Winograd, im2col}.
Algo pick_f16(const std::vector<Algo>& algos, int64_t ho, int64_t wo) {
  const int64_t m = algos[0] == Algo::Winograd43 ? 4 : 2;
  const double tiles = double((ho + m - 1) / m) * double((wo + m - 1) / m);
  const double ratio = tiles * double((m + 2) * (m + 2)) / (9.0 * double(ho) * double(wo));
  return ratio <= kF16WinoMaxRatio ? algos[0] : algos[1];
}

// Every size the kernels index with is kept below 2^31 so that products of two
// of them fit comfortably in 64 bits.
constexpr int64_t kMaxDim = int64_t(1) << 31;

void check_range(const char* name, int64_t v, int64_t lo) {
  if (v < lo) throw Error(std::string(name) + " must be >= " + std::to_string(lo) + ", got " + std::to_string(v));
  if (v >= kMaxDim) throw Error(std::string(name) + " is too large: " + std::to_string(v));
}

// An `auto` layer that may run several algorithms (Winograd tile sizes,
// im2col): its plan runs the one the cost model finds cheapest on the map.
// Each algorithm packs its weights the first time a plan for a run needs it
// (std::call_once: concurrent first calls pack once, the others wait), so a
// layer holds its copy of the weights plus the packings of the map sizes it
// has run: a network layer that always sees one map size holds one, not the
// four (F(6,3) alone is 7.1 times the weights); a GEMM + Strassen layer
// packs the GEMM at construction instead of keeping a copy (the constructor). A question about a map size
// (Conv2d::algo_for, workspace_bytes) packs nothing: pick() is the cost model
// alone, and planner() is the family's plan-only implementation (made
// without weights: ConvFamily::make with weight == nullptr). All of them run
// at one precision: fp16 only if every family has fp16 kernels here (an fp16
// layer holds choose_f16()'s algorithms and picks by pick_f16()); the
// binary16 view (f16()) exists when they do.
class ByMapSize final : public detail::ConvImplF16 {
 public:
  ByMapSize(const Conv2dParams& p, const std::vector<Algo>& algos, const float* weight, const float* bias,
            Precision precision)
      : p_(p),
        algos_(algos),
        impls_(algos.size()),
        planners_(algos.size()),
        once_(new std::once_flag[algos.size()]),
        plan_once_(new std::once_flag[algos.size()]),
        ready_(new std::atomic<const detail::ConvImpl*>[algos.size()]),
        planner_ready_(new std::atomic<const detail::ConvImpl*>[algos.size()]),
        packed_(new std::atomic<bool>[algos.size()]) {
    if (bias) bias_.assign(bias, bias + p.out_channels);
    f16_ = precision == Precision::Fp16 &&
           std::all_of(algos.begin(), algos.end(), [](Algo a) { return runs_f16(family(a)); });
    for (size_t i = 0; i < algos.size(); i++) {
      packed_[i] = false;
      ready_[i] = nullptr;
      planner_ready_[i] = nullptr;
    }
    // A 1x1 layer that picks between the GEMM and Strassen (fp32: Strassen
    // has no fp16 kernels, so f16_ is false) packs the GEMM now and keeps
    // no copy of the weights: Strassen, on its first run, reads them back
    // from the GEMM's packed panels and shares its plain halves of rows
    // with them (make_strassen_conv_on). Such a layer holds the GEMM's 1x,
    // plus Strassen's 5/4 (K odd: 7/4) once a map has run it.
    if (std::find(algos.begin(), algos.end(), Algo::Strassen) != algos.end()) {
      const size_t g = index(Algo::Gemm);
      impls_[g] = detail::make_gemm_conv_sharing(p, weight, bias, &gemm_packed_a_);
      packed_[g] = true;
      std::call_once(once_[g], [] {});
      ready_[g] = impls_[g].get();
      return;
    }
    weight_.reset(size_t(p.out_channels) * size_t(p.in_channels / p.groups) * size_t(p.kernel_h * p.kernel_w));
    std::memcpy(weight_.data(), weight, weight_.size() * sizeof(float));
  }

  const detail::ConvImplT<Half, Half>* f16() const override { return f16_ ? this : nullptr; }

  // The algorithm a run over an h x w map uses (checks h, w).
  // The last map's pick is remembered (a network layer sees one map size:
  // its calls then skip the cost model, which prices seven candidates): one
  // pointer-sized word (lock-free on every target, armv6 included) holding
  // (h, w, the pick's index), read and written whole; maps of up to 2^12
  // (32-bit) or 2^28 (64-bit) a side.
  Algo pick(int64_t h, int64_t w) const {
    constexpr int kSide = (int(sizeof(uintptr_t)) * 8 - 8) / 2;
    const bool small = h < (int64_t(1) << kSide) && w < (int64_t(1) << kSide);
    const uintptr_t key = (uintptr_t(h) << kSide | uintptr_t(w)) << 8;
    const uintptr_t last = last_pick_.load(std::memory_order_relaxed);
    if (small && last >> 8 == key >> 8) return algos_[last & 0xff];
    int64_t ho, wo;
    output_size(p_, h, w, &ho, &wo);
    const Algo a = f16_ ? pick_f16(algos_, ho, wo) : cheapest(algos_, p_, ho, wo);
    if (small) last_pick_.store(key | index(a), std::memory_order_relaxed);
    return a;
  }
  detail::ConvPlan plan(int64_t n, int64_t h, int64_t w) const override {
    return impl(index(pick(h, w))).plan(n, h, w);
  }
  // The same algorithm as plan() (never one chosen by the thread count: the
  // bits must not depend on it), planned for the team.
  detail::ConvPlan plan_for_threads(int64_t n, int64_t h, int64_t w, int threads) const override {
    return impl(index(pick(h, w))).plan_for_threads(n, h, w, threads);
  }
  // plan(n, h, w) without packing any weights (the plan depends on the layer's
  // parameters and the map, never on weight values).
  // The plan-only implementation of the family that runs an h x w map.
  const detail::ConvImpl& planner(int64_t h, int64_t w) const { return planner_at(index(pick(h, w))); }
  // The weights held: the copy (if kept) and each packing made so far.
  size_t weight_bytes() const override {
    size_t b = weight_.size() * sizeof(float);
    for (size_t i = 0; i < algos_.size(); i++)
      if (const detail::ConvImpl* p = ready_[i].load(std::memory_order_acquire)) b += p->weight_bytes();
    return b;
  }
  // How many of the algorithms have packed their weights.
  size_t packed() const {
    size_t k = 0;
    for (size_t i = 0; i < algos_.size(); i++) k += packed_[i] ? 1 : 0;
    return k;
  }
  void run(const detail::ConvPlan& plan, const float* x, float* y, size_t begin, size_t end,
           void* scratch) const override {
    part(plan).run(plan, x, y, begin, end, scratch);
  }
  void run(const detail::ConvPlan& plan, const Half* x, Half* y, size_t begin, size_t end,
           void* scratch) const override {
    part(plan).f16()->run(plan, x, y, begin, end, scratch);
  }
  void run_stage(const detail::ConvPlan& plan, int stage, const float* x, float* y, size_t begin, size_t end,
                 void* scratch, void* shared) const override {
    part(plan).run_stage(plan, stage, x, y, begin, end, scratch, shared);
  }
  void run_stage(const detail::ConvPlan& plan, int stage, const Half* x, Half* y, size_t begin, size_t end,
                 void* scratch, void* shared) const override {
    part(plan).f16()->run_stage(plan, stage, x, y, begin, end, scratch, shared);
  }

 private:
  Precision precision() const { return f16_ ? Precision::Fp16 : Precision::Fp32; }
  Algo wino_algo(size_t m) const {
    if (p_.stride_h == 2) return m == 2 ? Algo::Winograd23s2 : Algo::Winograd43s2;
    return m == 2 ? Algo::Winograd23 : m == 4 ? Algo::Winograd43 : Algo::Winograd63;
  }
  // A mixed tiling runs on the layer's single-tile-size implementations (one
  // packing per tile size, whichever plan needs it), its own holds none.
  detail::ConvImplPtr make_at(size_t i, bool packed) const {
    size_t core, edge;
    if (mixed_tiles(algos_[i], &core, &edge))
      return detail::make_winograd_mixed(p_, core, edge, [this, packed](size_t m) -> const detail::ConvImpl& {
        const size_t j = index(wino_algo(m));
        return packed ? impl(j) : planner_at(j);
      });
    if (!packed) return make(family(algos_[i]), p_, nullptr, nullptr, precision());
    if (gemm_packed_a_ && algos_[i] == Algo::Strassen)
      return detail::make_strassen_conv_on(p_, gemm_packed_a_, bias_.empty() ? nullptr : bias_.data());
    return make(family(algos_[i]), p_, weight_.data(), bias_.empty() ? nullptr : bias_.data(), precision());
  }
  // Built at first use, once (std::call_once) inside a ForkSafeSection
  // (threads/threads.h: a fork() meanwhile waits for it, so a child never
  // inherits a once_flag left "in progress"), then published through an
  // atomic pointer that later calls read without any lock.
  const detail::ConvImpl& planner_at(size_t i) const {
    if (const detail::ConvImpl* p = planner_ready_[i].load(std::memory_order_acquire)) return *p;
    detail::ForkSafeSection section;
    std::call_once(plan_once_[i], [&] { planners_[i] = make_at(i, false); });
    planner_ready_[i].store(planners_[i].get(), std::memory_order_release);
    return *planners_[i];
  }
  size_t index(Algo a) const {
    for (size_t i = 0; i < algos_.size(); i++)
      if (algos_[i] == a) return i;
    throw Error("unreachable");
  }
  const detail::ConvImpl& part(const detail::ConvPlan& plan) const {
    for (size_t i = 0; i < algos_.size(); i++)
      if (std::strcmp(plan.algo, algo_name(algos_[i])) == 0) return impl(i);
    throw Error(std::string("plan of algorithm '") + plan.algo + "' given to a layer that does not hold it");
  }
  const detail::ConvImpl& impl(size_t i) const {  // (as planner_at)
    if (const detail::ConvImpl* p = ready_[i].load(std::memory_order_acquire)) return *p;
    detail::ForkSafeSection section;
    std::call_once(once_[i], [&] {
      impls_[i] = make_at(i, true);
      size_t core, edge;
      packed_[i] = !mixed_tiles(algos_[i], &core, &edge);
    });
    ready_[i].store(impls_[i].get(), std::memory_order_release);
    return *impls_[i];
  }

  Conv2dParams p_;
  std::vector<Algo> algos_;
  detail::Buffer<float> weight_;  // (empty in a GEMM / Strassen layer: gemm_packed_a_ holds them)
  const float* gemm_packed_a_ = nullptr;
  std::vector<float> bias_;
  mutable std::vector<detail::ConvImplPtr> impls_;     // written once each, under once_[i]
  mutable std::vector<detail::ConvImplPtr> planners_;  // plan-only, under plan_once_[i]
  std::unique_ptr<std::once_flag[]> once_, plan_once_;
  std::unique_ptr<std::atomic<const detail::ConvImpl*>[]> ready_, planner_ready_;  // impls_[i], planners_[i] once built
  std::unique_ptr<std::atomic<bool>[]> packed_;
  bool f16_ = false;
  mutable std::atomic<uintptr_t> last_pick_{0};  // (h, w, index) of pick()'s last map; 0: none (h, w >= 1)
};

}  // namespace

bool detail::mixed_tiles(Algo a, size_t* core, size_t* edge) {
  switch (a) {
    case Algo::Winograd63x23: *core = 6, *edge = 2; return true;
    case Algo::Winograd63x43: *core = 6, *edge = 4; return true;
    case Algo::Winograd43x23: *core = 4, *edge = 2; return true;
    case Algo::Winograd43s2x23s2: *core = 4, *edge = 2; return true;
    default: return false;
  }
}

const char* algo_name(Algo a) {
  switch (a) {
    case Algo::Auto: return "auto";
    case Algo::Gemm: return "gemm";
    case Algo::Im2col: return "im2col";
    case Algo::Depthwise3x3: return "depthwise3x3";
    case Algo::Depthwise5x5: return "depthwise5x5";
    case Algo::Depthwise: return "depthwise";
    case Algo::Winograd63: return "winograd63";
    case Algo::Winograd43: return "winograd43";
    case Algo::Winograd23: return "winograd23";
    case Algo::Winograd63x23: return "winograd63+23";
    case Algo::Winograd63x43: return "winograd63+43";
    case Algo::Winograd43x23: return "winograd43+23";
    case Algo::Winograd23s2: return "winograd23s2";
    case Algo::Winograd43s2: return "winograd43s2";
    case Algo::Winograd43s2x23s2: return "winograd43s2+23s2";
    case Algo::Strassen: return "strassen";
  }
  return "?";
}

Algo algo_from_name(const std::string& name) {
  for (Algo a : {Algo::Auto, Algo::Gemm, Algo::Im2col, Algo::Depthwise3x3, Algo::Depthwise5x5,
                Algo::Depthwise, Algo::Winograd23, Algo::Winograd43, Algo::Winograd63, Algo::Winograd63x23,
                Algo::Winograd63x43, Algo::Winograd43x23, Algo::Winograd23s2, Algo::Winograd43s2,
                Algo::Winograd43s2x23s2, Algo::Strassen})
    if (name == algo_name(a)) return a;
  throw Error(
      "algo must be one of 'auto', 'gemm', 'im2col', 'depthwise3x3', 'depthwise5x5', 'depthwise', "
      "'winograd23', 'winograd43', 'winograd63', 'winograd63+23', 'winograd63+43', 'winograd43+23', "
      "'winograd23s2', 'winograd43s2', 'winograd43s2+23s2', 'strassen', got '" +
      name + "'");
}

const char* precision_name(Precision p) { return p == Precision::Fp16 ? "fp16" : "fp32"; }

Precision precision_from_name(const std::string& name) {
  if (name == "fp32") return Precision::Fp32;
  if (name == "fp16") return Precision::Fp16;
  throw Error("precision must be 'fp32' or 'fp16', got '" + name + "'");
}

void validate(const Conv2dParams& p) {
  check_range("in_channels", p.in_channels, 1);
  check_range("out_channels", p.out_channels, 1);
  check_range("kernel height", p.kernel_h, 1);
  check_range("kernel width", p.kernel_w, 1);
  check_range("stride", p.stride_h, 1);
  check_range("stride", p.stride_w, 1);
  check_range("dilation", p.dilation_h, 1);
  check_range("dilation", p.dilation_w, 1);
  check_range("padding", p.pad_top, 0);
  check_range("padding", p.pad_bottom, 0);
  check_range("padding", p.pad_left, 0);
  check_range("padding", p.pad_right, 0);
  check_range("groups", p.groups, 1);
  if (p.in_channels % p.groups)
    throw Error("groups (" + std::to_string(p.groups) + ") must divide the input channels (" +
                std::to_string(p.in_channels) + ")");
  if (p.out_channels % p.groups)
    throw Error("groups (" + std::to_string(p.groups) + ") must divide the output channels (" +
                std::to_string(p.out_channels) + ")");
  if (detail::kernel_extent(p.kernel_h, p.dilation_h) >= kMaxDim ||
      detail::kernel_extent(p.kernel_w, p.dilation_w) >= kMaxDim)
    throw Error("dilated kernel is too large");
  // The GEMM reduction length of one group.
  if (p.in_channels / p.groups * p.kernel_h * p.kernel_w >= kMaxDim)
    throw Error("in_channels / groups * kernel_h * kernel_w is too large");
  if (p.clamp && (std::isnan(p.out_min) || std::isnan(p.out_max) || p.out_min > p.out_max))
    throw Error("activation: min must be <= max (and neither NaN)");
}

void output_size(const Conv2dParams& p, int64_t h, int64_t w, int64_t* ho, int64_t* wo) {
  check_range("input height", h, 1);
  check_range("input width", w, 1);
  const int64_t eh = h + p.pad_top + p.pad_bottom - detail::kernel_extent(p.kernel_h, p.dilation_h);
  const int64_t ew = w + p.pad_left + p.pad_right - detail::kernel_extent(p.kernel_w, p.dilation_w);
  if (eh < 0 || ew < 0)
    throw Error("output size would be < 1: the (dilated) kernel " +
                std::to_string(detail::kernel_extent(p.kernel_h, p.dilation_h)) + "x" +
                std::to_string(detail::kernel_extent(p.kernel_w, p.dilation_w)) +
                " does not fit the padded input " + std::to_string(h + p.pad_top + p.pad_bottom) +
                "x" + std::to_string(w + p.pad_left + p.pad_right));
  *ho = eh / p.stride_h + 1;
  *wo = ew / p.stride_w + 1;
}

const char* algo_rejects(Algo algo, const Conv2dParams& p) {
  if (algo == Algo::Auto) return nullptr;
  return family(algo).rejects(p);
}

Conv2d::Conv2d(const Conv2dParams& p, const float* weight, const float* bias, Algo algo,
               Precision precision)
    : p_(p) {
  validate(p);
  if (!weight) throw Error("weight must not be null");
  const std::vector<Algo> algos = algo != Algo::Auto       ? std::vector<Algo>{algo}
                                  : precision == Precision::Fp16 ? choose_f16(p)
                                                                 : choose(p);
  algo_ = algos[0];
  if (const char* why = family(algo_).rejects(p))
    throw Error(std::string("algo '") + algo_name(algo_) + "' cannot run this convolution: " + why);
  if (algos.size() > 1) {
    by_map_size_ = true;
    impl_.reset(new ByMapSize(p, algos, weight, bias, precision));
  } else {
    impl_ = make(family(algo_), p, weight, bias, precision);
  }
  precision_ = impl_->f16() ? Precision::Fp16 : Precision::Fp32;
  plans_.reset(new detail::PlanMemo);
}

// An `auto` layer that picks by map size answers from the cost model and a
// plan-only implementation: asking packs no weights (they are packed when a
// run on such a map needs them).
static const ByMapSize* by_map_size(const detail::ConvImpl& impl, bool is) {
  return is ? static_cast<const ByMapSize*>(&impl) : nullptr;
}

Algo Conv2d::algo_for(int64_t h, int64_t w) const {
  if (const ByMapSize* b = by_map_size(*impl_, by_map_size_)) return b->pick(h, w);
  return algo_from_name(impl_->plan(1, h, w).algo);
}

Conv2d::~Conv2d() = default;
Conv2d::Conv2d(Conv2d&&) noexcept = default;
Conv2d& Conv2d::operator=(Conv2d&&) noexcept = default;

size_t Conv2d::workspace_bytes(int64_t h, int64_t w) const {
  if (const ByMapSize* b = by_map_size(*impl_, by_map_size_)) {
    const detail::ConvImpl& planner = b->planner(h, w);
    return detail::call_workspace_bytes(planner, planner.plan(1, h, w));
  }
  return detail::call_workspace_bytes(*impl_, impl_->plan(1, h, w));
}

void Conv2d::run(const float* x, int64_t n, int64_t h, int64_t w, float* y) const {
  if (n < 0) throw Error("batch size must be >= 0");
  detail::run_kept(*plans_, *impl_, n, h, w, x, y);
}

void Conv2d::run(const Half* x, int64_t n, int64_t h, int64_t w, Half* y) const {
  if (n < 0) throw Error("batch size must be >= 0");
  if (const detail::ConvImplT<Half, Half>* f16 = impl_->f16()) {
    detail::run_kept(*plans_, *f16, n, h, w, x, y);  // (an fp16 family's two views have one plan())
    return;
  }
  // fp32 kernels: convert in, run, round out (core/half_convert.h).
  const detail::ConvPlan plan = impl_->plan(n, h, w);
  if (n == 0) return;
  const size_t xn = size_t(n) * size_t(p_.in_channels) * size_t(h) * size_t(w);
  const size_t yn = size_t(n) * size_t(p_.out_channels) * size_t(plan.ho) * size_t(plan.wo);
  detail::Buffer<float> xf(xn, detail::Buffer<float>::Uninitialized());
  detail::Buffer<float> yf(yn, detail::Buffer<float>::Uninitialized());
  const detail::HalfConvertKernels& cvt = *detail::kernels().half_convert;
  cvt.to_float(x, xf.data(), xn);
  detail::run_all(*impl_, plan, xf.data(), yf.data());
  cvt.to_half(yf.data(), y, yn);
}

detail::ConvPlan detail::PlanAccess::plan(const Conv2d& layer, int64_t n, int64_t h, int64_t w,
                                          int* team) {
  return call_plan(*layer.impl_, layer.impl_->plan(n, h, w), team);
}

size_t detail::PlanAccess::weight_bytes(const Conv2d& layer) { return layer.impl_->weight_bytes(); }

size_t detail::PlanAccess::packed_algos(const Conv2d& layer) {
  if (const ByMapSize* b = by_map_size(*layer.impl_, layer.by_map_size_)) return b->packed();
  return 1;
}

void conv2d(const Conv2dParams& p, const float* x, int64_t n, int64_t h, int64_t w,
            const float* weight, const float* bias, float* y, Algo algo, Precision precision) {
  Conv2d layer(p, weight, bias, algo, precision);
  layer.run(x, n, h, w, y);
}

}  // namespace armconv

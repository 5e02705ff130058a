// Quantized convolution (QConv2d) and the int8 conversions (quantize,
// dequantize, requantize). The rules are documented in
// include/armconv/quant.h and src/core/requant.h.
//
// QConv2d quantizes the float weights per output channel once (QuantLayer),
// the int8 planner below picks a family, which packs them, and run() plans
// and runs it (core/plan.h); the output stage (requantization or float
// dequantization) is fused into the kernels' stores.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <mutex>
#include <string>

#include "armconv/quant.h"
#include "core/buffer.h"
#include "core/conv_impl.h"
#include "core/dispatch.h"
#include "core/requant.h"
#include "threads/threads.h"

namespace armconv {

namespace {

void check_scales(const float* s, int64_t count, bool allow_zero, const char* what) {
  for (int64_t i = 0; i < count; i++) {
    const float v = s[i];
    if (!std::isfinite(v) || v < 0.0f || (!allow_zero && v == 0.0f))
      throw Error(std::string(what) + " must be finite and " + (allow_zero ? ">= 0" : "> 0") +
                  ", got " + std::to_string(v));
  }
}

void check_shape(int64_t outer, int64_t channels, int64_t inner) {
  if (outer < 0 || channels < 1 || inner < 0) throw Error("invalid (outer, channels, inner) shape");
}

// round half away from zero, then clamp to [-127, 127]; v is not NaN.
int8_t quantize_one(double v) {
  const double r = std::round(v);
  return int8_t(r < -127.0 ? -127.0 : (r > 127.0 ? 127.0 : r));
}

}  // namespace

// Threads: the elements, flat, in units of kQuantUnitElems (a multiple of 16,
// so a unit boundary never cuts a NEON step inside a channel; every element is
// converted alone, so bits never depend on the cut), a contiguous range of
// units per thread (run_units). kQuantizeOpsPerElem: an element costs 2.50
// instructions on Cortex-A72 and A76 (`bench/insncount.py 'quantize_*'`), what
// about 9 fp32 MACs take at the GEMM's 3.6 per instruction, in team_size's unit
// (MACs): a second thread from about 7300 elements (kMinOpsPerThread).
constexpr size_t kQuantUnitElems = 4096;
constexpr double kQuantizeOpsPerElem = 9.0;

void quantize(const float* x, int8_t* q, int64_t outer, int64_t channels, int64_t inner,
              const float* scales) {
  check_shape(outer, channels, inner);
  check_scales(scales, channels, false, "scale");
  const size_t total = size_t(outer) * size_t(channels) * size_t(inner);
  if (total == 0) return;
  // The family's kernels for the scales of their contract (core/quantize.h),
  // the generic twin (the rule itself) for the others.
  const detail::QuantizeKernels& fast = *detail::kernels().quantize;
  const detail::QuantizeKernels& any = detail::quantize_generic_kernels();
  detail::UnitGrid grid;
  grid.axes[0] = (total + kQuantUnitElems - 1) / kQuantUnitElems;
  grid.last_cost[0] = double(total - (grid.axes[0] - 1) * kQuantUnitElems) / double(kQuantUnitElems);
  const int team = detail::team_size(grid.axes[0], kQuantizeOpsPerElem * double(kQuantUnitElems));
  std::atomic<bool> nan{false};
  detail::run_units(grid, team, 0, [&](size_t begin, size_t end, void*) {
    // elements [b, e): the pieces of the (outer, channel) rows they cross
    size_t b = begin * kQuantUnitElems;
    const size_t e = std::min(total, end * kQuantUnitElems);
    while (b < e) {
      const size_t row = b / size_t(inner), n = std::min(e, (row + 1) * size_t(inner)) - b;
      const float s = scales[row % size_t(channels)];
      const bool in_range = s >= detail::kQuantizeMinScale && s <= detail::kQuantizeMaxScale;
      if (!(in_range ? fast : any).f32_to_s8(x + b, q + b, n, s)) nan.store(true, std::memory_order_relaxed);
      b += n;
    }
  });
  if (nan.load()) throw Error("quantize: x holds NaN");
}

void dequantize(const int8_t* q, float* x, int64_t outer, int64_t channels, int64_t inner,
                const float* scales) {
  check_shape(outer, channels, inner);
  check_scales(scales, channels, false, "scale");
  for (int64_t o = 0; o < outer; o++)
    for (int64_t ch = 0; ch < channels; ch++) {
      const size_t base = size_t((o * channels + ch) * inner);
      for (int64_t i = 0; i < inner; i++) x[base + size_t(i)] = float(q[base + size_t(i)]) * scales[ch];
    }
}

void requantize(const int32_t* acc, int8_t* q, int64_t outer, int64_t channels, int64_t inner,
                const float* scales, int32_t qmin, int32_t qmax) {
  check_shape(outer, channels, inner);
  check_scales(scales, channels, true, "scale");
  if (qmin < -127 || qmax > 127 || qmin > qmax)
    throw Error("requantize: need -127 <= qmin <= qmax <= 127");
  std::vector<double> s(scales, scales + channels);
  std::vector<int32_t> mult(static_cast<size_t>(channels));
  int shift = 0;
  detail::requant_multipliers(s.data(), size_t(channels), mult.data(), &shift);
  for (int64_t o = 0; o < outer; o++)
    for (int64_t ch = 0; ch < channels; ch++) {
      const size_t base = size_t((o * channels + ch) * inner);
      for (int64_t i = 0; i < inner; i++)
        q[base + size_t(i)] =
            int8_t(detail::s8_requant(acc[base + size_t(i)], mult[size_t(ch)], shift, qmin, qmax));
    }
}

namespace detail {

namespace {

// The int8 planner: the first family, in order, that can run the layer
// (algo "auto"), or the one asked for (its Algo), which must be able to.
// An `auto` layer that Winograd F(2,3) can run gets both it and im2col
// (S8ByMapSize, each packed when a map first needs it): which runs a map is
// the cheaper by the cost models
// (winograd_s8_conv_cost, im2col_s8_conv_cost: measured instruction counts,
// per ISA path), and `algo` names the pick on a 224x224 output map.
struct QConvFamily {
  const char* name;
  Algo algo;
  const char* (*rejects)(const Conv2dParams& p);
  ConvImplS8Ptr (*make)(const Conv2dParams& p, const QuantLayer& q);
};

const QConvFamily kQFamilies[] = {
    {"depthwise3x3", Algo::Depthwise3x3, dw3x3_s8_conv_rejects, make_dw3x3_s8_conv},
    {"depthwise", Algo::Depthwise, dw_s8_conv_rejects, make_dw_s8_conv},
    {"gemm", Algo::Gemm, gemm_s8_conv_rejects, make_gemm_s8_conv},
    {"winograd23", Algo::Winograd23, winograd_s8_conv_rejects, make_winograd_s8_conv},
    {"im2col", Algo::Im2col, nullptr, make_im2col_s8_conv},
};
constexpr size_t kQWinograd = 3, kQIm2col = 4;

// The output map an `auto` layer's `algo` is named for (as Conv2d's).
constexpr int64_t kQLargeMap = 224;

// Winograd F(2,3) or im2col, whichever the cost models find cheaper on the
// map. Each packs its weights the first time a plan needs it (as the fp32
// ByMapSize, core/conv2d.cpp: std::call_once inside a ForkSafeSection, then
// an atomic pointer read without a lock), so a network layer that always
// sees one map size holds one packing, not two (Winograd's U alone is 16/9
// of the int16 weights). The families keep references into `q` (the
// QConvImpl's QuantLayer, which outlives this).
class S8ByMapSize final : public ConvImplS8 {
 public:
  S8ByMapSize(const Conv2dParams& p, const QuantLayer& q) : p_(p), q_(q) {}
  bool wino_pays(int64_t ho, int64_t wo) const {
    return winograd_s8_conv_cost(p_, ho, wo) < im2col_s8_conv_cost(p_, ho, wo);
  }
  const ConvImplS8& pick(int64_t h, int64_t w) const {
    int64_t ho, wo;
    output_size(p_, h, w, &ho, &wo);
    return part(wino_pays(ho, wo) ? kWino : kIm2col);
  }
  ConvPlan plan(int64_t n, int64_t h, int64_t w) const override { return pick(h, w).plan(n, h, w); }
  ConvPlan plan_for_threads(int64_t n, int64_t h, int64_t w, int threads) const override {
    return pick(h, w).plan_for_threads(n, h, w, threads);
  }
  void run(const ConvPlan& pl, const int8_t* x, void* y, size_t begin, size_t end, void* scratch) const override {
    of(pl).run(pl, x, y, begin, end, scratch);
  }
  void run_stage(const ConvPlan& pl, int stage, const int8_t* x, void* y, size_t begin, size_t end, void* scratch,
                 void* shared) const override {
    of(pl).run_stage(pl, stage, x, y, begin, end, scratch, shared);
  }
  // How many of the two have packed their weights.
  size_t packed() const {
    return size_t(ready_[kWino].load() != nullptr) + size_t(ready_[kIm2col].load() != nullptr);
  }

 private:
  static constexpr size_t kWino = 0, kIm2col = 1;
  // The implementation that made the plan (built: plan() made it).
  const ConvImplS8& of(const ConvPlan& pl) const {
    return part(std::string(pl.algo) == kQFamilies[kQWinograd].name ? kWino : kIm2col);
  }
  const ConvImplS8& part(size_t i) const {
    if (const ConvImplS8* p = ready_[i].load(std::memory_order_acquire)) return *p;
    ForkSafeSection section;
    std::call_once(once_[i], [&] { impls_[i] = kQFamilies[i == kWino ? kQWinograd : kQIm2col].make(p_, q_); });
    ready_[i].store(impls_[i].get(), std::memory_order_release);
    return *impls_[i];
  }
  Conv2dParams p_;
  const QuantLayer& q_;
  mutable ConvImplS8Ptr impls_[2];  // written once each, under once_[i]
  mutable std::once_flag once_[2];
  mutable std::atomic<const ConvImplS8*> ready_[2] = {};
};

}  // namespace

class QConvImpl {
 public:
  QConvImpl(const Conv2dParams& p, const float* weight, const float* bias, float in_scale,
            float out_scale, Algo algo)
      : p_(p) {
    const size_t cout = size_t(p.out_channels);
    const size_t k = size_t(p.in_channels / p.groups) * size_t(p.kernel_h * p.kernel_w);
    if (k > size_t(kGemmS8MaxK))
      throw Error("QConv2d: in_channels / groups * kernel_h * kernel_w must be <= 65536, got " +
                  std::to_string(k));
    quantize_weights(weight, cout, k);
    // Bias and output stage, per output channel.
    q_.bias_q.assign(cout, 0);
    std::vector<double> s(cout);
    q_.dequant.resize(cout);
    for (size_t o = 0; o < cout; o++) {
      const double unit = double(in_scale) * double(q_.w_scale[o]);  // value of one accumulator step
      if (bias) {
        const double bq = std::round(double(bias[o]) / unit);
        q_.bias_q[o] = int32_t(std::max(-double(kS8MaxBias), std::min(double(kS8MaxBias), bq)));
      }
      s[o] = out_scale > 0.0f ? unit / double(out_scale) : 0.0;
      q_.dequant[o] = float(unit);
    }
    q_.mult.assign(cout, 0);
    if (out_scale > 0.0f) {
      requant_multipliers(s.data(), cout, q_.mult.data(), &q_.shift);
      if (p.clamp) {
        const double lo = std::round(double(p.out_min) / double(out_scale));
        const double hi = std::round(double(p.out_max) / double(out_scale));
        q_.qmin = int32_t(std::min(127.0, std::max(-127.0, lo)));
        q_.qmax = int32_t(std::min(127.0, std::max(-127.0, hi)));
      }
    }
    // The kernels' copies (readable past the last channel: Buffer's slack).
    q_.kbias.reset(cout);
    q_.kmult.reset(cout);
    q_.kscale.reset(cout);
    for (size_t o = 0; o < cout; o++) {
      q_.kbias[o] = q_.bias_q[o];
      q_.kmult[o] = q_.mult[o];
      q_.kscale[o] = q_.dequant[o];
    }
    S8Output& out = q_.out;
    out.kind = out_scale > 0.0f ? S8OutKind::Int8 : S8OutKind::Float;
    out.bias = q_.kbias.data();
    out.mult = q_.kmult.data();
    out.shift = q_.shift;
    out.qmin = q_.qmin;
    out.qmax = q_.qmax;
    out.fscale = q_.kscale.data();
    out.fclamp = p.clamp;
    out.fmin = p.out_min;
    out.fmax = p.out_max;
    if (algo != Algo::Auto) {
      for (const QConvFamily& f : kQFamilies) {
        if (f.algo != algo) continue;
        if (const char* why = f.rejects ? f.rejects(p) : nullptr)
          throw Error(std::string("algo '") + algo_name(algo) + "' cannot run this convolution: " + why);
        algo_ = f.name;
        impl_ = f.make(p, q_);
        return;
      }
      throw Error(std::string("algo '") + algo_name(algo) +
                  "' has no int8 kernels: QConv2d runs 'auto', 'gemm', 'im2col', 'depthwise3x3', 'depthwise' "
                  "or 'winograd23'");
    }
    for (size_t i = 0; i < sizeof(kQFamilies) / sizeof(kQFamilies[0]); i++) {
      const QConvFamily& f = kQFamilies[i];
      if (f.rejects && f.rejects(p)) continue;
      if (i == kQWinograd) {
        auto both = std::make_unique<S8ByMapSize>(p, q_);
        both_ = both.get();
        algo_ = kQFamilies[both->wino_pays(kQLargeMap, kQLargeMap) ? kQWinograd : kQIm2col].name;
        impl_ = std::move(both);
      } else {
        algo_ = f.name;
        impl_ = f.make(p, q_);
      }
      return;
    }
  }

  const char* algo() const { return algo_; }
  const ConvImplS8& impl() const { return *impl_; }
  const QuantLayer& quant() const { return q_; }
  // How many algorithms hold packed weights (an `auto` layer that picks by
  // map size packs each on the first plan that needs it; others: 1).
  size_t packed_algos() const { return both_ ? both_->packed() : 1; }
  // The plans of the sizes the layer has run (QConv2d::run_any).
  const PlanMemo& plans() const { return plans_; }

 private:
  void quantize_weights(const float* weight, size_t cout, size_t per) {
    q_.w_q.resize(cout * per);
    q_.w_scale.resize(cout);
    for (size_t o = 0; o < cout; o++) {
      const float* wo = weight + o * per;
      double amax = 0.0;
      for (size_t i = 0; i < per; i++) {
        if (!std::isfinite(wo[i])) throw Error("QConv2d: weight must be finite");
        amax = std::max(amax, std::fabs(double(wo[i])));
      }
      float sc = float(amax / 127.0);
      if (!(sc > 0.0f)) sc = 1.0f;  // all-zero channel (or below float range)
      q_.w_scale[o] = sc;
      for (size_t i = 0; i < per; i++) q_.w_q[o * per + i] = quantize_one(double(wo[i]) / double(sc));
    }
  }

  Conv2dParams p_;
  QuantLayer q_;  // before impl_: the family keeps a reference to it
  const char* algo_;
  ConvImplS8Ptr impl_;
  PlanMemo plans_;
  const S8ByMapSize* both_ = nullptr;  // impl_, when it picks by map size
};

}  // namespace detail

QConv2d::QConv2d(const Conv2dParams& p, const float* weight, const float* bias, float input_scale,
                 float output_scale, Algo algo)
    : p_(p), input_scale_(input_scale), output_scale_(output_scale) {
  validate(p);
  if (!weight) throw Error("weight must not be null");
  check_scales(&input_scale, 1, false, "input_scale");
  check_scales(&output_scale, 1, true, "output_scale");
  if (bias)
    for (int64_t i = 0; i < p.out_channels; i++)
      if (!std::isfinite(bias[i])) throw Error("QConv2d: bias must be finite");
  impl_.reset(new detail::QConvImpl(p, weight, bias, input_scale, output_scale, algo));
}

QConv2d::~QConv2d() = default;
QConv2d::QConv2d(QConv2d&&) noexcept = default;
QConv2d& QConv2d::operator=(QConv2d&&) noexcept = default;

const char* QConv2d::algo() const { return impl_->algo(); }

size_t QConv2d::workspace_bytes(int64_t h, int64_t w) const {
  return detail::call_workspace_bytes(impl_->impl(), impl_->impl().plan(1, h, w));
}

// On the layer's kept plan of (n, h, w) (conv_impl.h, run_kept), as Conv2d::run.
void QConv2d::run_any(const int8_t* x, int64_t n, int64_t h, int64_t w, void* y) const {
  if (n < 0) throw Error("batch size must be >= 0");
  detail::run_kept(impl_->plans(), impl_->impl(), n, h, w, x, y);
}

detail::ConvPlan detail::PlanAccess::plan(const QConv2d& layer, int64_t n, int64_t h, int64_t w,
                                          int* team) {
  const detail::ConvImplS8& impl = layer.impl_->impl();
  return call_plan(impl, impl.plan(n, h, w), team);
}

size_t detail::PlanAccess::packed_algos(const QConv2d& layer) { return layer.impl_->packed_algos(); }

void QConv2d::run(const int8_t* x, int64_t n, int64_t h, int64_t w, int8_t* y) const {
  if (!int8_output()) throw Error("QConv2d: this layer has no output_scale: it returns float32");
  run_any(x, n, h, w, y);
}

void QConv2d::run(const int8_t* x, int64_t n, int64_t h, int64_t w, float* y) const {
  if (int8_output()) throw Error("QConv2d: this layer has an output_scale: it returns int8");
  run_any(x, n, h, w, y);
}

const std::vector<int8_t>& QConv2d::weight_q() const { return impl_->quant().w_q; }
const std::vector<float>& QConv2d::weight_scale() const { return impl_->quant().w_scale; }
const std::vector<int32_t>& QConv2d::bias_q() const { return impl_->quant().bias_q; }
const std::vector<int32_t>& QConv2d::requant_multiplier() const { return impl_->quant().mult; }
int QConv2d::requant_shift() const { return impl_->quant().shift; }
const std::vector<float>& QConv2d::dequant_scale() const { return impl_->quant().dequant; }
int32_t QConv2d::qmin() const { return impl_->quant().qmin; }
int32_t QConv2d::qmax() const { return impl_->quant().qmax; }

}  // namespace armconv

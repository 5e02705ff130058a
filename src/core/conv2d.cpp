// The fp32 operator layer: validate, choose the algorithm (the planner
// below), pack the weights once, then per call plan and run (core/plan.h).
#include <cmath>
#include <string>

#include "core/conv_impl.h"

namespace armconv {

namespace {

// The fp32 planner: the one place that chooses a convolution algorithm.
//
// At construction (choose()): the first family of kFamilies, in order, that
// can run the layer and pays for it. At plan time (per map size), one rule:
// an `auto` layer that chose Winograd keeps an im2col packing too if some map
// sizes go to im2col (AutoWinograd), and runs it on maps where Winograd does
// not pay (winograd63_conv_pays_for_map(): measured, see conv_winograd.cpp).
struct ConvFamily {
  Algo algo;
  const char* (*rejects)(const Conv2dParams& p);
  bool (*pays)(const Conv2dParams& p);  // auto takes it (nullptr: whenever it can run)
  detail::ConvImplPtr (*make)(const Conv2dParams& p, const float* weight, const float* bias);
};

const ConvFamily kFamilies[] = {
    {Algo::Depthwise3x3, detail::dw3x3_conv_rejects, nullptr, detail::make_dw3x3_conv},
    {Algo::Winograd63, detail::winograd63_conv_rejects, detail::winograd63_conv_pays,
     detail::make_winograd63_conv},
    {Algo::Gemm, detail::gemm_conv_rejects, nullptr, detail::make_gemm_conv},
    {Algo::Im2col, detail::im2col_conv_rejects, nullptr, detail::make_im2col_conv},
};

const ConvFamily& family(Algo a) {
  for (const ConvFamily& f : kFamilies)
    if (f.algo == a) return f;
  throw Error("unknown algorithm");
}

Algo choose(const Conv2dParams& p) {
  for (const ConvFamily& f : kFamilies)
    if (!f.rejects(p) && (!f.pays || f.pays(p))) return f.algo;
  return Algo::Im2col;  // never reached: im2col runs everything
}

// Every size the kernels index with is kept below 2^31 so that products of two
// of them fit comfortably in 64 bits.
constexpr int64_t kMaxDim = int64_t(1) << 31;

void check_range(const char* name, int64_t v, int64_t lo) {
  if (v < lo) throw Error(std::string(name) + " must be >= " + std::to_string(lo) + ", got " + std::to_string(v));
  if (v >= kMaxDim) throw Error(std::string(name) + " is too large: " + std::to_string(v));
}

// An `auto` layer that chose Winograd: it also packs the weights for im2col
// (+14% memory: 9 vs 64 values per weight pair), and its plan runs im2col on
// output maps too small for Winograd's 6x6 tiles to pay.
class AutoWinograd final : public detail::ConvImpl {
 public:
  AutoWinograd(const Conv2dParams& p, const float* weight, const float* bias)
      : p_(p),
        wino_(detail::make_winograd63_conv(p, weight, bias)),
        im2col_(detail::make_im2col_conv(p, weight, bias)) {}

  detail::ConvPlan plan(int64_t n, int64_t h, int64_t w) const override {
    int64_t ho, wo;
    output_size(p_, h, w, &ho, &wo);
    return pick(ho, wo).plan(n, h, w);
  }
  detail::ConvPlan plan_for_threads(int64_t n, int64_t h, int64_t w, int threads) const override {
    int64_t ho, wo;
    output_size(p_, h, w, &ho, &wo);
    return pick(ho, wo).plan_for_threads(n, h, w, threads);
  }
  void run(const detail::ConvPlan& plan, const float* x, float* y, size_t begin, size_t end,
           void* scratch) const override {
    (plan.algo == std::string("winograd63") ? *wino_ : *im2col_).run(plan, x, y, begin, end, scratch);
  }

 private:
  const detail::ConvImpl& pick(int64_t ho, int64_t wo) const {
    return detail::winograd63_conv_pays_for_map(p_, ho, wo) ? *wino_ : *im2col_;
  }
  Conv2dParams p_;
  detail::ConvImplPtr wino_, im2col_;
};

}  // namespace

const char* algo_name(Algo a) {
  switch (a) {
    case Algo::Auto: return "auto";
    case Algo::Gemm: return "gemm";
    case Algo::Im2col: return "im2col";
    case Algo::Depthwise3x3: return "depthwise3x3";
    case Algo::Winograd63: return "winograd63";
  }
  return "?";
}

Algo algo_from_name(const std::string& name) {
  for (Algo a : {Algo::Auto, Algo::Gemm, Algo::Im2col, Algo::Depthwise3x3, Algo::Winograd63})
    if (name == algo_name(a)) return a;
  throw Error("algo must be one of 'auto', 'gemm', 'im2col', 'depthwise3x3', 'winograd63', got '" +
              name + "'");
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

Conv2d::Conv2d(const Conv2dParams& p, const float* weight, const float* bias, Algo algo) : p_(p) {
  validate(p);
  if (!weight) throw Error("weight must not be null");
  algo_ = algo == Algo::Auto ? choose(p) : algo;
  if (const char* why = family(algo_).rejects(p))
    throw Error(std::string("algo '") + algo_name(algo_) + "' cannot run this convolution: " + why);
  // An `auto` Winograd layer keeps an im2col packing too if some map sizes
  // go to im2col (if Winograd pays even on a 1x1 output, it pays on all).
  if (algo == Algo::Auto && algo_ == Algo::Winograd63 && !detail::winograd63_conv_pays_for_map(p, 1, 1)) {
    auto_winograd_ = true;
    impl_.reset(new AutoWinograd(p, weight, bias));
  } else {
    impl_ = family(algo_).make(p, weight, bias);
  }
}

Algo Conv2d::algo_for(int64_t h, int64_t w) const {
  return algo_from_name(impl_->plan(1, h, w).algo);
}

Conv2d::~Conv2d() = default;
Conv2d::Conv2d(Conv2d&&) noexcept = default;
Conv2d& Conv2d::operator=(Conv2d&&) noexcept = default;

size_t Conv2d::workspace_bytes(int64_t h, int64_t w) const {
  return impl_->plan(1, h, w).scratch_bytes;
}

void Conv2d::run(const float* x, int64_t n, int64_t h, int64_t w, float* y) const {
  if (n < 0) throw Error("batch size must be >= 0");
  const detail::ConvPlan plan = impl_->plan(n, h, w);  // checks h, w (output_size)
  if (n == 0) return;
  detail::run_all(*impl_, plan, x, y);
}

detail::ConvPlan detail::PlanAccess::plan(const Conv2d& layer, int64_t n, int64_t h, int64_t w,
                                          int* team) {
  return call_plan(*layer.impl_, layer.impl_->plan(n, h, w), team);
}

void conv2d(const Conv2dParams& p, const float* x, int64_t n, int64_t h, int64_t w,
            const float* weight, const float* bias, float* y, Algo algo) {
  Conv2d layer(p, weight, bias, algo);
  layer.run(x, n, h, w, y);
}

}  // namespace armconv

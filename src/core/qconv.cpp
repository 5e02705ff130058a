// Quantized convolution (QConv2d) and the int8 entry points (gemm_s8,
// quantize, dequantize, requantize). The rules are documented in
// include/armconv/quant.h and src/core/gemm_s8.h.
//
// QConv2d quantizes the float weights per output channel once and packs them
// for the chosen int8 GEMM (A panels, as conv_gemm.cpp does for fp32); run()
// reads the int8 image as the GEMM's B (1x1, stride 1, no padding) or packs
// int8 im2col panels straight from it, and the GEMM's store requantizes.
// Depthwise layers (one input channel per group) run a direct generic loop
// through the same scalar output rule.
#include <algorithm>
#include <cmath>
#include <string>

#include "armconv/quant.h"
#include "core/buffer.h"
#include "core/conv_impl.h"
#include "core/dispatch.h"
#include "core/gemm_s8.h"

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

void gemm_s8(int64_t m, int64_t n, int64_t k, const int8_t* a, int64_t lda, const int8_t* b,
             int64_t ldb, int32_t* c, int64_t ldc) {
  if (m < 0 || n < 0 || k < 0) throw Error("gemm_s8: m, n and k must be >= 0");
  if (k > kGemmS8MaxK) throw Error("gemm_s8: k must be <= 65536, got " + std::to_string(k));
  if (lda < std::max<int64_t>(k, 1) || ldb < std::max<int64_t>(n, 1) || ldc < std::max<int64_t>(n, 1))
    throw Error("gemm_s8: leading dimensions must be at least the row lengths");
  if (m == 0 || n == 0) return;
  if (k == 0) {
    for (int64_t i = 0; i < m; i++) std::fill(c + i * ldc, c + i * ldc + n, 0);
    return;
  }
  for (int64_t i = 0; i < m; i++)
    for (int64_t j = 0; j < k; j++)
      if (a[i * lda + j] == -128) throw Error("gemm_s8: a holds -128 (operands must be in [-127, 127])");
  for (int64_t i = 0; i < k; i++)
    for (int64_t j = 0; j < n; j++)
      if (b[i * ldb + j] == -128) throw Error("gemm_s8: b holds -128 (operands must be in [-127, 127])");
  using namespace detail;
  const S8GemmKernels& kern = *kernels().gemm_s8;
  const S8Blocking blk = gemm_s8_blocking(kern, size_t(m), size_t(n), size_t(k));
  const size_t mpad = round_up(size_t(m), kern.mr);
  Buffer<int8_t> pa(mpad * blk.kp), ws(blk.workspace_bytes());
  Buffer<int32_t> bias(mpad);
  kern.pack_a(size_t(m), size_t(k), a, size_t(lda), pa.data());
  S8BSource src;
  src.b = b;
  src.ldb = size_t(ldb);
  S8Output out;
  out.kind = S8OutKind::Int32;
  out.bias = bias.data();
  gemm_s8_run(kern, blk, size_t(m), size_t(n), size_t(k), pa.data(), src, c, size_t(ldc), out,
              ws.data());
}

void quantize(const float* x, int8_t* q, int64_t outer, int64_t channels, int64_t inner,
              const float* scales) {
  check_shape(outer, channels, inner);
  check_scales(scales, channels, false, "scale");
  for (int64_t o = 0; o < outer; o++)
    for (int64_t ch = 0; ch < channels; ch++) {
      const double s = scales[ch];
      const size_t base = size_t((o * channels + ch) * inner);
      for (int64_t i = 0; i < inner; i++) {
        const float v = x[base + size_t(i)];
        if (std::isnan(v)) throw Error("quantize: x holds NaN");
        q[base + size_t(i)] = quantize_one(double(v) / s);
      }
    }
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

class QConvImpl {
 public:
  QConvImpl(const Conv2dParams& p, const float* weight, const float* bias, float in_scale,
            float out_scale)
      : p_(p), kern_(*kernels().gemm_s8) {
    g_ = size_t(p.groups);
    cout_ = size_t(p.out_channels);
    m_ = cout_ / g_;
    cg_ = size_t(p.in_channels) / g_;
    k_ = cg_ * size_t(p.kernel_h * p.kernel_w);
    if (k_ > size_t(kGemmS8MaxK))
      throw Error("QConv2d: in_channels / groups * kernel_h * kernel_w must be <= 65536, got " +
                  std::to_string(k_));
    quantize_weights(weight);
    // Bias and output stage, per output channel.
    bias_q_.assign(cout_, 0);
    std::vector<double> s(cout_);
    dequant_.resize(cout_);
    for (size_t o = 0; o < cout_; o++) {
      const double unit = double(in_scale) * double(w_scale_[o]);  // value of one accumulator step
      if (bias) {
        const double bq = std::round(double(bias[o]) / unit);
        bias_q_[o] = int32_t(std::max(-double(kS8MaxBias), std::min(double(kS8MaxBias), bq)));
      }
      s[o] = out_scale > 0.0f ? unit / double(out_scale) : 0.0;
      dequant_[o] = float(unit);
    }
    mult_.assign(cout_, 0);
    shift_ = 0;
    qmin_ = -127;
    qmax_ = 127;
    if (out_scale > 0.0f) {
      requant_multipliers(s.data(), cout_, mult_.data(), &shift_);
      if (p.clamp) {
        const double lo = std::round(double(p.out_min) / double(out_scale));
        const double hi = std::round(double(p.out_max) / double(out_scale));
        qmin_ = int32_t(std::min(127.0, std::max(-127.0, lo)));
        qmax_ = int32_t(std::min(127.0, std::max(-127.0, hi)));
      }
    }
    out_kind_ = out_scale > 0.0f ? S8OutKind::Int8 : S8OutKind::Float;
    depthwise_ = g_ > 1 && cg_ == 1 && m_ == 1;
    dense_ = p.kernel_h == 1 && p.kernel_w == 1 && p.stride_h == 1 && p.stride_w == 1 &&
             p.pad_top == 0 && p.pad_bottom == 0 && p.pad_left == 0 && p.pad_right == 0;
    if (!depthwise_) pack();
  }

  const char* algo() const { return depthwise_ ? "depthwise" : (dense_ ? "gemm" : "im2col"); }

  void run(const int8_t* x, int64_t n, int64_t h, int64_t w, void* y, int64_t ho,
           int64_t wo) const {
    if (depthwise_) return run_depthwise(x, n, h, w, y, ho, wo);
    const size_t hw = size_t(h) * size_t(w), howo = size_t(ho) * size_t(wo);
    const size_t es = out_kind_ == S8OutKind::Int8 ? 1 : 4;
    const S8Blocking blk = gemm_s8_blocking(kern_, m_, howo, k_);
    Buffer<int8_t> ws(blk.workspace_bytes());
    Buffer<int8_t> scratch(dense_ ? 0 : im2col_s8_scratch_bytes(kern_.kg, kern_.nr, blk.nc),
                           Buffer<int8_t>::Uninitialized());
    Im2colGeomS8 geom{};
    geom.geom = im2col_geom(p_, h, w, ho, wo);
    geom.scratch = scratch.data();
    for (int64_t b = 0; b < n; b++) {
      for (size_t g = 0; g < g_; g++) {
        const int8_t* xg = x + (size_t(b) * g_ + g) * cg_ * hw;
        char* yg = static_cast<char*>(y) + (size_t(b) * g_ + g) * m_ * howo * es;
        S8BSource src;
        if (dense_) {
          src.b = xg;
          src.ldb = hw;
        } else {
          geom.x = xg;
          src.im2col = &geom;
        }
        S8Output out = output_stage(g);
        gemm_s8_run(kern_, blk, m_, howo, k_, packed_a_.data() + g * mpad_ * blk.kp, src, yg,
                    howo, out, ws.data());
      }
    }
  }

  std::vector<int8_t> w_q_;
  std::vector<float> w_scale_, dequant_;
  std::vector<int32_t> bias_q_, mult_;
  int shift_;
  int32_t qmin_, qmax_;

 private:
  void quantize_weights(const float* weight) {
    const size_t per = k_;
    w_q_.resize(cout_ * per);
    w_scale_.resize(cout_);
    for (size_t o = 0; o < cout_; o++) {
      const float* wo = weight + o * per;
      double amax = 0.0;
      for (size_t i = 0; i < per; i++) {
        if (!std::isfinite(wo[i])) throw Error("QConv2d: weight must be finite");
        amax = std::max(amax, std::fabs(double(wo[i])));
      }
      float sc = float(amax / 127.0);
      if (!(sc > 0.0f)) sc = 1.0f;  // all-zero channel (or below float range)
      w_scale_[o] = sc;
      for (size_t i = 0; i < per; i++) w_q_[o * per + i] = quantize_one(double(wo[i]) / double(sc));
    }
  }

  void pack() {
    mpad_ = round_up(m_, kern_.mr);
    const size_t kp = round_up(k_, kern_.kg);
    packed_a_.reset(g_ * mpad_ * kp);
    pbias_.reset(g_ * mpad_);
    pmult_.reset(g_ * mpad_);
    pdequant_.reset(g_ * mpad_);
    for (size_t g = 0; g < g_; g++) {
      kern_.pack_a(m_, k_, w_q_.data() + g * m_ * k_, k_, packed_a_.data() + g * mpad_ * kp);
      for (size_t r = 0; r < m_; r++) {
        pbias_[g * mpad_ + r] = bias_q_[g * m_ + r];
        pmult_[g * mpad_ + r] = mult_[g * m_ + r];
        pdequant_[g * mpad_ + r] = dequant_[g * m_ + r];
      }
    }
  }

  S8Output output_stage(size_t g) const {
    S8Output out;
    out.kind = out_kind_;
    out.bias = pbias_.data() + g * mpad_;
    out.mult = pmult_.data() + g * mpad_;
    out.shift = shift_;
    out.qmin = qmin_;
    out.qmax = qmax_;
    out.fscale = pdequant_.data() + g * mpad_;
    out.fclamp = p_.clamp;
    out.fmin = p_.out_min;
    out.fmax = p_.out_max;
    return out;
  }

  // One channel per group: y[c] = sum over the kernel window of x[c] * w[c],
  // then the output rule of gemm_s8.h, scalar.
  void run_depthwise(const int8_t* x, int64_t n, int64_t h, int64_t w, void* y, int64_t ho,
                     int64_t wo) const {
    const int64_t kh = p_.kernel_h, kw = p_.kernel_w;
    for (int64_t b = 0; b < n; b++)
      for (size_t ch = 0; ch < cout_; ch++) {
        const int8_t* xc = x + (size_t(b) * cout_ + ch) * size_t(h * w);
        const int8_t* wc = w_q_.data() + ch * size_t(kh * kw);
        const size_t obase = (size_t(b) * cout_ + ch) * size_t(ho * wo);
        for (int64_t oy = 0; oy < ho; oy++)
          for (int64_t ox = 0; ox < wo; ox++) {
            int32_t acc = bias_q_[ch];
            for (int64_t ky = 0; ky < kh; ky++) {
              const int64_t iy = oy * p_.stride_h - p_.pad_top + ky * p_.dilation_h;
              if (iy < 0 || iy >= h) continue;
              for (int64_t kx = 0; kx < kw; kx++) {
                const int64_t ix = ox * p_.stride_w - p_.pad_left + kx * p_.dilation_w;
                if (ix < 0 || ix >= w) continue;
                acc += int32_t(xc[iy * w + ix]) * int32_t(wc[ky * kw + kx]);
              }
            }
            const size_t i = obase + size_t(oy * wo + ox);
            if (out_kind_ == S8OutKind::Int8) {
              static_cast<int8_t*>(y)[i] = int8_t(s8_requant(acc, mult_[ch], shift_, qmin_, qmax_));
            } else {
              float v = float(acc) * dequant_[ch];
              if (p_.clamp) v = v < p_.out_min ? p_.out_min : (v > p_.out_max ? p_.out_max : v);
              static_cast<float*>(y)[i] = v;
            }
          }
      }
  }

  Conv2dParams p_;
  const S8GemmKernels& kern_;
  size_t g_, cout_, m_, cg_, k_, mpad_ = 0;
  bool depthwise_, dense_;
  S8OutKind out_kind_;
  Buffer<int8_t> packed_a_;
  Buffer<int32_t> pbias_, pmult_;
  Buffer<float> pdequant_;
};

}  // namespace detail

QConv2d::QConv2d(const Conv2dParams& p, const float* weight, const float* bias, float input_scale,
                 float output_scale)
    : p_(p), input_scale_(input_scale), output_scale_(output_scale) {
  validate(p);
  if (!weight) throw Error("weight must not be null");
  check_scales(&input_scale, 1, false, "input_scale");
  check_scales(&output_scale, 1, true, "output_scale");
  if (bias)
    for (int64_t i = 0; i < p.out_channels; i++)
      if (!std::isfinite(bias[i])) throw Error("QConv2d: bias must be finite");
  impl_.reset(new detail::QConvImpl(p, weight, bias, input_scale, output_scale));
}

QConv2d::~QConv2d() = default;
QConv2d::QConv2d(QConv2d&&) noexcept = default;
QConv2d& QConv2d::operator=(QConv2d&&) noexcept = default;

const char* QConv2d::algo() const { return impl_->algo(); }

void QConv2d::run_any(const int8_t* x, int64_t n, int64_t h, int64_t w, void* y) const {
  if (n < 0) throw Error("batch size must be >= 0");
  int64_t ho, wo;
  output_size(p_, h, w, &ho, &wo);
  if (n == 0) return;
  impl_->run(x, n, h, w, y, ho, wo);
}

void QConv2d::run(const int8_t* x, int64_t n, int64_t h, int64_t w, int8_t* y) const {
  if (!int8_output()) throw Error("QConv2d: this layer has no output_scale: it returns float32");
  run_any(x, n, h, w, y);
}

void QConv2d::run(const int8_t* x, int64_t n, int64_t h, int64_t w, float* y) const {
  if (int8_output()) throw Error("QConv2d: this layer has an output_scale: it returns int8");
  run_any(x, n, h, w, y);
}

const std::vector<int8_t>& QConv2d::weight_q() const { return impl_->w_q_; }
const std::vector<float>& QConv2d::weight_scale() const { return impl_->w_scale_; }
const std::vector<int32_t>& QConv2d::bias_q() const { return impl_->bias_q_; }
const std::vector<int32_t>& QConv2d::requant_multiplier() const { return impl_->mult_; }
int QConv2d::requant_shift() const { return impl_->shift_; }
const std::vector<float>& QConv2d::dequant_scale() const { return impl_->dequant_; }
int32_t QConv2d::qmin() const { return impl_->qmin_; }
int32_t QConv2d::qmax() const { return impl_->qmax_; }

}  // namespace armconv

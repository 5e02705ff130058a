// Depthwise 3x3 convolution family (operator side): groups == in_channels ==
// out_channels, 3x3 kernel, stride 1 or 2 (the same in both dimensions),
// dilation 1, any padding. Other depthwise shapes (5x5, dilation, channel
// multiplier) are left to im2col.
//
// The weights are packed once into 12 floats per channel (core/dwconv.h); a
// run() is one kernel call per (image, channel) plane, which is where a
// threaded caller will split the work. No scratch memory.
#include <cstring>

#include "core/buffer.h"
#include "core/conv_impl.h"
#include "core/dispatch.h"
#include "core/dwconv.h"

namespace armconv {
namespace detail {
namespace {

class Dw3x3Conv final : public ConvImpl {
 public:
  Dw3x3Conv(const Conv2dParams& p, const float* weight, const float* bias)
      : p_(p), kern_(*kernels().dw3x3), c_(size_t(p.in_channels)) {
    packed_.reset(c_ * kDw3x3PackedFloats);
    for (size_t c = 0; c < c_; c++) {
      float* k = packed_.data() + c * kDw3x3PackedFloats;
      std::memcpy(k, weight + c * 9, 9 * sizeof(float));
      k[9] = bias ? bias[c] : 0.0f;
      k[10] = k[11] = 0.0f;
    }
    fn_ = p.stride_h == 1 ? kern_.stride1 : kern_.stride2;
  }

  size_t workspace_bytes(int64_t, int64_t) const override { return 0; }

  void run(const float* x, int64_t n, int64_t h, int64_t w, float* y, int64_t ho,
           int64_t wo) const override {
    DwPlane plane{};
    plane.h = size_t(h);
    plane.w = size_t(w);
    plane.ho = size_t(ho);
    plane.wo = size_t(wo);
    plane.pad_top = size_t(p_.pad_top);
    plane.pad_left = size_t(p_.pad_left);
    plane.clamp = p_.clamp;
    plane.lo = p_.out_min;
    plane.hi = p_.out_max;
    const size_t hw = plane.h * plane.w, howo = plane.ho * plane.wo;
    for (size_t b = 0; b < size_t(n); b++) {
      for (size_t c = 0; c < c_; c++) {
        plane.x = x + (b * c_ + c) * hw;
        plane.y = y + (b * c_ + c) * howo;
        plane.k = packed_.data() + c * kDw3x3PackedFloats;
        fn_(plane);
      }
    }
  }

 private:
  Conv2dParams p_;
  const Dw3x3Kernels& kern_;
  size_t c_;
  dw3x3_plane_fn fn_;
  Buffer<float> packed_;
};

}  // namespace

const char* dw3x3_conv_rejects(const Conv2dParams& p) {
  if (p.groups != p.in_channels || p.out_channels != p.in_channels)
    return "it needs groups == in_channels == out_channels (a depthwise convolution with "
           "channel multiplier 1)";
  if (p.kernel_h != 3 || p.kernel_w != 3) return "it needs a 3x3 kernel";
  if (p.dilation_h != 1 || p.dilation_w != 1) return "it needs dilation 1";
  if (p.stride_h != p.stride_w || (p.stride_h != 1 && p.stride_h != 2))
    return "it needs stride 1 or 2 (the same in both dimensions)";
  return nullptr;
}

ConvImplPtr make_dw3x3_conv(const Conv2dParams& p, const float* weight, const float* bias) {
  return ConvImplPtr(new Dw3x3Conv(p, weight, bias));
}

}  // namespace detail
}  // namespace armconv

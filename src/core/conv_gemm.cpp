// Convolution as GEMM: C (Cout/g x Ho*Wo) = W (Cout/g x Cin/g*kh*kw) * B.
//   gemm:   1x1 kernel, no padding. Stride 1: B is the image itself (C x H*W),
//           packed panel by panel; stride > 1: subsampled while packing.
//   im2col: any shape; B's panels are packed straight from the image (stride,
//           padding and dilation resolved while packing), so the im2col matrix
//           is never materialised.
// Weights are packed once per group into MR-row panels; the output is written
// in place, NCHW, by the micro-kernel's store (bias and clamp fused).
#include <algorithm>
#include <cstring>

#include "core/buffer.h"
#include "core/conv_impl.h"
#include "core/dispatch.h"

namespace armconv {
namespace detail {
namespace {

class GemmConv final : public ConvImpl {
 public:
  GemmConv(const Conv2dParams& p, const float* weight, const float* bias)
      : p_(p), kern_(*kernels().sgemm) {
    g_ = size_t(p.groups);
    m_ = size_t(p.out_channels) / g_;
    cg_ = size_t(p.in_channels) / g_;
    k_ = cg_ * size_t(p.kernel_h * p.kernel_w);
    mpad_ = round_up(m_, kern_.mr);
    packed_a_.reset(g_ * mpad_ * k_);
    bias_.reset(g_ * mpad_);
    for (size_t g = 0; g < g_; g++) {
      kern_.pack_a(m_, k_, weight + g * m_ * k_, k_, packed_a_.data() + g * mpad_ * k_);
      if (bias) std::memcpy(bias_.data() + g * mpad_, bias + g * m_, m_ * sizeof(float));
    }
    dense_ = p.kernel_h == 1 && p.kernel_w == 1 && p.stride_h == 1 && p.stride_w == 1 &&
             p.pad_top == 0 && p.pad_bottom == 0 && p.pad_left == 0 && p.pad_right == 0;
  }

  size_t workspace_bytes(int64_t h, int64_t w) const override {
    int64_t ho, wo;
    output_size(p_, h, w, &ho, &wo);
    return blocking(ho, wo).workspace_floats() * sizeof(float) + 64;
  }

  void run(const float* x, int64_t n, int64_t h, int64_t w, float* y, int64_t ho,
           int64_t wo) const override {
    const size_t hw = size_t(h) * size_t(w), howo = size_t(ho) * size_t(wo);
    const SgemmBlocking blk = blocking(ho, wo);
    Buffer<float> ws(blk.workspace_floats(), Buffer<float>::Uninitialized());
    Im2colGeom geom = im2col_geom(p_, h, w, ho, wo);
    for (int64_t b = 0; b < n; b++) {
      for (size_t g = 0; g < g_; g++) {
        const float* xg = x + (size_t(b) * g_ + g) * cg_ * hw;
        float* yg = y + (size_t(b) * g_ + g) * m_ * howo;
        BSource src;
        if (dense_) {
          src.b = xg;
          src.ldb = hw;
        } else {
          geom.x = xg;
          src.im2col = &geom;
        }
        sgemm_run(kern_, blk, m_, howo, k_, packed_a_.data() + g * mpad_ * k_,
                  bias_.data() + g * mpad_, src, yg, howo, p_.clamp, p_.out_min, p_.out_max,
                  ws.data());
      }
    }
  }

 private:
  SgemmBlocking blocking(int64_t ho, int64_t wo) const {
    return sgemm_blocking(kern_, m_, size_t(ho) * size_t(wo), k_);
  }

  Conv2dParams p_;
  const SgemmKernels& kern_;
  size_t g_, m_, cg_, k_, mpad_;
  bool dense_;
  Buffer<float> packed_a_, bias_;
};

}  // namespace

const char* gemm_conv_rejects(const Conv2dParams& p) {
  if (p.kernel_h != 1 || p.kernel_w != 1) return "it needs a 1x1 kernel";
  if (p.pad_top || p.pad_bottom || p.pad_left || p.pad_right) return "it needs padding 0";
  return nullptr;
}

ConvImplPtr make_gemm_conv(const Conv2dParams& p, const float* weight, const float* bias) {
  return ConvImplPtr(new GemmConv(p, weight, bias));
}

const char* im2col_conv_rejects(const Conv2dParams&) { return nullptr; }

ConvImplPtr make_im2col_conv(const Conv2dParams& p, const float* weight, const float* bias) {
  return ConvImplPtr(new GemmConv(p, weight, bias));
}

}  // namespace detail

void sgemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
           int64_t ldb, float* c, int64_t ldc) {
  if (m < 0 || n < 0 || k < 0) throw Error("sgemm: m, n and k must be >= 0");
  if (lda < std::max<int64_t>(k, 1) || ldb < std::max<int64_t>(n, 1) || ldc < std::max<int64_t>(n, 1))
    throw Error("sgemm: leading dimensions must be at least the row lengths");
  if (m == 0 || n == 0) return;
  if (k == 0) {
    for (int64_t i = 0; i < m; i++) std::fill(c + i * ldc, c + i * ldc + n, 0.0f);
    return;
  }
  using namespace detail;
  const SgemmKernels& kern = *kernels().sgemm;
  const size_t mpad = round_up(size_t(m), kern.mr);
  Buffer<float> pa(mpad * size_t(k)), bias(mpad);
  kern.pack_a(size_t(m), size_t(k), a, size_t(lda), pa.data());
  const SgemmBlocking blk = sgemm_blocking(kern, size_t(m), size_t(n), size_t(k));
  Buffer<float> ws(blk.workspace_floats(), Buffer<float>::Uninitialized());
  BSource src;
  src.b = b;
  src.ldb = size_t(ldb);
  sgemm_run(kern, blk, size_t(m), size_t(n), size_t(k), pa.data(), bias.data(), src, c,
            size_t(ldc), false, 0.0f, 0.0f, ws.data());
}

}  // namespace armconv

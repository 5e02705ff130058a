// The operator layer's view of a kernel family: each family says whether it
// can run a convolution (and if not, why), and builds an implementation that
// owns the weights packed for it. conv2d.cpp chooses among the families.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "armconv/armconv.h"

namespace armconv {
namespace detail {

class ConvImpl {
 public:
  virtual ~ConvImpl() = default;
  // Scratch memory run() allocates for an h x w input map.
  virtual size_t workspace_bytes(int64_t h, int64_t w) const = 0;
  // x: (n, C, h, w), y: (n, Cout, ho, wo), both dense. Must be safe to call
  // concurrently: all scratch memory is per call.
  virtual void run(const float* x, int64_t n, int64_t h, int64_t w, float* y, int64_t ho,
                   int64_t wo) const = 0;
};

using ConvImplPtr = std::unique_ptr<const ConvImpl>;

// A family: `rejects` returns nullptr when the family can run `p`, or a
// sentence saying why not; `make` packs the weights (called only after
// rejects() returned nullptr and validate() passed).
struct ConvFamily {
  Algo algo;
  const char* (*rejects)(const Conv2dParams& p);
  ConvImplPtr (*make)(const Conv2dParams& p, const float* weight, const float* bias);
};

// conv_gemm.cpp: 1x1 convolutions as a GEMM over the image, and im2col + GEMM.
const char* gemm_conv_rejects(const Conv2dParams& p);
ConvImplPtr make_gemm_conv(const Conv2dParams& p, const float* weight, const float* bias);
const char* im2col_conv_rejects(const Conv2dParams& p);
ConvImplPtr make_im2col_conv(const Conv2dParams& p, const float* weight, const float* bias);

// conv_dw3x3.cpp: depthwise 3x3, stride 1 and 2.
const char* dw3x3_conv_rejects(const Conv2dParams& p);
ConvImplPtr make_dw3x3_conv(const Conv2dParams& p, const float* weight, const float* bias);

// conv_winograd.cpp: Winograd F(6x6, 3x3). `pays` says whether auto should
// pick it for these parameters (it must also not reject them).
const char* winograd63_conv_rejects(const Conv2dParams& p);
bool winograd63_conv_pays(const Conv2dParams& p);
ConvImplPtr make_winograd63_conv(const Conv2dParams& p, const float* weight, const float* bias);

// Effective kernel extent (k - 1) * dilation + 1.
inline int64_t kernel_extent(int64_t k, int64_t d) { return (k - 1) * d + 1; }

}  // namespace detail
}  // namespace armconv

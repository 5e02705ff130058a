// The operator layer's view of a kernel family: each family says whether it
// can run a convolution (and if not, why), and builds an implementation that
// owns the weights packed for it. conv2d.cpp chooses among the families.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "armconv/armconv.h"
#include "core/sgemm.h"

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
// Whether Winograd also beats im2col on an ho x wo output map (small maps
// waste most of their 6x6 tiles). `auto` layers that chose Winograd keep an
// im2col packing too and use it where this says no.
bool winograd63_conv_pays_for_map(const Conv2dParams& p, int64_t ho, int64_t wo);
ConvImplPtr make_winograd63_conv(const Conv2dParams& p, const float* weight, const float* bias);

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
  g.sh = size_t(p.stride_h);
  g.sw = size_t(p.stride_w);
  g.dh = size_t(p.dilation_h);
  g.dw = size_t(p.dilation_w);
  g.pad_top = ptrdiff_t(p.pad_top);
  g.pad_left = ptrdiff_t(p.pad_left);
  g.ho = size_t(ho);
  g.wo = size_t(wo);
  return g;
}

}  // namespace detail
}  // namespace armconv

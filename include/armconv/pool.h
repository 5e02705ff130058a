// armconv pooling: 2-D max and average pooling of NCHW float32 images, the
// glue a CNN runs between its convolutions (ResNet's 3x3 stride-2 max pool,
// global average pooling), on the kernels of src/core/pool.h.
//
// Window of output (oy, ox): input rows oy*stride_h - pad_top + ky*dilation_h
// (ky < kernel_h), columns likewise. Max: positions outside the map count as
// -inf; a NaN anywhere in the window gives NaN. Average: the sum of the
// in-map elements divided by the element count of the window clipped to the
// map (count_include_pad false), or clipped to the padded map
// [-pad_top, h + pad_bottom) x [-pad_left, w + pad_right) (true; ceil mode's
// extra windows still exclude what lies past the padding): PyTorch's
// avg_pool2d and ONNX AveragePool. Errors throw armconv::Error.
#pragma once

#include <cstdint>

#include "armconv/armconv.h"

namespace armconv {

enum class PoolKind { Max, Average };

struct Pool2dParams {
  PoolKind kind = PoolKind::Max;
  int64_t kernel_h = 1, kernel_w = 1;
  int64_t stride_h = 1, stride_w = 1;
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  // Output size rounded up (a last window that starts inside the map or its
  // top/left padding is kept, however far it reaches past the map).
  bool ceil_mode = false;
  bool count_include_pad = false;  // average only
};

// Output size over an h x w map (PyTorch's formula, ONNX's too):
//   o = floor_or_ceil((h + pad_top + pad_bottom - dilation*(kernel-1) - 1) / stride) + 1,
//   ceil mode: o - 1 if window o-1 would start at or past h + pad_top.
// Throws Error if a parameter is out of range or the padded map is smaller
// than one window.
void pool_output_size(const Pool2dParams& p, int64_t h, int64_t w, int64_t* ho, int64_t* wo);

// y[n][c][ho][wo] = pooling of x[n][c][h][w] (dense planes). The planes are
// split over the thread pool; results do not depend on the thread count.
void pool2d(const Pool2dParams& p, const float* x, int64_t n, int64_t c, int64_t h, int64_t w,
            float* y);

// The pooling kernel chosen for this CPU: pool-<isa>-<vector width>.
const char* pool_kernel_name();

}  // namespace armconv

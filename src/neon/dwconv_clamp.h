// Clamped depthwise calls run as the unclamped kernel plus a clamp pass over
// what it wrote (the 5x5 kernels: neon/aarch64/dwconv5x5_1x8.cpp,
// neon/armv7/dwconv5x5_1x4.cpp).
//
// Why: each activation of a strip kernel is a full set of flattened strips
// (neon/dwconv.h: a translation unit of 12-15 CPU-s of gcc per stride on
// aarch64, 4-5 s on armv7). For the 5x5 kernels the clamped calls are the
// rare ones (EfficientNet's 5x5 layers have no fused activation: SiLU
// follows; MobileNetV3's and MnasNet's ReLU 5x5 layers are clamped), so they
// share the unclamped strips: the output stage there is y = acc + bias,
// stored; the pass then does y = min(max(y, lo), hi) with the same FMAX /
// FMIN (NaN propagates) the clamped store did on the same value: the same
// bits. Cost: the pass loads and stores each output vector once more (about
// 4 instructions per output vector instead of the 2 of a clamped store,
// against 25 multiply-adds and their loads).
//
// The planes are run in chunks of about 16 KB of output, each clamped right
// after the kernel wrote it, while it is still in the L1 cache. (A call's
// planes may be cut anywhere: the kernels give the same bits for any run of
// planes: core/dwconv.h.)
#pragma once

#include <arm_neon.h>

#include <cstddef>

#include "core/dwconv.h"

namespace armconv {
namespace detail {
namespace {

// y[0 .. n) = min(max(y, lo), hi), lane-wise as the strips' clamped store.
inline void dw_clamp_floats(float* y, size_t n, float lo, float hi) {
  const float32x4_t l = vdupq_n_f32(lo), h = vdupq_n_f32(hi);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const float32x4_t a = vld1q_f32(y + i), b = vld1q_f32(y + i + 4);
    const float32x4_t c = vld1q_f32(y + i + 8), d = vld1q_f32(y + i + 12);
    vst1q_f32(y + i, vminq_f32(vmaxq_f32(a, l), h));
    vst1q_f32(y + i + 4, vminq_f32(vmaxq_f32(b, l), h));
    vst1q_f32(y + i + 8, vminq_f32(vmaxq_f32(c, l), h));
    vst1q_f32(y + i + 12, vminq_f32(vmaxq_f32(d, l), h));
  }
  for (; i + 4 <= n; i += 4) vst1q_f32(y + i, vminq_f32(vmaxq_f32(vld1q_f32(y + i), l), h));
  if (i < n) {
    // The last 1..3 floats through a vector (clamping is idempotent, but
    // nothing before y[i] may be touched if n < 4: a buffer).
    float t[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    for (size_t j = i; j < n; j++) t[j - i] = y[j];
    vst1q_f32(t, vminq_f32(vmaxq_f32(vld1q_f32(t), l), h));
    for (size_t j = i; j < n; j++) y[j] = t[j - i];
  }
}

// Runs the clamped call p through `unclamped` (a kernel without clamped
// strips: it is handed clamp = false) and clamps each chunk of planes after
// it. (Not inlined: the unclamped calls' entry stays a test and a tail call.)
__attribute__((noinline)) void dw_run_then_clamp(const DwPlane& p, size_t taps, void (*unclamped)(const DwPlane&)) {
  DwPlane q = p;
  q.clamp = false;
  const size_t plane = p.ho * p.wo;
  const size_t chunk = plane >= 4096 ? 1 : 4096 / plane;  // planes per ~16 KB of output
  for (size_t done = 0; done < p.count; done += chunk) {
    DwPlane c = dw_planes_after(q, done, taps);
    c.count = p.count - done < chunk ? p.count - done : chunk;
    unclamped(c);
    dw_clamp_floats(c.y, c.count * plane, p.lo, p.hi);
  }
}

}  // namespace
}  // namespace detail
}  // namespace armconv

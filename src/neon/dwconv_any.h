// NEON fp32 depthwise of any shape (the "depthwise" family: kernel sizes
// other than 3x3 and 5x5 with stride <= 2 and no dilation, e.g. ConvNeXt's
// 7x7, dilated 3x3, 1xK / Kx1, stride 3; contract: core/dwconv.h). Written
// once for both ISAs: neon/aarch64/dwconv_1x32.cpp, neon/armv7/dwconv_1x16.cpp.
// Intrinsics; an anonymous namespace, so each unit has its own copy.
//
// Staged rows. With stride sw and dilation dw, output column ox of tap kx
// reads the zero-padded row P[j] = x[j - pad_left] (zero outside the row) at
// j = ox*sw + kx*dw. Split P into its sw phases Q_r[m] = P[m*sw + r]:
//
//   P[ox*sw + kx*dw] = Q_{(kx*dw) mod sw}[ox + (kx*dw) div sw]
//
// so every tap reads consecutive floats of one phase: 4 outputs per vector
// load, whatever the stride and dilation, and no bounds checks. Each plane is
// staged once into scratch: the rows its taps read, padding rows as zeros,
// each row sw phases of Wq = round_up(wo, 4) + (kw-1)*dw div sw floats, every
// float written (zeros included) so a vector load never reads stale data.
// Tap (ky, kx) of output row oy then reads at a fixed offset from staged row
// oy*sh: one table of offsets per call, one pointer per tap per row.
//
// Compute, per output row, in segments of kAnyNV vectors (aarch64 8: 32
// columns; armv7 4: 16), the last one 1..kAnyNV vectors, its last vector
// maybe partial:
//   acc[0..NV) = bias                                     (NV q registers)
//   for each tap (ky, kx), row-major (taps on padding add 0 * k):
//     kv = LD1R k[ky][kx]; acc[v] = fma(acc[v], Q[... + 4v], kv)
//   clamp, store (a partial vector through a 4-float buffer)
// Two taps cost 2 pointer loads, 2 weight loads, 2 NV vector loads, 2 NV
// FMLAs and 3 for the loop: 8 NV MACs in 7 + 4 NV instructions (NV = 8:
// 1.64 MACs per instruction; NV = 4: 1.39), before the stores and staging.
// cortex-a72 (bench/insncount.py): ConvNeXt's 7x7 192x28x28 1.22 MACs per
// instruction (the generic loop: 0.32), a dilated 3x3 64x28x28 0.64 (0.29). Sums run tap by
// tap, row-major, as the generic loop's (fused here, and padding taps are
// added rather than skipped, so not bit for bit the same: an inf weight on a
// padded tap gives NaN, as 0 * inf does in PyTorch's zero padding).
#pragma once

#include <arm_neon.h>

#include <cstddef>
#include <cstdint>

#include "core/dwconv.h"

namespace armconv {
namespace detail {
namespace {

// Output vectors per segment: 8 on aarch64 (8 accumulators + 8 loaded
// vectors of 32 registers), 4 on armv7 (16 q registers).
#if defined(__aarch64__)
constexpr size_t kAnyNV = 8;
#else
constexpr size_t kAnyNV = 4;
#endif

// Floats of one phase of a staged row.
inline size_t any_phase_floats(const DwShape& s, size_t wo) {
  return (wo + 3) / 4 * 4 + (s.kw - 1) * size_t(s.dw) / size_t(s.sw);
}

// Staged rows of a plane of ho output rows: those its taps read, padding
// rows included.
inline size_t any_staged_rows(const DwShape& s, size_t ho) {
  return (ho - 1) * size_t(s.sh) + (s.kh - 1) * size_t(s.dh) + 1;
}

// Shapes this kernel takes; the others run the generic loop (which stages
// nothing): more than 255 taps (the tap table), strides above 8 (the staged
// rows and phases would hold mostly skipped input), kernels spanning more
// than 64 rows or 256 columns once dilated. So the scratch stays within a
// small multiple of the output's size (tests/test_huge_params.py: strides,
// paddings and dilations near 2^31 with a few outputs).
constexpr size_t kAnyMaxTaps = 256;
inline bool any_fits(const DwShape& s) {
  return s.kh * s.kw < kAnyMaxTaps && s.sh <= 8 && s.sw <= 8 && int64_t(s.kh - 1) * s.dh <= 64 &&
         int64_t(s.kw - 1) * s.dw <= 256;
}

// The staged rows and one zero row.
size_t any_scratch_floats(const DwShape& s, size_t, size_t, size_t ho, size_t wo) {
  return any_fits(s) && ho ? (any_staged_rows(s, ho) * size_t(s.sw) + 1) * any_phase_floats(s, wo) : 0;
}

// Stages input row xr (w floats; nullptr: a padding row) into `q`: sw
// phases of wq floats each, q[r*wq + m] = P[m*sw + r], P[j] = xr[j - pl]
// (zero outside [0, w)).
inline void stage_row(const float* xr, size_t w, size_t pl, size_t sw, size_t wq, float* q) {
  const float32x4_t z = vdupq_n_f32(0.0f);
  if (!xr || sw == 1) {
    // [pl zeros][the row's floats that fit][zeros]
    const size_t lead = !xr ? sw * wq : pl < wq ? pl : wq;
    const size_t n = !xr ? 0 : w < wq - lead ? w : wq - lead;
    size_t j = 0;
    for (; j + 4 <= lead; j += 4) vst1q_f32(q + j, z);
    for (; j < lead; j++) q[j] = 0.0f;
    float* d = q + lead;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      vst1q_f32(d + i, vld1q_f32(xr + i));
      vst1q_f32(d + i + 4, vld1q_f32(xr + i + 4));
    }
    for (; i + 4 <= n; i += 4) vst1q_f32(d + i, vld1q_f32(xr + i));
    for (; i < n; i++) d[i] = xr[i];
    const size_t end = !xr ? lead : wq;
    for (j = lead + n; j + 4 <= end; j += 4) vst1q_f32(q + j, z);
    for (; j < end; j++) q[j] = 0.0f;
    return;
  }
  for (size_t r = 0; r < sw; r++) {  // stride 2 and up: a scalar gather (rare shapes)
    float* qr = q + r * wq;
    for (size_t m = 0; m < wq; m++) {
      const int64_t ix = int64_t(m * sw + r) - int64_t(pl);
      qr[m] = ix >= 0 && ix < int64_t(w) ? xr[ix] : 0.0f;
    }
  }
}

// Weights k[t], k[t+1] times x0, x1 into acc: FMLA by element on aarch64
// (one 64-bit load for both weights); armv7's VFMA has no by-scalar form, so
// there each weight is broadcast (VLD1.32 {d[]}) first.
struct TapPair {
#if defined(__aarch64__)
  float32x2_t k;
  explicit TapPair(const float* w) : k(vld1_f32(w)) {}
  float32x4_t fma0(float32x4_t acc, float32x4_t x) const { return vfmaq_lane_f32(acc, x, k, 0); }
  float32x4_t fma1(float32x4_t acc, float32x4_t x) const { return vfmaq_lane_f32(acc, x, k, 1); }
#else
  float32x4_t k0, k1;
  explicit TapPair(const float* w) : k0(vld1q_dup_f32(w)), k1(vld1q_dup_f32(w + 1)) {}
  float32x4_t fma0(float32x4_t acc, float32x4_t x) const { return vfmaq_f32(acc, x, k0); }
  float32x4_t fma1(float32x4_t acc, float32x4_t x) const { return vfmaq_f32(acc, x, k1); }
#endif
};

// One segment of NV output vectors, stored at y (m = min(16, its row's
// remaining outputs) of them), whose taps read q[t] + at (t < n, n even,
// weights k[t]; `at`: the segment's output row and column in staged floats):
//   acc[v] = bias; acc[v] = fma(acc[v], (q[t] + at)[4v .. 4v+3], k[t]) for each tap t
// Two taps per loop step: 2 pointer loads, one load of the two weights
// (aarch64), 2 NV vector loads and 2 NV FMLAs, and the loop's add/cmp/branch.
template <size_t NV, bool CLAMP>
inline void any_segment(const DwPlane& p, const float* const* q, const float* k, size_t n, float bias,
                        size_t at, float* y, size_t m) {
  float32x4_t acc[NV];
  for (size_t v = 0; v < NV; v++) acc[v] = vdupq_n_f32(bias);
  // n >= 2: a do-while (with a for loop that might run zero times, gcc 12
  // keeps a second copy of the accumulators and moves it every step).
  size_t i = 0;
  do {
    const float* q0 = q[i] + at;
    const float* q1 = q[i + 1] + at;
    const TapPair kp(k + i);
    for (size_t v = 0; v < NV; v++) acc[v] = kp.fma0(acc[v], vld1q_f32(q0 + 4 * v));
    for (size_t v = 0; v < NV; v++) acc[v] = kp.fma1(acc[v], vld1q_f32(q1 + 4 * v));
    i += 2;
  } while (i < n);
  if (CLAMP) {  // (a template argument: with a run-time test gcc 12 copies the accumulators every step)
    const float32x4_t lo = vdupq_n_f32(p.lo), hi = vdupq_n_f32(p.hi);
    for (size_t v = 0; v < NV; v++) acc[v] = vminq_f32(vmaxq_f32(acc[v], lo), hi);
  }
  for (size_t v = 0; v < NV; v++) {
    if (4 * v + 4 <= m) {
      vst1q_f32(y + 4 * v, acc[v]);
    } else {
      float tmp[4];
      vst1q_f32(tmp, acc[v]);
      for (size_t l = 0; 4 * v + l < m; l++) y[4 * v + l] = tmp[l];
    }
  }
}

template <bool CLAMP>
void any_planes(const DwPlane& p, const DwShape& s, float* scratch) {
  const size_t sw = size_t(s.sw), wq = any_phase_floats(s, p.wo);
  const size_t row_floats = sw * wq, rows = any_staged_rows(s, p.ho);
  const size_t taps = s.kh * s.kw, kstep = dw_packed_floats(taps), hw = p.h * p.w, howo = p.ho * p.wo;
  // Tap (ky, kx) of output row oy reads staged row oy*sh + ky*dh, phase
  // (kx*dw) mod sw, from column (kx*dw) div sw: a fixed offset from the
  // output row's first staged row. An odd tap count gets a tap of weight 0
  // reading the zero row after the staged ones (the loop takes taps in pairs).
  const size_t n = (taps + 1) / 2 * 2;
  float* const zero_row = scratch + rows * row_floats;
  // q[t]: where tap t of output row 0 reads; row oy reads oy*sh rows further,
  // which the segments take as part of their column offset.
  size_t off[kAnyMaxTaps];
  for (size_t ky = 0; ky < s.kh; ky++)
    for (size_t kx = 0; kx < s.kw; kx++) {
      const size_t o = kx * size_t(s.dw);
      off[ky * s.kw + kx] = ky * size_t(s.dh) * row_floats + o % sw * wq + o / sw;
    }
  const float* q[kAnyMaxTaps];
  float k[kAnyMaxTaps];
  if (n > taps) {
    stage_row(nullptr, 0, 0, 1, wq, zero_row);  // wq >= every column a segment reads
    k[taps] = 0.0f;
  }
  for (size_t t = 0; t < taps; t++) q[t] = scratch + off[t];
  DwPlane one = p;
  for (size_t i = 0; i < p.count; i++) {
    // Staged row r is input row r - pad_top (zeros above and below the plane).
    for (size_t r = 0; r < rows; r++) {
      const int64_t iy = int64_t(r) - int64_t(p.pad_top);
      const float* xr = iy >= 0 && iy < int64_t(p.h) ? one.x + size_t(iy) * p.w : nullptr;
      stage_row(xr, p.w, p.pad_left, sw, wq, scratch + r * row_floats);
    }
    for (size_t t = 0; t < taps; t++) k[t] = one.k[t];
    const float bias = one.k[taps];
    for (size_t oy = 0; oy < p.ho; oy++) {
      const size_t row = oy * size_t(s.sh) * row_floats;
      // The zero tap reads the zero row whatever the row offset.
      if (n > taps) q[taps] = zero_row - row;
      float* yr = one.y + oy * p.wo;
      size_t c = 0;
      for (; c + 4 * kAnyNV <= p.wo; c += 4 * kAnyNV)
        any_segment<kAnyNV, CLAMP>(one, q, k, n, bias, row + c, yr + c, p.wo - c);
      switch ((p.wo - c + 3) / 4) {  // the last segment: 1 .. kAnyNV vectors
        case 1: any_segment<1, CLAMP>(one, q, k, n, bias, row + c, yr + c, p.wo - c); break;
        case 2: any_segment<2, CLAMP>(one, q, k, n, bias, row + c, yr + c, p.wo - c); break;
        case 3: any_segment<3, CLAMP>(one, q, k, n, bias, row + c, yr + c, p.wo - c); break;
        case 4: any_segment<4, CLAMP>(one, q, k, n, bias, row + c, yr + c, p.wo - c); break;
#if defined(__aarch64__)
        case 5: any_segment<5, CLAMP>(one, q, k, n, bias, row + c, yr + c, p.wo - c); break;
        case 6: any_segment<6, CLAMP>(one, q, k, n, bias, row + c, yr + c, p.wo - c); break;
        case 7: any_segment<7, CLAMP>(one, q, k, n, bias, row + c, yr + c, p.wo - c); break;
        case 8: any_segment<8, CLAMP>(one, q, k, n, bias, row + c, yr + c, p.wo - c); break;
#endif
        default: break;
      }
    }
    one.x += hw;
    one.y += howo;
    one.k += kstep;
  }
}

void any_planes_neon(const DwPlane& p, const DwShape& s, float* scratch) {
  if (!any_fits(s)) dw_plane_generic(p, s);
  else if (p.clamp) any_planes<true>(p, s, scratch);
  else any_planes<false>(p, s, scratch);
}

}  // namespace
}  // namespace detail
}  // namespace armconv

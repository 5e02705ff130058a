// NEON Winograd F(6x6, 3x3) transforms (aarch64 and armv7 NEON/VFPv4): the
// shared kernels of core/winograd_kernels.h over float32x4_t = one pixel of 4
// channels (nc4hw4).
//
// The transform constants live in lanes of 3 registers (c[K / 4] lane K % 4)
// and enter through multiply-accumulate by element: on aarch64 fused
// (fmla/fmls v.4s, v.4s, c.s[k]); armv7 has no fused by-scalar form, so there
// it is vmla/vmls by scalar (a multiply and an add, as the generic kernels).
// Register use per 1-D transform of 8: 8 inputs, 8 outputs (reusing inputs as
// they die), 2 partial sums, 3 constant registers; within aarch64's 32 and
// close to armv7's 16 q registers.
// The GEMM boundary: ld4 (vld4q_f32) de-interleaves [tile][channel] into
// 4 channel rows of 4 tiles, st4 (vst4q_f32) does the reverse, and full
// output tiles go to NCHW through a 4x4 transpose per row (store_row6).
#include <arm_neon.h>

#include "core/winograd.h"
#include "core/winograd_kernels.h"

namespace armconv {
namespace detail {
namespace neon {

struct Ops {
  using V = float32x4_t;
  float32x4_t c[3];
  explicit Ops(const float* consts)
      : c{vld1q_f32(consts), vld1q_f32(consts + 4), vld1q_f32(consts + 8)} {}
  // Called at the top of each transform loop: the empty asm tells the compiler
  // the 3 constant registers may have changed, so it cannot hoist a splat of
  // each constant out of the loop (10 more live registers, and spills) and
  // keeps the by-element forms fmla v.4s, v.4s, c.s[k]. Emits no instruction.
  void refresh() {
#if defined(__GNUC__)
    asm volatile("" : "+w"(c[0]), "+w"(c[1]), "+w"(c[2]));
#endif
  }
  static V load(const float* p) { return vld1q_f32(p); }
  static void store(float* p, V a) { vst1q_f32(p, a); }
  static V zero() { return vdupq_n_f32(0.0f); }
  static V dup(float x) { return vdupq_n_f32(x); }
  static V add(V a, V b) { return vaddq_f32(a, b); }
  static V sub(V a, V b) { return vsubq_f32(a, b); }
  // FMAX/FMIN (VMAX/VMIN) return NaN when either operand is NaN.
  static V max(V a, V b) { return vmaxq_f32(a, b); }
  static V min(V a, V b) { return vminq_f32(a, b); }
#if defined(__aarch64__)
  template <int K>
  V mla(V a, V b) const { return vfmaq_laneq_f32(a, b, c[K / 4], K % 4); }
  template <int K>
  V mls(V a, V b) const { return vfmsq_laneq_f32(a, b, c[K / 4], K % 4); }
  template <int K>
  V mul(V b) const { return vmulq_laneq_f32(b, c[K / 4], K % 4); }
#else
  template <int K>
  float32x2_t half() const { return (K % 4) < 2 ? vget_low_f32(c[K / 4]) : vget_high_f32(c[K / 4]); }
  template <int K>
  V mla(V a, V b) const { return vmlaq_lane_f32(a, b, half<K>(), K % 2); }
  template <int K>
  V mls(V a, V b) const { return vmlsq_lane_f32(a, b, half<K>(), K % 2); }
  template <int K>
  V mul(V b) const { return vmulq_lane_f32(b, half<K>(), K % 2); }
#endif
  static void deinterleave4(const float* p, V* out) {
    const float32x4x4_t v = vld4q_f32(p);
    out[0] = v.val[0];
    out[1] = v.val[1];
    out[2] = v.val[2];
    out[3] = v.val[3];
  }
  static void interleave4(float* p, const V* in) {
    float32x4x4_t v;
    v.val[0] = in[0];
    v.val[1] = in[1];
    v.val[2] = in[2];
    v.val[3] = in[3];
    vst4q_f32(p, v);
  }
  // Channel l of pixels 0..5 (lane l of y[0..5]) as c[l] (pixels 0..3) and
  // z[l] (pixels 4, 5): a 4x4 transpose of y0..y3 (trn of pairs, then of
  // 64-bit halves) and a zip of y4, y5.
  static void transpose_row(const V* y, V* c, float32x2_t* z) {
#if defined(__aarch64__)
    const float64x2_t t0 = vreinterpretq_f64_f32(vtrn1q_f32(y[0], y[1]));
    const float64x2_t t1 = vreinterpretq_f64_f32(vtrn2q_f32(y[0], y[1]));
    const float64x2_t t2 = vreinterpretq_f64_f32(vtrn1q_f32(y[2], y[3]));
    const float64x2_t t3 = vreinterpretq_f64_f32(vtrn2q_f32(y[2], y[3]));
    c[0] = vreinterpretq_f32_f64(vzip1q_f64(t0, t2));
    c[1] = vreinterpretq_f32_f64(vzip1q_f64(t1, t3));
    c[2] = vreinterpretq_f32_f64(vzip2q_f64(t0, t2));
    c[3] = vreinterpretq_f32_f64(vzip2q_f64(t1, t3));
    const float32x4_t z0 = vzip1q_f32(y[4], y[5]), z1 = vzip2q_f32(y[4], y[5]);
#else
    const float32x4x2_t a = vtrnq_f32(y[0], y[1]), b = vtrnq_f32(y[2], y[3]);
    c[0] = vcombine_f32(vget_low_f32(a.val[0]), vget_low_f32(b.val[0]));
    c[1] = vcombine_f32(vget_low_f32(a.val[1]), vget_low_f32(b.val[1]));
    c[2] = vcombine_f32(vget_high_f32(a.val[0]), vget_high_f32(b.val[0]));
    c[3] = vcombine_f32(vget_high_f32(a.val[1]), vget_high_f32(b.val[1]));
    const float32x4x2_t zz = vzipq_f32(y[4], y[5]);
    const float32x4_t z0 = zz.val[0], z1 = zz.val[1];
#endif
    z[0] = vget_low_f32(z0);
    z[1] = vget_high_f32(z0);
    z[2] = vget_low_f32(z1);
    z[3] = vget_high_f32(z1);
  }
  // Channel l of pixels 0..5 (lane l of y[0..5]) to p + l * ch, l < 4.
  // (Plain stores of transposed rows: compilers handle them better than
  // st4/st2 lane stores, whose register tuples gcc 12 copies for each store.)
  static void store_row6(float* p, size_t ch, const V* y) {
    V c[4];
    float32x2_t z[4];
    transpose_row(y, c, z);
    for (size_t l = 0; l < 4; l++) {
      vst1q_f32(p + l * ch, c[l]);
      vst1_f32(p + l * ch + 4, z[l]);
    }
  }
  // The same for the first `cols` pixels (1..6) of channels l < nch.
  static void store_row(float* p, size_t ch, const V* y, size_t cols, size_t nch) {
    V c[4];
    float32x2_t z[4];
    transpose_row(y, c, z);
    for (size_t l = 0; l < nch; l++) {
      float* q = p + l * ch;
      if (cols >= 4) {
        vst1q_f32(q, c[l]);
        if (cols == 6) vst1_f32(q + 4, z[l]);
        if (cols == 5) vst1_lane_f32(q + 4, z[l], 0);
      } else {
        if (cols >= 2) vst1_f32(q, vget_low_f32(c[l]));
        if (cols == 3) vst1q_lane_f32(q + 2, c[l], 2);
        if (cols == 1) vst1q_lane_f32(q, c[l], 0);
      }
    }
  }
};

// 4 channel rows -> nc4: 4 loads and one st4 per 4 pixels.
void pack_nc4(const float* x, size_t ch_stride, size_t nch, size_t n, float* dst) {
  size_t i = 0;
  if (nch == 4) {
    const float* x0 = x;
    const float* x1 = x + ch_stride;
    const float* x2 = x + 2 * ch_stride;
    const float* x3 = x + 3 * ch_stride;
    for (; i + 4 <= n; i += 4) {
      float32x4x4_t v;
      v.val[0] = vld1q_f32(x0 + i);
      v.val[1] = vld1q_f32(x1 + i);
      v.val[2] = vld1q_f32(x2 + i);
      v.val[3] = vld1q_f32(x3 + i);
      vst4q_f32(dst + 4 * i, v);
    }
  }
  for (; i < n; i++)
    for (size_t l = 0; l < 4; l++) dst[i * 4 + l] = l < nch ? x[l * ch_stride + i] : 0.0f;
}

}  // namespace neon

const WinoKernels& wino63_neon_kernels() {
#if defined(__aarch64__)
  static const WinoKernels k = {"neon-a64", neon::pack_nc4, wino::input_tiles<neon::Ops>,
                                wino::output_tiles<neon::Ops>};
#else
  static const WinoKernels k = {"neon-a32", neon::pack_nc4, wino::input_tiles<neon::Ops>,
                                wino::output_tiles<neon::Ops>};
#endif
  return k;
}

}  // namespace detail
}  // namespace armconv

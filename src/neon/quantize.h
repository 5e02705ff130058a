// NEON float32 -> int8 quantization (the "quantize" family; contract:
// core/quantize.h), written once for both ISAs: neon/aarch64/quantize_16.cpp,
// neon/armv7/quantize_16.cpp. Intrinsics; an anonymous namespace, so each
// unit has its own copy.
//
// The rule rounds the exact quotient v = |x| / s half away from zero. In
// float32, per element (a = |x|, r = float32(1 / s)):
//   t = min(a r, 128), f = trunc(t) (= floor: t >= 0),
//   q = f + [a - (f + 1/2) s >= 0]   (the residual by one fused multiply-subtract;
//                                      the test is its sign bit)
// t is v within a relative 2^-23 (r and the product rounded once each), so
// |t - v| < 2^-16 for v <= 128 and f - 1/2 <= v < f + 3/2; on that interval
// floor(v + 1/2) is f + 1 exactly when v >= f + 1/2, i.e. when the residual
// is >= 0 (ties: residual exactly 0, rounded up: away from zero). The fused
// residual a - h s (h = f + 1/2, h s exact inside the FMA) is rounded once, so
// its sign is the exact sign unless it underflows: with 2^-100 <= s <= 2^100
// either a < h s / 2 (|residual| >= h s / 2 >= 2^-102) or a >= 2^-102, whose
// ulp, like half an ulp of s, is a multiple of 2^-125: a nonzero residual is
// >= 2^-125 in magnitude, a normal float32 (armv7's flush to zero and
// aarch64's gradual underflow alike leave it alone). t = 128 (v >= 127.5,
// infinities) gives 128 or 129, clamped by the saturating narrows and a final
// max with -127; then the sign of x is applied: (q ^ m) - m, m = x >> 31.
// NaN: FMAX propagates it into a running maximum checked once at the end.
// Per 4 elements: FABS, FMAX, FMUL, FMIN, FCVTZS, SCVTF, FADD, FMLS, ADD,
// SSRA, SSHR, EOR, SUB = 13; per 16: one LD1 of 4 registers (armv7: 4 VLD1),
// 4 SQXTN(2) + 2 SQXTN(2), SMAX, ST1 and the loop: about 4 per element
// (armconv.quantize's former loop, a float64 division and round per element:
// 42 per element under qemu-aarch64 -cpu cortex-a72; bench/insncount.py
// 'quantize_*' counts the kernel).
// Tails of 1..15 elements go through a staged 16-element copy run by the
// same vector code.
#pragma once

#include <arm_neon.h>

#include <cmath>
#include <cstring>

#include "core/quantize.h"

namespace armconv {
namespace detail {
namespace {

struct QuantConsts {
  float32x4_t r, s, half, cap;
  int32x4_t one;
};

// Four vectors of x -> 16 int8; `amax` keeps the running max of |x| (NaN sticks).
inline int8x16_t quantize_16(const float* x, const QuantConsts& c, float32x4_t& amax) {
  int32x4_t q[4];
  for (int j = 0; j < 4; j++) {
    const float32x4_t xv = vld1q_f32(x + 4 * j);
    const float32x4_t a = vabsq_f32(xv);
    amax = vmaxq_f32(amax, a);
    const float32x4_t t = vminq_f32(vmulq_f32(a, c.r), c.cap);
    const int32x4_t fi = vcvtq_s32_f32(t);
    const float32x4_t h = vaddq_f32(vcvtq_f32_s32(fi), c.half);
    const float32x4_t d = vfmsq_f32(a, h, c.s);
    // f + 1 + (d >> 31): f + 1 where d >= 0 (sign bit clear: an exact 0 is +0), f where
    // d < 0. An integer shift of d's bits, not a float compare: GCC scalarizes armv7
    // NEON float compares (not IEEE there), one VCMPE + VMRS per element.
    const int32x4_t mag = vsraq_n_s32(vaddq_s32(fi, c.one), vreinterpretq_s32_f32(d), 31);
    const int32x4_t sign = vshrq_n_s32(vreinterpretq_s32_f32(xv), 31);
    q[j] = vsubq_s32(veorq_s32(mag, sign), sign);
  }
  const int16x8_t lo = vcombine_s16(vqmovn_s32(q[0]), vqmovn_s32(q[1]));
  const int16x8_t hi = vcombine_s16(vqmovn_s32(q[2]), vqmovn_s32(q[3]));
  return vmaxq_s8(vcombine_s8(vqmovn_s16(lo), vqmovn_s16(hi)), vdupq_n_s8(-127));
}

bool quantize_neon(const float* x, int8_t* q, size_t n, float scale) {
  QuantConsts c;
  c.r = vdupq_n_f32(1.0f / scale);
  c.s = vdupq_n_f32(scale);
  c.half = vdupq_n_f32(0.5f);
  c.cap = vdupq_n_f32(128.0f);
  c.one = vdupq_n_s32(1);
  float32x4_t amax = vdupq_n_f32(0.0f);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) vst1q_s8(q + i, quantize_16(x + i, c, amax));
  if (i < n) {
    float in[16] = {};
    int8_t out[16];
    std::memcpy(in, x + i, (n - i) * sizeof(float));
    vst1q_s8(out, quantize_16(in, c, amax));
    std::memcpy(q + i, out, n - i);
  }
  float m[4];
  vst1q_f32(m, amax);
  return !(std::isnan(m[0]) || std::isnan(m[1]) || std::isnan(m[2]) || std::isnan(m[3]));
}

}  // namespace
}  // namespace detail
}  // namespace armconv

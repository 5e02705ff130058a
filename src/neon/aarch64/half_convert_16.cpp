// binary16 <-> float arrays with FCVTL/FCVTL2 and FCVTN/FCVTN2 (Armv8.0
// Advanced SIMD, baseline), 16 elements per step: two 128-bit loads of
// binary16 widen into four float vectors, four float vectors narrow into two.
// With the default FPCR (Linux/Android user space: round to nearest even, no
// flush to zero, NaNs propagated quietened) the bits are core/half.h's.
// Tails under 16 elements go through a 16-element staging array, so every
// element is converted by the same instructions and nothing past n is read
// or written.
#include <arm_neon.h>

#include <cstring>

#include "core/half_convert.h"

namespace armconv {
namespace detail {
namespace {

inline void to_float_16(const uint16_t* x, float* y) {
  const float16x8_t a = vreinterpretq_f16_u16(vld1q_u16(x));
  const float16x8_t b = vreinterpretq_f16_u16(vld1q_u16(x + 8));
  vst1q_f32(y, vcvt_f32_f16(vget_low_f16(a)));
  vst1q_f32(y + 4, vcvt_high_f32_f16(a));
  vst1q_f32(y + 8, vcvt_f32_f16(vget_low_f16(b)));
  vst1q_f32(y + 12, vcvt_high_f32_f16(b));
}

inline void to_half_16(const float* x, uint16_t* y) {
  const float16x8_t a = vcvt_high_f16_f32(vcvt_f16_f32(vld1q_f32(x)), vld1q_f32(x + 4));
  const float16x8_t b = vcvt_high_f16_f32(vcvt_f16_f32(vld1q_f32(x + 8)), vld1q_f32(x + 12));
  vst1q_u16(y, vreinterpretq_u16_f16(a));
  vst1q_u16(y + 8, vreinterpretq_u16_f16(b));
}

void to_float(const Half* x, float* y, size_t n) {
  static_assert(sizeof(Half) == 2, "Half is binary16 bits");
  const uint16_t* xb = reinterpret_cast<const uint16_t*>(x);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) to_float_16(xb + i, y + i);
  if (i < n) {
    uint16_t in[16] = {};
    float out[16];
    std::memcpy(in, xb + i, (n - i) * 2);
    to_float_16(in, out);
    std::memcpy(y + i, out, (n - i) * 4);
  }
}

void to_half(const float* x, Half* y, size_t n) {
  uint16_t* yb = reinterpret_cast<uint16_t*>(y);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) to_half_16(x + i, yb + i);
  if (i < n) {
    float in[16] = {};
    uint16_t out[16];
    std::memcpy(in, x + i, (n - i) * 4);
    to_half_16(in, out);
    std::memcpy(yb + i, out, (n - i) * 2);
  }
}

}  // namespace

const HalfConvertKernels& half_convert_neon_kernels() {
  static const HalfConvertKernels k{"half_convert-aarch64-16", to_float, to_half};
  return k;
}

}  // namespace detail
}  // namespace armconv

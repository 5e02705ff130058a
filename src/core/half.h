// IEEE 754 binary16 (armconv::Half) in portable code: conversions and the
// fused multiply-add of the fp16 kernels, bit for bit as an Armv8.2 core
// computes them with the default FPCR (round to nearest even, no flush to
// zero, NaN operands propagated quietened). The generic twins of the fp16
// kernels (tests, any host) and the fp32 fallback of float16 images use
// these; the NEON kernels use the hardware's FCVT/FMLA.
//
// Everything is inline in an anonymous namespace (like core/im2col.h): an
// ISA-extension unit may include this header without sharing a symbol with
// baseline code.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#include "armconv/armconv.h"

namespace armconv {
namespace detail {
namespace {

constexpr uint16_t kHalfQuietNaN = 0x7e00;

inline float half_to_float(Half h) {
  const uint32_t s = uint32_t(h.bits & 0x8000u) << 16;
  const uint32_t e = (h.bits >> 10) & 0x1fu, f = h.bits & 0x3ffu;
  uint32_t u;
  if (e == 0x1f) {
    u = s | 0x7f800000u | (f << 13);  // inf, or NaN with its payload, quietened (as FCVTL)
    if (f) u |= 0x00400000u;
  } else if (e != 0) {
    u = s | ((e + 112) << 23) | (f << 13);
  } else if (f == 0) {
    u = s;
  } else {  // subnormal: f * 2^-24, exact in float
    const float v = float(f) * 5.9604644775390625e-8f;
    std::memcpy(&u, &v, 4);
    u |= s;
  }
  float v;
  std::memcpy(&v, &u, 4);
  return v;
}

// A value exactly representable in binary16 (or +-inf), as its bits.
inline Half half_bits_of(double v) {
  Half h;
  const uint16_t s = std::signbit(v) ? 0x8000 : 0;
  const double a = std::fabs(v);
  if (std::isinf(a) || a >= 65536.0) {
    h.bits = s | 0x7c00;
  } else if (a < 6.103515625e-05) {  // subnormal (or zero): a = f * 2^-24
    h.bits = s | uint16_t(a * 16777216.0);
  } else {
    int e;
    const double m = std::frexp(a, &e);  // a = m * 2^e, m in [0.5, 1)
    h.bits = s | uint16_t((e + 14) << 10) | uint16_t((m * 2048.0) - 1024.0);
  }
  return h;
}

// Rounds v to binary16, to nearest even; `below` says which side of v the
// exact value lies when v is itself a rounding of it (0: v is exact; > 0:
// the exact value is above v; < 0: below), so that a tie of v that is not
// a tie of the exact value rounds the right way (one rounding, not two).
//
// Integer arithmetic on the double's bits (the generic twins call this for
// every multiply-add: libm's ilogb/ldexp/nearbyint made them ~5x slower).
// |v| = M 2^(E - 1075) with M the 53-bit significand. The binary16 ulp at
// |v| is 2^(e - 10), e = max(E - 1023, -14), so |v| / ulp = M 2^-sh with
// sh = 42 + e - (E - 1023); r = M >> sh rounded by the dropped bits. The
// result's bits are ((e + 14) << 10) + r: for e = -14, r < 1024 is a
// subnormal and r = 1024..2048 the first normals; for normals r is 1024 +
// the fraction (r = 2048, a carry, steps the exponent); 0x7c00 and up is inf.
// tests/cpp/test_half_convert.cpp checks it against a libm formulation.
inline Half round_half(double v, double below = 0.0) {
  uint64_t u;
  std::memcpy(&u, &v, 8);
  const uint16_t sign = uint16_t((u >> 48) & 0x8000u);
  const uint64_t biased = (u >> 52) & 0x7ffu, frac = u & ((uint64_t(1) << 52) - 1);
  if (biased == 0x7ff) return Half{uint16_t(frac ? kHalfQuietNaN : sign | 0x7c00u)};
  if (biased == 0 && frac == 0) return Half{sign};  // +-0
  const int64_t ev = biased == 0 ? -1022 : int64_t(biased) - 1023;  // exponent of the leading bit
  const uint64_t m = biased == 0 ? frac : frac | (uint64_t(1) << 52);
  const int64_t e = ev < -14 ? -14 : ev;
  if (e > 15) return Half{uint16_t(sign | 0x7c00u)};  // >= 65536
  const int64_t sh = 42 + e - ev;  // 42 for normal binary16 results, more below 2^-14
  uint64_t r;
  if (sh >= 54) {
    r = 0;  // |v| / ulp < 2^(53 - sh) <= 1/2: rounds to zero, and no tie
  } else {
    const uint64_t rest = m & ((uint64_t(1) << sh) - 1), half = uint64_t(1) << (sh - 1);
    // A tie goes away from zero when the exact value lies beyond v (below
    // has v's sign), toward zero when it lies short of it, else to even.
    const double away = sign ? -below : below;
    r = m >> sh;
    if (rest > half || (rest == half && (away > 0.0 || (away == 0.0 && (r & 1))))) r++;
  }
  if (r == 0) return Half{sign};
  const uint64_t bits = (uint64_t(e + 14) << 10) + r;
  return Half{uint16_t(sign | (bits >= 0x7c00u ? 0x7c00u : bits))};
}

// f rounded to binary16, to nearest even, as FCVTN with the default FPCR:
// NaNs quietened with the payload's top bits kept. Integer arithmetic on the
// bits (checked against round_half on all 2^32 floats), except below 2^-14,
// where adding 0.5f lets the FPU round f to a multiple of 2^-24 (the binary16
// subnormal spacing: 0.5's ulp in binary32) and the low bits of the sum are
// the binary16 subnormal.
inline Half float_to_half(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  const uint32_t sign = (u >> 16) & 0x8000u, a = u & 0x7fffffffu;
  if (a >= 0x7f800000u)  // inf, or NaN
    return Half{uint16_t(sign | (a > 0x7f800000u ? 0x7e00u | ((a >> 13) & 0x3ffu) : 0x7c00u))};
  if (a >= 0x477ff000u) return Half{uint16_t(sign | 0x7c00u)};  // >= 65520: rounds to inf
  if (a < 0x38800000u) {  // below 2^-14: a binary16 subnormal or zero
    float v;
    std::memcpy(&v, &a, 4);
    v += 0.5f;
    uint32_t r;
    std::memcpy(&r, &v, 4);
    return Half{uint16_t(sign | (r - 0x3f000000u))};
  }
  // Normal: rebias the exponent (127 -> 15: subtract 112 << 23) and round the
  // 13 dropped mantissa bits to nearest even (add 0xfff, plus 1 if the kept
  // mantissa is odd); a carry out of the mantissa steps the exponent, as it should.
  const uint32_t r = a + 0xc8000fffu + ((a >> 13) & 1u);
  return Half{uint16_t(sign | (r >> 13))};
}

inline Half quiet(Half h) { return Half{uint16_t(h.bits | 0x0200)}; }
inline bool is_nan(Half h) { return (h.bits & 0x7c00) == 0x7c00 && (h.bits & 0x3ff); }

// c + a * b with one rounding (FMLA .8h). NaNs: the first NaN of (c, a, b),
// quietened; an invalid operation (inf * 0, inf - inf) gives the default NaN.
inline Half fma_half(Half a, Half b, Half c) {
  if (is_nan(c)) return quiet(c);
  if (is_nan(a)) return quiet(a);
  if (is_nan(b)) return quiet(b);
  const double x = half_to_float(a), y = half_to_float(b), z = half_to_float(c);
  const double p = x * y;  // exact: 11 x 11 significant bits
  const double s = p + z;
  if (std::isnan(s)) return Half{kHalfQuietNaN};
  if (std::isinf(s)) return half_bits_of(s);
  // The rounding error of s (Knuth's TwoSum): p + z = s + err exactly.
  const double bb = s - p;
  const double err = (p - (s - bb)) + (z - bb);
  Half r = round_half(s, err);
  if (s == 0.0 && err == 0.0) {
    // An exact zero sum: +0 unless both terms are -0 (round to nearest).
    const bool neg = std::signbit(p) && std::signbit(z);
    r.bits = neg ? 0x8000 : 0;
  }
  return r;
}

// Sums and products with one rounding each (FADD/FMUL .8h).
inline Half add_half(Half a, Half b) { return fma_half(Half{0x3c00}, a, b); }  // b + 1 * a
inline Half mul_half(Half a, Half b) {
  if (is_nan(a)) return quiet(a);
  if (is_nan(b)) return quiet(b);
  return round_half(double(half_to_float(a)) * double(half_to_float(b)));
}

// FMAX/FMIN .8h: NaN propagates.
inline Half max_half(Half a, Half b) {
  if (is_nan(a)) return quiet(a);
  if (is_nan(b)) return quiet(b);
  const float x = half_to_float(a), y = half_to_float(b);
  if (x == y) return (a.bits & 0x8000) ? b : a;  // max(+0, -0) = +0
  return x > y ? a : b;
}
inline Half min_half(Half a, Half b) {
  if (is_nan(a)) return quiet(a);
  if (is_nan(b)) return quiet(b);
  const float x = half_to_float(a), y = half_to_float(b);
  if (x == y) return (a.bits & 0x8000) ? a : b;  // min(+0, -0) = -0
  return x < y ? a : b;
}

}  // namespace
}  // namespace detail
}  // namespace armconv

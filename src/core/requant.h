// The int8 requantization rule, scalar: the reference every int8 kernel
// (GEMM stores, depthwise) matches bit for bit.
//
// Per output channel r, a multiplier M[r] in [0, 2^31) and one left shift
// E >= 0 for the whole layer:
//   x = saturate_int32(acc * 2^E)
//   t = floor((2 * x * M[r] + 2^31) / 2^32)       (NEON sqrdmulh)
//   q = clamp(t, qmin, qmax)                      (-127 <= qmin <= qmax <= 127)
// i.e. t = x * M / 2^31 rounded to nearest, ties toward +infinity. A real
// scale s (input_scale * weight_scale / output_scale) becomes
// M = round(s * 2^(31-E)), E the smallest shift with every M < 2^31
// (requant_multipliers()).
//
// Inline functions in an anonymous namespace: see core/im2col.h.
#pragma once

#include <cstddef>
#include <cstdint>

namespace armconv {
namespace detail {

// Multipliers M[r] and the shift E for real scales s[r] >= 0 (gemm_driver.cpp).
void requant_multipliers(const double* s, size_t count, int32_t* mult, int* shift);

namespace {

inline int32_t s8_sat32(int64_t v) {
  return v > INT32_MAX ? INT32_MAX : (v < INT32_MIN ? INT32_MIN : int32_t(v));
}

inline int32_t s8_requant(int32_t acc, int32_t mult, int shift, int32_t qmin, int32_t qmax) {
  const int64_t x = s8_sat32(int64_t(acc) * (int64_t(1) << shift));
  // floor division by 2^32 (arithmetic shift of a negative value is
  // implementation-defined before C++20: divide explicitly).
  const int64_t num = 2 * x * int64_t(mult) + (int64_t(1) << 31);
  const int64_t t = num >= 0 ? num >> 32 : -((-num + ((int64_t(1) << 32) - 1)) >> 32);
  return t < qmin ? qmin : (t > qmax ? qmax : int32_t(t));
}

}  // namespace
}  // namespace detail
}  // namespace armconv

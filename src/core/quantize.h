// float32 -> int8 quantization of whole arrays (the "quantize" family):
// armconv::quantize() and the model runner's Quantize nodes (the input of an
// int8 layer) run through these.
//
// Contract: q[i] = clip(round_half_away_from_zero(x[i] / scale), -127, 127)
// with the quotient taken exactly (the documented rule divides in float64,
// which decides every rounding the same way as the exact quotient: x and
// scale have 24-bit significands, so x / scale is never within 2^-33
// (relative) of a half-integer without being one, far beyond float64's
// 2^-53), for every x that is not NaN (infinities clamp), bit for bit on
// every implementation, when kQuantizeMinScale <= scale <= kQuantizeMaxScale
// (the caller runs the generic twin for other scales). Returns false if x
// holds a NaN (q is then unspecified). Reads x[0, n), writes q[0, n) only; no
// alignment required.
#pragma once

#include <cstddef>
#include <cstdint>

namespace armconv {
namespace detail {

// The scale range of the contract: the NEON kernels' residual a - (f + 1/2) s
// is then a normal float32 whenever it is not 0 (no flush to zero, no
// underflow: its sign is exact; neon/quantize.h).
constexpr float kQuantizeMinScale = 0x1p-100f;
constexpr float kQuantizeMaxScale = 0x1p100f;

struct QuantizeKernels {
  const char* name;  // quantize-<isa>-<elements per step>
  bool (*f32_to_s8)(const float* x, int8_t* q, size_t n, float scale);
};

// generic/quantize.cpp: the rule itself, float64 division, one element at a time.
const QuantizeKernels& quantize_generic_kernels();
// neon/quantize.h, instantiated by neon/aarch64/quantize_16.cpp and
// neon/armv7/quantize_16.cpp: 16 elements per step in float32 arithmetic.
const QuantizeKernels& quantize_neon_kernels();

}  // namespace detail
}  // namespace armconv

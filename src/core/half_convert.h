// Conversion of whole arrays between binary16 (armconv::Half) and float, for
// float16 images on layers that run fp32 kernels (a CPU without fp16 vector
// arithmetic: Pi 4, armv7, x86; or an fp32 layer): Conv2d::run(const Half*)
// converts the image in and the result out with these.
//
// Contract: every implementation gives the bits of core/half.h's
// half_to_float / float_to_half (round to nearest even; NaNs quietened with
// the top payload bits kept; subnormals kept, never flushed), so a layer's
// result does not depend on which one ran. Reads x[0, n) and writes y[0, n)
// only; no alignment required.
#pragma once

#include <cstddef>

#include "armconv/armconv.h"  // Half

namespace armconv {
namespace detail {

struct HalfConvertKernels {
  const char* name;  // half_convert-<isa>-<elements per step>
  void (*to_float)(const Half* x, float* y, size_t n);
  void (*to_half)(const float* x, Half* y, size_t n);
};

const HalfConvertKernels& half_convert_generic_kernels();  // generic/half_convert.cpp
// neon/aarch64/half_convert_16.cpp: FCVTL/FCVTN (Armv8.0 Advanced SIMD; the
// default FPCR neither flushes subnormals nor replaces NaNs). armv7 has none:
// its Advanced SIMD VCVT.F16.F32 runs with the Standard FPSCR value
// (flush-to-zero, default NaN), which would lose binary16 subnormals.
const HalfConvertKernels& half_convert_neon_kernels();

}  // namespace detail
}  // namespace armconv

// Portable binary16 <-> float array conversion: core/half.h's conversions
// (integer arithmetic on the bits), one element at a time.
#include "core/half_convert.h"

#include "core/half.h"

namespace armconv {
namespace detail {
namespace {

void to_float(const Half* x, float* y, size_t n) {
  for (size_t i = 0; i < n; i++) y[i] = half_to_float(x[i]);
}

void to_half(const float* x, Half* y, size_t n) {
  for (size_t i = 0; i < n; i++) y[i] = float_to_half(x[i]);
}

}  // namespace

const HalfConvertKernels& half_convert_generic_kernels() {
  static const HalfConvertKernels k{"half_convert-generic-1", to_float, to_half};
  return k;
}

}  // namespace detail
}  // namespace armconv

// The portable int8 Add twin (contract: core/add_s8.h): the rule itself, one
// element at a time, in 32-bit integers; the C++ tests' twin of the NEON
// kernels.
#include <cstdlib>

#include "core/add_s8.h"

namespace armconv {
namespace detail {
namespace {

void add(const int8_t* a, const int8_t* b, int8_t* y, size_t n, const AddS8Params& p) {
  const int32_t half = int32_t(1) << (p.shift - 1);
  for (size_t i = 0; i < n; i++) {
    const int32_t acc = int32_t(a[i]) * p.ma + int32_t(b[i]) * p.mb;
    // |acc| rounded half up at 2^shift, the sign put back: half away from zero.
    const int32_t mag = (std::abs(acc) + half) >> p.shift;
    int32_t v = acc < 0 ? -mag : mag;
    v = v < -127 ? -127 : (v > 127 ? 127 : v);
    y[i] = int8_t(v < p.lo ? p.lo : v);
  }
}

}  // namespace

const AddS8Kernels& add_s8_generic_kernels() {
  static const AddS8Kernels k{"add_s8-generic-1", add};
  return k;
}

}  // namespace detail
}  // namespace armconv

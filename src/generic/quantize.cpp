// The portable "quantize" twin (contract: core/quantize.h): the documented
// rule itself, the quotient in float64, one element at a time; any scale.
#include <cmath>

#include "core/quantize.h"

namespace armconv {
namespace detail {
namespace {

bool f32_to_s8(const float* x, int8_t* q, size_t n, float scale) {
  const double s = scale;
  bool finite_or_inf = true;
  for (size_t i = 0; i < n; i++) {
    const float v = x[i];
    if (std::isnan(v)) {
      finite_or_inf = false;
      q[i] = 0;
      continue;
    }
    const double r = std::round(double(v) / s);  // half away from zero
    q[i] = int8_t(r < -127.0 ? -127.0 : (r > 127.0 ? 127.0 : r));
  }
  return finite_or_inf;
}

}  // namespace

const QuantizeKernels& quantize_generic_kernels() {
  static const QuantizeKernels k{"quantize-generic-1", f32_to_s8};
  return k;
}

}  // namespace detail
}  // namespace armconv

// The "add_s8" family (int8 elementwise Add, fixed-point multipliers) on
// armv7: 16 elements per step; the code, the rounding and its cost are in
// neon/add_s8.h.
#include "neon/add_s8.h"

namespace armconv {
namespace detail {

const AddS8Kernels& add_s8_neon_kernels() {
  static const AddS8Kernels k = {"add_s8-armv7-16", add_s8_neon};
  return k;
}

}  // namespace detail
}  // namespace armconv

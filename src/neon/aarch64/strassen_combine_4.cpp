// The Strassen combine micro-kernel (core/strassen.h) on aarch64: 4 columns
// (one vector) per step; the code and its cost are in neon/strassen_combine.h.
#include "neon/strassen_combine.h"

namespace armconv {
namespace detail {

const StrassenKernels& strassen_neon_kernels() {
  static const StrassenKernels k = {"strassen-aarch64-4", strassen_combine_neon, strassen_pack_b_combo_neon};
  return k;
}

}  // namespace detail
}  // namespace armconv

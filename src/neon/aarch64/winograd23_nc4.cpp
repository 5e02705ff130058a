// NEON Winograd F(2x2, 3x3) transforms, aarch64 (winograd23-aarch64-nc4: one
// tile of 4 channels per call): the templates of core/winograd_kernels.h
// over the NEON Ops policy of neon/winograd.h.
#include "core/winograd.h"
#include "core/winograd_kernels.h"
#include "neon/winograd.h"

namespace armconv {
namespace detail {

const WinoKernels& wino23_neon_kernels() {
  static const WinoKernels k = {"winograd23-aarch64-nc4", 2, pack_nc4, wino::input_tile<Ops, wino::F23>,
                                wino::output_tile<Ops, wino::F23>};
  return k;
}

}  // namespace detail
}  // namespace armconv

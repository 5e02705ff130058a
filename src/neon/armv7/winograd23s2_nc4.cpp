// NEON Winograd F(2x2, 3x3) stride-2 transforms, armv7 (winograd23s2-armv7-nc4:
// one tile of 4 channels per call): the templates of core/winograd_kernels.h
// (F23s2) over the NEON Ops policy of neon/winograd.h.
#include "core/winograd.h"
#include "core/winograd_kernels.h"
#include "neon/winograd.h"

namespace armconv {
namespace detail {

const WinoKernels& wino23s2_neon_kernels() {
  static const WinoKernels k = {"winograd23s2-armv7-nc4", 2, pack_nc4, wino::input_tile_s2<Ops, wino::F23s2>,
                                wino::output_tile<Ops, wino::F23s2>};
  return k;
}

}  // namespace detail
}  // namespace armconv

// Portable Winograd F(4x4, 3x3) stride-2 transforms (winograd43s2-generic-nc4):
// the templates of core/winograd_kernels.h (F43s2) over generic/winograd_ops.h.
#include "core/winograd.h"
#include "core/winograd_kernels.h"
#include "generic/winograd_ops.h"

namespace armconv {
namespace detail {

const WinoKernels& wino43s2_generic_kernels() {
  static const WinoKernels k = {"winograd43s2-generic-nc4", 4, generic::pack_nc4,
                                wino::input_tile_s2<generic::Ops, wino::F43s2>,
                                wino::output_tile<generic::Ops, wino::F43s2>};
  return k;
}

}  // namespace detail
}  // namespace armconv

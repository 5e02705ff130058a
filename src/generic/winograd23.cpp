// Portable Winograd F(2x2, 3x3) transforms (winograd23-generic-nc4): the
// templates of core/winograd_kernels.h over generic/winograd_ops.h. The
// per-position GEMM's twin is generic/wino_gemm.cpp.
#include "core/winograd.h"
#include "core/winograd_kernels.h"
#include "generic/winograd_ops.h"

namespace armconv {
namespace detail {

const WinoKernels& wino23_generic_kernels() {
  static const WinoKernels k = {"winograd23-generic-nc4", 2, generic::pack_nc4,
                                wino::input_tile<generic::Ops, wino::F23>,
                                wino::output_tile<generic::Ops, wino::F23>};
  return k;
}

}  // namespace detail
}  // namespace armconv

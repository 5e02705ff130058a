// Portable Winograd F(4x4, 3x3) transforms (winograd43-generic-nc4): the
// templates of core/winograd_kernels.h over generic/winograd_ops.h. The
// per-position GEMM's twin is generic/wino_gemm.cpp.
#include "core/winograd.h"
#include "core/winograd_kernels.h"
#include "generic/winograd_ops.h"

namespace armconv {
namespace detail {

const WinoKernels& wino43_generic_kernels() {
  static const WinoKernels k = {"winograd43-generic-nc4", 4, generic::pack_nc4,
                                wino::input_tile<generic::Ops, wino::F43>,
                                wino::output_tile<generic::Ops, wino::F43>};
  return k;
}

}  // namespace detail
}  // namespace armconv

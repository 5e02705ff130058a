// Portable Winograd F(6x6, 3x3) transforms (winograd63-generic-nc4): the
// templates of core/winograd_kernels.h over generic/winograd_ops.h. The
// per-position GEMM's twin is generic/wino_gemm.cpp.
#include "core/winograd.h"
#include "core/winograd_kernels.h"
#include "generic/winograd_ops.h"

namespace armconv {
namespace detail {

const WinoKernels& wino63_generic_kernels() {
  static const WinoKernels k = {"winograd63-generic-nc4", 6, generic::pack_nc4,
                                wino::input_tile<generic::Ops, wino::F63>,
                                wino::output_tile<generic::Ops, wino::F63>};
  return k;
}

}  // namespace detail
}  // namespace armconv

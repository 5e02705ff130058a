// Portable fp16 Winograd transforms (winograd23-generic-nc8h,
// winograd43-generic-nc8h; contract: core/winograd.h, WinoF16Kernels): the
// templates of core/winograd_kernels.h over generic/winograd_ops.h with
// fused multiply-adds (FusedOps; F(4,3)'s input side: binary16, HalfOps8
// and pack_nc8h), the twin of the aarch64 units
// neon/aarch64/winograd{23,43}_nc8h.cpp: the same operations in the same
// order, so that with the twin of the per-position GEMM
// (generic/wino_gemm_f16.cpp) a whole fp16 Winograd layer gives the same
// bits as the NEON one (tests/cpp/test_winograd_fp16.cpp).
#include "core/winograd.h"
#include "core/winograd_kernels.h"
#include "generic/winograd_ops.h"

namespace armconv {
namespace detail {

const WinoF16Kernels& wino23_f16_generic_kernels() {
  static const WinoF16Kernels k = {"winograd23-generic-nc8h", 2, generic::pack_nc4, generic::pack_nc4_h,
                                   wino::input_tile_h<generic::FusedOps, wino::F23>,
                                   wino::output_tile<generic::FusedOps, wino::F23>,
                                   wino::output_tile_h<generic::FusedOps, wino::F23>};
  return k;
}

const WinoF16Kernels& wino43_f16_generic_kernels() {
  static const WinoF16Kernels k = {"winograd43-generic-nc8h", 4, nullptr, nullptr, nullptr,
                                   wino::output_tile_q<generic::FusedOps, wino::F43h>,
                                   wino::output_tile_q<generic::FusedOps, wino::F43h, WinoOutTileH>,
                                   generic::pack_nc8h, generic::pack_nc8h_h,
                                   wino::input_tile_h8<generic::HalfOps8, wino::F43h>};
  return k;
}

}  // namespace detail
}  // namespace armconv

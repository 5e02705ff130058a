// NEON fp16 Winograd F(2x2, 3x3) transforms on the points {0, 1, -1, inf} (core/winograd.h),
// aarch64 (winograd23-aarch64-nc8h; contract: core/winograd.h,
// WinoF16Kernels): the templates of core/winograd_kernels.h over the NEON
// Ops of neon/winograd.h. fp32 arithmetic (fused multiply-adds by element)
// and conversions only (FCVTN/FCVTL, Armv8.0): a baseline unit, not an fp16
// extension unit; it runs only where dispatch.cpp chose the fp16 Winograd
// (after the fp16 check). Twin: generic/winograd_f16.cpp, bit for bit.
#include "core/winograd.h"
#include "core/winograd_kernels.h"
#include "neon/winograd.h"

namespace armconv {
namespace detail {

const WinoF16Kernels& wino23_f16_neon_kernels() {
  static const WinoF16Kernels k = {"winograd23-aarch64-nc8h", 2, pack_nc4, pack_nc4_h,
                                   wino::input_tile_h<Ops, wino::F23>, wino::output_tile<Ops, wino::F23>,
                                   wino::output_tile_h<Ops, wino::F23>};
  return k;
}

}  // namespace detail
}  // namespace armconv

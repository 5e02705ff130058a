// winograd23_s8-aarch64-nc8: the int8 Winograd F(2,3) transforms (contract
// and exactness: core/winograd.h, int8 section): the nc8 int16 staging
// packer, V = B^T d B in int16 (32 adds per tile of 8 channels), and
// A^T M A / 4 + bias into the requantization or the float dequantization
// of core/requant.h (neon/wino_s8.h).
#include "neon/wino_s8.h"

namespace armconv {
namespace detail {

const WinoS8Kernels& wino23_s8_neon_kernels() {
  static const WinoS8Kernels k = {"winograd23_s8-aarch64-nc8", 2, wino_s8::pack_nc8, wino_s8::input,
                                  wino_s8::output_s8, wino_s8::output_f};
  return k;
}

}  // namespace detail
}  // namespace armconv

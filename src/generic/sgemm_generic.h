// Generic fp32 GEMM kernels: the default table and tables with other tiles
// (for comparing packers and micro-kernels with the NEON ones, tile for tile).
#pragma once

#include "core/sgemm.h"

namespace armconv {
namespace detail {

// nullptr if no generic table with that tile is instantiated.
const SgemmKernels* sgemm_generic_kernels_for(size_t mr, size_t nr);

}  // namespace detail
}  // namespace armconv

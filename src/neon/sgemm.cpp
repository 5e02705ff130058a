// PLACEHOLDER until the NEON GEMM lands: forwards to the generic kernels so
// that ARM builds link. (Being replaced by the NEON micro-kernels.)
#include "core/sgemm.h"

namespace armconv {
namespace detail {

const SgemmKernels& sgemm_neon_kernels() { return sgemm_generic_kernels(); }

}  // namespace detail
}  // namespace armconv

// The "pool" family (max and average pooling) on armv7: staged rows for every
// shape, a fused max 3x3 stride 2, plane reductions for global pooling; the
// code and its cost are in neon/pool.h.
#include "neon/pool.h"

namespace armconv {
namespace detail {

const PoolKernels& pool_neon_kernels() {
  static const PoolKernels k = {"pool-armv7-4", pool_scratch_floats, pool_max_neon, pool_avg_neon};
  return k;
}

}  // namespace detail
}  // namespace armconv

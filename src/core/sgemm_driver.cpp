// The GEMM macro loops (BLIS order, A prepacked whole):
//
//   for each N-block of nc columns        (independent: the threading split)
//     for each K-block of kc rows
//       pack B[k-block][n-block] into NR-column panels      (fits L2)
//       for each MR-row panel of A        (kc x MR slice stays in L1)
//         micro-kernel over the NR-column panels of the B block:
//           MR x NR tiles of C, one after the other
//
// The first K-block starts from the bias, later ones accumulate into C, and
// only the last one applies the clamp.
#include <algorithm>

#include "core/buffer.h"
#include "core/sgemm.h"

namespace armconv {
namespace detail {

namespace {
// The packed B block aims at 256 KB (an L2 share on Cortex-A72/A76) and the K
// block at most 512 rows; K is split into equal blocks, not a full block plus a
// sliver, so that the per-tile store cost is not paid for a tiny remainder.
constexpr size_t kBlockFloats = 64 * 1024;
constexpr size_t kMaxKc = 512;
}  // namespace

SgemmBlocking sgemm_blocking(const SgemmKernels& kern, size_t m, size_t n, size_t k) {
  (void)m;
  SgemmBlocking blk;
  const size_t kblocks = div_up(std::max<size_t>(k, 1), kMaxKc);
  blk.kc = div_up(std::max<size_t>(k, 1), kblocks);
  size_t nc = kBlockFloats / blk.kc / kern.nr * kern.nr;
  nc = std::max(nc, kern.nr);
  blk.nc = std::min(nc, round_up(std::max<size_t>(n, 1), kern.nr));
  return blk;
}

void sgemm_run(const SgemmKernels& kern, const SgemmBlocking& blk, size_t m, size_t n, size_t k,
               const float* packed_a, const float* bias, const BSource& src, float* c, size_t ldc,
               bool clamp, float lo, float hi, float* workspace) {
  const size_t mr = kern.mr;
  for (size_t n0 = 0; n0 < n; n0 += blk.nc) {
    const size_t nc = std::min(blk.nc, n - n0);
    for (size_t k0 = 0; k0 < k; k0 += blk.kc) {
      const size_t kc = std::min(blk.kc, k - k0);
      // B panels of this block: panel q/NR at workspace + q*kc.
      if (src.im2col) {
        kern.pack_im2col(*src.im2col, k0, kc, n0, nc, workspace);
      } else {
        kern.pack_b(kc, nc, src.b + k0 * src.ldb + n0, src.ldb, workspace);
      }
      unsigned flags = 0;
      if (k0 > 0) flags |= kAccumulate;
      if (clamp && k0 + kc == k) flags |= kClamp;
      for (size_t m0 = 0; m0 < m; m0 += mr) {
        const float* a = packed_a + m0 * k + k0 * mr;
        const size_t rows = std::min(mr, m - m0);
        // Panels one after the other: one call runs the whole strip of tiles.
        kern.ukernel(kc, a, workspace, c + m0 * ldc + n0, ldc, rows, nc, bias + m0, flags, lo, hi);
      }
    }
  }
}

}  // namespace detail
}  // namespace armconv

// The fp32 GEMM family: packed formats, the micro-kernel contract, and the
// macro loops that drive it (BLIS-style).
//
//   C (M x N) = A (M x K) * B (K x N)     (+ per-row bias, clamp)
//
// In a convolution, A is the weights (M = output channels of a group,
// K = in_channels/groups * kh * kw), B is the input (the image itself for a
// 1x1 stride-1 conv, im2col panels packed straight from the image otherwise;
// N = output pixels) and C is the NCHW output, written in place.
//
// Packed formats (shared by every implementation, so tests can compare the
// generic and NEON packers panel by panel):
//   A, MR-row panels. Panel p holds rows [p*MR, p*MR + MR) as K groups of MR
//      floats: pa[p*MR*K + k*MR + r] = A[p*MR + r][k]. Rows past M are zero.
//      Packed once per layer; a K-block [k0, k0+kc) of panel p starts at
//      pa + p*MR*K + k0*MR, so the layout does not depend on the blocking.
//   B, NR-column panels of one (kc x nc) block. Panel q holds columns
//      [q*NR, q*NR + NR) of the block as kc groups of NR floats:
//      pb[q*NR*kc + k*NR + j] = B[k0 + k][n0 + q*NR + j]. Columns past N are
//      zero. Packed per call into a workspace whose size does not depend on
//      the image size.
#pragma once

#include <cstddef>
#include <cstdint>

namespace armconv {
namespace detail {

// Micro-kernel flags.
enum : unsigned {
  kAccumulate = 1u,  // start from C (a later K-block) instead of the bias
  kClamp = 2u,       // clamp the result to [lo, hi] (only on the last K-block)
};

// C[r][j] for r < m, j < n (m <= MR, n >= 1):
//   init = (flags & kAccumulate) ? C[r][j] : bias[r]
//   C[r][j] = clamp(init + sum_{k < kc} a[k*MR + r] * B[k][j])
// `a` is one MR-row panel (advanced to the K-block); `b` holds ceil(n/NR)
// NR-column panels of kc rows one after the other, as pack_b writes a block
// (column j is b[(j/NR)*NR*kc + k*NR + j%NR]); the kernel computes the MR x NR
// tiles one after the other (n <= NR: a single tile). `bias` points at MR
// floats (zero padded past M). kc >= 1. Writes only the m x n valid outputs;
// reads only the packed panels and bias.
using sgemm_ukernel_fn = void (*)(size_t kc, const float* a, const float* b, float* c, size_t ldc,
                                  size_t m, size_t n, const float* bias, unsigned flags, float lo,
                                  float hi);

// Packs rows [0, m) x columns [0, k) of A (row stride lda) into MR-row panels
// (ceil(m/MR) * MR * k floats).
using sgemm_pack_a_fn = void (*)(size_t m, size_t k, const float* a, size_t lda, float* dst);

// Packs the kc x nc block of a dense B starting at `b` (row stride ldb) into
// NR-column panels (ceil(nc/NR) * NR * kc floats).
using sgemm_pack_b_fn = void (*)(size_t kc, size_t nc, const float* b, size_t ldb, float* dst);

// Geometry of one group's im2col matrix, read straight from the image.
// Row k = (c * kh + ky) * kw + kx, column n = oy * wo + ox,
// B[k][n] = x[c][oy*sh - pad_top + ky*dh][ox*sw - pad_left + kx*dw] (0 outside).
struct Im2colGeom {
  const float* x;  // first channel of the group, (channels, h, w)
  size_t channels, h, w;
  size_t kh, kw, sh, sw, dh, dw;
  ptrdiff_t pad_top, pad_left;
  size_t ho, wo;
};
// Packs rows [k0, k0+kc) x columns [n0, n0+nc) of the im2col matrix into
// NR-column panels, as sgemm_pack_b_fn does for a dense B.
using sgemm_pack_im2col_fn = void (*)(const Im2colGeom& g, size_t k0, size_t kc, size_t n0,
                                      size_t nc, float* dst);

struct SgemmKernels {
  const char* name;  // implementation, reported by cpu_info()
  size_t mr, nr;
  sgemm_ukernel_fn ukernel;
  sgemm_pack_a_fn pack_a;
  sgemm_pack_b_fn pack_b;
  sgemm_pack_im2col_fn pack_im2col;
};

// Implementations (which exist depends on the build; see dispatch.cpp).
const SgemmKernels& sgemm_generic_kernels();
#if defined(ARMCONV_HAVE_NEON)
const SgemmKernels& sgemm_neon_kernels();
#endif

// Where B comes from: a dense matrix or an image read through im2col.
struct BSource {
  const float* b = nullptr;  // dense: B[k][n] = b[k*ldb + n]
  size_t ldb = 0;
  const Im2colGeom* im2col = nullptr;  // if set, B is this im2col matrix
};

// Sizes of the blocking for a (M, N, K) problem.
struct SgemmBlocking {
  size_t kc, nc;  // K-block and N-block sizes (nc a multiple of NR)
  size_t workspace_floats() const { return kc * nc; }
};
SgemmBlocking sgemm_blocking(const SgemmKernels& kern, size_t m, size_t n, size_t k);

// The macro loops. packed_a: pack_a() of the whole A (M x K); bias: ceil(M/MR)*MR
// floats; C row stride ldc. `workspace` holds blk.workspace_floats() floats
// (plus 64 bytes of slack). N-blocks are independent of each other (each packs
// its own B block), which is where a threaded caller splits the work.
void sgemm_run(const SgemmKernels& kern, const SgemmBlocking& blk, size_t m, size_t n, size_t k,
               const float* packed_a, const float* bias, const BSource& src, float* c, size_t ldc,
               bool clamp, float lo, float hi, float* workspace);

}  // namespace detail
}  // namespace armconv

// One level of Strassen for fp32 1x1 convolutions (the "strassen" family):
//
//   C (M x N) = clamp( A (M x K) * B (K x N) + bias )
//
// A = the weights, B = the image (NCHW: K channels x N pixels), as the plain
// GEMM (core/gemm.h). Each operand is cut into 2 x 2 blocks of half size
// (M2 = ceil(M / 2), K2 = ceil(K / 2), N2 = ceil(N / 2); a block past the
// matrix's edge reads as zeros):
//   A11 | A12     B11 | B12     C11 | C12        A11: rows [0, M2), columns [0, K2)
//   ----+----     ----+----     ----+----        A22: rows [M2, M), columns [K2, K) ...
//   A21 | A22     B21 | B22     C21 | C22
// and C is formed from seven half-size products instead of eight (Strassen
// 1969), bt / bb the top / bottom half of the bias:
//   P1 = (A11 + A22)(B11 + B22)   bias 0
//   P2 = (A21 + A22) B11          bias bb
//   P3 = A11 (B12 - B22)          bias bt
//   P4 = A22 (B21 - B11)          bias 0
//   P5 = (A11 + A12) B22          bias 0
//   P6 = (A21 - A11)(B11 + B12)   bias 2 bb - bt
//   P7 = (A12 - A22)(B21 + B22)   bias bt
//   C11 = P1 + P4 - P5 + P7   C12 = P3 + P5   C21 = P2 + P4   C22 = P1 - P2 + P3 + P6
// (the biases are chosen so that each C block gets its own exactly once:
// C11 bt from P7, C12 bt from P3, C21 bb from P2, C22 -bb + bt + 2bb - bt),
// then the clamp on C. The products run on the fp32 GEMM micro-kernel
// (GemmKernel<F32Gemm>::ukernel, its bias init, no clamp) into scratch; the
// combine micro-kernel below reads them and writes C. 7/8 of the GEMM's
// multiply-adds, plus the combinations: 1 add per element of 5 A blocks
// (once, when the weights are packed), of 5 B blocks (per call, while
// packing B) and 8 adds per 4 C elements (the combine), which pays on
// layers with K above ~100 (bench: strassen_* cases; the planner's model is
// strassen_conv_cost, conv_strassen.cpp).
//
// fp32 only. int8 would overflow its int8 operands (a sum of two int8 is
// 9 bits), and fp16's 11-bit significand would lose the bits Strassen's
// extra cancellation costs. Error: each product sums K/2 terms of operands
// that are sums of two, and C combines up to 4 products, so the error bound
// is a small multiple of the plain GEMM's (measured on NN-like data: 1.3 to
// 2.8 times its error against a float64 reference; tests/cpp/test_strassen.cpp
// states the tolerance).
#pragma once

#include <cstddef>

namespace armconv {
namespace detail {

// One block of a matrix (row stride ld): rows [r0, r0 + rows), columns
// [c0, c0 + cols) hold data, the rest of the half-size block reads as 0
// (a block past the matrix's edge).
struct StrassenBlock {
  const float* base;
  size_t ld, r0, c0, rows, cols;
  const float* row(size_t r) const { return base + (r0 + r) * ld + c0; }
};

// The combine micro-kernel. The seven products of one tile, P_i (i = 1..7)
// at p + (i - 1) * pstride, row r at r * ldp, columns [0, n_left) valid;
// rows [0, m_top) of C11 (at c11, row stride ldc) and C12 (at c11 + n2),
// rows [0, m_bot) of C21 (at c21) and C22 (at c21 + n2): C11 and C21 take
// columns [0, n_left), C12 and C22 columns [0, n_right) (m_bot <= m_top,
// n_right <= n_left: the bottom and right halves are the smaller ones when
// M or N is odd). Each output is clamp(sum) with the sums in the order of
// the formulas above, left to right (C11 = ((P1 + P4) - P5) + P7, C22 =
// ((P1 - P2) + P3) + P6), one rounding per add, and clamp(v) = min(max(v,
// lo), hi) with FMAX / FMIN semantics (NaN propagates, max(-0, +0) = +0)
// when `clamp`; so the NEON kernels and
// the generic twin give the same bits (armv7 NEON: flush-to-zero, as every
// armv7 NEON kernel). Reads the products' rows [0, m_top) x columns [0,
// round_up(n_left, 4)) (the scratch tile is padded that far); writes exactly
// the outputs named.
struct StrassenKernels {
  const char* name;  // strassen-<isa>-<columns per step>
  void (*combine)(size_t m_top, size_t m_bot, size_t n_left, size_t n_right, const float* p, size_t ldp,
                  size_t pstride, float* c11, float* c21, size_t ldc, size_t n2, bool clamp, float lo,
                  float hi);
  // The B-combination packer (core/strassen_pack.h): columns [col0, col0 +
  // nc) of the k2 rows of the half-size blocks a + b (sub: a - b; b ==
  // nullptr: a alone) straight into the packed B format of a KR = 1 GEMM
  // table with NR = nr (12, 8 or 4; core/gemm.h: kcp = kc = k2, a last
  // partial panel of nc % nr <= edge_cols columns in edge groups), round_up(nc,
  // nr) x k2 floats. Element (kk, j): a + b (a - b) where both blocks hold
  // data there, a (+-b) where one does, 0 where neither: its position in
  // the half-size block alone decides (the same bytes whatever the cut
  // of the columns; NEON and generic give the same bytes, armv7 NEON
  // flushing subnormal sums to zero). Reads only the blocks' data.
  void (*pack_b_combo)(const StrassenBlock& a, const StrassenBlock* b, bool sub, size_t k2, size_t nc, size_t col0,
                       size_t nr, size_t edge_cols, float* dst);
};

const StrassenKernels& strassen_generic_kernels();  // generic/strassen_combine.cpp
#if defined(ARMCONV_HAVE_NEON)
// neon/strassen_combine.h, instantiated by neon/aarch64/strassen_combine_4.cpp
// and neon/armv7/strassen_combine_4.cpp: 4 columns (one vector) per step.
const StrassenKernels& strassen_neon_kernels();
#endif

}  // namespace detail
}  // namespace armconv

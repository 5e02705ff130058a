// The int8 GEMM family: packed formats, the micro-kernel contract, the exact
// requantization rule, and the macro loops that drive it.
//
//   C (M x N) = out( bias + A (M x K, int8) * B (K x N, int8) )
//
// As in the fp32 GEMM (sgemm.h), A is the weights of a convolution
// (M = output channels of a group), B the image (the image itself for a 1x1
// convolution, im2col panels packed straight from the int8 image otherwise;
// N = output pixels) and C the NCHW output, written in place by the
// micro-kernel's store, where the requantization is fused.
//
// Operands and accumulation (every implementation gives the same bits):
//   * A and B are int8 in [-127, 127]. The smull/smlal2 kernels add two
//     int8*int8 products in one int16 lane before widening (sadalp); that sum
//     overflows only for (-128)(-128) + (-128)(-128), so -128 is allowed in at
//     most ONE operand (the quantizers never produce it; gemm_s8() rejects it).
//   * The accumulator is int32: acc = bias[r] + sum_k A[r][k] * B[k][j],
//     exact because K <= kMaxK (2^16) and |bias| <= kMaxBias (2^30), so
//     |acc| < 2^16 * 128 * 127 + 2^30 < 2^31.
//
// Output stages (S8Output), applied in the micro-kernel's store:
//   Int32:  C[r][j] = acc
//   Int8:   the requantization rule, exactly (per row r, multiplier M[r] in
//           [0, 2^31), one left shift E >= 0 for the whole GEMM):
//             x = saturate_int32(acc * 2^E)
//             t = floor((2 * x * M[r] + 2^31) / 2^32)     (NEON sqrdmulh)
//             C[r][j] = clamp(t, qmin, qmax)              (-127 <= qmin <= qmax <= 127)
//           i.e. t = x * M / 2^31 rounded to nearest, ties toward +infinity.
//           A real scale s (the ratio input_scale * weight_scale / output_scale)
//           becomes M = round(s * 2^(31-E)), E the smallest shift with all
//           M < 2^31 (requant_multipliers()).
//   Float:  C[r][j] = fl32(fl32(acc) * fscale[r]), then clamped to
//           [fmin, fmax] if fclamp (float32 conversion and multiply, each
//           rounded to nearest even: numpy's float32 arithmetic reproduces it).
//
// Packed formats. Both paths group K by KG (kg in the kernel table) and store,
// for every group, the KG consecutive k of each row (column) contiguously:
//   A, MR-row panels. Panel p holds rows [p*MR, p*MR + MR) as Kp/KG groups of
//      MR * KG bytes (Kp = K rounded up to KG):
//        pa[p*MR*Kp + g*MR*KG + r*KG + i] = A[p*MR + r][g*KG + i]
//      Rows past M and k past K are zero. Packed once per layer.
//   B, NR-column panels of one (K x nc) block, the same way:
//        pb[q*NR*Kp + g*NR*KG + j*KG + i] = B[g*KG + i][n0 + q*NR + j]
//      Columns past N and k past K are zero. Packed per call into a workspace
//      whose size does not depend on the image size.
//   smull path (KG = 16): a 16-byte group of a row times the group of a
//      column is smull (low 8) + smlal2 (high 8) into 8 int16 lanes, folded
//      into 4 int32 lanes by sadalp; the 4 lanes are summed once per tile.
//   sdot path (KG = 4): one sdot multiplies a 4-byte group of a row (by
//      element) with the groups of 4 columns (16 bytes) into 4 int32 lanes.
// K is never blocked: a whole column of B is in one panel, so the requantized
// store sees the final sum (the B block's width nc bounds the workspace).
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/sgemm.h"  // Im2colGeom

namespace armconv {
namespace detail {

constexpr size_t kS8MaxK = size_t(1) << 16;
constexpr int32_t kS8MaxBias = int32_t(1) << 30;

enum class S8OutKind { Int32, Int8, Float };

// The output stage of one GEMM. Per-row arrays are indexed from the first row
// of the GEMM (the driver advances them by panel); the micro-kernel sees them
// advanced to its panel's first row and may read MR entries (callers pad them
// to a multiple of MR with zeros).
struct S8Output {
  S8OutKind kind = S8OutKind::Int32;
  const int32_t* bias = nullptr;  // per row, never null
  const int32_t* mult = nullptr;  // Int8: M[r]
  int shift = 0;                  // Int8: E
  int32_t qmin = -127, qmax = 127;
  const float* fscale = nullptr;  // Float
  bool fclamp = false;
  float fmin = 0.0f, fmax = 0.0f;
};

// C block for rows [0, m) (m <= MR) and columns [0, n) (any n >= 1) of one
// A panel and the ceil(n/NR) consecutive B panels at `b`:
//   k: the true K (the panels hold Kp = round_up(k, KG) bytes per row/column),
//   a: one MR-row panel, b: NR-column panels (each NR * Kp bytes),
//   c: the block's first element (int32_t*, int8_t* or float* by out.kind),
//      row stride ldc elements; out: as above, advanced to the panel's row 0.
// Writes exactly the m x n outputs; reads only the packed panels (plus their
// zeroed slack) and MR entries of the per-row arrays. k >= 1.
using gemm_s8_ukernel_fn = void (*)(size_t k, size_t m, size_t n, const int8_t* a,
                                    const int8_t* b, void* c, size_t ldc, const S8Output& out);

// Packs rows [0, m) x columns [0, k) of A (row stride lda) into MR-row panels
// (round_up(m, MR) * Kp bytes).
using gemm_s8_pack_a_fn = void (*)(size_t m, size_t k, const int8_t* a, size_t lda, int8_t* dst);
// Packs the k x nc block of a dense B at `b` (row stride ldb) into NR-column
// panels (round_up(nc, NR) * Kp bytes).
using gemm_s8_pack_b_fn = void (*)(size_t k, size_t nc, const int8_t* b, size_t ldb, int8_t* dst);

// The fp32 im2col geometry (sgemm.h) over an int8 image: `geom.x` is unused,
// `x` is the group's first channel. `scratch` holds
// im2col_s8_scratch_bytes(kg, nr, nc) bytes for the NEON tables' packer (the
// caller allocates it once per call, not once per block); the generic packer
// does not use it.
struct Im2colGeomS8 {
  Im2colGeom geom;
  const int8_t* x;
  int8_t* scratch = nullptr;
};
// Scratch pack_im2col_via_pack_b needs for blocks of up to nc columns: KG
// gathered rows of nc bytes, and one KG-deep group of every NR-column panel.
inline size_t im2col_s8_scratch_bytes(size_t kg, size_t nr, size_t nc) {
  return kg * nc + (nc + nr - 1) / nr * nr * kg;
}
// Packs columns [n0, n0 + nc) of the (K = channels*kh*kw) x (ho*wo) im2col
// matrix into NR-column panels, as gemm_s8_pack_b_fn does for a dense B.
using gemm_s8_pack_im2col_fn = void (*)(const Im2colGeomS8& g, size_t n0, size_t nc, int8_t* dst);

// The NEON tables' pack_im2col: KG rows of the im2col matrix at a time are
// gathered into a scratch block (contiguous runs of the image copied, padding
// zero-filled), packed by the table's dense `pack_b` as a KG-row matrix (which
// is exactly one k group of every panel), and each panel's group moved into
// place. Same bytes as the generic pack_im2col.
void pack_im2col_via_pack_b(gemm_s8_pack_b_fn pack_b, size_t nr, size_t kg, const Im2colGeomS8& g,
                            size_t n0, size_t nc, int8_t* dst);

struct S8GemmKernels {
  const char* name;  // implementation, reported by cpu_info()
  size_t mr, nr, kg;
  gemm_s8_ukernel_fn ukernel;
  gemm_s8_pack_a_fn pack_a;
  gemm_s8_pack_b_fn pack_b;
  gemm_s8_pack_im2col_fn pack_im2col;
};

// Implementations (which exist depends on the build; see dispatch.cpp).
const S8GemmKernels& gemm_s8_generic_kernels();
// Generic tables with other tiles, for comparing packers and kernels with the
// NEON ones tile for tile; nullptr if not instantiated.
const S8GemmKernels* gemm_s8_generic_kernels_for(size_t mr, size_t nr, size_t kg);
#if defined(ARMCONV_HAVE_NEON)
const S8GemmKernels& gemm_s8_neon_kernels();
#endif
#if defined(ARMCONV_HAVE_DOTPROD)
const S8GemmKernels& gemm_s8_dotprod_kernels();
#endif

// --- the requantization rule, scalar (the reference every kernel matches) ---
inline int32_t s8_sat32(int64_t v) {
  return v > INT32_MAX ? INT32_MAX : (v < INT32_MIN ? INT32_MIN : int32_t(v));
}
inline int32_t s8_requant(int32_t acc, int32_t mult, int shift, int32_t qmin, int32_t qmax) {
  const int64_t x = s8_sat32(int64_t(acc) * (int64_t(1) << shift));
  // floor division by 2^32 (arithmetic shift of a negative value is
  // implementation-defined before C++20: divide explicitly).
  const int64_t num = 2 * x * int64_t(mult) + (int64_t(1) << 31);
  int64_t t = num >= 0 ? num >> 32 : -((-num + ((int64_t(1) << 32) - 1)) >> 32);
  return t < qmin ? qmin : (t > qmax ? qmax : int32_t(t));
}
// Multipliers M[r] and the shift E for real scales s[r] >= 0 (see above).
void requant_multipliers(const double* s, size_t count, int32_t* mult, int* shift);

// Blocking: the B block is k x nc (nc a multiple of NR).
struct S8Blocking {
  size_t kp, nc;
  size_t workspace_bytes() const { return kp * nc; }
};
S8Blocking gemm_s8_blocking(const S8GemmKernels& kern, size_t m, size_t n, size_t k);

// Where B comes from: a dense matrix or an image read through im2col.
struct S8BSource {
  const int8_t* b = nullptr;  // dense: B[k][n] = b[k*ldb + n]
  size_t ldb = 0;
  const Im2colGeomS8* im2col = nullptr;
};

// The macro loops: for each nc-column block (independent: the threading
// split) pack B, then run the micro-kernel over every A panel. packed_a:
// pack_a() of the whole A; out's per-row arrays hold round_up(m, MR) entries;
// workspace: blk.workspace_bytes() (+ 64 bytes slack, as Buffer gives).
void gemm_s8_run(const S8GemmKernels& kern, const S8Blocking& blk, size_t m, size_t n, size_t k,
                 const int8_t* packed_a, const S8BSource& src, void* c, size_t ldc,
                 const S8Output& out, int8_t* workspace);

}  // namespace detail
}  // namespace armconv

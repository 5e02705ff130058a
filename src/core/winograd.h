// Winograd F(m x m, 3 x 3) for m = 2, 4, 6: transform matrices, the
// transform-kernel contract and the nc4hw4 layout helpers. The per-position
// GEMM between the transforms is its own family: core/wino_gemm.h; the
// driver is core/conv_winograd.cpp.
//
// One output tile Y (m x m) of a 3x3 convolution (cross-correlation) of an
// n x n input patch d (n = m + 2) with the kernel g is
//
//     Y = A^T [ (G g G^T) (.) (B^T d B) ] A           (.) = elementwise
//
// over n^2 transform positions (16, 36, 64). The interpolation points are the
// well-conditioned choices of Lavin & Gray 2016 (the matrices wincnn
// generates for them, as ncnn uses):
//   F(2,3): {0, 1, -1, inf}
//   F(4,3): {0, 1, -1, 2, -2, inf}
//   F(6,3): {0, 1, -1, 2, -2, 1/2, -1/2, inf}
//
//   F(2,3)  B^T (4x4)            G (4x3)                A^T (2x4)
//           [ 1  0 -1  0 ]       [ 1    0    0   ]      [ 1  1  1  0 ]
//           [ 0  1  1  0 ]       [ 1/2  1/2  1/2 ]      [ 0  1 -1 -1 ]
//           [ 0 -1  1  0 ]       [ 1/2 -1/2  1/2 ]
//           [ 0  1  0 -1 ]       [ 0    0    1   ]
//
//   F(4,3)  B^T (6x6)                 G (6x3)                  A^T (4x6)
//           [ 4  0 -5  0  1  0 ]      [ 1/4    0     0   ]     [ 1  1  1  1  1  0 ]
//           [ 0 -4 -4  1  1  0 ]      [-1/6  -1/6  -1/6  ]     [ 0  1 -1  2 -2  0 ]
//           [ 0  4 -4 -1  1  0 ]      [-1/6   1/6  -1/6  ]     [ 0  1  1  4  4  0 ]
//           [ 0 -2 -1  2  1  0 ]      [ 1/24  1/12  1/6  ]     [ 0  1 -1  8 -8  1 ]
//           [ 0  2 -1 -2  1  0 ]      [ 1/24 -1/12  1/6  ]
//           [ 0  4  0 -5  0  1 ]      [ 0      0     1   ]
//
//   F(6,3)  B^T (8x8)                                        G (8x3)
//   [ 1   0  -21/4    0    21/4     0   -1  0 ]      [  1      0      0    ]
//   [ 0   1    1   -17/4  -17/4     1    1  0 ]      [ -2/9  -2/9   -2/9   ]
//   [ 0  -1    1    17/4  -17/4    -1    1  0 ]      [ -2/9   2/9   -2/9   ]
//   [ 0  1/2  1/4  -5/2   -5/4      2    1  0 ]      [ 1/90   1/45   2/45  ]
//   [ 0 -1/2  1/4   5/2   -5/4     -2    1  0 ]      [ 1/90  -1/45   2/45  ]
//   [ 0   2    4   -5/2    -5     1/2    1  0 ]      [ 32/45  16/45  8/45 ]
//   [ 0  -2    4    5/2    -5    -1/2    1  0 ]      [ 32/45 -16/45  8/45 ]
//   [ 0  -1    0   21/4     0   -21/4    0  1 ]      [  0      0      1    ]
//
//   A^T (6x8)
//   [ 1  1   1   1    1    1      1     0 ]
//   [ 0  1  -1   2   -2   1/2   -1/2    0 ]
//   [ 0  1   1   4    4   1/4    1/4    0 ]
//   [ 0  1  -1   8   -8   1/8   -1/8    0 ]
//   [ 0  1   1  16   16   1/16   1/16   0 ]
//   [ 0  1  -1  32  -32   1/32  -1/32   1 ]
//
// No constants are moved between G and A^T. In all three, column 1 of A^T
// (the point 1) is all ones, so a constant added to the product at
// transform position (1, 1) reaches every output unchanged: the bias is
// added by the GEMM of that position (its bias vector) and costs the output
// transform nothing.
//
// Positions: p = n * i + j for row i, column j of the n x n transform domain.
//
// nc4hw4: channels grouped by 4, (N, ceil(C/4), H, W, 4); element
// (n, c, y, x) sits at ((n * C4 + c / 4) * H + y) * W + x) * 4 + c % 4, the
// channel tail zero-filled. One float32x4 is one pixel of four channels, and
// every transform here is plain vector arithmetic on such vectors.
#pragma once

#include <cstddef>
#include <cstdint>

#include "armconv/armconv.h"  // Half

namespace armconv {
namespace detail {

// Output tile sides, smallest first; a table index is wino_index(m).
constexpr size_t kWinoTileSizes[3] = {2, 4, 6};
constexpr size_t wino_index(size_t m) { return m / 2 - 1; }
// The transform position that carries the bias: (1, 1).
constexpr size_t wino_bias_pos(size_t m) { return (m + 2) + 1; }

// The matrices above, for weight transforms (done in double) and tests.
struct WinoMatrices {
  size_t m, n;       // output tile side, input patch (transform) side n = m + 2 (stride 2: 2m + 1)
  const double* bt;  // B^T: n x n, row-major
  const double* g;   // G: n x 3
  const double* at;  // A^T: m x n
  // Where the bias enters M: nullptr, at position (1, 1) (column 1 of A^T
  // is all ones); else x (n entries, A^T x = all ones): M_ij starts from
  // bias x_i x_j (in fp32) wherever x_i x_j != 0.
  const double* bias_x = nullptr;
};
const WinoMatrices& wino_matrices(size_t m);  // m = 2, 4 or 6

// Input transform of one tile, 4 channels (one nc4 vector per pixel):
//   src: the tile's n x n patch, row r, column c, channel lane l at
//       src[r * src_row + c * 4 + l] (src_row in floats, a multiple of 4);
//   V = B^T d B: position p, lane l to dst[p * dst_pos + l].
// Per position one vector of 4 channels: exactly what the per-position GEMM
// (core/wino_gemm.h) reads as its "4 k-values of one tile", so there is no
// transpose anywhere.
using wino_input_fn = void (*)(const float* src, size_t src_row, float* dst, size_t dst_pos);

// Where the output transform writes one tile: channel l (< nch), row y
// (< rows), column x (< cols) at dst + l * dst_ch + y * dst_row + x (NCHW).
struct WinoOutTile {
  float* dst;
  size_t rows, cols;  // 1..m: edge tiles are cut
};

// Output transform of one tile, 4 output channels:
//   M: position p, lane l at src[p * src_pos + l] (lanes l >= nch are read
//   but unused); Y = A^T M A (m x m), clamped to [lo, hi] if `clamp`, is
//   written as described in WinoOutTile.
using wino_output_fn = void (*)(const float* src, size_t src_pos, const WinoOutTile& out, size_t nch,
                                size_t dst_ch, size_t dst_row, bool clamp, float lo, float hi);

// One row of an nc4 staging box: `lo` zero pixels, n pixels of nch (1..4)
// channel rows interleaved, `hi` zero pixels (the padding, written here so
// that a row is one call):
//   dst[(lo + i) * 4 + l] = l < nch ? x[l * ch_stride + i] : 0     (i < n)
//   dst[i * 4 + l] = 0 for i < lo and lo + n <= i < lo + n + hi.
using wino_pack_nc4_fn = void (*)(const float* x, size_t ch_stride, size_t nch, size_t lo, size_t n,
                                  size_t hi, float* dst);

// The transforms of one tile size.
struct WinoKernels {
  const char* name;  // winograd<m>3[s2]-<isa>-nc4, reported by cpu_info()
  size_t m;          // output tile side
  wino_pack_nc4_fn pack_nc4;
  wino_input_fn input;
  wino_output_fn output;
};

// src/generic/winograd{23,43,63}.cpp; src/neon/<isa>/winograd{23,43,63}_nc4.cpp.
const WinoKernels& wino23_generic_kernels();
const WinoKernels& wino43_generic_kernels();
const WinoKernels& wino63_generic_kernels();
#if defined(ARMCONV_HAVE_NEON)
const WinoKernels& wino23_neon_kernels();
const WinoKernels& wino43_neon_kernels();
const WinoKernels& wino63_neon_kernels();
#endif

// ---- stride 2: F(m x m, 3x3) with stride 2 (winograd23s2, winograd43s2) ---------------
//
// In 1-D a stride-2 correlation y_i = w0 x_2i + w1 x_2i+1 + w2 x_2i+2 (i < m)
// reads the n = 2m + 1 inputs x_0 .. x_2m of its tile. Split by parity:
// the even samples e_j = x_2j (j = 0..m) meet the taps (w0, w2), which is
// the stride-1 correlation F(m, 2) (m + 1 products); the odd samples
// o_i = x_2i+1 meet w1 alone (m products, no transform):
//     y_i = [A^T ((G (w0, w2)) (.) (B^T e))]_i + w1 o_i.
// That is one bilinear algorithm of n = 2m + 1 products, written with
// matrices B'^T (n x n), G' (n x 3), A'^T (m x n) that act on the patch in
// its natural order (the de-interleave folded in):
//   rows 0..m of B'^T: F(m,2)'s B^T on the even columns 0, 2, .., 2m;
//   row m + 1 + i: picks x_2i+1;
//   G' rows 0..m: F(m,2)'s G on (w0, w2) (middle column 0); rows m + 1 + i:
//   (0, 1, 0);  A'^T = [ F(m,2)'s A^T | I_m ].
// 2-D is the tensor product, exactly as at stride 1:
//     Y = A'^T [ (G' g G'^T) (.) (B'^T d B'^T^T) ] A'
// over n^2 positions (25, 81): 6.25 and 5.06 products per output and
// channel pair against 9 for the direct convolution. Tile t's patch starts
// at input column 2 m t - pad (rows likewise); tiles overlap by one column.
// F(m,2) (Toom-Cook for correlation, points a_k and inf; G rows divided by
// prod_{l != k} (a_k - a_l), B^T solved exactly, some rows' signs moved
// between B^T and G):
//
//   F(2,2) on {0, 1, inf}          F(4,2) on {0, 1, -1, 2, inf}
//   B^T         G       A^T        B^T                   G              A^T
//   [ 1 -1  0 ] [1 0]   [1 1 0]    [ 2 -1 -2  1  0 ]     [ 1/2   0  ]   [ 1  1  1  1  0 ]
//   [ 0  1  0 ] [1 1]   [0 1 1]    [ 0  2  1 -1  0 ]     [ 1/2  1/2 ]   [ 0  1 -1  2  0 ]
//   [ 0 -1  1 ] [0 1]              [ 0  2 -3  1  0 ]     [-1/6  1/6 ]   [ 0  1  1  4  0 ]
//                                  [ 0 -1  0  1  0 ]     [ 1/6  1/3 ]   [ 0  1 -1  8  1 ]
//                                  [ 0  2 -1 -2  1 ]     [ 0     1  ]
//
// F(4,2)'s points were chosen by fp32 error (bench/wino_accuracy.py's
// setting, a float64 numpy emulation): {0, 1, -1, 2}, {0, 1, -1, -2},
// {0, 1, -1, +-1/2} are within 25% of each other; {0, 1, -1, 2} has integer
// B^T. m = 3 (n = 7, 49 positions) is not built: on ResNet-18's output maps
// it never needs fewer products per channel pair: 7x7 takes 4 tiles x 81 =
// 324 at m = 4, 326 as 4 + 3 (81 + 5 x 49), 441 at m = 3; 14x14 takes 1054
// as 12 + 2 at m = 4 + 2 (9 x 81 + 13 x 25), 1109 as 12 + 2 at m = 3 + 2.
// Column 1 of A'^T (the point 1) is all ones, so the bias rides on position
// (1, 1) as at stride 1: wino_bias_pos_n(n).
//
// The transforms have the kernel contracts above (wino_input_fn reads an
// n x n patch, n = 2m + 1; wino_output_fn writes m x m), so the driver,
// the per-position GEMM and the nc4 layout are shared with stride 1.
constexpr size_t kWinoS2TileSizes[2] = {2, 4};
constexpr size_t wino_s2_index(size_t m) { return m / 2 - 1; }
// Transform side of an F(m x m, 3x3) tile at stride s (1 or 2).
constexpr size_t wino_side(size_t m, size_t s) { return s * (m - 1) + 3; }
// The bias position (1, 1) of a transform of side n.
constexpr size_t wino_bias_pos_n(size_t n) { return n + 1; }

const WinoMatrices& wino_matrices_s2(size_t m);  // m = 2 or 4: B'^T, G', A'^T above

// src/generic/winograd{23,43}s2.cpp; src/neon/<isa>/winograd{23,43}s2_nc4.cpp.
const WinoKernels& wino23s2_generic_kernels();
const WinoKernels& wino43s2_generic_kernels();
#if defined(ARMCONV_HAVE_NEON)
const WinoKernels& wino23s2_neon_kernels();
const WinoKernels& wino43s2_neon_kernels();
#endif

// ---- fp16 (precision="fp16") --------------------------------------------------------
//
// The fp16 Winograd (bench/wino_fp16_study.py chose it by error, README
// "fp16 Winograd"): the transforms compute in fp32 (F(4,3)'s input
// transform: binary16, below), V = B^T d B is stored as
// binary16 (rounded to nearest even), U = G g G^T is rounded to binary16
// once when the weights are packed, the per-position GEMMs run in binary16
// within runs of 32 input channels (F(4,3) with up to 48 input channels per
// group: 16) summed in fp32 (core/wino_gemm.h,
// wino_gemm_f16_fn), the output transform reads fp32 M. F(2,3) uses the
// matrices above; F(4,3) the points {0, +-2/3, +-3/2, inf}, on which
// binary16 storage of U and V and binary16 runs lose less than on
// {0, +-1, +-2, inf} or {0, 1, -1, 2, -1/2, inf} (a scan of point sets; the
// study's Toom-Cook construction, exact). Symmetric points factor as the
// usual F(4,3) does (pair sums and differences); with a = 2/3, b = 3/2 = 1/a
// every row of B^T below is the Toom-Cook row as it is, A^T's columns of
// +-a are scaled by b^2 and those of +-b by a (G's rows by the reciprocals),
// so that A^T's rows 1 and 2 each have a unit coefficient:
//
//   F(4,3)h  B^T (6x6)                         G (6x3)                      A^T (4x6)
//   [ 1    0   -97/36   0     1   0 ]      [   1       0      0    ]     [ 1  9/4  9/4  2/3  2/3  0 ]
//   [ 0  -3/2   -9/4   2/3    1   0 ]      [ -18/65  -12/65  -8/65 ]     [ 0  3/2 -3/2   1   -1   0 ]
//   [ 0   3/2   -9/4  -2/3    1   0 ]      [ -18/65   12/65  -8/65 ]     [ 0   1    1   3/2  3/2  0 ]
//   [ 0  -2/3   -4/9   3/2    1   0 ]      [  12/65   18/65  27/65 ]     [ 0  2/3 -2/3  9/4 -9/4  1 ]
//   [ 0   2/3   -4/9  -3/2    1   0 ]      [  12/65  -18/65  27/65 ]
//   [ 0    1      0  -97/36   0   1 ]      [   0       0      1    ]
//
// (97/36 = a^2 + b^2.) No column of this A^T is all ones (only the point 1
// would give one), so the bias cannot ride on one position: it is spread
// over the positions (i, j), i, j in {0, 1, 2, 5}, as bias x_i x_j with
//   x = (-5/4, 5/6, 1/6, 0, 0, 5/9),   A^T x = (1, 1, 1, 1),
// so that A^T (bias x x^T) A = bias everywhere (WinoMatrices::bias_x: the
// GEMMs of those 16 positions start from the bias so scaled, in fp32).
// The transforms' constants (97/36, 4/9, 2/3, 65/36, 9/4) are rounded to
// fp32: the kernels' B^T and A^T differ from the above by ~1e-7 relative,
// far below binary16's 2^-11.
const WinoMatrices& wino_matrices_f16(size_t m);  // m = 2 (= wino_matrices(2)) or 4 (the above)

// Where an fp16 output transform writes one tile: as WinoOutTile, binary16.
struct WinoOutTileH {
  Half* dst;
  size_t rows, cols;
};

// One row of an nc4 staging box from a binary16 image (widened exactly):
// as wino_pack_nc4_fn.
using wino_pack_nc4_h_fn = void (*)(const Half* x, size_t ch_stride, size_t nch, size_t lo, size_t n,
                                    size_t hi, float* dst);

// Input transform of one tile, 8 channels (an octet: the fp16 GEMM's k in
// the 8 lanes of a .8h vector): src0, src1 the tile's patches of channels
// 0-3 and 4-7 as wino_input_fn reads them (the same src_row), src1 nullptr
// for zero channels; V = B^T d B in fp32, position p, lane l (< 8) rounded
// to binary16 at dst[p * dst_pos + l].
using wino_input_h_fn = void (*)(const float* src0, const float* src1, size_t src_row, Half* dst,
                                 size_t dst_pos);

// Output transform of one tile to a binary16 image: as wino_output_fn
// (fp32 M, fp32 arithmetic and clamp), each output rounded to binary16.
using wino_output_h_fn = void (*)(const float* src, size_t src_pos, const WinoOutTileH& out, size_t nch,
                                  size_t dst_ch, size_t dst_row, bool clamp, float lo, float hi);

// F(4,3)'s input side is binary16 throughout (bench/wino_fp16_study.py,
// option "f16k / f16/R / f32": the kernel's factored 1-D transform in fp16;
// README "fp16 Winograd"): the image is staged as one nc8 binary16 box per
// octet (8 channels of one pixel: one 16-byte vector; float32 images rounded
// to nearest even as they are packed), and V = B^T d B is computed in
// binary16 arithmetic on the 8 lanes, every add, subtract, multiply and
// fused multiply-add by a constant rounded once (FADD/FSUB/FMUL/FMLA/FMLS
// .8h), with the constants of wino::F43h rounded to binary16
// (wino::kIn43hHalfBits). F(2,3) keeps the fp32 transforms above.
//
// One row of an nc8 binary16 staging box: `lo` zero pixels, n pixels of nch
// (1..8) channel rows interleaved, `hi` zero pixels:
//   dst[(lo + i) * 8 + l] = l < nch ? fl16(x[l * ch_stride + i]) : 0     (i < n)
using wino_pack_nc8h_fn = void (*)(const float* x, size_t ch_stride, size_t nch, size_t lo, size_t n,
                                   size_t hi, Half* dst);
using wino_pack_nc8h_h_fn = void (*)(const Half* x, size_t ch_stride, size_t nch, size_t lo, size_t n,
                                     size_t hi, Half* dst);
// Input transform of one tile, 8 channels, in binary16 arithmetic: src the
// tile's n x n patch in an nc8 binary16 box (row r, column c, lane l at
// src[r * src_row + c * 8 + l], src_row in Halfs, a multiple of 8); V,
// position p, lane l at dst[p * dst_pos + l].
using wino_input_h8_fn = void (*)(const Half* src, size_t src_row, Half* dst, size_t dst_pos);

// F(4,3)'s output transforms (output, output_h) take up to 16 output
// channels per call (nch 1..16; channel l at src[p * src_pos + l] and
// dst + l * dst_ch): one call per tile and 16 channels, as the GEMM's
// blocks.
//
// The fp16 Winograd transforms of one tile size. F(2,3): fp32 arithmetic
// and conversions (FCVTN/FCVTL are Armv8.0), baseline units; the nc8h
// fields are null. F(4,3): the binary16 input side above (an fp16 extension
// unit on aarch64) and the fp32 output transform; the nc4 fields are null.
struct WinoF16Kernels {
  const char* name;  // winograd<m>3-<isa>-nc8h
  size_t m;
  wino_pack_nc4_fn pack_nc4;      // float32 image (F(2,3))
  wino_pack_nc4_h_fn pack_nc4_h;  // binary16 image (F(2,3))
  wino_input_h_fn input;          // F(2,3)
  wino_output_fn output;      // float32 image
  wino_output_h_fn output_h;  // binary16 image
  wino_pack_nc8h_fn pack_nc8h = nullptr;      // float32 image (F(4,3))
  wino_pack_nc8h_h_fn pack_nc8h_h = nullptr;  // binary16 image (F(4,3))
  wino_input_h8_fn input_h8 = nullptr;        // F(4,3)
};

// src/generic/winograd_f16.cpp (the twin: the same operations as the NEON
// units, fused multiply-adds included, so the results are the same bits);
// src/neon/aarch64/winograd23_nc8h.cpp; F(4,3): the output transforms of
// src/neon/aarch64/winograd43_nc8h.cpp (wino43_f16_neon_outputs(), baseline)
// with the input side of src/neon/aarch64/winograd43_in_fp16.cpp (the fp16
// unit that builds the table).
const WinoF16Kernels& wino23_f16_generic_kernels();
const WinoF16Kernels& wino43_f16_generic_kernels();
#if defined(ARMCONV_HAVE_NEON) && defined(__aarch64__)
const WinoF16Kernels& wino23_f16_neon_kernels();
const WinoF16Kernels& wino43_f16_neon_outputs();  // name, m, output, output_h only
#endif
#if defined(ARMCONV_HAVE_FP16)
const WinoF16Kernels& wino43_f16_neon_kernels();
#endif

// ---- int8 (QConv2d, algo "winograd23") -------------------------------------------
//
// F(2x2, 3x3) is exact in integers (bounds for int8 weights in [-127, 127]
// and inputs in [-128, 127]):
//   - 2G has integer entries (rows (2,0,0), (1,1,1), (1,-1,1), (0,0,2)), so
//     U' = (2G) g (2G)^T = 4 G g G^T is an integer matrix; each 1-D pass at
//     most triples a magnitude: |U'| <= 3 * 3 * 127 = 1143 (int16).
//   - B^T has entries in {0, +-1}, two nonzeros per row: |V| = |B^T d B| <=
//     4 * 128 = 512 (int16).
//   - M = sum over input channels k of U'_k (.) V_k: int16 x int16 products
//     summed in int32 (smlal / vmlal.s16), wrapping modulo 2^32.
//   - Y' = A^T M A (A^T entries in {0, +-1}) is 4 x the exact direct sum
//     (U' is 4 G g G^T), computed modulo 2^32 (wrapping int32 adds).
//   Wrapping int32 arithmetic is exact modulo 2^32: every intermediate may
//   wrap, and Y' is still the exact 4 x sum whenever that fits int32:
//   4 * Cin * 9 * 127 * 128 <= 2^31 - 1, i.e. Cin <= kWinoS8MaxChannels =
//   3669 input channels per group (the planner runs im2col beyond it). Then
//   Y = Y' >> 2 (exact: a multiple of 4), acc = Y + bias_q (|Y| < 2^29,
//   |bias_q| <= 2^30: no overflow), and the output stage of every other
//   QConv2d path (core/requant.h: requantization, or fl32(acc) * scale and
//   the float clamp): the same bits as im2col.
//
// Layout: the image is staged as nc8 int16 (8 channels of one pixel, 16
// bytes: one vector), V as int16 with the input channel k in the 8 lanes
// ("pack8", the layout of the fp16 driver), U' as int16 in blocks of 8
// output channels per k (one vector), M as int32 nc4 vectors (4 output
// channels of one tile position), as fp32 M.
constexpr size_t kWinoS8MaxChannels = 3669;

// One row of an nc8 int16 staging box: `lo` zero pixels, n pixels of nch
// (1..8) int8 channel rows interleaved and widened, `hi` zero pixels:
//   dst[(lo + i) * 8 + l] = l < nch ? x[l * ch_stride + i] : 0     (i < n)
using wino_pack_nc8_s8_fn = void (*)(const int8_t* x, size_t ch_stride, size_t nch, size_t lo, size_t n,
                                     size_t hi, int16_t* dst);

// Input transform of one F(2,3) tile, 8 channels: src the 4x4 patch, row r,
// column c, lane l at src[r * src_row + c * 8 + l] (src_row in int16s);
// V = B^T d B, position p, lane l to dst[p * dst_pos + l] (exact in int16).
using wino_input_s8_fn = void (*)(const int16_t* src, size_t src_row, int16_t* dst, size_t dst_pos);

// Output transform of one F(2,3) tile, 4 output channels ch .. ch + nch - 1
// (their index in out's per-channel arrays): M position p, lane l at
// src[p * src_pos + l] (int32, lanes >= nch read but unused);
// acc = (A^T M A) / 4 + out.bias[ch + l], through out's output stage
// (Int8: requantized, to int8_t; Float: fl32(acc) * fscale, clamped, to
// float), written to dst (int8_t or float per out.kind) as WinoOutTile
// says: channel l, row y < rows, column x < cols at l * dst_ch + y * dst_row + x.
struct S8Output;
using wino_output_s8_fn = void (*)(const int32_t* src, size_t src_pos, void* dst, size_t rows, size_t cols,
                                   size_t nch, size_t dst_ch, size_t dst_row, const S8Output& out, size_t ch);

struct WinoS8Kernels {
  const char* name;  // winograd23_s8-<isa>-nc8
  size_t m;          // 2
  wino_pack_nc8_s8_fn pack_nc8;
  wino_input_s8_fn input;
  wino_output_s8_fn output_s8;  // out.kind == Int8
  wino_output_s8_fn output_f;   // out.kind == Float
};

// src/generic/winograd23_s8.cpp; src/neon/<isa>/winograd23_s8_nc8.cpp.
const WinoS8Kernels& wino23_s8_generic_kernels();
#if defined(ARMCONV_HAVE_NEON)
const WinoS8Kernels& wino23_s8_neon_kernels();
#endif

// Layout conversions (core/layout.cpp). x: (n, c, h, w) NCHW;
// y: (n, ceil(c/4), h, w, 4) nc4hw4 with the channel tail zero-filled.
void nchw_to_nc4hw4(const float* x, size_t n, size_t c, size_t h, size_t w, float* y);
void nc4hw4_to_nchw(const float* y, size_t n, size_t c, size_t h, size_t w, float* x);

}  // namespace detail
}  // namespace armconv

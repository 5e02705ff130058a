// NEON fp16 Winograd F(2x2, 3x3) transforms on the points {0, 1, -1, inf},
// aarch64 (winograd23-aarch64-nc8h; contract: core/winograd.h,
// WinoF16Kernels; matrices there). fp32 arithmetic and conversions only
// (FCVTN to store V and binary16 outputs; Armv8.0): a baseline unit, not an
// fp16 extension unit; it runs only where dispatch.cpp chose the fp16
// Winograd (after the fp16 check). Twin: generic/winograd_f16.cpp, bit for
// bit: the assembly below runs the operations of wino::F23
// (core/winograd_kernels.h) in the same order (row pass, then column pass).
//
//   B^T = [ 1  0 -1  0 ]    t0 = d0 - d2, t1 = d1 + d2,     A^T = [ 1  1  1  0 ]
//         [ 0  1  1  0 ]    t2 = d2 - d1, t3 = d1 - d3            [ 0  1 -1 -1 ]
//         [ 0 -1  1  0 ]                                    y0 = (m0 + m1) + m2
//         [ 0  1  0 -1 ]                                    y1 = (m1 - m2) - m3
//
// A tile's 4 x 4 pixels of 4 channels are 16 vectors: each transform of a
// quad runs in registers (no stack buffer): per tile and 8 channels two
// quads of 4 loads, 32 FADD/FSUB, 16 FCVTN and 16 stores of 4 lanes (~150
// instructions with set-up; the compiled template: 261), per tile and 4
// output channels 16 loads, 24 FADD/FSUB and 8 lane stores (~90: 176).
// Octets with no second quad and output tiles of fewer than 4 channels take
// the template (the same operations in intrinsics, so the same bits). Only
// caller-saved vector registers.
#include <arm_neon.h>

#include <cstddef>

#include "core/winograd.h"
#include "core/winograd_kernels.h"
#include "neon/winograd.h"

namespace armconv {
namespace detail {
namespace {

// ---- input: one quad (4 channels) of V = B^T d B, as binary16 ---------------------
//
// Registers: patch row r, column c in v(16 + 4r + c). The row pass on row r
// (d0..d3 = v(16 + 4r) ..) leaves t0 in v(16 + 4r), t1 in v(r), t2 in
// v(18 + 4r), t3 in v(17 + 4r); the column pass on column j's t_j(0..3)
// leaves V(0, j) .. V(3, j) in the registers of t_j(0), t_j(1), t_j(2),
// t_j(1)'s... (see H23_1D), each rounded in place (FCVTN) and stored as 4
// halves through pointer d<i> (position (i, j): dst + (4 i + j) dst_pos,
// stepping by dst_pos per column).
//
// The 1-D transform on (a0, a1, a2, a3) into T: t0 -> a0, t1 -> T, t2 -> a2,
// t3 -> a1 (a3 is free afterwards).
#define H23_1D(a0, a1, a2, a3, T)                                                     \
  WA_FSUB(a0, a0, a2) /* t0 = d0 - d2 */                                              \
  WA_FADD(T, a1, a2)  /* t1 = d1 + d2 */                                              \
  WA_FSUB(a2, a2, a1) /* t2 = d2 - d1 */                                              \
  WA_FSUB(a1, a1, a3) /* t3 = d1 - d3 */
#define H23_ST(r, i) "fcvtn v" #r ".4h, v" #r ".4s\n st1 {v" #r ".4h}, [%[d" #i "]], %[dp]\n"
// Column j of the row pass's results: t_j(0..3) in registers x0..x3; the
// column transform's temporary T; V(0..3, j) = x0, T, x2, x1.
#define H23_COL(x0, x1, x2, x3, T) \
  H23_1D(x0, x1, x2, x3, T) H23_ST(x0, 0) H23_ST(T, 1) H23_ST(x2, 2) H23_ST(x1, 3)
// Row pass results: t0(r) = v(16+4r), t1(r) = v(r), t2(r) = v(18+4r),
// t3(r) = v(17+4r); free: v19, v23, v27, v31 (the column temporaries).
#define H23_IN_QUAD                                                                   \
  "ld1 {v16.4s, v17.4s, v18.4s, v19.4s}, [%[s]], %[rs]\n"                             \
  "ld1 {v20.4s, v21.4s, v22.4s, v23.4s}, [%[s]], %[rs]\n"                             \
  "ld1 {v24.4s, v25.4s, v26.4s, v27.4s}, [%[s]], %[rs]\n"                             \
  "ld1 {v28.4s, v29.4s, v30.4s, v31.4s}, [%[s]]\n"                                    \
  H23_1D(16, 17, 18, 19, 0) H23_1D(20, 21, 22, 23, 1)                                 \
  H23_1D(24, 25, 26, 27, 2) H23_1D(28, 29, 30, 31, 3)                                 \
  H23_COL(16, 20, 24, 28, 19) H23_COL(0, 1, 2, 3, 23)                                 \
  H23_COL(18, 22, 26, 30, 27) H23_COL(17, 21, 25, 29, 31)

// One quad: src its 4 x 4 patch (rows src_row floats apart), dst lane 0 of
// position 0 (4 halves per position: lanes 0-3 or 4-7 of the octet).
inline void input_quad(const float* src, size_t src_row, Half* dst, size_t dst_pos) {
  Half* d0 = dst;
  Half* d1 = d0 + 4 * dst_pos;
  Half* d2 = d1 + 4 * dst_pos;
  Half* d3 = d2 + 4 * dst_pos;
  asm volatile(H23_IN_QUAD
               : [s] "+r"(src), [d0] "+r"(d0), [d1] "+r"(d1), [d2] "+r"(d2), [d3] "+r"(d3)
               : [rs] "r"(src_row * sizeof(float)), [dp] "r"(dst_pos * sizeof(Half))
               : "memory", WA_VCLOBBER);
}

// wino_input_h_fn.
void input_tile_h_a64(const float* src0, const float* src1, size_t src_row, Half* dst, size_t dst_pos) {
  if (!src1) {  // channels 4-7 absent (zero): the template, same operations
    wino::input_tile_h<Ops, wino::F23>(src0, src1, src_row, dst, dst_pos);
    return;
  }
  input_quad(src0, src_row, dst, dst_pos);
  input_quad(src1, src_row, dst + 4, dst_pos);
}

#undef H23_ST
#undef H23_COL
#undef H23_IN_QUAD

// ---- output: Y = A^T M A for 4 channels, float32 or binary16 ------------------------
//
// Registers: M(i, j) in v(16 + 4i + j), loaded through pointer s<i> (src +
// 4 i src_pos, stepping by src_pos). The column pass on column j (m0..m3 =
// v(16 + j), v(20 + j), v(24 + j), v(28 + j)) leaves f[0][j] in v(16 + j)
// and f[1][j] in v(20 + j); the row pass on row a (v(16 + 4a) ..) leaves
// y[a][0] in v(16 + 4a) and y[a][1] in v(17 + 4a), so an output row of
// channel l is st2 (st1 for one column) of lane l of that register pair to
// o<l> = dst + l dst_ch.
#define H23_OUT_1D(m0, m1, m2, m3)                                                    \
  WA_FADD(m0, m0, m1) /* y0 = (m0 + m1) + m2 */                                       \
  WA_FADD(m0, m0, m2)                                                                 \
  WA_FSUB(m1, m1, m2) /* y1 = (m1 - m2) - m3 */                                       \
  WA_FSUB(m1, m1, m3)
#define H23_LDR(m, i) "ld1 {v" #m ".4s}, [%[s" #i "]], %[spos]\n"
#define H23_OUT_COLS                                                                  \
  H23_LDR(16, 0) H23_LDR(17, 0) H23_LDR(18, 0) H23_LDR(19, 0)                         \
  H23_LDR(20, 1) H23_LDR(21, 1) H23_LDR(22, 1) H23_LDR(23, 1)                         \
  H23_LDR(24, 2) H23_LDR(25, 2) H23_LDR(26, 2) H23_LDR(27, 2)                         \
  H23_LDR(28, 3) H23_LDR(29, 3) H23_LDR(30, 3) H23_LDR(31, 3)                         \
  H23_OUT_1D(16, 20, 24, 28) H23_OUT_1D(17, 21, 25, 29)                               \
  H23_OUT_1D(18, 22, 26, 30) H23_OUT_1D(19, 23, 27, 31)
// Row a (0 or 1) of the output: registers y0 = v(16 + 4a), y1 = v(17 + 4a).
#define H23_ROW0 H23_OUT_1D(16, 17, 18, 19)
#define H23_ROW1 H23_OUT_1D(20, 21, 22, 23)
// max(y, lo) then min(., hi) as the template (NaN propagates): lo, hi in v4, v5.
#define H23_CLAMP_LO(a, b) WA_FMAX(a, a, 4) WA_FMAX(b, b, 4)
#define H23_CLAMP_HI(a, b) WA_FMIN(a, a, 5) WA_FMIN(b, b, 5)
#define H23_CVT(a, b) "fcvtn v" #a ".4h, v" #a ".4s\n fcvtn v" #b ".4h, v" #b ".4s\n"
// Stores of one output row: lanes l = 0..3 of (a, b) (cols 2) or of a (cols 1).
#define H23_ST2(T, a, b, l) "st2 {v" #a "." #T ", v" #b "." #T "}[" #l "], [%[o" #l "]], %[adv]\n"
#define H23_ST1(T, a, b, l) "st1 {v" #a "." #T "}[" #l "], [%[o" #l "]], %[adv]\n"
#define H23_STORE(N, T, a, b) \
  H23_ST##N(T, a, b, 0) H23_ST##N(T, a, b, 1) H23_ST##N(T, a, b, 2) H23_ST##N(T, a, b, 3)
#define H23_OUT_SETUP                                                                 \
  "add %[s1], %[s0], %[s4]\n"                                                         \
  "add %[s2], %[s1], %[s4]\n"                                                         \
  "add %[s3], %[s2], %[s4]\n"                                                         \
  "add %[o1], %[o0], %[ch]\n"                                                         \
  "add %[o2], %[o1], %[ch]\n"                                                         \
  "add %[o3], %[o2], %[ch]\n"
#define H23_OUT_OPERANDS                                                              \
  : [s0] "+r"(s0), [s1] "=&r"(s1), [s2] "=&r"(s2), [s3] "=&r"(s3), [o0] "+r"(o0),     \
    [o1] "=&r"(o1), [o2] "=&r"(o2), [o3] "=&r"(o3)                                    \
  : [spos] "r"(src_pos * sizeof(float)), [s4] "r"(4 * src_pos * sizeof(float)),       \
    [ch] "r"(dst_ch * sizeof(Y)), [adv] "r"(dst_row * sizeof(Y)), [lohi] "r"(lohi)    \
  : "memory", WA_VCLOBBER
#define H23_LOHI "ld2r {v4.4s, v5.4s}, [%[lohi]]\n"
// One output row: arithmetic, clamp, (conversion), stores.
#define H23_ROW(ROW, a, b, CLAMP, CVT, N, T) ROW CLAMP(a, b) CVT(a, b) H23_STORE(N, T, a, b)
#define H23_NOP(a, b) ""
// BODY(CLAMP_SETUP, CLAMP) for Rows x Cols (1 or 2 each), type lane T.
#define H23_BODY(R, C, CVT, T, CLAMP_SETUP, CLAMP)                                     \
  H23_OUT_COLS CLAMP_SETUP H23_ROW(H23_ROW0, 16, 17, CLAMP, CVT, C, T)                \
  H23_ROWS_##R(H23_ROW(H23_ROW1, 20, 21, CLAMP, CVT, C, T))
#define H23_ROWS_1(X)
#define H23_ROWS_2(X) X

// WA_ASM_PER_CLAMP passes the clamp as text; the per-row clamp needs register
// arguments, so the bounds' text is chosen here per mode.
#define H23_CLAMP_BOTH(a, b) H23_CLAMP_LO(a, b) H23_CLAMP_HI(a, b)
#define H23_ASM(R, C, CVT, T)                                                         \
  if (Clamp == kClampBoth)                                                            \
    asm volatile(H23_OUT_SETUP H23_BODY(R, C, CVT, T, H23_LOHI, H23_CLAMP_BOTH) H23_OUT_OPERANDS); \
  else if (Clamp == kClampLo)                                                         \
    asm volatile(H23_OUT_SETUP H23_BODY(R, C, CVT, T, H23_LOHI, H23_CLAMP_LO) H23_OUT_OPERANDS); \
  else if (Clamp == kClampHi)                                                         \
    asm volatile(H23_OUT_SETUP H23_BODY(R, C, CVT, T, H23_LOHI, H23_CLAMP_HI) H23_OUT_OPERANDS); \
  else                                                                                \
    asm volatile(H23_OUT_SETUP H23_BODY(R, C, CVT, T, "", H23_NOP) H23_OUT_OPERANDS);

// 4-channel output transforms to Y = float or Half, Rows x Cols (1..2) of
// the tile, per clamp mode.
template <class Y, int Rows, int Cols, int Clamp>
void output_h_a64(const float* src, size_t src_pos, Y* dst, size_t dst_ch, size_t dst_row, float lo, float hi) {
  const float lohi[2] = {lo, hi};
  const float* s0 = src;
  Y* o0 = dst;
  size_t s1, s2, s3, o1, o2, o3;
  constexpr bool h = sizeof(Y) == sizeof(Half);
  if constexpr (h && Rows == 2 && Cols == 2) {
    H23_ASM(2, 2, H23_CVT, h)
  } else if constexpr (h && Rows == 2) {
    H23_ASM(2, 1, H23_CVT, h)
  } else if constexpr (h && Cols == 2) {
    H23_ASM(1, 2, H23_CVT, h)
  } else if constexpr (h) {
    H23_ASM(1, 1, H23_CVT, h)
  } else if constexpr (Rows == 2 && Cols == 2) {
    H23_ASM(2, 2, H23_NOP, s)
  } else if constexpr (Rows == 2) {
    H23_ASM(2, 1, H23_NOP, s)
  } else if constexpr (Cols == 2) {
    H23_ASM(1, 2, H23_NOP, s)
  } else {
    H23_ASM(1, 1, H23_NOP, s)
  }
}

template <class Y>
using OutFn = void (*)(const float*, size_t, Y*, size_t, size_t, float, float);
// [rows - 1][cols - 1][clamp mode]
template <class Y>
constexpr OutFn<Y> kOutput[2][2][4] = {
    {{output_h_a64<Y, 1, 1, 0>, output_h_a64<Y, 1, 1, 1>, output_h_a64<Y, 1, 1, 2>, output_h_a64<Y, 1, 1, 3>},
     {output_h_a64<Y, 1, 2, 0>, output_h_a64<Y, 1, 2, 1>, output_h_a64<Y, 1, 2, 2>, output_h_a64<Y, 1, 2, 3>}},
    {{output_h_a64<Y, 2, 1, 0>, output_h_a64<Y, 2, 1, 1>, output_h_a64<Y, 2, 1, 2>, output_h_a64<Y, 2, 1, 3>},
     {output_h_a64<Y, 2, 2, 0>, output_h_a64<Y, 2, 2, 1>, output_h_a64<Y, 2, 2, 2>, output_h_a64<Y, 2, 2, 3>}}};

// wino_output_fn (Y = float, Tile = WinoOutTile) / wino_output_h_fn (Half,
// WinoOutTileH): tiles of 4 channels by the assembly above, of fewer by the
// template.
template <class Y, class Tile>
void output_tile_a64(const float* src, size_t src_pos, const Tile& ot, size_t nch, size_t dst_ch, size_t dst_row,
                     bool clamp, float lo, float hi) {
  if (nch == 4)
    kOutput<Y>[ot.rows - 1][ot.cols - 1][clamp_mode(clamp, lo, hi)](src, src_pos, ot.dst, dst_ch, dst_row, lo, hi);
  else
    wino::output_tile<Ops, wino::F23, Tile>(src, src_pos, ot, nch, dst_ch, dst_row, clamp, lo, hi);
}

#undef H23_1D
#undef H23_OUT_1D
#undef H23_LDR
#undef H23_OUT_COLS
#undef H23_ROW0
#undef H23_ROW1
#undef H23_CLAMP_LO
#undef H23_CLAMP_HI
#undef H23_CLAMP_BOTH
#undef H23_CVT
#undef H23_ST2
#undef H23_ST1
#undef H23_STORE
#undef H23_OUT_SETUP
#undef H23_OUT_OPERANDS
#undef H23_LOHI
#undef H23_ROW
#undef H23_NOP
#undef H23_BODY
#undef H23_ROWS_1
#undef H23_ROWS_2
#undef H23_ASM

}  // namespace

const WinoF16Kernels& wino23_f16_neon_kernels() {
  static const WinoF16Kernels k = {"winograd23-aarch64-nc8h", 2, pack_nc4, pack_nc4_h,
                                   input_tile_h_a64, output_tile_a64<float, WinoOutTile>,
                                   output_tile_a64<Half, WinoOutTileH>};
  return k;
}

}  // namespace detail
}  // namespace armconv

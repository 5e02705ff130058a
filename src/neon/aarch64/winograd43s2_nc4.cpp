// NEON Winograd F(4x4, 3x3) stride-2 transforms, aarch64 (winograd43s2-aarch64-nc4:
// one tile of 4 channels per call). The matrices are in core/winograd.h
// (stride 2: B'^T, A'^T, n = 9); the 1-D operations are those of wino::F43s2
// in core/winograd_kernels.h, in the same order and with the same roundings
// (keep them in step); only the order of the two passes differs from the
// template (below), so results agree with it up to that reassociation.
//
// Both transforms run as one inline-assembly block each, in an order that
// uses the shape of B'^T and A'^T: rows 5..8 of B'^T (and columns 5..8 of
// A'^T) are unit vectors picking the odd samples, so of the 81 positions of
// V = B'^T d B' only the 5 x 5 block V[0..4][0..4] needs both passes:
//   V[5 + k][.]    = row pass of the odd patch row 2k + 1 (row 5 + k of B'^T
//                    picks it), so it is final after one pass;
//   V[i][5 + l]    = column pass (B_e: F(4,2)'s B^T, 5 -> 5) of the odd
//                    patch column 2l + 1 over the even rows (i < 5);
//   V[i][j], i, j < 5: B_e E B_e^T on the even rows x even columns E.
// Likewise Y = A'^T M A' = A_e^T (M_e A') + (M_o A') with A_e^T = F(4,2)'s
// A^T (4 x 5), M_e = rows 0..4 of M and M_o = rows 5..8: the row pass R = M A'
// on all 9 rows, then the column pass A_e^T only on R's first 5 rows, and
// R's last 4 rows added to its result.
// Per tile x 4 channels (cortex-a72, bench/insncount.py wino43s2_*_x400 /
// 400, call and bench loop included): input 343, output 331 (clamped 373)
// against 622, 535 (571) for the compiled template (GCC 12: both passes
// over all 9 x 9 positions with a stack round trip, register copies for the
// destructive fmla, single-vector loads); the functions themselves
// (input_tile_a64, output_a64) run 326 and 270.
// Only caller-saved vector registers (v0-v7, v16-v31) are used. Output
// tiles of fewer than 4 channels take the template.
#include <arm_neon.h>

#include <cstddef>

#include "core/winograd.h"
#include "core/winograd_kernels.h"
#include "neon/winograd.h"

namespace armconv {
namespace detail {
namespace {

// ---- input ------------------------------------------------------------------------

// B_e on 5 vectors e0..e4 (F43s2::input_even, 10 instructions; constants in
// C: lane 0 = 2, lane 1 = 3, kIn43s2ConstValues), temporaries A, T; with
// a = e3 - e1:
//   t0 = a + 2 (e0 - e2),  t1 = (e1 + e2) - a,  t2 = a + 3 (e1 - e2),
//   t3 = a,                t4 = (e4 - e2) - 2 a.
// t0 is 2x + a by fadd (2x exact: the same rounding as fmla a, x, 2), so
// only t2 accumulates into a: part A leaves t0 = e0, t1 = T, t3 = A, t4 =
// e4 (e1 holds e1 - e2; e2, e3 are free); t3 must be stored (or copied)
// before part B turns A into t2.
#define S4_IN_A(e0, e1, e2, e3, e4, A, T, C)                                           \
  WA_FSUB(A, e3, e1)       /* a */                                                     \
  WA_FADD(T, e1, e2)       /* t1 = (e1 + e2) - a */                                    \
  WA_FSUB(T, T, A)                                                                     \
  WA_FSUB(e1, e1, e2)      /* y = e1 - e2 */                                           \
  WA_FSUB(e0, e0, e2)      /* t0 = 2 (e0 - e2) + a */                                  \
  WA_FADD(e0, e0, e0)                                                                  \
  WA_FADD(e0, e0, A)                                                                   \
  WA_FSUB(e4, e4, e2)      /* t4 = (e4 - e2) - 2 a */                                  \
  WA_FMLS(e4, A, C, 0)
#define S4_IN_B(e1, A, C) WA_FMLA(A, e1, C, 1) /* t2 = a + 3 y */

// Even patch rows 0, 2, 4, 6, 8, 4 pixels (columns 4h .. 4h + 3) of each,
// one ld1 {4 regs} per row through pointer S (stepped by 2 rows): row 2k in
// v16 + 4k (k < 4), row 8 in v1-v4. Column c of the batch is B_e's input
// e_k = (v16 + c, v20 + c, v24 + c, v28 + c, v1 + c). The even columns c = 0,
// 2 (patch columns 4h, 4h + 2, inputs of the row pass below) go to the
// stack buffer e[i][2h], e[i][2h + 1] in one stp per i; the odd columns
// (patch columns 4h + 1, 4h + 3) are final: V[i][5 + 2h], V[i][6 + 2h] through
// pointer o<i>, which steps by dst_pos.
#define S4_ST(t, P) "st1 {v" #t ".4s}, [%[" #P "]], %[dp]\n"
#define S4_STP(a, b, I, H) "stp q" #a ", q" #b ", [%[e], #(" #I " * 64 + " #H " * 32)]\n"
#define S4_ODD_COL(e0, e1, e2, e3, e4, A, T)                                           \
  S4_IN_A(e0, e1, e2, e3, e4, A, T, 0)                                                 \
  S4_ST(e0, o0) S4_ST(T, o1) S4_ST(A, o3)                                              \
  S4_IN_B(e1, A, 0)                                                                    \
  S4_ST(A, o2) S4_ST(e4, o4)
#define S4_EVEN_BATCH(S, H)                                                            \
  "ld1 {v16.4s, v17.4s, v18.4s, v19.4s}, [%[" #S "]], %[rs2]\n"                        \
  "ld1 {v20.4s, v21.4s, v22.4s, v23.4s}, [%[" #S "]], %[rs2]\n"                        \
  "ld1 {v24.4s, v25.4s, v26.4s, v27.4s}, [%[" #S "]], %[rs2]\n"                        \
  "ld1 {v28.4s, v29.4s, v30.4s, v31.4s}, [%[" #S "]], %[rs2]\n"                        \
  "ld1 {v1.4s, v2.4s, v3.4s, v4.4s}, [%[" #S "]]\n"                                    \
  S4_IN_A(16, 20, 24, 28, 1, 5, 6, 0)   /* c = 0: t0..t4 = v16, v6, (v5), v5, v1 */     \
  S4_IN_A(18, 22, 26, 30, 3, 24, 28, 0) /* c = 2: v18, v28, (v24), v24, v3 */           \
  S4_STP(5, 24, 3, H)                                                                  \
  S4_IN_B(20, 5, 0) S4_IN_B(22, 24, 0)                                                 \
  S4_STP(16, 18, 0, H) S4_STP(6, 28, 1, H) S4_STP(5, 24, 2, H) S4_STP(1, 3, 4, H)       \
  S4_ODD_COL(17, 21, 25, 29, 2, 5, 6) S4_ODD_COL(19, 23, 27, 31, 4, 7, 16)

// The row pass of row i of B_e E (its even columns: e[i][0..3] and the
// column-8 result in register L), 5 positions V[i][0..4] through pointer P:
// t0, t1, then t3 without write-back at P + dst_pos, t2 (P steps 2 positions),
// t4.
#define S4_ROW_STORES(t0, t1, t2, t3, t4, y, P)                                        \
  S4_ST(t0, P) S4_ST(t1, P)                                                            \
  "str q" #t3 ", [%[" #P "], %[dp]]\n"                                                 \
  S4_IN_B(y, t2, 0)                                                                    \
  "st1 {v" #t2 ".4s}, [%[" #P "]], %[dp2]\n"                                           \
  S4_ST(t4, P)
#define S4_EVEN_ROW(L, P)                                                              \
  "ld1 {v1.4s, v2.4s, v3.4s, v4.4s}, [%[e]], #64\n"                                    \
  S4_IN_A(1, 2, 3, 4, L, 5, 6, 0)                                                      \
  S4_ROW_STORES(1, 6, 5, 5, L, 2, P)
// Odd patch row 2k + 1 (9 pixels in v16-v24, pointer T): V[5 + k][0..4] =
// B_e on its even pixels, V[5 + k][5..8] = its odd pixels, through o4.
#define S4_ODD_ROW                                                                     \
  "ld1 {v16.4s, v17.4s, v18.4s, v19.4s}, [%[t]], #64\n"                                \
  "ld1 {v20.4s, v21.4s, v22.4s, v23.4s}, [%[t]], #64\n"                                \
  "ld1 {v24.4s}, [%[t]], %[rso]\n"                                                     \
  S4_IN_A(16, 18, 20, 22, 24, 25, 26, 0)                                               \
  S4_ROW_STORES(16, 26, 25, 25, 24, 18, o4)                                            \
  S4_ST(17, o4) S4_ST(19, o4) S4_ST(21, o4) S4_ST(23, o4)

// wino_input_fn: the even rows' batches of columns 0..3 and 4..7 (per batch 5
// ld1, 4 x 10 arithmetic, 5 stp, 10 st1), column 8 (5 ld1, 11), the 5 row
// passes of B_e E (ld1, 10, 5 stores each), the 4 odd rows (3 ld1, 10, 9
// stores each), + set-up.
void input_tile_a64(const float* src, size_t src_row, float* dst, size_t dst_pos) {
  alignas(16) float e[5][4][4];  // e[i][h]: column pass of even column 2h, row i
  float* ep = &e[0][0][0];
  const size_t rb = src_row * sizeof(float), dp = dst_pos * sizeof(float);
  const float* s1 = src + 16;       // pixels 4..7 of the even rows
  const float* s2 = src + 32;       // pixel 8
  const float* t = src + src_row;  // the odd rows
  float* o0 = dst + 5 * dst_pos;   // V[i][5]: o<i> = o0 + 9 i dst_pos
  float* o1 = o0 + 9 * dst_pos;
  float* o2 = o1 + 9 * dst_pos;
  float* o3 = o2 + 9 * dst_pos;
  float* o4 = o3 + 9 * dst_pos;
  asm volatile(
      "ld1 {v0.4s}, [%[c]]\n"
      S4_EVEN_BATCH(src, 0)
      S4_EVEN_BATCH(s1, 1)
      // Column 8 over the even rows: t0..t4 = v16, v22, v21, v23 (a copy of
      // t3, which the row pass needs besides t2), v20.
      "ld1 {v16.4s}, [%[s2]], %[rs2]\n"
      "ld1 {v17.4s}, [%[s2]], %[rs2]\n"
      "ld1 {v18.4s}, [%[s2]], %[rs2]\n"
      "ld1 {v19.4s}, [%[s2]], %[rs2]\n"
      "ld1 {v20.4s}, [%[s2]]\n"
      S4_IN_A(16, 17, 18, 19, 20, 21, 22, 0)
      WA_MOV(23, 21)
      S4_IN_B(17, 21, 0)
      // Rows 0..4 of B_e E: row 0 at dst, row i + 1 at o<i> (which the odd
      // columns left at V[i][9] = V[i + 1][0]); o4 is then at V[5][0].
      S4_EVEN_ROW(16, dst) S4_EVEN_ROW(22, o0) S4_EVEN_ROW(21, o1) S4_EVEN_ROW(23, o2)
      S4_EVEN_ROW(20, o3)
      S4_ODD_ROW S4_ODD_ROW S4_ODD_ROW S4_ODD_ROW
      : [src] "+r"(src), [s1] "+r"(s1), [s2] "+r"(s2), [t] "+r"(t), [e] "+r"(ep), [dst] "+r"(dst),
        [o0] "+r"(o0), [o1] "+r"(o1), [o2] "+r"(o2), [o3] "+r"(o3), [o4] "+r"(o4)
      : [rs2] "r"(2 * rb), [rso] "r"(2 * rb - 128), [dp] "r"(dp), [dp2] "r"(2 * dp),
        [c] "r"(wino::kIn43s2ConstValues)
      : "memory", WA_VCLOBBER);
}

// ---- output -----------------------------------------------------------------------

// A_e^T on 5 vectors m0..m4 (8 instructions; constants in C: lane 0 = 2,
// lane 1 = 4, lane 2 = 8, kOut43ConstValues), fresh temporary X: with
// s = m1 + m2 (in X), d = m1 - m2 (in m1),
//   y0 = (m0 + s) + m3,  y1 = d + 2 m3,  y2 = s + 4 m3,  y3 = (d + m4) + 8 m3
// in m0, m1, X, m4 (m2, m3 are free after).
#define S4_OUT_AE(m0, m1, m2, m3, m4, X, C)                                            \
  WA_FADD(X, m1, m2)                                                                   \
  WA_FSUB(m1, m1, m2)                                                                  \
  WA_FADD(m0, m0, X)                                                                   \
  WA_FADD(m0, m0, m3)                                                                  \
  WA_FADD(m4, m4, m1)                                                                  \
  WA_FMLA(m4, m3, C, 2)                                                                \
  WA_FMLA(m1, m3, C, 0)                                                                \
  WA_FMLA(X, m3, C, 1)
// One row of M (9 positions, %[s] stepping by src_pos) times A'
// (F43s2::output_1d: A_e^T on m0..m4, then + m5..m8, which are loaded into
// the free m2, m3): results in m0, m1, X, m4.
#define S4_LD(r) "ld1 {v" #r ".4s}, [%[s]], %[spos]\n"
#define S4_OUT_ROW(m0, m1, m2, m3, m4, X)                                              \
  S4_LD(m0) S4_LD(m1) S4_LD(m2) S4_LD(m3) S4_LD(m4)                                    \
  S4_OUT_AE(m0, m1, m2, m3, m4, X, 0)                                                  \
  S4_LD(m2) WA_FADD(m0, m0, m2)                                                        \
  S4_LD(m3) WA_FADD(m1, m1, m3)                                                        \
  S4_LD(m2) WA_FADD(X, X, m2)                                                          \
  S4_LD(m3) WA_FADD(m4, m4, m3)
// Rows 0..4 of R = M A' (R_i[0..3] in v16-19, v20-23, {v27, v1, v2, v3},
// v4-v7, v28-31; v24, v25 scratch), then A_e^T on each of R's 4 columns so
// that Y row a lands in v16 + 4a (X of column b: v24 + b; v27 is free after
// column 0), then Y row a += R_5+a (rows 5..8 of M in v1-v6).
#define S4_OUT_ODD(y0, y1, y2, y3)                                                     \
  S4_OUT_ROW(1, 2, 3, 4, 5, 6)                                                         \
  WA_FADD(y0, y0, 1) WA_FADD(y1, y1, 2) WA_FADD(y2, y2, 6) WA_FADD(y3, y3, 5)
#define S4_OUT_Y                                                                       \
  S4_OUT_ROW(16, 17, 24, 25, 19, 18)                                                   \
  S4_OUT_ROW(20, 21, 24, 25, 23, 22)                                                   \
  S4_OUT_ROW(27, 1, 24, 25, 3, 2)                                                      \
  S4_OUT_ROW(4, 5, 24, 25, 7, 6)                                                       \
  S4_OUT_ROW(28, 29, 24, 25, 31, 30)                                                   \
  S4_OUT_AE(16, 20, 27, 4, 28, 24, 0)                                                  \
  S4_OUT_AE(17, 21, 1, 5, 29, 25, 0)                                                   \
  S4_OUT_AE(18, 22, 2, 6, 30, 26, 0)                                                   \
  S4_OUT_AE(19, 23, 3, 7, 31, 27, 0)                                                   \
  S4_OUT_ODD(16, 17, 18, 19) S4_OUT_ODD(20, 21, 22, 23) S4_OUT_ODD(24, 25, 26, 27)         \
  S4_OUT_ODD(28, 29, 30, 31)

// Stores: row a of Y (v16 + 4a ..) is, for channel l, one st<cols> of lane l
// to o<l> = dst + l dst_ch, which then steps to the next row (adv).
#define S4_T1_0 "{v16.s}"
#define S4_T1_1 "{v20.s}"
#define S4_T1_2 "{v24.s}"
#define S4_T1_3 "{v28.s}"
#define S4_T2_0 "{v16.s, v17.s}"
#define S4_T2_1 "{v20.s, v21.s}"
#define S4_T2_2 "{v24.s, v25.s}"
#define S4_T2_3 "{v28.s, v29.s}"
#define S4_T3_0 "{v16.s, v17.s, v18.s}"
#define S4_T3_1 "{v20.s, v21.s, v22.s}"
#define S4_T3_2 "{v24.s, v25.s, v26.s}"
#define S4_T3_3 "{v28.s, v29.s, v30.s}"
#define S4_T4_0 "{v16.s, v17.s, v18.s, v19.s}"
#define S4_T4_1 "{v20.s, v21.s, v22.s, v23.s}"
#define S4_T4_2 "{v24.s, v25.s, v26.s, v27.s}"
#define S4_T4_3 "{v28.s, v29.s, v30.s, v31.s}"
#define S4_STL(N, a, l) "st" #N " " S4_T##N##_##a "[" #l "], [%[o" #l "]], %[adv]\n"
#define S4_STROW(N, a) S4_STL(N, a, 0) S4_STL(N, a, 1) S4_STL(N, a, 2) S4_STL(N, a, 3)
// Full tile: 4 rows of 4.
#define S4_FULL_ST S4_STROW(4, 0) S4_STROW(4, 1) S4_STROW(4, 2) S4_STROW(4, 3)
// Edge tile: `rows` rows of `cols` pixels: one block per column count (label
// N0 for N columns, chosen by at most 2 compares), leaving after row `rows`.
#define S4_EDGE_N(N)                                                                   \
  #N "0:\n"                                                                            \
  S4_STROW(N, 0) "subs %[rows], %[rows], #1\n" "b.eq 9f\n"                             \
  S4_STROW(N, 1) "subs %[rows], %[rows], #1\n" "b.eq 9f\n"                             \
  S4_STROW(N, 2) "subs %[rows], %[rows], #1\n" "b.eq 9f\n"                             \
  S4_STROW(N, 3)
#define S4_EDGE_ST                                                                     \
  "cmp %[cols], #2\n"                                                                  \
  "b.eq 20f\n"                                                                         \
  "b.lo 10f\n"                                                                         \
  "cmp %[cols], #3\n"                                                                  \
  "b.eq 30f\n"                                                                         \
  S4_EDGE_N(4) "b 9f\n"                                                                \
  S4_EDGE_N(3) "b 9f\n"                                                                \
  S4_EDGE_N(2) "b 9f\n"                                                                \
  S4_EDGE_N(1)                                                                         \
  "9:\n"
// max(y, lo) then min(., hi) as the generic path (NaN propagates): lo, hi
// in v0, v1 (free once Y is made).
#define S4_LOHI "ld2r {v0.4s, v1.4s}, [%[lohi]]\n"
#define S4_CLAMP16(OP, b)                                                              \
  OP(16, 16, b) OP(17, 17, b) OP(18, 18, b) OP(19, 19, b) OP(20, 20, b) OP(21, 21, b)  \
  OP(22, 22, b) OP(23, 23, b) OP(24, 24, b) OP(25, 25, b) OP(26, 26, b) OP(27, 27, b)  \
  OP(28, 28, b) OP(29, 29, b) OP(30, 30, b) OP(31, 31, b)
#define S4_CLAMP_LO S4_CLAMP16(WA_FMAX, 0)
#define S4_CLAMP_HI S4_CLAMP16(WA_FMIN, 1)
#define S4_FULL_BODY(CLAMP_SETUP, CLAMP) S4_OUT_Y CLAMP_SETUP CLAMP S4_FULL_ST
#define S4_EDGE_BODY(CLAMP_SETUP, CLAMP) S4_OUT_Y CLAMP_SETUP CLAMP S4_EDGE_ST
#define S4_OUT_SETUP                                                                   \
  "ld1 {v0.4s}, [%[c]]\n"                                                              \
  "add %[o1], %[o0], %[ch]\n"                                                          \
  "add %[o2], %[o1], %[ch]\n"                                                          \
  "add %[o3], %[o2], %[ch]\n"
#define S4_OUT_OPERANDS                                                                \
  : [s] "+r"(s), [o0] "+r"(o0), [o1] "=&r"(o1), [o2] "=&r"(o2), [o3] "=&r"(o3),        \
    [rows] "+r"(rows)                                                                  \
  : [spos] "r"(src_pos * sizeof(float)), [ch] "r"(dst_ch * sizeof(float)),             \
    [adv] "r"(dst_row * sizeof(float)), [c] "r"(wino::kOut43ConstValues),              \
    [lohi] "r"(lohi), [cols] "r"(ot.cols)                                              \
  : "memory", "cc", WA_VCLOBBER
#define S4_OUT_ASM(BODY) \
  WA_ASM_PER_CLAMP(S4_OUT_SETUP, BODY, S4_LOHI, S4_CLAMP_LO, S4_CLAMP_HI, S4_OUT_OPERANDS)

// 4-channel output transforms, full (4x4) or edge tiles, per clamp mode:
// 81 ld1 + 9 x 12 + 4 x 8 + 16 arithmetic, (16 or 32 per clamp), 16 st4
// (full tiles), + set-up.
template <bool Full, int Clamp>
void output_a64(const float* src, size_t src_pos, const WinoOutTile& ot, size_t /*nch*/, size_t dst_ch,
                size_t dst_row, bool /*clamp*/, float lo, float hi) {
  const float lohi[2] = {lo, hi};
  const float* s = src;
  float* o0 = ot.dst;
  float *o1, *o2, *o3;
  size_t rows = ot.rows;
  if (Full) {
    S4_OUT_ASM(S4_FULL_BODY)
  } else {
    S4_OUT_ASM(S4_EDGE_BODY)
  }
}

constexpr wino_output_fn kOutput[2][4] = WA_OUTPUT_TABLE(output_a64);

}  // namespace

const WinoKernels& wino43s2_neon_kernels() {
  static const WinoKernels k = {"winograd43s2-aarch64-nc4", 4, pack_nc4, input_tile_a64,
                                output_tile_4ch<wino::F43s2, kOutput>};
  return k;
}

}  // namespace detail
}  // namespace armconv

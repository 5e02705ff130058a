// NEON Winograd F(2x2, 3x3) stride-2 transforms, aarch64 (winograd23s2-aarch64-nc4:
// one tile of 4 channels per call). The matrices are in core/winograd.h
// (stride 2: B'^T, A'^T, n = 5); the 1-D operations are those of wino::F23s2
// in core/winograd_kernels.h, in the same order and with the same roundings
// (keep them in step); only the order of the passes differs from the
// template, so results agree with it up to that reassociation.
//
// As F(4,3)s2 (neon/aarch64/winograd43s2_nc4.cpp, where the shapes of B'^T
// and A'^T are written down), but small enough to stay in registers: the
// input transform makes V = B'^T d B' as the column pass over the even patch
// rows (all 5 columns), the row pass of those 3 rows, then the row pass of
// the odd rows 1 and 3 (rows 3, 4 of V, final after one pass), and stores
// its 25 positions in order through one pointer; the output transform is the
// row pass R = M A' over the 25 positions in order (one pointer), then A'^T
// on R's 2 columns. Per tile x 4 channels (cortex-a72, bench/insncount.py
// wino23s2_*_x400 / 400, call and bench loop included): input 77, output
// 136 (clamped 154) against 129, 200 (210) for the compiled template. Only caller-saved vector registers are used; output
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

// B_e (F(2,2)'s B^T) on the even samples e0, e1, e2 = x0, x2, x4 of 5, in
// place (F23s2::input_even): t0 = x0 - x2, t1 = x2, t2 = x4 - x2.
#define S2_BE(x0, x2, x4) WA_FSUB(x0, x0, x2) WA_FSUB(x4, x4, x2)
// One patch row of 5 pixels to 5 registers (pointer S, then stepped by the
// register R to its next row).
#define S2_LDROW(a, b, c, d, e, S, R)                                                  \
  "ld1 {v" #a ".4s, v" #b ".4s, v" #c ".4s, v" #d ".4s}, [%[" #S "]], #64\n"           \
  "ld1 {v" #e ".4s}, [%[" #S "]], %[" #R "]\n"
#define S2_ST(t) "st1 {v" #t ".4s}, [%[d]], %[dp]\n"
// Row pass of a row x0..x4 in place: its positions t0, t1, t2 (B_e on the
// even pixels), t3, t4 (the odd pixels) stored in order.
#define S2_ROW(x0, x1, x2, x3, x4) S2_BE(x0, x2, x4) S2_ST(x0) S2_ST(x2) S2_ST(x4) S2_ST(x1) S2_ST(x3)

// wino_input_fn: 10 ld1, 20 arithmetic, 25 st1, + set-up. Even rows 0, 2,
// 4 in v16-v20, v21-v25, v26-v30 (the column pass, then the row pass of each
// makes V rows 0..2), odd rows 1, 3 in v1-v5 (V rows 3, 4).
void input_tile_a64(const float* src, size_t src_row, float* dst, size_t dst_pos) {
  const size_t rb = src_row * sizeof(float);
  const float* t = src + src_row;
  asm volatile(
      S2_LDROW(16, 17, 18, 19, 20, s, rs2)
      S2_LDROW(21, 22, 23, 24, 25, s, rs2)
      S2_LDROW(26, 27, 28, 29, 30, s, rs2)
      S2_BE(16, 21, 26) S2_BE(17, 22, 27) S2_BE(18, 23, 28) S2_BE(19, 24, 29) S2_BE(20, 25, 30)
      S2_ROW(16, 17, 18, 19, 20)
      S2_ROW(21, 22, 23, 24, 25)
      S2_ROW(26, 27, 28, 29, 30)
      S2_LDROW(1, 2, 3, 4, 5, t, rs2)
      S2_ROW(1, 2, 3, 4, 5)
      S2_LDROW(1, 2, 3, 4, 5, t, rs2)
      S2_ROW(1, 2, 3, 4, 5)
      : [s] "+r"(src), [t] "+r"(t), [d] "+r"(dst)
      : [rs2] "r"(2 * rb - 64), [dp] "r"(dst_pos * sizeof(float))
      : "memory", "v1", "v2", "v3", "v4", "v5", "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23",
        "v24", "v25", "v26", "v27", "v28", "v29", "v30");
}

// ---- output -----------------------------------------------------------------------

// F23s2::output_1d in place: y0 = (m0 + m1) + m3 in m0, y1 = (m1 + m2) + m4
// in m1.
#define S2_AT(m0, m1, m2, m3, m4) WA_FADD(m0, m0, m1) WA_FADD(m0, m0, m3) WA_FADD(m1, m1, m2) WA_FADD(m1, m1, m4)
#define S2_LD(r) "ld1 {v" #r ".4s}, [%[s]], %[spos]\n"
#define S2_OUT_ROW(a, b, c, d, e) S2_LD(a) S2_LD(b) S2_LD(c) S2_LD(d) S2_LD(e) S2_AT(a, b, c, d, e)
// Row i of M to R_i = (v16 + 2i, v17 + 2i) (row i loads into v16 + 2i ..
// v20 + 2i: the 3 above the last row's result are free), then A'^T on R's
// columns: Y row a in v16 + 2a, v17 + 2a.
#define S2_OUT_Y                                                                       \
  S2_OUT_ROW(16, 17, 18, 19, 20) S2_OUT_ROW(18, 19, 20, 21, 22)                        \
  S2_OUT_ROW(20, 21, 22, 23, 24) S2_OUT_ROW(22, 23, 24, 25, 26)                        \
  S2_OUT_ROW(24, 25, 26, 27, 28)                                                       \
  S2_AT(16, 18, 20, 22, 24) S2_AT(17, 19, 21, 23, 25)
// Channel l of Y row a: one st<cols> of lane l to o<l> = dst + l dst_ch,
// which then steps to the next row (adv).
#define S2_STL(N, a, l) "st" #N " " S2_T##N##_##a "[" #l "], [%[o" #l "]], %[adv]\n"
#define S2_T1_0 "{v16.s}"
#define S2_T1_1 "{v18.s}"
#define S2_T2_0 "{v16.s, v17.s}"
#define S2_T2_1 "{v18.s, v19.s}"
#define S2_STROW(N, a) S2_STL(N, a, 0) S2_STL(N, a, 1) S2_STL(N, a, 2) S2_STL(N, a, 3)
#define S2_FULL_ST S2_STROW(2, 0) S2_STROW(2, 1)
// Edge tile: `rows` (1, 2) rows of `cols` (1, 2) pixels.
#define S2_EDGE_N(N) #N "0:\n" S2_STROW(N, 0) "cmp %[rows], #1\n" "b.eq 9f\n" S2_STROW(N, 1)
#define S2_EDGE_ST                                                                     \
  "cmp %[cols], #2\n"                                                                  \
  "b.lo 10f\n"                                                                         \
  S2_EDGE_N(2) "b 9f\n"                                                                \
  S2_EDGE_N(1)                                                                         \
  "9:\n"
// max(y, lo) then min(., hi) as the generic path (NaN propagates): lo, hi
// in v0, v1.
#define S2_LOHI "ld2r {v0.4s, v1.4s}, [%[lohi]]\n"
#define S2_CLAMP_LO WA_FMAX(16, 16, 0) WA_FMAX(17, 17, 0) WA_FMAX(18, 18, 0) WA_FMAX(19, 19, 0)
#define S2_CLAMP_HI WA_FMIN(16, 16, 1) WA_FMIN(17, 17, 1) WA_FMIN(18, 18, 1) WA_FMIN(19, 19, 1)
#define S2_FULL_BODY(CLAMP_SETUP, CLAMP) S2_OUT_Y CLAMP_SETUP CLAMP S2_FULL_ST
#define S2_EDGE_BODY(CLAMP_SETUP, CLAMP) S2_OUT_Y CLAMP_SETUP CLAMP S2_EDGE_ST
#define S2_OUT_SETUP                                                                   \
  "add %[o1], %[o0], %[ch]\n"                                                          \
  "add %[o2], %[o1], %[ch]\n"                                                          \
  "add %[o3], %[o2], %[ch]\n"
#define S2_OUT_OPERANDS                                                                \
  : [s] "+r"(s), [o0] "+r"(o0), [o1] "=&r"(o1), [o2] "=&r"(o2), [o3] "=&r"(o3)         \
  : [spos] "r"(src_pos * sizeof(float)), [ch] "r"(dst_ch * sizeof(float)),             \
    [adv] "r"(dst_row * sizeof(float)), [lohi] "r"(lohi), [rows] "r"(ot.rows),          \
    [cols] "r"(ot.cols)                                                                \
  : "memory", "cc", "v0", "v1", "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23",  \
    "v24", "v25", "v26", "v27", "v28"
#define S2_OUT_ASM(BODY) \
  WA_ASM_PER_CLAMP(S2_OUT_SETUP, BODY, S2_LOHI, S2_CLAMP_LO, S2_CLAMP_HI, S2_OUT_OPERANDS)

// 4-channel output transforms, full (2x2) or edge tiles, per clamp mode:
// 25 ld1, 28 arithmetic (+ 4 per bound), 8 st2 (full tiles), + set-up.
template <bool Full, int Clamp>
void output_a64(const float* src, size_t src_pos, const WinoOutTile& ot, size_t /*nch*/, size_t dst_ch,
                size_t dst_row, bool /*clamp*/, float lo, float hi) {
  const float lohi[2] = {lo, hi};
  const float* s = src;
  float* o0 = ot.dst;
  float *o1, *o2, *o3;
  if (Full) {
    S2_OUT_ASM(S2_FULL_BODY)
  } else {
    S2_OUT_ASM(S2_EDGE_BODY)
  }
}

constexpr wino_output_fn kOutput[2][4] = WA_OUTPUT_TABLE(output_a64);

}  // namespace

const WinoKernels& wino23s2_neon_kernels() {
  static const WinoKernels k = {"winograd23s2-aarch64-nc4", 2, pack_nc4, input_tile_a64,
                                output_tile_4ch<wino::F23s2, kOutput>};
  return k;
}

}  // namespace detail
}  // namespace armconv

// NEON fp32 depthwise 3x3, stride 1, pad 1 ("same"), 7x7 planes
// (MobileNetV2's and MobileNet v1's last stage at 224x224 input: 960 and
// 1024 planes of 7x7), aarch64: one LD2 per input row, the even and odd
// output columns apart, all planes of a call in one assembly loop (but the
// last: see below). Part of dwconv3x3-aarch64-1x16 (its table and the one
// place that picks a kernel per shape: dwconv3x3_1x16.cpp).
//
// Why a kernel of its own. The LD1 rows kernel (dwconv3x3_1x16_s1_ld1rows.cpp)
// runs a 7-column row as two vectors, columns 0..3 and 4..7 (column 7 past
// the row): per input row 3 LD1, 1 EXT (tap column 0 of vector 0) and 1 INS
// (the right padding lane of the last tap-column-2 window) = 5 window
// instructions. Here a row is the pair
//   E = (c0, c2, c4, c6), O = (c1, c3, c5, c7')      (LD2 of 8 columns; c7' is
//                                                      the next row's c0)
// and the output row the pair of accumulators Ae (columns 0, 2, 4, 6) and
// Ao (1, 3, 5, and 7: past the row, never kept). Output column o reads input
// columns o-1, o, o+1, so
//   Ae: tap column 0 (-1, 1, 3, 5) = ext(0, O', 3)   Ao: tap column 0 = E
//       tap column 1 (0, 2, 4, 6)  = E                   tap column 1 = O'
//       tap column 2 (1, 3, 5, 7)  = O'                  tap column 2 = ext(E, 0, 1)
//                                                          (2, 4, 6, and 8: lane 3
//                                                          feeds only column 7)
// with O' = O, lane 3 zeroed (INS from wzr: column 7 is the right padding
// for Ae's lane 3 = output column 6). Per input row LD2, INS, 2 EXT = 4
// window instructions (one fewer); 2 x 9 FMLA/FMUL per output row; the
// output stage per output row 2 bias FMLAs (+ 2 FMAX, 2 FMIN with the clamp)
// and one ST2, which interleaves Ae, Ao back into columns 0..7.
//
// Floor (instructions per 7x7 plane, clamped): 7 rows x 2 vectors x 9 = 126
// FMLA/FMUL less the 2 x 2 x 3 of the top and bottom rows (no tap row 0 /
// tap row 2 terms) = 114; output stage 7 x (2 x 3 + 1 ST2) = 49; windows 7 x
// 4 = 28; per plane 3 (taps LD1, loop SUBS, B.NE): 194 (441 MACs: 2.27
// MACs/insn; unclamped 166, 2.66). The LD1 rows kernel: 202 (7 x 5
// windows). The lane waste (8 lanes per 7 columns) is the rest of the gap to
// the dense bound (49 outputs = 12.25 vectors: 12.25 x 12 - 10.5 edge terms
// + loads and stores ~ 145): a layout without it (the plane as one run of
// vectors, rows crossing lanes) needs 9 distinct window offsets per output
// vector (7(dy-1) + dx-1: only -8/0/8, -7/1, -6/6, -1/7 share a grid) and
// lane masks at every row boundary, which cost more than the lanes save.
//
// Past the row's end: each LD2 reads one column past its row (the next
// row's first; for the plane's last row the next plane's first) and each ST2
// writes one (output column 7 of row r lands on row r+1's column 0, stored
// after it; row 6's on the next plane's first output, stored in the next
// trip). So the call's last plane is not run here: the entry point runs
// planes 0 .. count-2 (dw_s1_ld1_planes, core/dwconv.h) and leaves the last
// one to the LD1 rows kernel's fallbacks (the rows kernel / strips).
//
// Rows (as the LD1 rows kernel): input row i feeds output rows i+1 (tap row
// 0: an FMUL of tap 0 starts it), i (tap row 1) and i-1 (tap row 2, which
// completes it: bias, clamp, store); row 0 has no tap-row-0 terms (its
// accumulators start with an FMUL of tap 3), row 6 no tap-row-2 terms. The
// terms of every output and their order (tap rows 0, 1, 2, tap columns 0,
// 1, 2, the bias last, then the clamp) are those of every other kernel of
// the family: the same bits whichever kernel runs a plane (test_dwconv's
// square maps and square runs compare row cuts and single planes, which
// other kernels run, bit for bit).
// Seven rows, straight-line code (no row loop): output row r in the
// accumulator pair r mod 3.
//
// Register map: v0-v2 taps (tap T: lane T%4 of v(T/4); the packed bias is
// lane 1 of v2), v4/v5 the clamp's bounds, v6 ones, v7 zero; the row: v8 E,
// v9 O', v10 ext(0, O', 3), v11 ext(E, 0, 1); accumulators Ae/Ao of output
// rows r = 0, 1, 2 mod 3: v16/v17, v18/v19, v20/v21; output stage v12, v13.
// General registers: x (input row, post-indexed by the row's 28 bytes), y
// (output row, likewise), k (packed weights, 48 bytes a plane), planes.
#include <cstddef>

#include "core/dwconv.h"

namespace armconv {
namespace detail {

namespace {

#define DW7_K0 "v0.s[0]"
#define DW7_K1 "v0.s[1]"
#define DW7_K2 "v0.s[2]"
#define DW7_K3 "v0.s[3]"
#define DW7_K4 "v1.s[0]"
#define DW7_K5 "v1.s[1]"
#define DW7_K6 "v1.s[2]"
#define DW7_K7 "v1.s[3]"
#define DW7_K8 "v2.s[0]"
#define DW7_FMLA(acc, w, t) "fmla " acc ".4s, " w ".4s, " t "\n\t"
#define DW7_FMUL(acc, w, t) "fmul " acc ".4s, " w ".4s, " t "\n\t"

// Accumulator pairs (Ae, Ao) of output rows r mod 3 = n: DW7_A<n>E, DW7_A<n>O.
#define DW7_A0E "v16"
#define DW7_A0O "v17"
#define DW7_A1E "v18"
#define DW7_A1O "v19"
#define DW7_A2E "v20"
#define DW7_A2O "v21"

// Input row i: E, O' and the two shifted windows (see the top).
#define DW7_LOAD                                \
  "ld2 {v8.4s, v9.4s}, [%[x]], %[xs]\n\t"       \
  "mov v9.s[3], wzr\n\t"                        \
  "ext v10.16b, v7.16b, v9.16b, #12\n\t"        \
  "ext v11.16b, v8.16b, v7.16b, #4\n\t"

// One tap row (taps a, b, c: tap columns 0, 1, 2) of the input row into
// pair n; OP0: FMUL (starts the pair) or FMLA, for tap column 0.
#define DW7_TAPROW(OP0, n, a, b, c)                                                          \
  OP0(DW7_A##n##E, "v10", a) OP0(DW7_A##n##O, "v8", a) DW7_FMLA(DW7_A##n##E, "v8", b)        \
  DW7_FMLA(DW7_A##n##O, "v9", b) DW7_FMLA(DW7_A##n##E, "v9", c) DW7_FMLA(DW7_A##n##O, "v11", c)
#define DW7_TR0(OP0, n) DW7_TAPROW(OP0, n, DW7_K0, DW7_K1, DW7_K2)
#define DW7_TR1(OP0, n) DW7_TAPROW(OP0, n, DW7_K3, DW7_K4, DW7_K5)
#define DW7_TR2(n) DW7_TAPROW(DW7_FMLA, n, DW7_K6, DW7_K7, DW7_K8)

// Output stage of pair n: the bias as an FMLA of the ones vector (v6) by
// the packed bias lane, in place (acc + 1 * b rounds once: the bits of acc +
// b; no per-plane DUP of the bias), then ACT: the clamp into v12, v13 and
// their ST2, or the ST2 of the pair itself (columns 0..7 of the row: 7 past
// it, see the top).
#define DW7_BIAS(n) "fmla " DW7_A##n##E ".4s, v6.4s, v2.s[1]\n\t" "fmla " DW7_A##n##O ".4s, v6.4s, v2.s[1]\n\t"
#define DW7_CLAMP(n)                                                                          \
  "fmax v12.4s, " DW7_A##n##E ".4s, v4.4s\n\t" "fmax v13.4s, " DW7_A##n##O ".4s, v4.4s\n\t"     \
  "fmin v12.4s, v12.4s, v5.4s\n\t" "fmin v13.4s, v13.4s, v5.4s\n\t"                             \
  "st2 {v12.4s, v13.4s}, [%[y]], %[xs]\n\t"
#define DW7_NONE(n) "st2 {" DW7_A##n##E ".4s, " DW7_A##n##O ".4s}, [%[y]], %[xs]\n\t"
#define DW7_STORE(ACT, n) DW7_BIAS(n) ACT(n)

// Input row 0 (rows 0 and 1 start); rows i = 1..5 (P: output row i's pair,
// Q: i+1's, started; N: i-1's, completed and stored); row 6 (rows 5 and 6
// complete). Output row r in pair r mod 3.
#define DW7_ROW0 DW7_LOAD DW7_TR1(DW7_FMUL, 0) DW7_TR0(DW7_FMUL, 1)
#define DW7_ROWM(ACT, N, P, Q) DW7_LOAD DW7_TR2(N) DW7_TR1(DW7_FMLA, P) DW7_TR0(DW7_FMUL, Q) DW7_STORE(ACT, N)
#define DW7_ROW6(ACT, N, P) DW7_LOAD DW7_TR2(N) DW7_TR1(DW7_FMLA, P) DW7_STORE(ACT, N) DW7_STORE(ACT, P)
#define DW7_PLANE(ACT)                              \
  DW7_ROW0                                          \
  DW7_ROWM(ACT, 0, 1, 2) /* input row 1 */          \
  DW7_ROWM(ACT, 1, 2, 0) /* 2 */                    \
  DW7_ROWM(ACT, 2, 0, 1) /* 3 */                    \
  DW7_ROWM(ACT, 0, 1, 2) /* 4 */                    \
  DW7_ROWM(ACT, 1, 2, 0) /* 5 */                    \
  DW7_ROW6(ACT, 2, 0)    /* 6: rows 5 and 6 */

// All planes: the taps (k moves to the next plane's) and the bias, then the
// plane's seven rows; x and y walk on through the planes by themselves.
#define DW7_PLANES(ACT)                        \
  "movi v7.4s, #0\n\t"                         \
  "fmov v6.4s, #1.0\n\t"                       \
  "1:\n\t"                                     \
  "ld1 {v0.4s, v1.4s, v2.4s}, [%[k]], #48\n\t" \
  DW7_PLANE(ACT)                               \
  "subs %[planes], %[planes], #1\n\t"          \
  "b.ne 1b\n\t"

#define DW7_OPERANDS                                                                                  \
  : [x] "+r"(x), [y] "+r"(y), [k] "+r"(k), [planes] "+r"(planes)                                      \
  : [xs] "r"(xs), [lo] "r"(&p.lo), [hi] "r"(&p.hi)                                                    \
  : "cc", "memory", "v0", "v1", "v2", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11", "v12", "v13", \
    "v16", "v17", "v18", "v19", "v20", "v21"

template <bool CLAMP>
void ld2w7(const DwPlane& p, size_t planes) {
  const float* x = p.x;
  float* y = p.y;
  const float* k = p.k;
  const ptrdiff_t xs = ptrdiff_t(4 * 7);  // a row, in and out
  if constexpr (CLAMP)
    __asm__ volatile("ld1r {v4.4s}, [%[lo]]\n\t"
                     "ld1r {v5.4s}, [%[hi]]\n\t" DW7_PLANES(DW7_CLAMP) DW7_OPERANDS);
  else
    __asm__ volatile(DW7_PLANES(DW7_NONE) DW7_OPERANDS);
}

}  // namespace

// Runs planes of p if they are 7x7 and "same"-padded (pad 1 on every side,
// ho = h = 7, wo = w = 7); returns how many it ran, from the first: all but
// the last (its rows' loads and stores reach one column past their ends);
// 0: none (the shape is not this kernel's, or a single plane).
size_t dwconv3x3_aarch64_1x8_s1_ld2w7(const DwPlane& p) {
  if (p.h != 7 || p.w != 7) return 0;
  const size_t planes = dw_s1_ld1_planes(p);  // the "same" shape; count - 1 (w % 4 != 0)
  if (planes == 0) return 0;
  p.clamp ? ld2w7<true>(p, planes) : ld2w7<false>(p, planes);
  return planes;
}

}  // namespace detail
}  // namespace armconv

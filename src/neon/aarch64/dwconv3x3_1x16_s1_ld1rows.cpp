// NEON fp32 depthwise 3x3, stride 1, pad 1 ("same"), maps of any width
// from 5 (MobileNetV2's 112x112 .. 7x7 layers, and those of other input
// sizes: 300x300's 150 .. 5, 192x192's 96 .. 6, 256x256's 128 .. 8), aarch64:
// bands of up to 16 columns, each one pass of a rows kernel down the plane
// (three rows of accumulators in registers), all planes of a call in one
// assembly loop. w >= 17 (NV = ceil(w/4) vectors): a left band of 4
// vectors, middle bands of 4, a right band of NR = 1..4 (28 columns:
// 16 + 12; 56: 16 + 16 + 16 + 8; 150: 16 + 8 x 16 + 6 in 2 vectors);
// 5 .. 16: one band of NV = 2..4 vectors (14: 4, 7: 2). Part of
// dwconv3x3-aarch64-1x16 (its table: dwconv3x3_1x16.cpp), which runs every
// plane this kernel leaves with the rows kernel (neon/dwconv3x3_rows.h) or
// the strips (neon/dwconv.h).
//
// Before, such rows were strips (Strip1, neon/dwconv.h: the same windows
// and bands, but each strip set up per plane with its layout checks and
// step sequences, and the narrower strips of a row's end: a 28-column row
// was 16 + 8 + 4 columns, where a band of 12 does in 3 loads and a store
// what the 8- and 4-column strips did in 6 and 2). The 14- and 7-column
// rows kernel (Rows3x3S1, direct windows) took the windows that touch the
// row's end from a second plain load by EXT (per 14-column row 2 plain
// loads, 3 LD1, 4 EXT, STR d + ST1); here 3 LD1, 1 EXT, 1 INS and one ST1.
//
// Windows (as the strips' direct windows, Strip1 in neon/dwconv.h): output
// vector j (columns 4j .. 4j+3), tap column t reads columns 4j + t - 1 ..
// 4j + t + 2: for each tap column one LD1 of the band's consecutive vectors
// from the column its first window starts at, through a pointer of its own
// post-indexed by the row stride. The windows that touch the padding:
// vector 0, tap column 0 = ext(taps' third vector, columns 0..3, 3) (lane 3
// of the taps' third vector is zero: the packing); at the right end, w =
// 4NV: vector NV-1, tap column 2 = ext(columns w-4 .. w-1, zero, 1), nothing
// outside the row is read or written. Otherwise (w = 4(NV-1) + R, R =
// 1..3) the last vector reaches past the row (columns w-R .. w-R+3): its
// windows are loaded whole (2..4 columns past the row: the next row's
// first ones, which feed only outputs past the row) and lane R-1 of its
// tap-column-2 window, which reads column w (the right padding), is zeroed
// (INS from wzr); the last vector is stored whole, its lanes past the row
// landing on the next output row's first columns, which are stored after
// it: the band that holds it (the right one, or the only one) runs first
// in each plane, the left band after it. Neither reaches past the call's
// planes as long as the call's last plane is not run here: the entry point
// below then runs planes 0 .. count-2 (dw_s1_ld1_planes, core/dwconv.h)
// and leaves the last one to the rows kernel or the strips. (8, 12 and 16
// columns, one band of whole vectors: its last tap-column-2 window by EXT
// as the right band's, nothing past the row read or written, all planes;
// before, the rows kernel ran them: cortex-a72 MACs/insn on 12x12 planes
// 2.43, 16x16 2.53, 8x8 2.25; here 2.63, 2.72, 2.47.)
// Per input row of 28 columns: left band 3 LD1, 1 EXT, 36 FMLA/FMUL; right
// band 3 LD1, 1 EXT, 27 FMLA/FMUL; per output row 7 output-stage vectors
// (FADD, and FMAX, FMIN with the clamp) and 2 ST1. A middle band: 3 LD1,
// 36 FMLA/FMUL. A right band that ends inside its last vector: 3 LD1, 1
// INS. Per pass (band and plane) 4 pointer set-ups and the row loop's
// control. (Before, widths other than 7, 14 and 4k >= 20 were strips
// (w > 16: 150 columns 9 strips of 16 and one of 6) or the rows kernel
// (w <= 16): cortex-a72 MACs/insn on 19 columns 1.80, 10 columns 1.88;
// here 2.40, 2.15.)
// Where the row ends one column into the last vector (R = 1: w = 5, 9, 13,
// 17, ...), that column's tap-column-2 term reads only the right padding:
// the vector's tap-column-2 window is neither loaded nor fixed and its
// three FMLAs are left out (DWS1_ROW<NB>E, DWS1_TROW<NR>E).
// Square planes of the MobileNet family's narrow layers (h = w = 5, 6, 7,
// 8, 10, 12, 14, 16: 224x224's 14 and 7, 300x300's 10 and 5, 192x192's 12
// and 6, 160x160's 10 and 5, 256x256's 16 and 8; clamped) run passes of
// exactly h rows, straight-line code without the row loop and its rem
// dispatch; for 6, 10 and 14 (w = 4(NB-1) + 2) the last two columns of
// each pair of output rows are one vector, the row-pair tail
// (DWS1_TAIL_H*, below), where each row's last vector was half past the
// row. cortex-a72 MACs/insn, before -> after (planes of 384
// x 14x14, 960 x 7x7, 960 x 10x10, 960 x 6x6, 960 x 5x5): 2.34 -> 2.50,
// 2.08 -> 2.17, 2.15 -> 2.33, 1.78 -> 1.98, 1.50 -> 1.80.
//
// Rows: input row i feeds output rows i+1 (tap row 0: an FMUL of tap 0
// starts it), i (tap row 1) and i-1 (tap row 2, which completes it: bias,
// clamp, store). The three rows of accumulators rotate; the loop is
// unrolled over three input rows so the rotation is a renaming, and the
// rem = (h-2) mod 3 rows left pick the tail. Row 0 has no tap-row-0 terms:
// its accumulators start with an FMUL of tap 3 (S1; the strips and the
// rows kernels start them from zero, which gives the same value: only the
// sign of a sum of zeros can differ). The terms of every output, and their
// order, are those of the strips and the rows kernels (tap rows 0, 1, 2,
// tap columns 0, 1, 2; the bias added last, then the clamp): the same bits
// whichever kernel runs a plane or a range of its rows.
//
// Register map: v0-v2 taps (tap T: lane T%4 of v(T/4)), v3 bias, v4/v5 the
// clamp's bounds, v7 zero; accumulator rows R0 = v16-v19, R1 = v20-v23,
// R2 = v24-v27 (vector j of the band in register 4r + j; narrower bands
// use the first ones); windows: the left band, tap column 0 in v28-v31, 1
// in v8-v11, 2 in v28-v31 (a single band of NV vectors likewise: v28..,
// v8.., v28..); a middle band all three in v28-v31; the right band v28..,
// v8.., v12.. (w = 4NV: its last tap-column-2 window by EXT, from v8+NR-1
// into v12+NR-1; else loaded); the output stage in v28-v31. The row-pair
// tails: v12-v15, v19, v23 (see DWS1_TAIL_H*).
#include <cstddef>
#include <limits>

#include "core/dwconv.h"

namespace armconv {
namespace detail {

namespace {

#define DWS1_K0 "v0.s[0]"
#define DWS1_K1 "v0.s[1]"
#define DWS1_K2 "v0.s[2]"
#define DWS1_K3 "v0.s[3]"
#define DWS1_K4 "v1.s[0]"
#define DWS1_K5 "v1.s[1]"
#define DWS1_K6 "v1.s[2]"
#define DWS1_K7 "v1.s[3]"
#define DWS1_K8 "v2.s[0]"
// acc (+)= window * tap; NOP: a row that this input row does not feed.
#define DWS1_FMLA(acc, w, t) "fmla " acc ".4s, " w ".4s, " t "\n\t"
#define DWS1_FMUL(acc, w, t) "fmul " acc ".4s, " w ".4s, " t "\n\t"
#define DWS1_NOP(acc, w, t)

// Accumulator rows: DWS1_R<r>_<j> is vector j of row r. (DWS1_NO: no row.)
#define DWS1_R0_0 "v16"
#define DWS1_R0_1 "v17"
#define DWS1_R0_2 "v18"
#define DWS1_R0_3 "v19"
#define DWS1_R1_0 "v20"
#define DWS1_R1_1 "v21"
#define DWS1_R1_2 "v22"
#define DWS1_R1_3 "v23"
#define DWS1_R2_0 "v24"
#define DWS1_R2_1 "v25"
#define DWS1_R2_2 "v26"
#define DWS1_R2_3 "v27"

// Window w of vector j, tap column t, into the rows it feeds: A2 (tap row
// 2, op O2), A1 (tap row 1), A0 (tap row 0, op O0: FMUL for t = 0).
// Taps: t2, t1, t0 of those tap rows.
#define DWS1_V(O2, A2, t2, O1, A1, t1, O0, A0, t0, j, w) O2(A2##_##j, w, t2) O1(A1##_##j, w, t1) O0(A0##_##j, w, t0)
#define DWS1_COL1(O2, A2, t2, O1, A1, t1, O0, A0, t0, w0) DWS1_V(O2, A2, t2, O1, A1, t1, O0, A0, t0, 0, w0)
#define DWS1_COL2(O2, A2, t2, O1, A1, t1, O0, A0, t0, w0, w1)                  \
  DWS1_COL1(O2, A2, t2, O1, A1, t1, O0, A0, t0, w0)                            \
  DWS1_V(O2, A2, t2, O1, A1, t1, O0, A0, t0, 1, w1)
#define DWS1_COL3(O2, A2, t2, O1, A1, t1, O0, A0, t0, w0, w1, w2)              \
  DWS1_COL2(O2, A2, t2, O1, A1, t1, O0, A0, t0, w0, w1)                        \
  DWS1_V(O2, A2, t2, O1, A1, t1, O0, A0, t0, 2, w2)
#define DWS1_COL4(O2, A2, t2, O1, A1, t1, O0, A0, t0, w0, w1, w2, w3)          \
  DWS1_COL3(O2, A2, t2, O1, A1, t1, O0, A0, t0, w0, w1, w2)                    \
  DWS1_V(O2, A2, t2, O1, A1, t1, O0, A0, t0, 3, w3)

// One input row into the band's rows: A2 (O2: FMLA or NOP), A1 (S1: FMUL
// in row 0, else FMLA, for tap column 0; FMLA for 1 and 2), A0 (S0: FMUL
// or NOP for tap column 0, O0: FMLA or NOP for 1 and 2).
// A band of 4 vectors from column 0 (p0: column 3, p1: column 0, p2:
// column 1); FIX: zeroes the lane of the tap-column-2 windows that reads
// the right padding column when the row ends inside the band (w = 14:
// lane 1 of vector 3's window, columns 13..16; "" for the left band).
// (DWS1_HEAD<NB>: tap columns 0 and 1; the ROW macros add tap column 2.)
#define DWS1_HEAD4(O2, A2, S1, A1, S0, O0, A0)                                              \
  "ld1 {v8.4s, v9.4s, v10.4s, v11.4s}, [%[p1]], %[xs]\n\t"                              \
  "ld1 {v29.4s, v30.4s, v31.4s}, [%[p0]], %[xs]\n\t"                                    \
  "ext v28.16b, v2.16b, v8.16b, #12\n\t"                                                \
  DWS1_COL4(O2, A2, DWS1_K6, S1, A1, DWS1_K3, S0, A0, DWS1_K0, "v28", "v29", "v30", "v31") \
  DWS1_COL4(O2, A2, DWS1_K7, DWS1_FMLA, A1, DWS1_K4, O0, A0, DWS1_K1, "v8", "v9", "v10", "v11")
#define DWS1_ROW4(FIX, O2, A2, S1, A1, S0, O0, A0)                                          \
  DWS1_HEAD4(O2, A2, S1, A1, S0, O0, A0)                                                    \
  "ld1 {v28.4s, v29.4s, v30.4s, v31.4s}, [%[p2]], %[xs]\n\t"                            \
  FIX                                                                                   \
  DWS1_COL4(O2, A2, DWS1_K8, DWS1_FMLA, A1, DWS1_K5, O0, A0, DWS1_K2, "v28", "v29", "v30", "v31")
// A band of 3 vectors from column 0 (w = 9..11).
#define DWS1_HEAD3(O2, A2, S1, A1, S0, O0, A0)                                              \
  "ld1 {v8.4s, v9.4s, v10.4s}, [%[p1]], %[xs]\n\t"                                      \
  "ld1 {v29.4s, v30.4s}, [%[p0]], %[xs]\n\t"                                            \
  "ext v28.16b, v2.16b, v8.16b, #12\n\t"                                                \
  DWS1_COL3(O2, A2, DWS1_K6, S1, A1, DWS1_K3, S0, A0, DWS1_K0, "v28", "v29", "v30") \
  DWS1_COL3(O2, A2, DWS1_K7, DWS1_FMLA, A1, DWS1_K4, O0, A0, DWS1_K1, "v8", "v9", "v10")
#define DWS1_ROW3(FIX, O2, A2, S1, A1, S0, O0, A0)                                          \
  DWS1_HEAD3(O2, A2, S1, A1, S0, O0, A0)                                                    \
  "ld1 {v28.4s, v29.4s, v30.4s}, [%[p2]], %[xs]\n\t"                                    \
  FIX                                                                                   \
  DWS1_COL3(O2, A2, DWS1_K8, DWS1_FMLA, A1, DWS1_K5, O0, A0, DWS1_K2, "v28", "v29", "v30")
// A band of 2 vectors from column 0 (w = 5..7).
#define DWS1_HEAD2(O2, A2, S1, A1, S0, O0, A0)                                              \
  "ld1 {v8.4s, v9.4s}, [%[p1]], %[xs]\n\t"                                              \
  "ld1 {v29.4s}, [%[p0]], %[xs]\n\t"                                                    \
  "ext v28.16b, v2.16b, v8.16b, #12\n\t"                                                \
  DWS1_COL2(O2, A2, DWS1_K6, S1, A1, DWS1_K3, S0, A0, DWS1_K0, "v28", "v29")     \
  DWS1_COL2(O2, A2, DWS1_K7, DWS1_FMLA, A1, DWS1_K4, O0, A0, DWS1_K1, "v8", "v9")
#define DWS1_ROW2(FIX, O2, A2, S1, A1, S0, O0, A0)                                          \
  DWS1_HEAD2(O2, A2, S1, A1, S0, O0, A0)                                                    \
  "ld1 {v28.4s, v29.4s}, [%[p2]], %[xs]\n\t"                                            \
  FIX                                                                                   \
  DWS1_COL2(O2, A2, DWS1_K8, DWS1_FMLA, A1, DWS1_K5, O0, A0, DWS1_K2, "v28", "v29")
// The same bands where the row ends one column into the last vector (w =
// 4(NB-1) + 1: 5, 9, 13): that vector's only column, w-1, reads nothing but
// the right padding in tap column 2, so its tap-column-2 window is neither
// loaded nor fixed and its three FMLAs are left out (the other lanes are
// past the row).
#define DWS1_ROW4E(X, O2, A2, S1, A1, S0, O0, A0)                                           \
  DWS1_HEAD4(O2, A2, S1, A1, S0, O0, A0)                                                    \
  "ld1 {v28.4s, v29.4s, v30.4s}, [%[p2]], %[xs]\n\t"                                    \
  DWS1_COL3(O2, A2, DWS1_K8, DWS1_FMLA, A1, DWS1_K5, O0, A0, DWS1_K2, "v28", "v29", "v30")
#define DWS1_ROW3E(X, O2, A2, S1, A1, S0, O0, A0)                                           \
  DWS1_HEAD3(O2, A2, S1, A1, S0, O0, A0)                                                    \
  "ld1 {v28.4s, v29.4s}, [%[p2]], %[xs]\n\t"                                            \
  DWS1_COL2(O2, A2, DWS1_K8, DWS1_FMLA, A1, DWS1_K5, O0, A0, DWS1_K2, "v28", "v29")
#define DWS1_ROW2E(X, O2, A2, S1, A1, S0, O0, A0)                                           \
  DWS1_HEAD2(O2, A2, S1, A1, S0, O0, A0)                                                    \
  "ld1 {v28.4s}, [%[p2]], %[xs]\n\t"                                                    \
  DWS1_COL1(O2, A2, DWS1_K8, DWS1_FMLA, A1, DWS1_K5, O0, A0, DWS1_K2, "v28")
// One band of NB whole vectors (w = 4NB: 8, 12, 16): the left band's
// windows, and the last vector's tap-column-2 window from its tap-column-1
// one and zero (as DWS1_RROW<NR>): nothing past the row is read or
// written, so every plane of a call runs here.
#define DWS1_ROW4W(X, O2, A2, S1, A1, S0, O0, A0)                                       \
  DWS1_HEAD4(O2, A2, S1, A1, S0, O0, A0)                                                \
  "ld1 {v28.4s, v29.4s, v30.4s}, [%[p2]], %[xs]\n\t"                                    \
  "ext v31.16b, v11.16b, v7.16b, #4\n\t"                                                \
  DWS1_COL4(O2, A2, DWS1_K8, DWS1_FMLA, A1, DWS1_K5, O0, A0, DWS1_K2, "v28", "v29", "v30", "v31")
#define DWS1_ROW3W(X, O2, A2, S1, A1, S0, O0, A0)                                       \
  DWS1_HEAD3(O2, A2, S1, A1, S0, O0, A0)                                                \
  "ld1 {v28.4s, v29.4s}, [%[p2]], %[xs]\n\t"                                            \
  "ext v30.16b, v10.16b, v7.16b, #4\n\t"                                                \
  DWS1_COL3(O2, A2, DWS1_K8, DWS1_FMLA, A1, DWS1_K5, O0, A0, DWS1_K2, "v28", "v29", "v30")
#define DWS1_ROW2W(X, O2, A2, S1, A1, S0, O0, A0)                                       \
  DWS1_HEAD2(O2, A2, S1, A1, S0, O0, A0)                                                \
  "ld1 {v28.4s}, [%[p2]], %[xs]\n\t"                                                    \
  "ext v29.16b, v9.16b, v7.16b, #4\n\t"                                                 \
  DWS1_COL2(O2, A2, DWS1_K8, DWS1_FMLA, A1, DWS1_K5, O0, A0, DWS1_K2, "v28", "v29")
#define DWS1_LROW(X, ...) DWS1_ROW4("", __VA_ARGS__)
// The whole row as one band of NB vectors, w = 4(NB-1) + R (R = 1..3): lane
// R-1 of the last vector's tap-column-2 window (v27+NB) reads column w, the
// right padding: zeroed (DWS1_PAD_<NB>(R-1): an INS from wzr).
#define DWS1_FIX(v, lane) "mov " v ".s[" #lane "], wzr\n\t"
#define DWS1_PAD_2(R) DWS1_FIX("v29", R)
#define DWS1_PAD_3(R) DWS1_FIX("v30", R)
#define DWS1_PAD_4(R) DWS1_FIX("v31", R)
// A middle band of 4 vectors (no padding: p0 at the column left of the
// band, p1 at its first column, p2 at the next), one tap column at a time.
#define DWS1_MROW(X, O2, A2, S1, A1, S0, O0, A0)                                               \
  "ld1 {v28.4s, v29.4s, v30.4s, v31.4s}, [%[p0]], %[xs]\n\t"                            \
  DWS1_COL4(O2, A2, DWS1_K6, S1, A1, DWS1_K3, S0, A0, DWS1_K0, "v28", "v29", "v30", "v31") \
  "ld1 {v28.4s, v29.4s, v30.4s, v31.4s}, [%[p1]], %[xs]\n\t"                            \
  DWS1_COL4(O2, A2, DWS1_K7, DWS1_FMLA, A1, DWS1_K4, O0, A0, DWS1_K1, "v28", "v29", "v30", "v31") \
  "ld1 {v28.4s, v29.4s, v30.4s, v31.4s}, [%[p2]], %[xs]\n\t"                            \
  DWS1_COL4(O2, A2, DWS1_K8, DWS1_FMLA, A1, DWS1_K5, O0, A0, DWS1_K2, "v28", "v29", "v30", "v31")
// The right band of NR = 1..4 vectors, ending at the row's end (w = 4NV):
// the last vector's tap-column-2 window from its tap-column-1 one and zero.
#define DWS1_RROW1(X, O2, A2, S1, A1, S0, O0, A0)                                              \
  "ld1 {v28.4s}, [%[p0]], %[xs]\n\t"                                                    \
  "ld1 {v8.4s}, [%[p1]], %[xs]\n\t"                                                     \
  "ext v12.16b, v8.16b, v7.16b, #4\n\t"                                                 \
  DWS1_COL1(O2, A2, DWS1_K6, S1, A1, DWS1_K3, S0, A0, DWS1_K0, "v28")            \
  DWS1_COL1(O2, A2, DWS1_K7, DWS1_FMLA, A1, DWS1_K4, O0, A0, DWS1_K1, "v8")             \
  DWS1_COL1(O2, A2, DWS1_K8, DWS1_FMLA, A1, DWS1_K5, O0, A0, DWS1_K2, "v12")
#define DWS1_RROW2(X, O2, A2, S1, A1, S0, O0, A0)                                              \
  "ld1 {v28.4s, v29.4s}, [%[p0]], %[xs]\n\t"                                            \
  "ld1 {v8.4s, v9.4s}, [%[p1]], %[xs]\n\t"                                              \
  "ld1 {v12.4s}, [%[p2]], %[xs]\n\t"                                                    \
  "ext v13.16b, v9.16b, v7.16b, #4\n\t"                                                 \
  DWS1_COL2(O2, A2, DWS1_K6, S1, A1, DWS1_K3, S0, A0, DWS1_K0, "v28", "v29")     \
  DWS1_COL2(O2, A2, DWS1_K7, DWS1_FMLA, A1, DWS1_K4, O0, A0, DWS1_K1, "v8", "v9")       \
  DWS1_COL2(O2, A2, DWS1_K8, DWS1_FMLA, A1, DWS1_K5, O0, A0, DWS1_K2, "v12", "v13")
#define DWS1_RROW3(X, O2, A2, S1, A1, S0, O0, A0)                                              \
  "ld1 {v28.4s, v29.4s, v30.4s}, [%[p0]], %[xs]\n\t"                                    \
  "ld1 {v8.4s, v9.4s, v10.4s}, [%[p1]], %[xs]\n\t"                                      \
  "ld1 {v12.4s, v13.4s}, [%[p2]], %[xs]\n\t"                                            \
  "ext v14.16b, v10.16b, v7.16b, #4\n\t"                                                \
  DWS1_COL3(O2, A2, DWS1_K6, S1, A1, DWS1_K3, S0, A0, DWS1_K0, "v28", "v29", "v30") \
  DWS1_COL3(O2, A2, DWS1_K7, DWS1_FMLA, A1, DWS1_K4, O0, A0, DWS1_K1, "v8", "v9", "v10")   \
  DWS1_COL3(O2, A2, DWS1_K8, DWS1_FMLA, A1, DWS1_K5, O0, A0, DWS1_K2, "v12", "v13", "v14")
#define DWS1_RROW4(X, O2, A2, S1, A1, S0, O0, A0)                                              \
  "ld1 {v28.4s, v29.4s, v30.4s, v31.4s}, [%[p0]], %[xs]\n\t"                            \
  "ld1 {v8.4s, v9.4s, v10.4s, v11.4s}, [%[p1]], %[xs]\n\t"                              \
  "ld1 {v12.4s, v13.4s, v14.4s}, [%[p2]], %[xs]\n\t"                                    \
  "ext v15.16b, v11.16b, v7.16b, #4\n\t"                                                \
  DWS1_COL4(O2, A2, DWS1_K6, S1, A1, DWS1_K3, S0, A0, DWS1_K0, "v28", "v29", "v30", "v31") \
  DWS1_COL4(O2, A2, DWS1_K7, DWS1_FMLA, A1, DWS1_K4, O0, A0, DWS1_K1, "v8", "v9", "v10", "v11")   \
  DWS1_COL4(O2, A2, DWS1_K8, DWS1_FMLA, A1, DWS1_K5, O0, A0, DWS1_K2, "v12", "v13", "v14", "v15")

// The right band of NR = 1..4 vectors where the row ends inside its last
// vector (w = 4(NV-1) + R, R = 1..3): all three tap columns' windows loaded
// (the last ones reach 2..4 columns past the row: the next row's first
// ones, which feed only outputs past the row), lane R-1 of the last
// tap-column-2 window (columns w-R+1 .. w-R+4: lane R-1 is column w, the
// right padding) zeroed. L = R-1.
#define DWS1_TROW1(L, O2, A2, S1, A1, S0, O0, A0)                                           \
  "ld1 {v28.4s}, [%[p0]], %[xs]\n\t"                                                    \
  "ld1 {v8.4s}, [%[p1]], %[xs]\n\t"                                                     \
  "ld1 {v12.4s}, [%[p2]], %[xs]\n\t"                                                    \
  DWS1_FIX("v12", L)                                                                    \
  DWS1_COL1(O2, A2, DWS1_K6, S1, A1, DWS1_K3, S0, A0, DWS1_K0, "v28")            \
  DWS1_COL1(O2, A2, DWS1_K7, DWS1_FMLA, A1, DWS1_K4, O0, A0, DWS1_K1, "v8")             \
  DWS1_COL1(O2, A2, DWS1_K8, DWS1_FMLA, A1, DWS1_K5, O0, A0, DWS1_K2, "v12")
#define DWS1_TROW2(L, O2, A2, S1, A1, S0, O0, A0)                                           \
  "ld1 {v28.4s, v29.4s}, [%[p0]], %[xs]\n\t"                                            \
  "ld1 {v8.4s, v9.4s}, [%[p1]], %[xs]\n\t"                                              \
  "ld1 {v12.4s, v13.4s}, [%[p2]], %[xs]\n\t"                                            \
  DWS1_FIX("v13", L)                                                                    \
  DWS1_COL2(O2, A2, DWS1_K6, S1, A1, DWS1_K3, S0, A0, DWS1_K0, "v28", "v29")     \
  DWS1_COL2(O2, A2, DWS1_K7, DWS1_FMLA, A1, DWS1_K4, O0, A0, DWS1_K1, "v8", "v9")       \
  DWS1_COL2(O2, A2, DWS1_K8, DWS1_FMLA, A1, DWS1_K5, O0, A0, DWS1_K2, "v12", "v13")
#define DWS1_TROW3(L, O2, A2, S1, A1, S0, O0, A0)                                           \
  "ld1 {v28.4s, v29.4s, v30.4s}, [%[p0]], %[xs]\n\t"                                    \
  "ld1 {v8.4s, v9.4s, v10.4s}, [%[p1]], %[xs]\n\t"                                      \
  "ld1 {v12.4s, v13.4s, v14.4s}, [%[p2]], %[xs]\n\t"                                    \
  DWS1_FIX("v14", L)                                                                    \
  DWS1_COL3(O2, A2, DWS1_K6, S1, A1, DWS1_K3, S0, A0, DWS1_K0, "v28", "v29", "v30") \
  DWS1_COL3(O2, A2, DWS1_K7, DWS1_FMLA, A1, DWS1_K4, O0, A0, DWS1_K1, "v8", "v9", "v10")   \
  DWS1_COL3(O2, A2, DWS1_K8, DWS1_FMLA, A1, DWS1_K5, O0, A0, DWS1_K2, "v12", "v13", "v14")
#define DWS1_TROW4(L, O2, A2, S1, A1, S0, O0, A0)                                           \
  "ld1 {v28.4s, v29.4s, v30.4s, v31.4s}, [%[p0]], %[xs]\n\t"                            \
  "ld1 {v8.4s, v9.4s, v10.4s, v11.4s}, [%[p1]], %[xs]\n\t"                              \
  "ld1 {v12.4s, v13.4s, v14.4s, v15.4s}, [%[p2]], %[xs]\n\t"                            \
  DWS1_FIX("v15", L)                                                                    \
  DWS1_COL4(O2, A2, DWS1_K6, S1, A1, DWS1_K3, S0, A0, DWS1_K0, "v28", "v29", "v30", "v31") \
  DWS1_COL4(O2, A2, DWS1_K7, DWS1_FMLA, A1, DWS1_K4, O0, A0, DWS1_K1, "v8", "v9", "v10", "v11")   \
  DWS1_COL4(O2, A2, DWS1_K8, DWS1_FMLA, A1, DWS1_K5, O0, A0, DWS1_K2, "v12", "v13", "v14", "v15")
// The right band where the row ends one column into its last vector (R =
// 1): as DWS1_ROW<NB>E, that vector's tap-column-2 window is neither loaded
// nor fixed and its FMLAs are left out (NR = 1: no tap-column-2 load).
#define DWS1_TROW1E(L, O2, A2, S1, A1, S0, O0, A0)                                          \
  "ld1 {v28.4s}, [%[p0]], %[xs]\n\t"                                                    \
  "ld1 {v8.4s}, [%[p1]], %[xs]\n\t"                                                     \
  DWS1_COL1(O2, A2, DWS1_K6, S1, A1, DWS1_K3, S0, A0, DWS1_K0, "v28")            \
  DWS1_COL1(O2, A2, DWS1_K7, DWS1_FMLA, A1, DWS1_K4, O0, A0, DWS1_K1, "v8")
#define DWS1_TROW2E(L, O2, A2, S1, A1, S0, O0, A0)                                          \
  "ld1 {v28.4s, v29.4s}, [%[p0]], %[xs]\n\t"                                            \
  "ld1 {v8.4s, v9.4s}, [%[p1]], %[xs]\n\t"                                              \
  "ld1 {v12.4s}, [%[p2]], %[xs]\n\t"                                                    \
  DWS1_COL2(O2, A2, DWS1_K6, S1, A1, DWS1_K3, S0, A0, DWS1_K0, "v28", "v29")     \
  DWS1_COL2(O2, A2, DWS1_K7, DWS1_FMLA, A1, DWS1_K4, O0, A0, DWS1_K1, "v8", "v9")       \
  DWS1_COL1(O2, A2, DWS1_K8, DWS1_FMLA, A1, DWS1_K5, O0, A0, DWS1_K2, "v12")
#define DWS1_TROW3E(L, O2, A2, S1, A1, S0, O0, A0)                                          \
  "ld1 {v28.4s, v29.4s, v30.4s}, [%[p0]], %[xs]\n\t"                                    \
  "ld1 {v8.4s, v9.4s, v10.4s}, [%[p1]], %[xs]\n\t"                                      \
  "ld1 {v12.4s, v13.4s}, [%[p2]], %[xs]\n\t"                                            \
  DWS1_COL3(O2, A2, DWS1_K6, S1, A1, DWS1_K3, S0, A0, DWS1_K0, "v28", "v29", "v30") \
  DWS1_COL3(O2, A2, DWS1_K7, DWS1_FMLA, A1, DWS1_K4, O0, A0, DWS1_K1, "v8", "v9", "v10")   \
  DWS1_COL2(O2, A2, DWS1_K8, DWS1_FMLA, A1, DWS1_K5, O0, A0, DWS1_K2, "v12", "v13")
#define DWS1_TROW4E(L, O2, A2, S1, A1, S0, O0, A0)                                          \
  "ld1 {v28.4s, v29.4s, v30.4s, v31.4s}, [%[p0]], %[xs]\n\t"                            \
  "ld1 {v8.4s, v9.4s, v10.4s, v11.4s}, [%[p1]], %[xs]\n\t"                              \
  "ld1 {v12.4s, v13.4s, v14.4s}, [%[p2]], %[xs]\n\t"                                    \
  DWS1_COL4(O2, A2, DWS1_K6, S1, A1, DWS1_K3, S0, A0, DWS1_K0, "v28", "v29", "v30", "v31") \
  DWS1_COL4(O2, A2, DWS1_K7, DWS1_FMLA, A1, DWS1_K4, O0, A0, DWS1_K1, "v8", "v9", "v10", "v11")   \
  DWS1_COL3(O2, A2, DWS1_K8, DWS1_FMLA, A1, DWS1_K5, O0, A0, DWS1_K2, "v12", "v13", "v14")

// Output stage of vector j of row R into register s; ACT: the clamp or nothing.
#define DWS1_OUT(ACT, R, j, s) "fadd " s ".4s, " R##_##j ".4s, v3.4s\n\t" ACT(s)
#define DWS1_CLAMP(v) "fmax " v ".4s, " v ".4s, v4.4s\n\t" "fmin " v ".4s, " v ".4s, v5.4s\n\t"
#define DWS1_NONE(v)
#define DWS1_STORE1(ACT, R) DWS1_OUT(ACT, R, 0, "v28") "st1 {v28.4s}, [%[yl]], %[xs]\n\t"
#define DWS1_STORE2(ACT, R) \
  DWS1_OUT(ACT, R, 0, "v28") DWS1_OUT(ACT, R, 1, "v29") "st1 {v28.4s, v29.4s}, [%[yl]], %[xs]\n\t"
#define DWS1_STORE3(ACT, R)                                                             \
  DWS1_OUT(ACT, R, 0, "v28") DWS1_OUT(ACT, R, 1, "v29") DWS1_OUT(ACT, R, 2, "v30")      \
  "st1 {v28.4s, v29.4s, v30.4s}, [%[yl]], %[xs]\n\t"
#define DWS1_STORE4(ACT, R)                                                             \
  DWS1_OUT(ACT, R, 0, "v28") DWS1_OUT(ACT, R, 1, "v29") DWS1_OUT(ACT, R, 2, "v30") DWS1_OUT(ACT, R, 3, "v31") \
  "st1 {v28.4s, v29.4s, v30.4s, v31.4s}, [%[yl]], %[xs]\n\t"

// Input row i (1 <= i <= h-2, P = i mod 3) feeds rows i+1, i, i-1 and
// stores row i-1; the last input row completes rows h-2 and h-1.
#define DWS1_MID1(ROW, X, STORE, ACT) ROW(X, DWS1_FMLA, DWS1_R0, DWS1_FMLA, DWS1_R1, DWS1_FMUL, DWS1_FMLA, DWS1_R2) STORE(ACT, DWS1_R0)
#define DWS1_MID2(ROW, X, STORE, ACT) ROW(X, DWS1_FMLA, DWS1_R1, DWS1_FMLA, DWS1_R2, DWS1_FMUL, DWS1_FMLA, DWS1_R0) STORE(ACT, DWS1_R1)
#define DWS1_MID0(ROW, X, STORE, ACT) ROW(X, DWS1_FMLA, DWS1_R2, DWS1_FMLA, DWS1_R0, DWS1_FMUL, DWS1_FMLA, DWS1_R1) STORE(ACT, DWS1_R2)
#define DWS1_LAST(ROW, X, STORE, ACT, P, Q) \
  ROW(X, DWS1_FMLA, Q, DWS1_FMLA, P, DWS1_NOP, DWS1_NOP, DWS1_NO) STORE(ACT, Q) STORE(ACT, P)

// One band down one plane (h >= 2): row 0 (tap row 1 of output row 0,
// started by an FMUL; tap row 0 of row 1), n trips of three rows, then rem rows:
//   rem 0: the last row (P = 1); rem 1: a row (P = 1), the last (P = 2);
//   rem 2: rows P = 1, 2, the last (P = 0).
// (Numeric labels: each pass's own, referenced only inside it.)
#define DWS1_PASS(ROW, X, STORE, ACT)                                        \
  ROW(X, DWS1_NOP, DWS1_NO, DWS1_FMUL, DWS1_R0, DWS1_FMUL, DWS1_FMLA, DWS1_R1)          \
  "mov %[cnt], %[n]\n\t"                                                  \
  "cbz %[cnt], 3f\n\t"                                                    \
  "2:\n\t"                                                                \
  DWS1_MID1(ROW, X, STORE, ACT) DWS1_MID2(ROW, X, STORE, ACT) DWS1_MID0(ROW, X, STORE, ACT) \
  "subs %[cnt], %[cnt], #1\n\t"                                           \
  "b.ne 2b\n\t"                                                           \
  "3:\n\t"                                                                \
  "cbz %[rem], 5f\n\t"                                                    \
  DWS1_MID1(ROW, X, STORE, ACT)                                              \
  "tbz %[rem], #1, 4f\n\t"                                                \
  DWS1_MID2(ROW, X, STORE, ACT)                                              \
  DWS1_LAST(ROW, X, STORE, ACT, DWS1_R0, DWS1_R2)                            \
  "b 9f\n\t"                                                              \
  "4:\n\t"                                                                \
  DWS1_LAST(ROW, X, STORE, ACT, DWS1_R2, DWS1_R1)                            \
  "b 9f\n\t"                                                              \
  "5:\n\t"                                                                \
  DWS1_LAST(ROW, X, STORE, ACT, DWS1_R1, DWS1_R0)                            \
  "9:\n\t"

// One band down a plane of exactly H rows (the square maps of the
// MobileNet family's narrow layers: 5, 7, 8, 12 and 16 here, 6, 10 and 14
// with the row-pair tails below): the rows of DWS1_PASS, its loop and its
// rem dispatch unrolled (h = 7: 7 loop and branch instructions per plane
// fewer).
#define DWS1_FIRST(ROW, X) ROW(X, DWS1_NOP, DWS1_NO, DWS1_FMUL, DWS1_R0, DWS1_FMUL, DWS1_FMLA, DWS1_R1)
#define DWS1_M3(ROW, X, STORE, ACT) \
  DWS1_MID1(ROW, X, STORE, ACT) DWS1_MID2(ROW, X, STORE, ACT) DWS1_MID0(ROW, X, STORE, ACT)
#define DWS1_PASS_H5(ROW, X, STORE, ACT) \
  DWS1_FIRST(ROW, X) DWS1_M3(ROW, X, STORE, ACT) DWS1_LAST(ROW, X, STORE, ACT, DWS1_R1, DWS1_R0)
#define DWS1_PASS_H7(ROW, X, STORE, ACT)                                                     \
  DWS1_FIRST(ROW, X) DWS1_M3(ROW, X, STORE, ACT) DWS1_MID1(ROW, X, STORE, ACT)               \
  DWS1_MID2(ROW, X, STORE, ACT) DWS1_LAST(ROW, X, STORE, ACT, DWS1_R0, DWS1_R2)
#define DWS1_PASS_H8(ROW, X, STORE, ACT)                                                           \
  DWS1_FIRST(ROW, X) DWS1_M3(ROW, X, STORE, ACT) DWS1_M3(ROW, X, STORE, ACT)                       \
  DWS1_LAST(ROW, X, STORE, ACT, DWS1_R1, DWS1_R0)
#define DWS1_PASS_H12(ROW, X, STORE, ACT)                                                          \
  DWS1_FIRST(ROW, X) DWS1_M3(ROW, X, STORE, ACT) DWS1_M3(ROW, X, STORE, ACT)                       \
  DWS1_M3(ROW, X, STORE, ACT) DWS1_MID1(ROW, X, STORE, ACT) DWS1_LAST(ROW, X, STORE, ACT, DWS1_R2, DWS1_R1)
#define DWS1_PASS_H16(ROW, X, STORE, ACT)                                                          \
  DWS1_FIRST(ROW, X) DWS1_M3(ROW, X, STORE, ACT) DWS1_M3(ROW, X, STORE, ACT)                       \
  DWS1_M3(ROW, X, STORE, ACT) DWS1_M3(ROW, X, STORE, ACT) DWS1_MID1(ROW, X, STORE, ACT)            \
  DWS1_MID2(ROW, X, STORE, ACT) DWS1_LAST(ROW, X, STORE, ACT, DWS1_R0, DWS1_R2)


// w = 4(NB-1) + 2 (6, 10, 14), square planes of H = w rows: the band's
// first NB-1 vectors as above (DWS1_TROWB<NB>), and the last two columns
// of two output rows r, r+1 (r even) in one vector, the row-pair tail
//   T_r = (y[r][c], y[r][c+1], y[r+1][c], y[r+1][c+1]),  c = w-2,
// where a row's last vector (columns c .. c+3, two of them past the row)
// took 9 FMLA, 3 output-stage instructions and the padding lane's INS per
// row; a pair now takes 9 FMLA, 3 output-stage instructions, two stores
// (ST1 of each half) and, per input row, three window instructions.
// Tail windows, tap column t: W_t(i) = (x[i][c-1+t], x[i][c+t],
// x[i+1][c-1+t], x[i+1][c+t]) (row -1 and row h zero, column w zero), so
//   T_r = sum over tap rows u, tap columns t: k[u][t] * W_t(r-1+u)
// (lanes 0-1: output row r from input rows r-1, r, r+1; lanes 2-3: row
// r+1 from r, r+1, r+2: the taps, their order and the bias those of every
// other output). W_0(i) and W_1(i) are the previous ones' high halves and
// the low halves of input row i+1's tap-column-0 and tap-column-1 loads'
// last vectors (columns c-1, c and c, c+1): one EXT #8 each, from zero
// for W(-1) (row 0) and into zero for W(h-1) (after the last row). W_2(i)
// is W_1(i) with each 64-bit half shifted right 32 bits (USHR: columns c+1
// and the zero of column w), so the right padding costs nothing and no
// window lane is fixed. W(i) is built while input row i+1 is loaded; it
// feeds T_{i+1} (tap row 0, i+1 even), T_i (tap row 1, i even) and T_{i-1}
// (tap row 2, i-1 even, which completes it: bias, clamp, the halves stored
// to rows i-1 and i through yt, post-indexed by the row stride).
// Registers: W_0 v12, W_1 v13, W_2 v14; T_r in v19 (r/2 even) or v23 (odd);
// v15 the tail's output stage. h = 14: per plane 33 instructions fewer.
// The rows: NB-1 vectors of the band (loads of NB-1 vectors for tap column
// 2; those of columns 0 and 1 reach the tail's columns), W built after the
// loads. WP: DWS1_WZ (W from zero: row 0) or DWS1_WS (from W).
#define DWS1_WZ0 "v7"
#define DWS1_WZ1 "v7"
#define DWS1_WS0 "v12"
#define DWS1_WS1 "v13"
#define DWS1_TROWB4(WP, O2, A2, S1, A1, S0, O0, A0)                                         \
  "ld1 {v8.4s, v9.4s, v10.4s, v11.4s}, [%[p1]], %[xs]\n\t"                              \
  "ld1 {v29.4s, v30.4s, v31.4s}, [%[p0]], %[xs]\n\t"                                    \
  "ext v28.16b, v2.16b, v8.16b, #12\n\t"                                                \
  "ext v12.16b, " WP##0 ".16b, v31.16b, #8\n\t"                                         \
  "ext v13.16b, " WP##1 ".16b, v11.16b, #8\n\t"                                         \
  "ushr v14.2d, v13.2d, #32\n\t"                                                        \
  DWS1_COL3(O2, A2, DWS1_K6, S1, A1, DWS1_K3, S0, A0, DWS1_K0, "v28", "v29", "v30") \
  DWS1_COL3(O2, A2, DWS1_K7, DWS1_FMLA, A1, DWS1_K4, O0, A0, DWS1_K1, "v8", "v9", "v10")   \
  "ld1 {v28.4s, v29.4s, v30.4s}, [%[p2]], %[xs]\n\t"                                    \
  DWS1_COL3(O2, A2, DWS1_K8, DWS1_FMLA, A1, DWS1_K5, O0, A0, DWS1_K2, "v28", "v29", "v30")
#define DWS1_TROWB3(WP, O2, A2, S1, A1, S0, O0, A0)                                         \
  "ld1 {v8.4s, v9.4s, v10.4s}, [%[p1]], %[xs]\n\t"                                      \
  "ld1 {v29.4s, v30.4s}, [%[p0]], %[xs]\n\t"                                            \
  "ext v28.16b, v2.16b, v8.16b, #12\n\t"                                                \
  "ext v12.16b, " WP##0 ".16b, v30.16b, #8\n\t"                                         \
  "ext v13.16b, " WP##1 ".16b, v10.16b, #8\n\t"                                         \
  "ushr v14.2d, v13.2d, #32\n\t"                                                        \
  DWS1_COL2(O2, A2, DWS1_K6, S1, A1, DWS1_K3, S0, A0, DWS1_K0, "v28", "v29")     \
  DWS1_COL2(O2, A2, DWS1_K7, DWS1_FMLA, A1, DWS1_K4, O0, A0, DWS1_K1, "v8", "v9")       \
  "ld1 {v28.4s, v29.4s}, [%[p2]], %[xs]\n\t"                                            \
  DWS1_COL2(O2, A2, DWS1_K8, DWS1_FMLA, A1, DWS1_K5, O0, A0, DWS1_K2, "v28", "v29")
#define DWS1_TROWB2(WP, O2, A2, S1, A1, S0, O0, A0)                                         \
  "ld1 {v8.4s, v9.4s}, [%[p1]], %[xs]\n\t"                                              \
  "ld1 {v29.4s}, [%[p0]], %[xs]\n\t"                                                    \
  "ext v28.16b, v2.16b, v8.16b, #12\n\t"                                                \
  "ext v12.16b, " WP##0 ".16b, v29.16b, #8\n\t"                                         \
  "ext v13.16b, " WP##1 ".16b, v9.16b, #8\n\t"                                          \
  "ushr v14.2d, v13.2d, #32\n\t"                                                        \
  DWS1_COL1(O2, A2, DWS1_K6, S1, A1, DWS1_K3, S0, A0, DWS1_K0, "v28")            \
  DWS1_COL1(O2, A2, DWS1_K7, DWS1_FMLA, A1, DWS1_K4, O0, A0, DWS1_K1, "v8")             \
  "ld1 {v28.4s}, [%[p2]], %[xs]\n\t"                                                    \
  DWS1_COL1(O2, A2, DWS1_K8, DWS1_FMLA, A1, DWS1_K5, O0, A0, DWS1_K2, "v28")
// Tail steps: T_r's tap row 0 (S: starts it), 1 (M), 2 (E: completes and
// stores it); FIN: W(h-1) (rows h-1 and h, zero) after the last row.
#define DWS1_TAP3(OP, T, a, b, c) OP(T, "v12", a) DWS1_FMLA(T, "v13", b) DWS1_FMLA(T, "v14", c)
#define DWS1_TS(T) DWS1_TAP3(DWS1_FMUL, T, DWS1_K0, DWS1_K1, DWS1_K2)
#define DWS1_TM(T) DWS1_TAP3(DWS1_FMLA, T, DWS1_K3, DWS1_K4, DWS1_K5)
#define DWS1_TE(ACT, T)                                                                 \
  DWS1_TAP3(DWS1_FMLA, T, DWS1_K6, DWS1_K7, DWS1_K8)                                    \
  "fadd v15.4s, " T ".4s, v3.4s\n\t" ACT("v15")                                         \
  "st1 {v15.d}[0], [%[yt]], %[xs]\n\t"                                                  \
  "st1 {v15.d}[1], [%[yt]], %[xs]\n\t"
#define DWS1_TFIN                                                                       \
  "ext v12.16b, v12.16b, v7.16b, #8\n\t"                                                \
  "ext v13.16b, v13.16b, v7.16b, #8\n\t"                                                \
  "ushr v14.2d, v13.2d, #32\n\t"
#define DWS1_TA "v19"
#define DWS1_TB "v23"
// Input rows 2j+1, 2j+2 (j >= 0; the body's rows P = 1, 2 or P = 0, 1 ...):
// T_{2j} (register A) takes tap row 1, then tap row 2 while T_{2j+2} (B)
// starts.
#define DWS1_TPAIR(ACT, MIDA, MIDB, ROW, STORE, A, B)                                   \
  MIDA(ROW, DWS1_WS, STORE, ACT) DWS1_TM(A)                                             \
  MIDB(ROW, DWS1_WS, STORE, ACT) DWS1_TS(B) DWS1_TE(ACT, A)
#define DWS1_TFIRST(ROW) DWS1_FIRST(ROW, DWS1_WZ) DWS1_TS(DWS1_TA)
#define DWS1_TLAST(ACT, ROW, STORE, A, P, Q) \
  DWS1_LAST(ROW, DWS1_WS, STORE, ACT, P, Q) DWS1_TM(A) DWS1_TFIN DWS1_TE(ACT, A)
// H = 6: rows 1..4 (P = 1, 2, 0, 1), the last (P = 2).
#define DWS1_TAIL_H6(ACT, NB, L)                                                         \
  DWS1_TFIRST(DWS1_TROWB##NB)                                              \
  DWS1_TPAIR(ACT, DWS1_MID1, DWS1_MID2, DWS1_TROWB##NB, DWS1_STORE##L, DWS1_TA, DWS1_TB) \
  DWS1_TPAIR(ACT, DWS1_MID0, DWS1_MID1, DWS1_TROWB##NB, DWS1_STORE##L, DWS1_TB, DWS1_TA) \
  DWS1_TLAST(ACT, DWS1_TROWB##NB, DWS1_STORE##L, DWS1_TA, DWS1_R2, DWS1_R1)
// H = 10: rows 1..8 (P = 1, 2, 0, 1, 2, 0, 1, 2), the last (P = 0).
#define DWS1_TAIL_H10(ACT, NB, L)                                                        \
  DWS1_TFIRST(DWS1_TROWB##NB)                                              \
  DWS1_TPAIR(ACT, DWS1_MID1, DWS1_MID2, DWS1_TROWB##NB, DWS1_STORE##L, DWS1_TA, DWS1_TB) \
  DWS1_TPAIR(ACT, DWS1_MID0, DWS1_MID1, DWS1_TROWB##NB, DWS1_STORE##L, DWS1_TB, DWS1_TA) \
  DWS1_TPAIR(ACT, DWS1_MID2, DWS1_MID0, DWS1_TROWB##NB, DWS1_STORE##L, DWS1_TA, DWS1_TB) \
  DWS1_TPAIR(ACT, DWS1_MID1, DWS1_MID2, DWS1_TROWB##NB, DWS1_STORE##L, DWS1_TB, DWS1_TA) \
  DWS1_TLAST(ACT, DWS1_TROWB##NB, DWS1_STORE##L, DWS1_TA, DWS1_R0, DWS1_R2)
// H = 14: rows 1..12 (P = 1, 2, 0 four times), the last (P = 1).
#define DWS1_TAIL_H14(ACT, NB, L)                                                        \
  DWS1_TFIRST(DWS1_TROWB##NB)                                              \
  DWS1_TPAIR(ACT, DWS1_MID1, DWS1_MID2, DWS1_TROWB##NB, DWS1_STORE##L, DWS1_TA, DWS1_TB) \
  DWS1_TPAIR(ACT, DWS1_MID0, DWS1_MID1, DWS1_TROWB##NB, DWS1_STORE##L, DWS1_TB, DWS1_TA) \
  DWS1_TPAIR(ACT, DWS1_MID2, DWS1_MID0, DWS1_TROWB##NB, DWS1_STORE##L, DWS1_TA, DWS1_TB) \
  DWS1_TPAIR(ACT, DWS1_MID1, DWS1_MID2, DWS1_TROWB##NB, DWS1_STORE##L, DWS1_TB, DWS1_TA) \
  DWS1_TPAIR(ACT, DWS1_MID0, DWS1_MID1, DWS1_TROWB##NB, DWS1_STORE##L, DWS1_TA, DWS1_TB) \
  DWS1_TPAIR(ACT, DWS1_MID2, DWS1_MID0, DWS1_TROWB##NB, DWS1_STORE##L, DWS1_TB, DWS1_TA) \
  DWS1_TLAST(ACT, DWS1_TROWB##NB, DWS1_STORE##L, DWS1_TA, DWS1_R1, DWS1_R0)

// All planes: the taps (k moves to the next plane's) and bias, then the
// passes of the plane's bands (PASSES).
#define DWS1_PLANES(PASSES)                                               \
  "movi v7.4s, #0\n\t"                                                    \
  "1:\n\t"                                                                \
  "ld1 {v0.4s, v1.4s, v2.4s}, [%[k]], #48\n\t"                            \
  "dup v3.4s, v2.s[1]\n\t"                                                \
  PASSES                                                                  \
  "subs %[planes], %[planes], #1\n\t"                                     \
  "b.ne 1b\n\t"
// w = 4(NB-1) + L+1 <= 15: one band of NB vectors; its pointers (set by
// the caller) walk all planes.
#define DWS1_ONE(ACT, NB, L) DWS1_PASS(DWS1_ROW##NB, DWS1_PAD_##NB(L), DWS1_STORE##NB, ACT)
// w = 4(NB-1) + 1 (L = 0): the rows without the last vector's tap column 2.
#define DWS1_ONE_E(ACT, NB, L) DWS1_PASS(DWS1_ROW##NB##E, , DWS1_STORE##NB, ACT)
// Square planes of H = w rows (w = 5 with DWS1_ROW2E).
#define DWS1_ONE_H7(ACT, NB, L) DWS1_PASS_H7(DWS1_ROW##NB, DWS1_PAD_##NB(L), DWS1_STORE##NB, ACT)
// w = 4NB (8, 12, 16): the whole vectors' rows; square planes in passes
// of h = w rows.
#define DWS1_ONE_W(ACT, NB, L) DWS1_PASS(DWS1_ROW##NB##W, , DWS1_STORE##NB, ACT)
#define DWS1_ONE_W_H8(ACT, NB, L) DWS1_PASS_H8(DWS1_ROW##NB##W, , DWS1_STORE##NB, ACT)
#define DWS1_ONE_W_H12(ACT, NB, L) DWS1_PASS_H12(DWS1_ROW##NB##W, , DWS1_STORE##NB, ACT)
#define DWS1_ONE_W_H16(ACT, NB, L) DWS1_PASS_H16(DWS1_ROW##NB##W, , DWS1_STORE##NB, ACT)
#define DWS1_ONE_E_H5(ACT, NB, L) DWS1_PASS_H5(DWS1_ROW##NB##E, , DWS1_STORE##NB, ACT)
// w >= 20: the left band (vectors 0..3), mb middle bands of 4, the right
// band of NR vectors; each pass's pointers from xc / yc, the band's
// first column in the plane (+64 bytes per band; pstep: from the right
// band's to the next plane's first column).
#define DWS1_AT(P0)                                                       \
  P0                                                                      \
  "mov %[p1], %[xc]\n\t"                                                  \
  "add %[p2], %[xc], #4\n\t"                                              \
  "mov %[yl], %[yc]\n\t"
#define DWS1_AT_LEFT DWS1_AT("add %[p0], %[xc], #12\n\t")
#define DWS1_AT_MID DWS1_AT("sub %[p0], %[xc], #4\n\t")
#define DWS1_NEXT "add %[xc], %[xc], #64\n\t" "add %[yc], %[yc], #64\n\t"
// The left band, then the middle ones: xc, yc end at the right band's.
#define DWS1_LEFT_MID(ACT)                                                \
  DWS1_AT_LEFT DWS1_PASS(DWS1_LROW, , DWS1_STORE4, ACT) DWS1_NEXT \
  "mov %[mb], %[nmid]\n\t"                                                \
  "cbz %[mb], 8f\n\t"                                                     \
  "7:\n\t"                                                                \
  DWS1_AT_MID DWS1_PASS(DWS1_MROW, , DWS1_STORE4, ACT) DWS1_NEXT \
  "subs %[mb], %[mb], #1\n\t"                                             \
  "b.ne 7b\n\t"                                                           \
  "8:\n\t"
#define DWS1_TO_NEXT_PLANE                                                \
  "add %[xc], %[xc], %[pstep]\n\t"                                        \
  "add %[yc], %[yc], %[pstep]\n\t"
// w = 4NV: the bands left to right (nothing past the row is read or written).
#define DWS1_WIDE(ACT, NR, L)                                             \
  DWS1_LEFT_MID(ACT)                                                      \
  DWS1_AT_MID DWS1_PASS(DWS1_RROW##NR, , DWS1_STORE##NR, ACT) \
  DWS1_TO_NEXT_PLANE
// w = 4(NV-1) + L+1: the right band first (roff: its first column's
// offset), whose stores past the row's end land on the next row's first
// columns, which the left band stores after them; then the others.
#define DWS1_WIDE_TAIL_ROWS(ACT, TROW, NR, L)                              \
  "add %[p1], %[xc], %[roff]\n\t"                                         \
  "sub %[p0], %[p1], #4\n\t"                                              \
  "add %[p2], %[p1], #4\n\t"                                              \
  "add %[yl], %[yc], %[roff]\n\t"                                         \
  DWS1_PASS(TROW, L, DWS1_STORE##NR, ACT)                   \
  DWS1_LEFT_MID(ACT)                                                      \
  DWS1_TO_NEXT_PLANE
#define DWS1_WIDE_TAIL(ACT, NR, L) DWS1_WIDE_TAIL_ROWS(ACT, DWS1_TROW##NR, NR, L)
// R = 1 (L = 0): the right band's rows without its last vector's tap column 2.
#define DWS1_WIDE_TAIL_E(ACT, NR, L) DWS1_WIDE_TAIL_ROWS(ACT, DWS1_TROW##NR##E, NR, L)

#define DWS1_OPERANDS                                                                                   \
  : [p0] "+r"(p0), [p1] "+r"(p1), [p2] "+r"(p2), [yl] "+r"(yl), [xc] "+r"(xc), [yc] "+r"(yc),          \
    [k] "+r"(k), [planes] "+r"(planes), [cnt] "=&r"(cnt), [mb] "=&r"(mb), [yt] "+r"(yt)                             \
  : [n] "r"(n), [rem] "r"(rem), [xs] "r"(xs), [nmid] "r"(nmid), [pstep] "r"(pstep), [roff] "r"(roff), [lo] "r"(&p.lo),  \
    [hi] "r"(&p.hi)                                                                                    \
  : "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v7", "v8", "v9", "v10", "v11", "v12", "v13",  \
    "v14", "v15", "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27",  \
    "v28", "v29", "v30", "v31"
#define DWS1_BOUNDS "ld1r {v4.4s}, [%[lo]]\n\t" "ld1r {v5.4s}, [%[hi]]\n\t"
#define DWS1_ASM(W, A, B)                                                             \
  if constexpr (CLAMP)                                                                 \
    __asm__ volatile(DWS1_BOUNDS DWS1_PLANES(W(DWS1_CLAMP, A, B)) DWS1_OPERANDS);      \
  else                                                                                 \
    __asm__ volatile(DWS1_PLANES(W(DWS1_NONE, A, B)) DWS1_OPERANDS)
// (One instantiated shape: the lane L = R-1 as a literal for the asm text.)
#define DWS1_CASE(C, W, A, B) else if constexpr (C) { DWS1_ASM(W, A, B); }

// `planes` >= 1 planes of w = 4(NV-1) + R columns (R = 1..4) from p.x,
// p.y, p.k: NB = NV <= 4 (w <= 15, R < 4: one band), or NB = 0 for w >= 17:
// bands of 4 vectors, the right band NR = 1..4 vectors.
template <int NB, int NR, int R, bool CLAMP, int H = 0>
void ld1rows(const DwPlane& p, size_t planes) {
  const float* p0 = p.x + 3;
  const float* p1 = p.x;
  const float* p2 = p.x + 1;
  const float* xc = p.x;
  float* yl = p.y;
  float* yc = p.y;
  float* yt = p.y + (NB > 0 ? 4 * (NB - 1) : 0);  // the row-pair tails' first column (DWS1_TAIL_H*)
  const float* k = p.k;
  size_t cnt, mb;
  const size_t n = (p.h - 2) / 3, rem = (p.h - 2) % 3;
  const ptrdiff_t xs = ptrdiff_t(4 * p.w);  // a row, in and out
  const size_t nv = (p.w + 3) / 4, nmid = NB == 0 ? (nv - 4 - NR) / 4 : 0;
  const ptrdiff_t roff = 64 * ptrdiff_t(1 + nmid);  // the right band's first column, bytes
  const ptrdiff_t pstep = ptrdiff_t(4 * p.h * p.w) - roff;
  static_assert(NB == 0 ? (NR >= 1 && NR <= 4 && H == 0) : (NB >= 2 && NB <= 4), "an instantiated shape");
  static_assert(H == 0 || (NB == 2 && R == 1 && H == 5) || (NB == 2 && R == 2 && H == 6) ||
                    (NB == 2 && R == 3 && H == 7) || (NB == 3 && R == 2 && H == 10) || (NB == 4 && R == 2 && H == 14) ||
                    (NB >= 2 && NB <= 4 && R == 4 && H == 4 * NB),
                "an instantiated exact height: a square plane");
  if constexpr (false) {
  }
  DWS1_CASE(NB == 2 && R == 1 && H == 0, DWS1_ONE_E, 2, 0)
  DWS1_CASE(NB == 2 && R == 2 && H == 0, DWS1_ONE, 2, 1)
  DWS1_CASE(NB == 2 && R == 3 && H == 0, DWS1_ONE, 2, 2)
  DWS1_CASE(NB == 3 && R == 1 && H == 0, DWS1_ONE_E, 3, 0)
  DWS1_CASE(NB == 3 && R == 2 && H == 0, DWS1_ONE, 3, 1)
  DWS1_CASE(NB == 3 && R == 3 && H == 0, DWS1_ONE, 3, 2)
  DWS1_CASE(NB == 4 && R == 1 && H == 0, DWS1_ONE_E, 4, 0)
  DWS1_CASE(NB == 4 && R == 2 && H == 0, DWS1_ONE, 4, 1)
  DWS1_CASE(NB == 4 && R == 3 && H == 0, DWS1_ONE, 4, 2)
  DWS1_CASE(NB == 2 && R == 4 && H == 0, DWS1_ONE_W, 2, -)
  DWS1_CASE(NB == 3 && R == 4 && H == 0, DWS1_ONE_W, 3, -)
  DWS1_CASE(NB == 4 && R == 4 && H == 0, DWS1_ONE_W, 4, -)
  DWS1_CASE(NB == 2 && R == 4 && H == 8, DWS1_ONE_W_H8, 2, -)
  DWS1_CASE(NB == 3 && R == 4 && H == 12, DWS1_ONE_W_H12, 3, -)
  DWS1_CASE(NB == 4 && R == 4 && H == 16, DWS1_ONE_W_H16, 4, -)
  DWS1_CASE(NB == 2 && R == 1 && H == 5, DWS1_ONE_E_H5, 2, 0)
  DWS1_CASE(NB == 2 && R == 2 && H == 6, DWS1_TAIL_H6, 2, 1)
  DWS1_CASE(NB == 2 && R == 3 && H == 7, DWS1_ONE_H7, 2, 2)
  DWS1_CASE(NB == 3 && R == 2 && H == 10, DWS1_TAIL_H10, 3, 2)
  DWS1_CASE(NB == 4 && R == 2 && H == 14, DWS1_TAIL_H14, 4, 3)
  DWS1_CASE(NR == 1 && R == 4, DWS1_WIDE, 1, -)
  DWS1_CASE(NR == 2 && R == 4, DWS1_WIDE, 2, -)
  DWS1_CASE(NR == 3 && R == 4, DWS1_WIDE, 3, -)
  DWS1_CASE(NR == 4 && R == 4, DWS1_WIDE, 4, -)
  DWS1_CASE(NR == 1 && R == 1, DWS1_WIDE_TAIL_E, 1, 0)
  DWS1_CASE(NR == 1 && R == 2, DWS1_WIDE_TAIL, 1, 1)
  DWS1_CASE(NR == 1 && R == 3, DWS1_WIDE_TAIL, 1, 2)
  DWS1_CASE(NR == 2 && R == 1, DWS1_WIDE_TAIL_E, 2, 0)
  DWS1_CASE(NR == 2 && R == 2, DWS1_WIDE_TAIL, 2, 1)
  DWS1_CASE(NR == 2 && R == 3, DWS1_WIDE_TAIL, 2, 2)
  DWS1_CASE(NR == 3 && R == 1, DWS1_WIDE_TAIL_E, 3, 0)
  DWS1_CASE(NR == 3 && R == 2, DWS1_WIDE_TAIL, 3, 1)
  DWS1_CASE(NR == 3 && R == 3, DWS1_WIDE_TAIL, 3, 2)
  DWS1_CASE(NR == 4 && R == 1, DWS1_WIDE_TAIL_E, 4, 0)
  DWS1_CASE(NR == 4 && R == 2, DWS1_WIDE_TAIL, 4, 1)
  DWS1_CASE(NR == 4 && R == 3, DWS1_WIDE_TAIL, 4, 2)
}

// w = 4NV >= 20: the bands of whole vectors, both activations.
template <bool CLAMP>
void ld1rows_whole(const DwPlane& p, size_t planes) {
  using fn = void (*)(const DwPlane&, size_t);
  if (p.w <= 16) {  // one band of 2..4 vectors (clamped square planes: passes of h = w rows)
    static constexpr fn one[3] = {ld1rows<2, 0, 4, CLAMP>, ld1rows<3, 0, 4, CLAMP>, ld1rows<4, 0, 4, CLAMP>};
    static constexpr fn square[3] = {ld1rows<2, 0, 4, true, 8>, ld1rows<3, 0, 4, true, 12>,
                                     ld1rows<4, 0, 4, true, 16>};
    return (CLAMP && p.h == p.w ? square : one)[p.w / 4 - 2](p, planes);
  }
  static constexpr fn wide[4] = {ld1rows<0, 1, 4, CLAMP>, ld1rows<0, 2, 4, CLAMP>, ld1rows<0, 3, 4, CLAMP>,
                                 ld1rows<0, 4, 4, CLAMP>};
  wide[(p.w / 4 - 5) % 4](p, planes);  // the right band's vectors, NV - 4 - 4*(middle bands)
}

// w = 4(NV-1) + R, R = 1..3 (from 5): clamped only; an unclamped call runs
// with the bounds [-inf, +inf] (as the stride-2 rows kernels,
// dw_rows_unbounded in neon/dwconv3x3_rows.h: FMAX/FMIN with infinities
// leave every number and NaN as the add gave it, the same bits as an
// unclamped store; 2 more instructions per output vector and row), which
// halves these 21 shapes' code (about 65 KB of text).
void ld1rows_tail(const DwPlane& p, size_t planes) {
  using fn = void (*)(const DwPlane&, size_t);
  // [vectors of the single band - 2][R - 1]; [right band's vectors - 1][R - 1]
  static constexpr fn one[3][3] = {{ld1rows<2, 0, 1, true>, ld1rows<2, 0, 2, true>, ld1rows<2, 0, 3, true>},
                                   {ld1rows<3, 0, 1, true>, ld1rows<3, 0, 2, true>, ld1rows<3, 0, 3, true>},
                                   {ld1rows<4, 0, 1, true>, ld1rows<4, 0, 2, true>, ld1rows<4, 0, 3, true>}};
  static constexpr fn wide[4][3] = {{ld1rows<0, 1, 1, true>, ld1rows<0, 1, 2, true>, ld1rows<0, 1, 3, true>},
                                    {ld1rows<0, 2, 1, true>, ld1rows<0, 2, 2, true>, ld1rows<0, 2, 3, true>},
                                    {ld1rows<0, 3, 1, true>, ld1rows<0, 3, 2, true>, ld1rows<0, 3, 3, true>},
                                    {ld1rows<0, 4, 1, true>, ld1rows<0, 4, 2, true>, ld1rows<0, 4, 3, true>}};
  // 14x14 unclamped (MobileNetV3's 14x14 stage, hardswish after it; the
  // LD1 rows kernel's most frequent unclamped shape that ends inside a
  // vector): an instantiation of its own, without the 2 x 49 FMAX/FMIN per
  // plane that the infinite bounds cost (cortex-a72 MACs/insn, 384 planes:
  // 2.50 -> 2.90).
  if (!p.clamp && p.h == 14 && p.w == 14) return ld1rows<4, 0, 2, false, 14>(p, planes);
  DwPlane q = p;
  if (!p.clamp) {
    q.lo = -std::numeric_limits<float>::infinity();
    q.hi = std::numeric_limits<float>::infinity();
  }
  const size_t nv = (p.w + 3) / 4, r = p.w % 4;
  if (p.h == p.w) {  // the square planes with passes of exact height
    switch (p.w) {
      case 5: return ld1rows<2, 0, 1, true, 5>(q, planes);
      case 6: return ld1rows<2, 0, 2, true, 6>(q, planes);
      case 7: return ld1rows<2, 0, 3, true, 7>(q, planes);
      case 10: return ld1rows<3, 0, 2, true, 10>(q, planes);
      case 14: return ld1rows<4, 0, 2, true, 14>(q, planes);
      default: break;
    }
  }
  if (nv <= 4)
    one[nv - 2][r - 1](q, planes);
  else
    wide[(nv - 5) % 4][r - 1](q, planes);  // the right band: NV - 4 - 4*(middle bands)
}

}  // namespace

// Runs planes of p if they are "same"-padded (pad 1 on every side, ho = h
// >= 2, wo = w) with w >= 5; returns how many it ran, from the first: all
// but the last where w is not a multiple of 4, whose rows' loads and
// stores reach past their ends (see the top), else all; 0: none.
size_t dwconv3x3_aarch64_1x16_s1_ld1rows(const DwPlane& p) {
  // The shape and the all-but-the-last-plane rule (core/dwconv.h); this
  // kernel's widths: w >= 5.
  const size_t planes = dw_s1_ld1_planes(p);
  if (planes == 0 || p.w < 5) return 0;
  if (p.w % 4 != 0)
    ld1rows_tail(p, planes);
  else
    p.clamp ? ld1rows_whole<true>(p, planes) : ld1rows_whole<false>(p, planes);
  return planes;
}

}  // namespace detail
}  // namespace armconv

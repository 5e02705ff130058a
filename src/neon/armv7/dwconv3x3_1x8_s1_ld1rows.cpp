// NEON fp32 depthwise 3x3, stride 1, pad 1 ("same"), rows of at least 5
// columns (MobileNetV2's 112x112 .. 7x7 layers), armv7: bands of up to 8
// columns, each one pass of a rows kernel down the plane (three rows of
// accumulators in registers), all planes of a call in one assembly loop.
// The armv7 counterpart of neon/aarch64/dwconv3x3_1x16_s1_ld1rows.cpp, with
// armv7's 16 Q registers: bands of 2 vectors instead of 4. Part of
// dwconv3x3-armv7-1x8 (its table: dwconv3x3_1x8.cpp), which runs every
// plane this kernel leaves with the rows kernels (neon/dwconv3x3_rows.h) or
// the strips (neon/dwconv.h).
//
// Bands. A row of w columns is NV = ceil(w/4) vectors: a left band (vectors
// 0, 1), middle bands of 2 and a right band of NR = 1 or 2 vectors (NV =
// 2 + 2*(middle bands) + NR; 28 columns: 8 + 8 + 8 + 4; 56: 7 bands of 8;
// 14: 8 + 8). The right band runs first, then the left band and the middle
// ones, each over the whole plane. Rows of 5..8 columns are one band of 2
// vectors with both ends (w = 8 - c: its last vector cut as a right band's,
// below).
//
// Windows (as the aarch64 kernel): output vector j (columns 4j .. 4j+3),
// tap column t reads columns 4j + t - 1 .. 4j + t + 2: for each tap column
// one VLD1 of the band's vectors from the column its first window starts
// at, through a pointer of its own post-indexed by the row stride. The
// windows that touch the padding: vector 0, tap column 0 = ext(q2, columns
// 0..3, 3) (q2 = [0, tap 8, bias, 0], the packed third vector rotated by
// one lane: its lanes 0 and 3 are the packing's zeros); the right band, w
// = 4NV: its last vector's tap-column-2 window = ext(columns w-4 .. w-1,
// q2, 1), nothing outside the row is read or written. w = 4NV - c (c =
// 1..3, e.g. 14): the last vector reaches past the row, its windows are
// loaded whole (up to c+1 columns past the row: the next row's first ones,
// which feed only outputs past the row) and the one lane of its
// tap-column-2 window that reads the right padding column (lane 3 - c) is
// zeroed (a VFP move from lane 0 of q2, s8, into it: the windows sit in
// q6/q7, which have S registers); the last vector is stored whole, its
// lanes past the row landing on the next output row's first columns, which
// the left band (run after the right one) stores over. Neither reaches
// past the call's planes as long as the call's last plane is not run here:
// for such widths the entry point below runs planes 0 .. count-2 and leaves
// the last one to the other kernels.
//
// Per input row of a band of 8 columns: 3 VLD1 (left band: and 1 VEXT), 18
// VMLA/VMUL; per output row 2 VADD (and 4 VMAX/VMIN with the clamp), 1 VST1
// (the strips form the windows with VEXT and step their pointers; the
// 9..16-column rows kernel, two bands, 4 VEXT per band and row). Per pass
// (band and plane) 3 pointer set-ups and the row loop's control. Counted
// on cortex-a15 (bench/insncount.py --arch arm, MobileNetV2's layers, ReLU6),
// MACs per instruction before -> after: 112x112 1.76 -> 2.52, 56x56 1.73 ->
// 2.50, 28x28 1.63 -> 2.41, 14x14 1.82 -> 2.16, 7x7 1.75 -> 2.06. (Planes
// of at most 16 columns and 3 rows stay with the rows kernels, which count
// fewer there: dwconv3x3_1x8.cpp.)
//
// Rows (as the aarch64 kernel): input row i feeds output rows i+1 (tap row
// 0: a VMUL of tap 0 starts it), i (tap row 1) and i-1 (tap row 2, which
// completes it: bias, clamp, store). The three rows of accumulators rotate;
// the loop is unrolled over six input rows so the rotation is a renaming,
// and the rows left pick the tail (14x14 and 7x7 planes: straight lines, and
// 14x14 without the middle-band loop). Row 0 has no
// tap-row-0 terms: its accumulators start from zero (VMLA onto zero, as the
// strips). The terms of every output, and their order, are those of the
// armv7 strips and rows kernels (VMLA by scalar: the product rounded, then
// the sum; tap rows 0, 1, 2, tap columns 0, 1, 2; the bias added last, then
// the clamp): the same bits whichever kernel runs a plane or a range of its
// rows.
//
// Register map: q0-q2 taps (tap T < 8: lane T%2 of d(T/2); tap 8: d4[1];
// VMLA's scalar must be in d0-d15), q3 bias, q4/q5 the clamp's bounds;
// windows: tap column 0 in q6, q7, tap column 1 in q8, q9, tap column 2 in
// q6, q7 (vector j of the band in the first or second); accumulator rows
// R0 = q10, q11, R1 = q12, q13, R2 = q14, q15 (the output stage in place:
// a stored row starts again with a VMUL). General registers: x (the band's
// tap-column-1 windows, the pointer p1 of the aarch64 kernel), p0, p2, y,
// the row stride xs (input and output), cnt and prm (the call's constants
// and counters in memory: a debug build's asm gets fewer registers).
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/dwconv.h"

namespace armconv {
namespace detail {

namespace {

#define DWB7_K0 "d0[0]"
#define DWB7_K1 "d0[1]"
#define DWB7_K2 "d1[0]"
#define DWB7_K3 "d1[1]"
#define DWB7_K4 "d2[0]"
#define DWB7_K5 "d2[1]"
#define DWB7_K6 "d3[0]"
#define DWB7_K7 "d3[1]"
#define DWB7_K8 "d4[1]"
// acc (+)= window * tap; NOP: a row that this input row does not feed.
#define DWB7_MLA(acc, w, t) "vmla.f32 " acc ", " w ", " t "\n\t"
#define DWB7_MUL(acc, w, t) "vmul.f32 " acc ", " w ", " t "\n\t"
#define DWB7_NOP(acc, w, t)

// Accumulator rows: DWB7_R<r>_<j> is vector j of row r, DWB7_R<r>_D<n> its
// first n vectors as D registers (for VST1). (DWB7_NO: no row.)
#define DWB7_R0_0 "q10"
#define DWB7_R0_1 "q11"
#define DWB7_R0_D1 "d20, d21"
#define DWB7_R0_D2 "d20, d21, d22, d23"
#define DWB7_R1_0 "q12"
#define DWB7_R1_1 "q13"
#define DWB7_R1_D1 "d24, d25"
#define DWB7_R1_D2 "d24, d25, d26, d27"
#define DWB7_R2_0 "q14"
#define DWB7_R2_1 "q15"
#define DWB7_R2_D1 "d28, d29"
#define DWB7_R2_D2 "d28, d29, d30, d31"

// Window w of vector j, tap column t, into the rows it feeds: A2 (tap row
// 2, op O2), A1 (tap row 1), A0 (tap row 0, op O0: VMUL for t = 0).
#define DWB7_V(O2, A2, t2, O1, A1, t1, O0, A0, t0, j, w) O2(A2##_##j, w, t2) O1(A1##_##j, w, t1) O0(A0##_##j, w, t0)
#define DWB7_COL1(O2, A2, t2, O1, A1, t1, O0, A0, t0, w0) DWB7_V(O2, A2, t2, O1, A1, t1, O0, A0, t0, 0, w0)
#define DWB7_COL2(O2, A2, t2, O1, A1, t1, O0, A0, t0, w0, w1) \
  DWB7_COL1(O2, A2, t2, O1, A1, t1, O0, A0, t0, w0)           \
  DWB7_V(O2, A2, t2, O1, A1, t1, O0, A0, t0, 1, w1)
// Tap columns 0, 1, 2 of a band of 1 or 2 vectors.
#define DWB7_C0(N, O2, A2, A1, S0, A0, ...) DWB7_COL##N(O2, A2, DWB7_K6, DWB7_MLA, A1, DWB7_K3, S0, A0, DWB7_K0, __VA_ARGS__)
#define DWB7_C1(N, O2, A2, A1, O0, A0, ...) DWB7_COL##N(O2, A2, DWB7_K7, DWB7_MLA, A1, DWB7_K4, O0, A0, DWB7_K1, __VA_ARGS__)
#define DWB7_C2(N, O2, A2, A1, O0, A0, ...) DWB7_COL##N(O2, A2, DWB7_K8, DWB7_MLA, A1, DWB7_K5, O0, A0, DWB7_K2, __VA_ARGS__)

// One input row into the band's rows: A2 (O2: VMLA or NOP), A1 (VMLA), A0
// (S0: VMUL or NOP for tap column 0, O0: VMLA or NOP for 1 and 2). A band
// of N = 1, 2 vectors: LOAD01 its tap-column-0 windows into q6.. and its
// tap-column-1 ones into q8.., their multiply-adds, LOAD2 its tap-column-2
// windows into q6.., theirs.
#define DWB7_WA1 "q6"
#define DWB7_WA2 "q6", "q7"
#define DWB7_WB1 "q8"
#define DWB7_WB2 "q8", "q9"
#define DWB7_ROW(N, LOAD01, LOAD2, O2, A2, A1, S0, O0, A0) \
  LOAD01                                                   \
  DWB7_C0(N, O2, A2, A1, S0, A0, DWB7_WA##N)               \
  DWB7_C1(N, O2, A2, A1, O0, A0, DWB7_WB##N)               \
  LOAD2                                                    \
  DWB7_C2(N, O2, A2, A1, O0, A0, DWB7_WA##N)
// VLD1 of the D registers REGS from pointer P, which moves a row on.
#define DWB7_LD(REGS, P) "vld1.32 {" REGS "}, [%[" P "]], %[xs]\n\t"
#define DWB7_LD1(P) DWB7_LD("d12, d13", P)
#define DWB7_LD2(P) DWB7_LD("d12, d13, d14, d15", P)
// Tap columns 0 and 1 of a band: at a row's start (p0 at column 3, x at
// 0; vector 0's tap-column-0 window = ext(q2, columns 0..3, 3)), or inside
// (p0 at the column left of the band, x at its first column).
#define DWB7_LEFT01 DWB7_LD("d16, d17, d18, d19", "x") DWB7_LD("d14, d15", "p0") "vext.32 q6, q2, q8, #3\n\t"
#define DWB7_IN01(N) DWB7_LD##N("p0") DWB7_LD(DWB7_D8_##N, "x")
#define DWB7_D8_1 "d16, d17"
#define DWB7_D8_2 "d16, d17, d18, d19"
// Tap column 2 (p2 one column right of x): all inside the row, or
// the last vector's window = ext(its tap-column-1 window, q2, 1) (lane 0
// of q2 is zero), or loaded whole with its lane ZL zeroed from s8.
#define DWB7_T2_IN DWB7_LD2("p2")
#define DWB7_T2_END1 "vext.32 q6, q8, q2, #1\n\t"
#define DWB7_T2_END2 DWB7_LD1("p2") "vext.32 q7, q9, q2, #1\n\t"
#define DWB7_T2_CUT(N, ZL) DWB7_LD##N("p2") "vmov.f32 s" ZL ", s8\n\t"

// The left band (vectors 0, 1); a middle band of 2 vectors.
#define DWB7_LROW(...) DWB7_ROW(2, DWB7_LEFT01, DWB7_T2_IN, __VA_ARGS__)
#define DWB7_MROW(...) DWB7_ROW(2, DWB7_IN01(2), DWB7_T2_IN, __VA_ARGS__)
// The right band of NR = 1, 2 vectors ending at the row's end (w = 4NV):
// nothing outside the row is read.
#define DWB7_R1ROW(...) DWB7_ROW(1, DWB7_IN01(1), DWB7_T2_END1, __VA_ARGS__)
#define DWB7_R2ROW(...) DWB7_ROW(2, DWB7_IN01(2), DWB7_T2_END2, __VA_ARGS__)
// The right band reaching c = 1..3 columns past the row's end (w = 4NV -
// c): the windows loaded whole, lane 3 - c of the last vector's
// tap-column-2 window zeroed (NR = 1: in q6, s27 - c; NR = 2: q7, s31 - c).
#define DWB7_C1ROW1(...) DWB7_ROW(1, DWB7_IN01(1), DWB7_T2_CUT(1, "26"), __VA_ARGS__)
#define DWB7_C1ROW2(...) DWB7_ROW(1, DWB7_IN01(1), DWB7_T2_CUT(1, "25"), __VA_ARGS__)
#define DWB7_C1ROW3(...) DWB7_ROW(1, DWB7_IN01(1), DWB7_T2_CUT(1, "24"), __VA_ARGS__)
#define DWB7_C2ROW1(...) DWB7_ROW(2, DWB7_IN01(2), DWB7_T2_CUT(2, "30"), __VA_ARGS__)
#define DWB7_C2ROW2(...) DWB7_ROW(2, DWB7_IN01(2), DWB7_T2_CUT(2, "29"), __VA_ARGS__)
#define DWB7_C2ROW3(...) DWB7_ROW(2, DWB7_IN01(2), DWB7_T2_CUT(2, "28"), __VA_ARGS__)
// A row of 5..8 columns, one band of 2 vectors with both ends: w = 8, or
// w = 8 - c (the last vector cut as above).
#define DWB7_LR0ROW(...) DWB7_ROW(2, DWB7_LEFT01, DWB7_T2_END2, __VA_ARGS__)
#define DWB7_LR1ROW(...) DWB7_ROW(2, DWB7_LEFT01, DWB7_T2_CUT(2, "30"), __VA_ARGS__)
#define DWB7_LR2ROW(...) DWB7_ROW(2, DWB7_LEFT01, DWB7_T2_CUT(2, "29"), __VA_ARGS__)
#define DWB7_LR3ROW(...) DWB7_ROW(2, DWB7_LEFT01, DWB7_T2_CUT(2, "28"), __VA_ARGS__)

// Output stage of row R's N vectors, in place; ACT: the clamp or nothing.
#define DWB7_OUT(ACT, R, j) "vadd.f32 " R##_##j ", " R##_##j ", q3\n\t" ACT(R##_##j)
#define DWB7_CLAMP(v) "vmax.f32 " v ", " v ", q4\n\t" "vmin.f32 " v ", " v ", q5\n\t"
#define DWB7_NONE(v)
#define DWB7_STORE1(ACT, R) DWB7_OUT(ACT, R, 0) "vst1.32 {" R##_D1 "}, [%[y]], %[xs]\n\t"
#define DWB7_STORE2(ACT, R) DWB7_OUT(ACT, R, 0) DWB7_OUT(ACT, R, 1) "vst1.32 {" R##_D2 "}, [%[y]], %[xs]\n\t"
#define DWB7_ZERO1(R) "vmov.i32 " R##_0 ", #0\n\t"
#define DWB7_ZERO2(R) DWB7_ZERO1(R) "vmov.i32 " R##_1 ", #0\n\t"

// Input row i (1 <= i <= h-2, P = i mod 3) feeds rows i+1, i, i-1 and
// stores row i-1; the last input row completes rows h-2 and h-1.
#define DWB7_MID1(ROW, STORE, ACT) ROW(DWB7_MLA, DWB7_R0, DWB7_R1, DWB7_MUL, DWB7_MLA, DWB7_R2) STORE(ACT, DWB7_R0)
#define DWB7_MID2(ROW, STORE, ACT) ROW(DWB7_MLA, DWB7_R1, DWB7_R2, DWB7_MUL, DWB7_MLA, DWB7_R0) STORE(ACT, DWB7_R1)
#define DWB7_MID0(ROW, STORE, ACT) ROW(DWB7_MLA, DWB7_R2, DWB7_R0, DWB7_MUL, DWB7_MLA, DWB7_R1) STORE(ACT, DWB7_R2)
#define DWB7_LAST(ROW, STORE, ACT, P, Q) \
  ROW(DWB7_MLA, Q, P, DWB7_NOP, DWB7_NOP, DWB7_NO) STORE(ACT, Q) STORE(ACT, P)

// One band down one plane (h >= 2; (h-2)/6 at [prm], rem = (h-2) mod 3 at
// [prm, #4], (h-2) mod 6 >= 3 at [prm, #48]): row 0 (tap row 1 of output
// row 0, from zero; tap row 0 of row 1), trips of six rows (the rotation
// twice: a third of the loop's control per row), three rows if (h-2) mod 6
// >= 3, then rem rows:
//   rem 0: the last row (P = 1); rem 1: a row (P = 1), the last (P = 2);
//   rem 2: rows P = 1, 2, the last (P = 0).
// (Numeric labels 2..6, 9: each pass's own, referenced only inside it.)
#define DWB7_ROW0(ROW, ZERO) ZERO(DWB7_R0) ROW(DWB7_NOP, DWB7_NO, DWB7_R0, DWB7_MUL, DWB7_MLA, DWB7_R1)
#define DWB7_MID3(ROW, STORE, ACT) DWB7_MID1(ROW, STORE, ACT) DWB7_MID2(ROW, STORE, ACT) DWB7_MID0(ROW, STORE, ACT)
#define DWB7_PASS(ROW, STORE, ZERO, ACT)                                  \
  DWB7_ROW0(ROW, ZERO)                                                    \
  "ldr %[cnt], [%[prm]]\n\t"                                              \
  "cmp %[cnt], #0\n\t"                                                    \
  "beq 3f\n\t"                                                            \
  "2:\n\t"                                                                \
  DWB7_MID3(ROW, STORE, ACT) DWB7_MID3(ROW, STORE, ACT)                   \
  "subs %[cnt], %[cnt], #1\n\t"                                           \
  "bne 2b\n\t"                                                            \
  "3:\n\t"                                                                \
  "ldr %[cnt], [%[prm], #48]\n\t"                                         \
  "cmp %[cnt], #0\n\t"                                                    \
  "beq 6f\n\t"                                                            \
  DWB7_MID3(ROW, STORE, ACT)                                              \
  "6:\n\t"                                                                \
  "ldr %[cnt], [%[prm], #4]\n\t"                                          \
  "cmp %[cnt], #0\n\t"                                                    \
  "beq 5f\n\t"                                                            \
  DWB7_MID1(ROW, STORE, ACT)                                              \
  "tst %[cnt], #2\n\t"                                                    \
  "beq 4f\n\t"                                                            \
  DWB7_MID2(ROW, STORE, ACT)                                              \
  DWB7_LAST(ROW, STORE, ACT, DWB7_R0, DWB7_R2)                            \
  "b 9f\n\t"                                                              \
  "4:\n\t"                                                                \
  DWB7_LAST(ROW, STORE, ACT, DWB7_R2, DWB7_R1)                            \
  "b 9f\n\t"                                                              \
  "5:\n\t"                                                                \
  DWB7_LAST(ROW, STORE, ACT, DWB7_R1, DWB7_R0)                            \
  "9:\n\t"

// The same for the heights of MobileNet's small maps, 14 and 7, in straight
// lines (no row count from memory, no loop, no tail branches).
#define DWB7_PASS14(ROW, STORE, ZERO, ACT)                                                    \
  DWB7_ROW0(ROW, ZERO) DWB7_MID3(ROW, STORE, ACT) DWB7_MID3(ROW, STORE, ACT)                  \
  DWB7_MID3(ROW, STORE, ACT) DWB7_MID3(ROW, STORE, ACT) DWB7_LAST(ROW, STORE, ACT, DWB7_R1, DWB7_R0)
#define DWB7_PASS7(ROW, STORE, ZERO, ACT)                                                     \
  DWB7_ROW0(ROW, ZERO) DWB7_MID3(ROW, STORE, ACT) DWB7_MID1(ROW, STORE, ACT)                  \
  DWB7_MID2(ROW, STORE, ACT) DWB7_LAST(ROW, STORE, ACT, DWB7_R0, DWB7_R2)

// A pass's pointers from x (the band's first column): p0 (tap column 0:
// column 3 for the left band, else the column left of the band), p2.
#define DWB7_AT_LEFT "add %[p0], %[x], #12\n\t" "add %[p2], %[x], #4\n\t"
#define DWB7_AT_MID "sub %[p0], %[x], #4\n\t" "add %[p2], %[x], #4\n\t"
// x, y += / -= the bytes at [prm, #OFF].
#define DWB7_MOVE(OP, OFF)                                                \
  "ldr %[cnt], [%[prm], #" #OFF "]\n\t"                                   \
  OP " %[x], %[x], %[cnt]\n\t"                                            \
  OP " %[y], %[y], %[cnt]\n\t"

// The middle bands, from the left band's end (x, y at the next plane's
// origin), and on to the next plane; DWB7_NO_MIDS: none (w <= 16), x and y
// are there.
#define DWB7_MIDS(PASS, ACT) \
  DWB7_MOVE("sub", 24)                                                         \
  "ldr %[cnt], [%[prm], #28]\n\t"                                              \
  "cmp %[cnt], #0\n\t"                                                         \
  "beq 8f\n\t"                                                                 \
  "str %[cnt], [%[prm], #32]\n\t"                                              \
  "7:\n\t"                                                                     \
  DWB7_AT_MID                                                                  \
  PASS(DWB7_MROW, DWB7_STORE2, DWB7_ZERO2, ACT)                                \
  DWB7_MOVE("sub", 24)                                                         \
  "ldr %[cnt], [%[prm], #32]\n\t"                                              \
  "subs %[cnt], %[cnt], #1\n\t"                                                \
  "str %[cnt], [%[prm], #32]\n\t"                                              \
  "bne 7b\n\t"                                                                 \
  "8:\n\t"                                                                     \
  DWB7_MOVE("add", 36)
#define DWB7_NO_MIDS(PASS, ACT)

// A plane's start (label 1): its taps (the taps pointer at [prm, #8] moves
// to the next plane's), q2 rotated, the bias; its end: back to 1 for the
// next plane (the plane count at [prm, #12]).
#define DWB7_TAPS                                                              \
  "1:\n\t"                                                                     \
  "ldr %[cnt], [%[prm], #8]\n\t"                                               \
  "vld1.32 {d0, d1, d2, d3}, [%[cnt]]!\n\t"                                    \
  "vld1.32 {d4, d5}, [%[cnt]]!\n\t"                                            \
  "str %[cnt], [%[prm], #8]\n\t"                                               \
  "vext.32 q2, q2, q2, #3\n\t"                                                 \
  "vdup.32 q3, d5[0]\n\t"
#define DWB7_NEXT_PLANE                                                        \
  "ldr %[cnt], [%[prm], #12]\n\t"                                              \
  "subs %[cnt], %[cnt], #1\n\t"                                                \
  "str %[cnt], [%[prm], #12]\n\t"                                              \
  "bne 1b\n\t"

// All planes (x, y at the first one's origin; the taps pointer at [prm,
// #8], the plane count at [prm, #12]): the taps and bias, then the right
// band (RIGHT, RSTORE, RZERO; [prm, #16]: its first column's bytes from the
// origin, [prm, #20]: a plane's bytes plus those), the left band, the
// middle bands ([prm, #28] of them, counted down at [prm, #32]; [prm, #24]:
// a plane's bytes less a band's, from a band's end to the next band), and
// on to the next plane ([prm, #36]: from the last band's end).
#define DWB7_PLANES(PASS, MIDS, RIGHT, RSTORE, RZERO, ACT)                           \
  DWB7_TAPS                                                                    \
  DWB7_MOVE("add", 16)                                                         \
  DWB7_AT_MID                                                                  \
  PASS(RIGHT, RSTORE, RZERO, ACT)                                              \
  DWB7_MOVE("sub", 20)                                                         \
  DWB7_AT_LEFT                                                                 \
  PASS(DWB7_LROW, DWB7_STORE2, DWB7_ZERO2, ACT)                                \
  MIDS(PASS, ACT)                                                              \
  DWB7_NEXT_PLANE

// Rows of one band (5..8 columns): the band's pass leaves x, y at the next
// plane's origin.
#define DWB7_PLANES1(PASS, ROW, ACT)                                               \
  DWB7_TAPS                                                                    \
  DWB7_AT_LEFT                                                                 \
  PASS(ROW, DWB7_STORE2, DWB7_ZERO2, ACT)                                      \
  DWB7_NEXT_PLANE

#define DWB7_OPERANDS                                                                             \
  : [x] "+r"(x), [y] "+r"(y), [p0] "=&r"(p0), [p2] "=&r"(p2), [cnt] "=&r"(cnt)                    \
  : [prm] "r"(prm), [xs] "r"(xs)                                                                  \
  : "cc", "memory", "q0", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9", "q10", "q11",     \
    "q12", "q13", "q14", "q15"
// (The bounds from [prm, #40], [prm, #44]; cnt as the address.)
#define DWB7_BOUNDS                                 \
  "add %[cnt], %[prm], #40\n\t"                     \
  "vld1.32 {d8[], d9[]}, [%[cnt]]!\n\t"             \
  "vld1.32 {d10[], d11[]}, [%[cnt]]\n\t"
// PASS: DWB7_PASS, or DWB7_PASS<H> for the height H; MIDS: DWB7_MIDS or
// DWB7_NO_MIDS.
#define DWB7_ASM(PASS, MIDS, RIGHT, NR)                                                              \
  if constexpr (CLAMP)                                                                                 \
    __asm__ volatile(DWB7_BOUNDS DWB7_PLANES(PASS, MIDS, RIGHT, DWB7_STORE##NR, DWB7_ZERO##NR, DWB7_CLAMP) \
                         DWB7_OPERANDS);                                                               \
  else                                                                                                 \
    __asm__ volatile(DWB7_PLANES(PASS, MIDS, RIGHT, DWB7_STORE##NR, DWB7_ZERO##NR, DWB7_NONE) DWB7_OPERANDS)
#define DWB7_ASM1(PASS, ROW)                                                                         \
  if constexpr (CLAMP)                                                                                 \
    __asm__ volatile(DWB7_BOUNDS DWB7_PLANES1(PASS, ROW, DWB7_CLAMP) DWB7_OPERANDS);                   \
  else                                                                                                 \
    __asm__ volatile(DWB7_PLANES1(PASS, ROW, DWB7_NONE) DWB7_OPERANDS)

// `planes` >= 1 planes of w >= 5 columns from p.x, p.y, p.k: NV =
// ceil(w/4) vectors, a right band of NR vectors reaching C = 4NV - w
// columns past the row (NR = 0: w <= 8, one band of 2 vectors); H: h if
// the passes are straight lines for that height (14, 7), else 0.
template <int NR, int C, bool CLAMP, int H = 0>
void ld1rows(const DwPlane& p, size_t planes) {
  const float* x = p.x;
  float* y = p.y;
  const float* p0;
  const float* p2;
  size_t cnt;
  const int32_t nv = int32_t((p.w + 3) / 4), nmid = (nv - 2 - NR) / 2;
  const int32_t plane = int32_t(4 * p.h * p.w), roff = 16 * (nv - NR);
  // The row loop's trips, rem; the taps pointer, the plane count; the
  // right band's offset, back from its end to the plane's origin; from a
  // band's end to the next band; the middle bands and their count down;
  // from the last band's end to the next plane; the clamp's bounds (their
  // bits); three rows after the loop.
  int32_t prm[13] = {int32_t((p.h - 2) / 6), int32_t((p.h - 2) % 3), 0, int32_t(planes), roff, plane + roff,
                     plane - 32, nmid, 0, plane - 32 * (1 + nmid), 0, 0, int32_t((p.h - 2) % 6 >= 3)};
  const float* k = p.k;
  static_assert(sizeof(k) == 4, "armv7: 32-bit pointers");
  std::memcpy(&prm[2], &k, 4);
  std::memcpy(&prm[10], &p.lo, 4);
  std::memcpy(&prm[11], &p.hi, 4);
  const ptrdiff_t xs = ptrdiff_t(4 * p.w);  // a row, in and out
  if constexpr (H == 14) {
    static_assert(NR == 2 && C == 2, "14 columns");
    DWB7_ASM(DWB7_PASS14, DWB7_NO_MIDS, DWB7_C2ROW2, 2);
  } else if constexpr (H == 7) {
    static_assert(NR == 0 && C == 1, "7 columns");
    DWB7_ASM1(DWB7_PASS7, DWB7_LR1ROW);
  } else if constexpr (NR == 0 && C == 0) {
    DWB7_ASM1(DWB7_PASS, DWB7_LR0ROW);
  } else if constexpr (NR == 0 && C == 1) {
    DWB7_ASM1(DWB7_PASS, DWB7_LR1ROW);
  } else if constexpr (NR == 0 && C == 2) {
    DWB7_ASM1(DWB7_PASS, DWB7_LR2ROW);
  } else if constexpr (NR == 0) {
    static_assert(C == 3, "an instantiated cut");
    DWB7_ASM1(DWB7_PASS, DWB7_LR3ROW);
  } else if constexpr (C == 0 && NR == 1) {
    DWB7_ASM(DWB7_PASS, DWB7_MIDS, DWB7_R1ROW, 1);
  } else if constexpr (C == 0) {
    DWB7_ASM(DWB7_PASS, DWB7_MIDS, DWB7_R2ROW, 2);
  } else if constexpr (NR == 1 && C == 1) {
    DWB7_ASM(DWB7_PASS, DWB7_MIDS, DWB7_C1ROW1, 1);
  } else if constexpr (NR == 1 && C == 2) {
    DWB7_ASM(DWB7_PASS, DWB7_MIDS, DWB7_C1ROW2, 1);
  } else if constexpr (NR == 1) {
    static_assert(C == 3, "an instantiated cut");
    DWB7_ASM(DWB7_PASS, DWB7_MIDS, DWB7_C1ROW3, 1);
  } else if constexpr (C == 1) {
    DWB7_ASM(DWB7_PASS, DWB7_MIDS, DWB7_C2ROW1, 2);
  } else if constexpr (C == 2) {
    DWB7_ASM(DWB7_PASS, DWB7_MIDS, DWB7_C2ROW2, 2);
  } else {
    static_assert(C == 3, "an instantiated cut");
    DWB7_ASM(DWB7_PASS, DWB7_MIDS, DWB7_C2ROW3, 2);
  }
}

template <bool CLAMP>
void ld1rows_w(const DwPlane& p, size_t planes) {
  const size_t nv = (p.w + 3) / 4, c = 4 * nv - p.w;
  if (p.w == 14 && p.h == 14) {  // MobileNet's small maps
    ld1rows<2, 2, CLAMP, 14>(p, planes);
  } else if (p.w == 7 && p.h == 7) {
    ld1rows<0, 1, CLAMP, 7>(p, planes);
  } else if (nv == 2) {  // one band
    if (c == 0) ld1rows<0, 0, CLAMP>(p, planes);
    else if (c == 1) ld1rows<0, 1, CLAMP>(p, planes);
    else if (c == 2) ld1rows<0, 2, CLAMP>(p, planes);
    else ld1rows<0, 3, CLAMP>(p, planes);
  } else if ((nv - 3) % 2 == 0) {  // NR = 1
    if (c == 0) ld1rows<1, 0, CLAMP>(p, planes);
    else if (c == 1) ld1rows<1, 1, CLAMP>(p, planes);
    else if (c == 2) ld1rows<1, 2, CLAMP>(p, planes);
    else ld1rows<1, 3, CLAMP>(p, planes);
  } else {
    if (c == 0) ld1rows<2, 0, CLAMP>(p, planes);
    else if (c == 1) ld1rows<2, 1, CLAMP>(p, planes);
    else if (c == 2) ld1rows<2, 2, CLAMP>(p, planes);
    else ld1rows<2, 3, CLAMP>(p, planes);
  }
}

}  // namespace

// Runs the first `planes` planes of p, which has this kernel's shape:
// planes = dw_s1_ld1_planes(p) >= 1 (core/dwconv.h: "same" padding; all
// planes where w is a multiple of 4, else all but the last, whose rows'
// loads and stores would reach past the call's planes) and w >= 5.
void dwconv3x3_armv7_1x8_s1_ld1rows(const DwPlane& p, size_t planes) {
  p.clamp ? ld1rows_w<true>(p, planes) : ld1rows_w<false>(p, planes);
}

}  // namespace detail
}  // namespace armconv

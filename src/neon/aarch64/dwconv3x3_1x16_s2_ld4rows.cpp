// NEON fp32 depthwise 3x3, stride 2, pad 1 ("same"), even widths from 8
// and odd ones from 17 (MobileNetV2's 112 -> 56, 56 -> 28, 28 -> 14, 14 ->
// 7; 300x300's 150 -> 75, 75 -> 38, 38 -> 19, 19 -> 10, 10 -> 5; 192x192's
// 96 -> 48, 48 -> 24 ...), aarch64: rows by LD4 in bands of up to 64
// columns, all planes of a call in one assembly loop (but the last one
// where a row's loads or stores reach past its end). Part of dwconv3x3-aarch64-1x16 (its table: dwconv3x3_1x16.cpp),
// which runs every plane this kernel leaves with the rows kernel
// (neon/dwconv3x3_rows.h, Rows3x3S2) or the strips (neon/dwconv.h).
//
// A row is G = ceil(w/16) groups of 16 columns, one LD4 each: group g gives
// a, b, c, d = columns 16g + 4i + 0, 1, 2, 3 (i = 0..3). Output 8g + 2i
// (even) reads columns 16g + 4i - 1, 0, 1 and output 8g + 2i + 1 (odd)
// 16g + 4i + 1, 2, 3:
//   even windows ext(d', d, 3), a, b    odd windows b, c, d
// (d': the previous group's d; the first group of a row: the taps' third
// vector, whose lane 3 is zero: the left padding column). So each group has
// an even and an odd accumulator vector, and a row's store is one ST2 per
// group, which interleaves them back (as the stride-2 strips' direct
// windows, Strip2 in neon/dwconv.h). Up to 4 groups (two rows of 8
// accumulator vectors) are one band, which walks down the whole plane;
// G = 5..8 groups are two bands, groups 0..3 and 4..G-1 (the second one's
// left column, 63, by an LD1R per input row: 98..112 columns, groups
// 0..3 and 4..6); G >= 9 are a left band of 4 groups, middle bands of 4
// (their left column by an LDUR of the vector before them) and a right
// band of 1..4 (160 columns: 4 + 4 + 2 groups; 150: the half group, below,
// and 4 + 4 + 1). Per output row of 28 -> 14
// (2 groups): 4 LD4, 4 EXT, 36 FMLA/FMUL, 12 output-stage instructions with
// the clamp, 2 ST2, every load and store post-indexed (the strips and
// Rows3x3S2: LD2s or LD4s with more EXTs, an LD1R per strip row, and
// address arithmetic that gcc does not fold into post-indexed forms, and
// per-strip set-up per plane). (Before, even widths other than 8..32,
// 50..64, 98..112 were strips: cortex-a72 MACs/insn on 150 -> 75 1.95,
// 96 -> 48 2.01, 38 -> 19 1.71; here 2.27, 2.43, 1.94.)
//
// Past the row's end. Unless w is a multiple of 16, the loads read 16G - w
// columns past each row (the next row's first columns: they feed only
// outputs past wo) and the stores write 8G - wo outputs past each output
// row (into the next output row, which is stored after it). Neither
// reaches past the call's planes as long as the call's last plane is not
// run here: the entry point below then runs planes 0 .. count-2 and leaves
// the last one to the other kernels. w even: the last output wo-1 reads
// columns w-3 .. w-1, so no output that is stored reads the right padding.
//
// The half group (even w = 16 NA + 2..8 up to 56, NA = 0..3 whole groups:
// 8 -> 4, 24 -> 12, 40 -> 20, 56 -> 28): the row's last 1..4 outputs, 8 NA
// + i, from one LD2 of 8 columns (e, o: columns 16 NA + 2i, 2i + 1; windows
// ext(d', o, 3), e, o), one accumulator vector and one ST1, in place of a
// whole group whose odd vector and half the even one would be past the
// row. Per output row of 56 -> 28: 3 whole groups (29 instructions each
// with the clamp) and a half one (2 LD2, 2 EXT, 9 FMLA/FMUL, 4 for the
// output stage and its ST1: 17) where 4 whole groups took 116. w = 16 NA +
// 8 reads and writes nothing past a row: all planes run here. cortex-a72
// MACs/insn: 56 -> 28 (relu6) 2.15 -> 2.40, 40 -> 20 2.04 -> 2.36, 38 -> 19
// 1.94 -> 2.24, 64 planes of 56 -> 28 unclamped 2.49 -> 2.76. From 4 whole
// groups (w = 16 G + 1..8 >= 65, even or odd: 150 -> 75, 72 -> 36 ...) the
// half group is a band of its own, run over the call's planes first (its
// left column by LD1R, as band B's), then the G whole groups as the even
// width 16 G (ld4rows_wide): 150 -> 75 2.28 -> 2.35.
//
// Odd widths from 17 (wo = (w+1)/2: the last output reads column w, the
// right padding; 300x300's 75 -> 38, 19 -> 10). Band B (the right one, of
// NB groups) is placed to end at column w: its first column w+1 - 16NB
// (even, so its outputs are whole pairs) lies inside the band before it,
// whose outputs there it computes again with the same terms in the same
// order (its left column by LD1R as any band B's) and stores with the same
// bits. Column w is lane 3 of its last group's d, zeroed after the LD4
// (INS from wzr); it feeds only output wo-1 (tap column 2) and outputs past
// the row. So no store reaches past a row's end; that LD4 reads one column
// past it (all planes but the last). G <= 5: band A of G-1 groups and band
// B of one (75 columns: 4 + 1, overlapping by 4 columns); more: as the even
// widths. But w = 16 NA + 1..7 up to 55 (NA = 1..3: 19 -> 10, 33 -> 17 ...)
// is band A and the half group, column w zeroed in its o vector (one AND
// per input row; both activations): cortex-a72 MACs/insn 19 -> 10 (relu6,
// 576 planes) 1.44 -> 1.88. Clamped only: an unclamped call runs with the
// bounds [-inf, +inf] (the same bits as an unclamped store; 2 more
// instructions per output vector). cortex-a72 MACs/insn, 75 -> 38 (relu6)
// 1.58 (the strips) -> 2.28, 19 -> 10 1.41 -> 1.44; 64 planes of 33 -> 17
// 1.21 -> 1.65 unclamped, 41 -> 21 1.20 -> 2.02 clamped.
//
// Rows: output row s reads input rows 2s-1 (tap row 0: an FMUL of tap 0
// starts it), 2s (tap row 1) and 2s+1 (tap row 2, which completes it: bias,
// clamp, store); two rows of accumulators alternate, the loop unrolled over
// two output rows (four input rows). Output row 0 has no tap-row-0 terms
// (the top padding): its accumulators start from zero, as in every other
// kernel of this family; with h odd the last output row has no tap-row-2
// terms. The terms of every output, and their order, are those of the
// strips and Rows3x3S2 (tap rows 0, 1, 2, tap columns 0, 1, 2; the bias
// added last, then the clamp): the same bits whichever kernel runs a plane.
//
// Register map: v0-v2 taps (tap T: lane T%4 of v(T/4)), v3 bias, v4/v5 the
// clamp's bounds, v6 a group's tap-column-0 even window, v7 the left
// column of a band other than the first; the output stage in v6, v7; LD4 groups alternately
// in v8-v11 and v12-v15; accumulator rows R0 = v16-v23, R1 = v24-v31
// (E0, O0, E1, O1, ..., E3, O3).
#include <cstddef>
#include <cstdint>
#include <limits>

#include "core/dwconv.h"

namespace armconv {
namespace detail {

namespace {

#define DWS2_K0 "v0.s[0]"
#define DWS2_K1 "v0.s[1]"
#define DWS2_K2 "v0.s[2]"
#define DWS2_K3 "v0.s[3]"
#define DWS2_K4 "v1.s[0]"
#define DWS2_K5 "v1.s[1]"
#define DWS2_K6 "v1.s[2]"
#define DWS2_K7 "v1.s[3]"
#define DWS2_K8 "v2.s[0]"
#define DWS2_FMLA(acc, w, t) "fmla " acc ".4s, " w ".4s, " t "\n\t"
#define DWS2_FMUL(acc, w, t) "fmul " acc ".4s, " w ".4s, " t "\n\t"

// Accumulator rows: group g's even (E) and odd (O) vectors.
#define DWS2_R0_E0 "v16"
#define DWS2_R0_O0 "v17"
#define DWS2_R0_E1 "v18"
#define DWS2_R0_O1 "v19"
#define DWS2_R0_E2 "v20"
#define DWS2_R0_O2 "v21"
#define DWS2_R0_E3 "v22"
#define DWS2_R0_O3 "v23"
#define DWS2_R1_E0 "v24"
#define DWS2_R1_O0 "v25"
#define DWS2_R1_E1 "v26"
#define DWS2_R1_O1 "v27"
#define DWS2_R1_E2 "v28"
#define DWS2_R1_O2 "v29"
#define DWS2_R1_E3 "v30"
#define DWS2_R1_O3 "v31"

// One group's windows (e0 = ext(d', d, 3), a, b, c, d) times the taps
// (t0, t1, t2) of one tap row, added to its even (E) and odd (O) vectors;
// START: the first terms of an output row (tap row 0, tap 0 a multiply).
#define DWS2_ADD(E, O, e0, a, b, c, d, t0, t1, t2) \
  DWS2_FMLA(E, e0, t0) DWS2_FMLA(E, a, t1) DWS2_FMLA(E, b, t2) DWS2_FMLA(O, b, t0) DWS2_FMLA(O, c, t1) DWS2_FMLA(O, d, t2)
#define DWS2_START(E, O, e0, a, b, c, d) \
  DWS2_FMUL(E, e0, DWS2_K0) DWS2_FMLA(E, a, DWS2_K1) DWS2_FMLA(E, b, DWS2_K2) \
  DWS2_FMUL(O, b, DWS2_K0) DWS2_FMLA(O, c, DWS2_K1) DWS2_FMLA(O, d, DWS2_K2)
// What an input row does to group g: tap row 1 into row R (T1), tap row 2
// into R (T2), tap row 2 into R and tap row 0 starting row S (T2S).
#define DWS2_T1(R, S, g, e0, a, b, c, d) \
  DWS2_ADD(DWS2_##R##_E##g, DWS2_##R##_O##g, e0, a, b, c, d, DWS2_K3, DWS2_K4, DWS2_K5)
#define DWS2_T2(R, S, g, e0, a, b, c, d) \
  DWS2_ADD(DWS2_##R##_E##g, DWS2_##R##_O##g, e0, a, b, c, d, DWS2_K6, DWS2_K7, DWS2_K8)
#define DWS2_T2S(R, S, g, e0, a, b, c, d) \
  DWS2_T2(R, S, g, e0, a, b, c, d) DWS2_START(DWS2_##S##_E##g, DWS2_##S##_O##g, e0, a, b, c, d)
// (Expands the window lists into OP's arguments.)
#define DWS2_CALL(OP, ...) OP(__VA_ARGS__)

// The groups' LD4s alternate between two register sets, A = v8-v11 and
// B = v12-v15, so the previous group's d is still there for the even
// window ext(d', d, 3) (in v6). X: the band's row pointer (POST: its step,
// 64 bytes to the next group or XS to the next row).
#define DWS2_LD4A(X, POST) "ld4 {v8.4s, v9.4s, v10.4s, v11.4s}, [" X "], " POST "\n\t"
#define DWS2_LD4B(X, POST) "ld4 {v12.4s, v13.4s, v14.4s, v15.4s}, [" X "], " POST "\n\t"
#define DWS2_EXT(dprev, d) "ext v6.16b, " dprev ".16b, " d ".16b, #12\n\t"
#define DWS2_WA "v6", "v8", "v9", "v10", "v11"
#define DWS2_WB "v6", "v12", "v13", "v14", "v15"
#define DWS2_GA(X, POST, FX, DPREV, OP, R, S, g) DWS2_LD4A(X, POST) FX DWS2_EXT(DPREV, "v11") DWS2_CALL(OP, R, S, g, DWS2_WA)
#define DWS2_GB(X, POST, FX, DPREV, OP, R, S, g) DWS2_LD4B(X, POST) FX DWS2_EXT(DPREV, "v15") DWS2_CALL(OP, R, S, g, DWS2_WB)

// One input row of a band of NB groups: LL loads the column left of the
// band into LEFT (or nothing: LEFT = v2, whose lane 3 is zero: the left
// padding); OP into rows R, S.
#define DWS2_ROW1(X, XS, LL, LEFT, FX, OP, R, S) LL DWS2_GA(X, XS, FX, LEFT, OP, R, S, 0)
#define DWS2_ROW2(X, XS, LL, LEFT, FX, OP, R, S) \
  LL DWS2_GA(X, "#64", "", LEFT, OP, R, S, 0) DWS2_GB(X, XS, FX, "v11", OP, R, S, 1)
#define DWS2_ROW3(X, XS, LL, LEFT, FX, OP, R, S)                                                        \
  LL DWS2_GA(X, "#64", "", LEFT, OP, R, S, 0) DWS2_GB(X, "#64", "", "v11", OP, R, S, 1)                 \
  DWS2_GA(X, XS, FX, "v15", OP, R, S, 2)
#define DWS2_ROW4(X, XS, LL, LEFT, FX, OP, R, S)                                                        \
  LL DWS2_GA(X, "#64", "", LEFT, OP, R, S, 0) DWS2_GB(X, "#64", "", "v11", OP, R, S, 1)                 \
  DWS2_GA(X, "#64", "", "v15", OP, R, S, 2) DWS2_GB(X, XS, FX, "v11", OP, R, S, 3)

// The half group (even w = 16 NA + 2..8, NA <= 3: band A's NA groups, then
// the last 1..4 outputs 8 NA + i, i = 0..3, from 8 columns by one LD2: e, o
// = columns 16 NA + 2i, 16 NA + 2i + 1; output 8 NA + i reads columns
// 16 NA + 2i - 1, 2i, 2i + 1: windows ext(d', o, 3), e, o (d': the last
// group's d, or the left padding v2). Its accumulator is group NA's E
// vector (the group's O vector unused): 3 FMLAs per tap row where a whole
// group takes 6, and an ST1 of one vector. Its registers: the LD4 set the
// last group did not use (v8, v9 or v12, v13). Odd w = 16 NA + 1..7 (NA =
// 1..3): column w, the right padding, is o's lane (w - 16 NA - 1)/2, zeroed
// after the LD2 by an AND with the mask in v31 (FX: DWS2_HPAD; v31 is row
// R1's O vector of group 3, which no half-group pass uses).
#define DWS2_HADD(E, e0, e, o, t0, t1, t2) DWS2_FMLA(E, e0, t0) DWS2_FMLA(E, e, t1) DWS2_FMLA(E, o, t2)
#define DWS2_HSTART(E, e0, e, o) DWS2_FMUL(E, e0, DWS2_K0) DWS2_FMLA(E, e, DWS2_K1) DWS2_FMLA(E, o, DWS2_K2)
#define DWS2_H_DWS2_T1(R, S, g, e0, e, o) DWS2_HADD(DWS2_##R##_E##g, e0, e, o, DWS2_K3, DWS2_K4, DWS2_K5)
#define DWS2_H_DWS2_T2(R, S, g, e0, e, o) DWS2_HADD(DWS2_##R##_E##g, e0, e, o, DWS2_K6, DWS2_K7, DWS2_K8)
#define DWS2_H_DWS2_T2S(R, S, g, e0, e, o) \
  DWS2_H_DWS2_T2(R, S, g, e0, e, o) DWS2_HSTART(DWS2_##S##_E##g, e0, e, o)
#define DWS2_HA(X, POST, FX, DPREV, OP, R, S, g) \
  "ld2 {v8.4s, v9.4s}, [" X "], " POST "\n\t" FX DWS2_EXT(DPREV, "v9") DWS2_CALL(DWS2_H_##OP, R, S, g, "v6", "v8", "v9")
#define DWS2_HB(X, POST, FX, DPREV, OP, R, S, g) \
  "ld2 {v12.4s, v13.4s}, [" X "], " POST "\n\t" FX DWS2_EXT(DPREV, "v13") DWS2_CALL(DWS2_H_##OP, R, S, g, "v6", "v12", "v13")
#define DWS2_ROW0H(X, XS, LL, LEFT, FX, OP, R, S) LL DWS2_HA(X, XS, FX, LEFT, OP, R, S, 0)
#define DWS2_ROW1H(X, XS, LL, LEFT, FX, OP, R, S) \
  LL DWS2_GA(X, "#64", "", LEFT, OP, R, S, 0) DWS2_HB(X, XS, FX, "v11", OP, R, S, 1)
#define DWS2_ROW2H(X, XS, LL, LEFT, FX, OP, R, S)                                                       \
  LL DWS2_GA(X, "#64", "", LEFT, OP, R, S, 0) DWS2_GB(X, "#64", "", "v11", OP, R, S, 1)                 \
  DWS2_HA(X, XS, FX, "v15", OP, R, S, 2)
#define DWS2_ROW3H(X, XS, LL, LEFT, FX, OP, R, S)                                                       \
  LL DWS2_GA(X, "#64", "", LEFT, OP, R, S, 0) DWS2_GB(X, "#64", "", "v11", OP, R, S, 1)                 \
  DWS2_GA(X, "#64", "", "v15", OP, R, S, 2) DWS2_HB(X, XS, FX, "v11", OP, R, S, 3)

// The output stage of group g of row R into v6, v7, one ST2 (Y: the band's
// output row pointer, POST its step: 32 bytes, or YS to the next row).
#define DWS2_CLAMP(v) "fmax " v ".4s, " v ".4s, v4.4s\n\t" "fmin " v ".4s, " v ".4s, v5.4s\n\t"
#define DWS2_NONE(v)
#define DWS2_OUT(Y, POST, ACT, R, g)                                                                     \
  "fadd v6.4s, " DWS2_##R##_E##g ".4s, v3.4s\n\t" "fadd v7.4s, " DWS2_##R##_O##g ".4s, v3.4s\n\t" ACT("v6") \
  ACT("v7") "st2 {v6.4s, v7.4s}, [" Y "], " POST "\n\t"
#define DWS2_STORE1(Y, YS, ACT, R) DWS2_OUT(Y, YS, ACT, R, 0)
#define DWS2_STORE2(Y, YS, ACT, R) DWS2_OUT(Y, "#32", ACT, R, 0) DWS2_OUT(Y, YS, ACT, R, 1)
#define DWS2_STORE3(Y, YS, ACT, R) DWS2_OUT(Y, "#32", ACT, R, 0) DWS2_OUT(Y, "#32", ACT, R, 1) DWS2_OUT(Y, YS, ACT, R, 2)
#define DWS2_STORE4(Y, YS, ACT, R) \
  DWS2_OUT(Y, "#32", ACT, R, 0) DWS2_OUT(Y, "#32", ACT, R, 1) DWS2_OUT(Y, "#32", ACT, R, 2) DWS2_OUT(Y, YS, ACT, R, 3)
// The half group's output stage: one vector, one ST1.
#define DWS2_HOUT(Y, POST, ACT, R, g) \
  "fadd v6.4s, " DWS2_##R##_E##g ".4s, v3.4s\n\t" ACT("v6") "st1 {v6.4s}, [" Y "], " POST "\n\t"
#define DWS2_STORE0H(Y, YS, ACT, R) DWS2_HOUT(Y, YS, ACT, R, 0)
#define DWS2_STORE1H(Y, YS, ACT, R) DWS2_OUT(Y, "#32", ACT, R, 0) DWS2_HOUT(Y, YS, ACT, R, 1)
#define DWS2_STORE2H(Y, YS, ACT, R) DWS2_OUT(Y, "#32", ACT, R, 0) DWS2_OUT(Y, "#32", ACT, R, 1) DWS2_HOUT(Y, YS, ACT, R, 2)
#define DWS2_STORE3H(Y, YS, ACT, R) \
  DWS2_OUT(Y, "#32", ACT, R, 0) DWS2_OUT(Y, "#32", ACT, R, 1) DWS2_OUT(Y, "#32", ACT, R, 2) DWS2_HOUT(Y, YS, ACT, R, 3)
#define DWS2_Z(R, g) "movi " DWS2_##R##_E##g ".4s, #0\n\t" "movi " DWS2_##R##_O##g ".4s, #0\n\t"
#define DWS2_ZERO1(R) DWS2_Z(R, 0)
#define DWS2_ZERO2(R) DWS2_Z(R, 0) DWS2_Z(R, 1)
#define DWS2_ZERO3(R) DWS2_Z(R, 0) DWS2_Z(R, 1) DWS2_Z(R, 2)
#define DWS2_ZERO4(R) DWS2_Z(R, 0) DWS2_Z(R, 1) DWS2_Z(R, 2) DWS2_Z(R, 3)
#define DWS2_ZH(R, g) "movi " DWS2_##R##_E##g ".4s, #0\n\t"
#define DWS2_ZERO0H(R) DWS2_ZH(R, 0)
#define DWS2_ZERO1H(R) DWS2_Z(R, 0) DWS2_ZH(R, 1)
#define DWS2_ZERO2H(R) DWS2_Z(R, 0) DWS2_Z(R, 1) DWS2_ZH(R, 2)
#define DWS2_ZERO3H(R) DWS2_Z(R, 0) DWS2_Z(R, 1) DWS2_Z(R, 2) DWS2_ZH(R, 3)

// One band down one plane: output row 0's accumulators zeroed, input row 0
// (tap row 1 of output row 0), m = (h-1) div 4 BODYs (4 input rows each,
// two output rows completed) by a loop of two (the loop's subs and b.ne
// per 8 input rows: 0.5% of 112 -> 56): n = ceil(m/2) trips, entered at
// its second BODY where m is odd (bit 2 of rem set), then the rem mod 4 =
// (h-1) mod 4 input rows left:
//   0 left: output row R0 is complete (h odd: no tap row 2);
//   1 left: one row completes R0 (tap row 2);
//   2 left: one row completes R0 and starts R1, one adds R1's tap row 1 (h odd);
//   3 left: as 2, and one more completes R1.
// (Bits of rem pick the entry and the tail: tbz, no flags, no indirect branch.
// Numeric labels: each pass's own, referenced only inside it.)
// (The pass's pieces: HEAD output row 0's accumulators and input row 0;
// BODY four input rows (two output rows completed); TAIL<r> the r rows left.)
#define DWS2_HEAD(NB, X, XS, LL, LEFT, FX, Y, YS, ACT) \
  DWS2_ZERO##NB(R0) DWS2_ROW##NB(X, XS, LL, LEFT, FX, DWS2_T1, R0, R0)
#define DWS2_BODY(NB, X, XS, LL, LEFT, FX, Y, YS, ACT)                                 \
  DWS2_ROW##NB(X, XS, LL, LEFT, FX, DWS2_T2S, R0, R1) DWS2_STORE##NB(Y, YS, ACT, R0) \
  DWS2_ROW##NB(X, XS, LL, LEFT, FX, DWS2_T1, R1, R1)                                 \
  DWS2_ROW##NB(X, XS, LL, LEFT, FX, DWS2_T2S, R1, R0) DWS2_STORE##NB(Y, YS, ACT, R1) \
  DWS2_ROW##NB(X, XS, LL, LEFT, FX, DWS2_T1, R0, R0)
#define DWS2_PASS(NB, X, XS, LL, LEFT, FX, Y, YS, ACT)                            \
  DWS2_HEAD(NB, X, XS, LL, LEFT, FX, Y, YS, ACT)                              \
  "mov %[cnt], %[n]\n\t"                                                      \
  "tbnz %[rem], #2, 10f\n\t"                                                  \
  "cbz %[cnt], 3f\n\t"                                                        \
  "2:\n\t"                                                                    \
  DWS2_BODY(NB, X, XS, LL, LEFT, FX, Y, YS, ACT)                              \
  "10:\n\t"                                                                   \
  DWS2_BODY(NB, X, XS, LL, LEFT, FX, Y, YS, ACT)                              \
  "subs %[cnt], %[cnt], #1\n\t"                                               \
  "b.ne 2b\n\t"                                                               \
  "3:\n\t"                                                                    \
  "tbz %[rem], #1, 4f\n\t"                                                    \
  DWS2_ROW##NB(X, XS, LL, LEFT, FX, DWS2_T2S, R0, R1) DWS2_STORE##NB(Y, YS, ACT, R0) \
  DWS2_ROW##NB(X, XS, LL, LEFT, FX, DWS2_T1, R1, R1)                              \
  "tbz %[rem], #0, 5f\n\t"                                                    \
  DWS2_ROW##NB(X, XS, LL, LEFT, FX, DWS2_T2, R1, R1)                              \
  "5:\n\t"                                                                    \
  DWS2_STORE##NB(Y, YS, ACT, R1)                                              \
  "b 9f\n\t"                                                                  \
  "4:\n\t"                                                                    \
  "tbz %[rem], #0, 6f\n\t"                                                    \
  DWS2_ROW##NB(X, XS, LL, LEFT, FX, DWS2_T2, R0, R0)                              \
  "6:\n\t"                                                                    \
  DWS2_STORE##NB(Y, YS, ACT, R0)                                              \
  "9:\n\t"

// The pass of a plane of a fixed height (MobileNet's 14 and 28 rows, and
// 10 (300x300's and 160x160's 10 -> 5): per plane about 10 and 17 loop and
// tail instructions fewer than DWS2_PASS; 14 -> 7 takes 205 per plane):
// the trips written out (REP), then the tail for
// rem = (h-1) mod 4 = 1 (TAIL1) or 3 (TAIL3), as DWS2_PASS's.
#define DWS2_REP2(x) x x
#define DWS2_REP3(x) x x x
#define DWS2_REP6(x) x x x x x x
#define DWS2_TAIL1(NB, X, XS, LL, LEFT, FX, Y, YS, ACT) \
  DWS2_ROW##NB(X, XS, LL, LEFT, FX, DWS2_T2, R0, R0) DWS2_STORE##NB(Y, YS, ACT, R0)
#define DWS2_TAIL3(NB, X, XS, LL, LEFT, FX, Y, YS, ACT)                                \
  DWS2_ROW##NB(X, XS, LL, LEFT, FX, DWS2_T2S, R0, R1) DWS2_STORE##NB(Y, YS, ACT, R0) \
  DWS2_ROW##NB(X, XS, LL, LEFT, FX, DWS2_T1, R1, R1)                                 \
  DWS2_ROW##NB(X, XS, LL, LEFT, FX, DWS2_T2, R1, R1) DWS2_STORE##NB(Y, YS, ACT, R1)
#define DWS2_PASS_FIXED(NB, X, XS, LL, LEFT, FX, Y, YS, ACT, REP, REM) \
  DWS2_HEAD(NB, X, XS, LL, LEFT, FX, Y, YS, ACT)                     \
  REP(DWS2_BODY(NB, X, XS, LL, LEFT, FX, Y, YS, ACT))                \
  DWS2_TAIL##REM(NB, X, XS, LL, LEFT, FX, Y, YS, ACT)

// The planes: per plane the taps (v0-v2; k moves to the next plane's) and
// the bias, then, for NB > 0, band B's pass (the right band, groups
// G-NB .. G-1, its left column by LD1R into v7), band A's (groups 0 .. NA-1
// from column 0) and, with MIDS, the middle bands' (4 groups each, the
// left column by LD1R likewise). Band B goes first: its stores past a
// row's end land on the next row's first columns, which band A stores
// after them. The middle bands' pointers (xm, ym) start at band A's plus 4
// groups; each pass leaves them a plane on, mstep / ymstep bring them back
// to the next band of this plane; a middle band's left column is lane 3
// of the vector before its first group (LDUR q7 at xm - 16, before the
// row's first LD4).
#define DWS2_BAND_B(NB, ACT) \
  DWS2_PASS(NB, "%[xb]", "%[xsb]", "ld1r {v7.4s}, [%[xl]], %[xsl]\n\t", "v7", "", "%[yb]", "%[ysb]", ACT)
// w odd: band B ends at the row's end (column w, the right padding, is
// lane 3 of its last group's d: zeroed after the LD4).
#define DWS2_PAD_1 "mov v11.s[3], wzr\n\t"
#define DWS2_PAD_2 "mov v15.s[3], wzr\n\t"
#define DWS2_PAD_3 DWS2_PAD_1
#define DWS2_PAD_4 DWS2_PAD_2
#define DWS2_BAND_B_ODD(NB, ACT) \
  DWS2_PASS(NB, "%[xb]", "%[xsb]", "ld1r {v7.4s}, [%[xl]], %[xsl]\n\t", "v7", DWS2_PAD_##NB, "%[yb]", "%[ysb]", ACT)
#define DWS2_MIDS(ACT)                                                             \
  "mov %[mb], %[nmid]\n\t"                                                         \
  "cbz %[mb], 8f\n\t"                                                              \
  "7:\n\t"                                                                         \
  DWS2_PASS(4, "%[xm]", "%[xs]", "ldur q7, [%[xm], #-16]\n\t", "v7", "", "%[ym]", "%[ys]", ACT) \
  "sub %[xm], %[xm], %[mstep]\n\t"                                                 \
  "sub %[ym], %[ym], %[ymstep]\n\t"                                                \
  "subs %[mb], %[mb], #1\n\t"                                                      \
  "b.ne 7b\n\t"                                                                    \
  "8:\n\t"
#define DWS2_MIDS_AT                                                               \
  "add %[xm], %[x], #256\n\t"                                                      \
  "add %[ym], %[y], #128\n\t"
#define DWS2_PLANES(NA, ACT, BANDB, MIDS_AT, MIDS)                                 \
  "1:\n\t"                                                                        \
  "ld1 {v0.4s, v1.4s, v2.4s}, [%[k]], #48\n\t"                                    \
  "dup v3.4s, v2.s[1]\n\t"                                                        \
  BANDB                                                                           \
  MIDS_AT                                                                         \
  DWS2_PASS(NA, "%[x]", "%[xs]", "", "v2", "", "%[y]", "%[ys]", ACT)             \
  MIDS                                                                            \
  "subs %[planes], %[planes], #1\n\t"                                             \
  "b.ne 1b\n\t"

// The asm's operands (c: the clamp's bounds, broadcast once per call, and the half
// group's mask).
#define DWS2_OPERANDS                                                                                   \
  : [x] "+r"(x), [y] "+r"(y), [xb] "+r"(xb), [yb] "+r"(yb), [xl] "+r"(xl), [k] "+r"(k),              \
    [planes] "+r"(planes), [cnt] "=&r"(cnt), [mb] "=&r"(mb), [xm] "=&r"(xm), [ym] "=&r"(ym)           \
  : [n] "r"(n), [rem] "r"(rem), [xs] "r"(xs), [ys] "r"(ys), [xsb] "r"(xsb), [ysb] "r"(ysb),           \
    [xsl] "r"(xsl), [nmid] "r"(nmid), [mstep] "r"(mstep), [ymstep] "r"(ymstep), [c] "r"(&c)          \
  : "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11", "v12",  \
    "v13", "v14", "v15", "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23", "v24", "v25", "v26",  \
    "v27", "v28", "v29", "v30", "v31"
#define DWS2_BOUNDS "ldr q5, [%[c]]\n\t" "dup v4.4s, v5.s[0]\n\t" "dup v5.4s, v5.s[1]\n\t"
#define DWS2_ASM(NA, NB, BANDB, MIDS_AT, MIDS)                                                      \
  if constexpr (CLAMP)                                                                               \
    __asm__ volatile(DWS2_BOUNDS DWS2_PLANES(NA, DWS2_CLAMP, BANDB(NB, DWS2_CLAMP), MIDS_AT,        \
                                             MIDS(DWS2_CLAMP)) DWS2_OPERANDS);                       \
  else                                                                                               \
    __asm__ volatile(DWS2_PLANES(NA, DWS2_NONE, BANDB(NB, DWS2_NONE), MIDS_AT, MIDS(DWS2_NONE))     \
                         DWS2_OPERANDS)
// Band A alone, of a fixed height (DWS2_PASS_FIXED).
#define DWS2_PLANES_FIXED(NA, ACT, REP, REM)                                      \
  "1:\n\t"                                                                        \
  "ld1 {v0.4s, v1.4s, v2.4s}, [%[k]], #48\n\t"                                    \
  "dup v3.4s, v2.s[1]\n\t"                                                        \
  DWS2_PASS_FIXED(NA, "%[x]", "%[xs]", "", "v2", "", "%[y]", "%[ys]", ACT, REP, REM) \
  "subs %[planes], %[planes], #1\n\t"                                             \
  "b.ne 1b\n\t"
#define DWS2_CASE_FIXED(C, NA, REP, REM)                                                               \
  else if constexpr (C) {                                                                              \
    if constexpr (CLAMP)                                                                               \
      __asm__ volatile(DWS2_BOUNDS DWS2_PLANES_FIXED(NA, DWS2_CLAMP, REP, REM) DWS2_OPERANDS);          \
    else                                                                                               \
      __asm__ volatile(DWS2_PLANES_FIXED(NA, DWS2_NONE, REP, REM) DWS2_OPERANDS);                      \
  }
// Band A alone with the half group (NAH: 0H .. 3H); FXA: nothing, or (odd
// w) the AND of the padding lane, DWS2_HPAD_<NAH>, with the mask PRE loads.
#define DWS2_HPAD_1H "and v13.16b, v13.16b, v31.16b\n\t"
#define DWS2_HPAD_2H "and v9.16b, v9.16b, v31.16b\n\t"
#define DWS2_HPAD_3H DWS2_HPAD_1H
#define DWS2_PLANES_A(NA, ACT, FXA)                                               \
  "1:\n\t"                                                                        \
  "ld1 {v0.4s, v1.4s, v2.4s}, [%[k]], #48\n\t"                                    \
  "dup v3.4s, v2.s[1]\n\t"                                                        \
  DWS2_PASS(NA, "%[x]", "%[xs]", "", "v2", FXA, "%[y]", "%[ys]", ACT)             \
  "subs %[planes], %[planes], #1\n\t"                                             \
  "b.ne 1b\n\t"
#define DWS2_CASE_HALF(C, NAH, FXA, PRE)                                                               \
  else if constexpr (C) {                                                                              \
    if constexpr (CLAMP)                                                                               \
      __asm__ volatile(DWS2_BOUNDS PRE DWS2_PLANES_A(NAH, DWS2_CLAMP, FXA) DWS2_OPERANDS);              \
    else                                                                                               \
      __asm__ volatile(PRE DWS2_PLANES_A(NAH, DWS2_NONE, FXA) DWS2_OPERANDS);                          \
  }
#define DWS2_MASK "ldr q31, [%[c], #16]\n\t"
// The half band alone (HB): as band B of no whole groups.
#define DWS2_HPAD_0H DWS2_HPAD_2H
#define DWS2_PLANES_HB(ACT, FX)                                                                 \
  "1:\n\t"                                                                                      \
  "ld1 {v0.4s, v1.4s, v2.4s}, [%[k]], #48\n\t"                                                  \
  "dup v3.4s, v2.s[1]\n\t"                                                                      \
  DWS2_PASS(0H, "%[xb]", "%[xsb]", "ld1r {v7.4s}, [%[xl]], %[xsl]\n\t", "v7", FX, "%[yb]", "%[ysb]", ACT) \
  "subs %[planes], %[planes], #1\n\t"                                                           \
  "b.ne 1b\n\t"
#define DWS2_CASE_HB(C, FX, PRE)                                                                       \
  else if constexpr (C) {                                                                              \
    if constexpr (CLAMP)                                                                               \
      __asm__ volatile(DWS2_BOUNDS PRE DWS2_PLANES_HB(DWS2_CLAMP, FX) DWS2_OPERANDS);                   \
    else                                                                                               \
      __asm__ volatile(PRE DWS2_PLANES_HB(DWS2_NONE, FX) DWS2_OPERANDS);                               \
  }
#define DWS2_NO_BAND(NB, ACT)
#define DWS2_NO_MIDS(ACT)
#define DWS2_CASE(C, NA, NB, BANDB, MIDS_AT, MIDS) else if constexpr (C) { DWS2_ASM(NA, NB, BANDB, MIDS_AT, MIDS); }

// `planes` >= 1 planes from p.x, p.y, p.k (each as p describes): band A of
// NA groups, band B of NB (0: none), with MIDS the middle bands between
// them (G >= 9 groups; their count from groups). ODD (w odd): band B ends at
// column w (its first column w+1 - 16NB, overlapping the band before it).
// HALF (w = 16 NA + 2..8, NA <= 3, NB = 0): band A's NA groups and the half group.
// H (band A alone, NA 1 and h = H = 10 or 14, or NA 2 and H = 28): the rows written out
// (DWS2_PASS_FIXED).
// HB (NA = NB = 0, HALF): only the half group, as a band of its own at column
// 16 groups (its left column by LD1R as band B's): w = 16 groups + 1..8 from
// 65 columns, whose whole groups run apart (ld4rows_wide).
// groups: the whole and partial groups of 16 columns (the bands' and middle
// bands' count from it), ceil(w/16) but for ld4rows_wide's whole groups.
template <int NA, int NB, bool MIDS, bool ODD, bool CLAMP, bool HALF = false, size_t H = 0, bool HB = false>
void ld4rows(const DwPlane& p, size_t planes, size_t groups) {
  const size_t nmid = MIDS ? (groups - 4 - NB) / 4 : 0;
  // band B's first column (even)
  const size_t bcol = HB ? 16 * groups : ODD && !HALF ? p.w + 1 - 16 * NB : 16 * (NA + 4 * nmid);
  const float* x = p.x;
  float* y = p.y;
  const float* xb = p.x + bcol;  // band B: its first column, the column left of it,
  const float* xl = xb - 1;      // its first output
  float* yb = p.y + bcol / 2;
  const float* k = p.k;
  // (DWS2_PASS: m = (h-1) div 4 BODYs, n = ceil(m/2) loop trips; rem: (h-1) mod 4, bit 2 m odd.)
  const size_t m = (p.h - 1) / 4, n = (m + 1) / 2, rem = (p.h - 1) % 4 + (m % 2) * 4;
  // The last post-indexed load and store of a band's row step to the next row.
  const ptrdiff_t row = ptrdiff_t(4 * p.w), orow = ptrdiff_t(4 * p.wo);
  // (HALF: NA groups of 64 bytes then the half group's LD2; NA ST2s of 32 bytes then its ST1.)
  const ptrdiff_t xs = row - 64 * (HALF ? NA : NA - 1), ys = orow - 32 * (HALF ? NA : NA - 1);
  const ptrdiff_t xsb = row - 64 * (NB > 0 ? NB - 1 : 0), ysb = orow - 32 * (NB > 0 ? NB - 1 : 0), xsl = row;
  static_assert(!HB || (HALF && NA == 0 && NB == 0), "the half band: no whole groups");
  // A middle band's pass leaves its pointers a plane on: back to this plane's next band.
  const ptrdiff_t mstep = row * ptrdiff_t(p.h) - 256, ymstep = orow * ptrdiff_t(p.ho) - 128;
  const float* xm;
  float* ym;
  size_t cnt, mb;
  // Odd w with the half group: column w's lane of its o vector zeroed (the mask in v31).
  // (One operand for both: asm takes at most 30.)
  struct alignas(16) {
    float lo, hi, unused[2];
    uint32_t mask[4];
  } c = {p.lo, p.hi, {0.0f, 0.0f}, {~0u, ~0u, ~0u, ~0u}};
  if constexpr (HALF && ODD) c.mask[(p.w - (HB ? bcol : 16 * NA) - 1) / 2] = 0;
  static_assert(HALF ? NB == 0 && !MIDS && NA >= (ODD && !HB ? 1 : 0) && NA <= 3
                : ODD ? (NB == 1 || NA == 4) && NB >= 1 && NB <= 4 && CLAMP
                      : (NB == 0 && NA >= 1 && NA <= 4 && !MIDS) || (NA == 4 && NB >= 1 && NB <= 4),
                "an instantiated shape");
  static_assert(H == 0 || (!HALF && !ODD && NB == 0 && ((NA == 1 && (H == 10 || H == 14)) || (NA == 2 && H == 28))),
                "an instantiated height");
  if constexpr (false) {
  }
  DWS2_CASE_FIXED(H == 10, 1, DWS2_REP2, 1)
  DWS2_CASE_FIXED(H == 14, 1, DWS2_REP3, 1)
  DWS2_CASE_FIXED(H == 28, 2, DWS2_REP6, 3)
  DWS2_CASE_HB(HB && !ODD, "", "")
  DWS2_CASE_HB(HB && ODD, DWS2_HPAD_0H, DWS2_MASK)
  DWS2_CASE_HALF(HALF && !ODD && NA == 0, 0H, "", "")
  DWS2_CASE_HALF(HALF && !ODD && NA == 1, 1H, "", "")
  DWS2_CASE_HALF(HALF && !ODD && NA == 2, 2H, "", "")
  DWS2_CASE_HALF(HALF && !ODD && NA == 3, 3H, "", "")
  DWS2_CASE_HALF(HALF && ODD && NA == 1, 1H, DWS2_HPAD_1H, DWS2_MASK)
  DWS2_CASE_HALF(HALF && ODD && NA == 2, 2H, DWS2_HPAD_2H, DWS2_MASK)
  DWS2_CASE_HALF(HALF && ODD && NA == 3, 3H, DWS2_HPAD_3H, DWS2_MASK)
  DWS2_CASE(!ODD && NB == 0 && NA == 1, 1, 0, DWS2_NO_BAND, "", DWS2_NO_MIDS)
  DWS2_CASE(!ODD && NB == 0 && NA == 2, 2, 0, DWS2_NO_BAND, "", DWS2_NO_MIDS)
  DWS2_CASE(!ODD && NB == 0 && NA == 3, 3, 0, DWS2_NO_BAND, "", DWS2_NO_MIDS)
  DWS2_CASE(!ODD && NB == 0 && NA == 4, 4, 0, DWS2_NO_BAND, "", DWS2_NO_MIDS)
  DWS2_CASE(!ODD && NA == 4 && NB == 1 && !MIDS, 4, 1, DWS2_BAND_B, "", DWS2_NO_MIDS)
  DWS2_CASE(!ODD && NA == 4 && NB == 2 && !MIDS, 4, 2, DWS2_BAND_B, "", DWS2_NO_MIDS)
  DWS2_CASE(!ODD && NA == 4 && NB == 3 && !MIDS, 4, 3, DWS2_BAND_B, "", DWS2_NO_MIDS)
  DWS2_CASE(!ODD && NA == 4 && NB == 4 && !MIDS, 4, 4, DWS2_BAND_B, "", DWS2_NO_MIDS)
  DWS2_CASE(!ODD && NA == 4 && NB == 1 && MIDS, 4, 1, DWS2_BAND_B, DWS2_MIDS_AT, DWS2_MIDS)
  DWS2_CASE(!ODD && NA == 4 && NB == 2 && MIDS, 4, 2, DWS2_BAND_B, DWS2_MIDS_AT, DWS2_MIDS)
  DWS2_CASE(!ODD && NA == 4 && NB == 3 && MIDS, 4, 3, DWS2_BAND_B, DWS2_MIDS_AT, DWS2_MIDS)
  DWS2_CASE(!ODD && NA == 4 && NB == 4 && MIDS, 4, 4, DWS2_BAND_B, DWS2_MIDS_AT, DWS2_MIDS)
  DWS2_CASE(ODD && NA == 1 && NB == 1, 1, 1, DWS2_BAND_B_ODD, "", DWS2_NO_MIDS)
  DWS2_CASE(ODD && NA == 2 && NB == 1, 2, 1, DWS2_BAND_B_ODD, "", DWS2_NO_MIDS)
  DWS2_CASE(ODD && NA == 3 && NB == 1, 3, 1, DWS2_BAND_B_ODD, "", DWS2_NO_MIDS)
  DWS2_CASE(ODD && NA == 4 && NB == 1 && !MIDS, 4, 1, DWS2_BAND_B_ODD, "", DWS2_NO_MIDS)
  DWS2_CASE(ODD && NA == 4 && NB == 2 && !MIDS, 4, 2, DWS2_BAND_B_ODD, "", DWS2_NO_MIDS)
  DWS2_CASE(ODD && NA == 4 && NB == 3 && !MIDS, 4, 3, DWS2_BAND_B_ODD, "", DWS2_NO_MIDS)
  DWS2_CASE(ODD && NA == 4 && NB == 4 && !MIDS, 4, 4, DWS2_BAND_B_ODD, "", DWS2_NO_MIDS)
  DWS2_CASE(ODD && NA == 4 && NB == 1 && MIDS, 4, 1, DWS2_BAND_B_ODD, DWS2_MIDS_AT, DWS2_MIDS)
  DWS2_CASE(ODD && NA == 4 && NB == 2 && MIDS, 4, 2, DWS2_BAND_B_ODD, DWS2_MIDS_AT, DWS2_MIDS)
  DWS2_CASE(ODD && NA == 4 && NB == 3 && MIDS, 4, 3, DWS2_BAND_B_ODD, DWS2_MIDS_AT, DWS2_MIDS)
  DWS2_CASE(ODD && NA == 4 && NB == 4 && MIDS, 4, 4, DWS2_BAND_B_ODD, DWS2_MIDS_AT, DWS2_MIDS)
}

// Even w whose last 1..4 outputs are a half group (w = 16 NA + 2..8, NA <= 3:
// 8 -> 4, 24 -> 12, 40 -> 20, 56 -> 28 ...).
constexpr bool half_tail(size_t w) { return w % 16 != 0 && w % 16 <= 8 && w / 16 <= 3; }
// From 4 whole groups on, the half group is a band of its own (ld4rows_wide).
constexpr bool wide_half_tail(size_t w) { return w % 16 != 0 && w % 16 <= 8 && w / 16 >= 4; }

// The even widths' bands over `groups` groups (G): G <= 4 band A alone;
// from 5 band A of 4 and band B of 1..4, from 9 middle bands between them.
template <bool CLAMP>
void ld4rows_groups(const DwPlane& p, size_t planes, size_t g) {
  using fn = void (*)(const DwPlane&, size_t, size_t);
  // G <= 4: [G - 1]; G >= 5: [NB - 1] (NB = G - 4 - 4*(middle bands), 1..4)
  static constexpr fn one[4] = {ld4rows<1, 0, false, false, CLAMP>, ld4rows<2, 0, false, false, CLAMP>,
                                ld4rows<3, 0, false, false, CLAMP>, ld4rows<4, 0, false, false, CLAMP>};
  static constexpr fn two[4] = {ld4rows<4, 1, false, false, CLAMP>, ld4rows<4, 2, false, false, CLAMP>,
                                ld4rows<4, 3, false, false, CLAMP>, ld4rows<4, 4, false, false, CLAMP>};
  static constexpr fn more[4] = {ld4rows<4, 1, true, false, CLAMP>, ld4rows<4, 2, true, false, CLAMP>,
                                 ld4rows<4, 3, true, false, CLAMP>, ld4rows<4, 4, true, false, CLAMP>};
  if (g <= 4)
    one[g - 1](p, planes, g);
  else
    (g <= 8 ? two : more)[(g - 5) % 4](p, planes, g);
}

// w = 16 G + 1..8, G >= 4 (150 -> 75, 72 -> 36, 67 -> 34 ...): the half
// band (HB; w odd: its padding lane zeroed) for the last 1..4 outputs, then
// the G whole groups as an even width of 16 G columns (rows w apart). The
// half band goes first: its stores past a row's end (w = 16 G + 1..6) land
// on the next row's first outputs, which band A stores after them.
template <bool CLAMP>
void ld4rows_wide(const DwPlane& p, size_t planes) {
  const size_t g = p.w / 16;
  p.w % 2 ? ld4rows<0, 0, false, true, CLAMP, true, 0, true>(p, planes, g)
          : ld4rows<0, 0, false, false, CLAMP, true, 0, true>(p, planes, g);
  ld4rows_groups<CLAMP>(p, planes, g);
}

template <bool CLAMP>
void ld4rows_even(const DwPlane& p, size_t planes) {
  using fn = void (*)(const DwPlane&, size_t, size_t);
  static constexpr fn half[4] = {ld4rows<0, 0, false, false, CLAMP, true>, ld4rows<1, 0, false, false, CLAMP, true>,
                                 ld4rows<2, 0, false, false, CLAMP, true>, ld4rows<3, 0, false, false, CLAMP, true>};
  const size_t g = (p.w + 15) / 16;
  if (half_tail(p.w))
    half[p.w / 16](p, planes, g);
  else if (wide_half_tail(p.w))
    ld4rows_wide<CLAMP>(p, planes);
  else if (g == 1 && p.h == 14)  // 28 -> 14, 14 -> 7, 10 -> 5: the rows written out
    ld4rows<1, 0, false, false, CLAMP, false, 14>(p, planes, g);
  else if (g == 1 && p.h == 10)
    ld4rows<1, 0, false, false, CLAMP, false, 10>(p, planes, g);
  else if (g == 2 && p.h == 28)
    ld4rows<2, 0, false, false, CLAMP, false, 28>(p, planes, g);
  else
    ld4rows_groups<CLAMP>(p, planes, g);
}

// w odd >= 17, G = ceil(w/16) >= 2 groups: w = 16 NA + 1..7 with NA <= 3
// band A of NA groups and the half group (both activations); with NA >= 4
// the half band and the whole groups (ld4rows_wide); else G <= 5
// band A of G-1 groups and band B of 1; 6..8 band A of 4, band B of G-4;
// from 9 with middle bands.
// Clamped only: an unclamped call runs with the bounds [-inf, +inf] (as
// the stride-2 rows kernels, dw_rows_unbounded in neon/dwconv3x3_rows.h:
// the same bits as an unclamped store).
void ld4rows_odd(const DwPlane& p, size_t planes) {
  using fn = void (*)(const DwPlane&, size_t, size_t);
  static constexpr fn one[4] = {ld4rows<1, 1, false, true, true>, ld4rows<2, 1, false, true, true>,
                                ld4rows<3, 1, false, true, true>, ld4rows<4, 1, false, true, true>};
  static constexpr fn two[4] = {nullptr, ld4rows<4, 2, false, true, true>, ld4rows<4, 3, false, true, true>,
                                ld4rows<4, 4, false, true, true>};
  static constexpr fn more[4] = {ld4rows<4, 1, true, true, true>, ld4rows<4, 2, true, true, true>,
                                 ld4rows<4, 3, true, true, true>, ld4rows<4, 4, true, true, true>};
  const size_t g = (p.w + 15) / 16;
  if (half_tail(p.w)) {  // w = 16 NA + 1..7, NA = 1..3: band A and the half group
    static constexpr fn half[2][3] = {
        {ld4rows<1, 0, false, true, false, true>, ld4rows<2, 0, false, true, false, true>,
         ld4rows<3, 0, false, true, false, true>},
        {ld4rows<1, 0, false, true, true, true>, ld4rows<2, 0, false, true, true, true>,
         ld4rows<3, 0, false, true, true, true>}};
    half[p.clamp][p.w / 16 - 1](p, planes, g);
    return;
  }
  if (wide_half_tail(p.w)) {
    p.clamp ? ld4rows_wide<true>(p, planes) : ld4rows_wide<false>(p, planes);
    return;
  }
  DwPlane q = p;
  if (!p.clamp) {
    q.lo = -std::numeric_limits<float>::infinity();
    q.hi = std::numeric_limits<float>::infinity();
  }
  if (g <= 5)
    one[g - 2](q, planes, g);
  else
    (g <= 8 ? two : more)[(g - 5) % 4](q, planes, g);
}

// The odd widths' shape (this kernel's own; dw_s2_ld4_planes, core/dwconv.h,
// is the even widths' rule that armv7 shares): pad 1 at the top and left,
// ho = ceil(h/2), w odd >= 17, wo = (w+1)/2 (pad 1 at the right); all
// planes but the last (band B's last load reads column w, one past the
// row), 0 if p has another shape.
size_t odd_planes(const DwPlane& p) {
  if (p.pad_top != 1 || p.pad_left != 1 || p.h < 1 || p.ho != (p.h + 1) / 2 || p.w % 2 != 1 || p.w < 17 ||
      p.wo != (p.w + 1) / 2 || p.count < 1)
    return 0;
  return p.count - 1;
}

}  // namespace

// Runs planes of p if this kernel takes p's shape (pad 1 at the top and
// left, ho = ceil(h/2); w even >= 8 and wo = w/2, or w odd >= 17 and wo =
// (w+1)/2); returns how many it ran, from the first: all but the last
// where the rows' loads or stores reach past their ends (see the top),
// else all; 0: none (the caller runs them all).
size_t dwconv3x3_aarch64_1x16_s2_ld4rows(const DwPlane& p) {
  if (const size_t planes = odd_planes(p)) {
    ld4rows_odd(p, planes);
    return planes;
  }
  size_t planes = dw_s2_ld4_planes(p);
  if (planes == 0) return 0;
  // w = 16 NA + 8 with a half group: its LD2 and ST1 end at the row's end,
  // nothing is read or written past a row: all planes.
  if (p.w % 16 == 8 && (half_tail(p.w) || wide_half_tail(p.w))) planes = p.count;
  p.clamp ? ld4rows_even<true>(p, planes) : ld4rows_even<false>(p, planes);
  return planes;
}

}  // namespace detail
}  // namespace armconv

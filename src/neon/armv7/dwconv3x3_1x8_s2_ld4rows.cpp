// NEON fp32 depthwise 3x3, stride 2, pad 1 ("same"), every even width from
// 8 and every odd one from 17 (MobileNetV2's 112 -> 56, 56 -> 28, 28 -> 14
// and 14 -> 7; SSDLite's 150 -> 75, 75 -> 38, 38 -> 19, 19 -> 10, 10 -> 5;
// 192- and 160-input MobileNets' 96, 48, 80, 40), armv7: rows by VLD4 in
// bands of one 16-column group, all planes of a call in one assembly loop
// (w even: but the last one where a row's loads or stores reach past its
// end). Part of dwconv3x3-armv7-1x8 (its table: dwconv3x3_1x8.cpp), which
// runs every plane this kernel leaves with the rows kernel
// (neon/dwconv3x3_rows.h, Rows3x3S2) or the strips (neon/dwconv.h).
//
// The aarch64 kernel's scheme (neon/aarch64/dwconv3x3_1x16_s2_ld4rows.cpp),
// with armv7's 16 Q registers: a group of 16 columns is two VLD4s (8
// columns each, into the low and high halves of q8-q11: a, b, c, d =
// columns 4i + 0, 1, 2, 3); output 2i (even) reads columns 4i - 1, 0, 1:
// windows ext(d', d, 3), a, b; output 2i + 1 (odd) b, c, d; the even and
// odd accumulators are stored by one VST2. One group's two rows of
// accumulators, the taps, the bias and bounds and the windows fill the
// registers, so a band is one group, walking the whole plane; wider rows
// are G = ceil(w/16) bands, run from the last to the first, bands 1 ..
// G-1 with their left column (16b - 1) by a load-and-duplicate per input
// row; the last band's stores past the row's end land on the next row's
// first columns, which band 0 stores after them. Per output row of 14 -> 7: 4 VLD4, 2 VEXT,
// 18 VMLA/VMUL, 6 output-stage instructions with the clamp, 1 VST2 (the
// rows kernel: 6 VLD2, 2 VEXT, 18 VMLA/VMUL, 6, 2 stores, address steps).
//
// Past the row's end. w even: unless w is a multiple of 16, the loads read
// up to 16G - w columns past each row (G = ceil(w/16) groups) and the
// stores write up to 8G - wo outputs past each output row (as the aarch64
// kernel: the next rows', stored after them). The entry point below runs
// planes 0 .. count-2 and leaves the last one to the other kernels. No
// stored output reads the right padding column. w odd (wo = (w+1)/2, the
// last output reads the right padding, column w): bands 0 .. B-1 (B =
// floor(w/16)) of 16 columns, then a right band R of columns w-15 .. w,
// overlapping band B-1 unless w = 16B + 15 (the outputs both store, the
// same terms, the same bits), R's column w (lane 3 of d, d23[1]) zero and
// never loaded: its rows are a VLD4 of 8 columns, a one-lane VLD4 of 4 and
// a one-lane VLD3 of 3 (one load more per input row than a whole group).
// Nothing is read or written past a row's end: all planes of the call.
//
// Rows as the aarch64 kernel: output row s reads input rows 2s-1 (tap row
// 0: VMUL of tap 0 starts it), 2s, 2s+1 (tap row 2 completes it); two rows
// of accumulators alternate, the loop unrolled over four input rows; row 0
// starts from zero (VMLA onto zero); the terms of every output in the
// order of the armv7 strips and Rows3x3S2 (VMLA by scalar: a product
// rounded, then the sum; tap rows 0, 1, 2, tap columns 0, 1, 2; the bias
// added last, then the clamp): the same bits whichever kernel runs a plane.
//
// Register map: q0-q2 taps (tap T: lane T%2 of d(T/2); VMLA's scalar must
// be in d0-d15; lane 3 of q2 zero, the left padding), q3 bias, q4/q5 the
// clamp's bounds, q6 the even tap-column-0 window, q7 a band's left column
// (bands 1 .. and R); the output stage in q6, q7; VLD4 into q8-q11 (w odd,
// band R: d23[1] the right padding, zero); accumulator rows R0 = q12, q13
// (E, O), R1 = q14, q15. Core: x, y, xl (the left column's address), cnt,
// xs (the input row step after a row's last load: 4w - 32, band R 4w -
// 48), ys, w4 (4w), prm (the parameters below).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

#include "core/dwconv.h"

namespace armconv {
namespace detail {

namespace {

#define DWA7_K0 "d0[0]"
#define DWA7_K1 "d0[1]"
#define DWA7_K2 "d1[0]"
#define DWA7_K3 "d1[1]"
#define DWA7_K4 "d2[0]"
#define DWA7_K5 "d2[1]"
#define DWA7_K6 "d3[0]"
#define DWA7_K7 "d3[1]"
#define DWA7_K8 "d4[0]"
#define DWA7_MLA(acc, w, t) "vmla.f32 " acc ", " w ", " t "\n\t"
#define DWA7_MUL(acc, w, t) "vmul.f32 " acc ", " w ", " t "\n\t"
#define DWA7_R0_E "q12"
#define DWA7_R0_O "q13"
#define DWA7_R1_E "q14"
#define DWA7_R1_O "q15"

// The group's windows (q6 = ext(d', d, 3), a, b, c, d = q8..q11) times the
// taps (t0, t1, t2) of one tap row into row R; START: the first terms of row S.
#define DWA7_ADD(R, t0, t1, t2)                                                                  \
  DWA7_MLA(DWA7_##R##_E, "q6", t0) DWA7_MLA(DWA7_##R##_E, "q8", t1) DWA7_MLA(DWA7_##R##_E, "q9", t2) \
  DWA7_MLA(DWA7_##R##_O, "q9", t0) DWA7_MLA(DWA7_##R##_O, "q10", t1) DWA7_MLA(DWA7_##R##_O, "q11", t2)
#define DWA7_START(S)                                                                                  \
  DWA7_MUL(DWA7_##S##_E, "q6", DWA7_K0) DWA7_MLA(DWA7_##S##_E, "q8", DWA7_K1) DWA7_MLA(DWA7_##S##_E, "q9", DWA7_K2) \
  DWA7_MUL(DWA7_##S##_O, "q9", DWA7_K0) DWA7_MLA(DWA7_##S##_O, "q10", DWA7_K1) DWA7_MLA(DWA7_##S##_O, "q11", DWA7_K2)
#define DWA7_T1(R, S) DWA7_ADD(R, DWA7_K3, DWA7_K4, DWA7_K5)
#define DWA7_T2(R, S) DWA7_ADD(R, DWA7_K6, DWA7_K7, DWA7_K8)
#define DWA7_T2S(R, S) DWA7_T2(R, S) DWA7_START(S)

// One input row of a band: LL loads the column left of the band into LEFT
// (or nothing: LEFT = q2, whose lane 3 is zero: the left padding).
#define DWA7_ROW(LL, LD, LEFT, OP, R, S)                               \
  LL                                                                    \
  LD                                                                    \
  "vext.32 q6, " LEFT ", q11, #3\n\t"                                   \
  OP(R, S)
// A group's 16 columns (xs = 4w - 32), or (the odd widths' right band, xs =
// 4w - 48) its first 15, column 15 (lane 3 of d, q11, i.e. d23[1]: the
// right padding) left as it is (zeroed before the band: no load writes it).
#define DWA7_LD16                                                       \
  "vld4.32 {d16, d18, d20, d22}, [%[x]]!\n\t"                           \
  "vld4.32 {d17, d19, d21, d23}, [%[x]], %[xs]\n\t"
#define DWA7_LD15                                                       \
  "vld4.32 {d16, d18, d20, d22}, [%[x]]!\n\t"                           \
  "vld4.32 {d17[0], d19[0], d21[0], d23[0]}, [%[x]]!\n\t"               \
  "vld3.32 {d17[1], d19[1], d21[1]}, [%[x]], %[xs]\n\t"
#define DWA7_CLAMP(v) "vmax.f32 " v ", " v ", q4\n\t" "vmin.f32 " v ", " v ", q5\n\t"
#define DWA7_NONE(v)
#define DWA7_STORE(ACT, R)                                                                        \
  "vadd.f32 q6, " DWA7_##R##_E ", q3\n\t" "vadd.f32 q7, " DWA7_##R##_O ", q3\n\t" ACT("q6") ACT("q7") \
  "vst2.32 {d12, d13, d14, d15}, [%[y]], %[ys]\n\t"

// One band down one plane (rem = (h-1) mod 4 at [prm, #4], n at [prm]):
// as the aarch64 kernel's DWS2_PASS.
#define DWA7_PASS(LL, LD, LEFT, ACT)                                              \
  "vmov.i32 q12, #0\n\t"                                                      \
  "vmov.i32 q13, #0\n\t"                                                      \
  DWA7_ROW(LL, LD, LEFT, DWA7_T1, R0, R0)                                         \
  "ldr %[cnt], [%[prm]]\n\t"                                                  \
  "cmp %[cnt], #0\n\t"                                                        \
  "beq 3f\n\t"                                                                \
  "2:\n\t"                                                                    \
  DWA7_ROW(LL, LD, LEFT, DWA7_T2S, R0, R1) DWA7_STORE(ACT, R0)                    \
  DWA7_ROW(LL, LD, LEFT, DWA7_T1, R1, R1)                                         \
  DWA7_ROW(LL, LD, LEFT, DWA7_T2S, R1, R0) DWA7_STORE(ACT, R1)                    \
  DWA7_ROW(LL, LD, LEFT, DWA7_T1, R0, R0)                                         \
  "subs %[cnt], %[cnt], #1\n\t"                                               \
  "bne 2b\n\t"                                                                \
  "3:\n\t"                                                                    \
  "ldr %[cnt], [%[prm], #4]\n\t"                                              \
  "tst %[cnt], #2\n\t"                                                        \
  "beq 4f\n\t"                                                                \
  DWA7_ROW(LL, LD, LEFT, DWA7_T2S, R0, R1) DWA7_STORE(ACT, R0)                    \
  DWA7_ROW(LL, LD, LEFT, DWA7_T1, R1, R1)                                         \
  "tst %[cnt], #1\n\t"                                                        \
  "beq 5f\n\t"                                                                \
  DWA7_ROW(LL, LD, LEFT, DWA7_T2, R1, R1)                                         \
  "5:\n\t"                                                                    \
  DWA7_STORE(ACT, R1)                                                         \
  "b 9f\n\t"                                                                  \
  "4:\n\t"                                                                    \
  "tst %[cnt], #1\n\t"                                                        \
  "beq 6f\n\t"                                                                \
  DWA7_ROW(LL, LD, LEFT, DWA7_T2, R0, R0)                                         \
  "6:\n\t"                                                                    \
  DWA7_STORE(ACT, R0)                                                         \
  "9:\n\t"

// Bands G-1 .. 1 (band b: columns 16b .. 16b+15, its left column 16b-1 by
// a load-and-duplicate per input row), from the plane's origin: x, y move to
// band G-1's ([prm, #32], [prm, #36]: 64(G-1), 32(G-1) bytes), and after
// each pass (which moved them by a plane) back by a plane and one band
// ([prm, #8], [prm, #12]); the band count in [prm, #44]. Then band 0 from
// the plane's origin. (The last band goes first: its stores past a row's
// end land on the next row's first columns, which band 0 stores after.)
#define DWA7_BANDS(ACT)                                                        \
  "ldr %[cnt], [%[prm], #40]\n\t"                                              \
  "cmp %[cnt], #0\n\t"                                                         \
  "beq 8f\n\t"                                                                 \
  "str %[cnt], [%[prm], #44]\n\t"                                              \
  "ldr %[cnt], [%[prm], #32]\n\t"                                              \
  "add %[x], %[x], %[cnt]\n\t"                                                 \
  "ldr %[cnt], [%[prm], #36]\n\t"                                              \
  "add %[y], %[y], %[cnt]\n\t"                                                 \
  "7:\n\t"                                                                     \
  "sub %[xl], %[x], #4\n\t"                                                    \
  DWA7_PASS(DWA7_LDL, DWA7_LD16, "q7", ACT)           \
  "ldr %[cnt], [%[prm], #8]\n\t"                                               \
  "sub %[x], %[x], %[cnt]\n\t"                                                 \
  "ldr %[cnt], [%[prm], #12]\n\t"                                              \
  "sub %[y], %[y], %[cnt]\n\t"                                                 \
  "ldr %[cnt], [%[prm], #44]\n\t"                                              \
  "subs %[cnt], %[cnt], #1\n\t"                                                \
  "str %[cnt], [%[prm], #44]\n\t"                                              \
  "bne 7b\n\t"                                                                 \
  "8:\n\t"
// The band's left column: load-and-duplicate (xl = x - 4 at the band's
// origin, a row on per input row).
#define DWA7_LDL "vld1.32 {d14[], d15[]}, [%[xl]], %[w4]\n\t"

// w odd: first the right band R (columns w-15 .. w, w the right padding,
// which d23[1] holds: zeroed here, and no load writes it; outputs (w-15)/2
// .. wo-1, the same as band B-1's where they overlap, the same bits) from
// the plane's origin moved by [prm, #48], [prm, #52] (4(w-15), 2(w-15)
// bytes), with xs = 4w - 48 for its 15 columns; back to the plane's origin
// by [prm, #56], [prm, #60] (a plane and those offsets); then bands B-1 ..
// 1 as DWA7_BANDS (B = ceil((w+1)/16) - 1 bands of 16 columns before R,
// [prm, #32], [prm, #36], [prm, #40] set for them). Nothing is read or
// written past a row's end.
#define DWA7_ODD_BANDS(ACT)                                                    \
  "ldr %[cnt], [%[prm], #48]\n\t"                                              \
  "add %[x], %[x], %[cnt]\n\t"                                                 \
  "ldr %[cnt], [%[prm], #52]\n\t"                                              \
  "add %[y], %[y], %[cnt]\n\t"                                                 \
  "sub %[xl], %[x], #4\n\t"                                                    \
  "vmov.i32 d23, #0\n\t"                                                       \
  "sub %[xs], %[xs], #16\n\t"                                                  \
  DWA7_PASS(DWA7_LDL, DWA7_LD15, "q7", ACT)                                    \
  "add %[xs], %[xs], #16\n\t"                                                  \
  "ldr %[cnt], [%[prm], #56]\n\t"                                              \
  "sub %[x], %[x], %[cnt]\n\t"                                                 \
  "ldr %[cnt], [%[prm], #60]\n\t"                                              \
  "sub %[y], %[y], %[cnt]\n\t"                                                 \
  DWA7_BANDS(ACT)

// The planes; the taps pointer ([prm, #24]) and the plane count ([prm,
// #28]) live in memory (a debug build's asm gets fewer registers).
#define DWA7_NO_BANDS(ACT)
#define DWA7_PLANES(BANDS, ACT)                                                \
  "1:\n\t"                                                                     \
  "ldr %[cnt], [%[prm], #24]\n\t"                                              \
  "vld1.32 {d0, d1, d2, d3}, [%[cnt]]!\n\t"                                    \
  "vld1.32 {d4, d5}, [%[cnt]]!\n\t"                                            \
  "str %[cnt], [%[prm], #24]\n\t"                                              \
  "vdup.32 q3, d4[1]\n\t"                                                      \
  BANDS(ACT)                                                                   \
  DWA7_PASS("", DWA7_LD16, "q2", ACT)                                                     \
  "ldr %[cnt], [%[prm], #28]\n\t"                                              \
  "subs %[cnt], %[cnt], #1\n\t"                                                \
  "str %[cnt], [%[prm], #28]\n\t"                                              \
  "bne 1b\n\t"

#define DWA7_OPERANDS                                                                             \
  : [x] "+r"(x), [y] "+r"(y), [xl] "+r"(xl), [cnt] "=&r"(cnt), [xs] "+r"(xs)                      \
  : [prm] "r"(prm), [ys] "r"(ys), [w4] "r"(w4)                                                    \
  : "cc", "memory", "q0", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9", "q10", "q11",     \
    "q12", "q13", "q14", "q15"
// (The bounds from [prm, #16], [prm, #20]; cnt as the address.)
#define DWA7_BOUNDS                                 \
  "add %[cnt], %[prm], #16\n\t"                     \
  "vld1.32 {d8[], d9[]}, [%[cnt]]!\n\t"             \
  "vld1.32 {d10[], d11[]}, [%[cnt]]\n\t"

// `planes` >= 1 planes from p.x, p.y, p.k with the bounds lo, hi. ONE: w
// even, G = ceil(w/16) = 1 (no band loop to pass over); BANDS: w even, G >=
// 2; ODD: w odd >= 17 (the right band R, then ceil((w+1)/16) - 1 bands).
enum class Shape { ONE, BANDS, ODD };
template <Shape SHAPE, bool CLAMP>
void ld4rows(const DwPlane& p, size_t planes, float lo, float hi) {
  const float* x = p.x;
  float* y = p.y;
  const float* xl = p.x;
  size_t cnt;
  const bool odd = SHAPE == Shape::ODD;
  // Bands of 16 columns with outputs 8 apart from the plane's origin (w odd:
  // before the right band R at column w - 15).
  const int32_t g = odd ? int32_t(p.w / 16) : int32_t((p.w + 15) / 16), r = int32_t(p.w) - 15;
  const int32_t plane_in = int32_t(4 * p.h * p.w), plane_out = int32_t(4 * p.ho * p.wo);
  // n, rem; a plane's bytes (in, out) and a band's; the clamp's bounds
  // (their bits); the taps pointer; the plane count; band G-1's origin
  // (bytes in, out); the bands before band 0, and their count down; w odd:
  // R's origin (bytes in, out), and a plane and R's origin (in, out).
  int32_t prm[16] = {int32_t((p.h - 1) / 4), int32_t((p.h - 1) % 4), plane_in + 64, plane_out + 32,
                     0, 0, 0, int32_t(planes), 64 * (g - 1), 32 * (g - 1), g - 1, 0,
                     4 * r, 2 * r, plane_in + 4 * r, plane_out + 2 * r};
  std::memcpy(&prm[4], &lo, 4);
  std::memcpy(&prm[5], &hi, 4);
  const float* k = p.k;
  static_assert(sizeof(k) == 4, "armv7: 32-bit pointers");
  std::memcpy(&prm[6], &k, 4);
  ptrdiff_t xs = ptrdiff_t(4 * p.w) - 32;
  const ptrdiff_t ys = ptrdiff_t(4 * p.wo), w4 = ptrdiff_t(4 * p.w);
  if constexpr (SHAPE == Shape::ODD) {
    static_assert(CLAMP, "w odd: clamped only (unclamped: bounds -inf, +inf)");
    __asm__ volatile(DWA7_BOUNDS DWA7_PLANES(DWA7_ODD_BANDS, DWA7_CLAMP) DWA7_OPERANDS);
  } else if constexpr (SHAPE == Shape::BANDS && CLAMP) {
    __asm__ volatile(DWA7_BOUNDS DWA7_PLANES(DWA7_BANDS, DWA7_CLAMP) DWA7_OPERANDS);
  } else if constexpr (SHAPE == Shape::BANDS) {
    __asm__ volatile(DWA7_PLANES(DWA7_BANDS, DWA7_NONE) DWA7_OPERANDS);
  } else if constexpr (CLAMP) {
    __asm__ volatile(DWA7_BOUNDS DWA7_PLANES(DWA7_NO_BANDS, DWA7_CLAMP) DWA7_OPERANDS);
  } else {
    __asm__ volatile(DWA7_PLANES(DWA7_NO_BANDS, DWA7_NONE) DWA7_OPERANDS);
  }
}

// The odd widths' shape (this kernel's own; dw_s2_ld4_planes, core/dwconv.h,
// is the even widths' of both ISAs): pad 1 at the top and left, ho =
// ceil(h/2), w odd >= 17, wo = (w+1)/2 (pad 1 at the right); all planes
// (nothing read or written past a row's end).
size_t odd_planes(const DwPlane& p) {
  if (p.pad_top != 1 || p.pad_left != 1 || p.h < 1 || p.ho != (p.h + 1) / 2 || p.w % 2 != 1 || p.w < 17 ||
      p.wo != (p.w + 1) / 2)
    return 0;
  return p.count;
}

}  // namespace

// Runs planes of p if this kernel takes p's shape (pad 1 at the top and
// left, ho = ceil(h/2); w even >= 8 and wo = w/2, or w odd >= 17 and wo =
// (w+1)/2); returns how many it ran, from the first: w even, all but the
// last unless w is a multiple of 16 (see the top), else all; w odd, all; 0:
// none (the caller runs them all). Odd widths: clamped instantiations only
// (an unclamped call runs with the bounds -inf, +inf: the same bits; NEON
// on armv7 returns the default NaN either way).
size_t dwconv3x3_armv7_1x8_s2_ld4rows(const DwPlane& p) {
  if (const size_t planes = odd_planes(p)) {
    constexpr float inf = std::numeric_limits<float>::infinity();
    p.clamp ? ld4rows<Shape::ODD, true>(p, planes, p.lo, p.hi) : ld4rows<Shape::ODD, true>(p, planes, -inf, inf);
    return planes;
  }
  const size_t planes = dw_s2_ld4_planes(p);
  if (planes == 0) return 0;
  if (p.w <= 16) p.clamp ? ld4rows<Shape::ONE, true>(p, planes, p.lo, p.hi) : ld4rows<Shape::ONE, false>(p, planes, 0, 0);
  else p.clamp ? ld4rows<Shape::BANDS, true>(p, planes, p.lo, p.hi) : ld4rows<Shape::BANDS, false>(p, planes, 0, 0);
  return planes;
}

}  // namespace detail
}  // namespace armconv

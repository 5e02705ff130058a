// NEON int8 depthwise 3x3, stride 1 and 2, armv7 (NEON/VFPv4: Cortex-A7,
// A15, and A53/A72 in AArch32 on 32-bit Pi OS) (dwconv3x3_s8-armv7-1x8-smull).
// Contract: core/dwconv.h; bit-exact with the generic loop
// (generic/dwconv_s8.cpp): the int32 sums are exact, the output stage is the
// rule of core/requant.h with E = 0 (vqrdmulh, saturating narrows, clamp)
// or the float dequantization (vcvt, one multiply, clamp), as in DwS8Store.
//
// The armv7 port of neon/aarch64/dwconv3x3_s8_1x16_smull.cpp (read its
// header for the design), cut to the 16 Q registers of armv7 NEON: 8-lane
// strips (windows and taps in D registers), one asm call per plane and strip
// (strips outer, planes inner). This kernel takes the planes with float
// output or int8 output with E = 0, w > 16, wo >= 8, pad_left <= 1, top
// padding <= 2 (stride 1) or <= 1 (stride 2), and strips that need at most
// one padding column on one side; every other plane (int8 with E > 0,
// narrow maps, other paddings) goes to the intrinsics kernels
// of neon/dwconv3x3_s8.h (included here: anonymous namespace).
//
// Strips: 8 output columns x0 .. x0 + 7 at x0 = 0, 8, .., the last at wo - 8
// (overlapping the one before when wo % 8 != 0: those outputs are stored
// twice, with the same values). Output column x reads input columns
// x*S - pad_left + {0, 1, 2}; a strip reads columns c0 .. c0 + span - 1,
// c0 = x0*S - pad_left, span = 7S + 3 (10 or 17). A row's three tap windows
// (D registers, tap column t of output x0 + i in lane i):
//   stride 1, interior: three VLD1 at c0, c0 + 1, c0 + 2 through one pointer
//     post-incremented by 1, 1, then st - 2 (the next row).
//   stride 2, interior: VLD2 at c0 (even columns: tap 0, odd: tap 1) and at
//     c0 + 1 (odd: tap 1 again, the same bytes; even: tap 2), post-increment
//     1 then st - 1.
//   left edge (c0 = -1): the in-row loads of taps 1, 2 from column 0; tap 0 =
//     tap 1's (stride 1) or tap 2's (stride 2) window shifted up one lane as
//     a 64-bit integer (VSHL.I64 #8: lane 0 = 0, the padding).
//   right edge (c0 + span = w + 1): taps 0, 1 loaded; tap 2 = tap 1's
//     (stride 1) or tap 0's (stride 2) window shifted down one lane
//     (VSHR.U64 #8: lane 7 = 0, the padding).
// Loads never read outside [c0, c0 + span) of a row, or the zero row.
//
// Rows: as the aarch64 kernel: the windows of the reused input rows stay in
// registers (stride 1: two kept, one loaded per output row; stride 2: one
// kept, two loaded), the loop unrolled 3 (stride 1) or 2 (stride 2) so that
// keeping is renaming; the first rows from p0 (and p1), the loop's n rows
// from xin, then n2 rows from xin2 (the zero row, or stride 2's one row
// whose second input row is the zero row) in the same loop; rows outside
// the plane read the static zero row kDw7Zero.
//
// Arithmetic per 8 outputs of one row: tap pairs vmull.s8 + vmlal.s8 into
// int16 (|sum of 2 products| <= 2 * 128 * 127 < 2^15, exact), pairs (0,1)
// (2,3) (4,5) (6,7) and tap 8 alone: 9 multiplies; widened into two int32x4
// sums by vaddw.s16, the first from the bias register: 10. Output: vqrdmulh
// (2), vqmovn to int16 (2) and int8 (1), vmax/vmin (2), one VST1 post-indexed
// by the output row: 8 (float: vcvt (2), vmul (2), VST1: 5; with the clamp
// 11: fmax's load, vmax/vmin (4)). With the loads (3, stride 1; 2 + 2, stride 2) and
// subs/bne: 32 (stride 1) or 33 (stride 2) instructions per 72 MACs in the
// loop (2.25 / 2.18 MACs/insn); ~25 per plane and strip.
//
// Register map of the asm (d8-d15 saved by the compiler for the clobbers):
//   d0-d8    the taps w0..w8, each byte broadcast to 8 lanes (VLD4 / VLD1
//            all lanes)
//   d9-d11   windows set A (taps 0, 1, 2 of an input row)
//   d12-d14  set B
//   d15-d17  set C
//   q9, q10  (d18-d21) the 8 int32 sums (outputs 0-3, 4-7)
//   q11, q12 (d22-d25) int16 pair products; d22 also the int8 result
//   q13      bias (int32 x4)
//   q14      int8: M (int32 x4); float: the scale
//   d30/d31  int8: qmin/qmax (int8 x8); float with the clamp: fmin (q15);
//            fmax loaded into q11 per row (t = ctl + 52)
//   GPRs: ctl the control block (Dw7Ctl), out/ost output pointer and row
//   step, xin the row pointer (post-incremented by one = 1 and sm = the row
//   step minus the in-row increments), n output rows left, t a temporary
//   (setup, the switch to the n2 rows).
#include <cstddef>
#include <cstdint>

#include "core/dwconv.h"
#include "neon/dwconv3x3_s8.h"
#include "neon/dwconv3x3_s8_rowplan.h"

namespace armconv {
namespace detail {
namespace {

// The zero row: rows outside the plane (a strip's loads read at most 18
// bytes from the row pointer).
alignas(16) const int8_t kDw7Zero[64] = {};

enum Dw7Mode { kInterior = 0, kLeft = 1, kRight = 2 };

// ---- window loads LD(a, b, c): one input row's taps 0, 1, 2 into da, db,
// dc from [xin], leaving xin at the same column of the next row (+ st).
#define D7_LD1_INT(a, b, c)                     \
  "vld1.8 {d" #a "}, [%[xin]], %[one]\n\t"    \
  "vld1.8 {d" #b "}, [%[xin]], %[one]\n\t"    \
  "vld1.8 {d" #c "}, [%[xin]], %[sm]\n\t"
#define D7_LD1_LEFT(a, b, c)                    \
  "vld1.8 {d" #b "}, [%[xin]], %[one]\n\t"    \
  "vld1.8 {d" #c "}, [%[xin]], %[sm]\n\t"     \
  "vshl.i64 d" #a ", d" #b ", #8\n\t"
#define D7_LD1_RIGHT(a, b, c)                   \
  "vld1.8 {d" #a "}, [%[xin]], %[one]\n\t"    \
  "vld1.8 {d" #b "}, [%[xin]], %[sm]\n\t"     \
  "vshr.u64 d" #c ", d" #b ", #8\n\t"
#define D7_LD2_INT(a, b, c)                           \
  "vld2.8 {d" #a ", d" #b "}, [%[xin]], %[one]\n\t" \
  "vld2.8 {d" #b ", d" #c "}, [%[xin]], %[sm]\n\t"
#define D7_LD2_LEFT(a, b, c)                          \
  "vld2.8 {d" #b ", d" #c "}, [%[xin]], %[sm]\n\t"  \
  "vshl.i64 d" #a ", d" #c ", #8\n\t"
#define D7_LD2_RIGHT(a, b, c)                         \
  "vld2.8 {d" #a ", d" #b "}, [%[xin]], %[sm]\n\t"  \
  "vshr.u64 d" #c ", d" #a ", #8\n\t"

#define D7_A (9, 10, 11)
#define D7_B (12, 13, 14)
#define D7_C (15, 16, 17)
#define D7_UNP(a, b, c) a, b, c
#define D7_LOAD(LD, SET) D7_LOAD_(LD, D7_UNP SET)
#define D7_LOAD_(LD, ...) D7_LOAD__(LD, __VA_ARGS__)
#define D7_LOAD__(LD, a, b, c) LD(a, b, c)

// ---- the 9 taps of one output row (input rows a: top, b, c: bottom) and
// the output stage: acc = bias + pairs (0,1) (2,3) (4,5) (6,7) + tap 8;
// t = vqrdmulh(acc, M), narrowed with saturation, clamped, stored.
#define D7_MAC(SA, SB, SC) D7_ROWOUT_X(D7_UNP SA, D7_UNP SB, D7_UNP SC)
#define D7_ROWOUT_X(...) D7_ROWOUT_(__VA_ARGS__)
#define D7_ROWOUT_(a0, a1, a2, b0, b1, b2, c0, c1, c2) \
  "vmull.s8 q11, d" #a0 ", d0\n\t"                     \
  "vmull.s8 q12, d" #a2 ", d2\n\t"                     \
  "vmlal.s8 q11, d" #a1 ", d1\n\t"                     \
  "vmlal.s8 q12, d" #b0 ", d3\n\t"                     \
  "vaddw.s16 q9, q13, d22\n\t"                          \
  "vaddw.s16 q10, q13, d23\n\t"                         \
  "vmull.s8 q11, d" #b1 ", d4\n\t"                     \
  "vaddw.s16 q9, q9, d24\n\t"                           \
  "vaddw.s16 q10, q10, d25\n\t"                         \
  "vmlal.s8 q11, d" #b2 ", d5\n\t"                     \
  "vmull.s8 q12, d" #c0 ", d6\n\t"                     \
  "vaddw.s16 q9, q9, d22\n\t"                           \
  "vaddw.s16 q10, q10, d23\n\t"                         \
  "vmlal.s8 q12, d" #c1 ", d7\n\t"                     \
  "vmull.s8 q11, d" #c2 ", d8\n\t"                     \
  "vaddw.s16 q9, q9, d24\n\t"                           \
  "vaddw.s16 q10, q10, d25\n\t"                         \
  "vaddw.s16 q9, q9, d22\n\t"                           \
  "vaddw.s16 q10, q10, d23\n\t"
// int8 output: t = vqrdmulh(acc, M), narrowed with saturation, clamped.
#define D7_OUT_I8                                       \
  "vqrdmulh.s32 q9, q9, q14\n\t"                        \
  "vqrdmulh.s32 q10, q10, q14\n\t"                      \
  "vqmovn.s32 d22, q9\n\t"                              \
  "vqmovn.s32 d23, q10\n\t"                             \
  "vqmovn.s16 d22, q11\n\t"                             \
  "vmax.s8 d22, d22, d30\n\t"                           \
  "vmin.s8 d22, d22, d31\n\t"                           \
  "vst1.8 {d22}, [%[out]], %[ost]\n\t"
// float output: fl32(acc) * scale (q14; one rounding each), [clamped to
// [fmin, fmax]: fmin in q15, fmax reloaded per row into q11 (free after
// the taps)], one VST1 of 8 floats.
#define D7_FMUL                                         \
  "vcvt.f32.s32 q9, q9\n\t"                             \
  "vcvt.f32.s32 q10, q10\n\t"                           \
  "vmul.f32 q9, q9, q14\n\t"                            \
  "vmul.f32 q10, q10, q14\n\t"
#define D7_FST "vst1.32 {d18-d21}, [%[out]], %[ost]\n\t"
#define D7_OUT_F32 D7_FMUL D7_FST
#define D7_OUT_F32C                                     \
  D7_FMUL                                               \
  "add %[t], %[ctl], #52\n\t"                           \
  "vld1.32 {d22[], d23[]}, [%[t]]\n\t"                  \
  "vmax.f32 q9, q9, q15\n\t"                            \
  "vmax.f32 q10, q10, q15\n\t"                          \
  "vmin.f32 q9, q9, q11\n\t"                            \
  "vmin.f32 q10, q10, q11\n\t"                          \
  D7_FST

// ---- setup (control block offsets: Dw7Ctl): taps (VLD4 all lanes x2 +
// VLD1 all lanes), bias, M, qmin/qmax (VLD2 all lanes), the rows' step.
#define D7_SETUP                                            \
  "ldr %[t], [%[ctl], #0]\n\t"                              \
  "vld4.8 {d0[], d1[], d2[], d3[]}, [%[t]]!\n\t"            \
  "vld4.8 {d4[], d5[], d6[], d7[]}, [%[t]]!\n\t"            \
  "vld1.8 {d8[]}, [%[t]]\n\t"                               \
  "ldr %[t], [%[ctl], #4]\n\t"                              \
  "vld1.32 {d26[], d27[]}, [%[t]]\n\t"                      \
  "ldr %[t], [%[ctl], #8]\n\t"                              \
  "vld1.32 {d28[], d29[]}, [%[t]]\n\t"                      \
  "add %[t], %[ctl], #12\n\t"                               \
  "vld2.8 {d30[], d31[]}, [%[t]]\n\t"                       \
  "ldr %[sm], [%[ctl], #40]\n\t"
// float with the clamp: fmin into q15 (over qmin/qmax).
#define D7_CONST_F32C                                       \
  "add %[t], %[ctl], #48\n\t"                               \
  "vld1.32 {d30[], d31[]}, [%[t]]\n\t"

// One output row: the new rows' loads, taps, store, count.
#define D7_ROW1(LD, OUT, KA, KB, KC) D7_LOAD(LD, KC) D7_MAC(KA, KB, KC) OUT "subs %[n], %[n], #1\n\t"
#define D7_ROW2(LD, OUT, KA, KB, KC) D7_LOAD(LD, KB) D7_LOAD(LD, KC) D7_MAC(KA, KB, KC) OUT "subs %[n], %[n], #1\n\t"

// The rows after the loop's n: if n2 > 0, n2 more from xin2 (step sm2),
// re-entering the unrolled loop at the row after the one it left (n2 is
// cleared in the control block: the next exit ends the call).
#define D7_SWITCH                       \
  "ldr %[t], [%[ctl], #36]\n\t"         \
  "cmp %[t], #0\n\t"                    \
  "beq 2f\n\t"                          \
  "mov %[n], %[t]\n\t"                  \
  "mov %[t], #0\n\t"                    \
  "str %[t], [%[ctl], #36]\n\t"         \
  "ldr %[xin], [%[ctl], #28]\n\t"       \
  "ldr %[sm], [%[ctl], #44]\n\t"

#define D7_BODY1(LD, CONST, OUT)                                      \
  D7_SETUP CONST                                            \
  "ldr %[xin], [%[ctl], #16]\n\t" D7_LOAD(LD, D7_A)         \
  "ldr %[xin], [%[ctl], #20]\n\t" D7_LOAD(LD, D7_B)         \
  "ldr %[xin], [%[ctl], #24]\n\t"                           \
  "ldr %[n], [%[ctl], #32]\n\t"                             \
  "1:\n\t"                                                  \
  D7_ROW1(LD, OUT, D7_A, D7_B, D7_C) "beq 11f\n\t"               \
  "4:\n\t"                                                  \
  D7_ROW1(LD, OUT, D7_B, D7_C, D7_A) "beq 12f\n\t"               \
  "5:\n\t"                                                  \
  D7_ROW1(LD, OUT, D7_C, D7_A, D7_B) "bne 1b\n\t"                \
  D7_SWITCH "b 1b\n\t"                                      \
  "11:\n\t" D7_SWITCH "b 4b\n\t"                            \
  "12:\n\t" D7_SWITCH "b 5b\n\t"                            \
  "2:\n\t"
#define D7_BODY2(LD, CONST, OUT)                                      \
  D7_SETUP CONST                                            \
  "ldr %[xin], [%[ctl], #16]\n\t" D7_LOAD(LD, D7_A)         \
  "ldr %[xin], [%[ctl], #24]\n\t"                           \
  "ldr %[n], [%[ctl], #32]\n\t"                             \
  "1:\n\t"                                                  \
  D7_ROW2(LD, OUT, D7_A, D7_B, D7_C) "beq 11f\n\t"               \
  "4:\n\t"                                                  \
  D7_ROW2(LD, OUT, D7_C, D7_B, D7_A) "bne 1b\n\t"                \
  D7_SWITCH "b 1b\n\t"                                      \
  "11:\n\t" D7_SWITCH "b 4b\n\t"                            \
  "2:\n\t"

#define D7_ASM(BODY)                                                                                 \
  __asm__ volatile(BODY                                                                              \
                   : [out] "+r"(out), [xin] "=&r"(xin), [sm] "=&r"(sm), [n] "=&r"(n), [t] "=&r"(t)  \
                   : [ctl] "r"(ctl), [ost] "r"(ost), [one] "r"(one)                                  \
                   : "cc", "memory", "d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9",       \
                     "d10", "d11", "d12", "d13", "d14", "d15", "d16", "d17", "d18", "d19", "d20",      \
                     "d21", "d22", "d23", "d24", "d25", "d26", "d27", "d28", "d29", "d30", "d31")

// The control block of one call (byte offsets in the asm).
struct Dw7Ctl {
  const int8_t* k;        //  0: the plane's packed taps
  const int32_t* bias;    //  4
  const int32_t* mult;    //  8: M
  int8_t qmin, qmax;      // 12, 13
  int8_t pad[2];
  const int8_t* p0;       // 16: the first output row's kept rows
  const int8_t* p1;       // 20: (stride 1)
  const int8_t* xin;      // 24: the loop's rows (n output rows)
  const int8_t* xin2;     // 28: then n2 rows from xin2
  uint32_t n, n2;         // 32, 36
  int32_t sm, sm2;        // 40, 44: row steps minus the in-row increments
  float fmin, fmax;       // 48, 52: float output with the clamp
};
static_assert(sizeof(void*) != 4 || (offsetof(Dw7Ctl, p0) == 16 && offsetof(Dw7Ctl, n) == 32 &&
                                     offsetof(Dw7Ctl, sm2) == 44 && offsetof(Dw7Ctl, fmax) == 52 && offsetof(Dw7Ctl, qmax) == 13),
              "Dw7Ctl: the asm's offsets");

// Output variants: int8 (E = 0), float (clamp off / on).
enum Dw7Out { kOI8 = 0, kOF32 = 1, kOF32Clamp = 2 };

template <int S, int M, int O>
__attribute__((noinline)) void dw7_strip(Dw7Ctl* ctl, char* out, int32_t ost) {
  const int8_t* xin;
  int32_t sm, one = 1;
  uint32_t n, t;
#define D7_CASE(SS, MM, BODY, LD)                                          \
  if constexpr (S == SS && M == MM && O == kOI8) D7_ASM(BODY(LD, "", D7_OUT_I8)); \
  if constexpr (S == SS && M == MM && O == kOF32) D7_ASM(BODY(LD, "", D7_OUT_F32)); \
  if constexpr (S == SS && M == MM && O == kOF32Clamp) D7_ASM(BODY(LD, D7_CONST_F32C, D7_OUT_F32C));
  D7_CASE(1, kInterior, D7_BODY1, D7_LD1_INT)
  D7_CASE(1, kLeft, D7_BODY1, D7_LD1_LEFT)
  D7_CASE(1, kRight, D7_BODY1, D7_LD1_RIGHT)
  D7_CASE(2, kInterior, D7_BODY2, D7_LD2_INT)
  D7_CASE(2, kLeft, D7_BODY2, D7_LD2_LEFT)
  D7_CASE(2, kRight, D7_BODY2, D7_LD2_RIGHT)
#undef D7_CASE
  (void)xin, (void)sm, (void)n, (void)t;
}

// The in-row post-increments of a mode's loads (the row step minus these is sm).
template <int S>
constexpr int32_t dw7_adj(int m) {
  return m == kInterior ? (S == 1 ? 2 : 1) : (S == 1 ? 1 : 0);
}

template <int S>
constexpr ptrdiff_t dw7_span() {
  return 7 * S + 3;
}

// The mode of the strip reading columns c0 .. c0 + span - 1 of a w-column
// row, or -1 (padding on both sides, or more than 1 column on one).
template <int S>
inline int dw7_mode(ptrdiff_t c0, ptrdiff_t w) {
  const ptrdiff_t end = c0 + dw7_span<S>();
  if (c0 < -1 || end > w + 1 || (c0 == -1 && end > w)) return -1;
  return c0 == -1 ? kLeft : (end == w + 1 ? kRight : kInterior);
}

template <int S>
inline bool dw7_takes(const DwPlaneS8& p) {
  if (!(p.out.kind == S8OutKind::Float || (p.out.kind == S8OutKind::Int8 && p.out.shift == 0)) || p.w <= 16 || p.wo < 8 || p.pad_left > 1 ||
      p.pad_top > (S == 1 ? 2u : 1u) || p.w > (size_t(1) << 28))
    return false;
  const ptrdiff_t w = ptrdiff_t(p.w), pl = ptrdiff_t(p.pad_left), wo = ptrdiff_t(p.wo);
  return dw7_mode<S>(-pl, w) >= 0 && dw7_mode<S>((wo - 8) * S - pl, w) >= 0;
}

// The row plan (neon/dwconv3x3_s8_rowplan.h): DwS8Rows, dw_s8_rows, dw_s8_row_off.

inline const int8_t* dw7_ptr(const int8_t* base, ptrdiff_t off) { return off < 0 ? kDw7Zero : base + off; }

// Stride 2, output rows r.more .. ho - 1 (bottom padding > 1: their input
// rows are below the plane): one call each (c: a copy, the caller steps its
// rows per plane).
template <int M, int O>
__attribute__((noinline, cold)) void dw7_more_rows(const DwPlaneS8& p, char* y, const DwS8Rows& r, Dw7Ctl c,
                                                   const int8_t* xc, size_t x0, int32_t adj, int32_t ost) {
  const ptrdiff_t pt = ptrdiff_t(p.pad_top);
  for (ptrdiff_t oy = r.more; oy < ptrdiff_t(p.ho); oy++) {
    c.p0 = dw7_ptr(xc, dw_s8_row_off(2 * oy - pt, p));
    c.p1 = kDw7Zero;
    c.xin = dw7_ptr(xc, dw_s8_row_off(2 * oy - pt + 1, p));
    c.xin2 = kDw7Zero;
    c.n = 1;
    c.n2 = 0;
    c.sm = int32_t(dw7_ptr(xc, dw_s8_row_off(2 * oy - pt + 2, p)) - c.xin) - adj;
    c.sm2 = 0;
    dw7_strip<2, M, O>(&c, y + oy * ost + ptrdiff_t(x0 * (O == kOI8 ? 1 : 4)), ost);
  }
}

// One strip (mode M, first loaded column c0, first output column x0) down
// every plane of p: the rows' pointers set once and stepped by h * w per
// plane (0 for the zero row); the asm clears n2 in the control block, so it
// is set again per plane.
template <int S, int M, int O>
void dw7_strip_planes(const DwPlaneS8& p, const DwS8Rows& r, Dw7Ctl& c, ptrdiff_t c0, size_t x0) {
  const int8_t* xc = p.x + (c0 < 0 ? 0 : c0);
  const size_t es = O == kOI8 ? 1 : sizeof(float);
  const int32_t adj = dw7_adj<S>(M), ost = int32_t(p.wo * es);
  const ptrdiff_t hw = ptrdiff_t(p.h * p.w), howo = ptrdiff_t(p.ho * p.wo * es);
  auto step = [hw](ptrdiff_t off) -> ptrdiff_t { return off < 0 ? 0 : hw; };
  const ptrdiff_t dp0 = step(r.p0), dp1 = step(r.p1), dxin = step(r.xin), dxin2 = step(r.xin2), db2 = step(r.b2);
  const int8_t* b2 = dw7_ptr(xc, r.b2);
  c.p0 = dw7_ptr(xc, r.p0);
  c.p1 = dw7_ptr(xc, r.p1);
  c.xin = dw7_ptr(xc, r.xin);
  c.xin2 = dw7_ptr(xc, r.xin2);
  c.n = r.n;
  c.sm = int32_t(r.st) - adj;
  char* y = static_cast<char*>(p.y) + x0 * es;
  for (size_t i = 0; i < p.count; i++) {
    c.k = p.k + i * kDwS8PackedBytes;
    c.bias = p.out.bias + i;
    c.mult = O == kOI8 ? p.out.mult + i : reinterpret_cast<const int32_t*>(p.out.fscale + i);
    if (r.n > 0) {
      c.n2 = r.n2;
      c.sm2 = (S == 1 ? 0 : int32_t(b2 - c.xin2)) - adj;
      dw7_strip<S, M, O>(&c, y, ost);
    }
    if (S == 2 && r.more < ptrdiff_t(p.ho))
      dw7_more_rows<M, O>(p, y - x0 * es, r, c, xc + ptrdiff_t(i) * hw, x0, adj, ost);
    c.p0 += dp0, c.p1 += dp1, c.xin += dxin, c.xin2 += dxin2, b2 += db2;
    y += howo;
  }
}

template <int S, int O>
__attribute__((noinline)) void dw7_planes(const DwPlaneS8& p) {
  const DwS8Rows r = dw_s8_rows<S>(p);
  const ptrdiff_t w = ptrdiff_t(p.w), pl = ptrdiff_t(p.pad_left);
  Dw7Ctl c{};
  c.qmin = int8_t(p.out.qmin);
  c.qmax = int8_t(p.out.qmax);
  c.fmin = p.out.fmin;
  c.fmax = p.out.fmax;
  for (size_t x0 = 0;; x0 += 8) {
    if (x0 + 8 > p.wo) x0 = p.wo - 8;  // the last strip, overlapping
    const ptrdiff_t c0 = ptrdiff_t(x0) * S - pl;
    switch (dw7_mode<S>(c0, w)) {
      case kLeft: dw7_strip_planes<S, kLeft, O>(p, r, c, c0, x0); break;
      case kRight: dw7_strip_planes<S, kRight, O>(p, r, c, c0, x0); break;
      default: dw7_strip_planes<S, kInterior, O>(p, r, c, c0, x0); break;
    }
    if (x0 + 8 >= p.wo) break;
  }
}

template <int S>
void dw3x3_s8_v7(const DwPlaneS8& p) {
  if (p.count == 0 || p.ho == 0 || p.wo == 0) return;
  if (!dw7_takes<S>(p)) return S == 1 ? dw3x3_s8_stride1(p) : dw3x3_s8_stride2(p);
  if (p.out.kind == S8OutKind::Int8) dw7_planes<S, kOI8>(p);
  else if (p.out.fclamp) dw7_planes<S, kOF32Clamp>(p);
  else dw7_planes<S, kOF32>(p);
}

void dw3x3_s8_v7_s1(const DwPlaneS8& p) { dw3x3_s8_v7<1>(p); }
void dw3x3_s8_v7_s2(const DwPlaneS8& p) { dw3x3_s8_v7<2>(p); }

}  // namespace

const Dw3x3S8Kernels& dw3x3_s8_neon_kernels() {
  static const Dw3x3S8Kernels k = {"dwconv3x3_s8-armv7-1x8-smull", dw3x3_s8_v7_s1, dw3x3_s8_v7_s2};
  return k;
}

}  // namespace detail
}  // namespace armconv

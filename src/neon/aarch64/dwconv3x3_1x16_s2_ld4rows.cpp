// NEON fp32 depthwise 3x3, stride 2, pad 1 ("same"), even widths 8..32
// (MobileNet's 28 -> 14 and 14 -> 7), aarch64: whole rows by LD4, all planes
// of a call but the last in one assembly loop. Part of dwconv3x3-aarch64-1x16
// (its table: dwconv3x3_1x16.cpp), which runs the call's last plane, and
// every plane this kernel does not take, with the rows kernel
// (neon/dwconv3x3_rows.h, Rows3x3S2) or the strips (neon/dwconv.h).
//
// A row's 16*NG columns (NG = 1 for w <= 16, 2 for w <= 32) are NG LD4s of
// 16 columns each: group g gives a, b, c, d = columns 16g + 4i + 0, 1, 2, 3
// (i = 0..3). Output 8g + 2i (even) reads columns 16g + 4i - 1, 0, 1 and
// output 8g + 2i + 1 (odd) 16g + 4i + 1, 2, 3:
//   even windows ext(d', d, 3), a, b    odd windows b, c, d
// (d': the previous group's d; group 0: the taps' third vector, whose lane 3
// is zero: the left padding column). So each group has an even and an odd
// accumulator vector, and a row's store is one ST2 per group, which
// interleaves them back (as the stride-2 strips' direct windows, Strip2 in
// neon/dwconv.h). Per output row of 28 -> 14 (NG = 2): 4 LD4, 4 EXT, 36
// FMLA/FMUL, 12 output-stage instructions with the clamp, 2 ST2; 14 -> 7
// (NG = 1) half of that (the strips and Rows3x3S2: LD2s, more EXTs, and
// address arithmetic per load and store that gcc does not fold into
// post-indexed forms).
//
// Past the row's end. The loads read 16*NG - w columns past each row (the
// next row's first columns: they feed only outputs past wo) and the stores
// write 8*NG - wo outputs past each output row (into the next output row,
// which is stored after it). Neither reaches past the call's planes as long
// as the call's last plane is not run here: stride-2 entry point below
// (dwconv3x3_aarch64_1x16_s2_ld4rows) runs planes 0 .. count-2 and leaves
// the last one to the other kernels. w even: the last output wo-1 reads
// columns w-3 .. w-1, so no output that is stored reads the right padding.
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
// clamp's bounds, v6/v7 the groups' tap-column-0 even windows (then the
// output stage), accumulator rows R0 = v16-v19, R1 = v20-v23 (E0, O0, E1,
// O1), LD4 groups v24-v27 and v28-v31.
#include <cstddef>

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
#define DWS2_R1_E0 "v20"
#define DWS2_R1_O0 "v21"
#define DWS2_R1_E1 "v22"
#define DWS2_R1_O1 "v23"

// One group's windows (e0 = ext(d', d, 3), a, b, c, d) times the taps
// (t0, t1, t2) of one tap row, added to its even (E) and odd (O) vectors;
// START: the first terms of an output row (tap row 0, tap 0 a multiply).
#define DWS2_ADD(E, O, e0, a, b, c, d, t0, t1, t2) \
  DWS2_FMLA(E, e0, t0) DWS2_FMLA(E, a, t1) DWS2_FMLA(E, b, t2) DWS2_FMLA(O, b, t0) DWS2_FMLA(O, c, t1) DWS2_FMLA(O, d, t2)
#define DWS2_START(E, O, e0, a, b, c, d) \
  DWS2_FMUL(E, e0, DWS2_K0) DWS2_FMLA(E, a, DWS2_K1) DWS2_FMLA(E, b, DWS2_K2) \
  DWS2_FMUL(O, b, DWS2_K0) DWS2_FMLA(O, c, DWS2_K1) DWS2_FMLA(O, d, DWS2_K2)
#define DWS2_G0 "v6", "v24", "v25", "v26", "v27"
#define DWS2_G1 "v7", "v28", "v29", "v30", "v31"
// (Expands the window lists above into the macros' arguments.)
#define DWS2_ADD_(...) DWS2_ADD(__VA_ARGS__)
#define DWS2_START_(...) DWS2_START(__VA_ARGS__)

// ---- one group (NG = 1) ----
// Load a row (x moves to the next row), its even tap-column-0 window.
#define DWS2_LOAD_1 \
  "ld4 {v24.4s, v25.4s, v26.4s, v27.4s}, [%[x]], %[xs]\n\t" \
  "ext v6.16b, v2.16b, v27.16b, #12\n\t"
// Tap row 1 into row R; tap row 2 into R; tap row 2 into R and tap row 0 starting S.
#define DWS2_T1_1(R) DWS2_ADD_(DWS2_##R##_E0, DWS2_##R##_O0, DWS2_G0, DWS2_K3, DWS2_K4, DWS2_K5)
#define DWS2_T2_1(R) DWS2_ADD_(DWS2_##R##_E0, DWS2_##R##_O0, DWS2_G0, DWS2_K6, DWS2_K7, DWS2_K8)
#define DWS2_T2S_1(R, S) DWS2_T2_1(R) DWS2_START_(DWS2_##S##_E0, DWS2_##S##_O0, DWS2_G0)
#define DWS2_ZERO_1(R) "movi " DWS2_##R##_E0 ".4s, #0\n\t" "movi " DWS2_##R##_O0 ".4s, #0\n\t"
// The output stage of (E, O) into v6, v7.
#define DWS2_OUT(ACT, E, O) "fadd v6.4s, " E ".4s, v3.4s\n\t" "fadd v7.4s, " O ".4s, v3.4s\n\t" ACT("v6") ACT("v7")
#define DWS2_STORE_1(ACT, R) DWS2_OUT(ACT, DWS2_##R##_E0, DWS2_##R##_O0) "st2 {v6.4s, v7.4s}, [%[y]], %[ys]\n\t"

// ---- two groups (NG = 2) ----
#define DWS2_LOAD_2 \
  "ld4 {v24.4s, v25.4s, v26.4s, v27.4s}, [%[x]], #64\n\t" \
  "ld4 {v28.4s, v29.4s, v30.4s, v31.4s}, [%[x]], %[xs]\n\t" \
  "ext v6.16b, v2.16b, v27.16b, #12\n\t" \
  "ext v7.16b, v27.16b, v31.16b, #12\n\t"
#define DWS2_T1_2(R) DWS2_T1_1(R) DWS2_ADD_(DWS2_##R##_E1, DWS2_##R##_O1, DWS2_G1, DWS2_K3, DWS2_K4, DWS2_K5)
#define DWS2_T2_2(R) DWS2_T2_1(R) DWS2_ADD_(DWS2_##R##_E1, DWS2_##R##_O1, DWS2_G1, DWS2_K6, DWS2_K7, DWS2_K8)
#define DWS2_T2S_2(R, S) \
  DWS2_T2S_1(R, S) DWS2_ADD_(DWS2_##R##_E1, DWS2_##R##_O1, DWS2_G1, DWS2_K6, DWS2_K7, DWS2_K8) \
  DWS2_START_(DWS2_##S##_E1, DWS2_##S##_O1, DWS2_G1)
#define DWS2_ZERO_2(R) DWS2_ZERO_1(R) "movi " DWS2_##R##_E1 ".4s, #0\n\t" "movi " DWS2_##R##_O1 ".4s, #0\n\t"
#define DWS2_STORE_2(ACT, R) \
  DWS2_OUT(ACT, DWS2_##R##_E0, DWS2_##R##_O0) "st2 {v6.4s, v7.4s}, [%[y]], #32\n\t" \
  DWS2_OUT(ACT, DWS2_##R##_E1, DWS2_##R##_O1) "st2 {v6.4s, v7.4s}, [%[y]], %[ys]\n\t"

#define DWS2_CLAMP(v) "fmax " v ".4s, " v ".4s, v4.4s\n\t" "fmin " v ".4s, " v ".4s, v5.4s\n\t"
#define DWS2_NONE(v)

// The planes: per plane the taps (v0-v2, k moves to the next plane's) and
// the bias, output row 0's accumulators zeroed, input row 0 (tap row 1 of
// output row 0), n loop trips (input rows 4t+1 .. 4t+4: output rows 2t and
// 2t+1 completed), then the rem = (h-1) mod 4 input rows left:
//   rem 0: output row R0 is complete (h odd: no tap row 2);
//   rem 1: one row completes R0 (tap row 2);
//   rem 2: one row completes R0 and starts R1, one adds R1's tap row 1 (h odd);
//   rem 3: as rem 2, and one more completes R1.
// (Bits 1 and 0 of rem pick the tail: tbz/tbnz, no flags, no indirect branch.)
#define DWS2_PLANES(LOAD, T1, T2, T2S, ZERO, STORE, ACT)              \
  "1:\n\t"                                                              \
  "ld1 {v0.4s, v1.4s, v2.4s}, [%[k]], #48\n\t"                          \
  "dup v3.4s, v2.s[1]\n\t"                                              \
  ZERO(R0)                                                              \
  LOAD T1(R0)                                                           \
  "mov %[cnt], %[n]\n\t"                                                \
  "cbz %[cnt], 3f\n\t"                                                  \
  "2:\n\t"                                                              \
  LOAD T2S(R0, R1) STORE(ACT, R0)                                       \
  LOAD T1(R1)                                                           \
  LOAD T2S(R1, R0) STORE(ACT, R1)                                       \
  LOAD T1(R0)                                                           \
  "subs %[cnt], %[cnt], #1\n\t"                                         \
  "b.ne 2b\n\t"                                                         \
  "3:\n\t"                                                              \
  "tbz %[rem], #1, 4f\n\t"                                              \
  LOAD T2S(R0, R1) STORE(ACT, R0)                                       \
  LOAD T1(R1)                                                           \
  "tbz %[rem], #0, 5f\n\t"                                              \
  LOAD T2(R1)                                                           \
  "5:\n\t"                                                              \
  STORE(ACT, R1)                                                        \
  "b 9f\n\t"                                                            \
  "4:\n\t"                                                              \
  "tbz %[rem], #0, 6f\n\t"                                              \
  LOAD T2(R0)                                                           \
  "6:\n\t"                                                              \
  STORE(ACT, R0)                                                        \
  "9:\n\t"                                                              \
  "subs %[planes], %[planes], #1\n\t"                                   \
  "b.ne 1b\n\t"

// The asm's operands (lo, hi: the clamp's bounds, broadcast once per call).
#define DWS2_OPERANDS                                                                        \
  : [x] "+r"(x), [y] "+r"(y), [k] "+r"(k), [planes] "+r"(planes), [cnt] "=&r"(cnt)           \
  : [n] "r"(n), [rem] "r"(rem), [xs] "r"(xs), [ys] "r"(ys), [lo] "r"(&p.lo), [hi] "r"(&p.hi) \
  : "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v16", "v17", "v18", "v19", \
    "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31"
#define DWS2_BOUNDS "ld1r {v4.4s}, [%[lo]]\n\t" "ld1r {v5.4s}, [%[hi]]\n\t"

// `planes` >= 1 planes from p.x, p.y, p.k (each as p describes).
template <int NG, bool CLAMP>
void ld4rows(const DwPlane& p, size_t planes) {
  const float* x = p.x;
  float* y = p.y;
  const float* k = p.k;
  const size_t n = (p.h - 1) / 4, rem = (p.h - 1) % 4;
  // The last post-indexed load and store of a row step to the next row.
  const ptrdiff_t xs = ptrdiff_t(4 * p.w) - 64 * (NG - 1), ys = ptrdiff_t(4 * p.wo) - 32 * (NG - 1);
  size_t cnt;
  if constexpr (NG == 1 && CLAMP) {
    __asm__ volatile(DWS2_BOUNDS DWS2_PLANES(DWS2_LOAD_1, DWS2_T1_1, DWS2_T2_1, DWS2_T2S_1, DWS2_ZERO_1,
                                             DWS2_STORE_1, DWS2_CLAMP) DWS2_OPERANDS);
  } else if constexpr (NG == 1) {
    __asm__ volatile(DWS2_PLANES(DWS2_LOAD_1, DWS2_T1_1, DWS2_T2_1, DWS2_T2S_1, DWS2_ZERO_1, DWS2_STORE_1,
                                 DWS2_NONE) DWS2_OPERANDS);
  } else if constexpr (CLAMP) {
    __asm__ volatile(DWS2_BOUNDS DWS2_PLANES(DWS2_LOAD_2, DWS2_T1_2, DWS2_T2_2, DWS2_T2S_2, DWS2_ZERO_2,
                                             DWS2_STORE_2, DWS2_CLAMP) DWS2_OPERANDS);
  } else {
    __asm__ volatile(DWS2_PLANES(DWS2_LOAD_2, DWS2_T1_2, DWS2_T2_2, DWS2_T2S_2, DWS2_ZERO_2, DWS2_STORE_2,
                                 DWS2_NONE) DWS2_OPERANDS);
  }
}

}  // namespace

// Runs planes 0 .. count-2 of p if this kernel takes p's shape (pad 1 at
// the top and left, ho = ceil(h/2), w even, 8 <= w <= 32, wo = w/2);
// returns how many planes it ran (0: none, the caller runs them all). The
// last plane is the caller's: its rows may not be read or written past
// their ends (see the top).
size_t dwconv3x3_aarch64_1x16_s2_ld4rows(const DwPlane& p) {
  if (p.count < 2 || p.pad_top != 1 || p.pad_left != 1 || p.h < 1 || p.ho != (p.h + 1) / 2 || p.w % 2 != 0 ||
      p.w < 8 || p.w > 32 || p.wo != p.w / 2)
    return 0;
  const size_t planes = p.count - 1;
  if (p.w <= 16) p.clamp ? ld4rows<1, true>(p, planes) : ld4rows<1, false>(p, planes);
  else p.clamp ? ld4rows<2, true>(p, planes) : ld4rows<2, false>(p, planes);
  return planes;
}

}  // namespace detail
}  // namespace armconv

// NEON float32 -> int8 quantization (the "quantize" family; contract:
// core/quantize.h), written once for both ISAs: neon/aarch64/quantize_16.cpp,
// neon/armv7/quantize_16.cpp. Inline assembly (the register maps are at
// quantize_steps); an anonymous namespace, so each unit has its own copy.
//
// The rule rounds the exact quotient v = |x| / s half away from zero. In
// float32, per element (a = |x|, r = float32(1 / s), K = 2^23 - 1/2,
// T = 126.75; the default rounding, to nearest even: armv7's NEON always,
// aarch64's unless a caller changed FPCR, which the previous kernel's tie test
// (an exact 0 is +0) assumed as well):
//   t = min(a r, T)
//   y = t + K            (one rounding: the nearest float on y's grid)
//   H = y - K            (exact: Sterbenz, K <= y <= 2K)
//   d = a - H s          (one fused multiply-subtract; its sign bit is the test)
//   mag = (H - 1/2) + [d >= 0]
// y's grid: K is 2^23's predecessor (grid 1/2 below 2^23, 1 from 2^23 on).
// For t >= 1/4, t + K >= 2^23 - 1/4 rounds onto [2^23, 2^23 + 126] (at t =
// 1/4, a tie between K and 2^23, to 2^23: its significand is even): y =
// 2^23 + n, n = the integer nearest t - 1/2 (either one at a tie), so H = n +
// 1/2 and |t - H| <= 1/2. t is v within a relative 2^-23 (r and the product
// rounded once each; armv7's flush to zero of a product below 2^-126 errs by
// less), so |t - v| < 2^-16 for t <= T and H - 1 < v < H + 1; on that
// interval floor(v + 1/2) is H - 1/2 + [v >= H] exactly, [v >= H] = [a - H s
// >= 0]. The fused residual a - H s (H s exact inside the FMA) is rounded
// once, so its sign is the exact sign unless it underflows: with 2^-100 <= s
// <= 2^100 either a < H s / 2 (|residual| >= H s / 2 >= 2^-102) or a >=
// 2^-102, whose ulp, like half an ulp of s, is a multiple of 2^-125: a
// nonzero residual is >= 2^-125 in magnitude, a normal float32 (armv7's flush
// to zero and aarch64's gradual underflow alike leave it alone); an exact 0
// (a tie, v = H) is +0 (x - x is +0 when rounding to nearest): sign bit clear,
// rounded up, away from zero. For t < 1/4, y = K, H = 0 (v < 1/4 + 2^-16: the
// rule gives 0), d = a - 0 s = a >= +0 (+0 for a flushed subnormal on
// armv7): mag = -1/2 + 1 -> 0, below. The clamp: a r >= T (v >= T (1 -
// 2^-22) > 126.5: the rule gives 127, also for infinities) makes y = 2^23 +
// 126, H = 126.5 and d > 0: mag 127; below T, n <= 126: mag <= 127 always, so
// no saturation is needed anywhere. (Any T in [126.5, 127) would do: at T =
// 126.5, H = 126.5 too and d decides; 126.75 keeps y's rounding off ties.)
//
// Integers from the bits: y's bit pattern is 0x4b000000 + n (0x4affffff for
// y = K), so its low byte is n (mod 256, -1 for y = K), and p = bits(y) +
// (bits(d) >> 31) (SSRA: the arithmetic shift is -1 where d < 0) has the low
// byte p8 = n - [d < 0] = mag - 1 in [-1, 126]. UZP1 keeps the low halves of
// four such vectors, then their low bytes: 16 lanes of p8 (no saturating
// narrow: every lane is in range). The sign of x, read from x's top byte
// (the fourth of LD4's de-interleaved bytes: the same 64 bytes loaded a
// second time), g = (top >> 7) | 1 = -1 or +1, finishes 16 lanes at once:
// q = g + p8 g = g (p8 + 1) = +-mag (-0 gives 0; mag <= 127: never -128).
//
// NaN: a NaN x makes t NaN (FMIN propagates it; every other t is in [0, T]);
// acc += t0 t1 + t2 t3 (two FMLAs per 16 elements) stays finite (< 32132 per
// step per lane, never negative: float32 would need 10^34 steps to overflow)
// unless some t was NaN, and is checked once at the end.
//
// Per 16 elements: LD1 of 4 registers and LD4 of the same 64 bytes (armv7: 2
// VLD1 of 4 D registers, 2 VLD4); per 4: FABS, FMUL, FMIN, FADD, FSUB, FMLS,
// SSRA = 7; then 2 FMLA, 3 UZP1 (armv7 VUZP), CMLT, ORR, MLA, ST1, and half of
// the loop's SUBS + B.NE (two steps per iteration): 40 (armv7 42), 2.50 (2.63)
// instructions per element, 0.400 (0.381) elements per instruction under
// cortex-a72 and a76 (cortex-a15) (bench/insncount.py 'quantize_*': 0.3998
// (0.3806) at 64x56x56). The previous kernel (FCVTZS, SCVTF, +1/2 and the sign
// per 4-lane vector, saturating narrows, FMAX per vector for NaN): 4.31 (4.88)
// instructions per element, 0.232 (0.205) elements per instruction;
// armconv.quantize's former loop, a float64 division and round per element:
// 42 under cortex-a72.
// Tails of 1..15 elements go through a staged 16-element copy run by the
// same vector code.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/quantize.h"

namespace armconv {
namespace detail {
namespace {

// The call's constants and the NaN accumulator, read by the assembly below
// (offsets fixed: r 0, s 16, cap 32, k 48, acc 64, one 80).
struct alignas(16) QuantParams {
  float r[4], s[4], cap[4], k[4];  // 1/s, s, T, K in every lane
  float acc[4];                    // sum of t0 t1 + t2 t3 (NaN sticks)
  int8_t one[16];                  // 1 in every byte lane
};
static_assert(offsetof(QuantParams, k) == 48 && offsetof(QuantParams, acc) == 64 &&
                  offsetof(QuantParams, one) == 80,
              "quantize_steps reads these offsets");

#if defined(__aarch64__)
// One step: 16 elements from [x] (x advanced by 64) to [q] (q by 16).
// Register map: v0-v3 x (then H), v4-v7 LD4's bytes (v7: the top bytes,
// then g, then q; v4-v6 then t0-t2), v20 t3, v16-v19 a (then d), v24-v27 y
// (then p; v24 p8), v28 1/s, v29 s, v30 T, v31 K, v21 one, v22 acc.
#define QUANT_STEP                              \
  "ld1 {v0.4s-v3.4s}, [%[x]]\n\t"               \
  "ld4 {v4.16b-v7.16b}, [%[x]], #64\n\t"        \
  "fabs v16.4s, v0.4s\n\t"                      \
  "fabs v17.4s, v1.4s\n\t"                      \
  "fabs v18.4s, v2.4s\n\t"                      \
  "fabs v19.4s, v3.4s\n\t"                      \
  /* t = min(a / s, T) */                       \
  "fmul v4.4s, v16.4s, v28.4s\n\t"              \
  "fmul v5.4s, v17.4s, v28.4s\n\t"              \
  "fmul v6.4s, v18.4s, v28.4s\n\t"              \
  "fmul v20.4s, v19.4s, v28.4s\n\t"             \
  "fmin v4.4s, v4.4s, v30.4s\n\t"               \
  "fmin v5.4s, v5.4s, v30.4s\n\t"               \
  "fmin v6.4s, v6.4s, v30.4s\n\t"               \
  "fmin v20.4s, v20.4s, v30.4s\n\t"             \
  /* y = t + K, H = y - K */                    \
  "fadd v24.4s, v4.4s, v31.4s\n\t"              \
  "fadd v25.4s, v5.4s, v31.4s\n\t"              \
  "fadd v26.4s, v6.4s, v31.4s\n\t"              \
  "fadd v27.4s, v20.4s, v31.4s\n\t"             \
  "fsub v0.4s, v24.4s, v31.4s\n\t"              \
  "fsub v1.4s, v25.4s, v31.4s\n\t"              \
  "fsub v2.4s, v26.4s, v31.4s\n\t"              \
  "fsub v3.4s, v27.4s, v31.4s\n\t"              \
  /* d = a - H s; p = bits(y) + (bits(d) >> 31) */ \
  "fmls v16.4s, v0.4s, v29.4s\n\t"              \
  "fmls v17.4s, v1.4s, v29.4s\n\t"              \
  "fmls v18.4s, v2.4s, v29.4s\n\t"              \
  "fmls v19.4s, v3.4s, v29.4s\n\t"              \
  "ssra v24.4s, v16.4s, #31\n\t"                \
  "ssra v25.4s, v17.4s, #31\n\t"                \
  "ssra v26.4s, v18.4s, #31\n\t"                \
  "ssra v27.4s, v19.4s, #31\n\t"                \
  /* acc += t0 t1 + t2 t3 */                    \
  "fmla v22.4s, v4.4s, v5.4s\n\t"               \
  "fmla v22.4s, v6.4s, v20.4s\n\t"              \
  /* p8: the low bytes of p, in order */        \
  "uzp1 v24.8h, v24.8h, v25.8h\n\t"             \
  "uzp1 v26.8h, v26.8h, v27.8h\n\t"             \
  "uzp1 v24.16b, v24.16b, v26.16b\n\t"          \
  /* g = (top >> 7) | 1; q = g + p8 g */        \
  "cmlt v7.16b, v7.16b, #0\n\t"                 \
  "orr v7.16b, v7.16b, v21.16b\n\t"             \
  "mla v7.16b, v24.16b, v7.16b\n\t"             \
  "st1 {v7.16b}, [%[q]], #16\n\t"
#else
// One step: 16 elements from [x] (x and xb advanced by 64) to [q] (q by 16).
// Register map: q0-q3 x (then a, then d), d16-d23 VLD4's bytes (q11: the
// top bytes, then g, then q; q8-q10 then t, y, H, p: below), q12 1/s, q13
// s, q14 T, q15 K, q4 acc, q5 one; xb the second pointer into x (VLD4).
// Per pair of vectors j, j + 1 (q0, q1; then q2, q3): t in q8, q9, acc
// updated, y in q10, q9 (pair 2: q0, q9), H in q8, p in place of y; VUZP.16
// leaves the first pair's low halves in q10, the second's in q0.
#define QUANT_STEP                              \
  "vld1.32 {d0-d3}, [%[x]]!\n\t"                \
  "vld1.32 {d4-d7}, [%[x]]!\n\t"                \
  "vld4.8 {d16, d18, d20, d22}, [%[xb]]!\n\t"   \
  "vld4.8 {d17, d19, d21, d23}, [%[xb]]!\n\t"   \
  "vabs.f32 q0, q0\n\t"                         \
  "vabs.f32 q1, q1\n\t"                         \
  "vabs.f32 q2, q2\n\t"                         \
  "vabs.f32 q3, q3\n\t"                         \
  /* vectors 0, 1 */                            \
  "vmul.f32 q8, q0, q12\n\t"                    \
  "vmul.f32 q9, q1, q12\n\t"                    \
  "vmin.f32 q8, q8, q14\n\t"                    \
  "vmin.f32 q9, q9, q14\n\t"                    \
  "vfma.f32 q4, q8, q9\n\t"                     \
  "vadd.f32 q10, q8, q15\n\t"                   \
  "vadd.f32 q9, q9, q15\n\t"                    \
  "vsub.f32 q8, q10, q15\n\t"                   \
  "vfms.f32 q0, q8, q13\n\t"                    \
  "vsub.f32 q8, q9, q15\n\t"                    \
  "vfms.f32 q1, q8, q13\n\t"                    \
  "vsra.s32 q10, q0, #31\n\t"                   \
  "vsra.s32 q9, q1, #31\n\t"                    \
  "vuzp.16 q10, q9\n\t"                         \
  /* vectors 2, 3 */                            \
  "vmul.f32 q8, q2, q12\n\t"                    \
  "vmul.f32 q9, q3, q12\n\t"                    \
  "vmin.f32 q8, q8, q14\n\t"                    \
  "vmin.f32 q9, q9, q14\n\t"                    \
  "vfma.f32 q4, q8, q9\n\t"                     \
  "vadd.f32 q0, q8, q15\n\t"                    \
  "vadd.f32 q9, q9, q15\n\t"                    \
  "vsub.f32 q8, q0, q15\n\t"                    \
  "vfms.f32 q2, q8, q13\n\t"                    \
  "vsub.f32 q8, q9, q15\n\t"                    \
  "vfms.f32 q3, q8, q13\n\t"                    \
  "vsra.s32 q0, q2, #31\n\t"                    \
  "vsra.s32 q9, q3, #31\n\t"                    \
  "vuzp.16 q0, q9\n\t"                          \
  "vuzp.8 q10, q0\n\t"                          \
  /* g = (top >> 7) | 1; q = g + p8 g */        \
  "vshr.s8 q11, q11, #7\n\t"                    \
  "vorr q11, q11, q5\n\t"                       \
  "vmla.i8 q11, q10, q11\n\t"                   \
  "vst1.8 {d22-d23}, [%[q]]!\n\t"
#endif

// `steps` >= 1 steps of 16 elements: x[0, 16 steps) -> q[0, 16 steps); acc
// updated. An odd step first, then two per loop iteration (the loop's
// counter and branch once per 32 elements).
inline void quantize_steps(const float* x, int8_t* q, size_t steps, QuantParams* prm) {
#if defined(__aarch64__)
  __asm__ volatile(
      "ld1 {v28.4s-v31.4s}, [%[prm]]\n\t"
      "ldp q22, q21, [%[prm], #64]\n\t"
      "tbz %[n], #0, 2f\n\t"
      QUANT_STEP
      "2:\n\t"
      "lsr %[n], %[n], #1\n\t"
      "cbz %[n], 3f\n\t"
      "1:\n\t"
      QUANT_STEP
      QUANT_STEP
      "subs %[n], %[n], #1\n\t"
      "b.ne 1b\n\t"
      "3:\n\t"
      "str q22, [%[prm], #64]\n\t"
      : [x] "+r"(x), [q] "+r"(q), [n] "+r"(steps)
      : [prm] "r"(prm)
      : "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v16", "v17", "v18", "v19", "v20",
        "v21", "v22", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31");
#else
  const float* xb = x;
  float* pp = prm->r;
  __asm__ volatile(
      "vld1.32 {d24-d27}, [%[pp]]!\n\t"
      "vld1.32 {d28-d31}, [%[pp]]!\n\t"
      "vld1.32 {d8-d11}, [%[pp]]\n\t"
      "tst %[n], #1\n\t"
      "beq 2f\n\t"
      QUANT_STEP
      "2:\n\t"
      "lsrs %[n], %[n], #1\n\t"
      "beq 3f\n\t"
      "1:\n\t"
      QUANT_STEP
      QUANT_STEP
      "subs %[n], %[n], #1\n\t"
      "bne 1b\n\t"
      "3:\n\t"
      "vst1.32 {d8-d9}, [%[pp]]\n\t"
      : [x] "+r"(x), [xb] "+r"(xb), [q] "+r"(q), [n] "+r"(steps), [pp] "+r"(pp)
      :
      : "cc", "memory", "q0", "q1", "q2", "q3", "q4", "q5", "q8", "q9", "q10", "q11", "q12", "q13", "q14",
        "q15");
#endif
}
#undef QUANT_STEP

bool quantize_neon(const float* x, int8_t* q, size_t n, float scale) {
  QuantParams prm;
  for (int j = 0; j < 4; j++) {
    prm.r[j] = 1.0f / scale;
    prm.s[j] = scale;
    prm.cap[j] = 126.75f;
    prm.k[j] = 0x1p23f - 0.5f;
    prm.acc[j] = 0.0f;
  }
  std::memset(prm.one, 1, sizeof(prm.one));
  const size_t steps = n / 16;
  if (steps) quantize_steps(x, q, steps, &prm);
  if (const size_t i = 16 * steps; i < n) {
    float in[16] = {};
    int8_t out[16];
    std::memcpy(in, x + i, (n - i) * sizeof(float));
    quantize_steps(in, out, 1, &prm);
    std::memcpy(q + i, out, n - i);
  }
  return !(std::isnan(prm.acc[0]) || std::isnan(prm.acc[1]) || std::isnan(prm.acc[2]) || std::isnan(prm.acc[3]));
}

}  // namespace
}  // namespace detail
}  // namespace armconv

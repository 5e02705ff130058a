// NEON int8 Add (the "add_s8" family; contract: core/add_s8.h), written once
// for both ISAs: neon/aarch64/add_s8_16.cpp, neon/armv7/add_s8_16.cpp.
// Intrinsics; an anonymous namespace, so each unit has its own copy.
//
// A step is 16 elements of each operand, in 32-bit lanes (4 vectors):
//   widen   a, b to int16 (SXTL, SXTL2; armv7 VMOVL.S8 of each half)
//   acc   = a ma + b mb: SMULL / SMULL2 by the multiplier's lane, then
//           SMLAL / SMLAL2 (armv7 VMULL.S16 / VMLAL.S16 by scalar); exact,
//           |acc| <= 2 127 32767 < 2^23
//   acc  += acc >> 31   (SSRA: -1 where acc < 0)
//   v     = SQRSHRN #shift (rounding: (acc + 2^(shift-1)) >> shift, arithmetic,
//           saturated to int16), then SQXTN to int8 (saturated)
//   y     = SMAX(v, lo)
// SQRSHRN rounds half up; the -1 on negative sums turns that into half away
// from zero: for acc < 0, floor((acc - 1 + 2^(s-1)) / 2^s) = ceil((acc -
// 2^(s-1)) / 2^s) (ceil(m / d) = floor((m + d - 1) / d) for integers), which
// is -floor((|acc| + 2^(s-1)) / 2^s), the rule's -mag; acc - 1 cannot
// overflow. The clamp to [-127, 127]: the narrows saturate to [-128, 127],
// and lo >= -127 lifts -128 (one SMAX for both the clamp and the ReLU).
// The shift is SQRSHRN's immediate: the loop is a template over it (16
// instantiations), picked once per call.
// Per 16 elements: 2 LDR q (post-indexed), 4 SXTL(2), 4 SMULL(2), 4
// SMLAL(2), 4 SSRA, 4 SQRSHRN(2), 2 SQXTN(2), SMAX, STR q = 26, and the
// loop's SUBS + B.NE once per two steps: 27, 1.69 per element
// (bench/insncount.py add_s8_24_56: 1.6915 on cortex-a72 and a76; the
// float32 Add, add_24_56: 0.5674; one step per iteration with gcc's indexed
// addressing, ADD + CMP + B.NE per step: 1.8165); armv7: VLD1 x2, VMOVL x4,
// VMULL x4, VMLAL x4, VSRA x4, VQRSHRN x4, VQMOVN x2, 3 VORR (gcc's vcombine
// of the narrowed halves), VMAX, VST1 = 29 per step, 1.8807 per element
// counted (`--arch arm --cpu cortex-a15`; float32 0.7567).
// Tails of 1..15 elements go through a staged 16-element copy run by the
// same vector code.
#pragma once

#include <arm_neon.h>

#include <cstddef>
#include <cstring>

#include "core/add_s8.h"

namespace armconv {
namespace detail {
namespace {

// 16 elements: a[0, 16), b[0, 16) -> y[0, 16). m = {ma, mb, ., .}.
template <int Shift>
__attribute__((always_inline)) inline int8x16_t add_s8_step(int8x16_t va, int8x16_t vb, int16x4_t m, int8x16_t lo) {
  const int16x8_t a0 = vmovl_s8(vget_low_s8(va)), b0 = vmovl_s8(vget_low_s8(vb));
#if defined(__aarch64__)
  const int16x8_t a1 = vmovl_high_s8(va), b1 = vmovl_high_s8(vb);
  int32x4_t p0 = vmull_lane_s16(vget_low_s16(a0), m, 0);
  int32x4_t p1 = vmull_high_lane_s16(a0, m, 0);
  int32x4_t p2 = vmull_lane_s16(vget_low_s16(a1), m, 0);
  int32x4_t p3 = vmull_high_lane_s16(a1, m, 0);
  p0 = vmlal_lane_s16(p0, vget_low_s16(b0), m, 1);
  p1 = vmlal_high_lane_s16(p1, b0, m, 1);
  p2 = vmlal_lane_s16(p2, vget_low_s16(b1), m, 1);
  p3 = vmlal_high_lane_s16(p3, b1, m, 1);
#else
  const int16x8_t a1 = vmovl_s8(vget_high_s8(va)), b1 = vmovl_s8(vget_high_s8(vb));
  int32x4_t p0 = vmull_lane_s16(vget_low_s16(a0), m, 0);
  int32x4_t p1 = vmull_lane_s16(vget_high_s16(a0), m, 0);
  int32x4_t p2 = vmull_lane_s16(vget_low_s16(a1), m, 0);
  int32x4_t p3 = vmull_lane_s16(vget_high_s16(a1), m, 0);
  p0 = vmlal_lane_s16(p0, vget_low_s16(b0), m, 1);
  p1 = vmlal_lane_s16(p1, vget_high_s16(b0), m, 1);
  p2 = vmlal_lane_s16(p2, vget_low_s16(b1), m, 1);
  p3 = vmlal_lane_s16(p3, vget_high_s16(b1), m, 1);
#endif
  p0 = vsraq_n_s32(p0, p0, 31);
  p1 = vsraq_n_s32(p1, p1, 31);
  p2 = vsraq_n_s32(p2, p2, 31);
  p3 = vsraq_n_s32(p3, p3, 31);
#if defined(__aarch64__)
  const int16x8_t h0 = vqrshrn_high_n_s32(vqrshrn_n_s32(p0, Shift), p1, Shift);
  const int16x8_t h1 = vqrshrn_high_n_s32(vqrshrn_n_s32(p2, Shift), p3, Shift);
  const int8x16_t r = vqmovn_high_s16(vqmovn_s16(h0), h1);
#else
  const int16x8_t h0 = vcombine_s16(vqrshrn_n_s32(p0, Shift), vqrshrn_n_s32(p1, Shift));
  const int16x8_t h1 = vcombine_s16(vqrshrn_n_s32(p2, Shift), vqrshrn_n_s32(p3, Shift));
  const int8x16_t r = vcombine_s8(vqmovn_s16(h0), vqmovn_s16(h1));
#endif
  return vmaxq_s8(r, lo);
}

template <int Shift>
void add_s8_loop(const int8_t* a, const int8_t* b, int8_t* y, size_t n, const AddS8Params& p) {
  const int16x4_t m = vset_lane_s16(int16_t(p.mb), vdup_n_s16(int16_t(p.ma)), 1);
  const int8x16_t lo = vdupq_n_s8(int8_t(p.lo));
  // Pointers bumped and a step count: no address arithmetic in the loop;
  // two steps per iteration (the counter and branch once per 32 elements),
  // an odd step first. The empty asms on the pointers (as in neon/eltwise.h)
  // keep the post-indexed form, [xN], #16: gcc otherwise indexes all three
  // arrays off one counter, an ADD and a CMP per iteration.
  const int8_t *pa = a, *pb = b;
  int8_t* py = y;
#define ADD_S8_STEP                                        \
  {                                                        \
    const int8x16_t va = vld1q_s8(pa);                     \
    pa += 16;                                              \
    const int8x16_t vb = vld1q_s8(pb);                     \
    pb += 16;                                              \
    vst1q_s8(py, add_s8_step<Shift>(va, vb, m, lo));       \
    py += 16;                                              \
    __asm__("" : "+r"(pa), "+r"(pb), "+r"(py));            \
  }
  if ((n / 16) % 2) ADD_S8_STEP
  for (size_t pairs = n / 32; pairs; pairs--) {
    ADD_S8_STEP
    ADD_S8_STEP
  }
#undef ADD_S8_STEP
  a += n / 16 * 16, b += n / 16 * 16, y += n / 16 * 16;
  if (const size_t left = n % 16) {  // staged: no vector passes the arrays' ends
    int8_t ta[16] = {}, tb[16] = {}, ty[16];
    std::memcpy(ta, a, left);
    std::memcpy(tb, b, left);
    vst1q_s8(ty, add_s8_step<Shift>(vld1q_s8(ta), vld1q_s8(tb), m, lo));
    std::memcpy(y, ty, left);
  }
}

void add_s8_neon(const int8_t* a, const int8_t* b, int8_t* y, size_t n, const AddS8Params& p) {
  switch (p.shift) {
#define ADD_S8_CASE(s) \
  case s: return add_s8_loop<s>(a, b, y, n, p);
    ADD_S8_CASE(1) ADD_S8_CASE(2) ADD_S8_CASE(3) ADD_S8_CASE(4)
    ADD_S8_CASE(5) ADD_S8_CASE(6) ADD_S8_CASE(7) ADD_S8_CASE(8)
    ADD_S8_CASE(9) ADD_S8_CASE(10) ADD_S8_CASE(11) ADD_S8_CASE(12)
    ADD_S8_CASE(13) ADD_S8_CASE(14) ADD_S8_CASE(15) ADD_S8_CASE(16)
#undef ADD_S8_CASE
    default: return;  // outside the contract
  }
}

}  // namespace
}  // namespace detail
}  // namespace armconv

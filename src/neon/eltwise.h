// NEON elementwise binary kernels (the "eltwise" family; contract:
// core/eltwise.h), written once for both ISAs: neon/aarch64/eltwise_16.cpp,
// neon/armv7/eltwise_16.cpp. Intrinsics; an anonymous namespace, so each unit
// has its own copy.
//
// One loop per (op, clamp sides, operand kind): the op and which clamp
// instructions run are template parameters, chosen once per call, so the
// inner step is only loads, the op, the clamp and stores. A step is 16
// elements, 4 vectors of each operand (aarch64: one LD1 of 4 registers per
// operand and one ST1 of 4; armv7: two VLD2 / VST2 each, see elt_load4):
//   Add + ReLU, same shape: aarch64 2 LD1 + 4 FADD + 4 FMAX + ST1 + SUBS +
//   B.NE = 13 instructions per 16 elements; armv7 4 VLD2 + 4 VADD + 4 VMAX +
//   2 VST2 + 2 = 16 (the model runner's numpy Add then np.maximum: about 7
//   per element under qemu, cortex-a72).
// Then single vectors, then the last 1..3 elements through a staged 4-float
// copy run by the same vector code (so an element's result never depends on
// its position: the contract's cut independence, NaN payloads included).
// max/min: FMAX/FMIN (aarch64), VMAX/VMIN (armv7) return NaN when either
// operand is NaN, as the contract requires.
#pragma once

#include <arm_neon.h>

#include <cstddef>
#include <cstring>

#include "core/eltwise.h"

namespace armconv {
namespace detail {
namespace {

template <EltOp Op>
inline float32x4_t elt_op(float32x4_t a, float32x4_t b) {
  switch (Op) {
    case EltOp::Add: return vaddq_f32(a, b);
    case EltOp::Sub: return vsubq_f32(a, b);
    case EltOp::RSub: return vsubq_f32(b, a);
    case EltOp::Mul: return vmulq_f32(a, b);
    case EltOp::Max: return vmaxq_f32(a, b);
    case EltOp::Min: return vminq_f32(a, b);
  }
  return a;
}

template <EltOp Op, bool Lo, bool Hi>
inline float32x4_t elt_one(float32x4_t a, float32x4_t b, float32x4_t lo, float32x4_t hi) {
  float32x4_t r = elt_op<Op>(a, b);
  if (Lo) r = vmaxq_f32(r, lo);
  if (Hi) r = vminq_f32(r, hi);
  return r;
}

struct Quad {
  float32x4_t v0, v1, v2, v3;
};

// Load / store 16 floats and advance the pointer. aarch64: one LD1 / ST1 of 4
// registers, post-incremented. armv7: two VLD2 / VST2 of 8 floats each, which
// de-interleave (v0 = elements 0, 2, 4, 6; v1 = 1, 3, 5, 7) and re-interleave:
// every operand goes through the same permutation and the store undoes it,
// and an elementwise op does not care which lane an element is in, so the
// result is the same as with VLD1, in half the loads (one VLD1 takes 2
// vectors only as 4 consecutive D registers, which gcc 12 has no intrinsic
// for on armv7 and clang 14 takes no tuple asm operand for). The empty asms
// on the pointers (here, and once per step in elt_loop; as in neon/dwconv.h)
// keep the post-indexed form, [rN]!: gcc otherwise rewrites the accesses as
// base + offset, an ADD (and MOVs) per access.
inline Quad elt_load4(const float*& p) {
#if defined(__aarch64__)
  const float32x4x4_t t = vld1q_f32_x4(p);
  p += 16;
  return {t.val[0], t.val[1], t.val[2], t.val[3]};
#else
  const float32x4x2_t t0 = vld2q_f32(p);
  p += 8;
  __asm__("" : "+r"(p));
  const float32x4x2_t t1 = vld2q_f32(p);
  p += 8;
  return {t0.val[0], t0.val[1], t1.val[0], t1.val[1]};
#endif
}

inline void elt_store4(float*& p, const Quad& q) {
#if defined(__aarch64__)
  float32x4x4_t t;
  t.val[0] = q.v0, t.val[1] = q.v1, t.val[2] = q.v2, t.val[3] = q.v3;
  vst1q_f32_x4(p, t);
  p += 16;
#else
  float32x4x2_t t;
  t.val[0] = q.v0, t.val[1] = q.v1;
  vst2q_f32(p, t);
  p += 8;
  __asm__("" : "+r"(p));
  t.val[0] = q.v2, t.val[1] = q.v3;
  vst2q_f32(p, t);
  p += 8;
#endif
}

// Scalar: B = false, the second operand is the vector s in every lane.
template <EltOp Op, bool Lo, bool Hi, bool B>
void elt_loop(const float* a, const float* b, float s, float* y, size_t n, float lo_s, float hi_s) {
  const float32x4_t lo = vdupq_n_f32(lo_s), hi = vdupq_n_f32(hi_s), sv = vdupq_n_f32(s);
  // Pointers bumped (not indexed), so that the loads and stores take them
  // post-incremented, and a step count: no address arithmetic in the loop.
  for (size_t steps = n / 16; steps; steps--) {
    const Quad qa = elt_load4(a);
    Quad qb;
    if (B) qb = elt_load4(b);
    else qb = {sv, sv, sv, sv};
    Quad r;
    r.v0 = elt_one<Op, Lo, Hi>(qa.v0, qb.v0, lo, hi);
    r.v1 = elt_one<Op, Lo, Hi>(qa.v1, qb.v1, lo, hi);
    r.v2 = elt_one<Op, Lo, Hi>(qa.v2, qb.v2, lo, hi);
    r.v3 = elt_one<Op, Lo, Hi>(qa.v3, qb.v3, lo, hi);
    elt_store4(y, r);
#if !defined(__aarch64__)
    __asm__("" : "+r"(a), "+r"(b), "+r"(y));
#endif
  }
  n %= 16;
  size_t i = 0;
  // (The results go through a variable: clang's armv7 vst1q_f32 is a macro,
  // which would split elt_one's template arguments.)
  for (; i + 4 <= n; i += 4) {
    const float32x4_t r = elt_one<Op, Lo, Hi>(vld1q_f32(a + i), B ? vld1q_f32(b + i) : sv, lo, hi);
    vst1q_f32(y + i, r);
  }
  if (i < n) {  // 1..3 elements: staged, so that no vector passes the arrays' ends
    float ta[4] = {0, 0, 0, 0}, tb[4] = {0, 0, 0, 0}, ty[4];
    const size_t left = n - i;
    std::memcpy(ta, a + i, left * sizeof(float));
    if (B) std::memcpy(tb, b + i, left * sizeof(float));
    const float32x4_t r = elt_one<Op, Lo, Hi>(vld1q_f32(ta), B ? vld1q_f32(tb) : sv, lo, hi);
    vst1q_f32(ty, r);
    std::memcpy(y + i, ty, left * sizeof(float));
  }
}

// The clamp sides that do something: lo = -inf and hi = +inf skip theirs.
template <EltOp Op, bool B>
void elt_clamped(const float* a, const float* b, float s, float* y, size_t n, float lo, float hi) {
  const bool has_lo = !(lo == -__builtin_inff()), has_hi = !(hi == __builtin_inff());
  if (has_lo && has_hi) elt_loop<Op, true, true, B>(a, b, s, y, n, lo, hi);
  else if (has_lo) elt_loop<Op, true, false, B>(a, b, s, y, n, lo, hi);
  else if (has_hi) elt_loop<Op, false, true, B>(a, b, s, y, n, lo, hi);
  else elt_loop<Op, false, false, B>(a, b, s, y, n, lo, hi);
}

template <bool B>
void elt_dispatch(EltOp op, const float* a, const float* b, float s, float* y, size_t n, float lo, float hi) {
  switch (op) {
    case EltOp::Add: return elt_clamped<EltOp::Add, B>(a, b, s, y, n, lo, hi);
    case EltOp::Sub: return elt_clamped<EltOp::Sub, B>(a, b, s, y, n, lo, hi);
    case EltOp::RSub: return elt_clamped<EltOp::RSub, B>(a, b, s, y, n, lo, hi);
    case EltOp::Mul: return elt_clamped<EltOp::Mul, B>(a, b, s, y, n, lo, hi);
    case EltOp::Max: return elt_clamped<EltOp::Max, B>(a, b, s, y, n, lo, hi);
    case EltOp::Min: return elt_clamped<EltOp::Min, B>(a, b, s, y, n, lo, hi);
  }
}

void eltwise_vv_neon(EltOp op, const float* a, const float* b, float* y, size_t n, float lo, float hi) {
  elt_dispatch<true>(op, a, b, 0.0f, y, n, lo, hi);
}

void eltwise_vs_neon(EltOp op, const float* a, float s, float* y, size_t n, float lo, float hi) {
  elt_dispatch<false>(op, a, nullptr, s, y, n, lo, hi);
}

}  // namespace
}  // namespace detail
}  // namespace armconv

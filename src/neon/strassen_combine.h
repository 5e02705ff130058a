// The Strassen combine micro-kernel (core/strassen.h) with NEON intrinsics,
// instantiated by neon/aarch64/strassen_combine_4.cpp and
// neon/armv7/strassen_combine_4.cpp (an anonymous namespace: each unit has
// its own copy).
//
// One step = 4 columns of one row: 7 loads (P1..P7), 8 adds/subtracts in
// the contract's order (C11 = ((P1 + P4) - P5) + P7, C12 = P3 + P5, C21 =
// P2 + P4, C22 = ((P1 - P2) + P3) + P6), the clamp (FMAX with lo unless lo
// = -inf, FMIN with hi unless hi = +inf: 0..8 more), 4 stores; registers:
// 7 product vectors, 4 results, lo, hi (13 of armv7's 16 q registers). A
// tail of n_left % 4 columns runs the same vector code (the scratch tile
// is readable to round_up(n_left, 4)) and stores its valid lanes through a
// pair and lane stores. The 4 outputs per column need 1.75 loads + 2 adds + 1 store
// each, about 5.5 instructions per 4 outputs without clamp.
#pragma once

#include <arm_neon.h>

#include <cstddef>

#include "core/strassen.h"
#include "core/strassen_pack.h"

namespace armconv {
namespace detail {
namespace {

struct StrassenQuad {
  float32x4_t c11, c12, c21, c22;
};

template <bool Lo, bool Hi>
inline StrassenQuad strassen_step(const float* p1, size_t ps, float32x4_t lo, float32x4_t hi) {
  const float32x4_t a1 = vld1q_f32(p1), a2 = vld1q_f32(p1 + ps), a3 = vld1q_f32(p1 + 2 * ps),
                    a4 = vld1q_f32(p1 + 3 * ps), a5 = vld1q_f32(p1 + 4 * ps), a6 = vld1q_f32(p1 + 5 * ps),
                    a7 = vld1q_f32(p1 + 6 * ps);
  StrassenQuad q;
  q.c11 = vaddq_f32(vsubq_f32(vaddq_f32(a1, a4), a5), a7);
  q.c12 = vaddq_f32(a3, a5);
  q.c21 = vaddq_f32(a2, a4);
  q.c22 = vaddq_f32(vaddq_f32(vsubq_f32(a1, a2), a3), a6);
  if (Lo) {
    q.c11 = vmaxq_f32(q.c11, lo);
    q.c12 = vmaxq_f32(q.c12, lo);
    q.c21 = vmaxq_f32(q.c21, lo);
    q.c22 = vmaxq_f32(q.c22, lo);
  }
  if (Hi) {
    q.c11 = vminq_f32(q.c11, hi);
    q.c12 = vminq_f32(q.c12, hi);
    q.c21 = vminq_f32(q.c21, hi);
    q.c22 = vminq_f32(q.c22, hi);
  }
  return q;
}

// The first n (1..3) lanes of v to y (lane and pair stores: no staging).
inline void strassen_store_part(float* y, float32x4_t v, size_t n) {
  if (n == 1) {
    vst1q_lane_f32(y, v, 0);
  } else {
    vst1_f32(y, vget_low_f32(v));
    if (n == 3) vst1q_lane_f32(y + 2, v, 2);
  }
}

template <bool Lo, bool Hi>
void strassen_combine_rows(size_t m_top, size_t m_bot, size_t n_left, size_t n_right, const float* p,
                           size_t ldp, size_t ps, float* c11, float* c21, size_t ldc, size_t n2, float lo_s,
                           float hi_s) {
  const float32x4_t lo = vdupq_n_f32(lo_s), hi = vdupq_n_f32(hi_s);
  const size_t nr4 = n_right / 4 * 4;
  for (size_t r = 0; r < m_top; r++) {
    const float* pr = p + r * ldp;
    float* y11 = c11 + r * ldc;
    float* y12 = y11 + n2;
    float* y21 = c21 + r * ldc;
    float* y22 = y21 + n2;
    size_t j = 0;
    if (r < m_bot) {
      for (; j < nr4; j += 4) {  // all four blocks
        const StrassenQuad q = strassen_step<Lo, Hi>(pr + j, ps, lo, hi);
        vst1q_f32(y11 + j, q.c11);
        vst1q_f32(y12 + j, q.c12);
        vst1q_f32(y21 + j, q.c21);
        vst1q_f32(y22 + j, q.c22);
      }
      for (; j < n_left; j += 4) {  // the left blocks' last columns, the right ones' tail
        const StrassenQuad q = strassen_step<Lo, Hi>(pr + j, ps, lo, hi);
        const size_t nl = n_left - j < 4 ? n_left - j : 4;
        const size_t nr = n_right > j ? (n_right - j < 4 ? n_right - j : 4) : 0;
        if (nl == 4) {
          vst1q_f32(y11 + j, q.c11);
          vst1q_f32(y21 + j, q.c21);
        } else {
          strassen_store_part(y11 + j, q.c11, nl);
          strassen_store_part(y21 + j, q.c21, nl);
        }
        if (nr) {
          strassen_store_part(y12 + j, q.c12, nr);
          strassen_store_part(y22 + j, q.c22, nr);
        }
      }
    } else {  // a top row without a bottom one (M odd: the last row of C11 / C12)
      for (; j < nr4; j += 4) {
        const StrassenQuad q = strassen_step<Lo, Hi>(pr + j, ps, lo, hi);
        vst1q_f32(y11 + j, q.c11);
        vst1q_f32(y12 + j, q.c12);
      }
      for (; j < n_left; j += 4) {
        const StrassenQuad q = strassen_step<Lo, Hi>(pr + j, ps, lo, hi);
        const size_t nl = n_left - j < 4 ? n_left - j : 4;
        const size_t nr = n_right > j ? (n_right - j < 4 ? n_right - j : 4) : 0;
        if (nl == 4)
          vst1q_f32(y11 + j, q.c11);
        else
          strassen_store_part(y11 + j, q.c11, nl);
        if (nr) strassen_store_part(y12 + j, q.c12, nr);
      }
    }
  }
}

inline void strassen_combine_neon(size_t m_top, size_t m_bot, size_t n_left, size_t n_right, const float* p,
                                  size_t ldp, size_t pstride, float* c11, float* c21, size_t ldc, size_t n2,
                                  bool clamp, float lo, float hi) {
  // lo = -inf / hi = +inf: max(v, -inf) = v and min(v, +inf) = v for every v
  // (NaN included), so those instructions are left out.
  const bool use_lo = clamp && !(lo == -__builtin_huge_valf()), use_hi = clamp && !(hi == __builtin_huge_valf());
  if (use_lo && use_hi)
    strassen_combine_rows<true, true>(m_top, m_bot, n_left, n_right, p, ldp, pstride, c11, c21, ldc, n2, lo, hi);
  else if (use_lo)
    strassen_combine_rows<true, false>(m_top, m_bot, n_left, n_right, p, ldp, pstride, c11, c21, ldc, n2, lo, hi);
  else if (use_hi)
    strassen_combine_rows<false, true>(m_top, m_bot, n_left, n_right, p, ldp, pstride, c11, c21, ldc, n2, lo, hi);
  else
    strassen_combine_rows<false, false>(m_top, m_bot, n_left, n_right, p, ldp, pstride, c11, c21, ldc, n2, lo,
                                        hi);
}

// The B-combination packer's vector (core/strassen_pack.h): one q register
// of 4 columns; a sum of two blocks is 2 LD1 + FADD (FSUB) + ST1 per 4
// columns (armv7: VLD1 / VADD / VST1; the compiler's vectorizer left the
// GCC-vector-extension version scalar on armv7: NEON arithmetic is not
// IEEE there, flush-to-zero).
struct StrassenV4Neon {
  using T = float32x4_t;
  static T load(const float* p) { return vld1q_f32(p); }
  static void store(float* p, T v) { vst1q_f32(p, v); }
  static T add(T a, T b) { return vaddq_f32(a, b); }
  static T sub(T a, T b) { return vsubq_f32(a, b); }
};

inline void strassen_pack_b_combo_neon(const StrassenBlock& a, const StrassenBlock* b, bool sub, size_t k2,
                                       size_t nc, size_t col0, size_t nr, size_t edge_cols, float* dst) {
  strassen_pack_b_combo<StrassenV4Neon>(a, b, sub, k2, nc, col0, nr, edge_cols, dst);
}

}  // namespace
}  // namespace detail
}  // namespace armconv

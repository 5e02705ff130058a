// NEON fp16 depthwise 3x3, "same" planes (pad 1) of narrow maps, stride 1
// (up to 32 columns) and stride 2 (up to 32 output columns), aarch64 + FP16:
// whole rows in registers, every plane of a call in one pass down its rows,
// no staging. Part of dwconv3x3-aarch64-1x32-fp16 (its table:
// dwconv3x3_1x32_fp16.cpp), which runs every plane these leave. An
// ISA-extension unit (-march=armv8.2-a+fp16), reached only through that
// table (dispatch.cpp); everything but the entry points is in an anonymous
// namespace. Contract and order of operations: core/dwconv.h (DwPlaneH).
//
// Why: the strips stage a band of each plane into scratch (the float32
// image converted there) and cut rows into strips of 8 .. 32 columns; on a
// 7- or 14-column map the staging, its zero rows and the per-plane set-up
// cost more than the arithmetic (0.48 and 1.53 MACs per instruction, float32
// IO, on cortex-a76), and stride 2 from a narrow map (14 -> 7) went through a
// 16-column tile (0.45).
//
// Stride 1, w <= 8 NV (NV = 1..4 vectors of 8 columns): an input row is NV
// vectors loaded straight from the image (float32: LD1 of 8 NV floats and
// FCVTN/FCVTN2, the only conversion; binary16: one LD1), lanes from column w
// on cleared by one AND with a mask (they hold the next row's first
// columns). Tap column 1 reads the row itself, column 0 (x[ox - 1]) is
// EXT(previous vector or zero, vector, 7), column 2 (x[ox + 1]) EXT(vector,
// next vector or zero, 1): the left and right padding are the zero lanes.
// Each input row is loaded once and feeds three output rows: tap row 2 of
// row r - 1 (which then leaves: bias, clamp, store), tap row 1 of r, tap row
// 0 of r + 1 (an FMUL of tap 0 starts it); the top and bottom padding rows
// are a zero row through the same steps (products of zero, as the generic
// twin computes them, so the same bits, signs of zero included). The loop
// is unrolled over three rows so the accumulator rotation is a renaming.
// Per input row: NV (binary16) or 2 NV / 2 + 2 NV (float32) loads and
// conversions, 1 AND, 2 NV EXT, 9 NV FMLA/FMUL; per output row NV FADD, 2 NV
// FMAX/FMIN (clamp), one or two ST1 (float32: 2 NV FCVTL/FCVTL2).
//
// Stride 2, wo <= 8 NV: an input row is 16 NV columns loaded de-interleaved
// (LD2: binary16 one per 16 columns; float32 two LD2 of 8 and 4 FCVTN),
// even columns E (x[2i]) and odd ones O (x[2i + 1]); output ox reads x[2ox -
// 1], x[2ox], x[2ox + 1] = EXT(O of the vector before or zero, O, 7), E, O:
// one EXT per vector. The odd lanes from column w on are cleared (AND), the
// right padding when w is odd. Input row 2r + 1 finishes output row r (tap
// row 2) and starts r + 1 (tap row 0); row 2r adds tap row 1: two rows of
// accumulators, unrolled by two.
//
// Reach. Loads take 8 NV (stride 2: 16 NV) columns from each row's start,
// reaching past the row into the next (or the next plane's first row), and
// the output rows are stored whole, 8 NV columns, the lanes past the row
// landing on the next output row, stored after. So a plane may run here
// only if the call has a plane after it (whose input and output absorb the
// reach, and whose output is written later), unless nothing reaches past
// (w = 8 NV, wo = 8 NV): the entry points run planes 0 .. count - 2 (all, if
// nothing reaches) and leave the rest to the strips.
#include <arm_neon.h>

#include <cstddef>
#include <cstdint>

#include "core/dwconv.h"

namespace armconv {
namespace detail {
namespace {

#define AI inline __attribute__((always_inline))

// Taps 0..7 in lanes of kq, tap 8 in lane 0 of k8.
struct Taps {
  float16x8_t kq, k8, bias, lo, hi;
};

// FCVTN + FCVTN2 (written out: gcc 12 copies the destination around the
// intrinsic's FCVTN2).
AI float16x8_t cvt8(float32x4_t lo, float32x4_t hi) {
  float16x8_t r;
  __asm__("fcvtn %0.4h, %1.4s\n fcvtn2 %0.8h, %2.4s" : "=&w"(r) : "w"(lo), "w"(hi));
  return r;
}
// FCVTN into the low half, then FCVTN2 into the high half: apart, so that a
// load's registers die as soon as they are converted (the de-interleaving
// loads fill four at a time).
AI float16x8_t cvt_lo(float32x4_t lo) {
  float16x8_t r;
  __asm__("fcvtn %0.4h, %1.4s" : "=w"(r) : "w"(lo));
  return r;
}
AI float16x8_t cvt_hi(float16x8_t r, float32x4_t hi) {
  __asm__("fcvtn2 %0.8h, %1.4s" : "+w"(r) : "w"(hi));
  return r;
}
AI const uint16_t* hp(const Half* p) { return reinterpret_cast<const uint16_t*>(p); }
AI uint16_t* hp(Half* p) { return reinterpret_cast<uint16_t*>(p); }
AI float16x8_t f16(uint16x8_t v) { return vreinterpretq_f16_u16(v); }
AI float16x8_t mask(float16x8_t v, uint16x8_t m) {
  return vreinterpretq_f16_u16(vandq_u16(vreinterpretq_u16_f16(v), m));
}

// ---- rows in and out -------------------------------------------------------------------

// NV vectors of 8 columns from s (8 NV elements).
template <int NV>
AI void load_row(const float* s, float16x8_t* v) {
  _Pragma("GCC unroll 4") for (int j = 0; j + 2 <= NV; j += 2) {
    const float32x4x4_t q = vld1q_f32_x4(s + 8 * j);
    v[j] = cvt8(q.val[0], q.val[1]);
    v[j + 1] = cvt8(q.val[2], q.val[3]);
  }
  if constexpr (NV % 2 == 1) {
    const float32x4x2_t q = vld1q_f32_x2(s + 8 * (NV - 1));
    v[NV - 1] = cvt8(q.val[0], q.val[1]);
  }
}
template <int NV>
AI void load_row(const Half* s, float16x8_t* v) {
  if constexpr (NV == 1) {
    v[0] = f16(vld1q_u16(hp(s)));
  } else if constexpr (NV == 2) {
    const uint16x8x2_t q = vld1q_u16_x2(hp(s));
    v[0] = f16(q.val[0]), v[1] = f16(q.val[1]);
  } else if constexpr (NV == 3) {
    const uint16x8x3_t q = vld1q_u16_x3(hp(s));
    v[0] = f16(q.val[0]), v[1] = f16(q.val[1]), v[2] = f16(q.val[2]);
  } else {
    const uint16x8x4_t q = vld1q_u16_x4(hp(s));
    v[0] = f16(q.val[0]), v[1] = f16(q.val[1]), v[2] = f16(q.val[2]), v[3] = f16(q.val[3]);
  }
}

// 16 NV columns from s, de-interleaved: e[j] lane i = s[16 j + 2 i], o[j] = s[16 j + 2 i + 1].
template <int NV>
AI void load_row2(const float* s, float16x8_t* e, float16x8_t* o) {
  _Pragma("GCC unroll 4") for (int j = 0; j < NV; j++) {
    const float32x4x2_t a = vld2q_f32(s + 16 * j), b = vld2q_f32(s + 16 * j + 8);
    e[j] = cvt8(a.val[0], b.val[0]);
    o[j] = cvt8(a.val[1], b.val[1]);
  }
}
template <int NV>
AI void load_row2(const Half* s, float16x8_t* e, float16x8_t* o) {
  _Pragma("GCC unroll 4") for (int j = 0; j < NV; j++) {
    const uint16x8x2_t q = vld2q_u16(hp(s + 16 * j));
    e[j] = f16(q.val[0]);
    o[j] = f16(q.val[1]);
  }
}

// Bias, clamp, store NV vectors (8 NV elements) at y.
template <int NV, bool CLAMP>
AI void finish(float16x8_t* a, const Taps& t) {
  _Pragma("GCC unroll 4") for (int j = 0; j < NV; j++) {
    a[j] = vaddq_f16(a[j], t.bias);
    if constexpr (CLAMP) a[j] = vminq_f16(vmaxq_f16(a[j], t.lo), t.hi);
  }
}
// (Single-register stores, which gcc pairs into STP: with the x2/x4 forms
// of ST1 it copies the registers through the stack first.)
template <int NV>
AI void store_row(float* y, const float16x8_t* a) {
  _Pragma("GCC unroll 4") for (int j = 0; j < NV; j++) {
    vst1q_f32(y + 8 * j, vcvt_f32_f16(vget_low_f16(a[j])));
    vst1q_f32(y + 8 * j + 4, vcvt_high_f32_f16(a[j]));
  }
}
template <int NV>
AI void store_row(Half* y, const float16x8_t* a) {
  _Pragma("GCC unroll 4") for (int j = 0; j < NV; j++) vst1q_u16(hp(y) + 8 * j, vreinterpretq_u16_f16(a[j]));
}

// acc = x * lane L of k, acc += x * lane L of k: FMUL / FMLA by element
// (written out: gcc 12 turns vfmaq_laneq_f16 into DUP + FMLA; the element
// form takes its indexed register from v0-v15, constraint "x").
template <int L>
AI float16x8_t mul_lane(float16x8_t x, float16x8_t k) {
  float16x8_t r;
  __asm__("fmul %0.8h, %1.8h, %2.h[%3]" : "=w"(r) : "w"(x), "x"(k), "i"(L));
  return r;
}
template <int L>
AI float16x8_t fma_lane(float16x8_t acc, float16x8_t x, float16x8_t k) {
  __asm__("fmla %0.8h, %1.8h, %2.h[%3]" : "+w"(acc) : "w"(x), "x"(k), "i"(L));
  return acc;
}

// One tap row (taps T, T + 1, T + 2: windows l, c, r) into acc; FIRST: acc = l * tap T.
template <int T, bool FIRST>
AI float16x8_t tap_row(float16x8_t acc, float16x8_t l, float16x8_t c, float16x8_t r,
                       const Taps& t) {
  if constexpr (FIRST) acc = mul_lane<T>(l, t.kq);
  else acc = fma_lane<T>(acc, l, t.kq);
  acc = fma_lane<T + 1>(acc, c, t.kq);
  if constexpr (T + 2 == 8) acc = fma_lane<0>(acc, r, t.k8);
  else acc = fma_lane<T + 2>(acc, r, t.kq);
  return acc;
}

// ---- stride 1 --------------------------------------------------------------------------

// One input row v (masked) into the accumulators: tap row 2 of X (DX),
// tap row 1 of Y (DY), tap row 0 of Z (DZ, which it starts).
template <int NV, bool DX, bool DY, bool DZ>
AI void s1_row(const float16x8_t* v, float16x8_t* X, float16x8_t* Y, float16x8_t* Z,
                   const Taps& t) {
  const float16x8_t zero = vdupq_n_f16(0);
  _Pragma("GCC unroll 4") for (int j = 0; j < NV; j++) {
    const float16x8_t l = vextq_f16(j == 0 ? zero : v[j - 1], v[j], 7);
    const float16x8_t r = vextq_f16(v[j], j == NV - 1 ? zero : v[j + 1], 1);
    if constexpr (DX) X[j] = tap_row<6, false>(X[j], l, v[j], r, t);
    if constexpr (DY) Y[j] = tap_row<3, false>(Y[j], l, v[j], r, t);
    if constexpr (DZ) Z[j] = tap_row<0, true>(Z[j], l, v[j], r, t);
  }
}

// The next input row (MASK: its last vector masked) into v.
template <int NV, bool MASK, class IO>
AI void s1_load(const IO*& xr, size_t w, uint16x8_t m, float16x8_t* v) {
  load_row<NV>(xr, v);
  xr += w;
  if constexpr (MASK) v[NV - 1] = mask(v[NV - 1], m);
}

// A step: the next input row iy finishes output row iy - 1 (X, stored at
// yr), feeds iy (Y), starts iy + 1 (Z).
template <int NV, bool MASK, bool CLAMP, class IO>
AI void s1_step(const IO*& xr, IO*& yr, size_t w, uint16x8_t m, float16x8_t* X, float16x8_t* Y,
                float16x8_t* Z, const Taps& t) {
  float16x8_t v[NV];
  s1_load<NV, MASK>(xr, w, m, v);
  s1_row<NV, true, true, true>(v, X, Y, Z, t);
  finish<NV, CLAMP>(X, t);
  store_row<NV>(yr, X);
  yr += w;
}

// The bottom padding row finishes the last output row X (stored at yr).
template <int NV, bool CLAMP, class IO>
AI void s1_end(IO*& yr, size_t w, const float16x8_t* zrow, float16x8_t* X, const Taps& t) {
  s1_row<NV, true, false, false>(zrow, X, nullptr, nullptr, t);
  finish<NV, CLAMP>(X, t);
  store_row<NV>(yr, X);
  yr += w;
}

AI void load_taps(Taps& t, const Half* k) {
  t.kq = f16(vld1q_u16(hp(k)));
  t.k8 = f16(vld1q_u16(hp(k + 8)));
  t.bias = vdupq_laneq_f16(t.k8, 1);
}

// The planes are consecutive: the row pointers run on from one to the next.
template <int NV, bool MASK, bool CLAMP, class IO>
__attribute__((noinline)) void s1_planes(const DwPlaneH<IO>& p, size_t planes) {
  const size_t h = p.h, w = p.w;
  // Lanes of the last vector that hold row columns: w - 8 (NV - 1) of them.
  const uint16x8_t lane = {0, 1, 2, 3, 4, 5, 6, 7};
  const uint16x8_t m = vcltq_u16(lane, vdupq_n_u16(uint16_t(w - 8 * (NV - 1))));
  Taps t;
  t.lo = vreinterpretq_f16_u16(vdupq_n_u16(p.lo.bits));
  t.hi = vreinterpretq_f16_u16(vdupq_n_u16(p.hi.bits));
  const float16x8_t zrow[NV] = {};
  const IO* xr = p.x;
  IO* yr = p.y;
  const Half* k = p.k;
  for (size_t i = 0; i < planes; i++, k += kDw3x3PackedHalves) {
    load_taps(t, k);
    float16x8_t A[NV], B[NV], C[NV];
    // The top padding row starts output row 0 (A); input row 0 feeds it and starts 1 (B).
    s1_row<NV, false, false, true>(zrow, nullptr, nullptr, A, t);
    {
      float16x8_t v[NV];
      s1_load<NV, MASK>(xr, w, m, v);
      s1_row<NV, false, true, true>(v, nullptr, A, B, t);
    }
    // Input rows 1 .. h - 1 in threes: (A, B, C), (B, C, A), (C, A, B).
    size_t n = (h - 1) / 3;
    for (; n > 0; n--) {
      s1_step<NV, MASK, CLAMP>(xr, yr, w, m, A, B, C, t);
      s1_step<NV, MASK, CLAMP>(xr, yr, w, m, B, C, A, t);
      s1_step<NV, MASK, CLAMP>(xr, yr, w, m, C, A, B, t);
    }
    // The rest (0, 1 or 2 rows), then the bottom padding row finishes row h - 1.
    // (Each case names its arrays: a pointer choosing one would put them in memory.)
    const size_t rem = (h - 1) % 3;
    if (rem == 0) {
      s1_end<NV, CLAMP>(yr, w, zrow, A, t);
    } else if (rem == 1) {
      s1_step<NV, MASK, CLAMP>(xr, yr, w, m, A, B, C, t);
      s1_end<NV, CLAMP>(yr, w, zrow, B, t);
    } else {
      s1_step<NV, MASK, CLAMP>(xr, yr, w, m, A, B, C, t);
      s1_step<NV, MASK, CLAMP>(xr, yr, w, m, B, C, A, t);
      s1_end<NV, CLAMP>(yr, w, zrow, C, t);
    }
  }
}

// ---- stride 2 --------------------------------------------------------------------------

// One de-interleaved input row (e, o) into the accumulators: tap row R of X
// (DX), tap row 0 of Z (DZ, which it starts).
template <int NV, int R, bool DX, bool DZ>
AI void s2_row(const float16x8_t* e, const float16x8_t* o, float16x8_t* X, float16x8_t* Z,
               const Taps& t) {
  const float16x8_t zero = vdupq_n_f16(0);
  _Pragma("GCC unroll 4") for (int j = 0; j < NV; j++) {
    const float16x8_t l = vextq_f16(j == 0 ? zero : o[j - 1], o[j], 7);
    if constexpr (DX) X[j] = tap_row<3 * R, false>(X[j], l, e[j], o[j], t);
    if constexpr (DZ) Z[j] = tap_row<0, true>(Z[j], l, e[j], o[j], t);
  }
}

// The next input row, de-interleaved (MASK, w odd: the odd lanes from column w on cleared).
template <int NV, bool MASK, class IO>
AI void s2_load(const IO*& xr, size_t w, uint16x8_t m, float16x8_t* e, float16x8_t* o) {
  load_row2<NV>(xr, e, o);
  xr += w;
  if constexpr (MASK) o[NV - 1] = mask(o[NV - 1], m);
}

// Output row oy of X from the next two input rows 2 oy and 2 oy + 1 (both
// in the image), starting oy + 1 in Z; then X leaves (stored at yr).
template <int NV, bool MASK, bool CLAMP, class IO>
AI void s2_step(const IO*& xr, IO*& yr, size_t w, size_t wo, uint16x8_t m, float16x8_t* X,
                float16x8_t* Z, const Taps& t) {
  float16x8_t e[NV], o[NV];
  s2_load<NV, MASK>(xr, w, m, e, o);
  s2_row<NV, 1, true, false>(e, o, X, nullptr, t);
  s2_load<NV, MASK>(xr, w, m, e, o);
  s2_row<NV, 2, true, true>(e, o, X, Z, t);
  finish<NV, CLAMP>(X, t);
  store_row<NV>(yr, X);
  yr += wo;
}

// h odd: the last output row X from input row h - 1 and the bottom padding row.
template <int NV, bool MASK, bool CLAMP, class IO>
AI void s2_end(const IO*& xr, IO*& yr, size_t w, size_t wo, uint16x8_t m, const float16x8_t* zrow,
               float16x8_t* X, const Taps& t) {
  float16x8_t e[NV], o[NV];
  s2_load<NV, MASK>(xr, w, m, e, o);
  s2_row<NV, 1, true, false>(e, o, X, nullptr, t);
  s2_row<NV, 2, true, false>(zrow, zrow, X, nullptr, t);
  finish<NV, CLAMP>(X, t);
  store_row<NV>(yr, X);
  yr += wo;
}

template <int NV, bool MASK, bool CLAMP, class IO>
__attribute__((noinline)) void s2_planes(const DwPlaneH<IO>& p, size_t planes) {
  const size_t h = p.h, w = p.w, ho = p.ho, wo = p.wo;
  // Odd lanes i of the last vector that hold row columns: 16 (NV - 1) + 2 i + 1 < w.
  const uint16x8_t lane = {1, 3, 5, 7, 9, 11, 13, 15};
  const uint16x8_t m = vcltq_u16(lane, vdupq_n_u16(uint16_t(w - 16 * (NV - 1))));
  Taps t;
  t.lo = vreinterpretq_f16_u16(vdupq_n_u16(p.lo.bits));
  t.hi = vreinterpretq_f16_u16(vdupq_n_u16(p.hi.bits));
  const float16x8_t zrow[NV] = {};
  // Output rows whose input rows 2 oy, 2 oy + 1 are both in the image: h / 2;
  // h odd: the last output row reads input row h - 1 and the bottom padding.
  const size_t full = h / 2;
  const IO* xr = p.x;
  IO* yr = p.y;
  const Half* k = p.k;
  for (size_t i = 0; i < planes; i++, k += kDw3x3PackedHalves) {
    load_taps(t, k);
    float16x8_t A[NV], B[NV];
    s2_row<NV, 0, false, true>(zrow, zrow, nullptr, A, t);  // the top padding row starts row 0
    for (size_t n = full / 2; n > 0; n--) {
      s2_step<NV, MASK, CLAMP>(xr, yr, w, wo, m, A, B, t);
      s2_step<NV, MASK, CLAMP>(xr, yr, w, wo, m, B, A, t);
    }
    // (Each case names its arrays: a pointer choosing one would put them in memory.)
    if (full % 2) {
      s2_step<NV, MASK, CLAMP>(xr, yr, w, wo, m, A, B, t);
      if (full < ho) s2_end<NV, MASK, CLAMP>(xr, yr, w, wo, m, zrow, B, t);
    } else if (full < ho) {
      s2_end<NV, MASK, CLAMP>(xr, yr, w, wo, m, zrow, A, t);
    }
  }
}

// ---- stride 2, blocks of 16 outputs (LD4) ----------------------------------------------
//
// wo = 9 .. 32: blocks of 16 outputs, each from 32 input columns loaded
// de-interleaved by 4 (binary16 one LD4, float32 two LD4 of 16 and 8
// FCVTN/FCVTN2): a = x[32j + 4i], b = +1, c = +2, d = +3 (lane i of block
// j). Output 16j + 2i (the even ones, E) reads x[4i - 1 ..] = d shifted a lane
// (EXT with the block before's d, or zero), a, b; output 16j + 2i + 1 (O)
// reads b, c, d: three registers per tap row each, one EXT per block and row
// (against two LD2 and an EXT per 8 outputs). E and O are stored interleaved
// by ST2. w odd: the lanes of b and d from column w on are cleared (the
// right padding).

// 32 NB columns from s, de-interleaved by 4.
template <int NB>
AI void load_row4(const float* s, float16x8_t (*q)[4]) {
  _Pragma("GCC unroll 4") for (int j = 0; j < NB; j++) {
    const float32x4x4_t lo = vld4q_f32(s + 32 * j);
    _Pragma("GCC unroll 4") for (int r = 0; r < 4; r++) q[j][r] = cvt_lo(lo.val[r]);
    const float32x4x4_t hi = vld4q_f32(s + 32 * j + 16);
    _Pragma("GCC unroll 4") for (int r = 0; r < 4; r++) q[j][r] = cvt_hi(q[j][r], hi.val[r]);
  }
}
template <int NB>
AI void load_row4(const Half* s, float16x8_t (*q)[4]) {
  _Pragma("GCC unroll 4") for (int j = 0; j < NB; j++) {
    const uint16x8x4_t v = vld4q_u16(hp(s + 32 * j));
    _Pragma("GCC unroll 4") for (int r = 0; r < 4; r++) q[j][r] = f16(v.val[r]);
  }
}

template <int NB, bool MASK, class IO>
AI void eo_load(const IO*& xr, size_t w, uint16x8_t mb, uint16x8_t md, float16x8_t (*q)[4]) {
  load_row4<NB>(xr, q);
  xr += w;
  if constexpr (MASK) {
    q[NB - 1][1] = mask(q[NB - 1][1], mb);
    q[NB - 1][3] = mask(q[NB - 1][3], md);
  }
}

// One input row into the accumulators (E, O of each block): tap row R of X
// (DX), tap row 0 of Z (DZ, which it starts).
template <int NB, int R, bool DX, bool DZ>
AI void eo_row(const float16x8_t (*q)[4], float16x8_t* XE, float16x8_t* XO, float16x8_t* ZE,
               float16x8_t* ZO, const Taps& t) {
  const float16x8_t zero = vdupq_n_f16(0);
  _Pragma("GCC unroll 4") for (int j = 0; j < NB; j++) {
    const float16x8_t dl = vextq_f16(j == 0 ? zero : q[j - 1][3], q[j][3], 7);
    if constexpr (DX) {
      XE[j] = tap_row<3 * R, false>(XE[j], dl, q[j][0], q[j][1], t);
      XO[j] = tap_row<3 * R, false>(XO[j], q[j][1], q[j][2], q[j][3], t);
    }
    if constexpr (DZ) {
      ZE[j] = tap_row<0, true>(ZE[j], dl, q[j][0], q[j][1], t);
      ZO[j] = tap_row<0, true>(ZO[j], q[j][1], q[j][2], q[j][3], t);
    }
  }
}

// Bias, clamp, store E and O interleaved (16 NB outputs at y).
template <int NB, bool CLAMP>
AI void eo_out(float* y, float16x8_t* E, float16x8_t* O, const Taps& t) {
  finish<NB, CLAMP>(E, t);
  finish<NB, CLAMP>(O, t);
  _Pragma("GCC unroll 4") for (int j = 0; j < NB; j++) {
    float32x4x2_t lo, hi;
    lo.val[0] = vcvt_f32_f16(vget_low_f16(E[j]));
    lo.val[1] = vcvt_f32_f16(vget_low_f16(O[j]));
    hi.val[0] = vcvt_high_f32_f16(E[j]);
    hi.val[1] = vcvt_high_f32_f16(O[j]);
    vst2q_f32(y + 16 * j, lo);
    vst2q_f32(y + 16 * j + 8, hi);
  }
}
template <int NB, bool CLAMP>
AI void eo_out(Half* y, float16x8_t* E, float16x8_t* O, const Taps& t) {
  finish<NB, CLAMP>(E, t);
  finish<NB, CLAMP>(O, t);
  _Pragma("GCC unroll 4") for (int j = 0; j < NB; j++) {
    uint16x8x2_t v;
    v.val[0] = vreinterpretq_u16_f16(E[j]);
    v.val[1] = vreinterpretq_u16_f16(O[j]);
    vst2q_u16(hp(y + 16 * j), v);
  }
}

// Output row oy (XE, XO) from the next two input rows, starting oy + 1 (ZE, ZO).
template <int NB, bool MASK, bool CLAMP, class IO>
AI void eo_step(const IO*& xr, IO*& yr, size_t w, size_t wo, uint16x8_t mb, uint16x8_t md,
                float16x8_t* XE, float16x8_t* XO, float16x8_t* ZE, float16x8_t* ZO, const Taps& t) {
  float16x8_t q[NB][4];
  eo_load<NB, MASK>(xr, w, mb, md, q);
  eo_row<NB, 1, true, false>(q, XE, XO, nullptr, nullptr, t);
  eo_load<NB, MASK>(xr, w, mb, md, q);
  eo_row<NB, 2, true, true>(q, XE, XO, ZE, ZO, t);
  eo_out<NB, CLAMP>(yr, XE, XO, t);
  yr += wo;
}

template <int NB, bool MASK, bool CLAMP, class IO>
AI void eo_end(const IO*& xr, IO*& yr, size_t w, size_t wo, uint16x8_t mb, uint16x8_t md,
               float16x8_t* XE, float16x8_t* XO, const Taps& t) {
  float16x8_t q[NB][4];
  eo_load<NB, MASK>(xr, w, mb, md, q);
  eo_row<NB, 1, true, false>(q, XE, XO, nullptr, nullptr, t);
  const float16x8_t zq[NB][4] = {};
  eo_row<NB, 2, true, false>(zq, XE, XO, nullptr, nullptr, t);
  eo_out<NB, CLAMP>(yr, XE, XO, t);
  yr += wo;
}

template <int NB, bool MASK, bool CLAMP, class IO>
__attribute__((noinline)) void eo_planes(const DwPlaneH<IO>& p, size_t planes) {
  const size_t h = p.h, w = p.w, ho = p.ho, wo = p.wo;
  // Lanes i of the last block's b and d that hold row columns (32 (NB - 1) + 4i + 1 or + 3 < w).
  const uint16x8_t lb = {1, 5, 9, 13, 17, 21, 25, 29}, ld = {3, 7, 11, 15, 19, 23, 27, 31};
  const uint16x8_t lim = vdupq_n_u16(uint16_t(w - 32 * (NB - 1)));
  const uint16x8_t mb = vcltq_u16(lb, lim), md = vcltq_u16(ld, lim);
  Taps t;
  t.lo = vreinterpretq_f16_u16(vdupq_n_u16(p.lo.bits));
  t.hi = vreinterpretq_f16_u16(vdupq_n_u16(p.hi.bits));
  const float16x8_t zq[NB][4] = {};
  const size_t full = h / 2;
  const IO* xr = p.x;
  IO* yr = p.y;
  const Half* k = p.k;
  for (size_t i = 0; i < planes; i++, k += kDw3x3PackedHalves) {
    load_taps(t, k);
    float16x8_t AE[NB], AO[NB], BE[NB], BO[NB];
    eo_row<NB, 0, false, true>(zq, nullptr, nullptr, AE, AO, t);  // the top padding row
    for (size_t n = full / 2; n > 0; n--) {
      eo_step<NB, MASK, CLAMP>(xr, yr, w, wo, mb, md, AE, AO, BE, BO, t);
      eo_step<NB, MASK, CLAMP>(xr, yr, w, wo, mb, md, BE, BO, AE, AO, t);
    }
    if (full % 2) {
      eo_step<NB, MASK, CLAMP>(xr, yr, w, wo, mb, md, AE, AO, BE, BO, t);
      if (full < ho) eo_end<NB, MASK, CLAMP>(xr, yr, w, wo, mb, md, BE, BO, t);
    } else if (full < ho) {
      eo_end<NB, MASK, CLAMP>(xr, yr, w, wo, mb, md, AE, AO, t);
    }
  }
}

// ---- entry -------------------------------------------------------------------------------

// Planes of the call this kernel runs (from the first): see "Reach" above.
// in_reach / out_reach: elements loaded / stored past the last row.
size_t planes_taken(size_t count, size_t plane_in, size_t plane_out, size_t in_reach,
                    size_t out_reach) {
  if (in_reach == 0 && out_reach == 0) return count;
  if (in_reach > plane_in || out_reach > plane_out) return 0;  // beyond the next plane
  return count - 1;
}

template <int NV, bool CLAMP, class IO>
void s1_nv(const DwPlaneH<IO>& p, size_t n) {
  if (p.w % 8) s1_planes<NV, true, CLAMP>(p, n);
  else s1_planes<NV, false, CLAMP>(p, n);
}
template <bool CLAMP, class IO>
size_t s1_clamp(const DwPlaneH<IO>& p) {
  const size_t nv = (p.w + 7) / 8, reach = 8 * nv - p.w;
  const size_t n = planes_taken(p.count, p.h * p.w, p.h * p.w, reach, reach);
  if (n == 0) return 0;
  switch (nv) {
    case 1: s1_nv<1, CLAMP>(p, n); break;
    case 2: s1_nv<2, CLAMP>(p, n); break;
    case 3: s1_nv<3, CLAMP>(p, n); break;
    default: s1_nv<4, CLAMP>(p, n); break;
  }
  return n;
}

template <class IO>
size_t s1(const DwPlaneH<IO>& p) {
  if (p.pad_top != 1 || p.pad_left != 1 || p.h < 1 || p.w < 1 || p.w > 32 || p.ho != p.h ||
      p.wo != p.w || p.count < 1)
    return 0;
  return p.clamp ? s1_clamp<true>(p) : s1_clamp<false>(p);
}

template <bool CLAMP, class IO>
size_t s2_clamp(const DwPlaneH<IO>& p) {
  const bool odd = p.w % 2;
  if (p.wo <= 8) {  // one vector of 8 outputs from 16 columns (LD2)
    const size_t n = planes_taken(p.count, p.h * p.w, p.ho * p.wo, 16 - p.w, 8 - p.wo);
    if (n == 0) return 0;
    if (odd) s2_planes<1, true, CLAMP>(p, n);
    else s2_planes<1, false, CLAMP>(p, n);
    return n;
  }
  const size_t nb = (p.wo + 15) / 16;  // blocks of 16 outputs from 32 columns (LD4)
  // float32 IO, two blocks: the strips count fewer (56 -> 28 on cortex-a76:
  // 1.88 MACs per instruction against 1.74 here, where gcc spills).
  if (sizeof(IO) == 4 && nb > 1) return 0;
  const size_t n = planes_taken(p.count, p.h * p.w, p.ho * p.wo, 32 * nb - p.w, 16 * nb - p.wo);
  if (n == 0) return 0;
  if (nb == 1) {
    if (odd) eo_planes<1, true, CLAMP>(p, n);
    else eo_planes<1, false, CLAMP>(p, n);
  } else {
    if (odd) eo_planes<2, true, CLAMP>(p, n);
    else eo_planes<2, false, CLAMP>(p, n);
  }
  return n;
}

template <class IO>
size_t s2(const DwPlaneH<IO>& p) {
  if (p.pad_top != 1 || p.pad_left != 1 || p.h < 1 || p.w < 1 || p.wo > 32 ||
      p.ho != (p.h + 1) / 2 || p.wo != (p.w + 1) / 2 || p.count < 1)
    return 0;
  return p.clamp ? s2_clamp<true>(p) : s2_clamp<false>(p);
}

}  // namespace

size_t dw3x3_fp16_rows_s1(const DwPlaneH<float>& p) { return s1(p); }
size_t dw3x3_fp16_rows_s1(const DwPlaneH<Half>& p) { return s1(p); }
size_t dw3x3_fp16_rows_s2(const DwPlaneH<float>& p) { return s2(p); }
size_t dw3x3_fp16_rows_s2(const DwPlaneH<Half>& p) { return s2(p); }

}  // namespace detail
}  // namespace armconv

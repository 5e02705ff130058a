// NEON fp16 depthwise 3x3, "same" planes (pad 1) of narrow maps, stride 1
// (up to 32 columns) and stride 2 (up to 32 output columns, and bands of
// wider rows of w = 2 wo), aarch64 + FP16: whole rows (or
// bands) in registers, every plane of a call in one pass down its rows, no
// staging. Part of dwconv3x3-aarch64-1x32-fp16 (its table:
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
// Stride 2, wo <= 8 (one vector of outputs): an input row is 16 columns
// loaded de-interleaved (LD2: binary16 one; float32 two LD2 of 8 and 4
// FCVTN), even columns E (x[2i]) and odd ones O (x[2i + 1]); output ox reads
// x[2ox - 1], x[2ox], x[2ox + 1] = EXT(zero, O, 7), E, O: one EXT per row.
// The odd lanes from column w on are cleared (AND) when w is odd (the right
// padding). Input row 2r + 1 finishes output row r (tap row 2) and starts
// r + 1 (tap row 0); row 2r adds tap row 1: two rows of accumulators,
// unrolled by two.
// Stride 2, wo = 9 .. 32: blocks of 16 outputs from 32 columns loaded
// de-interleaved by 4 (below, "blocks of 16 outputs"; in assembly); wo = 7
// or 8 with float32 IO: two planes a vector ("two planes a vector"); wider
// rows (w = 2 wo, wo above 32 or 17 .. 24): bands ("bands").
//
// Stride 1 and the one-vector stride 2 are intrinsics (the FMLA by element
// written out, see fma_lane), every helper forced inline so that the
// accumulator arrays live in registers.
//
// Reach. Loads take 8 NV columns (stride 2: 16, or 32 per block) from each
// row's start, reaching past the row into the next (or the next plane's
// first row), and the output rows are stored whole (8 NV columns; stride
// 2: 8, or 16 per block), the lanes past the row landing on the next output
// row, stored after. So a plane may run here
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

// Taps with the call's clamp bounds (the taps themselves: load_taps, per plane).
template <class IO>
AI Taps with_bounds(const DwPlaneH<IO>& p) {
  Taps t{};
  t.lo = vreinterpretq_f16_u16(vdupq_n_u16(p.lo.bits));
  t.hi = vreinterpretq_f16_u16(vdupq_n_u16(p.hi.bits));
  return t;
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
  Taps t = with_bounds(p);
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
  Taps t = with_bounds(p);
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
// wo = 9 .. 32 (NB = 1 or 2 blocks): blocks of 16 outputs, each from 32 input columns loaded
// de-interleaved by 4 (binary16 one LD4, float32 two LD4 of 16 and 8
// FCVTN/FCVTN2): a = x[32j + 4i], b = +1, c = +2, d = +3 (lane i of block
// j). Output 16j + 2i (the even ones, E) reads x[32j + 4i - 1, + 0, + 1] =
// d shifted a lane (EXT with the block before's d, or zero), a, b; output
// 16j + 2i + 1 (O) reads b, c, d: three registers per tap row each, one EXT
// per block and row (against two LD2 and an EXT per 8 outputs). E and O
// are stored interleaved by ST2. w odd: the lanes of b and d from column w
// on are cleared (the right padding). Per block and output row, float32 IO:
// 2 x (2 LD4, 8 FCVTN/FCVTN2, 1 EXT), 18 FMLA/FMUL, 2 FADD, 4 FMAX/FMIN, 4
// FCVTL/FCVTL2, 2 ST2: 52 (binary16: 2 x (LD4, EXT), 18, 2, 4, ST2: 29).

// The set-up both assembly kernels below start with (their register maps
// share it): v0 taps 0-7, v1 tap 8 (lane 0) and the bias (lane 1), v2 the
// bias in every lane, v3/v4 the clamp bounds, v5 zero.
#define DWH_ASM_SETUP                                                                     \
  "ld1 {v0.8h, v1.8h}, [%[k]]\n"                                                          \
  "dup v2.8h, v1.h[1]\n"                                                                  \
  "ld1r {v3.8h}, [%[lo]]\n"                                                               \
  "ld1r {v4.8h}, [%[hi]]\n"                                                               \
  "movi v5.16b, #0\n"

// In assembly: written with intrinsics, gcc's allocation spilled and
// recomputed addresses (28 -> 14, float32 IO: 131 instructions per two
// output rows against 106 here). NB = 1 or 2 blocks. Registers: v0 taps
// 0-7, v1 tap 8 (lane 0) and the bias (lane 1), v2 the bias in every lane,
// v3/v4 the clamp bounds, v5 zero, v6/v7 the masks of the last block's b and
// d; block 0's a, b, c, d in v16-v19 and d shifted (its E outputs' tap
// column 0) in v20, block 1's in v8-v11 and v21; accumulators A = (E0, O0,
// E1, O1), B: one block v24, v25 / v26, v27, two blocks v24-v27 / v28-v31;
// v12-v15 the float32 loads (LD4 of 16 floats, converted by FCVTN into the
// low halves of a block's a..d, then FCVTN2 into the high ones) and stores
// (FCVTL/FCVTL2 of E and O, two ST2 of 4 + 4 per block).
// Load a block (a, b, c, d), then the row pointer steps by STEP.
#define EO_LD_F_(QA, QB, QC, QD, STEP)                                                    \
  "ld4 {v12.4s-v15.4s}, [%[x]], #64\n"                                                    \
  "fcvtn " QA ".4h, v12.4s\n fcvtn " QB ".4h, v13.4s\n"                                   \
  "fcvtn " QC ".4h, v14.4s\n fcvtn " QD ".4h, v15.4s\n"                                   \
  "ld4 {v12.4s-v15.4s}, [%[x]], " STEP "\n"                                               \
  "fcvtn2 " QA ".8h, v12.4s\n fcvtn2 " QB ".8h, v13.4s\n"                                 \
  "fcvtn2 " QC ".8h, v14.4s\n fcvtn2 " QD ".8h, v15.4s\n"
#define EO_LD_F_B0(STEP) EO_LD_F_("v16", "v17", "v18", "v19", STEP)
#define EO_LD_F_B1(STEP) EO_LD_F_("v8", "v9", "v10", "v11", STEP)
#define EO_LD_H_B0(STEP) "ld4 {v16.8h-v19.8h}, [%[x]], " STEP "\n"
#define EO_LD_H_B1(STEP) "ld4 {v8.8h-v11.8h}, [%[x]], " STEP "\n"
// w odd: the last block's b and d masked.
#define EO_MASK_(QB, QD) "and " QB ".16b, " QB ".16b, v6.16b\n and " QD ".16b, " QD ".16b, v7.16b\n"
#define EO_MASK_YES_B0 EO_MASK_("v17", "v19")
#define EO_MASK_YES_B1 EO_MASK_("v9", "v11")
#define EO_MASK_NO_B0
#define EO_MASK_NO_B1
#define EO_MASK_HALO_B0
#define EO_MASK_HALO_B1
// HALO (a band of a wider row, bands.. below): the column before the band,
// x[-1], in lane 7 of v23 (LD1R, float32: FCVTN2), its pointer stepping a row.
#define EO_PRE_YES_EO_LD_F
#define EO_PRE_YES_EO_LD_H
#define EO_PRE_NO_EO_LD_F
#define EO_PRE_NO_EO_LD_H
#define EO_PRE_HALO_EO_LD_F "ld1r {v22.4s}, [%[xh]], %[hs]\n fcvtn2 v23.8h, v22.4s\n"
#define EO_PRE_HALO_EO_LD_H "ld1r {v23.8h}, [%[xh]], %[hs]\n"
// d shifted a lane, the lane before from the block before (or zero, or the halo).
#define EO_EXT_B0_YES "ext v20.16b, v5.16b, v19.16b, #14\n"
#define EO_EXT_B0_NO EO_EXT_B0_YES
#define EO_EXT_B0_HALO "ext v20.16b, v23.16b, v19.16b, #14\n"
#define EO_EXT_B1 "ext v21.16b, v19.16b, v11.16b, #14\n"
// A row: one block (the row step after its load), or two (64, then the step).
#define EO_LOAD_1(LD, MASK)                                                               \
  EO_PRE_##MASK##_##LD LD##_B0("%[xs]") EO_MASK_##MASK##_B0 EO_EXT_B0_##MASK
#define EO_LOAD_2(LD, MASK)                                                               \
  EO_PRE_##MASK##_##LD LD##_B0("#64") EO_EXT_B0_##MASK LD##_B1("%[xs]") EO_MASK_##MASK##_B1 \
  EO_EXT_B1
// One tap row of a block (windows a, b, c, d, d shifted) into (XE, XO):
// taps (K0, L0), (K1, L1), (K2, L2), the first by INSN.
#define EO_TROW_(QA, QB, QC, QD, DL, XE, XO, INSN, K0, L0, K1, L1, K2, L2)               \
  INSN " " XE ".8h, " DL ".8h, " K0 ".h[" #L0 "]\n"                                       \
  INSN " " XO ".8h, " QB ".8h, " K0 ".h[" #L0 "]\n"                                       \
  "fmla " XE ".8h, " QA ".8h, " K1 ".h[" #L1 "]\n"                                        \
  "fmla " XO ".8h, " QC ".8h, " K1 ".h[" #L1 "]\n"                                        \
  "fmla " XE ".8h, " QB ".8h, " K2 ".h[" #L2 "]\n"                                        \
  "fmla " XO ".8h, " QD ".8h, " K2 ".h[" #L2 "]\n"
#define EO_TROW_X(...) EO_TROW_(__VA_ARGS__)
#define EO_TROW_B0(XE, XO, ...) EO_TROW_X("v16", "v17", "v18", "v19", "v20", XE, XO, __VA_ARGS__)
#define EO_TROW_B1(XE, XO, ...) EO_TROW_X("v8", "v9", "v10", "v11", "v21", XE, XO, __VA_ARGS__)
#define EO_TROW_BZ(XE, XO, ...) EO_TROW_X("v5", "v5", "v5", "v5", "v5", XE, XO, __VA_ARGS__)
#define EO_K0 "fmul", "v0", 0, "v0", 1, "v0", 2
#define EO_K1 "fmla", "v0", 3, "v0", 4, "v0", 5
#define EO_K2 "fmla", "v0", 6, "v0", 7, "v1", 0
// Accumulator groups (A, B) of one and two blocks: E0, O0, E1, O1.
#define EO_A1_E0 "v24"
#define EO_A1_O0 "v25"
#define EO_B1_E0 "v26"
#define EO_B1_O0 "v27"
#define EO_A2_E0 "v24"
#define EO_A2_O0 "v25"
#define EO_A2_E1 "v26"
#define EO_A2_O1 "v27"
#define EO_B2_E0 "v28"
#define EO_B2_O0 "v29"
#define EO_B2_E1 "v30"
#define EO_B2_O1 "v31"
// Tap row K of the loaded row (ZROW: of a padding row, zero windows) into group G.
#define EO_ROW_1(T0, T1, G, ...) T0(EO_##G##1_E0, EO_##G##1_O0, __VA_ARGS__)
#define EO_ROW_2(T0, T1, G, ...)                                                          \
  T0(EO_##G##2_E0, EO_##G##2_O0, __VA_ARGS__) T1(EO_##G##2_E1, EO_##G##2_O1, __VA_ARGS__)
#define EO_ROW(NB, G, K) EO_ROW_##NB(EO_TROW_B0, EO_TROW_B1, G, EO_##K)
#define EO_ZROW(NB, G, K) EO_ROW_##NB(EO_TROW_BZ, EO_TROW_BZ, G, EO_##K)
// Output stage of a group: bias, clamp, store (E and O interleaved by ST2).
#define EO_OP_1(OP, G) OP(EO_##G##1_E0) OP(EO_##G##1_O0)
#define EO_OP_2(OP, G) OP(EO_##G##2_E0) OP(EO_##G##2_O0) OP(EO_##G##2_E1) OP(EO_##G##2_O1)
#define EO_FADD(r) "fadd " r ".8h, " r ".8h, v2.8h\n"
#define EO_FMAX(r) "fmax " r ".8h, " r ".8h, v3.8h\n"
#define EO_FMIN(r) "fmin " r ".8h, " r ".8h, v4.8h\n"
#define EO_CLAMP_YES(NB, G) EO_OP_##NB(EO_FMAX, G) EO_OP_##NB(EO_FMIN, G)
#define EO_CLAMP_NO(NB, G)
#define EO_STH_(E, O, STEP) "st2 {" E ".8h, " O ".8h}, [%[y]], " STEP "\n"
#define EO_STF_(E, O, STEP)                                                               \
  "fcvtl v12.4s, " E ".4h\n fcvtl v13.4s, " O ".4h\n"                                     \
  "fcvtl2 v14.4s, " E ".8h\n fcvtl2 v15.4s, " O ".8h\n"                                   \
  "st2 {v12.4s, v13.4s}, [%[y]], #32\n"                                                   \
  "st2 {v14.4s, v15.4s}, [%[y]], " STEP "\n"
#define EO_ST_1(ST, G) ST(EO_##G##1_E0, EO_##G##1_O0, "%[ys]")
#define EO_ST_2(ST, G) ST(EO_##G##2_E0, EO_##G##2_O0, "#32") ST(EO_##G##2_E1, EO_##G##2_O1, "%[ys]")
#define EO_OUT(NB, G, CLAMP, ST) EO_OP_##NB(EO_FADD, G) EO_CLAMP_##CLAMP(NB, G) EO_ST_##NB(ST, G)
// Output row (X) from the next two input rows, starting the next one (Z).
#define EO_STEP(NB, X, Z, LD, MASK, CLAMP, ST)                                            \
  EO_LOAD_##NB(LD, MASK) EO_ROW(NB, X, K1) EO_LOAD_##NB(LD, MASK) EO_ROW(NB, X, K2)      \
  EO_ROW(NB, Z, K0) EO_OUT(NB, X, CLAMP, ST)
// h odd: the last output row from input row h - 1 and the bottom padding.
#define EO_END(NB, X, LD, MASK, CLAMP, ST)                                                \
  EO_LOAD_##NB(LD, MASK) EO_ROW(NB, X, K1) EO_ZROW(NB, X, K2) EO_OUT(NB, X, CLAMP, ST)
#define EO_ASM(NB, LD, MASK, CLAMP, ST)                                                   \
  __asm__ volatile(                                                                       \
      DWH_ASM_SETUP                                                                       \
      "ld1 {v6.8h, v7.8h}, [%[m]]\n"                                                      \
      EO_ZROW(NB, A, K0)                                                                  \
      "cbz %[n], 2f\n"                                                                    \
      "1:\n"                                                                              \
      EO_STEP(NB, A, B, LD, MASK, CLAMP, ST)                                              \
      EO_STEP(NB, B, A, LD, MASK, CLAMP, ST)                                              \
      "subs %[n], %[n], #1\n"                                                             \
      "b.ne 1b\n"                                                                         \
      "2:\n"                                                                              \
      "cbz %[rem], 4f\n"                                                                  \
      EO_STEP(NB, A, B, LD, MASK, CLAMP, ST)                                              \
      "cbz %[odd], 5f\n"                                                                  \
      EO_END(NB, B, LD, MASK, CLAMP, ST)                                                  \
      "b 5f\n"                                                                            \
      "4:\n"                                                                              \
      "cbz %[odd], 5f\n"                                                                  \
      EO_END(NB, A, LD, MASK, CLAMP, ST)                                                  \
      "5:\n"                                                                              \
      : [x] "+r"(x), [y] "+r"(y), [n] "+r"(n), [xh] "+r"(xh)                              \
      : [rem] "r"(rem), [odd] "r"(odd), [xs] "r"(xs), [ys] "r"(ys), [k] "r"(k),          \
        [lo] "r"(&p.lo), [hi] "r"(&p.hi), [m] "r"(masks), [hs] "r"(hs)                    \
      : "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9",       \
        "v10", "v11", "v12", "v13", "v14", "v15", "v16", "v17", "v18", "v19", "v20",      \
        "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31")

// MODE: 0 (w even, the whole row), 1 (w odd: masks), 2 (a band of output
// columns c0 .. c0 + 16 NB of a wider row, HALO: bands.. below).
template <int NB, int MODE, bool CLAMP, class IO>
__attribute__((noinline)) void eo_asm_planes(const DwPlaneH<IO>& p, size_t planes, size_t c0 = 0) {
  const size_t h = p.h, w = p.w, wo = p.wo, full = h / 2;
  // Masks of the last block's b and d (lanes i with 32 (NB - 1) + 4i + 1, + 3 < w).
  uint16_t masks[16];
  for (size_t i = 0; i < 8; i++) {
    masks[i] = 32 * (NB - 1) + 4 * i + 1 < w ? 0xffff : 0;
    masks[8 + i] = 32 * (NB - 1) + 4 * i + 3 < w ? 0xffff : 0;
  }
  const IO* x = p.x + 2 * c0;
  IO* y = p.y + c0;
  const IO* xh = x - (MODE == 2 ? 1 : 0);  // the halo column (MODE 2)
  const size_t hs = w * sizeof(IO);
  // Row steps after the post-increments of a row's other loads (64 bytes
  // each) and stores (32).
  const size_t loads = (sizeof(IO) == 4 ? 2 : 1) * NB, stores = (sizeof(IO) == 4 ? 2 : 1) * NB;
  const size_t xs = w * sizeof(IO) - 64 * (loads - 1);
  const size_t ys = wo * sizeof(IO) - 32 * (stores - 1);
  const size_t rem = full % 2, odd = h % 2;
  for (size_t i = 0; i < planes; i++) {
    const Half* k = p.k + i * kDw3x3PackedHalves;
    size_t n = full / 2;
#define EO_BY_NB(LD, MASK, CLAMP, ST)                                                     \
  if constexpr (NB == 1) EO_ASM(1, LD, MASK, CLAMP, ST);                                   \
  else EO_ASM(2, LD, MASK, CLAMP, ST);
#define EO_BY_MODE(LD, CLAMP, ST)                                                         \
  if constexpr (MODE == 0) { EO_BY_NB(LD, NO, CLAMP, ST) }                                \
  else if constexpr (MODE == 1) { EO_BY_NB(LD, YES, CLAMP, ST) }                          \
  else { EO_BY_NB(LD, HALO, CLAMP, ST) }
    if constexpr (sizeof(IO) == 4) {
      if constexpr (CLAMP) { EO_BY_MODE(EO_LD_F, YES, EO_STF_) }
      else { EO_BY_MODE(EO_LD_F, NO, EO_STF_) }
    } else {
      if constexpr (CLAMP) { EO_BY_MODE(EO_LD_H, YES, EO_STH_) }
      else { EO_BY_MODE(EO_LD_H, NO, EO_STH_) }
    }
#undef EO_BY_MODE
#undef EO_BY_NB
  }
}

// ---- stride 2, two planes a vector -------------------------------------------------------
//
// wo = 7 or 8 (13 .. 16 input columns), float32 IO: one vector of 8 outputs
// per row (above) costs two LD2 and four FCVTN per input row, 9 FMLA per
// output row, for 7 or 8 outputs (14 -> 7: 1.65 MACs per instruction, the
// fp32 kernels 2.06). Here a vector holds the rows of two planes, 4 lanes
// each, split as the blocks above (LD4 of 16 columns: a = x[4i], b = +1,
// c = +2, d = +3; E outputs 2i read d shifted, a, b; O outputs 2i + 1 read
// b, c, d): plane A in lanes 0-3 (FCVTN), plane B in lanes 4-7 (FCVTN2), so
// every conversion is whole and E and O each hold 4 outputs of both planes.
// The taps differ between the halves: each tap is a vector ([tap of A] x 4,
// [tap of B] x 4, built once per pair) and the products are FMLA by vector;
// d shifted is SHL of each 64-bit half by 16 bits (a zero enters each
// plane's lane 0). Per output row of the pair (2 x 7 outputs): 2 x (2 LD4,
// 8 FCVTN/FCVTN2, 1 SHL), 18 FMLA/FMUL, 2 FADD, 4 FMAX/FMIN, 4 FCVTL/FCVTL2,
// 2 ST2: 52 for 126 multiply-adds. Each row is stored as 8 outputs, the 8th
// landing on the next row; plane A's last row would land on plane B's first
// (stored before), so with 7 columns it is stored lane by lane.
//
// Registers: v0-v8 the tap vectors, v9 the bias (made by TBL from both
// planes' packed taps, v24-v27, with the indices of kPairIdx in v16-v23,
// v28, v29), v10/v11 the clamp bounds,
// v12/v13 the masks of b and d (w odd); a, b, c, d in v16-v19, d shifted in
// v20; accumulators (E, O) A = v21, v22, B = v23, v14; v24-v27 / v28-v31 the
// LD4 of planes A / B, then the FCVTL of a finished row.
#define PR_LOAD(MASK)                                                                     \
  "ld4 {v24.4s-v27.4s}, [%[xa]], %[xs]\n"                                                 \
  "ld4 {v28.4s-v31.4s}, [%[xb]], %[xs]\n"                                                 \
  "fcvtn v16.4h, v24.4s\n fcvtn v17.4h, v25.4s\n fcvtn v18.4h, v26.4s\n fcvtn v19.4h, v27.4s\n" \
  "fcvtn2 v16.8h, v28.4s\n fcvtn2 v17.8h, v29.4s\n fcvtn2 v18.8h, v30.4s\n fcvtn2 v19.8h, v31.4s\n" \
  PR_MASK_##MASK "shl v20.2d, v19.2d, #16\n"
#define PR_MASK_YES "and v17.16b, v17.16b, v12.16b\n and v19.16b, v19.16b, v13.16b\n"
#define PR_MASK_NO
// Tap row (taps K0, K1, K2) into (XE, XO), the first by INSN; windows
// (d shifted, a, b) and (b, c, d), or Z for a padding row (all zero).
#define PR_TROW_(XE, XO, INSN, K0, K1, K2, DL, A, B, C, D)                                \
  INSN " " XE ".8h, " DL ".8h, " K0 ".8h\n"                                               \
  INSN " " XO ".8h, " B ".8h, " K0 ".8h\n"                                                \
  "fmla " XE ".8h, " A ".8h, " K1 ".8h\n"                                                 \
  "fmla " XO ".8h, " C ".8h, " K1 ".8h\n"                                                 \
  "fmla " XE ".8h, " B ".8h, " K2 ".8h\n"                                                 \
  "fmla " XO ".8h, " D ".8h, " K2 ".8h\n"
#define PR_TROW(...) PR_TROW_(__VA_ARGS__)
#define PR_W "v20", "v16", "v17", "v18", "v19"
#define PR_Z "v16", "v16", "v16", "v16", "v16"
#define PR_K0 "fmul", "v0", "v1", "v2"
#define PR_K1 "fmla", "v3", "v4", "v5"
#define PR_K2 "fmla", "v6", "v7", "v8"
#define PR_A "v21", "v22"
#define PR_B "v23", "v14"
#define PR_ROW(G, K) PR_TROW(PR_##G, PR_##K, PR_W)
#define PR_ZROW(G, K) PR_TROW(PR_##G, PR_##K, PR_Z)
#define PR_FIN_(E, O, CLAMP)                                                              \
  "fadd " E ".8h, " E ".8h, v9.8h\n fadd " O ".8h, " O ".8h, v9.8h\n" PR_CLAMP_##CLAMP(E, O) \
  "fcvtl v24.4s, " E ".4h\n fcvtl v25.4s, " O ".4h\n"                                     \
  "fcvtl2 v26.4s, " E ".8h\n fcvtl2 v27.4s, " O ".8h\n"
#define PR_CLAMP_YES(E, O)                                                                \
  "fmax " E ".8h, " E ".8h, v10.8h\n fmax " O ".8h, " O ".8h, v10.8h\n"                   \
  "fmin " E ".8h, " E ".8h, v11.8h\n fmin " O ".8h, " O ".8h, v11.8h\n"
#define PR_CLAMP_NO(E, O)
#define PR_FIN(G, CLAMP) PR_FIN_X(PR_##G, CLAMP)
#define PR_FIN_X(...) PR_FIN_(__VA_ARGS__)
#define PR_ST                                                                             \
  "st2 {v24.4s, v25.4s}, [%[ya]], %[ys]\n"                                                \
  "st2 {v26.4s, v27.4s}, [%[yb]], %[ys]\n"
// Plane A's last row: 7 columns lane by lane (E0 O0, E1 O1, E2 O2, E3), or 8 whole.
#define PR_ST_LAST                                                                        \
  "st2 {v26.4s, v27.4s}, [%[yb]]\n"                                                       \
  "cbz %[seven], 7f\n"                                                                    \
  "st2 {v24.s, v25.s}[0], [%[ya]], #8\n"                                                  \
  "st2 {v24.s, v25.s}[1], [%[ya]], #8\n"                                                  \
  "st2 {v24.s, v25.s}[2], [%[ya]], #8\n"                                                  \
  "st1 {v24.s}[3], [%[ya]]\n"                                                             \
  "b 8f\n"                                                                                \
  "7:\n st2 {v24.4s, v25.4s}, [%[ya]]\n"                                                  \
  "8:\n"
// Output row X from the next two input rows, starting Z; the last one, or
// (h odd) the last from input row h - 1 and the bottom padding row.
#define PR_STEP(X, Z, MASK, CLAMP)                                                        \
  PR_LOAD(MASK) PR_ROW(X, K1) PR_LOAD(MASK) PR_ROW(X, K2) PR_ROW(Z, K0) PR_FIN(X, CLAMP) PR_ST
#define PR_LAST_STEP(X, MASK, CLAMP)                                                      \
  PR_LOAD(MASK) PR_ROW(X, K1) PR_LOAD(MASK) PR_ROW(X, K2) PR_FIN(X, CLAMP) PR_ST_LAST
#define PR_LAST_END(X, MASK, CLAMP)                                                       \
  PR_LOAD(MASK) PR_ROW(X, K1) "movi v16.16b, #0\n" PR_ZROW(X, K2) PR_FIN(X, CLAMP) PR_ST_LAST
#define PR_ASM(MASK, CLAMP)                                                               \
  __asm__ volatile(                                                                       \
      "ld1 {v24.8h-v27.8h}, [%[k]]\n"                                                    \
      "ld1 {v16.16b-v19.16b}, [%[idx]], #64\n"                                            \
      "ld1 {v20.16b-v23.16b}, [%[idx]], #64\n"                                            \
      "ld1 {v28.16b, v29.16b}, [%[idx]]\n"                                                \
      "tbl v0.16b, {v24.16b-v27.16b}, v16.16b\n"                                          \
      "tbl v1.16b, {v24.16b-v27.16b}, v17.16b\n"                                          \
      "tbl v2.16b, {v24.16b-v27.16b}, v18.16b\n"                                          \
      "tbl v3.16b, {v24.16b-v27.16b}, v19.16b\n"                                          \
      "tbl v4.16b, {v24.16b-v27.16b}, v20.16b\n"                                          \
      "tbl v5.16b, {v24.16b-v27.16b}, v21.16b\n"                                          \
      "tbl v6.16b, {v24.16b-v27.16b}, v22.16b\n"                                          \
      "tbl v7.16b, {v24.16b-v27.16b}, v23.16b\n"                                          \
      "tbl v8.16b, {v24.16b-v27.16b}, v28.16b\n"                                          \
      "tbl v9.16b, {v24.16b-v27.16b}, v29.16b\n"                                          \
      "ld1r {v10.8h}, [%[lo]]\n"                                                          \
      "ld1r {v11.8h}, [%[hi]]\n"                                                          \
      "ld1 {v12.8h, v13.8h}, [%[m]]\n"                                                    \
      "movi v16.16b, #0\n"                                                                \
      PR_ZROW(A, K0)                                                                      \
      "cbz %[n], 2f\n"                                                                    \
      "1:\n" PR_STEP(A, B, MASK, CLAMP) PR_STEP(B, A, MASK, CLAMP)                         \
      "subs %[n], %[n], #1\n"                                                             \
      "b.ne 1b\n"                                                                         \
      "2:\n"                                                                              \
      "cbz %[rem], 4f\n" PR_STEP(A, B, MASK, CLAMP)                                       \
      "cbz %[odd], 3f\n" PR_LAST_END(B, MASK, CLAMP) "b 9f\n"                             \
      "3:\n" PR_LAST_STEP(B, MASK, CLAMP) "b 9f\n"                                        \
      "4:\n"                                                                              \
      "cbz %[odd], 5f\n" PR_LAST_END(A, MASK, CLAMP) "b 9f\n"                             \
      "5:\n" PR_LAST_STEP(A, MASK, CLAMP)                                                 \
      "9:\n"                                                                              \
      : [xa] "+r"(xa), [xb] "+r"(xb), [ya] "+r"(ya), [yb] "+r"(yb), [n] "+r"(n), [idx] "+r"(idx) \
      : [rem] "r"(rem), [odd] "r"(odd), [seven] "r"(seven), [xs] "r"(xs), [ys] "r"(ys),  \
        [lo] "r"(&p.lo), [hi] "r"(&p.hi), [m] "r"(masks), [k] "r"(ka)                     \
      : "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9",       \
        "v10", "v11", "v12", "v13", "v14", "v16", "v17", "v18", "v19", "v20", "v21",      \
        "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31")

// TBL indices (bytes of the packed taps of planes A and B, consecutive: A's
// 16 halves at bytes 0-31, B's at 32-63) that make the tap vectors: tap t
// (t = 9: the bias) is halves t of A in lanes 0-3 and t of B in lanes 4-7.
struct PairIdx {
  uint8_t b[10][16];
  constexpr PairIdx() : b() {
    for (int t = 0; t < 10; t++)
      for (int l = 0; l < 8; l++) {
        b[t][2 * l] = uint8_t((l < 4 ? 0 : 32) + 2 * t);
        b[t][2 * l + 1] = uint8_t((l < 4 ? 0 : 32) + 2 * t + 1);
      }
  }
};
constexpr PairIdx kPairIdx;
static_assert(kDw3x3PackedHalves == 16, "kPairIdx: plane B's taps 32 bytes after A's");

// Pairs of planes (2i, 2i + 1), i < pairs; wo = 7 or 8, h >= 1.
template <bool MASK, bool CLAMP>
__attribute__((noinline)) void pair_planes(const DwPlaneH<float>& p, size_t pairs) {
  const size_t h = p.h, w = p.w, ho = p.ho, wo = p.wo, hw = h * w, howo = ho * wo;
  // Lanes of b and d (each plane's half) that hold row columns: 4i + 1, 4i + 3 < w.
  uint16_t masks[16];
  for (size_t i = 0; i < 8; i++) {
    masks[i] = 4 * (i % 4) + 1 < w ? 0xffff : 0;
    masks[8 + i] = 4 * (i % 4) + 3 < w ? 0xffff : 0;
  }
  // The output rows but the last, as steps of two input rows; then the last.
  const size_t odd = h % 2, steps = ho - 1;
  const size_t rem = steps % 2, seven = wo == 7;
  const size_t xs = w * sizeof(float), ys = wo * sizeof(float);
  for (size_t i = 0; i < pairs; i++) {
    const Half* ka = p.k + 2 * i * kDw3x3PackedHalves;  // and B's after it
    const uint8_t* idx = &kPairIdx.b[0][0];
    const float* xa = p.x + 2 * i * hw;
    const float* xb = xa + hw;
    float* ya = p.y + 2 * i * howo;
    float* yb = ya + howo;
    size_t n = steps / 2;
    if constexpr (MASK) {
      if constexpr (CLAMP) PR_ASM(YES, YES);
      else PR_ASM(YES, NO);
    } else {
      if constexpr (CLAMP) PR_ASM(NO, YES);
      else PR_ASM(NO, NO);
    }
  }
}

// ---- stride 2, bands of wider rows -----------------------------------------------------

// A band's piece of 8 outputs (bands.. below: the last 1 .. 8 of a row, 8
// ending at its end) in assembly: the intrinsics (s2_planes with a halo)
// counted 43 instructions per output row against 33 here. Registers: v0 taps 0-7, v1
// tap 8 (lane 0) and the bias (lane 1), v2 the bias in every lane, v3/v4 the
// clamp bounds, v5 zero; E, O in v20, v21 (float32: LD2 of 8 + 8 floats in
// v16-v19, FCVTN/FCVTN2), the halo in lane 7 of v23, O shifted in v22;
// accumulators A v24, B v25; v26, v27 the float32 store.
#define L2_LD_F                                                                           \
  "ld1r {v22.4s}, [%[xh]], %[hs]\n fcvtn2 v23.8h, v22.4s\n"                               \
  "ld2 {v16.4s, v17.4s}, [%[x]], #32\n"                                                   \
  "ld2 {v18.4s, v19.4s}, [%[x]], %[xs]\n"                                                 \
  "fcvtn v20.4h, v16.4s\n fcvtn2 v20.8h, v18.4s\n"                                        \
  "fcvtn v21.4h, v17.4s\n fcvtn2 v21.8h, v19.4s\n"                                        \
  "ext v22.16b, v23.16b, v21.16b, #14\n"
#define L2_LD_H                                                                           \
  "ld1r {v23.8h}, [%[xh]], %[hs]\n"                                                       \
  "ld2 {v20.8h, v21.8h}, [%[x]], %[xs]\n"                                                 \
  "ext v22.16b, v23.16b, v21.16b, #14\n"
// Tap row into X (taps (K0, L0) .. (K2, L2), the first by INSN) from windows L, C, R.
#define L2_TROW_(X, INSN, K0, L0, K1, L1, K2, L2, WL, WC, WR)                             \
  INSN " " X ".8h, " WL ".8h, " K0 ".h[" #L0 "]\n"                                        \
  "fmla " X ".8h, " WC ".8h, " K1 ".h[" #L1 "]\n"                                         \
  "fmla " X ".8h, " WR ".8h, " K2 ".h[" #L2 "]\n"
#define L2_TROW(...) L2_TROW_(__VA_ARGS__)
#define L2_W "v22", "v20", "v21"
#define L2_Z "v5", "v5", "v5"
#define L2_K0 "fmul", "v0", 0, "v0", 1, "v0", 2
#define L2_K1 "fmla", "v0", 3, "v0", 4, "v0", 5
#define L2_K2 "fmla", "v0", 6, "v0", 7, "v1", 0
#define L2_CLAMP_YES(X) "fmax " X ".8h, " X ".8h, v3.8h\n fmin " X ".8h, " X ".8h, v4.8h\n"
#define L2_CLAMP_NO(X)
#define L2_ST_F(X) "fcvtl v26.4s, " X ".4h\n fcvtl2 v27.4s, " X ".8h\n st1 {v26.4s, v27.4s}, [%[y]], %[ys]\n"
#define L2_ST_H(X) "st1 {" X ".8h}, [%[y]], %[ys]\n"
#define L2_OUT(X, CLAMP, ST) "fadd " X ".8h, " X ".8h, v2.8h\n" L2_CLAMP_##CLAMP(X) ST(X)
#define L2_STEP(X, Z, LD, CLAMP, ST)                                                      \
  LD L2_TROW(X, L2_K1, L2_W) LD L2_TROW(X, L2_K2, L2_W) L2_TROW(Z, L2_K0, L2_W)           \
  L2_OUT(X, CLAMP, ST)
#define L2_END(X, LD, CLAMP, ST)                                                          \
  LD L2_TROW(X, L2_K1, L2_W) L2_TROW(X, L2_K2, L2_Z) L2_OUT(X, CLAMP, ST)
#define L2_ASM(LD, CLAMP, ST)                                                             \
  __asm__ volatile(                                                                       \
      DWH_ASM_SETUP                                                                       \
      L2_TROW("v24", L2_K0, L2_Z)                                                         \
      "cbz %[n], 2f\n"                                                                    \
      "1:\n" L2_STEP("v24", "v25", LD, CLAMP, ST) L2_STEP("v25", "v24", LD, CLAMP, ST)     \
      "subs %[n], %[n], #1\n"                                                             \
      "b.ne 1b\n"                                                                         \
      "2:\n"                                                                              \
      "cbz %[rem], 4f\n" L2_STEP("v24", "v25", LD, CLAMP, ST)                             \
      "cbz %[odd], 5f\n" L2_END("v25", LD, CLAMP, ST) "b 5f\n"                            \
      "4:\n"                                                                              \
      "cbz %[odd], 5f\n" L2_END("v24", LD, CLAMP, ST)                                     \
      "5:\n"                                                                              \
      : [x] "+r"(x), [y] "+r"(y), [n] "+r"(n), [xh] "+r"(xh)                              \
      : [rem] "r"(rem), [odd] "r"(odd), [xs] "r"(xs), [ys] "r"(ys), [k] "r"(k),          \
        [lo] "r"(&p.lo), [hi] "r"(&p.hi), [hs] "r"(hs)                                    \
      : "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v16", "v17", "v18", "v19",   \
        "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27")

// Output columns c0 .. c0 + 7 (c0 >= 1; input columns 2 c0 - 1 .. 2 c0 + 15 in the row).
template <bool CLAMP, class IO>
__attribute__((noinline)) void l2_band_planes(const DwPlaneH<IO>& p, size_t c0) {
  const size_t h = p.h, w = p.w, wo = p.wo, full = h / 2;
  const IO* x = p.x + 2 * c0;
  const IO* xh = x - 1;
  IO* y = p.y + c0;
  const size_t hs = w * sizeof(IO), xs = w * sizeof(IO) - (sizeof(IO) == 4 ? 32 : 0);
  const size_t ys = wo * sizeof(IO);
  const size_t rem = full % 2, odd = h % 2;
  for (size_t i = 0; i < p.count; i++) {
    const Half* k = p.k + i * kDw3x3PackedHalves;
    size_t n = full / 2;
    if constexpr (sizeof(IO) == 4) {
      if constexpr (CLAMP) L2_ASM(L2_LD_F, YES, L2_ST_F);
      else L2_ASM(L2_LD_F, NO, L2_ST_F);
    } else {
      if constexpr (CLAMP) L2_ASM(L2_LD_H, YES, L2_ST_H);
      else L2_ASM(L2_LD_H, NO, L2_ST_H);
    }
  }
}

// Bands. A row of w = 2 wo columns, wo > 32 (112 -> 56) or 17 .. 24 (40 ->
// 20: 24 outputs computed against whole blocks' 32): bands of two blocks (32
// outputs) from output column 0, then one block if 16 are left, then what is
// left (1 .. 15 outputs) by a piece that ends at the row's end, overlapping
// the band before (the same outputs computed again, the same bits): one
// vector of 8 (LD2, l2_band_planes) for up to 8, else a block. Each band is
// a pass down all planes of the call. A band's tap column 0 of its first
// output reads the column before it (the halo: LD1R), the first band's the
// padding; every band reads and writes its own columns only (the last piece
// ends at the row's end), so all planes run and in any order. 56 outputs:
// 32 + 16 + 8, against 64 computed by whole blocks.
template <bool CLAMP, class IO>
void s2_bands(const DwPlaneH<IO>& p) {
  const size_t wo = p.wo;
  size_t c0 = 0;
  for (; c0 + 32 <= wo; c0 += 32) {
    if (c0 == 0) eo_asm_planes<2, 0, CLAMP>(p, p.count, 0);
    else eo_asm_planes<2, 2, CLAMP>(p, p.count, c0);
  }
  if (c0 + 16 <= wo) {
    if (c0 == 0) eo_asm_planes<1, 0, CLAMP>(p, p.count, 0);
    else eo_asm_planes<1, 2, CLAMP>(p, p.count, c0);
    c0 += 16;
  }
  const size_t left = wo - c0;  // wo >= 17: the pieces below start at column 1 or later
  if (left == 0) return;
  if (left <= 8) l2_band_planes<CLAMP>(p, wo - 8);
  else eo_asm_planes<1, 2, CLAMP>(p, p.count, wo - 16);
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
    // float32 IO, 7 or 8 columns: pairs of planes (below), the odd one out by the LD2 rows.
    const size_t pairs = sizeof(IO) == 4 && p.wo >= 7 ? n / 2 : 0;
    if constexpr (sizeof(IO) == 4) {
      if (pairs) {
        if (odd) pair_planes<true, CLAMP>(p, pairs);
        else pair_planes<false, CLAMP>(p, pairs);
      }
    }
    if (n > 2 * pairs) {
      DwPlaneH<IO> q = p;
      q.x += 2 * pairs * p.h * p.w;
      q.y += 2 * pairs * p.ho * p.wo;
      q.k += 2 * pairs * kDw3x3PackedHalves;
      if (odd) s2_planes<1, true, CLAMP>(q, n - 2 * pairs);
      else s2_planes<1, false, CLAMP>(q, n - 2 * pairs);
    }
    return n;
  }
  if (p.w == 2 * p.wo && (p.wo > 32 || (p.wo >= 17 && p.wo <= 24))) {  // bands.. above
    s2_bands<CLAMP>(p);
    return p.count;
  }
  if (p.wo > 32) return 0;
  const size_t nb = (p.wo + 15) / 16;  // blocks of 16 outputs from 32 columns (LD4)
  const size_t n = planes_taken(p.count, p.h * p.w, p.ho * p.wo, 32 * nb - p.w, 16 * nb - p.wo);
  if (n == 0) return 0;
  if (nb == 1) {
    if (odd) eo_asm_planes<1, 1, CLAMP>(p, n);
    else eo_asm_planes<1, 0, CLAMP>(p, n);
  } else {
    if (odd) eo_asm_planes<2, 1, CLAMP>(p, n);
    else eo_asm_planes<2, 0, CLAMP>(p, n);
  }
  return n;
}

template <class IO>
size_t s2(const DwPlaneH<IO>& p) {
  if (p.pad_top != 1 || p.pad_left != 1 || p.h < 1 || p.w < 1 ||
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

// NEON depthwise 3x3, stride 1, "same" padding, small maps: whole rows in
// registers (both ISAs; neon/aarch64/dwconv3x3_1x16_s1_rows.cpp and
// neon/armv7/dwconv3x3_1x8_s1_rows.cpp instantiate it). Contract:
// core/dwconv.h; the general kernels (neon/dwconv.h) run every other plane.
//
// Applies to runs of planes with pad 1 on every side (ho == h >= 2, wo == w)
// and rows of at most 4*NV columns (MobileNet's 14x14 and 7x7 maps, 384 to
// 960 channels). Such a plane is a few hundred instructions, so what a
// plane costs besides its multiply-adds decides its speed: here a plane is
// its taps (3 vector loads and a bias broadcast), one zeroed row and its rows;
// the plane loop has no strip set-up, no layout checks and no per-plane
// branching on the geometry (the row count's remainder mod 3 is fixed per call).
//
// A row of w = 4*(NV-1) + R columns (R = w mod 4; R = 0: NV whole vectors) is
// NV vectors V_0 .. V_NV-1, the last one zero past the row's end: loaded as
// NV-1 whole vectors plus one tail load (R = 2: LDR d, which zeroes the upper
// half; R = 1: LDR s; R = 3: the vector ending at the row's end shifted down
// by one lane, so nothing past the row is read). V_-1 = V_NV = 0 are the
// left and right padding. Output vector j, tap column t reads the window
//   t = 0: ext(V_j-1, V_j, 3)   t = 1: V_j   t = 2: ext(V_j, V_j+1, 1)
// (two EXTs per vector and input row). Input row i feeds output rows i+1
// (tap row 0, which starts that row with an FMUL), i (tap row 1) and i-1
// (tap row 2, which completes it: bias, clamp, store). The three rows of
// accumulators rotate; the row loop is unrolled 3 times so the rotation is a
// renaming. Row 0 has no tap-row-0 terms: it starts from zero.
//
// The terms of every output are added in the order of neon/dwconv.h's
// strips (tap rows 0, 1, 2, tap columns 0, 1, 2; the first term a multiply,
// or a fused multiply-add onto zero for row 0; the bias added last), so a
// plane gives the same bits whichever kernel runs it (a range of rows of a
// plane goes to the strips: core/dwconv.h, conv_dwconv.cpp).
//
// Stores: the tail vector's R lanes (STR d for R = 2, STR s for R = 1); for
// R = 3 the whole vector except in a plane's last row (its fourth lane lands
// on the next row's first column, stored after it).
//
// Per input row of a 14-column map (NV = 4, R = 2), aarch64: 36 FMLA/FMUL,
// 8 EXT, 2 loads (LDP + LDR d: whole vectors as pairs), 12 output-stage
// instructions with the clamp (FADD, FMAX, FMIN per vector), 3 stores,
// 2 pointer steps.
#pragma once

#include <arm_neon.h>

#include <cstddef>

#include "core/dwconv.h"
#include "neon/dwconv.h"  // fma_tap, mul_tap, window, Store, keep_in_register, ARMCONV_*

namespace armconv {
namespace detail {
namespace {

template <int NV, int R, bool CLAMP>
struct Rows3x3S1 {
  static constexpr int NK = kTapVectors<3>;
  const float* x;  // next input row
  float* y;        // next output row to store
  size_t w;
  float32x4_t k[NK];
  Store<CLAMP> store;
  float32x4_t acc[3][NV];

  // (A function: clang's vld1q_f32 is a macro, which a fold cannot expand.)
  ARMCONV_INLINE static float32x4_t load_vector(const float* p) { return vld1q_f32(p); }
  // (Member templates and folds, no lambdas: gcc 12's flatten left the
  // lambdas of this struct as calls, "SSA form does not match".)
  template <int... J>
  ARMCONV_INLINE void load_whole(const float* p, float32x4_t* v, std::integer_sequence<int, J...>) {
    ((v[J] = load_vector(p + 4 * J)), ...);
  }
  // Row i as NV vectors (zero past the row's end); x moves to the next row.
  ARMCONV_INLINE void load(float32x4_t* v) {
    const float* p = x;
    load_whole(p, v, std::make_integer_sequence<int, NV - 1>());
    const float* t = p + 4 * (NV - 1);
    if constexpr (R == 0) {
      v[NV - 1] = vld1q_f32(t);
    } else if constexpr (R == 2) {
      v[NV - 1] = vcombine_f32(vld1_f32(t), vdup_n_f32(0.0f));
    } else if constexpr (R == 1) {
      v[NV - 1] = vcombine_f32(vld1_lane_f32(t, vdup_n_f32(0.0f), 0), vdup_n_f32(0.0f));
    } else if constexpr (NV > 1) {  // R == 3: the vector ending at the row's end, down one lane
      v[NV - 1] = vextq_f32(vld1q_f32(t - 1), vdupq_n_f32(0.0f), 1);
    } else {  // R == 3, a 3-column row
      v[0] = vld1q_lane_f32(t + 2, vcombine_f32(vld1_f32(t), vdup_n_f32(0.0f)), 2);
    }
    x = p + w;
  }

  template <int A, int... J>
  ARMCONV_INLINE void store_whole(float* q, std::integer_sequence<int, J...>) {
    (store.full(q + 4 * J, acc[A][J]), ...);
  }
  // Stores accumulator row A; LAST: a plane's last row (R = 3: exact).
  template <int A, bool LAST>
  ARMCONV_INLINE void store_row() {
    float* q = y;
    store_whole<A>(q, std::make_integer_sequence<int, NV - 1>());
    float* t = q + 4 * (NV - 1);
    if constexpr (R == 0 || (R == 3 && !LAST)) store.full(t, acc[A][NV - 1]);
    else store.partial(t, acc[A][NV - 1], size_t(R));
    y = q + w;
  }

  // win * tap 0 (aarch64: as asm, like the pinned FMLAs).
  ARMCONV_INLINE float32x4_t mul_tap0(float32x4_t win) const {
#if defined(__GNUC__) && defined(__aarch64__)
    float32x4_t r;
    __asm__("fmul %0.4s, %1.4s, %2.s[0]" : "=w"(r) : "w"(win), "w"(k[0]));
    return r;
#else
    return mul_tap<0>(win, k);
#endif
  }
  // Window T of vector J into the rows it feeds: tap row 0 into row A0
  // (tap column 0 starts it), 1 into A1, 2 into A2 (-1: no such row).
  template <int A0, int A1, int A2, int J, int T>
  ARMCONV_INLINE void feed_window(float32x4_t win) {
    if constexpr (A2 >= 0) acc[A2][J] = fma_tap<6 + T, true>(acc[A2][J], win, k);
    if constexpr (A1 >= 0) acc[A1][J] = fma_tap<3 + T, true>(acc[A1][J], win, k);
    if constexpr (A0 >= 0) {
      if constexpr (T == 0) acc[A0][J] = mul_tap0(win);
      else acc[A0][J] = fma_tap<T, true>(acc[A0][J], win, k);
    }
  }
  template <int A0, int A1, int A2, int J>
  ARMCONV_INLINE void feed_vector(const float32x4_t* v) {
    const float32x4_t zero = vdupq_n_f32(0.0f);
    const float32x4_t left = J > 0 ? v[J > 0 ? J - 1 : 0] : zero;
    const float32x4_t right = J + 1 < NV ? v[J + 1 < NV ? J + 1 : J] : zero;
    feed_window<A0, A1, A2, J, 0>(window<3>(left, v[J]));
    feed_window<A0, A1, A2, J, 1>(v[J]);
    feed_window<A0, A1, A2, J, 2>(window<1>(v[J], right));
  }
  // One input row (its NV vectors v) into the accumulator rows A0, A1, A2.
  template <int A0, int A1, int A2, int... J>
  ARMCONV_INLINE void feed_vectors(const float32x4_t* v, std::integer_sequence<int, J...>) {
    (feed_vector<A0, A1, A2, J>(v), ...);
  }
  template <int A0, int A1, int A2>
  ARMCONV_INLINE void feed(const float32x4_t* v) {
    feed_vectors<A0, A1, A2>(v, std::make_integer_sequence<int, NV>());
  }

  // Input row i, 1 <= i <= h-2, with P = i mod 3: feeds output rows i+1,
  // i, i-1 (accumulators (P+1)%3, P, (P+2)%3), stores row i-1.
  template <int P>
  ARMCONV_INLINE void mid() {
    float32x4_t v[NV];
    load(v);
    feed<(P + 1) % 3, P, (P + 2) % 3>(v);
    store_row<(P + 2) % 3, false>();
  }
  // The last input row h-1 (P = (h-1) mod 3): completes rows h-2 and h-1.
  template <int P>
  ARMCONV_INLINE void last() {
    float32x4_t v[NV];
    load(v);
    feed<-1, P, (P + 2) % 3>(v);
    store_row<(P + 2) % 3, false>();
    store_row<P, true>();
  }

  // One plane of h >= 2 rows (taps at pk): the row count's remainder REM =
  // (h-2) mod 3 picks the tail; n = (h-2) / 3 unrolled loop trips.
  template <int REM>
  ARMCONV_INLINE void plane(const float* pk, size_t n) {
    load_whole(pk, k, std::make_integer_sequence<int, NK>());
    store.bias = vld1q_dup_f32(pk + 9);
    // Row 0: input row 0 starts row 1 (tap row 0) and adds tap row 1 into row 0
    // (from zero, as the strips do).
    for (int j = 0; j < NV; j++) acc[0][j] = vdupq_n_f32(0.0f);
    {
      float32x4_t v[NV];
      load(v);
      feed<1, 0, -1>(v);
    }
    for (; n; n--) {
      keep_in_register<NK>(k);
      mid<1>();
      mid<2>();
      mid<0>();
    }
    if constexpr (REM == 0) {
      last<1>();
    } else if constexpr (REM == 1) {
      mid<1>();
      last<2>();
    } else {
      mid<1>();
      mid<2>();
      last<0>();
    }
  }
};

template <int NV, int R, bool CLAMP, int REM>
ARMCONV_NOINLINE ARMCONV_FLATTEN ARMCONV_NO_PRESCHED void rows3x3_s1_run(const DwPlane& p) {
  Rows3x3S1<NV, R, CLAMP> s;
  s.x = p.x;
  s.y = p.y;
  s.w = p.w;
  s.store.lo = vdupq_n_f32(p.lo);
  s.store.hi = vdupq_n_f32(p.hi);
  const size_t n = (p.h - 2) / 3;
  const float* pk = p.k;
  // Planes are dense and consecutive: a plane's last row is followed by the
  // next plane's first, in x and in y.
  for (size_t i = 0; i < p.count; i++, pk += dw_packed_floats(9)) s.template plane<REM>(pk, n);
}

template <int NV, int R, bool CLAMP>
void rows3x3_s1(const DwPlane& p) {
  switch ((p.h - 2) % 3) {
    case 0: rows3x3_s1_run<NV, R, CLAMP, 0>(p); break;
    case 1: rows3x3_s1_run<NV, R, CLAMP, 1>(p); break;
    default: rows3x3_s1_run<NV, R, CLAMP, 2>(p); break;
  }
}

// Runs p with the whole-row kernel if it applies (pad 1 on every side,
// h >= 2, 1 <= w <= 4*MAXNV); returns whether it ran.
template <int MAXNV, bool CLAMP, int... I>
bool rows3x3_s1_try(const DwPlane& p, std::integer_sequence<int, I...>) {
  if (p.pad_top != 1 || p.pad_left != 1 || p.ho != p.h || p.wo != p.w || p.h < 2 || p.w < 1 ||
      p.w > size_t(4 * MAXNV))
    return false;
  using Fn = void (*)(const DwPlane&);
  // Widths 1 .. 4*MAXNV: NV = (w + 3) / 4, R = w % 4.
  static constexpr Fn fns[] = {rows3x3_s1<(I + 4) / 4, (I + 1) % 4, CLAMP>...};
  fns[p.w - 1](p);
  return true;
}
template <int MAXNV, bool CLAMP>
bool rows3x3_s1_planes(const DwPlane& p) {
  return rows3x3_s1_try<MAXNV, CLAMP>(p, std::make_integer_sequence<int, 4 * MAXNV>());
}

}  // namespace
}  // namespace detail
}  // namespace armconv

// NEON depthwise 3x3, stride 1 and 2, "same" padding, small maps: whole rows
// in registers (both ISAs; stride 1: neon/aarch64/dwconv3x3_1x16_s1_rows.cpp,
// neon/armv7/dwconv3x3_1x8_s1_rows.cpp and, as two bands of columns,
// neon/armv7/dwconv3x3_1x8_s1_bands.cpp; stride 2 (Rows3x3S2, below):
// dwconv3x3_1x16_s2_rows.cpp, dwconv3x3_1x8_s2_rows.cpp). Contract:
// core/dwconv.h; the general kernels (neon/dwconv.h) run every other plane.
// The assembly rows kernels run first where they apply (aarch64: stride 1
// on w >= 5 but 8, 12, 16 columns, neon/aarch64/dwconv3x3_1x16_s1_ld1rows.cpp;
// stride 2 on even widths from 8 and odd ones from 17, _s2_ld4rows.cpp; armv7: stride 2 on
// the same widths, neon/armv7/dwconv3x3_1x8_s2_ld4rows.cpp):
// these kernels then run what they leave, e.g. a call's last plane where
// those read and write past a row's end, and the other widths.
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
// by one lane, so nothing past the row is read). Output vector j, tap column
// t reads the window
//   t = 0: ext(V_j-1, V_j, 3)   t = 1: V_j   t = 2: ext(V_j, V_j+1, 1)
// (two EXTs per vector and input row). The padding: V_-1's lane 3 is the
// last lane of the taps' third vector, which the packing leaves zero (no
// zero register); right of the last vector, ext(V_NV-1, V_NV-1, 1) if R > 0
// (its lanes R.. are zero, and the window's lanes R.. are never stored),
// else a zero vector. Input row i feeds output rows i+1
// (tap row 0, which starts that row with an FMUL), i (tap row 1) and i-1
// (tap row 2, which completes it: bias, clamp, store). The three rows of
// accumulators rotate; the row loop is unrolled 3 times so the rotation is a
// renaming. Row 0 has no tap-row-0 terms: it starts from zero.
//
// Bands (armv7, 9..16 columns): three rows of four accumulator vectors, the
// taps, the output stage's bias and bounds and a row's vectors are more than
// 16 Q registers. Such a plane runs as two bands of output vectors, each
// the rows kernel above over the whole plane with its own accumulators
// (three rows of two vectors): vectors SPLIT .. NV-1 (which also loads
// V_SPLIT-1 for its left windows), then 0 .. SPLIT-1 (which also loads
// V_SPLIT). A band's rows are its loads, windows, multiply-adds and stores
// only: on a 14-column row, left band 3 loads, 4 EXT, 18 VMLA/VMUL, 6
// output-stage instructions, 2 stores; right band the same and one VMOV
// (the tail's zero half).
//
// The terms of every output are added in the order of neon/dwconv.h's
// strips (tap rows 0, 1, 2, tap columns 0, 1, 2; the first term a multiply,
// or a fused multiply-add onto zero for row 0; the bias added last), so a
// plane gives the same bits whichever kernel runs it (a range of rows of a
// plane goes to the strips: core/dwconv.h, conv_dwconv.cpp); the bands too.
//
// Stores: the tail vector's R lanes (STR d for R = 2, STR s for R = 1); for
// R = 3 the whole vector except in a plane's last row (its fourth lane lands
// on the next row's first column, stored after it: with bands, the right
// band runs first).
//
// armv7 addressing: a row's loads and stores are post-indexed VLD1/VST1
// through one pointer each, the last one stepping to the next row (gcc
// otherwise keeps an address per vector, each set by an ADD per row).
//
// Per input row of a 14-column map (NV = 4, R = 2), aarch64 (direct
// windows, Rows3x3S1::feed_direct): 36 FMLA/FMUL, 3 LD1 and 2 plain loads,
// 4 EXT, 12 output-stage instructions with the clamp (FADD, FMAX, FMIN per
// vector), 2 stores (STR d, ST1); before them 8 EXT, 4 loads, 3 stores and
// 2 pointer steps.
#pragma once

#include <arm_neon.h>

#include <cstddef>
#include <limits>

#include "core/dwconv.h"
#include "neon/dwconv.h"  // fma_tap, mul_tap, window, Store, keep_in_register, ARMCONV_*

namespace armconv {
namespace detail {
namespace {

#if defined(__GNUC__) && defined(__arm__) && !defined(__aarch64__)
// armv7: the rows' loads and stores as post-indexed VLD1/VST1 (gcc keeps an
// address register per vector otherwise, each set by an ADD per row). The
// asm reads (writes) the 16 bytes at p; p and y never overlap.
#define ARMCONV_ROWS_A32 1
ARMCONV_INLINE float32x4_t a32_load_next(const float*& p) {
  float32x4_t v;
  __asm__("vld1.32 {%e0-%f0}, [%1]!" : "=w"(v), "+r"(p));
  return v;
}
ARMCONV_INLINE float32x4_t a32_load_step(const float*& p, ptrdiff_t step) {
  float32x4_t v;
  __asm__("vld1.32 {%e0-%f0}, [%1], %2" : "=w"(v), "+r"(p) : "r"(step));
  return v;
}
// The row's last R (1..3) floats in lanes 0..R-1, zeros above.
template <int R>
ARMCONV_INLINE float32x4_t a32_load_tail(const float*& p, ptrdiff_t step) {
  float32x4_t v;
  if constexpr (R == 1) {
    __asm__("vmov.i32 %q0, #0\n\tvld1.32 {%e0[0]}, [%1], %2" : "=&w"(v), "+r"(p) : "r"(step));
  } else if constexpr (R == 2) {
    __asm__("vld1.32 {%e0}, [%1], %2\n\tvmov.i32 %f0, #0" : "=&w"(v), "+r"(p) : "r"(step));
  } else {
    __asm__("vmov.i32 %f0, #0\n\tvld1.32 {%e0}, [%1]!\n\tvld1.32 {%f0[0]}, [%1], %2" : "=&w"(v), "+r"(p) : "r"(step));
  }
  return v;
}
ARMCONV_INLINE void a32_store_next(float*& q, float32x4_t v) {
  __asm__ volatile("vst1.32 {%e1-%f1}, [%0]!" : "+r"(q) : "w"(v) : "memory");
}
ARMCONV_INLINE void a32_store_step(float*& q, float32x4_t v, ptrdiff_t step) {
  __asm__ volatile("vst1.32 {%e1-%f1}, [%0], %2" : "+r"(q) : "w"(v), "r"(step) : "memory");
}
// Lanes 0..R-1 of v; q moves by step in all (R = 3: two stores).
template <int R>
ARMCONV_INLINE void a32_store_tail(float*& q, float32x4_t v, ptrdiff_t step) {
  if constexpr (R == 1) {
    __asm__ volatile("vst1.32 {%e1[0]}, [%0], %2" : "+r"(q) : "w"(v), "r"(step) : "memory");
  } else if constexpr (R == 2) {
    __asm__ volatile("vst1.32 {%e1}, [%0], %2" : "+r"(q) : "w"(v), "r"(step) : "memory");
  } else {
    __asm__ volatile("vst1.32 {%e1}, [%0]!\n\tvst1.32 {%f1[0]}, [%0], %2" : "+r"(q) : "w"(v), "r"(step - 8) : "memory");
  }
}
#endif

// The stride-2 rows kernels are instantiated clamped only: an unclamped call
// runs them with the bounds [-inf, +inf] (dw_rows_unbounded; FMAX/FMIN with
// infinities leave every number and NaN as the add gave it: the same bits as
// an unclamped store), 2 more instructions per output vector and row. Their
// clamped calls are the common ones (MobileNet's ReLU6 / ReLU layers; the
// even widths run the LD4 rows kernels but for a call's last plane);
// unclamped stride-2 3x3 on maps of at most 16 columns is rare (EfficientNet's
// 3x3 stride-2 layers are on 112x112 maps). Count (session 30, 96 planes of
// 15x15, unclamped): cortex-a72 26989 -> 30079 instructions per call (+11%),
// cortex-a15 27547 -> 29393 (+7%). Half the units' compile time (aarch64
// 3.4 -> 2.0 CPU-s, armv7 3.3 -> 1.9). (Stride 1 keeps both activations:
// its unclamped small maps are EfficientNet's, +13..16% that way.)
inline DwPlane dw_rows_unbounded(const DwPlane& p) {
  DwPlane q = p;
  q.lo = -std::numeric_limits<float>::infinity();
  q.hi = std::numeric_limits<float>::infinity();
  return q;
}
// (Out of line: the entry points keep no copy of the call, so their clamped
// path stays the shape test and a tail call.)
[[maybe_unused]] ARMCONV_NOINLINE void dw_rows_run_unbounded(const DwPlane& p, void (*f)(const DwPlane&)) { f(dw_rows_unbounded(p)); }

template <int NV, int R, bool CLAMP, int J0 = 0, int J1 = NV>
struct Rows3x3S1 {
  static_assert(0 <= J0 && J0 < J1 && J1 <= NV, "a band of the row's vectors");
  static constexpr int NK = kTapVectors<3>;
  // The taps' last vector is zero in its last lane (taps, bias, zeros:
  // core/dwconv.h): the left padding's lane of the first window.
  static_assert(dw_packed_floats(9) > 9 + 1, "a zero lane after the bias");
  // The vectors a row of the band needs: its own and one neighbour each side.
  static constexpr int L0 = J0 > 0 ? J0 - 1 : 0;
  static constexpr int L1 = J1 < NV ? J1 : NV - 1;
  // The row's vectors the band loads (L0 .. L1) and stores (J0 .. J1-1): the
  // whole ones, and whether the row's tail vector NV-1 is among them.
  static constexpr bool kLoadTail = L1 == NV - 1 && R != 0;
  static constexpr int kLoadWhole = L1 - L0 + 1 - (kLoadTail ? 1 : 0);
  static constexpr bool kStoreTail = J1 == NV && R != 0;
  static constexpr int kStoreWhole = J1 - J0 - (kStoreTail ? 1 : 0);
  const float* x;  // next input row, at column 4*L0
  float* y;        // next output row to store, at column 4*J0
  size_t w;
  float32x4_t k[NK];
  Store<CLAMP> store;
  float32x4_t acc[3][NV];  // [row][J0 .. J1-1] used
#if defined(ARMCONV_ROWS_A32)
  // Byte steps of the last load and store of a row (post-indexed), which
  // take x and y to the next row: the row, less what the row's earlier
  // loads and stores advanced.
  ptrdiff_t load_step, store_step;
  void set_steps() {
    load_step = ptrdiff_t(4 * w) - 16 * (kLoadTail ? kLoadWhole : kLoadWhole - 1) - (kLoadTail && R == 3 ? 8 : 0);
    store_step = ptrdiff_t(4 * w) - 16 * (kStoreTail ? kStoreWhole : kStoreWhole - 1);
  }
#else
  void set_steps() {}
#endif

  // (A function: clang's vld1q_f32 is a macro, which a fold cannot expand.)
  ARMCONV_INLINE static float32x4_t load_vector(const float* p) { return vld1q_f32(p); }
  // (Member templates and folds, no lambdas: gcc 12's flatten left the
  // lambdas of this struct as calls, "SSA form does not match".)
  template <int... J>
  ARMCONV_INLINE void load_whole(const float* p, float32x4_t* v, std::integer_sequence<int, J...>) {
    ((v[L0 + J] = load_vector(p + 4 * J)), ...);
  }
#if defined(ARMCONV_ROWS_A32)
  template <int... J>
  ARMCONV_INLINE void load_next(const float*& p, float32x4_t* v, std::integer_sequence<int, J...>) {
    ((v[L0 + J] = a32_load_next(p)), ...);
  }
#endif
  // Vectors L0 .. L1 of row i (zero past the row's end); x moves to the next row.
  ARMCONV_INLINE void load(float32x4_t* v) {
    const float* p = x;
#if defined(ARMCONV_ROWS_A32)
    // Post-indexed loads: one pointer, no address arithmetic.
    constexpr int kNext = kLoadTail ? kLoadWhole : kLoadWhole - 1;
    load_next(p, v, std::make_integer_sequence<int, kNext>());
    if constexpr (!kLoadTail) v[L1] = a32_load_step(p, load_step);
    else v[NV - 1] = a32_load_tail<R>(p, load_step);
    x = p;
#else
    load_whole(p, v, std::make_integer_sequence<int, kLoadWhole>());
    const float* t = p + 4 * (NV - 1 - L0);
    if constexpr (!kLoadTail) {
      // whole vectors only
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
#endif
  }

  template <int A, int... J>
  ARMCONV_INLINE void store_whole(float* q, std::integer_sequence<int, J...>) {
    (store.full(q + 4 * J, acc[A][J0 + J]), ...);
  }
#if defined(ARMCONV_ROWS_A32)
  template <int A, int... J>
  ARMCONV_INLINE void store_next(float*& q, std::integer_sequence<int, J...>) {
    (a32_store_next(q, store.act(acc[A][J0 + J])), ...);
  }
#endif
  // Stores accumulator row A (vectors J0 .. J1-1); LAST: a plane's last row
  // (R = 3: exact; otherwise the tail's fourth lane lands on the next row's
  // first column, which is stored after it).
  template <int A, bool LAST>
  ARMCONV_INLINE void store_row() {
    float* q = y;
#if defined(ARMCONV_ROWS_A32)
    constexpr bool kTailWhole = kStoreTail && R == 3 && !LAST;
    constexpr int kNext = kStoreTail ? kStoreWhole : kStoreWhole - 1;
    store_next<A>(q, std::make_integer_sequence<int, kNext>());
    if constexpr (!kStoreTail || kTailWhole) a32_store_step(q, store.act(acc[A][J1 - 1]), store_step);
    else a32_store_tail<R>(q, store.act(acc[A][NV - 1]), store_step);
    y = q;
#else
    store_whole<A>(q, std::make_integer_sequence<int, kStoreWhole>());
    if constexpr (kStoreTail) {
      float* t = q + 4 * (NV - 1 - J0);
      if constexpr (R == 3 && !LAST) store.full(t, acc[A][NV - 1]);
      else store.partial(t, acc[A][NV - 1], size_t(R));
    }
    y = q + w;
#endif
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
  // Left of vector 0: the taps' zero lane (no zero register: armv7 has 16).
  // Right of the last vector: its own lanes R.. are zero (R > 0), so
  // ext(V, V, 1) is the window in the lanes that are stored; R = 0: zero.
  template <int A0, int A1, int A2, int J>
  ARMCONV_INLINE void feed_vector(const float32x4_t* v) {
    const float32x4_t left = J > 0 ? v[J > 0 ? J - 1 : 0] : k[NK - 1];
    const float32x4_t right = J + 1 < NV ? v[J + 1 < NV ? J + 1 : J] : R != 0 ? v[J] : vdupq_n_f32(0.0f);
    feed_window<A0, A1, A2, J, 0>(window<3>(left, v[J]));
    feed_window<A0, A1, A2, J, 1>(v[J]);
    feed_window<A0, A1, A2, J, 2>(window<1>(v[J], right));
  }
  // One input row (its NV vectors v) into the accumulator rows A0, A1, A2.
  template <int A0, int A1, int A2, int... J>
  ARMCONV_INLINE void feed_vectors(const float32x4_t* v, std::integer_sequence<int, J...>) {
    (feed_vector<A0, A1, A2, J0 + J>(v), ...);
  }
  template <int A0, int A1, int A2>
  ARMCONV_INLINE void feed(const float32x4_t* v) {
    feed_vectors<A0, A1, A2>(v, std::make_integer_sequence<int, J1 - J0>());
  }

  // ---- Direct windows (aarch64, whole rows of 5 or more columns) ----
  // As the strips' (neon/dwconv.h, Strip1): each tap column's windows are
  // one LD1 of consecutive vectors from the column where they start
  // (unaligned), through a pointer of its own post-indexed by the row
  // stride (p0: window (1, 0) at column 3; p1: window (0, 1) at column 0;
  // p2: window (0, 2) at column 1), one tap column at a time into v28-v31
  // (register map: window j of the column's LD1 in v28+j), and a row's
  // stores one ST1 of its whole vectors from v28-v31. The windows that
  // touch the padding come from two plain loads: window (0, 0) =
  // ext(zero lane of the taps, x[0..3], 3), and the last vector's windows
  // from u = x[w-4 .. w-1] (w = 4(NV-1) + RR, RR = 1..4): tap column t of
  // vector NV-1 starts at column 4(NV-1) + t - 1 = w-4 + (3 + t - RR), so
  // it is ext(u, zero, 3 + t - RR) (lanes past the row zero; shift 4: the
  // zero vector) where that window reaches past the row, else it is in
  // the column's LD1. Nothing outside the row is read. Per 14-column row:
  // 2 plain loads, 3 LD1, 4 EXT (before: 4 loads, 8 EXT, an ADD); stores:
  // the tail's STR d, one ST1 (before: 3 stores, an ADD).
#if defined(ARMCONV_DIRECT_WINDOWS)
  static constexpr bool kDirect = J0 == 0 && J1 == NV && NV >= 2;
#else
  static constexpr bool kDirect = false;
#endif
  static constexpr int RR = R == 0 ? 4 : R;
#if defined(ARMCONV_DIRECT_WINDOWS)
  const float* dp[3];
  ptrdiff_t xstep, ystep;
#endif
  void set_direct() {
#if defined(ARMCONV_DIRECT_WINDOWS)
    if constexpr (kDirect) {
      dp[0] = x + 3;
      dp[1] = x;
      dp[2] = x + 1;
      xstep = ystep = ptrdiff_t(w * sizeof(float));
      __asm__("" : "+r"(xstep), "+r"(ystep));
    }
#endif
  }
#if defined(ARMCONV_DIRECT_WINDOWS)
  template <int A0, int A1, int A2, int TC>
  ARMCONV_INLINE void feed_column(const float32x4_t* win) {
    unroll<NV>([&](auto j) { feed_window<A0, A1, A2, ARMCONV_IDX(j), TC>(win[ARMCONV_IDX(j)]); });
  }
  // The windows of vector NV-1 reaching past the row (tap column t).
  template <int TC>
  ARMCONV_INLINE static float32x4_t last_window(float32x4_t u) {
    return window<3 + TC - RR>(u, vdupq_n_f32(0.0f));
  }
  template <int A0, int A1, int A2>
  ARMCONV_INLINE void feed_direct() {
    register float32x4_t a0 __asm__("v28"), a1 __asm__("v29"), a2 __asm__("v30"), a3 __asm__("v31");
    constexpr int W = 4 * (NV - 1) + RR;
    // Whole windows from the LD1s: tap column 0 vectors 1 .. n0, 1 and 2
    // vectors 0 .. n-1.
    constexpr int n0 = RR >= 3 ? NV - 1 : NV - 2, n1 = RR == 4 ? NV : NV - 1, n2 = NV - 1;
    const float32x4_t u = vld1q_f32(dp[1] + W - 4);
    const float32x4_t first = vextq_f32(k[NK - 1], vld1q_f32(dp[1]), 3);
    float32x4_t win[NV];
    win[0] = first;
    if constexpr (n0 > 0) {
      ARMCONV_LD1_POST(n0, dp[0], xstep, a0, a1, a2, a3);
      const float32x4_t l[4] = {a0, a1, a2, a3};
      for (int j = 1; j <= n0; j++) win[j] = l[j - 1];
    }
    if constexpr (n0 < NV - 1) win[NV - 1] = last_window<0>(u);
    feed_column<A0, A1, A2, 0>(win);
    {
      ARMCONV_LD1_POST(n1, dp[1], xstep, a0, a1, a2, a3);
      const float32x4_t l[4] = {a0, a1, a2, a3};
      for (int j = 0; j < n1; j++) win[j] = l[j];
      if constexpr (n1 < NV) win[NV - 1] = last_window<1>(u);
      feed_column<A0, A1, A2, 1>(win);
    }
    {
      ARMCONV_LD1_POST(n2, dp[2], xstep, a0, a1, a2, a3);
      const float32x4_t l[4] = {a0, a1, a2, a3};
      for (int j = 0; j < n2; j++) win[j] = l[j];
      win[NV - 1] = last_window<2>(u);
      feed_column<A0, A1, A2, 2>(win);
    }
  }
  // Row A: the tail's lanes first (unless stored whole), then the whole
  // vectors' output stage into v28-v31 and one ST1.
  template <int A, bool LAST>
  ARMCONV_INLINE void store_direct() {
    constexpr bool kTailWhole = RR == 4 || (RR == 3 && !LAST);
    constexpr int n = kTailWhole ? NV : NV - 1;
    if constexpr (!kTailWhole) store.partial(y + 4 * (NV - 1), acc[A][NV - 1], size_t(RR));
    register float32x4_t s0 __asm__("v28"), s1 __asm__("v29"), s2 __asm__("v30"), s3 __asm__("v31");
    s0 = store.act(acc[A][0]);
    if constexpr (n > 1) s1 = store.act(acc[A][n > 1 ? 1 : 0]);
    if constexpr (n > 2) s2 = store.act(acc[A][n > 2 ? 2 : 0]);
    if constexpr (n > 3) s3 = store.act(acc[A][n > 3 ? 3 : 0]);
    ARMCONV_ST1_POST(n, y, ystep, s0, s1, s2, s3);
  }
#endif
  // One input row into the accumulator rows A0, A1, A2 (-1: none).
  template <int A0, int A1, int A2>
  ARMCONV_INLINE void feed_row() {
#if defined(ARMCONV_DIRECT_WINDOWS)
    if constexpr (kDirect) {
      feed_direct<A0, A1, A2>();
      return;
    }
#endif
    float32x4_t v[NV];
    load(v);
    feed<A0, A1, A2>(v);
  }
  template <int A, bool LAST>
  ARMCONV_INLINE void store_any() {
#if defined(ARMCONV_DIRECT_WINDOWS)
    if constexpr (kDirect) {
      store_direct<A, LAST>();
      return;
    }
#endif
    store_row<A, LAST>();
  }

  // Input row i, 1 <= i <= h-2, with P = i mod 3: feeds output rows i+1,
  // i, i-1 (accumulators (P+1)%3, P, (P+2)%3), stores row i-1.
  template <int P>
  ARMCONV_INLINE void mid() {
    feed_row<(P + 1) % 3, P, (P + 2) % 3>();
    store_any<(P + 2) % 3, false>();
  }
  // The last input row h-1 (P = (h-1) mod 3): completes rows h-2 and h-1.
  template <int P>
  ARMCONV_INLINE void last() {
    feed_row<-1, P, (P + 2) % 3>();
    store_any<(P + 2) % 3, false>();
    store_any<P, true>();
  }

  // One plane of h >= 2 rows (taps at pk): the row count's remainder REM =
  // (h-2) mod 3 picks the tail; n = (h-2) / 3 unrolled loop trips.
  template <int REM>
  ARMCONV_INLINE void plane(const float* pk, size_t n) {
    for (int i = 0; i < NK; i++) k[i] = vld1q_f32(pk + 4 * i);
    store.bias = vld1q_dup_f32(pk + 9);
    // Row 0: input row 0 starts row 1 (tap row 0) and adds tap row 1 into row 0
    // (from zero, as the strips do).
    for (int j = J0; j < J1; j++) acc[0][j] = vdupq_n_f32(0.0f);
    feed_row<1, 0, -1>();
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
  s.set_steps();
  s.set_direct();
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

// Rows wider than the registers hold (armv7: 16 Q registers hold three rows
// of two vectors, not of four): each plane as two bands of columns, vectors
// SPLIT .. NV-1 then 0 .. SPLIT-1, each a rows kernel of its own over the
// whole plane that loads its neighbour vector(s) for the windows across the
// cut. The right band goes first: for R = 3 its rows (but the last) store a
// fourth lane onto the next row's first column, which the left band then
// writes. The terms of every output are those of the whole-row kernel, in
// the same order (the same bits).
template <int NV, int R, bool CLAMP, int SPLIT, int REM>
ARMCONV_NOINLINE ARMCONV_FLATTEN ARMCONV_NO_PRESCHED void rows3x3_s1_bands_run(const DwPlane& p) {
  Rows3x3S1<NV, R, CLAMP, SPLIT, NV> right;
  Rows3x3S1<NV, R, CLAMP, 0, SPLIT> left;
  right.w = left.w = p.w;
  right.set_steps();
  left.set_steps();
  right.store.lo = left.store.lo = vdupq_n_f32(p.lo);
  right.store.hi = left.store.hi = vdupq_n_f32(p.hi);
  const size_t n = (p.h - 2) / 3, plane = p.h * p.w;
  const float* pk = p.k;
  const float* x = p.x;
  float* y = p.y;
  for (size_t i = 0; i < p.count; i++, pk += dw_packed_floats(9), x += plane, y += plane) {
    right.x = x + 4 * (SPLIT - 1);  // from vector L0 = SPLIT-1
    right.y = y + 4 * SPLIT;        // from vector J0 = SPLIT
    right.template plane<REM>(pk, n);
    left.x = x;
    left.y = y;
    left.template plane<REM>(pk, n);
  }
}

template <int NV, int R, bool CLAMP, int SPLIT>
void rows3x3_s1_bands(const DwPlane& p) {
  switch ((p.h - 2) % 3) {
    case 0: rows3x3_s1_bands_run<NV, R, CLAMP, SPLIT, 0>(p); break;
    case 1: rows3x3_s1_bands_run<NV, R, CLAMP, SPLIT, 1>(p); break;
    default: rows3x3_s1_bands_run<NV, R, CLAMP, SPLIT, 2>(p); break;
  }
}

// The kernel of rows of NV vectors: whole rows (SPLIT = 0) or two bands.
template <int NV, int R, bool CLAMP, int SPLIT>
constexpr void (*rows3x3_s1_fn())(const DwPlane&) {
  if constexpr (SPLIT == 0) return rows3x3_s1<NV, R, CLAMP>;
  else return rows3x3_s1_bands<NV, R, CLAMP, SPLIT>;
}

// Runs p with the rows kernel of its width if it applies (pad 1 on every
// side, h >= 2, W0 < w <= W0 + sizeof...(I)); returns whether it ran.
// Kernel: rows3x3_s1 (whole rows), or rows3x3_s1_bands split at SPLIT.
// UNBOUNDED: an unclamped call of the clamped kernels (dw_rows_unbounded,
// once the shape is known to apply).
template <int W0, int SPLIT, bool CLAMP, bool UNBOUNDED, int... I>
bool rows3x3_s1_try(const DwPlane& p, std::integer_sequence<int, I...>) {
  if (p.pad_top != 1 || p.pad_left != 1 || p.ho != p.h || p.wo != p.w || p.h < 2 || p.w <= size_t(W0) ||
      p.w > size_t(W0) + sizeof...(I))
    return false;
  using Fn = void (*)(const DwPlane&);
  // Width w = W0 + I + 1: NV = (w + 3) / 4, R = w % 4.
  static constexpr Fn fns[] = {rows3x3_s1_fn<(W0 + I + 4) / 4, (W0 + I + 1) % 4, CLAMP, SPLIT>()...};
  if constexpr (UNBOUNDED) dw_rows_run_unbounded(p, fns[p.w - W0 - 1]);
  else fns[p.w - W0 - 1](p);
  return true;
}
// Widths 1 .. 4*MAXNV, whole rows.
template <int MAXNV, bool CLAMP, bool UNBOUNDED = false>
bool rows3x3_s1_planes(const DwPlane& p) {
  return rows3x3_s1_try<0, 0, CLAMP, UNBOUNDED>(p, std::make_integer_sequence<int, 4 * MAXNV>());
}
// Widths 4*SPLIT+1 .. 4*MAXNV, as two bands split at vector SPLIT.
template <int SPLIT, int MAXNV, bool CLAMP, bool UNBOUNDED = false>
bool rows3x3_s1_bands_planes(const DwPlane& p) {
  static_assert(0 < SPLIT && SPLIT < MAXNV, "two bands");
  return rows3x3_s1_try<4 * SPLIT, SPLIT, CLAMP, UNBOUNDED>(p,
                                                          std::make_integer_sequence<int, 4 * (MAXNV - SPLIT)>());
}

// ---------------------------------------------------------------------------
// Stride 2, pad 1 on the top and left (ho = ceil(h/2), wo = ceil(w/2): the
// bottom and right padding 1 or none), 8 <= w <= 8*NP (NP <= 2: MobileNet's
// 14 -> 7 maps; with NP = 4, 28 -> 14 counted no better than the strips,
// 1.50 MACs/insn on cortex-a72, gcc moving each LD2's pair out of the
// consecutive registers it loads into). A row of w = 8*(NP-1) + R8 columns (R8 = 1 .. 8) is
// read as pairs P_j = {E_j, O_j}, the even and odd columns of x[8j .. 8j+7]
// (LD2). Output vector j (outputs 4j .. 4j+3), tap column t reads
//   t = 0: ext(O_j-1, O_j, 3)   t = 1: E_j   t = 2: O_j
// (O_-1's lane 3: the taps' zero lane, as for stride 1). If R8 < 8 the last
// output vector is the row's last four outputs wo-4 .. wo-1 (overlapping
// the vector before it, whose outputs it recomputes with the same terms in
// the same order: the same bits), so every store is whole and nothing past
// the row is read: w even, the pair at column w-8 gives t = 1 and 2, the
// even stream of the pair at w-9 gives t = 0; w odd, the pair at w-8 gives
// t = 0 (E) and 1 (O), and t = 2 is E moved down a lane with a zero (the
// right padding column). Output row s reads input rows 2s-1 (tap row 0: an
// FMUL starts it), 2s and 2s+1: an odd input row completes one output row
// and starts the next, so two rows of accumulators alternate (the loop
// unrolled twice). Row 0 has no tap-row-0 terms (the top padding): it
// starts from zero; with h odd the last output row has no tap-row-2 terms
// (the bottom padding). The order of the terms is that of neon/dwconv.h's
// stride-2 strips (the same bits). The row's loads walk one pointer,
// post-indexed by register (armv7: no address arithmetic).
//
// Per output row of a 14 -> 7 map (NP = 2, R8 = 6), armv7: 18 VMLA/VMUL,
// 6 VLD2 (one each: the pair at 0, at w-9 and at w-8, of two input rows),
// 2 EXT, 6 output-stage instructions, 2 stores.
template <int NP, int R8, bool CLAMP>
struct Rows3x3S2 {
  static constexpr int NK = kTapVectors<3>;
  static_assert(R8 == 8 || NP > 1, "w >= 8");
  const float* x;  // next input row
  float* y;        // next output row to store
  size_t w, wo;
  float32x4_t k[NK];
  Store<CLAMP> store;
  float32x4_t acc[2][NP];

  // The row's windows: pairs 0 .. NP-2 (and NP-1 if R8 = 8) as E, O; the
  // last vector's (R8 < 8) as E = tap column 1, O = 2, l = 0 (see above);
  // x moves to the next row.
  // (LD2 has no offset form: the loads walk one pointer, post-indexed, the
  // empty asm keeping gcc from giving each load an address of its own.)
  ARMCONV_INLINE static float32x4x2_t load2(const float*& p, ptrdiff_t step) {
    const float32x4x2_t u = vld2q_f32(p);
    p += step;
#if defined(__GNUC__)
    __asm__("" : "+r"(p));
#endif
    return u;
  }
  // The pointer steps other than 8 floats (the last whole pair's: to column
  // w-9 (R8 < 8, even), w-8 (odd) or the next row; 1), as opaque values:
  // gcc then steps by register in the load (armv7: no ADD).
  ptrdiff_t step_last, step_one;
  void set_load_steps() {
    step_last = R8 == 8 ? 8 : R8 % 2 == 0 ? R8 - 1 : R8;
    step_one = 1;
#if defined(__GNUC__)
    __asm__("" : "+r"(step_last), "+r"(step_one));
#endif
  }
  ARMCONV_INLINE void load(float32x4_t* e, float32x4_t* o, float32x4_t& l) {
    const float* p = x;
    for (int j = 0; j < NP - 1; j++) {
      const float32x4x2_t u = load2(p, j < NP - 2 ? 8 : step_last);
      e[j] = u.val[0];
      o[j] = u.val[1];
    }
    if constexpr (R8 == 8) {
      const float32x4x2_t u = load2(p, 8);
      e[NP - 1] = u.val[0];
      o[NP - 1] = u.val[1];
    } else if constexpr (R8 % 2 == 0) {  // w even: columns w-9 .., then w-8 .. w-1
      l = load2(p, step_one).val[0];
      const float32x4x2_t u = load2(p, 8);
      e[NP - 1] = u.val[0];
      o[NP - 1] = u.val[1];
    } else {  // w odd: columns w-8 .. w-1; the last output's right column is the padding
      const float32x4x2_t u = load2(p, 8);
      e[NP - 1] = u.val[1];
      o[NP - 1] = vextq_f32(u.val[0], vdupq_n_f32(0.0f), 1);
      l = u.val[0];
    }
    x = p;
  }

#if defined(ARMCONV_ROWS_A32)
  // armv7: a row's stores post-indexed through one pointer (as for stride
  // 1): vectors 0 .. NP-3 step 16 bytes, vector NP-2 steps to the last
  // vector's place (wo - 4), which steps 16 to the next row.
  ptrdiff_t store_step;
  void set_steps() { store_step = 4 * (ptrdiff_t(wo) - 4) - 16 * (NP - 2); }
  template <int A>
  ARMCONV_INLINE void store_row() {
    float* q = y;
    for (int j = 0; j < NP - 2; j++) a32_store_next(q, store.act(acc[A][j]));
    if constexpr (NP > 1) a32_store_step(q, store.act(acc[A][NP - 2]), store_step);
    a32_store_next(q, store.act(acc[A][NP - 1]));
    y = q;
  }
#else
  void set_steps() {}
  template <int A>
  ARMCONV_INLINE void store_row() {
    float* q = y;
    for (int j = 0; j < NP - 1; j++) store.full(q + 4 * j, acc[A][j]);
    store.full(q + wo - 4, acc[A][NP - 1]);
    y = q + wo;
  }
#endif

  // Window T of vector J: tap row 2 into row A2, 1 into A1, 0 into A0
  // (which tap column 0 starts); -1: none.
  template <int A2, int A1, int A0, int J, int T>
  ARMCONV_INLINE void feed_window(float32x4_t win) {
    if constexpr (A2 >= 0) acc[A2][J] = fma_tap<6 + T, true>(acc[A2][J], win, k);
    if constexpr (A1 >= 0) acc[A1][J] = fma_tap<3 + T, true>(acc[A1][J], win, k);
    if constexpr (A0 >= 0) {
      if constexpr (T == 0) acc[A0][J] = mul_tap<0>(win, k);
      else acc[A0][J] = fma_tap<T, true>(acc[A0][J], win, k);
    }
  }
  template <int A2, int A1, int A0, int J>
  ARMCONV_INLINE void feed_vector(const float32x4_t* e, const float32x4_t* o, float32x4_t l) {
    const float32x4_t left = J > 0 ? o[J > 0 ? J - 1 : 0] : k[NK - 1];
    feed_window<A2, A1, A0, J, 0>(J == NP - 1 && R8 < 8 ? l : vextq_f32(left, o[J], 3));
    feed_window<A2, A1, A0, J, 1>(e[J]);
    feed_window<A2, A1, A0, J, 2>(o[J]);
  }
  template <int A2, int A1, int A0, int... J>
  ARMCONV_INLINE void feed_vectors(const float32x4_t* e, const float32x4_t* o, float32x4_t l,
                                   std::integer_sequence<int, J...>) {
    (feed_vector<A2, A1, A0, J>(e, o, l), ...);
  }
  template <int A2, int A1, int A0>
  ARMCONV_INLINE void feed_row() {
    float32x4_t e[NP], o[NP], l = vdupq_n_f32(0.0f);
    load(e, o, l);
    feed_vectors<A2, A1, A0>(e, o, l, std::make_integer_sequence<int, NP>());
  }

  // Rows 2s+1 and 2s+2 (A = s mod 2): completes and stores output row s,
  // starts row s+1.
  template <int A>
  ARMCONV_INLINE void step() {
    feed_row<A, -1, 1 - A>();
    store_row<A>();
    feed_row<-1, 1 - A, -1>();
  }

  // One plane: REM4 = (h-1) mod 4; n = (h-1) / 4 unrolled loop trips.
  template <int REM4>
  ARMCONV_INLINE void plane(const float* pk, size_t n) {
    for (int i = 0; i < NK; i++) k[i] = vld1q_f32(pk + 4 * i);
    store.bias = vld1q_dup_f32(pk + 9);
    for (int j = 0; j < NP; j++) acc[0][j] = vdupq_n_f32(0.0f);
    feed_row<-1, 0, -1>();  // row 0: tap row 1 of output row 0
    for (; n; n--) {
      keep_in_register<NK>(k);
      step<0>();
      step<1>();
    }
    constexpr int OPEN = REM4 / 2;  // the open row's accumulators
    if constexpr (OPEN) step<0>();
    if constexpr (REM4 % 2) feed_row<OPEN, -1, -1>();  // h even: the last row completes it
    store_row<OPEN>();
  }
};

template <int NP, int R8, bool CLAMP, int REM4>
ARMCONV_NOINLINE ARMCONV_FLATTEN void rows3x3_s2_run(const DwPlane& p) {
  Rows3x3S2<NP, R8, CLAMP> s;
  s.x = p.x;
  s.y = p.y;
  s.w = p.w;
  s.wo = p.wo;
  s.set_steps();
  s.set_load_steps();
  s.store.lo = vdupq_n_f32(p.lo);
  s.store.hi = vdupq_n_f32(p.hi);
  const size_t n = (p.h - 1) / 4;
  const float* pk = p.k;
  for (size_t i = 0; i < p.count; i++, pk += dw_packed_floats(9)) s.template plane<REM4>(pk, n);
}

template <int NP, int R8, bool CLAMP>
void rows3x3_s2(const DwPlane& p) {
  switch ((p.h - 1) % 4) {
    case 0: rows3x3_s2_run<NP, R8, CLAMP, 0>(p); break;
    case 1: rows3x3_s2_run<NP, R8, CLAMP, 1>(p); break;
    case 2: rows3x3_s2_run<NP, R8, CLAMP, 2>(p); break;
    default: rows3x3_s2_run<NP, R8, CLAMP, 3>(p); break;
  }
}

// Runs p with the stride-2 rows kernel if it applies (pad 1 top and left,
// ho = ceil(h/2), wo = ceil(w/2), 8 <= w <= 8*MAXNP); returns whether it ran.
template <bool CLAMP, bool UNBOUNDED, int... I>
bool rows3x3_s2_try(const DwPlane& p, std::integer_sequence<int, I...>) {
  if (p.pad_top != 1 || p.pad_left != 1 || p.h < 1 || p.ho != (p.h + 1) / 2 || p.wo != (p.w + 1) / 2 ||
      p.w < 8 || p.w >= 8 + sizeof...(I))
    return false;
  using Fn = void (*)(const DwPlane&);
  // Width w = 8 + I: NP = (w + 7) / 8, R8 = w - 8 (NP - 1).
  static constexpr Fn fns[] = {rows3x3_s2<(I + 15) / 8, 8 + I - 8 * ((I + 15) / 8 - 1), CLAMP>...};
  if constexpr (UNBOUNDED) dw_rows_run_unbounded(p, fns[p.w - 8]);
  else fns[p.w - 8](p);
  return true;
}
template <int MAXNP, bool CLAMP, bool UNBOUNDED = false>
bool rows3x3_s2_planes(const DwPlane& p) {
  return rows3x3_s2_try<CLAMP, UNBOUNDED>(p, std::make_integer_sequence<int, 8 * MAXNP - 7>());
}

}  // namespace
}  // namespace detail
}  // namespace armconv

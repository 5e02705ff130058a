// NEON depthwise 3x3 kernels, stride 1 and 2, written once for both ISAs
// (intrinsics; an anonymous namespace): neon/aarch64/dwconv3x3_1x16.cpp
// (strips of up to 16 output columns) and neon/armv7/dwconv3x3_1x8.cpp (8)
// instantiate them. Contract: core/dwconv.h (one channel plane per call,
// padding resolved here).
//
// Column strips, rows streamed. The output plane is cut into vertical strips
// NV vectors (4*NV columns) wide. A strip walks down the plane: each input row
// is loaded once (multi-register loads), its shifted windows are formed in
// registers with EXT, and it is multiplied into every output row it feeds with
// lane FMLAs (tap k[i] = lane i%4 of packed vector i/4):
//
//   stride 1: input row iy feeds output rows iy+pt-2 .. iy+pt (tap rows 2, 1, 0):
//             three rows of accumulators are live. They rotate as the strip
//             moves down; the loop is unrolled 3x so the rotation is a renaming.
//   stride 2: rows 2oy-pt+1 and 2oy-pt+2 finish output row oy, and the latter
//             also starts row oy+1 (tap row 0): two rows of accumulators,
//             loop unrolled 2x.
//
// Windows. Stride 1 reads the input through a grid of vectors V_m = x[4m .. 4m+3].
// Output column o reads input columns o - pl + {0,1,2}; with pl = 4L - D
// (0 <= D < 4) the output vector starting at column 4j needs, for tap column t,
// columns 4(j - L) + D + t + {0..3}: vext(V_a, V_a+1, (D+t) % 4) with
// a = j - L + (D+t)/4. For pad 1 (D = 3) that is vext(V_j-1, V_j, 3), V_j and
// vext(V_j, V_j+1, 1): two EXTs per output vector and input row.
// Stride 2 reads pairs P_m = vld2q(x + 8m) = {E_m, O_m} (even and odd columns
// of x[8m .. 8m+7]); with pl = 8L - D, tap column t of output vector j reads
// columns 8(j - L) + c + 2i, c = D + t: stream E if c is even (O if odd),
// shifted by c/2 lanes. For pad 1 (D = 7): vext(O_j-1, O_j, 3), E_j and O_j:
// one EXT.
//
// Borders without a padded copy. Grid units left of the row (m < 0) or wholly
// right of it are zero. A strip whose units are whole and inside the row,
// except one zero unit at its left (pad_left > 0) and/or its right end, takes
// the fast path with those zeros known at compile time (for pad_left 0 or 1;
// see kFastD). The strip anchors its grid at its own first column, so the
// last strip of a row may start at any column: when w is not a multiple of
// the unit, the strip that ends at the row's last output column (overlapping
// the strip before it, whose values it recomputes and stores again) usually
// has its units end exactly at the row's end, and stays fast. What is left (rows
// narrower than such a strip, other left paddings) goes through buffered
// strips: each row's few columns are copied, in vectors, into a zeroed stack
// buffer that the strip reads whole units from; a partial last output vector
// is stored with a pair and a lane store.
// Rows above and below the plane are skipped. Nothing outside x[0 .. h*w) is
// read and nothing outside y[0 .. ho*wo) is written.
//
// A new output row starts with an FMUL of its first window (no bias copy);
// the bias is added in the store, with the optional clamp.
//
// Register budget (aarch64, stride 1, NV = 4): 12 accumulators, 3 tap vectors,
// the bias, 6 grid vectors of the current row and its windows: fits the 32 V
// registers. armv7 has 16 Q registers: NV = 2 there (6 + 3 + 1 + 4 + windows).
// Executed instructions per stride-1 step (one input row, 16 columns): 36
// FMLA/FMUL, 8 EXT, 4 FADD, 3 LDP, 2 STP, 2 ADD, 1/3 loop = 56 (2.57 MACs/insn).
#pragma once

#include <arm_neon.h>

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "core/dwconv.h"

namespace armconv {
namespace detail {
namespace {

// ---------------------------------------------------------------------------
// Compiler plumbing. The strip loops are written as small templates and
// lambdas that must all be inlined into one function, or the accumulators
// leave the registers; gcc's inliner declines on size alone, so the strip
// functions ask for it (flatten: gcc and clang).
#if defined(__GNUC__)
#define ARMCONV_FLATTEN __attribute__((flatten))
#define ARMCONV_NOINLINE __attribute__((noinline))
#define ARMCONV_INLINE inline __attribute__((always_inline))
#else
#define ARMCONV_FLATTEN
#define ARMCONV_NOINLINE
#define ARMCONV_INLINE inline
#endif
// gcc's first scheduling pass hoists a row's EXTs far ahead of their FMLAs,
// which pushes the stride-1 loops past 32 live vectors and costs register
// moves; the second pass (after register allocation) still schedules.
#if defined(__GNUC__) && !defined(__clang__)
#define ARMCONV_NO_PRESCHED __attribute__((optimize("no-schedule-insns")))
#else
#define ARMCONV_NO_PRESCHED
#endif

// Hides the taps' loop invariance from the compiler: otherwise gcc hoists a
// DUP of every tap out of the loop (9 registers instead of 3, then spills)
// and uses vector FMLAs instead of lane FMLAs.
inline void keep_in_register(float32x4_t* k) {
#if defined(__GNUC__) && defined(__aarch64__)
  __asm__("" : "+w"(k[0]), "+w"(k[1]), "+w"(k[2]));
#else
  (void)k;
#endif
}

// Calls f(std::integral_constant<int, i>()) for i = 0 .. N-1.
template <class F, int... I>
inline void unroll_impl(F&& f, std::integer_sequence<int, I...>) {
  (f(std::integral_constant<int, I>()), ...);
}
template <int N, class F>
inline void unroll(F&& f) {
  unroll_impl(f, std::make_integer_sequence<int, N>());
}
#define ARMCONV_IDX(i) decltype(i)::value

// ---------------------------------------------------------------------------
// Arithmetic and memory helpers.

#if defined(__aarch64__)
constexpr int kWideNV = 4;  // output vectors of the widest strip
#else
constexpr int kWideNV = 2;
#endif

// acc + x * tap[T], tap T being lane T%4 of k[T/4].
template <int T>
inline float32x4_t fma_tap(float32x4_t acc, float32x4_t x, const float32x4_t* k) {
#if defined(__aarch64__)
  return vfmaq_laneq_f32(acc, x, k[T / 4], T % 4);
#else
  // A32 has no fused multiply-add by scalar; VMLA by scalar rounds twice,
  // which stays well inside the error bound of a 9-term dot product.
  return vmlaq_lane_f32(acc, x, (T % 4) < 2 ? vget_low_f32(k[T / 4]) : vget_high_f32(k[T / 4]),
                        T % 2);
#endif
}

// x * tap[T]: the first term of an output row.
template <int T>
inline float32x4_t mul_tap(float32x4_t x, const float32x4_t* k) {
#if defined(__aarch64__)
  return vmulq_laneq_f32(x, k[T / 4], T % 4);
#else
  return vmulq_lane_f32(x, (T % 4) < 2 ? vget_low_f32(k[T / 4]) : vget_high_f32(k[T / 4]), T % 2);
#endif
}

// The window starting S lanes into the pair (a, b), S in 0..4.
template <int S>
inline float32x4_t window(float32x4_t a, float32x4_t b) {
  if constexpr (S == 0) return a;
  else if constexpr (S == 4) return b;
  else return vextq_f32(a, b, S);
}

// N consecutive vectors from p.
template <int N>
inline void load_vectors(const float* p, float32x4_t* v) {
  for (int i = 0; i < N; i++) v[i] = vld1q_f32(p + 4 * i);
}

// vld2q_f32(p), then p += 8. gcc computes the address of each of a row's LD2s
// with its own ADD (LD2 has no offset form); the post-indexed form saves them.
// clang finds the post-index itself (and has no tuple asm operands).
inline float32x4x2_t load2_advance(const float*& p) {
#if defined(__aarch64__) && defined(__GNUC__) && !defined(__clang__)
  float32x4x2_t v;
  __asm__("ld2 {%S0.4s, %T0.4s}, [%1], #32" : "=w"(v), "+r"(p) : "m"(*(const float(*)[8])p));
  return v;
#else
  const float32x4x2_t v = vld2q_f32(p);
  p += 8;
  return v;
#endif
}

// Output stage: bias, optional clamp (FMAX/FMIN propagate NaN), store.
template <bool CLAMP>
struct Store {
  float32x4_t bias, lo, hi;
  float32x4_t act(float32x4_t v) const {
    v = vaddq_f32(v, bias);
    return CLAMP ? vminq_f32(vmaxq_f32(v, lo), hi) : v;
  }
  void full(float* y, float32x4_t v) const { vst1q_f32(y, act(v)); }
  // The first n (1..3) lanes: a pair store and/or a lane store.
  void partial(float* y, float32x4_t v, size_t n) const {
    v = act(v);
    if (n >= 2) {
      vst1_f32(y, vget_low_f32(v));
      if (n == 3) vst1q_lane_f32(y + 2, v, 2);
    } else {
      vst1q_lane_f32(y, v, 0);
    }
  }
};

// ---------------------------------------------------------------------------
// Row loaders: the grid units (vectors for stride 1, pairs for stride 2) one
// strip needs from one input row; they leave `row` at the next row.

// Fast: the first Z and the last T of the N units are zero, the others whole
// and inside the row; `off` = float offset of the first loaded unit, which the
// strip adds to its row pointer once (`row` then points at that unit).
template <int N, int Z, int T>
struct FastRow {
  static constexpr bool kEdge = false;
  static constexpr int kZ = Z, kT = T;  // units the strip treats as zero (not loaded)
  size_t off;
  size_t origin() const { return off; }
  void operator()(const float*& row, size_t w, float32x4_t* v) const {
    unroll<Z>([&](auto i) { v[ARMCONV_IDX(i)] = vdupq_n_f32(0.0f); });
    load_vectors<N - Z - T>(row, v + Z);
    unroll<T>([&](auto i) { v[N - T + ARMCONV_IDX(i)] = vdupq_n_f32(0.0f); });
    row += w;
  }
  void operator()(const float*& row, size_t w, float32x4x2_t* v) const {
    // Zero pairs are left out of v (gcc would keep a zero tuple on the
    // stack); the stride-2 strip reads them as zero through kZ/kT.
    unroll<N - Z - T>([&](auto i) { v[Z + ARMCONV_IDX(i)] = load2_advance(row); });
    row += w - 8 * (N - Z - T);
  }
};

// Buffered: for strips whose units are not all whole or zero (a row that
// ends inside a unit, rows narrower than the strip, left paddings without a
// fast strip). The units [g, g + N*UNIT) of a row live in a small buffer,
// zeroed once per strip; each row copies its columns [lo, hi) = [g, g +
// N*UNIT) & [0, w) in, in vectors (the last one overlapping the one before,
// so nothing past x[hi) is read), and the strip loads whole units from it.
// The buffer belongs to the caller: inside the strip state, its escaping
// address would keep the accumulators out of registers.
template <int N, int UNIT>
struct BufRow {
  static constexpr bool kEdge = true;  // its strips may end in a partial output vector
  static constexpr int kZ = 0, kT = 0;
  float* buf;        // N*UNIT floats, zero outside [at, at + n)
  size_t lo, n, at;  // row columns [lo, lo + n) go to buf[at ..]
  size_t origin() const { return lo; }
  void copy(const float* s) {
    float* d = buf + at;
    if (n >= 4) {
      size_t i = 0;
      for (; i + 4 < n; i += 4) vst1q_f32(d + i, vld1q_f32(s + i));
      vst1q_f32(d + n - 4, vld1q_f32(s + n - 4));
    } else if (n) {  // 1..3 floats (no loop: gcc would call memcpy)
      d[0] = s[0];
      if (n > 1) d[1] = s[1];
      if (n > 2) d[2] = s[2];
    }
  }
  void operator()(const float*& row, size_t w, float32x4_t* v) {
    copy(row);
    load_vectors<N>(buf, v);
    row += w;
  }
  void operator()(const float*& row, size_t w, float32x4x2_t* v) {
    copy(row);
    unroll<N>([&](auto i) { v[ARMCONV_IDX(i)] = vld2q_f32(buf + 8 * ARMCONV_IDX(i)); });
    row += w;
  }
};

// What every strip holds.
template <int NV, int ROWS, bool CLAMP, class Load>
struct StripState {
  const float* x;      // next input row to load (plus the loader's origin)
  float* y;            // next output row to store (first column of the strip)
  size_t w, wo, nout;  // nout: valid columns of the last output vector (1..4)
  float32x4_t k[3];
  Load load;
  Store<CLAMP> store;
  float32x4_t acc[ROWS][NV];

  // Stores accumulator row A; the last vector is partial only on edge strips.
  template <int A>
  void store_row() {
    unroll<NV - 1>([&](auto j) { store.full(y + 4 * ARMCONV_IDX(j), acc[A][ARMCONV_IDX(j)]); });
    if (!Load::kEdge || nout == 4) store.full(y + 4 * (NV - 1), acc[A][NV - 1]);
    else store.partial(y + 4 * (NV - 1), acc[A][NV - 1], nout);
    y += wo;
  }
  // Row A starts with no terms (its first rows are outside the plane).
  template <int A>
  void zero_row() {
    unroll<NV>([&](auto j) { acc[A][ARMCONV_IDX(j)] = vdupq_n_f32(0.0f); });
  }
  // acc[r] = acc[(r + K) % ROWS] for the rows that stay live (all but the
  // last, which the next step restarts): undoes a rotation by K so that the
  // next step finds its output row in acc[0] again.
  template <int K>
  void rotate() {
    float32x4_t old[ROWS][NV];
    unroll<ROWS>([&](auto r) {
      unroll<NV>([&](auto j) { old[ARMCONV_IDX(r)][ARMCONV_IDX(j)] = acc[ARMCONV_IDX(r)][ARMCONV_IDX(j)]; });
    });
    unroll<ROWS - 1>([&](auto r) {
      unroll<NV>([&](auto j) {
        acc[ARMCONV_IDX(r)][ARMCONV_IDX(j)] = old[(ARMCONV_IDX(r) + K) % ROWS][ARMCONV_IDX(j)];
      });
    });
  }
};

// ---------------------------------------------------------------------------
// Stride 1.

// Grid vectors one row of an NV-vector strip needs.
constexpr int s1_units(int nv, int d) { return (d + 4 * nv + 1) / 4 + 1; }

template <int NV, int D, bool CLAMP, class Load>
struct Strip1 : StripState<NV, 3, CLAMP, Load> {
  static constexpr int N = s1_units(NV, D);

  // The row's windows into the accumulators: acc[R] gets tap row 2 (its
  // last input row), acc[R+1] tap row 1, acc[R+2] tap row 0 (its first: the
  // row starts here, with a multiply; the bias is added in the store).
  template <int R>
  void feed(const float32x4_t* v) {
    auto& acc = this->acc;
    const float32x4_t* k = this->k;
    unroll<NV>([&](auto j_) {
      constexpr int j = ARMCONV_IDX(j_);
      unroll<3>([&](auto t_) {
        constexpr int t = ARMCONV_IDX(t_);
        constexpr int c = D + t + 4 * j, a = c / 4, s = c % 4;
        const float32x4_t win = window<s>(v[a], v[s ? a + 1 : a]);
        acc[R][j] = fma_tap<6 + t>(acc[R][j], win, k);
        acc[(R + 1) % 3][j] = fma_tap<3 + t>(acc[(R + 1) % 3][j], win, k);
        if (t == 0) acc[(R + 2) % 3][j] = mul_tap<0>(win, k);  // row s + 2 starts
        else acc[(R + 2) % 3][j] = fma_tap<t>(acc[(R + 2) % 3][j], win, k);
      });
    });
  }

  // Output row s (R = s mod 3): input row s - pt + 2 enters (LOAD: it is
  // inside the plane) and starts row s + 2, output row s leaves (STORE: s >= 0).
  template <int R, bool LOAD, bool STORE>
  void step() {
    if (LOAD) {
      float32x4_t v[N];
      this->load(this->x, this->w, v);
      feed<R>(v);
    } else {
      this->template zero_row<(R + 2) % 3>();
    }
    if (STORE) this->template store_row<R>();
  }

  // Steps i = -2 .. ho-1: step i loads input row i - pt + 2 if it is in
  // [0, h), and stores output row i if i >= 0. Leading steps that do neither
  // are skipped (the state is all zero); runs of steps that do both take the
  // loop unrolled 3x; the few others (top and bottom rows) go one at a time in
  // rotation 0 and then rotate the accumulators back.
  void run(size_t h, size_t ho, size_t pt) {
    Strip1& s = *this;
    const ptrdiff_t hh = ptrdiff_t(h), end = ptrdiff_t(ho), p = ptrdiff_t(pt);
    // First step that loads or stores: max(-2, min(p - 2, 0)).
    ptrdiff_t i = p >= 2 ? 0 : p - 2;
    while (i < end) {
      const ptrdiff_t iy = i - p + 2;
      const bool ld = iy >= 0 && iy < hh, st = i >= 0;
      if (ld && st) {
        const ptrdiff_t stop = hh + p - 2 < end ? hh + p - 2 : end;
        size_t n = size_t(stop - i);
        i = stop;
        for (; n >= 3; n -= 3) {
          keep_in_register(s.k);
          s.template step<0, true, true>();
          s.template step<1, true, true>();
          s.template step<2, true, true>();
        }
        if (n == 1) {
          s.template step<0, true, true>();
          s.template rotate<1>();
        } else if (n == 2) {
          s.template step<0, true, true>();
          s.template step<1, true, true>();
          s.template rotate<2>();
        }
      } else {
        if (ld) s.template step<0, true, false>();
        else if (st) s.template step<0, false, true>();
        else s.template step<0, false, false>();
        s.template rotate<1>();
        i++;
      }
    }
  }
};

// ---------------------------------------------------------------------------
// Stride 2.

// Pairs one row of an NV-vector strip needs: one past the largest pair index
// any of its windows touches.
constexpr int s2_units(int nv, int d) {
  int n = 0;
  for (int t = 0; t < 3; t++) {
    const int c = d + t + 8 * (nv - 1), h = c / 2, a = h / 4, s = h % 4;
    const int need = a + (s ? 2 : 1);
    n = need > n ? need : n;
  }
  return n;
}

template <int NV, int D, bool CLAMP, class Load>
struct Strip2 : StripState<NV, 2, CLAMP, Load> {
  static constexpr int N = s2_units(NV, D);

  // Stream E (0) or O (1) of pair A; the loader's known-zero pairs are zero.
  template <int A, int E>
  static float32x4_t half(const float32x4x2_t* v) {
    if constexpr (A < Load::kZ || A >= N - Load::kT) return vdupq_n_f32(0.0f);
    else return v[A].val[E];
  }

  // One row's windows times tap row KY into acc[A]; with FIRST also times
  // tap row 0 into acc[B] (the row is the last of one output row and the
  // first of the next).
  template <int KY, int A, bool FIRST, int B>
  void feed(const float32x4x2_t* v) {
    auto& acc = this->acc;
    const float32x4_t* k = this->k;
    unroll<NV>([&](auto j_) {
      constexpr int j = ARMCONV_IDX(j_);
      unroll<3>([&](auto t_) {
        constexpr int t = ARMCONV_IDX(t_);
        constexpr int c = D + t + 8 * j, h = c / 2, a = h / 4, s = h % 4, e = c % 2;
        const float32x4_t win = window<s>(half<a, e>(v), half<s ? a + 1 : a, e>(v));
        if (KY == 0 && t == 0) acc[A][j] = mul_tap<0>(win, k);  // row A starts
        else acc[A][j] = fma_tap<3 * KY + t>(acc[A][j], win, k);
        if (FIRST) {
          if (t == 0) acc[B][j] = mul_tap<0>(win, k);  // row B starts
          else acc[B][j] = fma_tap<t>(acc[B][j], win, k);
        }
      });
    });
  }

  template <int KY, int A, bool FIRST, int B>
  void load_feed() {
    float32x4x2_t v[N];
    this->load(this->x, this->w, v);
    feed<KY, A, FIRST, B>(v);
  }

  // Output row s (R = s mod 2): rows 2s-pt+1 (L1) and 2s-pt+2 (L2) enter if
  // inside the plane (the latter starts row s + 1), output row s leaves.
  template <int R, bool L1, bool L2>
  void step() {
    if (L1) load_feed<1, R, false, R>();
    if (L2) load_feed<2, R, true, 1 - R>();
    else this->template zero_row<1 - R>();
    this->template store_row<R>();
  }

  void run(size_t h, size_t ho, size_t pt) {
    Strip2& s = *this;
    const ptrdiff_t hh = ptrdiff_t(h), end = ptrdiff_t(ho), p = ptrdiff_t(pt);
    // Output row 0 starts with input row -pt (tap row 0) if that is row 0.
    if (pt == 0) s.template load_feed<0, 0, false, 0>();
    else s.template zero_row<0>();
    // Output rows with both new rows inside the plane: 2i - p + 1 >= 0 and
    // 2i - p + 2 <= h - 1.
    const ptrdiff_t lo = p / 2, hi = hh + p - 3 >= 0 ? (hh + p - 3) / 2 + 1 : 0;
    for (ptrdiff_t i = 0; i < end;) {
      if (i >= lo && i < hi) {
        const ptrdiff_t stop = hi < end ? hi : end;
        size_t n = size_t(stop - i);
        i = stop;
        for (; n >= 2; n -= 2) {
          keep_in_register(s.k);
          s.template step<0, true, true>();
          s.template step<1, true, true>();
        }
        if (n) {
          s.template step<0, true, true>();
          s.template rotate<1>();
        }
      } else {
        const ptrdiff_t r1 = 2 * i - p + 1;
        const bool l1 = r1 >= 0 && r1 < hh, l2 = r1 + 1 >= 0 && r1 + 1 < hh;
        if (l1 && l2) s.template step<0, true, true>();
        else if (l1) s.template step<0, true, false>();
        else if (l2) s.template step<0, false, true>();
        else s.template step<0, false, false>();
        s.template rotate<1>();
        i++;
      }
    }
  }
};

// ---------------------------------------------------------------------------
// Plane drivers: cut the output columns into strips and run each down the plane.

template <int STRIDE>
constexpr int units(int nv, int d) { return STRIDE == 1 ? s1_units(nv, d) : s2_units(nv, d); }

// One strip, start to end: the strip state is a local, and everything is
// inlined into the two functions below, so that it lives in registers.
template <int STRIDE, int NV, int D, bool CLAMP, class Load>
inline void strip_body(const DwPlane& p, size_t c0, size_t nout, Load load) {
  using Strip = typename std::conditional<STRIDE == 1, Strip1<NV, D, CLAMP, Load>,
                                          Strip2<NV, D, CLAMP, Load>>::type;
  Strip st;
  st.x = p.x + load.origin();
  st.y = p.y + c0;  // first output column
  st.w = p.w;
  st.wo = p.wo;
  st.nout = nout;
  st.k[0] = vld1q_f32(p.k);
  st.k[1] = vld1q_f32(p.k + 4);
  st.k[2] = vld1q_f32(p.k + 8);
  st.load = load;
  st.store.bias = vdupq_n_f32(p.k[9]);
  st.store.lo = vdupq_n_f32(p.lo);
  st.store.hi = vdupq_n_f32(p.hi);
  // Steps above the plane accumulate into rows that are never stored. (Only
  // constant indices into acc anywhere: the compiler then keeps it in registers.)
  unroll<sizeof(st.acc) / sizeof(st.acc[0])>([&](auto r) { st.template zero_row<ARMCONV_IDX(r)>(); });
  st.run(p.h, p.ho, p.pad_top);
}
// (gcc's pre-allocation scheduling costs register moves in the stride-1
// loops and saves some in the stride-2 ones.)
template <int NV, int D, bool CLAMP, class Load>
ARMCONV_NOINLINE ARMCONV_FLATTEN ARMCONV_NO_PRESCHED void strip1(const DwPlane& p, size_t c0,
                                                                 size_t nout, Load load) {
  strip_body<1, NV, D, CLAMP>(p, c0, nout, load);
}
template <int NV, int D, bool CLAMP, class Load>
ARMCONV_NOINLINE ARMCONV_FLATTEN void strip2(const DwPlane& p, size_t c0, size_t nout, Load load) {
  strip_body<2, NV, D, CLAMP>(p, c0, nout, load);
}
template <int STRIDE, int NV, int D, bool CLAMP, class Load>
void run_strip(const DwPlane& p, size_t c0, size_t nout, Load load) {
  if constexpr (STRIDE == 1) strip1<NV, D, CLAMP>(p, c0, nout, load);
  else strip2<NV, D, CLAMP>(p, c0, nout, load);
}

// Runs the fast strip of NV output vectors at output column c0 if it applies:
// whole output vectors, and grid units [g, g + N*unit) (g = the input column
// of the strip's first unit) whole and inside the row except at most one zero
// unit at each end. c0 need not be a multiple of 4: the last strip of a row
// may overlap the one before it (recomputing, and storing again, the same
// values) so that its units end where the row does. Returns whether it ran.
template <int STRIDE, int NV, int D, bool CLAMP>
ARMCONV_INLINE bool try_fast(const DwPlane& p, size_t c0) {
  constexpr int n = units<STRIDE>(NV, D);
  constexpr ptrdiff_t unit = 4 * STRIDE;
  if (c0 + 4 * NV > p.wo) return false;
  const ptrdiff_t g = STRIDE * ptrdiff_t(c0) - ptrdiff_t(p.pad_left) - D, w = ptrdiff_t(p.w);
  if (g < 0 && g != -unit) return false;
  const int z = g < 0, t = g + unit * n > w;
  if (g + unit * (n - t) > w || (t && g + unit * (n - 1) != w)) return false;
  const size_t off = size_t(g + z * unit);
  if (z == 0 && t == 0) run_strip<STRIDE, NV, D, CLAMP>(p, c0, 4, FastRow<n, 0, 0>{off});
  else if (z == 1 && t == 0) run_strip<STRIDE, NV, D, CLAMP>(p, c0, 4, FastRow<n, 1, 0>{off});
  else if (z == 0 && t == 1) run_strip<STRIDE, NV, D, CLAMP>(p, c0, 4, FastRow<n, 0, 1>{off});
  else if constexpr (NV == 1) run_strip<STRIDE, NV, D, CLAMP>(p, c0, 4, FastRow<n, 1, 1>{off});
  else return false;  // a plane this narrow takes the buffered strips
  return true;
}

// Runs a buffered strip of NV output vectors at output column c0 (a
// multiple of 4; the last vector may be partial).
template <int STRIDE, int NV, int D, bool CLAMP>
void run_buffered(const DwPlane& p, size_t c0) {
  constexpr int n = units<STRIDE>(NV, D);
  constexpr ptrdiff_t unit = 4 * STRIDE;
  const ptrdiff_t g = STRIDE * ptrdiff_t(c0) - ptrdiff_t(p.pad_left) - D, w = ptrdiff_t(p.w);
  const ptrdiff_t lo = g > 0 ? g : 0, hi = g + unit * n < w ? g + unit * n : w;
  alignas(16) float buf[n * unit] = {};
  BufRow<n, unit> load;
  load.buf = buf;
  load.lo = size_t(lo < hi ? lo : 0);
  load.n = size_t(lo < hi ? hi - lo : 0);
  load.at = size_t(lo < hi ? lo - g : 0);
  const size_t rest = p.wo - (c0 + 4 * (NV - 1));
  run_strip<STRIDE, NV, D, CLAMP>(p, c0, rest < 4 ? rest : 4, load);
}

// Which left paddings get fast strips: 0 and 1 (3x3 "valid" and "same"),
// i.e. D = 0 and D = 4*STRIDE - 1. Other paddings run correctly through the
// buffered strips; each extra D would add ~35 KB of code.
template <int STRIDE, int D>
constexpr bool kFastD = D == 0 || D == 4 * STRIDE - 1;

// Fast strips from the left, as wide as fit; then, for the columns left
// over, one fast strip that ends at the row's last column (overlapping the
// previous one) if its units line up with the row's end; otherwise buffered
// strips of 2 and 1 vectors.
template <int STRIDE, int D, bool CLAMP>
void plane(const DwPlane& p) {
  const size_t nvo = (p.wo + 3) / 4;
  size_t j = 0;
  // 5..7 output columns: one buffered strip beats a fast one plus a buffered one.
  const bool narrow = nvo == 2 && p.wo < 8;
  if constexpr (kFastD<STRIDE, D>) {
    while (j < nvo && !narrow) {
      if (try_fast<STRIDE, kWideNV, D, CLAMP>(p, 4 * j)) { j += kWideNV; continue; }
      // Stride 2 maps are narrow (28 and 14 columns are common): one more width.
      if (STRIDE == 2 && kWideNV > 3 && try_fast<STRIDE, 3, D, CLAMP>(p, 4 * j)) { j += 3; continue; }
      if (kWideNV > 2 && try_fast<STRIDE, 2, D, CLAMP>(p, 4 * j)) { j += 2; continue; }
      if (try_fast<STRIDE, 1, D, CLAMP>(p, 4 * j)) { j += 1; continue; }
      break;
    }
    if (j < nvo && !narrow) {
      // The narrowest strip that covers the rest and ends at column wo.
      const size_t rest = nvo - j, wo = p.wo;
      if (rest <= 1 && wo >= 4 && try_fast<STRIDE, 1, D, CLAMP>(p, wo - 4)) return;
      if (rest <= 2 && wo >= 8 && try_fast<STRIDE, 2, D, CLAMP>(p, wo - 8)) return;
      if (STRIDE == 2 && kWideNV > 3 && rest <= 3 && wo >= 12 &&
          try_fast<STRIDE, 3, D, CLAMP>(p, wo - 12))
        return;
      if (kWideNV > 2 && rest <= size_t(kWideNV) && wo >= 4 * size_t(kWideNV) &&
          try_fast<STRIDE, kWideNV, D, CLAMP>(p, wo - 4 * kWideNV))
        return;
    }
  }
  // (Two vectors per buffered strip halve the row copies of 5..8-column
  // maps; the rare left paddings without fast strips make do with one.)
  if constexpr (kFastD<STRIDE, D>)
    for (; j + 1 < nvo; j += 2) run_buffered<STRIDE, 2, D, CLAMP>(p, 4 * j);
  for (; j < nvo; j++) run_buffered<STRIDE, 1, D, CLAMP>(p, 4 * j);
}

// Picks the instantiation for the plane's left padding and activation.
template <int STRIDE, int... Ds>
void dispatch(const DwPlane& p, std::integer_sequence<int, Ds...>) {
  constexpr size_t unit = 4 * STRIDE;
  const size_t d = (unit - p.pad_left % unit) % unit;
  using Fn = void (*)(const DwPlane&);
  static constexpr Fn plain[] = {plane<STRIDE, Ds, false>...};
  static constexpr Fn clamped[] = {plane<STRIDE, Ds, true>...};
  (p.clamp ? clamped : plain)[d](p);
}

void stride1(const DwPlane& p) { dispatch<1>(p, std::make_integer_sequence<int, 4>()); }
void stride2(const DwPlane& p) { dispatch<2>(p, std::make_integer_sequence<int, 8>()); }

}  // namespace
}  // namespace detail
}  // namespace armconv

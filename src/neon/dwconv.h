// NEON depthwise K x K kernels (K = 3 or 5), stride 1 and 2, written once for
// both ISAs and both kernel sizes (intrinsics; an anonymous namespace):
// neon/aarch64/dwconv3x3_1x16.cpp, dwconv5x5_1x8.cpp and
// neon/armv7/dwconv3x3_1x8.cpp, dwconv5x5_1x4.cpp instantiate them with their
// strip width W (output vectors), one translation unit per stride
// (dw_stride1/2<K, W, CLAMP>: 3x3 both activations, 5x5 unclamped only,
// its clamped calls being the unclamped strips plus a clamp pass,
// neon/dwconv_clamp.h). Contract: core/dwconv.h (a run of channel planes
// per call, padding resolved here).
//
// Column strips, rows streamed. The output plane is cut into vertical strips
// NV vectors (4*NV columns) wide. A strip walks down the plane: each input row
// is loaded once (multi-register loads), its shifted windows are formed in
// registers with EXT, and it is multiplied into every output row it feeds with
// lane FMLAs (tap T = ky*K + kx is lane T%4 of packed vector T/4):
//
//   stride 1: input row iy feeds output rows iy+pt-(K-1) .. iy+pt (tap rows
//             K-1 .. 0): K rows of accumulators are live. They rotate as the
//             strip moves down; the loop is unrolled K times so the rotation
//             is a renaming.
//   stride 2: output row s reads input rows 2s-pt .. 2s-pt+K-1; each step
//             brings its last two (tap rows K-2 and K-1), which also feed the
//             rows after it (tap rows K-4, K-3, ..., 0): (K+1)/2 rows of
//             accumulators, loop unrolled (K+1)/2 times.
// A step skips the multiply-adds into rows that are never stored (above the
// plane at the top, below it at the bottom: exact for the usual shapes,
// see Strip1::run); a new output row starts with an FMUL of its first window
// (no bias copy); the bias is added in the store, with the optional clamp.
//
// Windows. Stride 1 reads the input through a grid of vectors V_m = x[4m .. 4m+3].
// Output column o reads input columns o - pl + {0 .. K-1}; with pl = 4L - D
// (0 <= D < 4) the output vector starting at column 4j needs, for tap column t,
// columns 4(j - L) + D + t + {0..3}: vext(V_a, V_a+1, (D+t) % 4) with
// a = j - L + (D+t)/4. For 3x3 pad 1 (D = 3) that is vext(V_j-1, V_j, 3), V_j
// and vext(V_j, V_j+1, 1): two EXTs per output vector and input row.
// Stride 2 reads pairs P_m = vld2q(x + 8m) = {E_m, O_m} (even and odd columns
// of x[8m .. 8m+7]); with pl = 8L - D, tap column t of output vector j reads
// columns 8(j - L) + c + 2i, c = D + t: stream E if c is even (O if odd),
// shifted by c/2 lanes. For 3x3 pad 1 (D = 7): vext(O_j-1, O_j, 3), E_j and
// O_j: one EXT.
//
// Borders without a padded copy. Grid units left of the row (m < 0) or wholly
// right of it are zero. A strip whose units are whole and inside the row,
// except one zero unit at its left (pad_left > 0) and/or its right end, and
// perhaps one unit that the row's end cuts (the "partial" unit), takes the
// fast path with the zero units known at compile time (for the left paddings
// of kFastD). A partial unit is loaded as the whole unit that ends at the
// row's end (no read past the row) and moved into place by one table lookup
// (TBL; armv7: two VTBL per vector, four for a pair), which also zeroes the
// lanes past the row. Rows narrower than such a strip and other left
// paddings go through buffered strips: each row's few columns are copied, in
// vectors, into a zeroed stack buffer that the strip reads whole units from;
// a partial last output vector is stored with a pair and a lane store.
// Rows above and below the plane are skipped. Nothing outside x[0 .. count*h*w)
// is read and nothing outside y[0 .. count*ho*wo) is written.
//
// Small maps (the row fits one strip: wo <= 4W): one whole-row strip runs all
// planes of the call in one loop, so a plane costs its rows plus a few
// instructions (taps, bias, pointers), not a call; the last output vector of
// a row is stored whole (its extra lanes land in the next row, which is
// stored after it), except in the plane's last row.
//
// Register budget (aarch64, stride 1): 3x3 with W = 4: 12 accumulators, 3 tap
// vectors, the bias, 6 grid vectors of the current row and its windows: fits
// the 32 V registers; 5x5 with W = 2: 10 accumulators, 7 tap vectors, 4 grid
// vectors. armv7 has 16 Q registers (and lane multiplies take their scalar
// from q0-q7): W = 2 for 3x3 (6 + 3 + 1 + 4 + windows), 1 for 5x5.
// Executed instructions per stride-1 3x3 step (one input row, 16 columns): 36
// FMLA/FMUL, 8 EXT, 4 FADD, 3 LDP, 2 STP, 2 ADD, 1/3 loop = 56 (2.57 MACs/insn);
// aarch64 fast strips take their windows straight from memory instead
// ("direct windows", Strip1: 3 LD1 and 1 ST1 post-indexed by register
// replace the LDPs, EXTs, STPs and ADDs: 36 FMLA/FMUL, 4 FADD, 3 LD1, 1 ST1,
// 1/3 loop = 44, 3.27 MACs/insn; with the ReLU6 clamp 52).
// Stride-2 3x3 with W = 4 (per output row, 16 columns): 36 FMLA/FMUL, 8 LD2,
// 8 EXT, 4 FADD, 3 ADD, 2 STP, 1/2 DUP, 1/2 loop = 63 (2.29 MACs/insn; gcc 12,
// with the stride-2 3x3 and stride-1 5x5 FMLAs pinned as asm: see fma_tap);
// aarch64 "same"-padded strips of 2 and 4 vectors load 16 columns per LD4
// and keep even and odd outputs apart (Strip2's direct windows: 4 LD4, 2
// LD1R, 4 EXT, 2 ST2 and the ADDs per output row).
//
// Compile cost. Every strip function is flattened (all steps of its
// top/loop/bottom sequences inlined): a few KB of code and about a second of
// gcc's time each, per stride and activation. So only the strips that rows
// of the usual shapes take are templates of their own; the rest share one
// run-time-parameterised path:
//   fast strips (units known at compile time): left paddings 0 and K/2
//   (kFastD), the layouts of try_fast() (the middle of a row, its right end,
//   its first strip), the regular step sequence only, top paddings 0 and K/2
//   (planes_fast(): the benchmarked shapes and the usual ones run only these);
//   whole-row strips: "same" padding only, not where the rows kernels run
//   (kWholeNV: 3x3 stride 1; 3x3 stride 2 of at most 8 outputs);
//   buffered strips (the row's columns copied into a zeroed buffer: any
//   left padding, any layout, any top padding and height): one D = 0
//   instantiation of 1 and 2 vectors, with the general step sequence.
// Each stride was a unit per activation (dw_stride1/2<K, W, CLAMP>: gcc's
// memory per unit). gcc 12, the four units of a kernel (`/usr/bin/time -f
// %U` per unit of a -j1 build, -O3 -DNDEBUG; session 24, before -> after
// this scheme): aarch64 3x3_1x16 103 -> 37 s, 5x5_1x8 143 -> 72 s (peak 887
// -> 647 MB); armv7 3x3_1x8 44 -> 17 s, 5x5_1x4 60 -> 28 s; strip code
// 1075 -> 460 KB (aarch64), 483 -> 196 KB (armv7). Before, a unit held
// about 20 strips per fast left padding, every layout, all with the
// one-step-at-a-time sequence too.
// Session 30: one unit per stride. 3x3: both activations, the strips that
// only rare planes take (buffered, "valid" padding, the narrower widths and
// whole rows) shared by both (kClampShared, kOwnStrip: an unclamped call
// runs them with infinite bounds); 5x5: unclamped only (its clamped calls:
// neon/dwconv_clamp.h). The two strip units per kernel, user CPU of gcc 12
// -O3 -DNDEBUG (build-meas/tu_times.sh of the worktree: the exact
// `ninja -t commands` line, no ccache): aarch64 3x3 27.6 -> 20.6 s, 5x5
// 60.5 -> 30.5 s; armv7 3x3 14.0 -> 10.0 s, 5x5 22.5 -> 11.1 s.
#pragma once

#include <arm_neon.h>

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <limits>
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

// Calls f(std::integral_constant<int, i>()) for i = 0 .. N-1.
template <class F, int... I>
ARMCONV_INLINE void unroll_impl(F&& f, std::integer_sequence<int, I...>) {
  (f(std::integral_constant<int, I>()), ...);
}
template <int N, class F>
ARMCONV_INLINE void unroll(F&& f) {
  unroll_impl(f, std::make_integer_sequence<int, N>());
}
#define ARMCONV_IDX(i) decltype(i)::value

// Hides the taps' loop invariance from the compiler: otherwise gcc hoists a
// DUP of every tap out of the loop (9 registers instead of 3, then spills)
// and uses vector FMLAs instead of lane FMLAs.
// (No lambda around the asm: clang 14 rejects a captured variable as an asm
// operand inside a generic lambda.)
ARMCONV_INLINE void keep_in_register1(float32x4_t& v) {
#if defined(__GNUC__) && defined(__aarch64__)
  __asm__("" : "+w"(v));
#else
  (void)v;
#endif
}
template <int... I>
ARMCONV_INLINE void keep_in_register_impl(float32x4_t* k, std::integer_sequence<int, I...>) {
  (keep_in_register1(k[I]), ...);
}
template <int NK>
ARMCONV_INLINE void keep_in_register(float32x4_t* k) {
  keep_in_register_impl(k, std::make_integer_sequence<int, NK>());
}

// ---------------------------------------------------------------------------
// Arithmetic and memory helpers.

// Packed vectors of a K x K kernel (taps, bias, zeros: core/dwconv.h).
template <int K>
constexpr int kTapVectors = int(dw_packed_floats(size_t(K) * size_t(K))) / 4;

// acc + x * tap[T], tap T being lane T%4 of k[T/4].
// PIN (aarch64, gcc/clang): the lane FMLA as an asm statement. gcc otherwise
// may CSE the lane broadcast of a tap that several FMLAs of a step share
// into a DUP per tap and loop iteration plus vector FMLAs (the stride-2 3x3
// loop: 9 DUPs per 2 steps); an asm FMLA has nothing to share.
#define ARMCONV_FMLA_LANE(L) \
  __asm__("fmla %0.4s, %1.4s, %2.s[" #L "]" : "+w"(acc) : "w"(x), "w"(k[T / 4]))
template <int T, bool PIN = false>
ARMCONV_INLINE float32x4_t fma_tap(float32x4_t acc, float32x4_t x, const float32x4_t* k) {
#if defined(__aarch64__)
#if defined(__GNUC__)
  if constexpr (PIN) {
    if constexpr (T % 4 == 0) ARMCONV_FMLA_LANE(0);
    else if constexpr (T % 4 == 1) ARMCONV_FMLA_LANE(1);
    else if constexpr (T % 4 == 2) ARMCONV_FMLA_LANE(2);
    else ARMCONV_FMLA_LANE(3);
    return acc;
  }
#endif
  return vfmaq_laneq_f32(acc, x, k[T / 4], T % 4);
#else
  // A32 has no fused multiply-add by scalar; VMLA by scalar rounds twice,
  // which stays well inside the error bound of a K*K-term dot product.
  return vmlaq_lane_f32(acc, x, (T % 4) < 2 ? vget_low_f32(k[T / 4]) : vget_high_f32(k[T / 4]),
                        T % 2);
#endif
}

// x * tap[T]: the first term of an output row.
template <int T>
ARMCONV_INLINE float32x4_t mul_tap(float32x4_t x, const float32x4_t* k) {
#if defined(__aarch64__)
  return vmulq_laneq_f32(x, k[T / 4], T % 4);
#else
  return vmulq_lane_f32(x, (T % 4) < 2 ? vget_low_f32(k[T / 4]) : vget_high_f32(k[T / 4]), T % 2);
#endif
}

// The window starting S lanes into the pair (a, b), S in 0..4.
template <int S>
ARMCONV_INLINE float32x4_t window(float32x4_t a, float32x4_t b) {
  if constexpr (S == 0) return a;
  else if constexpr (S == 4) return b;
  else return vextq_f32(a, b, S);
}

// N consecutive vectors from p.
template <int N>
ARMCONV_INLINE void load_vectors(const float* p, float32x4_t* v) {
  for (int i = 0; i < N; i++) v[i] = vld1q_f32(p + 4 * i);
}

// vld2q_f32(p), then p += 8, as the even (e) and odd (o) columns. gcc would
// give each of a row's LD2s its own address register (LD2 has no offset
// form), each advanced once per row; the empty asm on the pointer keeps one
// pointer, stepped by the post-indexed form. (Not an asm LD2: gcc 12 passes
// an asm tuple output through the stack and then keeps the whole stride-2
// strip state there.)
ARMCONV_INLINE void load2_advance(const float*& p, float32x4_t& e, float32x4_t& o) {
  const float32x4x2_t v = vld2q_f32(p);
  p += 8;
#if defined(__GNUC__)
  __asm__("" : "+r"(p));
#endif
  e = v.val[0];
  o = v.val[1];
}

// ---- partial units: the unit that the row's end cuts --------------------------
// A unit of which only the first P floats are in the row (P = 1 .. 4S-1) is
// loaded as the whole unit that ends at the row's end, then each result byte
// is picked by a table lookup (index >= table size: zero). Indices:
//   stride 1: lane i < P of the result = lane 4 - P + i of x[end-4 .. end-1];
//   stride 2: the pair's even lane i = float 8 - P + 2i of x[end-8 .. end-1]
//             (if 2i < P), odd lane i = float 8 - P + 2i + 1 (if 2i + 1 < P).
struct TailIndex {
  uint8_t b[16];
};
constexpr TailIndex tail_index(int unit, int p, int odd) {
  TailIndex t{};
  for (int lane = 0; lane < 4; lane++) {
    const int src = unit == 4 ? 4 - p + lane : 8 - p + 2 * lane + odd;  // float of the loaded unit
    const bool in = unit == 4 ? lane < p : 2 * lane + odd < p;
    for (int byte = 0; byte < 4; byte++) t.b[4 * lane + byte] = in ? uint8_t(4 * src + byte) : 0xff;
  }
  return t;
}
template <int... P>
constexpr auto tail_table(int unit, int odd, std::integer_sequence<int, P...>) {
  struct Table {
    TailIndex t[sizeof...(P)];
  };
  return Table{{tail_index(unit, P, odd)...}};
}
constexpr auto kTail1 = tail_table(4, 0, std::make_integer_sequence<int, 4>());   // [P]
constexpr auto kTail2E = tail_table(8, 0, std::make_integer_sequence<int, 8>());  // [P]
constexpr auto kTail2O = tail_table(8, 1, std::make_integer_sequence<int, 8>());

inline uint8x16_t load_index(const TailIndex& t) { return vld1q_u8(t.b); }

// Bytes of `tab` picked by idx (an index past the table gives zero).
ARMCONV_INLINE float32x4_t lookup1(float32x4_t tab, uint8x16_t idx) {
  const uint8x16_t t = vreinterpretq_u8_f32(tab);
#if defined(__aarch64__)
  return vreinterpretq_f32_u8(vqtbl1q_u8(t, idx));
#else
  const uint8x8x2_t tt = {{vget_low_u8(t), vget_high_u8(t)}};
  return vreinterpretq_f32_u8(vcombine_u8(vtbl2_u8(tt, vget_low_u8(idx)), vtbl2_u8(tt, vget_high_u8(idx))));
#endif
}
// The even (e) and odd (o) columns of the pair of vectors at p, picked by
// the stride-2 indices ia and ib. aarch64: the two table vectors come from
// one LD1 of two registers (a table built from two separate vectors is a
// tuple that gcc 12 builds on the stack, and then spills the strip state).
ARMCONV_INLINE void lookup2(const float* p, uint8x16_t ia, uint8x16_t ib, float32x4_t& e, float32x4_t& o) {
#if defined(__aarch64__)
  const uint8x16x2_t t = vld1q_u8_x2(reinterpret_cast<const uint8_t*>(p));
  e = vreinterpretq_f32_u8(vqtbl2q_u8(t, ia));
  o = vreinterpretq_f32_u8(vqtbl2q_u8(t, ib));
#else
  const uint8x16_t ua = vreinterpretq_u8_f32(vld1q_f32(p)), ub = vreinterpretq_u8_f32(vld1q_f32(p + 4));
  const uint8x8x4_t t = {{vget_low_u8(ua), vget_high_u8(ua), vget_low_u8(ub), vget_high_u8(ub)}};
  e = vreinterpretq_f32_u8(vcombine_u8(vtbl4_u8(t, vget_low_u8(ia)), vtbl4_u8(t, vget_high_u8(ia))));
  o = vreinterpretq_f32_u8(vcombine_u8(vtbl4_u8(t, vget_low_u8(ib)), vtbl4_u8(t, vget_high_u8(ib))));
#endif
}

// Output stage: bias, optional clamp (FMAX/FMIN propagate NaN), store.
template <bool CLAMP>
struct Store {
  float32x4_t bias, lo, hi;
  ARMCONV_INLINE float32x4_t act(float32x4_t v) const {
    v = vaddq_f32(v, bias);
    return CLAMP ? vminq_f32(vmaxq_f32(v, lo), hi) : v;
  }
  ARMCONV_INLINE void full(float* y, float32x4_t v) const { vst1q_f32(y, act(v)); }
  // The first n (1..3) lanes: a pair store and/or a lane store.
  ARMCONV_INLINE void partial(float* y, float32x4_t v, size_t n) const {
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

// Fast: the first Z and the last T of the N units are zero, the others inside
// the row, all whole except, if PART, the last loaded one (cut by the row's
// end); `off` = float offset of the first loaded unit, which the strip adds
// to its row pointer once (`row` then points at that unit).
// PART: offset of the whole unit that ends at the row's end, from the end
// of the whole units before it; the lookup indices. (Only in strips that
// have a partial unit: gcc keeps a larger strip state in memory.)
template <bool PART>
struct PartialUnit {
  ptrdiff_t tail;
  uint8x16_t ia, ib;
};
template <>
struct PartialUnit<false> {};

template <int N, int Z, int T, bool PART>
struct FastRow : PartialUnit<PART> {
  static constexpr bool kEdge = false;
  static constexpr int kZ = Z, kT = T;  // units the strip treats as zero (not loaded)
  static constexpr int kLoaded = N - Z - T, kWhole = kLoaded - (PART ? 1 : 0);
  size_t off;
  size_t origin() const { return off; }
  ARMCONV_INLINE void operator()(const float*& row, size_t w, float32x4_t* v) const {
    unroll<Z>([&](auto i) { v[ARMCONV_IDX(i)] = vdupq_n_f32(0.0f); });
    load_vectors<kWhole>(row, v + Z);
    if constexpr (PART) v[Z + kWhole] = lookup1(vld1q_f32(row + 4 * kWhole + this->tail), this->ia);
    unroll<T>([&](auto i) { v[N - T + ARMCONV_IDX(i)] = vdupq_n_f32(0.0f); });
    row += w;
  }
  // Stride 2: pair m as its even (e[m]) and odd (o[m]) columns.
  ARMCONV_INLINE void operator()(const float*& row, size_t w, float32x4_t* e, float32x4_t* o) const {
    // Zero pairs are left out (the stride-2 strip reads them as zero through kZ/kT).
    // (A local pointer: the strip's own row pointer would stay in memory.)
    const float* q = row;
    unroll<kWhole>([&](auto i) { load2_advance(q, e[Z + ARMCONV_IDX(i)], o[Z + ARMCONV_IDX(i)]); });
    if constexpr (PART) {
      lookup2(q + this->tail, this->ia, this->ib, e[Z + kWhole], o[Z + kWhole]);
    }
    row = q + (w - 8 * kWhole);
  }
};

// Buffered: for strips whose units are not all whole or zero (rows narrower
// than the strip, left paddings without a fast strip). The units [g, g +
// N*UNIT) of a row live in a small buffer, zeroed once per strip; each row
// copies its columns [lo, hi) = [g, g + N*UNIT) & [0, w) in, in vectors (the
// last one overlapping the one before, so nothing past x[hi) is read), and
// the strip loads whole units from it. The buffer belongs to the caller:
// inside the strip state, its escaping address would keep the accumulators
// out of registers.
template <int N, int UNIT>
struct BufRow {
  static constexpr bool kEdge = true;  // its strips may end in a partial output vector
  static constexpr int kZ = 0, kT = 0;
  float* buf;        // N*UNIT floats, zero outside [at, at + n)
  size_t lo, n, at;  // row columns [lo, lo + n) go to buf[at ..]
  size_t origin() const { return lo; }
  ARMCONV_INLINE void copy(const float* s) {
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
  ARMCONV_INLINE void operator()(const float*& row, size_t w, float32x4_t* v) {
    copy(row);
    load_vectors<N>(buf, v);
    row += w;
  }
  ARMCONV_INLINE void operator()(const float*& row, size_t w, float32x4_t* e, float32x4_t* o) {
    copy(row);
    unroll<N>([&](auto i) {
      const float32x4x2_t v = vld2q_f32(buf + 8 * ARMCONV_IDX(i));
      e[ARMCONV_IDX(i)] = v.val[0];
      o[ARMCONV_IDX(i)] = v.val[1];
    });
    row += w;
  }
};

// What every strip holds. WHOLE: the strip is the whole row (small maps):
// the last output vector is stored whole except in the plane's last row.
template <int K, int NV, int ROWS, int CLAMP, bool WHOLE, class Load>
struct StripState {
  static constexpr int NK = kTapVectors<K>;
  const float* x;      // next input row to load (plus the loader's origin)
  float* y;            // next output row to store (first column of the strip)
  size_t w, wo, nout;  // nout: valid columns of the last output vector (1..4)
  float32x4_t k[NK];
  Load load;
  Store<CLAMP != 0> store;
  float32x4_t acc[ROWS][NV];

  // Stores accumulator row A (LAST: the strip's last output row).
  template <int A, bool LAST>
  ARMCONV_INLINE void store_row() {
    unroll<NV - 1>([&](auto j) { store.full(y + 4 * ARMCONV_IDX(j), acc[A][ARMCONV_IDX(j)]); });
    float* yl = y + 4 * (NV - 1);
    if constexpr (Load::kEdge || (WHOLE && LAST)) {
      if (nout == 4) store.full(yl, acc[A][NV - 1]);
      else store.partial(yl, acc[A][NV - 1], nout);
    } else {
      store.full(yl, acc[A][NV - 1]);
    }
    y += wo;
  }
  // Row A starts with no terms (its first rows are outside the plane).
  template <int A>
  ARMCONV_INLINE void zero_row() {
    unroll<NV>([&](auto j) { acc[A][ARMCONV_IDX(j)] = vdupq_n_f32(0.0f); });
  }
  ARMCONV_INLINE void zero_rows() {
    unroll<ROWS>([&](auto r) { zero_row<ARMCONV_IDX(r)>(); });
  }
  // acc[r] = acc[(r + S) % ROWS]: undoes a rotation by S, so that the next
  // step finds its output row in acc[0] again.
  template <int S>
  ARMCONV_INLINE void rotate() {
    if constexpr (S % ROWS != 0) {
      float32x4_t old[ROWS][NV];
      unroll<ROWS>([&](auto r) {
        unroll<NV>([&](auto j) { old[ARMCONV_IDX(r)][ARMCONV_IDX(j)] = acc[ARMCONV_IDX(r)][ARMCONV_IDX(j)]; });
      });
      unroll<ROWS>([&](auto r) {
        unroll<NV>([&](auto j) {
          acc[ARMCONV_IDX(r)][ARMCONV_IDX(j)] = old[(ARMCONV_IDX(r) + S) % ROWS][ARMCONV_IDX(j)];
        });
      });
    }
  }
  // Called once a plane's x and y are set (Strip1's direct windows: their
  // row pointers).
  ARMCONV_INLINE void begin_plane() {}
  // Sets up a plane's taps and bias (packed at pk).
  ARMCONV_INLINE void taps(const float* pk) {
    unroll<NK>([&](auto i) { k[ARMCONV_IDX(i)] = vld1q_f32(pk + 4 * ARMCONV_IDX(i)); });
    store.bias = vld1q_dup_f32(pk + K * K);
  }
};

// The top paddings whose step sequences the fast strips carry: 0 ("valid",
// and the row blocks of a plane cut into blocks), K/2 ("same") and the one
// that needs no sequence (stride 1: K-1, stride 2: K-2). Planes with other
// top paddings take buffered strips (planes_fast).
template <int STRIDE, int K>
constexpr bool fast_top(ptrdiff_t pt) { return pt == 0 || pt == K / 2 || pt == (STRIDE == 1 ? K - 1 : K - 2); }

// ---------------------------------------------------------------------------
// Stride 1.

// Grid vectors one row of an NV-vector strip needs: one past the largest
// vector any window touches (column D + K-1 + 4(NV-1) + 3).
constexpr int s1_units(int k, int nv, int d) { return (d + k + 4 * nv - 2) / 4 + 1; }

#if defined(__GNUC__) && defined(__aarch64__)
// aarch64 3x3 fast strips: direct windows (see Strip1). LD1 of NREG = 1..4
// consecutive vectors from p, then p += step bytes (post-indexed by
// register); the destination registers are fixed by the caller's register
// variables (LD1 needs consecutive registers): a0..a3 are its first .. last.
#define ARMCONV_DIRECT_WINDOWS 1
// (Macros, not functions: a register variable passed to a function is no
// longer pinned to its register.)
#define ARMCONV_LD1_POST(NREG, p, step, a0, a1, a2, a3)                                          \
  do {                                                                                           \
    if constexpr ((NREG) == 1)                                                                   \
      __asm__("ld1 {%0.4s}, [%4], %5" : "=w"(a0), "=w"(a1), "=w"(a2), "=w"(a3), "+r"(p) : "r"(step)); \
    else if constexpr ((NREG) == 2)                                                              \
      __asm__("ld1 {%0.4s, %1.4s}, [%4], %5"                                                     \
              : "=w"(a0), "=w"(a1), "=w"(a2), "=w"(a3), "+r"(p) : "r"(step));                    \
    else if constexpr ((NREG) == 3)                                                              \
      __asm__("ld1 {%0.4s, %1.4s, %2.4s}, [%4], %5"                                              \
              : "=w"(a0), "=w"(a1), "=w"(a2), "=w"(a3), "+r"(p) : "r"(step));                    \
    else if constexpr ((NREG) == 4)                                                              \
      __asm__("ld1 {%0.4s, %1.4s, %2.4s, %3.4s}, [%4], %5"                                       \
              : "=w"(a0), "=w"(a1), "=w"(a2), "=w"(a3), "+r"(p) : "r"(step));                    \
  } while (0)
// ST1 of NREG = 1..4 consecutive vectors (a0 first) to q, then q += step bytes.
#define ARMCONV_ST1_POST(NREG, q, step, a0, a1, a2, a3)                                          \
  do {                                                                                           \
    if constexpr ((NREG) == 1)                                                                   \
      __asm__ volatile("st1 {%1.4s}, [%0], %2" : "+r"(q) : "w"(a0), "r"(step) : "memory");       \
    else if constexpr ((NREG) == 2)                                                              \
      __asm__ volatile("st1 {%1.4s, %2.4s}, [%0], %3"                                            \
                       : "+r"(q) : "w"(a0), "w"(a1), "r"(step) : "memory");                      \
    else if constexpr ((NREG) == 3)                                                              \
      __asm__ volatile("st1 {%1.4s, %2.4s, %3.4s}, [%0], %4"                                     \
                       : "+r"(q) : "w"(a0), "w"(a1), "w"(a2), "r"(step) : "memory");             \
    else if constexpr ((NREG) == 4)                                                              \
      __asm__ volatile("st1 {%1.4s, %2.4s, %3.4s, %4.4s}, [%0], %5"                              \
                       : "+r"(q) : "w"(a0), "w"(a1), "w"(a2), "w"(a3), "r"(step) : "memory");    \
  } while (0)
#endif

// Direct windows (aarch64, 3x3 fast strips): instead of loading the grid
// vectors and forming the shifted windows with EXT (two per output vector and
// row), each tap column's NV windows are one LD1 of NV consecutive vectors
// from the column where they start (unaligned), through a pointer of its own
// post-indexed by the row stride: per 16-column row 3 LD1 instead of 3 LDP,
// 8 EXT and an ADD; the stores one ST1 post-indexed by the output row stride
// instead of 2 STP and an ADD. Window (j, t) starts at column g + D + 4j + t
// (g: the grid's first column). A zero unit at the left (Z) holds window
// (0, 0)'s first lane: ext(zero, window (0, 1), 3), the zero the taps' last
// lane; one at the right (T) window (NV-1, 2)'s last lane: ext(window (NV-1,
// 1), zero, 1). Only for loaders with whole units inside the row (FastRow
// without a partial unit), so no load reaches past a window the strip needs.
template <int K, int D, bool WHOLE, class Load>
constexpr bool kDirectWindows =
#if defined(ARMCONV_DIRECT_WINDOWS)
    K == 3 && !WHOLE && !Load::kEdge && (D == 3 || (Load::kZ == 0 && Load::kT == 0));
#else
    false;
#endif

template <int K, int NV, int D, int CLAMP, bool WHOLE, class Load>
struct Strip1 : StripState<K, NV, K, CLAMP, WHOLE, Load> {
  static constexpr int N = s1_units(K, NV, D);
  using Base = StripState<K, NV, K, CLAMP, WHOLE, Load>;
  static constexpr bool kDirect = kDirectWindows<K, D, WHOLE, Load>;
  static constexpr int Z = Load::kZ, T = Load::kT;

  // Direct windows: the next row's windows of tap column t at pt[t] (t = 0:
  // from vector Z's; 1: vector 0's; 2: vector 0's); byte steps of a row.
#if defined(ARMCONV_DIRECT_WINDOWS)
  const float* pt[3];
  ptrdiff_t xstep, ystep;
#endif
  ARMCONV_INLINE void begin_plane() {
#if defined(ARMCONV_DIRECT_WINDOWS)
    if constexpr (kDirect) {
      // this->x: the row at the first loaded unit, column g + 4Z.
      const float* w1 = this->x + D - 4 * Z + 1;  // window (0, 1)
      pt[0] = w1 - 1 + 4 * Z;
      pt[1] = w1;
      pt[2] = w1 + 1;
      xstep = ptrdiff_t(this->w * sizeof(float));
      ystep = ptrdiff_t(this->wo * sizeof(float));
      __asm__("" : "+r"(xstep), "+r"(ystep));
    }
#endif
  }

#if defined(ARMCONV_DIRECT_WINDOWS)
  // The windows of one row, one tap column at a time: LD1 into v28-v31
  // (register map: window j of the column in v28+j; the same four registers
  // for the three columns, then for the stores), then that column's
  // multiply-adds (the terms of every output in feed()'s order: tap column
  // 0, 1, 2 within a tap row). Z: window (0, 0) from its own load of
  // window (0, 1) (the column's LD1 starts at window (1, 0)); T: window
  // (NV-1, 2) from window (NV-1, 1), formed while that one is loaded.
  template <int R, int SKIP, int LIVE, int TC>
  ARMCONV_INLINE void feed_column(float32x4_t w0, float32x4_t w1, float32x4_t w2, float32x4_t w3) {
    auto& acc = this->acc;
    const float32x4_t* k = this->k;
    const float32x4_t w[4] = {w0, w1, w2, w3};
    unroll<NV>([&](auto j_) {
      constexpr int j = ARMCONV_IDX(j_);
      unroll<LIVE - SKIP>([&](auto mm) {
        constexpr int m = SKIP + ARMCONV_IDX(mm), ky = K - 1 - m, r = (R + m) % K;
        if constexpr (ky == 0 && TC == 0) {
          // (As asm: gcc turns the intrinsic into a DUP of the tap and a
          // vector FMUL into the window's register, after copying it out.)
          float32x4_t v;
          __asm__("fmul %0.4s, %1.4s, %2.s[0]" : "=w"(v) : "w"(w[j]), "w"(k[0]));
          acc[r][j] = v;
        } else {
          acc[r][j] = fma_tap<ky * K + TC, true>(acc[r][j], w[j], k);
        }
      });
    });
  }
  template <int R, int SKIP, int LIVE>
  ARMCONV_INLINE void feed_direct() {
    register float32x4_t a0 __asm__("v28"), a1 __asm__("v29"), a2 __asm__("v30"), a3 __asm__("v31");
    if constexpr (Z) {
      const float32x4_t first = vextq_f32(this->k[2], vld1q_f32(pt[1]), 3);  // window (0, 0)
      ARMCONV_LD1_POST(NV - 1, pt[0], xstep, a0, a1, a2, a3);
      if constexpr (NV == 1) feed_column<R, SKIP, LIVE, 0>(first, first, first, first);
      else if constexpr (NV == 2) feed_column<R, SKIP, LIVE, 0>(first, a0, a0, a0);
      else if constexpr (NV == 3) feed_column<R, SKIP, LIVE, 0>(first, a0, a1, a1);
      else feed_column<R, SKIP, LIVE, 0>(first, a0, a1, a2);
    } else {
      ARMCONV_LD1_POST(NV, pt[0], xstep, a0, a1, a2, a3);
      feed_column<R, SKIP, LIVE, 0>(a0, a1, a2, a3);
    }
    ARMCONV_LD1_POST(NV, pt[1], xstep, a0, a1, a2, a3);
    float32x4_t last = vdupq_n_f32(0.0f);
    if constexpr (T) {  // window (NV-1, 2)
      const float32x4_t b = NV == 1 ? a0 : NV == 2 ? a1 : NV == 3 ? a2 : a3;
      last = vextq_f32(b, vdupq_n_f32(0.0f), 1);
    }
    feed_column<R, SKIP, LIVE, 1>(a0, a1, a2, a3);
    ARMCONV_LD1_POST(NV - T, pt[2], xstep, a0, a1, a2, a3);
    if constexpr (!T) feed_column<R, SKIP, LIVE, 2>(a0, a1, a2, a3);
    else if constexpr (NV == 1) feed_column<R, SKIP, LIVE, 2>(last, last, last, last);
    else if constexpr (NV == 2) feed_column<R, SKIP, LIVE, 2>(a0, last, last, last);
    else if constexpr (NV == 3) feed_column<R, SKIP, LIVE, 2>(a0, a1, last, last);
    else feed_column<R, SKIP, LIVE, 2>(a0, a1, a2, last);
  }
  // Stores accumulator row A whole: the output stage into v28-v31, one ST1.
  template <int A>
  ARMCONV_INLINE void store_direct() {
    auto& acc = this->acc;
    register float32x4_t s0 __asm__("v28"), s1 __asm__("v29"), s2 __asm__("v30"), s3 __asm__("v31");
    s0 = this->store.act(acc[A][0]);
    if constexpr (NV > 1) s1 = this->store.act(acc[A][NV > 1 ? 1 : 0]);
    if constexpr (NV > 2) s2 = this->store.act(acc[A][NV > 2 ? 2 : 0]);
    if constexpr (NV > 3) s3 = this->store.act(acc[A][NV > 3 ? 3 : 0]);
    ARMCONV_ST1_POST(NV, this->y, ystep, s0, s1, s2, s3);
  }
#endif

  // The row's windows into the accumulators of the output rows it feeds
  // that are stored (m in [SKIP, LIVE)): acc[(R + m) % K] gets tap row
  // K-1-m; m = K-1 is the row it starts (with a multiply; the bias is added
  // in the store).
  template <int R, int SKIP, int LIVE>
  ARMCONV_INLINE void feed(const float32x4_t* v) {
    auto& acc = this->acc;
    const float32x4_t* k = this->k;
    unroll<NV>([&](auto j_) {
      constexpr int j = ARMCONV_IDX(j_);
      unroll<K>([&](auto t_) {
        constexpr int t = ARMCONV_IDX(t_);
        constexpr int c = D + t + 4 * j, a = c / 4, s = c % 4;
        const float32x4_t win = window<s>(v[a], v[s ? a + 1 : a]);
        unroll<LIVE - SKIP>([&](auto mm) {
          constexpr int m = SKIP + ARMCONV_IDX(mm), ky = K - 1 - m, r = (R + m) % K;
          if constexpr (ky == 0 && t == 0) acc[r][j] = mul_tap<0>(win, k);
          else acc[r][j] = fma_tap<ky * K + t, K == 5>(acc[r][j], win, k);
        });
      });
    });
  }

  // Step i (R = i mod K): input row i - pt + K-1 enters (LOAD: it is inside
  // the plane) and starts row i + K-1; output row i leaves (stored if SKIP
  // is 0, i.e. i >= 0). Rows i + m for m outside [SKIP, LIVE) are never
  // stored and get nothing.
  template <int R, bool LOAD, int SKIP, int LIVE>
  ARMCONV_INLINE void step() {
#if defined(ARMCONV_DIRECT_WINDOWS)
    if constexpr (kDirect) {
      if constexpr (LOAD) feed_direct<R, SKIP, LIVE>();
      else if constexpr (LIVE == K) this->template zero_row<(R + K - 1) % K>();
      if constexpr (SKIP == 0) store_direct<R>();
      return;
    }
#endif
    if constexpr (LOAD) {
      float32x4_t v[N];
      this->load(this->x, this->w, v);
      feed<R, SKIP, LIVE>(v);
    } else if constexpr (LIVE == K) {
      this->template zero_row<(R + K - 1) % K>();
    }
    if constexpr (SKIP == 0) this->template store_row<R, LIVE == 1>();
  }

  // Top: steps i = -S .. -1 (S = K-1-pt), each loading a row (R = i mod K).
  template <int S>
  ARMCONV_INLINE void top() {
    if constexpr (S > 0) {
      step<K - S, true, S, K>();
      top<S - 1>();
    }
  }
  // Bottom: steps i = ho-L .. ho-1 (L = K-1 .. 1), R = K-1-L after the
  // rotation to 0: row i + L and below are past the plane.
  template <int L>
  ARMCONV_INLINE void bottom(ptrdiff_t i, ptrdiff_t last_load) {
    if constexpr (L > 0) {
      if (i <= last_load) step<K - 1 - L, true, 0, L>();
      else step<K - 1 - L, false, 0, L>();
      bottom<L - 1>(i + 1, last_load);
    }
  }

  // Steps i = -(K-1) .. ho-1: step i loads input row i - pt + K-1 if it is
  // in [0, h), and stores output row i if i >= 0. Leading steps that do
  // neither are skipped (the state is all zero).
  // Regular planes (pt <= K-1, h >= K-1-pt, ho >= K-1): the top steps (i < 0)
  // all load, each in its own rotation; then steps that load and whose K
  // rows are all stored take the loop unrolled K times; then the steps that
  // load no more but still have K rows to feed one at a time (deep bottom
  // padding), and the last K-1 steps in a fixed sequence. Other planes step
  // one at a time, skipping only rows above the plane and below the last.
  // Fast strips (every loader but the buffered one) have only the regular
  // sequence, unchecked, and only the top sequences of the paddings in
  // fast_top: planes_fast() sends every other plane to the buffered strips,
  // whose general sequence (regular, or one step at a time) is the only
  // one with a run-time choice.
  template <int S>
  static constexpr bool kTop = Load::kEdge || fast_top<1, K>(K - 1 - S);
  ARMCONV_INLINE void run(size_t h, size_t ho, size_t pt) {
    Strip1& s = *this;
    const ptrdiff_t hh = ptrdiff_t(h), end = ptrdiff_t(ho), p = ptrdiff_t(pt);
    const ptrdiff_t last_load = hh - K + p;  // the last step that loads
    assert(Load::kEdge || ((p <= K - 1 && hh >= K - 1 - p && end >= K - 1) && fast_top<1, K>(p)));
    if (!Load::kEdge || (p <= K - 1 && hh >= K - 1 - p && end >= K - 1)) {
      // Top: S = K-1-p steps.
      switch (K - 1 - p) {
        case 1: if constexpr (kTop<1>) s.template top<1>(); break;
        case 2: if constexpr (K > 2 && kTop<2>) s.template top<2>(); break;
        case 3: if constexpr (K > 3 && kTop<3>) s.template top<3>(); break;
        case 4: if constexpr (K > 4 && kTop<4>) s.template top<4>(); break;
        default: break;
      }
      ptrdiff_t i = 0;
      const ptrdiff_t stop = last_load + 1 < end - K + 1 ? last_load + 1 : end - K + 1;
      if (stop > 0) {
        size_t n = size_t(stop);
        i = stop;
        for (; n >= size_t(K); n -= size_t(K)) {
          keep_in_register<Base::NK>(s.k);
          unroll<K>([&](auto r) { s.template step<ARMCONV_IDX(r), true, 0, K>(); });
        }
        // The remaining n < K steps, then back to rotation 0.
        switch (n) {
          case 1: s.template step<0, true, 0, K>(); s.template rotate<1>(); break;
          case 2: unroll<2>([&](auto r) { s.template step<ARMCONV_IDX(r), true, 0, K>(); });
                  s.template rotate<2>(); break;
          case 3: if constexpr (K > 3) {
                    unroll<3>([&](auto r) { s.template step<ARMCONV_IDX(r), true, 0, K>(); });
                    s.template rotate<3>();
                  } break;
          case 4: if constexpr (K > 4) {
                    unroll<4>([&](auto r) { s.template step<ARMCONV_IDX(r), true, 0, K>(); });
                    s.template rotate<4>();
                  } break;
          default: break;
        }
      }
      for (; i < end - K + 1; i++) {  // loads no more, K rows still open
        s.template step<0, false, 0, K>();
        s.template rotate<1>();
      }
      s.template bottom<K - 1>(end - K + 1, last_load);
      return;
    }
    // Other planes, one step at a time (buffered strips only).
    if constexpr (Load::kEdge) {
      ptrdiff_t i = p >= K - 1 ? 0 : p - (K - 1);
      for (; i < end; i++) {
        const ptrdiff_t iy = i - p + K - 1;
        const bool ld = iy >= 0 && iy < hh;
        if (i < 0) {
          if (ld) s.template step<0, true, 1, K>();
          else s.template step<0, false, 1, K>();
        } else if (i == end - 1) {
          if (ld) s.template step<0, true, 0, 1>();
          else s.template step<0, false, 0, 1>();
        } else {
          if (ld) s.template step<0, true, 0, K>();
          else s.template step<0, false, 0, K>();
        }
        s.template rotate<1>();
      }
    }
  }
};

// ---------------------------------------------------------------------------
// Stride 2.

// Pairs one row of an NV-vector strip needs: one past the largest pair index
// any of its windows touches.
constexpr int s2_units(int k, int nv, int d) {
  int n = 0;
  for (int t = 0; t < k; t++) {
    const int c = d + t + 8 * (nv - 1), h = c / 2, a = h / 4, s = h % 4;
    const int need = a + (s ? 2 : 1);
    n = need > n ? need : n;
  }
  return n;
}

template <int K, int NV, int D, int CLAMP, bool WHOLE, class Load>
struct Strip2 : StripState<K, NV, (K + 1) / 2, CLAMP, WHOLE, Load> {
  static constexpr int N = s2_units(K, NV, D);
  static constexpr int ROWS = (K + 1) / 2;
  using Base = StripState<K, NV, ROWS, CLAMP, WHOLE, Load>;

  // Stream E (0) or O (1) of pair A; the loader's known-zero pairs are zero.
  template <int A, int E>
  ARMCONV_INLINE static float32x4_t half(const float32x4_t* e, const float32x4_t* o) {
    if constexpr (A < Load::kZ || A >= N - Load::kT) return vdupq_n_f32(0.0f);
    else return E ? o[A] : e[A];
  }

  // Whether a row of tap row KY feeds any row m in [SKIP, LIVE) (tap row
  // KY - 2m >= 0).
  template <int KY, int SKIP, int LIVE>
  static constexpr bool kFeeds = SKIP < LIVE && KY - 2 * SKIP >= 0;

  // One row's windows: tap row KY - 2m into acc[(R + m) % ROWS] for m in
  // [SKIP, LIVE) while KY - 2m >= 0 (tap row 0 starts the row).
  template <int KY, int R, int SKIP, int LIVE>
  ARMCONV_INLINE void feed(const float32x4_t* ev, const float32x4_t* od) {
    auto& acc = this->acc;
    const float32x4_t* k = this->k;
    unroll<NV>([&](auto j_) {
      constexpr int j = ARMCONV_IDX(j_);
      unroll<K>([&](auto t_) {
        constexpr int t = ARMCONV_IDX(t_);
        constexpr int c = D + t + 8 * j, h = c / 2, a = h / 4, s = h % 4, e = c % 2;
        const float32x4_t win = window<s>(half<a, e>(ev, od), half<s ? a + 1 : a, e>(ev, od));
        unroll<LIVE - SKIP>([&](auto mm) {
          constexpr int m = SKIP + ARMCONV_IDX(mm), ky = KY - 2 * m, r = (R + m) % ROWS;
          if constexpr (ky >= 0) {
            if constexpr (ky == 0 && t == 0) acc[r][j] = mul_tap<0>(win, k);
            else acc[r][j] = fma_tap<ky * K + t, K == 3>(acc[r][j], win, k);
          }
        });
      });
    });
  }

  // ---- Direct windows (aarch64, 3x3 "same" fast strips of 2 or 4 vectors) ----
  // The strip's 8*NV input columns of a row (from column 2*c0) are NV/2 LD4s
  // (vld4q_f32) of 16 columns: a, b, c, d = columns 16g + 4i + 0, 1, 2, 3
  // of group g. Group g's outputs 8g + 2i (even) and 8g + 2i + 1 (odd) read
  // columns 16g + 4i - 1, 0, 1 and 16g + 4i + 1, 2, 3: even windows
  // ext(d', d, 3), a, b (d' = the previous group's d; for group 0 the
  // column left of the strip, an LD1R of it, or the taps' zero lane at the
  // row's left end), odd windows b, c, d. So accumulator vector 2g holds
  // group g's even outputs, 2g+1 its odd ones, and a row's stores are ST2s
  // of those pairs, which interleave them back. Per input row of a 4-vector
  // strip: 2 LD4, 1 LD1R, 2 EXT, 2 ADD (before: 4 LD2, 4 EXT, an ADD); per
  // output row 2 ST2, 2 ADD (before: 2 STP and an ADD). (As asm LD4/ST2
  // post-indexed by register, into fixed registers like Strip1's LD1s, it
  // would save the ADDs, but gcc 12 then kept the strip state in memory.)
  // The terms of every output, and their order, are those of feed() (the
  // same bits).
  static constexpr bool kDirect =
#if defined(ARMCONV_DIRECT_WINDOWS)
      K == 3 && D == 7 && !WHOLE && !Load::kEdge && Load::kT == 0 && (NV == 2 || NV == 4) &&
      !std::is_same<Load, FastRow<N, Load::kZ, 0, true>>::value;
#else
      false;
#endif
  static constexpr int Z = Load::kZ;
#if defined(ARMCONV_DIRECT_WINDOWS)
  const float* dx;  // the row's column 2*c0
  const float* dl;  // its column 2*c0 - 1 (Z = 0)
  ARMCONV_INLINE void begin_plane() {
    if constexpr (kDirect) {
      dx = this->x + 8 - 8 * Z;  // this->x: the first loaded pair, column g + 8Z = 2*c0 - 8 + 8Z
      dl = dx - 1;
    }
  }
#endif
#if defined(ARMCONV_DIRECT_WINDOWS)
  template <int KY, int R, int SKIP, int LIVE, int J, int TC>
  ARMCONV_INLINE void feed_window(float32x4_t win) {
    auto& acc = this->acc;
    const float32x4_t* k = this->k;
    unroll<LIVE - SKIP>([&](auto mm) {
      constexpr int m = SKIP + ARMCONV_IDX(mm), ky = KY - 2 * m, r = (R + m) % ROWS;
      if constexpr (ky >= 0) {
        if constexpr (ky == 0 && TC == 0) {
          float32x4_t v;  // (asm: see Strip1::feed_column)
          __asm__("fmul %0.4s, %1.4s, %2.s[0]" : "=w"(v) : "w"(win), "w"(k[0]));
          acc[r][J] = v;
        } else {
          acc[r][J] = fma_tap<ky * K + TC, true>(acc[r][J], win, k);
        }
      }
    });
  }
  template <int KY, int R, int SKIP, int LIVE, int G>
  ARMCONV_INLINE void feed_group(float32x4_t dprev, float32x4_t a, float32x4_t b, float32x4_t c, float32x4_t d) {
    feed_window<KY, R, SKIP, LIVE, 2 * G, 0>(vextq_f32(dprev, d, 3));
    feed_window<KY, R, SKIP, LIVE, 2 * G, 1>(a);
    feed_window<KY, R, SKIP, LIVE, 2 * G, 2>(b);
    feed_window<KY, R, SKIP, LIVE, 2 * G + 1, 0>(b);
    feed_window<KY, R, SKIP, LIVE, 2 * G + 1, 1>(c);
    feed_window<KY, R, SKIP, LIVE, 2 * G + 1, 2>(d);
  }
  template <int KY, int R, int SKIP, int LIVE>
  ARMCONV_INLINE void feed_direct() {
    float32x4_t left;
    if constexpr (Z) {
      left = this->k[2];  // lane 3: zero (the left padding)
    } else {
      // (Through a local: with the member as the asm operand, gcc kept the
      // whole strip state in memory.)
      const float* q = dl;
      __asm__("ld1r {%0.4s}, [%1], %2" : "=w"(left), "+r"(q) : "r"(ptrdiff_t(this->w * sizeof(float))));
      dl = q;
    }
    const float32x4x4_t g0 = vld4q_f32(dx);
    feed_group<KY, R, SKIP, LIVE, 0>(left, g0.val[0], g0.val[1], g0.val[2], g0.val[3]);
    if constexpr (NV == 4) {
      const float32x4x4_t g1 = vld4q_f32(dx + 16);
      feed_group<KY, R, SKIP, LIVE, 1>(g0.val[3], g1.val[0], g1.val[1], g1.val[2], g1.val[3]);
    }
    dx += this->w;
  }
  // Stores accumulator row A: the output stage of each group's even and
  // odd vectors into v24, v25 (v26, v27), one ST2 per group.
  template <int A>
  ARMCONV_INLINE void store_direct() {
    auto& acc = this->acc;
    float32x4x2_t v0;
    v0.val[0] = this->store.act(acc[A][0]);
    v0.val[1] = this->store.act(acc[A][1]);
    vst2q_f32(this->y, v0);
    if constexpr (NV == 4) {
      float32x4x2_t v1;
      v1.val[0] = this->store.act(acc[A][NV == 4 ? 2 : 0]);
      v1.val[1] = this->store.act(acc[A][NV == 4 ? 3 : 0]);
      vst2q_f32(this->y + 8, v1);
    }
    this->y += this->wo;
  }
#endif

  template <int KY, int R, int SKIP, int LIVE>
  ARMCONV_INLINE void load_feed() {
#if defined(ARMCONV_DIRECT_WINDOWS)
    if constexpr (kDirect) {
      if constexpr (kFeeds<KY, SKIP, LIVE>) {
        feed_direct<KY, R, SKIP, LIVE>();
      } else {  // (the row's pointers as the loads would leave them)
        dx += this->w;
        if constexpr (!Z) dl += this->w;
      }
      return;
    }
#endif
    if constexpr (kFeeds<KY, SKIP, LIVE>) {
      // (Pairs as two arrays of vectors: gcc keeps an array of tuples, and
      // then the whole strip state, in memory.)
      float32x4_t e[N], o[N];
      this->load(this->x, this->w, e, o);
      feed<KY, R, SKIP, LIVE>(e, o);
    } else {
      this->x += this->w;
    }
  }

  // Step s (R = s mod ROWS): rows 2s-pt+K-2 (L1) and 2s-pt+K-1 (L2) enter if
  // inside the plane (the latter starts row s + ROWS-1), output row s leaves
  // (stored if SKIP is 0). Rows s + m, m outside [SKIP, LIVE), get nothing.
  template <int R, bool L1, bool L2, int SKIP, int LIVE>
  ARMCONV_INLINE void step() {
    if constexpr (L1) load_feed<K - 2, R, SKIP, LIVE>();
    if constexpr (L2) load_feed<K - 1, R, SKIP, LIVE>();
    else if constexpr (LIVE == ROWS) this->template zero_row<(R + ROWS - 1) % ROWS>();
#if defined(ARMCONV_DIRECT_WINDOWS)
    if constexpr (kDirect) {
      if constexpr (SKIP == 0) store_direct<R>();
      return;
    }
#endif
    if constexpr (SKIP == 0) this->template store_row<R, LIVE == 1>();
  }

  // Top: steps s = -S .. -1 (S = (K-1-pt)/2; R = s mod ROWS); the first
  // loads its L1 row only if K-1-pt is odd (else that row is -1).
  template <int S, bool FIRST_L1>
  ARMCONV_INLINE void top() {
    if constexpr (S > 0) {
      step<ROWS - S, FIRST_L1, true, S, ROWS>();
      top<S - 1, true>();
    }
  }
  // Bottom: steps s = ho-L .. ho-1 (L = ROWS-1 .. 1), R = ROWS-1-L after the
  // rotation to 0; L1/L2 loaded while inside the plane.
  template <int L>
  ARMCONV_INLINE void bottom(ptrdiff_t s, ptrdiff_t hh, ptrdiff_t p) {
    if constexpr (L > 0) {
      constexpr int R = ROWS - 1 - L;
      const ptrdiff_t r1 = 2 * s - p + K - 2;
      if (r1 + 1 < hh) step<R, true, true, 0, L>();
      else if (r1 < hh) step<R, true, false, 0, L>();
      else step<R, false, false, 0, L>();
      bottom<L - 1>(s + 1, hh, p);
    }
  }

  // Steps s = -(K-1)/2 .. ho-1, as Strip1::run: regular planes (pt <= K-2,
  // h >= K-1-pt, ho >= ROWS-1) take a fixed top sequence, the loop unrolled
  // ROWS times while both rows load and all ROWS rows are stored, then
  // single steps while rows remain open, then the last ROWS-1 steps.
  // As Strip1: fast strips have the regular sequence only, and the top
  // sequences of fast_top (case c: pt = K-1-c).
  template <int C>
  static constexpr bool kTop = Load::kEdge || fast_top<2, K>(K - 1 - C);
  ARMCONV_INLINE void run(size_t h, size_t ho, size_t pt) {
    Strip2& s = *this;
    const ptrdiff_t hh = ptrdiff_t(h), end = ptrdiff_t(ho), p = ptrdiff_t(pt);
    assert(Load::kEdge || ((p <= K - 2 && hh >= K - 1 - p && end >= ROWS - 1) && fast_top<2, K>(p)));
    if (!Load::kEdge || (p <= K - 2 && hh >= K - 1 - p && end >= ROWS - 1)) {
      switch (K - 1 - p) {
        case 1: break;  // s = 0 loads both rows
        case 2: if constexpr (kTop<2>) s.template top<1, false>(); break;
        case 3: if constexpr (K > 3 && kTop<3>) s.template top<1, true>(); break;
        case 4: if constexpr (K > 4 && kTop<4>) s.template top<2, false>(); break;
        default: break;
      }
      // Both rows inside the plane: 2s - p + K - 1 <= h - 1.
      const ptrdiff_t both = hh - K + p >= 0 ? (hh - K + p) / 2 + 1 : 0;
      const ptrdiff_t stop = both < end - ROWS + 1 ? both : end - ROWS + 1;
      ptrdiff_t i = 0;
      if (stop > 0) {
        size_t n = size_t(stop);
        i = stop;
        for (; n >= size_t(ROWS); n -= size_t(ROWS)) {
          keep_in_register<Base::NK>(s.k);
          unroll<ROWS>([&](auto r) { s.template step<ARMCONV_IDX(r), true, true, 0, ROWS>(); });
        }
        switch (n) {
          case 1: s.template step<0, true, true, 0, ROWS>(); s.template rotate<1>(); break;
          case 2: if constexpr (ROWS > 2) {
                    unroll<2>([&](auto r) { s.template step<ARMCONV_IDX(r), true, true, 0, ROWS>(); });
                    s.template rotate<2>();
                  } break;
          default: break;
        }
      }
      for (; i < end - ROWS + 1; i++) {  // rows still open, at most one row loads
        if (2 * i - p + K - 2 < hh) s.template step<0, true, false, 0, ROWS>();
        else s.template step<0, false, false, 0, ROWS>();
        s.template rotate<1>();
      }
      s.template bottom<ROWS - 1>(end - ROWS + 1, hh, p);
      return;
    }
    // Other planes, one step at a time (buffered strips only).
    if constexpr (Load::kEdge) {
      // First step that loads: 2s - p + K - 1 >= 0.
      ptrdiff_t i = p >= K - 1 ? 0 : -((K - 1 - p) / 2);
      for (; i < end; i++) {
        const ptrdiff_t r1 = 2 * i - p + K - 2;
        const bool l1 = r1 >= 0 && r1 < hh, l2 = r1 + 1 >= 0 && r1 + 1 < hh;
        auto go = [&](auto skip, auto live) {
          constexpr int S_ = ARMCONV_IDX(skip), L_ = ARMCONV_IDX(live);
          if (l1 && l2) s.template step<0, true, true, S_, L_>();
          else if (l1) s.template step<0, true, false, S_, L_>();
          else if (l2) s.template step<0, false, true, S_, L_>();
          else s.template step<0, false, false, S_, L_>();
        };
        if (i < 0) go(std::integral_constant<int, 1>(), std::integral_constant<int, ROWS>());
        else if (i == end - 1) go(std::integral_constant<int, 0>(), std::integral_constant<int, 1>());
        else go(std::integral_constant<int, 0>(), std::integral_constant<int, ROWS>());
        s.template rotate<1>();
      }
    }
  }
};

// ---------------------------------------------------------------------------
// Plane drivers: cut the output columns into strips and run each down the plane.

template <int STRIDE>
constexpr int units(int k, int nv, int d) { return STRIDE == 1 ? s1_units(k, nv, d) : s2_units(k, nv, d); }

// A strip's activation (its CLAMP parameter): 0 unclamped, 1 clamped to the
// call's bounds, kClampShared: one instantiation for both activations, clamped
// to the call's bounds or, in an unclamped call, to [-inf, +inf] (FMAX/FMIN
// with infinities leave every number and NaN as the add gave it: the same
// bits as the unclamped store, for 2 more instructions per output vector).
// See kOwnStrip for which strips are shared.
constexpr int kClampShared = 2;
template <int K>
constexpr int strip_clamp(bool clamp, bool own) { return K == 3 && !own ? kClampShared : int(clamp); }

// One strip, start to end, over `planes` planes (more than one only for
// whole-row strips): the strip state is a local, and everything is inlined
// into the functions below, so that it lives in registers.
template <int STRIDE, int K, int NV, int D, int CLAMP, bool WHOLE, class Load>
ARMCONV_INLINE void strip_body(const DwPlane& p, size_t c0, size_t nout, Load load, size_t planes) {
  using Strip = typename std::conditional<STRIDE == 1, Strip1<K, NV, D, CLAMP, WHOLE, Load>,
                                          Strip2<K, NV, D, CLAMP, WHOLE, Load>>::type;
  Strip st;
  st.w = p.w;
  st.wo = p.wo;
  st.nout = nout;
  st.load = load;
  if constexpr (CLAMP == kClampShared) {
    // (Infinite bounds: every number and NaN stored as the unclamped store would.)
    st.store.lo = vdupq_n_f32(p.clamp ? p.lo : -std::numeric_limits<float>::infinity());
    st.store.hi = vdupq_n_f32(p.clamp ? p.hi : std::numeric_limits<float>::infinity());
  } else {
    st.store.lo = vdupq_n_f32(p.lo);
    st.store.hi = vdupq_n_f32(p.hi);
  }
  const size_t hw = p.h * p.w, howo = p.ho * p.wo, kstep = dw_packed_floats(size_t(K) * K);
  const float* x = p.x + load.origin();
  float* y = p.y + c0;  // first output column
  const float* pk = p.k;
  for (size_t i = 0; i < planes; i++) {
    st.x = x;
    st.y = y;
    st.begin_plane();
    st.taps(pk);
    // Steps above the plane accumulate into rows that are never stored. (Only
    // constant indices into acc anywhere: the compiler then keeps it in registers.)
    st.zero_rows();
    st.run(p.h, p.ho, p.pad_top);
    x += hw;
    y += howo;
    pk += kstep;
  }
}
// (gcc's pre-allocation scheduling costs register moves in the stride-1
// loops and saves some in the stride-2 ones.)
template <int K, int NV, int D, int CLAMP, bool WHOLE, class Load>
ARMCONV_NOINLINE ARMCONV_FLATTEN ARMCONV_NO_PRESCHED void strip1(const DwPlane& p, size_t c0,
                                                                 size_t nout, Load load,
                                                                 size_t planes) {
  strip_body<1, K, NV, D, CLAMP, WHOLE>(p, c0, nout, load, planes);
}
template <int K, int NV, int D, int CLAMP, bool WHOLE, class Load>
ARMCONV_NOINLINE ARMCONV_FLATTEN void strip2(const DwPlane& p, size_t c0, size_t nout, Load load,
                                             size_t planes) {
  strip_body<2, K, NV, D, CLAMP, WHOLE>(p, c0, nout, load, planes);
}
// (The direct-window stride-2 strips, as the stride-1 ones: the first
// scheduling pass would hoist the next row's LD4s into the registers the
// current row's windows still hold.)
template <int K, int NV, int D, int CLAMP, bool WHOLE, class Load>
ARMCONV_NOINLINE ARMCONV_FLATTEN ARMCONV_NO_PRESCHED void strip2_direct(const DwPlane& p, size_t c0,
                                                                        size_t nout, Load load, size_t planes) {
  strip_body<2, K, NV, D, CLAMP, WHOLE>(p, c0, nout, load, planes);
}
template <int STRIDE, int K, int NV, int D, int CLAMP, bool WHOLE = false, class Load>
void run_strip(const DwPlane& p, size_t c0, size_t nout, Load load, size_t planes = 1) {
  if constexpr (STRIDE == 1) strip1<K, NV, D, CLAMP, WHOLE>(p, c0, nout, load, planes);
  else if constexpr (Strip2<K, NV, D, CLAMP, WHOLE, Load>::kDirect)
    strip2_direct<K, NV, D, CLAMP, WHOLE>(p, c0, nout, load, planes);
  else strip2<K, NV, D, CLAMP, WHOLE>(p, c0, nout, load, planes);
}

// The fast layout of an NV-vector strip at output column c0: g = the input
// column of its first unit; z (t): its first (last) unit is zero; part: the
// last loaded unit is cut by the row's end. Returns false if the strip's
// units are not of that form (then it takes buffered strips).
struct FastLayout {
  ptrdiff_t g;
  int z, t;
  bool part;
};
template <int STRIDE, int K, int NV, int D>
bool fast_layout(const DwPlane& p, size_t c0, FastLayout* f) {
  constexpr int n = units<STRIDE>(K, NV, D);
  constexpr ptrdiff_t unit = 4 * STRIDE;
  const ptrdiff_t g = STRIDE * ptrdiff_t(c0) - ptrdiff_t(p.pad_left) - D, w = ptrdiff_t(p.w);
  if (g < 0 && g != -unit) return false;
  f->g = g;
  f->z = g < 0;
  if (g + unit * n <= w) {  // every unit inside the row
    f->t = 0;
    f->part = false;
  } else if (g + unit * (n - 1) >= w) {  // the last unit past the row's end
    const ptrdiff_t e = g + unit * (n - 1);  // end of the loaded units
    if (e - unit >= w) return false;         // two or more past it
    f->t = 1;
    f->part = e > w;
  } else {  // the row ends inside the last unit
    f->t = 0;
    f->part = true;
  }
  // A partial unit is loaded as the unit ending at the row's end, which must
  // start inside the row; a strip must load something.
  if (f->part && w < unit) return false;
  if (n - f->z - f->t < 1) return false;
  return true;
}

template <int STRIDE, int N, int Z, int T, bool PART>
FastRow<N, Z, T, PART> make_fast_row(const DwPlane& p, const FastLayout& f) {
  FastRow<N, Z, T, PART> r{};
  constexpr ptrdiff_t unit = 4 * STRIDE;
  r.off = size_t(f.g + Z * unit);
  if constexpr (PART) {
    constexpr int whole = N - Z - T - 1;
    const ptrdiff_t w = ptrdiff_t(p.w);
    const ptrdiff_t cut = f.g + unit * (N - T - 1);  // first column of the partial unit
    const int valid = int(w - cut);                  // 1 .. unit-1
    r.tail = w - unit - (ptrdiff_t(r.off) + unit * whole);
    if (STRIDE == 1) {
      r.ia = load_index(kTail1.t[valid]);
    } else {
      r.ia = load_index(kTail2E.t[valid]);
      r.ib = load_index(kTail2O.t[valid]);
    }
  }
  return r;
}

// Runs the fast strip of NV output vectors at output column c0 if it
// applies: whole output vectors, units as fast_layout() says with at most one
// zero unit at each end. c0 need not be a multiple of 4: the last strip of a
// row may overlap the one before it (recomputing, and storing again, the
// same values) so that its output vectors are whole. Returns whether it ran.
// Which layouts have a fast strip (each one is a flattened strip: a few KB
// of code and about a second of compile time per stride and activation):
//   zero unit at neither end: the middle of every row, every width;
//   "same" padding (D != 0) only: the zero unit at the right end (a row's
//   last strip), every width; at the left end (column 0), the widest strip
//   (the first strip of a wide row) and the next width plane() tries, for
//   the rows whose end cuts the widest strip's last unit, a few columns
//   wider than 4W, where nothing else takes them (kNextFirst: aarch64's 3x3
//   stride 1 on 17..19 columns, 5x5 on 9..11 and, stride 2, 17..23:
//   EfficientNet-B2/B3's 9x9 and 19x19 maps; 3x3 stride 2 has whole-row
//   strips for them, armv7's 3x3 stride 1 the rows kernels).
// "valid" padding (D = 0) never has a zero unit (its grid starts inside the
// row, and its right end is a partial unit); the other layouts come from
// unusual paddings (left 4 or 8, large right padding) and narrow rows that
// no whole-row strip takes: buffered strips.
template <int STRIDE, int W>
constexpr int kNextWidth = STRIDE == 2 && W > 3 ? 3 : W > 2 ? 2 : 1;  // (plane()'s order)
template <int STRIDE, int K, int W>
constexpr bool kNextFirst = K == 5 || (STRIDE == 1 && W > 2);
// Which 3x3 strips have an instantiation per activation; the rest are
// shared (kClampShared). Own: the "same"-padded (D != 0) strips that carry
// most of a wide row, the widest (NV = W: its first, middle and last
// strips; whole rows of 4W columns) and the next width plane() tries (the
// middle and end of a row, not its start: kNextWidth); shared: "valid"
// padding (D = 0, also every left padding without fast strips), the
// narrower widths (at most one strip per row end), the next width at a
// row's start (a few map widths), narrower whole rows, and the buffered
// strips (rare planes; through run_buffered_unclamped). The benchmarked 3x3
// shapes (bench/baseline.json) count as with a unit per activation (-69 to
// +1 instructions per call, cortex-a72 and a15); an unclamped 30x30 map,
// whose rows end in shared strips, -0.3%. (gcc 12 -O3, aarch64, the two activations' units
// of 3x3 stride 1 and 2, 11.6 and 16.0 CPU-s -> one unit of 8.7 and 11.9 s
// per stride; session 30.)
template <int STRIDE, int W, int NV, int D, int Z, int T>
constexpr bool kOwnStrip = D != 0 && (NV == W || (NV == kNextWidth<STRIDE, W> && Z == 0));
template <int STRIDE, int K, int W, int NV, int D, bool CLAMP>
ARMCONV_INLINE bool try_fast(const DwPlane& p, size_t c0) {
  constexpr int n = units<STRIDE>(K, NV, D);
  if (c0 + 4 * NV > p.wo) return false;
  FastLayout f;
  if (!fast_layout<STRIDE, K, NV, D>(p, c0, &f)) return false;
  if (f.part) return false;  // (the strips of wide maps line up with the row's end instead)
  if (f.z == 0 && f.t == 0) {
    run_strip<STRIDE, K, NV, D, strip_clamp<K>(CLAMP, kOwnStrip<STRIDE, W, NV, D, 0, 0>)>(
        p, c0, 4, make_fast_row<STRIDE, n, 0, 0, false>(p, f));
    return true;
  }
  if constexpr (D != 0) {
    if (f.z == 0) {  // f.t == 1
      run_strip<STRIDE, K, NV, D, strip_clamp<K>(CLAMP, kOwnStrip<STRIDE, W, NV, D, 0, 1>)>(
        p, c0, 4, make_fast_row<STRIDE, n, 0, 1, false>(p, f));
      return true;
    }
    if constexpr (NV == W || (NV == kNextWidth<STRIDE, W> && kNextFirst<STRIDE, K, W>)) {
      if (f.t == 0) {
        run_strip<STRIDE, K, NV, D, strip_clamp<K>(CLAMP, kOwnStrip<STRIDE, W, NV, D, 1, 0>)>(
        p, c0, 4, make_fast_row<STRIDE, n, 1, 0, false>(p, f));
        return true;
      }
    }
  }
  return false;
}

// Runs a buffered strip of NV output vectors at output column c0 (a
// multiple of 4; the last vector may be partial). Its grid may start at any
// column (the buffer holds the columns it covers, zeros outside the row), so
// every left padding runs one instantiation, on the D = 0 grid: the fewest
// units per row to copy and load (s1_units, s2_units grow with D) and the
// fewest EXTs.
template <int STRIDE, int K, int NV, bool CLAMP, bool SHARED>
void run_buffered(const DwPlane& p, size_t c0) {
  constexpr int D = 0;
  constexpr int CL = SHARED ? 1 : int(CLAMP);  // (kSharedBuffered)
  constexpr int n = units<STRIDE>(K, NV, D);
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
  run_strip<STRIDE, K, NV, D, CL>(p, c0, rest < 4 ? rest : 4, load);
}
// 3x3: the buffered strips are clamped ones for both activations (kOwnStrip);
// an unclamped call runs them from a function of its own with infinite
// bounds (see kClampShared), a clamped one inlines them as before. (Not the
// run-time choice of kClampShared: the two activations' run_buffered would
// be the same code, which gcc folds into one function before inlining, and
// plane()'s code would then differ from what the usual shapes were measured
// with.)
// (Shared: the 3x3 kernels, whose units hold both activations.)
template <int STRIDE, int K, int W>
constexpr bool kSharedBuffered = K == 3;
template <int STRIDE, int K, int NV>
ARMCONV_NOINLINE void run_buffered_unclamped(const DwPlane& p, size_t c0) {
  DwPlane q = p;
  q.lo = -std::numeric_limits<float>::infinity();
  q.hi = std::numeric_limits<float>::infinity();
  run_buffered<STRIDE, K, NV, true, true>(q, c0);
}


// Which left paddings get fast strips: 0 and K/2 ("valid" and "same"), i.e.
// D = 0 and D = 4*STRIDE - K/2. Other paddings run correctly through the
// buffered strips; each extra D would add tens of KB of code.
template <int STRIDE, int K, int D>
constexpr bool kFastD = D == 0 || D == 4 * STRIDE - K / 2;

// Whether a plane's rows take the fast strips' fixed step sequences
// (Strip1/2::run): top padding in fast_top, and enough rows (stride 1:
// pt <= K-1, h >= K-1-pt, ho >= K-1; stride 2: pt <= K-2, h >= K-1-pt,
// ho >= (K-1)/2). The fast strips have no other sequence (the one-step-at-
// a-time loop, and the other top sequences, would be a third of a stride-1
// strip's code and half of a stride-2 one's); such planes (1-row maps, 5x5
// on 3-row maps, the last row block of a plane cut into blocks, unusual top
// paddings) take buffered strips.
template <int STRIDE, int K>
bool planes_fast(const DwPlane& p) {
  const ptrdiff_t h = ptrdiff_t(p.h), ho = ptrdiff_t(p.ho), pt = ptrdiff_t(p.pad_top);
  if (!fast_top<STRIDE, K>(pt) || h < K - 1 - pt) return false;
  return STRIDE == 1 ? pt <= K - 1 && ho >= K - 1 : pt <= K - 2 && ho >= (K + 1) / 2 - 1;
}

// Whole-row strips (small maps) for "same" padding: the row's wo <= 4W
// output columns in one strip of NV = ceil(wo / 4) vectors, run over all
// planes of the call. Its layout is fixed by the padding: a zero unit at the
// left, the units up to the row's end (the last one perhaps partial), and a
// zero unit at the right unless the row ends inside the last unit
// (fast_layout() decides). The last vector is stored whole except in a
// plane's last row (which every step sequence of Strip1/2::run knows at
// compile time), which needs wo >= 4*NV - wo (the lanes past a row land
// in the next row, not further).
// Not for the rows the rows kernels take (neon/dwconv3x3_rows.h, run
// first): 3x3 stride 1 (pad 1 everywhere, up to 16 columns: no whole-row
// strips at all), 3x3 stride 2 (pad 1 at the top and left, 8..16 columns:
// NV <= 2). Such maps with other paddings, and 3x3 stride-2 maps of 7 or
// fewer columns, take the plane-by-plane strips.
template <int STRIDE, int K, int NV>
constexpr bool kWholeNV = !(K == 3 && STRIDE == 1) && !(K == 3 && STRIDE == 2 && NV <= 2);
template <int STRIDE, int K, int W, int NV, int D, bool CLAMP>
bool try_whole_nv(const DwPlane& p) {
  constexpr bool kOwnWhole = NV == W;  // (kOwnStrip)
  if constexpr (!kWholeNV<STRIDE, K, NV>) {
    return false;
  } else {
    constexpr int n = units<STRIDE>(K, NV, D);
    // With symmetric "same" padding the units past the row are 1 (0 for 3x3
    // stride 2); other right paddings fall back to plane-by-plane strips.
    constexpr int T = STRIDE == 2 && K == 3 ? 0 : 1;
    FastLayout f;
    if (!fast_layout<STRIDE, K, NV, D>(p, 0, &f) || f.z != 1 || f.t != T) return false;
    const size_t nout = p.wo - 4 * (NV - 1);
    if (f.part) {
      if constexpr (n - 1 - T >= 1)
        run_strip<STRIDE, K, NV, D, strip_clamp<K>(CLAMP, kOwnWhole), true>(p, 0, nout, make_fast_row<STRIDE, n, 1, T, true>(p, f),
                                                                   p.count);
      else
        return false;
    } else {
      run_strip<STRIDE, K, NV, D, strip_clamp<K>(CLAMP, kOwnWhole), true>(p, 0, nout, make_fast_row<STRIDE, n, 1, T, false>(p, f),
                                                                 p.count);
    }
    return true;
  }
}

template <int STRIDE, int K, int W, int D, bool CLAMP, int... NVs>
bool try_whole(const DwPlane& p, std::integer_sequence<int, NVs...>) {
  if constexpr (D != 4 * STRIDE - K / 2 || (STRIDE == 1 && K == 3)) {
    return false;
  } else {
    const size_t nv = (p.wo + 3) / 4;
    if (nv > size_t(W) || 4 * nv > 2 * p.wo) return false;
    bool ran = false;
    ((nv == size_t(NVs + 1) && (ran = try_whole_nv<STRIDE, K, W, NVs + 1, D, CLAMP>(p))), ...);
    return ran;
  }
}

// One plane: fast strips from the left, as wide as fit; then, for the columns
// left over, one fast strip that ends at the row's last column (overlapping
// the previous one) if its units line up with the row's end; otherwise
// buffered strips of 2 and 1 vectors.
template <int STRIDE, int K, int W, int D, bool CLAMP>
void plane(const DwPlane& p, bool fast) {
  const size_t nvo = (p.wo + 3) / 4;
  size_t j = 0;
  // 5..7 output columns: one buffered strip beats a fast one plus a buffered
  // one. (!fast: the plane's rows need the buffered strips' general sequence.)
  const bool narrow = !fast || (W > 1 && nvo == 2 && p.wo < 8);
  if constexpr (kFastD<STRIDE, K, D>) {
    // (Stride 2 maps are narrow (28 and 14 columns are common): one more width.)
    constexpr bool k3 = STRIDE == 2 && W > 3, k2 = W > 2;
    while (j < nvo && !narrow) {
      if (try_fast<STRIDE, K, W, W, D, CLAMP>(p, 4 * j)) { j += W; continue; }
      if constexpr (k3) if (try_fast<STRIDE, K, W, 3, D, CLAMP>(p, 4 * j)) { j += 3; continue; }
      if constexpr (k2) if (try_fast<STRIDE, K, W, 2, D, CLAMP>(p, 4 * j)) { j += 2; continue; }
      if constexpr (W > 1) if (try_fast<STRIDE, K, W, 1, D, CLAMP>(p, 4 * j)) { j += 1; continue; }
      break;
    }
    if (j < nvo && !narrow) {
      // The narrowest strip that covers the rest and ends at column wo.
      const size_t rest = nvo - j, wo = p.wo;
      if (rest <= 1 && wo >= 4 && try_fast<STRIDE, K, W, 1, D, CLAMP>(p, wo - 4)) return;
      if constexpr (W > 1)
        if (rest <= 2 && wo >= 8 && try_fast<STRIDE, K, W, 2, D, CLAMP>(p, wo - 8)) return;
      if constexpr (k3)
        if (rest <= 3 && wo >= 12 && try_fast<STRIDE, K, W, 3, D, CLAMP>(p, wo - 12)) return;
      if constexpr (W > 2)
        if (rest <= size_t(W) && wo >= 4 * size_t(W) && try_fast<STRIDE, K, W, W, D, CLAMP>(p, wo - 4 * W))
          return;
    }
  }
  // (Two vectors per buffered strip halve the row copies of 5..8-column maps.)
  constexpr bool kShared = kSharedBuffered<STRIDE, K, W>;
  if constexpr (kShared && !CLAMP) {
    if constexpr (W > 1)
      for (; j + 1 < nvo; j += 2) run_buffered_unclamped<STRIDE, K, 2>(p, 4 * j);
    for (; j < nvo; j++) run_buffered_unclamped<STRIDE, K, 1>(p, 4 * j);
  } else {
    if constexpr (W > 1)
      for (; j + 1 < nvo; j += 2) run_buffered<STRIDE, K, 2, CLAMP, kShared>(p, 4 * j);
    for (; j < nvo; j++) run_buffered<STRIDE, K, 1, CLAMP, kShared>(p, 4 * j);
  }
}

// A run of p.count planes: whole-row strips if they apply, else plane by plane.
template <int STRIDE, int K, int W, int D, bool CLAMP>
void planes(const DwPlane& p) {
  const bool fast = planes_fast<STRIDE, K>(p);  // (the planes of a call share their geometry)
  if (fast && try_whole<STRIDE, K, W, D, CLAMP>(p, std::make_integer_sequence<int, W>())) return;
  DwPlane one = p;
  one.count = 1;
  const size_t hw = p.h * p.w, howo = p.ho * p.wo, kstep = dw_packed_floats(size_t(K) * K);
  for (size_t i = 0; i < p.count; i++) {
    plane<STRIDE, K, W, D, CLAMP>(one, fast);
    one.x += hw;
    one.y += howo;
    one.k += kstep;
  }
}

// Picks the instantiation for the plane's left padding and activation. Left
// paddings without fast strips (kFastD) run the D = 0 instantiation: its
// grid is then not aligned to the padding, which only the fast strips'
// layout checks care about (they fall back to buffered strips, as those
// paddings always did); one instantiation instead of one per D (compile
// time: see the note at the top).
template <int STRIDE, int K, int W, bool CLAMP, int... Ds>
void dispatch(const DwPlane& p, std::integer_sequence<int, Ds...>) {
  constexpr size_t unit = 4 * STRIDE;
  const size_t d = (unit - p.pad_left % unit) % unit;
  using Fn = void (*)(const DwPlane&);
  static constexpr Fn fns[] = {planes<STRIDE, K, W, kFastD<STRIDE, K, Ds> ? Ds : 0, CLAMP>...};
  fns[d](p);
}

// The entry points: one stride and activation each, so that a kernel's
// translation units can hold one or two of them (compile time and memory).
template <int K, int W, bool CLAMP>
void dw_stride1(const DwPlane& p) { dispatch<1, K, W, CLAMP>(p, std::make_integer_sequence<int, 4>()); }
template <int K, int W, bool CLAMP>
void dw_stride2(const DwPlane& p) { dispatch<2, K, W, CLAMP>(p, std::make_integer_sequence<int, 8>()); }

}  // namespace
}  // namespace detail
}  // namespace armconv

// NEON int8 depthwise 3x3, stride 1 and 2, aarch64 + dotprod
// (dwconv3x3_s8-aarch64-1x16-dotprod). Contract: core/dwconv.h; bit-exact
// with the generic loop (generic/dwconv_s8.cpp) and the baseline NEON kernels
// (the int32 sums are exact in any order; the same output stage: sqshl,
// sqrdmulh, saturating narrows, clamp; or scvtf, one multiply, clamp).
// An ISA-extension unit: compiled with -march=armv8.2-a+dotprod (CMake's
// extension list, by its file-name suffix) and reached only through
// dispatch.cpp after the AT_HWCAP check. Everything here is in an anonymous
// namespace; shapes it does not take go to the baseline table through its
// function pointers (dw3x3_s8_neon_kernels()), not through shared code.
//
// SDOT: sdot acc.4s, x.16b, w.16b adds to int32 lane i the dot product of the
// 4 bytes 4i..4i+3 of x and of w. The taps of kernel row r are packed as
// wr = [k[r][0], k[r][1], k[r][2], 0] in each of the 4 lanes (3 vectors per
// channel, one TBL each from the 16 packed bytes). A "window" vector holds in
// int32 lane i the 4 input bytes starting at the first tap column of some
// output; its 4th byte meets the 0 weight. Then one sdot per kernel row adds
// 3 taps to 4 outputs: 12 sdot per 16 outputs (of one row).
//
// Windows (P = the row padded with pad_left zeros in front, and zeros after;
// output x reads P[x*S .. x*S + 2]). A step is 16 outputs x0 .. x0 + 15:
//   stride 1: vector p (p = 0..3) = the 16 bytes P[x0 + p ..]: lane i is the
//     window of output x0 + 4i + p ("phase" p; 4 loads at x0, +1, +2, +3).
//   stride 2: vector q = the 16 bytes P[2*x0 + o_q ..], o = {0, 2, 16, 18}:
//     lane i is the window of output x0 + t_q + 2i, t = {0, 1, 8, 9}.
// So accumulator q lane i is output column col(q, i): 4i + q (stride 1) or
// t_q + 2i (stride 2). The int8 result is narrowed (lanes in accumulator
// order, byte 4q + i) and one TBL (kOrderS1/kOrderS2) puts the columns in
// order; float output is stored interleaved: ST4 of the 4 accumulators
// (stride 1: element 4i + q = column 4i + q) or two ST2 (stride 2: pairs of
// accumulators 0,1 then 2,3).
//
// Where the windows come from ("strips": the 16-column steps of a plane, at
// x0 = 0, 16, .., and the last at wo - 16, overlapping the one before, when
// wo is not a multiple of 16; a single partial strip when wo < 16):
//   direct: every byte the 4 loads read is inside the input row (c0 = x0*S -
//     pad_left >= 0, c0 + 18 < w for stride 1, c0 + 33 < w for stride 2):
//     4 loads straight from the row.
//   left / right edge ("same" padding: pad_left 1; the last strip's windows
//     reaching column w): the vectors that would read outside the row are an
//     in-row load shifted by EXT, with zeros for the padding (LeftSrc,
//     RightSrc): as many instructions as direct, or one more.
//   table: the other strips that touch the padding or the row's end. The row's
//     bytes the strip needs sit in a table of 16-byte loads that stay inside
//     the row (w >= 16: 2 loads (stride 1) or 3 (stride 2) at positions
//     clamped to [0, w - 16]; 4 <= w < 16: the whole row, as the u = 8 (or
//     4) bytes at 0 and at w - u); each window vector is one TBL with an
//     index vector computed once per call (0xff = zero: the padding, the
//     zero-weight 4th bytes).
// Rows above and below the plane are zero vectors.
//
// Row sweep: a strip runs down all output rows, keeping the windows of the
// input rows it reuses in registers (stride 1: output row oy reads input rows
// oy - pt .. oy - pt + 2, so two rows stay and one is loaded; stride 2: rows
// 2oy - pt .. +2, one stays, two are loaded). The rows whose input rows are
// all inside the plane run unrolled (3 rows for stride 1, 2 for stride 2: the
// kept windows are renamed, not moved) without checks; the others (top and
// bottom padding, the remainder) check each row.
// Per 16 outputs of one row: 4 (stride 1) or 8 (stride 2) loads, or the
// table's loads and 4 or 8 TBL, 4 moves (the bias), 12 sdot; the int8 store
// 4 sqrdmulh (+4 sqshl if shift > 0), 6 narrows, TBL, smax, smin, st1; the
// float store 4 scvtf, 4 fmul (+8 for the clamp), st4 or 2 st2.
// Partial strips (wo < 16) store the whole vector: the lanes past the row
// land in the rows after it (stored later, in order), except where the
// vector would reach past the call's last output: there exactly wo
// elements, through the stack.
// Small maps (see "row pairs" and "staged narrow rows" below): planes at
// most 8 outputs wide (7x7, 14 -> 7) run two output rows per 16-lane step;
// stride-1 planes 9..15 outputs and at most 16 inputs wide (14x14) one row
// per step from 16-byte row loads. Both stage each plane into a zeroed
// stack buffer with its padding rows, so no row is checked.
// Counts (bench/insncount.py --cpu cortex-a76, MACs per instruction, int8
// output; baseline kernels before): stride 1 qmbv2_dw_32_112 1.78 -> 3.62,
// qdw3x3s1_64_56 1.40 -> 3.03, 192@28 1.14 -> 2.82, 384@14 1.72 -> 2.64,
// 960@7 1.08 -> 1.44; stride 2 96@112 1.15 -> 2.62, qdw3x3s2_64_56 0.94 ->
// 2.38, 192@28 0.72 -> 2.10, 576@14 1.07 -> 1.28. Then the small maps' body
// planes, twos and staging copy: 384@14 2.64 -> 2.73, 960@7 1.44 -> 2.20,
// 576@14 s2 1.28 -> 2.01 (float output: 384@14 2.39 -> 2.45, 960@7 1.40 ->
// 1.92, 576@14 s2 1.40 -> 1.65).
#include <arm_neon.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/dwconv.h"

namespace armconv {
namespace detail {
namespace {

#if defined(__GNUC__)
#define ARMCONV_DWD_INLINE inline __attribute__((always_inline))
#else
#define ARMCONV_DWD_INLINE inline
#endif
// Hides a vector's value from the compiler (no instruction), so that a short
// copy loop stays vector moves (not a memset/memcpy call).
#if defined(__GNUC__)
#define ARMCONV_DWD_OPAQUE(v) __asm__("" : "+w"(v))
#else
#define ARMCONV_DWD_OPAQUE(v) (void)(v)
#endif

// The 4 window vectors of one input row for one step.
struct Win {
  int8x16_t v0, v1, v2, v3;
};

// Taps per kernel row, [k0, k1, k2, 0] x 4.
struct Taps {
  int8x16_t r0, r1, r2;
};

// TBL indices of the packed taps: row r's 3 taps then a zero byte, x4.
alignas(16) constexpr uint8_t kTapIdx[3][16] = {
    {0, 1, 2, 0xff, 0, 1, 2, 0xff, 0, 1, 2, 0xff, 0, 1, 2, 0xff},
    {3, 4, 5, 0xff, 3, 4, 5, 0xff, 3, 4, 5, 0xff, 3, 4, 5, 0xff},
    {6, 7, 8, 0xff, 6, 7, 8, 0xff, 6, 7, 8, 0xff, 6, 7, 8, 0xff}};

// Output column c of a step is byte order[c] of the narrowed accumulators
// (byte 4q + i = accumulator q, lane i).
//   stride 1: column 4i + q -> byte 4q + i.
//   stride 2: column t_q + 2i (t = 0, 1, 8, 9) -> byte 4q + i.
alignas(16) constexpr uint8_t kOrderS1[16] = {0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15};
alignas(16) constexpr uint8_t kOrderS2[16] = {0, 4, 1, 5, 2, 6, 3, 7, 8, 12, 9, 13, 10, 14, 11, 15};

// Padded-row offset (from x0 * S) of byte 0 of window vector q.
constexpr int kOffS1[4] = {0, 1, 2, 3};
constexpr int kOffS2[4] = {0, 2, 16, 18};

// Last byte (from c0) a direct strip's loads read: 3 + 15 (stride 1), 18 + 15 (2).
template <int S>
constexpr int64_t last_byte() {
  return S == 1 ? 18 : 33;
}

// ---- window sources ------------------------------------------------------------

// Direct loads from the row at c0.
template <int S>
struct DirectSrc {
  int64_t c0;
  ARMCONV_DWD_INLINE Win load(const int8_t* row) const {
    const int8_t* r = row + c0;
    if (S == 1) return {vld1q_s8(r), vld1q_s8(r + 1), vld1q_s8(r + 2), vld1q_s8(r + 3)};
    return {vld1q_s8(r), vld1q_s8(r + 2), vld1q_s8(r + 16), vld1q_s8(r + 18)};
  }
};

// The first strip of a row with pad_left 1 (c0 = -1): the windows that
// start at column -1 are the load at column 0 shifted by one byte (EXT with
// a zero vector: the padding); the others load directly.
//   stride 1: v0 = [0, x0 .. x14] = ext(0, v1, 15), v1, v2, v3 at 0, 1, 2
//     (reads up to column 17: w > 17);
//   stride 2: v0 = ext(0, load(0), 15), v1, v2, v3 at 1, 15, 17 (w > 32).
template <int S>
struct LeftSrc {
  ARMCONV_DWD_INLINE Win load(const int8_t* r) const {
    const int8x16_t z = vdupq_n_s8(0);
    if (S == 1) {
      const int8x16_t a = vld1q_s8(r);
      return {vextq_s8(z, a, 15), a, vld1q_s8(r + 1), vld1q_s8(r + 2)};
    }
    return {vextq_s8(z, vld1q_s8(r), 15), vld1q_s8(r + 1), vld1q_s8(r + 15), vld1q_s8(r + 17)};
  }
};

// The last strip of a row whose windows reach K = w - c0 columns past c0
// (the "same" right padding: S = 1, K = 17; S = 2, K = 33 (w even) or 32):
// the vectors that would read past the row are an in-row load shifted by
// EXT, zero-filled where a window's tap reads the padding (column w) and
// anything where only the zero-weight 4th byte does.
//   S = 1, K = 17: v0, v1 at c0, c0 + 1 (v1 ends at w - 1); v2 = ext(v1, v1,
//     1) (its byte 15, column w, is a 4th byte); v3 = ext(v1, 0, 2) (byte 14
//     is tap 2 of output w - 1: column w, zero).
//   S = 2, K = 33: v3 = ext(L, L, 1), L at c0 + 17 (byte 15 of v3, column
//     w, is a 4th byte); K = 32: v2 at c0 + 16 ends at w - 1, v3 = ext(v2,
//     0, 2) (byte 14: column w, tap 2).
template <int S, int K>
struct RightSrc {
  int64_t c0;
  ARMCONV_DWD_INLINE Win load(const int8_t* row) const {
    const int8_t* r = row + c0;
    const int8x16_t z = vdupq_n_s8(0);
    if (S == 1) {
      const int8x16_t a = vld1q_s8(r + 1);
      return {vld1q_s8(r), a, vextq_s8(a, a, 1), vextq_s8(a, z, 2)};
    }
    if (K == 33) {
      const int8x16_t l = vld1q_s8(r + 17);
      return {vld1q_s8(r), vld1q_s8(r + 2), vld1q_s8(r + 16), vextq_s8(l, l, 1)};
    }
    const int8x16_t l = vld1q_s8(r + 16);
    return {vld1q_s8(r), vld1q_s8(r + 2), l, vextq_s8(l, z, 2)};
  }
};

// Index vectors and load positions of one table strip (computed per call).
struct TableInfo {
  uint8_t idx[4][16];
  int64_t a[3];  // wide: the 16-byte loads' first columns; narrow: a[0] = w - u
  // Row pairs: the order TBL of a step's int8 outputs packed as the two rows
  // (row oy's wo columns at bytes 0.., row oy + 1's at wo..; bytes 2 wo..
  // repeat byte 0), for one 16-byte store.
  uint8_t packed_order[16];
  // Row pairs' body planes, stride 1: vector q (0, 1), lane i, tap j: column
  // -pad_left + q + 2i + j of a 16-byte load at the row (the stride-2 layout:
  // accumulator q lane i is column t_q + 2i, t = {0, 1, 8, 9}).
  uint8_t body_idx[2][16];
};

// Wide rows (w >= 16): 2 (stride 1) or 3 (stride 2) 16-byte loads, TBL2/TBL3.
template <int S>
struct WideSrc {
  int64_t a0, a1, a2;
  uint8x16_t i0, i1, i2, i3;
  explicit WideSrc(const TableInfo& t)
      : a0(t.a[0]), a1(t.a[1]), a2(t.a[2]), i0(vld1q_u8(t.idx[0])), i1(vld1q_u8(t.idx[1])),
        i2(vld1q_u8(t.idx[2])), i3(vld1q_u8(t.idx[3])) {}
  // Assembly: a multi-register TBL needs its table in consecutive registers,
  // which GCC arranges for vqtbl2q_s8/vqtbl3q_s8 by a round trip through the
  // stack. Register map: the table pieces in v29-v31 (clobbered), the
  // windows in any registers (early-clobber outputs: written while the
  // index vectors are still read).
  ARMCONV_DWD_INLINE Win load(const int8_t* row) const {
    using B16 = const int8_t(*)[16];
    Win o;
    if (S == 1) {
      const int8_t *p0 = row + a0, *p1 = row + a1;
      __asm__(
          "ldr q30, [%[p0]]\n"
          "ldr q31, [%[p1]]\n"
          "tbl %[o0].16b, {v30.16b, v31.16b}, %[i0].16b\n"
          "tbl %[o1].16b, {v30.16b, v31.16b}, %[i1].16b\n"
          "tbl %[o2].16b, {v30.16b, v31.16b}, %[i2].16b\n"
          "tbl %[o3].16b, {v30.16b, v31.16b}, %[i3].16b\n"
          : [o0] "=&w"(o.v0), [o1] "=&w"(o.v1), [o2] "=&w"(o.v2), [o3] "=&w"(o.v3)
          : [p0] "r"(p0), [p1] "r"(p1), [i0] "w"(i0), [i1] "w"(i1), [i2] "w"(i2), [i3] "w"(i3),
            "m"(*B16(p0)), "m"(*B16(p1))
          : "v30", "v31");
    } else {
      const int8_t *p0 = row + a0, *p1 = row + a1, *p2 = row + a2;
      __asm__(
          "ldr q29, [%[p0]]\n"
          "ldr q30, [%[p1]]\n"
          "ldr q31, [%[p2]]\n"
          "tbl %[o0].16b, {v29.16b, v30.16b, v31.16b}, %[i0].16b\n"
          "tbl %[o1].16b, {v29.16b, v30.16b, v31.16b}, %[i1].16b\n"
          "tbl %[o2].16b, {v29.16b, v30.16b, v31.16b}, %[i2].16b\n"
          "tbl %[o3].16b, {v29.16b, v30.16b, v31.16b}, %[i3].16b\n"
          : [o0] "=&w"(o.v0), [o1] "=&w"(o.v1), [o2] "=&w"(o.v2), [o3] "=&w"(o.v3)
          : [p0] "r"(p0), [p1] "r"(p1), [p2] "r"(p2), [i0] "w"(i0), [i1] "w"(i1), [i2] "w"(i2),
            [i3] "w"(i3), "m"(*B16(p0)), "m"(*B16(p1)), "m"(*B16(p2))
          : "v29", "v30", "v31");
    }
    return o;
  }
};

// Narrow rows (4 <= w < 16): the row as the U bytes at 0 and at w - U
// (U = 8: table bytes 0..7 and 8..15; U = 4: bytes 0..3 and 4..7), TBL1.
template <int U>
struct NarrowSrc {
  int64_t b;  // w - U
  uint8x16_t i0, i1, i2, i3;
  explicit NarrowSrc(const TableInfo& t)
      : b(t.a[0]), i0(vld1q_u8(t.idx[0])), i1(vld1q_u8(t.idx[1])), i2(vld1q_u8(t.idx[2])),
        i3(vld1q_u8(t.idx[3])) {}
  ARMCONV_DWD_INLINE Win load(const int8_t* row) const {
    int8x16_t t;
    if (U == 8) {
      t = vcombine_s8(vld1_s8(row), vld1_s8(row + b));
    } else {
      uint32_t lo, hi;
      std::memcpy(&lo, row, 4);
      std::memcpy(&hi, row + b, 4);
      t = vreinterpretq_s8_u32(vsetq_lane_u32(hi, vdupq_n_u32(lo), 1));
    }
    return {vqtbl1q_s8(t, i0), vqtbl1q_s8(t, i1), vqtbl1q_s8(t, i2), vqtbl1q_s8(t, i3)};
  }
};

// ---- output stage ----------------------------------------------------------------

enum OutMode { kI8, kI8Shift, kF32, kF32Clamp };

// The output stage of a call (per-channel parameters set per plane).
template <int S, int M>
struct Store {
  int32x4_t bias, mult, shift;
  int8x16_t qmin, qmax;
  uint8x16_t order;
  float32x4_t scale, fmin, fmax;
  explicit Store(const S8Output& o) {
    bias = vdupq_n_s32(0);
    mult = vdupq_n_s32(0);
    shift = vdupq_n_s32(o.shift);
    qmin = vdupq_n_s8(int8_t(o.qmin));
    qmax = vdupq_n_s8(int8_t(o.qmax));
    order = vld1q_u8(S == 1 ? kOrderS1 : kOrderS2);
    scale = vdupq_n_f32(0.0f);
    fmin = vdupq_n_f32(o.fmin);
    fmax = vdupq_n_f32(o.fmax);
  }
  ARMCONV_DWD_INLINE void channel(const S8Output& o, size_t i) {
    bias = vld1q_dup_s32(o.bias + i);
    if (M == kI8 || M == kI8Shift) mult = vld1q_dup_s32(o.mult + i);
    else scale = vld1q_dup_f32(o.fscale + i);
  }
  // Int8: the 16 outputs in column order.
  ARMCONV_DWD_INLINE int8x16_t requant(int32x4_t a0, int32x4_t a1, int32x4_t a2, int32x4_t a3) const {
    if (M == kI8Shift) {
      a0 = vqshlq_s32(a0, shift);
      a1 = vqshlq_s32(a1, shift);
      a2 = vqshlq_s32(a2, shift);
      a3 = vqshlq_s32(a3, shift);
    }
    a0 = vqrdmulhq_s32(a0, mult);
    a1 = vqrdmulhq_s32(a1, mult);
    a2 = vqrdmulhq_s32(a2, mult);
    a3 = vqrdmulhq_s32(a3, mult);
    const int16x8_t h0 = vqmovn_high_s32(vqmovn_s32(a0), a1);
    const int16x8_t h1 = vqmovn_high_s32(vqmovn_s32(a2), a3);
    int8x16_t q = vqmovn_high_s16(vqmovn_s16(h0), h1);
    q = vqtbl1q_s8(q, order);
    return vminq_s8(vmaxq_s8(q, qmin), qmax);
  }
  ARMCONV_DWD_INLINE float32x4_t deq(int32x4_t a) const {
    float32x4_t f = vmulq_f32(vcvtq_f32_s32(a), scale);
    if (M == kF32Clamp) f = vminq_f32(vmaxq_f32(f, fmin), fmax);
    return f;
  }
  // The 16 outputs at p (element pointer): all 16 stored.
  ARMCONV_DWD_INLINE void store16(int32x4_t a0, int32x4_t a1, int32x4_t a2, int32x4_t a3, void* p) const {
    if (M == kI8 || M == kI8Shift) {
      vst1q_s8(static_cast<int8_t*>(p), requant(a0, a1, a2, a3));
    } else {
      float* f = static_cast<float*>(p);
      if (S == 1) {
        const float32x4x4_t v = {{deq(a0), deq(a1), deq(a2), deq(a3)}};
        vst4q_f32(f, v);
      } else {
        const float32x4x2_t u = {{deq(a0), deq(a1)}};
        vst2q_f32(f, u);
        const float32x4x2_t v = {{deq(a2), deq(a3)}};
        vst2q_f32(f + 8, v);
      }
    }
  }
  // The first n (< 16) outputs at p exactly.
  ARMCONV_DWD_INLINE void store_n(int32x4_t a0, int32x4_t a1, int32x4_t a2, int32x4_t a3, void* p,
                                  size_t n) const {
    const size_t es = (M == kI8 || M == kI8Shift) ? 1 : sizeof(float);
    alignas(16) unsigned char t[64];
    store16(a0, a1, a2, a3, t);
    std::memcpy(p, t, n * es);
  }
};

// ---- the row sweep of one strip -----------------------------------------------------

// What a sweep needs (copied to locals on entry: the stores to int8 outputs
// may alias anything reached through a pointer).
struct SweepArgs {
  const int8_t* x;  // the first plane's input
  size_t hw;        // bytes per input plane
  void* y;          // the first plane's output at the strip's first column
  size_t howo;      // elements per output plane
  size_t count;     // planes (consecutive channels)
  size_t ch;        // the first plane's channel in out (bias, mult, fscale)
  const int8_t* k;  // the first plane's packed taps
  const S8Output* out;
  int64_t h, w, pt;
  size_t ho, wo;
  int64_t c0;            // direct strips: the input column of the windows' byte 0
  const TableInfo* tab;  // table strips
};

template <int S, class Src>
struct MakeSrc;
template <int S>
struct MakeSrc<S, LeftSrc<S>> {
  static LeftSrc<S> make(const SweepArgs&) { return LeftSrc<S>{}; }
};
template <int S, int K>
struct MakeSrc<S, RightSrc<S, K>> {
  static RightSrc<S, K> make(const SweepArgs& a) { return RightSrc<S, K>{a.c0}; }
};
template <int S>
struct MakeSrc<S, DirectSrc<S>> {
  static DirectSrc<S> make(const SweepArgs& a) { return DirectSrc<S>{a.c0}; }
};
template <int S>
struct MakeSrc<S, WideSrc<S>> {
  static WideSrc<S> make(const SweepArgs& a) { return WideSrc<S>(*a.tab); }
};
template <int S, int U>
struct MakeSrc<S, NarrowSrc<U>> {
  static NarrowSrc<U> make(const SweepArgs& a) { return NarrowSrc<U>(*a.tab); }
};

// One output row of a strip: the windows of its 3 input rows a, b, c, stored
// at p: all 16 outputs (FULL), or the first n exactly.
template <int S, int M, bool FULL>
ARMCONV_DWD_INLINE void out_row(const Win& a, const Win& b, const Win& c, const Taps& w, int32x4_t bias,
                                const Store<S, M>& st, void* p, size_t n) {
  int32x4_t s0 = vdotq_s32(bias, a.v0, w.r0);
  int32x4_t s1 = vdotq_s32(bias, a.v1, w.r0);
  int32x4_t s2 = vdotq_s32(bias, a.v2, w.r0);
  int32x4_t s3 = vdotq_s32(bias, a.v3, w.r0);
  s0 = vdotq_s32(s0, b.v0, w.r1);
  s1 = vdotq_s32(s1, b.v1, w.r1);
  s2 = vdotq_s32(s2, b.v2, w.r1);
  s3 = vdotq_s32(s3, b.v3, w.r1);
  s0 = vdotq_s32(s0, c.v0, w.r2);
  s1 = vdotq_s32(s1, c.v1, w.r2);
  s2 = vdotq_s32(s2, c.v2, w.r2);
  s3 = vdotq_s32(s3, c.v3, w.r2);
  if (FULL)
    st.store16(s0, s1, s2, s3, p);
  else
    st.store_n(s0, s1, s2, s3, p, n);
}

// Output rows 0..ho of one plane's strip (output element 0 of the strip at
// y), windows from src. FULL: every row stores 16 outputs (also a partial
// strip's rows whose vector ends inside the call's output: the lanes past
// the row land in later rows, stored after it); EXACT_TAIL: the partial
// strip of the call's last plane, whose rows from oy_exact on store exactly
// n outputs.
template <int S, int M, bool EXACT_TAIL, class Src>
ARMCONV_DWD_INLINE void plane_rows(const Src& src, const int8_t* x, void* y, const Taps& w, int32x4_t bias,
                                   const Store<S, M>& st, int64_t h, int64_t wd, int64_t pt, int64_t ho,
                                   size_t wo, size_t n, int64_t oy_exact) {
  const int8x16_t zv = vdupq_n_s8(0);
  const Win z = {zv, zv, zv, zv};
  const size_t es = (M == kI8 || M == kI8Shift) ? 1 : sizeof(float);
  const size_t ostep = wo * es;
  char* const y0 = static_cast<char*>(y);
  // Row iy's windows, zero outside the plane (checked rows).
  auto row = [&](int64_t iy) -> Win { return uint64_t(iy) < uint64_t(h) ? src.load(x + iy * wd) : z; };
  // Checked rows' stores (the exact tail only there).
  auto put = [&](const Win& a, const Win& b, const Win& c, int64_t oy) {
    char* p = y0 + size_t(oy) * ostep;
    if (EXACT_TAIL && oy >= oy_exact) out_row<S, M, false>(a, b, c, w, bias, st, p, n);
    else out_row<S, M, true>(a, b, c, w, bias, st, p, n);
  };
  int64_t oy = 0;
  if (S == 1) {
    // Output row oy: input rows oy - pt + {0, 1, 2}; the new one oy + 2 - pt.
    // Unchecked rows: 0 <= oy + 2 - pt < h (and, EXACT_TAIL, oy + 2 < oy_exact).
    const int64_t ob = pt > 2 ? pt - 2 : 0;
    int64_t oe = h - 2 + pt;
    if (oe > ho) oe = ho;
    if (EXACT_TAIL && oe > oy_exact) oe = oy_exact;
    Win r0 = row(-pt), r1 = row(1 - pt);
    for (; oy < ob && oy < ho; oy++) {
      const Win r2 = row(oy + 2 - pt);
      put(r0, r1, r2, oy);
      r0 = r1;
      r1 = r2;
    }
    if (oy + 3 <= oe) {
      const int8_t* px = x + (oy + 2 - pt) * wd;
      char* p = y0 + size_t(oy) * ostep;
      for (; oy + 3 <= oe; oy += 3) {
        const Win r2 = src.load(px);
        out_row<S, M, true>(r0, r1, r2, w, bias, st, p, n);
        r0 = src.load(px + wd);
        out_row<S, M, true>(r1, r2, r0, w, bias, st, p + ostep, n);
        r1 = src.load(px + 2 * wd);
        out_row<S, M, true>(r2, r0, r1, w, bias, st, p + 2 * ostep, n);
        // (r0, r1) = rows oy + 3 - pt, oy + 4 - pt: the next 3 rows' first two
        px += 3 * wd;
        p += 3 * ostep;
      }
    }
    for (; oy < ho; oy++) {
      const Win r2 = row(oy + 2 - pt);
      put(r0, r1, r2, oy);
      r0 = r1;
      r1 = r2;
    }
  } else {
    // Output row oy: input rows 2oy - pt + {0, 1, 2}; new: 2oy + 1 - pt, 2oy + 2 - pt.
    // Unchecked rows: 0 <= 2oy + 1 - pt and 2oy + 2 - pt < h.
    const int64_t ob = pt / 2;
    const int64_t num = h - 3 + pt;
    int64_t oe = num >= 0 ? num / 2 + 1 : 0;
    if (oe > ho) oe = ho;
    if (EXACT_TAIL && oe > oy_exact) oe = oy_exact;
    Win r0 = row(-pt);
    for (; oy < ob && oy < ho; oy++) {
      const Win r1 = row(2 * oy + 1 - pt), r2 = row(2 * oy + 2 - pt);
      put(r0, r1, r2, oy);
      r0 = r2;
    }
    if (oy + 2 <= oe) {
      const int8_t* px = x + (2 * oy + 1 - pt) * wd;
      char* p = y0 + size_t(oy) * ostep;
      for (; oy + 2 <= oe; oy += 2) {
        const Win r1 = src.load(px), r2 = src.load(px + wd);
        out_row<S, M, true>(r0, r1, r2, w, bias, st, p, n);
        const Win r3 = src.load(px + 2 * wd);
        r0 = src.load(px + 3 * wd);
        out_row<S, M, true>(r2, r3, r0, w, bias, st, p + ostep, n);
        px += 4 * wd;
        p += 2 * ostep;
      }
    }
    for (; oy < ho; oy++) {
      const Win r1 = row(2 * oy + 1 - pt), r2 = row(2 * oy + 2 - pt);
      put(r0, r1, r2, oy);
      r0 = r2;
    }
  }
}

// One strip over a run of planes (a.count: all of the call's planes for a
// single partial strip, one plane otherwise).
template <int S, int M, bool PARTIAL, class Src>
__attribute__((noinline)) void sweep(const SweepArgs& a) {
  const Src src = MakeSrc<S, Src>::make(a);
  const Store<S, M> st(*a.out);
  const uint8x16_t ti0 = vld1q_u8(kTapIdx[0]), ti1 = vld1q_u8(kTapIdx[1]), ti2 = vld1q_u8(kTapIdx[2]);
  const size_t es = (M == kI8 || M == kI8Shift) ? 1 : sizeof(float);
  const int8_t* x = a.x;
  char* y = static_cast<char*>(a.y);
  const int8_t* k = a.k;
  const int32_t* bias_p = a.out->bias + a.ch;
  const int32_t* mult_p = (M == kI8 || M == kI8Shift) ? a.out->mult + a.ch : nullptr;
  const float* scale_p = (M == kF32 || M == kF32Clamp) ? a.out->fscale + a.ch : nullptr;
  const size_t hw = a.hw, ostride = a.howo * es, count = a.count;
  const int64_t h = a.h, wd = a.w, pt = a.pt, ho = int64_t(a.ho);
  const size_t wo = a.wo, n = PARTIAL ? a.wo : 16;
  Store<S, M> s = st;
  for (size_t i = 0; i < count; i++) {
    const int32x4_t bias = vld1q_dup_s32(bias_p + i);
    if (M == kI8 || M == kI8Shift) s.mult = vld1q_dup_s32(mult_p + i);
    else s.scale = vld1q_dup_f32(scale_p + i);
    const int8x16_t kv = vld1q_s8(k + i * kDwS8PackedBytes);
    const Taps w = {vqtbl1q_s8(kv, ti0), vqtbl1q_s8(kv, ti1), vqtbl1q_s8(kv, ti2)};
    // The vector of row oy reaches element oy * wo + 16 of the plane: past
    // the call's output (rem elements from the plane's start) on the last
    // planes' last rows, which store exactly wo.
    const size_t rem = (count - i) * a.howo;
    if (PARTIAL && rem < (a.ho - 1) * wo + 16) {
      const int64_t oy_exact = rem >= 16 ? int64_t((rem - 16) / wo) + 1 : 0;
      plane_rows<S, M, true>(src, x, y, w, bias, s, h, wd, pt, ho, wo, n, oy_exact);
    } else {
      plane_rows<S, M, false>(src, x, y, w, bias, s, h, wd, pt, ho, wo, n, ho);
    }
    x += hw;
    y += ostride;
  }
}

// ---- row pairs (wo <= 8) ------------------------------------------------------------
// Maps at most 8 outputs wide run two output rows per step: the 16 columns
// of a step are 8 of row oy then 8 of row oy + 1 (the same accumulator
// layout, the same order TBL). Each plane is first copied into a stack
// buffer with pad_top zero rows above it and zero rows below (the buffer is
// zeroed once per call; the planes overwrite only their rows), so every
// input row the step reads, inside the plane or not, is one 16-byte load
// from the buffer (it has 32 bytes of slack), and no row needs a check.
//   stride 2 (w <= 16): window vectors 0, 1 (offsets 0 and 2) come from the
//     input rows of output row oy, vectors 2, 3 from those of row oy + 1 (two
//     input rows further down): per input row one load and two TBLs (tab:
//     index of column -pad_left + o_q + b, or 0xff), serving one or both
//     halves.
//   stride 1 (w <= 8): lanes 0, 1 of each phase vector are row oy's outputs
//     p, 4 + p, lanes 2, 3 row oy + 1's: one 16-byte load at input row A
//     holds rows A and A + 1 (consecutive in the buffer), one TBL per phase.
// Stores: 8 elements at each of the two rows (the ones past the row land in
// the next row, stored after it), exactly wo where 8 would pass the call's
// last output.
// Body planes (all but the call's last one or two: each step's stores stay
// inside the call's output): no checks; both strides in the stride-2 layout
// (stride 1: accumulators 0, 1 row oy, columns 2i + q; 2, 3 row oy + 1;
// two windows per input row, shared by the step's two rows and the next
// step: 2 loads + 4 TBL a step, was 2 + 8); int8 one 16-byte store a step
// (the two rows packed, TBL packed_order), float two ST2. Odd heights, int8:
// planes in twos, the two planes' last rows one step. Per 7x7 plane (a76,
// int8): ~200 instructions (192255 / 960 planes; 7 steps of ~44 per two
// planes: 12 sdot, 4 + 1 TBL, 2 loads, 4 moves, 12 output stage, 1 store,
// loop; and ~30 set-up and staging); was ~305.

// Buffer bytes for a plane of h rows of w (wo <= 8) with pad_top pt: rows
// -pt .. h + 2 + (S - 1) * 2 + 1 are read (the last step's rows below the
// plane), plus 32 bytes of slack.
constexpr size_t kPairBuf = 2048;
inline size_t pair_buf_bytes(size_t h, size_t w, size_t pt, size_t ho, int s) {
  const size_t rows = pt + (h > ho * s + 4 ? h : ho * s + 4) + 2;
  return rows * w + 32;
}

// The plane (n bytes) into the staging buffer: n > 64 64-byte LD1/ST1 of
// four registers, the last one overlapping; else 16-byte moves, the last one
// overlapping (n < 16: memcpy). Tested in the order of the common sizes:
// 14x14 (196 bytes), then 7x7 (49).
ARMCONV_DWD_INLINE void stage_plane(int8_t* d, const int8_t* s, size_t n) {
  if (n > 64) {
    // n > 64: blocks of 64 bytes, the last one ending at n (overlapping the
    // one before). Assembly (vld1q_s8_x4 with the opaque trick cost two
    // register moves and four address updates a block): register map v16-v19
    // the block (clobbered), s, d post-incremented, c the blocks before the
    // last (>= 1).
    size_t c = (n - 1) / 64;
    const int8_t* const se = s + n - 64;
    int8_t* const de = d + n - 64;
    __asm__ volatile(
        "1:\n"
        "ld1 {v16.16b, v17.16b, v18.16b, v19.16b}, [%[s]], #64\n"
        "subs %[c], %[c], #1\n"
        "st1 {v16.16b, v17.16b, v18.16b, v19.16b}, [%[d]], #64\n"
        "b.ne 1b\n"
        "ld1 {v16.16b, v17.16b, v18.16b, v19.16b}, [%[se]]\n"
        "st1 {v16.16b, v17.16b, v18.16b, v19.16b}, [%[de]]\n"
        : [s] "+r"(s), [d] "+r"(d), [c] "+r"(c)
        : [se] "r"(se), [de] "r"(de)
        : "v16", "v17", "v18", "v19", "cc", "memory");
    return;
  }
  if (n > 48) {  // 49..64 bytes (7x7): 3 + 1 vectors
    const int8x16_t a = vld1q_s8(s), b = vld1q_s8(s + 16), c = vld1q_s8(s + 32), z = vld1q_s8(s + n - 16);
    vst1q_s8(d, a);
    vst1q_s8(d + 16, b);
    vst1q_s8(d + 32, c);
    vst1q_s8(d + n - 16, z);
    return;
  }
  if (n < 16) {
    std::memcpy(d, s, n);
    return;
  }
  // 16..48 bytes: 1 or 2 vectors and the last one
  const int8x16_t a = vld1q_s8(s), z = vld1q_s8(s + n - 16);
  if (n > 32) vst1q_s8(d + 16, vld1q_s8(s + 16));
  vst1q_s8(d, a);
  vst1q_s8(d + n - 16, z);
}

// The 16 outputs of a step: rows oy and oy + 1 (y: the plane's output).
// Rows oy < fast (both rows exist, 8 elements at each stay inside the
// call's output) store 8 + 8; the others check each row (rem: output
// elements from y to the call's end).
template <int S, int M>
ARMCONV_DWD_INLINE void pair_store(int32x4_t s0, int32x4_t s1, int32x4_t s2, int32x4_t s3, const Store<S, M>& st,
                                   char* y, size_t wo, int64_t oy, int64_t fast, int64_t ho, size_t rem) {
  const size_t at = size_t(oy) * wo;
  if (M == kI8 || M == kI8Shift) {
    const int8x16_t q = st.requant(s0, s1, s2, s3);
    int8_t* d = reinterpret_cast<int8_t*>(y) + at;
    if (oy < fast) {
      vst1_s8(d, vget_low_s8(q));
      vst1q_lane_u64(reinterpret_cast<uint64_t*>(d + wo), vreinterpretq_u64_s8(q), 1);
      return;
    }
    // Row by row: 8 bytes where they fit, else exactly wo.
    alignas(16) int8_t t[16];
    vst1q_s8(t, q);
    for (int r = 0; r < 2 && oy + r < ho; r++) {
      int8_t* e = d + r * wo;
      if (at + r * wo + 8 <= rem) {
        vst1_s8(e, vld1_s8(t + 8 * r));
      } else if (wo >= 4) {  // (no memcpy call: overlapping 4-byte moves)
        std::memcpy(e, t + 8 * r, 4);
        std::memcpy(e + wo - 4, t + 8 * r + wo - 4, 4);
      } else {
        for (size_t c = 0; c < wo; c++) e[c] = t[8 * r + c];
      }
    }
  } else {
    float* d = reinterpret_cast<float*>(y) + at;
    if (S == 2 && oy < fast) {
      const float32x4x2_t u = {{st.deq(s0), st.deq(s1)}};
      vst2q_f32(d, u);
      const float32x4x2_t v = {{st.deq(s2), st.deq(s3)}};
      vst2q_f32(d + wo, v);
      return;
    }
    alignas(16) float t[16];
    st.store16(s0, s1, s2, s3, t);
    if (oy < fast) {
      vst1q_f32(d, vld1q_f32(t));
      vst1q_f32(d + 4, vld1q_f32(t + 4));
      vst1q_f32(d + wo, vld1q_f32(t + 8));
      vst1q_f32(d + wo + 4, vld1q_f32(t + 12));
      return;
    }
    for (int r = 0; r < 2 && oy + r < ho; r++) {
      float* e = d + r * wo;
      const float* u = t + 8 * r;
      if (at + r * wo + 8 <= rem) {
        vst1q_f32(e, vld1q_f32(u));
        vst1q_f32(e + 4, vld1q_f32(u + 4));
      } else if (wo >= 4) {  // (overlapping vectors)
        vst1q_f32(e, vld1q_f32(u));
        vst1q_f32(e + wo - 4, vld1q_f32(u + wo - 4));
      } else {
        for (size_t c = 0; c < wo; c++) e[c] = u[c];
      }
    }
  }
}

template <int S, int M>
__attribute__((noinline)) void sweep_pairs(const SweepArgs& a) {
  Store<S, M> st(*a.out);
  const uint8x16_t ti0 = vld1q_u8(kTapIdx[0]), ti1 = vld1q_u8(kTapIdx[1]), ti2 = vld1q_u8(kTapIdx[2]);
  const TableInfo& tab = *a.tab;
  const uint8x16_t i0 = vld1q_u8(tab.idx[0]), i1 = vld1q_u8(tab.idx[1]), i2 = vld1q_u8(tab.idx[2]),
                   i3 = vld1q_u8(tab.idx[3]);
  const size_t es = (M == kI8 || M == kI8Shift) ? 1 : sizeof(float);
  const int8_t* x = a.x;
  char* y = static_cast<char*>(a.y);
  const int32_t* bias_p = a.out->bias + a.ch;
  const int32_t* mult_p = (M == kI8 || M == kI8Shift) ? a.out->mult + a.ch : nullptr;
  const float* scale_p = (M == kF32 || M == kF32Clamp) ? a.out->fscale + a.ch : nullptr;
  const size_t hw = a.hw, howo = a.howo, count = a.count, wo = a.wo;
  const int64_t wd = a.w, pt = a.pt, ho = int64_t(a.ho);
  // Two staging buffers (the body planes run in twos when ho is odd).
  alignas(16) int8_t buf[kPairBuf], buf2[kPairBuf];
  {
    const size_t n = pair_buf_bytes(size_t(a.h), size_t(wd), size_t(pt), a.ho, S);
    int8x16_t z = vdupq_n_s8(0);
    ARMCONV_DWD_OPAQUE(z);
    for (size_t b = 0; b < n; b += 16) {
      vst1q_s8(buf + b, z);
      vst1q_s8(buf2 + b, z);
    }
  }
  int8_t* const inner = buf + pt * wd;  // row 0 of the plane
  const int8_t* const r0 = buf;         // row -pt
  size_t i = 0;
  {
    // Body planes: those whose every step can store all 16 outputs (int8:
    // one 16-byte store of the two rows packed; float: 8 + 8 at the two
    // rows), the last step's second row and the lanes past the rows landing
    // in the next plane's output (stored after it, by the body loop or the
    // checked loop below). The last step (oy = 2 (steps - 1)) reaches element
    // at + 16 (int8) or at + wo + 8 (float) of the plane: the planes with at
    // least that many output elements to the call's end.
    const size_t steps = (size_t(ho) + 1) / 2;
    const size_t need = (2 * steps - 2) * wo + (es == 1 ? 16 : wo + 8);
    const size_t kmin = (need + howo - 1) / howo;  // planes to the end it needs
    const size_t nbody = count >= kmin ? count - kmin + 1 : 0;
    Store<S, M> sb = st;
    sb.order = vld1q_u8(tab.packed_order);
    const uint8x16_t j0 = S == 1 ? vld1q_u8(tab.body_idx[0]) : i0, j1 = S == 1 ? vld1q_u8(tab.body_idx[1]) : i1;
    // A plane's full steps: output rows 0 .. rows - 1 (rows even, or ho: the
    // last step's second row then lands in the next plane), from the staged
    // rows at rb, stored at yp.
    auto steps_of = [&](const int8_t* rb, const Taps& w, int32x4_t bias, const Store<S, M>& sp, char* yp,
                        int64_t rows) {
      // The step's 16 outputs: rows oy, oy + 1 at element at of the plane
      // (accumulators 0, 1: row oy, columns 2i + q; 2, 3: row oy + 1).
      auto put = [&](int32x4_t s0, int32x4_t s1, int32x4_t s2, int32x4_t s3, size_t at) {
        if (M == kI8 || M == kI8Shift) {
          vst1q_s8(reinterpret_cast<int8_t*>(yp) + at, sp.requant(s0, s1, s2, s3));
        } else {
          float* d = reinterpret_cast<float*>(yp) + at;
          const float32x4x2_t u = {{sp.deq(s0), sp.deq(s1)}};
          vst2q_f32(d, u);
          const float32x4x2_t v = {{sp.deq(s2), sp.deq(s3)}};
          vst2q_f32(d + wo, v);
        }
      };
      // Output rows oy, oy + 1: accumulators 0, 1 from input rows oy*S - pt +
      // {0, 1, 2} (buffer rows oy*S + {0, 1, 2}), 2, 3 from the rows S
      // further down; two windows per input row (b0: columns 2i, b1: 2i + 1
      // (stride 1) or 2i + 2 (stride 2), lane i).
      const int8_t* r = rb;
      size_t at = 0;
      int8x16_t t = vld1q_s8(r);
      int8x16_t a0 = vqtbl1q_s8(t, j0), a1 = vqtbl1q_s8(t, j1);
      if (S == 1) {
        // Rows oy + {0, 1} kept (a, b), oy + {2, 3} loaded (c, d); two steps
        // an iteration, the second with the roles of (a, b) and (c, d)
        // swapped (renamed, not moved).
        t = vld1q_s8(r + wd);
        int8x16_t b0 = vqtbl1q_s8(t, j0), b1 = vqtbl1q_s8(t, j1);
        for (int64_t oy = 0; oy < rows; oy += 4) {
          t = vld1q_s8(r + 2 * wd);
          const int8x16_t c0 = vqtbl1q_s8(t, j0), c1 = vqtbl1q_s8(t, j1);
          t = vld1q_s8(r + 3 * wd);
          const int8x16_t d0 = vqtbl1q_s8(t, j0), d1 = vqtbl1q_s8(t, j1);
          int32x4_t s0 = vdotq_s32(bias, a0, w.r0), s1 = vdotq_s32(bias, a1, w.r0);
          int32x4_t s2 = vdotq_s32(bias, b0, w.r0), s3 = vdotq_s32(bias, b1, w.r0);
          s0 = vdotq_s32(vdotq_s32(s0, b0, w.r1), c0, w.r2);
          s1 = vdotq_s32(vdotq_s32(s1, b1, w.r1), c1, w.r2);
          s2 = vdotq_s32(vdotq_s32(s2, c0, w.r1), d0, w.r2);
          s3 = vdotq_s32(vdotq_s32(s3, c1, w.r1), d1, w.r2);
          put(s0, s1, s2, s3, at);
          if (oy + 2 >= rows) break;
          t = vld1q_s8(r + 4 * wd);
          a0 = vqtbl1q_s8(t, j0);
          a1 = vqtbl1q_s8(t, j1);
          t = vld1q_s8(r + 5 * wd);
          b0 = vqtbl1q_s8(t, j0);
          b1 = vqtbl1q_s8(t, j1);
          int32x4_t u0 = vdotq_s32(bias, c0, w.r0), u1 = vdotq_s32(bias, c1, w.r0);
          int32x4_t u2 = vdotq_s32(bias, d0, w.r0), u3 = vdotq_s32(bias, d1, w.r0);
          u0 = vdotq_s32(vdotq_s32(u0, d0, w.r1), a0, w.r2);
          u1 = vdotq_s32(vdotq_s32(u1, d1, w.r1), a1, w.r2);
          u2 = vdotq_s32(vdotq_s32(u2, a0, w.r1), b0, w.r2);
          u3 = vdotq_s32(vdotq_s32(u3, a1, w.r1), b1, w.r2);
          put(u0, u1, u2, u3, at + 2 * wo);
          r += 4 * wd;
          at += 4 * wo;
        }
      } else {
        for (int64_t oy = 0; oy < rows; oy += 2) {
          t = vld1q_s8(r + wd);
          const int8x16_t b0 = vqtbl1q_s8(t, j0), b1 = vqtbl1q_s8(t, j1);
          t = vld1q_s8(r + 2 * wd);
          const int8x16_t c0 = vqtbl1q_s8(t, j0), c1 = vqtbl1q_s8(t, j1);
          t = vld1q_s8(r + 3 * wd);
          const int8x16_t d0 = vqtbl1q_s8(t, j0), d1 = vqtbl1q_s8(t, j1);
          t = vld1q_s8(r + 4 * wd);
          const int8x16_t e0 = vqtbl1q_s8(t, j0), e1 = vqtbl1q_s8(t, j1);
          int32x4_t s0 = vdotq_s32(bias, a0, w.r0), s1 = vdotq_s32(bias, a1, w.r0);
          int32x4_t s2 = vdotq_s32(bias, c0, w.r0), s3 = vdotq_s32(bias, c1, w.r0);
          s0 = vdotq_s32(vdotq_s32(s0, b0, w.r1), c0, w.r2);
          s1 = vdotq_s32(vdotq_s32(s1, b1, w.r1), c1, w.r2);
          s2 = vdotq_s32(vdotq_s32(s2, d0, w.r1), e0, w.r2);
          s3 = vdotq_s32(vdotq_s32(s3, d1, w.r1), e1, w.r2);
          put(s0, s1, s2, s3, at);
          a0 = e0;
          a1 = e1;
          r += 4 * wd;
          at += 2 * wo;
        }
      }
    };
    // The windows (j0, j1) of the input row at r: accumulator pair of kernel row k.
    auto dot3 = [&](const int8_t* r, const Taps& w, int32x4_t bias, int32x4_t& s0, int32x4_t& s1) {
      int8x16_t t = vld1q_s8(r);
      s0 = vdotq_s32(bias, vqtbl1q_s8(t, j0), w.r0);
      s1 = vdotq_s32(bias, vqtbl1q_s8(t, j1), w.r0);
      t = vld1q_s8(r + wd);
      s0 = vdotq_s32(s0, vqtbl1q_s8(t, j0), w.r1);
      s1 = vdotq_s32(s1, vqtbl1q_s8(t, j1), w.r1);
      t = vld1q_s8(r + 2 * wd);
      s0 = vdotq_s32(s0, vqtbl1q_s8(t, j0), w.r2);
      s1 = vdotq_s32(s1, vqtbl1q_s8(t, j1), w.r2);
    };
    // Odd ho, int8 output: planes in twos, the last rows of both in one step
    // (accumulators 0, 1: plane A's row ho - 1; 2, 3: plane B's, with B's
    // taps, bias and multiplier). Order of the stores: A's rows 0 .. ho - 2
    // (the last step's lanes past them land in A's row ho - 1 and, wo < 6,
    // B's first row), A's row ho - 1 (8 elements: into B's first row), B's
    // rows 0 .. ho - 2 (into B's row ho - 1 and, wo < 6, the next plane), B's
    // row ho - 1 (into the next plane, stored after).
    int8_t* const inner2 = buf2 + pt * wd;
    const uint8x16_t order2 = vld1q_u8(kOrderS2);
    // (int8 output only: with float output GCC's allocation of the two
    // planes' constants spills: qmbv2_dw_960_7_f32 1.92 -> 1.66 MACs/insn)
    const bool twos = (ho & 1) != 0 && (M == kI8 || M == kI8Shift);
    const size_t last = size_t(ho - 1) * wo;  // the last row's first element
    const size_t lastrow = size_t(ho - 1) * S * size_t(wd);  // its first buffer row
    while (i < nbody) {
      if (twos && i + 1 < nbody) {
        stage_plane(inner, x, hw);
        stage_plane(inner2, x + hw, hw);
        const int32x4_t biasA = vld1q_dup_s32(bias_p + i), biasB = vld1q_dup_s32(bias_p + i + 1);
        Store<S, M> sA = sb, sB = sb;
        if (M == kI8 || M == kI8Shift) {
          sA.mult = vld1q_dup_s32(mult_p + i);
          sB.mult = vld1q_dup_s32(mult_p + i + 1);
        }
        const int8x16_t kA = vld1q_s8(a.k + i * kDwS8PackedBytes), kB = vld1q_s8(a.k + (i + 1) * kDwS8PackedBytes);
        const Taps wA = {vqtbl1q_s8(kA, ti0), vqtbl1q_s8(kA, ti1), vqtbl1q_s8(kA, ti2)};
        const Taps wB = {vqtbl1q_s8(kB, ti0), vqtbl1q_s8(kB, ti1), vqtbl1q_s8(kB, ti2)};
        char* const yB = y + howo * es;
        if (ho > 1) steps_of(r0, wA, biasA, sA, y, ho - 1);
        int32x4_t s0, s1, s2, s3;
        dot3(r0 + lastrow, wA, biasA, s0, s1);
        dot3(buf2 + lastrow, wB, biasB, s2, s3);
        if (M == kI8 || M == kI8Shift) {
          if (M == kI8Shift) {
            s0 = vqshlq_s32(s0, sb.shift);
            s1 = vqshlq_s32(s1, sb.shift);
            s2 = vqshlq_s32(s2, sb.shift);
            s3 = vqshlq_s32(s3, sb.shift);
          }
          s0 = vqrdmulhq_s32(s0, sA.mult);
          s1 = vqrdmulhq_s32(s1, sA.mult);
          s2 = vqrdmulhq_s32(s2, sB.mult);
          s3 = vqrdmulhq_s32(s3, sB.mult);
          const int16x8_t h0 = vqmovn_high_s32(vqmovn_s32(s0), s1);
          const int16x8_t h1 = vqmovn_high_s32(vqmovn_s32(s2), s3);
          int8x16_t q = vqmovn_high_s16(vqmovn_s16(h0), h1);
          q = vminq_s8(vmaxq_s8(vqtbl1q_s8(q, order2), sb.qmin), sb.qmax);
          vst1_s8(reinterpret_cast<int8_t*>(y) + last, vget_low_s8(q));
          if (ho > 1) steps_of(buf2, wB, biasB, sB, yB, ho - 1);
          vst1_s8(reinterpret_cast<int8_t*>(yB) + last, vget_high_s8(q));
        }
        i += 2;
        x += 2 * hw;
        y += 2 * howo * es;
        continue;
      }
      stage_plane(inner, x, hw);
      const int32x4_t bias = vld1q_dup_s32(bias_p + i);
      if (M == kI8 || M == kI8Shift) sb.mult = vld1q_dup_s32(mult_p + i);
      else sb.scale = vld1q_dup_f32(scale_p + i);
      const int8x16_t kv = vld1q_s8(a.k + i * kDwS8PackedBytes);
      const Taps w = {vqtbl1q_s8(kv, ti0), vqtbl1q_s8(kv, ti1), vqtbl1q_s8(kv, ti2)};
      steps_of(r0, w, bias, sb, y, ho);
      i++;
      x += hw;
      y += howo * es;
    }
  }
  for (; i < count; i++) {
    // The plane into the buffer (whole vectors, the last one overlapping).
    stage_plane(inner, x, hw);
    const int32x4_t bias = vld1q_dup_s32(bias_p + i);
    if (M == kI8 || M == kI8Shift) st.mult = vld1q_dup_s32(mult_p + i);
    else st.scale = vld1q_dup_f32(scale_p + i);
    const int8x16_t kv = vld1q_s8(a.k + i * kDwS8PackedBytes);
    const Taps w = {vqtbl1q_s8(kv, ti0), vqtbl1q_s8(kv, ti1), vqtbl1q_s8(kv, ti2)};
    const size_t rem = (count - i) * howo;  // output elements to the call's end
    // Steps oy < fast store 8 + 8 elements: oy + 1 < ho, oy * wo + wo + 8 <= rem.
    int64_t fast = rem >= wo + 8 ? int64_t((rem - wo - 8) / wo) + 1 : 0;
    if (fast > ho - 1) fast = ho - 1;
    if (S == 1) {
      // Output rows oy, oy + 1: the pair tables of input rows oy - pt + {0, 1,
      // 2} (buffer rows oy + {0, 1, 2}); the last is the next step's first.
      auto win = [&](const int8_t* r) -> Win {
        const int8x16_t t = vld1q_s8(r);
        return {vqtbl1q_s8(t, i0), vqtbl1q_s8(t, i1), vqtbl1q_s8(t, i2), vqtbl1q_s8(t, i3)};
      };
      const int8_t* r = r0;
      Win wa = win(r);
      for (int64_t oy = 0; oy < ho; oy += 4) {
        const Win wb = win(r + wd), wc = win(r + 2 * wd);
        int32x4_t s0 = vdotq_s32(bias, wa.v0, w.r0), s1 = vdotq_s32(bias, wa.v1, w.r0);
        int32x4_t s2 = vdotq_s32(bias, wa.v2, w.r0), s3 = vdotq_s32(bias, wa.v3, w.r0);
        s0 = vdotq_s32(vdotq_s32(s0, wb.v0, w.r1), wc.v0, w.r2);
        s1 = vdotq_s32(vdotq_s32(s1, wb.v1, w.r1), wc.v1, w.r2);
        s2 = vdotq_s32(vdotq_s32(s2, wb.v2, w.r1), wc.v2, w.r2);
        s3 = vdotq_s32(vdotq_s32(s3, wb.v3, w.r1), wc.v3, w.r2);
        pair_store<S, M>(s0, s1, s2, s3, st, y, wo, oy, fast, ho, rem);
        if (oy + 2 >= ho) break;
        const Win wd1 = win(r + 3 * wd);
        wa = win(r + 4 * wd);
        int32x4_t t0 = vdotq_s32(bias, wc.v0, w.r0), t1 = vdotq_s32(bias, wc.v1, w.r0);
        int32x4_t t2 = vdotq_s32(bias, wc.v2, w.r0), t3 = vdotq_s32(bias, wc.v3, w.r0);
        t0 = vdotq_s32(vdotq_s32(t0, wd1.v0, w.r1), wa.v0, w.r2);
        t1 = vdotq_s32(vdotq_s32(t1, wd1.v1, w.r1), wa.v1, w.r2);
        t2 = vdotq_s32(vdotq_s32(t2, wd1.v2, w.r1), wa.v2, w.r2);
        t3 = vdotq_s32(vdotq_s32(t3, wd1.v3, w.r1), wa.v3, w.r2);
        pair_store<S, M>(t0, t1, t2, t3, st, y, wo, oy + 2, fast, ho, rem);
        r += 4 * wd;
      }
    } else {
      // Output rows oy, oy + 1: input rows 2oy - pt + {0..4} (buffer rows
      // 2oy + {0..4}), two windows each; row 4 is the next step's row 0.
      const int8_t* r = r0;
      int8x16_t t = vld1q_s8(r);
      int8x16_t a0 = vqtbl1q_s8(t, i0), a1 = vqtbl1q_s8(t, i1);
      for (int64_t oy = 0; oy < ho; oy += 2) {
        t = vld1q_s8(r + wd);
        const int8x16_t b0 = vqtbl1q_s8(t, i0), b1 = vqtbl1q_s8(t, i1);
        t = vld1q_s8(r + 2 * wd);
        const int8x16_t c0 = vqtbl1q_s8(t, i0), c1 = vqtbl1q_s8(t, i1);
        t = vld1q_s8(r + 3 * wd);
        const int8x16_t d0 = vqtbl1q_s8(t, i0), d1 = vqtbl1q_s8(t, i1);
        t = vld1q_s8(r + 4 * wd);
        const int8x16_t e0 = vqtbl1q_s8(t, i0), e1 = vqtbl1q_s8(t, i1);
        int32x4_t s0 = vdotq_s32(bias, a0, w.r0), s1 = vdotq_s32(bias, a1, w.r0);
        int32x4_t s2 = vdotq_s32(bias, c0, w.r0), s3 = vdotq_s32(bias, c1, w.r0);
        s0 = vdotq_s32(vdotq_s32(s0, b0, w.r1), c0, w.r2);
        s1 = vdotq_s32(vdotq_s32(s1, b1, w.r1), c1, w.r2);
        s2 = vdotq_s32(vdotq_s32(s2, d0, w.r1), e0, w.r2);
        s3 = vdotq_s32(vdotq_s32(s3, d1, w.r1), e1, w.r2);
        pair_store<S, M>(s0, s1, s2, s3, st, y, wo, oy, fast, ho, rem);
        a0 = e0;
        a1 = e1;
        r += 4 * wd;
      }
    }
    x += hw;
    y += howo * es;
  }
}

// ---- staged narrow rows (stride 1, w <= 16, 8 < wo < 16) -------------------------------
// Maps such as 14x14: one partial strip, its planes staged into the zeroed
// stack buffer of the row pairs (pad_top zero rows above, zero rows below),
// so each input row is one 16-byte load (its columns w.. are the next row's
// bytes, which the TBL indices skip) and no row needs a check: per output
// row 1 load + 4 TBL, 12 sdot and the store of 16 (the lanes past the row
// land in the next row, stored after it), exactly wo where 16 would pass the
// call's last output.
template <int M>
__attribute__((noinline)) void sweep_staged(const SweepArgs& a) {
  constexpr int S = 1;
  Store<S, M> st(*a.out);
  const uint8x16_t ti0 = vld1q_u8(kTapIdx[0]), ti1 = vld1q_u8(kTapIdx[1]), ti2 = vld1q_u8(kTapIdx[2]);
  const TableInfo& tab = *a.tab;
  const uint8x16_t i0 = vld1q_u8(tab.idx[0]), i1 = vld1q_u8(tab.idx[1]), i2 = vld1q_u8(tab.idx[2]),
                   i3 = vld1q_u8(tab.idx[3]);
  const size_t es = (M == kI8 || M == kI8Shift) ? 1 : sizeof(float);
  const int8_t* x = a.x;
  char* y = static_cast<char*>(a.y);
  const int32_t* bias_p = a.out->bias + a.ch;
  const int32_t* mult_p = (M == kI8 || M == kI8Shift) ? a.out->mult + a.ch : nullptr;
  const float* scale_p = (M == kF32 || M == kF32Clamp) ? a.out->fscale + a.ch : nullptr;
  const size_t hw = a.hw, howo = a.howo, count = a.count, wo = a.wo;
  const int64_t wd = a.w, pt = a.pt, ho = int64_t(a.ho);
  const size_t ostep = wo * es;
  alignas(16) int8_t buf[kPairBuf];
  {
    const size_t n = pair_buf_bytes(size_t(a.h), size_t(wd), size_t(pt), a.ho, S);
    int8x16_t z = vdupq_n_s8(0);
    ARMCONV_DWD_OPAQUE(z);
    for (size_t b = 0; b < n; b += 16) vst1q_s8(buf + b, z);
  }
  int8_t* const inner = buf + pt * wd;  // row 0 of the plane
  auto win = [&](const int8_t* r) -> Win {
    const int8x16_t t = vld1q_s8(r);
    return {vqtbl1q_s8(t, i0), vqtbl1q_s8(t, i1), vqtbl1q_s8(t, i2), vqtbl1q_s8(t, i3)};
  };
  for (size_t i = 0; i < count; i++) {
    stage_plane(inner, x, hw);
    const int32x4_t bias = vld1q_dup_s32(bias_p + i);
    if (M == kI8 || M == kI8Shift) st.mult = vld1q_dup_s32(mult_p + i);
    else st.scale = vld1q_dup_f32(scale_p + i);
    const int8x16_t kv = vld1q_s8(a.k + i * kDwS8PackedBytes);
    const Taps w = {vqtbl1q_s8(kv, ti0), vqtbl1q_s8(kv, ti1), vqtbl1q_s8(kv, ti2)};
    // Rows oy < fast store 16: oy * wo + 16 <= rem (output elements to the call's end).
    const size_t rem = (count - i) * howo;
    int64_t fast = rem >= 16 ? int64_t((rem - 16) / wo) + 1 : 0;
    if (fast > ho) fast = ho;
    // Output row oy: buffer rows oy, oy + 1, oy + 2.
    const int8_t* r = buf;
    char* p = y;
    Win r0 = win(r), r1 = win(r + wd), r2;
    int64_t oy = 0;
    for (; oy + 3 <= fast; oy += 3) {
      r2 = win(r + 2 * wd);
      out_row<S, M, true>(r0, r1, r2, w, bias, st, p, wo);
      r0 = win(r + 3 * wd);
      out_row<S, M, true>(r1, r2, r0, w, bias, st, p + ostep, wo);
      r1 = win(r + 4 * wd);
      out_row<S, M, true>(r2, r0, r1, w, bias, st, p + 2 * ostep, wo);
      r += 3 * wd;
      p += 3 * ostep;
    }
    for (; oy < ho; oy++) {
      r2 = win(r + 2 * wd);
      if (oy < fast) out_row<S, M, true>(r0, r1, r2, w, bias, st, p, wo);
      else out_row<S, M, false>(r0, r1, r2, w, bias, st, p, wo);
      r0 = r1;
      r1 = r2;
      r += wd;
      p += ostep;
    }
    x += hw;
    y += howo * es;
  }
}

// ---- the call --------------------------------------------------------------------------

constexpr int kMaxTables = 8;

// The strips of a call (the same for all its planes): x0 = 16 s for
// s < wo / 16, then wo - 16 (if wo % 16 and wo >= 16), or one strip of wo
// outputs at 0 (wo < 16); the table strips' indices, in strip order.
struct Plan {
  size_t strips;
  bool partial;  // wo < 16
  int narrow;    // 0: w >= 16 (WideSrc); 8 or 4: NarrowSrc<U>
  bool pairs;    // row pairs (wo <= 8; stride 2: narrow rows; stride 1: w <= 8): tab[0]
  bool staged;   // staged narrow rows (stride 1, w <= 16, 8 < wo < 16): tab[0]
  int tables;
  TableInfo tab[kMaxTables];
};

template <int S>
ARMCONV_DWD_INLINE size_t strip_x0(size_t s, size_t wo) {
  return 16 * s + 16 <= wo ? 16 * s : (wo >= 16 ? wo - 16 : 0);
}
template <int S>
ARMCONV_DWD_INLINE bool strip_direct(int64_t c0, int64_t w) {
  return c0 >= 0 && c0 + last_byte<S>() < w;
}

// How a strip gets its windows: -1 direct, -2 left edge (LeftSrc), -(K + 3)
// right edge (RightSrc<S, K>), 0 a table.
template <int S>
ARMCONV_DWD_INLINE int strip_kind(int64_t c0, int64_t w, bool partial) {
  if (strip_direct<S>(c0, w)) return -1;
  if (!partial) {
    if (c0 == -1 && (S == 1 ? 17 : 32) < w) return -2;
    if (c0 >= 0 && S == 1 && c0 + 17 == w) return -20;
    if (c0 >= 0 && S == 2 && (c0 + 33 == w || c0 + 32 == w)) return -int(w - c0) - 3;
  }
  return 0;
}

// False when the plane has a shape the plan does not cover (w < 4, more
// table strips than kMaxTables).
template <int S>
bool make_plan(const DwPlaneS8& p, Plan& pl) {
  const int64_t w = int64_t(p.w), pl_ = int64_t(p.pad_left);
  if (w < 4) return false;
  pl.partial = p.wo < 16;
  pl.strips = pl.partial ? 1 : (p.wo + 15) / 16;
  pl.narrow = w >= 16 ? 0 : (w >= 8 ? 8 : 4);
  pl.tables = 0;
  pl.pairs = p.wo <= 8 && w <= (S == 2 ? 16 : 8) &&
             pair_buf_bytes(p.h, p.w, p.pad_top, p.ho, S) <= kPairBuf;
  if (pl.pairs) {
    // The index vectors into a 16-byte load at a row of the buffer.
    // Stride 1: phase p, lane i, tap j: row A + i / 2 (bytes from (i / 2) * w),
    // input column -pad_left + p + 4 (i % 2) + j.
    // Stride 2: vector q (0, 1), lane i, tap j: column -pad_left + o_q + 4i + j.
    TableInfo& t = pl.tab[pl.tables++];
    t.a[0] = t.a[1] = t.a[2] = 0;
    // (the body planes of both strides have the stride-2 layout)
    for (int b = 0; b < 16; b++) {
      const size_t r = size_t(b) / p.wo, c = size_t(b) % p.wo;
      t.packed_order[b] = r < 2 ? kOrderS2[r * 8 + c] : kOrderS2[0];
    }
    for (int q = 0; q < 2; q++)
      for (int b = 0; b < 16; b++) {
        const int i = b / 4, j = b % 4;
        const int64_t c = -pl_ + q + 2 * i + j;
        t.body_idx[q][b] = j != 3 && c >= 0 && c < w ? uint8_t(c) : uint8_t(0xff);
      }
    for (int q = 0; q < 4; q++)
      for (int b = 0; b < 16; b++) {
        const int i = b / 4, j = b % 4;
        const int64_t c = S == 1 ? -pl_ + q + 4 * (i % 2) + j : -pl_ + kOffS2[q % 2] + b;
        const int64_t r = S == 1 ? i / 2 : 0;
        t.idx[q][b] = j != 3 && c >= 0 && c < w ? uint8_t(r * w + c) : uint8_t(0xff);
      }
    return true;
  }
  pl.staged = S == 1 && pl.partial && w <= 16 && pair_buf_bytes(p.h, p.w, p.pad_top, p.ho, S) <= kPairBuf;
  if (pl.staged) {
    // Phase q, lane i, tap j: column -pad_left + q + 4i + j of a 16-byte
    // load at the row (columns >= w are the next row's: zero).
    TableInfo& t = pl.tab[pl.tables++];
    t.a[0] = t.a[1] = t.a[2] = 0;
    for (int q = 0; q < 4; q++)
      for (int b = 0; b < 16; b++) {
        const int64_t c = -pl_ + q + b;
        t.idx[q][b] = b % 4 != 3 && c >= 0 && c < w ? uint8_t(c) : uint8_t(0xff);
      }
    return true;
  }
  const int* off = S == 1 ? kOffS1 : kOffS2;
  for (size_t s = 0; s < pl.strips; s++) {
    const int64_t c0 = int64_t(strip_x0<S>(s, p.wo)) * S - pl_;
    if (strip_kind<S>(c0, w, pl.partial) < 0) continue;
    if (pl.tables == kMaxTables) return false;
    TableInfo& t = pl.tab[pl.tables++];
    const int nload = pl.narrow ? 2 : (S == 1 ? 2 : 3);
    int64_t a[3] = {0, 0, 0};  // first input column of each table piece
    int64_t len = 16;          // bytes per piece
    if (pl.narrow) {
      len = pl.narrow;
      a[0] = 0;
      a[1] = w - len;
      t.a[0] = w - len;
      t.a[1] = t.a[2] = 0;
    } else {
      a[0] = c0 < 0 ? 0 : (c0 > w - 16 ? w - 16 : c0);
      for (int j = 1; j < nload; j++) a[j] = a[j - 1] + 16 > w - 16 ? w - 16 : a[j - 1] + 16;
      for (int j = 0; j < 3; j++) t.a[j] = a[j];
    }
    for (int q = 0; q < 4; q++)
      for (int b = 0; b < 16; b++) {
        uint8_t v = 0xff;
        const int64_t c = c0 + off[q] + b;  // input column of byte b (lane b / 4, tap b % 4)
        if (b % 4 != 3 && c >= 0 && c < w) {
          bool found = false;
          for (int j = 0; j < nload && !found; j++)
            if (c >= a[j] && c < a[j] + len) {
              v = uint8_t(len * j + (c - a[j]));
              found = true;
            }
          if (!found) return false;  // (cannot happen: the pieces cover the strip's columns)
        }
        t.idx[q][b] = v;
      }
  }
  return true;
}

template <int S, int M, bool PARTIAL>
void run_strip(const Plan& pl, SweepArgs& a, int kind, int tab) {
  if (kind == -1) return sweep<S, M, PARTIAL, DirectSrc<S>>(a);
  if (!PARTIAL) {
    if (kind == -2) return sweep<S, M, PARTIAL, LeftSrc<S>>(a);
    if (S == 1 && kind == -20) return sweep<S, M, PARTIAL, RightSrc<S, 17>>(a);
    if (S == 2 && kind == -36) return sweep<S, M, PARTIAL, RightSrc<S, 33>>(a);
    if (S == 2 && kind == -35) return sweep<S, M, PARTIAL, RightSrc<S, 32>>(a);
  }
  a.tab = &pl.tab[tab];
  if (pl.narrow == 0) return sweep<S, M, PARTIAL, WideSrc<S>>(a);
  if (pl.narrow == 8) return sweep<S, M, PARTIAL, NarrowSrc<8>>(a);
  return sweep<S, M, PARTIAL, NarrowSrc<4>>(a);
}

template <int S, int M>
void run_planes(const DwPlaneS8& p, const Plan& pl) {
  const size_t es = (M == kI8 || M == kI8Shift) ? 1 : sizeof(float);
  SweepArgs a;
  a.hw = p.h * p.w;
  a.howo = p.ho * p.wo;
  a.out = &p.out;
  a.h = int64_t(p.h);
  a.w = int64_t(p.w);
  a.pt = int64_t(p.pad_top);
  a.ho = p.ho;
  a.wo = p.wo;
  // The sweeps that take all planes at once: from the first plane, strip at
  // column 0 (the wide strips below set these per plane and strip).
  a.x = p.x;
  a.y = p.y;
  a.count = p.count;
  a.ch = 0;
  a.k = p.k;
  a.c0 = -int64_t(p.pad_left);
  a.tab = &pl.tab[0];
  if (pl.pairs) return sweep_pairs<S, M>(a);  // row pairs
  if (S == 1 && pl.staged) return sweep_staged<M>(a);  // staged narrow rows
  if (pl.partial)  // one strip
    return run_strip<S, M, true>(pl, a, strip_kind<S>(a.c0, a.w, true), 0);
  a.count = 1;
  for (size_t i = 0; i < p.count; i++) {
    a.x = p.x + i * a.hw;
    a.ch = i;
    a.k = p.k + i * kDwS8PackedBytes;
    int tab = 0;
    for (size_t s = 0; s < pl.strips; s++) {
      const size_t x0 = strip_x0<S>(s, p.wo);
      a.y = static_cast<char*>(p.y) + (i * a.howo + x0) * es;
      a.c0 = int64_t(x0) * S - int64_t(p.pad_left);
      const int kind = strip_kind<S>(a.c0, a.w, false);
      run_strip<S, M, false>(pl, a, kind, kind < 0 ? -1 : tab++);
    }
  }
}

template <int S>
void dw3x3_s8_dot(const DwPlaneS8& p) {
  if (p.count == 0 || p.ho == 0 || p.wo == 0) return;
  Plan pl;
  if (!make_plan<S>(p, pl)) {
    const Dw3x3S8Kernels& base = dw3x3_s8_neon_kernels();
    return (S == 1 ? base.stride1 : base.stride2)(p);
  }
  if (p.out.kind == S8OutKind::Int8) {
    if (p.out.shift) run_planes<S, kI8Shift>(p, pl);
    else run_planes<S, kI8>(p, pl);
  } else {
    if (p.out.fclamp) run_planes<S, kF32Clamp>(p, pl);
    else run_planes<S, kF32>(p, pl);
  }
}

void dw3x3_s8_dot_s1(const DwPlaneS8& p) { dw3x3_s8_dot<1>(p); }
void dw3x3_s8_dot_s2(const DwPlaneS8& p) { dw3x3_s8_dot<2>(p); }

}  // namespace

const Dw3x3S8Kernels& dw3x3_s8_dotprod_kernels() {
  static const Dw3x3S8Kernels k = {"dwconv3x3_s8-aarch64-1x16-dotprod", dw3x3_s8_dot_s1, dw3x3_s8_dot_s2};
  return k;
}

}  // namespace detail
}  // namespace armconv

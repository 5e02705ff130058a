// NEON int8 depthwise 3x3, stride 1 and 2, "same" padding on narrow maps:
// padded rows built in registers by table lookups (both ISAs; included by
// neon/dwconv3x3_s8.h's entry points). Contract: core/dwconv.h; bit-exact
// with the generic loop like every int8 depthwise kernel (exact int32 sums,
// the same output stage: DwS8Store).
//
// Applies to planes with pad_left 1 and right padding 1 (wo = w for stride 1,
// ceil(w/2) for stride 2), 4 <= w <= 16 and 4 <= wo (MobileNet's 14x14,
// 14->7 and 7x7 maps); any top padding and height. The general kernel
// (dw3x3_s8_plane) copies each row into a zero-padded stack row and runs
// 16-column steps from it; on a 14-column row that copy, the step's bounds
// and the partial store through the stack cost more than the row's
// multiply-adds. Here a row of w columns is two loads of L = 8 bytes (L = 4
// when w < 8): x[0 .. L) and x[w-L .. w), which cover the row since w <= 2L,
// into one table vector; each tap column's window (the row's columns
// o*S + t - 1 for output lanes o, zero outside the row) is one TBL from it
// with an index vector fixed by (S, w) (kRowsS8Index, built at compile time).
// Maps with at most 8 output columns run 8 lanes (half the multiplies).
//
// Per output row: the windows of the input rows that enter (stride 1: one
// row, 2 loads + 3 TBL; stride 2: two rows), the 9 taps' multiplies (as
// dw_s8_step: pairs of taps through int16, widened into int32 starting from
// the bias), the requantization, and one store: the whole vector (its lanes
// past the row land in the next row, stored after it) except in the plane's
// last row, which stores exactly wo bytes. The windows of the rows kept
// (stride 1: two, stride 2: one) stay in registers; the row loop is unrolled
// (3 for stride 1, 2 for stride 2) so that keeping them is a renaming.
// Float output (dequantized): the same, per vector of 4 outputs a convert,
// a multiply by the scale and the optional clamp, and whole-vector stores
// (LANES / 4 of them) except in the plane's last row (DwS8Store::store,
// exact, through the stack). On MobileNetV2's 14x14 maps that is 1.56
// MACs/insn on cortex-a72 (1.23 when every row went through the stack).
#pragma once

#include <arm_neon.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/dwconv.h"

namespace armconv {
namespace detail {
namespace {

// Index vectors: [S-1][w][t] (w = 4 .. 16; t = tap column), lane o: the
// table byte holding column c = S*o + t - 1 (the first L bytes hold columns
// 0 .. L-1, the next L columns w-L .. w-1), or 0xff (zero) if c is outside
// the row or o >= wo.
struct RowsS8Index {
  uint8_t b[2][17][3][16];
};
constexpr RowsS8Index rows_s8_index() {
  RowsS8Index r{};
  for (int s = 1; s <= 2; s++)
    for (int w = 4; w <= 16; w++) {
      const int wo = s == 1 ? w : (w + 1) / 2, l = w >= 8 ? 8 : 4;
      for (int t = 0; t < 3; t++)
        for (int o = 0; o < 16; o++) {
          const int c = s * o + t - 1;
          uint8_t v = 0xff;
          if (o < wo && c >= 0 && c < w) v = uint8_t(c < l ? c : l + c - (w - l));
          r.b[s - 1][w][t][o] = v;
        }
    }
  return r;
}
constexpr RowsS8Index kRowsS8Index = rows_s8_index();

// One row's three windows; LANES 16 or 8.
template <int LANES>
struct RowsS8Types;
template <>
struct RowsS8Types<16> {
  using V = int8x16_t;
  struct Acc {
    int32x4_t a0, a1, a2, a3;
  };
};
template <>
struct RowsS8Types<8> {
  using V = int8x8_t;
  struct Acc {
    int32x4_t a0, a1;
  };
};

template <int S, int LANES, int PIECE, S8OutKind K>
struct RowsS8 {
  using V = typename RowsS8Types<LANES>::V;
  using Acc = typename RowsS8Types<LANES>::Acc;

  const int8_t* x;  // the plane
  size_t w, wo;
  int64_t h, pt;
  V idx0, idx1, idx2;
  V w0, w1, w2, w3, w4, w5, w6, w7, w8;  // taps broadcast
  int32x4_t bias;
  DwS8Store<K> st;
  void* y;

  explicit RowsS8(const DwPlaneS8& p) : st(p.out) {
    x = p.x;
    w = p.w;
    wo = p.wo;
    h = int64_t(p.h);
    pt = int64_t(p.pad_top);
    y = p.y;
    const uint8_t* ix = kRowsS8Index.b[S - 1][p.w][0];
    idx0 = load_v(reinterpret_cast<const int8_t*>(ix));
    idx1 = load_v(reinterpret_cast<const int8_t*>(ix + 16));
    idx2 = load_v(reinterpret_cast<const int8_t*>(ix + 32));
    taps(p.k);
  }
  ARMCONV_DWS8_INLINE void taps(const int8_t* k) {
    w0 = dup_v(k + 0);
    w1 = dup_v(k + 1);
    w2 = dup_v(k + 2);
    w3 = dup_v(k + 3);
    w4 = dup_v(k + 4);
    w5 = dup_v(k + 5);
    w6 = dup_v(k + 6);
    w7 = dup_v(k + 7);
    w8 = dup_v(k + 8);
    bias = st.bias;
  }

  static ARMCONV_DWS8_INLINE V load_v(const int8_t* p) {
    if constexpr (LANES == 16) return vld1q_s8(p);
    else return vld1_s8(p);
  }
  static ARMCONV_DWS8_INLINE V dup_v(const int8_t* p) {
    if constexpr (LANES == 16) return vld1q_dup_s8(p);
    else return vld1_dup_s8(p);
  }
  static ARMCONV_DWS8_INLINE V zero_v() {
    if constexpr (LANES == 16) return vdupq_n_s8(0);
    else return vdup_n_s8(0);
  }

  // Input row iy as a lookup table (x[0 .. L) and x[w-L .. w); zero rows
  // outside the plane: the index vectors then pick zeros).
#if defined(__aarch64__)
  using Tab = int8x16_t;
#else
  using Tab = int8x8x2_t;
#endif
  template <bool CHECK>
  ARMCONV_DWS8_INLINE void row(int64_t iy, Tab& tab) const {
#if defined(__aarch64__)
    if (CHECK && (iy < 0 || iy >= h)) {
      tab = vdupq_n_s8(0);
      return;
    }
    const int8_t* p = x + size_t(iy) * w;
    if constexpr (PIECE == 8) {
      tab = vcombine_s8(vld1_s8(p), vld1_s8(p + w - 8));
    } else {  // 4 .. 7 columns: x[0 .. 4) and x[w-4 .. w)
      uint32_t a, b;
      std::memcpy(&a, p, 4);
      std::memcpy(&b, p + w - 4, 4);
      tab = vreinterpretq_s8_u32(vsetq_lane_u32(b, vsetq_lane_u32(a, vdupq_n_u32(0), 0), 1));
    }
#else
    if (CHECK && (iy < 0 || iy >= h)) {
      tab.val[0] = tab.val[1] = vdup_n_s8(0);
      return;
    }
    const int8_t* p = x + size_t(iy) * w;
    if constexpr (PIECE == 8) {
      tab.val[0] = vld1_s8(p);
      tab.val[1] = vld1_s8(p + w - 8);
    } else {
      uint32_t a, b;
      std::memcpy(&a, p, 4);
      std::memcpy(&b, p + w - 4, 4);
      tab.val[0] = vreinterpret_s8_u32(vset_lane_u32(b, vset_lane_u32(a, vdup_n_u32(0), 0), 1));
      tab.val[1] = vdup_n_s8(0);
    }
#endif
  }
#if defined(__aarch64__)
  // One window: TBL. (As a volatile asm where GCC is the compiler: it would
  // otherwise keep the 9 windows of the 3 rows between output rows, instead
  // of the 3 tables, and spill the taps.)
  static ARMCONV_DWS8_INLINE V lookup(int8x16_t tab, V idx) {
#if defined(__GNUC__) && !defined(__clang__)
    V r;
    if constexpr (LANES == 16) __asm__ volatile("tbl %0.16b, {%1.16b}, %2.16b" : "=w"(r) : "w"(tab), "w"(idx));
    else __asm__ volatile("tbl %0.8b, {%1.16b}, %2.8b" : "=w"(r) : "w"(tab), "w"(idx));
    return r;
#else
    if constexpr (LANES == 16) return vqtbl1q_s8(tab, vreinterpretq_u8_s8(idx));
    else return vqtbl1_s8(tab, vreinterpret_u8_s8(idx));
#endif
  }
#endif
  // The window of a row that index vector idx picks (tap column 0, 1 or 2).
  ARMCONV_DWS8_INLINE V window(const Tab& tab, V idx) const {
#if defined(__aarch64__)
    return lookup(tab, idx);
#else
    if constexpr (LANES == 16) return vcombine_s8(vtbl2_s8(tab, vget_low_s8(idx)), vtbl2_s8(tab, vget_high_s8(idx)));
    else return vtbl2_s8(tab, idx);
#endif
  }

  // acc += x0 * k0 + x1 * k1 (|sum| < 2^15 in int16), and one tap. aarch64
  // gcc: the multiplies as volatile asm, which keeps them in program order
  // with the window lookups (each window made just before its use) and
  // reads the taps' low halves from the same registers (gcc 12 gave each
  // tap's low half a register of its own, and then spilled the taps).
  // Register map: %0 = lo (int16 sums of outputs 0-7), %1 = hi (outputs
  // 8-15), %2/%4 = the two windows, %3/%5 = their taps (broadcast).
  ARMCONV_DWS8_INLINE void pair(Acc& acc, V x0, V k0, V x1, V k1) const {
    if constexpr (LANES == 16) {
#if defined(__aarch64__) && defined(__GNUC__) && !defined(__clang__)
      int16x8_t lo, hi;
      __asm__ volatile(
          "smull %0.8h, %2.8b, %3.8b\n\t"
          "smull2 %1.8h, %2.16b, %3.16b\n\t"
          "smlal %0.8h, %4.8b, %5.8b\n\t"
          "smlal2 %1.8h, %4.16b, %5.16b"
          : "=&w"(lo), "=&w"(hi)
          : "w"(x0), "w"(k0), "w"(x1), "w"(k1));
      Acc16 a{acc.a0, acc.a1, acc.a2, acc.a3};
      dw_s8_widen(a, lo, hi);
#else
      Acc16 a{acc.a0, acc.a1, acc.a2, acc.a3};
      dw_s8_pair(a, x0, k0, x1, k1);
#endif
      acc = Acc{a.a0, a.a1, a.a2, a.a3};
    } else {
      const int16x8_t p = vmlal_s8(vmull_s8(x0, k0), x1, k1);
      widen8(acc, p);
    }
  }
  ARMCONV_DWS8_INLINE void single(Acc& acc, V x0, V k0) const {
    if constexpr (LANES == 16) {
#if defined(__aarch64__) && defined(__GNUC__) && !defined(__clang__)
      int16x8_t lo, hi;
      __asm__ volatile("smull %0.8h, %2.8b, %3.8b\n\tsmull2 %1.8h, %2.16b, %3.16b"
                       : "=&w"(lo), "=&w"(hi)
                       : "w"(x0), "w"(k0));
      Acc16 a{acc.a0, acc.a1, acc.a2, acc.a3};
      dw_s8_widen(a, lo, hi);
#else
      Acc16 a{acc.a0, acc.a1, acc.a2, acc.a3};
      dw_s8_single(a, x0, k0);
#endif
      acc = Acc{a.a0, a.a1, a.a2, a.a3};
    } else {
      widen8(acc, vmull_s8(x0, k0));
    }
  }
  static ARMCONV_DWS8_INLINE void widen8(Acc& acc, int16x8_t p) {
    if constexpr (LANES == 8) {
      acc.a0 = vaddw_s16(acc.a0, vget_low_s16(p));
#if defined(__aarch64__)
      acc.a1 = vaddw_high_s16(acc.a1, p);
#else
      acc.a1 = vaddw_s16(acc.a1, vget_high_s16(p));
#endif
    }
  }

  // Output row oy from its input rows ta, tb, tc (tap rows 0, 1, 2); CHECK:
  // it may be the plane's last row (stored exactly).
  template <bool CHECK>
  ARMCONV_DWS8_INLINE void out_row(size_t oy, const Tab& ta, const Tab& tb, const Tab& tc) const {
    Acc acc;
    if constexpr (LANES == 16) acc = Acc{bias, bias, bias, bias};
    else acc = Acc{bias, bias};
    // (Each window just before its use: see pair().)
    pair(acc, window(ta, idx0), w0, window(ta, idx1), w1);
    pair(acc, window(ta, idx2), w2, window(tb, idx0), w3);
    pair(acc, window(tb, idx1), w4, window(tb, idx2), w5);
    pair(acc, window(tc, idx0), w6, window(tc, idx1), w7);
    single(acc, window(tc, idx2), w8);
    const size_t at = oy * wo;
    const bool last = CHECK && oy + 1 == size_t(ho_);
    if constexpr (K == S8OutKind::Int8) {
      int8_t* q = static_cast<int8_t*>(y) + at;
      if constexpr (LANES == 16) {
        const int8x16_t v = st.requant(Acc16{acc.a0, acc.a1, acc.a2, acc.a3});
        if (!last || wo == 16) {
          vst1q_s8(q, v);  // lanes past the row: the next row's first columns
        } else {
          alignas(16) int8_t t[16];
          vst1q_s8(t, v);
          dw_s8_copy_partial(q, t, wo);
        }
      } else {
        const int8x8_t v = st.requant8(acc.a0, acc.a1);
        if (!last || wo == 8) {
          vst1_s8(q, v);
        } else {
          alignas(8) int8_t t[8];
          vst1_s8(t, v);
          dw_s8_copy_small(q, t, wo);
        }
      }
    } else if (!last) {
      // Float: all lanes, stored whole (those past the row land on the next
      // row's first columns, stored after it; wo >= LANES / 2).
      float* q = static_cast<float*>(y) + at;
      vst1q_f32(q, st.dequant(acc.a0));
      vst1q_f32(q + 4, st.dequant(acc.a1));
      if constexpr (LANES == 16) {
        vst1q_f32(q + 8, st.dequant(acc.a2));
        vst1q_f32(q + 12, st.dequant(acc.a3));
      }
    } else {  // the plane's last row: exactly wo outputs
      if constexpr (LANES == 16) {
        st.store(Acc16{acc.a0, acc.a1, acc.a2, acc.a3}, y, at, wo);
      } else {
        const int32x4_t z = vdupq_n_s32(0);
        st.store(Acc16{acc.a0, acc.a1, z, z}, y, at, wo);
      }
    }
  }

  int64_t ho_;

  // Stride 1: output row oy reads input rows oy-pt .. oy-pt+2; rows oy-pt,
  // oy-pt+1 are kept from the row before. Step P keeps its rows in slots
  // P, P+1 and loads slot P+2 (mod 3). CHECK: the rows may be outside the
  // plane, the output row may be the last.
  template <int P, bool CHECK>
  ARMCONV_DWS8_INLINE void step1(size_t oy, Tab* r) const {
    row<CHECK>(int64_t(oy) - pt + 2, r[(P + 2) % 3]);
    out_row<CHECK>(oy, r[P], r[(P + 1) % 3], r[(P + 2) % 3]);
  }
  // Stride 2: output row oy reads input rows 2oy-pt .. 2oy-pt+2; the first
  // is the last of the row before (slot F), the other two enter.
  template <int F, bool CHECK>
  ARMCONV_DWS8_INLINE void step2(size_t oy, Tab* r) const {
    constexpr int L = 2 - F;
    row<CHECK>(2 * int64_t(oy) - pt + 1, r[1]);
    row<CHECK>(2 * int64_t(oy) - pt + 2, r[L]);
    out_row<CHECK>(oy, r[F], r[1], r[L]);
  }

  // Output rows below `safe` (all but the last, and only while their input
  // rows are inside the plane; pt <= 2 for stride 1, <= 1 for stride 2, so
  // none is above it) run unchecked, the rest checked; both loops unrolled
  // so that the rows kept are renamed, never moved.
  void run(size_t ho) {
    ho_ = int64_t(ho);
    Tab r[3];
    size_t oy = 0;
    if constexpr (S == 1) {
      // Row oy loads input row oy - pt + 2 <= h - 1.
      const int64_t lim = h + pt - 2;
      const size_t safe = lim <= 0 ? 0 : (size_t(lim) < ho - 1 ? size_t(lim) : ho - 1);
      row<true>(-pt, r[0]);
      row<true>(1 - pt, r[1]);
      for (; oy + 3 <= safe; oy += 3) {
        step1<0, false>(oy, r);
        step1<1, false>(oy + 1, r);
        step1<2, false>(oy + 2, r);
      }
      for (; oy + 3 <= ho; oy += 3) {
        step1<0, true>(oy, r);
        step1<1, true>(oy + 1, r);
        step1<2, true>(oy + 2, r);
      }
      if (oy < ho) step1<0, true>(oy++, r);
      if (oy < ho) step1<1, true>(oy++, r);
    } else {
      // Row oy loads input rows up to 2oy - pt + 2 <= h - 1.
      const int64_t lim = h + pt - 3;  // 2oy <= lim
      const size_t safe = lim < 0 ? 0 : (size_t(lim / 2 + 1) < ho - 1 ? size_t(lim / 2 + 1) : ho - 1);
      row<true>(-pt, r[0]);
      for (; oy + 2 <= safe; oy += 2) {
        step2<0, false>(oy, r);
        step2<2, false>(oy + 1, r);
      }
      for (; oy + 2 <= ho; oy += 2) {
        step2<0, true>(oy, r);
        step2<2, true>(oy + 1, r);
      }
      if (oy < ho) step2<0, true>(oy, r);
    }
  }
};

// p.count planes: per plane its taps and output-stage parameters, then its rows.
template <int S, int LANES, int PIECE, S8OutKind K>
void rows_s8_plane(const DwPlaneS8& p) {
  RowsS8<S, LANES, PIECE, K> r(p);
  const size_t hw = p.h * p.w, howo = p.ho * p.wo * (K == S8OutKind::Int8 ? 1 : sizeof(float));
  for (size_t i = 0; i < p.count; i++) {
    if (i) {
      r.x += hw;
      r.y = static_cast<char*>(r.y) + howo;
      r.st.channel(p.out, i);
      r.taps(p.k + i * kDwS8PackedBytes);
    }
    r.run(p.ho);
  }
}

// Runs p through the narrow-map kernel if it applies; returns whether it ran.
template <int S, S8OutKind K>
bool rows_s8_try(const DwPlaneS8& p) {
  const size_t w = p.w, wo = p.wo;
  if (p.pad_left != 1 || p.pad_top > (S == 1 ? 2u : 1u) || w < 4 || w > 16 || wo < 4 ||
      wo != (S == 1 ? w : (w + 1) / 2) || p.ho == 0)
    return false;
  if (wo > 8) rows_s8_plane<S, 16, 8, K>(p);  // (wo > 8: stride 1, w > 8)
  else if (w >= 8) rows_s8_plane<S, 8, 8, K>(p);
  else rows_s8_plane<S, 8, 4, K>(p);
  return true;
}

}  // namespace
}  // namespace detail
}  // namespace armconv

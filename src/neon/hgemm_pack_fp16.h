// NEON fp16 GEMM B packers (formats: core/gemm.h, KR = 1, binary16 panels of
// NR columns), for an image of X = float (converted while packing: FCVTN,
// round to nearest even, as core/half.h's float_to_half) or X = Half
// (copied). Included only by fp16 extension units (built with
// -march=armv8.2-a+fp16; today neon/aarch64/hgemm_8x24_fp16.cpp); an
// anonymous namespace, so each unit has its own copy and none is shared with
// baseline code. The generic twins (generic/gemm_generic.h) write the same
// bytes, which tests/cpp/test_hgemm_fp16.cpp checks.
//
// Cost per packed element (the bound of a conversion pass): from float32,
// 24 columns are 2 loads (6 q), 6 FCVTN/FCVTN2 and one 3-register store, 0.375
// instructions per element; from binary16 a load and a store per 24. The
// im2col packer cuts each run of an output row into pieces at panel
// boundaries and converts a piece for every channel of the block (the
// geometry resolved once per tap and piece, as the fp32 packer).
#pragma once

#include <arm_neon.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>

#include "core/gemm.h"
#include "core/im2col.h"

namespace armconv {
namespace detail {
namespace {

// ---- element access: 4 or 8 X as binary16 lanes ---------------------------------

inline uint16_t* hp(Half* p) { return reinterpret_cast<uint16_t*>(p); }
inline const uint16_t* hp(const Half* p) { return reinterpret_cast<const uint16_t*>(p); }

// FCVTN + FCVTN2: 8 floats to 8 halves. (Written out: gcc 12 copies the
// destination around FCVTN2 when it is vcvt_high_f16_f32, two moves per pair.)
inline float16x8_t cvt8(float32x4_t lo, float32x4_t hi) {
  float16x8_t r;
  __asm__("fcvtn %0.4h, %1.4s\n fcvtn2 %0.8h, %2.4s" : "=&w"(r) : "w"(lo), "w"(hi));
  return r;
}
inline float16x8_t load8(const float* s) { return cvt8(vld1q_f32(s), vld1q_f32(s + 4)); }
inline float16x8_t load8(const Half* s) { return vreinterpretq_f16_u16(vld1q_u16(hp(s))); }
inline float16x4_t load4(const float* s) { return vcvt_f16_f32(vld1q_f32(s)); }
inline float16x4_t load4(const Half* s) { return vreinterpret_f16_u16(vld1_u16(hp(s))); }
inline void store8(Half* d, float16x8_t v) { vst1q_u16(hp(d), vreinterpretq_u16_f16(v)); }
inline void store4(Half* d, float16x4_t v) { vst1_u16(hp(d), vreinterpret_u16_f16(v)); }

inline Half to_half(float f) {
  const float16_t h = float16_t(f);  // FCVT: round to nearest even
  Half r;
  std::memcpy(&r, &h, sizeof r);
  return r;
}
inline Half to_half(Half h) { return h; }

// G elements 2 apart (G = 8 or 4) from s: the even lanes of 2G elements
// (LD2; reads s[0 .. 2G - 1]) ...
template <size_t G, bool odd>
inline void store_s2(Half* d, const float* s) {
  if constexpr (G == 8) {
    const float32x4_t lo = odd ? vld2q_f32(s).val[1] : vld2q_f32(s).val[0];
    const float32x4_t hi = odd ? vld2q_f32(s + 8).val[1] : vld2q_f32(s + 8).val[0];
    store8(d, cvt8(lo, hi));
  } else {
    store4(d, vcvt_f16_f32(odd ? vld2q_f32(s).val[1] : vld2q_f32(s).val[0]));
  }
}
// ... or the odd lanes (`odd`: s[1], s[3], ...; the same reads).
template <size_t G, bool odd>
inline void store_s2(Half* d, const Half* s) {
  if constexpr (G == 8) {
    const uint16x8x2_t v = vld2q_u16(hp(s));
    vst1q_u16(hp(d), odd ? v.val[1] : v.val[0]);
  } else {
    const uint16x4x2_t v = vld2_u16(hp(s));
    vst1_u16(hp(d), odd ? v.val[1] : v.val[0]);
  }
}

// `rows` rows of 24 elements: d[i * dstep + j] = s[i * sstep + j] (steps in
// bytes), j < 24. One loop of 11 instructions per row from float32 (2 loads,
// 6 conversions, 1 store, loop), 4 from binary16.
inline void rows24(Half* d, size_t dstep, const float* s, size_t sstep, size_t rows) {
  __asm__ volatile(
      "1:\n"
      "ld1 {v16.4s-v19.4s}, [%[s]], #64\n"
      "ld1 {v20.4s, v21.4s}, [%[s]], %[srest]\n"
      "fcvtn v0.4h, v16.4s\n fcvtn2 v0.8h, v17.4s\n"
      "fcvtn v1.4h, v18.4s\n fcvtn2 v1.8h, v19.4s\n"
      "fcvtn v2.4h, v20.4s\n fcvtn2 v2.8h, v21.4s\n"
      "st1 {v0.8h-v2.8h}, [%[d]], %[dstep]\n"
      "subs %[rows], %[rows], #1\n"
      "b.ne 1b\n"
      : [d] "+r"(d), [s] "+r"(s), [rows] "+r"(rows)
      : [srest] "r"(sstep - 64), [dstep] "r"(dstep)
      : "cc", "memory", "v0", "v1", "v2", "v16", "v17", "v18", "v19", "v20", "v21");
}
inline void rows24(Half* d, size_t dstep, const Half* s, size_t sstep, size_t rows) {
  __asm__ volatile(
      "1:\n"
      "ld1 {v0.8h-v2.8h}, [%[s]], %[sstep]\n"
      "st1 {v0.8h-v2.8h}, [%[d]], %[dstep]\n"
      "subs %[rows], %[rows], #1\n"
      "b.ne 1b\n"
      : [d] "+r"(d), [s] "+r"(s), [rows] "+r"(rows)
      : [sstep] "r"(sstep), [dstep] "r"(dstep)
      : "cc", "memory", "v0", "v1", "v2");
}

template <size_t kNR>
struct HgemmPack {
  static_assert(kNR % 8 == 0, "panels of whole binary16 vectors");

  // One panel row: NR elements.
  template <class X>
  static void copy_nr(Half* d, const X* s) {
    for (size_t j = 0; j < kNR; j += 8) store8(d + j, load8(s + j));
  }
  // `n` panel rows from rows of an X matrix (steps in elements).
  template <class X>
  static void rows(Half* d, size_t dstep, const X* s, size_t sstep, size_t n) {
    if constexpr (kNR == 24) {
      if (n) rows24(d, dstep * sizeof(Half), s, sstep * sizeof(X), n);
    } else {
      for (size_t i = 0; i < n; i++) copy_nr(d + i * dstep, s + i * sstep);
    }
  }
  static void zero_nr(Half* d) {
    const uint16x8_t z = vdupq_n_u16(0);
    for (size_t j = 0; j < kNR; j += 8) vst1q_u16(hp(d + j), z);
  }

  // A piece of N pixels, converted: d[t] = s[t * S] for t < N (N < 2 NR),
  // for `count` rows (channels) d += dstep, s += sstep apart. N, S and
  // whether the element after the last pixel may be read (OVR) are compile-
  // time constants: the straight-line copies below, one table entry per N
  // (pieces are cut at panel and output-row boundaries, so every length
  // occurs), with the channel loop around them.
  template <size_t N, class X>
  static void copy_n(Half* d, const X* s) {
    if constexpr (N >= 8) {  // whole vectors, the last one overlapping
      for (size_t t = 0; t + 8 <= N; t += 8) store8(d + t, load8(s + t));
      if constexpr (N % 8 != 0) store8(d + N - 8, load8(s + N - 8));
    } else if constexpr (N >= 4) {
      store4(d, load4(s));
      if constexpr (N > 4) store4(d + N - 4, load4(s + N - 4));
    } else {
      for (size_t t = 0; t < N; t++) d[t] = to_half(s[t]);
    }
  }

  // Stride 2: groups of G = 8 (or 4) pixels by LD2 from 2G elements, whole
  // groups while they end before the last pixel s[2N - 2], then one last
  // group overlapping the one before: the even lanes from s[2(N - G)] (reads
  // one element past the last pixel: only if OVR) or the odd lanes from
  // s[2(N - G) - 1] (N > G: inside the piece). Fewer than 4 pixels: one by one.
  template <size_t G, size_t N, bool OVR>
  static constexpr bool kS2Groups = N > G || (N == G && OVR);
  template <size_t G, size_t N, bool OVR, class X>
  static void groups_s2(Half* d, const X* s) {
    constexpr size_t full = (N - 1) / G;  // groups i with G i + G + 1 <= N
    for (size_t i = 0; i < full; i++) store_s2<G, false>(d + G * i, s + 2 * G * i);
    if constexpr (full * G < N) {
      if constexpr (OVR)
        store_s2<G, false>(d + N - G, s + 2 * (N - G));
      else
        store_s2<G, true>(d + N - G, s + 2 * (N - G) - 1);
    }
  }
  template <size_t N, bool OVR, class X>
  static void copy_s2(Half* d, const X* s) {
    if constexpr (kS2Groups<8, N, OVR>)
      groups_s2<8, N, OVR>(d, s);
    else if constexpr (kS2Groups<4, N, OVR>)
      groups_s2<4, N, OVR>(d, s);
    else
      for (size_t t = 0; t < N; t++) d[t] = to_half(s[2 * t]);
  }

  template <size_t S, size_t N, bool OVR, class X>
  static void copy_piece(Half* d, const X* s) {
    if constexpr (S == 1)
      copy_n<N>(d, s);
    else
      copy_s2<N, OVR>(d, s);
  }
  // (Two rows per iteration: the loop's counter, branch and pointer steps
  // are a third of a short piece's cost.)
  template <size_t S, size_t N, bool OVR, class X>
  static void piece(Half* d, size_t dstep, const X* s, size_t sstep, size_t count) {
    for (; count >= 2; count -= 2, d += 2 * dstep, s += 2 * sstep) {
      copy_piece<S, N, OVR>(d, s);
      copy_piece<S, N, OVR>(d + dstep, s + sstep);
    }
    if (count) copy_piece<S, N, OVR>(d, s);
  }

  template <class X>
  using PieceFn = void (*)(Half*, size_t, const X*, size_t, size_t);
  template <size_t S, bool OVR, class X, size_t... I>
  static PieceFn<X> piece_at(size_t n, std::index_sequence<I...>) {
    static constexpr PieceFn<X> fns[] = {piece<S, I + 1, OVR, X>...};
    return fns[n - 1];
  }
  // The piece function for n (1 .. NR) pixels.
  template <size_t S, bool OVR, class X>
  static PieceFn<X> piece_fn(size_t n) {
    return piece_at<S, OVR, X>(n, std::make_index_sequence<kNR>());
  }

  // General stride: one by one.
  template <class X>
  static void copy_strided(Half* d, const X* s, size_t count, size_t stride) {
    for (size_t t = 0; t < count; t++) d[t] = to_half(s[t * stride]);
  }

  // B (dense): NR-column panels; the last, partial panel converts `cols`
  // elements per row and zero-fills the rest.
  template <class X>
  static void pack_b(size_t kc, size_t nc, const X* b, size_t ldb, Half* dst) {
    size_t q = 0;
    for (; q + kNR <= nc; q += kNR, dst += kc * kNR) rows(dst, kNR, b + q, ldb, kc);
    if (q < nc) {
      for (size_t kk = 0; kk < kc; kk++) zero_nr(dst + kk * kNR);
      piece_fn<1, false, X>(nc - q)(dst, kNR, b + q, ldb, kc);
    }
  }

  // im2col into NR-column panels, straight from the image (core/im2col.h):
  // per tap, its rows are zeroed if the tap reads padding in this block; then
  // each run of pixels inside the image is cut at panel boundaries into
  // pieces, and each piece converted for every channel of the block (source
  // one plane further, destination `taps` panel rows further).
  template <size_t S, class X>
  static void pack_im2col_s(const Im2colGeom& g, size_t k0, size_t kc, size_t n0, size_t nc,
                            Half* dst) {
    const size_t taps = g.kh * g.kw, plane = g.h * g.w;
    const size_t panel = kNR * kc;  // elements per panel of the block
    const size_t sw = size_t(g.sw);
    const X* x = static_cast<const X*>(g.x);
    if (nc % kNR) {  // columns past nc in the last panel: zero in every row
      Half* d = dst + nc / kNR * panel;
      for (size_t kk = 0; kk < kc; kk++, d += kNR) zero_nr(d);
    }
    for (size_t t = 0; t < taps; t++) {
      size_t c_begin, c_end;
      im2col_tap_channels(g, t, k0, kc, &c_begin, &c_end);
      if (c_begin == c_end) continue;
      const size_t channels = c_end - c_begin, dstep = taps * kNR;
      const Im2colTap tap = im2col_tap(g, t);
      const X* x0 = x + c_begin * plane;
      Half* d0 = dst + (c_begin * taps + t - k0) * kNR;  // the tap's first row in the block
      if (im2col_block_pads(g, tap, n0, nc)) {
        for (size_t p = 0; p < nc; p += kNR) {
          Half* d = d0 + p * kc;
          for (size_t ch = 0; ch < channels; ch++, d += dstep) zero_nr(d);
        }
      }
      Im2colRun r;
      for (Im2colRuns it(g, tap, n0, nc); it.next(&r);) {
        const size_t jv = r.j + r.lead;  // block column of the run's first pixel
        for (size_t i = 0; i < r.count;) {
          const size_t jj = jv + i, n = std::min(r.count - i, kNR - jj % kNR);
          const size_t src = r.src + i * sw;
          Half* d = d0 + jj / kNR * panel + jj % kNR;
          const X* s = x0 + src;
          if (S == 1 && n == kNR) {
            rows(d, dstep, s, plane, channels);
          } else if (S == 1) {
            piece_fn<1, false, X>(n)(d, dstep, s, plane, channels);
          } else if (S == 2) {
            // The element after the piece's last pixel is inside the plane.
            const bool overread_ok = src + (n - 1) * sw + 1 < plane;
            (overread_ok ? piece_fn<2, true, X>(n) : piece_fn<2, false, X>(n))(d, dstep, s, plane,
                                                                               channels);
          } else {
            for (size_t ch = 0; ch < channels; ch++, d += dstep, s += plane)
              copy_strided(d, s, n, sw);
          }
          i += n;
        }
      }
    }
  }

  template <class X>
  static void pack_im2col(const Im2colGeom& g, size_t k0, size_t kc, size_t n0, size_t nc,
                          Half* dst) {
    if (g.sw == 1)
      pack_im2col_s<1, X>(g, k0, kc, n0, nc, dst);
    else if (g.sw == 2)
      pack_im2col_s<2, X>(g, k0, kc, n0, nc, dst);
    else
      pack_im2col_s<0, X>(g, k0, kc, n0, nc, dst);
  }
};

}  // namespace
}  // namespace detail
}  // namespace armconv

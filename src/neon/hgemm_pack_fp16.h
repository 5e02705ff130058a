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

#include "core/gemm.h"
#include "core/im2col.h"

namespace armconv {
namespace detail {
namespace {

// ---- element access: 4 or 8 X as binary16 lanes ---------------------------------

inline uint16_t* hp(Half* p) { return reinterpret_cast<uint16_t*>(p); }
inline const uint16_t* hp(const Half* p) { return reinterpret_cast<const uint16_t*>(p); }

inline float16x8_t load8(const float* s) {
  return vcvt_high_f16_f32(vcvt_f16_f32(vld1q_f32(s)), vld1q_f32(s + 4));
}
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
template <size_t G>
inline void store_s2(Half* d, const float* s, bool odd) {
  if constexpr (G == 8) {
    const float32x4_t lo = odd ? vld2q_f32(s).val[1] : vld2q_f32(s).val[0];
    const float32x4_t hi = odd ? vld2q_f32(s + 8).val[1] : vld2q_f32(s + 8).val[0];
    store8(d, vcvt_high_f16_f32(vcvt_f16_f32(lo), hi));
  } else {
    store4(d, vcvt_f16_f32(odd ? vld2q_f32(s).val[1] : vld2q_f32(s).val[0]));
  }
}
// ... or the odd lanes (`odd`: s[1], s[3], ...; the same reads).
template <size_t G>
inline void store_s2(Half* d, const Half* s, bool odd) {
  if constexpr (G == 8) {
    const uint16x8x2_t v = vld2q_u16(hp(s));
    vst1q_u16(hp(d), odd ? v.val[1] : v.val[0]);
  } else {
    const uint16x4x2_t v = vld2_u16(hp(s));
    vst1_u16(hp(d), odd ? v.val[1] : v.val[0]);
  }
}

template <size_t kNR>
struct HgemmPack {
  static_assert(kNR % 8 == 0, "panels of whole binary16 vectors");

  // One panel row: NR elements.
  static void copy_nr(Half* d, const float* s) {
    if constexpr (kNR == 24) {
      const float32x4x4_t x = vld1q_f32_x4(s);
      const float32x4x2_t y = vld1q_f32_x2(s + 16);
      uint16x8x3_t o;
      o.val[0] = vreinterpretq_u16_f16(vcvt_high_f16_f32(vcvt_f16_f32(x.val[0]), x.val[1]));
      o.val[1] = vreinterpretq_u16_f16(vcvt_high_f16_f32(vcvt_f16_f32(x.val[2]), x.val[3]));
      o.val[2] = vreinterpretq_u16_f16(vcvt_high_f16_f32(vcvt_f16_f32(y.val[0]), y.val[1]));
      vst1q_u16_x3(hp(d), o);
    } else {
      for (size_t j = 0; j < kNR; j += 8) store8(d + j, load8(s + j));
    }
  }
  static void copy_nr(Half* d, const Half* s) {
    if constexpr (kNR == 24) {
      vst1q_u16_x3(hp(d), vld1q_u16_x3(hp(s)));
    } else {
      for (size_t j = 0; j < kNR; j += 8) vst1q_u16(hp(d + j), vld1q_u16(hp(s + j)));
    }
  }
  static void zero_nr(Half* d) {
    const uint16x8_t z = vdupq_n_u16(0);
    for (size_t j = 0; j < kNR; j += 8) vst1q_u16(hp(d + j), z);
  }

  // d[t] = s[t] for t < count (count < NR), reading nothing past s[count - 1]:
  // whole vectors, then an overlapping last one, or single elements below 4.
  template <class X>
  static void copy_n(Half* d, const X* s, size_t count) {
    if (count >= 8) {
      size_t t = 0;
      for (; t + 8 <= count; t += 8) store8(d + t, load8(s + t));
      if (t < count) store8(d + count - 8, load8(s + count - 8));
    } else if (count >= 4) {
      store4(d, load4(s));
      if (count > 4) store4(d + count - 4, load4(s + count - 4));
    } else {
      for (size_t t = 0; t < count; t++) d[t] = to_half(s[t]);
    }
  }

  // d[t] = s[t * stride] for t < count.
  template <class X>
  static void copy_strided(Half* d, const X* s, size_t count, size_t stride) {
    for (size_t t = 0; t < count; t++) d[t] = to_half(s[t * stride]);
  }

  // d[t] = s[2t] for t < count, in groups of G = 8 (or 4 for short pieces)
  // pixels read by LD2 from 2G elements, never past s[2count - 2] unless
  // `overread_ok` (the element after the last pixel is inside the image):
  // whole groups while they end before the last pixel, then one last group
  // overlapping the one before, ending at the last pixel (the odd lanes of
  // the 2G elements from s[2(count - G) - 1]) or one past it (the even lanes
  // from s[2(count - G)]). Fewer than 4 pixels: one by one.
  template <size_t G, class X>
  static bool copy_s2_groups(Half* d, const X* s, size_t count, bool overread_ok) {
    if (!(count > G || (count == G && overread_ok))) return false;
    size_t t = 0;
    for (; t + G + 1 <= count; t += G) store_s2<G>(d + t, s + 2 * t, false);  // ends at s[2count - 3]
    if (t < count) {
      if (overread_ok)
        store_s2<G>(d + count - G, s + 2 * (count - G), false);
      else
        store_s2<G>(d + count - G, s + 2 * (count - G) - 1, true);  // count > G: inside the piece
    }
    return true;
  }
  template <class X>
  static void copy_s2(Half* d, const X* s, size_t count, bool overread_ok) {
    if (copy_s2_groups<8>(d, s, count, overread_ok)) return;
    if (copy_s2_groups<4>(d, s, count, overread_ok)) return;
    for (size_t t = 0; t < count; t++) d[t] = to_half(s[2 * t]);
  }

  // B (dense): NR-column panels; the last, partial panel converts `cols`
  // elements per row and zero-fills the rest.
  template <class X>
  static void pack_b(size_t kc, size_t nc, const X* b, size_t ldb, Half* dst) {
    size_t q = 0;
    for (; q + kNR <= nc; q += kNR) {
      const X* s = b + q;
      size_t kk = 0;
      for (; kk + 2 <= kc; kk += 2, dst += 2 * kNR, s += 2 * ldb) {
        copy_nr(dst, s);
        copy_nr(dst + kNR, s + ldb);
      }
      if (kk < kc) {
        copy_nr(dst, s);
        dst += kNR;
      }
    }
    if (q < nc) {
      const size_t cols = nc - q;
      for (size_t kk = 0; kk < kc; kk++, dst += kNR) {
        zero_nr(dst);
        copy_n(dst, b + kk * ldb + q, cols);
      }
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
            for (size_t ch = 0; ch < channels; ch++, d += dstep, s += plane) copy_nr(d, s);
          } else if (S == 1) {
            for (size_t ch = 0; ch < channels; ch++, d += dstep, s += plane) copy_n(d, s, n);
          } else if (S == 2) {
            // The element after the piece's last pixel is inside the plane.
            const bool overread_ok = src + (n - 1) * sw + 1 < plane;
            for (size_t ch = 0; ch < channels; ch++, d += dstep, s += plane)
              copy_s2(d, s, n, overread_ok);
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

// NEON int8 depthwise 3x3, stride 1 and 2, with the output stage fused
// (contract: core/dwconv.h; rule: core/requant.h), written once for both ISAs
// (intrinsics, an anonymous namespace): the asm units
// neon/aarch64/dwconv3x3_s8_1x16_smull.cpp and neon/armv7/dwconv3x3_s8_1x8_smull.cpp
// send it the planes they do not take. Bit-exact with the generic
// loop (generic/dwconv_s8.cpp): the int32 sums are exact, and the store is the
// requantization of the GEMM kernels (sqshl, sqrdmulh, saturating narrows,
// clamp) or the float dequantization (scvtf, one multiply, clamp).
//
// Rows. Each input row a chunk of output columns needs is copied once into
// a zero-padded stack row (three buffers in rotation: stride 1 takes one new
// row per output row, stride 2 two), so the inner loop reads whole vectors
// with no bounds checks and the padding never exists in memory outside the
// kernel; rows above and below the plane read a constant zero row. Columns
// go in chunks of up to kDwS8Chunk outputs, which bounds the stack rows for
// any width; a chunk's last partial step overlaps the one before it.
//
// Inner step: 16 output columns of one row (tile 1x16). The 9 taps' windows:
// stride 1 loads the row at offsets 0, 1, 2 (unaligned 16-byte loads);
// stride 2 de-interleaves with vld2 at offsets 0 and 2 (even columns = taps
// 0 and 2, odd = tap 1). Products go in pairs of taps through int16:
//   p = smull(x_t, w_t) + smull(x_t', w_t')    |p| <= 2 * 128 * 127 < 2^15
// (8 lanes per half), widened into four int32x4 accumulators by saddw:
// taps (0,1) (2,3) (4,5) (6,7) (8) = 5 groups of 2-4 multiplies + 4 widens,
// 38 instructions per 144 MACs, plus 6-9 loads and the store (~13 for int8).
#pragma once

#include <arm_neon.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/dwconv.h"

namespace armconv {
namespace detail {
namespace {

constexpr size_t kDwS8Chunk = 256;  // output columns per chunk (a multiple of 16)

// Bytes of one padded row of a chunk: the loads of the last 16-column step
// reach (chunk - 1) * S + 2 + 16 columns past its first (vld2 at +2 reads 32).
template <int S>
constexpr size_t dw_s8_row_len() {
  return kDwS8Chunk * S + 48;
}

alignas(16) const int8_t kDwS8ZeroRow[dw_s8_row_len<2>() + 16] = {};

// Hides a vector's value from the compiler (no instruction): otherwise it
// turns the short store loops below into memset/memcpy calls, each of which
// also makes the plane loop save and restore its vector registers.
#if defined(__GNUC__)
#define ARMCONV_DWS8_OPAQUE(v) __asm__("" : "+w"(v))
#else
#define ARMCONV_DWS8_OPAQUE(v) (void)(v)
#endif

// n (0..7) bytes from s to d: overlapping 4-byte moves, or bytes (no loop:
// gcc would call memcpy).
inline void dw_s8_copy_small(int8_t* d, const int8_t* s, size_t n) {
  if (n >= 4) {
    std::memcpy(d, s, 4);
    std::memcpy(d + n - 4, s + n - 4, 4);
  } else if (n) {
    d[0] = s[0];
    if (n > 1) d[1] = s[1];
    if (n > 2) d[2] = s[2];
  }
}

// dst[i] = row[a0 + i] for a0 + i in [0, w) and i < len; the other bytes of
// dst are left as they are (zero: dw3x3_s8_plane zeroes its rows once per
// chunk, and every row of a chunk copies the same columns).
inline void dw_s8_fill_row(int8_t* dst, const int8_t* row, int64_t a0, size_t len, size_t w) {
  int64_t lo = -a0, hi = int64_t(w) - a0;
  lo = lo < 0 ? 0 : (lo > int64_t(len) ? int64_t(len) : lo);
  hi = hi < lo ? lo : (hi > int64_t(len) ? int64_t(len) : hi);
  const size_t n = size_t(hi - lo);
  const int8_t* s = row + (a0 + lo);
  int8_t* d = dst + lo;
  if (n >= 16) {
    size_t i = 0;
    for (; i + 16 < n; i += 16) {
      int8x16_t v = vld1q_s8(s + i);
      ARMCONV_DWS8_OPAQUE(v);
      vst1q_s8(d + i, v);
    }
    vst1q_s8(d + n - 16, vld1q_s8(s + n - 16));  // overlapping last vector
  } else if (n >= 8) {  // rows of small maps: two overlapping 8-byte moves
    int8x8_t u = vld1_s8(s), v = vld1_s8(s + n - 8);
    ARMCONV_DWS8_OPAQUE(u);
    ARMCONV_DWS8_OPAQUE(v);
    vst1_s8(d, u);
    vst1_s8(d + n - 8, v);
  } else {
    dw_s8_copy_small(d, s, n);
  }
}

// The first n (1..15) bytes of the 16 at t to p: overlapping 8-byte moves
// (a call to memcpy costs more than the step it stores on small maps).
inline void dw_s8_copy_partial(int8_t* p, const int8_t* t, size_t n) {
  if (n >= 8) {
    std::memcpy(p, t, 8);
    std::memcpy(p + n - 8, t + n - 8, 8);
  } else {
    dw_s8_copy_small(p, t, n);
  }
}

#if defined(__GNUC__)
#define ARMCONV_DWS8_INLINE inline __attribute__((always_inline))
#define ARMCONV_DWS8_NOINLINE __attribute__((noinline))
#else
#define ARMCONV_DWS8_INLINE inline
#define ARMCONV_DWS8_NOINLINE
#endif

// The 16 int32 sums of one step, named (arrays of vectors are not always
// kept in registers by GCC 12).
struct Acc16 {
  int32x4_t a0, a1, a2, a3;
};

// The 9 taps, each broadcast to 16 lanes.
struct Taps9 {
  int8x16_t w0, w1, w2, w3, w4, w5, w6, w7, w8;
};

// acc += lanes of p_lo (outputs 0-7) and p_hi (8-15).
ARMCONV_DWS8_INLINE void dw_s8_widen(Acc16& acc, int16x8_t p_lo, int16x8_t p_hi) {
#if defined(__aarch64__)
  acc.a0 = vaddw_s16(acc.a0, vget_low_s16(p_lo));
  acc.a1 = vaddw_high_s16(acc.a1, p_lo);
  acc.a2 = vaddw_s16(acc.a2, vget_low_s16(p_hi));
  acc.a3 = vaddw_high_s16(acc.a3, p_hi);
#else
  acc.a0 = vaddw_s16(acc.a0, vget_low_s16(p_lo));
  acc.a1 = vaddw_s16(acc.a1, vget_high_s16(p_lo));
  acc.a2 = vaddw_s16(acc.a2, vget_low_s16(p_hi));
  acc.a3 = vaddw_s16(acc.a3, vget_high_s16(p_hi));
#endif
}

// Two taps: acc += x0 * w0 + x1 * w1 (16 lanes).
ARMCONV_DWS8_INLINE void dw_s8_pair(Acc16& acc, int8x16_t x0, int8x16_t w0, int8x16_t x1,
                                    int8x16_t w1) {
  int16x8_t lo = vmull_s8(vget_low_s8(x0), vget_low_s8(w0));
  lo = vmlal_s8(lo, vget_low_s8(x1), vget_low_s8(w1));
#if defined(__aarch64__)
  int16x8_t hi = vmull_high_s8(x0, w0);
  hi = vmlal_high_s8(hi, x1, w1);
#else
  int16x8_t hi = vmull_s8(vget_high_s8(x0), vget_high_s8(w0));
  hi = vmlal_s8(hi, vget_high_s8(x1), vget_high_s8(w1));
#endif
  dw_s8_widen(acc, lo, hi);
}

// One tap: acc += x * w.
ARMCONV_DWS8_INLINE void dw_s8_single(Acc16& acc, int8x16_t x, int8x16_t w) {
  const int16x8_t lo = vmull_s8(vget_low_s8(x), vget_low_s8(w));
#if defined(__aarch64__)
  const int16x8_t hi = vmull_high_s8(x, w);
#else
  const int16x8_t hi = vmull_s8(vget_high_s8(x), vget_high_s8(w));
#endif
  dw_s8_widen(acc, lo, hi);
}

// The output stage of one plane, in registers.
template <S8OutKind K>
struct DwS8Store {
  int32x4_t bias, shift, mult;
  int8x16_t qmin, qmax;
  bool shifted, fclamp;
  float32x4_t scale, fmin, fmax;
  explicit DwS8Store(const S8Output& o) {
    bias = vdupq_n_s32(o.bias[0]);
    shifted = o.shift != 0;
    shift = vdupq_n_s32(o.shift);
    mult = vdupq_n_s32(K == S8OutKind::Int8 ? o.mult[0] : 0);
    qmin = vdupq_n_s8(int8_t(o.qmin));
    qmax = vdupq_n_s8(int8_t(o.qmax));
    scale = vdupq_n_f32(K == S8OutKind::Float ? o.fscale[0] : 0.0f);
    fclamp = o.fclamp;
    fmin = vdupq_n_f32(o.fmin);
    fmax = vdupq_n_f32(o.fmax);
  }
  // The per-channel parameters of channel i of o (a run of planes).
  ARMCONV_DWS8_INLINE void channel(const S8Output& o, size_t i) {
    bias = vld1q_dup_s32(o.bias + i);
    if (K == S8OutKind::Int8) mult = vld1q_dup_s32(o.mult + i);
    else scale = vld1q_dup_f32(o.fscale + i);
  }
  // Int8: the 16 requantized outputs of acc (core/requant.h).
  ARMCONV_DWS8_INLINE int8x16_t requant(Acc16 acc) const {
    if (shifted) {
      acc.a0 = vqshlq_s32(acc.a0, shift);
      acc.a1 = vqshlq_s32(acc.a1, shift);
      acc.a2 = vqshlq_s32(acc.a2, shift);
      acc.a3 = vqshlq_s32(acc.a3, shift);
    }
    const int16x8_t h0 = vcombine_s16(vqmovn_s32(vqrdmulhq_s32(acc.a0, mult)),
                                      vqmovn_s32(vqrdmulhq_s32(acc.a1, mult)));
    const int16x8_t h1 = vcombine_s16(vqmovn_s32(vqrdmulhq_s32(acc.a2, mult)),
                                      vqmovn_s32(vqrdmulhq_s32(acc.a3, mult)));
    const int8x16_t q = vcombine_s8(vqmovn_s16(h0), vqmovn_s16(h1));
    return vminq_s8(vmaxq_s8(q, qmin), qmax);
  }
  // Int8: the 8 requantized outputs of a0 (outputs 0-3) and a1 (4-7).
  ARMCONV_DWS8_INLINE int8x8_t requant8(int32x4_t a0, int32x4_t a1) const {
    if (shifted) {
      a0 = vqshlq_s32(a0, shift);
      a1 = vqshlq_s32(a1, shift);
    }
    const int16x8_t h = vcombine_s16(vqmovn_s32(vqrdmulhq_s32(a0, mult)), vqmovn_s32(vqrdmulhq_s32(a1, mult)));
    return vmin_s8(vmax_s8(vqmovn_s16(h), vget_low_s8(qmin)), vget_low_s8(qmax));
  }
  // Float: 4 dequantized outputs (the arithmetic of store()).
  ARMCONV_DWS8_INLINE float32x4_t dequant(int32x4_t a) const {
    float32x4_t f = vmulq_f32(vcvtq_f32_s32(a), scale);
    if (fclamp) f = vminq_f32(vmaxq_f32(f, fmin), fmax);
    return f;
  }
  // The first n (1..16) outputs of acc at y (element index `at`).
  ARMCONV_DWS8_INLINE void store(Acc16 acc, void* y, size_t at, size_t n) const {
    if (K == S8OutKind::Int8) {
      const int8x16_t q = requant(acc);
      int8_t* p = static_cast<int8_t*>(y) + at;
      if (n == 16) {
        vst1q_s8(p, q);
      } else {
        alignas(16) int8_t t[16];
        vst1q_s8(t, q);
        dw_s8_copy_partial(p, t, n);
      }
    } else {
      float32x4_t f0 = vmulq_f32(vcvtq_f32_s32(acc.a0), scale);
      float32x4_t f1 = vmulq_f32(vcvtq_f32_s32(acc.a1), scale);
      float32x4_t f2 = vmulq_f32(vcvtq_f32_s32(acc.a2), scale);
      float32x4_t f3 = vmulq_f32(vcvtq_f32_s32(acc.a3), scale);
      if (fclamp) {
        f0 = vminq_f32(vmaxq_f32(f0, fmin), fmax);
        f1 = vminq_f32(vmaxq_f32(f1, fmin), fmax);
        f2 = vminq_f32(vmaxq_f32(f2, fmin), fmax);
        f3 = vminq_f32(vmaxq_f32(f3, fmin), fmax);
      }
      float* p = static_cast<float*>(y) + at;
      if (n == 16) {
        vst1q_f32(p, f0);
        vst1q_f32(p + 4, f1);
        vst1q_f32(p + 8, f2);
        vst1q_f32(p + 12, f3);
      } else {
        alignas(16) float t[16];
        vst1q_f32(t, f0);
        vst1q_f32(t + 4, f1);
        vst1q_f32(t + 8, f2);
        vst1q_f32(t + 12, f3);
        if (n >= 4) {  // whole vectors, the last one overlapping (no memcpy call)
          for (size_t i = 0; i + 4 < n; i += 4) {
            float32x4_t v = vld1q_f32(t + i);
            ARMCONV_DWS8_OPAQUE(v);
            vst1q_f32(p + i, v);
          }
          vst1q_f32(p + n - 4, vld1q_f32(t + n - 4));
        } else {
          p[0] = t[0];  // (no loop: gcc would call memcpy)
          if (n > 1) p[1] = t[1];
          if (n > 2) p[2] = t[2];
        }
      }
    }
  }
};

// The windows of one padded row for 16 outputs: taps 0, 1, 2 of the row.
template <int S>
ARMCONV_DWS8_INLINE void dw_s8_row(const int8_t* r, int8x16_t* x0, int8x16_t* x1, int8x16_t* x2) {
  if (S == 1) {
    *x0 = vld1q_s8(r);
    *x1 = vld1q_s8(r + 1);
    *x2 = vld1q_s8(r + 2);
  } else {
    const int8x16x2_t a = vld2q_s8(r);  // columns 0, 2, ..; 1, 3, ..
    *x0 = a.val[0];
    *x1 = a.val[1];
    *x2 = vld2q_s8(r + 2).val[0];  // columns 2, 4, ..
  }
}

// 16 outputs from the three padded rows at the step's first column.
template <int S>
ARMCONV_DWS8_INLINE Acc16 dw_s8_step(const int8_t* r0, const int8_t* r1, const int8_t* r2,
                                     const Taps9& w, int32x4_t bias) {
  Acc16 acc = {bias, bias, bias, bias};
  int8x16_t a0, a1, a2, b0, b1, b2, c0, c1, c2;
  dw_s8_row<S>(r0, &a0, &a1, &a2);
  dw_s8_row<S>(r1, &b0, &b1, &b2);
  dw_s8_row<S>(r2, &c0, &c1, &c2);
  dw_s8_pair(acc, a0, w.w0, a1, w.w1);
  dw_s8_pair(acc, a2, w.w2, b0, w.w3);
  dw_s8_pair(acc, b1, w.w4, b2, w.w5);
  dw_s8_pair(acc, c0, w.w6, c1, w.w7);
  dw_s8_single(acc, c2, w.w8);
  return acc;
}

template <int S, S8OutKind K>
ARMCONV_DWS8_NOINLINE void dw3x3_s8_plane(const DwPlaneS8& p) {
  constexpr size_t kLen = dw_s8_row_len<S>();
  alignas(16) int8_t rows[3][kLen + 16];
  const int8_t* k = p.k;
  const Taps9 w = {vdupq_n_s8(k[0]), vdupq_n_s8(k[1]), vdupq_n_s8(k[2]),
                   vdupq_n_s8(k[3]), vdupq_n_s8(k[4]), vdupq_n_s8(k[5]),
                   vdupq_n_s8(k[6]), vdupq_n_s8(k[7]), vdupq_n_s8(k[8])};
  const DwS8Store<K> st(p.out);
  const int64_t h = int64_t(p.h), pt = int64_t(p.pad_top), pl = int64_t(p.pad_left);
  for (size_t c0 = 0; c0 < p.wo; c0 += kDwS8Chunk) {
    const size_t cw = p.wo - c0 < kDwS8Chunk ? p.wo - c0 : kDwS8Chunk;
    const size_t steps = (cw + 15) / 16;
    const size_t len = (steps * 16 - 1) * S + 3 + 32;  // every byte the steps load
    const int64_t a0 = int64_t(c0) * S - pl;           // input column of the rows' byte 0
    // The rows' bytes outside the input row are zero for the whole chunk.
    {
      int8x16_t z = vdupq_n_s8(0);
      ARMCONV_DWS8_OPAQUE(z);
      for (size_t i = 0; i < len; i += 16) {
        vst1q_s8(rows[0] + i, z);
        vst1q_s8(rows[1] + i, z);
        vst1q_s8(rows[2] + i, z);
      }
    }
    // Input row iy padded into buffer b, or the zero row outside the plane.
    auto get = [&](int64_t iy, int8_t* b) -> const int8_t* {
      if (iy < 0 || iy >= h) return kDwS8ZeroRow;
      dw_s8_fill_row(b, p.x + size_t(iy) * p.w, a0, len, p.w);
      return b;
    };
    // The three rows of output row oy: input rows iy .. iy + 2 (iy = oy*S - pt)
    // in buffers b0..b2; each output row reuses what it can of the last one.
    int8_t *b0 = rows[0], *b1 = rows[1], *b2 = rows[2];
    int64_t iy = -pt;
    const int8_t* r0 = get(iy, b0);
    const int8_t* r1 = get(iy + 1, b1);
    const int8_t* r2 = get(iy + 2, b2);
    // Output columns: whole 16-column steps; a last partial one is run at
    // column cw - 16 instead (overlapping the step before, whose values it
    // stores again) when the chunk has 16 columns.
    const size_t full = cw / 16, last = cw >= 16 ? cw - 16 : 0;
    const bool partial = cw % 16 != 0;
    for (size_t oy = 0; oy < p.ho; oy++) {
      const size_t yrow = oy * p.wo + c0;
      for (size_t s = 0; s < full; s++)
        st.store(dw_s8_step<S>(r0 + 16 * S * s, r1 + 16 * S * s, r2 + 16 * S * s, w, st.bias), p.y,
                 yrow + 16 * s, 16);
      if (partial) {
        const size_t o = cw >= 16 ? last : 0;
        st.store(dw_s8_step<S>(r0 + S * o, r1 + S * o, r2 + S * o, w, st.bias), p.y, yrow + o,
                 cw >= 16 ? 16 : cw);
      }
      if (oy + 1 == p.ho) break;
      if (S == 1) {  // rows iy + 1, iy + 2 stay; iy + 3 enters
        int8_t* t = b0;
        b0 = b1;
        b1 = b2;
        b2 = t;
        r0 = r1;
        r1 = r2;
        r2 = get(iy + 3, b2);
      } else {  // row iy + 2 stays (as the first); iy + 3, iy + 4 enter
        int8_t* t = b0;
        b0 = b2;
        b2 = t;
        r0 = r2;
        r1 = get(iy + 3, b1);
        r2 = get(iy + 4, b2);
      }
      iy += S;
    }
  }
}

}  // namespace
}  // namespace detail
}  // namespace armconv

// Narrow "same"-padded maps (14x14, 7x7): rows built in registers.
#include "neon/dwconv3x3_s8_rows.h"

namespace armconv {
namespace detail {
namespace {

// The p.count planes one at a time (core/dwconv.h).
template <int S, S8OutKind K>
void dw3x3_s8_planes(const DwPlaneS8& p) {
  if (p.count == 1) return dw3x3_s8_plane<S, K>(p);
  DwPlaneS8 q = p;
  q.count = 1;
  const size_t es = K == S8OutKind::Int8 ? 1 : sizeof(float);
  for (size_t i = 0; i < p.count; i++) {
    q.x = p.x + i * p.h * p.w;
    q.y = static_cast<char*>(p.y) + i * p.ho * p.wo * es;
    q.k = p.k + i * kDwS8PackedBytes;
    q.out = out_from_row(p.out, i);
    dw3x3_s8_plane<S, K>(q);
  }
}

template <int S>
void dw3x3_s8_stride(const DwPlaneS8& p) {
  if (p.w <= 16) {  // (one compare for wide maps)
    if (p.out.kind == S8OutKind::Int8 ? rows_s8_try<S, S8OutKind::Int8>(p) : rows_s8_try<S, S8OutKind::Float>(p))
      return;
  }
  if (p.out.kind == S8OutKind::Int8)
    dw3x3_s8_planes<S, S8OutKind::Int8>(p);
  else
    dw3x3_s8_planes<S, S8OutKind::Float>(p);
}

void dw3x3_s8_stride1(const DwPlaneS8& p) { dw3x3_s8_stride<1>(p); }
void dw3x3_s8_stride2(const DwPlaneS8& p) { dw3x3_s8_stride<2>(p); }

}  // namespace
}  // namespace detail
}  // namespace armconv

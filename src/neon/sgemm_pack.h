// NEON fp32 GEMM packers (formats: core/gemm.h, KR = 1), written once for
// both ISAs' tiles: SgemmPack<MR, NR> is instantiated by the micro-kernel
// units neon/aarch64/sgemm_8x12.cpp (8 x 12) and neon/armv7/sgemm_6x8.cpp
// (6 x 8). Intrinsics; an anonymous namespace, so each unit has its own copy.
#pragma once

#include <arm_neon.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "core/gemm.h"
#include "core/im2col.h"

namespace armconv {
namespace detail {
namespace {

template <size_t kMR, size_t kNR>
struct SgemmPack {
  // A: MR-row panels, k-major (core/gemm.h). Full panels read MR rows side by
  // side, 4 k at a time, and transpose 4x4 blocks in registers; the ragged
  // edges are copied element by element. Runs once per layer.
  static void pack_a(size_t m, size_t k, const float* a, size_t lda, float* dst) {
    for (size_t p = 0; p < m; p += kMR) {
      const size_t rows = std::min(kMR, m - p);
      const float* ap = a + p * lda;
      size_t kk = 0;
      if (rows == kMR) {
        for (; kk + 4 <= k; kk += 4) {
          // Rows r..r+3 x columns kk..kk+3 -> 4 k-groups of (r..r+3).
          for (size_t r = 0; r + 4 <= kMR; r += 4) {
            const float32x4_t x0 = vld1q_f32(ap + (r + 0) * lda + kk);
            const float32x4_t x1 = vld1q_f32(ap + (r + 1) * lda + kk);
            const float32x4_t x2 = vld1q_f32(ap + (r + 2) * lda + kk);
            const float32x4_t x3 = vld1q_f32(ap + (r + 3) * lda + kk);
            const float32x4x2_t t01 = vtrnq_f32(x0, x1);  // (00 10 02 12), (01 11 03 13)
            const float32x4x2_t t23 = vtrnq_f32(x2, x3);  // (20 30 22 32), (21 31 23 33)
            float* d = dst + kk * kMR + r;
            vst1q_f32(d + 0 * kMR, vcombine_f32(vget_low_f32(t01.val[0]), vget_low_f32(t23.val[0])));
            vst1q_f32(d + 1 * kMR, vcombine_f32(vget_low_f32(t01.val[1]), vget_low_f32(t23.val[1])));
            vst1q_f32(d + 2 * kMR, vcombine_f32(vget_high_f32(t01.val[0]), vget_high_f32(t23.val[0])));
            vst1q_f32(d + 3 * kMR, vcombine_f32(vget_high_f32(t01.val[1]), vget_high_f32(t23.val[1])));
          }
          for (size_t r = kMR / 4 * 4; r < kMR; r++)  // armv7: rows 4, 5 of a 6-row panel
            for (size_t i = 0; i < 4; i++) dst[(kk + i) * kMR + r] = ap[r * lda + kk + i];
        }
      }
      for (; kk < k; kk++)
        for (size_t r = 0; r < kMR; r++) dst[kk * kMR + r] = r < rows ? ap[r * lda + kk] : 0.0f;
      dst += kMR * k;
    }
  }

  // Copies NR floats (a whole panel row): one ld1/st1 {3 regs} on aarch64.
  static void copy_nr(float* d, const float* s) {
  #if defined(__aarch64__)
      if constexpr (kNR == 12) {
        vst1q_f32_x3(d, vld1q_f32_x3(s));
        return;
      }
  #endif
      for (size_t j = 0; j < kNR; j += 4) vst1q_f32(d + j, vld1q_f32(s + j));
    }
  static void zero_nr(float* d) {
    const float32x4_t z = vdupq_n_f32(0.0f);
    for (size_t j = 0; j < kNR; j += 4) vst1q_f32(d + j, z);
  }

  // B (dense): NR-column panels. A full panel is one NR-float copy per k; the
  // last, partial panel copies `cols` floats and zero-fills the rest (no read
  // past column nc).
  static void pack_b(size_t kc, size_t nc, const float* b, size_t ldb, float* dst) {
    size_t q = 0;
    for (; q + kNR <= nc; q += kNR) {
      const float* s = b + q;
      size_t kk = 0;
      for (; kk + 4 <= kc; kk += 4) {
        copy_nr(dst, s);
        copy_nr(dst + kNR, s + ldb);
        copy_nr(dst + 2 * kNR, s + 2 * ldb);
        copy_nr(dst + 3 * kNR, s + 3 * ldb);
        dst += 4 * kNR;
        s += 4 * ldb;
      }
      for (; kk < kc; kk++) {
        copy_nr(dst, s);
        dst += kNR;
        s += ldb;
      }
    }
    if (q < nc) {
      const size_t cols = nc - q;
      for (size_t kk = 0; kk < kc; kk++) {
        zero_nr(dst);
        std::memcpy(dst, b + kk * ldb + q, cols * sizeof(float));
        dst += kNR;
      }
    }
  }

  // Piece copies of the im2col packer (below).

  // d[t] = s[t * S] for t < count, reading only s[0 .. (count-1)*S]
  // (S = 0: the stride is `stride`, given at run time).
  template <size_t S>
  static void copy_strided(float* d, const float* s, size_t count, size_t stride) {
    size_t t = 0;
    if (S == 1 && count >= 4) {
      for (; t + 4 <= count; t += 4) vst1q_f32(d + t, vld1q_f32(s + t));
      if (t < count) vst1q_f32(d + count - 4, vld1q_f32(s + count - 4));  // overlapping tail
      return;
    }
    if (S == 2 && count >= 5) {
      // vld2 reads s[2t .. 2t+7] for 4 outputs: safe while 2t+7 <= 2(count-1),
      // i.e. t+4 < count.
      for (; t + 4 < count; t += 4) vst1q_f32(d + t, vld2q_f32(s + 2 * t).val[0]);
      // The last 4: the odd lanes of s[2count-9 .. 2count-2] (overlapping).
      const float* e = s + 2 * count - 9;
      vst1q_f32(d + count - 4, vuzpq_f32(vld1q_f32(e), vld1q_f32(e + 4)).val[1]);
      return;
    }
    const size_t step = S ? S : stride;
    if (S) {
      switch (count) {  // short pieces, straight-line
        case 4: d[3] = s[3 * step]; [[fallthrough]];
        case 3: d[2] = s[2 * step]; [[fallthrough]];
        case 2: d[1] = s[step]; [[fallthrough]];
        case 1: d[0] = s[0]; return;
        default: break;
      }
    }
    for (; t < count; t++) d[t] = s[t * step];
  }

  // A whole panel row (NR pixels) with stride S.
  template <size_t S>
  static void copy_row(float* d, const float* s, size_t stride) {
    if (S == 1) {
      copy_nr(d, s);
    } else if (S == 2) {
      // NR/4 groups of 4 even elements: vld2 of s[8i .. 8i+7]; the last group
      // takes the odd lanes of s[8i-1 .. 8i+6] so that nothing past s[2(NR-1)]
      // is read.
      for (size_t i = 0; i + 1 < kNR / 4; i++) vst1q_f32(d + 4 * i, vld2q_f32(s + 8 * i).val[0]);
      const float* e = s + 2 * kNR - 9;
      vst1q_f32(d + kNR - 4, vuzpq_f32(vld1q_f32(e), vld1q_f32(e + 4)).val[1]);
    } else {
      copy_strided<0>(d, s, kNR, stride);
    }
  }

  // Groups of 4 pixels with stride 2 via vld2, which also reads the odd element
  // after the last pixel: only where that element is inside the image.
  template <size_t G>
  static void copy_groups_s2(float* d, const float* s) {
    for (size_t i = 0; i < G; i++) vst1q_f32(d + 4 * i, vld2q_f32(s + 8 * i).val[0]);
  }

  // One piece (count pixels, stride S) for `channels` channels: the source steps
  // by one plane, the destination by `dstep` floats (taps panel rows).
  // `overread_ok`: the float after the piece's last source pixel is inside the
  // image (not the end of the last row), so vld2 may touch it.
  template <size_t S>
  static void copy_piece(float* d, const float* s, size_t count, size_t stride, size_t channels,
                  size_t dstep, size_t plane, bool overread_ok) {
    if (S == 2 && overread_ok && count % 4 == 0) {
      switch (count / 4) {
        case 1:
          for (size_t ch = 0; ch < channels; ch++, d += dstep, s += plane) copy_groups_s2<1>(d, s);
          return;
        case 2:
          for (size_t ch = 0; ch < channels; ch++, d += dstep, s += plane) copy_groups_s2<2>(d, s);
          return;
        case 3:
          for (size_t ch = 0; ch < channels; ch++, d += dstep, s += plane) copy_groups_s2<3>(d, s);
          return;
        default:
          break;
      }
    }
    if (count == kNR) {
      size_t ch = channels;
      for (; ch >= 2; ch -= 2, d += 2 * dstep, s += 2 * plane) {
        copy_row<S>(d, s, stride);
        copy_row<S>(d + dstep, s + plane, stride);
      }
      if (ch) copy_row<S>(d, s, stride);
    } else {
      for (size_t ch = 0; ch < channels; ch++, d += dstep, s += plane)
        copy_strided<S>(d, s, count, stride);
    }
  }


  // im2col into NR-column panels, written straight into the panels (the full
  // im2col matrix never exists), over the geometry of core/im2col.h.
  //
  // Which pixels of a row k = (c, ky, kx) read the image, and from where,
  // depends only on the tap (ky, kx), not on the channel c. So for each tap
  // the packer zeroes its rows if the tap reads any padding in this block,
  // then takes the runs of pixels inside the image (one per output row the
  // block crosses), cuts each at panel boundaries into pieces of at most NR
  // columns, and copies each piece for every channel of the block: the
  // geometry is resolved once per (tap, piece), and the channel loop only
  // steps the source by one plane and the destination by `taps` panel rows.
  template <size_t S>
  static void pack_im2col_s(const Im2colGeom& g, size_t k0, size_t kc, size_t n0, size_t nc,
                            float* dst) {
    const size_t taps = g.kh * g.kw, plane = g.h * g.w;
    const size_t panel = kNR * kc;  // floats per panel of the block
    const size_t sw = size_t(g.sw);  // (several pixels of a run are in the image)
    const float* x = static_cast<const float*>(g.x);
    // Columns past nc in the last panel are zero in every row.
    if (nc % kNR) {
      float* d = dst + nc / kNR * panel;
      for (size_t kk = 0; kk < kc; kk++, d += kNR) zero_nr(d);
    }
    for (size_t t = 0; t < taps; t++) {
      size_t c_begin, c_end;
      im2col_tap_channels(g, t, k0, kc, &c_begin, &c_end);
      if (c_begin == c_end) continue;
      const size_t channels = c_end - c_begin;
      const Im2colTap tap = im2col_tap(g, t);
      const float* x0 = x + c_begin * plane;
      float* d0 = dst + (c_begin * taps + t - k0) * kNR;  // its first row in the block
      if (im2col_block_pads(g, tap, n0, nc)) {
        for (size_t p = 0; p < nc; p += kNR) {
          float* d = d0 + p * kc;
          for (size_t ch = 0; ch < channels; ch++, d += taps * kNR) zero_nr(d);
        }
      }
      im2col_runs(g, tap, n0, nc, [&](const Im2colRun& r) {
        // Block columns from jv on, cut at panel boundaries into pieces.
        const size_t jv = r.j + r.lead;
        for (size_t i = 0; i < r.count;) {
          const size_t jj = jv + i, n = std::min(r.count - i, kNR - jj % kNR);
          const size_t src = r.src + i * sw;
          // The float after the piece's last source pixel is inside the plane.
          const bool overread_ok = src + (n - 1) * sw + 1 < plane;
          copy_piece<S>(d0 + jj / kNR * panel + jj % kNR, x0 + src, n, sw, channels, taps * kNR,
                        plane, overread_ok);
          i += n;
        }
      });
    }
  }

  static void pack_im2col(const Im2colGeom& g, size_t k0, size_t kc, size_t n0, size_t nc,
                          float* dst) {
    if (g.sw == 1)
      pack_im2col_s<1>(g, k0, kc, n0, nc, dst);
    else if (g.sw == 2)
      pack_im2col_s<2>(g, k0, kc, n0, nc, dst);
    else
      pack_im2col_s<0>(g, k0, kc, n0, nc, dst);
  }
};

}  // namespace
}  // namespace detail
}  // namespace armconv

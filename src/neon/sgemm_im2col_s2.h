// NEON fp32 im2col packer for stride-2 square 3x3 and 7x7 kernels of
// few-channel images (network stems: MobileNetV2's 3x3 s2 3->32, ResNet's
// 7x7 s2 3->64), into the NR-column panels of neon/sgemm_pack.h (row layout,
// KR = 1), by 4-column vectors. (SgemmPack::pack_im2col_rows calls it when
// applies(); 5x5 and the rest stay on the panel and tap-major packers.)
//
// When the output width is a multiple of 4 (and the block starts at a
// multiple of 4), each 4-column vector of a panel is 4 consecutive pixels
// ox .. ox + 3 of ONE output row oy, even where the panel crosses an output
// row. For the vector, tap (ky, kx) of channel c reads
//   x[c][iy0 + ky][ix0 + kx + 2i],  i = 0..3,  iy0 = oy sh - pad_top, ix0 = 2 ox - pad_left,
// so with s = the vector's window (its input row from ix0 on), a
// de-interleaving load (ld2) at s + kx gives tap kx in its even lanes and
// tap kx + 1 in its odd lanes. The geometry is resolved once per vector and
// panel; the (c, ky) rows only step the vector's pointer by a row (by a
// plane after the last ky). The windows are s[0, KW + 6); the intrinsics
// (vec_taps: ld2 at s + 2m) and the 7x7 assembly also read s[KW + 6].
//
// Panels (pack):
//   runs: consecutive panels of one output row whose windows all lie in
//     the image: one assembly call per run (a pointer per vector, each
//     post-incremented: no address arithmetic per row);
//   whole panels with an edge vector: every vector's KW rows in the image,
//     the vector at ox = 0 may start left of its row (padding) and the one
//     at ox = wo - 4 end right of it. They read the neighbouring floats of
//     the image (previous / next row or plane; the window's memory must be
//     inside the image) with the same assembly, and the lanes that read
//     outside the row, the same in every output row, are zeroed after;
//   the others (rows above or below the image, partial panels, windows
//     whose memory leaves the image) vector by vector (panel_general,
//     vec_rows): a row outside the image is KW zero vectors, a window
//     partly outside its row is copied into a zero-padded buffer first.
// Assembly per (c, ky) row:
//   aarch64 8x12 (3 vectors): 3x3 6 ld2 + 4 stores, 7x7 12 ld2 + 11 stp;
//   armv7 6x8 (2 vectors): 3x3 4 vld2 + 5 vst1, 7x7 14 vld2 + 7 vst1.
// Measured (python3 bench/insncount.py --functions, one 224x224 image):
// MobileNetV2's stem packs its 1046 12-column panels of 27 rows in 136 K
// instructions on aarch64 (~97 per panel of a run; the panel packer before:
// 319 K), its 1568 8-column panels in 198 K on armv7 (before: 421 K).
//
// Intrinsics and inline assembly; an anonymous namespace (each unit that
// includes it has its own copy).
#pragma once

#include <arm_neon.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "core/im2col.h"

namespace armconv {
namespace detail {
namespace {

template <size_t kNR>
struct Im2colS2Vec {
  static constexpr size_t kNV = kNR / 4;  // vectors per panel row

  // Whether the packer takes this block: stride 2 across, square kernel
  // 3/5/7 without dilation, the whole of K, few channels, 4-column vectors
  // that each lie in one output row.
  static bool applies(const Im2colGeom& g, size_t k0, size_t kc, size_t n0, size_t nc) {
    return g.sw == 2 && g.dw == 1 && g.dh == 1 && g.kh == g.kw && (g.kw == 7 || g.kw == 3) &&
           g.channels >= 1 && g.channels <= 4 && k0 == 0 && kc == g.channels * g.kh * g.kw && nc > 0 &&
           g.wo % 4 == 0 && n0 % 4 == 0 && nc % 4 == 0 && g.pad_left < (int64_t(1) << 30) &&
           g.pad_top < (int64_t(1) << 30) && g.sh < (int64_t(1) << 30) && g.w < (size_t(1) << 28) &&
           g.h < (size_t(1) << 28);
  }

  // Taps 0 .. KW - 1 of one vector and (c, ky) row from s (s[0, KW + 7)
  // readable): d is the panel row of tap 0 at the vector's column.
  template <size_t KW>
  static void vec_taps(float* d, const float* s) {
    for (size_t m = 0; 2 * m < KW; m++) {
      const float32x4x2_t t = vld2q_f32(s + 2 * m);
      vst1q_f32(d + 2 * m * kNR, t.val[0]);
      if (2 * m + 1 < KW) vst1q_f32(d + (2 * m + 1) * kNR, t.val[1]);
    }
  }

  enum XClass { kInside, kWindow };

  // d[0, n) = s[0, n) for n <= 16: vectors (the last one overlapping), or
  // scalars below 4 (straight-line: a loop of vector copies becomes a memcpy
  // call).
  static void copy_upto16(float* d, const float* s, size_t n) {
    if (n < 4) {
      for (size_t i = 0; i < n; i++) d[i] = s[i];
      return;
    }
    if (n > 4) vst1q_f32(d, vld1q_f32(s));
    if (n > 8) vst1q_f32(d + 4, vld1q_f32(s + 4));
    if (n > 12) vst1q_f32(d + 8, vld1q_f32(s + 8));
    vst1q_f32(d + n - 4, vld1q_f32(s + n - 4));
  }

  // One vector of a panel, all (c, ky) rows: rows ky in [ky_lo, ky_hi) read
  // the image (channel c's input row iy0 + ky), the others are zero.
  template <size_t KW, XClass XC>
  // (Out of line: the panels with an edge vector are few.)
  __attribute__((noinline)) static void vec_rows(float* d, const Im2colGeom& g, int64_t iy0, int64_t ix0, size_t ky_lo, size_t ky_hi) {
    const float* x = static_cast<const float*>(g.x);
    const size_t w = g.w, plane = g.h * w;
    const float32x4_t z = vdupq_n_f32(0.0f);
    alignas(16) float buf[KW + 8 + 8];
    // The window of a row is input columns ix0 .. ix0 + KW + 6; of them,
    // [lo, hi) are inside the row (kWindow).
    const size_t lo = ix0 < 0 ? size_t(std::min<int64_t>(-ix0, KW + 7)) : 0;
    const int64_t hi64 = std::min<int64_t>(KW + 7, int64_t(w) - ix0);
    const size_t hi = hi64 > int64_t(lo) ? size_t(hi64) : lo;
    const size_t row_floats = KW * kNR;  // one (c, ky) row of the panel
    for (size_t c = 0; c < g.channels; c++) {
      float* dc = d + c * KW * row_floats;
      for (size_t ky = 0; ky < ky_lo; ky++)
        for (size_t kx = 0; kx < KW; kx++) vst1q_f32(dc + ky * row_floats + kx * kNR, z);
      for (size_t ky = ky_hi; ky < KW; ky++)
        for (size_t kx = 0; kx < KW; kx++) vst1q_f32(dc + ky * row_floats + kx * kNR, z);
      if (ky_hi == ky_lo) continue;
      const float* row = x + c * plane + size_t(iy0 + int64_t(ky_lo)) * w;
      float* dr = dc + ky_lo * row_floats;
      for (size_t ky = ky_lo; ky < ky_hi; ky++, row += w, dr += row_floats) {
        if constexpr (XC == kInside) {
          vec_taps<KW>(dr, row + ix0);
        } else {
          vst1q_f32(buf, z);
          vst1q_f32(buf + 4, z);
          vst1q_f32(buf + 8, z);
          if (KW > 5) vst1q_f32(buf + 12, z);
          if (hi > lo) copy_upto16(buf + lo, row + ix0 + int64_t(lo), hi - lo);
          vec_taps<KW>(dr, buf);
        }
      }
    }
  }

#if defined(__aarch64__)
  // Whole 8x12 panels of vectors all `inside` (see the top), in assembly.
  // Per (c, ky) row, per vector j (window s_j): ld2 at s_j (post-index 8
  // bytes) and (KW - 1) / 2 more at s_j + 2, + 4, ... (the last one
  // post-indexed by `step`: to the next row, or after the last ky to the
  // next channel's first), then the row's 3 KW vectors stored in panel
  // order as stp pairs, d post-incremented by the first. No other address
  // arithmetic: the panel's (c, ky) rows are consecutive, and so are the
  // panels of a run.
  //   KW = 3: ld2 at s_j gives taps 0 and 1 of vector j (even, odd
  //   lanes), ld2 at s_j + 1 taps 1 and 2. The first three (s_0, s_1, s_2)
  //   go to (v0,v1), (v1,v2), (v2,v3), each overwriting the previous one's
  //   odd half: v0-v2 = tap 0 of vectors 0-2 (one st1 {3 regs}), v3 = tap 1
  //   of vector 2; at s_j + 1: (v4,v5), (v6,v7), (v16,v17) = taps 1, 2 of
  //   vectors 0, 1, 2. 6 ld2 + 4 stores per (c, ky) row; the window is
  //   s_j[0, 9), no float past it.
  //   KW = 7: ld2 m (m = 0..3) of vector j: the (3m + j)-th pair of
  //   (v0,v1) (v2,v3) (v4,v5) (v6,v7) (v16,v17) ... (v30,v31): tap 2m
  //   even, 2m + 1 odd. (v8-v15 unused: callee-saved.)
#define ARMCONV_S2V_LD(P, A, B, STEP) "ld2 {v" #A ".4s, v" #B ".4s}, [%[" #P "]], " STEP "\n\t"
#define ARMCONV_S2V_ROW3(STEP)                                                            \
  ARMCONV_S2V_LD(p0, 0, 1, "%[e4]") ARMCONV_S2V_LD(p1, 1, 2, "%[e4]")                      \
  ARMCONV_S2V_LD(p2, 2, 3, "%[e4]") ARMCONV_S2V_LD(p0, 4, 5, STEP)                         \
  ARMCONV_S2V_LD(p1, 6, 7, STEP) ARMCONV_S2V_LD(p2, 16, 17, STEP)                          \
  "st1 {v0.4s, v1.4s, v2.4s}, [%[d]], %[rb]\n\t"                                           \
  "stp q4, q6, [%[d], #-96]\n\t"                                                          \
  "stp q3, q5, [%[d], #-64]\n\t"                                                          \
  "stp q7, q17, [%[d], #-32]\n\t"
#define ARMCONV_S2V_CH3 \
  "1:\n\t" ARMCONV_S2V_ROW3("%[rs]") ARMCONV_S2V_ROW3("%[rs]") ARMCONV_S2V_ROW3("%[cs]") \
  "subs %[c], %[c], #1\n\t" "b.ne 1b\n\t"
#define ARMCONV_S2V_ROW7(STEP)                                                            \
  ARMCONV_S2V_LD(p0, 0, 1, "%[e8]") ARMCONV_S2V_LD(p0, 6, 7, "%[e8]")                      \
  ARMCONV_S2V_LD(p0, 20, 21, "%[e8]") ARMCONV_S2V_LD(p0, 26, 27, STEP)                     \
  ARMCONV_S2V_LD(p1, 2, 3, "%[e8]") ARMCONV_S2V_LD(p1, 16, 17, "%[e8]")                    \
  ARMCONV_S2V_LD(p1, 22, 23, "%[e8]") ARMCONV_S2V_LD(p1, 28, 29, STEP)                     \
  ARMCONV_S2V_LD(p2, 4, 5, "%[e8]") ARMCONV_S2V_LD(p2, 18, 19, "%[e8]")                    \
  ARMCONV_S2V_LD(p2, 24, 25, "%[e8]") ARMCONV_S2V_LD(p2, 30, 31, STEP)                     \
  "stp q0, q2, [%[d]], #336\n\t"                                                          \
  "stp q4, q1, [%[d], #-304]\n\t"                                                         \
  "stp q3, q5, [%[d], #-272]\n\t"                                                         \
  "stp q6, q16, [%[d], #-240]\n\t"                                                        \
  "stp q18, q7, [%[d], #-208]\n\t"                                                        \
  "stp q17, q19, [%[d], #-176]\n\t"                                                       \
  "stp q20, q22, [%[d], #-144]\n\t"                                                       \
  "stp q24, q21, [%[d], #-112]\n\t"                                                       \
  "stp q23, q25, [%[d], #-80]\n\t"                                                        \
  "stp q26, q28, [%[d], #-48]\n\t"                                                        \
  "str q30, [%[d], #-16]\n\t"
#define ARMCONV_S2V_CH7                                                                   \
  "1:\n\t" ARMCONV_S2V_ROW7("%[rs]") ARMCONV_S2V_ROW7("%[rs]") ARMCONV_S2V_ROW7("%[rs]")  \
  ARMCONV_S2V_ROW7("%[rs]") ARMCONV_S2V_ROW7("%[rs]") ARMCONV_S2V_ROW7("%[rs]")           \
  ARMCONV_S2V_ROW7("%[cs]") "subs %[c], %[c], #1\n\t" "b.ne 1b\n\t"
#define ARMCONV_S2V_CLOBBER3 "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v16", "v17"
#define ARMCONV_S2V_CLOBBER7                                                                              \
  "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v16", "v17", "v18", "v19", "v20", "v21", \
      "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31"
  // One panel from the vectors' windows p0, p1, p2 (channel 0, ky = 0).
  template <size_t KW>
  static void panel_asm(float* d, const float* p0, const float* p1, const float* p2, size_t c, size_t w,
                        size_t plane) {
    if constexpr (KW == 3) {
      // (the pointers step 1 float within a row)
      const size_t e4 = 4, rb = 3 * kNR * 4, rs = w * 4 - 4, cs = (plane - 2 * w) * 4 - 4;
      __asm__ volatile(ARMCONV_S2V_CH3
                       : [p0] "+r"(p0), [p1] "+r"(p1), [p2] "+r"(p2), [d] "+r"(d), [c] "+r"(c)
                       : [e4] "r"(e4), [rb] "r"(rb), [rs] "r"(rs), [cs] "r"(cs)
                       : ARMCONV_S2V_CLOBBER3);
    } else {
      const size_t e8 = 8, rs = w * 4 - 24, cs = (plane - 6 * w) * 4 - 24;
      __asm__ volatile(ARMCONV_S2V_CH7
                       : [p0] "+r"(p0), [p1] "+r"(p1), [p2] "+r"(p2), [d] "+r"(d), [c] "+r"(c)
                       : [e8] "r"(e8), [rs] "r"(rs), [cs] "r"(cs)
                       : ARMCONV_S2V_CLOBBER7);
    }
  }
  // `panels` consecutive panels of one output row: the first one's windows
  // at base, base + 8, base + 16, each next panel's 24 floats further; the
  // panels follow each other at d.
  template <size_t KW>
  static void run_asm(float* d, const float* base, size_t panels, size_t channels, size_t w, size_t plane) {
    const float *p0, *p1, *p2;
    size_t c;
#define ARMCONV_S2V_RUN(CH)                                                       \
  "0:\n\t"                                                                        \
  "mov %[p0], %[base]\n\t"                                                        \
  "add %[p1], %[base], #32\n\t"                                                   \
  "add %[p2], %[base], #64\n\t"                                                   \
  "add %[base], %[base], #96\n\t"                                                 \
  "mov %[c], %[ch]\n\t" CH                                                        \
  "subs %[n], %[n], #1\n\t"                                                       \
  "b.ne 0b\n\t"
    if constexpr (KW == 3) {
      const size_t e4 = 4, rb = 3 * kNR * 4, rs = w * 4 - 4, cs = (plane - 2 * w) * 4 - 4;
      if (channels == 3) {
        // RGB stems: the three channels straight-line (no channel loop).
        __asm__ volatile(
            "0:\n\t"
            "mov %[p0], %[base]\n\t"
            "add %[p1], %[base], #32\n\t"
            "add %[p2], %[base], #64\n\t"
            "add %[base], %[base], #96\n\t"
            ARMCONV_S2V_ROW3("%[rs]") ARMCONV_S2V_ROW3("%[rs]") ARMCONV_S2V_ROW3("%[cs]")
            ARMCONV_S2V_ROW3("%[rs]") ARMCONV_S2V_ROW3("%[rs]") ARMCONV_S2V_ROW3("%[cs]")
            ARMCONV_S2V_ROW3("%[rs]") ARMCONV_S2V_ROW3("%[rs]") ARMCONV_S2V_ROW3("%[cs]")
            "subs %[n], %[n], #1\n\t"
            "b.ne 0b\n\t"
            : [p0] "=&r"(p0), [p1] "=&r"(p1), [p2] "=&r"(p2), [d] "+r"(d), [base] "+r"(base), [n] "+r"(panels)
            : [e4] "r"(e4), [rb] "r"(rb), [rs] "r"(rs), [cs] "r"(cs)
            : ARMCONV_S2V_CLOBBER3);
        return;
      }
      __asm__ volatile(ARMCONV_S2V_RUN(ARMCONV_S2V_CH3)
                       : [p0] "=&r"(p0), [p1] "=&r"(p1), [p2] "=&r"(p2), [c] "=&r"(c), [d] "+r"(d),
                         [base] "+r"(base), [n] "+r"(panels)
                       : [e4] "r"(e4), [rb] "r"(rb), [rs] "r"(rs), [cs] "r"(cs), [ch] "r"(channels)
                       : ARMCONV_S2V_CLOBBER3);
    } else {
      const size_t e8 = 8, rs = w * 4 - 24, cs = (plane - 6 * w) * 4 - 24;
      __asm__ volatile(ARMCONV_S2V_RUN(ARMCONV_S2V_CH7)
                       : [p0] "=&r"(p0), [p1] "=&r"(p1), [p2] "=&r"(p2), [c] "=&r"(c), [d] "+r"(d),
                         [base] "+r"(base), [n] "+r"(panels)
                       : [e8] "r"(e8), [rs] "r"(rs), [cs] "r"(cs), [ch] "r"(channels)
                       : ARMCONV_S2V_CLOBBER7);
    }
#undef ARMCONV_S2V_RUN
  }
#undef ARMCONV_S2V_LD
#undef ARMCONV_S2V_ROW3
#undef ARMCONV_S2V_CH3
#undef ARMCONV_S2V_ROW7
#undef ARMCONV_S2V_CH7
#undef ARMCONV_S2V_CLOBBER3
#undef ARMCONV_S2V_CLOBBER7
#elif defined(__arm__)
  // Whole 6x8 panels (2 vectors) of a 3x3 kernel, all `inside`, in
  // assembly (armv7): per (c, ky) row, vld2 at s_j (post-index 4 bytes)
  // and at s_j + 1 (post-index `step`). s_0 and s_1 go to (q8,q9),
  // (q9,q10): q8, q9 = tap 0 of vectors 0, 1 (one vst1 of 4 d registers),
  // q10 = tap 1 of vector 1; s_0 + 1, s_1 + 1 to (q12,q13), (q14,q15) =
  // taps 1, 2 of vectors 0, 1. 4 vld2 + 5 vst1 per row, every store
  // post-incremented in panel order. (q4-q7 unused: callee-saved.)
#define ARMCONV_S2V_ROW3(STEP)                  \
  "vld2.32 {d16-d19}, [%[p0]], %[e4]\n\t"       \
  "vld2.32 {d18-d21}, [%[p1]], %[e4]\n\t"       \
  "vld2.32 {d24-d27}, [%[p0]], " STEP "\n\t"    \
  "vld2.32 {d28-d31}, [%[p1]], " STEP "\n\t"    \
  "vst1.32 {d16-d19}, [%[d]]!\n\t"              \
  "vst1.32 {d24-d25}, [%[d]]!\n\t"              \
  "vst1.32 {d20-d21}, [%[d]]!\n\t"              \
  "vst1.32 {d26-d27}, [%[d]]!\n\t"              \
  "vst1.32 {d30-d31}, [%[d]]!\n\t"
#define ARMCONV_S2V_CH3 \
  "1:\n\t" ARMCONV_S2V_ROW3("%[rs]") ARMCONV_S2V_ROW3("%[rs]") ARMCONV_S2V_ROW3("%[cs]") \
  "subs %[c], %[c], #1\n\t" "bne 1b\n\t"
#define ARMCONV_S2V_CLOBBER3                                                                            \
  "cc", "memory", "d16", "d17", "d18", "d19", "d20", "d21", "d24", "d25", "d26", "d27", "d28", "d29", "d30", \
      "d31"
  // 7x7 (the ResNet stem): tap t of vector j is the even lanes of a vld2
  // at s_j + t. Per tap, vld2 at s_0 + t to (qA, qA+1) and at s_1 + t to
  // (qA+1, qA+2) (overwriting the first one's odd half): qA, qA+1 = tap t
  // of vectors 0, 1, one vst1 of 4 d registers; A = q8, q11 alternately.
  // 14 vld2 + 7 vst1 per (c, ky) row; the window is s_j[0, 14).
#define ARMCONV_S2V_TAP7(A0, A2, A5, STEP)                   \
  "vld2.32 {d" #A0 "-d" #A2 "}, [%[p0]], " STEP "\n\t"        \
  "vld2.32 {d" #A5 "}, [%[p1]], " STEP "\n\t"                 \
  "vst1.32 {d" #A0 "-d" #A2 "}, [%[d]]!\n\t"
#define ARMCONV_S2V_ROW7(STEP)                                                              \
  ARMCONV_S2V_TAP7(16, 19, 18-d21, "%[e4]") ARMCONV_S2V_TAP7(22, 25, 24-d27, "%[e4]")         \
  ARMCONV_S2V_TAP7(16, 19, 18-d21, "%[e4]") ARMCONV_S2V_TAP7(22, 25, 24-d27, "%[e4]")         \
  ARMCONV_S2V_TAP7(16, 19, 18-d21, "%[e4]") ARMCONV_S2V_TAP7(22, 25, 24-d27, "%[e4]")         \
  ARMCONV_S2V_TAP7(16, 19, 18-d21, STEP)
#define ARMCONV_S2V_CH7                                                                     \
  "1:\n\t" ARMCONV_S2V_ROW7("%[rs]") ARMCONV_S2V_ROW7("%[rs]") ARMCONV_S2V_ROW7("%[rs]")    \
  ARMCONV_S2V_ROW7("%[rs]") ARMCONV_S2V_ROW7("%[rs]") ARMCONV_S2V_ROW7("%[rs]")             \
  ARMCONV_S2V_ROW7("%[cs]") "subs %[c], %[c], #1\n\t" "bne 1b\n\t"
#define ARMCONV_S2V_CLOBBER7                                                                            \
  "cc", "memory", "d16", "d17", "d18", "d19", "d20", "d21", "d22", "d23", "d24", "d25", "d26", "d27"
  template <size_t KW>
  static void panel_asm(float* d, const float* p0, const float* p1, const float*, size_t c, size_t w,
                        size_t plane) {
    static_assert((KW == 3 || KW == 7) && kNR == 8, "armv7 assembly panels: 3x3 and 7x7 on 6x8");
    // (the pointers step one float per vld2 but the row's last: 1 (3x3), 6 (7x7))
    constexpr size_t kStep = KW == 3 ? 4 : 4 * (KW - 1);
    const size_t e4 = 4, rs = w * 4 - kStep, cs = (plane - (KW - 1) * w) * 4 - kStep;
    if constexpr (KW == 3) {
      __asm__ volatile(ARMCONV_S2V_CH3
                       : [p0] "+r"(p0), [p1] "+r"(p1), [d] "+r"(d), [c] "+r"(c)
                       : [e4] "r"(e4), [rs] "r"(rs), [cs] "r"(cs)
                       : ARMCONV_S2V_CLOBBER3);
    } else {
      __asm__ volatile(ARMCONV_S2V_CH7
                       : [p0] "+r"(p0), [p1] "+r"(p1), [d] "+r"(d), [c] "+r"(c)
                       : [e4] "r"(e4), [rs] "r"(rs), [cs] "r"(cs)
                       : ARMCONV_S2V_CLOBBER7);
    }
  }
  template <size_t KW>
  static void run_asm(float* d, const float* base, size_t panels, size_t channels, size_t w, size_t plane) {
    static_assert((KW == 3 || KW == 7) && kNR == 8, "armv7 assembly panels: 3x3 and 7x7 on 6x8");
    // (the pointers step one float per vld2 but the row's last: 1 (3x3), 6 (7x7))
    constexpr size_t kStep = KW == 3 ? 4 : 4 * (KW - 1);
    const size_t e4 = 4, rs = w * 4 - kStep, cs = (plane - (KW - 1) * w) * 4 - kStep;
    const float *p0, *p1;
    size_t c;
#define ARMCONV_S2V_RUN(CH)            \
  "0:\n\t"                             \
  "mov %[p0], %[base]\n\t"             \
  "add %[p1], %[base], #32\n\t"        \
  "add %[base], %[base], #64\n\t"      \
  "mov %[c], %[ch]\n\t" CH             \
  "subs %[n], %[n], #1\n\t"            \
  "bne 0b\n\t"
    if constexpr (KW == 3) {
      __asm__ volatile(ARMCONV_S2V_RUN(ARMCONV_S2V_CH3)
                       : [p0] "=&r"(p0), [p1] "=&r"(p1), [c] "=&r"(c), [d] "+r"(d), [base] "+r"(base),
                         [n] "+r"(panels)
                       : [e4] "r"(e4), [rs] "r"(rs), [cs] "r"(cs), [ch] "r"(channels)
                       : ARMCONV_S2V_CLOBBER3);
    } else {
      __asm__ volatile(ARMCONV_S2V_RUN(ARMCONV_S2V_CH7)
                       : [p0] "=&r"(p0), [p1] "=&r"(p1), [c] "=&r"(c), [d] "+r"(d), [base] "+r"(base),
                         [n] "+r"(panels)
                       : [e4] "r"(e4), [rs] "r"(rs), [cs] "r"(cs), [ch] "r"(channels)
                       : ARMCONV_S2V_CLOBBER7);
    }
#undef ARMCONV_S2V_RUN
  }
#undef ARMCONV_S2V_TAP7
#undef ARMCONV_S2V_ROW7
#undef ARMCONV_S2V_CH7
#undef ARMCONV_S2V_CLOBBER7
#undef ARMCONV_S2V_ROW3
#undef ARMCONV_S2V_CH3
#undef ARMCONV_S2V_CLOBBER3
#endif
  // Whether the tile has the assembly panels.
#if defined(__aarch64__)
  template <size_t KW>
  static constexpr bool kAsm = kNR == 12 && (KW == 3 || KW == 7);
#elif defined(__arm__)
  template <size_t KW>
  static constexpr bool kAsm = kNR == 8 && (KW == 3 || KW == 7);
#else
  template <size_t KW>
  static constexpr bool kAsm = false;
#endif

  // A whole panel of vectors all `inside`: (c, ky) rows in order, each
  // vector's taps from its pointer s[j] (channel 0, row ky = 0).
  template <size_t KW>
  static void panel_inside(float* d, const float* const* s, size_t channels, size_t w, size_t plane) {
#if defined(__aarch64__) || defined(__arm__)
    if constexpr (kAsm<KW>) return panel_asm<KW>(d, s[0], s[1], s[kNV - 1], channels, w, plane);
#endif
    for (size_t c = 0; c < channels; c++)
      for (size_t ky = 0; ky < KW; ky++, d += KW * kNR) {
        const size_t off = c * plane + ky * w;
        for (size_t j = 0; j < kNV; j++) vec_taps<KW>(d + 4 * j, s[j] + off);
      }
  }

  // The lanes of a vector whose window starts at input column ix0 that
  // read outside [0, w): lane l of tap kx reads column ix0 + kx + 2 l.
  // Their offsets in a (c, ky) row of the panel (kx NR + l) go to lanes;
  // returns how many.
  template <size_t KW>
  static size_t edge_lanes(int64_t ix0, int64_t w, size_t* lanes) {
    size_t n = 0;
    for (size_t kx = 0; kx < KW; kx++)
      for (size_t l = 0; l < 4; l++) {
        const int64_t ix = ix0 + int64_t(kx + 2 * l);
        if (ix < 0 || ix >= w) lanes[n++] = kx * kNR + l;
      }
    return n;
  }

  // A panel (vecs vectors, the first at output pixel (oy, ox)) that is not
  // one of pack()'s runs: a whole panel (assembly on 8x12) when every
  // vector's rows are in the image and its windows' memory is, else vector
  // by vector. (Out of line: about 1 panel in 9 of a stem.)
  template <size_t KW>
  __attribute__((noinline)) static void panel_general(const Im2colGeom& g, size_t kc, size_t oy, size_t ox,
                                                      size_t vecs, float* dst) {
    const float* x = static_cast<const float*>(g.x);
    const size_t w = g.w, plane = g.h * w, wo = g.wo;
    const int64_t h = int64_t(g.h), wi = int64_t(w);
    int64_t iy0[kNV], ix0[kNV];
    size_t ky_lo[kNV], ky_hi[kNV];
    XClass xc[kNV];
    const float* s[kNV];
    // Lanes of a (c, ky) row of the panel (offset kx NR + 4 j + l) that
    // read left or right of the image's row: zeroed after the copy.
    size_t patch[kNV * 4 * KW];
    size_t patches = 0;
    bool whole = vecs == kNV;
    for (size_t j = 0; j < vecs; j++) {
      iy0[j] = int64_t(oy) * g.sh - g.pad_top;
      ix0[j] = int64_t(2 * ox) - g.pad_left;
      ky_lo[j] = iy0[j] >= 0 ? 0 : size_t(std::min<int64_t>(KW, -iy0[j]));
      ky_hi[j] = size_t(std::max<int64_t>(int64_t(ky_lo[j]), std::min<int64_t>(KW, h - iy0[j])));
      // The window's first float in channel 0 and the last float any ld2
      // reads (s[KW + 6] of the last channel's last row in the image).
      const int64_t first = iy0[j] * wi + ix0[j];
      const int64_t last = int64_t((g.channels - 1) * plane) + (iy0[j] + int64_t(ky_hi[j]) - 1) * wi +
                           ix0[j] + int64_t(KW) + 6;
      const bool x_in = ix0[j] >= 0 && ix0[j] + int64_t(KW) + 6 <= wi;
      xc[j] = x_in && (ky_hi[j] == ky_lo[j] || last < int64_t(g.channels * plane)) ? kInside : kWindow;
      // A vector whose window starts left of its row or ends right of it
      // joins a whole panel if the window's memory is inside the image
      // (the floats outside its row belong to the neighbouring rows, or
      // planes): the lanes that read them are zeroed afterwards.
      if (whole && ky_lo[j] == 0 && ky_hi[j] == KW && ix0[j] > -int64_t(KW + 7) && ix0[j] < wi &&
          first >= 0 && last < int64_t(g.channels * plane)) {
        s[j] = x + first;
        if (!x_in) {
          // Lane l of tap kx reads column ix0 + kx + 2 l: left of the row
          // for l < (-ix0 - kx + 1) / 2, right of it from (w - ix0 - kx + 1) / 2 on.
          const int64_t left = -ix0[j], right = wi - ix0[j];
          for (size_t kx = 0; kx < KW; kx++) {
            const int64_t l_lo = std::min<int64_t>(4, std::max<int64_t>(0, (left - int64_t(kx) + 1) / 2));
            const int64_t l_hi = std::max<int64_t>(l_lo, std::min<int64_t>(4, (right - int64_t(kx) + 1) / 2));
            for (int64_t l = 0; l < l_lo; l++) patch[patches++] = kx * kNR + 4 * j + size_t(l);
            for (int64_t l = l_hi; l < 4; l++) patch[patches++] = kx * kNR + 4 * j + size_t(l);
          }
        }
      } else {
        whole = false;
      }
      ox += 4;
      if (ox == wo) {
        ox = 0;
        oy++;
      }
    }
    if (whole) {
      panel_inside<KW>(dst, s, g.channels, w, plane);
      for (size_t r = 0; r < g.channels * KW; r++) {
        float* d = dst + r * KW * kNR;
        for (size_t i = 0; i < patches; i++) d[patch[i]] = 0.0f;
      }
      return;
    }
    if (vecs < kNV) {  // the last, partial panel: zero past nc
      const float32x4_t z = vdupq_n_f32(0.0f);
      for (size_t kk = 0; kk < kc; kk++)
        for (size_t j = vecs; j < kNV; j++) vst1q_f32(dst + kk * kNR + 4 * j, z);
    }
    for (size_t j = 0; j < vecs; j++) {
      float* d = dst + 4 * j;
      switch (xc[j]) {
        case kInside: vec_rows<KW, kInside>(d, g, iy0[j], ix0[j], ky_lo[j], ky_hi[j]); break;
        default: vec_rows<KW, kWindow>(d, g, iy0[j], ix0[j], ky_lo[j], ky_hi[j]); break;
      }
    }
  }

  template <size_t KW>
  static void pack(const Im2colGeom& g, size_t kc, size_t n0, size_t nc, float* dst) {
    const float* x = static_cast<const float*>(g.x);
    const size_t w = g.w, plane = g.h * w, wo = g.wo;
    const int64_t h = int64_t(g.h), wi = int64_t(w);
    size_t oy = n0 / wo, ox = n0 % wo;
    // A panel in one output row, every vector `inside`: output columns ox
    // in [ox_lo, ox_hi] (the last vector's window, 2 (ox + NR - 4) - pad_left
    // + KW + 6 floats, inside the row), rows oy in [oy_lo, oy_hi] (rows
    // iy0 .. iy0 + KW - 1 in the image). (Signed: a bound < 0 admits none.)
    const int64_t ox_lo = (g.pad_left + 1) / 2;
    const int64_t ox_hi = (wi + g.pad_left - int64_t(KW) - 6 >= 0 ? (wi + g.pad_left - int64_t(KW) - 6) / 2 : -1) -
                          int64_t(kNR - 4);
    const int64_t oy_lo = (g.pad_top + g.sh - 1) / g.sh;
    const int64_t oy_hi = h - int64_t(KW) + g.pad_top >= 0 ? (h - int64_t(KW) + g.pad_top) / g.sh : -1;
    // The other whole panels (vectors in one or more output rows, rows in
    // the image): the vector at ox = 0 may start left of its row and the
    // one at ox = wo - 4 end right of it (their lanes that read outside
    // the row, within a vector, are lp and rp, the same in every output
    // row: zeroed after the copy); the vectors between must be inside.
    size_t lp[4 * KW], rp[4 * KW], nlp = 0, nrp = 0;
    const bool mid_in = wo <= 8 || (8 - g.pad_left >= 0 && 2 * int64_t(wo - 8) - g.pad_left + int64_t(KW) + 6 <= wi);
    if (mid_in) {
      nlp = edge_lanes<KW>(-g.pad_left, wi, lp);
      if (wo > 4) nrp = edge_lanes<KW>(2 * int64_t(wo - 4) - g.pad_left, wi, rp);
    }
    for (size_t q = 0; q < nc; q += kNR, dst += kNR * kc) {
      if (q + kNR <= nc && ox + kNR <= wo && int64_t(ox) >= ox_lo && int64_t(ox) <= ox_hi &&
          int64_t(oy) >= oy_lo && int64_t(oy) <= oy_hi) {
        const int64_t iy = int64_t(oy) * g.sh - g.pad_top, ix = int64_t(2 * ox) - g.pad_left;
        // The last ld2 of the last vector reads the float after its window:
        // past the image at its last row's end.
        if (iy + int64_t(KW) < h || ix + 2 * int64_t(kNR - 4) + int64_t(KW) + 6 < wi) {
#if defined(__aarch64__) || defined(__arm__)
          if constexpr (kAsm<KW>) {
            // The run of such panels in this output row and block (the
            // last one's window ends at the image's end only in the last
            // output row: its ld2 may read past it; one panel then).
            size_t run = std::min<size_t>((wo - ox) / kNR, (nc - q) / kNR);
            run = std::min<size_t>(run, size_t(ox_hi - int64_t(ox)) / kNR + 1);
            if (iy + int64_t(KW) >= h) run = 1;
            run_asm<KW>(dst, x + size_t(iy) * w + size_t(ix), run, g.channels, w, plane);
            ox += run * kNR;
            if (ox == wo) {
              ox = 0;
              oy++;
            }
            q += (run - 1) * kNR;
            dst += (run - 1) * kNR * kc;
            continue;
          }
#endif
          const float* s[kNV];
          s[0] = x + size_t(iy) * w + size_t(ix);
          for (size_t j = 1; j < kNV; j++) s[j] = s[0] + 8 * j;
          panel_inside<KW>(dst, s, g.channels, w, plane);
          ox += kNR;
          if (ox == wo) {
            ox = 0;
            oy++;
          }
          continue;
        }
      }
      const size_t vecs = std::min(kNV, (nc - q) / 4);
      if (vecs == kNV && mid_in) {
        const float* s[kNV];
        bool ok = true;
        size_t oyj = oy, oxj = ox;
        for (size_t j = 0; j < kNV; j++) {
          // Rows in the image; the window's first float (channel 0) and the
          // last one any ld2 reads (last channel) inside the image.
          const int64_t iy = int64_t(oyj) * g.sh - g.pad_top, ix = int64_t(2 * oxj) - g.pad_left;
          const int64_t first = iy * wi + ix;
          ok = ok && int64_t(oyj) >= oy_lo && int64_t(oyj) <= oy_hi && first >= 0 &&
               int64_t((g.channels - 1) * plane) + (iy + int64_t(KW) - 1) * wi + ix + int64_t(KW) + 6 <
                   int64_t(g.channels * plane);
          s[j] = x + (ok ? size_t(first) : 0);
          oxj += 4;
          if (oxj == wo) {
            oxj = 0;
            oyj++;
          }
        }
        if (ok) {
          panel_inside<KW>(dst, s, g.channels, w, plane);
          for (size_t j = 0; j < kNV; j++) {
            const size_t* lanes = ox == 0 ? lp : rp;
            const size_t n = ox == 0 ? nlp : ox == wo - 4 ? nrp : 0;
            if (n > 0)
              for (size_t r = 0; r < g.channels * KW; r++)
                for (size_t i = 0; i < n; i++) dst[r * KW * kNR + 4 * j + lanes[i]] = 0.0f;
            ox += 4;
            if (ox == wo) {
              ox = 0;
              oy++;
            }
          }
          continue;
        }
      }
      panel_general<KW>(g, kc, oy, ox, vecs, dst);
      for (size_t j = 0; j < vecs; j++) {
        ox += 4;
        if (ox == wo) {
          ox = 0;
          oy++;
        }
      }
    }
  }

  static void pack_kw(const Im2colGeom& g, size_t kc, size_t n0, size_t nc, float* dst) {
    if (g.kw == 3) return pack<3>(g, kc, n0, nc, dst);
    pack<7>(g, kc, n0, nc, dst);
  }
};

}  // namespace
}  // namespace detail
}  // namespace armconv

// NEON fp32 GEMM packers (formats: core/gemm.h, KR = 1), written once for
// both ISAs' tiles: SgemmPack<MR, NR> is instantiated by the micro-kernel
// units neon/aarch64/sgemm_8x12.cpp (8 x 12) and neon/armv7/sgemm_6x8.cpp
// (6 x 8). Intrinsics; an anonymous namespace, so each unit has its own copy.
#pragma once

#include <arm_neon.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <utility>

#include "core/gemm.h"
#include "core/im2col.h"
#include "neon/sgemm_im2col_s2.h"

namespace armconv {
namespace detail {
namespace {

// kEdge: the table's b_edge_cols (core/gemm.h): a block's last panel of
// 1..kEdge columns is packed in edge groups (4 k of a column contiguous).
template <size_t kMR, size_t kNR, size_t kEdge = 0>
struct SgemmPack {
  static_assert(kEdge <= 3 && 4 * kEdge <= kNR, "edge groups: 1..3 columns, in a group's first row");
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
  // Widest kernel of the panel packer (its window buffer is on the stack).
  static constexpr size_t kMaxPanelKw = 16;
  // Floats the window buffer holds: the widest window (kw + (NR - 1) S),
  // + 1 for ld2, rounded up.
  static constexpr size_t kWindow = (kMaxPanelKw + 2 * kNR + 8 + 7) / 8 * 8;

  // The KW taps of one (c, ky) row for a segment of len pixels: tap kx
  // reads s[kx + t S] (t < len) into panel row kx at d; s[0, avail) may be
  // read (at least the window, KW + (len - 1) S floats). Stride 2: three ld2
  // (even elements) per tap and panel row, reading the odd element after the
  // last pixel too when avail allows. (Measured: de-interleaving the window
  // once into even/odd stack arrays and copying each tap from them compiles
  // to more instructions with GCC 12: 3.04 M against 2.83 M for the stem.)
  // Stride 2, a whole panel row, KW <= 8: tap kx = 2m + p reads elements
  // s[2 (m + t) + p], t < NR: the even (p = 0) or odd (p = 1) elements
  // shifted by m. So one de-interleaving load pass (NR/4 + 1 ld2: 4 even +
  // 4 odd elements each, in registers) serves every tap: tap kx's vector j
  // is ext(v[j], v[j + 1], m) of the even or odd vectors (measured on the
  // stem: 3 ld2 + 3 stores + 3 address adds per tap otherwise).
  static constexpr size_t kS2Vecs = kNR / 4 + 1;
  template <size_t M>
  static float32x4_t shifted(const float32x4_t* v, size_t j) {
    if constexpr (M == 0)
      return v[j];
    else
      return vextq_f32(v[j], v[j + 1], M);
  }
  template <size_t KX>
  static void tap_s2(float* d, const float32x4_t* ev, const float32x4_t* od) {
    const float32x4_t* v = KX % 2 ? od : ev;
    for (size_t j = 0; j < kNR / 4; j++) vst1q_f32(d + KX * kNR + 4 * j, shifted<KX / 2>(v, j));
  }
  template <size_t... KX>
  static void taps_s2(float* d, const float* s, std::index_sequence<KX...>) {
    float32x4_t ev[kS2Vecs], od[kS2Vecs];
    for (size_t i = 0; i < kS2Vecs; i++) {
      const float32x4x2_t t = vld2q_f32(s + 8 * i);
      ev[i] = t.val[0];
      od[i] = t.val[1];
    }
    (tap_s2<KX>(d, ev, od), ...);
  }

#if defined(__aarch64__)
  // taps_s2 for the 7x7 stem on the 8x12 tile in assembly: GCC 12 compiled
  // it to ~50 instructions per (c, ky) row (a register move after each ld2,
  // a store per vector for most taps); here 4 ld2 + 15 ext + 9 stores.
  // Registers: v0-v7 the even / odd vectors (ld2: v(2i) = E[i], v(2i+1) =
  // O[i], pixels 8i .. 8i + 7); taps 0 and 1 are E[0..2] and O[0..2] as
  // loaded (stp + str each); taps 2-6, ext(E or O [j], [j + 1], kx / 2),
  // go to v16-v30 in panel-row order, so 4 st1 write those 5 rows.
  static void taps_s2_7x12(float* d, const float* s) {
    float* d2;
    __asm__ volatile(
        "ld2 {v0.4s, v1.4s}, [%[s]], #32\n\t"
        "ld2 {v2.4s, v3.4s}, [%[s]], #32\n\t"
        "ld2 {v4.4s, v5.4s}, [%[s]], #32\n\t"
        "ld2 {v6.4s, v7.4s}, [%[s]]\n\t"
        "stp q0, q2, [%[d]]\n\t"
        "str q4, [%[d], #32]\n\t"
        "stp q1, q3, [%[d], #48]\n\t"
        "str q5, [%[d], #80]\n\t"
        "ext v16.16b, v0.16b, v2.16b, #4\n\t"
        "ext v17.16b, v2.16b, v4.16b, #4\n\t"
        "ext v18.16b, v4.16b, v6.16b, #4\n\t"
        "ext v19.16b, v1.16b, v3.16b, #4\n\t"
        "ext v20.16b, v3.16b, v5.16b, #4\n\t"
        "ext v21.16b, v5.16b, v7.16b, #4\n\t"
        "ext v22.16b, v0.16b, v2.16b, #8\n\t"
        "ext v23.16b, v2.16b, v4.16b, #8\n\t"
        "ext v24.16b, v4.16b, v6.16b, #8\n\t"
        "ext v25.16b, v1.16b, v3.16b, #8\n\t"
        "ext v26.16b, v3.16b, v5.16b, #8\n\t"
        "ext v27.16b, v5.16b, v7.16b, #8\n\t"
        "ext v28.16b, v0.16b, v2.16b, #12\n\t"
        "ext v29.16b, v2.16b, v4.16b, #12\n\t"
        "ext v30.16b, v4.16b, v6.16b, #12\n\t"
        "add %[d2], %[d], #96\n\t"
        "st1 {v16.4s, v17.4s, v18.4s, v19.4s}, [%[d2]], #64\n\t"
        "st1 {v20.4s, v21.4s, v22.4s, v23.4s}, [%[d2]], #64\n\t"
        "st1 {v24.4s, v25.4s, v26.4s, v27.4s}, [%[d2]], #64\n\t"
        "st1 {v28.4s, v29.4s, v30.4s}, [%[d2]]\n\t"
        : [s] "+r"(s), [d2] "=&r"(d2)
        : [d] "r"(d)
        : "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v16", "v17", "v18", "v19",
          "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30");
  }
#endif

#if defined(__aarch64__)
  // taps_s2 for the 3x3 stride-2 stem (MobileNetV2's first layer) on the
  // 8x12 tile: 3 ld2 (pixels 0 .. 23 as E[0..2], O[0..2]) and the float
  // s[24]; tap 0 is E, tap 1 is O, tap 2 is ext(E[j], E[j + 1], 1) with
  // E[3] lane 0 = s[24]: 4 loads, 3 ext, 6 stores per (c, ky) row. Reads
  // s[0, 25) only.
  //   v0-v5: the ld2 pairs (E[i], O[i]) = (v(2i), v(2i + 1)); v6 lane 0 =
  //   s[24]; v16-v18: tap 2.
  static void taps_s2_3x12(float* d, const float* s) {
    __asm__ volatile(
        "ld2 {v0.4s, v1.4s}, [%[s]], #32\n\t"
        "ld2 {v2.4s, v3.4s}, [%[s]], #32\n\t"
        "ld2 {v4.4s, v5.4s}, [%[s]], #32\n\t"
        "ldr s6, [%[s]]\n\t"
        "stp q0, q2, [%[d]]\n\t"
        "str q4, [%[d], #32]\n\t"
        "ext v16.16b, v0.16b, v2.16b, #4\n\t"
        "stp q1, q3, [%[d], #48]\n\t"
        "ext v17.16b, v2.16b, v4.16b, #4\n\t"
        "str q5, [%[d], #80]\n\t"
        "ext v18.16b, v4.16b, v6.16b, #4\n\t"
        "str q16, [%[d], #96]\n\t"
        "stp q17, q18, [%[d], #112]\n\t"
        : [s] "+r"(s)
        : [d] "r"(d)
        : "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v16", "v17", "v18");
  }
#endif

  // taps_s2 for the 3x3 stride-2 stem on the armv7 6x8 tile: tap 0 is E,
  // tap 1 is O, tap 2 is ext(E[j], E[j + 1], 1) with E[2] lane 0 = s[16].
  // Reads s[0, 17) only.
  static void taps_s2_3x8(float* d, const float* s) {
#if defined(__arm__)
    // Assembly, the stores post-incremented in panel order (GCC 12 computed
    // each store's address with an add: 20 instructions, here 10).
    //   q8/q9 = E[0]/O[0], q10/q11 = E[1]/O[1] (vld2); q12 = s[16] in every
    //   lane; q13, q14 = tap 2 (consecutive: one vst1 of 4 d registers).
    __asm__ volatile(
        "vld2.32 {d16-d19}, [%[s]]!\n\t"
        "vld2.32 {d20-d23}, [%[s]]!\n\t"
        "vld1.32 {d24[], d25[]}, [%[s]]\n\t"
        "vext.32 q13, q8, q10, #1\n\t"
        "vext.32 q14, q10, q12, #1\n\t"
        "vst1.32 {d16-d17}, [%[d]]!\n\t"
        "vst1.32 {d20-d21}, [%[d]]!\n\t"
        "vst1.32 {d18-d19}, [%[d]]!\n\t"
        "vst1.32 {d22-d23}, [%[d]]!\n\t"
        "vst1.32 {d26-d29}, [%[d]]\n\t"
        : [s] "+r"(s), [d] "+r"(d)
        :
        : "memory", "d16", "d17", "d18", "d19", "d20", "d21", "d22", "d23", "d24", "d25", "d26", "d27",
          "d28", "d29");
#else
    const float32x4x2_t a = vld2q_f32(s), b = vld2q_f32(s + 8);
    const float32x4_t last = vld1q_dup_f32(s + 16);
    vst1q_f32(d, a.val[0]);
    vst1q_f32(d + 4, b.val[0]);
    vst1q_f32(d + 8, a.val[1]);
    vst1q_f32(d + 12, b.val[1]);
    vst1q_f32(d + 16, vextq_f32(a.val[0], b.val[0], 1));
    vst1q_f32(d + 20, vextq_f32(b.val[0], last, 1));
#endif
  }
  // The tiles with a 3x3 s2 stem path: 8x12 (assembly), 6x8 (intrinsics).
#if defined(__aarch64__)
  static constexpr bool kStemTile = kNR == 12;
#else
  static constexpr bool kStemTile = kNR == 8;
#endif

  template <size_t S, size_t KW>
  static void copy_taps(float* d, const float* s, size_t len, size_t avail) {
    if constexpr (S == 2 && KW == 3 && kNR == 8) {
      if (len == kNR && avail >= 2 * kNR + 1) {
        taps_s2_3x8(d, s);
        return;
      }
    }
#if defined(__aarch64__)
    if constexpr (S == 2 && KW == 7 && kNR == 12) {
      if (len == kNR && avail >= 8 * kS2Vecs) {
        taps_s2_7x12(d, s);
        return;
      }
    }
    if constexpr (S == 2 && KW == 3 && kNR == 12) {
      if (len == kNR && avail >= 2 * kNR + 1) {
        taps_s2_3x12(d, s);
        return;
      }
    }
#endif
    if constexpr (S == 2 && KW > 0 && KW <= 8) {
      if (len == kNR && avail >= 8 * kS2Vecs) {
        taps_s2(d, s, std::make_index_sequence<KW>());
        return;
      }
    }
    if (len != kNR) {
      for (size_t kx = 0; kx < KW; kx++) copy_strided<S>(d + kx * kNR, s + kx, len, S);
    } else if (S == 2 && avail > KW + (kNR - 1) * 2) {
      // ld2 also reads the odd element after each tap's last pixel.
      for (size_t kx = 0; kx < KW; kx++) copy_groups_s2<kNR / 4>(d + kx * kNR, s + kx);
    } else {
      for (size_t kx = 0; kx < KW; kx++) copy_row<S>(d + kx * kNR, s + kx, S);
    }
  }

  // d[0, n) = s[0, n) for n <= MAX, straight-line: 4-float vectors, the
  // last one overlapping, scalars below 4 (GCC turns a loop of vector
  // copies into a memcpy call).
  template <size_t MAX>
  static void copy_short(float* d, const float* s, size_t n) {
    if (n < 4) {
      copy_strided<1>(d, s, n, 1);
      return;
    }
    for (size_t i = 0; i + 4 < MAX; i += 4)  // (unrolled: MAX is a constant)
      if (i + 4 < n) vst1q_f32(d + i, vld1q_f32(s + i));
    vst1q_f32(d + n - 4, vld1q_f32(s + n - 4));
  }

  // Floats readable from s in the image x[0, n) (at most kWindow).
  static size_t readable(const float* s, const float* x, size_t n) {
    return std::min(kWindow, size_t(x + n - s));
  }

  // buf[0, kWindow) = the window: zero outside [lo, hi), there src[0, hi - lo).
  static void window(float* buf, const float* src, size_t lo, size_t hi) {
    const float32x4_t z = vdupq_n_f32(0.0f);
    for (size_t t = 0; t < kWindow; t += 4) vst1q_f32(buf + t, z);
    if (hi > lo) copy_strided<1>(buf + lo, src, hi - lo, 1);
  }

  // d[0 .. n) = 0 for n <= NR.
  static void zero_n(float* d, size_t n) {
    if (n == kNR) {
      zero_nr(d);
      return;
    }
    size_t t = 0;
    const float32x4_t z = vdupq_n_f32(0.0f);
    for (; t + 4 <= n; t += 4) vst1q_f32(d + t, z);
    switch (n - t) {  // (a loop here becomes a memset call)
      case 3: d[t + 2] = 0.0f; [[fallthrough]];
      case 2: d[t + 1] = 0.0f; [[fallthrough]];
      case 1: d[t] = 0.0f; [[fallthrough]];
      default: break;
    }
  }

  // B (dense): NR-column panels. A full panel is one NR-float copy per k; the
  // last, partial panel copies `cols` floats and zero-fills the rest (no read
  // past column nc).
  static void pack_b(size_t kc, size_t nc, const float* b, size_t ldb, float* dst) {
    size_t q = 0;
    for (; q + kNR <= nc; q += kNR, dst += kNR * kc) full_panel(kc, b + q, ldb, dst);
    if (q == nc) return;
    if (nc - q <= kEdge)
      pack_b_groups(kc, nc - q, b + q, ldb, dst);
    else
      pack_b_tail(kc, nc - q, b + q, ldb, dst);
  }

  // One whole panel of pack_b: kc rows of NR floats, ldb floats apart in s,
  // one after the other at d. The packed rows are contiguous, so a group of
  // rows is stored with the widest stores, whatever row each vector came
  // from. 1x1 layers with few output channels pay this per k-row and panel
  // against few tiles (mbv2_pwl_32_16_112: 2 M-panels per B panel); GCC's
  // loop of copy_nr took 18 instructions per 4 rows (an address per row,
  // separate counters), these take:
  //   aarch64 (NR = 12): per 8 rows 8 ld1 {3 regs} (post-incremented by the
  //     row stride) + 6 st1 {4 regs} + 2 loop = 16; a 4-row block 7, a row 2.
  //     v0-v23: row i's 12 floats in v(3i)..v(3i + 2).
  //   armv7 (NR = 8): per 8 rows 8 vld1 {4 d} + 2 vstmia {16 d} + 2 loop =
  //     12; a 4-row block 5, a row 2. d16-d31: row i's 8 floats in
  //     d(16 + 4i)..d(19 + 4i) (no callee-saved registers).
  static void full_panel(size_t kc, const float* s, size_t ldb, float* d) {
#if defined(__aarch64__)
    if constexpr (kNR == 12) {
      size_t k8 = kc / 8, k1 = kc & 3;
      const size_t k4 = kc & 4, ldb_bytes = ldb * sizeof(float);
#define ARMCONV_PB_LD(r0, r1, r2) "ld1 {v" #r0 ".4s, v" #r1 ".4s, v" #r2 ".4s}, [%[s]], %[ldb]\n\t"
#define ARMCONV_PB_ST(r0, r1, r2, r3) "st1 {v" #r0 ".4s, v" #r1 ".4s, v" #r2 ".4s, v" #r3 ".4s}, [%[d]], #64\n\t"
#define ARMCONV_PB_ROWS4(a, b, c, e, f, g, h, i, j, k, l, m)                              \
  ARMCONV_PB_LD(a, b, c) ARMCONV_PB_LD(e, f, g) ARMCONV_PB_LD(h, i, j) ARMCONV_PB_LD(k, l, m) \
  ARMCONV_PB_ST(a, b, c, e) ARMCONV_PB_ST(f, g, h, i) ARMCONV_PB_ST(j, k, l, m)
      __asm__ volatile(
          "cbz %[k8], 2f\n\t"
          "1:\n\t"  // eight rows
          ARMCONV_PB_LD(0, 1, 2) ARMCONV_PB_LD(3, 4, 5) ARMCONV_PB_LD(6, 7, 8)
          ARMCONV_PB_LD(9, 10, 11) ARMCONV_PB_LD(12, 13, 14) ARMCONV_PB_LD(15, 16, 17)
          ARMCONV_PB_LD(18, 19, 20) ARMCONV_PB_LD(21, 22, 23)
          ARMCONV_PB_ST(0, 1, 2, 3) ARMCONV_PB_ST(4, 5, 6, 7) ARMCONV_PB_ST(8, 9, 10, 11)
          ARMCONV_PB_ST(12, 13, 14, 15) ARMCONV_PB_ST(16, 17, 18, 19) ARMCONV_PB_ST(20, 21, 22, 23)
          "subs %[k8], %[k8], #1\n\t"
          "b.ne 1b\n\t"
          "2:\n\t"
          "cbz %[k4], 3f\n\t"  // four rows
          ARMCONV_PB_ROWS4(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
          "3:\n\t"
          "cbz %[k1], 5f\n\t"
          "4:\n\t"  // one row
          ARMCONV_PB_LD(0, 1, 2)
          "st1 {v0.4s, v1.4s, v2.4s}, [%[d]], #48\n\t"
          "subs %[k1], %[k1], #1\n\t"
          "b.ne 4b\n\t"
          "5:\n\t"
          : [s] "+r"(s), [d] "+r"(d), [k8] "+r"(k8), [k1] "+r"(k1)
          : [k4] "r"(k4), [ldb] "r"(ldb_bytes)
          : "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11",
            "v12", "v13", "v14", "v15", "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23");
#undef ARMCONV_PB_LD
#undef ARMCONV_PB_ST
#undef ARMCONV_PB_ROWS4
      return;
    }
#elif defined(__arm__)
    if constexpr (kNR == 8) {
      size_t k8 = kc / 8, k1 = kc & 3;
      const size_t k4 = kc & 4, ldb_bytes = ldb * sizeof(float);
#define ARMCONV_PB_ROWS4                                                                   \
  "vld1.32 {d16-d19}, [%[s]], %[ldb]\n\t"                                                  \
  "vld1.32 {d20-d23}, [%[s]], %[ldb]\n\t"                                                  \
  "vld1.32 {d24-d27}, [%[s]], %[ldb]\n\t"                                                  \
  "vld1.32 {d28-d31}, [%[s]], %[ldb]\n\t"                                                  \
  "vstmia %[d]!, {d16-d31}\n\t"
      __asm__ volatile(
          "cmp %[k8], #0\n\t"
          "beq 2f\n\t"
          "1:\n\t"  // eight rows
          ARMCONV_PB_ROWS4 ARMCONV_PB_ROWS4
          "subs %[k8], %[k8], #1\n\t"
          "bne 1b\n\t"
          "2:\n\t"
          "cmp %[k4], #0\n\t"  // four rows
          "beq 3f\n\t"
          ARMCONV_PB_ROWS4
          "3:\n\t"
          "cmp %[k1], #0\n\t"
          "beq 5f\n\t"
          "4:\n\t"  // one row
          "vld1.32 {d16-d19}, [%[s]], %[ldb]\n\t"
          "vst1.32 {d16-d19}, [%[d]]!\n\t"
          "subs %[k1], %[k1], #1\n\t"
          "bne 4b\n\t"
          "5:\n\t"
          : [s] "+r"(s), [d] "+r"(d), [k8] "+r"(k8), [k1] "+r"(k1)
          : [k4] "r"(k4), [ldb] "r"(ldb_bytes)
          : "cc", "memory", "d16", "d17", "d18", "d19", "d20", "d21", "d22", "d23", "d24", "d25",
            "d26", "d27", "d28", "d29", "d30", "d31");
#undef ARMCONV_PB_ROWS4
      return;
    }
#endif
    for (size_t kk = 0; kk < kc; kk++, d += kNR, s += ldb) copy_nr(d, s);
  }

  // The last panel of pack_b in edge groups (cols <= kEdge): a group's
  // column j is the 4 floats of rows 4g..4g+3 gathered by lane, then zeros to
  // the group's end; the last kc % 4 rows as pack_b_tail writes them.
  static void pack_b_groups(size_t kc, size_t cols, const float* s, size_t ldb, float* d) {
    const float32x4_t z = vdupq_n_f32(0.0f);
    size_t g = 0;
    for (; g + 4 <= kc; g += 4, s += 4 * ldb, d += 4 * kNR) {
      for (size_t j = 0; j < cols; j++) {
        float32x4_t v = vld1q_dup_f32(s + j);
        v = vld1q_lane_f32(s + ldb + j, v, 1);
        v = vld1q_lane_f32(s + 2 * ldb + j, v, 2);
        v = vld1q_lane_f32(s + 3 * ldb + j, v, 3);
        vst1q_f32(d + 4 * j, v);
      }
      for (size_t j = cols; j < kNR; j++) vst1q_f32(d + 4 * j, z);
    }
    if (g < kc) pack_b_tail(kc - g, cols, s, ldb, d);
  }

  // A block's last panel, packed in the row layout, into edge groups in
  // place if it has 1..kEdge columns: per whole group of 4 rows, columns
  // 0-3 of the 4 rows transposed (4 loads, 4 trn/combine pairs), the r
  // column vectors stored at the group's start and zeros over columns 0-3
  // of rows 1-3 (columns >= r are already 0).
  static void edge_groups(size_t kc, size_t nc, float* dst) {
    const size_t cols = nc % kNR;
    if (kEdge == 0 || cols == 0 || cols > kEdge) return;
    float* p = dst + nc / kNR * kNR * kc;
    const float32x4_t z = vdupq_n_f32(0.0f);
    for (size_t g = 0; g + 4 <= kc; g += 4, p += 4 * kNR) {
      const float32x4_t x0 = vld1q_f32(p), x1 = vld1q_f32(p + kNR), x2 = vld1q_f32(p + 2 * kNR),
                        x3 = vld1q_f32(p + 3 * kNR);
      const float32x4x2_t t01 = vtrnq_f32(x0, x1), t23 = vtrnq_f32(x2, x3);
      vst1q_f32(p + kNR, z);
      vst1q_f32(p + 2 * kNR, z);
      vst1q_f32(p + 3 * kNR, z);
      vst1q_f32(p, vcombine_f32(vget_low_f32(t01.val[0]), vget_low_f32(t23.val[0])));
      if (cols > 1) vst1q_f32(p + 4, vcombine_f32(vget_low_f32(t01.val[1]), vget_low_f32(t23.val[1])));
      if (cols > 2) vst1q_f32(p + 8, vcombine_f32(vget_high_f32(t01.val[0]), vget_high_f32(t23.val[0])));
    }
  }

  // The last, partial panel of pack_b: cols < NR columns per k row, zeros
  // after them. (Not memcpy: a call per k row costs more than the copy, and
  // a 1x1 map, N = 1, is all last panel; the number of 4-column vectors and
  // the 1..3 remaining columns are fixed before the loop over k.)
  // With a whole vector before them (V >= 1), the R last columns are the
  // top lanes of the vector ending at the last column, shifted down with
  // zeros behind (ext): one load and one ext instead of R scalar copies over
  // a zeroed row.
  template <size_t V, size_t R>
  static void tail_rows(size_t kc, const float* s, size_t ldb, float* d) {
    const float32x4_t z = vdupq_n_f32(0.0f);
    for (size_t kk = 0; kk < kc; kk++, d += kNR, s += ldb) {
      if constexpr (V >= 1 && R > 0) {
        for (size_t j = 0; j < V; j++) vst1q_f32(d + 4 * j, vld1q_f32(s + 4 * j));
        vst1q_f32(d + 4 * V, vextq_f32(vld1q_f32(s + 4 * V + R - 4), z, 4 - R));
        for (size_t j = V + 1; j < kNR / 4; j++) vst1q_f32(d + 4 * j, z);
      } else {
        zero_nr(d);
        for (size_t j = 0; j < V; j++) vst1q_f32(d + 4 * j, vld1q_f32(s + 4 * j));
        for (size_t j = 0; j < R; j++) d[4 * V + j] = s[4 * V + j];
      }
    }
  }
  template <size_t V>
  static void tail_rows_v(size_t kc, size_t r, const float* s, size_t ldb, float* d) {
    switch (r) {
      case 0: return tail_rows<V, 0>(kc, s, ldb, d);
      case 1: return tail_rows<V, 1>(kc, s, ldb, d);
      case 2: return tail_rows<V, 2>(kc, s, ldb, d);
      default: return tail_rows<V, 3>(kc, s, ldb, d);
    }
  }
  static void pack_b_tail(size_t kc, size_t cols, const float* s, size_t ldb, float* d) {
    static_assert(kNR <= 12, "pack_b_tail: at most 2 whole vectors before the last panel's end");
    switch (cols / 4) {
      case 0: return tail_rows_v<0>(kc, cols % 4, s, ldb, d);
      case 1: return tail_rows_v<1>(kc, cols % 4, s, ldb, d);
      default: return tail_rows_v<2>(kc, cols % 4, s, ldb, d);
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

#if defined(__aarch64__)
  // One panel of the 3x3 s2 stem, all inside the image: per channel, 3
  // rows (ky) of taps_s2_3x12 from p (the panel's first tap in channel 0,
  // kernel row 0), rows w floats apart, planes `plane` apart; 36 floats of
  // the panel per row. Assembly per channel (15 instructions a row): GCC
  // kept the loop's pointers in memory around the block.
  //   %[p]: the row; %[t]: its ld2 pointer; %[d]: the panel, per channel
  //   v0-v6, v16-v18 as in taps_s2_3x12
  static void stem_panel_s2k3(float* d, const float* p, size_t channels, size_t w, size_t plane) {
    const size_t wb = w * sizeof(float);
    const size_t next = (plane - 3 * w) * sizeof(float);
    const float* t;
#define ARMCONV_STEM_ROW(OFF, OFF48, OFF80, OFF96, OFF112)                              \
  "mov %[t], %[p]\n\t"                                                                 \
  "ld2 {v0.4s, v1.4s}, [%[t]], #32\n\t"                                               \
  "ld2 {v2.4s, v3.4s}, [%[t]], #32\n\t"                                               \
  "ld2 {v4.4s, v5.4s}, [%[t]], #32\n\t"                                               \
  "ldr s6, [%[t]]\n\t"                                                                 \
  "stp q0, q2, [%[d], #" #OFF "]\n\t"                                                 \
  "str q4, [%[d], #" #OFF48 "-16]\n\t"                                                \
  "ext v16.16b, v0.16b, v2.16b, #4\n\t"                                               \
  "stp q1, q3, [%[d], #" #OFF48 "]\n\t"                                               \
  "ext v17.16b, v2.16b, v4.16b, #4\n\t"                                               \
  "str q5, [%[d], #" #OFF80 "]\n\t"                                                   \
  "ext v18.16b, v4.16b, v6.16b, #4\n\t"                                               \
  "str q16, [%[d], #" #OFF96 "]\n\t"                                                  \
  "stp q17, q18, [%[d], #" #OFF112 "]\n\t"                                            \
  "add %[p], %[p], %[wb]\n\t"
    for (size_t c = channels; c > 0; c--) {
      __asm__ volatile(
          ARMCONV_STEM_ROW(0, 48, 80, 96, 112)
          ARMCONV_STEM_ROW(144, 192, 224, 240, 256)
          ARMCONV_STEM_ROW(288, 336, 368, 384, 400)
          "add %[p], %[p], %[next]\n\t"
          "add %[d], %[d], #432\n\t"
          : [p] "+r"(p), [d] "+r"(d), [t] "=&r"(t)
          : [wb] "r"(wb), [next] "r"(next)
          : "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v16", "v17", "v18");
    }
#undef ARMCONV_STEM_ROW
  }
#else
  // One panel of the 3x3 s2 stem, all inside the image (see the aarch64
  // version above): taps_s2_3x8 per (c, ky) row.
  static void stem_panel_s2k3(float* d, const float* p, size_t channels, size_t w, size_t plane) {
    for (size_t c = channels; c > 0; c--, p += plane - 3 * w)
      for (size_t ky = 3; ky > 0; ky--, p += w, d += 3 * kNR) taps_s2_3x8(d, p);
  }
#endif
#if defined(__aarch64__)

  // taps_s2_3x12 for a window that starts one float left of the row (the
  // left edge with padding 1): tap 0 reads (0, r[1], r[3], ..., r[21]),
  // tap 1 r[0, 2, ..., 22], tap 2 r[1, 3, ..., 23]: the odd elements shifted
  // right by one lane behind a zero (ext). Reads r[0, 24) only.
  //   v0-v5: the ld2 pairs (E[i], O[i]); v6 = 0; v16-v18: tap 0.
  static void taps_s2_3x12_left(float* d, const float* r) {
    __asm__ volatile(
        "ld2 {v0.4s, v1.4s}, [%[r]], #32\n\t"
        "ld2 {v2.4s, v3.4s}, [%[r]], #32\n\t"
        "ld2 {v4.4s, v5.4s}, [%[r]]\n\t"
        "movi v6.4s, #0\n\t"
        "ext v16.16b, v6.16b, v1.16b, #12\n\t"
        "ext v17.16b, v1.16b, v3.16b, #12\n\t"
        "ext v18.16b, v3.16b, v5.16b, #12\n\t"
        "str q16, [%[d]]\n\t"
        "stp q17, q18, [%[d], #16]\n\t"
        "stp q0, q2, [%[d], #48]\n\t"
        "str q4, [%[d], #80]\n\t"
        "stp q1, q3, [%[d], #96]\n\t"
        "str q5, [%[d], #128]\n\t"
        : [r] "+r"(r)
        : [d] "r"(d)
        : "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v16", "v17", "v18");
  }

  // The 3x3 s2 stem's segments at the image's edges, and the segments of a
  // panel that crosses an output row (pack_im2col_panels): each (c, ky) row
  // into a whole 12-column tile, from the image where its 25-float window
  // (or the 24 floats of taps_s2_3x12_left) can be read there, else from a
  // zero-padded copy of the window (buf). The tile is the panel itself when
  // the segment is the whole panel or its first part (`first`: the
  // segments after it overwrite the columns past len), else `tmp`, of which
  // the len columns per tap are copied. Out of line: about 1 panel in 9 of
  // a 112-wide map.
  __attribute__((noinline)) static void taps_s2_3x12_edge(const Im2colGeom& g, float* d, int64_t iy0,
                                                          size_t ky_lo, size_t ky_hi, int64_t ix_first,
                                                          size_t lo, size_t hi, size_t len, bool all_in,
                                                          bool first) {
    constexpr size_t KW = 3;
    const size_t kh = g.kh, plane = g.h * g.w, row_step = size_t(g.dh) * g.w;
    const float* x = static_cast<const float*>(g.x);
    const float* end = x + plane * g.channels;
    const size_t win = KW + 2 * (len - 1);
    // The left edge of padding 1 whose window ends inside the row.
    const bool left = ix_first == -1 && hi == win;
    alignas(16) float buf[2 * kNR + 4];
    alignas(16) float tmp[KW * kNR];
    for (size_t c = 0; c < g.channels; c++) {
      for (size_t r = 0; r < ky_lo * KW; r++, d += kNR) zero_n(d, len);
      const float* row = x + c * plane;
      if (ky_hi > ky_lo) row += size_t(iy0 + int64_t(ky_lo) * g.dh) * g.w;
      for (size_t ky = ky_lo; ky < ky_hi; ky++, row += row_step, d += KW * kNR) {
        float* out = len == kNR || first ? d : tmp;
        if (left && size_t(end - row) >= 2 * kNR) {
          taps_s2_3x12_left(out, row);
        } else if (all_in && (len == kNR || size_t(end - (row + ix_first)) >= 2 * kNR + 1)) {
          taps_s2_3x12(out, row + ix_first);
        } else {
          // buf[0, 28) = the window, zero outside [lo, hi): 7 stores
          // (straight-line: a loop of them becomes a memset call)
          const float32x4_t z = vdupq_n_f32(0.0f);
          vst1q_f32(buf, z);
          vst1q_f32(buf + 4, z);
          vst1q_f32(buf + 8, z);
          vst1q_f32(buf + 12, z);
          vst1q_f32(buf + 16, z);
          vst1q_f32(buf + 20, z);
          vst1q_f32(buf + 24, z);
          if (hi > lo) copy_short<2 * kNR + 1>(buf + lo, row + ix_first + int64_t(lo), hi - lo);
          taps_s2_3x12(out, buf);
        }
        if (out == tmp)
          for (size_t kx = 0; kx < KW; kx++) copy_short<kNR>(d + kx * kNR, tmp + kx * kNR, len);
      }
      for (size_t r = ky_hi * KW; r < kh * KW; r++, d += kNR) zero_n(d, len);
    }
  }
#endif

  // im2col panel by panel, for stems (few channels): the tap-major packer
  // above resolves the geometry per (tap, piece) and amortises it over the
  // channels of the block, which for a 7x7 stem are 3 (measured: ~3
  // instructions per packed float on the 3->64 7x7 s2 224x224 stem, 15% of
  // the layer). Here the loops run
  //   panel (NR columns) -> segment of one output row -> (channel c, ky)
  //   -> kx,
  // so the geometry is resolved once per segment, one input row is found per
  // (c, ky), and its kw taps are consecutive panel rows (row k + 1 = kx + 1),
  // copied by copy_taps (KW > 0: a compile-time width; straight-line code)
  // from the image, or from a zero-padded copy of the window (`buf`) where
  // the segment's taps reach past the image's left or right edge.
  // Needs dw == 1 and sw == S (1 or 2): ix = ox * S + kx - pad_left.
  template <size_t S, size_t KW>
  static void pack_im2col_panels(const Im2colGeom& g, size_t k0, size_t kc, size_t n0, size_t nc,
                                 float* dst) {
    const size_t kw = KW ? KW : g.kw, kh = g.kh, taps = kh * kw, plane = g.h * g.w;
    const int64_t w = int64_t(g.w), h = int64_t(g.h);
    const float* x = static_cast<const float*>(g.x);
    const size_t c_first = k0 / taps, c_last = (k0 + kc - 1) / taps;
    size_t oy = n0 / g.wo, ox = n0 % g.wo;
    float buf[kWindow];  // a window at the image's edges (copy_taps)
    // 3x3 stride-2 stems, the whole of K: a panel whose NR columns lie in
    // one output row, with every tap inside the image (the columns ox in
    // [ox_in, ox_last], rows oy in [oy_in, oy_last]; the window of a
    // (c, ky) row is 2 NR + 1 floats), is 3 taps rows per channel from
    // pointers fixed per channel (stem_panel_s2k3); the geometry below is
    // for the other panels.
    constexpr bool kStem = S == 2 && KW == 3 && kStemTile;
    const bool stem = kStem && kh == 3 && g.dh == 1 && k0 == 0 && kc == g.channels * taps;
    // (floor division: a negative bound lets no panel through)
    const auto floor_div = [](int64_t a, int64_t b) { return a >= 0 ? a / b : -1; };
    // (computed only for the stem: 64-bit divisions are library calls on armv7)
    const int64_t ox_in = stem ? (g.pad_left + 1) / 2 : 0;
    const int64_t ox_last = stem ? floor_div(w + g.pad_left - int64_t(2 * kNR + 1), 2) : -1;
    const int64_t oy_in = stem ? (g.pad_top + g.sh - 1) / g.sh : 0;
    const int64_t oy_last = stem ? floor_div(h - 3 + g.pad_top, g.sh) : -1;
    for (size_t q = 0; q < nc; q += kNR) {
      float* panel = dst + q * kc;
      const size_t cols = std::min(kNR, nc - q);
      if constexpr (kStem) {
        if (stem && cols == kNR && int64_t(ox) >= ox_in && int64_t(ox) <= ox_last && int64_t(oy) >= oy_in &&
            int64_t(oy) <= oy_last && ox + kNR <= g.wo) {
          const float* p = x + size_t(int64_t(oy) * g.sh - g.pad_top) * g.w + size_t(int64_t(ox) * 2 - g.pad_left);
          stem_panel_s2k3(panel, p, g.channels, g.w, plane);
          ox += kNR;
          if (ox == g.wo) {
            ox = 0;
            oy++;
          }
          continue;
        }
      }
      if (cols < kNR)  // the last, partial panel: zero past nc
        for (size_t kk = 0; kk < kc; kk++) zero_nr(panel + kk * kNR);
      for (size_t j = 0; j < cols;) {
        // Segment: output row oy, columns ox .. ox + len - 1 -> panel columns j ...
        const size_t len = std::min(cols - j, g.wo - ox);
        const int64_t ix_first = int64_t(ox) * int64_t(S) - g.pad_left;  // tap kx reads from ix_first + kx
        const int64_t span = int64_t(len - 1) * int64_t(S);               // ... to ix_first + kx + span
        // The taps of one (c, ky) read input columns [ix_first, ix_first + win)
        // of its row: straight from the image when all are inside it, else
        // from a zero-padded copy of that window (`buf`), so that every tap
        // is a plain copy either way.
        const int64_t win = int64_t(kw) + span;
        const bool all_in = ix_first >= 0 && ix_first + win <= w;
        const size_t lo = ix_first >= 0 ? 0 : size_t(-ix_first);            // buf[lo, hi) from the row
        const size_t hi = size_t(std::max<int64_t>(int64_t(lo), std::min(win, w - ix_first)));
        if (KW && k0 == 0 && kc == g.channels * taps) {
          // The whole of K (the usual block): rows (c, ky) in order; the taps
          // of the rows ky in [ky_lo, ky_hi) read the image (one input row
          // further per dh), the others zero.
          const int64_t iy0 = int64_t(oy) * g.sh - g.pad_top;
          size_t ky_lo = 0, ky_hi = 0;
          while (ky_lo < kh && iy0 + int64_t(ky_lo) * g.dh < 0) ky_lo++;
          for (ky_hi = ky_lo; ky_hi < kh && iy0 + int64_t(ky_hi) * g.dh < h;) ky_hi++;
          const size_t row_step = size_t(g.dh) * g.w;
          float* d = panel + j;
#if defined(__aarch64__)
          if constexpr (S == 2 && KW == 3 && kNR == 12) {
            // A whole panel inside the image (3x3 s2 stem): every (c, ky)
            // row is one taps_s2_3x12 (reads the 25 floats of the window,
            // all inside the row: all_in).
            if (len == kNR && all_in && ky_lo == 0 && ky_hi == kh) {
              const float* row = x + size_t(iy0) * g.w + size_t(ix_first);
              const size_t next_plane = plane - kh * row_step;
              for (size_t c = g.channels; c > 0; c--, row += next_plane)
                for (size_t ky = kh; ky > 0; ky--, row += row_step, d += KW * kNR) taps_s2_3x12(d, row);
            } else {
              taps_s2_3x12_edge(g, d, iy0, ky_lo, ky_hi, ix_first, lo, hi, len, all_in,
                                j == 0 && cols == kNR);
            }
            j += len;
            ox += len;
            if (ox == g.wo) {
              ox = 0;
              oy++;
            }
            continue;
          }
#endif
          for (size_t c = 0; c < g.channels; c++) {
            for (size_t r = 0; r < ky_lo * KW; r++, d += kNR) zero_n(d, len);
            if (ky_hi > ky_lo) {
              const float* row = x + c * plane + size_t(iy0 + int64_t(ky_lo) * g.dh) * g.w;
              for (size_t ky = ky_lo; ky < ky_hi; ky++, row += row_step, d += KW * kNR) {
                const float* s = row + ix_first;
                size_t avail = kWindow;
                if (!all_in) {
                  window(buf, row + ix_first + int64_t(lo), lo, hi);
                  s = buf;
                } else {
                  avail = readable(s, x, plane * g.channels);
                }
                copy_taps<S, KW>(d, s, len, avail);
              }
            }
            for (size_t r = ky_hi * KW; r < kh * KW; r++, d += kNR) zero_n(d, len);
          }
          j += len;
          ox += len;
          if (ox == g.wo) {
            ox = 0;
            oy++;
          }
          continue;
        }
        for (size_t c = c_first; c <= c_last; c++) {
          const float* xc = x + c * plane;
          for (size_t ky = 0; ky < kh; ky++) {
            const size_t base = (c * kh + ky) * kw;  // matrix row of (c, ky, 0)
            if (base + kw <= k0) continue;
            if (base >= k0 + kc) break;
            const size_t a = base < k0 ? k0 - base : 0;
            const size_t b = std::min(kw, k0 + kc - base);
            float* d = panel + (base + a - k0) * kNR + j;
            const int64_t iy = int64_t(oy) * g.sh + int64_t(ky) * g.dh - g.pad_top;
            if (iy < 0 || iy >= h) {
              for (size_t kx = a; kx < b; kx++, d += kNR) zero_n(d, len);
              continue;
            }
            const float* row = xc + size_t(iy) * g.w;
            const float* s = row + ix_first;
            size_t avail = kWindow;
            if (all_in) {
              avail = readable(s, x, plane * g.channels);
            } else {
              window(buf, row + ix_first + int64_t(lo), lo, hi);
              s = buf;
            }
            if (KW && a == 0 && b == kw) {
              copy_taps<S, KW>(d, s, len, avail);
              continue;
            }
            for (size_t kx = a; kx < b; kx++, d += kNR) {
              if (len == kNR)
                copy_row<S>(d, s + kx, S);
              else
                copy_strided<S>(d, s + kx, len, S);
            }
          }
        }
        j += len;
        ox += len;
        if (ox == g.wo) {
          ox = 0;
          oy++;
        }
      }
    }
  }

  template <size_t S>
  static void pack_im2col_panels_kw(const Im2colGeom& g, size_t k0, size_t kc, size_t n0, size_t nc,
                                    float* dst) {
    switch (g.kw) {
      case 3: return pack_im2col_panels<S, 3>(g, k0, kc, n0, nc, dst);
      case 5: return pack_im2col_panels<S, 5>(g, k0, kc, n0, nc, dst);
      case 7: return pack_im2col_panels<S, 7>(g, k0, kc, n0, nc, dst);
      default: return pack_im2col_panels<S, 0>(g, k0, kc, n0, nc, dst);
    }
  }

  // im2col with stride 1 and no padding or dilation, output width a multiple
  // of 4 (a layer with padding gets a zero-padded copy of its image from the
  // conv driver: GemmKernel::pad_copy). Then the 4 columns n .. n + 3 of a
  // panel (n a multiple of 4) are the pixels ox .. ox + 3 of one output row
  // oy, and row k = (c, ky, kx) of them is 4 consecutive floats of the image:
  //   B[k][n + i] = x[c][oy + ky][ox + kx + i]   (i < 4)
  // So a panel is NR/4 base pointers (one per column group, x + oy w + ox),
  // and its row k is one vector load from each at the offset of k,
  // c h w + ky w + kx, and a store: the geometry is resolved once per panel,
  // and the loop over k is NR/4 loads + 1 store (aarch64: st1 of 3
  // registers) per tap. Every load is inside the image: ox + kx + 3 <=
  // wo - 1 + kw - 1 = w - 1, oy + ky <= h - 1.
  static bool s1_rows_apply(const Im2colGeom& g, size_t n0, size_t nc) {
    return g.sh == 1 && g.sw == 1 && g.dh == 1 && g.dw == 1 && g.pad_top == 0 && g.pad_left == 0 &&
           g.wo % 4 == 0 && n0 % 4 == 0 && nc % 4 == 0 && g.ho + g.kh - 1 <= g.h &&
           g.wo + g.kw - 1 <= g.w;
  }
  static constexpr size_t kNV = kNR / 4;  // column groups (vectors) of a panel row
  // One pointer per column group of a panel, passed by value: never in
  // memory, so the row pointers stay in registers across the asm below.
  struct Ptrs {
    const float* p[kNV];
    Ptrs operator+(size_t off) const {
      Ptrs r;
      for (size_t j = 0; j < kNV; j++) r.p[j] = p[j] + off;
      return r;
    }
  };
  // Panel row of the tap at r.p[j] + off.
  static float* s1_tap(float* d, Ptrs r, size_t off) {
    float32x4_t v[kNV];
    for (size_t j = 0; j < kNV; j++) v[j] = vld1q_f32(r.p[j] + off);
  #if defined(__aarch64__)
    if constexpr (kNV == 3) {
      float32x4x3_t t;
      t.val[0] = v[0];
      t.val[1] = v[1];
      t.val[2] = v[2];
      vst1q_f32_x3(d, t);
      return d + kNR;
    }
  #endif
    for (size_t j = 0; j < kNV; j++) vst1q_f32(d + 4 * j, v[j]);
    return d + kNR;
  }
#if defined(__aarch64__)
  // One panel row of the 8x12 tile in assembly: GCC 12 computes each
  // store's address with its own add rather than post-incrementing d
  // (measured on conv5x5_16_32_28: 35 instructions per 5-tap row, 25 here).
  //   %[r0], %[r1], %[r2]: the 3 column groups' pixels in the input row
  //   OFF: byte offset of the tap (4 kx)
  //   v0..v2 <- 4 floats at r0 + OFF, r1 + OFF, r2 + OFF; st1 of the 12 to d, d += 48
  template <int OFF>
  static float* s1_tap_asm(float* d, const float* r0, const float* r1, const float* r2) {
    __asm__ volatile(
        "ldur q0, [%[r0], #%[off]]\n\t"
        "ldur q1, [%[r1], #%[off]]\n\t"
        "ldur q2, [%[r2], #%[off]]\n\t"
        "st1 {v0.4s, v1.4s, v2.4s}, [%[d]], #48\n\t"
        : [d] "+r"(d)
        : [r0] "r"(r0), [r1] "r"(r1), [r2] "r"(r2), [off] "n"(OFF)
        : "v0", "v1", "v2", "memory");
    return d;
  }
#endif
  // All taps of one (c, ky) row, straight-line: tap kx at r.p[j] + kx.
  template <size_t... KX>
  static float* s1_taps(float* d, Ptrs r, std::index_sequence<KX...>) {
    (void)r;  // (unused when KX is empty: the KW = 0 instantiation)
#if defined(__aarch64__)
    if constexpr (kNV == 3) {
      ((d = s1_tap_asm<int(4 * KX)>(d, r.p[0], r.p[1], r.p[2])), ...);
      return d;
    }
#endif
    ((d = s1_tap(d, r, KX)), ...);
    return d;
  }
  // All kh = KW rows of one channel of a square kernel (r: the channel's
  // first input row; rows w floats apart), straight-line.
  template <size_t... KY>
  static float* s1_square(float* d, Ptrs r, size_t w, std::index_sequence<KY...>) {
    (void)r;  // (unused when KY is empty: the KW = 0 instantiation)
    (void)w;
    ((d = s1_taps(d, r + KY * w, std::index_sequence<KY...>())), ...);
    return d;
  }
  template <size_t KW>
  static void pack_im2col_s1_rows(const Im2colGeom& g, size_t k0, size_t kc, size_t n0, size_t nc,
                                  float* dst) {
    const size_t kw = g.kw, kh = g.kh, taps = kh * kw, w = g.w, plane = g.h * w;
    const float* x = static_cast<const float*>(g.x);
    for (size_t q = 0; q < nc; q += kNR, dst += kNR * kc) {
      // The panel's column groups: base pointers; groups past nc stay zero.
      const size_t groups = std::min(kNV, (nc - q) / 4);
      Ptrs base;
      for (size_t j = 0; j < kNV; j++) {
        const size_t n = n0 + q + 4 * std::min(j, groups - 1);  // (a valid pointer for every j)
        base.p[j] = x + n / g.wo * w + n % g.wo;
      }
      if (groups < kNV) {
        for (size_t kk = 0; kk < kc; kk++) zero_nr(dst + kk * kNR);
      }
      size_t c = k0 / taps, ky = k0 % taps / kw, kx = k0 % kw;
      float* d = dst;
      if (KW > 0 && groups == kNV && kh == KW && k0 % taps == 0 && kc % taps == 0) {
        // Whole channels of a square kernel (the usual block: all of K): one
        // straight-line channel, the row pointers step a plane per channel.
        Ptrs r = base + c * plane;
        for (size_t ch = kc / taps; ch > 0; ch--) {
          d = s1_square(d, r, w, std::make_index_sequence<KW>());
          r = r + plane;
        }
        continue;
      }
      if (KW > 0 && groups == kNV && kx == 0 && kc % kw == 0) {
        // Whole rows (c, ky): the row pointers step one input row per ky, to
        // the next plane after the last ky.
        Ptrs r = base + (c * plane + ky * w);
        const size_t next_plane = plane - (kh - 1) * w;
        for (size_t rows = kc / kw; rows > 0; rows--) {
          d = s1_taps(d, r, std::make_index_sequence<KW>());
          const size_t step = ++ky == kh ? next_plane : w;
          if (ky == kh) ky = 0;
          r = r + step;
        }
        continue;
      }
      for (size_t kk = 0; kk < kc;) {
        const size_t row = c * plane + ky * w;
        const size_t b = std::min(kw, kx + (kc - kk));
        if (groups == kNV) {
          for (size_t t = kx; t < b; t++) d = s1_tap(d, base, row + t);
        } else {
          for (size_t t = kx; t < b; t++, d += kNR)
            for (size_t j = 0; j < groups; j++) vst1q_f32(d + 4 * j, vld1q_f32(base.p[j] + row + t));
        }
        kk += b - kx;
        kx = 0;
        if (++ky == kh) {
          ky = 0;
          c++;
        }
      }
    }
  }

  // im2col in the row layout, then the last panel's edge groups.
  static void pack_im2col(const Im2colGeom& g, size_t k0, size_t kc, size_t n0, size_t nc,
                          float* dst) {
    pack_im2col_rows(g, k0, kc, n0, nc, dst);
    edge_groups(kc, nc, dst);
  }
  static void pack_im2col_rows(const Im2colGeom& g, size_t k0, size_t kc, size_t n0, size_t nc,
                               float* dst) {
    // Stride 1 without padding (or from the driver's zero-padded copy),
    // output width a multiple of 4: the row packer. Then panel by panel for
    // stems (few channels; measured, bench/insncount.py, cortex-a72:
    // r18_stem_7x7s2_3_64_224 3.18 -> 3.44 MACs/insn); else tap-major (with
    // 16 channels it beat the panel packer: 3.08 against 2.91 on
    // conv5x5_16_32_28 before that layer took the row packer, 3.51).
    if (s1_rows_apply(g, n0, nc) && kc > 0) {
      switch (g.kw) {
        case 3: return pack_im2col_s1_rows<3>(g, k0, kc, n0, nc, dst);
        case 5: return pack_im2col_s1_rows<5>(g, k0, kc, n0, nc, dst);
        case 7: return pack_im2col_s1_rows<7>(g, k0, kc, n0, nc, dst);
        default: return pack_im2col_s1_rows<0>(g, k0, kc, n0, nc, dst);
      }
    }
    // Stride 2, square 3/5/7 kernels of stems, 4-column vectors in one
    // output row each: by vectors (neon/sgemm_im2col_s2.h).
    if (Im2colS2Vec<kNR>::applies(g, k0, kc, n0, nc)) return Im2colS2Vec<kNR>::pack_kw(g, kc, n0, nc, dst);
    if (g.dw == 1 && (g.sw == 1 || g.sw == 2) && g.channels <= 4 &&
        g.kw <= kMaxPanelKw &&
        g.pad_left < (int64_t(1) << 30) && kc > 0) {
      if (g.sw == 1)
        pack_im2col_panels_kw<1>(g, k0, kc, n0, nc, dst);
      else
        pack_im2col_panels_kw<2>(g, k0, kc, n0, nc, dst);
      return;
    }
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

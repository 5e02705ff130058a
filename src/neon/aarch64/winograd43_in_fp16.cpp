// NEON fp16 Winograd F(4x4, 3x3) input side on the points {0, +-2/3, +-3/2,
// inf}, aarch64 + FP16 (Armv8.2): the nc8 binary16 staging (float32 and
// binary16 images) and the input transform V = B^T d B in binary16
// arithmetic on the 8 lanes of a .8h vector (contract: core/winograd.h,
// wino_pack_nc8h_fn, wino_input_h8_fn). An ISA-extension unit: compiled with
// -march=armv8.2-a+fp16 (CMake's extension list, by its file-name suffix),
// reached only through dispatch.cpp after the AT_HWCAP check; everything
// but the table is in an anonymous namespace. The table
// (winograd43-aarch64-nc8h) takes its fp32 output transforms from the
// baseline unit winograd43_nc8h.cpp. Twin: generic/winograd_f16.cpp
// (wino::input_tile_h8 over generic::HalfOps8, generic::pack_nc8h), bit for
// bit: the assembly below runs the operations of wino::F43h::input_1d
// (core/winograd_kernels.h) on the same operands, each rounded once to
// binary16, with the constants wino::kIn43hHalfBits (keep them in step).
//
// Why binary16 arithmetic: the fp32 transform (two 4-lane halves per octet,
// then FCVTN) took 570 instructions per tile and octet; in .8h the same 14
// operations per 1-D transform cover all 8 channels, and no conversion is
// left (the float32 image is rounded once, while it is staged). Its error
// (bench/wino_fp16_study.py, option "f16k / f16/R / f32"): see the README,
// "fp16 Winograd".
//
// Per tile and octet: 12 x 14 .8h operations, 12 ld1 of the patch (6 rows
// of 6 pixels), 18 stp + 12 ld1 through the stack (the row pass's output,
// stored so that each column is 6 contiguous vectors), 36 st1 of V, set-up.
#include <arm_neon.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "core/half.h"
#include "core/winograd.h"
#include "core/winograd_kernels.h"

namespace armconv {
namespace detail {
namespace {

// ---- input transform ---------------------------------------------------------------
//
// One 1-D transform t = B^T d (wino::F43h::input_1d): d0..d5 in D0..D5,
// temporaries T, U; the constants in v0 (.h lanes in kIn43hConst order:
// 0 = K, 1 = a^2, 2 = a, 3 = b, 4 = D). Results: t0 = D0, t1 = D1, t2 = D2,
// t3 = U, t4 = T, t5 = D5.
#define H8_OP3(op, d, a, b) #op " v" #d ".8h, v" #a ".8h, v" #b ".8h\n"
#define H8_LANE(op, d, a, k) #op " v" #d ".8h, v" #a ".8h, v0.h[" #k "]\n"
#define H8_IN_1D(D0, D1, D2, D3, D4, D5, T, U)                                          \
  H8_OP3(fadd, D0, D0, D4) /* t0 = (d0 + d4) - K d2 */                                  \
  H8_LANE(fmls, D0, D2, 0)                                                              \
  H8_OP3(fadd, D5, D5, D1) /* t5 = (d5 + d1) - K d3 */                                  \
  H8_LANE(fmls, D5, D3, 0)                                                              \
  H8_LANE(fmls, D4, D2, 1) /* e = d4 - a^2 d2 */                                        \
  H8_LANE(fmul, T, D3, 3)  /* o = b d3 - a d1 */                                        \
  H8_LANE(fmls, T, D1, 2)                                                               \
  H8_OP3(fadd, U, D4, T)   /* t3 = e + o */                                             \
  H8_OP3(fsub, T, D4, T)   /* t4 = e - o */                                             \
  H8_LANE(fmls, D4, D2, 4) /* e' = e - D d2 */                                          \
  H8_LANE(fmul, D3, D3, 2) /* o' = a d3 - b d1 */                                       \
  H8_LANE(fmls, D3, D1, 3)                                                              \
  H8_OP3(fadd, D1, D4, D3) /* t1 = e' + o' */                                           \
  H8_OP3(fsub, D2, D4, D3) /* t2 = e' - o' */

// Two transforms side by side: A on v16-v21 (T v22, U v23), B on v1-v6
// (T v7, U v24).
#define H8_IN_2                                                                         \
  H8_IN_1D(16, 17, 18, 19, 20, 21, 22, 23) H8_IN_1D(1, 2, 3, 4, 5, 6, 7, 24)

// Row pass on patch rows R (A) and R + 1 (B): a row is 6 contiguous vectors
// (ld1 {4 regs} + ld1 {2 regs}; %[s] then steps to the next row by rs =
// row bytes - 64). t_j of row r goes to e + 96 j + 16 r (e[j][r]), so rows
// R and R + 1 pair up in one stp.
#define H8_STP(a, b, J, R) "stp q" #a ", q" #b ", [%[e], #(" #J " * 96 + " #R " * 16)]\n"
#define H8_IN_ROWS(R)                                                                   \
  "ld1 {v16.8h, v17.8h, v18.8h, v19.8h}, [%[s]], #64\n"                                 \
  "ld1 {v20.8h, v21.8h}, [%[s]], %[rs]\n"                                               \
  "ld1 {v1.8h, v2.8h, v3.8h, v4.8h}, [%[s]], #64\n"                                     \
  "ld1 {v5.8h, v6.8h}, [%[s]], %[rs]\n"                                                 \
  H8_IN_2                                                                               \
  H8_STP(16, 1, 0, R) H8_STP(17, 2, 1, R) H8_STP(18, 3, 2, R) H8_STP(23, 24, 3, R)       \
  H8_STP(22, 7, 4, R) H8_STP(21, 6, 5, R)

// Column pass on columns j (A) and j + 1 (B) of e (6 contiguous vectors
// each, %[e] post-incremented): position (i, j) is stored through pointer
// d<i> (dst + 6 i dst_pos, stepping by dst_pos per column).
#define H8_ST(a, b, i) "st1 {v" #a ".8h}, [%[d" #i "]], %[dp]\n st1 {v" #b ".8h}, [%[d" #i "]], %[dp]\n"
#define H8_IN_COLS                                                                      \
  "ld1 {v16.8h, v17.8h, v18.8h, v19.8h}, [%[e]], #64\n"                                 \
  "ld1 {v20.8h, v21.8h}, [%[e]], #32\n"                                                 \
  "ld1 {v1.8h, v2.8h, v3.8h, v4.8h}, [%[e]], #64\n"                                     \
  "ld1 {v5.8h, v6.8h}, [%[e]], #32\n"                                                   \
  H8_IN_2                                                                               \
  H8_ST(16, 1, 0) H8_ST(17, 2, 1) H8_ST(18, 3, 2) H8_ST(23, 24, 3) H8_ST(22, 7, 4)       \
  H8_ST(21, 6, 5)

// wino_input_h8_fn.
void input_tile_h8_a64(const Half* src, size_t src_row, Half* dst, size_t dst_pos) {
  alignas(16) Half e[6][6][8];  // e[j][r]: row pass output
  Half* ep = &e[0][0][0];
  const size_t s6 = 6 * dst_pos;
  Half* d0 = dst;
  Half* d1 = d0 + s6;
  Half* d2 = d1 + s6;
  Half* d3 = d2 + s6;
  Half* d4 = d3 + s6;
  Half* d5 = d4 + s6;
  asm volatile(
      "ldr q0, [%[c]]\n"
      H8_IN_ROWS(0) H8_IN_ROWS(2) H8_IN_ROWS(4)
      H8_IN_COLS H8_IN_COLS H8_IN_COLS
      : [s] "+r"(src), [e] "+r"(ep), [d0] "+r"(d0), [d1] "+r"(d1), [d2] "+r"(d2), [d3] "+r"(d3),
        [d4] "+r"(d4), [d5] "+r"(d5)
      : [rs] "r"(src_row * sizeof(Half) - 64), [dp] "r"(dst_pos * sizeof(Half)),
        [c] "r"(wino::kIn43hHalfBits)
      : "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v16", "v17", "v18", "v19", "v20", "v21",
        "v22", "v23", "v24");
}

#undef H8_OP3
#undef H8_LANE
#undef H8_IN_1D
#undef H8_IN_2
#undef H8_STP
#undef H8_IN_ROWS
#undef H8_ST
#undef H8_IN_COLS

// ---- staging: one row of an nc8 binary16 box ---------------------------------------
//
// 8 channels (nch = 8), 8 pixels: each channel's 8 values in one .8h
// vector c_l (float32: one ld1 of 2 registers and FCVTN + FCVTN2; binary16:
// one load), zipped in pairs of channels (zip1/zip2 .8h of c_2k, c_2k+1:
// the 32-bit (c_2k, c_2k+1) pairs of pixels 0-3 and 4-7), then ST4 of
// 32-bit lanes writes pixel p's 4 pairs contiguously: 8 loads + 16 FCVTN +
// 8 ZIP + 2 ST4 per 64 values from float32 (assembly, below). 4 pixels: the same on .4h halves; the last
// n % 4 pixels one at a time (8 lane loads, a conversion, one store).
// Fewer than 8 channels (the last octet of a layer whose channel count is
// not a multiple of 8): the generic per-value loop.
inline float16x4_t load4(const float* p) { return vcvt_f16_f32(vld1q_f32(p)); }
inline float16x4_t load4(const Half* p) { return vreinterpret_f16_u16(vld1_u16(reinterpret_cast<const uint16_t*>(p))); }

template <class X>
void pack_nc8h_a64(const X* x, size_t ch_stride, size_t nch, size_t lo, size_t n, size_t hi, Half* dst) {
  uint16x8_t z = vdupq_n_u16(0);
  asm("" : "+w"(z));  // (zero pixels as stores, not a memset call)
  uint16_t* d = reinterpret_cast<uint16_t*>(dst);
  for (size_t i = 0; i < lo; i++, d += 8) vst1q_u16(d, z);
  for (size_t i = 0; i < hi; i++) vst1q_u16(d + 8 * (n + i), z);
  if (nch < 8) {
    for (size_t i = 0; i < n; i++)
      for (size_t l = 0; l < 8; l++) {
        Half h{0};
        if (l < nch) {
          if constexpr (sizeof(X) == sizeof(Half))
            h = x[l * ch_stride + i];
          else
            h = float_to_half(x[l * ch_stride + i]);
        }
        dst[8 * (lo + i) + l] = h;
      }
    return;
  }
  const X* p[8];
  for (size_t l = 0; l < 8; l++) p[l] = x + l * ch_stride;
// The 8 channel rows of 8 pixels in v0-v7 (binary16) interleaved into 8
// pixels of 8 channels: ZIP pairs channels (v16-v19: pixels 0-3, v20-v23:
// 4-7, as 32-bit pairs), ST4 of 32-bit lanes writes each pixel's 4 pairs
// together; then the step count.
#define PK8_INTERLEAVE_STORE                                          \
  "zip1 v16.8h, v0.8h, v1.8h\n zip1 v17.8h, v2.8h, v3.8h\n"          \
  "zip1 v18.8h, v4.8h, v5.8h\n zip1 v19.8h, v6.8h, v7.8h\n"          \
  "zip2 v20.8h, v0.8h, v1.8h\n zip2 v21.8h, v2.8h, v3.8h\n"          \
  "zip2 v22.8h, v4.8h, v5.8h\n zip2 v23.8h, v6.8h, v7.8h\n"          \
  "st4 {v16.4s, v17.4s, v18.4s, v19.4s}, [%[d]], #64\n"              \
  "st4 {v20.4s, v21.4s, v22.4s, v23.4s}, [%[d]], #64\n"              \
  "subs %[k], %[k], #1\n"                                            \
  "b.ne 1b\n"
  size_t i = 0;
  if (size_t steps = n / 8) {
    // 8 pixels per step in assembly (post-indexed loads: one ld1 per
    // channel row): float32 8 ld1 + 16 FCVTN + 8 ZIP + 2 ST4 + 2.
    i = 8 * steps;
    if constexpr (sizeof(X) == sizeof(Half)) {
      asm volatile(
          "1:\n"
          "ld1 {v0.8h}, [%[p0]], #16\n ld1 {v1.8h}, [%[p1]], #16\n"
          "ld1 {v2.8h}, [%[p2]], #16\n ld1 {v3.8h}, [%[p3]], #16\n"
          "ld1 {v4.8h}, [%[p4]], #16\n ld1 {v5.8h}, [%[p5]], #16\n"
          "ld1 {v6.8h}, [%[p6]], #16\n ld1 {v7.8h}, [%[p7]], #16\n"
          PK8_INTERLEAVE_STORE
          : [p0] "+r"(p[0]), [p1] "+r"(p[1]), [p2] "+r"(p[2]), [p3] "+r"(p[3]), [p4] "+r"(p[4]),
            [p5] "+r"(p[5]), [p6] "+r"(p[6]), [p7] "+r"(p[7]), [d] "+r"(d), [k] "+r"(steps)
          :
          : "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v16", "v17", "v18", "v19", "v20",
            "v21", "v22", "v23");
    } else {
      asm volatile(
          "1:\n"
          "ld1 {v16.4s, v17.4s}, [%[p0]], #32\n ld1 {v18.4s, v19.4s}, [%[p1]], #32\n"
          "ld1 {v20.4s, v21.4s}, [%[p2]], #32\n ld1 {v22.4s, v23.4s}, [%[p3]], #32\n"
          "ld1 {v24.4s, v25.4s}, [%[p4]], #32\n ld1 {v26.4s, v27.4s}, [%[p5]], #32\n"
          "ld1 {v28.4s, v29.4s}, [%[p6]], #32\n ld1 {v30.4s, v31.4s}, [%[p7]], #32\n"
          "fcvtn v0.4h, v16.4s\n fcvtn2 v0.8h, v17.4s\n fcvtn v1.4h, v18.4s\n fcvtn2 v1.8h, v19.4s\n"
          "fcvtn v2.4h, v20.4s\n fcvtn2 v2.8h, v21.4s\n fcvtn v3.4h, v22.4s\n fcvtn2 v3.8h, v23.4s\n"
          "fcvtn v4.4h, v24.4s\n fcvtn2 v4.8h, v25.4s\n fcvtn v5.4h, v26.4s\n fcvtn2 v5.8h, v27.4s\n"
          "fcvtn v6.4h, v28.4s\n fcvtn2 v6.8h, v29.4s\n fcvtn v7.4h, v30.4s\n fcvtn2 v7.8h, v31.4s\n"
          PK8_INTERLEAVE_STORE
          : [p0] "+r"(p[0]), [p1] "+r"(p[1]), [p2] "+r"(p[2]), [p3] "+r"(p[3]), [p4] "+r"(p[4]),
            [p5] "+r"(p[5]), [p6] "+r"(p[6]), [p7] "+r"(p[7]), [d] "+r"(d), [k] "+r"(steps)
          :
          : "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v16", "v17", "v18", "v19", "v20",
            "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31");
    }
  }
#undef PK8_INTERLEAVE_STORE
  const size_t i8 = i;  // p[l] now point at pixel i8 of their rows
  if (i + 4 <= n) {
    uint32x2x4_t a, b;
    for (int k = 0; k < 4; k++) {
      const uint16x4_t u = vreinterpret_u16_f16(load4(p[2 * k] + (i - i8)));
      const uint16x4_t v = vreinterpret_u16_f16(load4(p[2 * k + 1] + (i - i8)));
      a.val[k] = vreinterpret_u32_u16(vzip1_u16(u, v));
      b.val[k] = vreinterpret_u32_u16(vzip2_u16(u, v));
    }
    vst4_u32(reinterpret_cast<uint32_t*>(d), a);
    vst4_u32(reinterpret_cast<uint32_t*>(d + 16), b);
    i += 4;
    d += 32;
  }
  for (; i < n; i++, d += 8) {
    if constexpr (sizeof(X) == sizeof(Half)) {
      uint16x8_t v = vdupq_n_u16(0);
      v = vld1q_lane_u16(reinterpret_cast<const uint16_t*>(p[0] + (i - i8)), v, 0);
      v = vld1q_lane_u16(reinterpret_cast<const uint16_t*>(p[1] + (i - i8)), v, 1);
      v = vld1q_lane_u16(reinterpret_cast<const uint16_t*>(p[2] + (i - i8)), v, 2);
      v = vld1q_lane_u16(reinterpret_cast<const uint16_t*>(p[3] + (i - i8)), v, 3);
      v = vld1q_lane_u16(reinterpret_cast<const uint16_t*>(p[4] + (i - i8)), v, 4);
      v = vld1q_lane_u16(reinterpret_cast<const uint16_t*>(p[5] + (i - i8)), v, 5);
      v = vld1q_lane_u16(reinterpret_cast<const uint16_t*>(p[6] + (i - i8)), v, 6);
      v = vld1q_lane_u16(reinterpret_cast<const uint16_t*>(p[7] + (i - i8)), v, 7);
      vst1q_u16(d, v);
    } else {
      float32x4_t a = vdupq_n_f32(0.0f), b = vdupq_n_f32(0.0f);
      a = vld1q_lane_f32(p[0] + (i - i8), a, 0);
      a = vld1q_lane_f32(p[1] + (i - i8), a, 1);
      a = vld1q_lane_f32(p[2] + (i - i8), a, 2);
      a = vld1q_lane_f32(p[3] + (i - i8), a, 3);
      b = vld1q_lane_f32(p[4] + (i - i8), b, 0);
      b = vld1q_lane_f32(p[5] + (i - i8), b, 1);
      b = vld1q_lane_f32(p[6] + (i - i8), b, 2);
      b = vld1q_lane_f32(p[7] + (i - i8), b, 3);
      vst1q_u16(d, vreinterpretq_u16_f16(vcvt_high_f16_f32(vcvt_f16_f32(a), b)));
    }
  }
}

void pack_nc8h(const float* x, size_t ch_stride, size_t nch, size_t lo, size_t n, size_t hi, Half* dst) {
  pack_nc8h_a64(x, ch_stride, nch, lo, n, hi, dst);
}
void pack_nc8h_h(const Half* x, size_t ch_stride, size_t nch, size_t lo, size_t n, size_t hi, Half* dst) {
  pack_nc8h_a64(x, ch_stride, nch, lo, n, hi, dst);
}

}  // namespace

const WinoF16Kernels& wino43_f16_neon_kernels() {
  static const WinoF16Kernels k = [] {
    WinoF16Kernels t = wino43_f16_neon_outputs();
    t.pack_nc8h = pack_nc8h;
    t.pack_nc8h_h = pack_nc8h_h;
    t.input_h8 = input_tile_h8_a64;
    return t;
  }();
  return k;
}

}  // namespace detail
}  // namespace armconv

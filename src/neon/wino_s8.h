// NEON int8 Winograd F(2,3) (core/winograd.h, int8 section: the exactness
// argument; core/wino_gemm.h: the int16 GEMM's contract), written once for
// both ISAs in intrinsics and instantiated per ISA and tile by
// neon/<isa>/wino_gemm_s16_<tile>.cpp and neon/<isa>/winograd23_s8_nc8.cpp
// (an anonymous namespace: each unit has its copy). All of it is baseline
// Armv8.0 / armv7 NEON: smlal/smlal2 by element (vmlal.s16 by scalar),
// sqshl, sqrdmulh, sqxtn, scvtf.
//
// The GEMM's register block: 8 output channels (one int16x8 U vector per k)
// x NT tiles (one int16x8 V vector per tile: 8 k in its lanes). Per k octet
// it loads the NT V vectors, then per k (lane l) one U vector and, per tile,
//   acc[t].lo += U.lo * V_t[l]   (smlal  v.4s, U.4h, V_t.h[l])
//   acc[t].hi += U.hi * V_t[l]   (smlal2 v.4s, U.8h, V_t.h[l])
// so an octet of NT tiles is 16 NT multiply-accumulates (4 MACs each) and
// NT + 8 vector loads. Registers: 2 NT int32x4 accumulators, NT V vectors,
// a U vector or two: aarch64 NT = 8 (16 + 8 + 2 of 32; the by-element
// operand V_t must be v0-v15, which leaves them to the 8 V vectors and
// U), in assembly (block8_asm: 128 smlal/smlal2 + 6 loads + 3 loop
// instructions per 512 MACs, 3.74 MACs per instruction); armv7 NT = 4
// (8 + 4 + 2 of 16 q registers), 64 vmlal + 12 loads per 256 MACs; the
// 4/2/1-tile remainders in intrinsics. 16 channels x 8 tiles would need 32
// accumulators.
// Wider tiles on aarch64 (8 x 10: 20 + 10 + 2) gain under 1% of loads and
// need another V layout; the driver groups tiles by 8.
#pragma once

#include <arm_neon.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/gemm.h"
#include "core/wino_gemm.h"
#include "core/winograd.h"

namespace armconv {
namespace detail {
namespace {
namespace wino_s8 {

// acc += U.lo * V[L], acc_hi += U.hi * V[L].
template <int L>
inline void mlal(int32x4_t& lo, int32x4_t& hi, int16x8_t u, int16x8_t v) {
#if defined(__aarch64__)
  lo = vmlal_laneq_s16(lo, vget_low_s16(u), v, L);
  hi = vmlal_high_laneq_s16(hi, u, v, L);
#else
  const int16x4_t s = L < 4 ? vget_low_s16(v) : vget_high_s16(v);
  lo = vmlal_lane_s16(lo, vget_low_s16(u), s, L & 3);
  hi = vmlal_lane_s16(hi, vget_high_s16(u), s, L & 3);
#endif
}

// lo = U.lo * V[L], hi = U.hi * V[L] (the block's first product: no
// zeroing of the accumulators).
template <int L>
inline void mull(int32x4_t& lo, int32x4_t& hi, int16x8_t u, int16x8_t v) {
#if defined(__aarch64__)
  lo = vmull_laneq_s16(vget_low_s16(u), v, L);
  hi = vmull_high_laneq_s16(u, v, L);
#else
  const int16x4_t s = L < 4 ? vget_low_s16(v) : vget_high_s16(v);
  lo = vmull_lane_s16(vget_low_s16(u), s, L & 3);
  hi = vmull_lane_s16(vget_high_s16(u), s, L & 3);
#endif
}

// One register block: 8 channels (u: the block's U, 8 per k) x NT tiles
// (v: tile 0's vector of octet 0; octet stride vo, tile stride 8) into c.
// (ACC: accumulate into c; a template parameter, so that the accumulators
// stay in registers rather than going through the stack for the branch.)
template <size_t NT, bool ACC>
inline void block(size_t ko, const int16_t* u, const int16_t* v, size_t vo, int32_t* c, size_t ldc) {
#if defined(__GNUC__)
  if (ko == 0) __builtin_unreachable();  // (ko >= 1: one path from the loop to the stores, no stack copies)
#endif
  int32x4_t lo[NT], hi[NT];
#define WS8_LANE(L)                                                     \
  {                                                                     \
    const int16x8_t ul = vld1q_s16(u + 8 * L);                          \
    for (size_t t = 0; t < NT; t++) mlal<L>(lo[t], hi[t], ul, vt[t]);   \
  }
  size_t o = 0;
  if (ACC) {
    for (size_t t = 0; t < NT; t++) {
      lo[t] = vld1q_s32(c + t * ldc);
      hi[t] = vld1q_s32(c + t * ldc + 4);
    }
  } else {
    // Octet 0 starts the sums with smull/smull2.
    int16x8_t vt[NT];
    for (size_t t = 0; t < NT; t++) vt[t] = vld1q_s16(v + 8 * t);
    const int16x8_t u0 = vld1q_s16(u);
    for (size_t t = 0; t < NT; t++) mull<0>(lo[t], hi[t], u0, vt[t]);
    WS8_LANE(1) WS8_LANE(2) WS8_LANE(3) WS8_LANE(4) WS8_LANE(5) WS8_LANE(6) WS8_LANE(7)
    o = 1, u += 64, v += vo;
  }
  for (; o < ko; o++, u += 64, v += vo) {
    int16x8_t vt[NT];
    for (size_t t = 0; t < NT; t++) vt[t] = vld1q_s16(v + 8 * t);
    WS8_LANE(0) WS8_LANE(1) WS8_LANE(2) WS8_LANE(3) WS8_LANE(4) WS8_LANE(5) WS8_LANE(6) WS8_LANE(7)
  }
#undef WS8_LANE
  for (size_t t = 0; t < NT; t++) {
    vst1q_s32(c + t * ldc, lo[t]);
    vst1q_s32(c + t * ldc + 4, hi[t]);
  }
}

#if defined(__aarch64__)
// The aarch64 8 x 8 block in assembly (the intrinsics version lets GCC copy
// accumulators through the stack around the octet loop). Register map:
//   v0-v7    V of tiles 0..7 (the by-element operand: must be v0-v15)
//   v8, v9   U of two consecutive k (8 output channels each)
//   v16-v31  accumulators: tile t's channels 0-3 in v(16 + 2t), 4-7 in v(17 + 2t)
// Per octet: 2 ld1 (V, 4 registers each) + 1 add + 4 ldp (U) + 128 smlal/
// smlal2 + subs + b.ne = 137 instructions for 512 MACs (3.74 per
// instruction); without ACC the first octet's lane 0 is smull/smull2 (no
// zeroing).
#define WS8_T(OP, OP2, U, L, T, A, B) OP " v" A ".4s, " U ".4h, v" T ".h[" L "]\n" OP2 " v" B ".4s, " U ".8h, v" T ".h[" L "]\n"
#define WS8_K(OP, OP2, U, L)                                                                          \
  WS8_T(OP, OP2, U, L, "0", "16", "17") WS8_T(OP, OP2, U, L, "1", "18", "19")                           \
  WS8_T(OP, OP2, U, L, "2", "20", "21") WS8_T(OP, OP2, U, L, "3", "22", "23")                           \
  WS8_T(OP, OP2, U, L, "4", "24", "25") WS8_T(OP, OP2, U, L, "5", "26", "27")                           \
  WS8_T(OP, OP2, U, L, "6", "28", "29") WS8_T(OP, OP2, U, L, "7", "30", "31")
#define WS8_OCTET(FIRST, FIRST2)                                                                      \
  "ld1 {v0.8h, v1.8h, v2.8h, v3.8h}, [%[v]], #64\n"                                                  \
  "ld1 {v4.8h, v5.8h, v6.8h, v7.8h}, [%[v]]\n"                                                       \
  "add %[v], %[v], %[vstep]\n"                                                                        \
  "ldp q8, q9, [%[u]], #32\n" WS8_K(FIRST, FIRST2, "v8", "0") WS8_K("smlal", "smlal2", "v9", "1")     \
  "ldp q8, q9, [%[u]], #32\n" WS8_K("smlal", "smlal2", "v8", "2") WS8_K("smlal", "smlal2", "v9", "3") \
  "ldp q8, q9, [%[u]], #32\n" WS8_K("smlal", "smlal2", "v8", "4") WS8_K("smlal", "smlal2", "v9", "5") \
  "ldp q8, q9, [%[u]], #32\n" WS8_K("smlal", "smlal2", "v8", "6") WS8_K("smlal", "smlal2", "v9", "7")
#define WS8_C8(OP)                                                                                    \
  OP " {v16.4s, v17.4s}, [%[p]], %[ldc]\n" OP " {v18.4s, v19.4s}, [%[p]], %[ldc]\n"                  \
  OP " {v20.4s, v21.4s}, [%[p]], %[ldc]\n" OP " {v22.4s, v23.4s}, [%[p]], %[ldc]\n"                  \
  OP " {v24.4s, v25.4s}, [%[p]], %[ldc]\n" OP " {v26.4s, v27.4s}, [%[p]], %[ldc]\n"                  \
  OP " {v28.4s, v29.4s}, [%[p]], %[ldc]\n" OP " {v30.4s, v31.4s}, [%[p]], %[ldc]\n"

template <bool ACC>
inline void block8_asm(size_t ko, const int16_t* u, const int16_t* v, size_t vo, int32_t* c, size_t ldc) {
  const size_t vstep = 2 * vo - 64, ldc_bytes = 4 * ldc;
  int32_t* p = c;
  if (ACC) {
    asm volatile(WS8_C8("ld1")
                 "1:\n" WS8_OCTET("smlal", "smlal2")
                 "subs %[k], %[k], #1\n"
                 "b.ne 1b\n"
                 "sub %[p], %[p], %[ldc], lsl #3\n" WS8_C8("st1")  // (back to c)
                 : [u] "+r"(u), [v] "+r"(v), [k] "+r"(ko), [p] "+r"(p)
                 : [vstep] "r"(vstep), [ldc] "r"(ldc_bytes)
                 : "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v16", "v17", "v18",
                   "v19", "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31");
  } else {
    asm volatile(WS8_OCTET("smull", "smull2")
                 "subs %[k], %[k], #1\n"
                 "b.eq 2f\n"
                 "1:\n" WS8_OCTET("smlal", "smlal2")
                 "subs %[k], %[k], #1\n"
                 "b.ne 1b\n"
                 "2:\n" WS8_C8("st1")
                 : [u] "+r"(u), [v] "+r"(v), [k] "+r"(ko), [p] "+r"(p)
                 : [vstep] "r"(vstep), [ldc] "r"(ldc_bytes)
                 : "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v16", "v17", "v18",
                   "v19", "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31");
  }
}
#undef WS8_T
#undef WS8_K
#undef WS8_OCTET
#undef WS8_C8
#endif

// wino_gemm_s16_fn with register blocks of NT tiles (NT = 8 or 4), the
// tiles left in a group in blocks of 4, 2, 1.
template <size_t NT, bool ACC>
void gemm_t(size_t m8, size_t n, size_t ko, const int16_t* u, size_t u_stride, const int16_t* v, int32_t* c,
            size_t ldc) {
  for (size_t b = 0; b < m8; b++, u += u_stride, c += 8) {
    for (size_t g = 0; 8 * g < n; g++) {
      const size_t nb = n - 8 * g < 8 ? n - 8 * g : 8, vo = 8 * nb;
      const int16_t* vg = v + 64 * ko * g;
      int32_t* cg = c + 8 * g * ldc;
      size_t i = 0;
      for (; i + NT <= nb; i += NT) {
#if defined(__aarch64__)
        if (NT == 8) {
          block8_asm<ACC>(ko, u, vg + 8 * i, vo, cg + i * ldc, ldc);
          continue;
        }
#endif
        block<NT, ACC>(ko, u, vg + 8 * i, vo, cg + i * ldc, ldc);
      }
      if (NT > 4 && i + 4 <= nb) {
        block<4, ACC>(ko, u, vg + 8 * i, vo, cg + i * ldc, ldc);
        i += 4;
      }
      if (i + 2 <= nb) {
        block<2, ACC>(ko, u, vg + 8 * i, vo, cg + i * ldc, ldc);
        i += 2;
      }
      if (i < nb) block<1, ACC>(ko, u, vg + 8 * i, vo, cg + i * ldc, ldc);
    }
  }
}

template <size_t NT>
void gemm(size_t m8, size_t n, size_t ko, const int16_t* u, size_t u_stride, const int16_t* v, int32_t* c,
          size_t ldc, bool accumulate) {
  if (accumulate)
    gemm_t<NT, true>(m8, n, ko, u, u_stride, v, c, ldc);
  else
    gemm_t<NT, false>(m8, n, ko, u, u_stride, v, c, ldc);
}

// ---- transforms ---------------------------------------------------------------------

// wino_pack_nc8_s8_fn: 8 pixels of 8 channels at a time by an 8x8 byte
// transpose (vtrn at 8, 16 and 32 bits), widened by sxtl; the rest scalar.
inline void pack_nc8(const int8_t* x, size_t ch_stride, size_t nch, size_t lo, size_t n, size_t hi, int16_t* dst) {
  const int16x8_t z = vdupq_n_s16(0);
  for (size_t i = 0; i < lo; i++, dst += 8) vst1q_s16(dst, z);
  size_t i = 0;
  if (nch == 8) {
    for (; i + 8 <= n; i += 8, dst += 64) {
      const int8_t* xi = x + i;
      const int8x8x2_t a01 = vtrn_s8(vld1_s8(xi), vld1_s8(xi + ch_stride));
      const int8x8x2_t a23 = vtrn_s8(vld1_s8(xi + 2 * ch_stride), vld1_s8(xi + 3 * ch_stride));
      const int8x8x2_t a45 = vtrn_s8(vld1_s8(xi + 4 * ch_stride), vld1_s8(xi + 5 * ch_stride));
      const int8x8x2_t a67 = vtrn_s8(vld1_s8(xi + 6 * ch_stride), vld1_s8(xi + 7 * ch_stride));
      // (pixel pairs of channel pairs) -> 16-bit transposes
      const int16x4x2_t b02 = vtrn_s16(vreinterpret_s16_s8(a01.val[0]), vreinterpret_s16_s8(a23.val[0]));
      const int16x4x2_t b13 = vtrn_s16(vreinterpret_s16_s8(a01.val[1]), vreinterpret_s16_s8(a23.val[1]));
      const int16x4x2_t b46 = vtrn_s16(vreinterpret_s16_s8(a45.val[0]), vreinterpret_s16_s8(a67.val[0]));
      const int16x4x2_t b57 = vtrn_s16(vreinterpret_s16_s8(a45.val[1]), vreinterpret_s16_s8(a67.val[1]));
      const int32x2x2_t c04 = vtrn_s32(vreinterpret_s32_s16(b02.val[0]), vreinterpret_s32_s16(b46.val[0]));
      const int32x2x2_t c15 = vtrn_s32(vreinterpret_s32_s16(b13.val[0]), vreinterpret_s32_s16(b57.val[0]));
      const int32x2x2_t c26 = vtrn_s32(vreinterpret_s32_s16(b02.val[1]), vreinterpret_s32_s16(b46.val[1]));
      const int32x2x2_t c37 = vtrn_s32(vreinterpret_s32_s16(b13.val[1]), vreinterpret_s32_s16(b57.val[1]));
      vst1q_s16(dst + 0, vmovl_s8(vreinterpret_s8_s32(c04.val[0])));
      vst1q_s16(dst + 8, vmovl_s8(vreinterpret_s8_s32(c15.val[0])));
      vst1q_s16(dst + 16, vmovl_s8(vreinterpret_s8_s32(c26.val[0])));
      vst1q_s16(dst + 24, vmovl_s8(vreinterpret_s8_s32(c37.val[0])));
      vst1q_s16(dst + 32, vmovl_s8(vreinterpret_s8_s32(c04.val[1])));
      vst1q_s16(dst + 40, vmovl_s8(vreinterpret_s8_s32(c15.val[1])));
      vst1q_s16(dst + 48, vmovl_s8(vreinterpret_s8_s32(c26.val[1])));
      vst1q_s16(dst + 56, vmovl_s8(vreinterpret_s8_s32(c37.val[1])));
    }
  }
  for (; i < n; i++, dst += 8) {
    int16_t p[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (size_t l = 0; l < nch; l++) p[l] = x[l * ch_stride + i];
    vst1q_s16(dst, vld1q_s16(p));
  }
  for (size_t k = 0; k < hi; k++, dst += 8) vst1q_s16(dst, z);
}

// wino_input_s8_fn: V = B^T d B, rows then columns (32 adds/subs of int16x8).
inline void input(const int16_t* src, size_t src_row, int16_t* dst, size_t dst_pos) {
  int16x8_t t[4][4];
  for (size_t r = 0; r < 4; r++) {
    const int16_t* s = src + r * src_row;
    const int16x8_t d0 = vld1q_s16(s), d1 = vld1q_s16(s + 8), d2 = vld1q_s16(s + 16), d3 = vld1q_s16(s + 24);
    t[r][0] = vsubq_s16(d0, d2);
    t[r][1] = vaddq_s16(d1, d2);
    t[r][2] = vsubq_s16(d2, d1);
    t[r][3] = vsubq_s16(d1, d3);
  }
  for (size_t c = 0; c < 4; c++) {
    vst1q_s16(dst + (0 + c) * dst_pos, vsubq_s16(t[0][c], t[2][c]));
    vst1q_s16(dst + (4 + c) * dst_pos, vaddq_s16(t[1][c], t[2][c]));
    vst1q_s16(dst + (8 + c) * dst_pos, vsubq_s16(t[2][c], t[1][c]));
    vst1q_s16(dst + (12 + c) * dst_pos, vsubq_s16(t[1][c], t[3][c]));
  }
}

// Y' = A^T M A of one tile, 4 channels (lanes), wrapping int32; y[r][c]
// = acc (Y' / 4 exactly, + bias).
inline void output_acc(const int32_t* src, size_t src_pos, int32x4_t bias, int32x4_t y[2][2]) {
  int32x4_t m[16];  // position p = 4 row + column
#if defined(__aarch64__)
  // (ld1 with a register post-increment: one instruction per position, no
  // address arithmetic)
  const size_t step = 4 * src_pos;
  asm("ld1 {%[m0].4s}, [%[p]], %[s]\n ld1 {%[m1].4s}, [%[p]], %[s]\n"
      "ld1 {%[m2].4s}, [%[p]], %[s]\n ld1 {%[m3].4s}, [%[p]], %[s]\n"
      "ld1 {%[m4].4s}, [%[p]], %[s]\n ld1 {%[m5].4s}, [%[p]], %[s]\n"
      "ld1 {%[m6].4s}, [%[p]], %[s]\n ld1 {%[m7].4s}, [%[p]], %[s]\n"
      "ld1 {%[m8].4s}, [%[p]], %[s]\n ld1 {%[m9].4s}, [%[p]], %[s]\n"
      "ld1 {%[m10].4s}, [%[p]], %[s]\n ld1 {%[m11].4s}, [%[p]], %[s]\n"
      "ld1 {%[m12].4s}, [%[p]], %[s]\n ld1 {%[m13].4s}, [%[p]], %[s]\n"
      "ld1 {%[m14].4s}, [%[p]], %[s]\n ld1 {%[m15].4s}, [%[p]]\n"
      : [m0] "=&w"(m[0]), [m1] "=&w"(m[1]), [m2] "=&w"(m[2]), [m3] "=&w"(m[3]), [m4] "=&w"(m[4]),
        [m5] "=&w"(m[5]), [m6] "=&w"(m[6]), [m7] "=&w"(m[7]), [m8] "=&w"(m[8]), [m9] "=&w"(m[9]),
        [m10] "=&w"(m[10]), [m11] "=&w"(m[11]), [m12] "=&w"(m[12]), [m13] "=&w"(m[13]), [m14] "=&w"(m[14]),
        [m15] "=&w"(m[15]), [p] "+r"(src)
      : [s] "r"(step)
      : "memory");  // (reads M: 16 positions at any stride)
#else
  for (size_t p = 0; p < 16; p++) m[p] = vld1q_s32(src + p * src_pos);
#endif
  int32x4_t s0[4], s1[4];
  for (size_t c = 0; c < 4; c++) {
    s0[c] = vaddq_s32(vaddq_s32(m[c], m[4 + c]), m[8 + c]);
    s1[c] = vsubq_s32(vsubq_s32(m[4 + c], m[8 + c]), m[12 + c]);
  }
  // (sshr #2 of 4 x an int32 sum: exact)
  y[0][0] = vaddq_s32(vshrq_n_s32(vaddq_s32(vaddq_s32(s0[0], s0[1]), s0[2]), 2), bias);
  y[0][1] = vaddq_s32(vshrq_n_s32(vsubq_s32(vsubq_s32(s0[1], s0[2]), s0[3]), 2), bias);
  y[1][0] = vaddq_s32(vshrq_n_s32(vaddq_s32(vaddq_s32(s1[0], s1[1]), s1[2]), 2), bias);
  y[1][1] = vaddq_s32(vshrq_n_s32(vsubq_s32(vsubq_s32(s1[1], s1[2]), s1[3]), 2), bias);
}

// The requantization of core/requant.h on 4 lanes of per-channel
// multipliers (sqshl saturates as sat32, sqrdmulh is floor((2xM + 2^31) /
// 2^32), the narrowing saturates inside [qmin, qmax]'s clamp).
inline int16x4_t requant(int32x4_t x, int32x4_t mult, int32x4_t shift, bool shifted) {
  if (shifted) x = vqshlq_s32(x, shift);
  return vqmovn_s32(vqrdmulhq_s32(x, mult));
}

// An edge tile (rows or cols < 2) or fewer than 4 channels: out of line, so
// that the full tiles' path saves no registers.
inline __attribute__((noinline)) void store_cut_s8(const int8x8_t* q, int8_t* d, size_t rows, size_t cols, size_t nch,
                                            size_t dst_ch, size_t dst_row) {
  for (size_t r = 0; r < rows; r++) {
    int8_t t[8];
    vst1_s8(t, q[r]);
    for (size_t l = 0; l < nch; l++)
      for (size_t x = 0; x < cols; x++) d[l * dst_ch + r * dst_row + x] = t[2 * l + x];
  }
}

// wino_output_s8_fn, int8 output.
inline void output_s8(const int32_t* src, size_t src_pos, void* dst, size_t rows, size_t cols, size_t nch, size_t dst_ch,
               size_t dst_row, const S8Output& out, size_t ch) {
  int32x4_t y[2][2];
  output_acc(src, src_pos, vld1q_s32(out.bias + ch), y);
  const int32x4_t mult = vld1q_s32(out.mult + ch), shift = vdupq_n_s32(out.shift);
  const bool shifted = out.shift != 0;
  const int8x8_t qmin = vdup_n_s8(int8_t(out.qmin)), qmax = vdup_n_s8(int8_t(out.qmax));
  int8x8_t q[2];  // row r: [y_r0 lanes 0..3 | y_r1 lanes 0..3], then zipped to channel pairs
  for (size_t r = 0; r < 2; r++) {
    const int8x8_t v = vqmovn_s16(vcombine_s16(requant(y[r][0], mult, shift, shifted),
                                               requant(y[r][1], mult, shift, shifted)));
    const int8x8_t c = vmin_s8(vmax_s8(v, qmin), qmax);
    q[r] = vzip_s8(c, vext_s8(c, c, 4)).val[0];  // [c0: x0 x1 | c1: x0 x1 | ...]
  }
  int8_t* d = static_cast<int8_t*>(dst);
  if (cols != 2 || nch != 4) {
    store_cut_s8(q, d, rows, cols, nch, dst_ch, dst_row);
    return;
  }
  {
    for (size_t r = 0; r < rows; r++) {
      int8_t* dr = d + r * dst_row;
#if defined(__aarch64__)
      // (st1 {v.h}[l]: no alignment needed on aarch64)
      const int16x4_t h = vreinterpret_s16_s8(q[r]);
      vst1_lane_s16(reinterpret_cast<int16_t*>(dr), h, 0);
      vst1_lane_s16(reinterpret_cast<int16_t*>(dr + dst_ch), h, 1);
      vst1_lane_s16(reinterpret_cast<int16_t*>(dr + 2 * dst_ch), h, 2);
      vst1_lane_s16(reinterpret_cast<int16_t*>(dr + 3 * dst_ch), h, 3);
#else
      int8_t t[8];
      vst1_s8(t, q[r]);
      for (size_t l = 0; l < 4; l++) std::memcpy(dr + l * dst_ch, t + 2 * l, 2);
#endif
    }
  }
}

// wino_output_s8_fn, float output: fl32(acc) * fscale, clamped.
inline void output_f(const int32_t* src, size_t src_pos, void* dst, size_t rows, size_t cols, size_t nch, size_t dst_ch,
              size_t dst_row, const S8Output& out, size_t ch) {
  int32x4_t y[2][2];
  output_acc(src, src_pos, vld1q_s32(out.bias + ch), y);
  const float32x4_t scale = vld1q_f32(out.fscale + ch);
  float32x4_t f[2][2];
  for (size_t r = 0; r < 2; r++)
    for (size_t x = 0; x < 2; x++) {
      f[r][x] = vmulq_f32(vcvtq_f32_s32(y[r][x]), scale);
      if (out.fclamp) f[r][x] = vminq_f32(vmaxq_f32(f[r][x], vdupq_n_f32(out.fmin)), vdupq_n_f32(out.fmax));
    }
  float* d = static_cast<float*>(dst);
  for (size_t r = 0; r < rows; r++) {
    // [c0: x0 x1 | c1: x0 x1], [c2: .. | c3: ..]
    const float32x4x2_t z = vzipq_f32(f[r][0], f[r][1]);
    float* dr = d + r * dst_row;
    if (cols == 2 && nch == 4) {
      vst1_f32(dr, vget_low_f32(z.val[0]));
      vst1_f32(dr + dst_ch, vget_high_f32(z.val[0]));
      vst1_f32(dr + 2 * dst_ch, vget_low_f32(z.val[1]));
      vst1_f32(dr + 3 * dst_ch, vget_high_f32(z.val[1]));
    } else {
      float t[8];
      vst1q_f32(t, z.val[0]);
      vst1q_f32(t + 4, z.val[1]);
      for (size_t l = 0; l < nch; l++)
        for (size_t x = 0; x < cols; x++) dr[l * dst_ch + x] = t[2 * l + x];
    }
  }
}

}  // namespace wino_s8
}  // namespace
}  // namespace detail
}  // namespace armconv

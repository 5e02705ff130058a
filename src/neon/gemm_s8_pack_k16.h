// NEON packing of B for the int8 smull kernels (k grouped by 16; format:
// core/gemm.h), written once for both ISAs' tiles: pack_b_k16<NR> and
// pack_im2col_k16<NR> are used by
// neon/aarch64/gemm_s8_4x4k16.cpp (NR = 4) and neon/armv7/gemm_s8_4x2k16.cpp
// (NR = 2). An anonymous namespace: each unit has its own copy.
#pragma once

#include <arm_neon.h>

#include <cstddef>
#include <cstdint>

#include "core/buffer.h"
#include "core/gemm.h"
#include "neon/gemm_s8_im2col.h"

namespace armconv {
namespace detail {
namespace {

// 16 rows (one k group) of 16 columns are transposed as a 16 x 16 byte matrix:
// four rounds exchange the off-diagonal blocks at element sizes 1, 2, 4 and 8
// bytes (vtrn, i.e. trn1/trn2; the 8-byte round swaps register halves),
// leaving column j (its 16 k) in register j; kNR consecutive columns are one
// panel's group. Column blocks whose loads would pass the end of the block,
// and the remainder, are packed by the generic packer.
template <int S>
inline void trn_round(int8x16_t* r) {
  for (int i = 0; i < 16; i++) {
    if (i & S) continue;
    int8x16_t lo, hi;
    if (S == 1) {
      const int8x16x2_t t = vtrnq_s8(r[i], r[i + S]);
      lo = t.val[0];
      hi = t.val[1];
    } else if (S == 2) {
      const int16x8x2_t t = vtrnq_s16(vreinterpretq_s16_s8(r[i]), vreinterpretq_s16_s8(r[i + S]));
      lo = vreinterpretq_s8_s16(t.val[0]);
      hi = vreinterpretq_s8_s16(t.val[1]);
    } else if (S == 4) {
      const int32x4x2_t t = vtrnq_s32(vreinterpretq_s32_s8(r[i]), vreinterpretq_s32_s8(r[i + S]));
      lo = vreinterpretq_s8_s32(t.val[0]);
      hi = vreinterpretq_s8_s32(t.val[1]);
    } else {
#if defined(__aarch64__)
      lo = vreinterpretq_s8_s64(vtrn1q_s64(vreinterpretq_s64_s8(r[i]), vreinterpretq_s64_s8(r[i + S])));
      hi = vreinterpretq_s8_s64(vtrn2q_s64(vreinterpretq_s64_s8(r[i]), vreinterpretq_s64_s8(r[i + S])));
#else
      lo = vcombine_s8(vget_low_s8(r[i]), vget_low_s8(r[i + S]));
      hi = vcombine_s8(vget_high_s8(r[i]), vget_high_s8(r[i + S]));
#endif
    }
    r[i] = lo;
    r[i + S] = hi;
  }
}

template <size_t kNR>
void pack_b_k16(size_t k, size_t nc, const int8_t* b, size_t ldb, int8_t* dst) {
  const size_t kp = round_up(k, 16);
  size_t q = 0;
  for (; q + 16 <= nc; q += 16) {
    const int8_t* s = b + q;
    for (size_t kk = 0; kk < k; kk += 16) {
      int8x16_t r[16];
      if (kk + 16 <= k) {  // a whole group: 16 rows by one stepped pointer (no per-row bound check)
        const int8_t* row = s + kk * ldb;
        r[0] = vld1q_s8(row);
        for (size_t i = 1; i < 16; i++) r[i] = vld1q_s8(row += ldb);  // (never past the group's last row)
      } else {  // the last, partial group: rows past k are zero
        for (size_t i = 0; i < 16; i++) r[i] = kk + i < k ? vld1q_s8(s + (kk + i) * ldb) : vdupq_n_s8(0);
      }
      trn_round<1>(r);
      trn_round<2>(r);
      trn_round<4>(r);
      trn_round<8>(r);
#if defined(__aarch64__)
      if constexpr (kNR == 4) {
        for (size_t p = 0; p < 4; p++) {  // columns 4p..4p+3: panel q / 4 + p
          const int8x16x4_t o = {{r[4 * p], r[4 * p + 1], r[4 * p + 2], r[4 * p + 3]}};
          vst1q_s8_x4(dst + (q + 4 * p) * kp + kk * 4, o);
        }
        continue;
      }
#endif
      for (size_t j = 0; j < 16; j++)  // column q + j: panel (q + j) / kNR, slot j % kNR
        vst1q_s8(dst + (q + j) / kNR * kNR * kp + kk * kNR + j % kNR * 16, r[j]);
    }
  }
  if (q < nc) gemm_s8_generic_kernels_for(4, kNR, 16)->pack_b(k, nc - q, b + q, ldb, dst + q * kp);
}

// im2col straight from the image (the geometries of neon/gemm_s8_im2col.h:
// stride 1 or 2 along x, no padding read; the conv driver packs a padded
// layer from its zero-padded copy). A block of 16 columns is the runs there;
// each 16-row group of it, the 16 rows' loads (one per run: the 16 columns
// of the row), the 16 x 16 transpose above, and column j's 16 bytes stored
// into its panel. Rows past kc are zero, and so are the columns of the last
// panel past nc. Other geometries: the generic packer (the driver stages
// them through pack_b instead: pack_im2col_ok).
template <size_t kNR, int SW>
void pack_im2col_k16_direct(const Im2colGeom& g, size_t k0, size_t kc, size_t n0, size_t nc, int8_t* dst) {
  const size_t kcp = round_up(kc, 16);
  constexpr size_t kChunk = 512;  // rows whose offsets are worked out at once (a multiple of 16)
  size_t off[kChunk];
  for (size_t r0 = 0; r0 < kc; r0 += kChunk) {
    const size_t rows = kc - r0 < kChunk ? kc - r0 : kChunk;
    s8_im2col_offsets(g, k0 + r0, rows, off);
    for (size_t q = 0; q < nc; q += 16) {
      const size_t cols = nc - q < 16 ? nc - q : 16, slots = round_up(cols, kNR);
      S8Runs rs;
      s8_runs<SW>(g, n0 + q, cols, off[rows - 1], &rs);
      s8_with_loader<SW, 16>(g, rs, [&](auto load) {
        for (size_t i = 0; i < rows; i += 16) {
          int8x16_t r[16];
          for (size_t t = 0; t < 16; t++) r[t] = i + t < rows ? load(off[i + t]) : vdupq_n_s8(0);
          trn_round<1>(r);
          trn_round<2>(r);
          trn_round<4>(r);
          trn_round<8>(r);
          const size_t kk = r0 + i;
#if defined(__aarch64__)
          if constexpr (kNR == 4) {
            if (slots == 16) {
              for (size_t p = 0; p < 4; p++) {  // columns 4p..4p+3: panel q / 4 + p
                const int8x16x4_t o = {{r[4 * p], r[4 * p + 1], r[4 * p + 2], r[4 * p + 3]}};
                vst1q_s8_x4(dst + (q + 4 * p) * kcp + kk * 4, o);
              }
              continue;
            }
          }
#endif
          for (size_t j = 0; j < slots; j++)  // column q + j: panel (q + j) / kNR, slot j % kNR
            vst1q_s8(dst + (q + j) / kNR * kNR * kcp + kk * kNR + j % kNR * 16, r[j]);
        }
      });
    }
  }
}

template <size_t kNR>
void pack_im2col_k16(const Im2colGeom& g, size_t k0, size_t kc, size_t n0, size_t nc, int8_t* dst) {
  if (kc == 0 || nc == 0) return;
  if (!s8_im2col_direct_ok(g))
    return gemm_s8_generic_kernels_for(4, kNR, 16)->pack_im2col(g, k0, kc, n0, nc, dst);
  if (g.sw == 1)
    pack_im2col_k16_direct<kNR, 1>(g, k0, kc, n0, nc, dst);
  else
    pack_im2col_k16_direct<kNR, 2>(g, k0, kc, n0, nc, dst);
}

}  // namespace
}  // namespace detail
}  // namespace armconv

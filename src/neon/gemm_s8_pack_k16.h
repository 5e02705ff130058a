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
// panel's group (AArch64, NR = 4: zips and st4 instead, k16_block_nr4). The
// last nc % 16 columns: AArch64 NR = 4 by masked row loads (pack_b_k16),
// else the generic packer.
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

#if defined(__aarch64__)
// NR = 4 on AArch64: the 16 x 16 block by zips and st4 instead of the four
// trn rounds (32 + 4 stores a block, not 64 + 4). Rows 4g..4g+3 become, by
// zip1/zip2 of bytes (rows 4g, 4g+1 and 4g+2, 4g+3) and zip1/zip2 of 16-bit
// pairs, w[g][p] = [column 4p + i: rows 4g..4g+3] (i < 4; 8 zips a g); then
// st4 of the 32-bit lanes of w[0][p]..w[3][p] writes word 4i + g = column
// 4p + i, rows 4g..4g+3: panel p's group, [column i: its 16 k] (64 bytes at
// d + p * ps). Only panels p < np are stored.
inline void k16_block_nr4(const int8x16_t* r, int8_t* d, size_t ps, size_t np) {
  int32x4_t w[4][4];
  for (int g = 0; g < 4; g++) {
    const int16x8_t z01l = vreinterpretq_s16_s8(vzip1q_s8(r[4 * g], r[4 * g + 1]));
    const int16x8_t z01h = vreinterpretq_s16_s8(vzip2q_s8(r[4 * g], r[4 * g + 1]));
    const int16x8_t z23l = vreinterpretq_s16_s8(vzip1q_s8(r[4 * g + 2], r[4 * g + 3]));
    const int16x8_t z23h = vreinterpretq_s16_s8(vzip2q_s8(r[4 * g + 2], r[4 * g + 3]));
    w[g][0] = vreinterpretq_s32_s16(vzip1q_s16(z01l, z23l));
    w[g][1] = vreinterpretq_s32_s16(vzip2q_s16(z01l, z23l));
    w[g][2] = vreinterpretq_s32_s16(vzip1q_s16(z01h, z23h));
    w[g][3] = vreinterpretq_s32_s16(vzip2q_s16(z01h, z23h));
  }
  for (size_t p = 0; p < np; p++) {
    const int32x4x4_t o = {{w[0][p], w[1][p], w[2][p], w[3][p]}};
    vst4q_s32(reinterpret_cast<int32_t*>(static_cast<void*>(d + p * ps)), o);
  }
}
#endif

template <size_t kNR>
void pack_b_k16(size_t k, size_t nc, const int8_t* b, size_t ldb, int8_t* dst) {
  const size_t kp = round_up(k, 16);
  size_t q = 0;
#if defined(__aarch64__)
  if constexpr (kNR == 4) {
    // The whole k groups of every 16-column block in one asm (54
    // instructions a group, 9 a block): per block s from scol (then scol +=
    // 16) and the group count reset; per group 16 row loads (post-indexed by
    // ldb) into v16-v31, per 4 rows R0..R3 (v16 + 4g..) the 8 zips of
    // k16_block_nr4 leaving w[g][p] in v(4p + g) (the zips reuse R0, R1 and
    // the free outputs: no other register), then panel p's st4 of
    // v(4p)..v(4p + 3) at dp (post-indexed by 64); after a block d0..d3 go
    // on to the next block's panels (+16 kp - 64 groups: 4 panels of 4 kp
    // bytes, each pointer already 64 groups on). Then each block's last,
    // partial group (rows past k zero).
    const size_t groups = k / 16, nb = nc / 16;
    if (groups && nb) {
      int8_t *d0 = dst, *d1 = d0 + 4 * kp, *d2 = d1 + 4 * kp, *d3 = d2 + 4 * kp;
      size_t blocks = nb, g;
      const int8_t *scol = b, *s;
#define ARMCONV_K16_ZIP4(R0, R1, R2, R3, W0, W1, W2, W3)                               \
  "zip1 " W0 ".16b, " R0 ".16b, " R1 ".16b\n zip2 " W1 ".16b, " R0 ".16b, " R1 ".16b\n" \
  "zip1 " R0 ".16b, " R2 ".16b, " R3 ".16b\n zip2 " R1 ".16b, " R2 ".16b, " R3 ".16b\n" \
  "zip1 " W2 ".8h, " W1 ".8h, " R1 ".8h\n zip2 " W3 ".8h, " W1 ".8h, " R1 ".8h\n"       \
  "zip2 " W1 ".8h, " W0 ".8h, " R0 ".8h\n zip1 " W0 ".8h, " W0 ".8h, " R0 ".8h\n"
#define ARMCONV_K16_LD(R) "ld1 {" R ".16b}, [%[s]], %[ldb]\n"
      __asm__ volatile(
          "0:\n mov %[s], %[scol]\n mov %[g], %[groups]\n"
          "1:\n"
          ARMCONV_K16_LD("v16") ARMCONV_K16_LD("v17") ARMCONV_K16_LD("v18") ARMCONV_K16_LD("v19")
          ARMCONV_K16_LD("v20") ARMCONV_K16_LD("v21") ARMCONV_K16_LD("v22") ARMCONV_K16_LD("v23")
          ARMCONV_K16_LD("v24") ARMCONV_K16_LD("v25") ARMCONV_K16_LD("v26") ARMCONV_K16_LD("v27")
          ARMCONV_K16_LD("v28") ARMCONV_K16_LD("v29") ARMCONV_K16_LD("v30") ARMCONV_K16_LD("v31")
          ARMCONV_K16_ZIP4("v16", "v17", "v18", "v19", "v0", "v4", "v8", "v12")
          ARMCONV_K16_ZIP4("v20", "v21", "v22", "v23", "v1", "v5", "v9", "v13")
          ARMCONV_K16_ZIP4("v24", "v25", "v26", "v27", "v2", "v6", "v10", "v14")
          ARMCONV_K16_ZIP4("v28", "v29", "v30", "v31", "v3", "v7", "v11", "v15")
          "st4 {v0.4s, v1.4s, v2.4s, v3.4s}, [%[d0]], #64\n"
          "st4 {v4.4s, v5.4s, v6.4s, v7.4s}, [%[d1]], #64\n"
          "st4 {v8.4s, v9.4s, v10.4s, v11.4s}, [%[d2]], #64\n"
          "st4 {v12.4s, v13.4s, v14.4s, v15.4s}, [%[d3]], #64\n"
          "subs %[g], %[g], #1\n"
          "b.ne 1b\n"
          "add %[scol], %[scol], #16\n add %[d0], %[d0], %[skip]\n add %[d1], %[d1], %[skip]\n"
          "add %[d2], %[d2], %[skip]\n add %[d3], %[d3], %[skip]\n"
          "subs %[blocks], %[blocks], #1\n"
          "b.ne 0b\n"
          : [s] "=&r"(s), [d0] "+r"(d0), [d1] "+r"(d1), [d2] "+r"(d2), [d3] "+r"(d3),
            [g] "=&r"(g), [scol] "+r"(scol), [blocks] "+r"(blocks)
          : [ldb] "r"(ldb), [groups] "r"(groups), [skip] "r"(16 * kp - 64 * groups)
          : "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10",
            "v11", "v12", "v13", "v14", "v15", "v16", "v17", "v18", "v19", "v20", "v21", "v22",
            "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31");
#undef ARMCONV_K16_LD
#undef ARMCONV_K16_ZIP4
    }
    if (const size_t kk = groups * 16; kk < k) {
      for (q = 0; q < 16 * nb; q += 16) {
        const int8_t* s = b + kk * ldb + q;
        int8x16_t r[16];
        for (size_t i = 0; i < 16; i++) r[i] = kk + i < k ? vld1q_s8(s + i * ldb) : vdupq_n_s8(0);
        k16_block_nr4(r, dst + q * kp + kk * 4, 4 * kp, 4);
      }
    }
    q = 16 * nb;
  } else
#endif
  {
    size_t kfull = 0;  // rows packed by the armv7 NR = 2 asm below
#if !defined(__aarch64__)
    if (kNR == 2) {
      // armv7, NR = 2: the whole k groups of each 16-column block in one asm
      // loop, 16 row loads + 16 zips + 8 stores a group (not 16 x 16 trn
      // rounds in intrinsics, which GCC spills). Rows 4g, 4g+1, 4g+2, 4g+3
      // (g < 4) are loaded into q(g), q(8+g), q(4+g), q(12+g); vzip.8 of
      // q(g), q(8+g) and of q(4+g), q(12+g) (zip1 and zip2 of byte pairs),
      // then vzip.16 of q(g), q(4+g) and of q(8+g), q(12+g) leave w[g][p] =
      // [column 4p + i: rows 4g..4g+3] (i < 4) in q(4p + g). Panel P = 2p + h
      // (columns 2P, 2P+1) is the half h of q(4p)..q(4p+3): vst4.32 of
      // d(8p+h), d(8p+h+2), d(8p+h+4), d(8p+h+6) writes word 4j + g = column
      // 2P + j, rows 4g..4g+3: its 32-byte group. The stores step by the
      // panel size (2 kp), then back 16 kp - 32 to the next group.
      const size_t groups = k / 16;
      if (groups) {
        for (; q + 16 <= nc; q += 16) {
          const int8_t* s = b + q;
          int8_t* d = dst + q * kp;
          size_t g = groups;
#define ARMCONV_K16_LD(Q) "vld1.8 {" Q "}, [%[s]], %[ldb]\n"
#define ARMCONV_K16_ST(D0, D1, D2, D3) "vst4.32 {" D0 ", " D1 ", " D2 ", " D3 "}, [%[d]], %[ps]\n"
          __asm__ volatile(
              "1:\n"
              ARMCONV_K16_LD("d0-d1") ARMCONV_K16_LD("d16-d17") ARMCONV_K16_LD("d8-d9") ARMCONV_K16_LD("d24-d25")
              ARMCONV_K16_LD("d2-d3") ARMCONV_K16_LD("d18-d19") ARMCONV_K16_LD("d10-d11") ARMCONV_K16_LD("d26-d27")
              ARMCONV_K16_LD("d4-d5") ARMCONV_K16_LD("d20-d21") ARMCONV_K16_LD("d12-d13") ARMCONV_K16_LD("d28-d29")
              ARMCONV_K16_LD("d6-d7") ARMCONV_K16_LD("d22-d23") ARMCONV_K16_LD("d14-d15") ARMCONV_K16_LD("d30-d31")
              "vzip.8 q0, q8\n vzip.8 q4, q12\n vzip.16 q0, q4\n vzip.16 q8, q12\n"
              "vzip.8 q1, q9\n vzip.8 q5, q13\n vzip.16 q1, q5\n vzip.16 q9, q13\n"
              "vzip.8 q2, q10\n vzip.8 q6, q14\n vzip.16 q2, q6\n vzip.16 q10, q14\n"
              "vzip.8 q3, q11\n vzip.8 q7, q15\n vzip.16 q3, q7\n vzip.16 q11, q15\n"
              ARMCONV_K16_ST("d0", "d2", "d4", "d6") ARMCONV_K16_ST("d1", "d3", "d5", "d7")
              ARMCONV_K16_ST("d8", "d10", "d12", "d14") ARMCONV_K16_ST("d9", "d11", "d13", "d15")
              ARMCONV_K16_ST("d16", "d18", "d20", "d22") ARMCONV_K16_ST("d17", "d19", "d21", "d23")
              ARMCONV_K16_ST("d24", "d26", "d28", "d30") ARMCONV_K16_ST("d25", "d27", "d29", "d31")
              "sub %[d], %[d], %[back]\n"
              "subs %[g], %[g], #1\n"
              "bne 1b\n"
              : [s] "+r"(s), [d] "+r"(d), [g] "+r"(g)
              : [ldb] "r"(ldb), [ps] "r"(2 * kp), [back] "r"(16 * kp - 32)
              : "cc", "memory", "d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9", "d10",
                "d11", "d12", "d13", "d14", "d15", "d16", "d17", "d18", "d19", "d20", "d21", "d22",
                "d23", "d24", "d25", "d26", "d27", "d28", "d29", "d30", "d31");
#undef ARMCONV_K16_LD
#undef ARMCONV_K16_ST
        }
        q = 0;  // the partial group (below) of the same blocks
        kfull = groups * 16;
      }
    }
#endif
    for (; q + 16 <= nc; q += 16) {
      const int8_t* s = b + q;
      for (size_t kk = kfull; kk < k; kk += 16) {
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
        for (size_t j = 0; j < 16; j++)  // column q + j: panel (q + j) / kNR, slot j % kNR
          vst1q_s8(dst + (q + j) / kNR * kNR * kp + kk * kNR + j % kNR * 16, r[j]);
      }
    }
  }
  if (q == nc) return;
#if defined(__aarch64__)
  if constexpr (kNR == 4) {
    // The last w < 16 columns (ceil(w / 4) panels, the columns past w zero):
    // a row but the block's last is read 16 bytes at a time when that stays
    // inside the block's span (row kk ends at kk ldb + q + 16 <= (k - 1) ldb
    // + nc for kk <= k - 2 when q + 16 <= ldb + nc: other columns of the
    // matrix, never past its last byte) and masked to w bytes; the last row
    // (every row, if not) by a copy of its w bytes.
    static const uint8_t kIota[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    const size_t w = nc - q, np = (w + 3) / 4;
    const int8x16_t mask = vreinterpretq_s8_u8(vcltq_u8(vld1q_u8(kIota), vdupq_n_u8(uint8_t(w))));
    const size_t kwide = q + 16 <= ldb + nc ? k - 1 : 0;  // rows [0, kwide): 16-byte loads
    const int8_t* s = b + q;
    for (size_t kk = 0; kk < k; kk += 16) {
      int8x16_t r[16];
      for (size_t i = 0; i < 16; i++) {
        const size_t row = kk + i;
        if (row < kwide) {
          r[i] = vandq_s8(vld1q_s8(s + row * ldb), mask);
        } else if (row < k) {
          alignas(16) int8_t t[16] = {};
          for (size_t j = 0; j < w; j++) t[j] = s[row * ldb + j];
          r[i] = vld1q_s8(t);
        } else {
          r[i] = vdupq_n_s8(0);
        }
      }
      k16_block_nr4(r, dst + q * kp + kk * 4, 4 * kp, np);
    }
    return;
  }
#endif
  gemm_s8_generic_kernels_for(4, kNR, 16)->pack_b(k, nc - q, b + q, ldb, dst + q * kp);
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
          const size_t kk = r0 + i;
#if defined(__aarch64__)
          if constexpr (kNR == 4) {  // columns 4p..4p+3: panel q / 4 + p (slots / 4 of them)
            k16_block_nr4(r, dst + q * kcp + kk * 4, 4 * kcp, slots / 4);
            continue;
          }
#endif
          trn_round<1>(r);
          trn_round<2>(r);
          trn_round<4>(r);
          trn_round<8>(r);
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

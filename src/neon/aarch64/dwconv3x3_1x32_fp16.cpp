// NEON fp16 depthwise 3x3, stride 1 and 2, aarch64 + FP16
// (dwconv3x3-aarch64-1x32-fp16: strips of up to 32 output columns of one
// output row, four .8h vectors, per step). Contract and order of operations:
// core/dwconv.h (DwPlaneH). An ISA-extension unit (-march=armv8.2-a+fp16),
// reached only through dispatch.cpp; everything here is in an anonymous
// namespace.
//
// Staging. A band of the plane's rows is copied into scratch as binary16,
// converted from float32 here (FCVTN; the only pass over the image), once per
// band: each input row once, plus two rows of halo per band (a band is
// ~32 KB, the whole plane for maps up to ~100 columns). Staged column c of a
// row holds input column c - pad_left, for both strides; the columns left and
// right of the image are zero (written once per call, see plane()), and rows
// above and below the image are staged as zero rows, so the strips have no
// border cases. The copy takes 32 columns per step (one 4-register LD1 +
// ST1 from binary16; two LD1 + 8 FCVTN/FCVTN2
// + one ST1 from float32) down the band's rows, block after block, the last
// block of a row overlapping the one before.
//
// Strips (assembly): staged rows stream down, each one loaded once and
// multiplied into every output row it feeds; accumulators rotate by
// unrolling, so the rotation is a renaming.
//   stride 1: a staged row feeds tap row 2 of output row r - 2 (which then
//     leaves: bias, clamp, store), tap row 1 of r - 1 and starts r (FMUL of
//     tap 0): three rows of accumulators. Tap column t of outputs o..o+7 is
//     staged row[o + t ..]: one LD1 {NV regs} per tap column and row.
//   stride 2: rows 2r + 1 and 2r + 2 finish output row r; the latter also
//     starts row r + 1: two rows of accumulators. A block of 16 outputs
//     o..o+15 reads staged columns 2o .. 2o + 34 with two LD4 (de-interleave
//     by 4; see "stride 2" below): its even outputs and its odd outputs are
//     two vectors whose 3 taps are each one register, stored back interleaved
//     by ST2. 2 loads per 16 outputs and row, against 3 LD2 for the
//     even/odd split of each row's columns.
// Per output row of 32 columns (binary16 image and output):
//   stride 1: 36 FMLA/FMUL + 3 LD1 + 4 FADD (bias) + 1 ST1 + 1/3 of the loop;
//   stride 2: 36 FMLA/FMUL + 8 LD4 + 4 FADD + 2 ST2 + 1/2 of the loop;
// the float32 output adds 8 FCVTL/FCVTL2 and 2 more stores; staging adds
// about 0.25 instructions per input element from binary16, 0.5 from float32.
#include <arm_neon.h>

#include <algorithm>
#include <cstring>

#include "core/buffer.h"
#include "core/dwconv.h"
#include "neon/hgemm_pack_fp16.h"  // load8 / store8 (float32 or binary16 to binary16 lanes)

namespace armconv {
namespace detail {
namespace {

// Halves per staged row. The strips read up to staged column
//   stride 1: max(wo, 8) + 1 (a strip of 8 NV columns from c reads c .. c + 8 NV + 1);
//   stride 2: 2 max(wo, 16) + 3 (a block of 16 from o reads 2o .. 2o + 35);
// the image needs pad_left + w <= wo + 2 (stride 1), 2 wo + 2 (stride 2)
// columns (bottom-right padding >= 0; the staging clips to the row anyway).
inline size_t row_halves(size_t wo, size_t stride) {
  return stride == 1 ? round_up(std::max<size_t>(wo, 8) + 2, 8)
                     : round_up(2 * std::max<size_t>(wo, 16) + 4, 8);
}
// Staged rows in a band: enough for ~32 KB (a share of L1), at least one
// output row's three.
constexpr size_t kBandBytes = 32 * 1024;
inline size_t band_rows(size_t wo, size_t stride) {
  return std::max<size_t>(3, kBandBytes / (row_halves(wo, stride) * sizeof(Half)));
}
// Output rows per band: staged rows (R - 1) * stride + 3 <= band_rows.
inline size_t band_out_rows(size_t wo, size_t stride) {
  return (band_rows(wo, stride) - 3) / stride + 1;
}
// Maps narrower than one strip (stride 1: 8 columns; stride 2: a block of
// 16) go through an output tile of that many columns per row.
inline size_t tile_cols(size_t stride) { return stride == 1 ? 8 : 16; }
inline size_t tile_bytes(size_t wo, size_t stride) {
  return wo < tile_cols(stride) ? band_out_rows(wo, stride) * tile_cols(stride) * sizeof(float)
                                : 0;
}

inline size_t band_bytes(size_t wo, size_t stride) {
  return round_up(band_rows(wo, stride) * row_halves(wo, stride) * sizeof(Half), 64);
}
// Scratch: a header (the number of staging rows zeroed so far in this call,
// see plane()), the band, the tile.
constexpr size_t kHeaderBytes = 64;
size_t scratch_bytes(size_t wo, size_t stride) {
  return kHeaderBytes + band_bytes(wo, stride) + tile_bytes(wo, stride);
}

// ---- staging -------------------------------------------------------------------------

// Zeros to [from, to), in whole vectors (may write up to 7 halves past `to`:
// callers give a multiple of 8).
// (The empty asm hides that z is zero: compilers otherwise turn the loop
// into a call of memset, which costs more than these few stores.)
inline void zero_from(Half* row, size_t from, size_t to) {
  uint16x8x4_t z;
  z.val[0] = vdupq_n_u16(0);
  __asm__("" : "+w"(z.val[0]));
  z.val[1] = z.val[2] = z.val[3] = z.val[0];
  size_t c = from;
  for (; c + 32 <= to; c += 32) vst1q_u16_x4(hp(row + c), z);
  for (; c < to; c += 8) vst1q_u16(hp(row + c), z.val[0]);
}

// 32 columns of `rows` rows, converted: d[r * ds + i] = s[r * ss + i] for
// i < 32 (steps in bytes): one LD1 {4 regs} + ST1 per row from binary16
// (four rows per loop step, then one at a time); from float32 two LD1
// {4 regs}, 8 FCVTN/FCVTN2 (v16-v23 to v0-v3), one ST1.
inline void copy_cols32(Half* d, size_t ds, const Half* s, size_t ss, size_t rows) {
  size_t quads = rows / 4, rem = rows % 4;
  __asm__ volatile(
      "cbz %[quads], 2f\n"
      "1:\n"
      "ld1 {v16.8h-v19.8h}, [%[s]], %[ss]\n"
      "ld1 {v20.8h-v23.8h}, [%[s]], %[ss]\n"
      "st1 {v16.8h-v19.8h}, [%[d]], %[ds]\n"
      "ld1 {v16.8h-v19.8h}, [%[s]], %[ss]\n"
      "st1 {v20.8h-v23.8h}, [%[d]], %[ds]\n"
      "ld1 {v20.8h-v23.8h}, [%[s]], %[ss]\n"
      "st1 {v16.8h-v19.8h}, [%[d]], %[ds]\n"
      "st1 {v20.8h-v23.8h}, [%[d]], %[ds]\n"
      "subs %[quads], %[quads], #1\n"
      "b.ne 1b\n"
      "2:\n"
      "cbz %[rem], 4f\n"
      "3:\n"
      "ld1 {v16.8h-v19.8h}, [%[s]], %[ss]\n"
      "st1 {v16.8h-v19.8h}, [%[d]], %[ds]\n"
      "subs %[rem], %[rem], #1\n"
      "b.ne 3b\n"
      "4:\n"
      : [s] "+r"(s), [d] "+r"(d), [quads] "+r"(quads), [rem] "+r"(rem)
      : [ss] "r"(ss), [ds] "r"(ds)
      : "cc", "memory", "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23");
}
inline void copy_cols32(Half* d, size_t ds, const float* s, size_t ss, size_t rows) {
  __asm__ volatile(
      "1:\n"
      "ld1 {v16.4s-v19.4s}, [%[s]], #64\n"
      "ld1 {v20.4s-v23.4s}, [%[s]], %[ss]\n"
      "fcvtn v0.4h, v16.4s\n fcvtn2 v0.8h, v17.4s\n"
      "fcvtn v1.4h, v18.4s\n fcvtn2 v1.8h, v19.4s\n"
      "fcvtn v2.4h, v20.4s\n fcvtn2 v2.8h, v21.4s\n"
      "fcvtn v3.4h, v22.4s\n fcvtn2 v3.8h, v23.4s\n"
      "st1 {v0.8h-v3.8h}, [%[d]], %[ds]\n"
      "subs %[rows], %[rows], #1\n"
      "b.ne 1b\n"
      : [s] "+r"(s), [d] "+r"(d), [rows] "+r"(rows)
      : [ss] "r"(ss - 64), [ds] "r"(ds)
      : "cc", "memory", "v0", "v1", "v2", "v3", "v16", "v17", "v18", "v19", "v20", "v21",
        "v22", "v23");
}

// `rows` rows of n elements (steps in elements): from 32 columns, column
// blocks of 32 down the rows (the loops above); below, vectors of 8 (the
// last overlapping) or one at a time.
template <class IO>
void stage_rows(Half* d, size_t ds, const IO* s, size_t ss, size_t n, size_t rows) {
  if (n >= 32) {  // columns 0, 32, ... while whole, then the last 32 (overlapping)
    for (size_t c = 0;; c += 32) {
      if (c + 32 > n) c = n - 32;
      copy_cols32(d + c, ds * sizeof(Half), s + c, ss * sizeof(IO), rows);
      if (c + 32 == n) return;
    }
  }
  for (size_t r = 0; r < rows; r++, d += ds, s += ss) {
    if (n >= 8) {
      for (size_t i = 0; i + 8 <= n; i += 8) store8(d + i, load8(s + i));
      if (n % 8) store8(d + n - 8, load8(s + n - 8));
    } else {
      for (size_t i = 0; i < n; i++) d[i] = to_half(s[i]);
    }
  }
}

// ---- stride 1 (assembly) -------------------------------------------------------------
//
// Registers: v0 taps 0-7, v1 tap 8 (lane 0) and the bias (lane 1), v2 the
// bias in every lane, v3/v4 the clamp bounds; v8-v19 the windows of the
// current staged row, W(t, j) = v(8 + 4t + j) for tap column t, output
// vector j (free after the row's FMLAs: the float32 store converts into
// them); v20-v23, v24-v27, v28-v31 three rows of 4 accumulators (A, B, C).
// Strips of 3, 2 and 1 vectors use the first registers of each group.

// Register names: accumulator group G (A, B, C) vector j; window W(t, j);
// float32 halves of accumulator vector j (F j 0, F j 1) for the store.
#define DW_A0 "v20"
#define DW_A1 "v21"
#define DW_A2 "v22"
#define DW_A3 "v23"
#define DW_B0 "v24"
#define DW_B1 "v25"
#define DW_B2 "v26"
#define DW_B3 "v27"
#define DW_C0 "v28"
#define DW_C1 "v29"
#define DW_C2 "v30"
#define DW_C3 "v31"
#define DW_W00 "v8"
#define DW_W01 "v9"
#define DW_W02 "v10"
#define DW_W03 "v11"
#define DW_W10 "v12"
#define DW_W11 "v13"
#define DW_W12 "v14"
#define DW_W13 "v15"
#define DW_W20 "v16"
#define DW_W21 "v17"
#define DW_W22 "v18"
#define DW_W23 "v19"
#define DW_F00 "v8"
#define DW_F01 "v9"
#define DW_F10 "v10"
#define DW_F11 "v11"
#define DW_F20 "v12"
#define DW_F21 "v13"
#define DW_F30 "v14"
#define DW_F31 "v15"
// Register lists for LD1/ST1 of NV vectors.
#define DW_LIST_W0_1 "{v8.8h}"
#define DW_LIST_W0_2 "{v8.8h, v9.8h}"
#define DW_LIST_W0_3 "{v8.8h-v10.8h}"
#define DW_LIST_W0_4 "{v8.8h-v11.8h}"
#define DW_LIST_W1_1 "{v12.8h}"
#define DW_LIST_W1_2 "{v12.8h, v13.8h}"
#define DW_LIST_W1_3 "{v12.8h-v14.8h}"
#define DW_LIST_W1_4 "{v12.8h-v15.8h}"
#define DW_LIST_W2_1 "{v16.8h}"
#define DW_LIST_W2_2 "{v16.8h, v17.8h}"
#define DW_LIST_W2_3 "{v16.8h-v18.8h}"
#define DW_LIST_W2_4 "{v16.8h-v19.8h}"
#define DW_LIST_A_1 "{v20.8h}"
#define DW_LIST_A_2 "{v20.8h, v21.8h}"
#define DW_LIST_A_3 "{v20.8h-v22.8h}"
#define DW_LIST_A_4 "{v20.8h-v23.8h}"
#define DW_LIST_B_1 "{v24.8h}"
#define DW_LIST_B_2 "{v24.8h, v25.8h}"
#define DW_LIST_B_3 "{v24.8h-v26.8h}"
#define DW_LIST_B_4 "{v24.8h-v27.8h}"
#define DW_LIST_C_1 "{v28.8h}"
#define DW_LIST_C_2 "{v28.8h, v29.8h}"
#define DW_LIST_C_3 "{v28.8h-v30.8h}"
#define DW_LIST_C_4 "{v28.8h-v31.8h}"

// One operation on vector j (OP: the instruction and its operands around G j).
#define DW_ON(G, j, OP) OP(DW_##G##j, j)
#define DW_EACH_1(G, OP) DW_ON(G, 0, OP)
#define DW_EACH_2(G, OP) DW_EACH_1(G, OP) DW_ON(G, 1, OP)
#define DW_EACH_3(G, OP) DW_EACH_2(G, OP) DW_ON(G, 2, OP)
#define DW_EACH_4(G, OP) DW_EACH_3(G, OP) DW_ON(G, 3, OP)
#define DW_EACH(NV, G, OP) DW_EACH_##NV(G, OP)

// acc (+)= W(t, j) * tap, tap = lane L of register K.
#define DW_TAP(NV, G, t, K, L, INSN)                                                     \
  DW_TAP_##NV(G, t, K, L, INSN)
#define DW_TAP1_(G, t, j, K, L, INSN) INSN " " DW_##G##j ".8h, " DW_W##t##j ".8h, " K ".h[" #L "]\n"
#define DW_TAP_1(G, t, K, L, INSN) DW_TAP1_(G, t, 0, K, L, INSN)
#define DW_TAP_2(G, t, K, L, INSN) DW_TAP_1(G, t, K, L, INSN) DW_TAP1_(G, t, 1, K, L, INSN)
#define DW_TAP_3(G, t, K, L, INSN) DW_TAP_2(G, t, K, L, INSN) DW_TAP1_(G, t, 2, K, L, INSN)
#define DW_TAP_4(G, t, K, L, INSN) \
  DW_TAP_2(G, t, K, L, INSN) DW_TAP1_(G, t, 2, K, L, INSN) DW_TAP1_(G, t, 3, K, L, INSN)

// The windows of the next staged row (three pointers, each advancing a row).
#define DW_LOAD(NV)                                                                       \
  "ld1 " DW_LIST_W0_##NV ", [%[p0]], %[rs]\n"                                             \
  "ld1 " DW_LIST_W1_##NV ", [%[p1]], %[rs]\n"                                             \
  "ld1 " DW_LIST_W2_##NV ", [%[p2]], %[rs]\n"

// Tap rows 0 (starting G with a multiply), 1 and 2 of the current windows.
#define DW_ROW0(NV, G)                                                                    \
  DW_TAP(NV, G, 0, "v0", 0, "fmul") DW_TAP(NV, G, 1, "v0", 1, "fmla")                     \
  DW_TAP(NV, G, 2, "v0", 2, "fmla")
#define DW_ROW1(NV, G)                                                                    \
  DW_TAP(NV, G, 0, "v0", 3, "fmla") DW_TAP(NV, G, 1, "v0", 4, "fmla")                     \
  DW_TAP(NV, G, 2, "v0", 5, "fmla")
#define DW_ROW2(NV, G)                                                                    \
  DW_TAP(NV, G, 0, "v0", 6, "fmla") DW_TAP(NV, G, 1, "v0", 7, "fmla")                     \
  DW_TAP(NV, G, 2, "v1", 0, "fmla")

// Output stage of a finished accumulator row: bias, clamp, store.
#define DW_BIAS_OP(r, j) "fadd " r ".8h, " r ".8h, v2.8h\n"
#define DW_MAX_OP(r, j) "fmax " r ".8h, " r ".8h, v3.8h\n"
#define DW_MIN_OP(r, j) "fmin " r ".8h, " r ".8h, v4.8h\n"
#define DW_CLAMP_YES(NV, G) DW_EACH(NV, G, DW_MAX_OP) DW_EACH(NV, G, DW_MIN_OP)
#define DW_CLAMP_NO(NV, G)
#define DW_CVT_OP(r, j) "fcvtl " DW_F##j##0 ".4s, " r ".4h\n fcvtl2 " DW_F##j##1 ".4s, " r ".8h\n"
#define DW_ST_H(NV, G) "st1 " DW_LIST_##G##_##NV ", [%[y]], %[ys]\n"
#define DW_ST_F_1 "st1 {v8.4s, v9.4s}, [%[y]], %[ys]\n"
#define DW_ST_F_2 "st1 {v8.4s-v11.4s}, [%[y]], %[ys]\n"
#define DW_ST_F_3 "st1 {v8.4s-v11.4s}, [%[y]], #64\n st1 {v12.4s, v13.4s}, [%[y]], %[ys]\n"
#define DW_ST_F_4 "st1 {v8.4s-v11.4s}, [%[y]], #64\n st1 {v12.4s-v15.4s}, [%[y]], %[ys]\n"
#define DW_ST_F(NV, G) DW_EACH(NV, G, DW_CVT_OP) DW_ST_F_##NV
#define DW_OUT(NV, G, CLAMP, ST) DW_EACH(NV, G, DW_BIAS_OP) DW_CLAMP_##CLAMP(NV, G) ST(NV, G)

#define DW_CLOBBERS                                                                        \
  "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v8", "v9", "v10", "v11", "v12", "v13",   \
      "v14", "v15", "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23", "v24", "v25",  \
      "v26", "v27", "v28", "v29", "v30", "v31"
#define DW_SETUP                                                                          \
  "ld1 {v0.8h, v1.8h}, [%[k]]\n"                                                          \
  "dup v2.8h, v1.h[1]\n"                                                                  \
  "ld1r {v3.8h}, [%[lo]]\n"                                                               \
  "ld1r {v4.8h}, [%[hi]]\n"

// Stride 1, R output rows from R + 2 staged rows: step (X, Y, Z) loads a
// row, finishes X (tap row 2, then its store), adds tap row 1 to Y, starts Z.
#define DW_S1_STEP(NV, X, Y, Z, CLAMP, ST)                                                \
  DW_LOAD(NV) DW_ROW2(NV, X) DW_ROW1(NV, Y) DW_ROW0(NV, Z) DW_OUT(NV, X, CLAMP, ST)
#define DW_S1_ASM(NV, CLAMP, ST)                                                          \
  __asm__ volatile(                                                                       \
      DW_SETUP DW_LOAD(NV) DW_ROW0(NV, A) DW_LOAD(NV) DW_ROW1(NV, A) DW_ROW0(NV, B)       \
      "cbz %[n], 2f\n"                                                                    \
      "1:\n" DW_S1_STEP(NV, A, B, C, CLAMP, ST) DW_S1_STEP(NV, B, C, A, CLAMP, ST)        \
      DW_S1_STEP(NV, C, A, B, CLAMP, ST)                                                  \
      "subs %[n], %[n], #1\n"                                                             \
      "b.ne 1b\n"                                                                         \
      "2:\n"                                                                              \
      "cbz %[rem], 3f\n" DW_S1_STEP(NV, A, B, C, CLAMP, ST)                               \
      "cmp %[rem], #1\n"                                                                  \
      "b.eq 3f\n" DW_S1_STEP(NV, B, C, A, CLAMP, ST)                                      \
      "3:\n"                                                                              \
      : [p0] "+r"(p0), [p1] "+r"(p1), [p2] "+r"(p2), [y] "+r"(y), [n] "+r"(n)             \
      : [rem] "r"(rem), [rs] "r"(rs), [ys] "r"(ys), [k] "r"(k), [lo] "r"(lohi),          \
        [hi] "r"(lohi + 1)                                                                \
      : DW_CLOBBERS)

template <int NV, bool CLAMP, class IO>
void strip_s1(const Half* p0_, size_t rs_bytes, IO* y_, size_t ys_elems, size_t rows,
              const Half* k, const Half* lohi) {
  const Half* p0 = p0_;
  const Half* p1 = p0_ + 1;
  const Half* p2 = p0_ + 2;
  IO* y = y_;
  const size_t rs = rs_bytes;
  // Stores advance by the row stride; the two-store float32 form by 64 first.
  const size_t ys = ys_elems * sizeof(IO) - (sizeof(IO) == 4 && NV >= 3 ? 64 : 0);
  size_t n = rows / 3, rem = rows % 3;
#define DW_BY_NV(C, ST)                                                                   \
  if constexpr (NV == 1) {                                                                \
    DW_S1_ASM(1, C, ST);                                                                  \
  } else if constexpr (NV == 2) {                                                         \
    DW_S1_ASM(2, C, ST);                                                                  \
  } else if constexpr (NV == 3) {                                                         \
    DW_S1_ASM(3, C, ST);                                                                  \
  } else {                                                                                \
    DW_S1_ASM(4, C, ST);                                                                  \
  }
  if constexpr (sizeof(IO) == 4) {
    if constexpr (CLAMP) {
      DW_BY_NV(YES, DW_ST_F)
    } else {
      DW_BY_NV(NO, DW_ST_F)
    }
  } else {
    if constexpr (CLAMP) {
      DW_BY_NV(YES, DW_ST_H)
    } else {
      DW_BY_NV(NO, DW_ST_H)
    }
  }
#undef DW_BY_NV
}

// ---- stride 2 (assembly) -------------------------------------------------------------
//
// A block of 16 outputs o..o+15 of one output row, one staged row: LD4 from
// staged column 2o gives a[i] = column 2o + 4i, b[i] = 2o + 4i + 1, c[i] =
// 2o + 4i + 2, d[i] = 2o + 4i + 3 (i < 8), and LD4 from 2o + 4 gives a'[i] =
// 2o + 4i + 4. Output o + 2i (even, E) reads columns 2o + 4i + {0, 1, 2} =
// a, b, c; output o + 2i + 1 (odd, O) reads 2o + 4i + {2, 3, 4} = c, d, a'.
// So tap column t of a tap row is one FMLA by element into E and one into O;
// E and O are stored interleaved by ST2 (outputs o .. o + 15 in order).
//
// Registers: v0 taps 0-7, v1 tap 8 (lane 0) and the bias (lane 1), v2 the
// bias in every lane, v3/v4 the clamp bounds; block j (0, 1) of a strip:
// windows a, b, c, d = v(8 + 8j) .. v(11 + 8j), a' = v(12 + 8j) (its LD4
// fills v(13 + 8j) .. v(15 + 8j) too, unused); accumulators of output row
// group A: E0 v24, O0 v25, E1 v26, O1 v27; group B: v28-v31. The float32
// store converts into v8-v15 (free after a step's FMLAs): FCVTL/FCVTL2 of
// E_j and O_j to v(8 + 4j) .. v(11 + 4j), ST2 {low E, low O}, ST2 {high E,
// high O}.
#define D2_A_E0 "v24"
#define D2_A_O0 "v25"
#define D2_A_E1 "v26"
#define D2_A_O1 "v27"
#define D2_B_E0 "v28"
#define D2_B_O0 "v29"
#define D2_B_E1 "v30"
#define D2_B_O1 "v31"
#define D2_WA0 "v8"
#define D2_WB0 "v9"
#define D2_WC0 "v10"
#define D2_WD0 "v11"
#define D2_WE0 "v12"
#define D2_WA1 "v16"
#define D2_WB1 "v17"
#define D2_WC1 "v18"
#define D2_WD1 "v19"
#define D2_WE1 "v20"

// The two loads of block 0 (pointers p0, p1 = p0 + 4 halves) and block 1
// (p2 = p0 + 32, p3 = p0 + 36), each pointer advancing a staged row.
#define D2_LOAD_1                                                                         \
  "ld4 {v8.8h-v11.8h}, [%[p0]], %[rs]\n"                                                  \
  "ld4 {v12.8h-v15.8h}, [%[p1]], %[rs]\n"
#define D2_LOAD_2                                                                         \
  D2_LOAD_1                                                                               \
  "ld4 {v16.8h-v19.8h}, [%[p2]], %[rs]\n"                                                 \
  "ld4 {v20.8h-v23.8h}, [%[p3]], %[rs]\n"
#define D2_LOAD(NB) D2_LOAD_##NB

// acc (+)= win * lane L of v0 / v1.
#define D2_FMA(INSN, ACC, WIN, K, L) INSN " " ACC ".8h, " WIN ".8h, " K ".h[" #L "]\n"
// One tap row of block j into group G: taps in lanes (K0, L0), (K1, L1),
// (K2, L2); the first with FIRST (fmul starts the accumulators).
#define D2_TROW(G, j, FIRST, K0, L0, K1, L1, K2, L2)                                      \
  D2_FMA(FIRST, D2_##G##_E##j, D2_WA##j, K0, L0)                                          \
  D2_FMA(FIRST, D2_##G##_O##j, D2_WC##j, K0, L0)                                          \
  D2_FMA("fmla", D2_##G##_E##j, D2_WB##j, K1, L1)                                         \
  D2_FMA("fmla", D2_##G##_O##j, D2_WD##j, K1, L1)                                         \
  D2_FMA("fmla", D2_##G##_E##j, D2_WC##j, K2, L2)                                         \
  D2_FMA("fmla", D2_##G##_O##j, D2_WE##j, K2, L2)
#define D2_TROWS_1(G, ...) D2_TROW(G, 0, __VA_ARGS__)
#define D2_TROWS_2(G, ...) D2_TROW(G, 0, __VA_ARGS__) D2_TROW(G, 1, __VA_ARGS__)
#define D2_ROW0(NB, G) D2_TROWS_##NB(G, "fmul", "v0", 0, "v0", 1, "v0", 2)
#define D2_ROW1(NB, G) D2_TROWS_##NB(G, "fmla", "v0", 3, "v0", 4, "v0", 5)
#define D2_ROW2(NB, G) D2_TROWS_##NB(G, "fmla", "v0", 6, "v0", 7, "v1", 0)

// Output stage of a finished group: bias, clamp, store.
#define D2_ON_1(G, OP) OP(D2_##G##_E0) OP(D2_##G##_O0)
#define D2_ON_2(G, OP) D2_ON_1(G, OP) OP(D2_##G##_E1) OP(D2_##G##_O1)
#define D2_BIAS_OP(r) "fadd " r ".8h, " r ".8h, v2.8h\n"
#define D2_MAX_OP(r) "fmax " r ".8h, " r ".8h, v3.8h\n"
#define D2_MIN_OP(r) "fmin " r ".8h, " r ".8h, v4.8h\n"
#define D2_CLAMP_YES(NB, G) D2_ON_##NB(G, D2_MAX_OP) D2_ON_##NB(G, D2_MIN_OP)
#define D2_CLAMP_NO(NB, G)
// binary16: ST2 {E_j, O_j} per block (the last advancing to the next row).
#define D2_ST_H_1(G) "st2 {" D2_##G##_E0 ".8h, " D2_##G##_O0 ".8h}, [%[y]], %[ys]\n"
#define D2_ST_H_2(G)                                                                      \
  "st2 {" D2_##G##_E0 ".8h, " D2_##G##_O0 ".8h}, [%[y]], #32\n"                           \
  "st2 {" D2_##G##_E1 ".8h, " D2_##G##_O1 ".8h}, [%[y]], %[ys]\n"
#define D2_ST_H(NB, G) D2_ST_H_##NB(G)
// float32: widen E_j, O_j into v(8 + 4j) .. v(11 + 4j), two ST2 per block.
#define D2_CVT(G, j, R0, R1, R2, R3)                                                      \
  "fcvtl " R0 ".4s, " D2_##G##_E##j ".4h\n"                                               \
  "fcvtl " R1 ".4s, " D2_##G##_O##j ".4h\n"                                               \
  "fcvtl2 " R2 ".4s, " D2_##G##_E##j ".8h\n"                                              \
  "fcvtl2 " R3 ".4s, " D2_##G##_O##j ".8h\n"
#define D2_ST_F_1(G)                                                                      \
  D2_CVT(G, 0, "v8", "v9", "v10", "v11")                                                  \
  "st2 {v8.4s, v9.4s}, [%[y]], #32\n"                                                     \
  "st2 {v10.4s, v11.4s}, [%[y]], %[ys]\n"
#define D2_ST_F_2(G)                                                                      \
  D2_CVT(G, 0, "v8", "v9", "v10", "v11")                                                  \
  D2_CVT(G, 1, "v12", "v13", "v14", "v15")                                                \
  "st2 {v8.4s, v9.4s}, [%[y]], #32\n"                                                     \
  "st2 {v10.4s, v11.4s}, [%[y]], #32\n"                                                   \
  "st2 {v12.4s, v13.4s}, [%[y]], #32\n"                                                   \
  "st2 {v14.4s, v15.4s}, [%[y]], %[ys]\n"
#define D2_ST_F(NB, G) D2_ST_F_##NB(G)
#define D2_OUT(NB, G, CLAMP, ST) D2_ON_##NB(G, D2_BIAS_OP) D2_CLAMP_##CLAMP(NB, G) ST(NB, G)

// R output rows from 2R + 1 staged rows: step (X, Z) loads the two rows
// after X's first, finishing X and starting Z with the second.
#define D2_STEP(NB, X, Z, CLAMP, ST)                                                      \
  D2_LOAD(NB) D2_ROW1(NB, X) D2_LOAD(NB) D2_ROW2(NB, X) D2_ROW0(NB, Z)                    \
  D2_OUT(NB, X, CLAMP, ST)
#define D2_ASM(NB, CLAMP, ST)                                                             \
  __asm__ volatile(                                                                       \
      DW_SETUP D2_LOAD(NB) D2_ROW0(NB, A)                                                 \
      "cbz %[n], 2f\n"                                                                    \
      "1:\n" D2_STEP(NB, A, B, CLAMP, ST) D2_STEP(NB, B, A, CLAMP, ST)                    \
      "subs %[n], %[n], #1\n"                                                             \
      "b.ne 1b\n"                                                                         \
      "2:\n"                                                                              \
      "cbz %[rem], 3f\n" D2_STEP(NB, A, B, CLAMP, ST)                                     \
      "3:\n"                                                                              \
      : [p0] "+r"(p0), [p1] "+r"(p1), [p2] "+r"(p2), [p3] "+r"(p3), [y] "+r"(y),          \
        [n] "+r"(n)                                                                       \
      : [rem] "r"(rem), [rs] "r"(rs), [ys] "r"(ys), [k] "r"(k), [lo] "r"(lohi),          \
        [hi] "r"(lohi + 1)                                                                \
      : DW_CLOBBERS)

// NB blocks (16 NB output columns) from staged column 2c (p = the staged
// row's column 2c), R output rows to y (row stride ys_elems elements of IO).
template <int NB, bool CLAMP, class IO>
void strip_s2(const Half* p, size_t rs_bytes, IO* y_, size_t ys_elems, size_t rows,
              const Half* k, const Half* lohi) {
  const Half* p0 = p;
  const Half* p1 = p + 4;
  const Half* p2 = p + 32;
  const Half* p3 = p + 36;
  IO* y = y_;
  const size_t rs = rs_bytes;
  // Stores advance 32 bytes each, the last one to the next row.
  const size_t stores = (sizeof(IO) == 4 ? 2 : 1) * NB;
  const size_t ys = ys_elems * sizeof(IO) - 32 * (stores - 1);
  size_t n = rows / 2, rem = rows % 2;
  if constexpr (sizeof(IO) == 4) {
    if constexpr (CLAMP) {
      if constexpr (NB == 1) D2_ASM(1, YES, D2_ST_F); else D2_ASM(2, YES, D2_ST_F);
    } else {
      if constexpr (NB == 1) D2_ASM(1, NO, D2_ST_F); else D2_ASM(2, NO, D2_ST_F);
    }
  } else {
    if constexpr (CLAMP) {
      if constexpr (NB == 1) D2_ASM(1, YES, D2_ST_H); else D2_ASM(2, YES, D2_ST_H);
    } else {
      if constexpr (NB == 1) D2_ASM(1, NO, D2_ST_H); else D2_ASM(2, NO, D2_ST_H);
    }
  }
}

// ---- plane -----------------------------------------------------------------------------

// Padding. Staged columns that hold no input column are zero: staging rows
// are zeroed once per call, before their first use (the header counts the
// rows zeroed; p.fresh: none yet); the staging then writes only the input
// columns, the same ones for every plane of the call (they share w,
// pad_left and wo), so the zeros stay. Rows above and below the image are
// written as zeros whole.
template <int S, bool CLAMP, class IO>
void plane(const DwPlaneH<IO>& p) {
  const size_t wo = p.wo, ho = p.ho, w = p.w, pl = p.pad_left;
  const size_t rs = row_halves(wo, S);  // halves per staged row
  const size_t band = band_out_rows(wo, S);
  char* base = static_cast<char*>(p.scratch);
  size_t* zeroed = reinterpret_cast<size_t*>(base);
  Half* st = reinterpret_cast<Half*>(base + kHeaderBytes);
  IO* tile = reinterpret_cast<IO*>(base + kHeaderBytes + band_bytes(wo, S));
  if (p.fresh) *zeroed = 0;
  const size_t need = (std::min(band, ho) - 1) * S + 3;  // staging rows this plane uses
  if (need > *zeroed) {
    zero_from(st + *zeroed * rs, 0, (need - *zeroed) * rs);
    *zeroed = need;
  }
  // Input columns staged: those that fit the row (all, when the bottom-right
  // padding is >= 0; any beyond feed no output).
  const size_t n = pl < rs ? std::min(w, rs - pl) : 0;
  const Half lohi[2] = {p.lo, p.hi};
  const size_t rsb = rs * sizeof(Half);
  for (size_t oy0 = 0; oy0 < ho; oy0 += band) {
    const size_t rows = std::min(band, ho - oy0), staged = (rows - 1) * S + 3;
    // Staged row r is input row iy0 + r: image rows are [r0, r1).
    const int64_t iy0 = int64_t(oy0 * S) - int64_t(p.pad_top);
    const size_t r0 = size_t(std::clamp<int64_t>(-iy0, 0, int64_t(staged)));
    const size_t r1 = size_t(std::clamp<int64_t>(int64_t(p.h) - iy0, int64_t(r0), int64_t(staged)));
    for (size_t r = 0; r < r0; r++) zero_from(st + r * rs, 0, rs);
    for (size_t r = r1; r < staged; r++) zero_from(st + r * rs, 0, rs);
    if (r1 > r0 && n > 0)
      stage_rows(st + r0 * rs + pl, rs, p.x + size_t(iy0 + int64_t(r0)) * w, w, n, r1 - r0);
    IO* yb = p.y + oy0 * wo;
    const size_t tc = tile_cols(S);
    if constexpr (S == 1) {
      auto run = [&](size_t c, auto nv) {
        strip_s1<decltype(nv)::value, CLAMP>(st + c, rsb, yb + c, wo, rows, p.k, lohi);
      };
      using V1 = std::integral_constant<int, 1>;
      using V2 = std::integral_constant<int, 2>;
      using V3 = std::integral_constant<int, 3>;
      using V4 = std::integral_constant<int, 4>;
      if (wo < tc) {  // into the tile, then the valid columns out
        strip_s1<1, CLAMP>(st, rsb, tile, tc, rows, p.k, lohi);
        for (size_t r = 0; r < rows; r++) std::memcpy(yb + r * wo, tile + r * tc, wo * sizeof(IO));
        continue;
      }
      // Whole strips of 4 vectors (below 32 columns one strip of 3, 2 or 1),
      // then the narrowest strip that ends at the last column, overlapping
      // the one before when the columns left are not a multiple of 8 (the
      // same values stored again).
      size_t c = 0;
      if (wo >= 32) {
        for (; c + 32 <= wo; c += 32) run(c, V4());
      } else if (wo >= 24) {
        run(c, V3());
        c = 24;
      } else if (wo >= 16) {
        run(c, V2());
        c = 16;
      } else {
        run(c, V1());
        c = 8;
      }
      const size_t left = wo - c;  // c <= wo (wo >= 8 here), and c >= 8 * NV below
      if (left == 0) continue;
      if (left <= 8) run(wo - 8, V1());
      else if (left <= 16) run(wo - 16, V2());
      else if (left <= 24) run(wo - 24, V3());
      else run(wo - 32, V4());
    } else {
      // Output column c reads from staged column 2c.
      if (wo < tc) {
        strip_s2<1, CLAMP>(st, rsb, tile, tc, rows, p.k, lohi);
        for (size_t r = 0; r < rows; r++) std::memcpy(yb + r * wo, tile + r * tc, wo * sizeof(IO));
        continue;
      }
      // Strips of 2 blocks (32 columns), then blocks of 16 up to the last
      // column, the last one ending there (overlapping the one before).
      size_t c = 0;
      for (; c + 32 <= wo; c += 32) strip_s2<2, CLAMP>(st + 2 * c, rsb, yb + c, wo, rows, p.k, lohi);
      if (c + 16 < wo) {
        strip_s2<1, CLAMP>(st + 2 * c, rsb, yb + c, wo, rows, p.k, lohi);
        c += 16;
      }
      if (c < wo) strip_s2<1, CLAMP>(st + 2 * (wo - 16), rsb, yb + wo - 16, wo, rows, p.k, lohi);
    }
  }
}

// The planes of a call: narrow "same" maps through the rows kernels
// (dwconv3x3_rows_fp16.cpp), which run all or all but the last; the rest one
// plane at a time through the strips (the scratch untouched by the rows
// kernels: the first of them fresh as the call's).
template <int S, class IO>
void plane_any(const DwPlaneH<IO>& p) {
  const size_t done = S == 1 ? dw3x3_fp16_rows_s1(p) : dw3x3_fp16_rows_s2(p);
  DwPlaneH<IO> q = p;
  for (size_t i = done; i < p.count; i++) {
    q.x = p.x + i * p.h * p.w;
    q.y = p.y + i * p.ho * p.wo;
    q.k = p.k + i * kDw3x3PackedHalves;
    q.fresh = p.fresh && i == done;
    if (p.clamp) plane<S, true>(q);
    else plane<S, false>(q);
  }
}

}  // namespace

const Dw3x3F16Kernels& dw3x3_fp16_kernels() {
  static const Dw3x3F16Kernels k = {"dwconv3x3-aarch64-1x32-fp16", plane_any<1, float>,
                                    plane_any<2, float>, plane_any<1, Half>, plane_any<2, Half>,
                                    scratch_bytes};
  return k;
}

}  // namespace detail
}  // namespace armconv

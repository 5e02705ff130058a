// NEON fp16 depthwise 3x3, stride 1 and 2, aarch64 + FP16
// (dwconv3x3-aarch64-1x32-fp16: one output row of up to 32 columns, four
// .8h vectors, per strip step). Contract and order of operations:
// core/dwconv.h (DwPlaneH). An ISA-extension unit (-march=armv8.2-a+fp16),
// reached only through dispatch.cpp; everything here is in an anonymous
// namespace.
//
// Staging. A band of the plane's rows is copied into scratch as binary16
// (converted from float32 here: FCVTN; the only pass over the image), with
// the padding written as zeros: staged column c of a row holds input column
// c - pad_left for stride 1; for stride 2 the row is split into its even and
// odd staged columns (E[i] = column 2i, O[i] = column 2i + 1), so that every
// tap of a vector of 8 outputs is 8 consecutive staged values:
//   stride 1: tap column t of outputs o..o+7: row[o + t ..]
//   stride 2: tap 0: E[o ..], tap 1: O[o ..], tap 2: E[o + 1 ..]
// Rows above and below the image are staged as zero rows, so the kernel has
// no border cases: each tap of a strip of 4 vectors is one unaligned
// LD1 {4 regs} per staged row.
//
// Strips (assembly, like the fp32 kernel's structure: staged rows stream
// down, each one loaded once and multiplied into every output row it feeds;
// accumulators rotate by unrolling, so the rotation is a renaming):
//   stride 1: a staged row feeds tap row 2 of output row r - 2 (which then
//     leaves: bias, clamp, store), tap row 1 of r - 1 and starts r (FMUL of
//     tap 0): 36 FMLA/FMUL per 3 loads; three rows of accumulators.
//   stride 2: rows 2r + 1 and 2r + 2 finish output row r; the latter also
//     starts row r + 1: two rows of accumulators.
// Per output row of 32 columns, stride 1, binary16 image and output: 36
// FMLA/FMUL, 3 LD1 {4 regs}, 4 FADD (bias), 1 ST1 {4 regs}, 1/3 of the loop
// = 44.3 instructions for 288 MACs (6.5 MACs/instruction), plus staging
// (~0.2 instructions per input element from binary16, ~0.6 from float32,
// whose output also costs 8 FCVTL + 2 stores per row).
//
// Registers: v0 taps 0-7, v1 tap 8 (lane 0) and the bias (lane 1), v2 the
// bias in every lane, v3/v4 the clamp bounds; v8-v19 the windows of the
// current staged row, W(t, j) = v(8 + 4t + j) for tap column t, output
// vector j (free after the row's FMLAs: the float32 store converts into
// them); v20-v23, v24-v27, v28-v31 three rows of 4 accumulators (A, B, C).
// Strips of 3, 2 and 1 vectors use the first registers of each group.
#include <arm_neon.h>

#include <algorithm>
#include <cstring>

#include "core/buffer.h"
#include "core/dwconv.h"
#include "neon/hgemm_pack_fp16.h"  // load8 / store8 (float32 or binary16 to binary16 lanes)

namespace armconv {
namespace detail {
namespace {

// Staged row length (per stream), in halves: the widest read is the last
// strip's, at most wo + 9 staged columns; plus a vector of slack for the
// zero-filling stores.
inline size_t stream_halves(size_t wo) { return round_up(wo, 8) + 24; }
// Bytes of one staged row (stride 2: the E and O streams).
inline size_t row_bytes(size_t wo, size_t stride) {
  return stride * stream_halves(wo) * sizeof(Half);
}
// Staged rows in a band: enough for ~32 KB (a share of L1), at least one
// output row's three.
constexpr size_t kBandBytes = 32 * 1024;
inline size_t band_rows(size_t wo, size_t stride) {
  return std::max<size_t>(3, kBandBytes / row_bytes(wo, stride));
}
// Output rows per band: staged rows (R - 1) * stride + 3 <= band_rows.
inline size_t band_out_rows(size_t wo, size_t stride) {
  return (band_rows(wo, stride) - 3) / stride + 1;
}
// Maps narrower than a vector go through an output tile of 8 columns per row.
inline size_t tile_bytes(size_t wo, size_t stride) {
  return wo < 8 ? band_out_rows(wo, stride) * 8 * sizeof(float) : 0;
}

inline size_t band_bytes(size_t wo, size_t stride) {
  return round_up(band_rows(wo, stride) * row_bytes(wo, stride), 64);
}
// Scratch: a header (the number of staging rows zeroed so far in this call,
// see plane()), the band, the tile.
constexpr size_t kHeaderBytes = 64;
size_t scratch_bytes(size_t wo, size_t stride) {
  return kHeaderBytes + band_bytes(wo, stride) + tile_bytes(wo, stride);
}

// ---- staging -------------------------------------------------------------------------

#define ARMCONV_F16_INLINE inline __attribute__((always_inline))

// Zeros to [from, to), in whole vectors (may write up to 7 halves past `to`:
// callers give a multiple of 8).
// (The empty asm hides that z is zero: compilers otherwise turn the loop
// into a call of memset, which costs more than these few stores.)
inline void zero_from(Half* row, size_t from, size_t to) {
  uint16x8_t z = vdupq_n_u16(0);
  __asm__("" : "+w"(z));
  for (size_t c = from; c < to; c += 8) vst1q_u16(hp(row + c), z);
}

// n elements of s to d, converted (whole vectors, the last one overlapping).
template <class IO>
inline void copy_row(Half* d, const IO* s, size_t n) {
  if (n >= 8) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
      store8(d + i, load8(s + i));
      store8(d + i + 8, load8(s + i + 8));
    }
    for (; i + 8 <= n; i += 8) store8(d + i, load8(s + i));
    if (i < n) store8(d + n - 8, load8(s + n - 8));
  } else {
    for (size_t i = 0; i < n; i++) d[i] = to_half(s[i]);
  }
}

// Stride 1: staged column c = input column c - pl.
// The padding columns are zero already (plane(), "Padding").
template <class IO>
ARMCONV_F16_INLINE void stage_row_s1(Half* row, const IO* x, size_t w, size_t pl) {
  copy_row(row + pl, x, w);
}

// Stride 2: staged column c = input column c - pl, even staged columns to
// E (row), odd ones to O (row + len). Input column j goes to staged column
// j + pl: with q = pl / 2, even pl puts even j at E[q + j/2] and odd j at
// O[q + j/2]; odd pl puts even j at O[q + j/2] and odd j at E[q + 1 + j/2].
// The padding columns are zero already (plane(), "Padding").
template <class IO>
ARMCONV_F16_INLINE void stage_row_s2(Half* row, const IO* x, size_t w, size_t pl, size_t len) {
  Half* e = row;
  Half* o = row + len;
  const size_t q = pl / 2;
  Half* de = pl % 2 ? o + q : e + q;      // even input columns
  Half* dd = pl % 2 ? e + q + 1 : o + q;  // odd input columns
  // 16 input columns (8 to each stream) at a time; the last 16 overlap the
  // ones before (the same values written again), then for odd w the last
  // column alone. Below 16 columns, one at a time.
  auto split16 = [&](size_t m) {
    if constexpr (sizeof(IO) == 4) {
      const float32x4x2_t a = vld2q_f32(x + 2 * m), b = vld2q_f32(x + 2 * m + 8);
      store8(de + m, cvt8(a.val[0], b.val[0]));
      store8(dd + m, cvt8(a.val[1], b.val[1]));
    } else {
      const uint16x8x2_t a = vld2q_u16(hp(x + 2 * m));
      vst1q_u16(hp(de + m), a.val[0]);
      vst1q_u16(hp(dd + m), a.val[1]);
    }
  };
  if (w >= 16) {
    for (size_t m = 0; 2 * m + 16 <= w; m += 8) split16(m);
    if (w % 16 > 1) split16(w / 2 - 8);  // x[w - 16 - w % 2 .. w - w % 2)
    if (w % 2) de[w / 2] = to_half(x[w - 1]);
  } else {
    for (size_t m = 0; 2 * m < w; m++) {
      de[m] = to_half(x[2 * m]);
      if (2 * m + 1 < w) dd[m] = to_half(x[2 * m + 1]);
    }
  }
}

// ---- strips (assembly) ----------------------------------------------------------------

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

// Stride 2, R output rows from 2R + 1 staged rows: step (X, Z) loads the
// two rows after X's first, finishing X and starting Z with the second.
#define DW_S2_STEP(NV, X, Z, CLAMP, ST)                                                   \
  DW_LOAD(NV) DW_ROW1(NV, X) DW_LOAD(NV) DW_ROW2(NV, X) DW_ROW0(NV, Z)                    \
  DW_OUT(NV, X, CLAMP, ST)
#define DW_S2_ASM(NV, CLAMP, ST)                                                          \
  __asm__ volatile(                                                                       \
      DW_SETUP DW_LOAD(NV) DW_ROW0(NV, A)                                                 \
      "cbz %[n], 2f\n"                                                                    \
      "1:\n" DW_S2_STEP(NV, A, B, CLAMP, ST) DW_S2_STEP(NV, B, A, CLAMP, ST)              \
      "subs %[n], %[n], #1\n"                                                             \
      "b.ne 1b\n"                                                                         \
      "2:\n"                                                                              \
      "cbz %[rem], 3f\n" DW_S2_STEP(NV, A, B, CLAMP, ST)                                  \
      "3:\n"                                                                              \
      : [p0] "+r"(p0), [p1] "+r"(p1), [p2] "+r"(p2), [y] "+r"(y), [n] "+r"(n)             \
      : [rem] "r"(rem), [rs] "r"(rs), [ys] "r"(ys), [k] "r"(k), [lo] "r"(lohi),          \
        [hi] "r"(lohi + 1)                                                                \
      : DW_CLOBBERS)

// One strip: NV vectors of output columns from staged column c (the three
// tap pointers p0-p2, see the top), R output rows to y (row stride ys_elems
// elements of IO).
template <int S, int NV, bool CLAMP, class IO>
void strip(const Half* p0_, const Half* p1_, const Half* p2_, size_t rs_bytes, IO* y_,
           size_t ys_elems, size_t rows, const Half* k, const Half* lohi) {
  const Half* p0 = p0_;
  const Half* p1 = p1_;
  const Half* p2 = p2_;
  IO* y = y_;
  const size_t rs = rs_bytes;
  // Stores advance by the row stride; the two-store float32 form by 64 first.
  const size_t ys = ys_elems * sizeof(IO) - (sizeof(IO) == 4 && NV >= 3 ? 64 : 0);
  size_t n = rows / (S == 1 ? 3 : 2), rem = rows % (S == 1 ? 3 : 2);
#define DW_PICK(SA, N, C, ST)                                                             \
  if constexpr (S == 1) DW_S1_ASM(N, C, ST);                                              \
  else DW_S2_ASM(N, C, ST);
#define DW_BY_NV(C, ST)                                                                   \
  if constexpr (NV == 1) {                                                                \
    DW_PICK(S, 1, C, ST)                                                                  \
  } else if constexpr (NV == 2) {                                                         \
    DW_PICK(S, 2, C, ST)                                                                  \
  } else if constexpr (NV == 3) {                                                         \
    DW_PICK(S, 3, C, ST)                                                                  \
  } else {                                                                                \
    DW_PICK(S, 4, C, ST)                                                                  \
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
#undef DW_PICK
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
  const size_t len = stream_halves(p.wo), rs = S * len;  // halves per staged row
  const size_t band = band_out_rows(p.wo, S);
  const size_t h = p.h, w = p.w, wo = p.wo, ho = p.ho, pl = p.pad_left;
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
  const Half lohi[2] = {p.lo, p.hi};
  // The three tap pointers of staged column c (see the top).
  auto taps = [&](size_t c, const Half** t0, const Half** t1, const Half** t2) {
    *t0 = st + c;
    *t1 = S == 1 ? st + c + 1 : st + len + c;
    *t2 = st + c + 1 + (S == 1);
  };
  for (size_t oy0 = 0; oy0 < ho; oy0 += band) {
    const size_t rows = std::min(band, ho - oy0), staged = (rows - 1) * S + 3;
    const int64_t iy0 = int64_t(oy0 * S) - int64_t(p.pad_top);
    for (size_t r = 0; r < staged; r++) {
      const int64_t iy = iy0 + int64_t(r);
      Half* row = st + r * rs;
      if (iy < 0 || iy >= int64_t(h)) {
        zero_from(row, 0, rs);
      } else {
        const IO* xr = p.x + size_t(iy) * w;
        if constexpr (S == 1) stage_row_s1(row, xr, w, pl);
        else stage_row_s2(row, xr, w, pl, len);
      }
    }
    IO* yb = p.y + oy0 * wo;
    const size_t rsb = rs * sizeof(Half);
    const Half *t0, *t1, *t2;
    auto run = [&](size_t c, auto nv) {
      constexpr int NV = decltype(nv)::value;
      taps(c, &t0, &t1, &t2);
      strip<S, NV, CLAMP>(t0, t1, t2, rsb, yb + c, wo, rows, p.k, lohi);
    };
    using V1 = std::integral_constant<int, 1>;
    using V2 = std::integral_constant<int, 2>;
    using V3 = std::integral_constant<int, 3>;
    using V4 = std::integral_constant<int, 4>;
    if (wo < 8) {  // into the tile (8 columns per row), then the valid columns out
      taps(0, &t0, &t1, &t2);
      strip<S, 1, CLAMP>(t0, t1, t2, rsb, tile, 8, rows, p.k, lohi);
      for (size_t r = 0; r < rows; r++) std::memcpy(yb + r * wo, tile + r * 8, wo * sizeof(IO));
      continue;
    }
    // Whole strips of 4 vectors (below 32 columns one strip of 3, 2 or 1),
    // then the narrowest strip that ends at the last column, overlapping the
    // one before when the columns left are not a multiple of 8 (the same
    // values stored again).
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
  }
}

template <int S, class IO>
void plane_any(const DwPlaneH<IO>& p) {
  if (p.clamp) plane<S, true>(p);
  else plane<S, false>(p);
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

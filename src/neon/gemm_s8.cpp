// NEON int8 GEMM, the smull path (chgemm style): k grouped by 16 (see
// core/gemm_s8.h). For one row group a (16 int8) and one column group b:
//
//   t = smull(a[0:8], b[0:8])        8 int16 lanes: a_i * b_i
//   t = smlal2(t, a[8:16], b[8:16])  lane i += a_{i+8} * b_{i+8}   (|t| <= 2*127*128)
//   acc = sadalp(acc, t)             4 int32 lanes += pairs of t
//
// 16 MACs in 3 instructions. The 4 lanes of acc (row r, column j) are summed
// once per tile with pairwise adds; the first k group widens with saddlp
// instead of sadalp so the accumulators need no zeroing.
//
// Tiles: aarch64 4 x 4 (16 accumulators + 4 A + 4 B registers + 8 int16
// temporaries: all 32), in assembly; armv7 4 x 2 (8 accumulators + 4 A + 2 B
// + 2 temporaries: all 16 q registers), in assembly, spelling smull/smlal2 as
// vmull.s8/vmlal.s8 on d halves.
#include <arm_neon.h>

#include "core/buffer.h"
#include "core/gemm_s8.h"
#include "neon/gemm_s8_neon.h"

namespace armconv {
namespace detail {
namespace {

#if !defined(__aarch64__)
// ---- the armv7 4 x 2 tile (assembly) -------------------------------------------
// Register allocation (the 16 q registers, all used):
//   q0-q3   A rows 0-3 of one k group (row r in d(2r), d(2r+1): its k 0-7, 8-15)
//   q4-q5   B columns 0-1 of the group (column j in d(8+2j), d(9+2j))
//   q6-q7   int16 products of one row with both columns
//   q8-q15  int32 accumulators, (row r, column j) in q(8 + 2r + j)
// One k group (128 MACs): 3 loads (vld1.8 of 4 d registers: A 64 bytes,
// B 32 bytes) + 8 x (vmull.s8, vmlal.s8, vpadal.s16) = 27 instructions; the
// first group widens with vpaddl (no zeroing), the loop runs two groups per
// iteration. Then each accumulator's 4 lanes are summed with vpadd (12), and
// the 4 x 2 sums are stored as rows [r0c0 r0c1 r1c0 r1c1 | r2c0 r2c1 r3c0 r3c1]
// for the output stage. (Assembly: the compilers spill with all 16 q live.)
#define ARMCONV_A32_ROW(OP, a_lo, a_hi, acc0, acc1)                                  \
  "vmull.s8 q6, " a_lo ", d8\n vmull.s8 q7, " a_lo ", d10\n"                        \
  "vmlal.s8 q6, " a_hi ", d9\n vmlal.s8 q7, " a_hi ", d11\n"                        \
  OP ".s16 " acc0 ", q6\n " OP ".s16 " acc1 ", q7\n"
#define ARMCONV_A32_GROUP(OP)                                                          \
  "vld1.8 {d0-d3}, [%[a]]!\n vld1.8 {d4-d7}, [%[a]]!\n vld1.8 {d8-d11}, [%[b]]!\n"   \
  ARMCONV_A32_ROW(OP, "d0", "d1", "q8", "q9") ARMCONV_A32_ROW(OP, "d2", "d3", "q10", "q11") \
  ARMCONV_A32_ROW(OP, "d4", "d5", "q12", "q13") ARMCONV_A32_ROW(OP, "d6", "d7", "q14", "q15")

// The 4 x 2 sums of `groups` k groups of one A panel and one B panel to
// sums[8] (layout above). Few general registers (a, b, n2, odd, sums): GCC at
// -O0 in Thumb-2 has little more to give.
ARMCONV_S8_INLINE void tile_4x2_sums(size_t groups, const int8_t* a, const int8_t* b,
                                     int32_t* sums) {
  size_t n2 = (groups - 1) / 2;
  const size_t odd = (groups - 1) % 2;
  __asm__ volatile(
      ARMCONV_A32_GROUP("vpaddl")
      "cmp %[n2], #0\n"
      "beq 2f\n"
      "1:\n" ARMCONV_A32_GROUP("vpadal") ARMCONV_A32_GROUP("vpadal")
      "subs %[n2], %[n2], #1\n"
      "bne 1b\n"
      "2:\n"
      "cmp %[odd], #0\n"
      "beq 3f\n" ARMCONV_A32_GROUP("vpadal")
      "3:\n"
      // d(16+i) = pairwise sums of accumulator i, then d(r) = [sum(r,0), sum(r,1)].
      "vpadd.i32 d16, d16, d17\n vpadd.i32 d17, d18, d19\n vpadd.i32 d18, d20, d21\n"
      "vpadd.i32 d19, d22, d23\n vpadd.i32 d20, d24, d25\n vpadd.i32 d21, d26, d27\n"
      "vpadd.i32 d22, d28, d29\n vpadd.i32 d23, d30, d31\n"
      "vpadd.i32 d0, d16, d17\n vpadd.i32 d1, d18, d19\n"
      "vpadd.i32 d2, d20, d21\n vpadd.i32 d3, d22, d23\n"
      "vst1.32 {d0-d3}, [%[sums]]\n"
      : [a] "+r"(a), [b] "+r"(b), [n2] "+r"(n2)
      : [odd] "r"(odd), [sums] "r"(sums)
      : "cc", "memory", "d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9", "d10",
        "d11", "d12", "d13", "d14", "d15", "d16", "d17", "d18", "d19", "d20", "d21", "d22",
        "d23", "d24", "d25", "d26", "d27", "d28", "d29", "d30", "d31");
}
#undef ARMCONV_A32_GROUP
#undef ARMCONV_A32_ROW

// Per-row values x[0..3] as [x0 x0 x1 x1 | x2 x2 x3 x3], the sums' layout.
inline int32x4x2_t rows_to_pairs(int32x4_t x) { return vzipq_s32(x, x); }

// The output stage of one call in the sums' layout, read from S8Output once
// per call rather than once per tile (the tile's assembly clobbers memory).
struct Stage4x2 {
  int32x4x2_t bias;
  int32x4_t shift;     // Int8: E in every lane (vqshl by 0 is the identity)
  int32x4x2_t mult;    // Int8
  int8x8_t qmin, qmax; // Int8
  float32x4x2_t scale; // Float
  float32x4_t fmin, fmax;
  bool fclamp;
  explicit Stage4x2(const S8Output& out) {
    bias = rows_to_pairs(vld1q_s32(out.bias));
    shift = vdupq_n_s32(out.shift);
    mult = rows_to_pairs(out.mult ? vld1q_s32(out.mult) : vdupq_n_s32(0));
    qmin = vdup_n_s8(int8_t(out.qmin));
    qmax = vdup_n_s8(int8_t(out.qmax));
    const float32x4_t s = out.fscale ? vld1q_f32(out.fscale) : vdupq_n_f32(0.0f);
    scale = vzipq_f32(s, s);
    fmin = vdupq_n_f32(out.fmin);
    fmax = vdupq_n_f32(out.fmax);
    fclamp = out.fclamp;
  }
};

// A full 4 x 2 tile (s01, s23: sums + bias) through the output stage: two
// columns of a row are adjacent in C, so each row is one 2-element store.
template <S8OutKind K>
inline void store_4x2(int32x4_t s01, int32x4_t s23, void* c, size_t ldc, const Stage4x2& st) {
  if (K == S8OutKind::Int32) {
    int32_t* p = static_cast<int32_t*>(c);
    vst1_s32(p, vget_low_s32(s01));
    vst1_s32(p + ldc, vget_high_s32(s01));
    vst1_s32(p + 2 * ldc, vget_low_s32(s23));
    vst1_s32(p + 3 * ldc, vget_high_s32(s23));
  } else if (K == S8OutKind::Int8) {
    s01 = vqrdmulhq_s32(vqshlq_s32(s01, st.shift), st.mult.val[0]);
    s23 = vqrdmulhq_s32(vqshlq_s32(s23, st.shift), st.mult.val[1]);
    int8x8_t q = vqmovn_s16(vcombine_s16(vqmovn_s32(s01), vqmovn_s32(s23)));
    q = vmin_s8(vmax_s8(q, st.qmin), st.qmax);
    // Row r is int16 lane r, a 2-byte store to a possibly odd address:
    // memcpy (vst1_lane_s16 lets clang assume 2-byte alignment: SIGBUS).
    const int16x4_t h = vreinterpret_s16_s8(q);
    const int16_t r0 = vget_lane_s16(h, 0), r1 = vget_lane_s16(h, 1);
    const int16_t r2 = vget_lane_s16(h, 2), r3 = vget_lane_s16(h, 3);
    int8_t* p = static_cast<int8_t*>(c);
    std::memcpy(p, &r0, 2);
    std::memcpy(p + ldc, &r1, 2);
    std::memcpy(p + 2 * ldc, &r2, 2);
    std::memcpy(p + 3 * ldc, &r3, 2);
  } else {
    float32x4_t f01 = vmulq_f32(vcvtq_f32_s32(s01), st.scale.val[0]);
    float32x4_t f23 = vmulq_f32(vcvtq_f32_s32(s23), st.scale.val[1]);
    if (st.fclamp) {
      f01 = vminq_f32(vmaxq_f32(f01, st.fmin), st.fmax);
      f23 = vminq_f32(vmaxq_f32(f23, st.fmin), st.fmax);
    }
    float* p = static_cast<float*>(c);
    vst1_f32(p, vget_low_f32(f01));
    vst1_f32(p + ldc, vget_high_f32(f01));
    vst1_f32(p + 2 * ldc, vget_low_f32(f23));
    vst1_f32(p + 3 * ldc, vget_high_f32(f23));
  }
}

// The C block of one A panel: tiles of 2 columns; full tiles through
// store_4x2, partial ones (m < 4 or one column) row by row through s8_store4.
template <S8OutKind K>
void ukernel_4x2_loop(size_t groups, size_t m, size_t n, const int8_t* a, const int8_t* b, void* c,
                      size_t ldc, const S8Output& out) {
  constexpr size_t MR = 4, NR = 2, es = K == S8OutKind::Int8 ? 1 : 4;
  const Stage4x2 st(out);
  for (size_t q = 0; q < n; q += NR, b += NR * 16 * groups) {
    alignas(16) int32_t sums[2 * MR + 2];  // + 2 zeros: s8_store4 reads 4 from row 3
    tile_4x2_sums(groups, a, b, sums);
    const int32x4_t s01 = vaddq_s32(vld1q_s32(sums), st.bias.val[0]);
    const int32x4_t s23 = vaddq_s32(vld1q_s32(sums + 4), st.bias.val[1]);
    void* cq = static_cast<char*>(c) + q * es;
    if (m == MR && q + NR <= n) {
      store_4x2<K>(s01, s23, cq, ldc, st);
      continue;
    }
    vst1q_s32(sums, s01);
    vst1q_s32(sums + 4, s23);
    sums[8] = sums[9] = 0;
    const size_t cols = n - q < NR ? n - q : NR;
    for (size_t r = 0; r < m; r++) s8_store4(vld1q_s32(sums + 2 * r), r, 0, cols, cq, ldc, out);
  }
}

void ukernel_smull_4x2(size_t k, size_t m, size_t n, const int8_t* a, const int8_t* b, void* c,
                       size_t ldc, const S8Output& out) {
  const size_t groups = div_up(k, 16);
  switch (out.kind) {
    case S8OutKind::Int32: ukernel_4x2_loop<S8OutKind::Int32>(groups, m, n, a, b, c, ldc, out); break;
    case S8OutKind::Int8: ukernel_4x2_loop<S8OutKind::Int8>(groups, m, n, a, b, c, ldc, out); break;
    case S8OutKind::Float: ukernel_4x2_loop<S8OutKind::Float>(groups, m, n, a, b, c, ldc, out); break;
  }
}
#endif

#if defined(__aarch64__)
// ---- the aarch64 4 x 4 tile (assembly) -----------------------------------------
// A rows 0-3 in v0-v3, B columns 0-3 in v4-v7 (one k group each), int16
// products in v8-v15, accumulator (row r, column j) in v(16 + 4r + j).
// A k group: 16 x (smull, smlal2, sadalp) for two rows at a time (8
// temporaries in flight) + 2 loads = 50 instructions for 256 MACs; the first
// group uses saddlp (no zeroing), the loop runs two groups per iteration.
// Then row r's sum is addp(addp(acc r0, acc r1), addp(acc r2, acc r3)), plus
// the row's bias. (Assembly: with all 32 registers live the compilers spill.)
#define ARMCONV_SM_ROWS(OP, ra, rb, a0, a1, a2, a3, b0, b1, b2, b3)                        \
  "smull v8.8h, " ra ".8b, v4.8b\n smull v9.8h, " ra ".8b, v5.8b\n"                      \
  "smull v10.8h, " ra ".8b, v6.8b\n smull v11.8h, " ra ".8b, v7.8b\n"                    \
  "smull v12.8h, " rb ".8b, v4.8b\n smull v13.8h, " rb ".8b, v5.8b\n"                    \
  "smull v14.8h, " rb ".8b, v6.8b\n smull v15.8h, " rb ".8b, v7.8b\n"                    \
  "smlal2 v8.8h, " ra ".16b, v4.16b\n smlal2 v9.8h, " ra ".16b, v5.16b\n"                \
  "smlal2 v10.8h, " ra ".16b, v6.16b\n smlal2 v11.8h, " ra ".16b, v7.16b\n"              \
  "smlal2 v12.8h, " rb ".16b, v4.16b\n smlal2 v13.8h, " rb ".16b, v5.16b\n"              \
  "smlal2 v14.8h, " rb ".16b, v6.16b\n smlal2 v15.8h, " rb ".16b, v7.16b\n"              \
  OP " " a0 ".4s, v8.8h\n " OP " " a1 ".4s, v9.8h\n " OP " " a2 ".4s, v10.8h\n"           \
  OP " " a3 ".4s, v11.8h\n " OP " " b0 ".4s, v12.8h\n " OP " " b1 ".4s, v13.8h\n"         \
  OP " " b2 ".4s, v14.8h\n " OP " " b3 ".4s, v15.8h\n"
#define ARMCONV_SM_GROUP(OP)                                                                \
  "ld1 {v0.16b, v1.16b, v2.16b, v3.16b}, [%[a]], #64\n"                                    \
  "ld1 {v4.16b, v5.16b, v6.16b, v7.16b}, [%[b]], #64\n"                                    \
  ARMCONV_SM_ROWS(OP, "v0", "v1", "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23")  \
  ARMCONV_SM_ROWS(OP, "v2", "v3", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31")

// After the loop and the row sums (+ bias) in v0-v3, one of these stores:
// int32 rows at c (stride ldc bytes);
#define ARMCONV_SM_STORE_INT32                                  \
  "st1 {v0.4s}, [%[c]], %[ldc]\n st1 {v1.4s}, [%[c]], %[ldc]\n" \
  "st1 {v2.4s}, [%[c]], %[ldc]\n st1 {v3.4s}, [%[c]], %[ldc]\n"
// the 4 x 4 sums to the buffer at c (for partial tiles);
#define ARMCONV_SM_SPILL "st1 {v0.4s, v1.4s, v2.4s, v3.4s}, [%[c]]\n"
// int8 by the rule of core/gemm_s8.h: sqshl by E (shift != 0), sqrdmulh by
// the row's multiplier (p0: 4 int32), sqxtn to int16 two rows per register,
// sqxtn to int8 (all four rows in v6), clamp to [p1[0], p1[1]], 4-byte rows;
#define ARMCONV_SM_STORE_INT8                                                                 \
  "cbz %[shift], 7f\n"                                                                        \
  "dup v6.4s, %w[shift]\n sqshl v0.4s, v0.4s, v6.4s\n sqshl v1.4s, v1.4s, v6.4s\n"            \
  "sqshl v2.4s, v2.4s, v6.4s\n sqshl v3.4s, v3.4s, v6.4s\n"                                   \
  "7:\n"                                                                                      \
  "ld1 {v4.4s}, [%[p0]]\n"                                                                    \
  "sqrdmulh v0.4s, v0.4s, v4.s[0]\n sqrdmulh v1.4s, v1.4s, v4.s[1]\n"                         \
  "sqrdmulh v2.4s, v2.4s, v4.s[2]\n sqrdmulh v3.4s, v3.4s, v4.s[3]\n"                         \
  "sqxtn v4.4h, v0.4s\n sqxtn2 v4.8h, v1.4s\n sqxtn v5.4h, v2.4s\n sqxtn2 v5.8h, v3.4s\n"    \
  "sqxtn v6.8b, v4.8h\n sqxtn2 v6.16b, v5.8h\n"                                              \
  "ld2r {v4.16b, v5.16b}, [%[p1]]\n smax v6.16b, v6.16b, v4.16b\n smin v6.16b, v6.16b, v5.16b\n" \
  "st1 {v6.s}[0], [%[c]], %[ldc]\n st1 {v6.s}[1], [%[c]], %[ldc]\n"                          \
  "st1 {v6.s}[2], [%[c]], %[ldc]\n st1 {v6.s}[3], [%[c]], %[ldc]\n"
// float: scvtf, fmul by the row's scale (p0: 4 floats), clamp to
// [p1[0], p1[1]] if shift != 0, rows at c.
#define ARMCONV_SM_STORE_FLOAT                                                                \
  "ld1 {v4.4s}, [%[p0]]\n"                                                                    \
  "scvtf v0.4s, v0.4s\n scvtf v1.4s, v1.4s\n scvtf v2.4s, v2.4s\n scvtf v3.4s, v3.4s\n"       \
  "fmul v0.4s, v0.4s, v4.s[0]\n fmul v1.4s, v1.4s, v4.s[1]\n"                                 \
  "fmul v2.4s, v2.4s, v4.s[2]\n fmul v3.4s, v3.4s, v4.s[3]\n"                                 \
  "cbz %[shift], 7f\n"                                                                        \
  "ld2r {v4.4s, v5.4s}, [%[p1]]\n"                                                            \
  "fmax v0.4s, v0.4s, v4.4s\n fmax v1.4s, v1.4s, v4.4s\n fmax v2.4s, v2.4s, v4.4s\n"          \
  "fmax v3.4s, v3.4s, v4.4s\n fmin v0.4s, v0.4s, v5.4s\n fmin v1.4s, v1.4s, v5.4s\n"          \
  "fmin v2.4s, v2.4s, v5.4s\n fmin v3.4s, v3.4s, v5.4s\n"                                     \
  "7:\n" ARMCONV_SM_STORE_INT32

#define ARMCONV_SM_TILE_ASM(STORE)                                                            \
  size_t n2 = (groups - 1) / 2, odd = (groups - 1) % 2;                                      \
  __asm__ volatile(                                                                           \
      ARMCONV_SM_GROUP("saddlp")                                                              \
      "cbz %[n2], 2f\n"                                                                       \
      "1:\n" ARMCONV_SM_GROUP("sadalp") ARMCONV_SM_GROUP("sadalp")                            \
      "subs %[n2], %[n2], #1\n"                                                               \
      "b.ne 1b\n"                                                                             \
      "2:\n"                                                                                  \
      "cbz %[odd], 3f\n" ARMCONV_SM_GROUP("sadalp")                                           \
      "3:\n"                                                                                  \
      "addp v0.4s, v16.4s, v17.4s\n addp v1.4s, v18.4s, v19.4s\n addp v0.4s, v0.4s, v1.4s\n"  \
      "addp v1.4s, v20.4s, v21.4s\n addp v2.4s, v22.4s, v23.4s\n addp v1.4s, v1.4s, v2.4s\n"  \
      "addp v2.4s, v24.4s, v25.4s\n addp v3.4s, v26.4s, v27.4s\n addp v2.4s, v2.4s, v3.4s\n"  \
      "addp v3.4s, v28.4s, v29.4s\n addp v4.4s, v30.4s, v31.4s\n addp v3.4s, v3.4s, v4.4s\n"  \
      "ld1 {v4.4s}, [%[bias]]\n"                                                              \
      "dup v5.4s, v4.s[0]\n add v0.4s, v0.4s, v5.4s\n dup v5.4s, v4.s[1]\n"                   \
      "add v1.4s, v1.4s, v5.4s\n dup v5.4s, v4.s[2]\n add v2.4s, v2.4s, v5.4s\n"              \
      "dup v5.4s, v4.s[3]\n add v3.4s, v3.4s, v5.4s\n" STORE                                  \
      : [a] "+r"(a), [b] "+r"(b), [n2] "+r"(n2), [c] "+r"(c)                                  \
      : [odd] "r"(odd), [bias] "r"(bias), [ldc] "r"(ldc_bytes), [p0] "r"(p0), [p1] "r"(p1),   \
        [shift] "r"(shift)                                                                    \
      : "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10",   \
        "v11", "v12", "v13", "v14", "v15", "v16", "v17", "v18", "v19", "v20", "v21", "v22",  \
        "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31")

// Any tile: the 4 x 4 sums (+ bias) to acc.
ARMCONV_S8_INLINE void tile_4x4_spill(size_t groups, const int8_t* a, const int8_t* b,
                                      const int32_t* bias, int32_t* acc) {
  char* c = reinterpret_cast<char*>(acc);
  const void *p0 = nullptr, *p1 = nullptr;
  const size_t ldc_bytes = 0;
  const long shift = 0;
  ARMCONV_SM_TILE_ASM(ARMCONV_SM_SPILL);
}

// A full 4 x 4 tile through the output stage.
ARMCONV_S8_INLINE void tile_4x4_full(size_t groups, const int8_t* a, const int8_t* b, void* cv,
                                     size_t ldc, const S8Output& out) {
  const int32_t* bias = out.bias;
  char* c = static_cast<char*>(cv);
  switch (out.kind) {
    case S8OutKind::Int32: {
      const void *p0 = nullptr, *p1 = nullptr;
      const size_t ldc_bytes = ldc * sizeof(int32_t);
      const long shift = 0;
      ARMCONV_SM_TILE_ASM(ARMCONV_SM_STORE_INT32);
      break;
    }
    case S8OutKind::Int8: {
      const int8_t range[2] = {int8_t(out.qmin), int8_t(out.qmax)};
      const void *p0 = out.mult, *p1 = range;
      const size_t ldc_bytes = ldc;
      const long shift = out.shift;
      ARMCONV_SM_TILE_ASM(ARMCONV_SM_STORE_INT8);
      break;
    }
    case S8OutKind::Float: {
      const float range[2] = {out.fmin, out.fmax};
      const void *p0 = out.fscale, *p1 = range;
      const size_t ldc_bytes = ldc * sizeof(float);
      const long shift = out.fclamp ? 1 : 0;
      ARMCONV_SM_TILE_ASM(ARMCONV_SM_STORE_FLOAT);
      break;
    }
  }
}
#undef ARMCONV_SM_TILE_ASM
#undef ARMCONV_SM_STORE_FLOAT
#undef ARMCONV_SM_STORE_INT8
#undef ARMCONV_SM_SPILL
#undef ARMCONV_SM_STORE_INT32
#undef ARMCONV_SM_GROUP
#undef ARMCONV_SM_ROWS

// C block of one A panel (4 rows) and the B panels of n columns.
void ukernel_smull_4x4(size_t k, size_t m, size_t n, const int8_t* a, const int8_t* b, void* c,
                       size_t ldc, const S8Output& out) {
  const size_t groups = div_up(k, 16), es = out.kind == S8OutKind::Int8 ? 1 : 4;
  for (size_t q = 0; q < n; q += 4, b += 4 * 16 * groups) {
    const size_t cols = n - q < 4 ? n - q : 4;
    void* cq = static_cast<char*>(c) + q * es;
    if (m == 4 && cols == 4) {
      tile_4x4_full(groups, a, b, cq, ldc, out);
      continue;
    }
    alignas(16) int32_t acc[16];
    tile_4x4_spill(groups, a, b, out.bias, acc);
    for (size_t r = 0; r < m; r++) s8_store4(vld1q_s32(acc + 4 * r), r, 0, cols, cq, ldc, out);
  }
}

#endif  // __aarch64__

#if defined(__aarch64__)
constexpr size_t kMR = 4, kNR = 4;
#define ARMCONV_S8_NAME "neon-smull-4x4k16"
#else
constexpr size_t kMR = 4, kNR = 2;
#define ARMCONV_S8_NAME "neon-armv7-smull-4x2k16"
#endif

// ---- packing B (k grouped by 16, kNR-column panels; both ISAs) ------------------
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

void pack_b_smull(size_t k, size_t nc, const int8_t* b, size_t ldb, int8_t* dst) {
  const size_t kp = round_up(k, 16);
  size_t q = 0;
  for (; q + 16 <= nc; q += 16) {
    const int8_t* s = b + q;
    for (size_t kk = 0; kk < k; kk += 16) {
      int8x16_t r[16];
      for (size_t i = 0; i < 16; i++) r[i] = kk + i < k ? vld1q_s8(s + (kk + i) * ldb) : vdupq_n_s8(0);
      trn_round<1>(r);
      trn_round<2>(r);
      trn_round<4>(r);
      trn_round<8>(r);
#if defined(__aarch64__)
      for (size_t p = 0; p < 4; p++) {  // columns 4p..4p+3: panel q / 4 + p
        const int8x16x4_t o = {{r[4 * p], r[4 * p + 1], r[4 * p + 2], r[4 * p + 3]}};
        vst1q_s8_x4(dst + (q + 4 * p) * kp + kk * 4, o);
      }
#else
      for (size_t j = 0; j < 16; j++)  // column q + j: panel (q + j) / kNR, slot j % kNR
        vst1q_s8(dst + (q + j) / kNR * kNR * kp + kk * kNR + j % kNR * 16, r[j]);
#endif
    }
  }
  if (q < nc) gemm_s8_generic_kernels_for(kMR, kNR, 16)->pack_b(k, nc - q, b + q, ldb, dst + q * kp);
}

}  // namespace

const S8GemmKernels& gemm_s8_neon_kernels() {
  static const S8GemmKernels t = [] {
    S8GemmKernels k = *gemm_s8_generic_kernels_for(kMR, kNR, 16);  // the other packers
    k.name = ARMCONV_S8_NAME;
#if defined(__aarch64__)
    k.ukernel = ukernel_smull_4x4;
#else
    k.ukernel = ukernel_smull_4x2;
#endif
    k.pack_b = pack_b_smull;
    k.pack_im2col = [](const Im2colGeomS8& g, size_t n0, size_t nc, int8_t* dst) {
      pack_im2col_via_pack_b(pack_b_smull, kNR, 16, g, n0, nc, dst);
    };
    return k;
  }();
  return t;
}

}  // namespace detail
}  // namespace armconv

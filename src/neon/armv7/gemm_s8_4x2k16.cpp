// NEON int8 GEMM micro-kernel, armv7 (NEON/VFPv4), the smull path, 4x2
// tile with k grouped by 16 (gemm_s8-armv7-4x2k16; formats and contract:
// core/gemm.h). The arithmetic is that of the aarch64 4x4 kernel
// (neon/aarch64/gemm_s8_4x4k16.cpp): smull/smlal2 spelled vmull.s8/vmlal.s8
// on d halves, then vpadal.s16 into int32 lanes: 16 MACs in 3 instructions.
// Tile 4 x 2 (8 accumulators + 4 A + 2 B + 2 temporaries: all 16 q
// registers), in assembly. B is packed by neon/gemm_s8_pack_k16.h, A by the
// generic packer.
#include <arm_neon.h>

#include "core/buffer.h"
#include "core/gemm.h"
#include "neon/gemm_s8_pack_k16.h"
#include "neon/gemm_s8_store.h"

namespace armconv {
namespace detail {
namespace {

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
                       size_t ldc, const S8Output& out, unsigned /*flags: K is never split*/) {
  const size_t groups = div_up(k, 16);
  switch (out.kind) {
    case S8OutKind::Int32: ukernel_4x2_loop<S8OutKind::Int32>(groups, m, n, a, b, c, ldc, out); break;
    case S8OutKind::Int8: ukernel_4x2_loop<S8OutKind::Int8>(groups, m, n, a, b, c, ldc, out); break;
    case S8OutKind::Float: ukernel_4x2_loop<S8OutKind::Float>(groups, m, n, a, b, c, ldc, out); break;
  }
}

}  // namespace

const S8GemmKernels& gemm_s8_neon_kernels() {
  static const S8GemmKernels t = [] {
    S8GemmKernels k = *gemm_s8_generic_kernels_for(4, 2, 16);  // pack_a
    k.name = "gemm_s8-armv7-4x2k16";
    k.ukernel = ukernel_smull_4x2;
    k.pack_b = pack_b_k16<2>;
    k.pack_im2col = pack_im2col_k16<2>;
    k.pack_im2col_ok = s8_im2col_direct_ok;  // other geometries: staged through pack_b
    k.pad_copy = true;
    return k;
  }();
  return t;
}

}  // namespace detail
}  // namespace armconv

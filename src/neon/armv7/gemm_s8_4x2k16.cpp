// NEON int8 GEMM micro-kernel, armv7 (NEON/VFPv4), the smull path, 4x2
// tile with k grouped by 16 (gemm_s8-armv7-4x2k16; formats and contract:
// core/gemm.h). The arithmetic is that of the aarch64 4x4 kernel
// (neon/aarch64/gemm_s8_4x4k16.cpp): smull/smlal2 spelled vmull.s8/vmlal.s8
// on d halves, then vpadal.s16 into int32 lanes: 16 MACs in 3 instructions.
// Tile 4 x 2 (8 accumulators + 4 A + 2 B + 2 temporaries: all 16 q
// registers), in assembly. B is packed by neon/gemm_s8_pack_k16.h, A by the
// generic packer.
#include <arm_neon.h>

#include <cstddef>

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

// ---- a call's full tiles as one strip (assembly) ---------------------------------
// The per-call output constants, loaded per tile by one vldm into d20-d31
// (q10-q15, free once the accumulators are summed):
//   q10-q11 bias in the sums' layout ([x0 x0 x1 x1 | x2 x2 x3 x3])
//   q12-q13 Int8: multipliers, Float: scales (same layout)
//   q14     Int8: E in every lane (vqshl by 0 is the identity), Float: fmin
//   q15     Int8: d30 qmin, d31 qmax (bytes), Float: fmax (±inf without clamp)
struct alignas(16) StripConst {
  int32_t bias[8];
  int32_t mult[8];   // Float: the scales' bits
  int32_t shift[4];  // Float: fmin's bits
  int8_t qmin[8];    // Float: with qmax, fmax's bits
  int8_t qmax[8];
  const int8_t* a0;  // K > 32: the A panel, reloaded per tile (a general register less)
  uint32_t odd;      // the strip's tile count is odd (nt & 1)
};
static_assert(offsetof(StripConst, a0) == 96 && offsetof(StripConst, odd) == 100, "the strips' ldr of a0 and vldm of d20-d31");

// Sums -> outputs of one tile (sums in q8 = rows 0-1, q9 = rows 2-3, each row
// [c0 c1]); the constants in q10-q15 (above). C rows by post-indexed lane or
// d stores: c += ldc three times, then c += 2 es - 3 ldc (mldc): c ends on the
// next tile's first column, with no copy of the pointer.
#define ARMCONV_A32_BIAS "vadd.i32 q8, q8, q10\n vadd.i32 q9, q9, q11\n"
#define ARMCONV_A32_STORE_D                                                              \
  "vst1.32 {d16}, [%[c]], %[ldc]\n vst1.32 {d17}, [%[c]], %[ldc]\n"                   \
  "vst1.32 {d18}, [%[c]], %[ldc]\n vst1.32 {d19}, [%[c]], %[mldc]\n"
#define ARMCONV_A32_EPI_INT32 ARMCONV_A32_BIAS ARMCONV_A32_STORE_D
#define ARMCONV_A32_EPI_FLOAT                                                            \
  ARMCONV_A32_BIAS "vcvt.f32.s32 q8, q8\n vcvt.f32.s32 q9, q9\n"                        \
  "vmul.f32 q8, q8, q12\n vmul.f32 q9, q9, q13\n"                                       \
  "vmax.f32 q8, q8, q14\n vmax.f32 q9, q9, q14\n"                                       \
  "vmin.f32 q8, q8, q15\n vmin.f32 q9, q9, q15\n" ARMCONV_A32_STORE_D
// Int8: row r is halfword lane r of d16 (2 bytes, any alignment: no alignment
// qualifier, so an unaligned access the architecture allows).
// SH: the shift by E (ARMCONV_A32_SHL), or "" for E = 0 (the common case).
#define ARMCONV_A32_SHL "vqshl.s32 q8, q8, q14\n vqshl.s32 q9, q9, q14\n"
#define ARMCONV_A32_REQ(SH)                                                              \
  ARMCONV_A32_BIAS SH                                                                    \
  "vqrdmulh.s32 q8, q8, q12\n vqrdmulh.s32 q9, q9, q13\n"                               \
  "vqmovn.s32 d16, q8\n vqmovn.s32 d17, q9\n"
#define ARMCONV_A32_STORE_B                                                              \
  "vst1.16 {d16[0]}, [%[c]], %[ldc]\n vst1.16 {d16[1]}, [%[c]], %[ldc]\n"             \
  "vst1.16 {d16[2]}, [%[c]], %[ldc]\n vst1.16 {d16[3]}, [%[c]], %[mldc]\n"
#define ARMCONV_A32_EPI_INT8(SH)                                                         \
  ARMCONV_A32_REQ(SH) "vqmovn.s16 d16, q8\n vmax.s8 d16, d16, d30\n vmin.s8 d16, d16, d31\n" \
  ARMCONV_A32_STORE_B
// qmin = 0 (ReLU, ReLU6): clamp(t, 0, qmax) = min(satu8(t), qmax) (qmax >= 0).
#define ARMCONV_A32_EPI_RELU(SH)                                                         \
  ARMCONV_A32_REQ(SH) "vqmovun.s16 d16, q8\n vmin.u8 d16, d16, d31\n" ARMCONV_A32_STORE_B
// The 12 pairwise adds: accumulator i's 4 lanes to one sum, rows to q8, q9.
#define ARMCONV_A32_REDUCE                                                               \
  "vpadd.i32 d16, d16, d17\n vpadd.i32 d17, d18, d19\n vpadd.i32 d18, d20, d21\n"     \
  "vpadd.i32 d19, d22, d23\n vpadd.i32 d20, d24, d25\n vpadd.i32 d21, d26, d27\n"     \
  "vpadd.i32 d22, d28, d29\n vpadd.i32 d23, d30, d31\n"                               \
  "vpadd.i32 d16, d16, d17\n vpadd.i32 d17, d18, d19\n"                               \
  "vpadd.i32 d18, d20, d21\n vpadd.i32 d19, d22, d23\n"                               \
  "vldm %[cst], {d20-d31}\n"

// Two tiles an iteration (one loop test a pair): an odd count enters at the
// second body (k.odd, read into a, which each body sets anew), ending on b ==
// bend either way. Bodies may use the local labels 1 and 2, not 7 and 8.
#define ARMCONV_A32_PAIRS(BODY)                                                          \
  "ldr %[a], [%[cst], #100]\n cmp %[a], #0\n bne 8f\n"                                 \
  "7:\n" BODY "8:\n" BODY "cmp %[b], %[bend]\n bne 7b\n"

#define ARMCONV_A32_CLOBBERS                                                             \
  "cc", "memory", "d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9", "d10",  \
      "d11", "d12", "d13", "d14", "d15", "d16", "d17", "d18", "d19", "d20", "d21", "d22", \
      "d23", "d24", "d25", "d26", "d27", "d28", "d29", "d30", "d31"

// Int8 / Relu: the int8 stage with qmin != 0 / qmin = 0; *0: E = 0.
enum class Epi { Int32, Int8, Relu, Float, Int80, Relu0 };

// K <= 16 (one group): A's 4 rows stay in q0-q3 and the constants in
// q10-q15 for the whole strip (one vldm before the loop): each row's two
// products are summed at once (vpaddl, 3 vpadd) into d(16 + r), so only q6-q7
// are temporaries; a tile is 1 B load + 4 x 9 + the stage, no constant load.
#define ARMCONV_A32_ROW1(a_lo, a_hi, out)                                                \
  "vmull.s8 q6, " a_lo ", d8\n vmull.s8 q7, " a_lo ", d10\n"                        \
  "vmlal.s8 q6, " a_hi ", d9\n vmlal.s8 q7, " a_hi ", d11\n"                        \
  "vpaddl.s16 q6, q6\n vpaddl.s16 q7, q7\n"                                          \
  "vpadd.i32 d12, d12, d13\n vpadd.i32 d13, d14, d15\n vpadd.i32 " out ", d12, d13\n"
#define ARMCONV_A32_STRIP1(EPI, ODD)                                                     \
  __asm__ volatile(                                                                    \
      "vld1.8 {d0-d3}, [%[a]]!\n vld1.8 {d4-d7}, [%[a]]\n vldm %[cst], {d20-d31}\n"  \
      ARMCONV_A32_PAIRS("vld1.8 {d8-d11}, [%[b]]!\n"                                   \
      ARMCONV_A32_ROW1("d0", "d1", "d16") ARMCONV_A32_ROW1("d2", "d3", "d17")           \
      ARMCONV_A32_ROW1("d4", "d5", "d18") ARMCONV_A32_ROW1("d6", "d7", "d19") EPI)      \
      : [a] "+r"(a), [b] "+r"(b), [c] "+r"(c)                                          \
      : [bend] "r"(bend), [ldc] "r"(ldcb), [mldc] "r"(mldc), [cst] "r"(&k)               \
      : ARMCONV_A32_CLOBBERS)

// K = 17..32 (two groups): the two groups straight, a back to a0 per tile.
#define ARMCONV_A32_STRIP2(EPI, ODD)                                                     \
  __asm__ volatile(                                                                    \
      ARMCONV_A32_PAIRS("mov %[a], %[a0]\n" ARMCONV_A32_GROUP("vpaddl")                \
                        ARMCONV_A32_GROUP("vpadal") ARMCONV_A32_REDUCE EPI)              \
      : [a] "=&r"(at), [b] "+r"(b), [c] "+r"(c)                                        \
      : [a0] "r"(a), [bend] "r"(bend), [ldc] "r"(ldcb), [mldc] "r"(mldc), [cst] "r"(&k)  \
      : ARMCONV_A32_CLOBBERS)

// K > 32 (groups >= 3): the first group widens (vpaddl), an odd remainder
// group follows when groups - 1 is odd (ODD), then pairs of groups (at least
// one) until a == aend; a returns to the panel's start (k.a0: 8 general
// registers, what GCC -O0 in Thumb-2 can give) for the next tile.
#define ARMCONV_A32_STRIPN(EPI, ODD)                                                     \
  __asm__ volatile(                                                                    \
      ARMCONV_A32_PAIRS("ldr %[a], [%[cst], #96]\n" ARMCONV_A32_GROUP("vpaddl") ODD      \
      "2:\n" ARMCONV_A32_GROUP("vpadal") ARMCONV_A32_GROUP("vpadal")                   \
      "cmp %[a], %[aend]\n bne 2b\n" ARMCONV_A32_REDUCE EPI)                           \
      : [a] "=&r"(at), [b] "+r"(b), [c] "+r"(c)                                        \
      : [aend] "r"(aend), [bend] "r"(bend), [ldc] "r"(ldcb), [mldc] "r"(mldc),        \
        [cst] "r"(&k)                                                                    \
      : ARMCONV_A32_CLOBBERS)

// The nt full 4 x 2 tiles of one A panel (m = 4), C from column 0.
template <Epi E>
ARMCONV_S8_INLINE void strip_4x2(size_t groups, size_t nt, const int8_t* a, const int8_t* b,
                                 void* cv, size_t ldc, StripConst& k) {
  constexpr size_t es = E == Epi::Int32 || E == Epi::Float ? 4 : 1;
  char* c = static_cast<char*>(cv);
  const int8_t* const bend = b + nt * 32 * groups;
  const size_t ldcb = ldc * es;
  const size_t mldc = 2 * es - 3 * ldcb;  // wraps: post-index adds it modulo 2^32
  k.odd = uint32_t(nt & 1);
#define ARMCONV_A32_SWITCH(STRIP, ODD)                                                   \
  switch (E) {                                                                           \
    case Epi::Int32: STRIP(ARMCONV_A32_EPI_INT32, ODD); break;                          \
    case Epi::Int8: STRIP(ARMCONV_A32_EPI_INT8(ARMCONV_A32_SHL), ODD); break;           \
    case Epi::Relu: STRIP(ARMCONV_A32_EPI_RELU(ARMCONV_A32_SHL), ODD); break;           \
    case Epi::Int80: STRIP(ARMCONV_A32_EPI_INT8(""), ODD); break;                       \
    case Epi::Relu0: STRIP(ARMCONV_A32_EPI_RELU(""), ODD); break;                       \
    case Epi::Float: STRIP(ARMCONV_A32_EPI_FLOAT, ODD); break;                          \
  }
  if (groups == 1) {
    ARMCONV_A32_SWITCH(ARMCONV_A32_STRIP1, "")
    return;
  }
  const int8_t* at;
  if (groups == 2) {
    ARMCONV_A32_SWITCH(ARMCONV_A32_STRIP2, "")
    return;
  }
  const int8_t* const aend = a + 64 * groups;
  if ((groups - 1) % 2) {
    ARMCONV_A32_SWITCH(ARMCONV_A32_STRIPN, ARMCONV_A32_GROUP("vpadal"))
  } else {
    ARMCONV_A32_SWITCH(ARMCONV_A32_STRIPN, "")
  }
#undef ARMCONV_A32_SWITCH
  (void)at;
}

#undef ARMCONV_A32_GROUP
#undef ARMCONV_A32_ROW

// Per-row values x[0..3] as [x0 x0 x1 x1 | x2 x2 x3 x3], the sums' layout.
inline int32x4x2_t rows_to_pairs(int32x4_t x) { return vzipq_s32(x, x); }

// The per-call constants (StripConst) of rows [0, m): with m = 4 by vectors,
// else row by row with the rows past m zero (only m entries of each per-row
// array are read).
template <S8OutKind K>
ARMCONV_S8_INLINE void strip_const(const S8Output& out, size_t m, StripConst& k) {
  const float inf = __builtin_inff();
  if (m == 4) {
    const int32x4x2_t bp = rows_to_pairs(vld1q_s32(out.bias));
    vst1q_s32(k.bias, bp.val[0]);
    vst1q_s32(k.bias + 4, bp.val[1]);
    if (K == S8OutKind::Int8) {
      const int32x4x2_t mp = rows_to_pairs(vld1q_s32(out.mult));
      vst1q_s32(k.mult, mp.val[0]);
      vst1q_s32(k.mult + 4, mp.val[1]);
    } else if (K == S8OutKind::Float) {
      const float32x4_t s = vld1q_f32(out.fscale);
      const float32x4x2_t sp = vzipq_f32(s, s);
      vst1q_s32(k.mult, vreinterpretq_s32_f32(sp.val[0]));
      vst1q_s32(k.mult + 4, vreinterpretq_s32_f32(sp.val[1]));
    }
  } else {
    for (size_t i = 0; i < 8; i++) {
      const size_t r = i / 2;
      k.bias[i] = r < m ? out.bias[r] : 0;
      if (K == S8OutKind::Int8) k.mult[i] = r < m ? out.mult[r] : 0;
      if (K == S8OutKind::Float) {
        const float f = r < m ? out.fscale[r] : 0.0f;
        std::memcpy(&k.mult[i], &f, 4);
      }
    }
  }
  if (K == S8OutKind::Int8) {
    vst1q_s32(k.shift, vdupq_n_s32(out.shift));
    vst1_s8(k.qmin, vdup_n_s8(int8_t(out.qmin)));
    vst1_s8(k.qmax, vdup_n_s8(int8_t(out.qmax)));
  } else if (K == S8OutKind::Float) {
    vst1q_s32(k.shift, vreinterpretq_s32_f32(vdupq_n_f32(out.fclamp ? out.fmin : -inf)));
    vst1q_s8(k.qmin, vreinterpretq_s8_f32(vdupq_n_f32(out.fclamp ? out.fmax : inf)));
  }
}

// nt tiles of the strip by the stage's variant.
template <S8OutKind K>
ARMCONV_S8_INLINE void strip_kind(size_t groups, size_t nt, const int8_t* a, const int8_t* b,
                                  void* c, size_t ldc, const S8Output& out, StripConst& k) {
  if (K == S8OutKind::Int32) strip_4x2<Epi::Int32>(groups, nt, a, b, c, ldc, k);
  else if (K == S8OutKind::Float) strip_4x2<Epi::Float>(groups, nt, a, b, c, ldc, k);
  else if (out.shift == 0 && out.qmin == 0) strip_4x2<Epi::Relu0>(groups, nt, a, b, c, ldc, k);
  else if (out.shift == 0) strip_4x2<Epi::Int80>(groups, nt, a, b, c, ldc, k);
  else if (out.qmin == 0) strip_4x2<Epi::Relu>(groups, nt, a, b, c, ldc, k);
  else strip_4x2<Epi::Int8>(groups, nt, a, b, c, ldc, k);
}

// The C block of one A panel: with m = 4, the n / 2 full tiles as one strip;
// the rest (a last column, or every tile when m < 4: pack_a zero-pads the
// panel's rows) by tail_4x2 (out of line: the strip's call stays as short)
// as one-tile strips into a 4 x 2 buffer (ldc = 2), of which m rows x cols
// elements are copied (fixed-size copies: no libc call).
template <S8OutKind K>
__attribute__((noinline)) void tail_4x2(size_t groups, size_t m, size_t q, size_t n, const int8_t* a,
                                        const int8_t* b, void* c, size_t ldc, const S8Output& out,
                                        StripConst& k) {
  constexpr size_t MR = 4, NR = 2, es = K == S8OutKind::Int8 ? 1 : 4;
  for (; q < n; q += NR, b += NR * 16 * groups) {
    alignas(16) char buf[MR * NR * es];
    strip_kind<K>(groups, 1, a, b, buf, NR, out, k);
    char* cq = static_cast<char*>(c) + q * es;
    const size_t cols = n - q < NR ? n - q : NR;
    for (size_t r = 0; r < m; r++) {
      std::memcpy(cq + r * ldc * es, buf + r * NR * es, es);
      if (cols == 2) std::memcpy(cq + r * ldc * es + es, buf + r * NR * es + es, es);
    }
  }
}

template <S8OutKind K>
void ukernel_4x2_loop(size_t groups, size_t m, size_t n, const int8_t* a, const int8_t* b, void* c,
                      size_t ldc, const S8Output& out) {
  constexpr size_t MR = 4, NR = 2;
  StripConst k;
  strip_const<K>(out, m, k);
  k.a0 = a;
  const size_t nt = m == MR ? n / NR : 0;
  if (nt) strip_kind<K>(groups, nt, a, b, c, ldc, out, k);
  if (nt * NR < n) tail_4x2<K>(groups, m, nt * NR, n, a, b + nt * NR * 16 * groups, c, ldc, out, k);
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

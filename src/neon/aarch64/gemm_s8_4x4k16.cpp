// NEON int8 GEMM micro-kernel, aarch64, the smull path, 4x4 tile with k
// grouped by 16 (gemm_s8-aarch64-4x4k16; formats and contract: core/gemm.h).
// For one row group a (16 int8) and one column group b:
//
//   t = smull(a[0:8], b[0:8])        8 int16 lanes: a_i * b_i
//   t = smlal2(t, a[8:16], b[8:16])  lane i += a_{i+8} * b_{i+8}   (|t| <= 2*127*128)
//   acc = sadalp(acc, t)             4 int32 lanes += pairs of t
//
// 16 MACs in 3 instructions. The 4 lanes of acc (row r, column j) are summed
// once per tile with pairwise adds; the first k group widens with saddlp
// instead of sadalp so the accumulators need no zeroing.
//
// Tile 4 x 4 (16 accumulators + 4 A + 4 B registers + 8 int16 temporaries:
// all 32), in assembly. B is packed by neon/gemm_s8_pack_k16.h, A by the
// generic packer (once per layer); im2col goes through the driver's staged
// packer (core/gemm_driver.cpp) and pack_b.
#include <arm_neon.h>

#include "core/buffer.h"
#include "core/gemm.h"
#include "neon/gemm_s8_pack_k16.h"
#include "neon/gemm_s8_store.h"

namespace armconv {
namespace detail {
namespace {

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
// int8 by the rule of core/requant.h: sqshl by E (shift != 0), sqrdmulh by
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
                       size_t ldc, const S8Output& out, unsigned /*flags: K is never split*/) {
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


}  // namespace

const S8GemmKernels& gemm_s8_neon_kernels() {
  static const S8GemmKernels t = [] {
    S8GemmKernels k = *gemm_s8_generic_kernels_for(4, 4, 16);  // pack_a
    k.name = "gemm_s8-aarch64-4x4k16";
    k.ukernel = ukernel_smull_4x4;
    k.pack_b = pack_b_k16<4>;
    k.pack_im2col = pack_im2col_k16<4>;
    k.pack_im2col_ok = s8_im2col_direct_ok;  // other geometries: staged through pack_b
    k.pad_copy = true;
    return k;
  }();
  return t;
}

}  // namespace detail
}  // namespace armconv

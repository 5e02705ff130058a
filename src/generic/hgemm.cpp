// Portable fp16 GEMM: the generic twin of the NEON fp16 tables (formats and
// contract: core/gemm.h, F16Output), computing exactly their arithmetic with
// the binary16 emulation of core/half.h: each output starts from its bias
// rounded to binary16 (or from C, on a later K-block), takes one fused
// multiply-add per k in k order, is clamped in binary16 and stored. So a NEON
// table and its twin give the same bits, and the tests compare them exactly
// (tests/cpp/test_hgemm_fp16.cpp). Slow (every operation emulated): tests
// only, never dispatched.
#include "core/gemm.h"
#include "core/half.h"
#include "generic/gemm_generic.h"

namespace armconv {
namespace detail {
namespace generic {
namespace {

inline Half to_half(float v) { return float_to_half(v); }
inline Half to_half(Half v) { return v; }
inline void store(float* c, Half v) { *c = half_to_float(v); }
inline void store(Half* c, Half v) { *c = v; }

template <class IO, size_t MR, size_t NR>
void hgemm_tile(size_t kc, size_t m, size_t n, const Half* a, const Half* b, IO* c, size_t ldc,
                const F16Output<IO>& out, unsigned flags) {
  Half acc[MR][NR];
  const bool accumulate = flags & kAccumulate;
  for (size_t r = 0; r < MR; r++)
    for (size_t j = 0; j < NR; j++)
      acc[r][j] = accumulate ? (r < m && j < n ? to_half(c[r * ldc + j]) : Half{0}) : out.bias[r];
  for (size_t k = 0; k < kc; k++)
    for (size_t r = 0; r < MR; r++)
      for (size_t j = 0; j < NR; j++) acc[r][j] = fma_half(a[k * MR + r], b[k * NR + j], acc[r][j]);
  const bool clamp = (flags & kLastK) && out.clamp;
  for (size_t r = 0; r < m; r++)
    for (size_t j = 0; j < n; j++) {
      Half v = acc[r][j];
      if (clamp) v = min_half(max_half(v, out.lo), out.hi);
      store(c + r * ldc + j, v);
    }
}

template <class IO, size_t MR, size_t NR>
void hgemm_ukernel(size_t kc, size_t m, size_t n, const Half* a, const Half* b, IO* c, size_t ldc,
                   const F16Output<IO>& out, unsigned flags) {
  for (size_t q = 0; q < n; q += NR, b += NR * kc, c += NR)
    hgemm_tile<IO, MR, NR>(kc, m, n - q < NR ? n - q : NR, a, b, c, ldc, out, flags);
}

template <class IO, size_t MR, size_t NR>
const GemmKernel<F16GemmT<IO>>& table(const char* name) {
  static const GemmKernel<F16GemmT<IO>> k = {name,
                                             MR,
                                             NR,
                                             1,
                                             hgemm_ukernel<IO, MR, NR>,
                                             pack_a<Half, MR, 1>,
                                             pack_b<IO, Half, NR, 1>,
                                             pack_im2col<IO, Half, NR, 1>};
  return k;
}

}  // namespace
}  // namespace generic

HgemmPair hgemm_generic_kernels_for(size_t mr, size_t nr) {
  if (mr == 8 && nr == 24)
    return {&generic::table<float, 8, 24>("hgemm-generic-8x24"),
            &generic::table<Half, 8, 24>("hgemm-generic-8x24")};
  return {nullptr, nullptr};
}

}  // namespace detail
}  // namespace armconv

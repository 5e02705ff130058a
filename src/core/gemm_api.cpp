// The public GEMM entry points, sgemm() (armconv.h) and gemm_s8() (quant.h):
// argument checks, then the one driver of core/gemm.h on a dense B.
#include <algorithm>
#include <string>

#include "armconv/quant.h"
#include "core/buffer.h"
#include "core/dispatch.h"
#include "core/gemm.h"

namespace armconv {
namespace detail {
namespace {

// C = out(A B) for a dense, strided A and B: A packed, one plan, all units.
template <class T>
void gemm_dense(const GemmKernel<T>& kern, size_t m, size_t n, size_t k, const typename T::A* a,
                size_t lda, const typename T::X* b, size_t ldb, typename T::C* c, size_t ldc,
                const typename T::Out& out) {
  const GemmPlan plan = gemm_plan(kern, m, n, k, false);
  Buffer<typename T::A> pa(round_up(m, kern.mr) * plan.kp);
  kern.pack_a(m, k, a, lda, pa.data());
  Buffer<unsigned char> scratch(plan.scratch_bytes, Buffer<unsigned char>::Uninitialized());
  GemmB<T> src;
  src.b = b;
  src.ldb = ldb;
  gemm_run(kern, plan, pa.data(), src, c, ldc, out, 0, plan.units(), scratch.data());
}

}  // namespace
}  // namespace detail

void sgemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
           int64_t ldb, float* c, int64_t ldc) {
  if (m < 0 || n < 0 || k < 0) throw Error("sgemm: m, n and k must be >= 0");
  if (lda < std::max<int64_t>(k, 1) || ldb < std::max<int64_t>(n, 1) || ldc < std::max<int64_t>(n, 1))
    throw Error("sgemm: leading dimensions must be at least the row lengths");
  if (m == 0 || n == 0) return;
  if (k == 0) {
    for (int64_t i = 0; i < m; i++) std::fill(c + i * ldc, c + i * ldc + n, 0.0f);
    return;
  }
  using namespace detail;
  const SgemmKernels& kern = *kernels().sgemm;
  Buffer<float> bias{size_t(m)};  // zeros
  F32Output out;
  out.bias = bias.data();
  gemm_dense(kern, size_t(m), size_t(n), size_t(k), a, size_t(lda), b, size_t(ldb), c,
             size_t(ldc), out);
}

void gemm_s8(int64_t m, int64_t n, int64_t k, const int8_t* a, int64_t lda, const int8_t* b,
             int64_t ldb, int32_t* c, int64_t ldc) {
  if (m < 0 || n < 0 || k < 0) throw Error("gemm_s8: m, n and k must be >= 0");
  if (k > kGemmS8MaxK) throw Error("gemm_s8: k must be <= 65536, got " + std::to_string(k));
  if (lda < std::max<int64_t>(k, 1) || ldb < std::max<int64_t>(n, 1) || ldc < std::max<int64_t>(n, 1))
    throw Error("gemm_s8: leading dimensions must be at least the row lengths");
  if (m == 0 || n == 0) return;
  if (k == 0) {
    for (int64_t i = 0; i < m; i++) std::fill(c + i * ldc, c + i * ldc + n, 0);
    return;
  }
  for (int64_t i = 0; i < m; i++)
    for (int64_t j = 0; j < k; j++)
      if (a[i * lda + j] == -128) throw Error("gemm_s8: a holds -128 (operands must be in [-127, 127])");
  for (int64_t i = 0; i < k; i++)
    for (int64_t j = 0; j < n; j++)
      if (b[i * ldb + j] == -128) throw Error("gemm_s8: b holds -128 (operands must be in [-127, 127])");
  using namespace detail;
  const S8GemmKernels& kern = *kernels().gemm_s8;
  Buffer<int32_t> bias{size_t(m)};  // zeros
  S8Output out;
  out.kind = S8OutKind::Int32;
  out.bias = bias.data();
  gemm_dense(kern, size_t(m), size_t(n), size_t(k), a, size_t(lda), b, size_t(ldb), c,
             size_t(ldc), out);
}

}  // namespace armconv

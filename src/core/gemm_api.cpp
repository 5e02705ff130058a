// The public GEMM entry points, sgemm() (armconv.h) and gemm_s8() (quant.h):
// argument checks, then the one driver of core/gemm.h on a dense B.
#include <algorithm>
#include <string>

#include "armconv/quant.h"
#include "core/buffer.h"
#include "core/dispatch.h"
#include "core/gemm.h"
#include "threads/threads.h"

namespace armconv {
namespace detail {
namespace {

// C = out(A B) for a dense, strided A and B: A packed, one plan, all units,
// both on the threads the work is worth (the GEMM's units are N-blocks x
// M-panels, core/gemm.h; A is packed panel by panel).
template <class T>
void gemm_dense(const GemmKernel<T>& kern, size_t m, size_t n, size_t k, const typename T::A* a,
                size_t lda, const typename T::X* b, size_t ldb, typename T::C* c, size_t ldc,
                const typename T::Out& out) {
  const double macs = double(m) * double(n) * double(k);
  const int want = team_for_work(macs);
  const GemmPlan plan = gemm_plan(kern, m, n, k, false, want > 1 ? kUnitsPerThread * size_t(want) : 0);
  Buffer<typename T::A> pa(plan.m_panels * kern.mr * plan.kp);
  // Packing A reads and writes each element once: worth a thread per
  // kMinOpsPerThread elements.
  UnitGrid panels;
  panels.axes[2] = plan.m_panels;
  const int pack_team = team_size(plan.m_panels, double(kern.mr * plan.kp), want);
  run_units(panels, pack_team, 0, [&](size_t p0, size_t p1, void*) {
    const size_t r0 = p0 * kern.mr, r1 = std::min(m, p1 * kern.mr);
    kern.pack_a(r1 - r0, k, a + r0 * lda, lda, pa.data() + r0 * plan.kp);
  });
  GemmB<T> src;
  src.b = b;
  src.ldb = ldb;
  UnitGrid grid;
  grid.axes[1] = plan.n_blocks;
  grid.axes[2] = plan.m_panels;
  grid.last_cost[1] = plan.last_block_cost;
  grid.last_cost[2] = plan.last_panel_cost;
  const int team = team_size(plan.units(), macs / double(plan.units()), want);
  run_units(grid, team, plan.scratch_bytes, [&](size_t begin, size_t end, void* scratch) {
    gemm_run(kern, plan, pa.data(), src, c, ldc, out, begin, end, scratch);
  });
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

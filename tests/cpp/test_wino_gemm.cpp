// The Winograd per-position GEMM (wino_gemm_fn, core/wino_gemm.h), generic and
// NEON, against a double reference: every n = 1..8 (each block and remainder
// of the NEON kernel: 8, 4, 2, 1 and their sums) and strips of several groups
// of 8 (9, 12, 16, 23, 25), kq in {1, 2, 3, 16, 17} (the first quad, the
// 2-quad loop and the odd quad of the aarch64 block), ldc at its minimum and
// at odd larger strides, and the three init modes (zero, bias, accumulate);
// then 2 and 3 blocks of 8 channels per call, U blocks packed or with gaps.
//
// Every operand sits in a GuardedArray that ends exactly at the last float
// the contract lets the kernel read (u: 32 kq floats; v: 4 kq n; c:
// (n - 1) ldc + 8), so any over-read faults. C is preceded by NaN floats
// and its row gaps (ldc > 8) are NaN: they must stay NaN (bit for bit), and
// when not accumulating C starts as NaN too, so a kernel that reads it fails.
//
// Error bound: each C is a dot product of K = 4 kq terms plus init, computed
// with fused or unfused multiply-adds in any order of the k sum; its error is
// at most gamma_{K+1} (sum_k |U||V| + |init|) (Higham 3.1), below
// (K + 2) 2^-23 (sum_k |U||V| + |init|) for the sizes here.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "rand.h"
#include "check.h"
#include "core/dispatch.h"
#include "core/wino_gemm.h"
#include "guard.h"

using armconv::detail::wino_gemm_fn;
using armconv_test::GuardedArray;

namespace {

constexpr size_t kPre = 5;  // NaN floats before C

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof(float)) == 0; }

enum Mode { kZero, kBias, kAccumulate };

// V[k][j] in the packed strip (see wino_gemm_fn): group g = j / 8 of
// nb = min(8, n - 8g) tiles at 32 kq g, quad q at 4 nb q, tile at 4 (j % 8).
size_t v_index(size_t n, size_t kq, size_t k, size_t j) {
  const size_t g = j / 8, nb = std::min<size_t>(8, n - 8 * g);
  return 32 * kq * g + 4 * nb * (k / 4) + 4 * (j % 8) + k % 4;
}

// m8 blocks of 8 channels: U block b at b * u_stride (u_stride >= 32 kq; the
// gaps are NaN and must not be read), C channels 0 .. 8 m8 - 1 of each tile.
void check_case(const char* name, wino_gemm_fn gemm, size_t m8, size_t n, size_t kq,
                size_t u_stride, size_t ldc, Mode mode, std::mt19937& gen) {
  armconv_test::Uniform<float> dist(-1.0f, 1.0f);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const size_t m = 8 * m8;
  GuardedArray<float> u((m8 - 1) * u_stride + 32 * kq), v(4 * kq * n), bias(m);
  GuardedArray<float> cbuf(kPre + (n - 1) * ldc + m);
  for (size_t i = 0; i < u.size(); i++) u[i] = i % u_stride < 32 * kq ? dist(gen) : nan;
  for (size_t i = 0; i < v.size(); i++) v[i] = dist(gen);
  for (size_t i = 0; i < m; i++) bias[i] = dist(gen);
  for (size_t i = 0; i < cbuf.size(); i++) cbuf[i] = nan;
  float* c = cbuf.data() + kPre;
  if (mode == kAccumulate)
    for (size_t j = 0; j < n; j++)
      for (size_t r = 0; r < m; r++) c[j * ldc + r] = dist(gen);
  const std::vector<float> c0(cbuf.data(), cbuf.data() + cbuf.size());

  gemm(m8, n, kq, u.data(), u_stride, v.data(), c, ldc, mode == kBias ? bias.data() : nullptr,
       mode == kAccumulate);

  const double tol_k = double(4 * kq + 2) * std::ldexp(1.0, -23);
  for (size_t j = 0; j < n; j++) {
    for (size_t r = 0; r < m; r++) {
      double init = mode == kAccumulate ? c0[kPre + j * ldc + r] : mode == kBias ? bias[r] : 0.0;
      double ref = init, mag = std::fabs(init);
      for (size_t k = 0; k < 4 * kq; k++) {
        const double p = double(u[(r / 8) * u_stride + 8 * k + r % 8]) * double(v[v_index(n, kq, k, j)]);
        ref += p;
        mag += std::fabs(p);
      }
      const double got = c[j * ldc + r];
      CHECK(std::fabs(got - ref) <= tol_k * mag,
            "%s m8=%zu n=%zu kq=%zu ldc=%zu mode=%d: C[%zu][%zu] = %.9g, want %.9g (tol %.3g)",
            name, m8, n, kq, ldc, int(mode), j, r, got, ref, tol_k * mag);
    }
  }
  // Nothing outside C[j][0 .. m) is written.
  for (size_t i = 0; i < cbuf.size(); i++) {
    const bool in_c = i >= kPre && (i - kPre) % ldc < m;
    if (!in_c)
      CHECK(same_bits(cbuf[i], c0[i]), "%s m8=%zu n=%zu kq=%zu ldc=%zu mode=%d: wrote C+%td", name,
            m8, n, kq, ldc, int(mode), std::ptrdiff_t(i) - std::ptrdiff_t(kPre));
  }
}

void sweep(const char* name, wino_gemm_fn gemm) {
  std::mt19937 gen(12345);
  int cases = 0;
  for (size_t n : {1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 16, 23, 25}) {
    for (size_t kq : {1, 2, 3, 16, 17}) {
      for (size_t ldc : {8, 9, 13, 16}) {
        for (Mode mode : {kZero, kBias, kAccumulate}) {
          check_case(name, gemm, 1, n, kq, 32 * kq, ldc, mode, gen);
          cases++;
        }
      }
    }
  }
  // Several channel blocks: packed U (u_stride 32 kq) and U blocks with gaps;
  // tiles left over after the groups of 8 (16-channel blocks where the ISA
  // pairs blocks, an odd last block alone).
  for (size_t m8 : {2, 3, 4, 5})
    for (size_t n : {1, 2, 3, 4, 5, 6, 7, 8, 13})
      for (size_t kq : {1, 3, 16})
        for (size_t gap : {0, 7})
          for (Mode mode : {kZero, kBias, kAccumulate}) {
            const size_t m = 8 * m8;
            check_case(name, gemm, m8, n, kq, 32 * kq + gap, m + (gap ? 3 : 0), mode, gen);
            cases++;
          }
  std::printf("%s: %d cases\n", name, cases);
}

}  // namespace

int main() {
  const armconv::detail::WinoGemmKernels& generic = armconv::detail::wino_gemm_generic_kernels();
  sweep(generic.name, generic.gemm);
#if defined(ARMCONV_HAVE_NEON)
  if (armconv::detail::cpu_features().neon) {
    const armconv::detail::WinoGemmKernels& neon = armconv::detail::wino_gemm_neon_kernels();
    sweep(neon.name, neon.gemm);
  }
#endif
  std::printf("dispatched: %s\n", armconv::detail::kernels().wino_gemm->name);
  return failures ? 1 : 0;
}

// fp16 per-position Winograd GEMM (core/wino_gemm.h, wino_gemm_f16_fn): the
// generic twin against a float64 reference within the bound of its
// roundings, and, where the CPU runs the fp16 kernels (Cortex-A76 under
// QEMU), the NEON kernel against the twin bit for bit over every tile
// remainder (n = 1..20: 8-tile groups and 4/2/1-tile tails), channel blocks,
// octet counts and run lengths, the three ways C starts (zero, bias, C), row
// strides, and NaN/Inf. On a CPU without fp16 vector arithmetic it checks
// that no fp16 table was dispatched.
//
// Operands live in buffers that end at a PROT_NONE page (tests/cpp/guard.h).
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "rand.h"
#include "armconv/armconv.h"
#include "check.h"
#include "core/dispatch.h"
#include "core/half.h"
#include "core/wino_gemm.h"
#include "guard.h"

using namespace armconv;
using namespace armconv::detail;
using armconv_test::GuardedArray;

namespace {

std::mt19937 gen(1515);
float randf() { return armconv_test::Uniform<float>(-1.0f, 1.0f)(gen); }

struct Case {
  size_t m16, n, ko, run, u_stride, ldc;
  bool bias, accumulate;
};

// Operands of one case, laid out as the contract says.
struct Operands {
  GuardedArray<Half> u, v;
  GuardedArray<float> bias, c0;
  explicit Operands(const Case& t)
      : u((t.m16 - 1) * t.u_stride + 128 * t.ko),
        v(64 * t.ko * (t.n / 8) + 8 * t.ko * (t.n % 8)),
        bias(16 * t.m16),
        c0((t.n - 1) * t.ldc + 16 * t.m16) {
    for (size_t i = 0; i < u.size(); i++) u[i] = float_to_half(randf());
    for (size_t i = 0; i < v.size(); i++) v[i] = float_to_half(2.0f * randf());
    for (size_t i = 0; i < bias.size(); i++) bias[i] = randf();
    for (size_t i = 0; i < c0.size(); i++) c0[i] = randf();
  }
  // V[k][j] (the contract's layout) and U[k][m].
  Half vat(const Case& t, size_t k, size_t j) const {
    const size_t g = j / 8, nb = std::min<size_t>(8, t.n - 8 * g);
    return v[64 * t.ko * g + 8 * nb * (k / 8) + 8 * (j % 8) + k % 8];
  }
  Half uat(const Case& t, size_t k, size_t m) const { return u[(m / 16) * t.u_stride + 16 * k + m % 16]; }
};

void run_case(const WinoGemmF16Kernels& kern, const WinoGemmF16Kernels* twin, const Case& t) {
  Operands op(t);
  GuardedArray<float> c(op.c0.size()), c_ref(op.c0.size());
  std::memcpy(c.data(), op.c0.data(), c.size() * sizeof(float));
  std::memcpy(c_ref.data(), op.c0.data(), c.size() * sizeof(float));
  const float* bias = t.bias ? op.bias.data() : nullptr;
  kern.gemm(t.m16, t.n, t.ko, t.run, op.u.data(), t.u_stride, op.v.data(), c.data(), t.ldc, bias,
            t.accumulate);
  char tag[160];
  std::snprintf(tag, sizeof tag, "%s m16=%zu n=%zu ko=%zu run=%zu ldc=%zu bias=%d acc=%d", kern.name,
                t.m16, t.n, t.ko, t.run, t.ldc, int(t.bias), int(t.accumulate));
  if (twin) {
    twin->gemm(t.m16, t.n, t.ko, t.run, op.u.data(), t.u_stride, op.v.data(), c_ref.data(), t.ldc, bias,
               t.accumulate);
    for (size_t i = 0; i < c.size(); i++)
      if (std::memcmp(&c[i], &c_ref[i], 4) != 0) {
        CHECK(false, "%s: C[%zu] = %.8g, the twin has %.8g", tag, i, double(c[i]), double(c_ref[i]));
        return;
      }
    return;
  }
  // The twin itself against float64: each run adds at most (8 run) roundings
  // of at most 2^-11 of the run's sum of |products|, the fp32 adds 2^-24 each.
  for (size_t j = 0; j < t.n; j++)
    for (size_t m = 0; m < 16 * t.m16; m++) {
      double s = t.accumulate ? op.c0[j * t.ldc + m] : t.bias ? op.bias[m] : 0.0, mag = std::fabs(s);
      for (size_t k = 0; k < 8 * t.ko; k++) {
        const double p = double(half_to_float(op.uat(t, k, m))) * double(half_to_float(op.vat(t, k, j)));
        s += p;
        mag += std::fabs(p);
      }
      const double got = c[j * t.ldc + m];
      const double bound = (double(8 * t.run + 1) * std::ldexp(1.0, -11) + 1e-6) * mag;
      CHECK(std::fabs(got - s) <= bound, "%s: C[%zu][%zu] = %.8g, float64 %.8g (bound %.3g)", tag, j, m, got,
            s, bound);
    }
  // Between the rows of C (ldc > 16 m16) nothing is written.
  for (size_t j = 0; j + 1 < t.n; j++)
    for (size_t m = 16 * t.m16; m < t.ldc; m++)
      CHECK(c[j * t.ldc + m] == op.c0[j * t.ldc + m], "%s: wrote between the rows of C", tag);
}

void sweep(const WinoGemmF16Kernels& kern, const WinoGemmF16Kernels* twin) {
  for (size_t n = 1; n <= 20; n++)
    for (size_t ko : {1, 2, 3, 4, 5, 8, 9})
      for (size_t run : {1, 2, 4, 64}) {
        if (run > 4 && ko > 5 && n % 3) continue;
        if ((ko == 4 || ko == 8) && run == 1 && n % 4) continue;  // (4, 8: for runs 2, 4 dividing ko)
        for (int mode = 0; mode < 3; mode++) {
          const size_t m16 = 1 + (n + ko + run) % 3;
          const Case t{m16, n, ko, run, 128 * ko + (n % 2 ? 8 : 0), 16 * m16 + (n % 4 == 1 ? 12 : 0),
                       mode == 1, mode == 2};
          run_case(kern, twin, t);
        }
      }
}

// NaN and Inf in U or V reach the outputs they feed (and only those).
void check_nan(const WinoGemmF16Kernels& kern) {
  for (size_t n : {8, 5}) {
    const Case t{1, n, 3, 2, 128 * 3, 16, false, false};
    Operands op(t);
    const size_t jn = n - 1;  // tile j = n - 1 gets a NaN in V at k = 13
    const size_t g = jn / 8, nb = std::min<size_t>(8, n - 8 * g);
    op.v[64 * t.ko * g + 8 * nb * 1 + 8 * (jn % 8) + 5] = Half{0x7e00};
    op.u[16 * 20 + 3] = float_to_half(INFINITY);  // channel 3 at k = 20: +-inf or NaN
    GuardedArray<float> c(op.c0.size());
    kern.gemm(t.m16, t.n, t.ko, t.run, op.u.data(), t.u_stride, op.v.data(), c.data(), t.ldc, nullptr,
              false);
    for (size_t j = 0; j < n; j++)
      for (size_t m = 0; m < 16; m++) {
        const float y = c[j * t.ldc + m];
        if (j == jn)
          CHECK(std::isnan(y), "%s n=%zu: NaN in V did not reach C[%zu][%zu] (%g)", kern.name, n, j, m, double(y));
        else if (m == 3)
          CHECK(std::isinf(y) || std::isnan(y), "%s: inf in U did not reach C[%zu][3]", kern.name, j);
        else
          CHECK(std::isfinite(y), "%s: C[%zu][%zu] = %g should be finite", kern.name, j, m, double(y));
      }
  }
}

}  // namespace

int main() {
  const WinoGemmF16Kernels& twin = wino_gemm_f16_generic_kernels();
  sweep(twin, nullptr);
  check_nan(twin);
  const WinoGemmF16Kernels* neon = kernels().wino_gemm_f16;
#if defined(ARMCONV_HAVE_FP16)
  CHECK(bool(neon) == cpu_features().fp16, "fp16 Winograd GEMM dispatched: %d, CPU fp16: %d", int(bool(neon)),
        int(cpu_features().fp16));
#else
  CHECK(!neon, "an fp16 Winograd GEMM in a build without fp16 units");
#endif
  if (neon) {
    sweep(*neon, &twin);
    check_nan(*neon);
    std::printf("%s checked against %s\n", neon->name, twin.name);
  } else {
    std::printf("no fp16 Winograd GEMM on this CPU (fp16=%d): twin only\n", int(cpu_features().fp16));
  }
  std::printf("%s\n", failures ? "FAIL" : "PASS");
  return failures ? 1 : 0;
}

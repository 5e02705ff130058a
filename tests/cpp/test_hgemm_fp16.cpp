// fp16 GEMM (Precision::Fp16): binary16 arithmetic (core/half.h), the
// generic twin against a float64 reference within the binary16 bound, and,
// where the CPU runs the fp16 kernels (Cortex-A76 under QEMU), the NEON
// tables against the twin bit for bit: packers (float32 and binary16 images,
// dense and im2col) and micro-kernel (every remainder of the 8x24 tile,
// K-blocks, clamp, NaN/Inf). On a CPU without fp16 vector arithmetic it
// checks that no fp16 table was dispatched.
//
// Operands live in buffers that end at a PROT_NONE page (tests/cpp/guard.h).
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "armconv/armconv.h"
#include "check.h"
#include "core/dispatch.h"
#include "core/gemm.h"
#include "core/half.h"
#include "gemm_check.h"
#include "guard.h"

using namespace armconv;
using namespace armconv::detail;
using armconv_test::GuardedArray;
using gemm_check::fill;
using gemm_check::gen;
using gemm_check::randf;
using gemm_check::round_up;
using gemm_check::same_bits;
using gemm_check::val;

namespace {

double hd(Half h) { return double(half_to_float(h)); }

// ---- binary16 arithmetic -------------------------------------------------------------

// The binary16 neighbours of a finite half (next up, next down).
Half next_up(Half h) {
  if (h.bits == 0x8000) return Half{1};
  return Half{uint16_t(h.bits & 0x8000 ? h.bits - 1 : h.bits + 1)};
}
Half next_down(Half h) {
  if (h.bits == 0) return Half{0x8001};
  return Half{uint16_t(h.bits & 0x8000 ? h.bits + 1 : h.bits - 1)};
}

void check_half() {
  // Every half converts to float and back to itself (NaNs: quietened).
  for (uint32_t b = 0; b < 0x10000; b++) {
    const Half h{uint16_t(b)};
    const float f = half_to_float(h);
    const Half back = float_to_half(f);
    if (detail::is_nan(h))
      CHECK(std::isnan(f) && back.bits == (h.bits | 0x200), "NaN %04x -> %04x", b, back.bits);
    else
      CHECK(back.bits == h.bits, "%04x -> %g -> %04x", b, double(f), back.bits);
  }
  // float -> half is the nearest half, ties to even (checked against the
  // neighbours, not against another conversion routine).
  for (int i = 0; i < 200000; i++) {
    float f;
    if (i % 3 == 0) {  // near halves: a half plus a small offset, ties included
      const Half h{uint16_t(gen() % 0x7bff)};
      const double step = hd(next_up(h)) - hd(h);
      f = float(hd(h) + step * double(gen() % 9) / 8.0);
    } else {
      f = std::ldexp(randf(), int(gen() % 40) - 28);
    }
    const Half h = float_to_half(f);
    if (std::fabs(double(f)) >= 65520.0) {
      CHECK((h.bits & 0x7fff) == 0x7c00, "overflow %g -> %04x", double(f), h.bits);
      continue;
    }
    const double d = std::fabs(double(f) - hd(h));
    const double du = std::fabs(double(f) - hd(next_up(h))), dd = std::fabs(double(f) - hd(next_down(h)));
    CHECK(d <= du && d <= dd, "%g -> %04x is not nearest", double(f), h.bits);
    if (d == du || d == dd) CHECK((h.bits & 1) == 0, "%g: tie not to even (%04x)", double(f), h.bits);
  }
  // fma: one rounding. c + a*b where the exact value is a hair off a tie
  // between two halves (the double sum alone would round to the tie).
  {
    const Half one = float_to_half(1.0f), c = float_to_half(1.0f);
    const Half a = float_to_half(std::ldexp(1.0f, -11));  // a*b = half an ulp of 1 ...
    const Half b = float_to_half(1.0f + std::ldexp(1.0f, -10));  // ... plus a little
    CHECK(fma_half(a, b, c).bits == next_up(one).bits, "fma: above the tie must round up");
    CHECK(fma_half(a, float_to_half(1.0f), c).bits == one.bits, "fma: a tie rounds to even");
    CHECK(fma_half(float_to_half(-0.0f), one, float_to_half(-0.0f)).bits == 0x8000, "fma -0");
    CHECK(fma_half(float_to_half(2.0f), one, float_to_half(-2.0f)).bits == 0, "fma exact 0 is +0");
    CHECK(detail::is_nan(fma_half(float_to_half(INFINITY), float_to_half(0.0f), one)), "inf * 0");
    CHECK(fma_half(float_to_half(60000.0f), float_to_half(2.0f), one).bits == 0x7c00, "overflow");
  }
}

// ---- micro-kernel and packers --------------------------------------------------------

template <class IO>
struct Io;
template <>
struct Io<float> {
  static const GemmKernel<F16Gemm>* table(const HgemmPair& p) { return p.f32; }
  static const char* name() { return "float32"; }
};
template <>
struct Io<Half> {
  static const GemmKernel<F16GemmH>* table(const HgemmPair& p) { return p.f16; }
  static const char* name() { return "binary16"; }
};

// The generic twin against float64: |C - exact| within the binary16 bound of
// a sequential fused sum, (k + 2) * 2^-11 * (|bias| + sum |a b|) + the
// rounding of the inputs (already binary16: none).
template <class IO>
void check_twin_vs_double(const GemmKernel<F16GemmT<IO>>& gk, size_t m, size_t n, size_t k) {
  std::vector<float> a(m * k);
  std::vector<IO> b(k * n);
  fill(a.data(), a.size());
  fill(b.data(), b.size());
  std::vector<Half> ah(m * k);
  for (size_t i = 0; i < ah.size(); i++) ah[i] = float_to_half(a[i]);
  std::vector<Half> pa(round_up(m, gk.mr) * k), pb(round_up(n, gk.nr) * k), bias(round_up(m, gk.mr) + 8);
  fill(bias.data(), m);
  gk.pack_a(m, k, ah.data(), k, pa.data());
  gk.pack_b(k, n, b.data(), n, pb.data());
  std::vector<IO> c(m * n);
  F16Output<IO> out;
  out.bias = bias.data();
  gemm_check::run_tiles(gk, m, n, k, pa.data(), pb.data(), c.data(), n, out, 0, true);
  for (size_t i = 0; i < m; i++)
    for (size_t j = 0; j < n; j++) {
      double s = hd(bias[i]), mag = std::fabs(s);
      for (size_t kk = 0; kk < k; kk++) {
        const double t = hd(ah[i * k + kk]) * hd(float_to_half(float(val(b[kk * n + j]))));
        s += t;
        mag += std::fabs(t);
      }
      CHECK(gemm_check::within_dot_bound(val(c[i * n + j]), s, mag, k, 11), "twin %s m=%zu n=%zu k=%zu: %g vs %g",
            Io<IO>::name(), m, n, k, val(c[i * n + j]), s);
    }
}

// NEON table against its twin: packed panels bit for bit, then C bit for bit
// (the arithmetic is the same: one fused binary16 multiply-add per k, in order).
template <class IO>
void check_kernel(const GemmKernel<F16GemmT<IO>>& kn, const GemmKernel<F16GemmT<IO>>& gk,
                  size_t m, size_t n, size_t k, size_t ldb, size_t ldc, unsigned flags,
                  bool specials = false) {
  char tag[160];
  std::snprintf(tag, sizeof tag, "%s %s m=%zu n=%zu k=%zu ldb=%zu ldc=%zu flags=%u%s", kn.name,
                Io<IO>::name(), m, n, k, ldb, ldc, flags, specials ? " (NaN/Inf)" : "");
  gemm_check::GemmCase<F16GemmT<IO>> t(kn, m, n, k, k, ldb, ldc);
  if (specials) {  // NaN and infinities in B, one overflow in a product
    const float nan = NAN, inf = INFINITY;
    auto b = [&](size_t i, float v) { t.b[i] = gemm_check::to_packed<IO>(v); };
    b((k - 1) * ldb + n - 1, nan);
    if (n > 2) b(1, inf);
    if (n > 3 && k > 1) b(ldb + 2, -inf);
    // float32 B: above binary16's range (converts to inf); binary16 B: a
    // product that overflows.
    b(0, sizeof(IO) == 4 ? 70000.0f : 60000.0f);
  }
  t.pack(kn, gk, tag);
  // C holds binary16 values (what an earlier K-block wrote).
  t.init_c([] { return gemm_check::to_packed<IO>(half_to_float(float_to_half(randf()))); });
  F16Output<IO> out;
  out.clamp = true;
  out.lo = float_to_half(-0.3f);
  out.hi = float_to_half(0.4f);
  t.run(kn, gk, out, flags, true, true);  // one A panel strip at a time, as the driver runs it
  t.each_c(tag, [&](size_t i, size_t j, size_t at) {
    const bool both_nan = std::isnan(val(t.c[at])) && std::isnan(val(t.c_ref[at]));
    if (!both_nan && !same_bits(&t.c[at], &t.c_ref[at], 1)) {
      CHECK(false, "%s: C[%zu][%zu] = %.8g, the twin has %.8g", tag, i, j, val(t.c[at]),
            val(t.c_ref[at]));
      return false;
    }
    return true;
  });
}

template <class IO>
void check_tables(const GemmKernel<F16GemmT<IO>>& kn, const GemmKernel<F16GemmT<IO>>& gk) {
  const unsigned flag_sets[] = {0, kLastK, kAccumulate, kAccumulate | kLastK};
  size_t cnt = 0;
  const size_t ks[] = {1, 2, 3, 4, 5, 7, 8, 12, 15, 16, 17, 19, 33};
  for (size_t m : {size_t(1), size_t(3), size_t(7), size_t(8), size_t(9), size_t(16)})
    for (size_t n = 1; n <= 2 * kn.nr + 2; n++, cnt++) {
      const size_t k = ks[cnt % (sizeof ks / sizeof ks[0])];
      const bool strided = cnt % 3 == 1;
      check_kernel(kn, gk, m, n, k, strided ? n + 3 : n, strided ? n + 5 : n, flag_sets[cnt % 4]);
    }
  for (size_t k : {31, 48, 64, 67, 130})
    for (unsigned f : flag_sets) check_kernel(kn, gk, kn.mr + 3, kn.nr * 2 + 9, k, kn.nr * 2 + 9, kn.nr * 2 + 11, f);
  for (unsigned f : flag_sets) {
    check_kernel(kn, gk, 8, 3 * kn.nr, 20, 3 * kn.nr, 3 * kn.nr, f, true);
    check_kernel(kn, gk, 5, 13, 6, 13, 13, f, true);
  }
  std::printf("%s (%s): micro-kernel and dense packers checked, failures so far %d\n", kn.name,
              Io<IO>::name(), failures);
  gemm_check::for_im2col_cases([&](auto... g) { gemm_check::check_im2col(kn, gk, size_t(g)...); });
  std::printf("%s (%s): im2col checked, failures so far %d\n", kn.name, Io<IO>::name(), failures);
}

}  // namespace

int main() {
  gen.seed(4242);
  check_half();
  std::printf("binary16 arithmetic checked, failures so far %d\n", failures);

  const HgemmPair twin = hgemm_generic_kernels_for(8, 24);
  CHECK(twin.f32 && twin.f16, "no generic 8x24 fp16 twin");
  if (!twin.f32) return 1;
  for (size_t m : {1, 8, 11})
    for (size_t n : {1, 24, 30})
      for (size_t k : {1, 9, 40}) {
        check_twin_vs_double(*twin.f32, m, n, k);
        check_twin_vs_double(*twin.f16, m, n, k);
      }
  std::printf("generic twin checked against float64, failures so far %d\n", failures);

  const HgemmPair neon = kernels().hgemm;
  std::printf("fp16 kernels: %s (cpu fp16: %d)\n", neon.f32 ? neon.f32->name : "none",
              int(cpu_features().fp16));
#if defined(ARMCONV_HAVE_FP16)
  CHECK(bool(neon.f32) == cpu_features().fp16 && bool(neon.f16) == cpu_features().fp16,
        "fp16 tables dispatched iff the CPU has fp16 vector arithmetic");
#else
  CHECK(!neon.f32 && !neon.f16, "fp16 tables in a build without them");
#endif
  if (neon.f32) {
    const HgemmPair gk = hgemm_generic_kernels_for(neon.f32->mr, neon.f32->nr);
    CHECK(gk.f32 != nullptr, "no twin for the NEON tile");
    if (gk.f32) {
      check_tables(*neon.f32, *gk.f32);
      check_tables(*neon.f16, *gk.f16);
    }
  }
  if (failures) {
    std::printf("%d failures\n", failures);
    return 1;
  }
  std::printf("ok\n");
  return 0;
}

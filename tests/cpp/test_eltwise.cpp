// Elementwise binary kernels (core/eltwise.h): the dispatched kernel and the
// generic twin against a float64 reference, for every op, every clamp (none,
// lo only, hi only, both), both operand kinds (vv, vs), every length 0..40
// (0..2x the 16-element step and past it) and a few long ones, operands in
// guarded buffers at either end of a page (a read or write past either end
// faults; start alignments vary with the length), y aliasing a or b, NaN,
// +-inf, -0 and subnormals. Then the operator (eltwise_run): any cut of the
// units, and 1 or 3 threads, give the same bits, for every broadcast kind.
//
// The reference: a op b in double, rounded to float, is the correctly rounded
// float result (double has more than 2 * 24 + 2 significand bits), so the
// kernels must match it exactly. armv7's Advanced SIMD flushes subnormals to
// zero (core/eltwise.h): there the reference flushes the operands and the
// result. NaN results are compared as NaN (payloads aside).
#include <cmath>
#include <cstdio>
#include <algorithm>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "armconv/armconv.h"
#include "check.h"
#include "core/dispatch.h"
#include "core/eltwise.h"
#include "guard.h"
#include "rand.h"

using armconv::detail::EltBroadcast;
using armconv::detail::EltOp;
using armconv::detail::EltwiseKernels;
using armconv_test::GuardedArray;

namespace {

const float kInf = std::numeric_limits<float>::infinity();
const char* kOpName[] = {"add", "sub", "rsub", "mul", "max", "min"};

bool g_ftz = false;  // the kernel under test flushes subnormals (armv7 NEON)

double ftz(double v) { return (g_ftz && v != 0.0 && std::fabs(v) < double(std::numeric_limits<float>::min())) ? 0.0 : v; }

double ref_max(double a, double b) { return (a != a || b != b) ? std::nan("") : (a > b ? a : b); }
double ref_min(double a, double b) { return (a != a || b != b) ? std::nan("") : (a < b ? a : b); }

float reference(EltOp op, float af, float bf, float lo, float hi) {
  const double a = ftz(af), b = ftz(bf);
  double r = 0;
  switch (op) {
    case EltOp::Add: r = a + b; break;
    case EltOp::Sub: r = a - b; break;
    case EltOp::RSub: r = b - a; break;
    case EltOp::Mul: r = a * b; break;
    case EltOp::Max: r = ref_max(a, b); break;
    case EltOp::Min: r = ref_min(a, b); break;
  }
  const float rf = float(ftz(double(float(r))));  // one rounding (then armv7's flush)
  return float(ref_min(ref_max(double(rf), double(lo)), double(hi)));
}

bool same(float got, float want) { return (want != want) ? got != got : got == want; }

int cases = 0;

// Values: uniform in [-2, 2], with specials sprinkled by `special`:
// 1 NaN, 2 +-inf, 3 -0 and subnormals, 4 all of them.
void fill(float* p, size_t n, std::mt19937& rng, int special) {
  const armconv_test::Uniform<float> u(-2.0f, 2.0f);
  for (size_t i = 0; i < n; i++) p[i] = u(rng);
  if (n == 0) return;
  const float sub = std::numeric_limits<float>::denorm_min() * 37.0f;
  for (size_t i = rng() % 3; i < n; i += 3 + rng() % 5) {
    const int kind = special == 4 ? int(rng() % 3) + 1 : special;
    if (kind == 1) p[i] = std::nanf("");
    if (kind == 2) p[i] = (rng() & 1) ? kInf : -kInf;
    if (kind == 3) p[i] = (rng() & 1) ? -0.0f : ((rng() & 1) ? sub : -sub);
  }
}

// alias: 0 none, 1 y is a, 2 y is b (vv only).
void check_kernel(const EltwiseKernels& k, EltOp op, bool vv, size_t n, float lo, float hi, int special,
                  int alias, bool at_end) {
  GuardedArray<float> a(n, at_end), b(n, !at_end), y(n, at_end);
  std::mt19937 rng(unsigned(n * 131 + int(op) * 17 + special * 5 + alias + (vv ? 1000 : 0)));
  fill(a.data(), n, rng, special);
  fill(b.data(), n, rng, special);
  float s = armconv_test::Uniform<float>(-2.0f, 2.0f)(rng);
  if (special == 1 && (rng() & 3) == 0) s = std::nanf("");
  if (special == 2 && (rng() & 1)) s = -kInf;
  std::vector<float> a0(a.data(), a.data() + n), b0(b.data(), b.data() + n);
  float* out = alias == 1 ? a.data() : alias == 2 ? b.data() : y.data();
  if (!alias)
    for (size_t i = 0; i < n; i++) out[i] = 12345.0f;
  if (vv) k.vv(op, a.data(), b.data(), out, n, lo, hi);
  else k.vs(op, a.data(), s, out, n, lo, hi);
  cases++;
  for (size_t i = 0; i < n; i++) {
    const float want = reference(op, a0[i], vv ? b0[i] : s, lo, hi);
    CHECK(same(out[i], want), "%s %s %s n%zu lo %g hi %g special %d alias %d: [%zu] = %g, want %g (a %g, b %g)",
          k.name, kOpName[int(op)], vv ? "vv" : "vs", n, double(lo), double(hi), special, alias, i,
          double(out[i]), double(want), double(a0[i]), double(vv ? b0[i] : s));
  }
  if (alias != 1)
    CHECK(std::memcmp(a.data(), a0.data(), n * sizeof(float)) == 0, "%s: a changed", k.name);
  if (alias != 2 && vv)
    CHECK(std::memcmp(b.data(), b0.data(), n * sizeof(float)) == 0, "%s: b changed", k.name);
}

void sweep(const EltwiseKernels& k) {
  g_ftz = std::strstr(k.name, "armv7") != nullptr;
  const float clamps[][2] = {{-kInf, kInf}, {0.0f, kInf}, {-kInf, 6.0f}, {0.0f, 6.0f}, {-1.0f, 1.0f}, {0.5f, 0.5f}, {1.0f, -1.0f}};
  std::vector<size_t> lengths;
  for (size_t n = 0; n <= 40; n++) lengths.push_back(n);
  for (size_t n : {63, 64, 65, 100, 1001, 4099}) lengths.push_back(n);
  for (int o = 0; o < 6; o++)
    for (int vv = 0; vv < 2; vv++)
      for (const auto& c : clamps)
        for (size_t n : lengths) {
          const int special = int((n + size_t(o)) % 5);
          const int alias = vv ? int(n % 3) : int(n % 2);
          check_kernel(k, EltOp(o), vv, n, c[0], c[1], special, alias, (n + size_t(vv)) % 2 == 0);
          if (n <= 40) check_kernel(k, EltOp(o), vv, n, c[0], c[1], (special + 4) % 5, 0, (n + size_t(vv)) % 2 == 1);
        }
}

// The operator: eltwise_run over random cuts of the units, and eltwise() at 1
// and 3 threads, equal the single run of all units bit for bit (NaN payloads
// included), and match the reference.
void check_operator() {
  struct Shape {
    EltBroadcast bc;
    size_t outer, mid, inner;
  };
  const Shape shapes[] = {{EltBroadcast::Same, 1, 1, 64 * 56 * 56 + 5},
                          {EltBroadcast::Scalar, 1, 1, 3 * 8192 + 17},
                          {EltBroadcast::Mid, 2, 96, 28 * 28},    // per channel, (N, C, H, W)
                          {EltBroadcast::Mid, 3, 5000, 7},        // small planes: many per unit
                          {EltBroadcast::Mid, 1000, 37, 1}};      // a trailing vector
  const EltwiseKernels& k = *armconv::detail::kernels().eltwise;
  g_ftz = std::strstr(k.name, "armv7") != nullptr;
  std::mt19937 rng(11);
  for (const Shape& sh : shapes) {
    const size_t total = sh.outer * sh.mid * sh.inner;
    const size_t bn = sh.bc == EltBroadcast::Same ? total : sh.bc == EltBroadcast::Mid ? sh.mid : 1;
    std::vector<float> a(total), b(bn);
    fill(a.data(), total, rng, 4);
    fill(b.data(), bn, rng, 0);
    for (int o = 0; o < 6; o += 3) {  // add, mul
      const EltOp op = EltOp(o);
      const float lo = 0.0f, hi = o ? kInf : 6.0f;
      const auto plan = armconv::detail::eltwise_plan(op, sh.bc, sh.outer, sh.mid, sh.inner, lo, hi);
      CHECK(plan.units > 1, "shape %zu,%zu,%zu plans %zu unit(s)", sh.outer, sh.mid, sh.inner, plan.units);
      std::vector<float> whole(total), cut(total, 7.0f), t1(total), t3(total);
      armconv::detail::eltwise_run(k, plan, a.data(), b.data(), whole.data(), 0, plan.units);
      // Random cuts of the one-thread plan and of the plans for 3 and 4
      // threads (finer units: at least 8 per thread where the tensor allows).
      for (int team : {1, 3, 4}) {
        const auto pt = armconv::detail::eltwise_plan(op, sh.bc, sh.outer, sh.mid, sh.inner, lo, hi, team);
        if (team > 1)
          CHECK(pt.units >= std::min<size_t>(8 * size_t(team), total / 512 / (sh.bc == EltBroadcast::Mid ? 2 : 1)) &&
                    pt.units >= plan.units,
                "shape %zu,%zu,%zu: %zu units for %d threads", sh.outer, sh.mid, sh.inner, pt.units, team);
        for (int rep = 0; rep < 2; rep++) {
          std::fill(cut.begin(), cut.end(), 7.0f);
          size_t u = 0;
          while (u < pt.units) {
            const size_t e = std::min(pt.units, u + 1 + rng() % 5);
            armconv::detail::eltwise_run(k, pt, a.data(), b.data(), cut.data(), u, e);
            u = e;
          }
          CHECK(std::memcmp(cut.data(), whole.data(), total * sizeof(float)) == 0, "a cut changes bits (team %d)", team);
        }
      }
      {
        armconv::ScopedNumThreads t(1);
        armconv::detail::eltwise(op, sh.bc, sh.outer, sh.mid, sh.inner, a.data(), b.data(), t1.data(), lo, hi);
      }
      {
        armconv::ScopedNumThreads t(3);
        armconv::detail::eltwise(op, sh.bc, sh.outer, sh.mid, sh.inner, a.data(), b.data(), t3.data(), lo, hi);
      }
      CHECK(std::memcmp(t1.data(), whole.data(), total * sizeof(float)) == 0, "1 thread differs");
      CHECK(std::memcmp(t3.data(), whole.data(), total * sizeof(float)) == 0, "3 threads differ");
      for (size_t i = 0; i < total; i++) {
        size_t bi = 0;
        if (sh.bc == EltBroadcast::Same) bi = i;
        if (sh.bc == EltBroadcast::Mid) bi = sh.inner == 1 ? i % sh.mid : (i / sh.inner) % sh.mid;
        const float want = reference(op, a[i], b[bi], lo, hi);
        CHECK(same(whole[i], want), "operator %s bc %d [%zu] = %g, want %g", kOpName[o], int(sh.bc), i,
              double(whole[i]), double(want));
      }
      // In place: y is a.
      std::vector<float> inplace(a);
      armconv::detail::eltwise(op, sh.bc, sh.outer, sh.mid, sh.inner, inplace.data(), b.data(), inplace.data(),
                               lo, hi);
      CHECK(std::memcmp(inplace.data(), whole.data(), total * sizeof(float)) == 0, "in place differs");
    }
  }
}

}  // namespace

int main() {
  const EltwiseKernels& chosen = *armconv::detail::kernels().eltwise;
  std::printf("kernel %s\n", chosen.name);
  sweep(chosen);
  if (&chosen != &armconv::detail::eltwise_generic_kernels()) sweep(armconv::detail::eltwise_generic_kernels());
  check_operator();
  std::printf("%d kernel cases, %d failures\n", cases, failures);
  return failures ? 1 : 0;
}

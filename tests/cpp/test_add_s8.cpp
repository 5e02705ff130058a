// int8 elementwise Add (core/add_s8.h): the dispatched kernel and the generic
// twin against an independent reference of the contract's rule, for every
// shift 1..16, multipliers small, large (saturation) and negative, lo -127
// (no clamp), 0 (ReLU) and others, every length 0..70 (0 to 4 steps of 16 and
// every tail) and a few long ones, operands in guarded buffers at either end
// of a page (a read or write past either end faults), y aliasing a or b;
// every rounding tie (multipliers 2^(shift-1) and 3 2^(shift-2) make half the
// sums ties; the count of ties met is itself checked) and every (a, b) pair
// of int8 values once. Then add_s8_params (the shift the largest that fits,
// the multipliers within 1/2 of the ratios, refusals) and the operator
// (add_s8_run over random cuts, add_s8 on 1 and 3 threads, in place).
//
// The reference computes in int64 and rounds by comparing 2 |acc| with odd
// multiples of 2^shift (no shift, no rounding instruction): |v| = the number
// of k >= 0 with 2 |acc| >= (2k + 1) 2^shift.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "armconv/armconv.h"
#include "check.h"
#include "core/add_s8.h"
#include "core/dispatch.h"
#include "guard.h"

using armconv::detail::AddS8Kernels;
using armconv::detail::AddS8Params;
using armconv_test::GuardedArray;

namespace {

int cases = 0;
long ties = 0;

int8_t reference(int a, int b, const AddS8Params& p) {
  const int64_t acc = int64_t(a) * p.ma + int64_t(b) * p.mb;
  const int64_t twice = 2 * (acc < 0 ? -acc : acc), unit = int64_t(1) << p.shift;
  if (twice % unit == 0 && (twice / unit) % 2 == 1) ties++;
  int64_t mag = 0;
  while (mag < 200 && twice >= (2 * mag + 1) * unit) mag++;
  int64_t v = acc < 0 ? -mag : mag;
  v = std::min<int64_t>(127, std::max<int64_t>(-127, v));
  return int8_t(std::max<int64_t>(v, p.lo));
}

// alias: 0 none, 1 y is a, 2 y is b.
void check_kernel(const AddS8Kernels& k, const AddS8Params& p, size_t n, int alias, bool at_end, std::mt19937& rng,
                  bool full_range) {
  GuardedArray<int8_t> a(n, at_end), b(n, !at_end), y(n, at_end);
  for (size_t i = 0; i < n; i++) {
    // Mostly the whole int8 range; now and then -128 (outside the scheme's
    // range but int8: the rule holds for it too) and the extremes.
    a.data()[i] = int8_t(int(rng() % 256) - 128);
    b.data()[i] = int8_t(int(rng() % 256) - 128);
    if (!full_range) {
      if (a.data()[i] == -128) a.data()[i] = -127;
      if (b.data()[i] == -128) b.data()[i] = 127;
    }
  }
  std::vector<int8_t> a0(a.data(), a.data() + n), b0(b.data(), b.data() + n);
  int8_t* out = alias == 1 ? a.data() : alias == 2 ? b.data() : y.data();
  if (!alias) std::memset(out, 0x55, n);
  k.add(a.data(), b.data(), out, n, p);
  cases++;
  for (size_t i = 0; i < n; i++) {
    const int8_t want = reference(a0[i], b0[i], p);
    CHECK(out[i] == want, "%s ma %d mb %d shift %d lo %d n%zu alias %d: [%zu] = %d, want %d (a %d, b %d)", k.name,
          p.ma, p.mb, p.shift, p.lo, n, alias, i, out[i], want, a0[i], b0[i]);
  }
  if (alias != 1) CHECK(std::memcmp(a.data(), a0.data(), n) == 0, "%s: a changed", k.name);
  if (alias != 2) CHECK(std::memcmp(b.data(), b0.data(), n) == 0, "%s: b changed", k.name);
}

// Every (a, b) pair of int8 values (65536 elements) once.
void check_all_pairs(const AddS8Kernels& k, const AddS8Params& p) {
  std::vector<int8_t> a(65536), b(65536), y(65536);
  for (int i = 0; i < 65536; i++) a[size_t(i)] = int8_t(i & 255), b[size_t(i)] = int8_t(i >> 8);
  k.add(a.data(), b.data(), y.data(), a.size(), p);
  cases++;
  int bad = 0;
  for (size_t i = 0; i < a.size(); i++)
    if (y[i] != reference(a[i], b[i], p) && bad++ < 3)
      CHECK(false, "%s all pairs ma %d mb %d shift %d lo %d: a %d b %d -> %d, want %d", k.name, p.ma, p.mb,
            p.shift, p.lo, a[i], b[i], y[i], reference(a[i], b[i], p));
}

void sweep(const AddS8Kernels& k) {
  std::mt19937 rng(7);
  const long ties0 = ties;
  for (int shift = 1; shift <= 16; shift++) {
    // Ties: 2^(shift-1) (2^14 at shift 16: the contract's multipliers are
    // below 2^15) makes (a + b) / 2 ((a + b) / 4), and 3 2^(shift-2) 3a / 4.
    const int half = 1 << std::min(shift - 1, 14), three = 3 << std::max(0, std::min(shift - 2, 13));
    std::vector<AddS8Params> ps = {
        {half, half, shift, -127},
        {three, half, shift, -127},
        {std::min(32767, 1 << shift), std::min(32767, 1 << shift), shift, -127},  // a + b: saturates
        {32767, 32767, shift, 0},                                    // saturation, ReLU
        {32767, -32767, shift, -127},                                // a - b
        {-32767, 12345, shift, 5},
        {int(rng() % 32768), int(rng() % 32768), shift, 0},
        {int(rng() % 32768), int(rng() % 32768), shift, -127},
        {int(rng() % 3000), int(rng() % 32768), shift, -3},
        {0, 0, shift, -127},
        {1, 1, shift, 127},
    };
    for (const AddS8Params& p : ps)
      for (size_t n = 0; n <= 70; n++)
        check_kernel(k, p, n, int(n % 3), (n + size_t(shift)) % 2 == 0, rng, n % 5 != 0);
    for (size_t n : {1001, 4099}) check_kernel(k, ps[6], n, int(n % 3), n % 2 == 0, rng, true);
    check_all_pairs(k, ps[0]);
    check_all_pairs(k, ps[6]);
    check_all_pairs(k, {ps[6].ma, ps[6].mb, shift, 0});
  }
  CHECK(ties - ties0 > 100000, "%s: only %ld ties checked", k.name, ties - ties0);
}

void check_params() {
  AddS8Params p;
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> e(-20.0, 20.0);
  for (int i = 0; i < 20000; i++) {
    const float sa = float(std::exp2(e(rng))), sb = float(std::exp2(e(rng))), sy = float(std::exp2(e(rng)));
    const double ra = double(sa) / sy, rb = double(sb) / sy, r = std::max(ra, rb);
    const bool ok = armconv::detail::add_s8_params(sa, sb, sy, -127, &p);
    CHECK(ok == (std::floor(r * 2 + 0.5) <= 32767.0), "params(%g, %g, %g): %d", double(sa), double(sb), double(sy),
          int(ok));
    if (!ok) continue;
    CHECK(p.shift >= 1 && p.shift <= 16 && p.ma >= 0 && p.ma <= 32767 && p.mb >= 0 && p.mb <= 32767 && p.lo == -127,
          "params out of the contract: %d %d %d", p.ma, p.mb, p.shift);
    const double u = std::ldexp(1.0, p.shift);
    CHECK(std::fabs(p.ma - ra * u) <= 0.5 && std::fabs(p.mb - rb * u) <= 0.5, "multipliers %d %d for %g %g at 2^%d",
          p.ma, p.mb, ra, rb, p.shift);
    // The largest shift: one more would not fit (or 16).
    CHECK(p.shift == 16 || std::floor(r * u * 2 + 0.5) > 32767.0, "shift %d not the largest for r %g", p.shift, r);
  }
  CHECK(armconv::detail::add_s8_params(1.0f, 0.5f, 2.0f, 0, &p) && p.ma == 16384 && p.mb == 8192 && p.shift == 15 &&
            p.lo == 0,
        "params(1, 0.5, 2) = %d %d %d %d", p.ma, p.mb, p.shift, p.lo);
  CHECK(armconv::detail::add_s8_params(1.0f, 1.0f, 1.0f, -127, &p) && p.ma == 16384 && p.shift == 14,
        "params(1, 1, 1) = %d %d", p.ma, p.shift);
  for (float bad : {0.0f, -1.0f, INFINITY, NAN})
    CHECK(!armconv::detail::add_s8_params(bad, 1.0f, 1.0f, 0, &p) &&
              !armconv::detail::add_s8_params(1.0f, 1.0f, bad, 0, &p),
          "params accept scale %g", double(bad));
  CHECK(!armconv::detail::add_s8_params(1.0f, 1.0f, 1e-5f, 0, &p), "params accept a ratio of 1e5");
  CHECK(!armconv::detail::add_s8_params(1.0f, 1.0f, 1.0f, 128, &p) &&
            !armconv::detail::add_s8_params(1.0f, 1.0f, 1.0f, -128, &p),
        "params accept lo outside [-127, 127]");
}

// The operator: random cuts of the plans for 1, 3, 4 threads and add_s8 on 1
// and 3 threads give the reference's bits.
void check_operator() {
  const AddS8Kernels& k = *armconv::detail::kernels().add_s8;
  std::mt19937 rng(11);
  AddS8Params p;
  armconv::detail::add_s8_params(0.03f, 0.02f, 0.041f, 0, &p);
  for (size_t total : {size_t(24) * 56 * 56 + 5, size_t(96) * 14 * 14, size_t(7)}) {
    std::vector<int8_t> a(total), b(total), want(total), got(total);
    for (size_t i = 0; i < total; i++) a[i] = int8_t(int(rng() % 255) - 127), b[i] = int8_t(int(rng() % 255) - 127);
    for (size_t i = 0; i < total; i++) want[i] = reference(a[i], b[i], p);
    for (int team : {1, 3, 4}) {
      const auto plan = armconv::detail::add_s8_plan(p, total, team);
      if (total > 8192) CHECK(plan.units > 1, "%zu elements: %zu unit(s)", total, plan.units);
      if (team > 1 && total >= 512 * 8 * size_t(team))
        CHECK(plan.units >= 8 * size_t(team), "%zu elements: %zu units for %d threads", total, plan.units, team);
      CHECK(plan.per_unit % 16 == 0, "unit of %zu elements", plan.per_unit);
      std::fill(got.begin(), got.end(), int8_t(99));
      size_t u = 0;
      while (u < plan.units) {
        const size_t e = std::min(plan.units, u + 1 + rng() % 5);
        armconv::detail::add_s8_run(k, plan, a.data(), b.data(), got.data(), u, e);
        u = e;
      }
      CHECK(got == want, "a cut of the %d-thread plan differs (%zu elements)", team, total);
    }
    for (int threads : {1, 3}) {
      armconv::ScopedNumThreads t(threads);
      std::fill(got.begin(), got.end(), int8_t(99));
      armconv::detail::add_s8(p, a.data(), b.data(), got.data(), total);
      CHECK(got == want, "add_s8 on %d threads differs (%zu elements)", threads, total);
      std::vector<int8_t> inplace(b);
      armconv::detail::add_s8(p, a.data(), inplace.data(), inplace.data(), total);
      CHECK(inplace == want, "add_s8 in place (y = b) on %d threads differs", threads);
    }
  }
}

}  // namespace

int main() {
  const AddS8Kernels& chosen = *armconv::detail::kernels().add_s8;
  std::printf("kernel %s\n", chosen.name);
  sweep(chosen);
  if (&chosen != &armconv::detail::add_s8_generic_kernels()) sweep(armconv::detail::add_s8_generic_kernels());
  check_params();
  check_operator();
  std::printf("%d kernel cases, %ld ties, %d failures\n", cases, ties, failures);
  return failures ? 1 : 0;
}

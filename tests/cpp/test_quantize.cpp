// float32 -> int8 quantization (core/quantize.h): the dispatched kernel and
// the generic twin against an exact reference that never divides, for scales
// across the contract's range (and its ends), values at and one or two ulps
// around every half-integer multiple of the scale (the rounding decisions),
// at the integers, random values inside and beyond the clamp, +-0, +-inf,
// subnormals and FLT_MAX; every length 0..40 (tails) in guarded buffers;
// NaN reported wherever it sits. Then armconv::quantize() with per-channel
// scales, some outside the kernels' range (the generic twin runs those), on 1
// to 4 threads.
//
// The reference: q = clip(round_half_away(x / s), -127, 127) is, for a = |x|,
// the number of k in [0, 127) with a >= (k + 1/2) s, signed like x. (k + 1/2) s
// has at most 9 + 24 significant bits, so double holds it exactly, and the
// comparison with a (a float) is exact.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "armconv/quant.h"
#include "check.h"
#include "core/dispatch.h"
#include "core/quantize.h"
#include "guard.h"
#include "rand.h"

using armconv::detail::QuantizeKernels;
using armconv_test::GuardedArray;

namespace {

const float kInf = std::numeric_limits<float>::infinity();
int cases = 0;

int reference(float x, float s) {
  const double a = std::fabs(double(x));
  int q = 0;
  while (q < 127 && a >= (double(q) + 0.5) * double(s)) q++;
  return std::signbit(x) ? -q : q;
}

std::vector<float> values(float s, std::mt19937& g) {
  std::vector<float> v = {0.0f, -0.0f, kInf, -kInf, std::numeric_limits<float>::max(),
                          -std::numeric_limits<float>::max(), std::numeric_limits<float>::min(),
                          std::numeric_limits<float>::denorm_min(), -std::numeric_limits<float>::denorm_min(),
                          1e-40f, -3e-39f};
  for (int k = -130; k <= 130; k++) {
    for (float base : {float((k + 0.5) * double(s)), float(k * double(s))}) {
      float lo = base, hi = base;
      v.push_back(base);
      for (int j = 0; j < 2; j++) {
        lo = std::nextafter(lo, -kInf);
        hi = std::nextafter(hi, kInf);
        v.push_back(lo);
        v.push_back(hi);
      }
    }
  }
  armconv_test::Uniform<float> u(-140.0f, 140.0f);
  for (int i = 0; i < 2000; i++) v.push_back(float(double(u(g)) * double(s)));
  return v;
}

void check_kernel(const QuantizeKernels& k, float s, const std::vector<float>& v) {
  std::vector<int8_t> q(v.size());
  const bool ok = k.f32_to_s8(v.data(), q.data(), v.size(), s);
  CHECK(ok, "%s: scale %a: no NaN, but reported one", k.name, double(s));
  for (size_t i = 0; i < v.size(); i++) {
    cases++;
    CHECK(q[i] == reference(v[i], s), "%s: scale %a x %a: got %d, want %d", k.name, double(s), double(v[i]),
          int(q[i]), reference(v[i], s));
  }
}

void check_lengths(const QuantizeKernels& k, std::mt19937& g) {
  armconv_test::Uniform<float> u(-200.0f, 200.0f);
  const float s = 0.37f;
  for (size_t n = 0; n <= 40; n++) {
    for (bool at_end : {true, false}) {
      GuardedArray<float> x(n, at_end);
      GuardedArray<int8_t> q(n, at_end);
      for (size_t i = 0; i < n; i++) x[i] = u(g);
      CHECK(k.f32_to_s8(x.data(), q.data(), n, s), "%s: n %zu: NaN reported", k.name, n);
      for (size_t i = 0; i < n; i++) {
        cases++;
        CHECK(q[i] == reference(x[i], s), "%s: n %zu at %zu: got %d want %d", k.name, n, i, int(q[i]),
              reference(x[i], s));
      }
      for (size_t p = 0; p < n; p++) {  // a NaN anywhere, the tail included
        std::vector<float> y(x.data(), x.data() + n);
        y[p] = std::nanf("");
        std::vector<int8_t> out(n);
        CHECK(!k.f32_to_s8(y.data(), out.data(), n, s), "%s: n %zu: NaN at %zu not reported", k.name, n, p);
      }
    }
  }
}

void sweep(const QuantizeKernels& k) {
  std::printf("kernel %s\n", k.name);
  std::mt19937 g(7);
  armconv_test::Uniform<float> us(1e-3f, 10.0f);
  std::vector<float> scales = {1.0f, 0.5f, 1.0f / 127.0f, 6.0f / 127.0f, 0.1f, 3.3f / 127.0f,
                               armconv::detail::kQuantizeMinScale, armconv::detail::kQuantizeMaxScale,
                               3.0f * armconv::detail::kQuantizeMinScale,
                               std::nextafter(armconv::detail::kQuantizeMaxScale, 0.0f), 1e20f, 1e-20f};
  for (int i = 0; i < 20; i++) scales.push_back(us(g));
  for (float s : scales) check_kernel(k, s, values(s, g));
  check_lengths(k, g);
}

// armconv::quantize over (outer, channels, inner) with a scale per channel,
// two of them outside the kernels' range: every element by the rule.
void check_api() {
  const float scales[4] = {0.05f, 0x1p-120f, 2.5f, 0x1p110f};
  const int64_t outer = 3, ch = 4, inner = 37;
  std::mt19937 g(3);
  armconv_test::Uniform<float> u(-150.0f, 150.0f);
  std::vector<float> x(size_t(outer * ch * inner));
  for (int64_t o = 0; o < outer; o++)
    for (int64_t c = 0; c < ch; c++)
      for (int64_t i = 0; i < inner; i++)
        x[size_t((o * ch + c) * inner + i)] = float(double(u(g)) * double(scales[c]));
  std::vector<int8_t> q(x.size());
  armconv::quantize(x.data(), q.data(), outer, ch, inner, scales);
  for (int64_t o = 0; o < outer; o++)
    for (int64_t c = 0; c < ch; c++)
      for (int64_t i = 0; i < inner; i++) {
        const size_t at = size_t((o * ch + c) * inner + i);
        cases++;
        CHECK(q[at] == reference(x[at], scales[c]), "quantize(): channel %lld x %a: got %d want %d",
              (long long)c, double(x[at]), int(q[at]), reference(x[at], scales[c]));
      }
  x[5] = std::nanf("");
  bool threw = false;
  try {
    armconv::quantize(x.data(), q.data(), outer, ch, inner, scales);
  } catch (const armconv::Error&) {
    threw = true;
  }
  CHECK(threw, "quantize(): NaN did not raise");
}

// armconv::quantize on 1 to 4 threads (units of 4096 elements, contiguous ranges
// per thread, core/qconv.cpp): rows of 5000 elements, so that units start inside
// rows and rows inside units; every element by the rule, the same bits for every
// thread count; a NaN in the last thread's range raises.
void check_threads() {
  const float scales[3] = {0.03f, 1.7f, 0x1p-110f};
  const int64_t outer = 9, ch = 3, inner = 5000;
  std::mt19937 g(11);
  armconv_test::Uniform<float> u(-150.0f, 150.0f);
  std::vector<float> x(size_t(outer * ch * inner));
  for (size_t i = 0; i < x.size(); i++) x[i] = float(double(u(g)) * double(scales[(i / size_t(inner)) % 3]));
  std::vector<int8_t> one(x.size());
  {
    armconv::ScopedNumThreads t(1);
    armconv::quantize(x.data(), one.data(), outer, ch, inner, scales);
  }
  for (size_t i = 0; i < x.size(); i++) {
    cases++;
    const float s = scales[(i / size_t(inner)) % 3];
    CHECK(one[i] == reference(x[i], s), "quantize() [%zu] x %a: got %d want %d", i, double(x[i]), int(one[i]),
          reference(x[i], s));
  }
  for (int t : {2, 3, 4}) {
    std::vector<int8_t> q(x.size(), 99);
    armconv::ScopedNumThreads st(t);
    armconv::quantize(x.data(), q.data(), outer, ch, inner, scales);
    cases++;
    CHECK(std::memcmp(q.data(), one.data(), q.size()) == 0, "quantize() on %d threads differs from 1 thread", t);
    const float keep = x[x.size() - 3];
    x[x.size() - 3] = std::nanf("");
    bool threw = false;
    try {
      armconv::quantize(x.data(), q.data(), outer, ch, inner, scales);
    } catch (const armconv::Error&) {
      threw = true;
    }
    x[x.size() - 3] = keep;
    CHECK(threw, "quantize() on %d threads: NaN did not raise", t);
  }
}

}  // namespace

int main() {
  const QuantizeKernels& chosen = *armconv::detail::kernels().quantize;
  sweep(chosen);
  if (&chosen != &armconv::detail::quantize_generic_kernels()) sweep(armconv::detail::quantize_generic_kernels());
  check_api();
  check_threads();
  std::printf("%d cases, %d failures\n", cases, failures);
  return failures ? 1 : 0;
}

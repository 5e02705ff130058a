// float32 -> int8 quantization (core/quantize.h): the dispatched kernel and
// the generic twin against an exact reference that never divides, for scales
// across the contract's range (and its ends), values at and one or two ulps
// around every half-integer multiple of the scale (the rounding decisions),
// at the integers, random values inside and beyond the clamp, +-0, +-inf,
// subnormals and FLT_MAX; every length 0..80 (tails; 0 to 5 steps of 16: the
// kernel runs an odd step alone, then pairs) in guarded buffers;
// NaN reported wherever it sits. Then armconv::quantize() with per-channel
// scales, some outside the kernels' range (the generic twin runs those), on 1
// to 4 threads.
//
// What neon/quantize.h's proof leans on, each tested where it bites: exact
// ties (k + 1/2) s for every k (scales with short significands, at both ends
// of the range, make them representable; the count of exact ties checked is
// itself checked), the scale whose float32 reciprocal errs the most (t's
// distance from the quotient), t = 1/4 (the magic addition's grid changes
// there), the clamp T = 126.75 and 126.5 / 127.5 around it, magnitudes where
// y would leave its grid without the clamp (2^22 .. 2^24 s), random bit
// patterns of every exponent, NaNs of either sign and payload (quiet and
// signalling) at every position and beside infinities, and long arrays of
// clamped values (the NaN accumulator must stay finite).
//
// The reference: q = clip(round_half_away(x / s), -127, 127) is, for a = |x|,
// the number of k in [0, 127) with a >= (k + 1/2) s, signed like x. (k + 1/2) s
// has at most 9 + 24 significant bits, so double holds it exactly, and the
// comparison with a (a float) is exact.
#include <cmath>
#include <cstdint>
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
  // The magic addition's grid change (t = 1/4), the clamp T = 126.75, and
  // magnitudes where y = t + K would leave its grid without the clamp.
  for (double m : {0.25, 0.75, 126.75, 127.0, 0x1p22, 0x1p23, 0x1.8p23, 0x1p24, 0x1p30}) {
    for (double sign : {1.0, -1.0}) {
      float lo = float(sign * m * double(s)), hi = lo;
      v.push_back(lo);
      for (int j = 0; j < 3; j++) {
        lo = std::nextafter(lo, -kInf);
        hi = std::nextafter(hi, kInf);
        v.push_back(lo);
        v.push_back(hi);
      }
    }
  }
  armconv_test::Uniform<float> u(-140.0f, 140.0f);
  for (int i = 0; i < 2000; i++) v.push_back(float(double(u(g)) * double(s)));
  // Random bit patterns (every exponent, subnormals included), NaNs skipped.
  for (int i = 0; i < 1000; i++) {
    const uint32_t b = uint32_t(g());
    float f;
    std::memcpy(&f, &b, sizeof f);
    if (!std::isnan(f)) v.push_back(f);
  }
  return v;
}

// Exact ties among v: a value equal to (k + 1/2) s for an integer k.
int exact_ties(float s, const std::vector<float>& v) {
  int n = 0;
  for (float x : v) {
    const double q = std::fabs(double(x)) / double(s) - 0.5;  // exact for these: checked below
    if (q >= 0 && q <= 127 && q == std::floor(q) && (q + 0.5) * double(s) == std::fabs(double(x))) n++;
  }
  return n;
}

// The scale in [1, 2) (then moved across the range) whose float32 reciprocal
// errs the most relative to 1 / s, among 20000 drawn: the largest distance
// between t = |x| float32(1 / s) and the quotient the proof has to absorb.
float worst_reciprocal(std::mt19937& g) {
  float worst = 1.0f;
  double err = 0.0;
  for (int i = 0; i < 20000; i++) {
    const float s = 1.0f + float(g() >> 9) * 0x1p-23f;
    const double e = std::fabs(double(1.0f / s) * double(s) - 1.0);
    if (e > err) err = e, worst = s;
  }
  return worst;
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
  for (size_t n = 0; n <= 80; n++) {
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
      for (size_t p = 0; p < n; p++) {  // a NaN anywhere, the tail included; of either sign and payload
        for (uint32_t nan_bits : {0x7fc00000u, 0xffc00000u, 0x7f800001u, 0xff800001u, 0x7fffffffu, 0xffffffffu}) {
          std::vector<float> y(x.data(), x.data() + n);
          std::memcpy(&y[p], &nan_bits, sizeof(float));
          if (p + 1 < n) y[p + 1] = (p & 1) ? -kInf : kInf;  // beside an infinity
          std::vector<int8_t> out(n);
          CHECK(!k.f32_to_s8(y.data(), out.data(), n, s), "%s: n %zu: NaN %08x at %zu not reported", k.name, n,
                unsigned(nan_bits), p);
        }
      }
    }
  }
}

// Long arrays of clamped values (t = T in every lane: the NaN accumulator's
// largest steps) stay NaN-free and +-127; a NaN at the start or the end of
// one is reported.
void check_long(const QuantizeKernels& k) {
  const size_t n = 200000 + 7;
  const float s = 0.02f;
  std::vector<float> x(n);
  for (size_t i = 0; i < n; i++) x[i] = (i % 3 == 0) ? kInf : (i % 3 == 1 ? -std::numeric_limits<float>::max() : 3.0f);
  std::vector<int8_t> q(n);
  CHECK(k.f32_to_s8(x.data(), q.data(), n, s), "%s: long clamped array: NaN reported", k.name);
  for (size_t i = 0; i < n; i++) {
    cases++;
    CHECK(q[i] == reference(x[i], s), "%s: long array at %zu: got %d want %d", k.name, i, int(q[i]),
          reference(x[i], s));
  }
  for (size_t p : {size_t(0), size_t(15), n - 8, n - 1}) {
    std::vector<float> y = x;
    y[p] = std::nanf("");
    CHECK(!k.f32_to_s8(y.data(), q.data(), n, s), "%s: long array: NaN at %zu not reported", k.name, p);
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
  // Short significands at both ends of the range and in between: (k + 1/2) s
  // exact, so the ties themselves are tested.
  for (int e : {-100, -99, -64, -23, -7, -1, 0, 1, 7, 23, 64, 99})
    for (float m : {1.0f, 1.5f, 1.25f, 1.75f, 1.0f + 0x1p-10f})
      if (std::ldexp(double(m), e) <= double(armconv::detail::kQuantizeMaxScale))
        scales.push_back(std::ldexp(m, e));
  const float w = worst_reciprocal(g);
  for (int e : {-100, -40, 0, 40, 99}) scales.push_back(std::ldexp(w, e));
  int ties = 0;
  for (float s : scales) {
    const std::vector<float> v = values(s, g);
    ties += exact_ties(s, v);
    check_kernel(k, s, v);
  }
  std::printf("%zu scales, %d exact ties\n", scales.size(), ties);
  CHECK(ties > 10000, "%s: only %d exact ties tested", k.name, ties);
  check_lengths(k, g);
  check_long(k);
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

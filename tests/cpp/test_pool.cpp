// Pooling kernels (core/pool.h): the dispatched kernel and the generic twin
// against a float64 reference, over map sizes, kernels 1..5, strides 1..3,
// dilations, every padding up to k/2 on each side separately, ceil-mode
// output sizes (windows past the bottom/right padding), NaN and inf, planes
// in guarded buffers (a read or write past either end of the planes faults).
// Then armconv::pool2d: the same results at 1 and 3 threads.
#include <cmath>
#include <cstdio>
#include <limits>
#include <vector>

#include "armconv/armconv.h"
#include "armconv/pool.h"
#include "check.h"
#include "core/dispatch.h"
#include "core/pool.h"
#include "guard.h"
#include "rand.h"

using armconv::detail::PoolKernels;
using armconv::detail::PoolShape;
using armconv_test::GuardedArray;

namespace {

size_t out_size(size_t n, size_t k, size_t s, size_t d, size_t p0, size_t p1, bool ceil_mode) {
  const long long num = (long long)(n + p0 + p1) - (long long)((k - 1) * d + 1);
  if (num < 0) return 0;
  size_t o = size_t(ceil_mode ? (num + (long long)s - 1) / (long long)s : num / (long long)s) + 1;
  if (ceil_mode && (o - 1) * s >= n + p0) o--;
  return o;
}

// float64 reference: max over in-map elements (NaN wins), -inf if none;
// average: sum / count.
double reference(const PoolShape& s, bool avg, const float* xp, size_t oy, size_t ox) {
  double m = -std::numeric_limits<double>::infinity(), sum = 0.0;
  bool nan = false;
  for (size_t ky = 0; ky < s.kh; ky++)
    for (size_t kx = 0; kx < s.kw; kx++) {
      const long long iy = (long long)(oy * s.sh + ky * s.dh) - (long long)s.pt;
      const long long ix = (long long)(ox * s.sw + kx * s.dw) - (long long)s.pl;
      if (iy < 0 || ix < 0 || iy >= (long long)s.h || ix >= (long long)s.w) continue;
      const double v = xp[iy * (long long)s.w + ix];
      if (v != v) nan = true;
      if (v > m) m = v;
      sum += v;
    }
  if (!avg) return nan ? std::nan("") : m;
  long long lo_y = 0, hi_y = (long long)s.h, lo_x = 0, hi_x = (long long)s.w;
  if (s.include_pad) lo_y = -(long long)s.pt, hi_y += (long long)s.pb, lo_x = -(long long)s.pl, hi_x += (long long)s.pr;
  double count = 0;
  for (size_t ky = 0; ky < s.kh; ky++)
    for (size_t kx = 0; kx < s.kw; kx++) {
      const long long iy = (long long)(oy * s.sh + ky * s.dh) - (long long)s.pt;
      const long long ix = (long long)(ox * s.sw + kx * s.dw) - (long long)s.pl;
      if (iy >= lo_y && iy < hi_y && ix >= lo_x && ix < hi_x) count++;
    }
  return sum / count;
}

int cases = 0;

void check_kernel(const PoolKernels& k, const PoolShape& s, bool avg, size_t planes, int special,
                  bool at_end) {
  const size_t in = planes * s.h * s.w, out = planes * s.ho * s.wo;
  GuardedArray<float> x(in, at_end), y(out, at_end);
  std::mt19937 rng(unsigned(in * 7 + out + special));
  const armconv_test::Uniform<float> u(-2.0f, 2.0f);
  for (size_t i = 0; i < in; i++) x.data()[i] = u(rng);
  const float inf = std::numeric_limits<float>::infinity();
  if (special == 1 && in > 0) x.data()[rng() % in] = std::nanf("");
  if (special == 2) for (size_t i = 0; i < in; i += 3) x.data()[i] = -inf;
  if (special == 3 && in > 0) x.data()[rng() % in] = inf;
  for (size_t i = 0; i < out; i++) y.data()[i] = 12345.0f;
  std::vector<float> scratch(k.scratch_floats(s) + 16);
  (avg ? k.avg : k.max)(s, x.data(), y.data(), planes, scratch.data());
  cases++;
  for (size_t p = 0; p < planes; p++)
    for (size_t oy = 0; oy < s.ho; oy++)
      for (size_t ox = 0; ox < s.wo; ox++) {
        const double want = reference(s, avg, x.data() + p * s.h * s.w, oy, ox);
        const float got = y.data()[(p * s.ho + oy) * s.wo + ox];
        bool ok;
        if (want != want) ok = got != got;
        else if (!avg || std::isinf(want)) ok = double(got) == want || (avg && std::isinf(got) && got == want);
        else ok = std::fabs(double(got) - want) <= 1e-5 * (1.0 + std::fabs(want));
        CHECK(ok, "%s %s h%zu w%zu k%zux%zu s%zux%zu d%zux%zu p%zu,%zu,%zu,%zu incl%d ho%zu wo%zu plane %zu (%zu,%zu): %g, want %g",
              k.name, avg ? "avg" : "max", s.h, s.w, s.kh, s.kw, s.sh, s.sw, s.dh, s.dw, s.pt, s.pl, s.pb,
              s.pr, int(s.include_pad), s.ho, s.wo, p, oy, ox, double(got), want);
      }
}

void sweep(const PoolKernels& k) {
  const size_t sizes[] = {1, 2, 3, 4, 5, 7, 8, 9, 12, 13, 16, 17, 20, 35};
  for (size_t h : {size_t(1), size_t(3), size_t(6), size_t(9), size_t(17)})
    for (size_t w : sizes)
      for (size_t kk = 1; kk <= 5; kk++)
        for (size_t st = 1; st <= 3; st++)
          for (size_t d = 1; d <= 2; d++) {
            if (d == 2 && kk == 1) continue;
            for (int pad_case = 0; pad_case < 6; pad_case++) {
              PoolShape s{};
              s.h = h, s.w = w, s.kh = kk, s.kw = kk, s.sh = st, s.sw = st, s.dh = d, s.dw = d;
              const size_t ph = kk / 2;
              // pads: none, all, each side alone (at its maximum)
              s.pt = (pad_case == 1 || pad_case == 2) ? ph : 0;
              s.pb = (pad_case == 1 || pad_case == 3) ? ph : 0;
              s.pl = (pad_case == 1 || pad_case == 4) ? ph : 0;
              s.pr = (pad_case == 1 || pad_case == 5) ? ph : 0;
              for (int ceil_mode = 0; ceil_mode < 2; ceil_mode++) {
                s.ho = out_size(h, kk, st, d, s.pt, s.pb, ceil_mode);
                s.wo = out_size(w, kk, st, d, s.pl, s.pr, ceil_mode);
                if (s.ho == 0 || s.wo == 0) continue;
                const size_t planes = 1 + (w + kk + st) % 3;
                for (int avg = 0; avg < 2; avg++) {
                  s.include_pad = avg && (pad_case % 2 == 1);
                  const int special = int((h + w + kk + st + d) % 4);
                  check_kernel(k, s, avg, planes, special, (pad_case + ceil_mode) % 2 == 0);
                }
              }
            }
          }
  // Asymmetric kernels and strides; global pooling; ResNet's stem shape.
  for (int avg = 0; avg < 2; avg++) {
    for (size_t w : {size_t(1), size_t(7), size_t(13), size_t(49)}) {
      PoolShape g{};
      g.h = 7, g.w = w, g.kh = 7, g.kw = w, g.sh = g.sw = g.dh = g.dw = 1, g.ho = g.wo = 1;
      check_kernel(k, g, avg, 5, 0, true);
      check_kernel(k, g, avg, 3, 1, false);
    }
    PoolShape a{};
    a.h = 11, a.w = 14, a.kh = 2, a.kw = 3, a.sh = 1, a.sw = 2, a.dh = 3, a.dw = 1, a.pt = 1, a.pl = 0, a.pb = 0, a.pr = 1;
    a.ho = out_size(a.h, a.kh, a.sh, a.dh, a.pt, a.pb, false);
    a.wo = out_size(a.w, a.kw, a.sw, a.dw, a.pl, a.pr, true);
    check_kernel(k, a, avg, 4, 0, true);
    PoolShape r{};
    r.h = r.w = 112, r.kh = r.kw = 3, r.sh = r.sw = 2, r.dh = r.dw = 1, r.pt = r.pl = r.pb = r.pr = 1, r.ho = r.wo = 56;
    check_kernel(k, r, avg, 3, 0, true);
    check_kernel(k, r, avg, 2, 1, false);
  }
}

}  // namespace

int main() {
  const PoolKernels& chosen = *armconv::detail::kernels().pool;
  std::printf("kernel %s\n", chosen.name);
  sweep(chosen);
  if (&chosen != &armconv::detail::pool_generic_kernels()) sweep(armconv::detail::pool_generic_kernels());
  // The operator: thread count does not change the bits.
  armconv::Pool2dParams p;
  p.kind = armconv::PoolKind::Average;
  p.kernel_h = p.kernel_w = 3;
  p.stride_h = p.stride_w = 2;
  p.pad_top = p.pad_left = 1;
  p.pad_bottom = p.pad_right = 1;
  p.ceil_mode = true;
  const int64_t n = 2, c = 37, h = 23, w = 29;
  int64_t ho, wo;
  armconv::pool_output_size(p, h, w, &ho, &wo);
  std::vector<float> x(size_t(n * c * h * w));
  std::mt19937 rng(5);
  const armconv_test::Uniform<float> u(-1.0f, 1.0f);
  for (auto& v : x) v = u(rng);
  for (int kind = 0; kind < 2; kind++) {
    p.kind = kind ? armconv::PoolKind::Max : armconv::PoolKind::Average;
    std::vector<float> y1(size_t(n * c * ho * wo)), y3(y1.size());
    {
      armconv::ScopedNumThreads t(1);
      armconv::pool2d(p, x.data(), n, c, h, w, y1.data());
    }
    {
      armconv::ScopedNumThreads t(3);
      armconv::pool2d(p, x.data(), n, c, h, w, y3.data());
    }
    CHECK(y1 == y3, "pool2d differs between 1 and 3 threads");
  }
  bool threw = false;
  try {
    armconv::Pool2dParams bad;
    bad.kernel_h = bad.kernel_w = 5;
    int64_t a, b;
    armconv::pool_output_size(bad, 3, 3, &a, &b);
  } catch (const armconv::Error&) {
    threw = true;
  }
  CHECK(threw, "a window larger than the padded map is refused");
  std::printf("%d kernel cases, %d failures\n", cases, failures);
  return failures ? 1 : 0;
}

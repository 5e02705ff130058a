// The operator layer through the public C++ API: conv2d against a direct
// double-precision reference over a small sweep of shapes and every algorithm
// that accepts them, plus argument validation. (The Python suite sweeps far
// more; this one runs in every C++ build, the clang cross builds included.)
#include <cmath>
#include <cstdio>
#include <limits>
#include <vector>

#include "armconv/armconv.h"
#include "check.h"
#include "guard.h"

using namespace armconv;

static float frand(unsigned& s) {
  s = s * 1664525u + 1013904223u;
  return float(int(s >> 8) % 2001 - 1000) / 500.0f;
}

// Direct convolution in double; also returns sum |x*w| + |b| per output for the bound.
static void reference(const Conv2dParams& p, const float* x, int64_t n, int64_t h, int64_t w,
                      const float* wt, const float* b, std::vector<double>& y,
                      std::vector<double>& mag, int64_t ho, int64_t wo) {
  const int64_t g = p.groups, cg = p.in_channels / g, mg = p.out_channels / g;
  y.assign(size_t(n * p.out_channels * ho * wo), 0.0);
  mag = y;
  for (int64_t bi = 0; bi < n; bi++)
    for (int64_t co = 0; co < p.out_channels; co++)
      for (int64_t oy = 0; oy < ho; oy++)
        for (int64_t ox = 0; ox < wo; ox++) {
          double acc = b ? b[co] : 0.0, m = b ? std::fabs(b[co]) : 0.0;
          const int64_t gi = co / mg;
          for (int64_t c = 0; c < cg; c++)
            for (int64_t ky = 0; ky < p.kernel_h; ky++)
              for (int64_t kx = 0; kx < p.kernel_w; kx++) {
                const int64_t iy = oy * p.stride_h - p.pad_top + ky * p.dilation_h;
                const int64_t ix = ox * p.stride_w - p.pad_left + kx * p.dilation_w;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                const double xv = x[((bi * p.in_channels + gi * cg + c) * h + iy) * w + ix];
                const double wv = wt[((co * cg + c) * p.kernel_h + ky) * p.kernel_w + kx];
                acc += xv * wv;
                m += std::fabs(xv * wv);
              }
          if (p.clamp) acc = std::fmin(std::fmax(acc, double(p.out_min)), double(p.out_max));
          const size_t i = size_t(((bi * p.out_channels + co) * ho + oy) * wo + ox);
          y[i] = acc;
          mag[i] = m;
        }
}

static void run_case(int64_t cin, int64_t cout, int64_t k, int64_t s, int64_t d, int64_t pad,
                     int64_t groups, int64_t n, int64_t h, int64_t w, bool clamp, float lo = -0.5f,
                     float hi = 1.0f) {
  Conv2dParams p;
  p.in_channels = cin;
  p.out_channels = cout;
  p.kernel_h = p.kernel_w = k;
  p.stride_h = p.stride_w = s;
  p.dilation_h = p.dilation_w = d;
  p.pad_top = p.pad_left = pad;
  p.pad_bottom = p.pad_right = pad ? pad - 1 + (k % 2) : 0;  // asymmetric when k is even
  p.groups = groups;
  p.clamp = clamp;
  p.out_min = lo;
  p.out_max = hi;
  int64_t ho, wo;
  output_size(p, h, w, &ho, &wo);
  unsigned seed = unsigned(cin * 131 + cout * 17 + k * 7 + s + h * 3 + w);
  // Inputs end at a guard page: any read past them crashes the test.
  armconv_test::GuardedArray<float> x(size_t(n * cin * h * w));
  armconv_test::GuardedArray<float> wt(size_t(cout * (cin / groups) * k * k));
  armconv_test::GuardedArray<float> b{size_t(cout)};
  for (size_t i = 0; i < x.size(); i++) x[i] = frand(seed);
  for (size_t i = 0; i < wt.size(); i++) wt[i] = frand(seed);
  for (size_t i = 0; i < b.size(); i++) b[i] = frand(seed);
  std::vector<double> ref, mag;
  reference(p, x.data(), n, h, w, wt.data(), b.data(), ref, mag, ho, wo);
  const double kred = double(cin / groups * k * k) + 2;
  for (Algo a : {Algo::Auto, Algo::Gemm, Algo::Im2col, Algo::Depthwise3x3, Algo::Winograd23,
                 Algo::Winograd43, Algo::Winograd63}) {
    if (algo_rejects(a, p)) continue;
    armconv_test::GuardedArray<float> y(size_t(n * cout * ho * wo));
    conv2d(p, x.data(), n, h, w, wt.data(), b.data(), y.data(), a);
    // Winograd trades accuracy for speed: its own tests bound it; here a loose
    // check (also when `auto` runs it).
    const Algo ran = a == Algo::Auto ? Conv2d(p, wt.data(), b.data()).algo_for(h, w) : a;
    const bool wino = ran == Algo::Winograd23 || ran == Algo::Winograd43 || ran == Algo::Winograd63;
    const double tol_scale = wino ? 1e3 : 1.0;
    for (size_t i = 0; i < y.size(); i++) {
      const double bound = tol_scale * kred * std::ldexp(1.0, -23) * mag[i] + 1e-30;
      if (!(std::fabs(double(y[i]) - ref[i]) <= bound)) {
        CHECK(false, "%s cin=%lld cout=%lld k=%lld s=%lld d=%lld pad=%lld g=%lld n=%lld %lldx%lld: y[%zu]=%g ref=%g",
              algo_name(a), (long long)cin, (long long)cout, (long long)k, (long long)s,
              (long long)d, (long long)pad, (long long)groups, (long long)n, (long long)h,
              (long long)w, i, double(y[i]), ref[i]);
        break;
      }
    }
  }
}

template <typename F>
static void expect_error(F f, const char* what) {
  try {
    f();
    CHECK(false, "no error for %s", what);
  } catch (const Error&) {
  }
}

int main() {
  for (int64_t k = 1; k <= 5; k++)
    for (int64_t s = 1; s <= 3; s++)
      for (int64_t pad = 0; pad <= 2; pad++) {
        const int64_t d = 1 + (k + s) % 2;
        const int64_t ext = (k - 1) * d + 1;
        const int64_t h = std::max<int64_t>(ext, 1) + (k * s) % 5, w = std::max<int64_t>(ext, 1) + pad + 3;
        run_case(3, 5, k, s, d, pad, 1, 2, h, w, k % 2 == 0);
        run_case(4, 6, k, s, d, pad, 2, 1, h, w, false);
        run_case(5, 5, k, s, 1, pad, 5, 1, h + 2, w + 1, true);  // depthwise
      }
  for (int64_t c : {1, 7, 8, 9, 17}) run_case(c, 13, 1, 1, 1, 0, 1, 1, 5, 7, false);  // gemm edges
  run_case(16, 16, 3, 1, 1, 1, 1, 1, 13, 14, true);   // winograd-shaped
  run_case(8, 8, 3, 1, 1, 1, 8, 2, 9, 10, false);     // depthwise3x3-shaped
  run_case(8, 8, 3, 2, 1, 1, 8, 1, 9, 10, true);
  // Stems (stride-2 3x3 and 7x7 of 3 channels: the vector im2col packer,
  // neon/sgemm_im2col_s2.h): batch 2, no activation, ReLU (lower bound
  // only), a two-sided clamp; output channels 13 (a partial M-panel),
  // maps whose output widths are multiples of 4 (N % 12 = 0, 4, 8) or not.
  for (int64_t hw : {24, 31, 40, 48, 57})
    for (int act = 0; act < 3; act++) {
      const float inf = std::numeric_limits<float>::infinity();
      run_case(3, 13, 3, 2, 1, 1, 1, 2, hw, hw + 8, act > 0, act == 2 ? -0.5f : 0.0f, act == 2 ? 1.0f : inf);
      run_case(3, 13, 7, 2, 1, 3, 1, 2, hw + 1, hw, act > 0, act == 2 ? -0.5f : 0.0f, act == 2 ? 1.0f : inf);
    }
  run_case(4, 32, 3, 2, 1, 0, 1, 1, 34, 50, true);
  run_case(1, 8, 7, 2, 1, 2, 1, 3, 20, 20, false);

  Conv2dParams p;
  p.in_channels = 4;
  p.out_channels = 6;
  p.kernel_h = p.kernel_w = 3;
  std::vector<float> wt(6 * 4 * 9), x(4 * 8 * 8), y(6 * 8 * 8);
  expect_error([&] { Conv2dParams q = p; q.stride_h = 0; validate(q); }, "stride 0");
  expect_error([&] { Conv2dParams q = p; q.groups = 3; validate(q); }, "groups 3");
  expect_error([&] { Conv2dParams q = p; q.pad_left = -1; validate(q); }, "negative pad");
  expect_error([&] { Conv2dParams q = p; q.clamp = true; q.out_min = 2; q.out_max = 1; validate(q); }, "clamp");
  expect_error([&] { int64_t a, b; output_size(p, 2, 8, &a, &b); }, "output < 1");
  expect_error([&] { Conv2d l(p, wt.data(), nullptr, Algo::Gemm); }, "forced gemm on 3x3");
  expect_error([&] { algo_from_name("fast"); }, "algo name");
  expect_error([&] { sgemm(2, 2, 2, wt.data(), 1, x.data(), 2, y.data(), 2); }, "lda < k");
  // n == 0 is a no-op.
  conv2d(p, x.data(), 0, 8, 8, wt.data(), nullptr, y.data());

  std::printf("%s (%d failures)\n", failures ? "FAILED" : "ok", failures);
  return failures ? 1 : 0;
}

// Winograd F(m x m, 3x3), m = 2, 4, 6: the transform matrices against
// float64, each transform kernel (generic and, where built, NEON; stride 1
// and stride 2) against
// float64 with guard pages around every buffer, and whole convolutions (each
// tile size, grouped too) against a double direct convolution with the user
// arrays ending at guard pages.
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "rand.h"
#include "armconv/armconv.h"
#include "core/dispatch.h"
#include "core/winograd.h"
#include "check.h"
#include "guard.h"

using namespace armconv;
using namespace armconv::detail;
using armconv_test::GuardedArray;

static const double kU = std::ldexp(1.0, -24);  // unit roundoff of float32

// 1-D F(m,3) identity in double: A^T [(G g) (.) (B^T d)] = correlation of d with g.
static void test_matrices(size_t m) {
  const WinoMatrices& mx = wino_matrices(m);
  CHECK(mx.m == m && mx.n == m + 2, "wino_matrices(%zu) is F(%zu,3)", m, mx.m);
  const size_t n = mx.n;
  std::mt19937 gen(1);
  armconv_test::Uniform<double> dist(-1, 1);
  for (int it = 0; it < 100; it++) {
    double d[8], g[3], gd[8], bd[8];
    for (double& v : d) v = dist(gen);
    for (double& v : g) v = dist(gen);
    for (size_t i = 0; i < n; i++) {
      gd[i] = mx.g[3 * i] * g[0] + mx.g[3 * i + 1] * g[1] + mx.g[3 * i + 2] * g[2];
      bd[i] = 0;
      for (size_t j = 0; j < n; j++) bd[i] += mx.bt[i * n + j] * d[j];
    }
    for (size_t a = 0; a < m; a++) {
      double y = 0;
      for (size_t i = 0; i < n; i++) y += mx.at[a * n + i] * gd[i] * bd[i];
      const double want = d[a] * g[0] + d[a + 1] * g[1] + d[a + 2] * g[2];
      CHECK(std::fabs(y - want) < 1e-12, "F(%zu,3) identity: output %zu: %g != %g", m, a, y, want);
    }
  }
  // The bias trick: column 1 of A^T is all ones.
  for (size_t a = 0; a < m; a++) CHECK(mx.at[a * n + 1] == 1.0, "F(%zu,3): A^T[%zu][1] != 1", m, a);
}

// Z = L X R^T for n x n X (L: rl x n, R: rr x n), also |L| |X| |R|^T.
static void sandwich(const double* l, size_t rl, const double* r, size_t rr, size_t n, const double* x,
                     double* z, double* zabs) {
  for (size_t i = 0; i < rl; i++)
    for (size_t j = 0; j < rr; j++) {
      double s = 0, sa = 0;
      for (size_t a = 0; a < n; a++)
        for (size_t b = 0; b < n; b++) {
          s += l[i * n + a] * x[a * n + b] * r[j * n + b];
          sa += std::fabs(l[i * n + a] * x[a * n + b] * r[j * n + b]);
        }
      z[i * rr + j] = s;
      zabs[i * rr + j] = sa;
    }
}

// Two passes of at most n roundings each, every one bounded by the
// magnitude |L| |X| |R|^T.
static double pass_bound(size_t n, double mag) { return 2.0 * double(n) * kU * mag * 1.01 + 1e-30; }

static void test_input(const WinoKernels& k, const WinoMatrices& mx) {
  const size_t n = mx.n, np = n * n;
  std::mt19937 gen(2);
  armconv_test::Uniform<float> dist(-1, 1);
  const size_t src_row = (n + 1) * 4;  // a patch n pixels wide in an (n+1)-pixel-wide nc4 buffer
  for (size_t dst_pos : {4, 12, 37 * 4}) {
    // The patch ends right at a guard page.
    GuardedArray<float> src((n - 1) * src_row + n * 4);
    for (size_t i = 0; i < src.size(); i++) src[i] = dist(gen);
    // Output: one vector per position, dst_pos floats apart; the buffer ends
    // right after the last float written, everything else is a NaN sentinel.
    const size_t count = (np - 1) * dst_pos + 4;
    GuardedArray<float> dst(count);
    for (size_t i = 0; i < count; i++) dst[i] = NAN;
    k.input(src.data(), src_row, dst.data(), dst_pos);
    for (size_t l = 0; l < 4; l++) {
      double x[81], v[81], vabs[81];
      for (size_t r = 0; r < n; r++)
        for (size_t c = 0; c < n; c++) x[r * n + c] = src[r * src_row + c * 4 + l];
      sandwich(mx.bt, n, mx.bt, n, n, x, v, vabs);
      for (size_t p = 0; p < np; p++) {
        const double got = dst[p * dst_pos + l];
        CHECK(std::fabs(got - v[p]) <= pass_bound(n, vabs[p]), "%s input: dst_pos %zu lane %zu pos %zu: %g vs %g",
              k.name, dst_pos, l, p, got, v[p]);
      }
    }
    for (size_t i = 0; i < count; i++)
      if (i % dst_pos >= 4) CHECK(std::isnan(dst[i]), "%s input wrote outside its vectors at %zu", k.name, i);
  }
}

// One output transform into a NaN-filled H x W map of nch channels (ending
// at a guard page) at (oy, ox), cut to rows x cols, checked against double
// and for writes outside the tile.
static void check_output(const WinoKernels& k, const WinoMatrices& mx, const GuardedArray<float>& src,
                         size_t src_pos, size_t nch, size_t H, size_t W, size_t oy, size_t ox, size_t rows,
                         size_t cols, bool clamp, float lo, float hi, const char* what) {
  const size_t n = mx.n, m = mx.m, plane = H * W;
  GuardedArray<float> dst(nch * plane);
  for (size_t i = 0; i < dst.size(); i++) dst[i] = NAN;
  WinoOutTile out;
  out.dst = dst.data() + oy * W + ox;
  out.rows = rows;
  out.cols = cols;
  k.output(src.data(), src_pos, out, nch, plane, W, clamp, lo, hi);
  std::vector<bool> written(dst.size(), false);
  for (size_t l = 0; l < nch; l++) {
    double mm[81], y[36], yabs[36];
    for (size_t p = 0; p < n * n; p++) mm[p] = src[p * src_pos + l];
    sandwich(mx.at, m, mx.at, m, n, mm, y, yabs);
    for (size_t a = 0; a < rows; a++)
      for (size_t b = 0; b < cols; b++) {
        const size_t idx = l * plane + (oy + a) * W + ox + b;
        written[idx] = true;
        double want = y[a * m + b];
        if (clamp) want = std::min<double>(std::max<double>(want, lo), hi);
        CHECK(std::fabs(dst[idx] - want) <= pass_bound(n, yabs[a * m + b]),
              "%s output %s %zux%zu nch %zu clamp %d [%g, %g]: ch %zu (%zu,%zu): %g vs %g", k.name, what, rows,
              cols, nch, int(clamp), double(lo), double(hi), l, a, b, double(dst[idx]), want);
      }
  }
  for (size_t i = 0; i < dst.size(); i++)
    if (!written[i])
      CHECK(std::isnan(dst[i]), "%s output %s %zux%zu nch %zu: wrote outside its tile at %zu", k.name, what, rows,
            cols, nch, i);
}

static void test_output(const WinoKernels& k, const WinoMatrices& mx) {
  std::mt19937 gen(3);
  armconv_test::Uniform<float> dist(-1, 1);
  const size_t m = k.m, np = mx.n * mx.n;
  const size_t src_pos = 4 * 9 + 3;  // odd stride between positions
  for (int variant = 0; variant < 8; variant++) {
    const size_t nch = variant == 4 ? 3 : (variant == 5 ? 1 : (variant == 6 ? 2 : 4));
    // M ends right after the last position's vector.
    GuardedArray<float> src((np - 1) * src_pos + 4);
    for (size_t i = 0; i < src.size(); i++) src[i] = dist(gen);
    // The tile sits at (oy, ox) of a 2m+2 x 4m+2 map, cut by the map on the
    // bottom / right for some variants.
    const size_t H = 2 * m + 2, W = 4 * m + 2;
    const size_t oy[8] = {0, m, 2 * m, m + 2, 0, m, 2 * m, 3};
    const size_t ox[8] = {0, m, 4 * m, 3 * m + 2, 3 * m + 1, 3, 0, 3 * m + 2};
    check_output(k, mx, src, src_pos, nch, H, W, oy[variant], ox[variant], std::min(m, H - oy[variant]),
                 std::min(m, W - ox[variant]), variant % 2 == 1, -0.5f, 0.75f, "placed");
  }
}

// Every cut of an edge tile (rows, cols 1..m), nch 1..4, and each clamp
// form: none, both bounds, only a lower bound (ReLU: hi = +inf), only an
// upper bound (lo = -inf). The tile sits at the bottom-right corner of the
// map (the array ends at a guard page); all other floats are NaN sentinels.
static void test_output_cuts(const WinoKernels& k, const WinoMatrices& mx) {
  std::mt19937 gen(4);
  armconv_test::Uniform<float> dist(-1, 1);
  const size_t m = k.m, np = mx.n * mx.n;
  const size_t src_pos = 4 * 5 + 1;
  GuardedArray<float> src((np - 1) * src_pos + 4);
  for (size_t i = 0; i < src.size(); i++) src[i] = dist(gen);
  const float los[4] = {0, -0.25f, -0.1f, -INFINITY}, his[4] = {0, 0.5f, INFINITY, 0.3f};
  for (size_t nch = 1; nch <= 4; nch++)
    for (size_t rows = 1; rows <= m; rows++)
      for (size_t cols = 1; cols <= m; cols++)
        for (int cm = 0; cm < 4; cm++)
          check_output(k, mx, src, src_pos, nch, m + rows, m + 1 + cols, m, m + 1, rows, cols, cm != 0, los[cm],
                       his[cm], "cut");
}

static void test_pack(const WinoKernels& k) {
  for (size_t nch = 1; nch <= 4; nch++)
    for (size_t n : {0, 1, 3, 4, 7, 8, 13})
      for (size_t lo : {0, 1, 3})
        for (size_t hi : {0, 2, 5}) {
          const size_t stride = n + 2, total = lo + n + hi;
          GuardedArray<float> x(n ? (nch - 1) * stride + n : 1);
          for (size_t i = 0; i < x.size(); i++) x[i] = float(i) + 0.5f;
          GuardedArray<float> dst(total * 4 + 1);  // one sentinel after the row
          for (size_t i = 0; i < dst.size(); i++) dst[i] = NAN;
          k.pack_nc4(x.data(), stride, nch, lo, n, hi, dst.data());
          for (size_t i = 0; i < total; i++)
            for (size_t l = 0; l < 4; l++) {
              const bool in = i >= lo && i < lo + n && l < nch;
              const float want = in ? x[l * stride + i - lo] : 0.0f;
              CHECK(dst[i * 4 + l] == want, "%s pack_nc4 nch %zu lo %zu n %zu hi %zu (%zu,%zu)", k.name,
                    nch, lo, n, hi, i, l);
            }
          CHECK(std::isnan(dst[total * 4]), "%s pack_nc4 wrote past its row", k.name);
        }
}

// Whole convolutions through Conv2d (the dispatched kernels), user arrays
// ending at guard pages (an over-read of x, weight or bias dies), against a
// double direct convolution. The check (1e-3 of |x| conv |w| + |b|) catches
// any indexing or padding bug; the rounding bound itself is tested in
// tests/test_winograd.py.
static void test_conv(Algo algo, size_t n, size_t c, size_t co, size_t h, size_t w, int pt, int pb, int pl,
                      int pr, bool clamp, size_t groups = 1) {
  Conv2dParams p;
  p.in_channels = int64_t(c);
  p.out_channels = int64_t(co);
  p.groups = int64_t(groups);
  const size_t cg = c / groups, mg = co / groups;
  p.kernel_h = p.kernel_w = 3;
  p.pad_top = pt;
  p.pad_bottom = pb;
  p.pad_left = pl;
  p.pad_right = pr;
  p.clamp = clamp;
  if (clamp) { p.out_min = -1.0f; p.out_max = 2.0f; }
  int64_t ho, wo;
  output_size(p, int64_t(h), int64_t(w), &ho, &wo);
  std::mt19937 gen(unsigned(n * 131 + c * 17 + co * 7 + h * 3 + w));
  armconv_test::Uniform<float> dist(-1, 1);
  GuardedArray<float> x(n * c * h * w), wt(co * cg * 9), bias(co), y(n * co * size_t(ho * wo));
  for (size_t i = 0; i < x.size(); i++) x[i] = dist(gen);
  for (size_t i = 0; i < wt.size(); i++) wt[i] = dist(gen);
  for (size_t i = 0; i < bias.size(); i++) bias[i] = dist(gen);
  Conv2d layer(p, wt.data(), bias.data(), algo);
  layer.run(x.data(), int64_t(n), int64_t(h), int64_t(w), y.data());
  for (size_t b = 0; b < n; b++)
    for (size_t o = 0; o < co; o++)
      for (int64_t oy = 0; oy < ho; oy++)
        for (int64_t ox = 0; ox < wo; ox++) {
          double s = bias[o], mag = std::fabs(bias[o]);
          for (size_t ci = 0; ci < cg; ci++)
            for (int ky = 0; ky < 3; ky++)
              for (int kx = 0; kx < 3; kx++) {
                const int64_t iy = oy - pt + ky, ix = ox - pl + kx;
                if (iy < 0 || ix < 0 || iy >= int64_t(h) || ix >= int64_t(w)) continue;
                const double xv = x[((b * c + o / mg * cg + ci) * h + size_t(iy)) * w + size_t(ix)];
                const double wv = wt[(o * cg + ci) * 9 + size_t(ky * 3 + kx)];
                s += xv * wv;
                mag += std::fabs(xv * wv);
              }
          if (clamp) s = std::min(std::max(s, -1.0), 2.0);
          const double got = y[((b * co + o) * size_t(ho) + size_t(oy)) * size_t(wo) + size_t(ox)];
          // Indexing errors are O(mag); Winograd rounding is far below 1e-3 mag here.
          CHECK(std::fabs(got - s) <= 1e-3 * mag + 1e-6,
                "%s n%zu c%zu co%zu g%zu %zux%zu pad %d%d%d%d: (%zu,%zu,%lld,%lld) %g vs %g", algo_name(algo), n, c,
                co, groups, h, w, pt, pb, pl, pr, b, o, (long long)oy, (long long)ox, got, s);
        }
}

int main() {
  for (size_t m : kWinoTileSizes) test_matrices(m);
  // Each kernel set with its matrices (stride 2: B'^T, A'^T of side n = 2m + 1).
  struct Impl {
    const WinoKernels* k;
    const WinoMatrices* mx;
  };
  std::vector<Impl> impls = {{&wino23_generic_kernels(), &wino_matrices(2)},
                             {&wino43_generic_kernels(), &wino_matrices(4)},
                             {&wino63_generic_kernels(), &wino_matrices(6)},
                             {&wino23s2_generic_kernels(), &wino_matrices_s2(2)},
                             {&wino43s2_generic_kernels(), &wino_matrices_s2(4)}};
#if defined(ARMCONV_HAVE_NEON)
  if (cpu_features().neon) {
    impls.push_back({&wino23_neon_kernels(), &wino_matrices(2)});
    impls.push_back({&wino43_neon_kernels(), &wino_matrices(4)});
    impls.push_back({&wino63_neon_kernels(), &wino_matrices(6)});
    impls.push_back({&wino23s2_neon_kernels(), &wino_matrices_s2(2)});
    impls.push_back({&wino43s2_neon_kernels(), &wino_matrices_s2(4)});
  }
#endif
  for (const Impl& im : impls) {
    CHECK(im.k->m == im.mx->m, "%s: m %zu vs matrices' %zu", im.k->name, im.k->m, im.mx->m);
    test_pack(*im.k);
    test_input(*im.k, *im.mx);
    test_output(*im.k, *im.mx);
    test_output_cuts(*im.k, *im.mx);
  }
  std::printf("winograd kernels: %s, %s, %s (dispatched)\n", kernels().winograd[0]->name, kernels().winograd[1]->name,
              kernels().winograd[2]->name);
  for (Algo a : {Algo::Winograd23, Algo::Winograd43, Algo::Winograd63}) {
    test_conv(a, 1, 1, 1, 1, 1, 1, 1, 1, 1, false);
    test_conv(a, 2, 3, 5, 7, 9, 1, 1, 1, 1, true);
    test_conv(a, 1, 5, 17, 13, 6, 0, 2, 2, 0, false);
    test_conv(a, 1, 17, 4, 3, 3, 0, 0, 0, 0, true);
    test_conv(a, 3, 4, 8, 20, 14, 2, 1, 0, 3, false);
    test_conv(a, 1, 8, 12, 9, 200, 1, 1, 1, 1, false);  // two strips of tiles
    // More than one chunk of input channels (accumulating into M) and of
    // output channels, with tails (every tile size: see wino_geometry()).
    test_conv(a, 1, 420, 9, 8, 7, 1, 1, 1, 1, true);
    test_conv(a, 2, 6, 600, 20, 14, 1, 0, 0, 1, false);
    // Groups: channels per group not multiples of 4 or 8, and 16 per group.
    test_conv(a, 2, 6, 9, 11, 10, 1, 1, 1, 1, true, 3);
    test_conv(a, 1, 64, 64, 13, 12, 1, 1, 1, 1, false, 4);
  }
  if (failures) {
    std::printf("%d failures\n", failures);
    return 1;
  }
  std::printf("ok\n");
  return 0;
}

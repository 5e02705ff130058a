// The fp16 Winograd (core/winograd.h, fp16 section; the driver
// core/conv_winograd.cpp instantiated on WinoF16):
//   - F(4,3)h's matrices (the points {0, +-2/3, +-3/2, inf}) satisfy the
//     F(4,3) identity in double and its bias vector A^T x = 1; its 1-D
//     transforms (core/winograd_kernels.h) apply them (the generic twin
//     and, where built, NEON, against float64);
//   - the generic twin layer (make_winograd_conv_f16_with on the generic
//     transforms and GEMM) against a double direct convolution, within the
//     bound of the error analysis below, over every tile remainder (maps
//     1..20, odd ones), channels not multiples of 8, padding on each side,
//     clamps, batch > 1, groups, several input/output chunks;
//   - where this CPU runs the fp16 kernels (Cortex-A76): the dispatched
//     layer (NEON transforms, wino_gemm-aarch64-16x8-fp16) gives the twin's
//     bits, for float32 and binary16 images; elsewhere none is dispatched
//     and a Conv2d(precision fp16) runs fp32, bit-equal to an fp32 layer.
//
// Error bound (per output; u = 2^-11, binary16's unit roundoff): V and U are
// rounded to binary16 (u each), a GEMM run sums R products in binary16
// (R - 1 roundings of the sum, one of each product: at most R u relative to
// the sum of |products| to first order), the runs are added in fp32 (about
// 2^-24 per term, below the margin). So for position p of a tile,
//   |M~_p - M_p| <= (R + 2) u (1 + eps) W_p,   W_p = sum_k |U_pk| |V_pk|
// (U, V exact), and an output y_ab = sum_ij A_ai A_bj M_ij (the fp32 output
// transform adds ~1e-7 of the same sums) errs by at most
//   (R + 3) u (1.01) sum_ij |A_ai| |A_bj| W_ij  (+ u |y| for binary16 out).
// R = 32 channels (16 for F(4,3) with up to 48 input channels per group:
// WinoF16::run_octets). F(4,3) computes V in binary16 (core/winograd.h): per
// 1-D pass each t_i is at most 4 dependent roundings deep, and every
// intermediate and constant (rounded: u relative) is bounded by
// S_i = sum_j |B_ij| |d_j|, so a pass errs by at most 8 u S_i; the column
// pass adds the row pass's error carried through B and its own, so
//   |V~_p - V_p| <= kTxBound u sum_ab |B_ia| |B_jb| |d_ab|   (kTxBound = 17,
// V~ already binary16: no storage rounding), which reaches an output as
// kTxBound u (1.01) sum_ij |A_ai| |A_bj| sum_k |U_ijk| (|B|^T |d_k| |B|)_ij. The bias b enters M in fp32 as
// b x_i x_j (WinoMatrices::bias_x; F(2,3): x = e_1): one rounding of the
// product, one per run added onto it (ceil(Cin / R), more where input chunks
// cut runs: at most one per octet, ceil(Cin / 8)) and the output
// transform's (two passes of at most 3 dependent fp32 roundings) add at most
//   (ceil(Cin / 8) + 8) 2^-24 |b| sum_ij |A_ai x_i| |A_bj x_j|.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "rand.h"
#include "armconv/armconv.h"
#include "core/conv_impl.h"
#include "core/dispatch.h"
#include "core/half.h"
#include "core/winograd.h"
#include "check.h"
#include "guard.h"

using namespace armconv;
using namespace armconv::detail;
using armconv_test::GuardedArray;

static const double kU16 = std::ldexp(1.0, -11);
// F(4,3)'s binary16 input transform: |V~ - V| <= kTxBound u sum |B||d||B|
// (see the top of the file).
static const double kTxBound = 17;

// 1-D identity of F(4,3)h in double (as test_winograd.cpp for the others).
static void test_matrices() {
  const WinoMatrices& mx = wino_matrices_f16(4);
  CHECK(mx.m == 4 && mx.n == 6, "wino_matrices_f16(4)");
  CHECK(&wino_matrices_f16(2) == &wino_matrices(2), "F(2,3) fp16 uses the fp32 matrices");
  std::mt19937 gen(3);
  armconv_test::Uniform<double> dist(-1, 1);
  for (int it = 0; it < 100; it++) {
    double d[6], g[3], gd[6], bd[6];
    for (double& v : d) v = dist(gen);
    for (double& v : g) v = dist(gen);
    for (size_t i = 0; i < 6; i++) {
      gd[i] = mx.g[3 * i] * g[0] + mx.g[3 * i + 1] * g[1] + mx.g[3 * i + 2] * g[2];
      bd[i] = 0;
      for (size_t j = 0; j < 6; j++) bd[i] += mx.bt[i * 6 + j] * d[j];
    }
    for (size_t a = 0; a < 4; a++) {
      double y = 0;
      for (size_t i = 0; i < 6; i++) y += mx.at[a * 6 + i] * gd[i] * bd[i];
      const double want = d[a] * g[0] + d[a + 1] * g[1] + d[a + 2] * g[2];
      CHECK(std::fabs(y - want) < 1e-12, "F(4,3)h identity: output %zu: %g != %g", a, y, want);
    }
  }
  // The bias: A^T x = 1, so that bias x x^T in M reaches every output as the bias.
  CHECK(mx.bias_x != nullptr, "F(4,3)h: no bias vector");
  for (size_t a = 0; a < 4; a++) {
    double s = 0;
    for (size_t i = 0; i < 6; i++) s += mx.at[a * 6 + i] * mx.bias_x[i];
    CHECK(std::fabs(s - 1) < 1e-12, "F(4,3)h: (A^T x)[%zu] = %g", a, s);
  }
  CHECK(wino_matrices(2).bias_x == nullptr, "F(2,3): bias on position (1, 1)");
}

// The transforms of one kernel set against float64: V (binary16) within
// half an ulp of binary16 plus the fp32 arithmetic's error, the fp32 and
// binary16 outputs likewise, for both quads of an octet, a missing second
// quad, cut tiles and clamps.
static void test_transforms(const WinoF16Kernels& k) {
  const size_t m = k.m, n = m + 2, P = n * n;
  const WinoMatrices& mx = wino_matrices_f16(m);
  std::mt19937 gen(unsigned(7 * m));
  armconv_test::Uniform<float> dist(-2, 2);
  for (int it = 0; it < 20; it++) {
    if (k.input_h8) {
      // F(4,3): binary16 patches in an nc8 box, V in binary16 arithmetic:
      // within kTxBound u of the sum of magnitudes (see the top of the file).
      const size_t row = n * 8 + 16;  // Halfs per patch row
      std::vector<Half> sh(n * row);
      for (Half& v : sh) v = float_to_half(dist(gen));
      const size_t dpos = 8 + 8 * size_t(it % 2);
      std::vector<Half> dst(P * dpos, Half{0x7e00});
      k.input_h8(sh.data(), row, dst.data(), dpos);
      for (size_t l = 0; l < 8; l++)
        for (size_t i = 0; i < n; i++)
          for (size_t j = 0; j < n; j++) {
            double v = 0, mag = 0;
            for (size_t a = 0; a < n; a++)
              for (size_t b = 0; b < n; b++) {
                const double t = mx.bt[i * n + a] * mx.bt[j * n + b] * half_to_float(sh[a * row + b * 8 + l]);
                v += t;
                mag += std::fabs(t);
              }
            const double got = half_to_float(dst[(n * i + j) * dpos + l]);
            CHECK(std::fabs(got - v) <= kTxBound * kU16 * mag, "%s input_h8: lane %zu position (%zu,%zu): %g vs %g",
                  k.name, l, i, j, got, v);
          }
    } else {
    const size_t row = n * 4 + 8;  // floats per patch row (padding between rows)
    std::vector<float> s0(n * row), s1(n * row);
    for (float& v : s0) v = dist(gen);
    for (float& v : s1) v = dist(gen);
    const bool second = it % 3 != 0;
    const size_t dpos = 8 + 8 * size_t(it % 2);
    std::vector<Half> dst(P * dpos, Half{0x7e00});
    k.input(s0.data(), second ? s1.data() : nullptr, row, dst.data(), dpos);
    for (size_t l = 0; l < 8; l++) {
      const std::vector<float>& s = l < 4 ? s0 : s1;
      for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
          double v = 0, mag = 0;
          for (size_t a = 0; a < n; a++)
            for (size_t b = 0; b < n; b++) {
              const double t = mx.bt[i * n + a] * mx.bt[j * n + b] * s[a * row + b * 4 + l % 4];
              v += t;
              mag += std::fabs(t);
            }
          if (l >= 4 && !second) v = mag = 0;
          const double got = half_to_float(dst[(n * i + j) * dpos + l]);
          CHECK(std::fabs(got - v) <= kU16 * std::fabs(v) * 1.0001 + 1e-6 * mag,
                "%s input: lane %zu position (%zu,%zu): %g vs %g", k.name, l, i, j, got, v);
        }
    }
    }
    // Output: 4 channels of M (fp32, src_pos apart; F(4,3): up to 16), a
    // cut tile, a clamp.
    const size_t maxch = k.input_h8 ? 16 : 4;
    const size_t spos = maxch + 4 * size_t(it % 3);
    std::vector<float> msrc(P * spos);
    for (float& v : msrc) v = dist(gen);
    const size_t rows = 1 + size_t(it) % m, cols = 1 + size_t(it / 2) % m;
    const size_t nch = 1 + (k.input_h8 ? size_t(it * 7) % 16 : size_t(it) % 4);
    const bool clamp = it % 4 == 1;
    const float lo = -1.5f, hi = 2.5f;
    const size_t ych = 50, yrow = 7;
    std::vector<float> yf(maxch * ych, -99.0f);
    std::vector<Half> yh(maxch * ych, Half{0x5140});
    k.output(msrc.data(), spos, WinoOutTile{yf.data(), rows, cols}, nch, ych, yrow, clamp, lo, hi);
    k.output_h(msrc.data(), spos, WinoOutTileH{yh.data(), rows, cols}, nch, ych, yrow, clamp, lo, hi);
    for (size_t l = 0; l < maxch; l++)
      for (size_t a = 0; a < m; a++)
        for (size_t b = 0; b < 7 && a * yrow + b < ych; b++) {
          const size_t at = l * ych + a * yrow + b;
          if (l >= nch || a >= rows || b >= cols) {
            CHECK(yf[at] == -99.0f && yh[at].bits == 0x5140, "%s output wrote outside the tile", k.name);
            continue;
          }
          double y = 0, mag = 0;
          for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++) {
              const double t = mx.at[a * n + i] * mx.at[b * n + j] * msrc[(n * i + j) * spos + l];
              y += t;
              mag += std::fabs(t);
            }
          if (clamp) y = std::min(std::max(y, double(lo)), double(hi));
          CHECK(std::fabs(yf[at] - y) <= 1e-6 * mag, "%s output (%zu,%zu,%zu): %g vs %g", k.name, l, a, b,
                double(yf[at]), y);
          CHECK(yh[at].bits == float_to_half(yf[at]).bits, "%s output_h (%zu,%zu,%zu): not the fp32 output rounded",
                k.name, l, a, b);
        }
  }
  // Staging from binary16 images: the widened values, zero padding
  // (F(4,3): nc8 binary16 boxes from float32 images, rounded, and from
  // binary16 ones, copied).
  std::vector<Half> xh(8 * 40);
  for (size_t i = 0; i < xh.size(); i++) xh[i] = float_to_half(dist(gen));
  if (k.pack_nc8h) {
    std::vector<float> xf(8 * 40);
    for (float& v : xf) v = dist(gen);
    for (size_t nch = 1; nch <= 8; nch++)
      for (size_t cnt : {1, 3, 4, 5, 8, 9, 12, 15, 16, 28}) {
        std::vector<Half> box((2 + cnt + 3) * 8, Half{0x5140}), boxh(box.size(), Half{0x5140});
        k.pack_nc8h(xf.data(), 40, nch, 2, cnt, 3, box.data());
        k.pack_nc8h_h(xh.data(), 40, nch, 2, cnt, 3, boxh.data());
        for (size_t i = 0; i < 2 + cnt + 3; i++)
          for (size_t l = 0; l < 8; l++) {
            const bool in = i >= 2 && i < 2 + cnt && l < nch;
            CHECK(box[i * 8 + l].bits == (in ? float_to_half(xf[l * 40 + i - 2]).bits : 0), "%s pack_nc8h nch %zu n %zu: pixel %zu lane %zu", k.name, nch, cnt, i, l);
            CHECK(boxh[i * 8 + l].bits == (in ? xh[l * 40 + i - 2].bits : 0), "%s pack_nc8h_h nch %zu n %zu: pixel %zu lane %zu", k.name, nch, cnt, i, l);
          }
      }
    return;
  }
  for (size_t nch = 1; nch <= 4; nch++)
    for (size_t cnt : {1, 3, 4, 9}) {
      std::vector<float> box((2 + cnt + 3) * 4, 7.0f);
      k.pack_nc4_h(xh.data(), 30, nch, 2, cnt, 3, box.data());
      for (size_t i = 0; i < 2 + cnt + 3; i++)
        for (size_t l = 0; l < 4; l++) {
          const bool in = i >= 2 && i < 2 + cnt && l < nch;
          const float want = in ? half_to_float(xh[l * 30 + i - 2]) : 0.0f;
          CHECK(box[i * 4 + l] == want, "%s pack_nc4_h nch %zu n %zu: pixel %zu lane %zu", k.name, nch, cnt, i, l);
        }
    }
}

// The dispatched transforms against the twin's, bit for bit, on float32
// inputs of every magnitude (the layer tests below feed binary16 values, on
// which the transforms' fp32 arithmetic is mostly exact and an operation
// done in another order would go unnoticed): V of both quads and of a lone
// quad, outputs to float32 and binary16 over every cut (rows, cols 1..m),
// channel count 1..4 and clamp mode, NaN and infinities included. (A NaN
// equals any NaN: which of two NaN operands an addition returns is not
// specified, and compilers commute additions.)
static bool same_f(float a, float b) { return std::memcmp(&a, &b, 4) == 0 || (std::isnan(a) && std::isnan(b)); }
static bool same_h(Half a, Half b) {
  const auto nan = [](Half h) { return (h.bits & 0x7c00) == 0x7c00 && (h.bits & 0x3ff) != 0; };
  return a.bits == b.bits || (nan(a) && nan(b));
}
static void test_transforms_twin(const WinoF16Kernels& k, const WinoF16Kernels& twin) {
  const size_t m = k.m, n = m + 2, P = n * n;
  std::mt19937 gen(unsigned(11 * m));
  armconv_test::Uniform<float> mant(-2, 2);
  std::uniform_int_distribution<int> expo(-12, 12);
  auto value = [&] { return std::ldexp(mant(gen), expo(gen)); };
  int bad = 0;
  // V is compared after rounding to binary16, which hides most fp32
  // differences (one in ~10^4 values shows one): many tiles.
  for (int it = 0; it < 4000; it++) {
    if (k.input_h8) {
      // F(4,3): binary16 patches of every magnitude (the binary16 range:
      // overflow to inf inside the transform included), NaN and inf.
      const size_t row = n * 8 + 8 * size_t(it % 3);
      std::vector<Half> sh(n * row);
      std::uniform_int_distribution<int> ex(-14, it % 8 == 0 ? 14 : 6);
      for (Half& v : sh) v = float_to_half(std::ldexp(mant(gen), ex(gen)));
      if (it == 5) sh[row + 8] = Half{0x7e00}, sh[2 * row + 17] = Half{0x7c00};
      if (it == 6) sh[3 * row + 40] = Half{0xfc00};
      const size_t dpos = 8 + 8 * size_t(it % 2);
      std::vector<Half> va(P * dpos, Half{0x7e00}), vb(P * dpos, Half{0x7e00});
      k.input_h8(sh.data(), row, va.data(), dpos);
      twin.input_h8(sh.data(), row, vb.data(), dpos);
      for (size_t i = 0; i < va.size(); i++) bad += !same_h(va[i], vb[i]);
    } else {
    const size_t row = n * 4 + 4 * size_t(it % 3);
    std::vector<float> s0(n * row), s1(n * row);
    for (float& v : s0) v = value();
    for (float& v : s1) v = value();
    if (it == 5) s0[row + 4] = NAN, s1[2 * row + 8] = INFINITY;
    const bool second = it % 4 != 3;
    const size_t dpos = 8 + 8 * size_t(it % 2);
    std::vector<Half> va(P * dpos, Half{0x7e00}), vb(P * dpos, Half{0x7e00});
    k.input(s0.data(), second ? s1.data() : nullptr, row, va.data(), dpos);
    twin.input(s0.data(), second ? s1.data() : nullptr, row, vb.data(), dpos);
    for (size_t i = 0; i < va.size(); i++) bad += !same_h(va[i], vb[i]);
    }
    if (it >= 64) continue;
    const size_t maxch = k.input_h8 ? 16 : 4;  // channels per output call (F(4,3): 16)
    const size_t spos = maxch + 4 * size_t(it % 3);
    std::vector<float> msrc(P * spos);
    for (float& v : msrc) v = value();
    if (it == 7) msrc[spos * 3 + 1] = NAN, msrc[spos * 8 + 2] = -INFINITY;
    const size_t ych = 40, yrow = 9;
    const float bounds[4][2] = {{-1.5f, 2.5f}, {-1.5f, INFINITY}, {-INFINITY, 2.5f}, {-INFINITY, INFINITY}};
    for (size_t rows = 1; rows <= m; rows++)
      for (size_t cols = 1; cols <= m; cols++) {
        const size_t nch = 1 + size_t(it + rows + cols) % maxch, b = size_t(it) % 4;
        const bool clamp = (it / 4) % 2 == 1;
        std::vector<float> ya(maxch * ych, -99.0f), yb(maxch * ych, -99.0f);
        std::vector<Half> ha(maxch * ych, Half{0x5140}), hb(maxch * ych, Half{0x5140});
        k.output(msrc.data(), spos, WinoOutTile{ya.data(), rows, cols}, nch, ych, yrow, clamp, bounds[b][0],
                 bounds[b][1]);
        twin.output(msrc.data(), spos, WinoOutTile{yb.data(), rows, cols}, nch, ych, yrow, clamp, bounds[b][0],
                    bounds[b][1]);
        k.output_h(msrc.data(), spos, WinoOutTileH{ha.data(), rows, cols}, nch, ych, yrow, clamp, bounds[b][0],
                   bounds[b][1]);
        twin.output_h(msrc.data(), spos, WinoOutTileH{hb.data(), rows, cols}, nch, ych, yrow, clamp, bounds[b][0],
                      bounds[b][1]);
        for (size_t i = 0; i < ya.size(); i++) bad += !same_f(ya[i], yb[i]);
        for (size_t i = 0; i < ha.size(); i++) bad += !same_h(ha[i], hb[i]);
      }
  }
  // The nc8 binary16 staging (F(4,3)): every channel count, pixel count
  // (8- and 4-pixel steps, single pixels), padding; float32 values of every
  // magnitude (rounding, overflow to inf, subnormals), NaN.
  if (k.pack_nc8h) {
    std::vector<float> xf(8 * 50);
    std::vector<Half> xh(xf.size());
    std::uniform_int_distribution<int> ex(-26, 17);
    for (size_t i = 0; i < xf.size(); i++) {
      xf[i] = std::ldexp(mant(gen), ex(gen));
      xh[i] = float_to_half(std::ldexp(mant(gen), ex(gen) / 2));
    }
    xf[3] = NAN, xf[50 + 7] = -INFINITY, xh[100 + 9] = Half{0x7e01};
    for (size_t nch = 1; nch <= 8; nch++)
      for (size_t cnt = 0; cnt <= 20; cnt++) {
        const size_t lo = cnt % 3, hi = (cnt / 3) % 3, len = (lo + cnt + hi) * 8;
        std::vector<Half> a(len, Half{0x5140}), b(len, Half{0x5140});
        k.pack_nc8h(xf.data() + cnt % 2, 50, nch, lo, cnt, hi, a.data());
        twin.pack_nc8h(xf.data() + cnt % 2, 50, nch, lo, cnt, hi, b.data());
        for (size_t i = 0; i < len; i++) bad += !same_h(a[i], b[i]);
        k.pack_nc8h_h(xh.data() + cnt % 2, 50, nch, lo, cnt, hi, a.data());
        twin.pack_nc8h_h(xh.data() + cnt % 2, 50, nch, lo, cnt, hi, b.data());
        for (size_t i = 0; i < len; i++) bad += a[i].bits != b[i].bits;
      }
  }
  CHECK(bad == 0, "%s vs %s: %d values differ", k.name, twin.name, bad);
}

struct Case {
  size_t m, n, c, co, h, w;
  int pt, pb, pl, pr;
  bool clamp;
  size_t groups;
};

static Conv2dParams params_of(const Case& t) {
  Conv2dParams p;
  p.in_channels = int64_t(t.c);
  p.out_channels = int64_t(t.co);
  p.groups = int64_t(t.groups);
  p.kernel_h = p.kernel_w = 3;
  p.pad_top = t.pt;
  p.pad_bottom = t.pb;
  p.pad_left = t.pl;
  p.pad_right = t.pr;
  p.clamp = t.clamp;
  if (t.clamp) {
    p.out_min = -0.5f;
    p.out_max = 0.75f;
  }
  return p;
}

// The error bound of the top of the file for every output of the case
// (float64), and the reference itself.
static void reference(const Case& t, const Conv2dParams& p, const std::vector<double>& x, const std::vector<double>& wt,
                      const std::vector<double>& bias, int64_t ho, int64_t wo, std::vector<double>* ref,
                      std::vector<double>* bound) {
  const size_t m = t.m, n = m + 2, P = n * n, cg = t.c / t.groups, mg = t.co / t.groups;
  const WinoMatrices& mx = wino_matrices_f16(m);
  const double R = m == 4 && cg <= 48 ? 16 : 32, runs = std::ceil(double(cg) / 8);  // (runs: an upper bound)
  // sum_i |A_ai x_i| per output row (column) a of a tile: the bias's path.
  double ax[8];
  for (size_t a = 0; a < m; a++) {
    ax[a] = 0;
    for (size_t i = 0; i < n; i++) ax[a] += std::fabs(mx.at[a * n + i] * (mx.bias_x ? mx.bias_x[i] : i == 1));
  }
  // |U| per (co, ci, position), exact.
  std::vector<double> uabs(t.co * cg * P);
  for (size_t o = 0; o < t.co; o++)
    for (size_t ci = 0; ci < cg; ci++) {
      const double* g = &wt[(o * cg + ci) * 9];
      for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
          double s = 0;
          for (size_t a = 0; a < 3; a++)
            for (size_t b = 0; b < 3; b++) s += mx.g[3 * i + a] * g[a * 3 + b] * mx.g[3 * j + b];
          uabs[(o * cg + ci) * P + n * i + j] = std::fabs(s);
        }
    }
  ref->assign(t.n * t.co * size_t(ho * wo), 0.0);
  bound->assign(ref->size(), 0.0);
  const size_t tiles_y = (size_t(ho) + m - 1) / m, tiles_x = (size_t(wo) + m - 1) / m;
  // F(4,3): V is computed in binary16 (kTxBound u sum |B||d||B|, vmag).
  const bool tx16 = m == 4;
  std::vector<double> vabs(cg * P), vmag(cg * P), wsum(P), wmag(P);
  for (size_t b = 0; b < t.n; b++)
    for (size_t gi = 0; gi < t.groups; gi++)
      for (size_t ty = 0; ty < tiles_y; ty++)
        for (size_t tx = 0; tx < tiles_x; tx++) {
          // |V| of the tile's patch per input channel (padding and beyond the map: 0).
          for (size_t ci = 0; ci < cg; ci++) {
            double d[8][8];
            for (size_t r = 0; r < n; r++)
              for (size_t c = 0; c < n; c++) {
                const int64_t iy = int64_t(ty * m + r) - t.pt, ix = int64_t(tx * m + c) - t.pl;
                d[r][c] = iy < 0 || ix < 0 || iy >= int64_t(t.h) || ix >= int64_t(t.w)
                              ? 0.0
                              : x[((b * t.c + gi * cg + ci) * t.h + size_t(iy)) * t.w + size_t(ix)];
              }
            for (size_t i = 0; i < n; i++)
              for (size_t j = 0; j < n; j++) {
                double s = 0, sm = 0;
                for (size_t r = 0; r < n; r++)
                  for (size_t c = 0; c < n; c++) {
                    s += mx.bt[i * n + r] * d[r][c] * mx.bt[j * n + c];
                    sm += std::fabs(mx.bt[i * n + r] * d[r][c] * mx.bt[j * n + c]);
                  }
                vabs[ci * P + n * i + j] = std::fabs(s);
                vmag[ci * P + n * i + j] = sm;
              }
          }
          for (size_t oo = 0; oo < mg; oo++) {
            const size_t o = gi * mg + oo;
            std::fill(wsum.begin(), wsum.end(), 0.0);
            std::fill(wmag.begin(), wmag.end(), 0.0);
            for (size_t ci = 0; ci < cg; ci++)
              for (size_t q = 0; q < P; q++) {
                wsum[q] += uabs[(o * cg + ci) * P + q] * vabs[ci * P + q];
                wmag[q] += uabs[(o * cg + ci) * P + q] * vmag[ci * P + q];
              }
            for (size_t a = 0; a < m && ty * m + a < size_t(ho); a++)
              for (size_t c = 0; c < m && tx * m + c < size_t(wo); c++) {
                double e = 0, et = 0;
                for (size_t i = 0; i < n; i++)
                  for (size_t j = 0; j < n; j++) {
                    e += std::fabs(mx.at[a * n + i] * mx.at[c * n + j]) * wsum[n * i + j];
                    et += std::fabs(mx.at[a * n + i] * mx.at[c * n + j]) * wmag[n * i + j];
                  }
                const size_t oy = ty * m + a, ox = tx * m + c;
                const double eb = bias.empty() ? 0.0 : std::ldexp(runs + 8, -24) * std::fabs(bias[o]) * ax[a] * ax[c];
                (*bound)[((b * t.co + o) * size_t(ho) + oy) * size_t(wo) + ox] =
                    (R + 3) * kU16 * 1.01 * e + (tx16 ? kTxBound * kU16 * 1.01 * et : 0.0) + eb;
              }
          }
        }
  for (size_t b = 0; b < t.n; b++)
    for (size_t o = 0; o < t.co; o++)
      for (int64_t oy = 0; oy < ho; oy++)
        for (int64_t ox = 0; ox < wo; ox++) {
          const size_t gi = o / mg;
          double s = bias.empty() ? 0.0 : bias[o];
          for (size_t ci = 0; ci < cg; ci++)
            for (int ky = 0; ky < 3; ky++)
              for (int kx = 0; kx < 3; kx++) {
                const int64_t iy = oy - t.pt + ky, ix = ox - t.pl + kx;
                if (iy < 0 || ix < 0 || iy >= int64_t(t.h) || ix >= int64_t(t.w)) continue;
                s += x[((b * t.c + gi * cg + ci) * t.h + size_t(iy)) * t.w + size_t(ix)] *
                     wt[(o * cg + ci) * 9 + size_t(ky * 3 + kx)];
              }
          if (t.clamp) s = std::min(std::max(s, double(p.out_min)), double(p.out_max));
          (*ref)[((b * t.co + o) * size_t(ho) + size_t(oy)) * size_t(wo) + size_t(ox)] = s;
        }
}

// Returns the twin's plan (its blocks and channel chunks, which the cases
// below check they make).
static WinoPlan test_layer(const Case& t) {
  const Conv2dParams p = params_of(t);
  int64_t ho, wo;
  output_size(p, int64_t(t.h), int64_t(t.w), &ho, &wo);
  const size_t cg = t.c / t.groups, xn = t.n * t.c * t.h * t.w, yn = t.n * t.co * size_t(ho * wo);
  std::mt19937 gen(unsigned(t.n * 131 + t.c * 17 + t.co * 7 + t.h * 3 + t.w + t.m));
  armconv_test::Normal<float> dist(0.0f, 1.0f);
  // x in binary16 values (the float32 and binary16 images are then the same
  // numbers), w ~ N(0, 1/(9 Cin/g)), bias ~ N(0, 0.01).
  GuardedArray<float> xf(xn), wt(t.co * cg * 9), bias(t.co), yf(yn), yt(yn);
  GuardedArray<Half> xh(xn), yh(yn), yth(yn);
  std::vector<double> xd(xn), wd(wt.size()), bd(t.co);
  for (size_t i = 0; i < xn; i++) {
    xh[i] = float_to_half(dist(gen));
    xf[i] = half_to_float(xh[i]);
    xd[i] = xf[i];
  }
  const float ws = 1.0f / std::sqrt(9.0f * float(cg));
  for (size_t i = 0; i < wt.size(); i++) wd[i] = wt[i] = dist(gen) * ws;
  for (size_t i = 0; i < t.co; i++) bd[i] = bias[i] = 0.1f * dist(gen);
  // The twin.
  ConvImplPtr twin = make_winograd_conv_f16_with(p, t.m, wt.data(), bias.data(),
                                                 t.m == 4 ? wino43_f16_generic_kernels() : wino23_f16_generic_kernels(),
                                                 wino_gemm_f16_generic_kernels());
  const ConvPlan plan = twin->plan(int64_t(t.n), int64_t(t.h), int64_t(t.w));
  CHECK(plan.algo == std::string(t.m == 4 ? "winograd43" : "winograd23"), "algo %s", plan.algo);
  run_all(*twin, plan, xf.data(), yt.data());
  run_all(*twin->f16(), plan, xh.data(), yth.data());
  std::vector<double> ref, bound;
  reference(t, p, xd, wd, bd, ho, wo, &ref, &bound);
  double worst = 0, emax = 0, rmax = 0;  // error / bound; max |error|, max |ref|
  for (size_t i = 0; i < yn; i++) {
    const double e = std::fabs(yt[i] - ref[i]);
    emax = std::max(emax, e);
    rmax = std::max(rmax, std::fabs(ref[i]));
    worst = std::max(worst, e / (bound[i] + 1e-30));
    CHECK(e <= bound[i] + 1e-6, "F(%zu,3) n%zu c%zu co%zu g%zu %zux%zu pad %d%d%d%d: y[%zu] %g vs %g (bound %g)", t.m,
          t.n, t.c, t.co, t.groups, t.h, t.w, t.pt, t.pb, t.pl, t.pr, i, double(yt[i]), ref[i], bound[i]);
    CHECK(yth[i].bits == float_to_half(yt[i]).bits, "binary16 image: y[%zu] is not the float32 image's, rounded", i);
  }
  // The bound is a worst case (sums of magnitudes in the transform domain,
  // up to ~100x the output); the error as the README measures it (about
  // 1e-2 of max|ref| from 64 channels, a few times that with a few channels
  // per group) is checked within 10%: an indexing error is O(1).
  CHECK(emax <= 0.1 * rmax + 1e-6, "F(%zu,3) c%zu co%zu %zux%zu: max error %g of max|ref| %g", t.m, t.c, t.co, t.h,
        t.w, emax, rmax);
  if (t.c >= 64) std::printf("F(%zu,3) c%zu co%zu %zux%zu: max error / bound %.3f\n", t.m, t.c, t.co, t.h, t.w, worst);
  // The dispatched kernels: the twin's bits.
  ConvImplPtr impl = make_winograd_conv_f16(p, t.m, wt.data(), bias.data());
  CHECK(bool(impl) == (cpu_features().fp16 && kernels().wino_gemm_f16 != nullptr),
        "fp16 Winograd made: %d, CPU fp16 kernels: %d", int(bool(impl)), int(kernels().wino_gemm_f16 != nullptr));
  if (!impl) return plan.wino;
  run_all(*impl, impl->plan(int64_t(t.n), int64_t(t.h), int64_t(t.w)), xf.data(), yf.data());
  run_all(*impl->f16(), impl->plan(int64_t(t.n), int64_t(t.h), int64_t(t.w)), xh.data(), yh.data());
  for (size_t i = 0; i < yn; i++) {
    CHECK(std::memcmp(&yf[i], &yt[i], 4) == 0, "F(%zu,3) c%zu co%zu %zux%zu: dispatched y[%zu] %a, twin %a", t.m, t.c,
          t.co, t.h, t.w, i, double(yf[i]), double(yt[i]));
    CHECK(yh[i].bits == yth[i].bits, "F(%zu,3) binary16: dispatched y[%zu] differs from the twin", t.m, i);
  }
  return plan.wino;
}

// Conv2d(precision fp16): the fp16 Winograd where the CPU runs it (auto
// layers: F(4,3) at any channel count, im2col on maps too small for its
// tiles), else fp32 kernels, bit-equal to an fp32 layer.
static void test_planner() {
  const bool f16 = winograd_runs_f16(4);
  for (size_t c : {3, 16, 64}) {
    Case t{4, 1, c, 24, 9, 11, 1, 1, 1, 1, true, 1};
    const Conv2dParams p = params_of(t);
    std::mt19937 gen{unsigned(c)};
    armconv_test::Normal<float> dist(0.0f, 1.0f);
    std::vector<float> x(c * 9 * 11), w(24 * c * 9), b(24), y16(24 * 9 * 11), y32(y16.size());
    for (float& v : x) v = dist(gen);
    for (float& v : w) v = dist(gen) * 0.05f;
    for (float& v : b) v = dist(gen) * 0.1f;
    Conv2d l16(p, w.data(), b.data(), Algo::Auto, Precision::Fp16);
    Conv2d l32(p, w.data(), b.data(), Algo::Auto, Precision::Fp32);
    l16.run(x.data(), 1, 9, 11, y16.data());
    l32.run(x.data(), 1, 9, 11, y32.data());
    if (f16) {
      const Algo want = Algo::Winograd43;
      CHECK(l16.precision() == Precision::Fp16, "auto fp16 layer c%zu runs fp32 on an fp16 CPU", c);
      CHECK(l16.algo() == want && l16.algo_for(9, 11) == want, "auto fp16 layer c%zu: %s", c,
            algo_name(l16.algo_for(9, 11)));
      CHECK(l16.algo_for(1, 1) == Algo::Im2col, "auto fp16 layer c%zu on a 1x1 map: %s", c,
            algo_name(l16.algo_for(1, 1)));
      Conv2d e63(p, w.data(), b.data(), Algo::Winograd63, Precision::Fp16);
      CHECK(e63.precision() == Precision::Fp32, "winograd63 has no fp16 kernels");
    } else {
      CHECK(l16.precision() == Precision::Fp32, "auto fp16 layer c%zu says fp16 without fp16 kernels", c);
      CHECK(std::memcmp(y16.data(), y32.data(), y16.size() * 4) == 0, "fp16 layer on a CPU without fp16 != fp32 layer");
    }
    for (Algo a : {Algo::Winograd23, Algo::Winograd43}) {
      Conv2d e(p, w.data(), b.data(), a, Precision::Fp16);
      CHECK(e.precision() == (f16 ? Precision::Fp16 : Precision::Fp32), "%s precision", algo_name(a));
    }
  }
}

int main() {
  test_matrices();
  std::vector<const WinoF16Kernels*> impls = {&wino23_f16_generic_kernels(), &wino43_f16_generic_kernels()};
  if (kernels().winograd_f16[0]) {
    impls.push_back(kernels().winograd_f16[0]);
    impls.push_back(kernels().winograd_f16[1]);
  }
  CHECK(bool(kernels().winograd_f16[1]) == bool(kernels().wino_gemm_f16), "fp16 transforms without the fp16 GEMM");
  for (const WinoF16Kernels* k : impls) test_transforms(*k);
  if (kernels().winograd_f16[0]) {
    test_transforms_twin(*kernels().winograd_f16[0], wino23_f16_generic_kernels());
    test_transforms_twin(*kernels().winograd_f16[1], wino43_f16_generic_kernels());
  }
  std::printf("fp16 Winograd: %s / %s (dispatched: %s)\n", impls.back()->name,
              kernels().wino_gemm_f16 ? kernels().wino_gemm_f16->name : "-",
              kernels().winograd_f16[1] ? "fp16" : "none: fp32 layers");
  for (size_t m : {2, 4}) {
    // Every map 1..20 (tile remainders, odd maps), padding 1.
    for (size_t s = 1; s <= 20; s++) test_layer({m, 1, 5, 9, s, 21 - s, 1, 1, 1, 1, s % 3 == 0, 1});
    test_layer({m, 2, 3, 5, 7, 9, 1, 1, 1, 1, true, 1});            // batch 2
    test_layer({m, 1, 13, 17, 13, 6, 0, 2, 2, 0, false, 1});        // padding on two sides
    test_layer({m, 1, 17, 4, 3, 3, 0, 0, 0, 0, true, 1});           // no padding
    test_layer({m, 3, 8, 16, 20, 14, 2, 1, 0, 3, false, 1});        // uneven padding
    test_layer({m, 1, 9, 12, 6, 200, 1, 1, 1, 1, false, 1});        // two strips of tiles
    test_layer({m, 2, 6, 9, 11, 10, 1, 1, 1, 1, true, 3});          // groups of 2 -> 3
    test_layer({m, 1, 64, 40, 12, 13, 1, 1, 1, 1, false, 4});       // groups of 16 -> 10
    // Runs: 70 = 2 x 32 + 6 (R = 32 above 48 channels). The map only has
    // to hold a tile (was 14x14: QEMU time).
    test_layer({m, 1, 70, 33, 8, 7, 1, 1, 1, 1, true, 1});
    // Several input chunks and several output chunks: the smallest layers
    // that still make them (core/conv_winograd.cpp wino_geometry: blocks of
    // 32 tiles for F(2,3) and 8 for F(4,3) at 128 channels or more, so input
    // chunks from 193 channels for F(2,3) (8 x 16 = 32 tiles), 337 for
    // F(4,3) (12 x 12, two blocks of 8 tiles); output chunks from 241 and
    // 433). Were 400 in x 12 x 12 and 600 out x 20 x 14 for both: QEMU
    // time. The plans are checked to still cut as intended.
    const WinoPlan in = test_layer(m == 2 ? Case{m, 1, 200, 16, 8, 16, 1, 1, 1, 1, false, 1}
                                          : Case{m, 1, 344, 16, 12, 12, 1, 1, 1, 1, false, 1});
    CHECK(in.kc < (m == 2 ? 200u : 344u) && in.blocks >= 1 + (m == 4), "F(%zu,3): input chunks of %zu, %zu blocks",
          m, in.kc, in.blocks);
    const WinoPlan out = test_layer(m == 2 ? Case{m, 1, 6, 264, 8, 16, 1, 0, 0, 1, false, 1}
                                           : Case{m, 1, 6, 440, 10, 16, 1, 0, 0, 1, false, 1});
    CHECK(out.m_chunks >= 2, "F(%zu,3): %zu output chunks of %zu", m, out.m_chunks, out.mc);
    std::printf("F(%zu,3): input chunks of %zu of %u channels (%zu blocks of %zu tiles); %zu output chunks of %zu of %u\n",
                m, in.kc, m == 2 ? 200u : 344u, in.blocks, in.t, out.m_chunks, out.mc, m == 2 ? 264u : 440u);
  }
  test_planner();
  if (failures) {
    std::printf("%d failures\n", failures);
    return 1;
  }
  std::printf("ok\n");
  return 0;
}

// The "strassen" family (core/strassen.h, core/conv_strassen.cpp): one level
// of Strassen over the fp32 GEMM for 1x1 layers.
//
// 1. The combine micro-kernel: the dispatched one (NEON) against the generic
//    twin, bit for bit, over every tile shape (m_top, m_bot, n_left, n_right
//    incl. the odd halves), clamp none / relu / relu6, NaN inputs; outputs
//    outside the named ones untouched.
//    The B-combination packer (pack_b_combo): the dispatched one (NEON)
//    against the generic twin byte for byte and both against the packed B
//    format (core/gemm.h, packed_b_at) computed element by element: NR 4,
//    8, 12, edge groups on and off, every pair of blocks of a K x N image
//    with odd halves (blocks cut by the edge: fewer rows or columns),
//    column windows at every panel offset incl. partial last panels; the
//    image and the packed panels in guarded arrays.
// 2. Layers against an independent float64 reference (a plain triple loop,
//    no blocks), over M, K, N sizes with every odd half, batch 1 and 2,
//    clamp none / relu / relu6, on the dispatched tables and on the generic
//    twins; x, y, weights and scratch in guarded arrays (a read or write
//    past any of them faults). Tolerance: one level of Strassen sums, per
//    product, K2 = ceil(K/2) terms whose operands are sums of two (|a| <=
//    2 amax, |b| <= 2 xmax), and C adds up to 4 products and the bias terms
//    (up to |2 bb - bt| <= 3 bmax); with the usual dot-product bound
//    (n eps sum|terms|, n terms) that is
//      |C - ref| <= eps (K2 + 4) (4 K2 amax xmax + 3 bmax) + 4 eps |ref|
//    (eps = 2^-24; a normwise bound: Strassen's error is not componentwise).
//    A wrong block, sign or bias is off by ~sqrt(K) amax xmax, far above it
//    (the mutations in the report). The observed max error is printed next
//    to the plain GEMM's on the same data (Strassen / GEMM: 1-3x).
// 3. Plan, then run ranges: the units cut every way (one at a time, random
//    cuts, reversed order) and the plans for teams of 2, 3, 16 threads give
//    the bytes of the one-call run.
// 4. The planner: which algorithm `auto` layers get and why (the cost
//    model, conv_strassen.cpp strassen_conv_cost).
// 5. Memory: what an `auto` layer that may pick Strassen holds (the GEMM's
//    packed weights from construction, no copy; Strassen's combinations
//    once a map runs it, its plain halves shared with the GEMM's panels),
//    and that Strassen on the GEMM's packing gives the bits of Strassen
//    packed from the dense weights (also where the halves are its own).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "armconv/armconv.h"
#include "check.h"
#include "core/conv_impl.h"
#include "core/dispatch.h"
#include "core/strassen.h"
#include "guard.h"
#include "rand.h"

using namespace armconv;
using namespace armconv::detail;
using armconv_test::GuardedArray;

namespace {

std::mt19937 gen(20261207);
constexpr float kInf = std::numeric_limits<float>::infinity();

void fill(float* v, size_t n, float lo, float hi) {
  armconv_test::Uniform<float> d(lo, hi);
  for (size_t i = 0; i < n; i++) v[i] = d(gen);
}

bool same_bits(const float* a, const float* b, size_t n) { return std::memcmp(a, b, n * sizeof(float)) == 0; }

// ---- 1. the combine micro-kernel ------------------------------------------------

void test_combine() {
  const StrassenKernels& k = *kernels().strassen;
  const StrassenKernels& g = strassen_generic_kernels();
  std::printf("combine: %s against %s\n", k.name, g.name);
  int cases = 0;
  for (size_t m_top : {1, 2, 7, 8})
    for (size_t m_bot : {size_t(0), m_top - 1, m_top}) {
      if (m_bot > m_top) continue;
      for (size_t n_left : {1, 2, 3, 4, 5, 8, 11, 12, 13, 24, 25})
        for (size_t n_right : {size_t(0), n_left - 1, n_left}) {
          if (n_right > n_left) continue;
          for (int act = 0; act < 3; act++) {
            const size_t ldp = (n_left + 3) / 4 * 4 + (cases % 2) * 4, ps = m_top * ldp + 4;
            const size_t n2 = n_left + 1, ldc = 2 * n2 + 3;
            GuardedArray<float> p(7 * ps);
            fill(p.data(), 7 * ps, -4.0f, 8.0f);
            if (cases % 5 == 0) p[3] = std::numeric_limits<float>::quiet_NaN();
            const size_t ybytes = 2 * m_top * ldc;
            GuardedArray<float> y1(ybytes), y2(ybytes);
            for (size_t i = 0; i < ybytes; i++) y1[i] = y2[i] = -777.0f;
            const bool clamp = act > 0;
            const float lo = act ? 0.0f : -kInf, hi = act == 2 ? 6.0f : kInf;
            k.combine(m_top, m_bot, n_left, n_right, p.data(), ldp, ps, y1.data(), y1.data() + m_top * ldc, ldc, n2,
                      clamp, lo, hi);
            g.combine(m_top, m_bot, n_left, n_right, p.data(), ldp, ps, y2.data(), y2.data() + m_top * ldc, ldc, n2,
                      clamp, lo, hi);
            CHECK(same_bits(y1.data(), y2.data(), ybytes), "combine %zu/%zu x %zu/%zu act %d: NEON != generic",
                  m_top, m_bot, n_left, n_right, act);
            // Exactly the named outputs written (checked on the generic twin's formulas).
            size_t written = 0;
            for (size_t i = 0; i < ybytes; i++) written += y2[i] != -777.0f;
            CHECK(written == m_top * n_left + m_top * n_right + m_bot * n_left + m_bot * n_right,
                  "combine %zu/%zu x %zu/%zu: %zu outputs written", m_top, m_bot, n_left, n_right, written);
            cases++;
          }
        }
    }
  std::printf("combine: %d shapes\n", cases);
}

// ---- 2./3. layers ----------------------------------------------------------------

struct Ref {
  std::vector<double> y, bound;  // reference and the tolerance per element
};

// y[b][m][n] = clamp(bias[m] + sum_k w[m][k] x[b][k][n]) in float64.
Ref reference(const Conv2dParams& p, const float* w, const float* bias, const float* x, size_t batch, size_t npix) {
  const size_t m = size_t(p.out_channels), k = size_t(p.in_channels), k2 = (k + 1) / 2;
  double amax = 0, xmax = 0, bmax = 0;
  for (size_t i = 0; i < m * k; i++) amax = std::max(amax, double(std::fabs(w[i])));
  for (size_t i = 0; i < batch * k * npix; i++) xmax = std::max(xmax, double(std::fabs(x[i])));
  for (size_t i = 0; i < m; i++) bmax = std::max(bmax, double(std::fabs(bias[i])));
  const double eps = std::ldexp(1.0, -24);
  const double abs_tol = eps * double(k2 + 4) * (4.0 * double(k2) * amax * xmax + 3.0 * bmax);
  Ref r;
  r.y.assign(batch * m * npix, 0.0);
  r.bound.assign(batch * m * npix, 0.0);
  for (size_t b = 0; b < batch; b++)
    for (size_t o = 0; o < m; o++)
      for (size_t n = 0; n < npix; n++) {
        double s = bias[o];
        for (size_t i = 0; i < k; i++) s += double(w[o * k + i]) * double(x[(b * k + i) * npix + n]);
        if (p.clamp) s = std::min(std::max(s, double(p.out_min)), double(p.out_max));
        r.y[(b * m + o) * npix + n] = s;
        r.bound[(b * m + o) * npix + n] = abs_tol + 4 * eps * std::fabs(s);
      }
  return r;
}

// Runs units [cuts[i], cuts[i+1]) in the given order, each with fresh scratch content.
void run_cuts(const ConvImpl& impl, const ConvPlan& pl, const float* x, float* y, const std::vector<size_t>& cuts,
              bool reverse, float* scratch) {
  const size_t parts = cuts.size() - 1;
  for (size_t t = 0; t < parts; t++) {
    const size_t i = reverse ? parts - 1 - t : t;
    std::memset(scratch, 0x7f, pl.scratch_bytes);  // (any content: NaN-ish garbage)
    impl.run(pl, x, y, cuts[i], cuts[i + 1], scratch);
  }
}

double worst = 0.0, worst_gemm = 0.0;
int layers = 0;

void test_layer(size_t m, size_t k, size_t h, size_t w, size_t batch, int act, bool generic, bool ranges,
                const SgemmKernels* force = nullptr) {
  Conv2dParams p;
  p.in_channels = int64_t(k);
  p.out_channels = int64_t(m);
  p.clamp = act > 0;
  p.out_min = act ? 0.0f : -kInf;
  p.out_max = act == 2 ? 6.0f : kInf;
  const size_t npix = h * w;
  GuardedArray<float> wt(m * k), bias(m), x(batch * k * npix), y(batch * m * npix);
  fill(wt.data(), m * k, -1.0f, 1.0f);
  fill(bias.data(), m, -1.0f, 1.0f);
  fill(x.data(), batch * k * npix, act ? -1.0f : 0.0f, act == 2 ? 3.0f : 1.0f);
  const SgemmKernels& sk = *kernels().sgemm;
  const SgemmKernels* kern = generic ? sgemm_generic_kernels_for(sk.mr, sk.nr) : &sk;
  if (!kern) kern = &sgemm_generic_kernels();
  if (force) kern = force;
  const StrassenKernels& comb = generic ? strassen_generic_kernels() : *kernels().strassen;
  ConvImplPtr impl = make_strassen_conv_with(p, wt.data(), bias.data(), *kern, comb);
  const ConvPlan pl = impl->plan(int64_t(batch), int64_t(h), int64_t(w));
  char what[160];
  std::snprintf(what, sizeof what, "strassen M %zu K %zu %zux%zu batch %zu act %d%s", m, k, h, w, batch, act,
                force ? " (test table)" : generic ? " (generic)" : "");
  // The plan's Strassen columns: 2 N2 - (N - peel) in {0, 1} (strassen_peel decides the peel).
  const size_t peel = strassen_peel(*kern, npix);
  CHECK(peel < 2 * kern->nr && (peel == 0 || peel + 2 <= npix) && pl.gemm.n == (npix - peel + 1) / 2,
        "%s: N2 %zu, peel %zu", what, pl.gemm.n, peel);
  CHECK(std::string(pl.algo) == "strassen" && pl.units == pl.axes[0] * pl.axes[1] * pl.axes[2] && pl.units > 0,
        "%s: plan", what);
  GuardedArray<float> scratch(pl.scratch_bytes / sizeof(float));
  for (size_t i = 0; i < y.size(); i++) y[i] = -999.0f;
  impl->run(pl, x.data(), y.data(), 0, pl.units, scratch.data());
  const Ref ref = reference(p, wt.data(), bias.data(), x.data(), batch, npix);
  double err = 0.0;
  size_t bad = 0;
  for (size_t i = 0; i < y.size(); i++) {
    const double e = std::fabs(double(y[i]) - ref.y[i]);
    if (!(e <= ref.bound[i])) bad++;
    err = std::max(err, e);
  }
  CHECK(bad == 0, "%s: %zu outputs off the reference (max error %g)", what, bad, err);
  // The plain GEMM's error on the same data, for the record.
  {
    std::vector<float> yg(y.size());
    conv2d(p, x.data(), int64_t(batch), int64_t(h), int64_t(w), wt.data(), bias.data(), yg.data(), Algo::Gemm);
    double eg = 0.0;
    for (size_t i = 0; i < yg.size(); i++) eg = std::max(eg, std::fabs(double(yg[i]) - ref.y[i]));
    if (k >= 64 && eg > 0) {
      worst = std::max(worst, err / eg);
      worst_gemm += 1;
    }
  }
  layers++;
  if (!ranges) return;
  // 3. cuts and teams: the same bytes.
  const std::vector<float> whole(y.data(), y.data() + y.size());
  std::vector<std::vector<size_t>> cut_sets;
  std::vector<size_t> each;
  for (size_t u = 0; u <= pl.units; u++) each.push_back(u);
  cut_sets.push_back(each);
  for (int r = 0; r < 3; r++) {
    std::vector<size_t> c = {0, pl.units};
    std::uniform_int_distribution<size_t> d(0, pl.units);
    for (int i = 0; i < 3; i++) c.push_back(d(gen));
    std::sort(c.begin(), c.end());
    cut_sets.push_back(c);
  }
  for (size_t ci = 0; ci < cut_sets.size(); ci++)
    for (bool rev : {false, true}) {
      for (size_t i = 0; i < y.size(); i++) y[i] = -999.0f;
      run_cuts(*impl, pl, x.data(), y.data(), cut_sets[ci], rev, scratch.data());
      CHECK(same_bits(y.data(), whole.data(), y.size()), "%s: cut %zu%s differs from the whole run", what, ci,
            rev ? " reversed" : "");
    }
  for (int threads : {2, 3, 16}) {
    const ConvPlan tp = impl->plan_for_threads(int64_t(batch), int64_t(h), int64_t(w), threads);
    CHECK(tp.units == tp.axes[0] * tp.axes[1] * tp.axes[2] && tp.units >= pl.units && tp.macs == pl.macs,
          "%s: plan for %d threads", what, threads);
    for (int a = 0; a < 3; a++)
      CHECK(tp.last_cost[a] > 0.0 && tp.last_cost[a] <= 1.0 + 1e-9, "%s: last_cost[%d] = %g", what, a,
            tp.last_cost[a]);
    GuardedArray<float> ts(tp.scratch_bytes / sizeof(float));
    std::vector<size_t> c = {0};
    for (int t = 1; t < threads; t++) c.push_back(tp.units * size_t(t) / size_t(threads));
    c.push_back(tp.units);
    for (size_t i = 0; i < y.size(); i++) y[i] = -999.0f;
    run_cuts(*impl, tp, x.data(), y.data(), c, true, ts.data());
    CHECK(same_bits(y.data(), whole.data(), y.size()), "%s: the plan for %d threads (%zu units) differs", what,
          threads, tp.units);
  }
  // Through the public API (Conv2d, run_all on the pool at 3 threads): the same bytes.
  {
    Conv2d layer(p, wt.data(), bias.data(), Algo::Strassen);
    std::vector<float> yl(y.size());
    const int prev = get_num_threads();
    set_num_threads(3);
    layer.run(x.data(), int64_t(batch), int64_t(h), int64_t(w), yl.data());
    set_num_threads(prev);
    if (!generic && !force)
      CHECK(same_bits(yl.data(), whole.data(), y.size()), "%s: Conv2d(algo=strassen) on 3 threads differs", what);
  }
}

void test_layers() {
  // (M, K) pairs with every parity of the halves and the tile remainders of
  // MR = 8 (6 on armv7): M2 = 1, 4, 5, 8, 9, 12, 17; maps with N2 and the
  // right half's width at every NR = 12 (8) remainder.
  const size_t ms[] = {1, 2, 7, 8, 9, 15, 16, 17, 24, 33};
  const size_t ks[] = {1, 2, 3, 17, 64, 96, 161};
  const size_t maps[][2] = {{1, 1}, {1, 2}, {1, 11}, {1, 13}, {4, 6}, {5, 5}, {7, 7}, {14, 14}};
  int i = 0;
  for (size_t m : ms)
    for (size_t k : ks)
      for (const auto& hw : maps) {
        i++;
        const int act = i % 3;
        const size_t batch = i % 4 == 0 ? 2 : 1;
        const bool ranges = i % 5 == 0;
        test_layer(m, k, hw[0], hw[1], batch, act, false, ranges);
        if (i % 3 == 0) test_layer(m, k, hw[0], hw[1], batch, (act + 1) % 3, true, false);
      }
  // MobileNetV2-like shapes (K2 above kMaxKc on the first: one K2 run; several column blocks).
  test_layer(40, 1100, 7, 7, 1, 0, false, true);
  test_layer(160, 320, 14, 14, 2, 2, false, true);
  test_layer(96, 576, 7, 7, 1, 1, true, false);
  std::printf("layers: %d, within the tolerance; worst Strassen / GEMM error ratio (K >= 64): %.2f\n", layers,
              worst);
}

// ---- errors ----------------------------------------------------------------------

void test_rejects() {
  Conv2dParams p;
  p.in_channels = 8;
  p.out_channels = 8;
  std::vector<float> w(8 * 8 * 9, 0.5f);
  struct Bad {
    const char* what;
    Conv2dParams p;
  };
  std::vector<Bad> bad;
  Conv2dParams q = p;
  q.kernel_h = q.kernel_w = 3;
  bad.push_back({"3x3", q});
  q = p;
  q.stride_h = q.stride_w = 2;
  bad.push_back({"stride 2", q});
  q = p;
  q.pad_top = 1;
  bad.push_back({"padding", q});
  q = p;
  q.groups = 2;
  bad.push_back({"groups 2", q});
  for (const Bad& b : bad) {
    bool threw = false;
    std::string msg;
    try {
      Conv2d layer(b.p, w.data(), nullptr, Algo::Strassen);
    } catch (const Error& e) {
      threw = true;
      msg = e.what();
    }
    CHECK(threw && msg.find("strassen") != std::string::npos, "algo=strassen on %s: %s", b.what, msg.c_str());
  }
  CHECK(algo_from_name("strassen") == Algo::Strassen && std::string(algo_name(Algo::Strassen)) == "strassen",
        "algo name");
}

}  // namespace

void test_planner();  // below
void test_pack_combo();  // below
void test_memory();   // below

// ---- 2b. peeled columns -------------------------------------------------------------
// strassen_peel's picks on the shipped tables (the rule's arithmetic:
// conv_strassen.cpp), and layers whose Strassen columns leave several
// peeled ones: every N2 % NR residue with both parities of N, 14x14, 28x28
// (on the dispatched and the generic tables, ranges and threads on), and a
// test table (the dispatched kernels, made-up partial-panel costs) that
// peels more than one NR panel.
void test_peels() {
  const SgemmKernels& sk = *kernels().sgemm;
  std::printf("peel (%s):", sk.name);
  for (size_t n : {49, 196, 784, 3136, 12544}) std::printf(" N %zu -> %zu", n, strassen_peel(sk, n));
  std::printf("\n");
  if (sk.nr == 12 && sk.edge_costs) {  // aarch64 8x12
    CHECK(strassen_peel(sk, 49) == 1 && strassen_peel(sk, 196) == 4 && strassen_peel(sk, 784) == 0 &&
              strassen_peel(sk, 3136) == 0,
          "8x12 peels: 7x7 %zu 14x14 %zu 28x28 %zu 56x56 %zu, want 1 4 0 0", strassen_peel(sk, 49),
          strassen_peel(sk, 196), strassen_peel(sk, 784), strassen_peel(sk, 3136));
  } else if (sk.nr == 8 && sk.mr == 6) {  // armv7 6x8
    CHECK(strassen_peel(sk, 49) == 1 && strassen_peel(sk, 196) == 4 && strassen_peel(sk, 784) == 0,
          "6x8 peels: 7x7 %zu 14x14 %zu 28x28 %zu, want 1 4 0", strassen_peel(sk, 49), strassen_peel(sk, 196),
          strassen_peel(sk, 784));
  }
  size_t most = 0;
  int i = 0;
  for (size_t n = 2 * sk.nr; n < 4 * sk.nr + 2; n++) {
    most = std::max(most, strassen_peel(sk, n));
    i++;
    test_layer(i % 2 ? 17 : 24, i % 3 ? 33 : 64, 1, n, i % 4 == 0 ? 2 : 1, i % 3, false, true);
    if (i % 4 == 1) test_layer(9, 17, 1, n, 1, 1, true, true);
  }
  test_layer(40, 96, 14, 14, 1, 2, false, true);
  test_layer(33, 65, 14, 14, 2, 0, true, true);
  test_layer(24, 64, 28, 28, 1, 1, false, true);
  // A large N takes the peel of its residue (the driver's table of peels: peel_of).
  test_layer(17, 33, 1, 2 * 12 * 8 * 9 + 7, 1, 0, false, false);
  test_layer(17, 33, 1, 2 * 12 * 8 * 9 + 17, 1, 1, false, false);
  // The test table: full-panel partial costs past 6 columns make N2 % NR = 7
  // peel 2 x 7 = 14 > NR columns (7 x 1 against 4 (1 + e(2)) = 6 on NR = 12).
  SgemmKernels t = sk;
  std::vector<double> costs(t.nr, 1.0);
  costs[0] = 0.0;
  for (size_t r = 1; r < t.nr && r <= 6; r++) costs[r] = r == 1 ? 0.1 : 0.5;
  t.edge_costs = costs.data();
  size_t multi = 0;
  for (size_t n = 2 * t.nr; n < 6 * t.nr; n++) {
    const size_t p = strassen_peel(t, n);
    if (p <= t.nr) continue;
    multi++;
    test_layer(multi % 2 ? 17 : 24, multi % 3 ? 33 : 70, 1, n, multi % 2 ? 1 : 2, int(multi % 3), false, true, &t);
  }
  CHECK(multi > 0, "the test table peels no more than one panel");
  std::printf("peel: %d layers; the dispatched table peels up to %zu columns, the test table %zu maps > NR\n", i,
              most, multi);
}

int main() {
  test_combine();
  test_pack_combo();
  test_rejects();
  test_layers();
  test_peels();
  test_planner();
  test_memory();
  std::printf("%s\n", failures ? "FAILED" : "ok");
  return failures ? 1 : 0;
}

// ---- 4. the planner ---------------------------------------------------------------

// Which algorithm `auto` 1x1 layers get (Conv2d::algo_for) and why: the
// cost model (strassen_conv_cost against im2col_conv_cost, with
// kStrassenMargin) on the measured layers (bench/bench_strassen.cpp).
// aarch64 (8x12 table, cortex-a72 counts with the peeled columns of
// strassen_peel): Strassen where it counted 2.5-8% fewer instructions (the
// five 7x7 layers, 96->576 and 576->96 14x14); the GEMM on 384->96 14x14
// (0.973x, estimated 0.983x: within the margin), on low-K and low-M layers
// (not even a candidate: a plain GEMM layer) and on 1x1 maps (the GEMV path).
// armv7 (6x8): Strassen on 960->320 and 320->1280 7x7 (0.937x, 0.943x; the armv7 fit, conv_strassen.cpp),
// the GEMM on 160->960 7x7 (0.992x: within the margin) and 960->160 7x7 (1.002x).
void test_planner() {
  struct Want {
    int64_t cin, cout, h;
    Algo algo;
    const char* why;
  };
  std::vector<Want> wants;
  const bool a64 = std::string(cpu_features().arch) == "aarch64" && kernels().sgemm->nr == 12;
  // Everywhere: low K / low M layers stay GEMM; a 1x1 map is the GEMV.
  wants.push_back({16, 96, 112, Algo::Gemm, "K = 16: the combinations cost more than 1/8 of the products"});
  wants.push_back({32, 16, 112, Algo::Gemm, "M = 16, K = 32"});
  wants.push_back({960, 320, 1, Algo::Gemm, "a 1x1 map: the GEMV (Strassen's per-call cost)"});
  wants.push_back({64, 384, 14, Algo::Gemm, "K = 64 (1.009x on cortex-a72)"});
  if (a64) {
    wants.push_back({960, 320, 7, Algo::Strassen, "0.918x the GEMM's count (cortex-a72)"});
    wants.push_back({320, 1280, 7, Algo::Strassen, "0.922x"});
    wants.push_back({960, 160, 7, Algo::Strassen, "0.948x"});
    wants.push_back({160, 960, 7, Algo::Strassen, "0.959x"});
    wants.push_back({576, 160, 7, Algo::Strassen, "0.954x (estimated 0.957x)"});
    wants.push_back({96, 576, 14, Algo::Strassen, "0.967x (peel 4: halves of 96 = 8 x 12)"});
    wants.push_back({576, 96, 14, Algo::Strassen, "0.975x (estimated 0.975x)"});
    wants.push_back({384, 96, 14, Algo::Gemm, "0.973x, estimated 0.983x: within the margin"});
    wants.push_back({384, 64, 14, Algo::Gemm, "1.011x"});
  } else if (std::string(cpu_features().arch) == "armv7" && kernels().sgemm->nr == 8) {
    // armv7 6x8 (cortex-a15): Strassen counted 0.937x-0.992x the GEMM on three 7x7 layers, 1.002x-2.03x on the rest.
    wants.push_back({960, 320, 7, Algo::Strassen, "0.937x the GEMM's count (cortex-a15)"});
    wants.push_back({320, 1280, 7, Algo::Strassen, "0.943x"});
    wants.push_back({160, 960, 7, Algo::Gemm, "0.992x: within the margin"});
    wants.push_back({960, 160, 7, Algo::Gemm, "1.002x (estimated 1.009x)"});
  }
  for (const Want& w : wants) {
    Conv2dParams p;
    p.in_channels = w.cin;
    p.out_channels = w.cout;
    std::vector<float> wt(size_t(w.cin * w.cout), 0.01f);
    Conv2d layer(p, wt.data(), nullptr);
    const Algo got = layer.algo_for(w.h, w.h);
    std::printf("auto %lld->%lld %lldx%lld: %s (%s)\n", (long long)w.cin, (long long)w.cout, (long long)w.h,
                (long long)w.h, algo_name(got), w.why);
    CHECK(got == w.algo, "auto %lld->%lld on %lldx%lld: %s, want %s (%s)", (long long)w.cin, (long long)w.cout,
          (long long)w.h, (long long)w.h, algo_name(got), algo_name(w.algo), w.why);
    // The plan a run takes is the same family (and a 1x1 map's GEMM runs the GEMV: units = M-panels).
    int team = 1;
    const ConvPlan pl = PlanAccess::plan(layer, 1, w.h, w.h, &team);
    CHECK(std::string(pl.algo) == algo_name(w.algo), "plan of %lld->%lld: %s", (long long)w.cin,
          (long long)w.cout, pl.algo);
  }
  // For the record: the model's estimate (Strassen / GEMM, before the margin
  // kStrassenMargin) and the pick on MobileNetV2's 19 distinct 1x1 layers.
  {
    const int64_t layers[][3] = {{32, 16, 112},  {16, 96, 112},  {96, 24, 56},   {24, 144, 56}, {144, 24, 56},
                                 {144, 32, 28},  {32, 192, 28},  {192, 32, 28},  {192, 64, 14}, {64, 384, 14},
                                 {384, 64, 14},  {384, 96, 14},  {96, 576, 14},  {576, 96, 14}, {576, 160, 7},
                                 {160, 960, 7},  {960, 160, 7},  {960, 320, 7},  {320, 1280, 7}};
    for (const auto& l : layers) {
      Conv2dParams p;
      p.in_channels = l[0];
      p.out_channels = l[1];
      std::vector<float> wt(size_t(l[0] * l[1]), 0.01f);
      Conv2d layer(p, wt.data(), nullptr);
      std::printf("model %lld->%lld %lldx%lld: strassen / gemm estimated %.3f, auto %s\n", (long long)l[0],
                  (long long)l[1], (long long)l[2], (long long)l[2],
                  strassen_conv_cost(p, l[2], l[2]) / im2col_conv_cost(p, l[2], l[2]), algo_name(layer.algo_for(l[2], l[2])));
    }
  }
  // A layer that may pick Strassen on some map but not on 1x1 still runs right there.
  {
    Conv2dParams p;
    p.in_channels = 960;
    p.out_channels = 320;
    std::vector<float> wt(960 * 320), x(960), y(320);
    fill(wt.data(), wt.size(), -1.0f, 1.0f);
    fill(x.data(), x.size(), -1.0f, 1.0f);
    Conv2d layer(p, wt.data(), nullptr);
    layer.run(x.data(), 1, 1, 1, y.data());
    double err = 0;
    for (size_t o = 0; o < 320; o++) {
      double s = 0;
      for (size_t i = 0; i < 960; i++) s += double(wt[o * 960 + i]) * double(x[i]);
      err = std::max(err, std::fabs(s - double(y[o])));
    }
    CHECK(err < 1e-3, "auto 960->320 on a 1x1 map: error %g", err);
  }
}

// ---- 5. memory ----------------------------------------------------------------------

namespace {

// Bytes of Strassen's own packing: the A combinations that are no views (5
// where the table has KR = 1 and K is even, else 7; 6 where A22 would be
// a view into a GEMM panel that does not exist: the GEMM's panel count
// odd), M2 rows padded to MR, K2 to KR; plus its plain halves (2 x mpad2
// x Kp) where it packs them.
size_t strassen_bytes(size_t m, size_t k, size_t m2, bool own_plain) {
  const SgemmKernels& sk = *kernels().sgemm;
  const size_t k2 = (k + 1) / 2, mpad2 = round_up(m2, sk.mr);
  const bool views = sk.kr == 1 && k % 2 == 0;
  const size_t combos = !views ? 7 : own_plain || round_up(m - m2, sk.mr) == mpad2 ? 5 : 6;
  return (combos * mpad2 * round_up(k2, sk.kr) + (own_plain ? 2 * mpad2 * round_up(k, sk.kr) : 0)) *
         sizeof(float);
}
size_t gemm_bytes(size_t m, size_t k) {
  const SgemmKernels& sk = *kernels().sgemm;
  return round_up(m, sk.mr) * round_up(k, sk.kr) * sizeof(float);
}

// Strassen on the GEMM's packing (make_strassen_conv_on) against Strassen
// packed from the dense weights: the same bits on an odd map (the peeled
// column reads the plain halves) and a small even one; what it holds.
void check_on_gemm(size_t m, size_t k, size_t h) {
  Conv2dParams p;
  p.in_channels = int64_t(k);
  p.out_channels = int64_t(m);
  const size_t npix = h * h;
  GuardedArray<float> wt(m * k), bias(m), x(k * npix), y1(m * npix), y2(m * npix);
  fill(wt.data(), m * k, -1.0f, 1.0f);
  fill(bias.data(), m, -1.0f, 1.0f);
  fill(x.data(), k * npix, -1.0f, 1.0f);
  const float* packed = nullptr;
  const ConvImplPtr gemm = make_gemm_conv_sharing(p, wt.data(), bias.data(), &packed);
  const ConvImplPtr on = make_strassen_conv_on(p, packed, bias.data());
  const ConvImplPtr dense = make_strassen_conv(p, wt.data(), bias.data());
  const ConvPlan pl = dense->plan(1, int64_t(h), int64_t(h));
  std::vector<float> scratch(pl.scratch_bytes / sizeof(float) + 16);
  dense->run(pl, x.data(), y1.data(), 0, pl.units, scratch.data());
  on->run(on->plan(1, int64_t(h), int64_t(h)), x.data(), y2.data(), 0, pl.units, scratch.data());
  CHECK(same_bits(y1.data(), y2.data(), m * npix), "%zu->%zu %zux%zu: Strassen on the GEMM's packing differs", k, m,
        h, h);
  const size_t mr = kernels().sgemm->mr, m2 = strassen_split_rows(m, mr);
  const bool own = m2 % mr != 0;
  CHECK(on->weight_bytes() == strassen_bytes(m, k, m2, own) && dense->weight_bytes() == strassen_bytes(m, k, m2, true) &&
            gemm->weight_bytes() == gemm_bytes(m, k),
        "%zu->%zu: holds %zu (on the GEMM's), %zu (own), GEMM %zu", k, m, on->weight_bytes(), dense->weight_bytes(),
        gemm->weight_bytes());
}

}  // namespace

void test_memory() {
  const size_t mr = kernels().sgemm->mr;
  // M2 = strassen_split_rows: ceil(M / 2) up to a multiple of MR where that
  // fits in M (then the halves are the GEMM's panels); M = 7 on MR >= 8
  // keeps ceil(M / 2) = 4 and packs its own halves.
  for (size_t m : {size_t(7), size_t(17), size_t(40), size_t(97)})
    for (size_t k : {size_t(6), size_t(9), size_t(64)})
      for (size_t h : {size_t(3), size_t(4), size_t(7)}) check_on_gemm(m, k, h);
  CHECK(strassen_split_rows(7, 8) == 4 && strassen_split_rows(17, 8) == 16 && strassen_split_rows(1280, 6) == 642 &&
            strassen_split_rows(1280, 8) == 640 && strassen_split_rows(160, 6) == 84 && strassen_split_rows(1, 8) == 1,
        "strassen_split_rows");

  // MobileNetV2's 1x1 layers (bench/bench_strassen.cpp) as `auto` layers on
  // their own map: a candidate (a ByMapSize layer: Strassen picks on some
  // map) holds the GEMM's packing and nothing else at construction; after
  // a run on its map, plus Strassen's combinations if that map picks it.
  // "before": what the previous design held (a copy of the weights, 1x,
  // plus the packing of the algorithm the map ran; Strassen's halves its
  // own, M2 = ceil(M / 2)).
  // (count: how many the network has; totals over the network)
  struct L {
    int64_t cin, cout, h;
    size_t count;
  };
  const L net[] = {{32, 16, 112, 1}, {16, 96, 112, 1}, {96, 24, 56, 1},  {24, 144, 56, 2},  {144, 24, 56, 1},
                   {144, 32, 28, 1}, {32, 192, 28, 3}, {192, 32, 28, 2}, {192, 64, 14, 1},  {64, 384, 14, 4},
                   {384, 64, 14, 3}, {384, 96, 14, 1}, {96, 576, 14, 3}, {576, 96, 14, 2},  {576, 160, 7, 1},
                   {160, 960, 7, 3}, {960, 160, 7, 2}, {960, 320, 7, 1}, {320, 1280, 7, 1}};
  size_t before_total = 0, after_total = 0, plain_total = 0;
  for (const L& l : net) {
    Conv2dParams p;
    p.in_channels = l.cin;
    p.out_channels = l.cout;
    const size_t m = size_t(l.cout), k = size_t(l.cin), npix = size_t(l.h * l.h);
    std::vector<float> wt(m * k), x(k * npix), y(m * npix), yf(m * npix);
    fill(wt.data(), wt.size(), -1.0f, 1.0f);
    fill(x.data(), x.size(), -1.0f, 1.0f);
    const Conv2d layer(p, wt.data(), nullptr);
    bool candidate = false;
    for (int64_t s : {7, 14, 28, 56, 112, 224}) candidate |= layer.algo_for(s, s) == Algo::Strassen;
    const size_t g = gemm_bytes(m, k);
    const size_t held0 = PlanAccess::weight_bytes(layer), packed0 = PlanAccess::packed_algos(layer);
    CHECK(held0 == g && packed0 == 1, "%lld->%lld: holds %zu bytes (%zu packed) at construction, want the GEMM's %zu",
          (long long)l.cin, (long long)l.cout, held0, packed0, g);
    const Algo a = layer.algo_for(l.h, l.h);
    layer.run(x.data(), 1, l.h, l.h, y.data());
    const size_t mr2 = strassen_split_rows(m, mr);
    const size_t want = a == Algo::Strassen ? g + strassen_bytes(m, k, mr2, mr2 % mr != 0) : g;
    const size_t held = PlanAccess::weight_bytes(layer);
    CHECK(held == want && PlanAccess::packed_algos(layer) == (a == Algo::Strassen ? 2u : 1u),
          "%lld->%lld %lldx%lld (%s): holds %zu bytes, want %zu", (long long)l.cin, (long long)l.cout,
          (long long)l.h, (long long)l.h, algo_name(a), held, want);
    // The run's bits: those of the layer forced to the algorithm it picked.
    const Conv2d forced(p, wt.data(), nullptr, a);
    forced.run(x.data(), 1, l.h, l.h, yf.data());
    CHECK(same_bits(y.data(), yf.data(), y.size()), "%lld->%lld: auto (%s) != algo=%s", (long long)l.cin,
          (long long)l.cout, algo_name(a), algo_name(a));
    // The previous design (integ e0f32e2): a candidate kept the weights (M K
    // floats) plus the packing of what ran; Strassen's own halves at M2 =
    // ceil(M / 2).
    const size_t before = candidate ? m * k * sizeof(float) +
                                          (a == Algo::Strassen ? strassen_bytes(m, k, (m + 1) / 2, true) : g)
                                    : g;
    before_total += l.count * before;
    after_total += l.count * held;
    plain_total += l.count * g;
    if (candidate)
      std::printf("memory %lld->%lld %lldx%lld (%s): %zu bytes held, was %zu (GEMM alone %zu)\n", (long long)l.cin,
                  (long long)l.cout, (long long)l.h, (long long)l.h, algo_name(a), held, before, g);
  }
  std::printf("memory: MobileNetV2's 34 1x1 layers hold %zu bytes after a run on their maps, was %zu (GEMM alone %zu)\n",
              after_total, before_total, plain_total);
}

// ---- 1b. the B-combination packer ---------------------------------------------------

void test_pack_combo() {
  const StrassenKernels& k = *kernels().strassen;
  const StrassenKernels& g = strassen_generic_kernels();
  int cases = 0;
  for (size_t kk_rows : {1, 2, 7, 8, 9, 17})
    for (size_t ns : {1, 2, 5, 24, 25, 31, 49}) {
      // The image: kk_rows x ns, row stride ns, guarded after its end (and
      // the top-left block's reads start at its first byte).
      GuardedArray<float> img(kk_rows * ns);
      fill(img.data(), kk_rows * ns, -2.0f, 2.0f);
      const size_t k2 = (kk_rows + 1) / 2, n2 = (ns + 1) / 2, r2 = k2, c2 = n2;
      const StrassenBlock q[4] = {{img.data(), ns, 0, 0, r2, c2},
                                  {img.data(), ns, 0, c2, r2, ns - c2},
                                  {img.data(), ns, r2, 0, kk_rows - r2, c2},
                                  {img.data(), ns, r2, c2, kk_rows - r2, ns - c2}};
      for (size_t nr : {4, 8, 12})
        for (size_t edge : {size_t(0), size_t(3), nr - 1})
          for (size_t ncb : {nr, 2 * nr, (n2 + nr - 1) / nr * nr}) {
            for (size_t n0 = 0; n0 < n2; n0 += ncb) {
              const size_t nl = std::min(ncb, n2 - n0), floats = (nl + nr - 1) / nr * nr * k2;
              for (int ia = 0; ia < 4; ia++)
                for (int ib = -1; ib < 4; ib++)
                  for (int sub = 0; sub < 2; sub++) {
                    if (ib == ia || (ib < 0 && sub)) continue;
                    const StrassenBlock* b = ib >= 0 ? &q[ib] : nullptr;
                    GuardedArray<float> d1(floats), d2(floats);
                    for (size_t i = 0; i < floats; i++) d1[i] = d2[i] = -777.0f;
                    k.pack_b_combo(q[ia], b, sub, k2, nl, n0, nr, edge, d1.data());
                    g.pack_b_combo(q[ia], b, sub, k2, nl, n0, nr, edge, d2.data());
                    CHECK(same_bits(d1.data(), d2.data(), floats),
                          "pack_b_combo %zux%zu nr %zu edge %zu cols [%zu, +%zu) %d%c%d: NEON != generic", kk_rows, ns,
                          nr, edge, n0, nl, ia, sub ? '-' : '+', ib);
                    // The format, element by element (zeros elsewhere).
                    std::vector<float> want(floats, 0.0f);
                    for (size_t r = 0; r < k2; r++)
                      for (size_t j = 0; j < nl; j++) {
                        const size_t c = n0 + j;
                        const bool ha = r < q[ia].rows && c < q[ia].cols, hb = b && r < b->rows && c < b->cols;
                        const float va = ha ? q[ia].row(r)[c] : 0.0f, vb = hb ? b->row(r)[c] : 0.0f;
                        const float v = ha && hb ? (sub ? va - vb : va + vb) : ha ? va : hb ? (sub ? -vb : vb) : 0.0f;
                        const size_t pq = j / nr, cols = std::min(nr, nl - pq * nr);
                        want[pq * nr * k2 + packed_b_at(nr, 1, edge, k2, cols, r, j % nr)] = v;
                      }
                    CHECK(same_bits(d2.data(), want.data(), floats),
                          "pack_b_combo %zux%zu nr %zu edge %zu cols [%zu, +%zu) %d%c%d: not the packed format", kk_rows,
                          ns, nr, edge, n0, nl, ia, sub ? '-' : '+', ib);
                    cases++;
                  }
            }
          }
    }
  std::printf("pack_b_combo: %s against %s and the format: %d cases\n", k.name, g.name, cases);
}

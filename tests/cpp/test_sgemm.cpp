// fp32 GEMM kernels: the dispatched (NEON on ARM) packers and micro-kernel
// against the generic twin with the same tile, panel by panel, and against a
// double-precision reference; plus the public sgemm() edges.
//
// Every operand, packed or not, lives in a buffer that ends at (or, for the
// image read by im2col, also starts at) a PROT_NONE page, so any over-read or
// over-write crashes the test. Packed formats must match the generic twin bit
// for bit (packing only copies); results must be within the dot-product bound
// (K + 2) * 2^-23 * sum |a||b| (+ |bias|) of the float64 reference.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "armconv/armconv.h"
#include "check.h"
#include "core/dispatch.h"
#include "core/gemm.h"
#include "gemm_check.h"
#include "guard.h"

using namespace armconv;
using namespace armconv::detail;
using armconv_test::GuardedArray;
using gemm_check::fill;

namespace {

// |got - want| <= (k + 2) * 2^-23 * mag, NaN-aware (both NaN is a match).
bool close(float got, double want, double mag, size_t k) {
  return gemm_check::within_dot_bound(double(got), want, mag, k, 23);
}

// The micro-kernel flags the tests cycle through: kLastK applies the clamp
// (out.clamp is set), kAccumulate starts from C.
constexpr unsigned kClamp = kLastK;

// Packs A and B with `kn` and the generic twin into exact-size guarded
// buffers, compares the packed panels, then runs both micro-kernels over all
// tiles (one as whole strips, the other tile by tile) and checks C against
// the float64 reference and the twin. Flags cover bias / accumulate / clamp;
// lda, ldb, ldc are given (>= the row length: strided operands).
// strip: 1 = the tested kernel runs each row panel as one call over all its
// columns, 0 = one call per tile, -1 = by the parity of m + n + k (the twin
// runs the other way).
void check_gemm(const SgemmKernels& kn, const SgemmKernels& gk, size_t m, size_t n, size_t k,
                size_t lda, size_t ldb, size_t ldc, unsigned flags, float lo = -0.3f,
                float hi = 0.4f, int strip_mode = -1) {
  char tag[160];
  std::snprintf(tag, sizeof tag, "%s m=%zu n=%zu k=%zu lda=%zu ldb=%zu ldc=%zu flags=%u", kn.name,
                m, n, k, lda, ldb, ldc, flags);
  gemm_check::GemmCase<F32Gemm> t(kn, m, n, k, lda, ldb, ldc);
  t.pack(kn, gk, tag);
  t.init_c(gemm_check::randf);
  F32Output out;
  out.clamp = true;
  out.lo = lo;
  out.hi = hi;
  const bool strip = strip_mode < 0 ? (m + n + k) % 2 == 0 : strip_mode == 1;
  t.run(kn, gk, out, flags, strip, !strip);
  t.each_c(tag, [&](size_t i, size_t j, size_t at) {
    const double init = (flags & kAccumulate) ? double(t.c0[at]) : double(t.bias[i]);
    double s = init, mag = std::fabs(init);
    for (size_t kk = 0; kk < k; kk++) {
      s += double(t.a[i * lda + kk]) * double(t.b[kk * ldb + j]);
      mag += std::fabs(double(t.a[i * lda + kk]) * double(t.b[kk * ldb + j]));
    }
    if (flags & kClamp) s = s < out.lo ? out.lo : (s > out.hi ? out.hi : s);
    if (!close(t.c[at], s, mag, k)) {
      CHECK(false, "%s: C[%zu][%zu] = %g, want %g", tag, i, j, double(t.c[at]), s);
      return false;
    }
    CHECK(close(t.c[at], t.c_ref[at], 2 * mag, k), "%s: differs from the generic twin", tag);
    return true;
  });
}

// Public API: C = A B with strides, against double.
void check_public(size_t m, size_t n, size_t k, size_t lda, size_t ldb, size_t ldc) {
  GuardedArray<float> a(m ? (m - 1) * lda + k : 0), b(k ? (k - 1) * ldb + n : 0),
      c(m ? (m - 1) * ldc + n : 0);
  fill(a.data(), a.size());
  fill(b.data(), b.size());
  fill(c.data(), c.size());
  std::vector<float> c0(c.data(), c.data() + c.size());
  sgemm(int64_t(m), int64_t(n), int64_t(k), a.data(), int64_t(lda), b.data(), int64_t(ldb),
        c.data(), int64_t(ldc));
  for (size_t i = 0; i < m; i++)
    for (size_t j = 0; j < ldc && (i + 1 < m || j < n); j++) {
      const size_t at = i * ldc + j;
      if (j >= n) {
        CHECK(c[at] == c0[at], "sgemm wrote between rows of C");
        continue;
      }
      double s = 0, mag = 0;
      for (size_t kk = 0; kk < k; kk++) {
        s += double(a[i * lda + kk]) * double(b[kk * ldb + j]);
        mag += std::fabs(double(a[i * lda + kk]) * double(b[kk * ldb + j]));
      }
      if (!close(c[at], s, mag, k)) {
        CHECK(false, "sgemm m=%zu n=%zu k=%zu lda=%zu ldb=%zu ldc=%zu", m, n, k, lda, ldb, ldc);
        return;
      }
    }
}

// The output modes the tail and partial-panel checks run: no clamp, both
// bounds, ReLU (hi = +inf) and an upper bound only.
struct Clamp {
  unsigned flag;
  float lo, hi;
};
const Clamp kClamps[] = {{0, 0.0f, 0.0f}, {kClamp, -0.3f, 0.4f}, {kClamp, 0.0f, INFINITY}, {kClamp, -INFINITY, 0.2f}};

// The k-loop remainders after at least one pass of the main loop (aarch64
// 8x12: 16 k-steps a pass, then blocks of 8, 4, 2, 1 by the bits of
// kc % 16; armv7 6x8: 8, then single steps), K = 27 and 147 (the 3x3 s2 and
// 7x7 stems: 16 + 8 + 2 + 1, 9 * 16 + 2 + 1), for every row count m <= MR
// (a panel of m < MR rows runs its whole tiles in place: armv7 m-row
// kernels, aarch64 the 4-row kernel for m <= 4 and the 8-row one with m-row
// C loads and stores for 5..7), as strips (whole tiles in one call, then the edge) and tile by
// tile, with bias or accumulate, no clamp, both bounds, ReLU (hi = +inf)
// and an upper bound only; C strided for half of them.
void check_tails(const SgemmKernels& kn, const SgemmKernels& gk) {
  std::vector<size_t> ks;
  for (size_t k = 16 + 1; k < 32; k++) ks.push_back(k);
  ks.push_back(147);
  size_t cnt = 0;
  for (size_t m = 1; m <= kn.mr; m++)
    for (size_t k : ks)
      for (unsigned acc : {0u, unsigned(kAccumulate)})
        for (const Clamp& cl : kClamps) {
          // 3 whole tiles, and an edge of 4 or 1 columns (the tails of
          // 14x14 and 7x7 maps on the 8-column armv7 tile).
          const size_t n = 3 * kn.nr + (cnt % 2 ? 4 : 1), ldc = cnt % 3 ? n : n + 3;
          const int strip = int(cnt % 4 < 2);
          check_gemm(kn, gk, m, n, k, k, n, ldc, cl.flag | acc, cl.lo, cl.hi, strip);
          cnt++;
        }
  std::printf("k-tail / row-count checks done (%zu shapes), failures so far %d\n", cnt, failures);
}

// A partial last M-panel (m < MR: output channels not a multiple of MR) over
// whole tiles in place and every N remainder after them (n = 2 NR + r, r =
// 0..NR-1), K with and without the main loop's remainders, bias or
// accumulate, every clamp (none, both bounds, ReLU, upper bound only), C
// dense or strided, as one strip or tile by tile.
void check_partial_panels(const SgemmKernels& kn, const SgemmKernels& gk) {
  const size_t ks[] = {3, 16, 37, 64};
  size_t cnt = 0;
  for (size_t m = 1; m < kn.mr; m++)
    for (size_t r = 0; r < kn.nr; r++)
      for (size_t i = 0; i < 4; i++, cnt++) {
        const size_t n = 2 * kn.nr + r, k = ks[(r + i) % 4];
        const unsigned acc = (cnt / 4) % 2 ? unsigned(kAccumulate) : 0u;
        const Clamp& cl = kClamps[(i + m) % 4];
        const size_t ldc = i % 2 ? n + 2 * m + 1 : n;
        check_gemm(kn, gk, m, n, k, k, n, ldc, cl.flag | acc, cl.lo, cl.hi, int(i / 2));
      }
  std::printf("partial M-panel checks done (%zu shapes), failures so far %d\n", cnt, failures);
}

}  // namespace

// gemv (N = 1): every m <= MR, K remainders of the 8-k and 4-k steps, output strides
// 1 and 3, with and without clamp, against the float64 reference; the A
// panel and x end at guard pages (no read past them), y's rows outside
// r * ldy, r < m, are untouched. NaN in x propagates through the clamp.
void check_gemv(const SgemmKernels& kn) {
  size_t cnt = 0;
  for (size_t k : {1, 2, 3, 4, 5, 7, 8, 9, 12, 13, 15, 16, 64, 67, 1152})
    for (size_t m = 1; m <= kn.mr; m++)
      for (size_t ldy : {1, 3})
        for (int clamp = 0; clamp < 2; clamp++) {
          std::vector<float> w(m * k);
          fill(w.data(), w.size());
          GuardedArray<float> pa(kn.mr * k), x(k), bias(kn.mr);
          kn.pack_a(m, k, w.data(), k, pa.data());
          fill(x.data(), k);
          fill(bias.data(), kn.mr);
          std::vector<float> y(m * ldy + 2, 99.0f);
          F32Output out;
          out.bias = bias.data();
          out.clamp = clamp;
          out.lo = -0.25f;
          out.hi = 0.5f;
          kn.gemv(k, m, pa.data(), x.data(), y.data(), ldy, out);
          for (size_t i = 0; i < y.size(); i++) {
            if (i % ldy == 0 && i / ldy < m) {
              const size_t r = i / ldy;
              double want = bias[r], mag = std::fabs(bias[r]);
              for (size_t kk = 0; kk < k; kk++) {
                want += double(w[r * k + kk]) * double(x[kk]);
                mag += std::fabs(double(w[r * k + kk]) * double(x[kk]));
              }
              if (clamp) want = std::min(std::max(want, -0.25), 0.5);
              CHECK(close(y[i], want, mag, k), "gemv %s k=%zu m=%zu ldy=%zu clamp=%d row %zu: %g vs %g",
                    kn.name, k, m, ldy, clamp, r, double(y[i]), want);
            } else {
              CHECK(y[i] == 99.0f, "gemv %s k=%zu m=%zu ldy=%zu: wrote y[%zu]", kn.name, k, m, ldy, i);
            }
          }
          cnt++;
        }
  {  // NaN in x: NaN out, also through the clamp
    const size_t k = 9, m = kn.mr;
    std::vector<float> w(m * k, 0.5f), x(k, 1.0f), bias(kn.mr, 0.0f), y(m);
    std::vector<float> pa(kn.mr * k);
    kn.pack_a(m, k, w.data(), k, pa.data());
    x[5] = std::nanf("");
    F32Output out;
    out.bias = bias.data();
    out.clamp = true;
    out.lo = 0.0f;
    out.hi = 6.0f;
    kn.gemv(k, m, pa.data(), x.data(), y.data(), 1, out);
    for (size_t r = 0; r < m; r++) CHECK(std::isnan(y[r]), "gemv %s: NaN does not propagate", kn.name);
  }
  std::printf("gemv checks done (%zu shapes), failures so far %d\n", cnt, failures);
}

int main() {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress shows up as it happens (ctest, pipes)
  gemm_check::gen.seed(12345);
  const SgemmKernels& kn = *kernels().sgemm;
  const SgemmKernels* gk = sgemm_generic_kernels_for(kn.mr, kn.nr);
  std::printf("sgemm kernels: %s (%zux%zu); twin: %s\n", kn.name, kn.mr, kn.nr,
              gk ? gk->name : "none");
#if defined(__aarch64__) || defined(__arm__)
  if (cpu_features().neon && std::strstr(kn.name, "-generic-")) {
    std::fprintf(stderr, "FAIL: the CPU has NEON but the dispatcher chose %s\n", kn.name);
    return 1;
  }
#endif
  if (!gk) {
    std::fprintf(stderr, "FAIL: no generic twin for the %zux%zu tile\n", kn.mr, kn.nr);
    return 1;
  }

  // Every remainder of the tile: m 1..2MR, n 1..2NR, k 1..17, with the flag
  // combinations cycled; dense and strided operands (odd leading dimensions
  // leave rows unaligned).
  const unsigned flag_sets[] = {0, kClamp, kAccumulate, kAccumulate | kClamp};
  size_t cnt = 0;
  for (size_t m = 1; m <= 2 * kn.mr; m++)
    for (size_t n = 1; n <= 2 * kn.nr; n++)
      for (size_t k = 1; k <= 17; k++, cnt++) {
        const bool strided = cnt % 3 == 1;
        check_gemm(kn, *gk, m, n, k, strided ? k + 3 : k, strided ? n + 1 : n,
                   strided ? n + 5 : n, flag_sets[cnt % 4]);
      }
  // K 18..40 (the packer's 8- and 4-row blocks and single rows after a
  // pass of its 8-row loop; the 8x12 kernel's 16-step loop and 8/4/2/1
  // blocks; the 1-column edge's 16-step loop, 2 and 1 groups and kc % 4
  // rows) with every N remainder 1..2NR, for a whole M-panel, two, and
  // partial last panels of each row kernel, flags cycled, C dense or
  // strided, as strips or tile by tile.
  for (size_t m : {kn.mr, 2 * kn.mr, kn.mr + kn.mr / 2 + 1, kn.mr / 2 - 1})
    for (size_t n = 1; n <= 2 * kn.nr; n++)
      for (size_t k = 18; k <= 40; k++, cnt++) {
        const bool strided = cnt % 3 == 2;
        check_gemm(kn, *gk, m, n, k, strided ? k + 1 : k, strided ? n + 3 : n, strided ? n + 2 : n,
                   flag_sets[(cnt / 3) % 4]);
      }
  // Longer K (unrolled main loop with remainders) and a few bigger shapes.
  for (size_t k : {31, 32, 33, 64, 67, 130})
    for (unsigned f : flag_sets) check_gemm(kn, *gk, kn.mr + 3, kn.nr + 5, k, k + 1, kn.nr + 5, kn.nr + 7, f);
  check_gemm(kn, *gk, 3 * kn.mr, 5 * kn.nr, 40, 40, 5 * kn.nr, 5 * kn.nr, 0);
  // One-sided clamps (ReLU: hi = +inf, which a kernel may skip; and lo =
  // -inf), over whole and edge tiles.
  for (size_t n : {kn.nr, 2 * kn.nr + 4, kn.nr + 1, size_t(7)})
    for (size_t k : {5, 17, 64}) {
      check_gemm(kn, *gk, 2 * kn.mr, n, k, k, n, n, kClamp, 0.0f, INFINITY);
      check_gemm(kn, *gk, kn.mr + 3, n, k, k, n, n + 1, kClamp | kAccumulate, -0.1f, INFINITY);
      check_gemm(kn, *gk, 2 * kn.mr, n, k, k, n, n, kClamp, -INFINITY, 0.2f);
    }
  // The edge tiles of real layers' last panels (1 and 4 columns: N = 49,
  // 196, ...) over long K, whole and partial row panels, C strided.
  for (size_t k : {29, 64, 131})
    for (size_t n : {kn.nr + 1, kn.nr + 4, size_t(1), size_t(4)})
      for (unsigned f : flag_sets) {
        check_gemm(kn, *gk, 2 * kn.mr, n, k, k, n, n + 3, f);
        check_gemm(kn, *gk, kn.mr + 5, n, k, k + 2, n, n, f);
      }
  // NaN propagates through the clamp (relu of NaN is NaN, as in the generic twin).
  {
    const size_t k = 5;
    GuardedArray<float> pa(kn.mr * k), pb(kn.nr * k), bias(kn.mr), c(kn.mr * kn.nr);
    fill(pa.data(), pa.size());
    fill(pb.data(), pb.size());
    pb[2] = NAN;  // column 2 of k-step 0
    F32Output out;
    out.bias = bias.data();
    out.clamp = true;
    out.lo = 0.0f;
    out.hi = 6.0f;
    kn.ukernel(k, kn.mr, kn.nr, pa.data(), pb.data(), c.data(), kn.nr, out, kLastK);
    for (size_t r = 0; r < kn.mr; r++)
      for (size_t j = 0; j < kn.nr; j++) {
        const float v = c[r * kn.nr + j];
        CHECK(j == 2 ? std::isnan(v) : (v >= 0.0f && v <= 6.0f), "clamp / NaN propagation");
      }
  }
  std::printf("gemm checks done (%zu shapes), failures so far %d\n", cnt, failures);
  check_tails(kn, *gk);
  check_partial_panels(kn, *gk);

  // im2col packing (tests/cpp/gemm_check.h's geometries), then huge ones.
  gemm_check::for_im2col_cases([&](auto... g) { gemm_check::check_im2col(kn, *gk, size_t(g)...); });
  // Panel-by-panel packer (few channels): stems of 3x3, 5x5, 7x7 (and a
  // generic width), stride 1 and 2, every padding, maps with rows shorter
  // and longer than a panel, odd sizes.
  for (size_t ch : {1, 3, 4})
    for (size_t k : {3, 5, 7, 4})
      for (size_t s : {1, 2})
        for (size_t pad : {0, 1, 3})
          for (size_t hw : {1, 5, 11, 20, 29}) {
            gemm_check::check_im2col(kn, *gk, ch, hw, hw + 1, k, k, s, s, 1, 1, pad, pad, pad, pad);
            gemm_check::check_im2col(kn, *gk, ch, hw + 2, hw, k, k, s, s, 1, 1, pad, 0, 0, pad);
          }
  gemm_check::check_im2col(kn, *gk, 3, 40, 45, 7, 7, 2, 2, 1, 1, 3, 3, 3, 3);  // the stem's geometry, smaller
  // 3x3 s2 stems (MobileNetV2's geometry, smaller): rows of more than two
  // panels (whole panels inside the image, panels crossing rows), padding
  // on each side, odd and even widths, 1..4 channels.
  for (size_t ch : {1, 2, 3, 4})
    for (size_t w : {48, 49, 50, 61})
      for (size_t p : {0, 1}) {
        gemm_check::check_im2col(kn, *gk, ch, 9, w, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1);
        gemm_check::check_im2col(kn, *gk, ch, 8, w, 3, 3, 2, 2, 1, 1, p, 1 - p, 1 - p, p);
      }
  // Stride-2 square kernels by 4-column vectors (neon/sgemm_im2col_s2.h:
  // 3x3 and 7x7; 5x5 the other packers): maps 1..20
  // wide (output widths multiple of 4 or not) and 40..52 (whole panels,
  // runs of them, panels crossing output rows, windows reaching the
  // image's last float), every padding 0..3 on each side (asymmetric),
  // 1, 3 (the RGB stem's straight-line run), 4 (the packer's most) and 5
  // (one past it: the other packers) channels; heights of one row, an even
  // and an odd one. (The sweep with channels 2 and 8 and height 7 too took
  // 50 s under qemu cortex-a72, 110 s on cortex-a15: twice this one.)
  // Only where the NEON packer runs: with the generic kernels (x86, a CPU
  // without NEON: armv6 on cortex-a9) it would check the portable packer
  // against itself and the definition, which the cases above already do
  // (80 s of qemu cortex-a9 time).
  if (std::strstr(kn.name, "-generic-") == nullptr) {
    const size_t pads[][4] = {{0, 0, 0, 0}, {1, 1, 1, 1}, {2, 3, 3, 2}, {3, 2, 2, 3}, {1, 0, 0, 1}, {0, 3, 3, 0}};
    for (size_t k : {3, 5, 7})
      for (size_t ch : {1, 3, 4, 5}) {
        if (k == 5 && ch != 3) continue;
        for (const auto& pd : pads)
          for (size_t h : {1, 8, 13})
            for (size_t w = 1; w <= 52; w += (w == 20 ? 20 : 1))
              gemm_check::check_im2col(kn, *gk, ch, h, w, k, k, 2, 2, 1, 1, pd[0], pd[1], pd[2], pd[3]);
      }
  }
  gemm_check::check_im2col(kn, *gk, 3, 9, 9, 7, 5, 2, 1, 2, 1, 3, 2, 2, 1);    // dilated rows, asymmetric
  gemm_check::check_im2col(kn, *gk, 1, 12, 60, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0);  // reads up to the last element
  gemm_check::check_im2col(kn, *gk, 1, 30, 26, 11, 11, 1, 2, 1, 1, 5, 5, 5, 5);  // many taps (heap descriptors)
  // Huge but valid stride, padding and dilation (products past 2^31: index
  // arithmetic must not wrap on 32-bit targets).
  const size_t big = (size_t(1) << 31) - 4, half = size_t(1) << 30;
  gemm_check::check_im2col(kn, *gk, 1, 5, 5, 1, 1, 1, big, 1, 1, 0, 0, 0, 0);
  gemm_check::check_im2col(kn, *gk, 2, 5, 5, 1, 1, big, 1, 1, 1, 0, 0, 0, 0);
  gemm_check::check_im2col(kn, *gk, 1, 1, 1, 1, 1, 1, half, 1, 1, 0, 0, half, half);
  gemm_check::check_im2col(kn, *gk, 1, 3, 3, 1, 1, half, 1, 1, 1, half, half, 0, 0);
  gemm_check::check_im2col(kn, *gk, 2, 4, 6, 2, 2, 1, 3, 1, half, 0, 0, 1, half);
  gemm_check::check_im2col(kn, *gk, 1, 7, 9, 3, 3, big, big, 1, 1, 1, 1, 1, 1);
  std::printf("im2col checks done, failures so far %d\n", failures);

  CHECK(kn.gemv != nullptr && gk->gemv != nullptr, "the fp32 tables have a gemv");
  if (kn.gemv) check_gemv(kn);
  if (gk->gemv) check_gemv(*gk);

  // Public API edges: K = 1, odd shapes, strided leading dimensions, empty.
  check_public(1, 1, 1, 1, 1, 1);
  check_public(5, 7, 1, 1, 7, 7);
  check_public(5, 7, 1, 3, 9, 8);
  check_public(17, 29, 13, 15, 31, 30);
  check_public(kn.mr * 2 + 1, kn.nr * 3 + 1, 65, 67, kn.nr * 3 + 2, kn.nr * 3 + 5);
  check_public(40, 300, 600, 601, 300, 303);  // two K-blocks (accumulate) and N-blocks
  check_public(0, 5, 3, 3, 5, 5);
  check_public(4, 0, 3, 3, 1, 1);
  {  // K = 0: C = 0
    std::vector<float> c(12, 7.0f);
    float dummy = 0;
    sgemm(3, 4, 0, &dummy, 1, &dummy, 4, c.data(), 4);
    for (float v : c)
      CHECK(v == 0.0f, "sgemm with K = 0 must zero C");
  }
  if (failures) {
    std::fprintf(stderr, "%d failures\n", failures);
    return 1;
  }
  std::printf("all sgemm checks passed\n");
  return 0;
}

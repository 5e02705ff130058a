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
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "armconv/armconv.h"
#include "core/dispatch.h"
#include "core/gemm.h"
#include "guard.h"

using namespace armconv;
using namespace armconv::detail;
using armconv_test::GuardedArray;

namespace {

int failures = 0;
std::mt19937 gen(12345);

void fail(const std::string& what) {
  if (failures < 20) std::fprintf(stderr, "FAIL: %s\n", what.c_str());
  failures++;
}

void fill(float* p, size_t n) {
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  for (size_t i = 0; i < n; i++) p[i] = d(gen);
}

size_t round_up(size_t x, size_t m) { return (x + m - 1) / m * m; }

bool same_bits(const float* a, const float* b, size_t n) {
  return std::memcmp(a, b, n * sizeof(float)) == 0;
}

// |got - want| <= (k + 2) * 2^-23 * mag, NaN-aware (both NaN is a match).
bool close(float got, double want, double mag, size_t k) {
  if (std::isnan(want)) return std::isnan(got);
  const double bound = double(k + 2) * std::ldexp(1.0, -23) * mag + 1e-30;
  return std::fabs(double(got) - want) <= bound;
}

// The micro-kernel flags the tests cycle through: kLastK applies the clamp
// (out.clamp is set), kAccumulate starts from C.
constexpr unsigned kClamp = kLastK;

// Runs the micro-kernel over packed A/B as the driver does for one K-block:
// per MR panel either one call over the whole strip of NR panels (strip) or
// one call per MR x NR tile.
void run_tiles(const SgemmKernels& kn, size_t m, size_t n, size_t k, const float* pa,
               const float* pb, float* c, size_t ldc, const float* bias, unsigned flags, float lo,
               float hi, bool strip) {
  F32Output out;
  out.clamp = true;
  out.lo = lo;
  out.hi = hi;
  for (size_t m0 = 0; m0 < m; m0 += kn.mr) {
    out.bias = bias + m0;
    if (strip) {
      kn.ukernel(k, std::min(kn.mr, m - m0), n, pa + m0 * k, pb, c + m0 * ldc, ldc, out, flags);
      continue;
    }
    for (size_t n0 = 0; n0 < n; n0 += kn.nr)
      kn.ukernel(k, std::min(kn.mr, m - m0), std::min(kn.nr, n - n0), pa + m0 * k, pb + n0 * k,
                 c + m0 * ldc + n0, ldc, out, flags);
  }
}

// Packs A and B with `kn` and the generic twin into exact-size guarded
// buffers, compares the packed panels, then runs both micro-kernels over all
// tiles and checks C against the reference. Flags cover bias / accumulate /
// clamp; lda, ldb, ldc are given (>= the row length: strided operands).
void check_gemm(const SgemmKernels& kn, const SgemmKernels& gk, size_t m, size_t n, size_t k,
                size_t lda, size_t ldb, size_t ldc, unsigned flags) {
  const std::string tag = std::string(kn.name) + " m=" + std::to_string(m) + " n=" +
                          std::to_string(n) + " k=" + std::to_string(k) + " lda=" +
                          std::to_string(lda) + " ldb=" + std::to_string(ldb) + " ldc=" +
                          std::to_string(ldc) + " flags=" + std::to_string(flags);
  const size_t mp = round_up(m, kn.mr), np = round_up(n, kn.nr);
  GuardedArray<float> a((m - 1) * lda + k), b((k - 1) * ldb + n);
  fill(a.data(), a.size());
  fill(b.data(), b.size());
  GuardedArray<float> pa(mp * k), pa_ref(mp * k), pb(np * k), pb_ref(np * k), bias(mp);
  fill(bias.data(), m);  // zero past m, as the operator layer pads it
  kn.pack_a(m, k, a.data(), lda, pa.data());
  gk.pack_a(m, k, a.data(), lda, pa_ref.data());
  if (!same_bits(pa.data(), pa_ref.data(), mp * k)) fail("pack_a differs from generic: " + tag);
  kn.pack_b(k, n, b.data(), ldb, pb.data());
  gk.pack_b(k, n, b.data(), ldb, pb_ref.data());
  if (!same_bits(pb.data(), pb_ref.data(), np * k)) fail("pack_b differs from generic: " + tag);

  GuardedArray<float> c((m - 1) * ldc + n), c_ref((m - 1) * ldc + n);
  fill(c.data(), c.size());
  std::memcpy(c_ref.data(), c.data(), c.size() * sizeof(float));
  std::vector<float> c0(c.data(), c.data() + c.size());  // C before (for accumulate)
  const float lo = -0.3f, hi = 0.4f;
  const bool strip = (m + n + k) % 2 == 0;
  run_tiles(kn, m, n, k, pa.data(), pb.data(), c.data(), ldc, bias.data(), flags, lo, hi, strip);
  run_tiles(gk, m, n, k, pa_ref.data(), pb_ref.data(), c_ref.data(), ldc, bias.data(), flags, lo,
            hi, !strip);
  for (size_t i = 0; i < m; i++) {
    for (size_t j = 0; j < ldc && (i + 1 < m || j < n); j++) {
      const size_t at = i * ldc + j;
      if (j >= n) {  // the gap between rows of a strided C is never written
        if (c[at] != c0[at] || c_ref[at] != c0[at]) fail("wrote outside C: " + tag);
        continue;
      }
      const double init = (flags & kAccumulate) ? double(c0[at]) : double(bias[i]);
      double s = init, mag = std::fabs(init);
      for (size_t kk = 0; kk < k; kk++) {
        s += double(a[i * lda + kk]) * double(b[kk * ldb + j]);
        mag += std::fabs(double(a[i * lda + kk]) * double(b[kk * ldb + j]));
      }
      if (flags & kClamp) s = s < lo ? lo : (s > hi ? hi : s);
      if (!close(c[at], s, mag, k)) {
        fail(tag + ": C[" + std::to_string(i) + "][" + std::to_string(j) + "] = " +
             std::to_string(c[at]) + ", want " + std::to_string(s));
        return;
      }
      if (!close(c[at], c_ref[at], 2 * mag, k)) fail(tag + ": differs from the generic twin");
    }
  }
}

// im2col packing against the generic twin (bit for bit), for one geometry and
// several (k0, kc, n0, nc) blocks. The image is guarded on both sides (two
// copies: one ending at a guard page, one starting after one).
void check_im2col(const SgemmKernels& kn, const SgemmKernels& gk, size_t ch, size_t h, size_t w,
                  size_t kh, size_t kw, size_t sh, size_t sw, size_t dh, size_t dw, size_t pt,
                  size_t pb, size_t pl, size_t pr) {
  // 64-bit: stride, padding and dilation may be near 2^31 (a 32-bit size_t on armv7).
  const int64_t eh = int64_t(h) + int64_t(pt) + int64_t(pb) - (int64_t(dh) * int64_t(kh - 1) + 1);
  const int64_t ew = int64_t(w) + int64_t(pl) + int64_t(pr) - (int64_t(dw) * int64_t(kw - 1) + 1);
  if (eh < 0 || ew < 0) return;
  const size_t ho = size_t(eh / int64_t(sh) + 1), wo = size_t(ew / int64_t(sw) + 1);
  const size_t K = ch * kh * kw, N = ho * wo;
  char buf[200];
  std::snprintf(buf, sizeof buf, "im2col %s c=%zu %zux%zu k=%zux%zu s=%zu,%zu d=%zu,%zu pad=%zu,%zu,%zu,%zu",
                kn.name, ch, h, w, kh, kw, sh, sw, dh, dw, pt, pb, pl, pr);
  for (int side = 0; side < 2; side++) {
    GuardedArray<float> x(ch * h * w, side == 0);
    fill(x.data(), x.size());
    Im2colGeom g{};
    g.x = x.data();
    g.channels = ch;
    g.h = h;
    g.w = w;
    g.kh = kh;
    g.kw = kw;
    g.sh = int64_t(sh);
    g.sw = int64_t(sw);
    g.dh = int64_t(dh);
    g.dw = int64_t(dw);
    g.pad_top = int64_t(pt);
    g.pad_left = int64_t(pl);
    g.ho = ho;
    g.wo = wo;
    // Blocks: whole; K split mid-tap; N split at an odd column.
    const size_t blocks[][4] = {{0, K, 0, N},
                                {K / 3, K - K / 3, N / 2, N - N / 2},
                                {0, (K + 1) / 2, 1 % N, std::min<size_t>(N - 1 % N, 2 * kn.nr + 1)}};
    for (const auto& bl : blocks) {
      const size_t k0 = bl[0], kc = bl[1], n0 = bl[2], nc = bl[3];
      if (kc == 0 || nc == 0) continue;
      const size_t sz = round_up(nc, kn.nr) * kc;
      GuardedArray<float> p(sz), p_ref(sz);
      fill(p.data(), sz);  // the packer must write every element
      kn.pack_im2col(g, k0, kc, n0, nc, p.data());
      gk.pack_im2col(g, k0, kc, n0, nc, p_ref.data());
      if (!same_bits(p.data(), p_ref.data(), sz)) {
        fail(std::string(buf) + " block k0=" + std::to_string(k0) + " kc=" + std::to_string(kc) +
             " n0=" + std::to_string(n0) + " nc=" + std::to_string(nc));
        return;
      }
      // Spot check against the definition (the generic twin could be wrong too).
      for (size_t kk = 0; kk < kc; kk++) {
        const size_t kr = k0 + kk, c = kr / (kh * kw), ky = kr / kw % kh, kx = kr % kw;
        for (size_t j = 0; j < nc; j++) {
          const size_t col = n0 + j, oy = col / wo, ox = col % wo;
          const int64_t iy = int64_t(oy) * int64_t(sh) + int64_t(ky) * int64_t(dh) - int64_t(pt);
          const int64_t ix = int64_t(ox) * int64_t(sw) + int64_t(kx) * int64_t(dw) - int64_t(pl);
          const float want = (iy >= 0 && iy < int64_t(h) && ix >= 0 && ix < int64_t(w))
                                 ? x[(c * h + size_t(iy)) * w + size_t(ix)]
                                 : 0.0f;
          const float got = p[(j / kn.nr) * kn.nr * kc + kk * kn.nr + j % kn.nr];
          if (got != want) {
            fail(std::string(buf) + ": wrong element");
            return;
          }
        }
      }
    }
  }
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
        if (c[at] != c0[at]) fail("sgemm wrote between rows of C");
        continue;
      }
      double s = 0, mag = 0;
      for (size_t kk = 0; kk < k; kk++) {
        s += double(a[i * lda + kk]) * double(b[kk * ldb + j]);
        mag += std::fabs(double(a[i * lda + kk]) * double(b[kk * ldb + j]));
      }
      if (!close(c[at], s, mag, k)) {
        fail("sgemm m=" + std::to_string(m) + " n=" + std::to_string(n) + " k=" +
             std::to_string(k) + " lda=" + std::to_string(lda) + " ldb=" + std::to_string(ldb) +
             " ldc=" + std::to_string(ldc));
        return;
      }
    }
}

}  // namespace

int main() {
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
  // Longer K (unrolled main loop with remainders) and a few bigger shapes.
  for (size_t k : {31, 32, 33, 64, 67, 130})
    for (unsigned f : flag_sets) check_gemm(kn, *gk, kn.mr + 3, kn.nr + 5, k, k + 1, kn.nr + 5, kn.nr + 7, f);
  check_gemm(kn, *gk, 3 * kn.mr, 5 * kn.nr, 40, 40, 5 * kn.nr, 5 * kn.nr, 0);
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
        if (j == 2 ? !std::isnan(v) : !(v >= 0.0f && v <= 6.0f)) fail("clamp / NaN propagation");
      }
  }
  std::printf("gemm checks done (%zu shapes), failures so far %d\n", cnt, failures);

  // im2col packing: kernel sizes, strides, dilations, padding on every side,
  // maps narrower than a panel, channels > 1.
  check_im2col(kn, *gk, 3, 7, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1);
  check_im2col(kn, *gk, 2, 9, 10, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1);
  check_im2col(kn, *gk, 2, 11, 13, 3, 3, 2, 2, 1, 1, 1, 0, 0, 1);
  check_im2col(kn, *gk, 2, 30, 31, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1);  // wide rows: whole-row panels
  check_im2col(kn, *gk, 3, 20, 29, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0);
  check_im2col(kn, *gk, 2, 26, 27, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1);
  check_im2col(kn, *gk, 1, 5, 5, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2);
  check_im2col(kn, *gk, 2, 8, 7, 1, 1, 2, 3, 1, 1, 0, 0, 0, 0);  // 1x1 strided
  check_im2col(kn, *gk, 2, 9, 9, 3, 2, 1, 3, 2, 3, 2, 0, 1, 3);  // dilation, asymmetric pads
  check_im2col(kn, *gk, 3, 1, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1);  // 1x1 map
  check_im2col(kn, *gk, 2, 3, 40, 1, 7, 1, 1, 1, 1, 0, 0, 3, 3);
  check_im2col(kn, *gk, 2, 40, 3, 7, 1, 1, 1, 1, 1, 3, 3, 0, 0);
  check_im2col(kn, *gk, 1, 16, 50, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1);  // stride 3 (scalar path)
  // Panel-by-panel packer (few channels): stems of 3x3, 5x5, 7x7 (and a
  // generic width), stride 1 and 2, every padding, maps with rows shorter
  // and longer than a panel, odd sizes.
  for (size_t ch : {1, 3, 4})
    for (size_t k : {3, 5, 7, 4})
      for (size_t s : {1, 2})
        for (size_t pad : {0, 1, 3})
          for (size_t hw : {1, 5, 11, 20, 29}) {
            check_im2col(kn, *gk, ch, hw, hw + 1, k, k, s, s, 1, 1, pad, pad, pad, pad);
            check_im2col(kn, *gk, ch, hw + 2, hw, k, k, s, s, 1, 1, pad, 0, 0, pad);
          }
  check_im2col(kn, *gk, 3, 40, 45, 7, 7, 2, 2, 1, 1, 3, 3, 3, 3);  // the stem's geometry, smaller
  check_im2col(kn, *gk, 3, 9, 9, 7, 5, 2, 1, 2, 1, 3, 2, 2, 1);    // dilated rows, asymmetric
  check_im2col(kn, *gk, 1, 12, 60, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0);  // reads up to the last element
  check_im2col(kn, *gk, 1, 30, 26, 11, 11, 1, 2, 1, 1, 5, 5, 5, 5);  // many taps (heap descriptors)
  // Huge but valid stride, padding and dilation (products past 2^31: index
  // arithmetic must not wrap on 32-bit targets).
  const size_t big = (size_t(1) << 31) - 4, half = size_t(1) << 30;
  check_im2col(kn, *gk, 1, 5, 5, 1, 1, 1, big, 1, 1, 0, 0, 0, 0);
  check_im2col(kn, *gk, 2, 5, 5, 1, 1, big, 1, 1, 1, 0, 0, 0, 0);
  check_im2col(kn, *gk, 1, 1, 1, 1, 1, 1, half, 1, 1, 0, 0, half, half);
  check_im2col(kn, *gk, 1, 3, 3, 1, 1, half, 1, 1, 1, half, half, 0, 0);
  check_im2col(kn, *gk, 2, 4, 6, 2, 2, 1, 3, 1, half, 0, 0, 1, half);
  check_im2col(kn, *gk, 1, 7, 9, 3, 3, big, big, 1, 1, 1, 1, 1, 1);
  std::printf("im2col checks done, failures so far %d\n", failures);

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
      if (v != 0.0f) fail("sgemm with K = 0 must zero C");
  }
  if (failures) {
    std::fprintf(stderr, "%d failures\n", failures);
    return 1;
  }
  std::printf("all sgemm checks passed\n");
  return 0;
}

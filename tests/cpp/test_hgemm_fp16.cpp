// fp16 GEMM (Precision::Fp16): binary16 arithmetic (core/half.h), the
// generic twin against a float64 reference within the binary16 bound, and,
// where the CPU runs the fp16 kernels (Cortex-A76 under QEMU), the NEON
// tables against the twin bit for bit: packers (float32 and binary16 images,
// dense and im2col) and micro-kernel (every remainder of the 8x24 tile,
// K-blocks, clamp, NaN/Inf). On a CPU without fp16 vector arithmetic it
// checks that no fp16 table was dispatched.
//
// Operands live in buffers that end at a PROT_NONE page (tests/cpp/guard.h).
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "armconv/armconv.h"
#include "check.h"
#include "core/dispatch.h"
#include "core/gemm.h"
#include "core/half.h"
#include "guard.h"

using namespace armconv;
using namespace armconv::detail;
using armconv_test::GuardedArray;

namespace {

std::mt19937 gen(4242);

float randf() { return std::uniform_real_distribution<float>(-1.0f, 1.0f)(gen); }
void fill(float* p, size_t n) {
  for (size_t i = 0; i < n; i++) p[i] = randf();
}
void fill(Half* p, size_t n) {
  for (size_t i = 0; i < n; i++) p[i] = float_to_half(randf());
}
size_t rup(size_t x, size_t m) { return (x + m - 1) / m * m; }
double hd(Half h) { return double(half_to_float(h)); }
double val(float f) { return double(f); }
double val(Half h) { return hd(h); }

// ---- binary16 arithmetic -------------------------------------------------------------

// The binary16 neighbours of a finite half (next up, next down).
Half next_up(Half h) {
  if (h.bits == 0x8000) return Half{1};
  return Half{uint16_t(h.bits & 0x8000 ? h.bits - 1 : h.bits + 1)};
}
Half next_down(Half h) {
  if (h.bits == 0) return Half{0x8001};
  return Half{uint16_t(h.bits & 0x8000 ? h.bits + 1 : h.bits - 1)};
}

void check_half() {
  // Every half converts to float and back to itself (NaNs: quietened).
  for (uint32_t b = 0; b < 0x10000; b++) {
    const Half h{uint16_t(b)};
    const float f = half_to_float(h);
    const Half back = float_to_half(f);
    if (detail::is_nan(h))
      CHECK(std::isnan(f) && back.bits == (h.bits | 0x200), "NaN %04x -> %04x", b, back.bits);
    else
      CHECK(back.bits == h.bits, "%04x -> %g -> %04x", b, double(f), back.bits);
  }
  // float -> half is the nearest half, ties to even (checked against the
  // neighbours, not against another conversion routine).
  for (int i = 0; i < 200000; i++) {
    float f;
    if (i % 3 == 0) {  // near halves: a half plus a small offset, ties included
      const Half h{uint16_t(gen() % 0x7bff)};
      const double step = hd(next_up(h)) - hd(h);
      f = float(hd(h) + step * double(gen() % 9) / 8.0);
    } else {
      f = std::ldexp(randf(), int(gen() % 40) - 28);
    }
    const Half h = float_to_half(f);
    if (std::fabs(double(f)) >= 65520.0) {
      CHECK((h.bits & 0x7fff) == 0x7c00, "overflow %g -> %04x", double(f), h.bits);
      continue;
    }
    const double d = std::fabs(double(f) - hd(h));
    const double du = std::fabs(double(f) - hd(next_up(h))), dd = std::fabs(double(f) - hd(next_down(h)));
    CHECK(d <= du && d <= dd, "%g -> %04x is not nearest", double(f), h.bits);
    if (d == du || d == dd) CHECK((h.bits & 1) == 0, "%g: tie not to even (%04x)", double(f), h.bits);
  }
  // fma: one rounding. c + a*b where the exact value is a hair off a tie
  // between two halves (the double sum alone would round to the tie).
  {
    const Half one = float_to_half(1.0f), c = float_to_half(1.0f);
    const Half a = float_to_half(std::ldexp(1.0f, -11));  // a*b = half an ulp of 1 ...
    const Half b = float_to_half(1.0f + std::ldexp(1.0f, -10));  // ... plus a little
    CHECK(fma_half(a, b, c).bits == next_up(one).bits, "fma: above the tie must round up");
    CHECK(fma_half(a, float_to_half(1.0f), c).bits == one.bits, "fma: a tie rounds to even");
    CHECK(fma_half(float_to_half(-0.0f), one, float_to_half(-0.0f)).bits == 0x8000, "fma -0");
    CHECK(fma_half(float_to_half(2.0f), one, float_to_half(-2.0f)).bits == 0, "fma exact 0 is +0");
    CHECK(detail::is_nan(fma_half(float_to_half(INFINITY), float_to_half(0.0f), one)), "inf * 0");
    CHECK(fma_half(float_to_half(60000.0f), float_to_half(2.0f), one).bits == 0x7c00, "overflow");
  }
}

// ---- micro-kernel and packers --------------------------------------------------------

template <class IO>
struct Io;
template <>
struct Io<float> {
  static const GemmKernel<F16Gemm>* table(const HgemmPair& p) { return p.f32; }
  static const char* name() { return "float32"; }
};
template <>
struct Io<Half> {
  static const GemmKernel<F16GemmH>* table(const HgemmPair& p) { return p.f16; }
  static const char* name() { return "binary16"; }
};

template <class T>
bool same(const T* a, const T* b, size_t n) {
  return std::memcmp(a, b, n * sizeof(T)) == 0;
}

// One A panel strip at a time, as the driver runs it (whole strip per call).
template <class IO>
void run_tiles(const GemmKernel<F16GemmT<IO>>& kn, size_t m, size_t n, size_t k, const Half* pa,
               const Half* pb, IO* c, size_t ldc, const Half* bias, unsigned flags, Half lo,
               Half hi) {
  F16Output<IO> out;
  out.clamp = true;
  out.lo = lo;
  out.hi = hi;
  for (size_t m0 = 0; m0 < m; m0 += kn.mr) {
    out.bias = bias + m0;
    kn.ukernel(k, std::min(kn.mr, m - m0), n, pa + m0 * k, pb, c + m0 * ldc, ldc, out, flags);
  }
}

// The generic twin against float64: |C - exact| within the binary16 bound of
// a sequential fused sum, (k + 2) * 2^-11 * (|bias| + sum |a b|) + the
// rounding of the inputs (already binary16: none).
template <class IO>
void check_twin_vs_double(const GemmKernel<F16GemmT<IO>>& gk, size_t m, size_t n, size_t k) {
  std::vector<float> a(m * k);
  std::vector<IO> b(k * n);
  fill(a.data(), a.size());
  fill(b.data(), b.size());
  std::vector<Half> ah(m * k);
  for (size_t i = 0; i < ah.size(); i++) ah[i] = float_to_half(a[i]);
  std::vector<Half> pa(rup(m, gk.mr) * k), pb(rup(n, gk.nr) * k), bias(rup(m, gk.mr) + 8);
  fill(bias.data(), m);
  gk.pack_a(m, k, ah.data(), k, pa.data());
  gk.pack_b(k, n, b.data(), n, pb.data());
  std::vector<IO> c(m * n);
  run_tiles(gk, m, n, k, pa.data(), pb.data(), c.data(), n, bias.data(), 0, Half{0}, Half{0});
  for (size_t i = 0; i < m; i++)
    for (size_t j = 0; j < n; j++) {
      double s = hd(bias[i]), mag = std::fabs(s);
      for (size_t kk = 0; kk < k; kk++) {
        const double t = hd(ah[i * k + kk]) * hd(float_to_half(float(val(b[kk * n + j]))));
        s += t;
        mag += std::fabs(t);
      }
      const double err = std::fabs(val(c[i * n + j]) - s);
      CHECK(err <= double(k + 2) * std::ldexp(1.0, -11) * mag, "twin %s m=%zu n=%zu k=%zu: %g vs %g",
            Io<IO>::name(), m, n, k, val(c[i * n + j]), s);
    }
}

// NEON table against its twin: packed panels bit for bit, then C bit for bit
// (the arithmetic is the same: one fused binary16 multiply-add per k, in order).
template <class IO>
void check_kernel(const GemmKernel<F16GemmT<IO>>& kn, const GemmKernel<F16GemmT<IO>>& gk,
                  size_t m, size_t n, size_t k, size_t ldb, size_t ldc, unsigned flags,
                  bool specials = false) {
  char tag[160];
  std::snprintf(tag, sizeof tag, "%s %s m=%zu n=%zu k=%zu ldb=%zu ldc=%zu flags=%u%s", kn.name,
                Io<IO>::name(), m, n, k, ldb, ldc, flags, specials ? " (NaN/Inf)" : "");
  const size_t mp = rup(m, kn.mr), np = rup(n, kn.nr);
  GuardedArray<Half> a(m * k);
  GuardedArray<IO> b((k - 1) * ldb + n);
  fill(a.data(), a.size());
  fill(b.data(), b.size());
  if (specials) {  // NaN and infinities in B, one overflow in a product
    const float nan = NAN, inf = INFINITY;
    if constexpr (sizeof(IO) == 4) {
      b[(k - 1) * ldb + n - 1] = nan;
      if (n > 2) b[1] = inf;
      if (n > 3 && k > 1) b[ldb + 2] = -inf;
      b[0] = 70000.0f;  // above binary16's range: converts to inf
    } else {
      b[(k - 1) * ldb + n - 1] = float_to_half(nan);
      if (n > 2) b[1] = float_to_half(inf);
      if (n > 3 && k > 1) b[ldb + 2] = float_to_half(-inf);
      b[0] = float_to_half(60000.0f);
    }
  }
  GuardedArray<Half> pa(mp * k), pa_ref(mp * k), pb(np * k), pb_ref(np * k), bias(mp + 8);
  fill(bias.data(), m);
  kn.pack_a(m, k, a.data(), k, pa.data());
  gk.pack_a(m, k, a.data(), k, pa_ref.data());
  CHECK(same(pa.data(), pa_ref.data(), mp * k), "pack_a differs from the twin: %s", tag);
  fill(pb.data(), pb.size());  // the packer must write every element
  kn.pack_b(k, n, b.data(), ldb, pb.data());
  gk.pack_b(k, n, b.data(), ldb, pb_ref.data());
  CHECK(same(pb.data(), pb_ref.data(), np * k), "pack_b differs from the twin: %s", tag);

  GuardedArray<IO> c((m - 1) * ldc + n), c_ref((m - 1) * ldc + n);
  // C holds binary16 values (what an earlier K-block wrote).
  for (size_t i = 0; i < c.size(); i++) {
    const Half h = float_to_half(randf());
    if constexpr (sizeof(IO) == 4) c[i] = half_to_float(h);
    else c[i] = h;
  }
  std::memcpy(static_cast<void*>(c_ref.data()), c.data(), c.size() * sizeof(IO));
  std::vector<IO> c0(c.data(), c.data() + c.size());
  const Half lo = float_to_half(-0.3f), hi = float_to_half(0.4f);
  run_tiles(kn, m, n, k, pa.data(), pb.data(), c.data(), ldc, bias.data(), flags, lo, hi);
  run_tiles(gk, m, n, k, pa_ref.data(), pb_ref.data(), c_ref.data(), ldc, bias.data(), flags, lo, hi);
  for (size_t i = 0; i < m; i++)
    for (size_t j = 0; j < ldc && (i + 1 < m || j < n); j++) {
      const size_t at = i * ldc + j;
      if (j >= n) {
        CHECK(same(&c[at], &c0[at], 1), "wrote between the rows of C: %s", tag);
        continue;
      }
      const bool both_nan = std::isnan(val(c[at])) && std::isnan(val(c_ref[at]));
      if (!both_nan && !same(&c[at], &c_ref[at], 1)) {
        CHECK(false, "%s: C[%zu][%zu] = %.8g, the twin has %.8g", tag, i, j, val(c[at]), val(c_ref[at]));
        return;
      }
    }
}

// im2col packing, NEON against the twin, bit for bit, several blocks.
template <class IO>
void check_im2col(const GemmKernel<F16GemmT<IO>>& kn, const GemmKernel<F16GemmT<IO>>& gk,
                  size_t ch, size_t h, size_t w, size_t kh, size_t kw, size_t sh, size_t sw,
                  size_t dh, size_t dw, size_t pt, size_t pb, size_t pl, size_t pr) {
  const int64_t eh = int64_t(h + pt + pb) - int64_t(dh * (kh - 1) + 1);
  const int64_t ew = int64_t(w + pl + pr) - int64_t(dw * (kw - 1) + 1);
  if (eh < 0 || ew < 0) return;
  const size_t ho = size_t(eh) / sh + 1, wo = size_t(ew) / sw + 1, K = ch * kh * kw, N = ho * wo;
  for (int side = 0; side < 2; side++) {
    GuardedArray<IO> x(ch * h * w, side == 0);
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
    const size_t blocks[][4] = {{0, K, 0, N},
                                {K / 3, K - K / 3, N / 2, N - N / 2},
                                {0, (K + 1) / 2, 1 % N, std::min<size_t>(N - 1 % N, 2 * kn.nr + 1)}};
    for (const auto& bl : blocks) {
      const size_t k0 = bl[0], kc = bl[1], n0 = bl[2], nc = bl[3];
      if (kc == 0 || nc == 0) continue;
      const size_t sz = rup(nc, kn.nr) * kc;
      GuardedArray<Half> p(sz), p_ref(sz);
      fill(p.data(), sz);
      kn.pack_im2col(g, k0, kc, n0, nc, p.data());
      gk.pack_im2col(g, k0, kc, n0, nc, p_ref.data());
      CHECK(same(p.data(), p_ref.data(), sz),
            "im2col %s %s c=%zu %zux%zu k=%zux%zu s=%zu,%zu d=%zu,%zu pad=%zu,%zu,%zu,%zu block "
            "k0=%zu kc=%zu n0=%zu nc=%zu",
            kn.name, Io<IO>::name(), ch, h, w, kh, kw, sh, sw, dh, dw, pt, pb, pl, pr, k0, kc, n0, nc);
    }
  }
}

template <class IO>
void check_tables(const GemmKernel<F16GemmT<IO>>& kn, const GemmKernel<F16GemmT<IO>>& gk) {
  const unsigned flag_sets[] = {0, kLastK, kAccumulate, kAccumulate | kLastK};
  size_t cnt = 0;
  const size_t ks[] = {1, 2, 3, 4, 5, 7, 8, 12, 15, 16, 17, 19, 33};
  for (size_t m : {size_t(1), size_t(3), size_t(7), size_t(8), size_t(9), size_t(16)})
    for (size_t n = 1; n <= 2 * kn.nr + 2; n++, cnt++) {
      const size_t k = ks[cnt % (sizeof ks / sizeof ks[0])];
      const bool strided = cnt % 3 == 1;
      check_kernel(kn, gk, m, n, k, strided ? n + 3 : n, strided ? n + 5 : n, flag_sets[cnt % 4]);
    }
  for (size_t k : {31, 48, 64, 67, 130})
    for (unsigned f : flag_sets) check_kernel(kn, gk, kn.mr + 3, kn.nr * 2 + 9, k, kn.nr * 2 + 9, kn.nr * 2 + 11, f);
  for (unsigned f : flag_sets) {
    check_kernel(kn, gk, 8, 3 * kn.nr, 20, 3 * kn.nr, 3 * kn.nr, f, true);
    check_kernel(kn, gk, 5, 13, 6, 13, 13, f, true);
  }
  std::printf("%s (%s): micro-kernel and dense packers checked, failures so far %d\n", kn.name,
              Io<IO>::name(), failures);
  check_im2col(kn, gk, 3, 7, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1);
  check_im2col(kn, gk, 2, 9, 10, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1);
  check_im2col(kn, gk, 2, 11, 13, 3, 3, 2, 2, 1, 1, 1, 0, 0, 1);
  check_im2col(kn, gk, 2, 56, 57, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1);  // pieces of every length
  check_im2col(kn, gk, 2, 30, 31, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1);
  check_im2col(kn, gk, 3, 20, 29, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0);
  check_im2col(kn, gk, 2, 26, 27, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1);
  check_im2col(kn, gk, 2, 9, 50, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1);  // whole 24-column panel rows
  check_im2col(kn, gk, 1, 5, 5, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2);
  check_im2col(kn, gk, 2, 8, 7, 1, 1, 2, 3, 1, 1, 0, 0, 0, 0);
  check_im2col(kn, gk, 2, 9, 9, 3, 2, 1, 3, 2, 3, 2, 0, 1, 3);
  check_im2col(kn, gk, 3, 1, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1);
  check_im2col(kn, gk, 2, 3, 40, 1, 7, 1, 1, 1, 1, 0, 0, 3, 3);
  check_im2col(kn, gk, 2, 40, 3, 7, 1, 1, 1, 1, 1, 3, 3, 0, 0);
  check_im2col(kn, gk, 1, 16, 50, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1);
  check_im2col(kn, gk, 1, 12, 60, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0);
  check_im2col(kn, gk, 1, 7, 35, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0);  // s2 reads up to the last element
  check_im2col(kn, gk, 3, 4, 17, 1, 3, 1, 2, 1, 1, 0, 0, 0, 0);  // s2 short pieces, no overread
  std::printf("%s (%s): im2col checked, failures so far %d\n", kn.name, Io<IO>::name(), failures);
}

}  // namespace

int main() {
  check_half();
  std::printf("binary16 arithmetic checked, failures so far %d\n", failures);

  const HgemmPair twin = hgemm_generic_kernels_for(8, 24);
  CHECK(twin.f32 && twin.f16, "no generic 8x24 fp16 twin");
  if (!twin.f32) return 1;
  for (size_t m : {1, 8, 11})
    for (size_t n : {1, 24, 30})
      for (size_t k : {1, 9, 40}) {
        check_twin_vs_double(*twin.f32, m, n, k);
        check_twin_vs_double(*twin.f16, m, n, k);
      }
  std::printf("generic twin checked against float64, failures so far %d\n", failures);

  const HgemmPair neon = kernels().hgemm;
  std::printf("fp16 kernels: %s (cpu fp16: %d)\n", neon.f32 ? neon.f32->name : "none",
              int(cpu_features().fp16));
#if defined(ARMCONV_HAVE_FP16)
  CHECK(bool(neon.f32) == cpu_features().fp16 && bool(neon.f16) == cpu_features().fp16,
        "fp16 tables dispatched iff the CPU has fp16 vector arithmetic");
#else
  CHECK(!neon.f32 && !neon.f16, "fp16 tables in a build without them");
#endif
  if (neon.f32) {
    const HgemmPair gk = hgemm_generic_kernels_for(neon.f32->mr, neon.f32->nr);
    CHECK(gk.f32 != nullptr, "no twin for the NEON tile");
    if (gk.f32) {
      check_tables(*neon.f32, *gk.f32);
      check_tables(*neon.f16, *gk.f16);
    }
  }
  if (failures) {
    std::printf("%d failures\n", failures);
    return 1;
  }
  std::printf("ok\n");
  return 0;
}

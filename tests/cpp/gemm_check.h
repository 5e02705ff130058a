// Test harness shared by the GEMM kernel-table tests (test_sgemm.cpp: fp32,
// test_hgemm_fp16.cpp: binary16), written once over core/gemm.h's traits: a
// table GemmKernel<T> (packers + micro-kernel) is checked against its generic
// twin with the same tile. What differs per data type stays in the test: how
// C is judged (fp32: the float64 reference within the fp32 bound; fp16: the
// twin bit for bit) and the extra cases.
//
// - GemmCase<T>: guarded operands (tests/cpp/guard.h), both tables' packings
//   compared bit for bit (packing only copies or converts), both micro-kernels
//   run over every tile, then each element of C handed to the test.
// - check_im2col<T>: the im2col packer against the twin (bit for bit) and
//   against the definition, for several (k0, kc, n0, nc) blocks of one
//   geometry; for_im2col_cases: the geometries both tests sweep.
//
// Include after check.h (failures, CHECK). Call gemm_check::gen.seed(...) in
// main for a test's own random operands.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <type_traits>
#include <vector>

#include "rand.h"
#include "check.h"
#include "core/gemm.h"
#include "core/half.h"
#include "guard.h"

namespace gemm_check {

using armconv::Half;
using namespace armconv::detail;
using armconv_test::GuardedArray;

static std::mt19937 gen(1);

inline float randf() { return armconv_test::Uniform<float>(-1.0f, 1.0f)(gen); }
inline void fill(float* p, size_t n) {
  for (size_t i = 0; i < n; i++) p[i] = randf();
}
inline void fill(Half* p, size_t n) {
  for (size_t i = 0; i < n; i++) p[i] = float_to_half(randf());
}
inline size_t round_up(size_t x, size_t m) { return (x + m - 1) / m * m; }
inline double val(float f) { return double(f); }
inline double val(Half h) { return double(half_to_float(h)); }

template <class E>
bool same_bits(const E* a, const E* b, size_t n) {
  return std::memcmp(a, b, n * sizeof(E)) == 0;
}

// The bound of a sequential (fused or not) dot product of k terms in a format
// with `mant` fraction bits: |got - want| <= (k + 2) 2^-mant (|init| + sum |a b|).
// NaN-aware: a NaN reference wants a NaN.
inline bool within_dot_bound(double got, double want, double mag, size_t k, int mant) {
  if (std::isnan(want)) return std::isnan(got);
  return std::fabs(got - want) <= double(k + 2) * std::ldexp(1.0, -mant) * mag + 1e-30;
}

// An image element as its B packer stores it (fp32: as is; binary16 B from a
// float32 image: rounded to nearest).
template <class B, class X>
B to_packed(X x) {
  if constexpr (std::is_same_v<B, Half> && std::is_same_v<X, float>) return float_to_half(x);
  else return x;
}

// Runs the micro-kernel over packed A/B as the driver does for one K-block:
// per MR panel either one call over the whole strip of NR panels (strip) or
// one call per MR x NR tile. `out` is the stage of row 0 (bias at row 0).
template <class T>
void run_tiles(const GemmKernel<T>& kn, size_t m, size_t n, size_t k, const typename T::A* pa,
               const typename T::B* pb, typename T::C* c, size_t ldc, const typename T::Out& out,
               unsigned flags, bool strip) {
  for (size_t m0 = 0; m0 < m; m0 += kn.mr) {
    const typename T::Out o = out_from_row(out, m0);
    const size_t mc = std::min(kn.mr, m - m0);
    if (strip) {
      kn.ukernel(k, mc, n, pa + m0 * k, pb, c + m0 * ldc, ldc, o, flags);
      continue;
    }
    for (size_t n0 = 0; n0 < n; n0 += kn.nr)
      kn.ukernel(k, mc, std::min(kn.nr, n - n0), pa + m0 * k, pb + n0 * k, c + m0 * ldc + n0, ldc,
                 o, flags);
  }
}

// One m x n x k product of a table and its twin, on operands in buffers that
// end at a guard page (strided: lda, ldb, ldc >= the row length).
template <class T>
struct GemmCase {
  using A = typename T::A;
  using B = typename T::B;
  using X = typename T::X;
  using C = typename T::C;
  size_t m, n, k, lda, ldb, ldc, mp, np;
  GuardedArray<A> a;
  GuardedArray<X> b;
  GuardedArray<A> pa, pa_ref;
  GuardedArray<B> pb, pb_ref;
  GuardedArray<A> bias;  // zero past m, as the operator layer pads it
  GuardedArray<C> c, c_ref;
  std::vector<C> c0;  // C before the run (for accumulate, and the gaps of a strided C)

  GemmCase(const GemmKernel<T>& kn, size_t m_, size_t n_, size_t k_, size_t lda_, size_t ldb_,
           size_t ldc_)
      : m(m_), n(n_), k(k_), lda(lda_), ldb(ldb_), ldc(ldc_), mp(round_up(m_, kn.mr)),
        np(round_up(n_, kn.nr)), a((m_ - 1) * lda_ + k_), b((k_ - 1) * ldb_ + n_), pa(mp * k_),
        pa_ref(mp * k_), pb(np * k_), pb_ref(np * k_), bias(mp + 8), c((m_ - 1) * ldc_ + n_),
        c_ref((m_ - 1) * ldc_ + n_) {
    fill(a.data(), a.size());
    fill(b.data(), b.size());
    fill(bias.data(), m);
  }

  // C's initial values (as an earlier K-block left them), copied to the
  // twin's C and kept in c0.
  template <class Gen>
  void init_c(Gen g) {
    for (size_t i = 0; i < c.size(); i++) c[i] = g();
    std::memcpy(static_cast<void*>(c_ref.data()), c.data(), c.size() * sizeof(C));
    c0.assign(c.data(), c.data() + c.size());
  }

  // Packs A and B with both tables (the packers must write every element:
  // the destinations start dirty) and checks the panels match bit for bit.
  void pack(const GemmKernel<T>& kn, const GemmKernel<T>& gk, const char* tag) {
    fill(pa.data(), pa.size());
    fill(pb.data(), pb.size());
    kn.pack_a(m, k, a.data(), lda, pa.data());
    gk.pack_a(m, k, a.data(), lda, pa_ref.data());
    CHECK(same_bits(pa.data(), pa_ref.data(), mp * k), "pack_a differs from the twin: %s", tag);
    kn.pack_b(k, n, b.data(), ldb, pb.data());
    gk.pack_b(k, n, b.data(), ldb, pb_ref.data());
    CHECK(same_bits(pb.data(), pb_ref.data(), np * k), "pack_b differs from the twin: %s", tag);
  }

  // Both micro-kernels over every tile (the twin in the other call pattern
  // when strip_twin differs from strip).
  void run(const GemmKernel<T>& kn, const GemmKernel<T>& gk, const typename T::Out& out,
           unsigned flags, bool strip, bool strip_twin) {
    typename T::Out o = out;
    o.bias = bias.data();
    run_tiles(kn, m, n, k, pa.data(), pb.data(), c.data(), ldc, o, flags, strip);
    run_tiles(gk, m, n, k, pa_ref.data(), pb_ref.data(), c_ref.data(), ldc, o, flags, strip_twin);
  }

  // Calls judge(i, j, at) for every element of C (at = i * ldc + j) until it
  // returns false; checks the gaps between the rows of a strided C are
  // untouched by either table.
  template <class Judge>
  void each_c(const char* tag, Judge judge) {
    for (size_t i = 0; i < m; i++)
      for (size_t j = 0; j < ldc && (i + 1 < m || j < n); j++) {
        const size_t at = i * ldc + j;
        if (j >= n) {
          CHECK(same_bits(&c[at], &c0[at], 1) && same_bits(&c_ref[at], &c0[at], 1),
                "wrote between the rows of C: %s", tag);
          continue;
        }
        if (!judge(i, j, at)) return;
      }
  }
};

// Rows [k0, k0 + kc) x columns [n0, n0 + nc) of the im2col matrix, packed by
// the table and by its twin (bit for bit), and checked element by element against the
// definition; blocks: whole, K split mid-tap, N split at an odd column. The
// image is guarded on both sides (two copies: one ending at a guard page, one
// starting after one).
template <class T>
void check_im2col(const GemmKernel<T>& kn, const GemmKernel<T>& gk, size_t ch, size_t h, size_t w,
                  size_t kh, size_t kw, size_t sh, size_t sw, size_t dh, size_t dw, size_t pt,
                  size_t pb, size_t pl, size_t pr) {
  using X = typename T::X;
  using B = typename T::B;
  // 64-bit: stride, padding and dilation may be near 2^31 (a 32-bit size_t on armv7).
  const int64_t eh = int64_t(h) + int64_t(pt) + int64_t(pb) - (int64_t(dh) * int64_t(kh - 1) + 1);
  const int64_t ew = int64_t(w) + int64_t(pl) + int64_t(pr) - (int64_t(dw) * int64_t(kw - 1) + 1);
  if (eh < 0 || ew < 0) return;
  const size_t ho = size_t(eh / int64_t(sh) + 1), wo = size_t(ew / int64_t(sw) + 1);
  const size_t K = ch * kh * kw, N = ho * wo;
  char tag[200];
  std::snprintf(tag, sizeof tag, "im2col %s c=%zu %zux%zu k=%zux%zu s=%zu,%zu d=%zu,%zu pad=%zu,%zu,%zu,%zu",
                kn.name, ch, h, w, kh, kw, sh, sw, dh, dw, pt, pb, pl, pr);
  for (int side = 0; side < 2; side++) {
    GuardedArray<X> x(ch * h * w, side == 0);
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
                                // 4-column aligned, K from mid-row (the stride-1 row packer)
                                {K / 3, K - K / 3, N / 8 * 4, N - N / 8 * 4},
                                {0, (K + 1) / 2, 1 % N, std::min<size_t>(N - 1 % N, 2 * kn.nr + 1)},
                                // all of K from a 4-column aligned column (the stride-2
                                // vector packer), a whole block and one of a few panels
                                {0, K, N / 8 * 4, N - N / 8 * 4},
                                {0, K, N / 12 * 4, std::min<size_t>(N - N / 12 * 4, (2 * kn.nr + 4) / 4 * 4)}};
    for (const auto& bl : blocks) {
      const size_t k0 = bl[0], kc = bl[1], n0 = bl[2], nc = bl[3];
      if (kc == 0 || nc == 0) continue;
      const size_t sz = round_up(nc, kn.nr) * kc;
      GuardedArray<B> p(sz), p_ref(sz);
      // The packer must write every element: all-ones bytes (a NaN; no image
      // element, nor zero padding) left anywhere differ from the twin's
      // zeroed panel and from the definition. (Random floats did the same at
      // one random draw per element: a quarter of the check's time.)
      std::memset(static_cast<void*>(p.data()), 0xff, sz * sizeof(B));
      kn.pack_im2col(g, k0, kc, n0, nc, p.data());
      gk.pack_im2col(g, k0, kc, n0, nc, p_ref.data());
      if (!same_bits(p.data(), p_ref.data(), sz)) {
        CHECK(false, "%s: block k0=%zu kc=%zu n0=%zu nc=%zu differs from the twin", tag, k0, kc,
              n0, nc);
        return;
      }
      // Every element against the definition (the twin could be wrong too).
      // The row's tap (channel, ky, kx) is decoded once per row and the
      // column's output position stepped once per column: no division per
      // element (armv7 divides in software; with them this check was most
      // of test_sgemm's time under qemu cortex-a15).
      std::vector<int64_t> row_y(kc), row_x(kc);
      std::vector<size_t> row_c(kc);
      for (size_t kk = 0; kk < kc; kk++) {
        const size_t kr = k0 + kk, c = kr / (kh * kw), ky = kr / kw % kh, kx = kr % kw;
        row_y[kk] = int64_t(ky) * int64_t(dh) - int64_t(pt);
        row_x[kk] = int64_t(kx) * int64_t(dw) - int64_t(pl);
        row_c[kk] = c * h;
      }
      size_t oy = n0 / wo, ox = n0 % wo;
      for (size_t j = 0; j < nc; j++) {
        const int64_t by = int64_t(oy) * int64_t(sh), bx = int64_t(ox) * int64_t(sw);
        const size_t panel = j / kn.nr, jr = j % kn.nr;
        const size_t cols = std::min(kn.nr, nc - panel * kn.nr);  // of j's panel
        const B* pp = p.data() + panel * kn.nr * kc;
        for (size_t kk = 0; kk < kc; kk++) {
          const int64_t iy = by + row_y[kk], ix = bx + row_x[kk];
          const B want = (iy >= 0 && iy < int64_t(h) && ix >= 0 && ix < int64_t(w))
                             ? to_packed<B>(x[(row_c[kk] + size_t(iy)) * w + size_t(ix)])
                             : B{};
          const B got = pp[packed_b_at(kn.nr, 1, kn.b_edge_cols, kc, cols, kk, jr)];
          if (!same_bits(&got, &want, 1)) {
            CHECK(false, "%s: wrong element (k %zu, column %zu)", tag, k0 + kk, n0 + j);
            return;
          }
        }
        if (++ox == wo) {
          ox = 0;
          oy++;
        }
      }
    }
  }
}

// The im2col geometries both GEMM tests sweep: kernel sizes, strides,
// dilations, padding on every side, maps narrower than a panel, channels > 1.
// f(ch, h, w, kh, kw, sh, sw, dh, dw, pad top, bottom, left, right).
template <class F>
void for_im2col_cases(F f) {
  f(3, 7, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1);
  f(2, 9, 10, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1);
  f(2, 11, 13, 3, 3, 2, 2, 1, 1, 1, 0, 0, 1);
  f(2, 56, 57, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1);  // stride 2: pieces of every length
  f(2, 30, 31, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1);  // wide rows: whole-row panels
  f(3, 20, 29, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0);
  f(2, 26, 27, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1);
  f(2, 9, 50, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1);  // whole 24-column panel rows
  f(1, 5, 5, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2);
  f(2, 8, 7, 1, 1, 2, 3, 1, 1, 0, 0, 0, 0);  // 1x1 strided
  f(2, 9, 9, 3, 2, 1, 3, 2, 3, 2, 0, 1, 3);  // dilation, asymmetric pads
  f(3, 1, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1);  // 1x1 map
  f(2, 3, 40, 1, 7, 1, 1, 1, 1, 0, 0, 3, 3);
  f(2, 40, 3, 7, 1, 1, 1, 1, 1, 3, 3, 0, 0);
  f(1, 16, 50, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1);  // stride 3 (scalar path)
  f(1, 12, 60, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0);  // reads up to the last element
  f(1, 7, 35, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0);   // stride 2 reads up to the last element
  f(3, 4, 17, 1, 3, 1, 2, 1, 1, 0, 0, 0, 0);   // stride 2 short pieces, no over-read
  f(1, 30, 26, 11, 11, 1, 2, 1, 1, 5, 5, 5, 5);  // many taps (heap descriptors)
  // Stride 1, no padding, output width a multiple of 4 (the row packer of
  // neon/sgemm_pack.h): 3, 5, 7 and other kernel widths, partial panels, the
  // loads reach the image's last element.
  f(3, 10, 14, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0);
  f(2, 9, 20, 5, 5, 1, 1, 1, 1, 0, 0, 0, 0);
  f(1, 7, 10, 7, 7, 1, 1, 1, 1, 0, 0, 0, 0);   // one 4-column group
  f(2, 6, 11, 2, 4, 1, 1, 1, 1, 0, 0, 0, 0);   // kw 4
  f(3, 5, 27, 1, 3, 1, 1, 1, 1, 0, 0, 0, 0);   // wo 25: not a multiple of 4
  f(2, 12, 30, 3, 3, 1, 1, 1, 1, 0, 1, 0, 2);  // bottom/right padding only
}

}  // namespace gemm_check

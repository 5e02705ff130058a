// Portable GEMM packers for every data type (the packed formats of
// core/gemm.h, any element type, tile MR x NR, k grouping KR; the B packers
// read elements of type X and store them converted to B): the
// reference that the NEON packers are compared with byte for byte. The
// generic micro-kernels are per family (generic/sgemm.cpp, generic/gemm_s8.cpp):
// the arithmetic and the output stage differ, the packing does not.
#pragma once

#include <cstddef>
#include <cstring>

#include "core/buffer.h"
#include "core/gemm.h"
#include "core/half.h"
#include "core/im2col.h"

namespace armconv {
namespace detail {
namespace generic {
namespace {

// An X element as a B element (a conversion for float -> Half: rounded to
// nearest even, as FCVTN).
template <class B, class X>
inline B elem(X x) {
  return B(x);
}
template <>
inline Half elem<Half, float>(float x) {
  return float_to_half(x);
}
template <>
inline Half elem<Half, Half>(Half x) {
  return x;
}
template <>
inline Half elem<Half, int>(int x) {
  return float_to_half(float(x));
}

template <class E, size_t MR, size_t KR>
void pack_a(size_t m, size_t k, const E* a, size_t lda, E* dst) {
  const size_t kp = round_up(k, KR);
  for (size_t p = 0; p < m; p += MR)
    for (size_t g = 0; g < kp; g += KR)
      for (size_t r = 0; r < MR; r++)
        for (size_t i = 0; i < KR; i++)
          *dst++ = (p + r < m && g + i < k) ? a[(p + r) * lda + g + i] : elem<E>(0);
}

template <class X, class B, size_t NR, size_t KR>
void pack_b(size_t kc, size_t nc, const X* b, size_t ldb, B* dst) {
  const size_t kcp = round_up(kc, KR);
  for (size_t q = 0; q < nc; q += NR) {
    const size_t cols = nc - q < NR ? nc - q : NR;
    for (size_t g = 0; g < kcp; g += KR)
      for (size_t j = 0; j < NR; j++)
        for (size_t i = 0; i < KR; i++)
          *dst++ = (j < cols && g + i < kc) ? elem<B>(b[(g + i) * ldb + q + j]) : elem<B>(0);
  }
}

// Rows [k0, k0 + kc) x columns [n0, n0 + nc) of the im2col matrix (k0 a
// multiple of KR): the block is zeroed, then each tap's runs of pixels inside
// the image are copied for every channel of the block.
template <class X, class B, size_t NR, size_t KR>
void pack_im2col(const Im2colGeom& g, size_t k0, size_t kc, size_t n0, size_t nc, B* dst) {
  const size_t kcp = round_up(kc, KR), taps = g.kh * g.kw, plane = g.h * g.w;
  std::memset(dst, 0, round_up(nc, NR) * kcp * sizeof(B));
  const X* x = static_cast<const X*>(g.x);
  for (size_t t = 0; t < taps; t++) {
    size_t c_begin, c_end;
    im2col_tap_channels(g, t, k0, kc, &c_begin, &c_end);
    if (c_begin == c_end) continue;
    const Im2colTap tap = im2col_tap(g, t);
    im2col_runs(g, tap, n0, nc, [&](const Im2colRun& r) {
      for (size_t c = c_begin; c < c_end; c++) {
        const size_t kk = c * taps + t - k0;  // row within the block
        const X* s = x + c * plane + r.src;
        B* d = dst + kk / KR * NR * KR + kk % KR;
        for (size_t i = 0; i < r.count; i++) {
          const size_t j = r.j + r.lead + i;
          d[j / NR * NR * kcp + j % NR * KR] = elem<B>(s[i * size_t(g.sw)]);
        }
      }
    });
  }
}

}  // namespace
}  // namespace generic
}  // namespace detail
}  // namespace armconv

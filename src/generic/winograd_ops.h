// The portable Ops policy of core/winograd_kernels.h (4 plain floats as a
// "vector": the compiler may vectorise it; the results do not depend on it)
// and the nc4 staging kernel, shared by src/generic/winograd{23,43,63}.cpp.
// An anonymous namespace: each unit has its own copy.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "core/half.h"

#include "core/winograd.h"
#include "core/winograd_kernels.h"

namespace armconv {
namespace detail {
namespace {
namespace generic {

struct V4 {
  float v[4];
};

// mla/mls are a multiply and an add (no fused multiply-add is required of
// the compiler).
struct Ops {
  using V = V4;
  const float* c;
  explicit Ops(const float* consts) : c(consts) {}
  void refresh() {}
  static V load(const float* p) { return {{p[0], p[1], p[2], p[3]}}; }
  static void store(float* p, const V& a) {
    for (int l = 0; l < 4; l++) p[l] = a.v[l];
  }
  static V zero() { return {{0, 0, 0, 0}}; }
  static V dup(float x) { return {{x, x, x, x}}; }
  static V add(const V& a, const V& b) {
    V r;
    for (int l = 0; l < 4; l++) r.v[l] = a.v[l] + b.v[l];
    return r;
  }
  static V sub(const V& a, const V& b) {
    V r;
    for (int l = 0; l < 4; l++) r.v[l] = a.v[l] - b.v[l];
    return r;
  }
  // Comparisons, so that a NaN in `a` propagates.
  static V max(const V& a, const V& b) {
    V r;
    for (int l = 0; l < 4; l++) r.v[l] = a.v[l] < b.v[l] ? b.v[l] : a.v[l];
    return r;
  }
  static V min(const V& a, const V& b) {
    V r;
    for (int l = 0; l < 4; l++) r.v[l] = a.v[l] > b.v[l] ? b.v[l] : a.v[l];
    return r;
  }
  template <int K>
  V mla(const V& a, const V& b) const {
    V r;
    for (int l = 0; l < 4; l++) r.v[l] = a.v[l] + b.v[l] * c[K];
    return r;
  }
  template <int K>
  V mls(const V& a, const V& b) const {
    V r;
    for (int l = 0; l < 4; l++) r.v[l] = a.v[l] - b.v[l] * c[K];
    return r;
  }
  template <int K>
  V mul(const V& b) const {
    V r;
    for (int l = 0; l < 4; l++) r.v[l] = b.v[l] * c[K];
    return r;
  }
  template <size_t M>
  static void store_row(float* p, size_t ch, const V* y, size_t cols, size_t nch) {
    for (size_t l = 0; l < nch; l++)
      for (size_t b = 0; b < cols; b++) p[l * ch + b] = y[b].v[l];
  }
  template <size_t M>
  static void store_row_full(float* p, size_t ch, const V* y) {
    store_row<M>(p, ch, y, M, 4);
  }
  // fp16 storage (core/winograd_kernels.h): core/half.h rounds as FCVTN.
  static void store_h8(Half* p, const V& a, const V& b) {
    for (int l = 0; l < 4; l++) {
      p[l] = float_to_half(a.v[l]);
      p[4 + l] = float_to_half(b.v[l]);
    }
  }
  template <size_t M>
  static void store_row(Half* p, size_t ch, const V* y, size_t cols, size_t nch) {
    for (size_t l = 0; l < nch; l++)
      for (size_t b = 0; b < cols; b++) p[l * ch + b] = float_to_half(y[b].v[l]);
  }
  template <size_t M>
  static void store_row_full(Half* p, size_t ch, const V* y) {
    store_row<M>(p, ch, y, M, 4);
  }
};

// Ops with fused multiply-adds (one rounding, as aarch64's fmla/fmls by
// element): the twin of the NEON fp16 Winograd transforms
// (generic/winograd_f16.cpp), bit for bit.
struct FusedOps : Ops {
  using Ops::Ops;
  template <int K>
  V mla(const V& a, const V& b) const {
    V r;
    for (int l = 0; l < 4; l++) r.v[l] = std::fma(b.v[l], c[K], a.v[l]);
    return r;
  }
  template <int K>
  V mls(const V& a, const V& b) const {
    V r;
    for (int l = 0; l < 4; l++) r.v[l] = std::fma(-b.v[l], c[K], a.v[l]);
    return r;
  }
};

// The binary16 Ops of input_tile_h8 (core/winograd_kernels.h): 8 Halfs,
// each operation one rounding (core/half.h), as FADD/FSUB/FMUL/FMLS .8h (by
// element) on aarch64; constants kIn43hHalfBits.
struct HalfOps8 {
  struct V {
    Half v[8];
  };
  static V load(const Half* p) {
    V r;
    for (int l = 0; l < 8; l++) r.v[l] = p[l];
    return r;
  }
  static void store(Half* p, const V& a) {
    for (int l = 0; l < 8; l++) p[l] = a.v[l];
  }
  static V add(const V& a, const V& b) {
    V r;
    for (int l = 0; l < 8; l++) r.v[l] = add_half(a.v[l], b.v[l]);
    return r;
  }
  // a - b = a + (-1) b: one rounding, and the same signed zeros as FSUB.
  static V sub(const V& a, const V& b) {
    V r;
    for (int l = 0; l < 8; l++) r.v[l] = fma_half(Half{0xbc00}, b.v[l], a.v[l]);
    return r;
  }
  template <int K>
  V mls(const V& a, const V& b) const {  // a - b c[K] (FMLS: b negated)
    V r;
    for (int l = 0; l < 8; l++) r.v[l] = fma_half(Half{uint16_t(b.v[l].bits ^ 0x8000u)}, c(K), a.v[l]);
    return r;
  }
  template <int K>
  V mla(const V& a, const V& b) const {
    V r;
    for (int l = 0; l < 8; l++) r.v[l] = fma_half(b.v[l], c(K), a.v[l]);
    return r;
  }
  template <int K>
  V mul(const V& b) const {
    V r;
    for (int l = 0; l < 8; l++) r.v[l] = mul_half(b.v[l], c(K));
    return r;
  }
  static Half c(int k) { return Half{wino::kIn43hHalfBits[k]}; }
};

// wino_pack_nc8h_fn / wino_pack_nc8h_h_fn (core/winograd.h).
template <class X>
inline void pack_nc8h_t(const X* x, size_t ch_stride, size_t nch, size_t lo, size_t n, size_t hi, Half* dst) {
  std::fill_n(dst, lo * 8, Half{0});
  dst += lo * 8;
  for (size_t i = 0; i < n; i++)
    for (size_t l = 0; l < 8; l++) {
      Half h{0};
      if (l < nch) {
        if constexpr (sizeof(X) == sizeof(Half))
          h = x[l * ch_stride + i];
        else
          h = float_to_half(x[l * ch_stride + i]);
      }
      dst[i * 8 + l] = h;
    }
  std::fill_n(dst + n * 8, hi * 8, Half{0});
}
inline void pack_nc8h(const float* x, size_t ch_stride, size_t nch, size_t lo, size_t n, size_t hi, Half* dst) {
  pack_nc8h_t(x, ch_stride, nch, lo, n, hi, dst);
}
inline void pack_nc8h_h(const Half* x, size_t ch_stride, size_t nch, size_t lo, size_t n, size_t hi, Half* dst) {
  pack_nc8h_t(x, ch_stride, nch, lo, n, hi, dst);
}

inline void pack_nc4(const float* x, size_t ch_stride, size_t nch, size_t lo, size_t n, size_t hi,
                     float* dst) {
  std::fill_n(dst, lo * 4, 0.0f);
  dst += lo * 4;
  for (size_t i = 0; i < n; i++)
    for (size_t l = 0; l < 4; l++) dst[i * 4 + l] = l < nch ? x[l * ch_stride + i] : 0.0f;
  std::fill_n(dst + n * 4, hi * 4, 0.0f);
}

// wino_pack_nc4_h_fn: pack_nc4 from a binary16 image (exact widening).
inline void pack_nc4_h(const Half* x, size_t ch_stride, size_t nch, size_t lo, size_t n, size_t hi,
                       float* dst) {
  std::fill_n(dst, lo * 4, 0.0f);
  dst += lo * 4;
  for (size_t i = 0; i < n; i++)
    for (size_t l = 0; l < 4; l++) dst[i * 4 + l] = l < nch ? half_to_float(x[l * ch_stride + i]) : 0.0f;
  std::fill_n(dst + n * 4, hi * 4, 0.0f);
}

}  // namespace generic
}  // namespace
}  // namespace detail
}  // namespace armconv

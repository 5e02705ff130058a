// The B-combination packer of the strassen family (StrassenKernels::
// pack_b_combo, core/strassen.h), written once over a 4-float vector type V
// and instantiated by the NEON units (neon/strassen_combine.h: V =
// float32x4_t, neon/{aarch64,armv7}/strassen_combine_4.cpp) and the
// generic twin (generic/strassen_combine.cpp: V = 4 floats, one at a time).
// An anonymous namespace: each unit has its own copy (no code shared
// across units, core/strassen.h).
//
// V gives: V::T (the vector), load(const float*), store(float*, T),
// add(T, T), sub(T, T) (unaligned loads and stores).
//
// Layout (core/gemm.h, KR = 1, kcp = kc = k2): full panels row by row (NR
// floats of row kk at q NR k2 + kk NR), the last partial panel of r = nc %
// NR columns in the row layout or, when r <= edge_cols, in edge groups
// (packed_b_at: within each whole group of 4 rows a column's 4 k are
// contiguous), zeros elsewhere. Rows where both operands hold the whole
// panels' columns (all but the odd edges of the half-size blocks) take the
// straight path: per 4 columns 2 loads, 1 add, 1 store (a alone: 1 load,
// 1 store); the partial panel and the odd edges go element by element
// (strassen_combo_at, scalar in every unit: each element's value is a + b,
// a, +-b or 0, the same IEEE operation either way; armv7 NEON flushes a
// subnormal sum to zero where the scalar path keeps it, which the
// micro-kernel's NEON multiply-adds read as zero again).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "core/strassen.h"

namespace armconv {
namespace detail {
namespace {

// The value of a (+ or -) b at column j of a row, by which operands hold
// data there (a row's first ca columns of a, cb of b).
inline float strassen_combo_at(const float* xa, size_t ca, const float* xb, size_t cb, bool sub, size_t j) {
  if (j < ca) return j < cb ? (sub ? xa[j] - xb[j] : xa[j] + xb[j]) : xa[j];
  if (j < cb) return sub ? -xb[j] : xb[j];
  return 0.0f;
}

template <class V, size_t NR, bool HasB, bool Sub>
void strassen_pack_combo_t(const StrassenBlock& a_in, const StrassenBlock* b_in, size_t k2, size_t nc, size_t col0,
                           size_t edge_cols, float* dst) {
  // (local copies: the stores into dst cannot alias them, so their row
  // strides stay in registers across rows)
  const StrassenBlock a = a_in;
  const StrassenBlock bb = HasB ? *b_in : a_in;
  const StrassenBlock* const b = &bb;  // (read only where HasB)
  const size_t full = nc / NR, rem = nc % NR, fcols = full * NR, ps = NR * k2;
  const size_t wa = col0 < a.cols ? std::min(nc, a.cols - col0) : 0;
  const size_t wb = HasB && col0 < b->cols ? std::min(nc, b->cols - col0) : 0;
  float* const last = dst + fcols * k2;
  if (rem) std::memset(last, 0, NR * k2 * sizeof(float));
  const bool groups = rem && rem <= edge_cols;
  const size_t k4 = k2 / 4 * 4;
  // Rows [0, straight): both operands have data in every whole panel's columns.
  size_t straight = wa >= fcols ? std::min(k2, a.rows) : 0;
  if (HasB) straight = wb >= fcols ? std::min(straight, b->rows) : 0;
  const float* xa = a.row(0) + col0;
  const float* xb = HasB ? b->row(0) + col0 : nullptr;
  for (size_t kk = 0; kk < straight; kk++, xa += a.ld, xb += HasB ? b->ld : 0) {
    float* d = dst + kk * NR;
    for (size_t q = 0; q < full; q++, d += ps)
      for (size_t j = 0; j < NR; j += 4) {
        typename V::T va = V::load(xa + q * NR + j);
        if (HasB) {
          const typename V::T vb = V::load(xb + q * NR + j);
          va = Sub ? V::sub(va, vb) : V::add(va, vb);
        }
        V::store(d + j, va);
      }
    if (rem) {
      const bool g = groups && kk < k4;
      float* e = last + (g ? kk / 4 * 4 * NR + kk % 4 : kk * NR);
      const size_t step = g ? 4 : 1;
      for (size_t j = 0; j < rem; j++) e[j * step] = strassen_combo_at(xa, wa, xb, wb, Sub, fcols + j);
    }
  }
  for (size_t kk = straight; kk < k2; kk++) {  // the odd edges: element by element
    const size_t ca = kk < a.rows ? wa : 0;
    const size_t cb = HasB && kk < b->rows ? wb : 0;
    const float* ra = ca ? a.row(kk) + col0 : nullptr;
    const float* rb = cb ? b->row(kk) + col0 : nullptr;
    float* d = dst + kk * NR;
    for (size_t q = 0; q < full; q++)
      for (size_t j = 0; j < NR; j++) d[q * ps + j] = strassen_combo_at(ra, ca, rb, cb, Sub, q * NR + j);
    if (rem) {
      const bool g = groups && kk < k4;
      float* e = last + (g ? kk / 4 * 4 * NR + kk % 4 : kk * NR);
      const size_t step = g ? 4 : 1;
      for (size_t j = 0; j < rem; j++) e[j * step] = strassen_combo_at(ra, ca, rb, cb, Sub, fcols + j);
    }
  }
}

template <class V, size_t NR>
void strassen_pack_combo_ops(const StrassenBlock& a, const StrassenBlock* b, bool sub, size_t k2, size_t nc,
                             size_t col0, size_t edge_cols, float* dst) {
  if (!b) return strassen_pack_combo_t<V, NR, false, false>(a, b, k2, nc, col0, edge_cols, dst);
  if (sub) return strassen_pack_combo_t<V, NR, true, true>(a, b, k2, nc, col0, edge_cols, dst);
  strassen_pack_combo_t<V, NR, true, false>(a, b, k2, nc, col0, edge_cols, dst);
}

// StrassenKernels::pack_b_combo on V (nr: 12, 8 or 4).
template <class V>
void strassen_pack_b_combo(const StrassenBlock& a, const StrassenBlock* b, bool sub, size_t k2, size_t nc,
                           size_t col0, size_t nr, size_t edge_cols, float* dst) {
  switch (nr) {
    case 12: return strassen_pack_combo_ops<V, 12>(a, b, sub, k2, nc, col0, edge_cols, dst);
    case 8: return strassen_pack_combo_ops<V, 8>(a, b, sub, k2, nc, col0, edge_cols, dst);
    default: return strassen_pack_combo_ops<V, 4>(a, b, sub, k2, nc, col0, edge_cols, dst);
  }
}

}  // namespace
}  // namespace detail
}  // namespace armconv

// NEON pooling (the "pool" family; contract: core/pool.h), written once for
// both ISAs: neon/aarch64/pool_4.cpp, neon/armv7/pool_4.cpp. Intrinsics; an
// anonymous namespace, so each unit has its own copy.
//
// Staged rows, every shape. Output row oy first folds its window's in-map
// input rows (ky with 0 <= oy*sh - pt + ky*dh < h) column by column into one
// staged row V (vertical pass, 4 columns per vector op, up to 3 rows per
// pass), V[t] = fold over those rows of x[row][t - pl], V[t] = -inf (max) or
// 0 (avg) where t - pl is outside the row (written once per call: the vertical
// pass only rewrites the in-map columns). Then (horizontal pass) output ox
// folds V[ox*sw + kx*dw] over kx, 4 outputs per step: stride 1 plain loads,
// stride 2 LD2 / VLD2 (the even lane of each pair), larger strides one
// output at a time. Average multiplies by 1/count of the window (a row of
// reciprocals, rebuilt when the row count changes: only at the borders).
// V holds round_up(wo, 4)*sw + (kw-1)*dw + 4 floats, so the last partial
// vector of outputs reads V only; a partial vector is stored through a
// 4-float buffer, and x is read with vectors only inside each row.
//
// Max 3x3 stride 2 (ResNet's stem pool) fuses both passes: per 4 outputs, 3
// LD2 of 8 columns (one per input row) give the even and odd columns, FMAX
// folds them vertically, and the third tap is an EXT with the neighbouring
// group's vector: 3 LD2 + 4 FMAX + EXT + 2 FMAX + ST1 per 4 outputs (see
// pool_max3s2). Rows outside the map read a -inf row; the groups at the right
// edge are staged through scratch.
//
// Max 2x2 stride 2 without padding: per 4 outputs 2 LD2 + 3 FMAX + ST1
// (pool_max2s2).
//
// Global pooling (the window is the whole plane, no padding) reduces each
// plane with 4 vector accumulators, then across lanes.
//
// NaN: FMAX (aarch64) and VMAX.F32 (armv7) return NaN when either operand is
// NaN, as the contract requires; the scalar tails use max_nan.
#pragma once

#include <arm_neon.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/pool.h"

namespace armconv {
namespace detail {
namespace {

inline float max_nan(float m, float v) { return (v > m || v != v) ? v : m; }

struct PoolMax {
  static float32x4_t op(float32x4_t a, float32x4_t b) { return vmaxq_f32(a, b); }
  static float op1(float a, float b) { return max_nan(a, b); }
  static float fill() { return -__builtin_inff(); }
};
struct PoolSum {
  static float32x4_t op(float32x4_t a, float32x4_t b) { return vaddq_f32(a, b); }
  static float op1(float a, float b) { return a + b; }
  static float fill() { return 0.0f; }
};

inline size_t pool_round4(size_t n) { return (n + 3) / 4 * 4; }
inline size_t pool_stage_len(const PoolShape& s) {
  return pool_round4(s.wo) * s.sw + (s.kw - 1) * s.dw + 4;
}

size_t pool_scratch_floats(const PoolShape& s) {
  // Staged rows: V, the reciprocal row, the column counts, a 4-float store
  // buffer. The fused max kernels: a -inf row (round4(w) + 16 floats), 48
  // staged floats and the store buffer, within the last two terms + 4.
  return pool_round4(pool_stage_len(s)) + 2 * pool_round4(s.wo) + 4 + pool_round4(s.w) + 64;
}

// Vertical pass: v[j] = fold(rows r[0..n), j) for j < jn (Fold: also with v[j]).
template <class Op, int N, bool Fold>
void pool_vertical(float* v, const float* const* r, size_t jn) {
  size_t j = 0;
  for (; j + 4 <= jn; j += 4) {
    float32x4_t a = vld1q_f32(r[0] + j);
    if (N > 1) a = Op::op(a, vld1q_f32(r[1] + j));
    if (N > 2) a = Op::op(a, vld1q_f32(r[2] + j));
    if (Fold) a = Op::op(vld1q_f32(v + j), a);
    vst1q_f32(v + j, a);
  }
  for (; j < jn; j++) {
    float a = r[0][j];
    if (N > 1) a = Op::op1(a, r[1][j]);
    if (N > 2) a = Op::op1(a, r[2][j]);
    if (Fold) a = Op::op1(v[j], a);
    v[j] = a;
  }
}

template <class Op, bool Fold>
void pool_vertical_n(float* v, const float* const* r, int n, size_t jn) {
  if (n == 1) pool_vertical<Op, 1, Fold>(v, r, jn);
  else if (n == 2) pool_vertical<Op, 2, Fold>(v, r, jn);
  else pool_vertical<Op, 3, Fold>(v, r, jn);
}

inline void pool_store(float* y, float32x4_t a, size_t left, float* buf) {
  if (left >= 4) {
    vst1q_f32(y, a);
  } else {
    vst1q_f32(buf, a);
    std::memcpy(y, buf, left * sizeof(float));
  }
}

// Horizontal pass of one output row from V.
template <class Op, bool Avg>
void pool_horizontal(const PoolShape& s, const float* V, const float* inv, float* y, float* buf) {
  const size_t kw = s.kw, dw = s.dw;
  if (s.sw == 1 || s.sw == 2) {
    for (size_t ox = 0; ox < s.wo; ox += 4) {
      const float* b = V + ox * s.sw;
      float32x4_t a;
      if (s.sw == 1) {
        a = vld1q_f32(b);
        for (size_t kx = 1; kx < kw; kx++) a = Op::op(a, vld1q_f32(b + kx * dw));
      } else {
        a = vld2q_f32(b).val[0];
        for (size_t kx = 1; kx < kw; kx++) a = Op::op(a, vld2q_f32(b + kx * dw).val[0]);
      }
      if (Avg) a = vmulq_f32(a, vld1q_f32(inv + ox));
      pool_store(y + ox, a, s.wo - ox, buf);
    }
    return;
  }
  for (size_t ox = 0; ox < s.wo; ox++) {
    const float* b = V + ox * s.sw;
    float a = b[0];
    for (size_t kx = 1; kx < kw; kx++) a = Op::op1(a, b[kx * dw]);
    y[ox] = Avg ? a * inv[ox] : a;
  }
}

template <class Op, bool Avg>
void pool_staged(const PoolShape& s, const float* x, float* y, size_t planes, float* scratch) {
  const size_t vlen = pool_stage_len(s), wo4 = pool_round4(s.wo);
  float* const V = scratch;
  float* const inv = V + pool_round4(vlen);
  float* const colc = inv + wo4;
  float* const buf = colc + wo4;
  const float fill = Op::fill();
  // Columns of V that come from x: [pl, pl + jn).
  const size_t jn = vlen > s.pl ? (s.w < vlen - s.pl ? s.w : vlen - s.pl) : 0;
  for (size_t t = 0; t < vlen; t++)
    if (t < s.pl || t >= s.pl + jn) V[t] = fill;
  const long long h = (long long)s.h;
  const long long rlo = s.include_pad ? -(long long)s.pt : 0;
  const long long rhi = s.include_pad ? h + (long long)s.pb : h;
  if (Avg) {
    const long long clo = s.include_pad ? -(long long)s.pl : 0;
    const long long chi = s.include_pad ? (long long)(s.w + s.pr) : (long long)s.w;
    for (size_t ox = 0; ox < wo4; ox++)
      colc[ox] = ox < s.wo ? float(pool_axis_count(ox, s.sw, s.kw, s.dw, s.pl, clo, chi)) : 1.0f;
  }
  size_t inv_rows = size_t(-1);  // the row count inv was built for
  for (size_t p = 0; p < planes; p++) {
    const float* xp = x + p * s.h * s.w;
    float* yp = y + p * s.ho * s.wo;
    for (size_t oy = 0; oy < s.ho; oy++) {
      const long long y0 = (long long)(oy * s.sh) - (long long)s.pt;
      const float* r[3];
      int n = 0;
      bool first = true;
      for (size_t ky = 0; ky < s.kh; ky++) {
        const long long iy = y0 + (long long)(ky * s.dh);
        if (iy < 0 || iy >= h) continue;
        r[n++] = xp + size_t(iy) * s.w;
        if (n == 3) {
          if (first) pool_vertical_n<Op, false>(V + s.pl, r, n, jn);
          else pool_vertical_n<Op, true>(V + s.pl, r, n, jn);
          first = false;
          n = 0;
        }
      }
      if (n > 0) {
        if (first) pool_vertical_n<Op, false>(V + s.pl, r, n, jn);
        else pool_vertical_n<Op, true>(V + s.pl, r, n, jn);
        first = false;
      }
      if (first)
        for (size_t j = 0; j < jn; j++) V[s.pl + j] = fill;
      if (Avg) {
        const size_t ch = pool_axis_count(oy, s.sh, s.kh, s.dh, s.pt, rlo, rhi);
        if (ch != inv_rows) {
          for (size_t ox = 0; ox < wo4; ox++) inv[ox] = pool_inv_count(ch * size_t(colc[ox]));
          inv_rows = ch;
        }
      }
      pool_horizontal<Op, Avg>(s, V, inv, yp + oy * s.wo, buf);
    }
  }
}

// --- max 3x3 stride 2, no dilation, pt, pl <= 1 ----------------------------------
// Output row oy reads rows 2oy - pt + {0, 1, 2} (a -inf row where outside the
// map). Group g (outputs 4g..4g+3) loads columns 8g..8g+7 of each row with
// LD2 and folds the three rows: E = columns 8g + 2i, O = 8g + 2i + 1 (lane i).
//   pl = 0: taps 2ox, 2ox+1, 2ox+2: E, O and EXT(E, E', 1), E' the next
//           group's E (its lane 0 = column 8g + 8);
//   pl = 1: taps 2ox-1, 2ox, 2ox+1: EXT(O', O, 3), E, O, O' the previous
//           group's O (-inf before group 0).
// Per 4 outputs: 3 LD2, 4 FMAX (rows), EXT, 2 FMAX (taps), ST1, the loop.
// Groups whose columns pass the row (and the last partial group) take the
// edge path: the 16 columns from 8g - pl of each row staged with -inf outside
// the map, then the pl = 0 formula.
inline bool pool_max3s2_applies(const PoolShape& s) {
  return s.kh == 3 && s.kw == 3 && s.sh == 2 && s.sw == 2 && s.dh == 1 && s.dw == 1 && s.pt <= 1 &&
         s.pl <= 1;
}

inline float32x4x2_t pool_ld2_max3(const float* a, const float* b, const float* c) {
  const float32x4x2_t ra = vld2q_f32(a), rb = vld2q_f32(b), rc = vld2q_f32(c);
  float32x4x2_t m;
  m.val[0] = vmaxq_f32(vmaxq_f32(ra.val[0], rb.val[0]), rc.val[0]);
  m.val[1] = vmaxq_f32(vmaxq_f32(ra.val[1], rb.val[1]), rc.val[1]);
  return m;
}

inline float32x4_t pool_max3s2_pl0(const float32x4x2_t& m, float32x4_t e_next) {
  return vmaxq_f32(vmaxq_f32(m.val[0], m.val[1]), vextq_f32(m.val[0], e_next, 1));
}
inline float32x4_t pool_max3s2_pl1(const float32x4x2_t& m, float32x4_t o_prev) {
  return vmaxq_f32(vmaxq_f32(m.val[0], m.val[1]), vextq_f32(o_prev, m.val[1], 3));
}

// One output row, groups [0, g1) from the rows a, b, c (w floats each, or
// -inf rows), 8g1 + (PL ? 0 : 1) <= w columns read. Each step loads the next
// group's LD2 and carries it. (Unrolling by two groups, or post-incremented
// pointers, made GCC 12's code longer: struct copies of the LD2 results.)
template <int PL>
inline void pool_max3s2_row(const float* a, const float* b, const float* c, size_t g1, float* y) {
  if (g1 == 0) return;
  float32x4x2_t m = pool_ld2_max3(a, b, c);
  float32x4_t prev_o = vdupq_n_f32(-__builtin_inff());
  for (size_t g = 0; g + 1 < g1; g++) {
    const size_t c1 = 8 * (g + 1);
    const float32x4x2_t n = pool_ld2_max3(a + c1, b + c1, c + c1);
    float32x4_t o;
    if (PL == 0) {
      o = pool_max3s2_pl0(m, n.val[0]);
    } else {
      o = pool_max3s2_pl1(m, prev_o);
      prev_o = m.val[1];
    }
    vst1q_f32(y + 4 * g, o);
    m = n;
  }
  const size_t g = g1 - 1;
  float32x4_t o;
  if (PL == 0) {
    const size_t c1 = 8 * g1;  // column 8g + 8 < w: one float per row
    o = pool_max3s2_pl0(m, vdupq_n_f32(max_nan(max_nan(a[c1], b[c1]), c[c1])));
  } else {
    o = pool_max3s2_pl1(m, prev_o);
  }
  vst1q_f32(y + 4 * g, o);
}

// The fused max kernels' scratch: a row of -inf (round4(w) + 16 floats: what
// rows above and below the map read), 48 floats of staged columns (3 rows x
// 16 for 3x3, 2 rows x 8 for 2x2) and pool_store's buffer.
struct PoolFusedScratch {
  float *neg, *stage, *buf;
  PoolFusedScratch(float* scratch, size_t w) : neg(scratch), stage(scratch + pool_round4(w) + 16), buf(stage + 48) {
    for (size_t i = 0; i < pool_round4(w) + 16; i++) neg[i] = -__builtin_inff();
  }
};

void pool_max3s2(const PoolShape& s, const float* x, float* y, size_t planes, float* scratch) {
  const float32x4_t vninf = vdupq_n_f32(-__builtin_inff());
  const PoolFusedScratch fs(scratch, s.w);
  float* const neg = fs.neg;
  float* const stage = fs.stage;
  float* const buf = fs.buf;
  const size_t groups = (s.wo + 3) / 4;
  // Whole groups whose columns lie inside the row: 8g + 8 + (pl ? 0 : 1) <= w.
  const size_t need = s.pl ? 8 : 9;
  size_t g1 = s.w >= need ? (s.w - need) / 8 + 1 : 0;
  if (g1 > s.wo / 4) g1 = s.wo / 4;
  const long long h = (long long)s.h;
  for (size_t p = 0; p < planes; p++) {
    const float* xp = x + p * s.h * s.w;
    float* yp = y + p * s.ho * s.wo;
    for (size_t oy = 0; oy < s.ho; oy++) {
      const float* r[3];
      for (int k = 0; k < 3; k++) {
        const long long iy = (long long)(2 * oy) - (long long)s.pt + k;
        r[k] = iy >= 0 && iy < h ? xp + size_t(iy) * s.w : neg;
      }
      float* yr = yp + oy * s.wo;
      if (s.pl) pool_max3s2_row<1>(r[0], r[1], r[2], g1, yr);
      else pool_max3s2_row<0>(r[0], r[1], r[2], g1, yr);
      for (size_t g = g1; g < groups; g++) {
        // Columns c0 .. c0 + 15 of each row, -inf outside [0, w) (and for -inf rows).
        const long long c0 = (long long)(8 * g) - (long long)s.pl;
        const long long lo = c0 < 0 ? 0 : c0, hi = c0 + 16 < (long long)s.w ? c0 + 16 : (long long)s.w;
        for (int k = 0; k < 3; k++) {
          float* st = stage + 16 * k;
          vst1q_f32(st, vninf), vst1q_f32(st + 4, vninf), vst1q_f32(st + 8, vninf), vst1q_f32(st + 12, vninf);
          if (r[k] != neg)
            for (long long col = lo; col < hi; col++) st[col - c0] = r[k][col];
        }
        const float32x4x2_t m = pool_ld2_max3(stage, stage + 16, stage + 32);
        const float32x4x2_t n = pool_ld2_max3(stage + 8, stage + 24, stage + 40);
        const float32x4_t a = vmaxq_f32(vmaxq_f32(m.val[0], m.val[1]), vextq_f32(m.val[0], n.val[0], 1));
        pool_store(yr + 4 * g, a, s.wo - 4 * g, buf);
      }
    }
  }
}

// --- max 2x2 stride 2, no padding, no dilation (VGG, U-Net) ---------------------------
// Group g (outputs 4g..4g+3) of output row oy: LD2 of columns 8g..8g+7 of rows
// 2oy and 2oy+1, E/O folded: 2 LD2 + 3 FMAX + ST1 per 4 outputs. A row past
// the map (ceil mode) reads a -inf row; the groups past the last whole one
// are staged (16 columns per row, -inf outside the map).
inline bool pool_max2s2_applies(const PoolShape& s) {
  return s.kh == 2 && s.kw == 2 && s.sh == 2 && s.sw == 2 && s.dh == 1 && s.dw == 1 && s.pt == 0 &&
         s.pl == 0;
}

inline float32x4_t pool_max2s2_group(const float* a, const float* b) {
  const float32x4x2_t ra = vld2q_f32(a), rb = vld2q_f32(b);
  return vmaxq_f32(vmaxq_f32(ra.val[0], ra.val[1]), vmaxq_f32(rb.val[0], rb.val[1]));
}

void pool_max2s2(const PoolShape& s, const float* x, float* y, size_t planes, float* scratch) {
  const float32x4_t vninf = vdupq_n_f32(-__builtin_inff());
  const PoolFusedScratch fs(scratch, s.w);
  float* const neg = fs.neg;
  float* const stage = fs.stage;
  float* const buf = fs.buf;
  const size_t groups = (s.wo + 3) / 4;
  size_t g1 = s.w / 8;  // whole groups inside the row: 8g + 8 <= w
  if (g1 > s.wo / 4) g1 = s.wo / 4;
  const long long h = (long long)s.h;
  for (size_t p = 0; p < planes; p++) {
    const float* xp = x + p * s.h * s.w;
    float* yp = y + p * s.ho * s.wo;
    for (size_t oy = 0; oy < s.ho; oy++) {
      const float* r[2];
      for (int k = 0; k < 2; k++) {
        const long long iy = (long long)(2 * oy) + k;
        r[k] = iy < h ? xp + size_t(iy) * s.w : neg;
      }
      float* yr = yp + oy * s.wo;
      for (size_t g = 0; g < g1; g++) vst1q_f32(yr + 4 * g, pool_max2s2_group(r[0] + 8 * g, r[1] + 8 * g));
      for (size_t g = g1; g < groups; g++) {
        const size_t c0 = 8 * g, hi = c0 + 8 < s.w ? c0 + 8 : s.w;
        for (int k = 0; k < 2; k++) {
          float* st = stage + 8 * k;
          vst1q_f32(st, vninf), vst1q_f32(st + 4, vninf);
          if (r[k] != neg)
            for (size_t col = c0; col < hi; col++) st[col - c0] = r[k][col];
        }
        pool_store(yr + 4 * g, pool_max2s2_group(stage, stage + 8), s.wo - 4 * g, buf);
      }
    }
  }
}

// Global pooling: the window is the whole plane (no padding, no dilation
// that matters): a reduction of h*w contiguous floats.
inline bool pool_global(const PoolShape& s) {
  return s.ho == 1 && s.wo == 1 && s.kh == s.h && s.kw == s.w && s.pt == 0 && s.pl == 0 &&
         (s.kh == 1 || s.dh == 1) && (s.kw == 1 || s.dw == 1);
}

template <class Op>
float pool_reduce(const float* x, size_t n) {
  const float32x4_t f = vdupq_n_f32(Op::fill());
  float32x4_t a0 = f, a1 = f, a2 = f, a3 = f;
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    a0 = Op::op(a0, vld1q_f32(x + i));
    a1 = Op::op(a1, vld1q_f32(x + i + 4));
    a2 = Op::op(a2, vld1q_f32(x + i + 8));
    a3 = Op::op(a3, vld1q_f32(x + i + 12));
  }
  for (; i + 4 <= n; i += 4) a0 = Op::op(a0, vld1q_f32(x + i));
  a0 = Op::op(Op::op(a0, a1), Op::op(a2, a3));
  float r = Op::op1(Op::op1(vgetq_lane_f32(a0, 0), vgetq_lane_f32(a0, 1)),
                    Op::op1(vgetq_lane_f32(a0, 2), vgetq_lane_f32(a0, 3)));
  for (; i < n; i++) r = Op::op1(r, x[i]);
  return r;
}

void pool_max_neon(const PoolShape& s, const float* x, float* y, size_t planes, float* scratch) {
  if (pool_global(s)) {
    for (size_t p = 0; p < planes; p++) y[p] = pool_reduce<PoolMax>(x + p * s.h * s.w, s.h * s.w);
  } else if (pool_max3s2_applies(s)) {
    pool_max3s2(s, x, y, planes, scratch);
  } else if (pool_max2s2_applies(s)) {
    pool_max2s2(s, x, y, planes, scratch);
  } else {
    pool_staged<PoolMax, false>(s, x, y, planes, scratch);
  }
}

void pool_avg_neon(const PoolShape& s, const float* x, float* y, size_t planes, float* scratch) {
  if (pool_global(s)) {
    const long long h = (long long)s.h, w = (long long)s.w;
    const float inv = pool_inv_count(
        pool_axis_count(0, 1, s.kh, 1, 0, 0, s.include_pad ? h + (long long)s.pb : h) *
        pool_axis_count(0, 1, s.kw, 1, 0, 0, s.include_pad ? w + (long long)s.pr : w));
    for (size_t p = 0; p < planes; p++) y[p] = pool_reduce<PoolSum>(x + p * s.h * s.w, s.h * s.w) * inv;
  } else {
    pool_staged<PoolSum, true>(s, x, y, planes, scratch);
  }
}

}  // namespace
}  // namespace detail
}  // namespace armconv

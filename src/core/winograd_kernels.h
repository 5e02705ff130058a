// The Winograd transform kernels of every tile size, written once over a
// vector "Ops" policy and a tile-size traits struct (F23, F43, F63, and the
// stride-2 F23s2, F43s2 below),
// and instantiated per ISA (generic/winograd_ops.h: 4 plain floats,
// neon/winograd.h: float32x4_t). The NEON units of F(6,3) also run the same
// operations as inline assembly on aarch64 and armv7 (WA_IN_1D and
// WA_OUT_1D in neon/winograd63.h; F(4,3): W43_IN_1D and W43_OUT_1D in
// neon/winograd43.h, on aarch64; F23s2 and F43s2 on aarch64:
// neon/aarch64/winograd{23,43}s2_nc4.cpp: keep them in step). A vector is
// one pixel of 4 channels (nc4hw4); every transform is vector arithmetic on
// such pixels, the same operations for each lane, with no transposes inside;
// the only lane shuffles are in the NCHW stores of the output transform.
//
// An Ops policy provides: refresh() (called at the top of each transform
// loop; see neon/winograd.h), V, load/store (4 floats, any alignment), zero,
// dup, add/sub, min/max, mla<K>(a, b) = a + b*c[K], mls<K> = a - b*c[K],
// mul<K> = b*c[K] with c its constant table (the K indices below), and
// store_row<M>(p, ch, y, cols, nch): lane l (< nch) of the first `cols`
// (<= M) vectors y[] to `cols` consecutive floats at p + l * ch, with
// store_row_full<M>(p, ch, y) its cols = M, nch = 4 case.
//
// Contracts: see core/winograd.h (wino_input_fn, wino_output_fn).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "core/winograd.h"

namespace armconv {
namespace detail {
namespace wino {

// ---- F(6x6, 3x3) -----------------------------------------------------------------

// Constant tables (the Ops' c[K]).
enum InConst { kI5_25, kI4_25, kI0_25, kI1_25, kI0_5, kI2_5, kI2, kI4, kInConsts };
constexpr float kInConstValues[12] = {5.25f, 4.25f, 0.25f, 1.25f, 0.5f, 2.5f, 2.0f, 4.0f, 0, 0, 0, 0};
enum OutConst { kO2, kO0_5, kO4, kO0_25, kO8, kO0_125, kO16, kO0_0625, kO32, kO0_03125, kOutConsts };
constexpr float kOutConstValues[12] = {2.0f, 0.5f, 4.0f,    0.25f,  8.0f, 0.125f,
                                       16.0f, 0.0625f, 32.0f, 0.03125f, 0, 0};

struct F63 {
  static constexpr size_t m = 6, n = 8;
  static constexpr const float* in_consts = kInConstValues;
  static constexpr const float* out_consts = kOutConstValues;

  // t = B^T d for one column of 8 (27 operations). Rows of B^T regrouped as
  // even/odd halves so that rows 1/2, 3/4 and 5/6 share their partial sums:
  //   t1,2 = (d2 + d6 - 4.25 d4) +- (d1 + d5 - 4.25 d3)
  //   t3,4 = ((d6 - q) + 0.25 d2) +- (0.5 d1 - 2.5 d3 + 2 d5),   q = 1.25 d4
  //   t5,6 = (d6 + 4 (d2 - q)) +- (2 d1 - 2.5 d3 + 0.5 d5)
  template <class Ops, class V = typename Ops::V>
  static void input_1d(const Ops& o, const V* d, V* t) {
    t[0] = o.template mla<kI5_25>(o.sub(d[0], d[6]), o.sub(d[4], d[2]));
    t[7] = o.template mla<kI5_25>(o.sub(d[7], d[1]), o.sub(d[3], d[5]));
    V a = o.template mls<kI4_25>(o.add(d[2], d[6]), d[4]);
    V b = o.template mls<kI4_25>(o.add(d[1], d[5]), d[3]);
    t[1] = o.add(a, b);
    t[2] = o.sub(a, b);
    // Accumulators are fresh values (q, s, products) or dying inputs, so that
    // the destructive fmla needs no register copies.
    const V q = o.template mul<kI1_25>(d[4]);
    a = o.template mla<kI0_25>(o.sub(d[6], q), d[2]);
    b = o.template mla<kI2>(o.template mls<kI2_5>(o.template mul<kI0_5>(d[1]), d[3]), d[5]);
    t[3] = o.add(a, b);
    t[4] = o.sub(a, b);
    a = o.template mla<kI4>(d[6], o.sub(d[2], q));
    b = o.template mla<kI0_5>(o.template mls<kI2_5>(o.template mul<kI2>(d[1]), d[3]), d[5]);
    t[5] = o.add(a, b);
    t[6] = o.sub(a, b);
  }

  // y = A^T m for one column of 8 -> 6 (20 operations): with the pair sums and
  // differences s1 = m1 + m2, d1 = m1 - m2 (and s3, d3, s5, d5 likewise),
  //   y0 = m0 + s1 + s3 + s5,  y2k = s1 + 4^k s3 + 4^-k s5,
  //   y2k+1 = d1 + 2^(2k+1) d3 + 2^-(2k+1) d5 (+ m7 for y5).
  template <class Ops, class V = typename Ops::V>
  static void output_1d(const Ops& o, const V* m, V* y) {
    const V s1 = o.add(m[1], m[2]), d1 = o.sub(m[1], m[2]);
    const V s3 = o.add(m[3], m[4]), d3 = o.sub(m[3], m[4]);
    const V s5 = o.add(m[5], m[6]), d5 = o.sub(m[5], m[6]);
    y[0] = o.add(o.add(m[0], s1), o.add(s3, s5));
    y[1] = o.template mla<kO0_5>(o.template mla<kO2>(d1, d3), d5);
    y[2] = o.template mla<kO0_25>(o.template mla<kO4>(s1, s3), s5);
    y[3] = o.template mla<kO0_125>(o.template mla<kO8>(d1, d3), d5);
    y[4] = o.template mla<kO0_0625>(o.template mla<kO16>(s1, s3), s5);
    y[5] = o.template mla<kO0_03125>(o.template mla<kO32>(o.add(d1, m[7]), d3), d5);
  }
};

// ---- F(4x4, 3x3) -----------------------------------------------------------------

enum In43Const { kJ4, kJ2, kIn43Consts };
constexpr float kIn43ConstValues[12] = {4.0f, 2.0f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
enum Out43Const { kP2, kP4, kP8, kOut43Consts };
constexpr float kOut43ConstValues[12] = {2.0f, 4.0f, 8.0f, 0, 0, 0, 0, 0, 0, 0, 0, 0};

struct F43 {
  static constexpr size_t m = 4, n = 6;
  static constexpr const float* in_consts = kIn43ConstValues;
  static constexpr const float* out_consts = kOut43ConstValues;

  // t = B^T d for one column of 6 (13 operations, as W43_IN_1D in
  // neon/winograd43.h): with c = d4 - d2, e2 = 2 (d3 - d1) (rows 0, 3, 4, 5)
  // and a = d4 - 4 d2, b = d3 - 4 d1 (rows 1, 2),
  //   t0 = c + 4 (d0 - d2),  t1,2 = a +- b,  t3,4 = c +- e2,
  //   t5 = (d5 - d3) - 2 e2.
  template <class Ops, class V = typename Ops::V>
  static void input_1d(const Ops& o, const V* d, V* t) {
    const V c = o.sub(d[4], d[2]);
    V e2 = o.sub(d[3], d[1]);
    e2 = o.add(e2, e2);
    t[5] = o.template mls<kJ2>(o.sub(d[5], d[3]), e2);
    const V a = o.template mls<kJ4>(d[4], d[2]);
    const V b = o.template mls<kJ4>(d[3], d[1]);
    t[1] = o.add(a, b);
    t[2] = o.sub(a, b);
    t[3] = o.add(c, e2);
    t[4] = o.sub(c, e2);
    t[0] = o.template mla<kJ4>(c, o.sub(d[0], d[2]));
  }

  // y = A^T m for one column of 6 -> 4 (10 operations, as W43_OUT_1D in
  // neon/winograd43.h): s1 = m1 + m2,
  // d1 = m1 - m2, s3 = m3 + m4, d3 = m3 - m4;
  //   y0 = (m0 + s1) + s3,  y1 = d1 + 2 d3,  y2 = s1 + 4 s3,  y3 = (d1 + m5) + 8 d3.
  template <class Ops, class V = typename Ops::V>
  static void output_1d(const Ops& o, const V* m, V* y) {
    const V s1 = o.add(m[1], m[2]), d1 = o.sub(m[1], m[2]);
    const V s3 = o.add(m[3], m[4]), d3 = o.sub(m[3], m[4]);
    y[0] = o.add(o.add(m[0], s1), s3);
    y[1] = o.template mla<kP2>(d1, d3);
    y[2] = o.template mla<kP4>(s1, s3);
    y[3] = o.template mla<kP8>(o.add(d1, m[5]), d3);
  }
};

// ---- F(2x2, 3x3) -----------------------------------------------------------------

constexpr float kNoConstValues[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

struct F23 {
  static constexpr size_t m = 2, n = 4;
  static constexpr const float* in_consts = kNoConstValues;
  static constexpr const float* out_consts = kNoConstValues;

  // t = B^T d (4 operations): t0 = d0 - d2, t1 = d1 + d2, t2 = d2 - d1, t3 = d1 - d3.
  template <class Ops, class V = typename Ops::V>
  static void input_1d(const Ops& o, const V* d, V* t) {
    t[0] = o.sub(d[0], d[2]);
    t[1] = o.add(d[1], d[2]);
    t[2] = o.sub(d[2], d[1]);
    t[3] = o.sub(d[1], d[3]);
  }

  // y = A^T m (4 operations): y0 = (m0 + m1) + m2, y1 = (m1 - m2) - m3.
  template <class Ops, class V = typename Ops::V>
  static void output_1d(const Ops& o, const V* m, V* y) {
    y[0] = o.add(o.add(m[0], m[1]), m[2]);
    y[1] = o.sub(o.sub(m[1], m[2]), m[3]);
  }
};

// ---- stride 2: F(2x2, 3x3) s2 and F(4x4, 3x3) s2 (core/winograd.h) ---------------
//
// A 1-D transform of the natural-order patch d0 .. d_2m: F(m,2)'s B^T on the
// even samples e_j = d_2j to t0 .. t_m, the odd samples d_2i+1 copied to
// t_m+1+i; the output adds the odd products m_m+1+i to F(m,2)'s A^T.

struct F23s2 {
  static constexpr size_t m = 2, n = 5;
  static constexpr const float* in_consts = kNoConstValues;
  static constexpr const float* out_consts = kNoConstValues;

  // t = B'^T d (2 operations): t0 = d0 - d2, t1 = d2, t2 = d4 - d2, t3 = d1, t4 = d3.
  // input_even: t0 .. t2 only (reads the even d only).
  template <class Ops, class V = typename Ops::V>
  static void input_even(const Ops& o, const V* d, V* t) {
    t[0] = o.sub(d[0], d[2]);
    t[1] = d[2];
    t[2] = o.sub(d[4], d[2]);
  }
  template <class Ops, class V = typename Ops::V>
  static void input_1d(const Ops& o, const V* d, V* t) {
    input_even(o, d, t);
    t[3] = d[1];
    t[4] = d[3];
  }

  // y = A'^T m (4 operations): y0 = (m0 + m1) + m3, y1 = (m1 + m2) + m4.
  template <class Ops, class V = typename Ops::V>
  static void output_1d(const Ops& o, const V* m, V* y) {
    y[0] = o.add(o.add(m[0], m[1]), m[3]);
    y[1] = o.add(o.add(m[1], m[2]), m[4]);
  }
};

enum In43s2Const { kS2, kS3, kIn43s2Consts };
constexpr float kIn43s2ConstValues[12] = {2.0f, 3.0f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

struct F43s2 {
  static constexpr size_t m = 4, n = 9;
  static constexpr const float* in_consts = kIn43s2ConstValues;
  static constexpr const float* out_consts = kOut43ConstValues;  // 2, 4, 8 (as F(4,3)'s)

  // t = B'^T d (9 operations), on e_j = d_2j with a = e3 - e1:
  //   t0 = a + 2 (e0 - e2),  t1 = (e1 + e2) - a,  t2 = a + 3 (e1 - e2),
  //   t3 = a,                t4 = (e4 - e2) - 2 a,  t5..t8 = d1, d3, d5, d7.
  // input_even: t0 .. t4 only (reads the even d only).
  template <class Ops, class V = typename Ops::V>
  static void input_even(const Ops& o, const V* d, V* t) {
    const V a = o.sub(d[6], d[2]);
    t[0] = o.template mla<kS2>(a, o.sub(d[0], d[4]));
    t[1] = o.sub(o.add(d[2], d[4]), a);
    t[2] = o.template mla<kS3>(a, o.sub(d[2], d[4]));
    t[4] = o.template mls<kS2>(o.sub(d[8], d[4]), a);
    t[3] = a;
  }
  template <class Ops, class V = typename Ops::V>
  static void input_1d(const Ops& o, const V* d, V* t) {
    input_even(o, d, t);
    t[5] = d[1];
    t[6] = d[3];
    t[7] = d[5];
    t[8] = d[7];
  }

  // y = A'^T m (12 operations): s = m1 + m2, d = m1 - m2;
  //   y0 = ((m0 + s) + m3) + m5,  y1 = (d + 2 m3) + m6,
  //   y2 = (s + 4 m3) + m7,       y3 = ((d + m4) + 8 m3) + m8.
  template <class Ops, class V = typename Ops::V>
  static void output_1d(const Ops& o, const V* m, V* y) {
    const V s = o.add(m[1], m[2]), d = o.sub(m[1], m[2]);
    y[0] = o.add(o.add(o.add(m[0], s), m[3]), m[5]);
    y[1] = o.add(o.template mla<kP2>(d, m[3]), m[6]);
    y[2] = o.add(o.template mla<kP4>(s, m[3]), m[7]);
    y[3] = o.add(o.template mla<kP8>(o.add(d, m[4]), m[3]), m[8]);
  }
};

// ---- F(4x4, 3x3) on {0, +-2/3, +-3/2, inf} (the fp16 Winograd) ---------------------
//
// a = 2/3, b = 3/2 = 1/a; the constants are rounded to fp32 (core/winograd.h).
enum In43hConst { kHK, kHA2, kHA, kHB, kHD, kIn43hConsts };  // K = a^2 + b^2, D = b^2 - a^2
constexpr float kIn43hConstValues[12] = {float(97.0 / 36), float(4.0 / 9), float(2.0 / 3), 1.5f, float(65.0 / 36),
                                         0, 0, 0, 0, 0, 0, 0};
enum Out43hConst { kQA, kQB, kQB2, kOut43hConsts };
constexpr float kOut43hConstValues[12] = {float(2.0 / 3), 1.5f, 2.25f, 0, 0, 0, 0, 0, 0, 0, 0, 0};

// The same constants rounded to binary16 (to nearest even; the fp16 input
// transform, core/winograd.h): 97/36 -> 2.6953125, 4/9 -> 0.44433594,
// 2/3 -> 0.66650391, 3/2, 65/36 -> 1.8056641, as bits, in kIn43hConst order.
constexpr uint16_t kIn43hHalfBits[8] = {0x4164, 0x371c, 0x3955, 0x3e00, 0x3f39, 0, 0, 0};

// The matrices are in core/winograd.h (F(4,3)h).
struct F43h {
  static constexpr size_t m = 4, n = 6;
  static constexpr const float* in_consts = kIn43hConstValues;
  static constexpr const float* out_consts = kOut43hConstValues;

  // t = B^T d for one column of 6 (14 operations, as H43_IN_1D in
  // neon/aarch64/winograd43_nc8h.cpp: keep them in step). Rows t1..t4 are
  // (d4 - p^2 d2) +- p' (d3 - p^2 d1) for {p, p'} = {b, a} and {a, b}; with
  // a b = 1, a (d3 - b^2 d1) = a d3 - b d1 and b (d3 - a^2 d1) = b d3 - a d1:
  //   t0 = (d0 + d4) - K d2,        t5 = (d5 + d1) - K d3,
  //   e = d4 - a^2 d2,  o = b d3 - a d1,         t3 = e + o,   t4 = e - o,
  //   e' = e - D d2 (= d4 - b^2 d2),  o' = a d3 - b d1,   t1 = e' + o',  t2 = e' - o'.
  template <class Ops, class V = typename Ops::V>
  static void input_1d(const Ops& o, const V* d, V* t) {
    t[0] = o.template mls<kHK>(o.add(d[0], d[4]), d[2]);
    t[5] = o.template mls<kHK>(o.add(d[5], d[1]), d[3]);
    const V e = o.template mls<kHA2>(d[4], d[2]);
    const V od = o.template mls<kHA>(o.template mul<kHB>(d[3]), d[1]);
    t[3] = o.add(e, od);
    t[4] = o.sub(e, od);
    const V e2 = o.template mls<kHD>(e, d[2]);
    const V od2 = o.template mls<kHB>(o.template mul<kHA>(d[3]), d[1]);
    t[1] = o.add(e2, od2);
    t[2] = o.sub(e2, od2);
  }

  // y = A^T m for one column of 6 -> 4 (10 operations): s1 = m1 + m2,
  // d1 = m1 - m2, s3 = m3 + m4, d3 = m3 - m4;
  //   y0 = (m0 + b^2 s1) + a s3,   y1 = d3 + b d1,
  //   y2 = s1 + b s3,              y3 = (m5 + a d1) + b^2 d3.
  template <class Ops, class V = typename Ops::V>
  static void output_1d(const Ops& o, const V* m, V* y) {
    const V s1 = o.add(m[1], m[2]), d1 = o.sub(m[1], m[2]);
    const V s3 = o.add(m[3], m[4]), d3 = o.sub(m[3], m[4]);
    y[0] = o.template mla<kQA>(o.template mla<kQB2>(m[0], s1), s3);
    y[3] = o.template mla<kQB2>(o.template mla<kQA>(m[5], d1), d3);
    y[1] = o.template mla<kQB>(d3, d1);
    y[2] = o.template mla<kQB>(s1, s3);
  }
};

// ---- tiles -------------------------------------------------------------------------

// wino_input_fn. The row pass (B^T on each patch row, i.e. d B) goes to `e`,
// stored column-major so that the column pass (B^T on each column of d B)
// loads its n inputs contiguously; position (i, j) = n i + j of the result
// is stored straight to the GEMM's input, one vector of 4 channels each.
template <class Ops, class F>
void input_tile(const float* src, size_t src_row, float* dst, size_t dst_pos) {
  using V = typename Ops::V;
  constexpr size_t n = F::n;
  Ops o(F::in_consts);
  alignas(16) float e[n][n][4];  // e[j][r]: row pass output, column j of row r
  for (size_t r = 0; r < n; r++) {
    o.refresh();
    V d[n], out[n];
    for (size_t c = 0; c < n; c++) d[c] = o.load(src + r * src_row + c * 4);
    F::input_1d(o, d, out);
    for (size_t j = 0; j < n; j++) o.store(e[j][r], out[j]);
  }
  for (size_t j = 0; j < n; j++) {
    o.refresh();
    V col[n], v[n];
    for (size_t r = 0; r < n; r++) col[r] = o.load(e[j][r]);
    F::input_1d(o, col, v);
    for (size_t i = 0; i < n; i++) o.store(dst + (n * i + j) * dst_pos, v[i]);
  }
}

// wino_input_fn of the stride-2 tiles (F23s2, F43s2): as input_tile, but
// the row pass computes only its m + 1 transformed columns (from the even
// pixels of each row: input_even), and the column pass reads the other m
// columns of d B', which are the patch's odd columns unchanged, straight
// from the patch. Per tile x 4 channels this saves n m loads, n m stores
// and the loads of the odd pixels in the row pass.
template <class Ops, class F>
void input_tile_s2(const float* src, size_t src_row, float* dst, size_t dst_pos) {
  using V = typename Ops::V;
  constexpr size_t n = F::n, ne = F::m + 1;
  Ops o(F::in_consts);
  alignas(16) float e[ne][n][4];  // e[j][r]: row pass output, column j <= m of row r
  for (size_t r = 0; r < n; r++) {
    o.refresh();
    V d[n], out[ne];
    for (size_t c = 0; c < n; c += 2) d[c] = o.load(src + r * src_row + c * 4);
    F::input_even(o, d, out);
    for (size_t j = 0; j < ne; j++) o.store(e[j][r], out[j]);
  }
  for (size_t j = 0; j < n; j++) {
    o.refresh();
    V col[n], v[n];
    if (j < ne)
      for (size_t r = 0; r < n; r++) col[r] = o.load(e[j][r]);
    else  // column j of d B' is the patch's column 2 (j - ne) + 1
      for (size_t r = 0; r < n; r++) col[r] = o.load(src + r * src_row + (2 * (j - ne) + 1) * 4);
    F::input_1d(o, col, v);
    for (size_t i = 0; i < n; i++) o.store(dst + (n * i + j) * dst_pos, v[i]);
  }
}

// wino_output_fn. The column pass (A^T on each column of M) goes to `f`, the
// row pass (A^T on each row of f) gives the m x m output, clamped and stored
// straight to NCHW row by row (store_row_full for full tiles, store_row for
// edge tiles cut to the map or to nch channels).
// Tile: WinoOutTile (float output) or WinoOutTileH (binary16: the Ops'
// store_row / store_row_full for Half round each value, as FCVTN).
template <class Ops, class F, class Tile = WinoOutTile>
void output_tile(const float* src, size_t src_pos, const Tile& ot, size_t nch, size_t dst_ch,
                 size_t dst_row, bool clamp, float lo, float hi) {
  using V = typename Ops::V;
  constexpr size_t n = F::n, m = F::m;
  Ops o(F::out_consts);
  alignas(16) float f[m][n][4];  // column pass output: f[a][j]
  for (size_t j = 0; j < n; j++) {
    o.refresh();
    V mm[n], y[m];
    for (size_t i = 0; i < n; i++) mm[i] = o.load(src + (n * i + j) * src_pos);
    F::output_1d(o, mm, y);
    for (size_t a = 0; a < m; a++) o.store(f[a][j], y[a]);
  }
  const V vlo = o.dup(lo), vhi = o.dup(hi);
  const bool full = ot.rows == m && ot.cols == m && nch == 4;
  for (size_t a = 0; a < ot.rows; a++) {
    o.refresh();
    V mm[n], y[m];
    for (size_t j = 0; j < n; j++) mm[j] = o.load(f[a][j]);
    F::output_1d(o, mm, y);
    if (clamp)
      for (size_t b = 0; b < m; b++) y[b] = o.min(o.max(y[b], vlo), vhi);
    if (full)
      o.template store_row_full<m>(ot.dst + a * dst_row, dst_ch, y);
    else
      o.template store_row<m>(ot.dst + a * dst_row, dst_ch, y, ot.cols, nch);
  }
}

// ---- fp16 tiles (core/winograd.h: wino_input_h_fn, wino_output_h_fn) -------------
//
// The Ops policy also provides store_h8(p, a, b): the 8 lanes of a, b
// rounded to binary16 (to nearest even) at p[0..7], and store_row /
// store_row_full to Half* (M = 2, 4) rounding each value.

// wino_input_h_fn: input_tile's arithmetic on the two quads of an octet; the
// column passes of both run side by side so that position p's 8 lanes are
// converted and stored together.
template <class Ops, class F>
void input_tile_h(const float* src0, const float* src1, size_t src_row, Half* dst, size_t dst_pos) {
  using V = typename Ops::V;
  constexpr size_t n = F::n;
  Ops o(F::in_consts);
  alignas(16) float e[2][n][n][4];  // e[h][j][r]: row pass output of quad h
  const float* src[2] = {src0, src1};
  const size_t quads = src1 ? 2 : 1;
  for (size_t h = 0; h < quads; h++)
    for (size_t r = 0; r < n; r++) {
      o.refresh();
      V d[n], out[n];
      for (size_t c = 0; c < n; c++) d[c] = o.load(src[h] + r * src_row + c * 4);
      F::input_1d(o, d, out);
      for (size_t j = 0; j < n; j++) o.store(e[h][j][r], out[j]);
    }
  for (size_t j = 0; j < n; j++) {
    o.refresh();
    V v[2][n];
    for (size_t h = 0; h < quads; h++) {
      V col[n];
      for (size_t r = 0; r < n; r++) col[r] = o.load(e[h][j][r]);
      F::input_1d(o, col, v[h]);
    }
    if (!src1)
      for (size_t i = 0; i < n; i++) v[1][i] = o.zero();
    for (size_t i = 0; i < n; i++) o.store_h8(dst + (n * i + j) * dst_pos, v[0][i], v[1][i]);
  }
}

// wino_input_h8_fn: input_tile's arithmetic on one nc8 binary16 vector per
// pixel (an Ops policy whose V is 8 binary16 lanes, every operation rounded
// to binary16, constants: kIn43hHalfBits; loads and stores of 8 Halfs).
template <class Ops, class F>
void input_tile_h8(const Half* src, size_t src_row, Half* dst, size_t dst_pos) {
  using V = typename Ops::V;
  constexpr size_t n = F::n;
  Ops o;
  alignas(16) Half e[n][n][8];  // e[j][r]: row pass output, column j of row r
  for (size_t r = 0; r < n; r++) {
    V d[n], out[n];
    for (size_t c = 0; c < n; c++) d[c] = o.load(src + r * src_row + c * 8);
    F::input_1d(o, d, out);
    for (size_t j = 0; j < n; j++) o.store(e[j][r], out[j]);
  }
  for (size_t j = 0; j < n; j++) {
    V col[n], v[n];
    for (size_t r = 0; r < n; r++) col[r] = o.load(e[j][r]);
    F::input_1d(o, col, v);
    for (size_t i = 0; i < n; i++) o.store(dst + (n * i + j) * dst_pos, v[i]);
  }
}

// The fp16 F(4,3)'s output contract (core/winograd.h): up to 16 channels,
// output_tile per quad of them.
template <class Ops, class F, class Tile = WinoOutTile>
void output_tile_q(const float* src, size_t src_pos, const Tile& ot, size_t nch, size_t dst_ch, size_t dst_row,
                   bool clamp, float lo, float hi) {
  for (size_t q = 0; 4 * q < nch; q++)
    output_tile<Ops, F, Tile>(src + 4 * q, src_pos, Tile{ot.dst + 4 * q * dst_ch, ot.rows, ot.cols},
                              std::min<size_t>(4, nch - 4 * q), dst_ch, dst_row, clamp, lo, hi);
}

// wino_output_h_fn: output_tile with each output rounded to binary16 as it
// is stored.
template <class Ops, class F>
void output_tile_h(const float* src, size_t src_pos, const WinoOutTileH& ot, size_t nch, size_t dst_ch,
                   size_t dst_row, bool clamp, float lo, float hi) {
  output_tile<Ops, F, WinoOutTileH>(src, src_pos, ot, nch, dst_ch, dst_row, clamp, lo, hi);
}

}  // namespace wino
}  // namespace detail
}  // namespace armconv

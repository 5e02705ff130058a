// The im2col matrix of one convolution group, and its geometry: the one place
// that works out which input pixel each (row k, column n) of it reads. Every
// im2col packer (generic for any element type, NEON fp32, the staged packer
// of the GEMM driver) walks the matrix through im2col_tap() and im2col_runs().
//
//   row k = (c * kh + ky) * kw + kx          (tap t = ky * kw + kx, k = c * taps + t)
//   column n = oy * wo + ox
//   B[k][n] = x[c][iy][ix],  iy = oy * sh - pad_top + ky * dh,
//                            ix = ox * sw - pad_left + kx * dw   (0 outside the image)
//
// Which columns of a row read the image, and from where, depends only on the
// tap, not on the channel: a packer resolves the geometry once per tap and
// block of columns and copies the same runs for every channel.
//
// Index arithmetic: stride, dilation and padding may each be up to 2^31 - 1
// (Conv2dParams' limit), so products such as ox * sw do not fit a 32-bit
// size_t (armv7). Everything that can exceed the image is computed in 64-bit
// signed integers; only offsets of pixels inside the image (which exists in
// memory) are converted to size_t. Divisions use 32-bit operations when both
// operands fit (64-bit division is a library call on armv7).
//
// The helpers are inline functions in an anonymous namespace: each
// translation unit that uses them gets its own copy, so an ISA-extension unit
// (built with other -march flags) can include this header without sharing a
// symbol with baseline code.
#pragma once

#include <cstddef>
#include <cstdint>

namespace armconv {
namespace detail {

struct Im2colGeom {
  const void* x;            // the group's first input channel: `channels` planes of h x w elements
  size_t channels, h, w;    // (element type: the packer's B type)
  size_t kh, kw;            // kernel taps; K = channels * kh * kw
  int64_t sh, sw, dh, dw;   // stride, dilation (>= 1)
  int64_t pad_top, pad_left;
  size_t ho, wo;            // output map: N = ho * wo columns
};

namespace {

// floor(a / b) for 0 <= a, 0 < b.
inline uint64_t im2col_udiv(uint64_t a, uint64_t b) {
  if (((a | b) >> 32) == 0) return uint32_t(a) / uint32_t(b);
  return a / b;
}

// One tap (ky, kx) of the geometry.
struct Im2colTap {
  size_t ky, kx;
  int64_t iy0;           // input row of output row oy: oy * sh + iy0
  int64_t ix0;           // input column of output column ox: ox * sw + ix0
  size_t ox_lo, ox_hi;   // output columns whose input column is inside [0, w)
};

inline Im2colTap im2col_tap(const Im2colGeom& g, size_t tap) {
  Im2colTap t;
  t.ky = tap / g.kw;
  t.kx = tap % g.kw;
  t.iy0 = int64_t(t.ky) * g.dh - g.pad_top;
  t.ix0 = int64_t(t.kx) * g.dw - g.pad_left;
  const int64_t w = int64_t(g.w), sw = g.sw;
  // ox * sw + ix0 >= 0  <=>  ox >= ceil(-ix0 / sw);  ox * sw + ix0 < w  <=>  ox < ceil((w - ix0) / sw).
  uint64_t lo = t.ix0 >= 0 ? 0 : im2col_udiv(uint64_t(-t.ix0) + uint64_t(sw) - 1, uint64_t(sw));
  uint64_t hi = t.ix0 >= w ? 0 : im2col_udiv(uint64_t(w - t.ix0) + uint64_t(sw) - 1, uint64_t(sw));
  if (hi > g.wo) hi = g.wo;
  if (lo > hi) lo = hi;
  t.ox_lo = size_t(lo);
  t.ox_hi = size_t(hi);
  return t;
}

// The part of one output row that a block of columns covers, for one tap:
// block columns [j, j + len); of these, [j + lead, j + lead + count) read
// input row iy (count = 0: none), the first of them at element offset `src`
// of the channel plane, each next one sw elements further; the others read
// padding (zero).
struct Im2colRun {
  size_t j, len, lead, count;
  size_t src;
};

// The runs of block columns [n0, n0 + nc) of tap t, one per output row the
// block crosses, left to right (they cover [0, nc) exactly once):
//   for (Im2colRuns it(g, t, n0, nc); it.next(&r);) ...
// (An iterator rather than a callback: its state stays in registers in the
// packers' loops.)
class Im2colRuns {
 public:
  Im2colRuns(const Im2colGeom& g, const Im2colTap& t, size_t n0, size_t nc)
      : Im2colRuns(g, t, n0 / g.wo, n0 % g.wo, nc) {}
  // The same with column n0 given as output row oy0, column ox0.
  Im2colRuns(const Im2colGeom& g, const Im2colTap& t, size_t oy0, size_t ox0, size_t nc)
      : wo_(g.wo), w_(g.w), lo_(t.ox_lo), hi_(t.ox_hi), nc_(nc), j_(0), ox_(ox0),
        h_(int64_t(g.h)), sh_(g.sh), sw_(g.sw), ix0_(t.ix0), iy_(int64_t(oy0) * g.sh + t.iy0) {}

  bool next(Im2colRun* r) {
    if (j_ >= nc_) return false;
    r->j = j_;
    r->len = wo_ - ox_ < nc_ - j_ ? wo_ - ox_ : nc_ - j_;
    r->lead = r->count = r->src = 0;
    if (iy_ >= 0 && iy_ < h_) {
      const size_t a = ox_ > lo_ ? ox_ : lo_;
      const size_t b = ox_ + r->len < hi_ ? ox_ + r->len : hi_;
      if (a < b) {
        r->lead = a - ox_;
        r->count = b - a;
        r->src = size_t(iy_) * w_ + size_t(int64_t(a) * sw_ + ix0_);
      }
    }
    j_ += r->len;
    ox_ = 0;
    iy_ += sh_;
    return true;
  }

 private:
  // Copies of the geometry, not references: a packer's stores may alias it
  // (int8 data), and its fields would be reloaded after each one.
  size_t wo_, w_, lo_, hi_, nc_, j_, ox_;
  int64_t h_, sh_, sw_, ix0_, iy_;
};

// Calls f(run) for each run (see Im2colRuns).
template <class F>
inline void im2col_runs(const Im2colGeom& g, const Im2colTap& t, size_t n0, size_t nc, F&& f) {
  Im2colRun r;
  for (Im2colRuns it(g, t, n0, nc); it.next(&r);) f(r);
}

// Whether any of block columns [n0, n0 + nc) reads padding for tap t.
inline bool im2col_block_pads(const Im2colGeom& g, const Im2colTap& t, size_t n0, size_t nc) {
  if (t.ox_lo > 0 || t.ox_hi < g.wo) return true;
  const int64_t iy_first = int64_t(n0 / g.wo) * g.sh + t.iy0;
  const int64_t iy_last = int64_t((n0 + nc - 1) / g.wo) * g.sh + t.iy0;
  return iy_first < 0 || iy_last >= int64_t(g.h);
}

// Rows [k0, k0 + kc) of the matrix that belong to tap t: channels
// [*c_begin, *c_end), the first at block row (*c_begin) * taps + t - k0.
inline void im2col_tap_channels(const Im2colGeom& g, size_t t, size_t k0, size_t kc,
                                size_t* c_begin, size_t* c_end) {
  const size_t taps = g.kh * g.kw;
  *c_begin = k0 <= t ? 0 : (k0 - t + taps - 1) / taps;
  *c_end = k0 + kc <= t ? 0 : (k0 + kc - t + taps - 1) / taps;
  if (*c_end < *c_begin) *c_end = *c_begin;
}

}  // namespace
}  // namespace detail
}  // namespace armconv

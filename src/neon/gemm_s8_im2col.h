// The int8 im2col packers straight from the image (for both int8 B
// formats: neon/aarch64/gemm_s8_8x12k4_dotprod.cpp, k grouped by 4, and
// neon/gemm_s8_pack_k16.h, k grouped by 16), the parts they share: which
// geometries they take, the offsets of the matrix rows, and the runs of a
// block of up to 16 columns. Plain NEON (armv7 and armv8.0): an anonymous
// namespace, each unit (the dotprod one included) has its own copy.
//
// A geometry that reads no padding (the conv driver packs a padded layer
// from a zero-padded copy of its image: GemmKernel::pad_copy and
// pack_im2col_ok) with stride sw = 1 or 2 along x. Row k = (c, tap t = ky kw
// + kx) of the im2col matrix reads, for the output pixel (oy, ox) of column n,
//   x[off(k) + base(n)],  off(k) = c h w + ky dh w + kx dw,  base(n) = oy sh w + ox sw,
// so a block of columns that lie in one output row is bytes of the image sw
// apart (one 16-byte load, or the even bytes of a 32-byte ld2/vld2), at the
// same base for every row k, shifted by off(k). A block that crosses output
// rows has one such run per output row (pointer p_r such that column j of
// run r is at p_r + j sw) and merges them with per-run byte masks (bsl).
// A block whose loads would pass the end of the image (the last blocks: a
// run's load reaches up to 15 or 31 bytes past its last pixel) gathers its
// bytes one at a time instead.
#pragma once

#include <arm_neon.h>

#include <cstddef>
#include <cstdint>

#include "core/im2col.h"

namespace armconv {
namespace detail {
namespace {

// Whether the direct packers take g (else they pack it through the generic
// packer, and the conv driver stages it through pack_b instead): no
// padding read, stride 1 or 2 along x, output width >= 4 (narrower maps
// cross an output row every few columns: a run each).
inline bool s8_im2col_direct_ok(const Im2colGeom& g) {
  if (g.pad_top != 0 || g.pad_left != 0 || (g.sw != 1 && g.sw != 2) || g.wo < 4 || g.ho < 1) return false;
  const int64_t big = int64_t(1) << 24;
  if (g.sh < 1 || g.dh < 1 || g.dw < 1 || g.sh > big || g.dh > big || g.dw > big || g.kh > size_t(big) ||
      g.kw > size_t(big))
    return false;
  // Every tap of every output pixel inside the image.
  const uint64_t last_y = uint64_t(g.ho - 1) * uint64_t(g.sh) + uint64_t(g.kh - 1) * uint64_t(g.dh);
  const uint64_t last_x = uint64_t(g.wo - 1) * uint64_t(g.sw) + uint64_t(g.kw - 1) * uint64_t(g.dw);
  return last_y < g.h && last_x < g.w;
}

// off(k) of rows k .. k + rows - 1 (they grow with k: no tap reaches past
// its input row, g being accepted).
inline void s8_im2col_offsets(const Im2colGeom& g, size_t k, size_t rows, size_t* off) {
  const size_t taps = g.kh * g.kw, plane = g.h * g.w;
  size_t c = k / taps, t = k % taps;
  for (size_t i = 0; i < rows; i++) {
    off[i] = c * plane + (t / g.kw) * size_t(g.dh) * g.w + (t % g.kw) * size_t(g.dw);
    if (++t == taps) {
      t = 0;
      c++;
    }
  }
}

// The runs of a block of `cols` <= 16 columns from column n: column j of run
// r (j in [lo_r, hi_r)) at p[r] + j sw; mask[r] is run r's bytes (run 0's
// also clears the bytes >= cols). base[j]: column j's pixel (tap offset 0),
// for the byte-by-byte gather (set for blocks that are not safe).
struct S8Runs {
  size_t count, cols;
  bool safe;  // every run's load at each row offset stays inside the image
  const int8_t* p[16];
  uint8x16_t mask[16];
  size_t base[16];
};

// off_max: the largest row offset the block is read at.
template <int SW>
inline void s8_runs(const Im2colGeom& g, size_t n, size_t cols, size_t off_max, S8Runs* rs) {
  const int8_t* x = static_cast<const int8_t*>(g.x);
  const size_t end = g.channels * g.h * g.w, row_step = size_t(g.sh) * g.w, span = SW == 1 ? 16 : 32;
  static const uint8_t kLane[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  const uint8x16_t lane = vld1q_u8(kLane);
  rs->count = 0;
  rs->cols = cols;
  rs->safe = true;
  size_t oy = n / g.wo, ox = n % g.wo;
  for (size_t j = 0; j < cols;) {
    const size_t len = g.wo - ox < cols - j ? g.wo - ox : cols - j;
    const size_t base = oy * row_step + ox * SW;  // column j's pixel, tap offset 0
    // p = base - j SW must not point before the image; the run's load at
    // p + off_max reads span bytes.
    if (base < j * SW || base - j * SW + off_max + span > end) rs->safe = false;
    rs->p[rs->count] = x + (base < j * SW ? 0 : base - j * SW);
    rs->mask[rs->count++] =
        vandq_u8(vcgeq_u8(lane, vdupq_n_u8(uint8_t(j))), vcltq_u8(lane, vdupq_n_u8(uint8_t(j + len))));
    j += len;
    ox = 0;
    oy++;
  }
  if (!rs->safe) {  // (the last blocks only)
    oy = n / g.wo;
    ox = n % g.wo;
    for (size_t j = 0; j < cols; j++) {
      rs->base[j] = oy * row_step + ox * SW;
      if (++ox == g.wo) {
        ox = 0;
        oy++;
      }
    }
  }
}

template <int SW>
inline int8x16_t s8_run_load(const int8_t* p) {
  if (SW == 1) return vld1q_s8(p);
  return vld2q_s8(p).val[0];
}

// Row offset off of the block, from its runs (safe blocks).
template <int SW>
inline int8x16_t s8_runs_row(const S8Runs& rs, size_t off) {
  int8x16_t v = vandq_s8(s8_run_load<SW>(rs.p[0] + off), vreinterpretq_s8_u8(rs.mask[0]));
  for (size_t r = 1; r < rs.count; r++) v = vbslq_s8(rs.mask[r], s8_run_load<SW>(rs.p[r] + off), v);
  return v;
}

// The same byte by byte (any block).
inline int8x16_t s8_gather_row(const Im2colGeom& g, const S8Runs& rs, size_t off) {
  const int8_t* x = static_cast<const int8_t*>(g.x);
  int8_t b[16] = {};
  for (size_t j = 0; j < rs.cols; j++) b[j] = x[rs.base[j] + off];
  return vld1q_s8(b);
}

// Calls body(load) with the cheapest row loader for the block: one load per
// row for a safe block of one run and `full` columns, two and a bsl for two
// runs, else the general ones.
template <int SW, size_t kFull, class Body>
inline void s8_with_loader(const Im2colGeom& g, const S8Runs& rs, Body body) {
  if (!rs.safe) {
    body([&g, &rs](size_t o) { return s8_gather_row(g, rs, o); });
  } else if (rs.count == 1 && rs.cols == kFull) {
    const int8_t* p = rs.p[0];
    body([p](size_t o) { return s8_run_load<SW>(p + o); });
  } else if (rs.count == 2 && rs.cols == kFull) {
    const int8_t *p0 = rs.p[0], *p1 = rs.p[1];
    const uint8x16_t m1 = rs.mask[1];
    body([=](size_t o) { return vbslq_s8(m1, s8_run_load<SW>(p1 + o), s8_run_load<SW>(p0 + o)); });
  } else {
    body([&rs](size_t o) { return s8_runs_row<SW>(rs, o); });
  }
}

}  // namespace
}  // namespace detail
}  // namespace armconv

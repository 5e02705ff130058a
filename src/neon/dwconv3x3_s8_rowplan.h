// The row plan of the assembly int8 depthwise 3x3 kernels
// (neon/aarch64/dwconv3x3_s8_1x16_smull.cpp, neon/armv7/dwconv3x3_s8_1x8_smull.cpp):
// which input rows a column strip reads as it runs down a plane, the same
// for every plane and strip of a call. Both baseline units include it (an
// anonymous namespace: internal linkage in each).
//
// Input rows are offsets i * w from the plane's first byte, -1 for the zero
// row (rows outside the plane). Output row oy reads input rows
// oy * S - pad_top + {0, 1, 2}. A strip keeps the rows it reuses in
// registers: the first output row's kept rows are p0 (and p1, stride 1);
// then the loop loads, per output row, the rows xin, xin + st, .. for n
// output rows, then n2 rows more from xin2 (and b2) in the same call, and
// (stride 2) output rows `more` .. ho - 1 one call each.
#pragma once

#include <cstddef>

#include "core/dwconv.h"

namespace armconv {
namespace detail {
namespace {

struct DwS8Rows {
  ptrdiff_t p0, p1;    // the first output row's kept rows (stride 1: two)
  ptrdiff_t xin, st;   // the loop's rows: xin, xin + st, ..; n output rows
  size_t n;            // (0: none; then the rows from `more` on)
  ptrdiff_t xin2, b2;  // then n2 rows: stride 1 the zero row (step 0); stride 2
  size_t n2;           //   one row, its input rows xin2 and b2
  ptrdiff_t more;      // stride 2: output rows more .. ho - 1 one call each
};

// The offset of input row i, or -1 (the zero row) outside the plane.
inline ptrdiff_t dw_s8_row_off(ptrdiff_t i, const DwPlaneS8& p) {
  return i >= 0 && i < ptrdiff_t(p.h) ? i * ptrdiff_t(p.w) : -1;
}

template <int S>
DwS8Rows dw_s8_rows(const DwPlaneS8& p) {
  const ptrdiff_t h = ptrdiff_t(p.h), pt = ptrdiff_t(p.pad_top), ho = ptrdiff_t(p.ho);
  DwS8Rows r;
  r.p0 = dw_s8_row_off(-pt, p);
  r.p1 = dw_s8_row_off(1 - pt, p);
  r.xin2 = r.b2 = -1;
  r.more = ho;
  if (S == 1) {
    // Output rows [0, na) load input rows 2 - pt .. inside the plane; the
    // rest load the zero row (st 0).
    ptrdiff_t na = h + pt - 2;
    na = na < 0 ? 0 : (na > ho ? ho : na);
    if (na > 0) {
      r.xin = dw_s8_row_off(2 - pt, p);
      r.st = ptrdiff_t(p.w);
      r.n = size_t(na);
      r.n2 = size_t(ho - na);
    } else {
      r.xin = -1;
      r.st = 0;
      r.n = size_t(ho);
      r.n2 = 0;
    }
  } else {
    // Output rows [0, na) load input rows 2oy - pt + 1, + 2 inside the plane;
    // row na (if any) the last input row and the zero row, or both zero (the
    // distance from its first to its second row as the row step), in the
    // same call; rows after it (bottom padding > 1) a call each.
    ptrdiff_t na = h + pt - 3 < 0 ? 0 : (h + pt - 3) / 2 + 1;
    na = na > ho ? ho : na;
    r.xin = dw_s8_row_off(1 - pt, p);
    r.st = ptrdiff_t(p.w);
    r.n = size_t(na);
    r.n2 = na > 0 && na < ho ? 1 : 0;
    r.xin2 = dw_s8_row_off(2 * na - pt + 1, p);
    r.b2 = dw_s8_row_off(2 * na - pt + 2, p);
    r.more = na + ptrdiff_t(r.n2);
  }
  return r;
}

}  // namespace
}  // namespace detail
}  // namespace armconv

// Portable int8 Winograd F(2,3) transforms (winograd23_s8-generic-nc8;
// contract and exactness argument: core/winograd.h, int8 section), the twin
// of neon/<isa>/winograd23_s8_nc8.cpp. Integer arithmetic is exact (the
// int32 sums are done in uint32, i.e. modulo 2^32 as the NEON adds wrap), so
// any order of operations gives the same bits.
#include <algorithm>
#include <cstdint>

#include "core/gemm.h"
#include "core/requant.h"
#include "core/winograd.h"

namespace armconv {
namespace detail {
namespace {

void pack_nc8(const int8_t* x, size_t ch_stride, size_t nch, size_t lo, size_t n, size_t hi, int16_t* dst) {
  std::fill_n(dst, lo * 8, int16_t(0));
  dst += lo * 8;
  for (size_t i = 0; i < n; i++)
    for (size_t l = 0; l < 8; l++) dst[i * 8 + l] = l < nch ? int16_t(x[l * ch_stride + i]) : int16_t(0);
  std::fill_n(dst + n * 8, hi * 8, int16_t(0));
}

// V = B^T d B, B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]: rows first,
// then columns. |V| <= 512: int16 throughout.
void input(const int16_t* src, size_t src_row, int16_t* dst, size_t dst_pos) {
  for (size_t l = 0; l < 8; l++) {
    int d[4][4], t[4][4];
    for (size_t r = 0; r < 4; r++)
      for (size_t c = 0; c < 4; c++) d[r][c] = src[r * src_row + c * 8 + l];
    for (size_t r = 0; r < 4; r++) {
      t[r][0] = d[r][0] - d[r][2];
      t[r][1] = d[r][1] + d[r][2];
      t[r][2] = d[r][2] - d[r][1];
      t[r][3] = d[r][1] - d[r][3];
    }
    for (size_t c = 0; c < 4; c++) {
      dst[(0 * 4 + c) * dst_pos + l] = int16_t(t[0][c] - t[2][c]);
      dst[(1 * 4 + c) * dst_pos + l] = int16_t(t[1][c] + t[2][c]);
      dst[(2 * 4 + c) * dst_pos + l] = int16_t(t[2][c] - t[1][c]);
      dst[(3 * 4 + c) * dst_pos + l] = int16_t(t[1][c] - t[3][c]);
    }
  }
}

// acc = (A^T M A) / 4 + bias, A^T = [1 1 1 0; 0 1 -1 -1], modulo 2^32.
template <S8OutKind K>
void output(const int32_t* src, size_t src_pos, void* dst, size_t rows, size_t cols, size_t nch, size_t dst_ch,
            size_t dst_row, const S8Output& out, size_t ch) {
  for (size_t l = 0; l < nch; l++) {
    uint32_t m[4][4], s[2][4];
    for (size_t p = 0; p < 16; p++) m[p / 4][p % 4] = uint32_t(src[p * src_pos + l]);
    for (size_t c = 0; c < 4; c++) {
      s[0][c] = m[0][c] + m[1][c] + m[2][c];
      s[1][c] = m[1][c] - m[2][c] - m[3][c];
    }
    const size_t o = ch + l;
    for (size_t y = 0; y < rows; y++) {
      const uint32_t yv[2] = {s[y][0] + s[y][1] + s[y][2], s[y][1] - s[y][2] - s[y][3]};
      for (size_t x = 0; x < cols; x++) {
        // Y' = 4 x the exact sum (an int32): the division is exact. It is
        // written as NEON's sshr #2 (floor) and wrapping add, so that the
        // twins agree on any M (the kernel tests feed arbitrary ones).
        const int64_t y4 = int64_t(int32_t(yv[x]));
        const int32_t acc = int32_t(uint32_t(int32_t((y4 - (y4 & 3)) / 4)) + uint32_t(out.bias[o]));
        const size_t at = l * dst_ch + y * dst_row + x;
        if (K == S8OutKind::Int8) {
          static_cast<int8_t*>(dst)[at] = int8_t(s8_requant(acc, out.mult[o], out.shift, out.qmin, out.qmax));
        } else {
          float v = float(acc) * out.fscale[o];
          if (out.fclamp) v = v < out.fmin ? out.fmin : (v > out.fmax ? out.fmax : v);
          static_cast<float*>(dst)[at] = v;
        }
      }
    }
  }
}

}  // namespace

const WinoS8Kernels& wino23_s8_generic_kernels() {
  static const WinoS8Kernels k = {"winograd23_s8-generic-nc8", 2, pack_nc8, input, output<S8OutKind::Int8>,
                                  output<S8OutKind::Float>};
  return k;
}

}  // namespace detail
}  // namespace armconv

// Winograd F(6x6, 3x3) convolution (operator side): 3x3, stride 1,
// dilation 1, groups 1, any padding. Matrices and kernel contracts:
// core/winograd.h; transforms: core/winograd_kernels.h.
//
// Construction: U = G g G^T for every (out, in) channel pair, in double, then
// for each of the 64 transform positions the Cout x Cin matrix U[p] is packed
// into the GEMM's MR-row panels (K padded to a multiple of 4 with zeros).
//
// run(), per image, per block of T tiles (tiles in raster order within a
// strip of at most kStripTiles tile columns):
//   1. input: for each group of 4 input channels, the block's bounding box of
//      the input (rows and columns outside the image read as zero: the
//      padding is virtual) is interleaved into nc4 (`stage`), then
//      V = B^T d B of 4 tiles at a time is written straight into the GEMM's
//      NR-column B panels: V[p] is a (Cin x T) matrix, already packed.
//   2. 64 GEMMs M[p] = U[p] V[p] (Cout x T) on the packed fp32 GEMM
//      (sgemm_run with a prepacked B). The bias rides on position 9 = (1, 1)
//      (see core/winograd.h): it is that GEMM's bias vector, zero elsewhere.
//   3. output: Y = A^T M A per tile, 4 tiles x 4 output channels at a time,
//      clamped, written to NCHW (edge tiles cut to the map).
//
// Workspace per call (does not grow with H x W): the B panels
// 64 x round_up(T, NR) x round_up(Cin, 4) floats, the products
// 64 x round_up(Cout, 4) x round_up(T, 4) floats, and the staging box.
// T is the largest multiple of NR (at least NR) whose panels and products fit
// kBlockBytes, so only the last block of each strip has a partial panel.
// The packed U takes 64 x round_up(Cout, MR) x round_up(Cin, 4) floats, about
// 7x the 3x3 weights.
#include <algorithm>
#include <cstring>
#include <vector>

#include "core/buffer.h"
#include "core/conv_impl.h"
#include "core/dispatch.h"
#include "core/winograd.h"

namespace armconv {
namespace detail {
namespace {

// V + M budget: an L2 share on Cortex-A72 (1 MB shared) and A76 (512 KB).
constexpr size_t kBlockBytes = 384 * 1024;
// Widest strip of tiles one block's staging box may span.
constexpr size_t kStripTiles = 32;

class Winograd63Conv final : public ConvImpl {
 public:
  Winograd63Conv(const Conv2dParams& p, const float* weight, const float* bias)
      : p_(p), gemm_(*kernels().sgemm), wk_(*kernels().winograd) {
    cin_ = size_t(p.in_channels);
    cout_ = size_t(p.out_channels);
    kpad_ = round_up(cin_, 4);
    mpad_ = round_up(cout_, gemm_.mr);
    m4_ = round_up(cout_, 4);
    // U[p][co][ci] = sum_{u,v} G[i][u] g[co][ci][u][v] G[j][v], p = 8i + j.
    packed_u_.reset(kWinoPos * mpad_ * kpad_);
    std::vector<float> u(kWinoPos * cout_ * kpad_, 0.0f);
    for (size_t co = 0; co < cout_; co++) {
      for (size_t ci = 0; ci < cin_; ci++) {
        const float* g = weight + (co * cin_ + ci) * 9;
        double gg[8][3];  // G g
        for (size_t i = 0; i < 8; i++)
          for (size_t v = 0; v < 3; v++)
            gg[i][v] = kWinoG[i][0] * g[v] + kWinoG[i][1] * g[3 + v] + kWinoG[i][2] * g[6 + v];
        for (size_t i = 0; i < 8; i++)
          for (size_t j = 0; j < 8; j++) {
            const double s = gg[i][0] * kWinoG[j][0] + gg[i][1] * kWinoG[j][1] + gg[i][2] * kWinoG[j][2];
            u[((8 * i + j) * cout_ + co) * kpad_ + ci] = float(s);
          }
      }
    }
    for (size_t pos = 0; pos < kWinoPos; pos++)
      gemm_.pack_a(cout_, kpad_, u.data() + pos * cout_ * kpad_, kpad_,
                   packed_u_.data() + pos * mpad_ * kpad_);
    bias_.reset(mpad_);
    zeros_.reset(mpad_);
    if (bias) std::memcpy(bias_.data(), bias, cout_ * sizeof(float));
    const size_t per_tile = kWinoPos * (kpad_ + m4_) * sizeof(float);
    block_ = std::max<size_t>(1, kBlockBytes / per_tile) / gemm_.nr * gemm_.nr;
    block_ = std::max(block_, gemm_.nr);
  }

  size_t workspace_bytes(int64_t h, int64_t w) const override {
    int64_t ho, wo;
    output_size(p_, h, w, &ho, &wo);
    const Plan pl = plan(ho, wo);
    return (pl.v_floats() + pl.m_floats() + pl.stage_floats()) * sizeof(float) + 3 * 64;
  }

  void run(const float* x, int64_t n, int64_t h, int64_t w, float* y, int64_t ho,
           int64_t wo) const override {
    const Plan pl = plan(ho, wo);
    // Per-call workspaces, not zeroed (a memset of ~1 MB per call would cost
    // ~8% of the whole convolution): the staging box and the products are
    // written before they are read, and of the B panels only the columns past
    // round_up(T, 4) of the last panel are never written by the input
    // transform (it writes groups of 4 tiles, zeros past the block's tiles):
    // those are zeroed here once. (Later, shorter blocks leave finite values
    // of earlier blocks in their unused columns; a GEMM column only feeds its
    // own output column, so these never reach a stored output.)
    Buffer<float> vbuf(pl.v_floats(), Buffer<float>::Uninitialized{});
    Buffer<float> mbuf(pl.m_floats(), Buffer<float>::Uninitialized{});
    Buffer<float> stage(pl.stage_floats(), Buffer<float>::Uninitialized{});
    const size_t written = round_up(pl.t, 4);
    if (written < pl.tpad) {
      const size_t nr = gemm_.nr, q = pl.tpad - nr;  // last panel: columns [q, q + nr)
      for (size_t pos = 0; pos < kWinoPos; pos++)
        for (size_t k = 0; k < kpad_; k++)
          std::fill_n(vbuf.data() + pos * pl.v_pos() + q * kpad_ + k * nr + (written - q),
                      pl.tpad - written, 0.0f);
    }
    const SgemmBlocking blk = sgemm_blocking(gemm_, cout_, pl.t, kpad_);
    const size_t hw = size_t(h) * size_t(w), howo = size_t(ho) * size_t(wo);
    for (int64_t b = 0; b < n; b++) {
      const float* xb = x + size_t(b) * cin_ * hw;
      float* yb = y + size_t(b) * cout_ * howo;
      for (size_t tx0 = 0; tx0 < pl.tiles_x; tx0 += kStripTiles) {
        const size_t ntx = std::min(kStripTiles, pl.tiles_x - tx0);
        const size_t ntiles = pl.tiles_y * ntx;
        for (size_t b0 = 0; b0 < ntiles; b0 += pl.t) {
          Block bk{tx0, ntx, b0, std::min(pl.t, ntiles - b0)};
          input_block(xb, size_t(h), size_t(w), pl, bk, stage.data(), vbuf.data());
          for (size_t pos = 0; pos < kWinoPos; pos++) {
            BSource src;
            src.packed = vbuf.data() + pos * pl.v_pos();
            sgemm_run(gemm_, blk, cout_, bk.nt, kpad_, packed_u_.data() + pos * mpad_ * kpad_,
                      pos == kWinoBiasPos ? bias_.data() : zeros_.data(), src,
                      mbuf.data() + pos * pl.m_pos(), pl.ldm, false, 0.0f, 0.0f, nullptr);
          }
          output_block(yb, size_t(ho), size_t(wo), pl, bk, mbuf.data());
        }
      }
    }
  }

 private:
  struct Plan {
    size_t tiles_y, tiles_x;
    size_t t;         // tiles per block
    size_t tpad;      // round_up(t, NR): B panel columns
    size_t ldm;       // round_up(t, 4): row stride of the products
    size_t kpad, m4;  // channel counts padded to 4
    size_t box_rows, box_cols;  // staging box bound (pixels)
    size_t v_pos() const { return tpad * kpad; }
    size_t m_pos() const { return m4 * ldm; }
    size_t v_floats() const { return kWinoPos * v_pos(); }
    size_t m_floats() const { return kWinoPos * m_pos(); }
    size_t stage_floats() const { return box_rows * box_cols * 4; }
  };
  struct Block {
    size_t tx0, ntx;  // strip: tile columns [tx0, tx0 + ntx)
    size_t b0, nt;    // tiles [b0, b0 + nt) in the strip's raster order
  };

  Plan plan(int64_t ho, int64_t wo) const {
    Plan pl;
    pl.tiles_y = div_up(size_t(ho), kWinoTile);
    pl.tiles_x = div_up(size_t(wo), kWinoTile);
    const size_t ntx = std::min(kStripTiles, pl.tiles_x);
    pl.t = std::min(block_, pl.tiles_y * ntx);
    pl.tpad = round_up(pl.t, gemm_.nr);
    pl.ldm = round_up(pl.t, 4);
    pl.kpad = kpad_;
    pl.m4 = m4_;
    // A block spans at most ceil(t / ntx) + 1 tile rows (it may start mid-row).
    const size_t trows = std::min(pl.tiles_y, div_up(pl.t, ntx) + 1);
    pl.box_rows = kWinoTile * trows + 2;
    pl.box_cols = kWinoTile * ntx + 2;
    return pl;
  }

  // Tile k of the block: its row and column within the strip.
  static void tile_at(const Block& bk, size_t k, size_t* ty, size_t* tx) {
    *ty = (bk.b0 + k) / bk.ntx;
    *tx = (bk.b0 + k) % bk.ntx;
  }

  void input_block(const float* x, size_t h, size_t w, const Plan& pl, const Block& bk,
                   float* stage, float* v) const {
    const size_t nr = gemm_.nr;
    // Bounding box of the block's input patches, in strip tile units.
    size_t ty0, tx_first, ty1, tx_last;
    tile_at(bk, 0, &ty0, &tx_first);
    tile_at(bk, bk.nt - 1, &ty1, &tx_last);
    const size_t cx0 = ty0 == ty1 ? tx_first : 0;
    const size_t cx1 = ty0 == ty1 ? tx_last : bk.ntx - 1;
    const size_t rows = kWinoTile * (ty1 - ty0 + 1) + 2;
    const size_t cols = kWinoTile * (cx1 - cx0 + 1) + 2;
    const ptrdiff_t iy0 = ptrdiff_t(kWinoTile * ty0) - ptrdiff_t(p_.pad_top);
    const ptrdiff_t ix0 = ptrdiff_t(kWinoTile * (bk.tx0 + cx0)) - ptrdiff_t(p_.pad_left);
    // Columns of the box inside the image: [c_lo, c_hi).
    const size_t c_lo = size_t(std::max<ptrdiff_t>(0, -ix0));
    const size_t c_hi = size_t(std::max<ptrdiff_t>(ptrdiff_t(c_lo), std::min<ptrdiff_t>(ptrdiff_t(cols), ptrdiff_t(w) - ix0)));
    const size_t row4 = cols * 4;
    const float* src[4];
    for (size_t g = 0; g * 4 < cin_; g++) {
      const size_t nch = std::min<size_t>(4, cin_ - 4 * g);
      const float* xg = x + 4 * g * h * w;
      for (size_t r = 0; r < rows; r++) {
        float* s = stage + r * row4;
        const ptrdiff_t iy = iy0 + ptrdiff_t(r);
        if (iy < 0 || iy >= ptrdiff_t(h) || c_lo == c_hi) {
          std::memset(s, 0, row4 * sizeof(float));
          continue;
        }
        std::memset(s, 0, c_lo * 4 * sizeof(float));
        wk_.pack_nc4(xg + size_t(iy) * w + size_t(ix0 + ptrdiff_t(c_lo)), h * w, nch, c_hi - c_lo,
                     s + c_lo * 4);
        std::memset(s + c_hi * 4, 0, (cols - c_hi) * 4 * sizeof(float));
      }
      for (size_t j = 0; j < bk.nt; j += 4) {
        const size_t cnt = std::min<size_t>(4, bk.nt - j);
        for (size_t t = 0; t < cnt; t++) {
          size_t ty, tx;
          tile_at(bk, j + t, &ty, &tx);
          src[t] = stage + (kWinoTile * (ty - ty0)) * row4 + kWinoTile * (tx - cx0) * 4;
        }
        float* dst = v + (j / nr) * nr * kpad_ + 4 * g * nr + j % nr;
        wk_.input(src, cnt, row4, dst, pl.v_pos(), nr);
      }
    }
  }

  void output_block(float* y, size_t ho, size_t wo, const Plan& pl, const Block& bk,
                    const float* m) const {
    const size_t howo = ho * wo;
    WinoOutTile out[4];
    for (size_t j = 0; j < bk.nt; j += 4) {
      const size_t cnt = std::min<size_t>(4, bk.nt - j);
      size_t oy[4], ox[4];
      for (size_t t = 0; t < cnt; t++) {
        size_t ty, tx;
        tile_at(bk, j + t, &ty, &tx);
        oy[t] = kWinoTile * ty;
        ox[t] = kWinoTile * (bk.tx0 + tx);
        out[t].rows = std::min(kWinoTile, ho - oy[t]);
        out[t].cols = std::min(kWinoTile, wo - ox[t]);
      }
      for (size_t o = 0; o < cout_; o += 4) {
        for (size_t t = 0; t < cnt; t++) out[t].dst = y + o * howo + oy[t] * wo + ox[t];
        wk_.output(m + o * pl.ldm + j, pl.m_pos(), pl.ldm, cnt, out, std::min<size_t>(4, cout_ - o),
                   howo, wo, p_.clamp, p_.out_min, p_.out_max);
      }
    }
  }

  Conv2dParams p_;
  const SgemmKernels& gemm_;
  const WinoKernels& wk_;
  size_t cin_, cout_, kpad_, mpad_, m4_, block_;
  Buffer<float> packed_u_, bias_, zeros_;
};

}  // namespace

const char* winograd63_conv_rejects(const Conv2dParams& p) {
  if (p.kernel_h != 3 || p.kernel_w != 3) return "it needs a 3x3 kernel";
  if (p.stride_h != 1 || p.stride_w != 1) return "it needs stride 1";
  if (p.dilation_h != 1 || p.dilation_w != 1) return "it needs dilation 1";
  if (p.groups != 1) return "it needs groups 1";
  if (kernels().sgemm->nr % 4) return "the GEMM tile width of this build is not a multiple of 4";
  return nullptr;
}

// Whether `auto` picks Winograd. Executed instructions per call, winograd63 /
// im2col, qemu -cpu cortex-a72 (bench/bench_winograd.cpp, pays_* cases;
// Cin_Cout_map; measured with the first NEON GEMM, re-measure when it changes): 28x28 maps: 4_4 0.56, 4_16 0.87, 16_4 0.35, 8_8 0.47,
// 16_16 0.45, 64_64 0.37; 14x14: 8_8 0.62, 64_64 0.49; 7x7 maps (2x2 tiles
// for 7x7 outputs, and 4 tiles in a 12-column GEMM panel): 8_8 1.31,
// 32_32 1.32, 64_64 1.34. The map size is not known when the algorithm is
// chosen; with at least 8 channels in and out Winograd halves the count from
// 14x14 maps up, and costs about a third more on 7x7 maps.
bool winograd63_conv_pays(const Conv2dParams& p) {
  return p.in_channels >= 8 && p.out_channels >= 8;
}

// Re-measured with the current GEMM (cortex-a72, Winograd / im2col
// instructions, Cin_Cout_map): 64_64 at 7x7 1.57, 8x8 1.22, 10x10 0.81,
// 12x12 0.62, 14x14 0.64; 256_256 at 7x7 1.11, 14x14 0.48; 8_8 at 7x7 2.9,
// 14x14 1.23, 28x28 0.72. So: more than 64 outputs, and with fewer than 16
// channels on either side at least 400.
bool winograd63_conv_pays_for_map(const Conv2dParams& p, int64_t ho, int64_t wo) {
  const int64_t outputs = ho * wo;
  if (outputs <= 64) return false;
  return std::min(p.in_channels, p.out_channels) >= 16 || outputs >= 400;
}

ConvImplPtr make_winograd63_conv(const Conv2dParams& p, const float* weight, const float* bias) {
  return ConvImplPtr(new Winograd63Conv(p, weight, bias));
}

}  // namespace detail
}  // namespace armconv

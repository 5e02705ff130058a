// Winograd F(6x6, 3x3) convolution (operator side): 3x3, stride 1,
// dilation 1, groups 1, any padding. Matrices and kernel contracts:
// core/winograd.h; transforms: core/winograd_kernels.h.
//
// Everything between the image and the output rows is nc4 vectors (4
// channels of one pixel, or of one transform position): the input transform
// writes them, the per-position GEMM multiplies them lane by lane (k in the
// lanes: wino_gemm_fn) and writes 4 output channels per vector, which the
// output transform reads. No transposes until the NCHW store.
//
// Construction: U = G g G^T for every (out, in) channel pair, in double, then
// for each of the 64 transform positions the Cout x Cin matrix U[p] is packed
// in blocks of 8 output channels: block b, input channel k at
//   U_p + b * 8 * kpad + 8 k    (8 floats; Cout padded to 8, Cin to 4, zeros).
//
// Work units (core/plan.h): (image, block of T tiles, chunk of at most MC
// output channels), the chunk innermost; tiles go in raster order within a
// strip of at most kStripTiles tile columns. A unit runs, per chunk of at
// most KC input channels (in order, so that cuts do not change the bits):
//   1. input: for each group of 4 input channels of the chunk, the block's
//      bounding box of the input (rows and columns outside the image read as
//      zero: the padding is virtual) is interleaved into nc4 (`stage`), then
//      V = B^T d B of each tile is stored, per position p, as
//        V_p + (j / 8) * 8 * kc + q * nb * 4 + (j % 8) * 4   (tile j, quad q,
//      nb = tiles in j's group of 8): the GEMM's "v" with v_quad = 4 nb.
//   2. 64 GEMMs M_p (+)= U_p V_p, one wino_gemm_fn call each, the
//      chunks of input channels accumulating into M. M_p holds tile j's
//      channels at M_p + j * MC. The bias rides on position 9 = (1, 1) (see
//      core/winograd.h): the first chunk of that GEMM starts from it.
//   3. output: Y = A^T M A per tile and 4 output channels, clamped, written
//      to NCHW (edge tiles cut to the map).
//
// Scratch per worker (does not grow with H x W): V is 64 x T x KC floats, M is
// 64 x T x MC, plus the staging box. T, KC and MC are chosen so that each of
// V and M stays within kBufBytes (8 <= T <= 64, a multiple of 8 while the
// map has more tiles than that): at most ~560 KB in all. With more than MC output channels the input
// transform runs once per chunk of MC (at most 128) when the input channels
// take several chunks too (at >= 256 channels: a few % of the GEMMs); with
// one input chunk, the units of a block share one transform.
// The packed U takes 64 x round_up(Cout, 8) x round_up(Cin, 4) floats, about
// 7x the 3x3 weights.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <vector>

#include "core/buffer.h"
#include "core/conv_impl.h"
#include "core/dispatch.h"
#include "core/wino_gemm.h"
#include "core/winograd.h"

namespace armconv {
namespace detail {
namespace {

// Budget of each of V and M: together they are an L2's worth on Cortex-A72
// (1 MB shared) and A76 (512 KB).
constexpr size_t kBufBytes = 256 * 1024;
// Largest channel chunks (MC, KC) and tile blocks (T).
constexpr size_t kMaxChunk = 128;
constexpr size_t kMaxBlock = 64;
// Widest strip of tiles one block's staging box may span.
constexpr size_t kStripTiles = 32;
// Smallest chunk of output channels a plan for threads cuts (8 would make the
// per-position GEMM calls' fixed costs weigh).
constexpr size_t kMinThreadChunk = 16;
// How many more instructions in all than the one-thread plan a plan for
// threads may run (repeated input transforms, smaller tile blocks). On maps
// of one tile block (28x28 and smaller) a team can only split output
// channels, each thread transforming the whole input, or split tiles into
// blocks that fill the GEMM's 8-tile registers worse: 1.03 kept ResNet-18's
// Winograd layers at 1.00 overhead but left the busiest of 4 threads at
// 0.38 of one thread's work (1.5 x an even share); 1.10 gives 0.28 of it at
// 1.05 overhead (bench/threads_bench.py --sets resnet18).
constexpr double kMaxThreadOverhead = 1.10;

class Winograd63Conv final : public ConvImpl {
 public:
  Winograd63Conv(const Conv2dParams& p, const float* weight, const float* bias)
      : p_(p), wk_(*kernels().winograd), wg_(*kernels().wino_gemm) {
    cin_ = size_t(p.in_channels);
    cout_ = size_t(p.out_channels);
    kpad_ = round_up(cin_, 4);
    mpad_ = round_up(cout_, 8);
    // U[p][co][ci] = sum_{u,v} G[i][u] g[co][ci][u][v] G[j][v], p = 8i + j.
    packed_u_.reset(kWinoPos * mpad_ * kpad_);  // zero-filled: the padding
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
            packed_u_.data()[(8 * i + j) * mpad_ * kpad_ + (co / 8) * 8 * kpad_ + ci * 8 + co % 8] = float(s);
          }
      }
    }
    if (bias) {
      bias_.reset(mpad_);
      std::memcpy(bias_.data(), bias, cout_ * sizeof(float));
    }
    mc_ = std::min(mpad_, kMaxChunk);
    kc_ = std::min(kpad_, kMaxChunk);
    const size_t per_tile = kWinoPos * std::max(mc_, kc_) * sizeof(float);
    block_ = std::min(kMaxBlock, std::max<size_t>(8, kBufBytes / per_tile / 8 * 8));
  }

  ConvPlan plan(int64_t n, int64_t h, int64_t w) const override {
    return make_plan(n, h, w, block_, mc_);
  }

  // Threads: the tile-block size and the output-channel chunk that give the
  // team the smallest busiest share, by an estimate of each thread's
  // instructions under the split run_all makes (split_units). Candidates: tile
  // blocks of 8, 16, ... tiles up to the one-thread size (multiples of 8 only:
  // a tile then sits at the same place in the GEMM's 8-, 4-, 2- and 1-tile
  // register blocks whatever the block size, and the armv7 kernel sums the
  // 2- and 1-tile blocks in several accumulators, so another place would
  // change the bits); chunks of output channels from the
  // one-thread size down to kMinThreadChunk, when the input channels fit one
  // chunk (consecutive units of a block then share its input transform, so a
  // finer chunk costs a transform only where a thread's range starts inside a
  // block; with several input chunks every unit transforms its block anew).
  // Plans estimated to run more than kMaxThreadOverhead times the one-thread
  // plan's instructions in all are not taken. Neither size changes a sum: a
  // chunk of output channels only selects rows of U, and blocks of a multiple
  // of 8 tiles only which tiles one call covers. The choice is cached per
  // (n, h, w, threads).
  ConvPlan plan_for_threads(int64_t n, int64_t h, int64_t w, int threads) const override {
    {
      std::lock_guard<std::mutex> lock(cache_mutex_);
      for (const CachedChoice& c : cache_)
        if (c.n == n && c.h == h && c.w == w && c.threads == threads) return make_plan(n, h, w, c.t, c.mc);
    }
    ConvPlan best = make_plan(n, h, w, block_, mc_);
    double best_busiest = 0.0, best_total = 0.0;
    estimate(best, threads, &best_busiest, &best_total);
    const double most = kMaxThreadOverhead * best_total;
    size_t best_t = block_, best_mc = mc_;
    std::vector<size_t> ts, mcs;
    for (size_t t = 8; t <= block_; t += 8) ts.push_back(t);
    mcs.push_back(mc_);
    if (kpad_ <= kc_)
      for (size_t c = 2; c <= 4 * size_t(threads); c++) {
        const size_t mc = round_up(div_up(mpad_, c), 8);
        if (mc >= kMinThreadChunk && mc < mcs.back()) mcs.push_back(mc);
      }
    for (size_t t : ts)
      for (size_t mc : mcs) {
        const ConvPlan pl = make_plan(n, h, w, t, mc);
        double busiest, total;
        estimate(pl, threads, &busiest, &total);
        // At most kMaxThreadOverhead more instructions in all than the
        // one-thread plan; fewer instructions break near-ties (within 1%).
        if (total > most) continue;
        if (busiest < 0.99 * best_busiest || (busiest < 1.01 * best_busiest && total < best_total)) {
          best = pl;
          best_busiest = busiest;
          best_total = total;
          best_t = t;
          best_mc = mc;
        }
      }
    std::lock_guard<std::mutex> lock(cache_mutex_);
    if (cache_.size() >= kCachedChoices) cache_.erase(cache_.begin());
    cache_.push_back(CachedChoice{n, h, w, threads, best_t, best_mc});
    return best;
  }

  // Estimated instructions of the busiest thread and of all threads when
  // `pl` runs on `threads` threads, under split_units' split. Per unit of nt
  // tiles and mn output channels: the GEMMs ~17.5 per tile x input x output
  // channel (times how well nt fills 8-tile register blocks), the output
  // transform ~200 per tile x output channel, ~65 per GEMM call (64 per
  // chunk of input channels); per transform of a block's input: ~233 per
  // tile x input channel, ~0.75 per pixel of its staging box x input channel.
  // (Fitted to counts of ResNet-18's Winograd layers, qemu cortex-a72:
  // bench/threads_bench.py.)
  void estimate(const ConvPlan& pl, int threads, double* busiest, double* total) const {
    const WinoPlan& wp = pl.wino;
    const size_t team = std::min<size_t>(size_t(threads), pl.units);
    std::vector<size_t> bounds(team + 1);
    split_units(pl.grid(), int(team), bounds.data());
    const double k = double(kpad_), k_chunks = double(div_up(kpad_, wp.kc));
    const double box = double(wp.box_rows * wp.box_cols);
    const bool shared = kpad_ <= wp.kc;  // consecutive units of a block share its transform
    const size_t per_image = wp.blocks * wp.m_chunks;
    *busiest = *total = 0.0;
    for (size_t w = 0; w < team; w++) {
      double cost = 0.0;
      size_t v_block = SIZE_MAX;
      for (size_t u = bounds[w]; u < bounds[w + 1]; u++) {
        const size_t bi = u % per_image / wp.m_chunks, mi = u % wp.m_chunks;
        const size_t s = std::min(bi / wp.blocks_full, wp.strips - 1);
        const size_t strip_tiles = wp.tiles_y * std::min(kStripTiles, wp.tiles_x - s * kStripTiles);
        const double nt = double(std::min(wp.t, strip_tiles - (bi - s * wp.blocks_full) * wp.t));
        const double mn = double(std::min(wp.mc, mpad_ - mi * wp.mc));
        cost += nt * mn * (17.5 * k * gemm_fill(size_t(nt)) + 200.0) + 65.0 * 64.0 * k_chunks;
        if (!shared || v_block != u / wp.m_chunks) cost += k * (233.0 * nt + 0.75 * box);
        v_block = u / wp.m_chunks;
      }
      *busiest = std::max(*busiest, cost);
      *total += cost;
    }
  }

  // GEMM instructions per tile of a block of nt tiles relative to full 8-tile
  // register blocks (per k-quad and 8 channels: 8 tiles 80 instructions, 4
  // tiles 44, 2 tiles 26, 1 tile 17: core/wino_gemm.h's strip).
  static double gemm_fill(size_t nt) {
    const size_t r = nt % 8;
    const double rest = (r & 4 ? 44.0 : 0.0) + (r & 2 ? 26.0 : 0.0) + (r & 1 ? 17.0 : 0.0);
    return (80.0 * double(nt / 8) + rest) / (10.0 * double(nt));
  }

  // The plan with tile blocks of at most t_max tiles and chunks of mc output
  // channels (a multiple of 8).
  ConvPlan make_plan(int64_t n, int64_t h, int64_t w, size_t t_max, size_t mc) const {
    ConvPlan pl;
    pl.algo = "winograd63";
    pl.n = n;
    pl.h = h;
    pl.w = w;
    output_size(p_, h, w, &pl.ho, &pl.wo);
    WinoPlan& wp = pl.wino;
    wp.tiles_y = div_up(size_t(pl.ho), kWinoTile);
    wp.tiles_x = div_up(size_t(pl.wo), kWinoTile);
    const size_t ntx = std::min(kStripTiles, wp.tiles_x);
    wp.strips = div_up(wp.tiles_x, kStripTiles);
    wp.t = std::min(t_max, wp.tiles_y * ntx);
    wp.blocks_full = div_up(wp.tiles_y * ntx, wp.t);
    wp.blocks_last = div_up(wp.tiles_y * (wp.tiles_x - (wp.strips - 1) * kStripTiles), wp.t);
    wp.blocks = (wp.strips - 1) * wp.blocks_full + wp.blocks_last;
    wp.kc = kc_;
    wp.mc = mc;
    wp.m_chunks = div_up(mpad_, mc);
    // A block spans at most ceil(t / ntx) + 1 tile rows (it may start mid-row).
    const size_t trows = std::min(wp.tiles_y, div_up(wp.t, ntx) + 1);
    wp.box_rows = kWinoTile * trows + 2;
    wp.box_cols = kWinoTile * ntx + 2;
    wp.v_floats = kWinoPos * wp.t * wp.kc;
    wp.m_floats = kWinoPos * wp.t * wp.mc;
    wp.stage_floats = wp.box_rows * wp.box_cols * 4;
    pl.axes[0] = size_t(n);
    pl.axes[1] = wp.blocks;
    pl.axes[2] = wp.m_chunks;
    pl.units = size_t(n) * wp.blocks * wp.m_chunks;
    // The last tile block of the map and the last channel chunk may be smaller.
    const size_t last_strip_tiles = wp.tiles_y * (wp.tiles_x - (wp.strips - 1) * kStripTiles);
    pl.last_cost[1] = double(last_strip_tiles - (wp.blocks_last - 1) * wp.t) / double(wp.t);
    pl.last_cost[2] = double(mpad_ - (wp.m_chunks - 1) * mc) / double(mc);
    // V, M and the staging box, each followed by 64 bytes of slack.
    pl.scratch_bytes = (wp.v_floats + wp.m_floats + wp.stage_floats) * sizeof(float) + 3 * 64;
    pl.macs = conv_macs(p_, pl);
    pl.cost_per_mac = 0.4;  // 5 to 12 direct-convolution MACs per instruction
    return pl;
  }

  void run(const ConvPlan& pl, const float* x, float* y, size_t begin, size_t end,
           void* scratch) const override {
    const WinoPlan& wp = pl.wino;
    // Not zeroed: every float of V, M and the staging box that is read was
    // written before (by the input transform, the GEMM, the staging) in the
    // same unit.
    float* vbuf = static_cast<float*>(scratch);
    float* mbuf = vbuf + wp.v_floats + 16;
    float* stage = mbuf + wp.m_floats + 16;
    const size_t h = size_t(pl.h), w = size_t(pl.w), ho = size_t(pl.ho), wo = size_t(pl.wo);
    const size_t hw = h * w, howo = ho * wo, per_image = wp.blocks * wp.m_chunks;
    // With one chunk of input channels, V does not depend on the output chunk:
    // consecutive units of the same tile block transform the input once.
    const bool one_k_chunk = kpad_ <= wp.kc;
    size_t v_block = SIZE_MAX;  // image * blocks + block whose V is in vbuf
    for (size_t u = begin; u < end; u++) {
      // Unit: image b, tile block bi (strip s, block sb within it), output chunk mi.
      const size_t b = u / per_image, bi = u % per_image / wp.m_chunks, mi = u % wp.m_chunks;
      const size_t s = std::min(bi / wp.blocks_full, wp.strips - 1);
      const size_t sb = bi - s * wp.blocks_full;
      const size_t tx0 = s * kStripTiles, ntx = std::min(kStripTiles, wp.tiles_x - tx0);
      const size_t ntiles = wp.tiles_y * ntx, b0 = sb * wp.t;
      const Block bk{tx0, ntx, b0, std::min(wp.t, ntiles - b0)};
      const float* xb = x + b * cin_ * hw;
      float* yb = y + b * cout_ * howo;
      const size_t m0 = mi * wp.mc, mn = std::min(wp.mc, mpad_ - m0);
      for (size_t k0 = 0; k0 < kpad_; k0 += wp.kc) {
        const size_t kn = std::min(wp.kc, kpad_ - k0);
        if (!one_k_chunk || v_block != u / wp.m_chunks)
          input_block(xb, h, w, wp, bk, k0, kn, stage, vbuf);
        v_block = u / wp.m_chunks;
        for (size_t pos = 0; pos < kWinoPos; pos++)
          gemm_block(pos, bk.nt, k0, kn, m0, mn, vbuf + pos * wp.t * wp.kc,
                     mbuf + pos * wp.t * wp.mc, wp.mc);
      }
      output_block(yb, ho, wo, wp, bk, m0, mbuf);
    }
  }

 private:
  struct Block {
    size_t tx0, ntx;  // strip: tile columns [tx0, tx0 + ntx)
    size_t b0, nt;    // tiles [b0, b0 + nt) in the strip's raster order
  };

  // Tile k of the block: its row and column within the strip.
  static void tile_at(const Block& bk, size_t k, size_t* ty, size_t* tx) {
    *ty = (bk.b0 + k) / bk.ntx;
    *tx = (bk.b0 + k) % bk.ntx;
  }

  // V of input channels [k0, k0 + kn) for the block's tiles.
  void input_block(const float* x, size_t h, size_t w, const WinoPlan& pl, const Block& bk, size_t k0,
                   size_t kn, float* stage, float* v) const {
    // Bounding box of the block's input patches, in strip tile units.
    size_t ty0, tx_first, ty1, tx_last;
    tile_at(bk, 0, &ty0, &tx_first);
    tile_at(bk, bk.nt - 1, &ty1, &tx_last);
    const size_t cx0 = ty0 == ty1 ? tx_first : 0;
    const size_t cx1 = ty0 == ty1 ? tx_last : bk.ntx - 1;
    const size_t rows = kWinoTile * (ty1 - ty0 + 1) + 2;
    const size_t cols = kWinoTile * (cx1 - cx0 + 1) + 2;
    // 64-bit: padding may be up to 2^31 - 1 on a 32-bit target.
    const int64_t iy0 = int64_t(kWinoTile * ty0) - p_.pad_top;
    const int64_t ix0 = int64_t(kWinoTile * (bk.tx0 + cx0)) - p_.pad_left;
    // Columns of the box inside the image: [c_lo, c_hi).
    const int64_t lo = std::min<int64_t>(std::max<int64_t>(0, -ix0), int64_t(cols));
    const size_t c_lo = size_t(lo);
    const size_t c_hi = size_t(std::max<int64_t>(lo, std::min<int64_t>(int64_t(cols), int64_t(w) - ix0)));
    const size_t row4 = cols * 4;
    for (size_t q = 0; q * 4 < kn; q++) {
      const size_t c0 = k0 + 4 * q;  // < cin_: kpad_ pads Cin to 4 only
      const size_t nch = std::min<size_t>(4, cin_ - c0);
      const float* xg = x + c0 * h * w;
      for (size_t r = 0; r < rows; r++) {
        const int64_t iy = iy0 + int64_t(r);
        if (iy < 0 || iy >= int64_t(h) || c_lo == c_hi)
          wk_.pack_nc4(xg, 0, nch, cols, 0, 0, stage + r * row4);
        else
          wk_.pack_nc4(xg + size_t(iy) * w + size_t(ix0 + int64_t(c_lo)), h * w, nch, c_lo,
                       c_hi - c_lo, cols - c_hi, stage + r * row4);
      }
      for (size_t j = 0; j < bk.nt; j++) {
        size_t ty, tx;
        tile_at(bk, j, &ty, &tx);
        const float* src = stage + (kWinoTile * (ty - ty0)) * row4 + kWinoTile * (tx - cx0) * 4;
        wk_.input(src, row4, v_at(v, bk.nt, kn, j, q), pl.t * pl.kc);
      }
    }
  }

  // Where V_pos of tile j, k-quad q goes (see the top of the file).
  static float* v_at(float* v, size_t nt, size_t kn, size_t j, size_t q) {
    const size_t g = j / 8, nb = std::min<size_t>(8, nt - 8 * g);
    return v + g * 8 * kn + q * nb * 4 + (j % 8) * 4;
  }

  // M_pos (+)= U_pos V_pos for output channels [m0, m0 + mn), input channels
  // [k0, k0 + kn): all blocks of 8 channels over the strip of the block's
  // tiles, one call.
  void gemm_block(size_t pos, size_t nt, size_t k0, size_t kn, size_t m0, size_t mn,
                  const float* v, float* m, size_t ldm) const {
    const float* u = packed_u_.data() + pos * mpad_ * kpad_ + m0 * kpad_ + k0 * 8;
    const float* bias = pos == kWinoBiasPos && k0 == 0 && bias_.size() ? bias_.data() + m0 : nullptr;
    wg_.gemm(mn / 8, nt, kn / 4, u, 8 * kpad_, v, m, ldm, bias, k0 > 0);
  }

  void output_block(float* y, size_t ho, size_t wo, const WinoPlan& pl, const Block& bk, size_t m0,
                    const float* m) const {
    const size_t howo = ho * wo;
    const size_t m_end = std::min(cout_, m0 + pl.mc);
    for (size_t j = 0; j < bk.nt; j++) {
      size_t ty, tx;
      tile_at(bk, j, &ty, &tx);
      const size_t oy = kWinoTile * ty, ox = kWinoTile * (bk.tx0 + tx);
      WinoOutTile out;
      out.rows = std::min(kWinoTile, ho - oy);
      out.cols = std::min(kWinoTile, wo - ox);
      for (size_t o = m0; o < m_end; o += 4) {
        out.dst = y + o * howo + oy * wo + ox;
        wk_.output(m + j * pl.mc + (o - m0), pl.t * pl.mc, out, std::min<size_t>(4, cout_ - o), howo, wo,
                   p_.clamp, p_.out_min, p_.out_max);
      }
    }
  }

  Conv2dParams p_;
  const WinoKernels& wk_;
  const WinoGemmKernels& wg_;
  size_t cin_, cout_, kpad_, mpad_, mc_, kc_, block_;
  Buffer<float> packed_u_, bias_;
  // plan_for_threads' choices (not part of the layer's value: the same plan
  // results either way).
  struct CachedChoice {
    int64_t n, h, w;
    int threads;
    size_t t, mc;
  };
  static constexpr size_t kCachedChoices = 8;
  mutable std::mutex cache_mutex_;
  mutable std::vector<CachedChoice> cache_;
};

}  // namespace

const char* winograd63_conv_rejects(const Conv2dParams& p) {
  if (p.kernel_h != 3 || p.kernel_w != 3) return "it needs a 3x3 kernel";
  if (p.stride_h != 1 || p.stride_w != 1) return "it needs stride 1";
  if (p.dilation_h != 1 || p.dilation_w != 1) return "it needs dilation 1";
  if (p.groups != 1) return "it needs groups 1";
  return nullptr;
}

// When `auto` picks Winograd: executed instructions per call, winograd63 /
// im2col, qemu -cpu cortex-a72 (bench/bench_winograd.cpp, pays_* cases,
// Cin_Cout_map; re-measure when a GEMM or transform changes):
//   28x28: 3_32 0.84, 4_4 0.39, 4_16 0.60, 16_4 0.35, 8_8 0.44, 16_16 0.38;
//   56x56: 3_16 0.77;  14x14: 4_4 0.58, 8_8 0.60, 16_16 0.53, 64_64 0.41,
//   256_256 0.39;  10x10: 8_8 0.59, 64_64 0.37;  8x8 and 12x12 at 64_64: 0.56, 0.28;
//   7x7: 4_4 1.03, 8_8 1.01, 16_16 0.92, 8_64 1.41, 32_32 0.82, 64_8 0.68,
//   64_64 0.72, 256_256 0.69;  4x4 to 6x6 at 64_64: 0.71, 0.51, 0.41;
//   4x4 at 256_256: 0.67.
// So from 3 input and 4 output channels up Winograd wins on every map of
// more than 64 outputs, and on smaller ones too from 32 input channels up
// (at 7x7 and fewer than 32 input channels the 4 mostly empty tiles, and
// their 64 GEMMs of 2-4 k-quads, cost about as much as im2col or more).
bool winograd63_conv_pays(const Conv2dParams& p) {
  return p.in_channels >= 3 && p.out_channels >= 4;
}

bool winograd63_conv_pays_for_map(const Conv2dParams& p, int64_t ho, int64_t wo) {
  return ho * wo > 64 || p.in_channels >= 32;
}

ConvImplPtr make_winograd63_conv(const Conv2dParams& p, const float* weight, const float* bias) {
  return ConvImplPtr(new Winograd63Conv(p, weight, bias));
}

}  // namespace detail
}  // namespace armconv

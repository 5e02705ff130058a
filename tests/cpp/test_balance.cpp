// Thread balance of plans for threads: for layers of ResNet-18's shapes (the
// mixed and stride-2 Winograd tilings, stride-2 and plain Winograd, im2col,
// 1x1) and a few others (depthwise), a family's plan for a team of P threads
// is split for T threads as run_all splits it (split_units over each stage's
// grid), and each thread's work is summed by a measure of this test's own,
// not the planner's cost model or last_cost figures:
//   Winograd   multiply-adds of the transforms by their matrices' nonzero
//              entries (core/winograd.h's B^T, A^T: B^T d B costs 2 n nnz(B^T)
//              per tile and channel, A^T M A nnz(A^T) (n + m)), and of the
//              per-position GEMMs (positions x tiles x padded input channels
//              x padded output channels); a one-stage unit's input transform
//              counted where the driver makes it (once per tile block and
//              range with one input chunk);
//   GEMM       the micro-kernel's multiply-adds, MR x NR tiles (last stage);
//              packing B (plans in stages): NR-wide panel rows written, one
//              per piece of an output row the panel's columns read (im2col;
//              a dense B one piece), x kPieceWeight; the padded copy: its
//              rows' elements;
//   depthwise  output pixels x kernel taps.
// A unit is decoded (region, tile block, channel or position run) from the
// plan's own layout (WinoPlan, a mixed plan's runs), as the driver decodes it.
// Per stage (with at least 4 T units) and per call (the stages' busiest
// threads summed, over all threads' work / T) the busiest thread may do at
// most kBound x an even share. With equal units and kUnitsPerThread (8) per
// thread an equal split is within 1 + 1/8 (threads.h); the rest of the bound
// is room for the planner's estimates differing from this measure.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "check.h"
#include "core/conv_impl.h"
#include "core/dispatch.h"
#include "core/winograd.h"
#include "threads/threads.h"

using namespace armconv;
using namespace armconv::detail;

namespace {

constexpr double kBound = 1.15;
// A transform-domain element of a tile and channel (loaded, combined, stored
// by a transform), in GEMM multiply-adds.
constexpr double kTransformWeight = 16.0;
// Stages doing less of the call's work than this are checked as part of the
// call only (but for GEMM plans' packing and padded-copy stages, checked
// whatever their share).
constexpr double kMinStageShare = 0.1;
// A packed element of B (an NR-wide row of a panel, per piece of an output
// row it reads: the im2col packers resolve each piece and copy it on its
// own), in GEMM multiply-adds.
constexpr double kPieceWeight = 4.0;
// The bound of an im2col packing stage on output rows narrower than a panel
// (below): r18.13's 7-wide rows in 12-column panels of 2, 3, 3, 2 and 1
// pieces, 35 units at 4 threads, measure 1.19; counted (bench/stage_balance.py
// way, cortex-a72) 1.11.
constexpr double kNarrowPackBound = 1.25;

Conv2dParams conv(int64_t cin, int64_t cout, int64_t k, int64_t stride, int64_t pad, int64_t groups = 1,
                  bool relu = false) {
  Conv2dParams p;
  p.in_channels = cin;
  p.out_channels = cout;
  p.kernel_h = p.kernel_w = k;
  p.stride_h = p.stride_w = stride;
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = pad;
  p.groups = groups;
  p.clamp = relu;
  p.out_min = relu ? 0.0f : -INFINITY;
  p.out_max = INFINITY;
  return p;
}

size_t up(size_t a, size_t b) { return (a + b - 1) / b * b; }

// ---- Winograd --------------------------------------------------------------------

// One region of tile side m (the whole map for a plain plan).
struct WinoRegionWork {
  const WinoPlan* wp;
  size_t m, s, n, npos;
  size_t cg, mg, kpad, mpad;
  double in_tx, out_tx;  // per tile and channel
  int stages;            // the region's own
};

WinoRegionWork wino_region(const Conv2dParams& p, const WinoPlan& wp, int stages) {
  WinoRegionWork r;
  r.wp = &wp;
  r.m = wp.m;
  r.s = size_t(p.stride_h);
  const WinoMatrices& mx = r.s == 2 ? wino_matrices_s2(r.m) : wino_matrices(r.m);
  r.n = mx.n;
  r.npos = r.n * r.n;
  r.cg = size_t(p.in_channels / p.groups);
  r.mg = size_t(p.out_channels / p.groups);
  r.kpad = up(r.cg, 4);
  r.mpad = up(r.mg, 8);
  r.in_tx = r.out_tx = kTransformWeight * double(r.npos);
  r.stages = stages;
  return r;
}

// Tiles of tile block bi of an image (its strip: up to 32 tile columns).
size_t block_tiles(const WinoPlan& wp, size_t bi) {
  const size_t strip = std::min(bi / wp.blocks_full, wp.strips - 1);
  const size_t ntx = std::min<size_t>(32, wp.tiles_x - strip * 32);
  const size_t b0 = (bi - strip * wp.blocks_full) * wp.t;
  return std::min(wp.t, wp.tiles_y * ntx - b0);
}

// Work of units [a, b) of stage `st` of the region (its own stage numbers),
// run as one call (a one-stage unit reuses its block's input transform from
// the unit before it in the same call, with one input chunk).
double wino_work(const WinoRegionWork& r, int st, size_t a, size_t b) {
  const WinoPlan& wp = *r.wp;
  double w = 0;
  if (!wp.staged) {
    const bool one_k = r.kpad <= wp.kc;
    size_t v_block = SIZE_MAX;
    for (size_t u = a; u < b; u++) {
      const size_t block = u / wp.m_chunks, bi = block % wp.blocks, mi = u % wp.m_chunks;
      const double nt = double(block_tiles(wp, bi));
      const size_t m0 = mi * wp.mc, mn = std::min(wp.mc, r.mpad - m0);
      if (!one_k || v_block != block) w += nt * double(r.kpad) * r.in_tx;
      v_block = block;
      w += double(r.npos) * nt * double(r.kpad) * double(mn);
      w += nt * double(std::min(r.mg, m0 + wp.mc) - std::min(r.mg, m0)) * r.out_tx;
    }
    return w;
  }
  for (size_t u = a; u < b; u++) {
    if (st == 0) {  // (image x group, block, input quad run)
      const size_t bi = u / wp.k_units % wp.blocks, kr = u % wp.k_units;
      const size_t q0 = kr * wp.k_quads_per_unit, q1 = std::min(r.kpad / 4, q0 + wp.k_quads_per_unit);
      w += double(block_tiles(wp, bi)) * double(4 * (q1 - q0)) * r.in_tx;
    } else if (st == 1) {  // (image x group, block, output chunk x position run)
      const size_t inner = wp.m_chunks * wp.pos_units;
      const size_t bi = u / inner % wp.blocks, mi = u % inner / wp.pos_units, pr = u % wp.pos_units;
      const size_t p0 = pr * wp.pos_per_unit, p1 = std::min(r.npos, p0 + wp.pos_per_unit);
      const size_t mn = std::min(wp.mc, r.mpad - mi * wp.mc);
      w += double(p1 - p0) * double(block_tiles(wp, bi)) * double(r.kpad) * double(mn);
    } else {  // (image x group, block, tile run x output quad run)
      const size_t inner = wp.tile_runs * wp.o_units;
      const size_t bi = u / inner % wp.blocks, tr = u % inner / wp.o_units, orun = u % wp.o_units;
      const size_t nt = block_tiles(wp, bi);
      const size_t j0 = tr * nt / wp.tile_runs, j1 = (tr + 1) * nt / wp.tile_runs;
      const size_t o0 = orun * wp.o_quads_per_unit * 4, o1 = std::min(r.mg, o0 + wp.o_quads_per_unit * 4);
      w += double(j1 - j0) * double(o1 - o0) * r.out_tx;
    }
  }
  return w;
}

// ---- the families' plans ----------------------------------------------------------

struct Layer {
  std::string what;
  Conv2dParams p;
  int64_t h, w;
  const ConvImpl* impl;
};

// Work of units [a, b) of stage st of the layer's plan (one call).
double work(const Layer& l, const ConvPlan& pl, int st, size_t a, size_t b) {
  const std::string algo = pl.algo;
  if (pl.wino_mix) {
    const WinoMixPlan& mx = *pl.wino_mix;
    const UnitRuns& runs = *pl.stage_grid(st).runs;
    double w = 0;
    for (const UnitRun& run : runs.runs) {
      const size_t lo = std::max(a, run.at), hi = std::min(b, run.at + run.count);
      if (lo >= hi) continue;
      const size_t r = run.tag;
      const WinoRegionWork rw = wino_region(l.p, mx.part[r], mx.stages[r]);
      w += wino_work(rw, st - (pl.stages - mx.stages[r]), run.first + (lo - run.at), run.first + (hi - run.at));
    }
    return w;
  }
  if (algo.compare(0, 8, "winograd") == 0) return wino_work(wino_region(l.p, pl.wino, pl.stages), st, a, b);
  if (algo == "im2col" || algo == "gemm") {
    const GemmPlan& g = pl.gemm;
    const size_t mr = kernels().sgemm->mr, nr = kernels().sgemm->nr;
    double w = 0;
    const int gs = st - (pl.stages - 2);  // -1: the padded copy, 0: packing B, 1: the micro-kernels
    if (pl.stages > 1 && gs < 0) {  // (image-group, channel, band of rows)
      const PadPlan& pd = pl.pad;
      for (size_t u = a; u < b; u++) {
        const size_t r0 = u % pd.bands * pd.rows_per_unit;
        w += double(std::min(pd.hp, r0 + pd.rows_per_unit) - r0) * double(pd.wp);
      }
      return w;
    }
    if (pl.stages > 1 && gs == 0) {  // (image-group, slab, K-block, row slice, panel group)
      const bool dense = l.p.kernel_h == 1 && l.p.kernel_w == 1 && l.p.stride_h == 1 && l.p.stride_w == 1 &&
                         l.p.pad_top == 0 && l.p.pad_left == 0 && l.p.pad_bottom == 0 && l.p.pad_right == 0;
      const size_t per_kb = g.pack_groups * g.k_slices, per_slab = g.k_blocks * per_kb;
      const size_t wo = size_t(pl.wo);
      for (size_t u = a; u < b; u++) {
        const size_t v = u % g.pack_units();
        const size_t slab = v / per_slab, kb = v % per_slab / per_kb, ks = v % per_kb / g.pack_groups;
        const size_t pg = v % g.pack_groups;
        const size_t n0 = slab * g.slab_nc, nc = std::min(g.slab_nc, g.n - n0);
        const size_t kc = std::min(g.kc, g.k - kb * g.kc), r0 = ks * g.slice_k;
        if (r0 >= kc) continue;
        const double rows = double(std::min(g.slice_k, kc - r0));
        for (size_t q = pg * g.pack_panels; q < (pg + 1) * g.pack_panels && q * nr < nc; q++) {
          // A panel row is NR elements written; an im2col panel's columns are
          // read as one piece per output row they lie in.
          const size_t c0 = n0 + q * nr, c1 = std::min(n0 + nc, c0 + nr);
          const size_t pieces = dense ? 1 : (c1 - 1) / wo - c0 / wo + 1;
          w += rows * double(nr) * double(pieces) * kPieceWeight;
        }
      }
      return w;
    }
    for (size_t u = a; u < b; u++) {
      const size_t nb = u / g.m_panels % g.n_blocks;
      const size_t cols = std::min(g.nc, g.n - nb * g.nc);
      w += double(up(cols, nr)) * double(mr) * double(g.k);
    }
    return w;
  }
  if (algo.compare(0, 9, "depthwise") == 0) {
    const DwPlan& d = pl.dw;
    double w = 0;
    for (size_t u = a; u < b; u++) {
      const size_t rb = u % d.row_blocks;
      const size_t rows = std::min(d.rows_per_block, size_t(pl.ho) - std::min(size_t(pl.ho), rb * d.rows_per_block));
      w += double(rows) * double(pl.wo) * double(l.p.kernel_h * l.p.kernel_w);
    }
    return w;
  }
  CHECK(false, "%s: no measure for algo %s", l.what.c_str(), pl.algo);
  return NAN;
}

int checked = 0;

// The plan for `planned` threads split for `team`: per stage and per call.
void check_layer(const Layer& l, int planned, int team) {
  const ConvPlan pl = l.impl->plan_for_threads(1, l.h, l.w, planned);
  std::vector<double> busiest_sum;
  double call_busiest = 0, call_total = 0;
  std::string line;
  bool measured_all = true;
  std::vector<double> stage_bal, stage_total;
  std::vector<size_t> stage_units;
  for (int st = 0; st < pl.stages; st++) {
    const UnitGrid g = pl.stage_grid(st);
    std::vector<size_t> bounds(size_t(team) + 1);
    split_units(g, team, bounds.data());
    std::vector<double> per(static_cast<size_t>(team));
    for (int w = 0; w < team; w++) per[size_t(w)] = work(l, pl, st, bounds[size_t(w)], bounds[size_t(w) + 1]);
    if (std::isnan(per[0])) {
      measured_all = false;
      line += " -";
      continue;
    }
    double total = 0, most = 0;
    for (double x : per) total += x, most = std::max(most, x);
    const double bal = total > 0 ? most / (total / team) : 1.0;
    char buf[64];
    std::snprintf(buf, sizeof buf, " %.3f", bal);
    line += buf;
    call_busiest += most;
    call_total += total;
    stage_bal.push_back(bal);
    stage_total.push_back(total);
    stage_units.push_back(g.units());
  }
  const bool gemm = std::string(pl.algo) == "gemm" || std::string(pl.algo) == "im2col";
  for (size_t st = 0; st < stage_bal.size(); st++)
    if (stage_units[st] >= 4 * size_t(team) && (stage_total[st] >= kMinStageShare * call_total || gemm)) {
      // An im2col packing stage on output rows narrower than a panel: its
      // panels read 1 to 3 pieces each, in a pattern along N that the
      // split's cost (equal units) does not see.
      const bool narrow = gemm && int(st) == pl.stages - 2 && size_t(pl.wo) < kernels().sgemm->nr;
      const double bound = narrow ? kNarrowPackBound : kBound;
      CHECK(stage_bal[st] <= bound, "%s, planned for %d, run by %d: stage %zu (%zu units) busiest %.3f x even > %.2f",
            l.what.c_str(), planned, team, st, stage_units[st], stage_bal[st], bound);
      checked++;
    }
  const double call = call_busiest / (call_total / team);
  std::printf("%-44s %-18s %d:%d stages%s  call %.3f%s\n", l.what.c_str(), pl.algo, planned, team, line.c_str(),
              call, measured_all ? "" : " (measured stages)");
  CHECK(call <= kBound, "%s, planned for %d, run by %d: call busiest %.3f x even > %.2f", l.what.c_str(), planned,
        team, call, kBound);
}

}  // namespace

int main() {
  struct Spec {
    const char* what;
    const char* algo;
    Conv2dParams p;
    int64_t h, w;
  };
  const Spec specs[] = {
      // ResNet-18 (README's threads table: r18.NN)
      {"r18.01 64->64 56x56 relu", "winograd63+23", conv(64, 64, 3, 1, 1, 1, true), 56, 56},
      {"r18.06 128->128 28x28", "winograd63+43", conv(128, 128, 3, 1, 1), 28, 28},
      {"r18.10 128->256 s2 28x28 relu", "winograd43s2+23s2", conv(128, 256, 3, 2, 1, 1, true), 28, 28},
      {"r18.11 256->256 14x14", "winograd63+23", conv(256, 256, 3, 1, 1), 14, 14},
      {"r18.05 64->128 s2 56x56 relu", "winograd43s2", conv(64, 128, 3, 2, 1, 1, true), 56, 56},
      {"r18.16 512->512 7x7", "winograd43", conv(512, 512, 3, 1, 1), 7, 7},
      {"r18.00 3->64 7x7 s2 224x224 relu", "im2col", conv(3, 64, 7, 2, 3, 1, true), 224, 224},
      {"r18.07 64->128 1x1 s2 56x56", "gemm", conv(64, 128, 1, 2, 0), 56, 56},
      // others: mixed tilings of other maps, depthwise, a stride-1 1x1
      {"64->64 30x30 relu", "winograd63+23", conv(64, 64, 3, 1, 1, 1, true), 30, 30},
      {"96->96 20x20", "winograd63+43", conv(96, 96, 3, 1, 1), 20, 20},
      {"64->128 s2 58x58", "winograd43s2+23s2", conv(64, 128, 3, 2, 1), 58, 58},
      {"dw 144 56x56 relu", "dw3x3", conv(144, 144, 3, 1, 1, 144, true), 56, 56},
      {"dw 96 s2 112x112", "dw3x3", conv(96, 96, 3, 2, 1, 96), 112, 112},
      {"1x1 32->192 28x28", "gemm", conv(32, 192, 1, 1, 0), 28, 28},
      // GEMM plans in stages (packing B shared; a padded copy first)
      {"r18.08 128->256 1x1 s2 28x28", "gemm", conv(128, 256, 1, 2, 0), 28, 28},
      {"r18.13 256->512 1x1 s2 14x14", "gemm", conv(256, 512, 1, 2, 0), 14, 14},
      {"1x1 512->512 7x7", "gemm", conv(512, 512, 1, 1, 0), 7, 7},
      {"im2col 3x3 256->256 14x14", "im2col", conv(256, 256, 3, 1, 1), 14, 14},
      {"im2col 3x3 512->512 7x7 relu", "im2col", conv(512, 512, 3, 1, 1, 1, true), 7, 7},
      {"im2col 5x5 16->32 28x28", "im2col", conv(16, 32, 5, 1, 2), 28, 28},
  };
  std::vector<ConvImplPtr> keep;
  for (const Spec& s : specs) {
    const std::string algo = s.algo;
    const Conv2dParams& p = s.p;
    ConvImplPtr impl;
    std::vector<float> wt, bias;
    if (algo == "gemm" || algo == "dw3x3") {  // (they pack weights: plan-only needs none of the others')
      wt.assign(size_t(p.out_channels * (p.in_channels / p.groups) * p.kernel_h * p.kernel_w), 0.5f);
      bias.assign(size_t(p.out_channels), 0.0f);
    }
    const float* w = wt.empty() ? nullptr : wt.data();
    const float* b = bias.empty() ? nullptr : bias.data();
    if (algo == "winograd63+23") impl = make_winograd_mixed_layer(p, 6, 2, w, b);
    else if (algo == "winograd63+43") impl = make_winograd_mixed_layer(p, 6, 4, w, b);
    else if (algo == "winograd43s2+23s2") impl = make_winograd_mixed_layer(p, 4, 2, w, b);
    else if (algo == "winograd43s2" || algo == "winograd43") impl = make_winograd_conv(p, 4, w, b);
    else if (algo == "im2col") impl = make_im2col_conv(p, w, b);
    else if (algo == "gemm") impl = make_gemm_conv(p, w, b);
    else if (algo == "dw3x3") impl = make_dw3x3_conv(p, w, b);
    CHECK(impl != nullptr, "%s: no %s", s.what, s.algo);
    const Layer l{s.what, p, s.h, s.w, impl.get()};
    for (int t : {2, 3, 4}) check_layer(l, t, t);
    // A team smaller or larger than the plan's (call_plan may run fewer threads than planned).
    check_layer(l, 4, 3);
    check_layer(l, 4, 2);
    check_layer(l, 2, 3);
    keep.push_back(std::move(impl));
  }
  CHECK(checked > 100, "only %d stage checks ran", checked);
  std::printf("test_balance: %d stage checks, bound %.2f\n", checked, kBound);
  return failures ? 1 : 0;
}

// Plan, then run ranges: the contract between an operator (Conv2d, QConv2d)
// and the kernel family that runs it, and what a thread pool or a network
// runner builds on.
//
//   ConvPlan plan(n, h, w)
//     Everything that depends on the input size, fixed once: the family that
//     runs (an `auto` layer may pick by map size), its blocking, the number
//     of independent work units along each split axis (and the relative cost
//     of the last unit along each), and the scratch bytes one worker needs.
//     A pure function of the layer and (n, h, w), cheap: a network runner may
//     keep one plan per layer and input size.
//
//   ConvPlan plan_for_threads(n, h, w, threads)
//     The plan for a run on `threads` threads: a family may cut its units
//     finer (smaller N-blocks, tile blocks or channel chunks, row blocks) so
//     that each thread gets an even share (threads.h: kUnitsPerThread per
//     thread). The cut never changes a result bit. Default: plan(n, h, w).
//
//   run(plan, x, y, begin, end, scratch)
//     Computes the outputs of units [begin, end) of `plan` (0 <= begin <= end
//     <= plan.units). Units write disjoint parts of y and read only x, the
//     layer's packed weights and `scratch`; no reduction is ever split across
//     units. So any partition of [0, units), run in any order, on any threads,
//     writes exactly the bytes one run(0, units) writes.
//     scratch: plan.scratch_bytes bytes, 64-byte aligned, any content on entry;
//     one worker's alone while the call runs (run_all, core/conv_impl.h, gives
//     each thread its own and reuses it across calls).
//     Layers are immutable: run() is const and may be called from several
//     threads at once, with the same plan.
//
//   Stages: a plan may run in plan.stages > 1 steps (Winograd on small maps
//   for a team: the input transform of the whole map, then the per-position
//   GEMMs, then the output transform; GEMM: [a zero-padded copy of the image,]
//   packing B, then the micro-kernels).
//   run_stage(plan, s, x, y, begin, end, scratch, shared)
//   runs units [begin, end) of stage s (stage_grid(s)); every unit of stage s
//   is done before any of stage s + 1 starts; within a stage the contract of
//   run() holds (any cut, any order, any threads, scratch per worker).
//   `shared`: plan.shared_bytes, 64-byte aligned, one buffer for the whole
//   call that earlier stages write (disjoint parts per unit) and later ones
//   read. A one-stage plan's run_stage(plan, 0, ...) is run(); a plan in
//   stages is only ever run through run_stage (run_all, core/conv_impl.h).
//
// Unit order: units that share work (a packed B block, a transformed tile
// block, a plane) are consecutive, and run() reuses it within a range, so a
// worker should take one contiguous range; the whole range [0, units) costs
// what the single-threaded code always did.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "core/gemm.h"
#include "threads/threads.h"

namespace armconv {
namespace detail {

// Winograd F(m x m, 3x3) (conv_winograd.cpp): units are (image x group, tile
// block, output-channel chunk), chunk innermost.
struct WinoPlan {
  size_t m = 0;                     // output tile side (2, 4, 6)
  // The output window the tiles cover: rows [y0, y0 + wh), columns [x0, x0
  // + ww) of the output map (all of it, but for a region of a mixed tiling).
  size_t y0 = 0, x0 = 0, wh = 0, ww = 0;
  size_t tiles_y = 0, tiles_x = 0;  // m x m output tiles of the window
  size_t strips = 0;                // strips of at most kStripTiles tile columns
  size_t blocks_full = 0;           // tile blocks of a full-width strip
  size_t blocks_last = 0;           // ... of the last strip
  size_t blocks = 0;                // per image, all strips
  size_t t = 0;                     // tiles per block
  size_t kc = 0, mc = 0;            // input / output channel chunks
  size_t m_chunks = 0;
  size_t box_rows = 0, box_cols = 0;  // staging box bound (pixels)
  size_t v_floats = 0, m_floats = 0, stage_floats = 0;
  // A plan in three stages (plan_for_threads on maps with few tile blocks),
  // each over buffers the call's threads share: stage 0 transforms the input
  // of every block into V, in units of (image x group, block,
  // k_quads_per_unit input-channel quads); stage 1 runs the per-position
  // GEMMs of the one-thread plan's units into M, in units of (image x group,
  // block, output chunk x run of pos_per_unit positions); stage 2 the output
  // transforms, in units of (image x group, block, one of tile_runs runs of
  // the block's tiles x o_quads_per_unit output quads). A block's V (all
  // input chunks) takes slab_floats, one output chunk's M of a block
  // m_slab_floats (after all of V).
  bool staged = false;
  size_t k_quads_per_unit = 0, k_units = 0;
  size_t pos_per_unit = 0, pos_units = 0;
  size_t o_quads_per_unit = 0, o_units = 0, tile_runs = 0;
  size_t slab_floats = 0, m_slab_floats = 0;
};

// A mixed Winograd tiling (conv_winograd.cpp): the output map cut into up to
// kMaxWinoRegions disjoint rectangular windows, each run by the Winograd
// driver at its own tile size (e.g. F(6,3) on the 12x12 core of a 14x14 map,
// F(2,3) on its 2-wide border). The plan of each region is the one-tile-size
// plan of its window (part[r]); the mixed plan's units, in every stage, are
// runs of the regions' units (UnitRuns, threads.h; held in runs[s], which
// ConvPlan::runs and the early grids' runs point to; a run's tag is its
// region), laid out in `team`
// super-blocks: super-block t holds region 0's units [b_t, b_t+1) (b: the
// region's stage grid split by cost for the team, split_units), then region
// 1's likewise, ... So a team of the size the plan is for gets about 1/team
// of every region, whatever the regions' relative costs (its ranges are cut
// by the runs' costs once, here: UnitRuns::starts); and each run weighs
// its units by its region's estimated instructions per unit (UnitGrid::
// unit_cost): an F(6,3) unit does several times an F(2,3) unit's work, and a
// team of another size is split by those costs. team = 1 (a one-thread plan)
// is region 0's units, then region 1's, ... A region planned in fewer stages
// than the mixed plan runs its stages in the mixed plan's last ones (and has
// no units in the earlier ones); its shared buffer starts at shared_at[r].
// ConvPlan holds it by pointer (null for every other plan): three WinoPlans
// would more than double the plan every call of every family copies.
constexpr size_t kMaxWinoRegions = 3;
struct WinoMixPlan {
  size_t count = 0;  // regions
  WinoPlan part[kMaxWinoRegions];
  int stages[kMaxWinoRegions] = {1, 1, 1};
  size_t shared_at[kMaxWinoRegions] = {};
  size_t team = 1;  // super-blocks per stage (the team the plan is for)
  UnitRuns runs[3];  // per stage of the mixed plan (ConvPlan::kMaxStages; ConvPlan::runs, early[s].runs point here)
};

// The zero-padded copy of the image a GEMM layer packs its im2col matrix
// from (conv_gemm.cpp, GemmKernel::pad_copy), per image-group: cg planes of
// hp x wp, the image at (pad_top, pad_left). A one-stage plan makes it in
// each worker's scratch (the rows that worker's range reads); a plan in
// stages makes it once, as stage 0, into the shared buffer (at `offset`,
// one copy per image-group), in units of (image-group, channel, band of
// rows_per_unit rows) that the packing stage then reads.
struct PadPlan {
  size_t bytes = 0;  // one image-group's copy, 64-byte rounded; 0: no copy
  size_t hp = 0, wp = 0;
  size_t bands = 1, rows_per_unit = 0;  // stage 0: bands of rows per plane
  size_t offset = 0;                    // in the shared buffer (staged)
};

// Depthwise (conv_dwconv.cpp): units are row blocks of (image, channel)
// planes; a plane has several only when the layer has few planes.
struct DwPlan {
  size_t planes = 0;          // n * channels
  size_t row_blocks = 1;      // per plane
  size_t rows_per_block = 0;  // output rows (the last block takes the rest)
};

struct ConvPlan {
  const char* algo = nullptr;  // the family that runs (Conv2d: algo_name(); QConv2d: its names)
  int64_t n = 0, h = 0, w = 0, ho = 0, wo = 0;
  // Units along each split axis, outermost first (the family says which:
  // GEMM image*group, N-block, M-panel; Winograd image, tile block, channel
  // chunk; depthwise plane, row block); units = their product.
  size_t axes[3] = {1, 1, 1};
  size_t units = 0;
  // Cost of the last unit along each axis relative to the others (in (0, 1]):
  // threads get ranges of equal cost (threads.h, split_units).
  double last_cost[3] = {1.0, 1.0, 1.0};
  // The last stage's units as runs of other grids' (UnitGrid::runs: a mixed
  // Winograd plan's regions), or null; and what a unit of cost 1 costs
  // (UnitGrid::unit_cost: estimated instructions, where a family weighs them).
  // Not owned: they live in wino_mix, which every copy of the plan shares.
  const UnitRuns* runs = nullptr;
  double unit_cost = 1.0;
  size_t scratch_bytes = 0;  // per worker
  // Multiply-adds of the whole call (direct-convolution equivalent): with
  // `units`, how much work a unit is (a thread pool's team size).
  double macs = 0.0;
  // What a MAC of this family costs relative to one of the fp32 GEMM
  // (depthwise ~3x, Winograd ~0.4x): a team's size goes by macs x this.
  double cost_per_mac = 1.0;
  double work() const { return macs * cost_per_mac; }
  double work_per_unit() const { return units ? work() / double(units) : 0.0; }
  double macs_per_unit() const { return units ? macs / double(units) : 0.0; }
  UnitGrid grid() const {
    UnitGrid g;
    for (int a = 0; a < 3; a++) {
      g.axes[a] = axes[a];
      g.last_cost[a] = last_cost[a];
    }
    g.unit_cost = unit_cost;
    g.runs = runs;
    return g;
  }
  // Stages (see the top of the file): stage s < stages - 1 has the units of
  // early[s]; the last stage has the units above (axes, units, last_cost),
  // so a one-stage plan is unchanged. scratch_bytes covers every stage.
  static constexpr int kMaxStages = 3;
  int stages = 1;
  UnitGrid early[kMaxStages - 1];
  size_t shared_bytes = 0;
  UnitGrid stage_grid(int s) const { return s + 1 < stages ? early[s] : grid(); }
  size_t stage_units(int s) const { return stage_grid(s).units(); }
  GemmPlan gemm;             // the family's own part
  PadPlan pad;
  WinoPlan wino;
  std::shared_ptr<const WinoMixPlan> wino_mix;  // a mixed Winograd tiling's regions, or null
  DwPlan dw;
};

// A convolution family with its packed weights. X, Y: input and output
// element types (fp32: float, float; int8: int8_t, void = int8_t or float).
template <class X, class Y>
class ConvImplT {
 public:
  virtual ~ConvImplT() = default;
  virtual ConvPlan plan(int64_t n, int64_t h, int64_t w) const = 0;
  // The plan for `threads` threads (>= 2): see the top of the file.
  virtual ConvPlan plan_for_threads(int64_t n, int64_t h, int64_t w, int threads) const {
    return plan(n, h, w);
  }
  // x: (n, C, h, w), y: (n, Cout, ho, wo), both dense.
  virtual void run(const ConvPlan& plan, const X* x, Y* y, size_t begin, size_t end,
                   void* scratch) const = 0;
  // Units [begin, end) of stage `stage` of a plan (see the top of the file);
  // shared: plan.shared_bytes bytes. Families without stages: run().
  virtual void run_stage(const ConvPlan& plan, int stage, const X* x, Y* y, size_t begin, size_t end,
                         void* scratch, void* shared) const {
    (void)stage;
    (void)shared;
    run(plan, x, y, begin, end, scratch);
  }
  // Bytes of weights the implementation holds for its runs (packed panels,
  // a kept copy), not counting memory it reads from another implementation
  // (PlanAccess::weight_bytes; the gemm, im2col and strassen families and
  // the layers that pick by map size report it, the others 0).
  virtual size_t weight_bytes() const { return 0; }
};

// The float32-image families of Conv2d. A family with fp16 kernels
// (Precision::Fp16) also runs binary16 images, with the same packed weights:
// f16() is that view of it (nullptr for fp32 kernels).
class ConvImpl : public ConvImplT<float, float> {
 public:
  virtual const ConvImplT<Half, Half>* f16() const { return nullptr; }
};

// An fp16 family: both views, one plan() for both (the same blocking and
// units; only the image and output element types differ).
class ConvImplF16 : public ConvImpl, public ConvImplT<Half, Half> {
 public:
  const ConvImplT<Half, Half>* f16() const override { return this; }
  ConvPlan plan(int64_t n, int64_t h, int64_t w) const override = 0;
};

// The int8 families (QConv2d).
class ConvImplS8 : public ConvImplT<int8_t, void> {};

// The plans of a layer's calls, by input size (Conv2d::run, QConv2d::run_any).
// plan(n, h, w) is a pure function of the layer and the size (top of the
// file) and a network calls a layer on one size or a few, so a layer keeps
// the plans its calls made and plans only a size it has not run yet
// (measured: planning was ~1/5 of the instructions of a Python call of a
// 1x1 layer on a 1x1 map; the team a call runs on, call_plan, is still
// chosen per call at the thread count of the moment). The layer stays
// immutable and may be called from several threads at once, as the mixed
// Winograd family keeps its plans (conv_winograd.cpp, kept()): a kept plan
// is never changed or freed while the layer lives; last_ points at the one
// the last call found (release/acquire: a reader sees it whole); the list,
// and the planning of a size not in it, are under mu_ (a ForkSafeSection:
// a child forked meanwhile never inherits mu_ held). At most kMaxKept
// sizes: find() returns nullptr for others (the caller plans those itself,
// each call).
class PlanMemo {
 public:
  // The kept plan of (n, h, w), made by make() (-> ConvPlan; may throw:
  // then nothing is kept) the first time; nullptr if kMaxKept are kept.
  template <class Make>
  const ConvPlan* find(int64_t n, int64_t h, int64_t w, Make&& make) const {
    const Kept* k = last_.load(std::memory_order_acquire);
    if (k && k->n == n && k->h == h && k->w == w) return &k->plan;
    ForkSafeSection section;  // (threads/threads.h: a fork() waits until mu_ is free)
    std::lock_guard<std::mutex> lock(mu_);
    for (const std::unique_ptr<const Kept>& e : kept_)
      if (e->n == n && e->h == h && e->w == w) {
        last_.store(e.get(), std::memory_order_release);
        return &e->plan;
      }
    if (kept_.size() >= kMaxKept) return nullptr;
    std::unique_ptr<const Kept> e(new Kept{n, h, w, make()});
    kept_.push_back(std::move(e));
    last_.store(kept_.back().get(), std::memory_order_release);
    return &kept_.back()->plan;
  }

 private:
  struct Kept {
    int64_t n, h, w;
    ConvPlan plan;
  };
  static constexpr size_t kMaxKept = 16;
  mutable std::atomic<const Kept*> last_{nullptr};
  mutable std::mutex mu_;
  mutable std::vector<std::unique_ptr<const Kept>> kept_;
};

}  // namespace detail
}  // namespace armconv

// Plan, then run ranges (core/plan.h): every family's run(begin, end,
// scratch) over random cuts of its work units, each part with its own
// scratch full of garbage, in a random order (and, last, from several
// threads at once), must write exactly the bytes of one run over all units;
// so must the family's plans for teams of threads (plan_for_threads: finer
// units), whole and cut, and those plans run on the pool with 2, 3, 4 and
// 16 threads as run_all runs them (split_units, per-thread scratch): results
// are bit-identical for every thread count. Plans in stages (Winograd on
// small maps for a team) run stage after stage, each stage cut at random,
// with one shared buffer full of garbage.
// Shapes are chosen so that every split axis of each family has several
// units (N-blocks and M-panels of the GEMMs, K-blocks inside a unit, tile
// blocks and channel chunks of Winograd, planes and row blocks of
// depthwise); the test checks that they do.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "rand.h"
#include "check.h"
#include "core/conv_impl.h"
#include "core/dispatch.h"
#include "core/half.h"
#include "core/wino_gemm.h"
#include "core/winograd.h"
#include "threads/threads.h"

using namespace armconv;
using namespace armconv::detail;

namespace {

std::mt19937 gen(20240611);

// What a run covers (ARMCONV_TEST_RANGES; scripts/test.sh sets it per build
// and CPU, CTEST_ENV):
//   unset or "all"  every case below, each through 3 cut modes (each unit
//                   alone, two random cuts) and plans for teams of 2, 3, 4
//                   and 16 threads; the fp16 Winograd's generic twin kernels
//                   (scalar binary16 arithmetic, the slowest cases under QEMU)
//                   through the "quick" cuts and teams: the same driver, plans
//                   and cuts run in full with the NEON fp16 kernels on
//                   cortex-a76 ("ext"), and tests/cpp/test_winograd_fp16.cpp
//                   checks the twin kernels themselves;
//   "ext"           only the families whose kernels a CPU's ISA extensions
//                   change: every fp16 case (FP16 units) and the int8 GEMM and
//                   im2col cases (sdot where the CPU has dotprod, smmla where
//                   it has i8mm: qemu max). For a CPU
//                   whose other kernels are machine code another run of the
//                   same binary covers in full (cortex-a76 after cortex-a72);
//   "quick"         every case, through 2 cut modes (each unit alone, random
//                   cuts) and teams of 3 and 16 threads. For a second
//                   compiler's build (clang) of the driver a gcc build runs in
//                   full: the plans and cuts are the same C++, and the other
//                   tests run that build's kernels in full.
enum class Coverage { All, Ext, Quick };
Coverage coverage = Coverage::All;

// Output bytes of a plan: n * Cout * ho * wo elements of elem bytes.
size_t out_bytes(const ConvPlan& pl, int64_t cout, size_t elem) {
  return size_t(pl.n) * size_t(cout) * size_t(pl.ho) * size_t(pl.wo) * elem;
}

// A random partition of [0, units) into parts, in random order.
std::vector<std::pair<size_t, size_t>> random_parts(size_t units, int mode) {
  std::vector<size_t> cuts = {0, units};
  if (mode == 0) {  // every unit alone
    for (size_t u = 1; u < units; u++) cuts.push_back(u);
  } else {
    std::uniform_int_distribution<size_t> d(0, units);
    const int ncuts = 1 + int(gen() % 6);
    for (int i = 0; i < ncuts; i++) cuts.push_back(d(gen));
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  std::vector<std::pair<size_t, size_t>> parts;
  for (size_t i = 0; i + 1 < cuts.size(); i++) parts.push_back({cuts[i], cuts[i + 1]});
  std::shuffle(parts.begin(), parts.end(), gen);
  return parts;
}

// Bytes of garbage: xorshift64 from a seed of gen(), 8 bytes per step (one
// mt19937 draw per byte made filling the scratch of every part most of this
// test's run time under QEMU).
std::vector<unsigned char> garbage(size_t bytes) {
  std::vector<unsigned char> s((bytes + 64 + 7) / 8 * 8);
  uint64_t r = (uint64_t(gen()) << 32 | gen()) | 1;
  for (size_t i = 0; i < s.size(); i += 8) {
    r ^= r << 13;
    r ^= r >> 7;
    r ^= r << 17;
    std::memcpy(&s[i], &r, 8);
  }
  return s;
}

// Scratch of at least `bytes`, 64-byte aligned, filled with garbage.
struct Scratch {
  std::vector<unsigned char> mem;
  void* p;
  explicit Scratch(size_t bytes) : mem(garbage(bytes + 64)) {
    p = reinterpret_cast<void*>((reinterpret_cast<uintptr_t>(mem.data()) + 63) & ~uintptr_t(63));
  }
};

int staged_plans = 0;  // plans in stages seen (the test checks there were some)
// Winograd plans in three stages (V, then the GEMMs into M, then the output
// transform) whose stage 1 cuts the positions of a block (seen, checked).
int wino_position_plans = 0;
// GEMM plans in stages whose stage 0 splits rows of a K-block (slices), whose
// stage-1 N-blocks are narrower than a slab of packed B, and whose N-blocks
// straddle two slabs (seen, checked).
int sliced_plans = 0, narrow_block_plans = 0, straddling_plans = 0;

// Runs every stage of `pl` over `y`: whole (mode 0), cut at random (1), or
// every unit alone (2); each part with its own scratch of garbage, one shared
// buffer of garbage for the call.
template <class X, class Y>
void run_stages(const ConvImplT<X, Y>& impl, const ConvPlan& pl, const X* x, Y* y, int mode) {
  Scratch shared(pl.shared_bytes);
  for (int s = 0; s < pl.stages; s++) {
    const size_t units = pl.stage_units(s);
    const auto parts = mode == 0 ? std::vector<std::pair<size_t, size_t>>{{0, units}}
                                 : random_parts(units, mode == 1 ? 1 : 0);
    for (const auto& part : parts) {
      Scratch sc(pl.scratch_bytes);
      impl.run_stage(pl, s, x, y, part.first, part.second, sc.p, shared.p);
    }
  }
}

// axes: the minimum number of units expected along each axis.
// cov: the cut modes and teams (the run's coverage unless a case asks for less).
// Cut mode 0 runs every unit alone (each unit's start and end at least once);
// modes 1 and 2 cut at random (ranges across axis boundaries, in random order).
// (Modes 3-5, three more random draws of the same path, went: 12% of this
// test's QEMU time.)
template <class X, class Y>
void check_cuts(const char* what, const ConvImplT<X, Y>& impl, const X* x, int64_t n, int64_t h,
                int64_t w, int64_t cout, size_t elem, const size_t (&want_axes)[3], Coverage cov = coverage) {
  const ConvPlan pl = impl.plan(n, h, w);
  CHECK(pl.units == pl.axes[0] * pl.axes[1] * pl.axes[2], "%s: units %zu != product of axes", what,
        pl.units);
  CHECK(pl.macs > 0 && std::fabs(pl.macs_per_unit() * double(pl.units) - pl.macs) <= 1e-9 * pl.macs,
        "%s: macs", what);
  for (int a = 0; a < 3; a++)
    CHECK(pl.axes[a] >= want_axes[a], "%s: axis %d has %zu units, expected >= %zu", what, a,
          pl.axes[a], want_axes[a]);
  const size_t bytes = out_bytes(pl, cout, elem);
  std::vector<unsigned char> ref(bytes), got(bytes);
  {
    Scratch s(pl.scratch_bytes);
    impl.run(pl, x, reinterpret_cast<Y*>(ref.data()), 0, pl.units, s.p);
  }
  for (int mode = 0; mode < (cov == Coverage::Quick ? 2 : 3); mode++) {
    std::memset(got.data(), 0xa5, bytes);
    for (const auto& part : random_parts(pl.units, mode)) {
      Scratch s(pl.scratch_bytes);
      impl.run(pl, x, reinterpret_cast<Y*>(got.data()), part.first, part.second, s.p);
    }
    CHECK(got == ref, "%s: cut mode %d (%zu units) differs from the whole run", what, mode, pl.units);
  }
  // Several threads at once on the same layer and plan, each with its scratch.
  std::memset(got.data(), 0x5a, bytes);
  const auto parts = random_parts(pl.units, 1);
  std::vector<std::thread> threads;
  for (const auto& part : parts)
    threads.emplace_back([&, part] {
      Scratch s(pl.scratch_bytes);
      impl.run(pl, x, reinterpret_cast<Y*>(got.data()), part.first, part.second, s.p);
    });
  for (auto& t : threads) t.join();
  CHECK(got == ref, "%s: threaded parts differ from the whole run", what);
  std::printf("%-44s %-12s units %zu = %zu x %zu x %zu, scratch %zu\n", what, pl.algo, pl.units,
              pl.axes[0], pl.axes[1], pl.axes[2], pl.scratch_bytes);
  // The plans for teams of threads (finer units): the same bytes, whole or cut.
  // (Teams of 7 went, 15% of this test's QEMU time: a unit target between
  // 4's and 16's, the same planning code; tests/test_threads_layers.py runs
  // every family at 7 threads on the pool against one thread, bit for bit,
  // and check_split below splits random grids over 7.)
  static const std::vector<int> all_teams = {2, 3, 4, 16}, quick_teams = {3, 16};
  for (int threads : cov == Coverage::Quick ? quick_teams : all_teams) {
    const ConvPlan tp = impl.plan_for_threads(n, h, w, threads);
    CHECK(tp.units == tp.axes[0] * tp.axes[1] * tp.axes[2] && tp.macs == pl.macs &&
              std::string(tp.algo) == pl.algo && tp.ho == pl.ho && tp.wo == pl.wo,
          "%s: plan for %d threads is inconsistent", what, threads);
    CHECK(tp.stages >= 1 && tp.stages <= ConvPlan::kMaxStages && (tp.stages > 1) == (tp.shared_bytes > 0),
          "%s: plan for %d threads: %d stages, %zu shared bytes", what, threads, tp.stages, tp.shared_bytes);
    for (int st = 0; st < tp.stages; st++) {
      const UnitGrid g = tp.stage_grid(st);
      CHECK(g.units() > 0, "%s: stage %d has no units", what, st);
      for (int a = 0; a < 3; a++)
        CHECK(g.last_cost[a] > 0.0 && g.last_cost[a] <= 1.0 + 1e-9, "%s: stage %d last_cost[%d] = %g", what,
              st, a, g.last_cost[a]);
    }
    staged_plans += tp.stages > 1;
    if (tp.stages > 1 && tp.wino.staged) {
      CHECK(tp.stages == 3 && tp.wino.k_units > 0 && tp.wino.pos_units > 0 && tp.wino.o_units > 0,
            "%s: Winograd plan for %d threads: %d stages, %zu / %zu / %zu units per block", what, threads, tp.stages,
            tp.wino.k_units, tp.wino.pos_units, tp.wino.o_units);
      wino_position_plans += tp.wino.pos_units > 1;
    }
    if (tp.stages > 1 && tp.gemm.staged) {
      CHECK(tp.gemm.nc > 0 && tp.gemm.slab_nc > 0 && tp.gemm.slice_k > 0,
            "%s: plan for %d threads: N-block %zu, slab %zu, slices of %zu rows", what, threads, tp.gemm.nc,
            tp.gemm.slab_nc, tp.gemm.slice_k);
      sliced_plans += tp.gemm.k_slices > 1;
      narrow_block_plans += tp.gemm.nc < tp.gemm.slab_nc;
      straddling_plans += tp.gemm.slab_nc % tp.gemm.nc != 0;
    }
    for (int mode = 0; mode < (tp.stages > 1 ? 3 : 2); mode++) {
      std::memset(got.data(), 0x3c, bytes);
      run_stages(impl, tp, x, reinterpret_cast<Y*>(got.data()), mode);
      CHECK(got == ref, "%s: the plan for %d threads (%zu units, %d stages) differs from the one-thread plan, mode %d",
            what, threads, tp.units, tp.stages, mode);
    }
    // ... and run on the pool as run_all runs it: the units split by cost
    // (split_units), each range on its own thread with that thread's scratch.
    std::memset(got.data(), 0x3c, bytes);
    const int team = int(std::min<size_t>(size_t(threads), tp.units));
    set_num_threads(threads);
    if (tp.stages > 1) {
      UnitGrid grids[ConvPlan::kMaxStages];
      for (int st = 0; st < tp.stages; st++) grids[st] = tp.stage_grid(st);
      run_staged_units(grids, tp.stages, team, tp.scratch_bytes, tp.shared_bytes,
                       [&](int st, size_t begin, size_t end, void* scratch, void* shared) {
                         impl.run_stage(tp, st, x, reinterpret_cast<Y*>(got.data()), begin, end, scratch, shared);
                       });
    } else {
      run_units(tp.grid(), team, tp.scratch_bytes, [&](size_t begin, size_t end, void* scratch) {
        impl.run(tp, x, reinterpret_cast<Y*>(got.data()), begin, end, scratch);
      });
    }
    CHECK(got == ref, "%s: %d threads on the pool differ from one thread", what, team);
    if (threads == 4)
      std::printf("%-44s %-12s units for 4 threads %zu = %zu x %zu x %zu%s\n", "", "", tp.units, tp.axes[0],
                  tp.axes[1], tp.axes[2], tp.stages == 3 ? " (3 stages)" : tp.stages == 2 ? " (2 stages)" : "");
  }
}

std::vector<float> randf(size_t count) {
  armconv_test::Uniform<float> d(-1.0f, 1.0f);
  std::vector<float> v(count);
  for (auto& f : v) f = d(gen);
  return v;
}

std::vector<int8_t> rand8(size_t count) {
  std::uniform_int_distribution<int> d(-128, 127);
  std::vector<int8_t> v(count);
  for (auto& q : v) q = int8_t(d(gen));
  return v;
}

Conv2dParams params(int64_t cin, int64_t cout, int64_t k, int64_t s, int64_t pad, int64_t groups,
                    bool clamp) {
  Conv2dParams p;
  p.in_channels = cin;
  p.out_channels = cout;
  p.kernel_h = p.kernel_w = k;
  p.stride_h = p.stride_w = s;
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = pad;
  p.groups = groups;
  p.clamp = clamp;
  if (clamp) {
    p.out_min = -0.5f;
    p.out_max = 0.75f;
  }
  validate(p);
  return p;
}

using MakeF32 = ConvImplPtr (*)(const Conv2dParams&, const float*, const float*);

template <size_t M>
ConvImplPtr make_wino(const Conv2dParams& p, const float* w, const float* b) {
  return make_winograd_conv(p, M, w, b);
}

// The fp16 Winograd (F(2,3), F(4,3)): the dispatched kernels (nullptr where
// the CPU has no fp16 arithmetic), and the same driver on the generic twin
// kernels (every target: the planning and unit code are the driver's).
template <size_t M>
ConvImplPtr make_wino_f16(const Conv2dParams& p, const float* w, const float* b) {
  return make_winograd_conv_f16(p, M, w, b);
}
template <size_t M>
ConvImplPtr make_wino_f16_twin(const Conv2dParams& p, const float* w, const float* b) {
  return make_winograd_conv_f16_with(p, M, w, b, M == 4 ? wino43_f16_generic_kernels() : wino23_f16_generic_kernels(),
                                     wino_gemm_f16_generic_kernels());
}

void f32_case(const char* what, MakeF32 make, const Conv2dParams& p, int64_t n, int64_t h,
              int64_t w, const size_t (&axes)[3]) {
  const auto wt = randf(size_t(p.out_channels * (p.in_channels / p.groups) * p.kernel_h * p.kernel_w));
  const auto bias = randf(size_t(p.out_channels));
  const auto x = randf(size_t(n * p.in_channels * h * w));
  const ConvImplPtr impl = make(p, wt.data(), bias.data());
  check_cuts(what, *impl, x.data(), n, h, w, p.out_channels, sizeof(float), axes);
}

// fp16 families (nullptr where no fp16 kernels run: then the case is
// skipped, and must be exactly where the CPU has no fp16 arithmetic): the
// float32 image and the binary16 image (f16()) through the same cuts.
void f16_case(const char* what, MakeF32 make, const Conv2dParams& p, int64_t n, int64_t h,
              int64_t w, const size_t (&axes)[3]) {
  const auto wt = randf(size_t(p.out_channels * (p.in_channels / p.groups) * p.kernel_h * p.kernel_w));
  const auto bias = randf(size_t(p.out_channels));
  const auto x = randf(size_t(n * p.in_channels * h * w));
  const ConvImplPtr impl = make(p, wt.data(), bias.data());
  CHECK(bool(impl) == cpu_features().fp16, "%s: made %d on a CPU with fp16 arithmetic %d", what, int(bool(impl)),
        int(cpu_features().fp16));
  if (!impl) {
    std::printf("%-44s skipped: no fp16 arithmetic on this CPU\n", what);
    return;
  }
  CHECK(impl->f16() != nullptr, "%s: an fp16 implementation without a binary16 view", what);
  if (!impl->f16()) return;
  check_cuts(what, *impl, x.data(), n, h, w, p.out_channels, sizeof(float), axes);
  std::vector<Half> xh(x.size());
  for (size_t i = 0; i < x.size(); i++) xh[i] = float_to_half(x[i]);
  const std::string name = std::string(what) + " (binary16)";
  check_cuts(name.c_str(), *impl->f16(), xh.data(), n, h, w, p.out_channels, sizeof(Half), axes);
}

// A QuantLayer with random weights and output stage (what QConv2d derives).
QuantLayer random_quant(const Conv2dParams& p, S8OutKind kind) {
  QuantLayer q;
  const size_t cout = size_t(p.out_channels);
  q.w_q = rand8(cout * size_t(p.in_channels / p.groups * p.kernel_h * p.kernel_w));
  for (auto& v : q.w_q) v = v == -128 ? int8_t(-127) : v;
  q.kbias.reset(cout);
  q.kmult.reset(cout);
  q.kscale.reset(cout);
  std::uniform_int_distribution<int32_t> db(-(1 << 20), 1 << 20), dm(1 << 20, INT32_MAX);
  for (size_t o = 0; o < cout; o++) {
    q.kbias[o] = db(gen);
    q.kmult[o] = dm(gen) >> 8;
    q.kscale[o] = std::ldexp(1.0f + float(o % 5) / 7.0f, -10);
  }
  q.out.kind = kind;
  q.out.bias = q.kbias.data();
  q.out.mult = q.kmult.data();
  q.out.shift = 1;
  q.out.qmin = -100;
  q.out.qmax = 120;
  q.out.fscale = q.kscale.data();
  q.out.fclamp = true;
  q.out.fmin = -300.0f;
  q.out.fmax = 400.0f;
  return q;
}

using MakeS8 = ConvImplS8Ptr (*)(const Conv2dParams&, const QuantLayer&);

void s8_case(const char* what, MakeS8 make, const Conv2dParams& p, int64_t n, int64_t h, int64_t w,
             const size_t (&axes)[3]) {
  for (S8OutKind kind : {S8OutKind::Int8, S8OutKind::Float}) {
    const QuantLayer q = random_quant(p, kind);
    const auto x = rand8(size_t(n * p.in_channels * h * w));
    const ConvImplS8Ptr impl = make(p, q);
    const std::string name = std::string(what) + (kind == S8OutKind::Int8 ? " (int8 out)" : " (float out)");
    check_cuts(name.c_str(), *impl, x.data(), n, h, w, p.out_channels,
               kind == S8OutKind::Int8 ? 1 : 4, axes);
  }
}

// int8 im2col against an exact reference: Int32 output, bias + the int8
// dot product over the padded, strided, dilated taps, computed here in
// scalar loops; then check_cuts (cuts, threads, plans in stages). The NEON
// sdot table packs padded layers from a zero-padded copy straight into its
// panels (stride 1 or 2 along x, output width >= 4), the others staged
// through pack_b: both are covered.
void s8_exact_case(const char* what, const Conv2dParams& p, int64_t n, int64_t h, int64_t w) {
  QuantLayer q = random_quant(p, S8OutKind::Int32);
  auto x = rand8(size_t(n * p.in_channels * h * w));
  for (auto& v : x) v = v == -128 ? int8_t(-127) : v;  // (operands in [-127, 127])
  const ConvImplS8Ptr impl = make_im2col_s8_conv(p, q);
  int64_t ho, wo;
  output_size(p, h, w, &ho, &wo);
  const int64_t g = p.groups, cg = p.in_channels / g, mg = p.out_channels / g;
  std::vector<int32_t> ref(size_t(n * p.out_channels * ho * wo)), got(ref.size());
  for (int64_t b = 0; b < n; b++)
    for (int64_t o = 0; o < p.out_channels; o++)
      for (int64_t oy = 0; oy < ho; oy++)
        for (int64_t ox = 0; ox < wo; ox++) {
          int64_t acc = q.kbias[size_t(o)];
          for (int64_t c = 0; c < cg; c++)
            for (int64_t ky = 0; ky < p.kernel_h; ky++)
              for (int64_t kx = 0; kx < p.kernel_w; kx++) {
                const int64_t iy = oy * p.stride_h + ky * p.dilation_h - p.pad_top;
                const int64_t ix = ox * p.stride_w + kx * p.dilation_w - p.pad_left;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                const int64_t ci = o / mg * cg + c;
                acc += int64_t(q.w_q[size_t(((o * cg + c) * p.kernel_h + ky) * p.kernel_w + kx)]) *
                       x[size_t(((b * p.in_channels + ci) * h + iy) * w + ix)];
              }
          ref[size_t(((b * p.out_channels + o) * ho + oy) * wo + ox)] = int32_t(acc);
        }
  const ConvPlan pl = impl->plan(n, h, w);
  {
    Scratch s(pl.scratch_bytes);
    impl->run(pl, x.data(), got.data(), 0, pl.units, s.p);
  }
  CHECK(got == ref, "%s: differs from the exact int32 reference", what);
  check_cuts(what, *impl, x.data(), n, h, w, p.out_channels, 4, {1, 1, 1});
}

Conv2dParams params_pads(int64_t cin, int64_t cout, int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t dh,
                         int64_t dw, int64_t pt, int64_t pb, int64_t pl, int64_t pr, int64_t groups) {
  Conv2dParams p = params(cin, cout, kh, sh, 0, groups, false);
  p.kernel_w = kw;
  p.stride_w = sw;
  p.dilation_h = dh;
  p.dilation_w = dw;
  p.pad_top = pt;
  p.pad_bottom = pb;
  p.pad_left = pl;
  p.pad_right = pr;
  return p;
}

void s8_exact_cases() {
  s8_exact_case("im2col_s8 exact 3x3 p1 32->20, 56x56", params(32, 20, 3, 1, 1, 1, false), 1, 56, 56);
  s8_exact_case("im2col_s8 exact 3x3 pads 2,0,1,3 5->9, 13x17, n 2", params_pads(5, 9, 3, 3, 1, 1, 1, 1, 2, 0, 1, 3, 1),
                2, 13, 17);
  s8_exact_case("im2col_s8 exact 3x3 s2 p1 7->12, 15x29, n 2", params(7, 12, 3, 2, 1, 1, false), 2, 15, 29);
  s8_exact_case("im2col_s8 exact 3x3 s2 p1 3->8, 16x16", params(3, 8, 3, 2, 1, 1, false), 1, 16, 16);
  s8_exact_case("im2col_s8 exact 3x3 s(1,2) p1 4->8, 11x14", params_pads(4, 8, 3, 3, 1, 2, 1, 1, 1, 1, 1, 1, 1), 1, 11,
                14);
  s8_exact_case("im2col_s8 exact 3x3 d2 p2 70->8, 9x10", params_pads(70, 8, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1), 1, 9, 10);
  s8_exact_case("im2col_s8 exact 3x3 p1 1->4, 6x6", params(1, 4, 3, 1, 1, 1, false), 1, 6, 6);
  s8_exact_case("im2col_s8 exact 3x3 p1 3->4, 3x2", params(3, 4, 3, 1, 1, 1, false), 1, 3, 2);
  s8_exact_case("im2col_s8 exact 5x5 s2 p2 8->6 g2, 11x11", params(8, 6, 5, 2, 2, 2, false), 1, 11, 11);
  s8_exact_case("im2col_s8 exact 3x3 p1 64->16, 7x7, n 3", params(64, 16, 3, 1, 1, 1, false), 3, 7, 7);
  s8_exact_case("im2col_s8 exact 3x3 p1 9->13, 5x23", params(9, 13, 3, 1, 1, 1, false), 1, 5, 23);
  s8_exact_case("im2col_s8 exact 3x3 p0 6->8, 9x30", params(6, 8, 3, 1, 0, 1, false), 1, 9, 30);
  // For k grouped by 8 (the i8mm table, 8x8 tiles, im2col packed 16 columns
  // at a time): K = 63 and 135 (7 rows in the last group), N = 143 and 130
  // (a last 16-column block of 15 and 2 columns), 10 and 9 output channels.
  s8_exact_case("im2col_s8 exact 3x3 p1 7->10, 11x13", params(7, 10, 3, 1, 1, 1, false), 1, 11, 13);
  s8_exact_case("im2col_s8 exact 3x3 s2 p1 15->9, 19x25", params(15, 9, 3, 2, 1, 1, false), 1, 19, 25);
}

// Issue 12, phase 7: the padded image copy as a stage of its own (three
// GEMM stages: copy, pack, micro-kernels) where the NEON fp32 kernels pack
// from it (GemmKernel::pad_copy); int8 stage-0 packing in groups of panels;
// one-stage plans for threads that hand each thread whole N-blocks; and
// split_units against a reference search over random grids.
int pad_stage_plans = 0, s8_group_plans = 0, whole_block_plans = 0;

void count_thread_plans(const ConvPlan& one, const ConvPlan& tp, int threads) {
  if (tp.stages == 3 && tp.gemm.staged) {
    CHECK(tp.pad.bytes > 0 && tp.pad.bands >= 1 && tp.shared_bytes >= tp.pad.offset + tp.axes[0] * tp.pad.bytes,
          "a GEMM plan in three stages without its padded copy (%zu bytes at %zu of %zu)", tp.pad.bytes,
          tp.pad.offset, tp.shared_bytes);
    pad_stage_plans++;
  }
  if (tp.stages == 2 && tp.gemm.staged && tp.gemm.pack_groups > 1 && tp.gemm.k_slices == 1 &&
      kernels().gemm_s8->kr > 1)
    s8_group_plans++;
  if (tp.stages == 1 && one.axes[0] * one.gemm.n_blocks < kUnitsPerThread * size_t(threads) && tp.gemm.n_blocks > 0) {
    // A one-stage plan where the one-thread plan had too few N-blocks: only
    // if each thread gets whole N-blocks.
    size_t bounds[17];
    split_units(tp.grid(), threads, bounds);
    for (int t = 1; t < threads; t++)
      CHECK(bounds[t] % tp.gemm.m_panels == 0, "plan for %d threads: thread %d starts inside an N-block (unit %zu)",
            threads, t, bounds[t]);
    whole_block_plans++;
  }
}

template <class X, class Y>
void check_thread_plans(const ConvImplT<X, Y>& impl, int64_t n, int64_t h, int64_t w) {
  const ConvPlan one = impl.plan(n, h, w);
  for (int threads : {2, 3, 4, 7, 16}) count_thread_plans(one, impl.plan_for_threads(n, h, w, threads), threads);
}

// split_units == the first boundary at or past each share of the cost, or
// the one before it if nearer (a binary search over cost_before, how
// split_units found it before its closed form).
void check_split(const UnitGrid& g, int team) {
  std::vector<size_t> got(size_t(team) + 1);
  split_units(g, team, got.data());
  const size_t units = g.units();
  const double total = g.cost_before(units);
  size_t prev = 0;
  CHECK(got[0] == 0 && got[size_t(team)] == units, "split: ends %zu, %zu of %zu", got[0], got[size_t(team)], units);
  for (int w = 1; w < team; w++) {
    const double target = total * double(w) / double(team);
    size_t u = prev, hi = units;
    while (u < hi) {
      const size_t mid = u + (hi - u) / 2;
      if (g.cost_before(mid) < target) u = mid + 1;
      else hi = mid;
    }
    if (u > prev && target - g.cost_before(u - 1) < g.cost_before(u) - target) u--;
    // Ties within rounding of the cost: either neighbour is right.
    const bool near = got[size_t(w)] == u ||
                      std::fabs(std::fabs(target - g.cost_before(got[size_t(w)])) - std::fabs(target - g.cost_before(u))) <=
                          1e-9 * total;
    CHECK(near && got[size_t(w)] >= got[size_t(w) - 1],
          "split of %zu x %zu x %zu (last %g %g %g) over %d: bound %d is %zu, expected %zu", g.axes[0], g.axes[1],
          g.axes[2], g.last_cost[0], g.last_cost[1], g.last_cost[2], team, w, got[size_t(w)], u);
    prev = got[size_t(w)];
  }
}

void phase7_cases() {
  // 5x5 p2 16->32 on 28x28 (the perf gate's conv5x5 layer), one image; and
  // 3x3 p1 on 20x20 with two groups and two images.
  f32_case("im2col 5x5 p2 16->32, 28x28 (pad stage)", make_im2col_conv, params(16, 32, 5, 1, 2, 1, true), 1, 28,
           28, {1, 1, 1});
  f32_case("im2col 3x3 p1 24->40 g2, 20x20, n 2 (pad stage)", make_im2col_conv, params(24, 40, 3, 1, 1, 2, false),
           2, 20, 20, {4, 1, 1});
  for (const auto& c : {std::make_tuple(16, 32, 5, 2, 1, 28), std::make_tuple(24, 40, 3, 1, 2, 20)}) {
    const Conv2dParams p = params(std::get<0>(c), std::get<1>(c), std::get<2>(c), 1, std::get<3>(c), std::get<4>(c),
                                  false);
    const ConvImplPtr impl = make_im2col_conv(p, nullptr, nullptr);  // plan only
    check_thread_plans(*impl, std::get<4>(c) == 2 ? 2 : 1, std::get<5>(c), std::get<5>(c));
  }
  if (kernels().sgemm->pad_copy)
    CHECK(pad_stage_plans > 0, "no GEMM plan for threads made its padded copy in a stage");
  // int8 1x1 on 14x14 (stage 0 in groups of panels) and on a wide map (one
  // stage, whole N-blocks per thread).
  s8_case("gemm_s8 1x1 384->96, 14x14 (stages)", make_gemm_s8_conv, params(384, 96, 1, 1, 0, 1, false), 1, 14, 14,
          {1, 1, 1});
  s8_case("gemm_s8 1x1 64->64, 40x40", make_gemm_s8_conv, params(64, 64, 1, 1, 0, 1, false), 1, 40, 40, {1, 1, 1});
  {
    const QuantLayer q = random_quant(params(384, 96, 1, 1, 0, 1, false), S8OutKind::Int8);
    check_thread_plans(*make_gemm_s8_conv(params(384, 96, 1, 1, 0, 1, false), q), 1, 14, 14);
    const QuantLayer q2 = random_quant(params(64, 64, 1, 1, 0, 1, false), S8OutKind::Int8);
    check_thread_plans(*make_gemm_s8_conv(params(64, 64, 1, 1, 0, 1, false), q2), 1, 40, 40);
  }
  CHECK(s8_group_plans > 0, "no int8 GEMM plan in stages packed B in groups of panels");
  CHECK(whole_block_plans > 0, "no one-stage GEMM plan for threads with whole N-blocks per thread");
  // split_units over random grids and teams.
  std::uniform_int_distribution<size_t> da(1, 9), db(1, 40);
  const armconv_test::Uniform<double> dc(0.05, 1.0);
  for (int i = 0; i < 300; i++) {
    UnitGrid g;
    g.axes[0] = da(gen);
    g.axes[1] = db(gen);
    g.axes[2] = db(gen);
    for (int a = 0; a < 3; a++) g.last_cost[a] = i % 4 == 0 ? 1.0 : dc(gen);
    for (int team : {2, 3, 4, 7, 8}) check_split(g, team);
  }
  // ... and over runs of random grids' units (UnitRuns: a mixed Winograd
  // plan's layout), each run weighed by its grid's unit_cost; cost_before
  // against the runs' units summed one by one.
  const armconv_test::Uniform<double> dw(0.1, 8.0);
  for (int i = 0; i < 100; i++) {
    UnitGrid grids[3];
    for (UnitGrid& g : grids) {
      g.axes[0] = da(gen) % 3 + 1;
      g.axes[1] = db(gen) % 7 + 1;
      g.axes[2] = db(gen) % 9 + 1;
      for (int a = 0; a < 3; a++) g.last_cost[a] = i % 3 == 0 ? 1.0 : dc(gen);
      g.unit_cost = dw(gen);
    }
    auto runs = std::make_shared<UnitRuns>();
    const size_t pieces = 1 + gen() % 5;  // super-blocks
    for (size_t k = 0; k < pieces; k++)
      for (size_t r = 0; r < 3; r++) {
        const size_t n = grids[r].units(), a = k * n / pieces, b = (k + 1) * n / pieces;
        runs->add(grids[r], a, b - a, r);
      }
    const UnitGrid g = UnitRuns::grid(runs.get());
    double sum = 0;
    bool same = true;
    for (const UnitRun& run : runs->runs)
      for (size_t u = 0; u < run.count; u++) {
        same = same && std::fabs(g.cost_before(run.at + u) - sum) <= 1e-9 * (1 + sum);
        sum += run.grid.unit_cost * (run.grid.cost_before(run.first + u + 1) - run.grid.cost_before(run.first + u));
      }
    same = same && std::fabs(g.cost_before(g.units()) - sum) <= 1e-9 * (1 + sum);
    CHECK(same && runs->units == g.units(), "runs of %zu units: cost_before is not the runs' units summed",
          runs->units);
    for (int team : {2, 3, 4, 7, 8}) check_split(g, team);
  }
  std::printf("phase 7 plans: %d with a padded-copy stage, %d int8 in panel groups, %d one-stage with whole "
              "N-blocks; split_units ok\n",
              pad_stage_plans, s8_group_plans, whole_block_plans);
}

// 3x3 s2 stems with few input channels: the panel packer's whole-panel path
// (sgemm_pack.h stem_panel_s2k3) and its edges, with N cut anywhere in a row.
void stem_cases() {
  f32_case("im2col 3x3 s2 3->32, 97x175, n 2 (stem)", make_im2col_conv, params(3, 32, 3, 2, 1, 1, true), 2, 97,
           175, {2, 2, 2});
  f32_case("im2col 3x3 s2 4->8, 130x61 (stem)", make_im2col_conv, params(4, 8, 3, 2, 1, 1, false), 1, 130, 61,
           {1, 2, 1});
}

// int8 depthwise 3x3 on small maps with many planes (added by the depthwise
// work): whole planes go to the kernel as runs of channels (DwPlaneS8::count),
// cut at image ends and wherever a range ends.
void dw_s8_run_cases() {
  s8_case("dw3x3_s8 s1 C24, 14x14, n 2", make_dw3x3_s8_conv, params(24, 24, 3, 1, 1, 24, false), 2, 14, 14,
          {48, 1, 1});
  s8_case("dw3x3_s8 s2 C20, 14x14, n 2", make_dw3x3_s8_conv, params(20, 20, 3, 2, 1, 20, false), 2, 14, 14,
          {40, 1, 1});
}

// Mixed Winograd tilings (conv_winograd.cpp, WinoMixPlan; added with them):
// every region's units in one plan, and plans for threads whose regions may
// run in stages while others run one stage (on 14x14 the F(6,3) core and the
// F(2,3) borders have few tile blocks), cut anywhere, across regions too.
template <size_t C, size_t E>
ConvImplPtr make_wino_mix(const Conv2dParams& p, const float* w, const float* b) {
  return make_winograd_mixed_layer(p, C, E, w, b);
}
int mixed_staged_plans = 0, mixed_three_region_plans = 0;

void count_mixed_plans(const ConvImplPtr& impl, int64_t n, int64_t h, int64_t w) {
  const ConvPlan pl = impl->plan(n, h, w);
  mixed_three_region_plans += pl.wino_mix && pl.wino_mix->count == 3;
  for (int threads : {2, 4}) mixed_staged_plans += impl->plan_for_threads(n, h, w, threads).stages == 3;
}

void mixed_cases() {
  const Conv2dParams a = params(64, 40, 3, 1, 1, 1, true), b = params(24, 20, 3, 1, 1, 2, false);
  const Conv2dParams c = params(200, 12, 3, 1, 1, 1, false), d = params(8, 300, 3, 1, 0, 1, true);
  f32_case("winograd63+23 64->40, 14x14, n 2", make_wino_mix<6, 2>, a, 2, 14, 14, {1, 1, 1});
  f32_case("winograd63+43 24->20 g2, 28x28", make_wino_mix<6, 4>, b, 1, 28, 28, {1, 1, 1});
  f32_case("winograd43+23 200->12 (2 input chunks), 13x23", make_wino_mix<4, 2>, c, 1, 13, 23, {1, 1, 1});
  f32_case("winograd63+23 8->300 p0, 22x58", make_wino_mix<6, 2>, d, 1, 22, 58, {1, 1, 1});
  f32_case("winograd63+43 64->40, 4x9 (one region)", make_wino_mix<6, 4>, a, 1, 4, 9, {1, 1, 1});
  count_mixed_plans(make_wino_mix<6, 2>(a, nullptr, nullptr), 2, 14, 14);
  count_mixed_plans(make_wino_mix<6, 4>(b, nullptr, nullptr), 1, 28, 28);
  CHECK(mixed_three_region_plans == 2, "mixed plans: %d of 2 with three regions", mixed_three_region_plans);
  CHECK(mixed_staged_plans > 0, "no mixed plan for threads ran in stages");
  std::printf("mixed tilings: %d plans for threads in stages\n", mixed_staged_plans);
}

// Stride-2 Winograd (winograd23s2, winograd43s2, winograd43s2+23s2; added
// with them): the same driver on stride-2 geometry (patches at 2 m t - pad,
// 2m + 1 wide), one-thread plans and plans for threads (smaller blocks and
// chunks on large maps, stages on small ones), cut anywhere.
void wino_s2_cases() {
  const Conv2dParams a = params(64, 40, 3, 2, 1, 1, true), b = params(24, 20, 3, 2, 1, 2, false);
  const Conv2dParams c = params(200, 12, 3, 2, 1, 1, false), d = params(8, 300, 3, 2, 0, 1, true);
  f32_case("winograd43s2 64->40, 56x56, n 2", make_wino<4>, a, 2, 56, 56, {2, 2, 1});
  f32_case("winograd23s2 24->20 g2, 29x27", make_wino<2>, b, 1, 29, 27, {2, 1, 1});
  f32_case("winograd43s2 200->12 (2 input chunks), 25x45", make_wino<4>, c, 1, 25, 45, {1, 1, 1});
  f32_case("winograd23s2 8->300 p0, 15x31", make_wino<2>, d, 1, 15, 31, {1, 1, 1});
  f32_case("winograd43s2+23s2 64->40, 28x28, n 2", make_wino_mix<4, 2>, a, 2, 28, 28, {1, 1, 1});
  f32_case("winograd43s2+23s2 24->20 g2, 27x13", make_wino_mix<4, 2>, b, 1, 27, 13, {1, 1, 1});
  f32_case("winograd43s2 64->40, 14x14 (stages)", make_wino<4>, a, 1, 14, 14, {1, 1, 1});
  int staged = 0;
  for (const auto& impl : {make_wino<4>(a, nullptr, nullptr), make_wino<2>(b, nullptr, nullptr),
                           make_wino_mix<4, 2>(a, nullptr, nullptr)}) {
    for (int threads : {2, 4}) staged += impl->plan_for_threads(1, 14, 14, threads).stages == 3;
  }
  CHECK(staged > 0, "no stride-2 Winograd plan for threads ran in stages");
  std::printf("stride-2 Winograd: %d plans for threads in stages\n", staged);
}

// The cases of main(), by data type.
void f32_cases() {
  // fp32 GEMM: (image, group) x N-blocks x M-panels.
  f32_case("gemm 1x1 16->40 g2, 100x100, n 2", make_gemm_conv, params(16, 40, 1, 1, 0, 2, true), 2,
           100, 100, {4, 2, 2});
  f32_case("gemm 1x1 s2 24->30, 15x9", make_gemm_conv, params(24, 30, 1, 2, 0, 1, false), 1, 15, 9,
           {1, 1, 3});
  f32_case("im2col 3x3 3->20, 50x50", make_im2col_conv, params(3, 20, 3, 1, 1, 1, true), 1, 50, 50,
           {1, 2, 3});
  f32_case("im2col 3x3 64->16 (2 K-blocks), 16x16", make_im2col_conv, params(64, 16, 3, 1, 1, 1, false),
           1, 16, 16, {1, 2, 2});
  // 1x1 on a 1x1 map (N = 1): GEMVs over the M-panels.
  f32_case("gemm 1x1 on a 1x1 map 96->40 g2, n 3", make_gemm_conv, params(96, 40, 1, 1, 0, 2, true), 3, 1, 1,
           {6, 1, 2});
  // Padding, stride 1, output width a multiple of 4: packed from a zero-padded
  // copy of the rows each range needs (GemmKernel::pad_copy).
  f32_case("im2col 5x5 p2 16->32 g2, 28x28, n 2", make_im2col_conv, params(16, 32, 5, 1, 2, 2, true), 2,
           28, 28, {4, 1, 1});
  // 7x7 and 14x14 maps with many channels: M-panels carry the threads.
  f32_case("gemm 1x1 96->160, 7x7, n 2", make_gemm_conv, params(96, 160, 1, 1, 0, 1, true), 2, 7, 7,
           {2, 1, 5});
  f32_case("im2col 3x3 64->72, 14x14", make_im2col_conv, params(64, 72, 3, 1, 1, 1, false), 1, 14, 14,
           {1, 1, 3});
  // Strassen (1x1): image x column blocks of the half-width x M-panels of the half-height.
  f32_case("strassen 1x1 97->161, 7x9, n 2", make_strassen_conv, params(97, 161, 1, 1, 0, 1, true), 2, 7, 9,
           {2, 1, 5});
  // Winograd: image x group, tile blocks, output-channel chunks; two strips;
  // each tile size; the chunks of a small map (few tiles, larger chunks).
  f32_case("winograd63 8->300, 40x40, n 2", make_wino<6>, params(8, 300, 3, 1, 1, 1, true), 2, 40, 40,
           {2, 7, 2});
  // (Two tile rows, the second partial, and two strips of 32 and 2 tile
  // columns: the 2-column strip's one block (4 tiles) spans both rows. 200
  // input channels: over the 192 (4 kpad > 3 fit) one input chunk takes at
  // F(6,3)'s blocks of 8 tiles; 164 output channels: over the 152 one
  // output chunk holds next to a 100-channel input chunk, with 300's tail in
  // the last 8-channel block (164 = 300 mod 8). These were 13 rows and 300
  // outputs: 26 s of qemu cortex-a15 time, now about half.)
  f32_case("winograd63 200->12 (2 input chunks), 7x200", make_wino<6>, params(200, 12, 3, 1, 1, 1, false), 1,
           7, 200, {1, 2, 1});
  f32_case("winograd63 200->164 (2 input, 2 output chunks), 13x13", make_wino<6>,
           params(200, 164, 3, 1, 1, 1, false), 1, 13, 13, {1, 2, 2});
  f32_case("winograd43 32->48 g2, 40x40, n 2", make_wino<4>, params(32, 48, 3, 1, 1, 2, true), 2, 40, 40,
           {4, 2, 1});
  f32_case("winograd43 20->1000, 6x6", make_wino<4>, params(20, 1000, 3, 1, 1, 1, false), 1, 6, 6,
           {1, 1, 2});
  f32_case("winograd23 12->20 g4, 19x21", make_wino<2>, params(12, 20, 3, 1, 0, 4, true), 1, 19, 21,
           {4, 2, 1});
  // Small maps: plans for threads in stages (shared V), with groups, images,
  // odd tile counts and finer tile blocks.
  f32_case("winograd23 40->64 g2, 9x9, n 2 (stages)", make_wino<2>, params(40, 64, 3, 1, 1, 2, true), 2, 9, 9,
           {4, 1, 1});
  f32_case("winograd43 128->128, 14x14 (stages)", make_wino<4>, params(128, 128, 3, 1, 1, 1, false), 1, 14, 14,
           {1, 1, 1});
  // GEMM in stages: B in slabs (here 4 of them, 2 K-blocks each) packed in
  // row slices, stage-1 N-blocks narrower than a slab and across slabs; int8
  // row slices of a dense B (packed, then moved into place) and of the staged
  // im2col packer.
  f32_case("gemm 1x1 600->40 (2 K-blocks), 28x28 (stages)", make_gemm_conv, params(600, 40, 1, 1, 0, 1, true),
           1, 28, 28, {1, 1, 1});
  f32_case("im2col 3x3 96->20, 7x7 (stages)", make_im2col_conv, params(96, 20, 3, 1, 1, 1, false), 1, 7, 7,
           {1, 1, 1});
  // Depthwise: planes, and row blocks when the planes are few.
  f32_case("dw3x3 s1 C3, 50x37", make_dw3x3_conv, params(3, 3, 3, 1, 1, 3, true), 1, 50, 37, {3, 5, 1});
  f32_case("dw3x3 s2 C2, 61x20, pad 2", make_dw3x3_conv, params(2, 2, 3, 2, 2, 2, false), 1, 61, 20,
           {2, 3, 1});
  f32_case("dw3x3 s1 C24, 9x9, n 2", make_dw3x3_conv, params(24, 24, 3, 1, 1, 24, false), 2, 9, 9,
           {48, 1, 1});
  // (aarch64: the stride-2 strips' LD4 windows, 4- and 2-vector strips.)
  f32_case("dw3x3 s2 C2, 61x88", make_dw3x3_conv, params(2, 2, 3, 2, 1, 2, true), 1, 61, 88, {2, 3, 1});
}

// twins: also the fp16 Winograd's generic twin kernels on the same driver.
void f16_cases(bool twins) {
  // fp16 (where the CPU runs fp16 kernels): the same planning.
  // (Maps only as large as two N-blocks of fp16 columns need: fp16
  // arithmetic is slow under QEMU, and these ran twice the MACs before.)
  f16_case("fp16 gemm 1x1 32->40 g4, 200x150", make_gemm_conv_f16,
           params(32, 40, 1, 1, 0, 4, true), 1, 200, 150, {4, 2, 2});
  f16_case("fp16 im2col 3x3 64->16 (2 K-blocks), 24x40", make_im2col_conv_f16,
           params(64, 16, 3, 1, 1, 1, false), 1, 24, 40, {1, 2, 2});
  f16_case("fp16 dw3x3 s1 C3, 50x37", make_dw3x3_conv_f16, params(3, 3, 3, 1, 1, 3, true), 1, 50,
           37, {3, 5, 1});
  f16_case("fp16 dw3x3 s2 C2, 61x20, pad 2", make_dw3x3_conv_f16, params(2, 2, 3, 2, 2, 2, false), 1,
           61, 20, {2, 3, 1});
  f16_case("fp16 dw3x3 s1 C24, 9x9, n 2", make_dw3x3_conv_f16, params(24, 24, 3, 1, 1, 24, false), 2,
           9, 9, {48, 1, 1});
  // The narrow-map rows kernels (dwconv3x3_rows_fp16.cpp) run a call's planes
  // but the last, the strips that one: cuts move the last plane of a run.
  // Stride 2 from 14 columns runs pairs of planes a vector (float32 IO).
  f16_case("fp16 dw3x3 s2 C13, 14x14, n 2", make_dw3x3_conv_f16, params(13, 13, 3, 2, 1, 13, true), 2,
           14, 14, {26, 1, 1});
  f16_case("fp16 dw3x3 s1 C11, 7x7, n 2", make_dw3x3_conv_f16, params(11, 11, 3, 1, 1, 11, false), 2,
           7, 7, {22, 1, 1});
  // fp16 Winograd (binary16 U and V, 16-channel output blocks, octets of
  // input channels): tile blocks and output chunks, groups and images, two
  // input chunks, and small maps in stages; the dispatched kernels where the
  // CPU has fp16 arithmetic, the generic twin's on every target.
  struct WinoF16Case {
    const char* what;
    MakeF32 neon, twin;
    Conv2dParams p;
    int64_t n, h, w;
    size_t axes[3];
  };
  const WinoF16Case wino_f16[] = {
      {"fp16 winograd43 12->40 g2, 32x32", make_wino_f16<4>, nullptr,
       params(12, 40, 3, 1, 1, 2, true), 1, 32, 32, {2, 2, 1}},
      {"fp16 winograd23 8->20, 24x20", make_wino_f16<2>, make_wino_f16_twin<2>, params(8, 20, 3, 1, 1, 1, false), 1,
       24, 20, {1, 2, 1}},
      {"fp16 winograd43 344->8 (2 input chunks), 9x9", make_wino_f16<4>, make_wino_f16_twin<4>,
       params(344, 8, 3, 1, 1, 1, false), 1, 9, 9, {1, 2, 1}},
      {"fp16 winograd43 40->24, 8x8 (stages)", make_wino_f16<4>, make_wino_f16_twin<4>,
       params(40, 24, 3, 1, 1, 1, true), 1, 8, 8, {1, 1, 1}},
      {"fp16 winograd23 24->20 g2, 9x9, n 2 (stages)", make_wino_f16<2>, make_wino_f16_twin<2>,
       params(24, 20, 3, 1, 0, 2, false), 2, 9, 9, {4, 1, 1}},
  };
  for (const WinoF16Case& c : wino_f16) {
    f16_case(c.what, c.neon, c.p, c.n, c.h, c.w, c.axes);
    // The twin (scalar: slow under QEMU) on the smaller shapes: float32
    // images, and binary16 images on the plans in stages; the quick cuts and
    // teams (coverage above: the 2-input-chunk case alone took 55 s of
    // qemu cortex-a15 time through all of them).
    if (!c.twin || !twins) continue;
    const std::string twin = std::string(c.what) + " (twin)";
    const auto wt = randf(size_t(c.p.out_channels * (c.p.in_channels / c.p.groups) * 9));
    const auto bias = randf(size_t(c.p.out_channels));
    const auto x = randf(size_t(c.n * c.p.in_channels * c.h * c.w));
    const ConvImplPtr impl = c.twin(c.p, wt.data(), bias.data());
    if (std::strstr(c.what, "(2 input chunks)")) {
      const WinoPlan wp = impl->plan(c.n, c.h, c.w).wino;
      CHECK(wp.kc * 2 >= size_t(c.p.in_channels) && wp.kc < size_t(c.p.in_channels), "%s: input chunks of %zu",
            c.what, wp.kc);
    }
    check_cuts(twin.c_str(), *impl, x.data(), c.n, c.h, c.w, c.p.out_channels, sizeof(float), c.axes,
               Coverage::Quick);
    if (std::strstr(c.what, "(stages)") == nullptr) continue;
    std::vector<Half> xh(x.size());
    for (size_t i = 0; i < x.size(); i++) xh[i] = float_to_half(x[i]);
    check_cuts((twin + " (binary16)").c_str(), *impl->f16(), xh.data(), c.n, c.h, c.w, c.p.out_channels,
               sizeof(Half), c.axes, Coverage::Quick);
  }
}

// all_families: also int8 Winograd and the any-shape depthwise (no
// ISA-extension kernels).
void s8_cases(bool all_families) {
  // int8: the same driver and depthwise planning.
  s8_case("gemm_s8 1x1 40->36, 45x45", make_gemm_s8_conv, params(40, 36, 1, 1, 0, 1, false), 1, 45,
          45, {1, 1, 4});
  s8_case("gemm_s8 1x1 96->128, 7x7, n 2", make_gemm_s8_conv, params(96, 128, 1, 1, 0, 1, false), 2, 7,
          7, {2, 1, 4});
  s8_case("im2col_s8 3x3 6->18 g2, 40x40, n 2", make_im2col_s8_conv, params(6, 18, 3, 1, 1, 2, false),
          2, 40, 40, {4, 1, 2});
  if (all_families) {
    // int8 Winograd F(2,3) (the WinoS8 driver): image x group, tile blocks, output chunks; and a
    // small map for threads (a plan in stages).
    s8_case("winograd23_s8 3x3 12->20 g2, 37x30, n 2", make_winograd_s8_conv, params(12, 20, 3, 1, 1, 2, false), 2,
            37, 30, {4, 2, 1});
    s8_case("winograd23_s8 3x3 300->260, 9x9 (several chunks)", make_winograd_s8_conv,
            params(300, 260, 3, 1, 1, 1, false), 1, 9, 9, {1, 1, 1});
  }
  s8_case("im2col_s8 3x3 s2 130->10, 60x60", make_im2col_s8_conv, params(130, 10, 3, 2, 1, 1, false),
          1, 60, 60, {1, 2, 1});
  s8_case("im2col_s8 3x3 64->40, 7x7 (stages)", make_im2col_s8_conv, params(64, 40, 3, 1, 1, 1, false), 1, 7,
          7, {1, 1, 2});
  s8_case("gemm_s8 1x1 200->20, 7x7 (stages)", make_gemm_s8_conv, params(200, 20, 1, 1, 0, 1, false), 1, 7, 7,
          {1, 1, 1});
  s8_case("im2col_s8 3x3 s2 70->24, 15x15 (stages)", make_im2col_s8_conv, params(70, 24, 3, 2, 1, 1, false), 1,
          15, 15, {1, 1, 1});
  // int8 depthwise 3x3 (also in ext: dwconv3x3_s8-aarch64-1x16-dotprod).
  s8_case("dw3x3_s8 s1 C3, 48x40", make_dw3x3_s8_conv, params(3, 3, 3, 1, 1, 3, false), 1, 48, 40,
          {3, 5, 1});
  s8_case("dw3x3_s8 s2 C4, 70x33, pad 0", make_dw3x3_s8_conv, params(4, 4, 3, 2, 0, 4, false), 1, 70,
          33, {4, 4, 1});
  if (!all_families) return;
  s8_case("dw_s8 5x5 C2, 40x20", make_dw_s8_conv, params(2, 2, 5, 1, 2, 2, false), 1, 40, 20, {2, 5, 1});
}

}  // namespace

int main() {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress shows up as it happens (ctest, pipes)
  std::printf("kernels: %s, %s, %s + %s, %s, %s\n", kernels().sgemm->name, kernels().gemm_s8->name,
              kernels().winograd[2]->name, kernels().wino_gemm->name, kernels().dw3x3->name,
              kernels().dw3x3_s8->name);
  if (const char* c = std::getenv("ARMCONV_TEST_RANGES")) {
    const std::string v = c;
    CHECK(v.empty() || v == "all" || v == "ext" || v == "quick",
          "ARMCONV_TEST_RANGES=%s: expected all, ext or quick", c);
    coverage = v == "ext" ? Coverage::Ext : v == "quick" ? Coverage::Quick : Coverage::All;
    if (failures) return 1;
  }
  const bool all_families = coverage != Coverage::Ext;
  std::printf("coverage: %s\n", coverage == Coverage::Ext     ? "ext (fp16 and int8 GEMM / im2col families)"
                                : coverage == Coverage::Quick ? "quick (2 cut modes, teams of 3 and 16)"
                                                              : "all");
  s8_exact_cases();
  if (all_families) f32_cases();
  f16_cases(all_families);
  s8_cases(all_families);
  dw_s8_run_cases();  // (also in ext: the dotprod int8 depthwise kernels)
  if (all_families) {
    stem_cases();
    phase7_cases();
    mixed_cases();
    wino_s2_cases();
    CHECK(staged_plans > 0, "no plan for threads ran in stages");
    CHECK(wino_position_plans > 0, "no Winograd plan in stages cut the positions of a block");
    CHECK(sliced_plans > 0 && narrow_block_plans > 0 && straddling_plans > 0,
          "no GEMM plan in stages packed row slices (%d), had N-blocks narrower than a slab (%d) or across slabs (%d)",
          sliced_plans, narrow_block_plans, straddling_plans);
  }
  if (failures) {
    std::printf("%d failures\n", failures);
    return 1;
  }
  std::printf("ok\n");
  return 0;
}

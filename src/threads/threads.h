// The thread pool every kernel family shares, the parallel-for over a
// family's work units, how units are split by cost, and per-thread scratch.
//
// How an operator uses it (core/conv_impl.h run_all, core/gemm_api.cpp):
//
//   const int team = team_size(plan.units, plan.macs_per_unit());
//   run_units(plan.grid(), team, plan.scratch_bytes,
//             [&](size_t begin, size_t end, void* scratch) {
//     family.run(plan, begin, end, scratch);  // units [begin, end)
//   });
//
// run_units splits the units into `team` contiguous ranges of equal cost
// (split_units: the plan says what its units cost), hands each to one thread
// (parallelize) with that thread's scratch (ScratchLease: cached per thread).
//
// Guarantees:
// - Every unit runs exactly once. Worker w runs the contiguous range
//   [bounds[w], bounds[w + 1]) (parallelize(units, team, fn): the equal split,
//   range_begin() below), so which thread runs a unit depends only on the
//   split; a unit never splits a reduction, so results are bit-identical for
//   any thread count.
// - `worker` is in [0, team); the calling thread is worker 0 and runs its own
//   range. Workers never touch Python.
// - One job at a time: the pool is shared by the whole process, and a second
//   caller (another thread) waits until the running job is done, then gets
//   every thread. A call made from inside a job (nested) runs inline on the
//   calling thread as worker 0.
// - An exception thrown by fn on any thread is rethrown to the caller (the
//   first one; the other ranges still run to completion).
//
// Waiting: workers spin for kSpinMicroseconds after a job (so back-to-back
// calls find them awake), then sleep on a condition variable; idle threads
// use no CPU. All waiting happens inside Signal::wait_change (pool.cpp), which
// calls armconv_pool_wait_begin() / armconv_pool_wait_end() around it: empty,
// non-inlined C functions whose addresses an instruction counter can watch to
// pause and resume counting per guest thread.
//
// fork(): a pthread_atfork prepare handler waits for a running job and joins
// the workers; parent and child start new ones at their next multi-threaded
// call (the child has no thread of the parent's pool, so it cannot hang on
// one). The thread-count setting is inherited. fork() also waits for the
// layer-building sections in flight (ForkSafeSection below).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <vector>

namespace armconv {
namespace detail {

// A non-owning reference to a callable void(size_t begin, size_t end, int
// worker): no allocation, valid while the referenced callable lives.
class RangeFn {
 public:
  template <typename F, typename = std::enable_if_t<!std::is_same<std::decay_t<F>, RangeFn>::value>>
  RangeFn(F& f)  // implicit on purpose: parallelize(units, team, lambda)
      : obj_(const_cast<void*>(static_cast<const void*>(&f))),
        call_([](void* o, size_t b, size_t e, int w) { (*static_cast<F*>(o))(b, e, w); }) {}
  void operator()(size_t begin, size_t end, int worker) const { call_(obj_, begin, end, worker); }

 private:
  void* obj_;
  void (*call_)(void*, size_t, size_t, int);
};

// Below this much work (in the caller's unit of cost, e.g. MACs) per thread, a
// thread is not worth waking: about 10 us of one Cortex-A72 core at fp32.
constexpr double kMinOpsPerThread = 65536.0;

// Units a plan should offer per thread of its team, when its work allows:
// with equal units the busiest of T threads then gets at most 1 + 1/8 of an
// even share (ceil(U / T) / (U / T) <= 1 + T / U).
constexpr size_t kUnitsPerThread = 8;

// How many threads a call over `units` units of `ops_per_unit` work each
// should use: at most max_threads (0: get_num_threads()), at most `units`,
// and few enough that each gets kMinOpsPerThread (ops_per_unit <= 0: no such
// limit). 1 inside a running job (nested calls run inline).
int team_size(size_t units, double ops_per_unit, int max_threads = 0);
// The same for a call of `ops` work in all, before its units are known (a
// plan that cuts its units for its team asks this first).
int team_for_work(double ops, int max_threads = 0);

// Runs fn over [0, units) on `team` threads (the caller and team - 1 pool
// workers), as described above; returns when every unit is done. team <= 1
// runs fn(0, units, 0) on the calling thread. If the system refuses to start
// a thread, the call runs on the threads it has (never fewer than one).
void parallelize(size_t units, int team, RangeFn fn);
template <typename F>
void parallelize(size_t units, int team, F&& fn) {
  parallelize(units, team, RangeFn(fn));
}
// The same with the ranges given: worker w runs [bounds[w], bounds[w + 1])
// (team + 1 non-decreasing entries, bounds[0] == 0; empty ranges are skipped).
// If the system refuses threads, a worker runs several ranges in turn.
void parallelize(const size_t* bounds, int team, RangeFn fn);
template <typename F>
void parallelize(const size_t* bounds, int team, F&& fn) {
  parallelize(bounds, team, RangeFn(fn));
}

// First unit of worker w's range when `units` units are split over `team`.
// The first units % team workers get one unit more than the others.
inline size_t range_begin(size_t units, int team, int w) {
  const size_t q = units / size_t(team), r = units % size_t(team);
  return size_t(w) * q + (size_t(w) < r ? size_t(w) : r);
}

// --- splitting by cost (split.cpp) ---------------------------------------------
// A plan's units as a grid of up to three axes, outermost first (unit u is the
// row-major index). Every unit costs the same, except the last index along
// axis a, which costs last_cost[a] (in (0, 1]) times the others (a GEMM's last
// N-block is narrower, a depthwise plane's last row block shorter); a unit
// costs the product over the axes.
// Or (runs set) the units are runs of other grids' units, one after the other
// (UnitRuns: a mixed Winograd plan strings its regions' units together, and a
// unit of one region may cost several times one of another): axes[0] is
// their count, the other axes and last_cost are 1.
struct UnitRuns;
struct UnitGrid {
  size_t axes[3] = {1, 1, 1};
  double last_cost[3] = {1.0, 1.0, 1.0};
  // What a unit of cost 1 costs in a measure common to the grids one
  // UnitRuns strings together (e.g. estimated instructions); only runs read it.
  double unit_cost = 1.0;
  // Not owned: whoever made the runs keeps them alive while the grid is used
  // (a mixed Winograd plan's runs live in its WinoMixPlan, which the
  // ConvPlan holding the grid owns). A raw pointer, so that the grids every
  // call of every family copies stay plain data.
  const UnitRuns* runs = nullptr;
  size_t units() const { return axes[0] * axes[1] * axes[2]; }
  // Summed cost of units [0, u), 0 <= u <= units(); in units of a full unit
  // (runs: in the grids' common measure).
  double cost_before(size_t u) const;
};

// A run: units [first, first + count) of `grid` (a grid without runs), as
// units [at, at + count) of the whole; `before` is the summed cost of the
// runs before it (in unit_cost x cost), `base` grid.cost_before(first), `tag`
// says whose units they are.
struct UnitRun {
  UnitGrid grid;
  size_t first = 0, count = 0, at = 0;
  double before = 0.0, base = 0.0;
  size_t tag = 0;
};
struct UnitRuns {
  std::vector<UnitRun> runs;
  size_t units = 0;
  double total = 0.0;  // summed cost of every run
  // The team the runs are laid out for (0: none) and where each of its
  // workers' ranges starts: starts[w], w <= team (starts[team] = units),
  // cut once by whoever made the runs (a mixed Winograd plan: by cost, when
  // planning). split_units for that team hands them out as they are.
  size_t team = 0;
  std::vector<size_t> starts;
  // Appends units [first, first + count) of g (nothing if count is 0).
  void add(const UnitGrid& g, size_t first, size_t count, size_t tag);
  // The index of the run holding unit u (u < units).
  size_t run_of(size_t u) const;
  // A grid over these runs (axes[0] = units).
  static UnitGrid grid(const UnitRuns* runs);
};

// Splits the grid's units into `team` contiguous ranges of about equal cost:
// bounds[w] is the unit boundary nearest to w / team of the total cost
// (bounds[0] = 0, bounds[team] = units; team + 1 entries). A pure function of
// (grid, team). With units of equal cost it is the equal split. Runs laid
// out for this team (UnitRuns::team, starts): their starts, O(team).
void split_units(const UnitGrid& grid, int team, size_t* bounds);

// --- fork() and a layer's lazily built state (pool.cpp) -------------------------
// A layer builds some of its state at first use, once, under a lock or a
// std::call_once of its own (packed weights of an algorithm first picked,
// a mixed Winograd tiling's plan for a new input size). A process forked
// while another thread was inside such a section would hand the child a
// lock held by a thread that does not exist there, or a once_flag that stays
// "in progress": the child's first call needing that state would wait
// forever. So each such section is a ForkSafeSection: a pthread_atfork
// prepare handler waits until the sections in flight end (they never wait
// for the pool), and none starts until fork() returns (pool.cpp). Sections
// nest on a thread (only the outermost counts). Entered only on the slow
// paths (building; never by a call that finds the state built).
class ForkSafeSection {
 public:
  ForkSafeSection();
  ~ForkSafeSection();
  ForkSafeSection(const ForkSafeSection&) = delete;
  ForkSafeSection& operator=(const ForkSafeSection&) = delete;
};

// --- per-thread scratch (scratch.cpp) -------------------------------------------
// `bytes` of scratch for the calling thread (64-byte aligned, any content):
// each thread keeps one buffer between calls, grown to the largest lease it
// has had and freed when the thread exits, so back-to-back layers allocate
// nothing. Leases above kMaxCachedScratch, and a lease taken while the same
// thread still holds one (a nested call), get memory of their own for the
// lease's lifetime.
class ScratchLease {
 public:
  explicit ScratchLease(size_t bytes);
  ~ScratchLease();
  ScratchLease(const ScratchLease&) = delete;
  ScratchLease& operator=(const ScratchLease&) = delete;
  void* data() const { return p_; }

 private:
  void* p_ = nullptr;
  bool own_ = false;  // memory of its own (freed by the destructor)
};
constexpr size_t kMaxCachedScratch = size_t(8) << 20;

// Runs fn(begin, end, scratch) over the grid's units on `team` threads: the
// units split by cost (split_units), each range with `scratch_bytes` of its
// thread's scratch (nullptr if 0). team <= 1: one range on the calling thread.
template <typename F>
void run_units(const UnitGrid& grid, int team, size_t scratch_bytes, F&& fn) {
  const size_t units = grid.units();
  if (units == 0) return;
  if (team <= 1) {
    ScratchLease scratch(scratch_bytes);
    fn(size_t(0), units, scratch.data());
    return;
  }
  size_t local[9];  // up to 8 threads without an allocation
  std::unique_ptr<size_t[]> heap(team < 9 ? nullptr : new size_t[size_t(team) + 1]);
  size_t* bounds = heap ? heap.get() : local;
  split_units(grid, team, bounds);
  parallelize(bounds, team, [&](size_t begin, size_t end, int) {
    ScratchLease scratch(scratch_bytes);
    fn(begin, end, scratch.data());
  });
}

// Runs work in stages over the same team: stage s's units (grids[s]) split by
// cost as run_units splits them, fn(s, begin, end, scratch, shared) per range,
// every range of stage s done before stage s + 1 starts (each stage is one
// parallelize call: its return is the barrier). `shared`: shared_bytes (64-byte
// aligned, any content on entry), one buffer for the whole call, taken with
// the calling thread's scratch (worker 0's, after it) in one lease.
template <typename F>
void run_staged_units(const UnitGrid* grids, int stages, int team, size_t scratch_bytes,
                      size_t shared_bytes, F&& fn) {
  const size_t shared_round = (shared_bytes + 63) / 64 * 64;
  ScratchLease lease(shared_round + scratch_bytes);
  unsigned char* const base = static_cast<unsigned char*>(lease.data());
  void* const shared = shared_bytes ? base : nullptr;
  void* const own = scratch_bytes ? base + shared_round : nullptr;
  size_t local[9];
  std::unique_ptr<size_t[]> heap(team < 9 ? nullptr : new size_t[size_t(team) + 1]);
  size_t* bounds = heap ? heap.get() : local;
  for (int s = 0; s < stages; s++) {
    const size_t units = grids[s].units();
    if (units == 0) continue;
    if (team <= 1) {
      fn(s, size_t(0), units, own, shared);
      continue;
    }
    split_units(grids[s], team, bounds);
    parallelize(bounds, team, [&](size_t begin, size_t end, int worker) {
      if (worker == 0) {  // the calling thread: its scratch is in the lease above
        fn(s, begin, end, own, shared);
        return;
      }
      ScratchLease scratch(scratch_bytes);
      fn(s, begin, end, scratch.data(), shared);
    });
  }
}

// --- settings (settings.cpp) ---------------------------------------------------
// The number of CPUs this process may run on (sched_getaffinity), >= 1.
int cpus_available();
// Parses an ARMCONV_NUM_THREADS value: a decimal integer from 1 to kMaxThreads
// (surrounding blanks allowed). Returns nullptr and sets *n, or says what is wrong.
const char* parse_num_threads(const char* text, int* n);
// Reads ARMCONV_NUM_THREADS and the CPU count, once per process. The first
// caller decides how a bad value is reported: quiet == false prints one line to
// stderr; quiet == true only returns it (the Python module turns it into a
// RuntimeWarning). Returns the message ("" if the value was fine or unset).
const char* init_thread_settings(bool quiet);
// The process-wide thread count (set_num_threads / ARMCONV_NUM_THREADS /
// the CPU count), ignoring this thread's override.
int process_num_threads();
// This thread's override of the process-wide count (0: none); returns the
// previous one. ScopedNumThreads and Python's armconv.threads() use it.
int set_thread_override(int n);

}  // namespace detail
}  // namespace armconv

// The thread pool every kernel family shares, and the parallel-for over a
// family's work units.
//
// How a family uses it (the plan / run(range, scratch) shape):
//
//   const size_t units = plan.units();                  // independent work units
//   const int team = detail::team_size(units, plan.macs_per_unit());
//   std::vector<Scratch> scratch(team);                 // one per worker
//   detail::parallelize(units, team, [&](size_t begin, size_t end, int worker) {
//     family.run(plan, begin, end, scratch[worker]);    // units [begin, end)
//   });
//
// Guarantees:
// - Every unit runs exactly once. Units are split statically into `team`
//   contiguous ranges whose sizes differ by at most one (worker w gets
//   [range_begin(w), range_begin(w + 1))), so which thread runs a unit depends
//   only on (units, team); a unit never splits a reduction, so results are
//   bit-identical for any thread count.
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
// one). The thread-count setting is inherited.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

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

// How many threads a call over `units` units of `ops_per_unit` work each
// should use: at most max_threads (0: get_num_threads()), at most `units`,
// and few enough that each gets kMinOpsPerThread (ops_per_unit <= 0: no such
// limit). 1 inside a running job (nested calls run inline).
int team_size(size_t units, double ops_per_unit, int max_threads = 0);

// Runs fn over [0, units) on `team` threads (the caller and team - 1 pool
// workers), as described above; returns when every unit is done. team <= 1
// runs fn(0, units, 0) on the calling thread. If the system refuses to start
// a thread, the call runs on the threads it has (never fewer than one).
void parallelize(size_t units, int team, RangeFn fn);
template <typename F>
void parallelize(size_t units, int team, F&& fn) {
  parallelize(units, team, RangeFn(fn));
}

// First unit of worker w's range when `units` units are split over `team`.
// The first units % team workers get one unit more than the others.
inline size_t range_begin(size_t units, int team, int w) {
  const size_t q = units / size_t(team), r = units % size_t(team);
  return size_t(w) * q + (size_t(w) < r ? size_t(w) : r);
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

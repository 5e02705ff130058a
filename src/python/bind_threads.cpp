// Thread-count bindings (armconv/_threads.py documents and checks arguments),
// the C entry points threadpoolctl calls through ctypes, and a private test
// hook that drives the pool until the kernel families run on it.
#include <atomic>
#include <vector>

#include "core/conv_impl.h"
#include "python/bindings.h"
#include "threads/threads.h"

// For threadpoolctl (armconv/_threads.py registers a controller that finds
// this module by its file name and calls these): the process-wide count.
// Plain C, default visibility (pybind11 hides everything else), no exceptions.
extern "C" {
__attribute__((visibility("default"))) int armconv_get_num_threads(void) {
  return armconv::detail::process_num_threads();
}
// n < 1 is ignored (returns -1); n above kMaxThreads is clamped to it.
__attribute__((visibility("default"))) int armconv_set_num_threads(int n) {
  if (n < 1) return -1;
  armconv::set_num_threads(n < armconv::kMaxThreads ? n : armconv::kMaxThreads);
  return 0;
}
}

namespace armconv {
namespace py_bind {

namespace {

// One step of a 64-bit LCG: the per-unit "work" of the test hook.
inline uint64_t lcg(uint64_t x) { return x * 6364136223846793005ull + 1442695040888963407ull; }

// _test_parallel_for(units, threads, work): runs the pool's parallel-for over
// `units` units on team_size(units, 0, threads) threads; unit u iterates an
// LCG `work` times from u. Returns (count, worker, values): how many times
// each unit ran, the worker that ran it, and its value (all numpy arrays).
py::tuple test_parallel_for(int64_t units, int threads, int64_t work) {
  if (units < 0 || units > (int64_t(1) << 24))
    throw py::value_error("units must be from 0 to 2**24");
  if (threads < 1 || threads > kMaxThreads) throw py::value_error("threads must be from 1 to 1024");
  if (work < 0) throw py::value_error("work must be >= 0");
  const size_t n = size_t(units);
  std::vector<std::atomic<int32_t>> count(n);
  for (auto& c : count) c.store(0, std::memory_order_relaxed);
  py::array_t<int32_t> worker{py::ssize_t(n)};
  py::array_t<uint64_t> values{py::ssize_t(n)};
  int32_t* wk = worker.mutable_data();
  uint64_t* val = values.mutable_data();
  {
    py::gil_scoped_release nogil;  // workers never touch Python
    const int team = detail::team_size(n, 0, threads);
    detail::parallelize(n, team, [&](size_t begin, size_t end, int w) {
      for (size_t u = begin; u < end; ++u) {
        uint64_t x = u;
        for (int64_t i = 0; i < work; ++i) x = lcg(x);
        val[u] = x;
        wk[u] = w;
        count[u].fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  py::array_t<int32_t> counts{py::ssize_t(n)};
  for (size_t u = 0; u < n; ++u) counts.mutable_data()[u] = count[u].load();
  return py::make_tuple(counts, worker, values);
}

template <class Layer>
py::dict plan_dict(const Layer& layer, int64_t n, int64_t h, int64_t w) {
  if (n < 1 || h < 1 || w < 1) throw py::value_error("n, h and w must be >= 1");
  int team = 1;
  const detail::ConvPlan pl = detail::PlanAccess::plan(layer, n, h, w, &team);
  py::dict d;
  d["algo"] = std::string(pl.algo);
  d["units"] = pl.units;
  d["team"] = team;
  d["scratch_bytes"] = pl.scratch_bytes;  // per thread
  d["shared_bytes"] = pl.shared_bytes;
  d["stages"] = pl.stages;
  return d;
}

}  // namespace

py::dict plan_info(const Conv2d& layer, int64_t n, int64_t h, int64_t w) { return plan_dict(layer, n, h, w); }
py::dict plan_info(const QConv2d& layer, int64_t n, int64_t h, int64_t w) { return plan_dict(layer, n, h, w); }

void bind_threads(py::module_& m) {
  m.attr("MAX_THREADS") = kMaxThreads;
  m.def("set_num_threads", [](int n) { set_num_threads(n); }, py::arg("n"));
  m.def("get_num_threads", [] { return get_num_threads(); });
  m.def("_process_num_threads", [] { return detail::process_num_threads(); });
  m.def("_set_thread_override", &detail::set_thread_override, py::arg("n"),
        "Sets this thread's override (0: none); returns the previous one.");
  m.def("_read_thread_env", [] { return std::string(detail::init_thread_settings(true)); },
        "Reads ARMCONV_NUM_THREADS once; returns what was wrong with it, or ''.");
  m.def("_test_parallel_for", &test_parallel_for, py::arg("units"), py::arg("threads"),
        py::arg("work") = 0, "Private test hook: drives the thread pool (see bind_threads.cpp).");
}

}  // namespace py_bind
}  // namespace armconv

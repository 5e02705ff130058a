// The extension module armconv._armconv.
#include "armconv/armconv.h"
#include "python/bindings.h"

namespace armconv {
namespace py_bind {

int64_t checked_count(std::initializer_list<int64_t> dims, size_t elem, const char* what) {
  const int64_t limit = int64_t(PY_SSIZE_T_MAX / Py_ssize_t(elem));
  int64_t n = 1;
  bool zero = false;
  for (int64_t d : dims) {
    if (d < 0) throw py::value_error(std::string(what) + ": negative size");
    if (d == 0) zero = true;
  }
  if (zero) return 0;
  for (int64_t d : dims) {
    if (n > limit / d)
      throw py::value_error(std::string(what) + " is too large to allocate");
    n *= d;
  }
  return n;
}

}  // namespace py_bind
}  // namespace armconv

PYBIND11_MODULE(_armconv, m) {
  namespace py = pybind11;
  m.doc() = "armconv core (private): use the armconv package.";
  py::register_exception<armconv::Error>(m, "Error", PyExc_ValueError);

  m.def("cpu_info", [] {
    armconv::CpuInfo c = armconv::cpu_info();
    py::dict kernels;
    kernels["sgemm"] = c.sgemm;
    kernels["depthwise3x3"] = c.depthwise3x3;
    kernels["winograd"] = c.winograd;
    kernels["gemm_s8"] = c.gemm_s8;
    py::dict d;
    d["arch"] = c.arch;
    d["neon"] = c.neon;
    d["dotprod"] = c.dotprod;
    d["fp16"] = c.fp16;
    d["i8mm"] = c.i8mm;
    d["kernels"] = kernels;
    return d;
  });

  armconv::py_bind::bind_fp32(m);
  armconv::py_bind::bind_layout(m);
  armconv::py_bind::bind_int8(m);
}

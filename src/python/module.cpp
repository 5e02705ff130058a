// The extension module armconv._armconv.
#include "armconv/armconv.h"
#include "armconv/pool.h"
#include "core/add_s8.h"
#include "core/eltwise.h"
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

Conv2dParams conv_params(const py::array& weight, int64_t in_channels, py::tuple stride,
                         py::tuple dilation, py::tuple padding, int64_t groups, bool clamp,
                         float lo, float hi) {
  Conv2dParams p;
  p.in_channels = in_channels;
  p.out_channels = weight.shape(0);
  p.kernel_h = weight.shape(2);
  p.kernel_w = weight.shape(3);
  p.stride_h = stride[0].cast<int64_t>();
  p.stride_w = stride[1].cast<int64_t>();
  p.dilation_h = dilation[0].cast<int64_t>();
  p.dilation_w = dilation[1].cast<int64_t>();
  p.pad_top = padding[0].cast<int64_t>();
  p.pad_bottom = padding[1].cast<int64_t>();
  p.pad_left = padding[2].cast<int64_t>();
  p.pad_right = padding[3].cast<int64_t>();
  p.groups = groups;
  p.clamp = clamp;
  p.out_min = lo;
  p.out_max = hi;
  validate(p);
  if (weight.shape(1) * p.groups != p.in_channels)
    throw py::value_error("weight.shape[1] * groups must equal the input channels");
  return p;
}

CallSize call_size(const py::array& x, const Conv2dParams& p) {
  CallSize s{x.shape(0), x.shape(2), x.shape(3), 0, 0};
  if (x.shape(1) != p.in_channels)
    throw py::value_error("x has " + std::to_string(x.shape(1)) + " channels, the layer expects " +
                          std::to_string(p.in_channels));
  output_size(p, s.h, s.w, &s.ho, &s.wo);
  return s;
}

py::tuple conv_output_shape(const Conv2dParams& p, int64_t n, int64_t h, int64_t w) {
  if (n < 0) throw Error("batch size must be >= 0");
  int64_t ho, wo;
  output_size(p, h, w, &ho, &wo);
  checked_count({n, p.out_channels, ho, wo}, 1, "the output");
  return py::make_tuple(n, p.out_channels, ho, wo);
}

const float* optional_bias(const py::object& bias, const py::array& weight, py::array& keep) {
  if (bias.is_none()) return nullptr;
  keep = bias.cast<py::array>();
  require_array<float>(keep, "bias", 1);
  if (keep.shape(0) != weight.shape(0))
    throw py::value_error("bias must have shape (" + std::to_string(weight.shape(0)) + ",)");
  return static_cast<const float*>(keep.data());
}

}  // namespace py_bind
}  // namespace armconv

PYBIND11_MODULE(_armconv, m) {
  namespace py = pybind11;
  m.doc() = "armconv core (private): use the armconv package.";
  // armconv.Error: exported by the package, so name it there in tracebacks.
  py::register_exception<armconv::Error>(m, "Error", PyExc_ValueError);
  m.attr("Error").attr("__module__") = "armconv";
  m.attr("Error").attr("__doc__") =
      "An argument the armconv core refuses (e.g. a forced algo that cannot run the shape). "
      "A ValueError.";

  m.def("cpu_info", [] {
    armconv::CpuInfo c = armconv::cpu_info();
    py::dict kernels;
    kernels["sgemm"] = c.sgemm;
    kernels["depthwise3x3"] = c.depthwise3x3;
    kernels["depthwise5x5"] = c.depthwise5x5;
    kernels["depthwise"] = c.depthwise;
    kernels["winograd"] = c.winograd;
    kernels["winograd43"] = c.winograd43;
    kernels["winograd23"] = c.winograd23;
    kernels["winograd43s2"] = c.winograd43s2;
    kernels["winograd23s2"] = c.winograd23s2;
    kernels["gemm_s8"] = c.gemm_s8;
    kernels["winograd_gemm"] = c.winograd_gemm;
    kernels["winograd23_s8"] = c.winograd23_s8;
    kernels["winograd_gemm_s16"] = c.winograd_gemm_s16;
    kernels["depthwise3x3_s8"] = c.depthwise3x3_s8;
    kernels["half_convert"] = c.half_convert;
    kernels["quantize"] = c.quantize;
    kernels["pool"] = armconv::pool_kernel_name();
    kernels["eltwise"] = armconv::detail::eltwise_kernel_name();
    kernels["add_s8"] = armconv::detail::add_s8_kernel_name();
    // The fp16 kernels, where they run (Precision::Fp16 layers).
    if (!c.hgemm.empty()) kernels["hgemm"] = c.hgemm;
    if (!c.depthwise3x3_fp16.empty()) kernels["depthwise3x3_fp16"] = c.depthwise3x3_fp16;
    if (!c.winograd43_fp16.empty()) kernels["winograd43_fp16"] = c.winograd43_fp16;
    if (!c.winograd23_fp16.empty()) kernels["winograd23_fp16"] = c.winograd23_fp16;
    if (!c.winograd_gemm_fp16.empty()) kernels["winograd_gemm_fp16"] = c.winograd_gemm_fp16;
    py::dict d;
    d["arch"] = c.arch;
    d["neon"] = c.neon;
    d["neon_kernels"] = c.neon_kernels;
    d["dotprod"] = c.dotprod;
    d["fp16"] = c.fp16;
    d["i8mm"] = c.i8mm;
    d["cpus"] = c.cpus;
    d["kernels"] = kernels;
    return d;
  });

  armconv::py_bind::bind_fp32(m);
  armconv::py_bind::bind_layout(m);
  armconv::py_bind::bind_int8(m);
  armconv::py_bind::bind_pool(m);
  armconv::py_bind::bind_eltwise(m);
  armconv::py_bind::bind_threads(m);
}

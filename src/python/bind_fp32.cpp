// fp32 convolution and GEMM bindings.
#include "armconv/armconv.h"
#include "python/bindings.h"

namespace armconv {
namespace py_bind {
namespace {

// Holds the packed layer. Immutable; run() releases the GIL.
class PyConv2d {
 public:
  PyConv2d(py::array weight, py::object bias, int64_t in_channels, py::tuple stride,
           py::tuple dilation, py::tuple padding, int64_t groups, bool clamp, float lo, float hi,
           const std::string& algo, const std::string& precision)
      : layer_(nullptr), f16_io_(precision == "fp16") {
    require_array<float>(weight, "weight", 4);
    py::array keep;
    const float* b = optional_bias(bias, weight, keep);
    const Conv2dParams p =
        conv_params(weight, in_channels, stride, dilation, padding, groups, clamp, lo, hi);
    const Algo a = algo_from_name(algo);
    const Precision pr = precision_from_name(precision);
    const float* w = static_cast<const float*>(weight.data());
    {
      py::gil_scoped_release nogil;
      layer_.reset(new Conv2d(p, w, b, a, pr));
    }
  }

  // Into `out` when it is not None (then returned), else into a new array.
  // x: float32, or float16 (then so is the output: Conv2d::run(const Half*...)).
  py::array run(py::array x, py::object out) const {
    if (!is_dtype<float>(x) && has_dtype<Half>(x)) {
      require_array<Half>(x, "x", 4);
      return run_layer<Half, Half>(*layer_, x, call_size(x, layer_->params()), out);
    }
    require_array<float>(x, "x", 4);
    return run_layer<float, float>(*layer_, x, call_size(x, layer_->params()), out);
  }

  // layer(x[, out]) (bindings.h, layer_call): x a dense (N, C, H, W) ndarray;
  // float32, or float16 for a layer asked for fp16 (the Python class's rule).
  py::object fast_call(const py::array& x, const py::object& out) const {
    if (is_dtype<float>(x)) return run_layer<float, float>(*layer_, x, call_size(x, layer_->params()), out);
    if (f16_io_ && is_dtype<Half>(x)) return run_layer<Half, Half>(*layer_, x, call_size(x, layer_->params()), out);
    return py::object();
  }

  py::tuple output_shape(int64_t n, int64_t h, int64_t w) const {
    return conv_output_shape(layer_->params(), n, h, w);
  }

  std::string algo() const { return algo_name(layer_->algo()); }
  std::string precision() const { return precision_name(layer_->precision()); }
  std::string algo_for(int64_t h, int64_t w) const { return algo_name(layer_->algo_for(h, w)); }
  size_t workspace_bytes(int64_t h, int64_t w) const { return layer_->workspace_bytes(h, w); }
  py::dict plan(int64_t n, int64_t h, int64_t w) const { return plan_info(*layer_, n, h, w); }

 private:
  std::unique_ptr<Conv2d> layer_;
  bool f16_io_;  // built with precision="fp16": takes float16 arrays too
};

const char kConv2dCallDoc[] =
    "__call__($self, x, out=None)\n--\n\n"
    "layer(x) or layer(x, out=y): see the class docstring and _call (the Python\n"
    "method this C++ one passes every call to but the common ones: x a float32\n"
    "(or, for a layer built with precision='fp16', float16) C-contiguous\n"
    "(N, C, H, W) numpy.ndarray, out None or such an array of the output).";
PyMethodDef conv2d_call = {"__call__", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(
                                           &layer_call<PyConv2d>)),
                           METH_FASTCALL | METH_KEYWORDS, kConv2dCallDoc};

}  // namespace

void bind_fp32(py::module_& m) {
  py::class_<PyConv2d>(m, "Conv2d")
      .def(py::init<py::array, py::object, int64_t, py::tuple, py::tuple, py::tuple, int64_t, bool,
                    float, float, const std::string&, const std::string&>(),
           py::arg("weight"), py::arg("bias"), py::arg("in_channels"), py::arg("stride"),
           py::arg("dilation"), py::arg("padding"), py::arg("groups"), py::arg("clamp"),
           py::arg("lo"), py::arg("hi"), py::arg("algo"), py::arg("precision") = "fp32")
      .def("run", &PyConv2d::run, py::arg("x"), py::arg("out") = py::none())
      .def_static("_install_call", [](const py::type& cls) { install_call(cls, &conv2d_call); },
                  py::arg("cls"), "Makes cls.__call__ the C++ fast call of layer(x) (bindings.h, layer_call).")
      .def("output_shape", &PyConv2d::output_shape, py::arg("n"), py::arg("h"), py::arg("w"))
      .def_property_readonly("algo", &PyConv2d::algo)
      .def_property_readonly("precision", &PyConv2d::precision)
      .def("algo_for", &PyConv2d::algo_for, py::arg("h"), py::arg("w"))
      .def("workspace_bytes", &PyConv2d::workspace_bytes, py::arg("h"), py::arg("w"))
      .def("_plan", &PyConv2d::plan, py::arg("n"), py::arg("h"), py::arg("w"),
           "Private test hook: what a call runs at this thread's thread count (algo, units, team,\n"
           "scratch_bytes per thread, shared_bytes, stages).");

  m.def(
      "sgemm",
      [](py::array a, py::array b, py::object out) {
        require_array<float>(a, "a", 2);
        require_array<float>(b, "b", 2);
        const int64_t m = a.shape(0), k = a.shape(1), n = b.shape(1);
        if (b.shape(0) != k)
          throw py::value_error("a and b do not conform: a is (" + std::to_string(m) + ", " +
                                std::to_string(k) + "), b is (" + std::to_string(b.shape(0)) +
                                ", " + std::to_string(n) + ")");
        checked_count({m, n}, sizeof(float), "the result");
        py::array c = output_array<float>(out, {m, n});
        float* cp = output_data<float>(c, {m, n});
        require_no_overlap(c, a, "a");
        require_no_overlap(c, b, "b");
        const float* ap = static_cast<const float*>(a.data());
        const float* bp = static_cast<const float*>(b.data());
        {
          py::gil_scoped_release nogil;
          sgemm(m, n, k, ap, std::max<int64_t>(k, 1), bp, std::max<int64_t>(n, 1), cp,
                std::max<int64_t>(n, 1));
        }
        return c;
      },
      py::arg("a"), py::arg("b"), py::arg("out") = py::none());
}

}  // namespace py_bind
}  // namespace armconv

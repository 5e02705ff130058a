// fp32 convolution and GEMM bindings.
#include "armconv/armconv.h"
#include "python/bindings.h"

namespace armconv {
namespace py_bind {
namespace {

// Raises TypeError unless `a` is float16, ValueError unless it has `ndim`
// dimensions and is C-contiguous and aligned.
void require_f16(const py::array& a, const char* name, int ndim) {
  if (!a.dtype().equal(py::dtype("float16")))
    throw py::type_error(std::string(name) + " must have dtype float16, got " +
                         std::string(py::str(a.dtype())));
  if (a.ndim() != ndim)
    throw py::value_error(std::string(name) + " must have " + std::to_string(ndim) +
                          " dimensions, got " + std::to_string(a.ndim()));
  if (!(a.flags() & py::array::c_style) || !(a.flags() & 0x0100 /* NPY_ARRAY_ALIGNED */))
    throw py::value_error(std::string(name) + " must be C-contiguous and aligned");
}

// Holds the packed layer. Immutable; run() releases the GIL.
class PyConv2d {
 public:
  PyConv2d(py::array weight, py::object bias, int64_t in_channels, py::tuple stride,
           py::tuple dilation, py::tuple padding, int64_t groups, bool clamp, float lo, float hi,
           const std::string& algo, const std::string& precision)
      : layer_(nullptr) {
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
    if (x.dtype().equal(py::dtype("float16"))) return run_f16(x, out);
    require_array<float>(x, "x", 4);
    const Conv2dParams& p = layer_->params();
    const int64_t n = x.shape(0), c = x.shape(1), h = x.shape(2), w = x.shape(3);
    if (c != p.in_channels)
      throw py::value_error("x has " + std::to_string(c) + " channels, the layer expects " +
                            std::to_string(p.in_channels));
    int64_t ho, wo;
    output_size(p, h, w, &ho, &wo);
    checked_count({n, p.out_channels, ho, wo}, sizeof(float), "the output");
    py::array y = output_array<float>(out, {n, p.out_channels, ho, wo});
    float* yp = output_data<float>(y, {n, p.out_channels, ho, wo});
    require_no_overlap(y, x, "x");
    const float* xp = static_cast<const float*>(x.data());
    {
      py::gil_scoped_release nogil;
      layer_->run(xp, n, h, w, yp);
    }
    return y;
  }

  py::array run_f16(py::array x, py::object out) const {
    require_f16(x, "x", 4);
    const Conv2dParams& p = layer_->params();
    const int64_t n = x.shape(0), c = x.shape(1), h = x.shape(2), w = x.shape(3);
    if (c != p.in_channels)
      throw py::value_error("x has " + std::to_string(c) + " channels, the layer expects " +
                            std::to_string(p.in_channels));
    int64_t ho, wo;
    output_size(p, h, w, &ho, &wo);
    checked_count({n, p.out_channels, ho, wo}, sizeof(Half), "the output");
    py::array y;
    if (out.is_none()) {
      y = py::array(py::dtype("float16"), std::vector<py::ssize_t>{n, p.out_channels, ho, wo});
    } else {
      if (!py::isinstance<py::array>(out)) throw py::type_error("out must be a numpy.ndarray or None");
      y = py::reinterpret_borrow<py::array>(out);
    }
    require_f16(y, "out", 4);
    if (y.shape(0) != n || y.shape(1) != p.out_channels || y.shape(2) != ho || y.shape(3) != wo)
      throw py::value_error("out has the wrong shape");
    if (!y.writeable()) throw py::value_error("out is read-only");
    require_no_overlap(y, x, "x");
    const Half* xp = static_cast<const Half*>(x.data());
    Half* yp = static_cast<Half*>(y.mutable_data());
    {
      py::gil_scoped_release nogil;
      layer_->run(xp, n, h, w, yp);
    }
    return y;
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
};

}  // namespace

void bind_fp32(py::module_& m) {
  py::class_<PyConv2d>(m, "Conv2d")
      .def(py::init<py::array, py::object, int64_t, py::tuple, py::tuple, py::tuple, int64_t, bool,
                    float, float, const std::string&, const std::string&>(),
           py::arg("weight"), py::arg("bias"), py::arg("in_channels"), py::arg("stride"),
           py::arg("dilation"), py::arg("padding"), py::arg("groups"), py::arg("clamp"),
           py::arg("lo"), py::arg("hi"), py::arg("algo"), py::arg("precision") = "fp32")
      .def("run", &PyConv2d::run, py::arg("x"), py::arg("out") = py::none())
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

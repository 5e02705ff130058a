// int8 bindings: gemm_s8, quantize / dequantize / requantize, QConv2d.
// Arguments arrive normalised by python/armconv/_quant.py; these functions
// only check dtype, rank and contiguity, and release the GIL around the kernels.
#include <vector>

#include "armconv/quant.h"
#include "python/bindings.h"

namespace armconv {
namespace py_bind {
namespace {

template <typename T>
py::array_t<T> to_array(const std::vector<T>& v) {
  py::array_t<T> a(static_cast<py::ssize_t>(v.size()));
  std::copy(v.begin(), v.end(), a.mutable_data());
  return a;
}

// (outer, channels, inner) arrays and their per-channel scales.
void check_scaled(const py::array& x, const py::array& scales) {
  require_array<float>(scales, "scale", 1);
  if (scales.shape(0) != x.shape(1))
    throw py::value_error("scale must have " + std::to_string(x.shape(1)) + " entries, got " +
                          std::to_string(scales.shape(0)));
}

class PyQConv2d {
 public:
  PyQConv2d(py::array weight, py::object bias, int64_t in_channels, py::tuple stride,
            py::tuple dilation, py::tuple padding, int64_t groups, bool clamp, float lo,
            float hi, float input_scale, float output_scale, const std::string& algo) {
    require_array<float>(weight, "weight", 4);
    py::array keep;
    const float* b = optional_bias(bias, weight, keep);
    const Conv2dParams p =
        conv_params(weight, in_channels, stride, dilation, padding, groups, clamp, lo, hi);
    const float* w = static_cast<const float*>(weight.data());
    const Algo a = algo_from_name(algo);
    {
      py::gil_scoped_release nogil;
      layer_.reset(new QConv2d(p, w, b, input_scale, output_scale, a));
    }
  }

  // Into `out` when it is not None (then returned), else into a new array.
  py::array run(py::array x, py::object out) const {
    require_array<int8_t>(x, "x", 4);
    const CallSize s = call_size(x, layer_->params());
    if (layer_->int8_output()) return run_layer<int8_t, int8_t>(*layer_, x, s, out);
    return run_layer<float, int8_t>(*layer_, x, s, out);
  }

  // layer(x[, out]) (bindings.h, layer_call): x a dense (N, C, H, W) ndarray of int8.
  py::object fast_call(const py::array& x, const py::object& out) const {
    if (!is_dtype<int8_t>(x)) return py::object();
    return run(x, out);
  }

  py::tuple output_shape(int64_t n, int64_t h, int64_t w) const {
    return conv_output_shape(layer_->params(), n, h, w);
  }

  const QConv2d& layer() const { return *layer_; }

 private:
  std::unique_ptr<QConv2d> layer_;
};

const char kQConv2dCallDoc[] =
    "__call__($self, x, out=None)\n--\n\n"
    "layer(x) or layer(x, out=y): see the class docstring and _call (the Python\n"
    "method this C++ one passes every call to but the common ones: x an int8\n"
    "C-contiguous (N, C, H, W) numpy.ndarray, out None or such an array of the output).";
PyMethodDef qconv2d_call = {"__call__", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(
                                            &layer_call<PyQConv2d>)),
                            METH_FASTCALL | METH_KEYWORDS, kQConv2dCallDoc};

}  // namespace

void bind_int8(py::module_& m) {
  m.def(
      "gemm_s8",
      [](py::array a, py::array b) {
        require_array<int8_t>(a, "a", 2);
        require_array<int8_t>(b, "b", 2);
        const int64_t mm = a.shape(0), k = a.shape(1), n = b.shape(1);
        if (b.shape(0) != k) throw py::value_error("a and b do not conform");
        checked_count({mm, n}, sizeof(int32_t), "the result");
        py::array_t<int32_t> c({mm, n});
        const int8_t* ap = static_cast<const int8_t*>(a.data());
        const int8_t* bp = static_cast<const int8_t*>(b.data());
        int32_t* cp = c.mutable_data();
        {
          py::gil_scoped_release nogil;
          gemm_s8(mm, n, k, ap, std::max<int64_t>(k, 1), bp, std::max<int64_t>(n, 1), cp,
                  std::max<int64_t>(n, 1));
        }
        return c;
      },
      py::arg("a"), py::arg("b"));

  // Into `out` (int8, x's shape, not overlapping x) when it is not None (the
  // model runner's Quantize nodes write into their arena), else a new array.
  m.def(
      "quantize",
      [](py::array x, py::array scales, py::object out) {
        require_array<float>(x, "x", 3);
        check_scaled(x, scales);
        // (No default-constructed py::array: that allocates an empty one.)
        py::array q = out.is_none() ? new_array<int8_t>({x.shape(0), x.shape(1), x.shape(2)})
                                    : out.cast<py::array>();
        if (!out.is_none()) {
          output_data<int8_t>(q, {x.shape(0), x.shape(1), x.shape(2)});
          if (bytes_overlap(q, x)) throw py::value_error("out must not overlap x");
        }
        const float* xp = static_cast<const float*>(x.data());
        const float* sp = static_cast<const float*>(scales.data());
        int8_t* qp = static_cast<int8_t*>(q.mutable_data());
        {
          py::gil_scoped_release nogil;
          quantize(xp, qp, x.shape(0), x.shape(1), x.shape(2), sp);
        }
        return q;
      },
      py::arg("x"), py::arg("scales"), py::arg("out") = py::none());

  m.def(
      "dequantize",
      [](py::array q, py::array scales) {
        require_array<int8_t>(q, "q", 3);
        check_scaled(q, scales);
        py::array_t<float> x({q.shape(0), q.shape(1), q.shape(2)});
        const int8_t* qp = static_cast<const int8_t*>(q.data());
        const float* sp = static_cast<const float*>(scales.data());
        float* xp = x.mutable_data();
        {
          py::gil_scoped_release nogil;
          dequantize(qp, xp, q.shape(0), q.shape(1), q.shape(2), sp);
        }
        return x;
      },
      py::arg("q"), py::arg("scales"));

  m.def(
      "requantize",
      [](py::array acc, py::array scales, int32_t qmin, int32_t qmax) {
        require_array<int32_t>(acc, "acc", 3);
        check_scaled(acc, scales);
        py::array_t<int8_t> q({acc.shape(0), acc.shape(1), acc.shape(2)});
        const int32_t* ap = static_cast<const int32_t*>(acc.data());
        const float* sp = static_cast<const float*>(scales.data());
        int8_t* qp = q.mutable_data();
        {
          py::gil_scoped_release nogil;
          requantize(ap, qp, acc.shape(0), acc.shape(1), acc.shape(2), sp, qmin, qmax);
        }
        return q;
      },
      py::arg("acc"), py::arg("scales"), py::arg("qmin"), py::arg("qmax"));

  py::class_<PyQConv2d>(m, "QConv2d")
      .def(py::init<py::array, py::object, int64_t, py::tuple, py::tuple, py::tuple, int64_t, bool,
                    float, float, float, float, std::string>(),
           py::arg("weight"), py::arg("bias"), py::arg("in_channels"), py::arg("stride"),
           py::arg("dilation"), py::arg("padding"), py::arg("groups"), py::arg("clamp"),
           py::arg("lo"), py::arg("hi"), py::arg("input_scale"), py::arg("output_scale"),
           py::arg("algo") = "auto")
      .def("run", &PyQConv2d::run, py::arg("x"), py::arg("out") = py::none())
      .def_static("_install_call", [](const py::type& cls) { install_call(cls, &qconv2d_call); },
                  py::arg("cls"), "Makes cls.__call__ the C++ fast call of layer(x) (bindings.h, layer_call).")
      .def("output_shape", &PyQConv2d::output_shape, py::arg("n"), py::arg("h"), py::arg("w"))
      .def_property_readonly("algo", [](const PyQConv2d& s) { return std::string(s.layer().algo()); })
      .def("workspace_bytes", [](const PyQConv2d& s, int64_t h, int64_t w) { return s.layer().workspace_bytes(h, w); },
           py::arg("h"), py::arg("w"))
      .def("_plan", [](const PyQConv2d& s, int64_t n, int64_t h, int64_t w) { return plan_info(s.layer(), n, h, w); },
           py::arg("n"), py::arg("h"), py::arg("w"),
           "Private test hook: what a call runs at this thread's thread count (algo, units, team,\n"
           "scratch_bytes per thread, shared_bytes, stages).")
      .def_property_readonly("weight_q", [](const PyQConv2d& s) { return to_array(s.layer().weight_q()); })
      .def_property_readonly("weight_scale", [](const PyQConv2d& s) { return to_array(s.layer().weight_scale()); })
      .def_property_readonly("bias_q", [](const PyQConv2d& s) { return to_array(s.layer().bias_q()); })
      .def_property_readonly("requant_multiplier",
                             [](const PyQConv2d& s) { return to_array(s.layer().requant_multiplier()); })
      .def_property_readonly("requant_shift", [](const PyQConv2d& s) { return s.layer().requant_shift(); })
      .def_property_readonly("dequant_scale", [](const PyQConv2d& s) { return to_array(s.layer().dequant_scale()); })
      .def_property_readonly("qmin", [](const PyQConv2d& s) { return s.layer().qmin(); })
      .def_property_readonly("qmax", [](const PyQConv2d& s) { return s.layer().qmax(); });
}

}  // namespace py_bind
}  // namespace armconv

// Pooling binding: _pool2d over the core's armconv::pool2d (armconv/pool.h).
// Arguments arrive normalised by python/armconv/_pool.py.
#include "armconv/pool.h"
#include "bindings.h"

namespace armconv {
namespace py_bind {

namespace {

// The geometry both functions take: (h, w) pairs and (top, bottom, left, right).
Pool2dParams pool_params(py::tuple kernel, py::tuple stride, py::tuple dilation, py::tuple padding,
                         bool ceil_mode) {
  if (kernel.size() != 2 || stride.size() != 2 || dilation.size() != 2 || padding.size() != 4)
    throw py::value_error("kernel, stride, dilation: pairs; padding: (top, bottom, left, right)");
  Pool2dParams p;
  p.kernel_h = kernel[0].cast<int64_t>(), p.kernel_w = kernel[1].cast<int64_t>();
  p.stride_h = stride[0].cast<int64_t>(), p.stride_w = stride[1].cast<int64_t>();
  p.dilation_h = dilation[0].cast<int64_t>(), p.dilation_w = dilation[1].cast<int64_t>();
  p.pad_top = padding[0].cast<int64_t>(), p.pad_bottom = padding[1].cast<int64_t>();
  p.pad_left = padding[2].cast<int64_t>(), p.pad_right = padding[3].cast<int64_t>();
  p.ceil_mode = ceil_mode;
  return p;
}

}  // namespace

void bind_pool(py::module_& m) {
  m.def(
      "pool2d",
      [](py::array x, const std::string& kind, py::tuple kernel, py::tuple stride, py::tuple dilation,
         py::tuple padding, bool ceil_mode, bool count_include_pad, py::object out) {
        require_array<float>(x, "x", 4);
        if (kind != "max" && kind != "avg") throw py::value_error("kind must be 'max' or 'avg'");
        Pool2dParams p = pool_params(kernel, stride, dilation, padding, ceil_mode);
        p.kind = kind == "max" ? PoolKind::Max : PoolKind::Average;
        p.count_include_pad = count_include_pad;
        const int64_t n = x.shape(0), c = x.shape(1), h = x.shape(2), w = x.shape(3);
        int64_t ho, wo;
        pool_output_size(p, h, w, &ho, &wo);
        checked_count({n, c, ho, wo}, sizeof(float), "the result");
        py::array y = output_array<float>(out, {n, c, ho, wo});
        float* yp = output_data<float>(y, {n, c, ho, wo});
        require_no_overlap(y, x, "x");
        const float* xp = static_cast<const float*>(x.data());
        {
          py::gil_scoped_release nogil;
          pool2d(p, xp, n, c, h, w, yp);
        }
        return y;
      },
      py::arg("x"), py::arg("kind"), py::arg("kernel"), py::arg("stride"), py::arg("dilation"),
      py::arg("padding"), py::arg("ceil_mode"), py::arg("count_include_pad"), py::arg("out") = py::none());
  m.def(
      "pool_output_size",
      [](py::tuple kernel, py::tuple stride, py::tuple dilation, py::tuple padding, bool ceil_mode,
         int64_t h, int64_t w) {
        const Pool2dParams p = pool_params(kernel, stride, dilation, padding, ceil_mode);
        int64_t ho, wo;
        pool_output_size(p, h, w, &ho, &wo);
        return py::make_tuple(ho, wo);
      },
      py::arg("kernel"), py::arg("stride"), py::arg("dilation"), py::arg("padding"), py::arg("ceil_mode"),
      py::arg("h"), py::arg("w"));
}

}  // namespace py_bind
}  // namespace armconv

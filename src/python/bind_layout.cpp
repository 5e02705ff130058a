// nc4hw4 layout helpers (argument normalisation lives in python/armconv/_layout.py).
#include "core/winograd.h"
#include "python/bindings.h"

namespace armconv {
namespace py_bind {

void bind_layout(py::module_& m) {
  m.def(
      "to_nc4hw4",
      [](py::array x) {
        require_array<float>(x, "x", 4);
        const int64_t n = x.shape(0), c = x.shape(1), h = x.shape(2), w = x.shape(3);
        const int64_t c4 = (c + 3) / 4;
        checked_count({n, c4, h, w, 4}, sizeof(float), "the result");
        py::array_t<float> y({n, c4, h, w, int64_t(4)});
        const float* xp = static_cast<const float*>(x.data());
        float* yp = y.mutable_data();
        {
          py::gil_scoped_release nogil;
          detail::nchw_to_nc4hw4(xp, size_t(n), size_t(c), size_t(h), size_t(w), yp);
        }
        return y;
      },
      py::arg("x"));
  m.def(
      "from_nc4hw4",
      [](py::array y, int64_t channels) {
        require_array<float>(y, "y", 5);
        const int64_t n = y.shape(0), c4 = y.shape(1), h = y.shape(2), w = y.shape(3);
        if (y.shape(4) != 4) throw py::value_error("y.shape[4] must be 4");
        if (channels < 1 || (channels + 3) / 4 != c4)
          throw py::value_error("channels must satisfy ceil(channels / 4) == y.shape[1]");
        checked_count({n, channels, h, w}, sizeof(float), "the result");
        py::array_t<float> x({n, channels, h, w});
        const float* yp = static_cast<const float*>(y.data());
        float* xp = x.mutable_data();
        {
          py::gil_scoped_release nogil;
          detail::nc4hw4_to_nchw(yp, size_t(n), size_t(channels), size_t(h), size_t(w), xp);
        }
        return x;
      },
      py::arg("y"), py::arg("channels"));
}

}  // namespace py_bind
}  // namespace armconv

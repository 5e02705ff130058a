// The pybind11 module is thin: argument normalisation and documentation live
// in the Python package (python/armconv/); these functions only check what
// they receive (dtype, rank, contiguity) so that a misuse of the private
// module raises instead of crashing, and release the GIL around kernel calls.
#pragma once

#include "armconv/armconv.h"
#include "armconv/quant.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <string>
#include <vector>

namespace armconv {
namespace py_bind {

namespace py = pybind11;

// The numpy dtype of T (float16 for armconv::Half, which pybind11 does not know).
template <typename T>
py::dtype dtype_of() {
  return py::dtype::of<T>();
}
template <>
inline py::dtype dtype_of<Half>() {
  return py::dtype("float16");
}

// TypeError unless `a` has dtype T.
template <typename T>
void require_dtype(const py::array& a, const char* name) {
  const py::dtype want = dtype_of<T>();
  if (!want.is(a.dtype()) && !a.dtype().equal(want))
    throw py::type_error(std::string(name) + " must have dtype " + std::string(py::str(want)) + ", got " +
                         std::string(py::str(a.dtype())));
}

// ValueError unless `a` is C-contiguous and aligned.
inline void require_dense(const py::array& a, const char* name) {
  if (!(a.flags() & py::array::c_style) || !(a.flags() & 0x0100 /* NPY_ARRAY_ALIGNED */))
    throw py::value_error(std::string(name) + " must be C-contiguous and aligned");
}

// Raises TypeError unless `a` has dtype T, and ValueError unless it has `ndim`
// dimensions and is C-contiguous and aligned.
template <typename T>
void require_array(const py::array& a, const char* name, int ndim) {
  require_dtype<T>(a, name);
  if (a.ndim() != ndim)
    throw py::value_error(std::string(name) + " must have " + std::to_string(ndim) +
                          " dimensions, got " + std::to_string(a.ndim()));
  require_dense(a, name);
}

// The data of a caller-given output array (`out=`), which must have dtype T,
// exactly `shape`, and be C-contiguous, aligned and writable; raises
// TypeError/ValueError otherwise. The Python package checks these first (and
// overlap with the inputs) with fuller messages.
template <typename T>
T* output_data(py::array& out, std::initializer_list<int64_t> shape) {
  require_array<T>(out, "out", int(shape.size()));
  int i = 0;
  for (int64_t d : shape) {
    if (out.shape(i) != d) throw py::value_error("out has the wrong shape");
    i++;
  }
  if (!out.writeable()) throw py::value_error("out is read-only");
  return static_cast<T*>(out.mutable_data());
}

// Whether two C-contiguous arrays share bytes.
inline bool bytes_overlap(const py::array& x, const py::array& y) {
  const char* a = static_cast<const char*>(x.data());
  const char* b = static_cast<const char*>(y.data());
  return x.nbytes() > 0 && y.nbytes() > 0 && a < b + y.nbytes() && b < a + x.nbytes();
}

// ValueError if `out` and `in` (both C-contiguous) share bytes: the kernels
// read `in` while they write `out`.
inline void require_no_overlap(const py::array& out, const py::array& in, const char* name) {
  if (bytes_overlap(out, in)) throw py::value_error(std::string("out must not overlap ") + name);
}

// `out` itself when it is a numpy array (TypeError otherwise), or a new array
// of `shape` when it is None.
template <typename T>
py::array output_array(const py::object& out, std::initializer_list<int64_t> shape) {
  if (out.is_none()) return py::array(dtype_of<T>(), std::vector<py::ssize_t>(shape.begin(), shape.end()));
  if (!py::isinstance<py::array>(out)) throw py::type_error("out must be a numpy.ndarray or None");
  return py::reinterpret_borrow<py::array>(out);
}

// Product of sizes, or ValueError if an array of that many `elem`-byte
// elements could not be addressed.
int64_t checked_count(std::initializer_list<int64_t> dims, size_t elem, const char* what);

// The Conv2dParams of a layer from the normalised arguments the Python
// package passes (weight is (Cout, C/groups, kh, kw); padding is (top,
// bottom, left, right)); validated, and weight.shape[1] * groups checked.
Conv2dParams conv_params(const py::array& weight, int64_t in_channels, py::tuple stride,
                         py::tuple dilation, py::tuple padding, int64_t groups, bool clamp,
                         float lo, float hi);

// The sizes of one layer call on x, an (N, C, H, W) array whose C must be
// the layer's input channels (ValueError otherwise); ho, wo: the output's.
struct CallSize {
  int64_t n, h, w, ho, wo;
};
CallSize call_size(const py::array& x, const Conv2dParams& p);

// Runs `layer` (run(const X*, n, h, w, Y*)) on x into `out` when it is not
// None (then returned), else into a new (n, out_channels, ho, wo) array of Y;
// the GIL released around the kernels.
template <typename Y, typename X, typename Layer>
py::array run_layer(const Layer& layer, const py::array& x, const CallSize& s, const py::object& out) {
  const int64_t cout = layer.params().out_channels;
  checked_count({s.n, cout, s.ho, s.wo}, sizeof(Y), "the output");
  py::array y = output_array<Y>(out, {s.n, cout, s.ho, s.wo});
  Y* yp = output_data<Y>(y, {s.n, cout, s.ho, s.wo});
  require_no_overlap(y, x, "x");
  const X* xp = static_cast<const X*>(x.data());
  {
    py::gil_scoped_release nogil;
    layer.run(xp, s.n, s.h, s.w, yp);
  }
  return y;
}

// (n, out_channels, ho, wo) of a layer's output for an (n, C, h, w) input;
// Error (ValueError) when the output would be empty or too large.
py::tuple conv_output_shape(const Conv2dParams& p, int64_t n, int64_t h, int64_t w);

// A layer's optional float32 bias of shape (weight.shape[0],): its data, or
// nullptr for None. `keep` holds the array while the pointer is used.
const float* optional_bias(const py::object& bias, const py::array& weight, py::array& keep);

void bind_fp32(py::module_& m);
void bind_layout(py::module_& m);  // bind_layout.cpp: nc4hw4 helpers
void bind_int8(py::module_& m);
void bind_pool(py::module_& m);  // bind_pool.cpp: max / average pooling
void bind_eltwise(py::module_& m);  // bind_eltwise.cpp: elementwise binary ops (the model runner)
// What a call over an (n, h, w) input runs at this thread's get_num_threads():
// {"algo", "units", "team"} (the private test hook `_plan` of Conv2d and
// QConv2d: tests check that a call they run really goes parallel).
py::dict plan_info(const Conv2d& layer, int64_t n, int64_t h, int64_t w);
py::dict plan_info(const QConv2d& layer, int64_t n, int64_t h, int64_t w);
void bind_threads(py::module_& m);  // bind_threads.cpp: thread count, threadpoolctl entry points

}  // namespace py_bind
}  // namespace armconv

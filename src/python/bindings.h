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

// numpy's type number of float16 (NPY_HALF, numpy/ndarraytypes.h), which
// pybind11 does not name.
constexpr int kNpyHalf = 23;

// The numpy dtype of T (float16 for armconv::Half, which pybind11 does not
// know): numpy's builtin descriptor of the type (PyArray_DescrFromType, a
// pointer to numpy's own immutable object; measured: building float16 from
// its name instead took ~0.9k instructions per layer call).
template <typename T>
py::dtype dtype_of() {
  return py::dtype::of<T>();
}
template <>
inline py::dtype dtype_of<Half>() {
  return py::dtype(kNpyHalf);
}

// Whether `a` has numpy's builtin descriptor of T itself: what an array made
// by numpy with dtype T (astype, empty, a ufunc...) holds. A pointer compare;
// an equivalent descriptor (with metadata, an explicit '<', ...) says false
// here, has_dtype() below true.
template <typename T>
bool is_dtype(const py::array& a) {
  return py::detail::array_proxy(a.ptr())->descr == dtype_of<T>().ptr();
}

// Whether `a` has dtype T (numpy's equivalence: byte order and kind, metadata ignored).
template <typename T>
bool has_dtype(const py::array& a) {
  return is_dtype<T>(a) || a.dtype().equal(dtype_of<T>());
}

// TypeError unless `a` has dtype T.
template <typename T>
void require_dtype(const py::array& a, const char* name) {
  const py::dtype want = dtype_of<T>();
  if (!has_dtype<T>(a))
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

// A new C-contiguous numpy array of T and `shape` (numpy's C API straight:
// py::array(dtype, shape) builds vectors of the shape and the strides first).
template <typename T>
py::array new_array(std::initializer_list<int64_t> shape) {
  auto& api = py::detail::npy_api::get();
  Py_intptr_t dims[8];
  int nd = 0;
  for (int64_t d : shape) dims[nd++] = Py_intptr_t(d);
  PyObject* a = api.PyArray_NewFromDescr_(api.PyArray_Type_, dtype_of<T>().release().ptr(), nd, dims,
                                          nullptr, nullptr, 0, nullptr);  // takes the descriptor's reference
  if (!a) throw py::error_already_set();
  return py::reinterpret_steal<py::array>(a);
}

// `out` itself when it is a numpy array (TypeError otherwise), or a new array
// of `shape` when it is None.
template <typename T>
py::array output_array(const py::object& out, std::initializer_list<int64_t> shape) {
  if (out.is_none()) return new_array<T>(shape);
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
  // A new array is dense, writable and shares nothing: only `out` is checked.
  // (No default-constructed py::array: that allocates an empty one.)
  py::array y = out.is_none() ? new_array<Y>({s.n, cout, s.ho, s.wo}) : output_array<Y>(out, {s.n, cout, s.ho, s.wo});
  if (!out.is_none()) {
    output_data<Y>(y, {s.n, cout, s.ho, s.wo});
    require_no_overlap(y, x, "x");
  }
  Y* yp = static_cast<Y*>(y.mutable_data());
  const X* xp = static_cast<const X*>(x.data());
  {
    py::gil_scoped_release nogil;
    layer.run(xp, s.n, s.h, s.w, yp);
  }
  return y;
}

// ---- layer(x): the C++ __call__ of the package's layer classes --------------
// Conv2d and QConv2d (python/armconv/_conv.py, _quant.py) are Python classes
// holding their bound layer in `_impl`; their __call__, in Python, takes any
// array kind and explains every refusal. install_call() (the bound class's
// static `_install_call(cls)`, run once when the package is imported) moves
// that method to `cls._call` and makes `cls.__call__` the C++ method
// layer_call<PyLayer>: the common calls, layer(x), layer(x, y) and
// layer(x, out=y) with x (and y) a numpy.ndarray (exactly, not a subclass),
// 4-D, C-contiguous and aligned, run there through PyLayer::fast_call(x,
// out), without a Python frame and without pybind11's argument parsing
// (counted with bench/qcount.py --python --region on a 4 -> 4 1x1 layer
// over a 1x1 map, qemu cortex-a72, 10 calls less an empty loop: 10.6k
// instructions per layer(x) when the Python __call__ ran it, 4.5k with this
// and the kept plans of core/plan.h). Every other call (other keywords, a 3-D x,
// another array kind, a dtype fast_call() does not take) and every call
// fast_call() refuses or fails (wrong channels, an empty output, an `out`
// of the wrong shape or dtype, read-only or overlapping x, an error while
// running...) goes to `_call` with its arguments unchanged, which runs it or
// raises what it always raised: the C++ method itself never raises (but
// what `_call` raises). Nothing here is mutable state: the method table is
// constant, the interned names made once.
//
// PyLayer::fast_call(const py::array& x, const py::object& out) const: x as
// above, out None or an ndarray as above; returns the new output or `out`,
// or a null object when x's dtype is not one the fast call takes; may throw
// (then `_call` runs). run_layer() checks `out` (dtype, shape, writable, no
// overlap with x).

// Whether x is an exact numpy.ndarray of `ndim` dimensions, C-contiguous and aligned.
inline bool dense_ndarray(PyObject* x, int ndim) {
  const py::detail::npy_api& api = py::detail::npy_api::get();
  if (Py_TYPE(x) != api.PyArray_Type_) return false;
  const int dense = py::detail::npy_api::NPY_ARRAY_C_CONTIGUOUS_ | py::detail::npy_api::NPY_ARRAY_ALIGNED_;
  const py::detail::PyArray_Proxy* a = py::detail::array_proxy(x);
  return a->nd == ndim && (a->flags & dense) == dense;
}

// The names "_impl" and "out", interned once (the first install_call), never released.
inline PyObject* impl_attr_name() {
  static PyObject* const name = PyUnicode_InternFromString("_impl");
  return name;
}
inline PyObject* out_kw_name() {
  static PyObject* const name = PyUnicode_InternFromString("out");
  return name;
}

// `out` of layer(x), layer(x, y) or layer(x, out=y) (a borrowed reference;
// Py_None for layer(x)), or nullptr for any other form of call.
inline PyObject* call_out(PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  if (kwnames == nullptr) return nargs == 1 ? Py_None : nargs == 2 ? args[1] : nullptr;
  if (nargs != 1 || PyTuple_GET_SIZE(kwnames) != 1) return nullptr;
  PyObject* kw = PyTuple_GET_ITEM(kwnames, 0);  // interned by the caller, as a rule: compared by pointer first
  if (kw != out_kw_name() && PyUnicode_Compare(kw, out_kw_name()) != 0) return nullptr;
  return args[1];
}

// A METH_FASTCALL | METH_KEYWORDS method: self is the Python layer.
template <class PyLayer>
PyObject* layer_call(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  PyObject* out = nargs >= 1 ? call_out(args, nargs, kwnames) : nullptr;
  if (out && dense_ndarray(args[0], 4) && (out == Py_None || dense_ndarray(out, 4))) {
    try {
      const py::object impl = py::reinterpret_steal<py::object>(PyObject_GetAttr(self, impl_attr_name()));
      if (impl) {
        py::object y = impl.cast<const PyLayer&>().fast_call(py::reinterpret_borrow<py::array>(args[0]),
                                                             py::reinterpret_borrow<py::object>(out));
        if (y) return y.release().ptr();
      }
    } catch (...) {  // refused or failed: `_call` runs the call again and says why
    }
    PyErr_Clear();
  }
  const py::object call = py::reinterpret_steal<py::object>(PyObject_GetAttrString(self, "_call"));
  if (!call) return nullptr;
  return PyObject_Vectorcall(call.ptr(), args, size_t(nargs), kwnames);
}

// cls.__call__ (a Python method in cls's own dict) becomes cls._call, and
// __call__ the C++ method `def` (a method descriptor of cls: Python checks
// that self is a cls). `def` must live as long as the process.
inline void install_call(const py::type& cls, PyMethodDef* def) {
  const py::object own = cls.attr("__dict__");
  if (!own.contains("__call__") || own.contains("_call"))
    throw py::type_error("install_call: the class must define __call__ and not _call");
  impl_attr_name();
  out_kw_name();
  py::object method = py::reinterpret_steal<py::object>(
      PyDescr_NewMethod(reinterpret_cast<PyTypeObject*>(cls.ptr()), def));
  if (!method) throw py::error_already_set();
  cls.attr("_call") = own[py::str("__call__")];
  cls.attr("__call__") = method;
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

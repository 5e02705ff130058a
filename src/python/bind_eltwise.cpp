// Elementwise bindings: _eltwise over the core's detail::eltwise
// (core/eltwise.h), for the model runner's Add / Sub / Mul / Max / Min nodes
// (python/armconv/_model/ops.py decides the broadcast kind and the
// outer x mid x inner view from the node's shapes); _add_s8_params and
// _add_s8 over detail::add_s8_params / add_s8 (core/add_s8.h), the int8
// model's residual Add.
#include <cmath>
#include <string>

#include "bindings.h"
#include "core/add_s8.h"
#include "core/eltwise.h"

namespace armconv {
namespace py_bind {

namespace {

using detail::EltBroadcast;
using detail::EltOp;

// TypeError unless float32; ValueError unless C-contiguous, aligned, of `count` elements.
const float* f32_data(const py::array& a, const char* name, size_t count) {
  require_dtype<float>(a, name);
  require_dense(a, name);
  if (size_t(a.size()) != count)
    throw py::value_error(std::string(name) + " has " + std::to_string(a.size()) + " elements, expected " +
                          std::to_string(count));
  return static_cast<const float*>(a.data());
}

// `out` may be `in` itself (the same elements: in place) but not overlap it otherwise.
void require_same_or_disjoint(const py::array& out, const py::array& in, const char* name) {
  if (bytes_overlap(out, in) && !(out.data() == in.data() && out.nbytes() == in.nbytes()))
    throw py::value_error(std::string("out must be ") + name + " itself or not overlap it");
}

EltOp parse_op(const std::string& op) {
  if (op == "add") return EltOp::Add;
  if (op == "sub") return EltOp::Sub;
  if (op == "rsub") return EltOp::RSub;
  if (op == "mul") return EltOp::Mul;
  if (op == "max") return EltOp::Max;
  if (op == "min") return EltOp::Min;
  throw py::value_error("op must be 'add', 'sub', 'rsub', 'mul', 'max' or 'min', got '" + op + "'");
}

EltBroadcast parse_bcast(const std::string& b) {
  if (b == "same") return EltBroadcast::Same;
  if (b == "mid") return EltBroadcast::Mid;
  if (b == "scalar") return EltBroadcast::Scalar;
  throw py::value_error("broadcast must be 'same', 'mid' or 'scalar', got '" + b + "'");
}

}  // namespace

void bind_eltwise(py::module_& m) {
  m.def(
      "eltwise",
      [](const std::string& op_name, py::array a, py::array b, py::array out, const std::string& bcast_name,
         int64_t outer, int64_t mid, int64_t inner, double lo, double hi) {
        const EltOp op = parse_op(op_name);
        const EltBroadcast bcast = parse_bcast(bcast_name);
        if (outer < 0 || mid < 0 || inner < 0) throw py::value_error("outer, mid, inner must be >= 0");
        if (std::isnan(lo) || std::isnan(hi)) throw py::value_error("lo and hi must not be NaN");
        const size_t total = size_t(checked_count({outer, mid, inner}, sizeof(float), "the tensor"));
        const size_t bn = bcast == EltBroadcast::Same ? total : bcast == EltBroadcast::Mid ? size_t(mid) : 1;
        const float* ap = f32_data(a, "a", total);
        const float* bp = f32_data(b, "b", bn);
        f32_data(out, "out", total);
        if (!out.writeable()) throw py::value_error("out is read-only");
        require_same_or_disjoint(out, a, "a");
        if (bcast == EltBroadcast::Same) require_same_or_disjoint(out, b, "b");
        else if (bytes_overlap(out, b)) throw py::value_error("out must not overlap b");
        float* yp = static_cast<float*>(out.mutable_data());
        {
          py::gil_scoped_release nogil;
          detail::eltwise(op, bcast, size_t(outer), size_t(mid), size_t(inner), ap, bp, yp, float(lo), float(hi));
        }
        return out;
      },
      py::arg("op"), py::arg("a"), py::arg("b"), py::arg("out"), py::arg("broadcast"), py::arg("outer"),
      py::arg("mid"), py::arg("inner"), py::arg("lo"), py::arg("hi"));

  m.def(
      "add_s8_params",
      [](double sa, double sb, double sy, int lo) {
        detail::AddS8Params p;
        if (!detail::add_s8_params(float(sa), float(sb), float(sy), lo, &p))
          throw py::value_error("add_s8_params: scales must be finite and > 0 with max(sa, sb) / sy <= "
                                "16383.75, and -127 <= lo <= 127");
        return py::make_tuple(p.ma, p.mb, p.shift, p.lo);
      },
      py::arg("scale_a"), py::arg("scale_b"), py::arg("scale_y"), py::arg("lo") = -127,
      "(ma, mb, shift, lo) of the int8 Add (core/add_s8.h) for these float32 scales.");

  m.def(
      "add_s8",
      [](py::array a, py::array b, py::array out, int ma, int mb, int shift, int lo) {
        if (ma < -32767 || ma > 32767 || mb < -32767 || mb > 32767)
          throw py::value_error("add_s8: multipliers must be in [-32767, 32767]");
        if (shift < 1 || shift > 16) throw py::value_error("add_s8: shift must be in [1, 16]");
        if (lo < -127 || lo > 127) throw py::value_error("add_s8: lo must be in [-127, 127]");
        for (const py::array* x : {&a, &b, &out}) {
          require_dtype<int8_t>(*x, x == &a ? "a" : x == &b ? "b" : "out");
          require_dense(*x, x == &a ? "a" : x == &b ? "b" : "out");
        }
        const size_t n = size_t(a.size());
        if (size_t(b.size()) != n || size_t(out.size()) != n)
          throw py::value_error("add_s8: a, b and out must have the same number of elements");
        if (!out.writeable()) throw py::value_error("out is read-only");
        require_same_or_disjoint(out, a, "a");
        require_same_or_disjoint(out, b, "b");
        const detail::AddS8Params p{int32_t(ma), int32_t(mb), int32_t(shift), int32_t(lo)};
        const int8_t* ap = static_cast<const int8_t*>(a.data());
        const int8_t* bp = static_cast<const int8_t*>(b.data());
        int8_t* yp = static_cast<int8_t*>(out.mutable_data());
        {
          py::gil_scoped_release nogil;
          detail::add_s8(p, ap, bp, yp, n);
        }
        return out;
      },
      py::arg("a"), py::arg("b"), py::arg("out"), py::arg("ma"), py::arg("mb"), py::arg("shift"),
      py::arg("lo") = -127,
      "out = max(lo, clamp(round_half_away((a ma + b mb) / 2^shift), -127, 127)) (core/add_s8.h), "
      "int8 arrays of the same size, out may be a or b.");
}

}  // namespace py_bind
}  // namespace armconv

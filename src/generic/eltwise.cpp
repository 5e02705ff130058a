// Portable elementwise binary kernels (contract: core/eltwise.h): one element
// at a time, for CPUs without NEON and as the C++ tests' twin of the NEON
// kernels. max/min propagate NaN from either operand, as the contract (and
// numpy, FMAX, VMAX) require; the compiler may vectorise the loops, which
// changes no result (each element is computed on its own).
#include "core/eltwise.h"

namespace armconv {
namespace detail {
namespace {

inline float max_nan(float a, float b) { return (a != a || b != b) ? a + b : (a > b ? a : b); }
inline float min_nan(float a, float b) { return (a != a || b != b) ? a + b : (a < b ? a : b); }

template <EltOp Op>
inline float apply(float a, float b) {
  switch (Op) {
    case EltOp::Add: return a + b;
    case EltOp::Sub: return a - b;
    case EltOp::RSub: return b - a;
    case EltOp::Mul: return a * b;
    case EltOp::Max: return max_nan(a, b);
    case EltOp::Min: return min_nan(a, b);
  }
  return 0.0f;
}

// clamp(v) = min(max(v, lo), hi); lo = -inf / hi = +inf leave v as it is.
inline float clamp(float v, float lo, float hi) { return min_nan(max_nan(v, lo), hi); }

template <EltOp Op>
void vv_op(const float* a, const float* b, float* y, size_t n, float lo, float hi) {
  for (size_t i = 0; i < n; i++) y[i] = clamp(apply<Op>(a[i], b[i]), lo, hi);
}
template <EltOp Op>
void vs_op(const float* a, float s, float* y, size_t n, float lo, float hi) {
  for (size_t i = 0; i < n; i++) y[i] = clamp(apply<Op>(a[i], s), lo, hi);
}

void vv(EltOp op, const float* a, const float* b, float* y, size_t n, float lo, float hi) {
  switch (op) {
    case EltOp::Add: return vv_op<EltOp::Add>(a, b, y, n, lo, hi);
    case EltOp::Sub: return vv_op<EltOp::Sub>(a, b, y, n, lo, hi);
    case EltOp::RSub: return vv_op<EltOp::RSub>(a, b, y, n, lo, hi);
    case EltOp::Mul: return vv_op<EltOp::Mul>(a, b, y, n, lo, hi);
    case EltOp::Max: return vv_op<EltOp::Max>(a, b, y, n, lo, hi);
    case EltOp::Min: return vv_op<EltOp::Min>(a, b, y, n, lo, hi);
  }
}
void vs(EltOp op, const float* a, float s, float* y, size_t n, float lo, float hi) {
  switch (op) {
    case EltOp::Add: return vs_op<EltOp::Add>(a, s, y, n, lo, hi);
    case EltOp::Sub: return vs_op<EltOp::Sub>(a, s, y, n, lo, hi);
    case EltOp::RSub: return vs_op<EltOp::RSub>(a, s, y, n, lo, hi);
    case EltOp::Mul: return vs_op<EltOp::Mul>(a, s, y, n, lo, hi);
    case EltOp::Max: return vs_op<EltOp::Max>(a, s, y, n, lo, hi);
    case EltOp::Min: return vs_op<EltOp::Min>(a, s, y, n, lo, hi);
  }
}

}  // namespace

const EltwiseKernels& eltwise_generic_kernels() {
  static const EltwiseKernels k{"eltwise-generic-1", vv, vs};
  return k;
}

}  // namespace detail
}  // namespace armconv

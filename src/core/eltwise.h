// Elementwise binary float32 kernels with a fused clamp (the "eltwise"
// family): the residual Add (+ ReLU) of ResNets and MobileNets, and Sub, Mul,
// Max, Min, with a second operand of the same shape, per channel or scalar.
//
// Contract. For i < n:
//   vv: y[i] = clamp(op(a[i], b[i]))        (two operands of the same shape)
//   vs: y[i] = clamp(op(a[i], s))           (a scalar: a per-channel or whole-
//                                            tensor broadcast, one run per plane)
// with op one of
//   Add a + b, Sub a - b, RSub b - a (the scalar on the left: s - a[i]),
//   Mul a * b, Max, Min (NaN if either operand is NaN, as numpy's
//   maximum/minimum and the FMAX/FMIN, VMAX/VMIN instructions),
// each rounded once to float (round to nearest even; Max/Min of +0 and -0
// may give either zero, as numpy's), and
//   clamp(v) = min(max(v, lo), hi), max and min as above: NaN stays NaN, as
//   the model runner's clamp_into (np.maximum then np.minimum) and torch.clamp.
// lo = -inf / hi = +inf clamp nothing on that side (the kernels skip the
// instruction: max(v, -inf) = v for every v, NaN included). lo and hi are not
// NaN (lo > hi gives hi for every non-NaN v, as clamp_into does).
// Every element goes through the same arithmetic instructions whatever n and
// its position (the tails run the vector code on a staged copy), so a result
// does not depend on how a tensor is cut into calls.
// Aliasing: y may be a or b (the same pointer: an in-place Add); it must not
// overlap them otherwise. Reads a[0, n), b[0, n) and writes y[0, n) only (no
// vector access past either end); no alignment needed.
// Floating-point environment: aarch64 and the generic twin are IEEE (the
// results are numpy's, bit for bit); armv7's Advanced SIMD runs with the
// Standard FPSCR (flush-to-zero, default NaN), as every armv7 NEON kernel:
// subnormal operands and results are 0 there, a NaN result is the default NaN.
#pragma once

#include <cstddef>
#include <cstdint>

namespace armconv {
namespace detail {

enum class EltOp : int { Add = 0, Sub, RSub, Mul, Max, Min };

struct EltwiseKernels {
  const char* name;  // eltwise-<isa>-<elements per inner step>
  void (*vv)(EltOp op, const float* a, const float* b, float* y, size_t n, float lo, float hi);
  void (*vs)(EltOp op, const float* a, float s, float* y, size_t n, float lo, float hi);
};

// generic/eltwise.cpp: the portable twin, one element at a time.
const EltwiseKernels& eltwise_generic_kernels();
// neon/eltwise.h, instantiated by neon/aarch64/eltwise_16.cpp and
// neon/armv7/eltwise_16.cpp: 16 elements (4 vectors) per step.
const EltwiseKernels& eltwise_neon_kernels();

// The operator (core/eltwise.cpp): y = clamp(op(a, b)) over a tensor viewed
// as outer x mid x inner (row-major), a and y dense of that shape, b one of
//   Same:   dense of the same shape;
//   Mid:    mid values, b[m] for every (o, ., i)   (a per-channel operand of
//           (N, C, H, W): outer N, mid C, inner H*W; inner 1: a trailing one);
//   Scalar: one value (mid = 1).
// The work is cut into units (chunks of elements, or planes) planned from
// the shape and the team (finer for more threads) and run on the thread
// pool; results do not depend on the cut.
// y may be a (or b when Same). lo/hi as above.
enum class EltBroadcast : int { Same = 0, Mid, Scalar };

struct EltwisePlan {
  EltOp op;
  EltBroadcast bcast;
  size_t outer, mid, inner;
  float lo, hi;
  // Units: Same / Scalar: chunks of `per_unit` elements (a multiple of 16; the
  // last chunk may be shorter). Mid: `per_unit` consecutive rows (the last
  // unit may have fewer), a row being one (o, m) plane of `inner` elements
  // (one vs call) or, when inner is 1, one o of `mid` elements (one vv call
  // against b). A function of the shape and the team it is cut for.
  size_t units, per_unit;
};

// Elements per unit of a chunked elementwise run (this family's Same and
// Scalar units, the int8 Add's, core/add_s8.h) of `total` elements on `team`
// threads: a multiple of 16 (so that only the last unit has a tail) in
// [512, 8192] (at most 32 KB of float32 output: a call per unit then costs
// next to nothing, about 40 instructions per 8192 elements), and at least
// kUnitsPerThread units per thread where the tensor has 512 elements per unit
// for them: ResNet-18's first residual Add (64x56x56, 200704 elements) runs 25
// units of 8192 on one thread, 49 of 4096 on 4 (a busiest thread within
// 1 + 4/49 of an even share).
size_t eltwise_unit_elems(size_t total, int team);

// The plan for a run on `team` threads (at least kUnitsPerThread units per
// thread where the tensor is large enough; 1: the fewest units).
EltwisePlan eltwise_plan(EltOp op, EltBroadcast bcast, size_t outer, size_t mid, size_t inner, float lo,
                         float hi, int team = 1);
// Units [begin, end) of `plan` with `k`'s kernels.
void eltwise_run(const EltwiseKernels& k, const EltwisePlan& plan, const float* a, const float* b,
                 float* y, size_t begin, size_t end);
// Plan and run all units on the thread pool with the dispatched kernels.
void eltwise(EltOp op, EltBroadcast bcast, size_t outer, size_t mid, size_t inner, const float* a,
             const float* b, float* y, float lo, float hi);
const char* eltwise_kernel_name();

}  // namespace detail
}  // namespace armconv

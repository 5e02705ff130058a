// Elementwise binary operator (core/eltwise.h): the tensor cut into units of
// whole rows or 16-aligned chunks, run on the thread pool by the dispatched
// kernel.
#include "core/eltwise.h"

#include <algorithm>

#include "core/dispatch.h"
#include "threads/threads.h"

namespace armconv {
namespace detail {
namespace {

// Cost of one element in team_size's unit (MACs of a convolution): an
// elementwise op moves 12 bytes per element and computes next to nothing, a
// few times a MAC's time on a Cortex-A72.
constexpr double kOpsPerElem = 4.0;

}  // namespace

size_t eltwise_unit_elems(size_t total, int team) {
  constexpr size_t kMaxUnitElems = 8192, kMinUnitElems = 512;
  const size_t want = size_t(team) * kUnitsPerThread;
  size_t e = (total + want - 1) / want;
  e = (e + 15) / 16 * 16;
  return std::min(kMaxUnitElems, std::max(kMinUnitElems, e));
}

EltwisePlan eltwise_plan(EltOp op, EltBroadcast bcast, size_t outer, size_t mid, size_t inner, float lo,
                         float hi, int team) {
  EltwisePlan p;
  p.op = op;
  p.bcast = bcast;
  p.outer = outer, p.mid = mid, p.inner = inner;
  p.lo = lo, p.hi = hi;
  const size_t total = outer * mid * inner;
  const size_t elems = eltwise_unit_elems(total, std::max(team, 1));
  if (bcast == EltBroadcast::Mid) {
    const size_t rows = inner == 1 ? outer : outer * mid;
    const size_t row_len = inner == 1 ? mid : inner;
    p.per_unit = std::max<size_t>(1, elems / std::max<size_t>(row_len, 1));
    p.units = rows ? (rows + p.per_unit - 1) / p.per_unit : 0;
  } else {
    p.per_unit = elems;
    p.units = (total + elems - 1) / elems;
  }
  return p;
}

void eltwise_run(const EltwiseKernels& k, const EltwisePlan& p, const float* a, const float* b, float* y,
                 size_t begin, size_t end) {
  if (begin >= end) return;
  const size_t total = p.outer * p.mid * p.inner;
  switch (p.bcast) {
    case EltBroadcast::Same: {
      const size_t i0 = begin * p.per_unit, i1 = std::min(total, end * p.per_unit);
      k.vv(p.op, a + i0, b + i0, y + i0, i1 - i0, p.lo, p.hi);
      break;
    }
    case EltBroadcast::Scalar: {
      const size_t i0 = begin * p.per_unit, i1 = std::min(total, end * p.per_unit);
      k.vs(p.op, a + i0, b[0], y + i0, i1 - i0, p.lo, p.hi);
      break;
    }
    case EltBroadcast::Mid: {
      if (p.inner == 1) {  // rows o of mid elements against b[0, mid)
        const size_t r1 = std::min(p.outer, end * p.per_unit);
        for (size_t r = begin * p.per_unit; r < r1; r++)
          k.vv(p.op, a + r * p.mid, b, y + r * p.mid, p.mid, p.lo, p.hi);
      } else {  // planes (o, m) of inner elements against b[m]
        const size_t r1 = std::min(p.outer * p.mid, end * p.per_unit);
        for (size_t r = begin * p.per_unit; r < r1; r++)
          k.vs(p.op, a + r * p.inner, b[r % p.mid], y + r * p.inner, p.inner, p.lo, p.hi);
      }
      break;
    }
  }
}

void eltwise(EltOp op, EltBroadcast bcast, size_t outer, size_t mid, size_t inner, const float* a,
             const float* b, float* y, float lo, float hi) {
  const double total = double(outer) * double(mid) * double(inner);
  if (total == 0) return;
  const EltwisePlan p = eltwise_plan(op, bcast, outer, mid, inner, lo, hi, team_for_work(kOpsPerElem * total));
  const EltwiseKernels& k = *kernels().eltwise;
  const int team = team_size(p.units, kOpsPerElem * total / double(p.units));
  UnitGrid grid;
  grid.axes[0] = p.units;
  // The last unit's share of a full one, so that split_units balances by elements.
  const size_t items = p.bcast != EltBroadcast::Mid ? size_t(total) : inner == 1 ? outer : outer * mid;
  grid.last_cost[0] = double(items - (p.units - 1) * p.per_unit) / double(p.per_unit);
  run_units(grid, team, 0, [&](size_t begin, size_t end, void*) { eltwise_run(k, p, a, b, y, begin, end); });
}

const char* eltwise_kernel_name() { return kernels().eltwise->name; }

}  // namespace detail
}  // namespace armconv

// int8 elementwise Add (core/add_s8.h): the parameters from the scales, and
// the operator, cut into 16-aligned chunks run on the thread pool by the
// dispatched kernel (as the float eltwise operator's Same kind).
#include "core/add_s8.h"

#include <algorithm>
#include <cmath>

#include "core/dispatch.h"
#include "core/eltwise.h"
#include "threads/threads.h"

namespace armconv {
namespace detail {
namespace {

// Cost of one element in team_size's unit (MACs of a convolution): the kernel
// counts 1.75 instructions per element and moves 3 bytes, about a MAC's time
// of a float32 convolution on a Cortex-A72 (the float Add: 4, 12 bytes).
constexpr double kOpsPerElem = 2.0;

// round_half_away_from_zero(v) for v >= 0 in float64 (exact for the products
// of add_s8_params: a float64 quotient times a power of 2).
double round_away(double v) { return std::floor(v + 0.5); }

}  // namespace

bool add_s8_params(float sa, float sb, float sy, int lo, AddS8Params* p) {
  for (float s : {sa, sb, sy})
    if (!(std::isfinite(s) && s > 0.0f)) return false;
  if (lo < -127 || lo > 127) return false;
  const double ra = double(sa) / double(sy), rb = double(sb) / double(sy);
  const double r = std::max(ra, rb);
  int shift = 16;
  while (shift > 1 && round_away(std::ldexp(r, shift)) > 32767.0) shift--;
  if (round_away(std::ldexp(r, shift)) > 32767.0) return false;
  p->ma = int32_t(round_away(std::ldexp(ra, shift)));
  p->mb = int32_t(round_away(std::ldexp(rb, shift)));
  p->shift = shift;
  p->lo = lo;
  return true;
}

AddS8Plan add_s8_plan(const AddS8Params& params, size_t n, int team) {
  AddS8Plan p;
  p.params = params;
  p.n = n;
  p.per_unit = eltwise_unit_elems(n, std::max(team, 1));  // as the float Add's units (core/eltwise.h)
  p.units = (n + p.per_unit - 1) / p.per_unit;
  return p;
}

void add_s8_run(const AddS8Kernels& k, const AddS8Plan& p, const int8_t* a, const int8_t* b, int8_t* y,
                size_t begin, size_t end) {
  if (begin >= end) return;
  const size_t i0 = begin * p.per_unit, i1 = std::min(p.n, end * p.per_unit);
  if (i0 < i1) k.add(a + i0, b + i0, y + i0, i1 - i0, p.params);
}

void add_s8(const AddS8Params& params, const int8_t* a, const int8_t* b, int8_t* y, size_t n) {
  if (n == 0) return;
  const double total = double(n);
  const AddS8Plan p = add_s8_plan(params, n, team_for_work(kOpsPerElem * total));
  const AddS8Kernels& k = *kernels().add_s8;
  const int team = team_size(p.units, kOpsPerElem * total / double(p.units));
  UnitGrid grid;
  grid.axes[0] = p.units;
  // The last unit's share of a full one, so that split_units balances by elements.
  grid.last_cost[0] = double(n - (p.units - 1) * p.per_unit) / double(p.per_unit);
  run_units(grid, team, 0, [&](size_t begin, size_t end, void*) { add_s8_run(k, p, a, b, y, begin, end); });
}

const char* add_s8_kernel_name() { return kernels().add_s8->name; }

}  // namespace detail
}  // namespace armconv

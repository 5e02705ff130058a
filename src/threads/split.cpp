// Splitting a plan's units into contiguous ranges of equal cost (threads.h).
//
// The grid's costs are 1 per unit except the last index along each axis, so
// the summed cost of units [0, u) has a closed form: with u = (a, b, c),
// S_i the cost of a whole axis i ((axes_i - 1) + last_i) and w_i(j) the cost
// of index j on axis i,
//   cost_before(u) = a S_1 S_2 + w_0(a) b S_2 + w_0(a) w_1(b) c
// (a, b, c < the axes' sizes, so the indices before them are full units).
// A bound is then a binary search: O(team log units) per call.
#include <cmath>

#include "threads/threads.h"

namespace armconv {
namespace detail {

namespace {

double axis_cost(const UnitGrid& g, int i) {
  return g.axes[i] ? double(g.axes[i] - 1) + g.last_cost[i] : 0.0;
}
double index_cost(const UnitGrid& g, int i, size_t j) {
  return j + 1 == g.axes[i] ? g.last_cost[i] : 1.0;
}

}  // namespace

double UnitGrid::cost_before(size_t u) const {
  const size_t n = units();
  if (n == 0) return 0.0;
  if (u >= n) return axis_cost(*this, 0) * axis_cost(*this, 1) * axis_cost(*this, 2);
  const size_t c = u % axes[2], ab = u / axes[2];
  const size_t b = ab % axes[1], a = ab / axes[1];
  const double s1 = axis_cost(*this, 1), s2 = axis_cost(*this, 2);
  const double w0 = index_cost(*this, 0, a), w1 = index_cost(*this, 1, b);
  return double(a) * s1 * s2 + w0 * double(b) * s2 + w0 * w1 * double(c);
}

void split_units(const UnitGrid& grid, int team, size_t* bounds) {
  const size_t units = grid.units();
  if (team < 1) team = 1;
  const double total = grid.cost_before(units);
  bounds[0] = 0;
  for (int w = 1; w < team; ++w) {
    const double target = total * double(w) / double(team);
    // The first u with cost_before(u) >= target, from the previous bound on.
    size_t lo = bounds[w - 1], hi = units;
    while (lo < hi) {
      const size_t mid = lo + (hi - lo) / 2;
      if (grid.cost_before(mid) < target) lo = mid + 1;
      else hi = mid;
    }
    // ... or the boundary before it, if that one is nearer.
    if (lo > bounds[w - 1] && target - grid.cost_before(lo - 1) < grid.cost_before(lo) - target) --lo;
    bounds[w] = lo;
  }
  bounds[team] = units;
}

}  // namespace detail
}  // namespace armconv

// Splitting a plan's units into contiguous ranges of equal cost (threads.h).
//
// The grid's costs are 1 per unit except the last index along each axis, so
// the summed cost of units [0, u) has a closed form: with u = (a, b, c),
// S_i the cost of a whole axis i ((axes_i - 1) + last_i) and w_i(j) the cost
// of index j on axis i,
//   cost_before(u) = a S_1 S_2 + w_0(a) b S_2 + w_0(a) w_1(b) c
// (a, b, c < the axes' sizes, so the indices before them are full units).
// A bound inverts it: a = floor(t / (S_1 S_2)), then b and c the same way
// in what is left, a few floating-point operations; the unit found is then
// checked (and moved by one if rounding put it off) against cost_before.
// O(team) per call, and no search: the calling thread splits before any
// worker starts, and on armv7 every integer division is a library call.
// A grid of runs (UnitRuns) adds a binary search for the run a share ends
// in (by the runs' summed costs), then inverts that run's grid as above:
// O(team log runs); runs laid out for the team have their cuts already.
#include <algorithm>
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
  if (runs) {
    if (u >= runs->units) return runs->total;
    const UnitRun& r = runs->runs[runs->run_of(u)];
    return r.before + r.grid.unit_cost * (r.grid.cost_before(r.first + (u - r.at)) - r.base);
  }
  const size_t n = units();
  if (n == 0) return 0.0;
  if (u >= n) return axis_cost(*this, 0) * axis_cost(*this, 1) * axis_cost(*this, 2);
  const size_t c = u % axes[2], ab = u / axes[2];
  const size_t b = ab % axes[1], a = ab / axes[1];
  const double s1 = axis_cost(*this, 1), s2 = axis_cost(*this, 2);
  const double w0 = index_cost(*this, 0, a), w1 = index_cost(*this, 1, b);
  return double(a) * s1 * s2 + w0 * double(b) * s2 + w0 * w1 * double(c);
}

void UnitRuns::add(const UnitGrid& g, size_t first, size_t count, size_t tag) {
  if (count == 0) return;
  UnitRun r;
  r.grid = g;
  r.first = first;
  r.count = count;
  r.at = units;
  r.before = total;
  r.base = g.cost_before(first);
  r.tag = tag;
  runs.push_back(r);
  units += count;
  total += g.unit_cost * (g.cost_before(first + count) - r.base);
}

size_t UnitRuns::run_of(size_t u) const {
  // The last run starting at or before u.
  size_t lo = 0, hi = runs.size();
  while (hi - lo > 1) {
    const size_t mid = lo + (hi - lo) / 2;
    if (runs[mid].at <= u) lo = mid;
    else hi = mid;
  }
  return lo;
}

UnitGrid UnitRuns::grid(const UnitRuns* runs) {
  UnitGrid g;
  g.axes[0] = runs->units;
  g.runs = runs;
  return g;
}

namespace {

// A first guess at the first unit with cost_before >= target, from the
// closed form (u may be one off either way).
size_t guess_reaching(const UnitGrid& g, double target);

// The first unit u >= from with cost_before(u) >= target (units if none);
// *at = cost_before(u), *prev = cost_before(u - 1) (if u > from).
size_t first_reaching(const UnitGrid& g, double target, size_t from, double* at, double* prev) {
  const size_t units = g.units();
  size_t u = std::max(from, guess_reaching(g, target));
  // Rounding may put it one off either way.
  double c = g.cost_before(u), cp = u > from ? g.cost_before(u - 1) : 0.0;
  while (u > from && cp >= target) {
    --u;
    c = cp;
    if (u > from) cp = g.cost_before(u - 1);
  }
  while (u < units && c < target) {
    ++u;
    cp = c;
    c = g.cost_before(u);
  }
  *at = c;
  *prev = cp;
  return u;
}

size_t guess_reaching(const UnitGrid& g, double target) {
  if (g.runs) {
    // The first run whose end reaches the target, then the unit in its grid.
    const UnitRuns& rs = *g.runs;
    if (rs.runs.empty() || target <= 0.0) return 0;
    size_t lo = 0, hi = rs.runs.size();  // the run is in [lo, hi)
    while (hi - lo > 1) {
      const size_t mid = lo + (hi - lo) / 2;
      if (rs.runs[mid].before < target) lo = mid;
      else hi = mid;
    }
    const UnitRun& r = rs.runs[lo];
    const double inner = r.base + (target - r.before) / r.grid.unit_cost;
    double at, prev;
    const size_t v = first_reaching(r.grid, inner, r.first, &at, &prev);
    return r.at + (std::min(v, r.first + r.count) - r.first);
  }
  const size_t units = g.units();
  const double s1 = axis_cost(g, 1), s2 = axis_cost(g, 2);
  size_t u = units;
  if (s1 > 0.0 && s2 > 0.0 && target >= 0.0) {
    const double plane = s1 * s2;
    double rest = target;
    const size_t a = std::min(g.axes[0] - 1, size_t(rest / plane));
    rest -= double(a) * plane;
    const double w0 = index_cost(g, 0, a);
    const size_t b = std::min(g.axes[1] - 1, size_t(std::max(0.0, rest) / (w0 * s2)));
    rest -= double(b) * w0 * s2;
    const double cell = w0 * index_cost(g, 1, b);
    const double c = std::ceil(std::max(0.0, rest) / cell);
    u = std::min(units, (a * g.axes[1] + b) * g.axes[2] + size_t(std::min(c, double(g.axes[2]))));
  }
  return u;
}

}  // namespace

void split_units(const UnitGrid& grid, int team, size_t* bounds) {
  const size_t units = grid.units();
  if (team < 1) team = 1;
  if (grid.runs && grid.runs->team == size_t(team) && grid.runs->starts.size() == size_t(team) + 1) {
    std::copy(grid.runs->starts.begin(), grid.runs->starts.end(), bounds);
    return;
  }
  const double total = grid.cost_before(units);
  bounds[0] = 0;
  for (int w = 1; w < team; ++w) {
    const double target = total * double(w) / double(team);
    // The first u with cost_before(u) >= target, from the previous bound on ...
    double at, prev;
    size_t lo = first_reaching(grid, target, bounds[w - 1], &at, &prev);
    // ... or the boundary before it, if that one is nearer.
    if (lo > bounds[w - 1] && target - prev < at - target) --lo;
    bounds[w] = lo;
  }
  bounds[team] = units;
}

}  // namespace detail
}  // namespace armconv

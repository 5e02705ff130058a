// The GEMM planner's costs of partial panels (core/gemm.h: GemmKernel's
// edge_costs / row_costs, edge_step / edge1_cost / row_step; gemm_edge_cost,
// gemm_row_cost) and the split the threads make by them (threads.h
// split_units).
//
// 1. The dispatched kernels' costs: the measured figures of the aarch64 8x12
//    table (1-3 columns from the edge groups about 0.2-0.4 of a panel, 5-8
//    columns about 0.8, 9-11 a whole one; a 1-4 row M-panel about half, 5-7
//    rows a whole one), the model of the armv7
//    6x8 table, the defaults of a table without figures.
// 2. Plans (one-thread, for a team, in stages) of shapes with partial last
//    panels carry exactly those costs: last_panel_cost and last_block_cost
//    (the last N-block's full panels plus its partial one, over its width).
// 3. split_units over the plan's grid (as gemm_api.cpp and conv_gemm.cpp
//    build it) gives ranges whose costs, summed here unit by unit from the
//    plan's costs, are each within one unit of the equal share, for teams of
//    2 to 8 threads.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "check.h"
#include "core/dispatch.h"
#include "core/gemm.h"
#include "threads/threads.h"

using namespace armconv;
using namespace armconv::detail;

namespace {

bool near(double a, double b) { return std::fabs(a - b) < 1e-9; }

// 1. The costs a table declares.
template <class T>
void check_table_costs(const GemmKernel<T>& kern) {
  for (size_t r = 0; r <= kern.nr; r++) {
    const double e = gemm_edge_cost(kern, r);
    CHECK(r == 0 ? e == 0.0 : (e > 0.0 && e <= 1.0), "%s: edge cost of %zu columns = %g", kern.name, r, e);
    if (r == kern.nr) CHECK(e == 1.0, "%s: a full panel costs 1, got %g", kern.name, e);
    if (kern.edge_costs && r > 0 && r < kern.nr)
      CHECK(near(e, std::min(1.0, kern.edge_costs[r])), "%s: edge cost %zu is not the table's", kern.name, r);
  }
  for (size_t m = 0; m <= kern.mr; m++) {
    const double c = gemm_row_cost(kern, m);
    CHECK(c > 0.0 && c <= 1.0, "%s: row cost of %zu rows = %g", kern.name, m, c);
    if (m == 0 || m == kern.mr) CHECK(c == 1.0, "%s: no partial M-panel costs 1, got %g", kern.name, c);
    if (kern.row_costs && m > 0 && m < kern.mr)
      CHECK(near(c, std::min(1.0, kern.row_costs[m])), "%s: row cost %zu is not the table's", kern.name, m);
  }
}

void check_known_tables() {
  const SgemmKernels& k = *kernels().sgemm;
  check_table_costs(k);
  check_table_costs(*kernels().gemm_s8);
  check_table_costs(sgemm_generic_kernels());
  if (!std::strcmp(k.name, "sgemm-aarch64-8x12")) {
    // Measured (neon/aarch64/sgemm_8x12.cpp): edge groups for 1-3 columns,
    // the 8x4 tile for 4, the 4-row kernel for 1-4 rows.
    CHECK(k.edge_costs && k.row_costs, "sgemm-aarch64-8x12 has measured partial-panel costs");
    CHECK(gemm_edge_cost(k, 1) > 0.15 && gemm_edge_cost(k, 1) < 0.3, "aarch64 8x12: 1 column %g",
          gemm_edge_cost(k, 1));
    for (size_t r = 2; r <= 4; r++)
      CHECK(gemm_edge_cost(k, r) > gemm_edge_cost(k, r - 1) && gemm_edge_cost(k, r) < 0.5,
            "aarch64 8x12: %zu columns %g", r, gemm_edge_cost(k, r));
    for (size_t r = 5; r <= 8; r++)  // the 8x8 tile
      CHECK(gemm_edge_cost(k, r) > 0.6 && gemm_edge_cost(k, r) < 0.9, "aarch64 8x12: %zu columns %g", r,
            gemm_edge_cost(k, r));
    for (size_t r = 9; r < 12; r++) CHECK(gemm_edge_cost(k, r) == 1.0, "aarch64 8x12: %zu columns", r);
    for (size_t m = 1; m <= 4; m++)
      CHECK(gemm_row_cost(k, m) > 0.45 && gemm_row_cost(k, m) < 0.65, "aarch64 8x12: %zu rows %g", m,
            gemm_row_cost(k, m));
    for (size_t m = 5; m < 8; m++) CHECK(gemm_row_cost(k, m) == 1.0, "aarch64 8x12: %zu rows", m);
  } else if (!std::strcmp(k.name, "sgemm-armv7-6x8")) {
    // The model: edge_step 4 ((ceil(r / 4) + 1) / 3), 1 column 0.3, row_step 1 ((m + 1) / 7).
    CHECK(near(gemm_edge_cost(k, 1), 0.3), "armv7 6x8: 1 column");
    for (size_t r = 2; r <= 4; r++) CHECK(near(gemm_edge_cost(k, r), 2.0 / 3.0), "armv7 6x8: %zu columns", r);
    for (size_t r = 5; r < 8; r++) CHECK(gemm_edge_cost(k, r) == 1.0, "armv7 6x8: %zu columns", r);
    for (size_t m = 1; m < 6; m++)
      CHECK(near(gemm_row_cost(k, m), double(m + 1) / 7.0), "armv7 6x8: %zu rows", m);
  }
  // A table without figures or steps: KR = 1 about the columns' share (at
  // least a quarter), whole M-panels; KR > 1 without edge_step: whole panels.
  const SgemmKernels& g = sgemm_generic_kernels();
  CHECK(near(gemm_edge_cost(g, 1), 0.25) && near(gemm_edge_cost(g, 6), 0.5) && gemm_row_cost(g, 3) == 1.0,
        "generic 8x12: the default model");
  const S8GemmKernels& s8 = *kernels().gemm_s8;
  if (!s8.edge_costs && !s8.edge_step && s8.kr > 1)
    CHECK(gemm_edge_cost(s8, 1) == 1.0, "%s: a partial panel of a KR > 1 table costs a full one", s8.name);
  std::printf("table costs checked (%s, %s)\n", k.name, s8.name);
}

// 2 and 3 for one plan.
template <class T>
void check_plan(const GemmKernel<T>& kern, const GemmPlan& p, const char* tag) {
  const size_t mr = kern.mr, nr = kern.nr;
  CHECK(near(p.last_panel_cost, gemm_row_cost(kern, p.m % mr)), "%s: last_panel_cost %g, want %g", tag,
        p.last_panel_cost, gemm_row_cost(kern, p.m % mr));
  const size_t last = p.n - (p.n_blocks - 1) * p.nc;
  const double want_block =
      std::min(1.0, (double(last / nr) + gemm_edge_cost(kern, last % nr)) / double(p.nc / nr));
  CHECK(near(p.last_block_cost, want_block), "%s: last_block_cost %g, want %g", tag, p.last_block_cost,
        want_block);
  // The grid of gemm_api.cpp / conv_gemm.cpp (a batch of 2 on axis 0).
  UnitGrid grid;
  grid.axes[0] = 2;
  grid.axes[1] = p.n_blocks;
  grid.axes[2] = p.m_panels;
  grid.last_cost[1] = p.last_block_cost;
  grid.last_cost[2] = p.last_panel_cost;
  const size_t units = grid.units();
  std::vector<double> cost(units);
  double total = 0.0;
  for (size_t u = 0; u < units; u++) {
    const size_t c = u % grid.axes[2], b = u / grid.axes[2] % grid.axes[1];
    cost[u] = (b + 1 == grid.axes[1] ? grid.last_cost[1] : 1.0) * (c + 1 == grid.axes[2] ? grid.last_cost[2] : 1.0);
    total += cost[u];
  }
  CHECK(near(grid.cost_before(units), total), "%s: the grid's total %g, summed %g", tag, grid.cost_before(units),
        total);
  for (int team = 2; team <= 8; team++) {
    std::vector<size_t> bounds(size_t(team) + 1);
    split_units(grid, team, bounds.data());
    CHECK(bounds[0] == 0 && bounds[size_t(team)] == units, "%s: split covers the units", tag);
    for (int w = 0; w < team; w++) {
      const size_t lo = bounds[size_t(w)], hi = bounds[size_t(w) + 1];
      CHECK(lo <= hi, "%s: team %d, ranges in order", tag, team);
      double c = 0.0;
      for (size_t u = lo; u < hi && u < units; u++) c += cost[u];
      // Within one unit of the equal share (the cut falls between units).
      CHECK(std::fabs(c - total / team) <= 1.0 + 1e-9, "%s: team %d worker %d costs %g, share %g", tag, team,
            w, c, total / team);
    }
  }
}

template <class T>
void check_plans(const GemmKernel<T>& kern) {
  size_t cnt = 0;
  const size_t mr = kern.mr, nr = kern.nr;
  for (size_t mp : {1, 3, 10})
    for (size_t mrem = 0; mrem < mr; mrem++)
      for (size_t np : {0, 2, 7})
        for (size_t r = 0; r < nr; r++) {
          const size_t m = mp * mr + mrem, n = np * nr + r, k = 40 + 3 * r;
          if (n == 0) continue;
          for (size_t want : {0, 8, 32})
            for (bool stages : {false, true}) {
              char tag[160];
              std::snprintf(tag, sizeof tag, "%s m=%zu n=%zu k=%zu want=%zu stages=%d", kern.name, m, n, k,
                            want, int(stages));
              check_plan(kern, gemm_plan(kern, m, n, k, (r + mrem) % 2 == 1, want, stages), tag);
              cnt++;
            }
        }
  std::printf("%s: %zu plans checked, failures so far %d\n", kern.name, cnt, failures);
}

// The split follows the costs of a partial last M-panel (0.3 of a full
// one): 1 1 0.3 between 2 threads is 1 | 1.3 (by count it could be 2 | 1),
// 1 1 1 1 0.3 is 2 | 2.3, 1 1 1 0.3 between 3 is 1 | 1 | 1.3.
void check_split_follows_cost() {
  UnitGrid grid;
  grid.axes[2] = 3;
  grid.last_cost[2] = 0.3;
  size_t bounds[3];
  split_units(grid, 2, bounds);
  CHECK(bounds[1] == 1, "split of 1, 1, 0.3 between 2 threads: %zu | %zu", bounds[1] - bounds[0],
        bounds[2] - bounds[1]);
  grid.axes[2] = 5;
  split_units(grid, 2, bounds);
  CHECK(bounds[1] == 2, "split of 1 1 1 1 0.3: at %zu", bounds[1]);
  grid.axes[2] = 4;
  size_t b3[4];
  split_units(grid, 3, b3);
  CHECK(b3[1] == 1 && b3[2] == 2, "split of 1 1 1 0.3 between 3: %zu %zu", b3[1], b3[2]);
}

}  // namespace

int main() {
  check_known_tables();
  check_plans(*kernels().sgemm);
  check_plans(sgemm_generic_kernels());
  check_plans(*kernels().gemm_s8);
  check_split_follows_cost();
  if (failures) {
    std::fprintf(stderr, "%d failures\n", failures);
    return 1;
  }
  std::printf("all gemm cost checks passed\n");
  return 0;
}

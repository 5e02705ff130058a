// An `auto` 3x3 layer that picks its algorithm by map size (Winograd tile
// sizes, im2col) packs an algorithm's weights only when a run needs them:
// Conv2d::algo_for() and workspace_bytes() answer without packing (the cost
// model, and a plan-only implementation of the family), and their answers are
// those of the packed layer's plan for the same map.
#include <cmath>
#include <cstdio>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "rand.h"
#include "armconv/armconv.h"
#include "armconv/quant.h"
#include "check.h"
#include "core/conv_impl.h"

using namespace armconv;
using namespace armconv::detail;

namespace {

void check_layer(int64_t cin, int64_t cout, int64_t groups, Precision precision) {
  Conv2dParams p;
  p.in_channels = cin;
  p.out_channels = cout;
  p.kernel_h = p.kernel_w = 3;
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
  p.groups = groups;
  std::mt19937 gen(7);
  armconv_test::Uniform<float> d(-1.0f, 1.0f);
  std::vector<float> w(size_t(cout * cin / groups * 9)), b(static_cast<size_t>(cout));
  for (float& v : w) v = d(gen);
  for (float& v : b) v = d(gen);
  const Conv2d layer(p, w.data(), b.data(), Algo::Auto, precision);
  CHECK(PlanAccess::packed_algos(layer) == 0, "cin %lld: packed %zu algorithms at construction",
        (long long)cin, PlanAccess::packed_algos(layer));

  // Map sizes from 1x1 to large: the picks span several algorithms.
  const int64_t maps[] = {1, 2, 5, 7, 14, 28, 56, 112};
  std::set<Algo> picked;
  std::vector<size_t> ws;
  for (int64_t m : maps) {
    picked.insert(layer.algo_for(m, m));
    ws.push_back(layer.workspace_bytes(m, m));
    ws.push_back(layer.workspace_bytes(m, m + 3));
  }
  CHECK(PlanAccess::packed_algos(layer) == 0,
        "cin %lld: algo_for / workspace_bytes packed %zu algorithms", (long long)cin,
        PlanAccess::packed_algos(layer));
  CHECK(picked.size() >= 2, "cin %lld: the maps should pick at least two algorithms (got %zu)",
        (long long)cin, picked.size());
  // Bad sizes are still errors (checked before planning).
  bool threw = false;
  try {
    layer.workspace_bytes(0, 5);
  } catch (const Error&) {
    threw = true;
  }
  CHECK(threw, "workspace_bytes(0, 5) must throw");

  // A run packs the algorithm of its map, and only it; the plan-only answers
  // are the packed plan's.
  const int64_t h = 7, wd = 9;
  std::vector<float> x(size_t(cin * h * wd)), y(size_t(cout * h * wd));
  for (float& v : x) v = d(gen);
  layer.run(x.data(), 1, h, wd, y.data());
  CHECK(PlanAccess::packed_algos(layer) == 1, "cin %lld: one run packed %zu algorithms",
        (long long)cin, PlanAccess::packed_algos(layer));
  size_t i = 0;
  std::set<std::string> packed_names;
  for (int64_t m : maps) {
    for (int64_t mw : {m, m + 3}) {
      int team = 0;
      const ConvPlan pl = PlanAccess::plan(layer, 1, m, mw, &team);  // packs that map's algorithm
      // (a mixed tiling, "winograd63+23", runs on the layer's packings of
      // its tile sizes, winograd63 and winograd23)
      const std::string name = pl.algo;
      const size_t plus = name.find('+');
      if (plus == std::string::npos) {
        packed_names.insert(name);
      } else {
        packed_names.insert(name.substr(0, plus));
        packed_names.insert("winograd" + name.substr(plus + 1));
      }
      CHECK(ws[i] == pl.scratch_bytes, "cin %lld map %lldx%lld: workspace_bytes %zu, the plan's %zu",
            (long long)cin, (long long)m, (long long)mw, ws[i], pl.scratch_bytes);
      if (mw == m)
        CHECK(algo_name(layer.algo_for(m, mw)) == std::string(pl.algo),
              "cin %lld map %lld: algo_for %s, the plan runs %s", (long long)cin, (long long)m,
              algo_name(layer.algo_for(m, mw)), pl.algo);
      i++;
    }
  }
  CHECK(PlanAccess::packed_algos(layer) == packed_names.size(),
        "cin %lld: %zu algorithms planned, %zu packed", (long long)cin, packed_names.size(),
        PlanAccess::packed_algos(layer));
}

// The int8 `auto` 3x3 layer (Winograd F(2,3) or im2col by map size) packs
// neither at construction, and each when a plan first needs it; its runs
// give the bits of the forced algorithm (the two are exact: the same bits).
void check_qlayer(int64_t cin, int64_t cout) {
  Conv2dParams p;
  p.in_channels = cin;
  p.out_channels = cout;
  p.kernel_h = p.kernel_w = 3;
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
  std::mt19937 gen(11);
  armconv_test::Uniform<float> d(-1.0f, 1.0f);
  std::vector<float> w(size_t(cout * cin * 9)), b(static_cast<size_t>(cout));
  for (float& v : w) v = d(gen);
  for (float& v : b) v = d(gen);
  const QConv2d layer(p, w.data(), b.data(), 0.02f, 0.0f);
  const QConv2d im2col(p, w.data(), b.data(), 0.02f, 0.0f, Algo::Im2col);
  CHECK(PlanAccess::packed_algos(layer) == 0, "int8 cin %lld: packed %zu algorithms at construction",
        (long long)cin, PlanAccess::packed_algos(layer));
  CHECK(PlanAccess::packed_algos(im2col) == 1, "int8 forced im2col: packed %zu", PlanAccess::packed_algos(im2col));
  std::set<std::string> seen;
  for (int64_t m : {1, 2, 3, 5, 8, 14, 28, 56, 112}) {
    int team = 0;
    seen.insert(PlanAccess::plan(layer, 1, m, m, &team).algo);
    CHECK(PlanAccess::packed_algos(layer) == seen.size(), "int8 cin %lld map %lld: %zu planned, %zu packed",
          (long long)cin, (long long)m, seen.size(), PlanAccess::packed_algos(layer));
    if (m > 28) continue;
    std::vector<int8_t> x(size_t(cin * m * m));
    for (int8_t& v : x) v = int8_t(std::lround(127.0f * d(gen)));
    std::vector<float> y(size_t(cout * m * m)), ref(y.size());
    layer.run(x.data(), 1, m, m, y.data());
    im2col.run(x.data(), 1, m, m, ref.data());
    CHECK(y == ref, "int8 cin %lld map %lld: auto (%s) differs from im2col", (long long)cin, (long long)m,
          PlanAccess::plan(layer, 1, m, m, &team).algo);
  }
  CHECK(PlanAccess::packed_algos(layer) == seen.size(), "int8: %zu planned, %zu packed", seen.size(),
        PlanAccess::packed_algos(layer));
  std::string names;
  for (const std::string& n : seen) names += " " + n;
  std::printf("int8 %lld->%lld auto 3x3, maps 1..112 pick:%s\n", (long long)cin, (long long)cout, names.c_str());
}

}  // namespace

int main() {
  set_num_threads(1);  // PlanAccess::plan: the one-thread plan (what workspace_bytes describes)
  check_layer(16, 16, 1, Precision::Fp32);
  check_layer(64, 32, 1, Precision::Fp32);
  check_layer(32, 48, 4, Precision::Fp32);
  check_layer(24, 24, 1, Precision::Fp16);  // fp32 kernels today (no fp16 Winograd): same answers
  {  // a layer with one algorithm holds its packing from construction
    Conv2dParams p;
    p.in_channels = 8;
    p.out_channels = 8;
    std::vector<float> w(64, 0.5f);
    const Conv2d layer(p, w.data(), nullptr);
    CHECK(PlanAccess::packed_algos(layer) == 1, "1x1 layer: packed %zu", PlanAccess::packed_algos(layer));
  }
  check_qlayer(16, 24);
  check_qlayer(64, 64);
  if (failures) {
    std::printf("%d failures\n", failures);
    return 1;
  }
  std::printf("ok\n");
  return 0;
}

// Winograd cases: the parts of a call (the data of the cost model in
// src/core/conv_winograd.cpp), whole layers per tile size against im2col,
// and grouped 3x3 layers. "MACs" of the parts are units of work, not MACs:
//   wino<t>_in_x400 / wino<t>_out_x400 (t = 23, 43, 63): 400 input (output)
//     transforms of one tile x 4 channels; wino<t>_out_clamp_x400: the output
//     transform with a clamp; wino<t>_out_edge_x400: on edge tiles cut to
//     m x (m - 2) (m x 1 for F(2,3));
//   wpos_k<K>_n<N>: one per-position GEMM call (wino_gemm_fn) of 64 output
//     channels (8 blocks of 8), K input channels and N tiles, in MACs (64 K N);
//   wino63_gemm_64_25: the 64 GEMMs of wino3x3_64_28 (Cout 64, 25 tiles, Cin
//     64), in direct-equivalent MACs of the whole convolution;
//   pays_<algo>_<Cin>_<Cout>_<map>: a 3x3 stride-1 layer (padding 1) forced to
//     one algorithm (im2col, wino23, wino43, wino63), the data the model is
//     checked against;
//   im2col_row_n<N>: im2col 64 -> 64 on a 1 x N map (3x3, padding 1);
//   grp3x3[s2]_<C>_g<G>_<map>: grouped 3x3 layers (16 channels per group,
//     relu) as `auto` runs them;
//   pays_mix<core><edge>_<Cin>_<Cout>_<map>: the same forced to a mixed
//     tiling (winograd63+23: mix6323, ...);
//   r18w<t>_*: the ResNet-18 layers of bench_nets.cpp forced to one tile size
//     or mixed tiling (t = 23, 43, 63, 6323, 6343, 4323).
#include <algorithm>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "armconv/armconv.h"
#include "bench_cases.h"
#include "core/buffer.h"
#include "core/dispatch.h"
#include "core/wino_gemm.h"
#include "core/winograd.h"

using namespace armconv;
using namespace armconv::bench;
using namespace armconv::detail;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

const char* tag(size_t m) { return m == 2 ? "23" : m == 4 ? "43" : "63"; }
Algo wino_algo(size_t m) { return m == 2 ? Algo::Winograd23 : m == 4 ? Algo::Winograd43 : Algo::Winograd63; }

// 400 output transforms of one tile x 4 channels (of 64) into a map x map
// NCHW output: tiles of rows x cols, cut ones placed at the map's edge.
void out_case(const std::string& name, size_t m, size_t map, size_t rows, size_t cols, bool clamp) {
  add_case({name, 400, [m, map, rows, cols, clamp]() -> std::function<void()> {
              const size_t np = (m + 2) * (m + 2);
              auto src = std::make_shared<std::vector<float>>(random_floats(np * 64 * 16, 6));
              auto y = std::make_shared<std::vector<float>>(64 * map * map);
              return [=] {
                const WinoKernels& wk = *kernels().winograd[wino_index(m)];
                const size_t plane = map * map;
                size_t at[4];  // tile t's offset in a plane
                for (size_t t = 0; t < 4; t++)
                  at[t] = (rows == m ? m * t : map - rows) * map + (cols == m ? m * t : map - cols);
                for (size_t i = 0; i < 400; i++) {
                  WinoOutTile out = {y->data() + (i % 16) * 4 * plane + at[i % 4], rows, cols};
                  wk.output(src->data() + (i % 16) * 4, 64 * 16, out, 4, plane, map, clamp, 0.0f, 6.0f);
                }
              };
            }});
}

int parts_reg = [] {
  for (size_t m : kWinoTileSizes) {
    const std::string t = tag(m);
    add_case({"wino" + t + "_in_x400", 400, [m]() -> std::function<void()> {
                const size_t n = m + 2;
                auto src = std::make_shared<std::vector<float>>(random_floats(n * 32 * 4 + 64, 5));
                auto dst = std::make_shared<Buffer<float>>(n * n * 16 * 64);
                return [=] {
                  const WinoKernels& wk = *kernels().winograd[wino_index(m)];
                  for (int i = 0; i < 400; i++)
                    wk.input(src->data() + (i % 4) * 4 * m, 32 * 4, dst->data() + (i % 16) * 4, 16 * 64);
                };
              }});
    // Full tiles, with a clamp (ReLU6 layers), and edge tiles on the right
    // edge of a map of 4 m + m - 2 columns.
    out_case("wino" + t + "_out_x400", m, 5 * m, m, m, false);
    out_case("wino" + t + "_out_clamp_x400", m, 5 * m, m, m, true);
    out_case("wino" + t + "_out_edge_x400", m, 5 * m, m, m == 2 ? 1 : m - 2, false);
  }
  // One GEMM call of 64 output channels, K input channels, N tiles.
  for (size_t k : {16, 64, 128})
    for (size_t nt : {1, 2, 3, 4, 5, 8, 9, 12, 16}) {
      add_case({"wpos_k" + std::to_string(k) + "_n" + std::to_string(nt), 64.0 * double(k * nt),
                [k, nt]() -> std::function<void()> {
                  const size_t mp = 64;
                  auto u = std::make_shared<std::vector<float>>(random_floats(mp * k, 7));
                  auto v = std::make_shared<std::vector<float>>(random_floats(nt * k, 8));
                  auto c = std::make_shared<std::vector<float>>(nt * mp);
                  return [=] {
                    kernels().wino_gemm->gemm(mp / 8, nt, k / 4, u->data(), 8 * k, v->data(), c->data(), mp,
                                              nullptr, false);
                  };
                }});
    }
  // The 64 GEMMs alone as the driver runs them for 64 -> 64 channels,
  // 28x28: blocks of 16 and 9 tiles (8 + 8, 8 + 1), in direct-equivalent
  // MACs of the whole convolution.
  add_case({"wino63_gemm_64_25", 64.0 * 64 * 28 * 28 * 9, []() -> std::function<void()> {
              const size_t kp = 64, mp = 64, t = 16;
              auto u = std::make_shared<std::vector<float>>(random_floats(64 * mp * kp, 7));
              auto v = std::make_shared<std::vector<float>>(random_floats(64 * t * kp, 8));
              auto c = std::make_shared<std::vector<float>>(64 * t * mp);
              return [=] {
                const WinoGemmKernels& wg = *kernels().wino_gemm;
                for (size_t nt : {16, 9})
                  for (size_t p = 0; p < 64; p++)
                    wg.gemm(mp / 8, nt, kp / 4, u->data() + p * mp * kp, 8 * kp, v->data() + p * t * kp,
                            c->data() + p * t * mp, mp, nullptr, false);
              };
            }});
  return 0;
}();

// Whole layers forced to each algorithm: Cin_Cout_map.
int pays_reg = [] {
  const int shapes[][3] = {{4, 4, 28},    {4, 16, 28},    {16, 4, 28},   {8, 8, 28},    {16, 16, 28},
                           {8, 8, 14},    {64, 64, 14},   {8, 8, 7},     {32, 32, 7},   {64, 64, 7},
                           {64, 64, 8},   {64, 64, 10},   {64, 64, 12},  {256, 256, 7}, {256, 256, 14},
                           {64, 64, 4},   {64, 64, 5},    {64, 64, 6},   {16, 16, 7},   {16, 16, 14},
                           {8, 8, 10},    {4, 4, 14},     {4, 4, 7},     {3, 16, 56},   {3, 32, 28},
                           {256, 256, 4}, {8, 64, 7},     {64, 8, 7},    {64, 64, 2},   {64, 64, 3},
                           {128, 128, 28}, {64, 64, 56},  {512, 512, 7}, {256, 256, 2}, {16, 16, 56},
                           {32, 32, 3},   {128, 128, 1},  {16, 16, 1}};
  for (const auto& s : shapes) {
    const std::string sh = std::to_string(s[0]) + "_" + std::to_string(s[1]) + "_" + std::to_string(s[2]);
    add_case(conv_case("pays_im2col_" + sh, Algo::Im2col, s[0], s[1], 3, 1, 1, 1, s[2], s[2]));
    for (size_t m : kWinoTileSizes)
      add_case(conv_case("pays_wino" + std::string(tag(m)) + "_" + sh, wino_algo(m), s[0], s[1], 3, 1, 1, 1,
                         s[2], s[2]));
  }
  return 0;
}();

// Whole layers forced to each mixed tiling (core + border tile sizes; the
// planner's sum of its regions' costs is checked against these):
// pays_mix<core><edge>_Cin_Cout_map.
int pays_mix_reg = [] {
  const int shapes[][3] = {{8, 8, 14},    {16, 16, 14},  {64, 64, 14},   {256, 256, 14}, {16, 16, 28},
                           {128, 128, 28}, {16, 16, 56}, {64, 64, 56},   {64, 64, 10},   {512, 512, 7},
                           {64, 64, 7},    {32, 32, 20}, {4, 16, 28}};
  const struct {
    const char* tag;
    Algo algo;
  } mixes[] = {{"6323", Algo::Winograd63x23}, {"6343", Algo::Winograd63x43}, {"4323", Algo::Winograd43x23}};
  for (const auto& s : shapes) {
    const std::string sh = std::to_string(s[0]) + "_" + std::to_string(s[1]) + "_" + std::to_string(s[2]);
    for (const auto& m : mixes)
      add_case(conv_case("pays_mix" + std::string(m.tag) + "_" + sh, m.algo, s[0], s[1], 3, 1, 1, 1, s[2], s[2]));
  }
  return 0;
}();

// im2col on a 1 x N output row (3x3, padding 1, 64 -> 64 channels): the
// GEMM's cost per column count, for im2col_conv_cost() (conv_gemm.cpp).
int im2col_row_reg = [] {
  for (int n : {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 16, 20, 24})
    add_case(conv_case("im2col_row_n" + std::to_string(n), Algo::Im2col, 64, 64, 3, 1, 1, 1, 1, n));
  return 0;
}();

// Grouped 3x3 layers, 16 channels per group (RegNet-style), relu.
int grouped_reg = [] {
  const int layers[][3] = {{64, 4, 28}, {160, 10, 14}, {400, 25, 7}, {64, 4, 56}};
  for (const auto& l : layers)
    for (int s : {1, 2}) {
      const std::string name = std::string("grp3x3") + (s == 2 ? "s2_" : "_") + std::to_string(l[0]) + "_g" +
                               std::to_string(l[1]) + "_" + std::to_string(l[2]);
      add_case(conv_case(name, Algo::Auto, conv_params(l[0], l[0], 3, s, 1, l[1], 0.0f, kInf), l[2], l[2]));
    }
  return 0;
}();

// The ResNet-18 3x3 stride-1 layers of bench_nets.cpp forced to each tile
// size (r18w63_*) and mixed tiling (r18w6323_*: winograd63+23, ...).
int r18_reg = [] {
  const int layers[][2] = {{64, 56}, {128, 28}, {256, 14}, {512, 7}};
  const struct {
    const char* tag;
    Algo algo;
  } mixes[] = {{"6323", Algo::Winograd63x23}, {"6343", Algo::Winograd63x43}, {"4323", Algo::Winograd43x23}};
  for (const auto& l : layers) {
    const std::string sh = "_3x3_" + std::to_string(l[0]) + "_" + std::to_string(l[1]);
    const Conv2dParams p = conv_params(l[0], l[0], 3, 1, 1, 1, 0.0f, kInf);
    for (size_t m : kWinoTileSizes) add_case(conv_case("r18w" + std::string(tag(m)) + sh, wino_algo(m), p, l[1], l[1]));
    for (const auto& m : mixes) add_case(conv_case("r18w" + std::string(m.tag) + sh, m.algo, p, l[1], l[1]));
  }
  return 0;
}();

}  // namespace

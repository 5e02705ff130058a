// Stride-2 Winograd cases (F(2,3)s2, F(4,3)s2: core/winograd.h): the parts
// of a call (the transform terms of the cost model in
// src/core/conv_winograd.cpp) and whole layers against im2col.
//   wino<t>s2_in_x400 / wino<t>s2_out_x400 / wino<t>s2_out_clamp_x400
//     (t = 23, 43): 400 input (output) transforms of one tile x 4 channels
//     ("MACs": the 400);
//   r18w<t>s2_3x3s2_<Cin>_<Cout>_<map>: ResNet-18's three 3x3 stride-2
//     layers (input map 56, 28, 14; relu) forced to F(2,3)s2 (t = 23),
//     F(4,3)s2 (43) and the mixed tiling winograd43s2+23s2 (4323); the same
//     layers as `auto` runs them are r18_3x3s2_* (bench_nets.cpp);
//   pays_wino<t>s2_<Cin>_<Cout>_<map> / pays_im2cols2_<Cin>_<Cout>_<map>
//     (map: the input's, padding 1, unclamped; t = 23, 43, 4323): the data
//     the stride-2 cost model is checked against (tests/cpp/test_planner.cpp).
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "armconv/armconv.h"
#include "bench_cases.h"
#include "core/buffer.h"
#include "core/dispatch.h"
#include "core/winograd.h"

using namespace armconv;
using namespace armconv::bench;
using namespace armconv::detail;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

const char* tag(size_t m) { return m == 2 ? "23" : "43"; }
Algo s2_algo(size_t m) { return m == 2 ? Algo::Winograd23s2 : Algo::Winograd43s2; }

int parts_reg = [] {
  for (size_t m : kWinoS2TileSizes) {
    const std::string t = std::string(tag(m)) + "s2";
    add_case({"wino" + t + "_in_x400", 400, [m]() -> std::function<void()> {
                const size_t n = 2 * m + 1;
                auto src = std::make_shared<std::vector<float>>(random_floats(n * 48 * 4 + 64, 5));
                auto dst = std::make_shared<Buffer<float>>(n * n * 16 * 64);
                return [=] {
                  const WinoKernels& wk = *kernels().winograd_s2[wino_s2_index(m)];
                  for (int i = 0; i < 400; i++)
                    wk.input(src->data() + (i % 4) * 4 * 2 * m, 48 * 4, dst->data() + (i % 16) * 4, 16 * 64);
                };
              }});
    for (bool clamp : {false, true})
      add_case({"wino" + t + (clamp ? "_out_clamp_x400" : "_out_x400"), 400, [m, clamp]() -> std::function<void()> {
                  const size_t n = 2 * m + 1, map = 4 * m;
                  auto src = std::make_shared<std::vector<float>>(random_floats(n * n * 64 * 16, 6));
                  auto y = std::make_shared<std::vector<float>>(64 * map * map);
                  return [=] {
                    const WinoKernels& wk = *kernels().winograd_s2[wino_s2_index(m)];
                    const size_t plane = map * map;
                    for (size_t i = 0; i < 400; i++) {
                      WinoOutTile out = {y->data() + (i % 16) * 4 * plane + (i % 4) * m * (map + 1), m, m};
                      wk.output(src->data() + (i % 16) * 4, 64 * 16, out, 4, plane, map, clamp, 0.0f, 6.0f);
                    }
                  };
                }});
  }
  return 0;
}();

// ResNet-18's stride-2 3x3 layers (input map 56, 28, 14), relu.
int r18_reg = [] {
  const int layers[][3] = {{64, 128, 56}, {128, 256, 28}, {256, 512, 14}};
  for (const auto& l : layers) {
    const std::string sh = "_3x3s2_" + std::to_string(l[0]) + "_" + std::to_string(l[1]) + "_" + std::to_string(l[2]);
    const Conv2dParams p = conv_params(l[0], l[1], 3, 2, 1, 1, 0.0f, kInf);
    for (size_t m : kWinoS2TileSizes) add_case(conv_case("r18w" + std::string(tag(m)) + "s2" + sh, s2_algo(m), p, l[2], l[2]));
    add_case(conv_case("r18w4323s2" + sh, Algo::Winograd43s2x23s2, p, l[2], l[2]));
    add_case(conv_case("r18im2col" + sh, Algo::Im2col, p, l[2], l[2]));
  }
  return 0;
}();

// Whole stride-2 layers forced to each algorithm: Cin_Cout_map (input map).
int pays_reg = [] {
  const int shapes[][3] = {{4, 4, 28},   {16, 16, 28},  {8, 8, 14},    {64, 64, 14},  {64, 64, 28},
                           {32, 32, 7},  {64, 64, 7},   {16, 16, 56},  {3, 32, 56},   {64, 128, 56},
                           {128, 256, 28}, {256, 512, 14}, {512, 512, 7}, {64, 64, 3}, {64, 64, 27},
                           {128, 128, 15}, {32, 64, 112}, {256, 256, 9}};
  for (const auto& s : shapes) {
    const std::string sh = std::to_string(s[0]) + "_" + std::to_string(s[1]) + "_" + std::to_string(s[2]);
    add_case(conv_case("pays_im2cols2_" + sh, Algo::Im2col, s[0], s[1], 3, 2, 1, 1, s[2], s[2]));
    for (size_t m : kWinoS2TileSizes)
      add_case(conv_case("pays_wino" + std::string(tag(m)) + "s2_" + sh, s2_algo(m), s[0], s[1], 3, 2, 1, 1, s[2],
                         s[2]));
    add_case(conv_case("pays_wino4323s2_" + sh, Algo::Winograd43s2x23s2, s[0], s[1], 3, 2, 1, 1, s[2], s[2]));
  }
  return 0;
}();

}  // namespace

// Winograd F(6x6, 3x3) parts, to split the cost of wino3x3_* between the
// transforms and the 64 GEMMs. "MACs" here are units of work, not MACs:
//   wino63_in_x400 / wino63_out_x400: 400 transforms of one tile x 4
//     channels = the input (output) transforms of wino3x3_64_28 (25 tiles x
//     16 groups of 4 channels); wino63_out_clamp_x400: the output transform
//     with a clamp; wino63_out_edge_x400: on edge tiles of 6 x 4 pixels,
//     wino63_out_edge6x2_x400 / _edge2x6_x400: 6 x 2 and 2 x 6 (56x56 maps);
//   wino63_gemm_64_25: its 64 GEMMs (Cout 64, 25 tiles, Cin 64), in
//     direct-equivalent MACs of the whole convolution.
#include <algorithm>
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

// winograd63 against im2col on small channel counts and maps: the data for
// winograd63_conv_pays() (src/core/conv_winograd.cpp).
static int wino_pays_reg = [] {
  const int shapes[][3] = {{4, 4, 28}, {4, 16, 28}, {16, 4, 28}, {8, 8, 28}, {16, 16, 28},
                           {8, 8, 14}, {64, 64, 14}, {8, 8, 7}, {32, 32, 7}, {64, 64, 7},
                           {64, 64, 8}, {64, 64, 10}, {64, 64, 12}, {256, 256, 7},
                           {256, 256, 14}, {64, 64, 4}, {64, 64, 5}, {64, 64, 6}, {16, 16, 7},
                           {16, 16, 14}, {8, 8, 10}, {4, 4, 14}, {4, 4, 7}, {3, 16, 56},
                           {3, 32, 28}, {256, 256, 4}, {8, 64, 7}, {64, 8, 7}};
  for (const auto& s : shapes) {
    const std::string tag = std::to_string(s[0]) + "_" + std::to_string(s[1]) + "_" + std::to_string(s[2]);
    add_case(conv_case("pays_wino_" + tag, Algo::Winograd63, s[0], s[1], 3, 1, 1, 1, s[2], s[2]));
    add_case(conv_case("pays_im2col_" + tag, Algo::Im2col, s[0], s[1], 3, 1, 1, 1, s[2], s[2]));
  }
  return 0;
}();

// 400 output transforms of one tile x 4 channels (of 64) into a map x map
// NCHW output: tiles of rows x cols, cut ones placed at the map's edge.
static void out_case(const std::string& name, size_t map, size_t rows, size_t cols, bool clamp) {
  add_case({name, 400, [map, rows, cols, clamp]() -> std::function<void()> {
              auto m = std::make_shared<std::vector<float>>(random_floats(64 * 64 * 16, 6));
              auto y = std::make_shared<std::vector<float>>(64 * map * map);
              return [=] {
                const WinoKernels& wk = *kernels().winograd;
                const size_t plane = map * map;
                size_t at[4];  // tile t's offset in a plane
                for (size_t t = 0; t < 4; t++)
                  at[t] = (rows == 6 ? 6 * t : map - rows) * map + (cols == 6 ? 6 * t : map - cols);
                for (size_t i = 0; i < 400; i++) {
                  WinoOutTile out = {y->data() + (i % 16) * 4 * plane + at[i % 4], rows, cols};
                  wk.output(m->data() + (i % 16) * 4, 64 * 16, out, 4, plane, map, clamp, 0.0f, 6.0f);
                }
              };
            }});
}

static int wino_parts_reg = [] {
  add_case({"wino63_in_x400", 400, []() -> std::function<void()> {
              auto src = std::make_shared<std::vector<float>>(random_floats(8 * 32 * 4 + 64, 5));
              auto dst = std::make_shared<Buffer<float>>(64 * 16 * 64);
              return [=] {
                const WinoKernels& wk = *kernels().winograd;
                for (int i = 0; i < 400; i++)
                  wk.input(src->data() + (i % 4) * 24, 32 * 4, dst->data() + (i % 16) * 4, 16 * 64);
              };
            }});
  // Output transforms of full tiles, with a clamp (ReLU6 layers: the clamped
  // assembly path on aarch64), and edge tiles of a 28x28 map (6 rows x 4
  // columns, the right edge) and of a 56x56 map (9 x 6 full tiles + 2: 6 x 2
  // on the right edge, 2 x 6 on the bottom one).
  out_case("wino63_out_x400", 28, 6, 6, false);
  out_case("wino63_out_clamp_x400", 28, 6, 6, true);
  out_case("wino63_out_edge_x400", 28, 6, 4, false);
  out_case("wino63_out_edge6x2_x400", 56, 6, 2, false);
  out_case("wino63_out_edge2x6_x400", 56, 2, 6, false);
  // The 64 GEMMs alone as conv_winograd.cpp runs them for 64 -> 64 channels,
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

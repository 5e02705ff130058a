// Winograd F(6x6, 3x3) parts, to split the cost of wino3x3_* between the
// transforms and the 64 GEMMs. "MACs" here are units of work, not MACs:
//   wino63_in_x400 / wino63_out_x400: 400 tile-channel-group transforms
//     (100 calls of 4 tiles x 4 channels) = the input (output) transforms of
//     wino3x3_64_28 (25 tiles x 16 groups of 4 channels);
//   wino63_gemm_64_25: its 64 GEMMs (Cout 64, 25 tiles, Cin 64) on a
//     prepacked B, in direct-equivalent MACs of the whole convolution
//     (wino63_gemm_64_24: one tile fewer, no partial NR panel).
#include <memory>
#include <vector>

#include "armconv/armconv.h"
#include "bench_cases.h"
#include "core/buffer.h"
#include "core/dispatch.h"
#include "core/winograd.h"

namespace armconv {
namespace bench {
// insn_bench.cpp
Case conv_case(const std::string& name, Algo algo, int64_t cin, int64_t cout, int64_t k,
               int64_t stride, int64_t pad, int64_t groups, int64_t h, int64_t w);
}  // namespace bench
}  // namespace armconv

using namespace armconv;
using namespace armconv::bench;
using namespace armconv::detail;

// winograd63 against im2col on small channel counts and maps: the data for
// winograd63_conv_pays() (src/core/conv_winograd.cpp).
static int wino_pays_reg = [] {
  const int shapes[][3] = {{4, 4, 28}, {4, 16, 28}, {16, 4, 28}, {8, 8, 28}, {16, 16, 28},
                           {8, 8, 14}, {64, 64, 14}, {8, 8, 7}, {32, 32, 7}, {64, 64, 7},
                           {64, 64, 8}, {64, 64, 10}, {64, 64, 12}, {256, 256, 7},
                           {256, 256, 14}};
  for (const auto& s : shapes) {
    const std::string tag = std::to_string(s[0]) + "_" + std::to_string(s[1]) + "_" + std::to_string(s[2]);
    add_case(conv_case("pays_wino_" + tag, Algo::Winograd63, s[0], s[1], 3, 1, 1, 1, s[2], s[2]));
    add_case(conv_case("pays_im2col_" + tag, Algo::Im2col, s[0], s[1], 3, 1, 1, 1, s[2], s[2]));
  }
  return 0;
}();

static int wino_parts_reg = [] {
  add_case({"wino63_in_x400", 400, []() -> std::function<void()> {
              auto src = std::make_shared<std::vector<float>>(random_floats(8 * 32 * 4 + 64, 5));
              auto dst = std::make_shared<Buffer<float>>(64 * 12 * 64);
              return [=] {
                const WinoKernels& wk = *kernels().winograd;
                const float* s[4] = {src->data(), src->data() + 24, src->data() + 48, src->data() + 72};
                for (int i = 0; i < 100; i++)
                  wk.input(s, 4, 32 * 4, dst->data() + (i % 16) * 4 * 12, 12 * 64, 12);
              };
            }});
  add_case({"wino63_out_x400", 400, []() -> std::function<void()> {
              auto m = std::make_shared<std::vector<float>>(random_floats(64 * 64 * 12, 6));
              auto y = std::make_shared<std::vector<float>>(64 * 28 * 28);
              return [=] {
                const WinoKernels& wk = *kernels().winograd;
                for (int i = 0; i < 100; i++) {
                  WinoOutTile out[4];
                  for (int t = 0; t < 4; t++) out[t] = {y->data() + (i % 16) * 4 * 784 + 6 * t, 6, 6};
                  wk.output(m->data() + (i % 16) * 4 * 12, 64 * 12, 12, 4, out, 4, 784, 28, false, 0, 0);
                }
              };
            }});
  // The 64 GEMMs alone, 25 tiles (2 full NR=12 panels + 1 column) and 24.
  for (size_t n : {25, 24}) {
    add_case({"wino63_gemm_64_" + std::to_string(n), 64.0 * 64 * 28 * 28 * 9,
              [n]() -> std::function<void()> {
                const SgemmKernels& g = *kernels().sgemm;
                const size_t m = 64, k = 64;
                auto a = std::make_shared<Buffer<float>>(64 * round_up(m, g.mr) * k);
                auto b = std::make_shared<Buffer<float>>(64 * round_up(n, g.nr) * k);
                auto c = std::make_shared<Buffer<float>>(64 * m * 28);
                auto bias = std::make_shared<Buffer<float>>(round_up(m, g.mr));
                auto r = random_floats(a->size(), 7);
                std::copy(r.begin(), r.end(), a->data());
                r = random_floats(b->size(), 8);
                std::copy(r.begin(), r.end(), b->data());
                return [=, &g] {
                  const SgemmBlocking blk = sgemm_blocking(g, m, n, k);
                  for (size_t p = 0; p < 64; p++) {
                    BSource src;
                    src.packed = b->data() + p * round_up(n, g.nr) * k;
                    sgemm_run(g, blk, m, n, k, a->data() + p * round_up(m, g.mr) * k,
                              bias->data(), src, c->data() + p * m * 28, 28, false, 0, 0, nullptr);
                  }
                };
              }});
  }
  return 0;
}();

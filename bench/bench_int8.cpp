// int8 benchmark cases (issue 6): the int8 GEMM with packed weights and
// quantized 1x1 / 3x3 convolutions. Weights are packed in set-up; a call
// packs B (or the im2col panels), runs the micro-kernels and stores.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "armconv/quant.h"
#include "bench_cases.h"
#include "core/buffer.h"
#include "core/dispatch.h"
#include "core/gemm.h"

namespace {

using namespace armconv;
using namespace armconv::bench;

std::vector<int8_t> random_s8(size_t n, unsigned seed) {
  std::vector<int8_t> v(n);
  unsigned s = seed * 2654435761u + 7;
  for (auto& x : v) {
    s = s * 1664525u + 1013904223u;
    x = int8_t(int(s >> 9) % 255 - 127);
  }
  return v;
}

// int8 GEMM 256^3, int32 output: A packed once (a layer's weights), B per call.
Case gemm_case() {
  Case c;
  c.name = "gemm_s8_256";
  c.macs = 256.0 * 256 * 256;
  c.setup = []() -> std::function<void()> {
    using namespace armconv::detail;
    const size_t n = 256;
    const S8GemmKernels& kern = *kernels().gemm_s8;
    auto a = random_s8(n * n, 1);
    auto b = std::make_shared<std::vector<int8_t>>(random_s8(n * n, 2));
    auto cm = std::make_shared<std::vector<int32_t>>(n * n);
    const GemmPlan plan = gemm_plan(kern, n, n, n, false);
    auto pa = std::make_shared<Buffer<int8_t>>(round_up(n, kern.mr) * plan.kp);
    auto bias = std::make_shared<Buffer<int32_t>>(n);
    kern.pack_a(n, n, a.data(), n, pa->data());
    auto ws = std::make_shared<Buffer<unsigned char>>(plan.scratch_bytes);
    return [=, &kern] {
      GemmB<S8Gemm> src;
      src.b = b->data();
      src.ldb = n;
      S8Output out;
      out.bias = bias->data();
      gemm_run(kern, plan, pa->data(), src, cm->data(), n, out, 0, plan.units(), ws->data());
    };
  };
  return c;
}

int reg = [] {
  add_case(gemm_case());
  add_case(qconv_case("qconv1x1_64_56", conv_params(64, 64, 1, 1, 0), 56, 56, false));
  add_case(qconv_case("qconv1x1_64_56_f32", conv_params(64, 64, 1, 1, 0), 56, 56, true));
  add_case(qconv_case("qconv3x3_32_64_56", conv_params(32, 64, 3, 1, 1), 56, 56, false));
  // The int8 3x3 stride-1 families forced (the planner's auto picks between them):
  // Winograd F(2,3) and im2col, int8 and float output.
  add_case(qconv_case("qwino23_32_64_56", conv_params(32, 64, 3, 1, 1), 56, 56, false, Algo::Winograd23));
  add_case(qconv_case("qwino23_32_64_56_f32", conv_params(32, 64, 3, 1, 1), 56, 56, true, Algo::Winograd23));
  add_case(qconv_case("qim2col3x3_32_64_56", conv_params(32, 64, 3, 1, 1), 56, 56, false, Algo::Im2col));
  // The counts the int8 planner's cost models are fitted to (winograd_s8_conv_cost,
  // im2col_s8_conv_cost): 3x3 stride 1, padding 1, relu, int8 output, Cin->Cout on a map.
  const int64_t fit[][3] = {{256, 256, 14}, {512, 512, 7}, {64, 64, 56}, {128, 128, 28}, {16, 16, 8},
                            {8, 24, 3}, {64, 64, 2}, {128, 64, 1}, {3, 16, 32}, {32, 32, 14}, {24, 40, 5}};
  for (const auto& f : fit)
    for (Algo a : {Algo::Winograd23, Algo::Im2col})
      add_case(qconv_case(std::string("qpays_") + (a == Algo::Im2col ? "im2col" : "wino23") + "_" +
                              std::to_string(f[0]) + "_" + std::to_string(f[1]) + "_" + std::to_string(f[2]),
                          conv_params(f[0], f[1], 3, 1, 1, 1, 0.0f), f[2], f[2], false, a));
  return 0;
}();

}  // namespace

namespace armconv {
namespace bench {

// A quantized convolution layer (int8 input; int8 output, or float32 when
// float_out), weights quantized and packed in set-up.
Case qconv_case(const std::string& name, const Conv2dParams& p, int64_t h, int64_t w, bool float_out, Algo algo) {
  int64_t ho, wo;
  output_size(p, h, w, &ho, &wo);
  const int64_t cin = p.in_channels, cout = p.out_channels, cg = cin / p.groups;
  const int64_t kk = p.kernel_h * p.kernel_w;
  Case c;
  c.name = name;
  c.macs = double(cout) * ho * wo * cg * kk;
  auto made = std::make_shared<std::shared_ptr<QConv2d>>();
  c.setup = [=]() -> std::function<void()> {
    auto wt = random_floats(size_t(cout * cg * kk), 1);
    auto bias = random_floats(size_t(cout), 2);
    auto x = std::make_shared<std::vector<int8_t>>(random_s8(size_t(cin * h * w), 3));
    auto layer = std::make_shared<QConv2d>(p, wt.data(), bias.data(), 0.02f, float_out ? 0.0f : 0.05f, algo);
    *made = layer;
    if (float_out) {
      auto y = std::make_shared<std::vector<float>>(size_t(cout * ho * wo));
      return [=] { layer->run(x->data(), 1, h, w, y->data()); };
    }
    auto y = std::make_shared<std::vector<int8_t>>(size_t(cout * ho * wo));
    return [=] { layer->run(x->data(), 1, h, w, y->data()); };
  };
  c.info = [=] { return *made ? plan_info(**made, h, w) : std::string(); };
  return c;
}

}  // namespace bench
}  // namespace armconv

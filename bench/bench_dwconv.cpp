// Depthwise 3x3 cases beyond the two (dw3x3s1_64_56, dw3x3s2_64_56 in
// insn_bench.cpp): the MobileNet v1 depthwise layers at 224x224 input, and a
// tall map (x4 rows) that separates the per-row cost from the per-plane one.
#include <memory>
#include <vector>

#include "armconv/armconv.h"
#include "bench_cases.h"

namespace {

using namespace armconv;
using armconv::bench::Case;

Case dw_case(const std::string& name, int64_t c, int64_t stride, int64_t h, int64_t w,
             bool relu6) {
  Conv2dParams p;
  p.in_channels = p.out_channels = p.groups = c;
  p.kernel_h = p.kernel_w = 3;
  p.stride_h = p.stride_w = stride;
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
  if (relu6) {
    p.clamp = true;
    p.out_min = 0.0f;
    p.out_max = 6.0f;
  }
  int64_t ho, wo;
  output_size(p, h, w, &ho, &wo);
  Case cs;
  cs.name = name;
  cs.macs = double(c) * ho * wo * 9;
  cs.setup = [=]() -> std::function<void()> {
    auto wt = bench::random_floats(size_t(c * 9), 1);
    auto bias = bench::random_floats(size_t(c), 2);
    auto x = std::make_shared<std::vector<float>>(bench::random_floats(size_t(c * h * w), 3));
    auto y = std::make_shared<std::vector<float>>(size_t(c * ho * wo));
    auto layer = std::make_shared<Conv2d>(p, wt.data(), bias.data(), Algo::Depthwise3x3);
    return [=] { layer->run(x->data(), 1, h, w, y->data()); };
  };
  return cs;
}

int reg = [] {
  bench::add_case(dw_case("dw3x3s1_64_224x56", 64, 1, 224, 56, false));
  bench::add_case(dw_case("dw3x3s2_64_224x56", 64, 2, 224, 56, false));
  // MobileNet v1 (224x224 input), relu6 fused.
  bench::add_case(dw_case("mbv1_dw_s1_32_112", 32, 1, 112, 112, true));
  bench::add_case(dw_case("mbv1_dw_s2_64_112", 64, 2, 112, 112, true));
  bench::add_case(dw_case("mbv1_dw_s1_128_56", 128, 1, 56, 56, true));
  bench::add_case(dw_case("mbv1_dw_s2_128_56", 128, 2, 56, 56, true));
  bench::add_case(dw_case("mbv1_dw_s1_256_28", 256, 1, 28, 28, true));
  bench::add_case(dw_case("mbv1_dw_s2_256_28", 256, 2, 28, 28, true));
  bench::add_case(dw_case("mbv1_dw_s1_512_14", 512, 1, 14, 14, true));
  bench::add_case(dw_case("mbv1_dw_s2_512_14", 512, 2, 14, 14, true));
  bench::add_case(dw_case("mbv1_dw_s1_1024_7", 1024, 1, 7, 7, true));
  return 0;
}();

}  // namespace

// Half-precision layers (Precision::Fp16; issue 15's shapes): each case in two
// forms, `fp16_<shape>` with float32 input and output (the image converted
// while it is packed, the result widened when stored) and `fp16_<shape>_h`
// with binary16 input and output (what ncnn's fp16 figures measure: its
// fp16 storage). On a CPU without fp16 vector arithmetic these run the fp32
// kernels (the layer says so): count them on cortex-a76. (No Winograd
// case: Winograd has no fp16 kernels yet, its fp16 layers run fp32.)
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "armconv/armconv.h"
#include "bench_cases.h"
#include "core/half.h"

namespace {

using namespace armconv;
using armconv::bench::Case;

Case fp16_case(const std::string& name, Algo algo, const Conv2dParams& p, int64_t h, int64_t w,
               bool half_io) {
  int64_t ho, wo;
  output_size(p, h, w, &ho, &wo);
  const int64_t cin = p.in_channels, cout = p.out_channels, cg = cin / p.groups;
  Case c;
  c.name = name + (half_io ? "_h" : "");
  c.macs = double(cout) * ho * wo * cg * p.kernel_h * p.kernel_w;
  c.setup = [=]() -> std::function<void()> {
    auto wt = bench::random_floats(size_t(cout * cg * p.kernel_h * p.kernel_w), 1);
    auto bias = bench::random_floats(size_t(cout), 2);
    auto layer = std::make_shared<Conv2d>(p, wt.data(), bias.data(), algo, Precision::Fp16);
    const auto xf = bench::random_floats(size_t(cin * h * w), 3);
    if (half_io) {
      auto x = std::make_shared<std::vector<Half>>(xf.size());
      for (size_t i = 0; i < xf.size(); i++) (*x)[i] = detail::float_to_half(xf[i]);
      auto y = std::make_shared<std::vector<Half>>(size_t(cout * ho * wo));
      return [=] { layer->run(x->data(), 1, h, w, y->data()); };
    }
    auto x = std::make_shared<std::vector<float>>(xf);
    auto y = std::make_shared<std::vector<float>>(size_t(cout * ho * wo));
    return [=] { layer->run(x->data(), 1, h, w, y->data()); };
  };
  return c;
}

void add(const std::string& name, Algo algo, const Conv2dParams& p, int64_t h, int64_t w) {
  bench::add_case(fp16_case(name, algo, p, h, w, false));
  bench::add_case(fp16_case(name, algo, p, h, w, true));
}

int reg = [] {
  using bench::conv_params;
  add("fp16_conv1x1_64_56", Algo::Auto, conv_params(64, 64, 1, 1, 0), 56, 56);
  add("fp16_conv1x1_128_28", Algo::Auto, conv_params(128, 128, 1, 1, 0), 28, 28);
  add("fp16_gemm_256", Algo::Gemm, conv_params(256, 256, 1, 1, 0), 16, 16);  // GEMM 256^3 as a 1x1 layer
  add("fp16_conv3x3s2_32_64_56", Algo::Im2col, conv_params(32, 64, 3, 2, 1), 56, 56);
  add("fp16_im2col3x3_64_28", Algo::Im2col, conv_params(64, 64, 3, 1, 1), 28, 28);
  add("fp16_dw3x3s1_64_56", Algo::Depthwise3x3, conv_params(64, 64, 3, 1, 1, 64), 56, 56);
  add("fp16_dw3x3s2_64_56", Algo::Depthwise3x3, conv_params(64, 64, 3, 2, 1, 64), 56, 56);
  return 0;
}();

}  // namespace

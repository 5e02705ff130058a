// Depthwise 3x3 cases beyond the two (dw3x3s1_64_56, dw3x3s2_64_56 in
// insn_bench.cpp): the MobileNet v1 depthwise layers at 224x224 input, and a
// tall map (x4 rows) that separates the per-row cost from the per-plane one.
#include <limits>
#include <string>

#include "armconv/armconv.h"
#include "bench_cases.h"

namespace {

using namespace armconv;
using armconv::bench::Case;

Case dw_case(const std::string& name, int64_t c, int64_t stride, int64_t h, int64_t w,
             bool relu6) {
  const float hi = relu6 ? 6.0f : std::numeric_limits<float>::infinity();
  const float lo = relu6 ? 0.0f : -std::numeric_limits<float>::infinity();
  return bench::conv_case(name, Algo::Depthwise3x3, bench::conv_params(c, c, 3, stride, 1, c, lo, hi), h, w);
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

// Strassen (Algo::Strassen, core/strassen.h) against the plain GEMM on every
// distinct 1x1 layer of torchvision's MobileNetV2 (224x224, batch 1; relu6
// after the expansions, none after the projections): strassen_<cin>_<cout>_<map>
// forces Strassen, gemm1x1_<cin>_<cout>_<map> the GEMM (what `auto` ran
// before Strassen existed; the planner's basis, conv_strassen.cpp).
#include <limits>
#include <string>

#include "armconv/armconv.h"
#include "bench_cases.h"

namespace {

using namespace armconv;
using namespace armconv::bench;

struct Pw {
  int64_t cin, cout, h;
  bool relu6;
};

// (the count of each in the network: README table)
const Pw kMbv2Pointwise[] = {
    {32, 16, 112, false},  {16, 96, 112, true},  {96, 24, 56, false},  {24, 144, 56, true},
    {144, 24, 56, false},  {144, 32, 28, false}, {32, 192, 28, true},  {192, 32, 28, false},
    {192, 64, 14, false},  {64, 384, 14, true},  {384, 64, 14, false}, {384, 96, 14, false},
    {96, 576, 14, true},   {576, 96, 14, false}, {576, 160, 7, false}, {160, 960, 7, true},
    {960, 160, 7, false},  {960, 320, 7, false}, {320, 1280, 7, true},
};

int reg = [] {
  const float inf = std::numeric_limits<float>::infinity();
  for (const Pw& l : kMbv2Pointwise) {
    const Conv2dParams p = conv_params(l.cin, l.cout, 1, 1, 0, 1, l.relu6 ? 0.0f : -inf, l.relu6 ? 6.0f : inf);
    const std::string tag = std::to_string(l.cin) + "_" + std::to_string(l.cout) + "_" + std::to_string(l.h);
    add_case(conv_case("strassen_" + tag, Algo::Strassen, p, l.h, l.h));
    add_case(conv_case("gemm1x1_" + tag, Algo::Gemm, p, l.h, l.h));
  }
  return 0;
}();

}  // namespace

// float32 -> int8 quantization (src/core/quantize.h: the input of an int8
// layer in the model runner, armconv::quantize), per tensor. "MACs" here:
// elements, so MACs per instruction reads as elements per instruction.
#include <memory>
#include <string>
#include <vector>

#include "bench_cases.h"
#include "core/dispatch.h"

namespace {

using namespace armconv;
using armconv::bench::Case;

Case quantize_case(const std::string& name, size_t n) {
  Case cs;
  cs.name = name;
  cs.macs = double(n);
  cs.setup = [=]() -> std::function<void()> {
    auto x = std::make_shared<std::vector<float>>(bench::random_floats(n, 5));
    auto q = std::make_shared<std::vector<int8_t>>(n);
    const float scale = 2.0f / 127.0f;
    return [=] { quantize(x->data(), q->data(), 1, 1, int64_t(n), &scale); };
  };
  cs.info = [] { return std::string("kernel=") + detail::kernels().quantize->name; };
  return cs;
}

const int reg = [] {
  // ResNet-18's 64x56x56 activations; MobileNetV2's 24x56x56 block input.
  bench::add_case(quantize_case("quantize_64_56", 64 * 56 * 56));
  bench::add_case(quantize_case("quantize_24_56", 24 * 56 * 56));
  return 0;
}();

}  // namespace

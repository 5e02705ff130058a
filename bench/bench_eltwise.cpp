// Elementwise cases (src/core/eltwise.h; the int8 Add, src/core/add_s8.h), as
// the model runner calls them: in place into the first operand. "MACs" here: elements, so MACs per
// instruction reads as elements per instruction.
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "bench_cases.h"
#include "core/add_s8.h"
#include "core/eltwise.h"

namespace {

using namespace armconv;
using armconv::bench::Case;
using detail::EltBroadcast;
using detail::EltOp;

Case eltwise_case(const std::string& name, EltOp op, EltBroadcast bc, size_t outer, size_t mid, size_t inner,
                  float lo, float hi) {
  Case cs;
  cs.name = name;
  const size_t total = outer * mid * inner;
  cs.macs = double(total);
  cs.setup = [=]() -> std::function<void()> {
    const size_t bn = bc == EltBroadcast::Same ? total : bc == EltBroadcast::Mid ? mid : 1;
    auto a = std::make_shared<std::vector<float>>(bench::random_floats(total, 3));
    auto b = std::make_shared<std::vector<float>>(bench::random_floats(bn, 4));
    return [=] { detail::eltwise(op, bc, outer, mid, inner, a->data(), b->data(), a->data(), lo, hi); };
  };
  cs.info = [] { return std::string("kernel=") + detail::eltwise_kernel_name(); };
  return cs;
}

// The int8 Add of an int8 model's residual stream, in place into b (the
// projection's output, as the model runner runs it).
Case add_s8_case(const std::string& name, size_t n) {
  Case cs;
  cs.name = name;
  cs.macs = double(n);
  cs.setup = [=]() -> std::function<void()> {
    auto a = std::make_shared<std::vector<int8_t>>(n), b = std::make_shared<std::vector<int8_t>>(n);
    const std::vector<float> ra = bench::random_floats(n, 3), rb = bench::random_floats(n, 4);
    for (size_t i = 0; i < n; i++) (*a)[i] = int8_t(ra[i] * 100.0f), (*b)[i] = int8_t(rb[i] * 100.0f);
    detail::AddS8Params p;
    detail::add_s8_params(0.031f, 0.017f, 0.043f, -127, &p);
    return [=] { detail::add_s8(p, a->data(), b->data(), b->data(), n); };
  };
  cs.info = [] { return std::string("kernel=") + detail::add_s8_kernel_name(); };
  return cs;
}

const int reg = [] {
  const float inf = std::numeric_limits<float>::infinity();
  // ResNet-18's first residual Add + ReLU: 64x56x56, in place.
  bench::add_case(eltwise_case("add_relu_64_56", EltOp::Add, EltBroadcast::Same, 1, 1, 64 * 56 * 56, 0.0f, inf));
  // MobileNetV2's first residual Add (no activation): 24x56x56.
  bench::add_case(eltwise_case("add_24_56", EltOp::Add, EltBroadcast::Same, 1, 1, 24 * 56 * 56, -inf, inf));
  // A per-channel Mul (squeeze-and-excitation scaling): 96x28x28 by 96 values.
  bench::add_case(eltwise_case("mul_chan_96_28", EltOp::Mul, EltBroadcast::Mid, 1, 96, 28 * 28, -inf, inf));
  // The same Add int8 (add_s8.h).
  bench::add_case(add_s8_case("add_s8_24_56", 24 * 56 * 56));
  return 0;
}();

}  // namespace

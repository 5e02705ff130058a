// Pooling cases (armconv::pool2d, src/core/pool.h). "MACs" here: window
// elements folded (outputs x kernel area), so MACs per instruction reads as
// elements per instruction.
#include <memory>
#include <string>
#include <vector>

#include "armconv/pool.h"
#include "bench_cases.h"

namespace {

using namespace armconv;
using armconv::bench::Case;

Case pool_case(const std::string& name, PoolKind kind, int64_t c, int64_t h, int64_t k, int64_t s,
               int64_t pad, bool global = false) {
  Pool2dParams p;
  p.kind = kind;
  p.kernel_h = p.kernel_w = global ? h : k;
  p.stride_h = p.stride_w = global ? 1 : s;
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = global ? 0 : pad;
  int64_t ho, wo;
  pool_output_size(p, h, h, &ho, &wo);
  Case cs;
  cs.name = name;
  cs.macs = double(c) * double(ho * wo) * double(p.kernel_h * p.kernel_w);
  cs.setup = [=]() -> std::function<void()> {
    auto x = std::make_shared<std::vector<float>>(bench::random_floats(size_t(c * h * h), 3));
    auto y = std::make_shared<std::vector<float>>(size_t(c * ho * wo));
    return [=] { pool2d(p, x->data(), 1, c, h, h, y->data()); };
  };
  cs.info = [] { return std::string("kernel=") + pool_kernel_name(); };
  return cs;
}

const int reg = [] {
  // ResNet-18/50's stem pool: 64x112x112 -> 56x56 (the fused 3x3 stride-2 max).
  bench::add_case(pool_case("maxpool3x3s2_64_112", PoolKind::Max, 64, 112, 3, 2, 1));
  // VGG's 2x2 stride 2 and a 3x3 stride 1 (Inception branches): staged rows.
  bench::add_case(pool_case("maxpool2x2s2_64_56", PoolKind::Max, 64, 56, 2, 2, 0));
  bench::add_case(pool_case("maxpool3x3s1_64_28", PoolKind::Max, 64, 28, 3, 1, 1));
  bench::add_case(pool_case("avgpool3x3s1_64_28", PoolKind::Average, 64, 28, 3, 1, 1));
  // MobileNetV2's global average pool: 1280x7x7.
  bench::add_case(pool_case("gavgpool_1280_7", PoolKind::Average, 1280, 7, 7, 1, 0, true));
  return 0;
}();

}  // namespace

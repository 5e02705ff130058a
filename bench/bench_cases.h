// Benchmark case registry for insn_bench (other files may add cases with
// `static int x = armconv::bench::add_case(...)`).
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace armconv {
namespace bench {

struct Case {
  std::string name;
  double macs;  // multiply-accumulates one call performs (direct-convolution equivalent)
  // Set-up (packing weights, allocating) happens here; the returned function is one call.
  std::function<std::function<void()>()> setup;
};

int add_case(Case c);
std::vector<float> random_floats(size_t n, unsigned seed);

}  // namespace bench
}  // namespace armconv

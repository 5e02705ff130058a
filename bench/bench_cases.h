// Benchmark case registry for insn_bench (other files may add cases with
// `static int x = armconv::bench::add_case(...)`).
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "armconv/armconv.h"
#include "armconv/quant.h"

namespace armconv {
namespace bench {

struct Case {
  std::string name;
  double macs;  // multiply-accumulates one call performs (direct-convolution equivalent)
  // Set-up (packing weights, allocating) happens here; the returned function is one call.
  std::function<std::function<void()>()> setup;
  // After setup(): what a call runs ("algo=... units=... team=..."), or "".
  std::function<std::string()> info;
};

int add_case(Case c);
std::vector<float> random_floats(size_t n, unsigned seed);

// Square kernel, stride and padding; output clamped to [out_min, out_max]
// when either is finite (relu: 0, inf; relu6: 0, 6).
Conv2dParams conv_params(int64_t cin, int64_t cout, int64_t k, int64_t stride, int64_t pad,
                         int64_t groups = 1, float out_min = -std::numeric_limits<float>::infinity(),
                         float out_max = std::numeric_limits<float>::infinity());
// A float32 layer on one h x w image: weights packed in set-up, a call is layer.run.
Case conv_case(const std::string& name, Algo algo, const Conv2dParams& p, int64_t h, int64_t w);
Case conv_case(const std::string& name, Algo algo, int64_t cin, int64_t cout, int64_t k,
               int64_t stride, int64_t pad, int64_t groups, int64_t h, int64_t w);
// A quantized layer (QConv2d, int8 input): int8 output, or float32 when float_out.
// algo: QConv2d's (Auto: the planner's choice).
Case qconv_case(const std::string& name, const Conv2dParams& p, int64_t h, int64_t w, bool float_out,
                Algo algo = Algo::Auto);
// A layer from a spec: "conv:CIN,COUT,K,S,P,G,H,W[,relu|relu6]" (float32) or
// "qconv:..." (int8 in and out; "qconv_winograd23:...", "qconv_im2col:..."
// force that algorithm); false if `spec` is not one.
bool spec_case(const std::string& spec, Case* c);
// "balance:ALGO:SPEC:T[:P]": each (stage, worker) range of a plan on a guest
// thread of its own (bench/bench_balance.cpp); false if `name` is not one.
bool balance_case(const std::string& name, Case* c);
// "algo=NAME units=U team=T" of a layer's call at the current thread count.
std::string plan_info(const Conv2d& layer, int64_t h, int64_t w);
std::string plan_info(const QConv2d& layer, int64_t h, int64_t w);

}  // namespace bench
}  // namespace armconv

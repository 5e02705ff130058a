// insn_bench: runs one benchmark case, for counting executed instructions
// under qemu-user with armconv's counter (bench/insncount.py). Set-up (weights
// packed, buffers allocated) and one warm-up call run first (it also starts
// the thread pool's workers); then REPS calls run between the counter's
// region marks (bench/counter/marks.h), so the count is REPS calls exactly:
// everything a call does, input packing and output stores included, and
// nothing else. THREADS (default 1) is set with set_num_threads() before the
// set-up; the pool's waiting is left out by the counter (bench/qcount.py
// POOL_WAIT_MARKS), so each thread's count is its work.
//
//   insn_bench list                 names, MACs per call
//   insn_bench CASE REPS [THREADS]  run; CASE may be a layer spec (spec_case)
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "armconv/armconv.h"
#include "bench_cases.h"
#include "core/buffer.h"
#include "core/conv_impl.h"
#include "core/dispatch.h"
#include "core/gemm.h"
#include "marks.h"

namespace armconv {
namespace bench {

std::vector<Case>& registry() {
  static std::vector<Case> cases;
  return cases;
}

int add_case(Case c) {
  registry().push_back(std::move(c));
  return 0;
}

std::vector<float> random_floats(size_t n, unsigned seed) {
  std::vector<float> v(n);
  unsigned s = seed * 2654435761u + 1;
  for (auto& f : v) {
    s = s * 1664525u + 1013904223u;
    f = float(int(s >> 9) % 2001 - 1000) / 1000.0f;
  }
  return v;
}

Conv2dParams conv_params(int64_t cin, int64_t cout, int64_t k, int64_t stride, int64_t pad,
                         int64_t groups, float out_min, float out_max) {
  Conv2dParams p;
  p.in_channels = cin;
  p.out_channels = cout;
  p.kernel_h = p.kernel_w = k;
  p.stride_h = p.stride_w = stride;
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = pad;
  p.groups = groups;
  p.clamp = out_min > -std::numeric_limits<float>::infinity() ||
            out_max < std::numeric_limits<float>::infinity();
  p.out_min = out_min;
  p.out_max = out_max;
  return p;
}

Case conv_case(const std::string& name, Algo algo, const Conv2dParams& p, int64_t h, int64_t w) {
  int64_t ho, wo;
  output_size(p, h, w, &ho, &wo);
  const int64_t cin = p.in_channels, cout = p.out_channels, cg = cin / p.groups;
  Case c;
  c.name = name;
  c.macs = double(cout) * ho * wo * cg * p.kernel_h * p.kernel_w;
  auto made = std::make_shared<std::shared_ptr<Conv2d>>();
  c.setup = [=]() -> std::function<void()> {
    auto wt = random_floats(size_t(cout * cg * p.kernel_h * p.kernel_w), 1);
    auto bias = random_floats(size_t(cout), 2);
    auto x = std::make_shared<std::vector<float>>(random_floats(size_t(cin * h * w), 3));
    auto y = std::make_shared<std::vector<float>>(size_t(cout * ho * wo));
    auto layer = std::make_shared<Conv2d>(p, wt.data(), bias.data(), algo);
    *made = layer;
    return [=] { layer->run(x->data(), 1, h, w, y->data()); };
  };
  c.info = [=] { return *made ? plan_info(**made, h, w) : std::string(); };
  return c;
}

// What a call runs (the plan and team run_all takes), for bench/threads_bench.py:
// its work (MACs x the family's cost per MAC) and the work below which a
// thread is not worth waking (threads.h), so a one-thread call can be told
// apart from a plan's accident.
std::string plan_info(const detail::ConvPlan& pl, int team) {
  return std::string("algo=") + pl.algo + " units=" + std::to_string(pl.units) + " team=" +
         std::to_string(team) + " stages=" + std::to_string(pl.stages) + " work=" +
         std::to_string(static_cast<long long>(pl.work())) +
         " min_work_per_thread=" + std::to_string(static_cast<long long>(detail::kMinOpsPerThread));
}

std::string plan_info(const Conv2d& layer, int64_t h, int64_t w) {
  int team = 1;
  const detail::ConvPlan pl = detail::PlanAccess::plan(layer, 1, h, w, &team);
  return plan_info(pl, team);
}

std::string plan_info(const QConv2d& layer, int64_t h, int64_t w) {
  int team = 1;
  const detail::ConvPlan pl = detail::PlanAccess::plan(layer, 1, h, w, &team);
  return plan_info(pl, team);
}

// "conv:CIN,COUT,K,S,P,G,H,W[,relu|relu6]": padding P on every side, square
// kernel and map.
bool spec_case(const std::string& spec, Case* c) {
  const size_t colon = spec.find(':');
  if (colon == std::string::npos) return false;
  const std::string kind = spec.substr(0, colon);
  if (kind != "conv" && kind != "qconv" && kind != "qconv_winograd23" && kind != "qconv_im2col") return false;
  std::vector<std::string> f;
  for (size_t i = colon + 1;;) {
    const size_t j = spec.find(',', i);
    f.push_back(spec.substr(i, j == std::string::npos ? std::string::npos : j - i));
    if (j == std::string::npos) break;
    i = j + 1;
  }
  if (f.size() != 8 && f.size() != 9) return false;
  int64_t v[8];
  for (int i = 0; i < 8; i++) v[i] = std::atoll(f[size_t(i)].c_str());
  const float inf = std::numeric_limits<float>::infinity();
  float lo = -inf, hi = inf;
  if (f.size() == 9) {
    if (f[8] == "relu") lo = 0.0f;
    else if (f[8] == "relu6") lo = 0.0f, hi = 6.0f;
    else return false;
  }
  const Conv2dParams p = conv_params(v[0], v[1], v[2], v[3], v[4], v[5], lo, hi);
  const Algo qalgo = kind == "qconv_winograd23" ? Algo::Winograd23 : kind == "qconv_im2col" ? Algo::Im2col : Algo::Auto;
  *c = kind == "conv" ? conv_case(spec, Algo::Auto, p, v[6], v[7]) : qconv_case(spec, p, v[6], v[7], false, qalgo);
  return true;
}

Case conv_case(const std::string& name, Algo algo, int64_t cin, int64_t cout, int64_t k,
               int64_t stride, int64_t pad, int64_t groups, int64_t h, int64_t w) {
  return conv_case(name, algo, conv_params(cin, cout, k, stride, pad, groups), h, w);
}

}  // namespace bench
}  // namespace armconv

using namespace armconv;
using namespace armconv::bench;

// fp32 GEMM 256^3 with A packed once (the weights of a layer), B packed per call.
static int gemm_reg = add_case([] {
  Case c;
  c.name = "sgemm_256";
  c.macs = 256.0 * 256 * 256;
  c.setup = []() -> std::function<void()> {
    using namespace armconv::detail;
    const size_t n = 256;
    const SgemmKernels& kern = *kernels().sgemm;
    auto a = random_floats(n * n, 1);
    auto b = std::make_shared<std::vector<float>>(random_floats(n * n, 2));
    auto cm = std::make_shared<std::vector<float>>(n * n);
    const GemmPlan plan = gemm_plan(kern, n, n, n, false);
    auto pa = std::make_shared<Buffer<float>>(round_up(n, kern.mr) * plan.kp);
    auto bias = std::make_shared<Buffer<float>>(n);
    kern.pack_a(n, n, a.data(), n, pa->data());
    auto ws = std::make_shared<Buffer<unsigned char>>(plan.scratch_bytes);
    return [=, &kern] {
      GemmB<F32Gemm> src;
      src.b = b->data();
      src.ldb = n;
      F32Output out;
      out.bias = bias->data();
      gemm_run(kern, plan, pa->data(), src, cm->data(), n, out, 0, plan.units(), ws->data());
    };
  };
  return c;
}());

// The public sgemm() on 256^3: A packed per call (in parallel with threads), then the GEMM.
static int gemm_api_reg = add_case([] {
  Case c;
  c.name = "sgemm_api_256";
  c.macs = 256.0 * 256 * 256;
  c.setup = []() -> std::function<void()> {
    const int64_t n = 256;
    auto a = std::make_shared<std::vector<float>>(random_floats(n * n, 1));
    auto b = std::make_shared<std::vector<float>>(random_floats(n * n, 2));
    auto cm = std::make_shared<std::vector<float>>(n * n);
    return [=] { sgemm(n, n, n, a->data(), n, b->data(), n, cm->data(), n); };
  };
  return c;
}());

static int conv_reg = [] {
  add_case(conv_case("conv1x1_64_56", Algo::Auto, 64, 64, 1, 1, 0, 1, 56, 56));
  add_case(conv_case("conv1x1_128_28", Algo::Auto, 128, 128, 1, 1, 0, 1, 28, 28));
  add_case(conv_case("conv3x3s2_32_64_56", Algo::Im2col, 32, 64, 3, 2, 1, 1, 56, 56));
  add_case(conv_case("dw3x3s1_64_56", Algo::Depthwise3x3, 64, 64, 3, 1, 1, 64, 56, 56));
  add_case(conv_case("dw3x3s2_64_56", Algo::Depthwise3x3, 64, 64, 3, 2, 1, 64, 56, 56));
  add_case(conv_case("wino3x3_64_28", Algo::Winograd63, 64, 64, 3, 1, 1, 1, 28, 28));
  add_case(conv_case("wino3x3_32_56", Algo::Winograd63, 32, 32, 3, 1, 1, 1, 56, 56));
  add_case(conv_case("im2col3x3_64_28", Algo::Im2col, 64, 64, 3, 1, 1, 1, 28, 28));
  // A 5x5 layer (im2col of a kernel wider than 3).
  add_case(conv_case("conv5x5_16_32_28", Algo::Auto, 16, 32, 5, 1, 2, 1, 28, 28));
  return 0;
}();

int main(int argc, char** argv) {
  if (argc == 2 && !std::strcmp(argv[1], "list")) {
    for (const Case& c : registry()) std::printf("%s %.0f\n", c.name.c_str(), c.macs);
    return 0;
  }
  if (argc != 3 && argc != 4) {
    std::fprintf(stderr, "usage: insn_bench list | insn_bench CASE REPS [THREADS]\n");
    return 2;
  }
  Case spec;
  const bool is_spec = spec_case(argv[1], &spec) || balance_case(argv[1], &spec);
  if (is_spec) registry().push_back(spec);
  for (const Case& c : registry()) {
    if (c.name != argv[1]) continue;
    try {
      set_num_threads(argc == 4 ? std::atoi(argv[3]) : 1);
      auto run = c.setup();
      const long reps = std::atol(argv[2]);
      run();  // warm-up: first-call costs (lazy initialisation, first allocations)
      armconv_mark_region_on();
      for (long r = 0; r < reps; r++) run();
      armconv_mark_region_off();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s: %s\n", c.name.c_str(), e.what());
      return 1;
    }
    if (c.info) std::fprintf(stderr, "plan: %s\n", c.info().c_str());
    CpuInfo info = cpu_info();
    std::printf("%s sgemm=%s dw3x3=%s winograd=%s gemm_s8=%s", info.arch.c_str(),
                info.sgemm.c_str(), info.depthwise3x3.c_str(), info.winograd.c_str(),
                info.gemm_s8.c_str());
    if (!info.hgemm.empty())  // where the fp16 kernels run
      std::printf(" hgemm=%s dw3x3_fp16=%s", info.hgemm.c_str(), info.depthwise3x3_fp16.c_str());
    std::printf("\n");
    return 0;
  }
  std::fprintf(stderr, "unknown case %s\n", argv[1]);
  return 2;
}

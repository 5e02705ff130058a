// insn_bench's "balance:" cases (bench/stage_balance.py): a layer's plan for
// a team of P threads, each stage's units split for a team of T as run_all
// splits them (split_units), and every (stage, worker) range run on a guest
// thread of its own, started in that order and kept alive to the end, so
// that qemu-user numbers them 1, 2, ... (a new thread takes the lowest index
// above every live one) and the counter reports each range's instructions
// apart: vCPU 1 + s T + w is stage s, worker w.
//
//   "balance:ALGO:CIN,COUT,K,S,P,G,H,W[,relu|relu6]:T[:P]"   (P: T unless given)
//
// ALGO is the family to build directly (winograd23/43/63, winograd23s2/43s2,
// winograd63+23, winograd63+43, winograd43+23, winograd43s2+23s2, im2col,
// gemm, dw3x3). Stage s's ranges run one after another (the next thread
// starts when the previous one is done), as the stages' barrier orders them.
#include <cstdlib>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench_cases.h"
#include "core/buffer.h"
#include "core/conv_impl.h"

namespace armconv {
namespace bench {

namespace {

detail::ConvImplPtr make_impl(const std::string& algo, const Conv2dParams& p, const float* w, const float* b) {
  using namespace detail;
  if (algo == "winograd63+23") return make_winograd_mixed_layer(p, 6, 2, w, b);
  if (algo == "winograd63+43") return make_winograd_mixed_layer(p, 6, 4, w, b);
  if (algo == "winograd43+23" || algo == "winograd43s2+23s2") return make_winograd_mixed_layer(p, 4, 2, w, b);
  if (algo == "winograd23" || algo == "winograd23s2") return make_winograd_conv(p, 2, w, b);
  if (algo == "winograd43" || algo == "winograd43s2") return make_winograd_conv(p, 4, w, b);
  if (algo == "winograd63") return make_winograd_conv(p, 6, w, b);
  if (algo == "im2col") return make_im2col_conv(p, w, b);
  if (algo == "gemm") return make_gemm_conv(p, w, b);
  if (algo == "dw3x3") return make_dw3x3_conv(p, w, b);
  return nullptr;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> f;
  for (size_t i = 0;;) {
    const size_t j = s.find(sep, i);
    f.push_back(s.substr(i, j == std::string::npos ? std::string::npos : j - i));
    if (j == std::string::npos) break;
    i = j + 1;
  }
  return f;
}

}  // namespace

bool balance_case(const std::string& name, Case* c) {
  const std::vector<std::string> f = split(name, ':');
  if (f.size() < 4 || f.size() > 5 || f[0] != "balance") return false;
  Case conv;
  if (!spec_case("conv:" + f[2], &conv)) return false;
  const std::string algo = f[1];
  const int team = std::atoi(f[3].c_str()), planned = f.size() == 5 ? std::atoi(f[4].c_str()) : team;
  if (team < 1 || planned < 1) return false;
  std::vector<std::string> v = split(f[2], ',');
  int64_t a[8];
  for (int i = 0; i < 8; i++) a[i] = std::atoll(v[size_t(i)].c_str());
  const float inf = std::numeric_limits<float>::infinity();
  const float lo = v.size() == 9 ? 0.0f : -inf, hi = v.size() == 9 && v[8] == "relu6" ? 6.0f : inf;
  const Conv2dParams p = conv_params(a[0], a[1], a[2], a[3], a[4], a[5], lo, hi);
  const int64_t h = a[6], w = a[7];
  auto info = std::make_shared<std::string>();
  c->name = name;
  c->macs = conv.macs;
  c->setup = [=]() -> std::function<void()> {
    using namespace detail;
    const int64_t cg = p.in_channels / p.groups;
    auto wt = random_floats(size_t(p.out_channels * cg * p.kernel_h * p.kernel_w), 1);
    auto bias = random_floats(size_t(p.out_channels), 2);
    std::shared_ptr<const ConvImpl> impl(make_impl(algo, p, wt.data(), bias.data()).release());
    if (!impl) throw Error("balance: unknown algo " + algo);
    auto pl = std::make_shared<ConvPlan>(planned > 1 ? impl->plan_for_threads(1, h, w, planned)
                                                     : impl->plan(1, h, w));
    auto x = std::make_shared<std::vector<float>>(random_floats(size_t(p.in_channels * h * w), 3));
    auto y = std::make_shared<std::vector<float>>(size_t(p.out_channels * pl->ho * pl->wo));
    auto bounds = std::make_shared<std::vector<size_t>>();
    std::string s = std::string("algo=") + pl->algo + " stages=" + std::to_string(pl->stages) + " team=" +
                    std::to_string(team) + " planned=" + std::to_string(planned);
    for (int st = 0; st < pl->stages; st++) {
      std::vector<size_t> b(size_t(team) + 1);
      split_units(pl->stage_grid(st), team, b.data());
      bounds->insert(bounds->end(), b.begin(), b.end());
      s += " units" + std::to_string(st) + "=" + std::to_string(pl->stage_units(st)) + " bounds" +
           std::to_string(st) + "=";
      for (size_t i = 0; i < b.size(); i++) s += (i ? "," : "") + std::to_string(b[i]);
    }
    *info = s;
    auto shared = std::make_shared<Buffer<unsigned char>>(pl->shared_bytes + 64);
    auto scratch = std::make_shared<std::vector<std::unique_ptr<Buffer<unsigned char>>>>();
    for (int i = 0; i < pl->stages * team; i++)
      scratch->emplace_back(new Buffer<unsigned char>(pl->scratch_bytes + 64));
    return [=] {
      std::promise<void> go;
      std::shared_future<void> release = go.get_future().share();
      std::vector<std::thread> threads;
      for (int st = 0; st < pl->stages; st++)
        for (int wk = 0; wk < team; wk++) {
          const size_t* b = bounds->data() + size_t(st) * (size_t(team) + 1);
          std::promise<void> done;
          std::future<void> ran = done.get_future();
          void* scr = (*scratch)[size_t(st * team + wk)]->data();
          threads.emplace_back([&, st, wk, b, scr](std::promise<void> d) {
            if (b[wk] < b[wk + 1])
              impl->run_stage(*pl, st, x->data(), y->data(), b[wk], b[wk + 1], scr,
                              pl->shared_bytes ? shared->data() : nullptr);
            d.set_value();
            release.wait();  // alive to the end: the next thread gets the next vCPU index
          }, std::move(done));
          ran.wait();
        }
      go.set_value();
      for (std::thread& t : threads) t.join();
    };
  };
  c->info = [=] { return *info; };
  return true;
}

}  // namespace bench
}  // namespace armconv

// Half-precision layers (Precision::Fp16; issue 15's shapes): each case in two
// forms, `fp16_<shape>` with float32 input and output (the image converted
// while it is packed, the result widened when stored) and `fp16_<shape>_h`
// with binary16 input and output (what ncnn's fp16 figures measure: its
// fp16 storage). On a CPU without fp16 vector arithmetic these run the fp32
// kernels (the layer says so): count them on cortex-a76.
// fp16_wino<m>3x3_<c>_<map>: Winograd layers (F(4,3) on {0, +-2/3, +-3/2,
// inf} or F(2,3); core/winograd.h, fp16 section), MACs counted as the direct
// convolution's (direct-equivalent MACs per instruction).
//
// fp16_wgemm_<m>x<n>_k<K>_r<R>: the fp16 per-position Winograd GEMM alone
// (wino_gemm_f16_fn, core/wino_gemm.h) as the dispatch table runs it, as
// bench/bench_wino_gemm.cpp does for fp32: m = 16 m16 channels x n tiles x
// K (= 8 ko), runs of R input channels, zero init, C rows of m; 100 calls
// over 100 different U/V/C blocks. Bound 8 (fmla .8h); an octet of 8 tiles
// is 128 fmla + 6 loads (7.64), plus 40-80 instructions per run and 8 tiles.
// Without fp16 (cortex-a72) these run the generic twin: count them on a76.
//
// fp16_wino<t>h_in_x400 / fp16_wino<t>h_out_x400 (t = 23, 43): the fp16
// Winograd's transforms alone (WinoF16Kernels, core/winograd.h), 400 input
// transforms of one tile x 8 channels (fp32, stored as binary16) and 400
// output transforms of one tile x 4 channels (fp32 out); "MACs" are
// transforms (instructions per transform = 1 / the figure).
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "armconv/armconv.h"
#include "bench_cases.h"
#include "core/buffer.h"
#include "core/dispatch.h"
#include "core/half.h"
#include "core/wino_gemm.h"
#include "core/winograd.h"

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
  auto made = std::make_shared<std::shared_ptr<Conv2d>>();
  c.setup = [=]() -> std::function<void()> {
    auto wt = bench::random_floats(size_t(cout * cg * p.kernel_h * p.kernel_w), 1);
    auto bias = bench::random_floats(size_t(cout), 2);
    auto layer = std::make_shared<Conv2d>(p, wt.data(), bias.data(), algo, Precision::Fp16);
    *made = layer;
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
  // (The float32 and binary16 views of an fp16 layer run one plan.)
  c.info = [=] { return *made ? bench::plan_info(**made, h, w) : std::string(); };
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
  // MobileNetV2's depthwise layers (relu6 fused), the shapes of the float32
  // mbv2_dw_* cases (bench_dwconv.cpp, bench_nets.cpp): stride 1 on 112 .. 7
  // wide maps, stride 2 from 112 .. 14 wide ones.
  const int64_t mbv2_dw[][3] = {{32, 1, 112}, {96, 2, 112}, {144, 1, 56}, {144, 2, 56}, {192, 1, 28},
                                {192, 2, 28}, {384, 1, 14}, {576, 1, 14}, {576, 2, 14}, {960, 1, 7}};
  for (const auto& d : mbv2_dw) {
    const int64_t c = d[0], s = d[1], hw = d[2];
    add("fp16_mbv2_dw_" + std::string(s == 2 ? "s2_" : "") + std::to_string(c) + "_" + std::to_string(hw),
        Algo::Depthwise3x3, conv_params(c, c, 3, s, 1, c, 0.0f, 6.0f), hw, hw);
  }
  // issue 15's Winograd shapes (3x3 s1 64->64 28x28 and 32->32 56x56), a
  // deep one and the F(2,3) the planner takes below 64 channels.
  add("fp16_wino43_64_28", Algo::Winograd43, conv_params(64, 64, 3, 1, 1), 28, 28);
  add("fp16_wino43_32_56", Algo::Winograd43, conv_params(32, 32, 3, 1, 1), 56, 56);
  add("fp16_wino43_256_14", Algo::Winograd43, conv_params(256, 256, 3, 1, 1), 14, 14);
  add("fp16_wino23_32_56", Algo::Winograd23, conv_params(32, 32, 3, 1, 1), 56, 56);
  add("fp16_im2col3x3_32_56", Algo::Im2col, conv_params(32, 32, 3, 1, 1), 56, 56);  // what F(2,3) competes with
  // (m16, n, ko, run): 16 x 8 at K = 64 in one run, in runs of 32 and 16;
  // the tails (7, 4, 1 tiles); 64 channels x 49 tiles at K = 64 (an F(4,3)
  // position of the 64->64 28x28 layer) in runs of 64 and 16.
  for (size_t m : {2, 4}) {
    const std::string t = m == 2 ? "23" : "43";
    Case in;
    in.name = "fp16_wino" + t + "h_in_x400";
    in.macs = 400;
    in.setup = [m]() -> std::function<void()> {
      const size_t n = m + 2;
      auto src = std::make_shared<std::vector<float>>(bench::random_floats(2 * n * 32 * 4 + 64, 5));
      auto srch = std::make_shared<std::vector<Half>>(n * 32 * 8 + 64);
      for (size_t i = 0; i < srch->size(); i++) (*srch)[i] = detail::float_to_half((*src)[i]);
      auto dst = std::make_shared<detail::Buffer<Half>>(n * n * 16 * 128);
      return [=] {
        const detail::WinoF16Kernels* k = detail::kernels().winograd_f16[m == 4];
        if (!k) k = m == 4 ? &detail::wino43_f16_generic_kernels() : &detail::wino23_f16_generic_kernels();
        const float* s1 = src->data() + n * 32 * 4;
        for (int i = 0; i < 400; i++) {
          if (k->input_h8)  // F(4,3): one nc8 binary16 box
            k->input_h8(srch->data() + (i % 4) * 8 * m, 32 * 8, dst->data() + (i % 16) * 8, 16 * 128);
          else
            k->input(src->data() + (i % 4) * 4 * m, s1 + (i % 4) * 4 * m, 32 * 4, dst->data() + (i % 16) * 8,
                     16 * 128);
        }
      };
    };
    bench::add_case(in);
    Case out;
    out.name = "fp16_wino" + t + "h_out_x400";
    out.macs = 400;
    out.setup = [m]() -> std::function<void()> {
      const size_t n = m + 2, wo = 5 * m;
      auto src = std::make_shared<std::vector<float>>(bench::random_floats(n * n * 16 * 16, 6));
      auto dst = std::make_shared<std::vector<float>>(4 * m * wo);
      return [=] {
        const detail::WinoF16Kernels* k = detail::kernels().winograd_f16[m == 4];
        if (!k) k = m == 4 ? &detail::wino43_f16_generic_kernels() : &detail::wino23_f16_generic_kernels();
        for (int i = 0; i < 400; i++) {
          const detail::WinoOutTile ot{dst->data() + (i % 5) * m, m, m};
          k->output(src->data() + (i % 4) * 4, 16 * 16, ot, 4, m * wo, wo, false, 0.0f, 0.0f);
        }
      };
    };
    bench::add_case(out);
  }
  const size_t shapes[][4] = {{1, 8, 8, 8}, {1, 8, 8, 4}, {1, 8, 8, 2}, {1, 7, 8, 8},
                              {1, 4, 8, 8}, {1, 1, 8, 8}, {4, 49, 8, 8}, {4, 49, 8, 2}};
  for (const auto& sh : shapes) {
    const size_t m16 = sh[0], n = sh[1], ko = sh[2], run = sh[3], calls = 100;
    Case c;
    c.name = "fp16_wgemm_" + std::to_string(16 * m16) + "x" + std::to_string(n) + "_k" +
             std::to_string(8 * ko) + "_r" + std::to_string(8 * run);
    c.macs = double(calls * 16 * m16 * n * 8 * ko);
    c.setup = [=]() -> std::function<void()> {
      const size_t u_halves = 128 * ko * m16, v_halves = 8 * ko * n, c_floats = 16 * m16 * n;
      auto u = std::make_shared<detail::Buffer<Half>>(calls * u_halves);
      auto v = std::make_shared<detail::Buffer<Half>>(calls * v_halves);
      auto out = std::make_shared<detail::Buffer<float>>(calls * c_floats);
      auto r = bench::random_floats(u->size(), 11);
      for (size_t i = 0; i < r.size(); i++) u->data()[i] = detail::float_to_half(r[i]);
      r = bench::random_floats(v->size(), 12);
      for (size_t i = 0; i < r.size(); i++) v->data()[i] = detail::float_to_half(r[i]);
      return [=] {
        const detail::WinoGemmF16Kernels* k = detail::kernels().wino_gemm_f16;
        const detail::wino_gemm_f16_fn gemm = (k ? k : &detail::wino_gemm_f16_generic_kernels())->gemm;
        const Half* pu = u->data();
        const Half* pv = v->data();
        float* pc = out->data();
        for (size_t p = 0; p < calls; p++, pu += u_halves, pv += v_halves, pc += c_floats)
          gemm(m16, n, ko, run, pu, 128 * ko, pv, pc, 16 * m16, nullptr, false);
      };
    };
    bench::add_case(c);
  }
  return 0;
}();

}  // namespace

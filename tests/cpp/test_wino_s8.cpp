// The int8 Winograd F(2,3) (core/winograd.h, int8 section; the driver
// core/conv_winograd.cpp instantiated on WinoS8), bit for bit:
//   - kernels: where this CPU dispatches NEON ones, each (the nc8 packer, the
//     input transform, the int16 GEMM with sums that wrap int32, the output
//     transform into int8 and float) against its generic twin over every
//     remainder (channels, tiles, rows and columns of an edge tile);
//   - layers: QConv2d forced to "winograd23" against the same layer forced
//     to "im2col" and against an int64 direct convolution with the rule of
//     core/requant.h (the reference), over maps 1..20 (odd, non-square),
//     channels 1..70 (not multiples of 8), padding 0/1/2 and asymmetric,
//     groups, batch 2, int8 and float output, every activation, weights at
//     +-127 with inputs at -128 and 127, and the channel bound (3669 input
//     channels at the extreme values: 4 x the sum is 2147157504, within
//     int32); beyond it the planner runs im2col and forcing Winograd throws;
//   - the generic-kernel layer (make_winograd_s8_conv_with the twins)
//     against the reference too, so the twin is checked on every target;
//   - the `auto` planner: a 3x3 stride-1 layer runs Winograd exactly where
//     its cost model says it is cheaper (the plan's algo), with the same bits.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "armconv/armconv.h"
#include "armconv/quant.h"
#include "check.h"
#include "core/conv_impl.h"
#include "core/dispatch.h"
#include "core/requant.h"
#include "core/wino_gemm.h"
#include "core/winograd.h"
#include "rand.h"

using namespace armconv;
using namespace armconv::detail;

static std::mt19937 gen(20261206);

static int rnd(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen); }

// ---- kernels: NEON against the generic twin ------------------------------------

static void test_kernels() {
  const WinoS8Kernels& g = wino23_s8_generic_kernels();
  const WinoS8Kernels& k = *kernels().winograd23_s8;
  const WinoGemmS16Kernels& gg = wino_gemm_s16_generic_kernels();
  const WinoGemmS16Kernels& kg = *kernels().wino_gemm_s16;
  std::printf("kernels: %s, %s\n", k.name, kg.name);
  if (&k == &g && &kg == &gg) return;
  // Packer: every nch, padding split and length.
  for (size_t nch = 1; nch <= 8; nch++)
    for (size_t n = 0; n <= 37; n += (n < 18 ? 1 : 7))
      for (size_t lo : {0, 1, 2})
        for (size_t hi : {0, 1, 3}) {
          const size_t stride = n + 5;
          std::vector<int8_t> x(8 * stride);
          for (auto& v : x) v = int8_t(rnd(-128, 127));
          std::vector<int16_t> a((lo + n + hi) * 8 + 8, 7), b = a;
          g.pack_nc8(x.data(), stride, nch, lo, n, hi, a.data());
          k.pack_nc8(x.data(), stride, nch, lo, n, hi, b.data());
          CHECK(a == b, "pack_nc8 nch %zu n %zu lo %zu hi %zu", nch, n, lo, hi);
        }
  // Input transform.
  for (int t = 0; t < 200; t++) {
    const size_t row = 8 * size_t(rnd(4, 9)), pos = 8 * size_t(rnd(1, 3));
    std::vector<int16_t> src(4 * row);
    for (auto& v : src) v = int16_t(t < 4 ? (t % 2 ? 127 : -128) * (rnd(0, 1) ? 1 : (t < 2 ? 1 : -1)) : rnd(-128, 127));
    std::vector<int16_t> a(16 * pos, 3), b = a;
    g.input(src.data(), row, a.data(), pos);
    k.input(src.data(), row, b.data(), pos);
    CHECK(a == b, "input transform, case %d", t);
  }
  // GEMM: every m8 1..3, tiles 1..20 (groups of 8 and the remainders), k
  // octets 1..5, accumulate or not; U and V at their bounds so that sums
  // wrap int32.
  for (size_t m8 = 1; m8 <= 3; m8++)
    for (size_t n = 1; n <= 20; n++)
      for (size_t ko : {1, 2, 5})
        for (int mode = 0; mode < 3; mode++) {
          const size_t kpad = 8 * ko, u_stride = 8 * kpad + 8, ldc = 8 * m8 + 4;
          std::vector<int16_t> u(m8 * u_stride), v(n * kpad + 64);
          for (auto& e : u) e = int16_t(mode == 2 ? 1143 : rnd(-1143, 1143));
          for (auto& e : v) e = int16_t(mode == 2 ? 512 : rnd(-512, 512));
          std::vector<int32_t> c(n * ldc);
          for (auto& e : c) e = int32_t(gen());
          std::vector<int32_t> c2 = c;
          const bool acc = mode != 0;
          gg.gemm(m8, n, ko, u.data(), u_stride, v.data(), c.data(), ldc, acc);
          kg.gemm(m8, n, ko, u.data(), u_stride, v.data(), c2.data(), ldc, acc);
          CHECK(c == c2, "wino_gemm_s16 m8 %zu n %zu ko %zu mode %d", m8, n, ko, mode);
        }
  // Output transform: any int32 M (wrapping sums), every cut of the tile,
  // 1..4 channels, both output kinds, clamps.
  std::vector<int32_t> bias(16), mult(16);
  std::vector<float> fscale(16);
  for (int t = 0; t < 400; t++) {
    const size_t pos = 4 * size_t(rnd(1, 3)), rows = size_t(rnd(1, 2)), cols = size_t(rnd(1, 2));
    const size_t nch = size_t(rnd(1, 4)), ch = size_t(rnd(0, 8));
    std::vector<int32_t> m(16 * pos);
    for (auto& e : m) e = t % 3 == 0 ? int32_t(gen()) : rnd(-(1 << 22), 1 << 22);
    for (size_t i = 0; i < 16; i++) {
      bias[i] = rnd(-(1 << 20), 1 << 20) * (t % 5 == 0 ? 1000 : 1);
      mult[i] = int32_t(gen() >> 1);
      fscale[i] = std::ldexp(1.0f + float(rnd(0, 100)) / 64.0f, -rnd(0, 20));
    }
    S8Output out;
    out.bias = bias.data();
    out.mult = mult.data();
    out.shift = rnd(0, 3);
    out.qmin = rnd(-127, 0);
    out.qmax = rnd(0, 127);
    out.fscale = fscale.data();
    out.fclamp = t % 2 == 0;
    out.fmin = -float(rnd(0, 1000));
    out.fmax = float(rnd(0, 1000));
    const size_t dst_row = 5, dst_ch = 13;
    for (S8OutKind kind : {S8OutKind::Int8, S8OutKind::Float}) {
      out.kind = kind;
      std::vector<float> a(4 * dst_ch + 8, 1.5f), b = a;  // (room for either type)
      const wino_output_s8_fn fg = kind == S8OutKind::Int8 ? g.output_s8 : g.output_f;
      const wino_output_s8_fn fk = kind == S8OutKind::Int8 ? k.output_s8 : k.output_f;
      fg(m.data(), pos, a.data(), rows, cols, nch, dst_ch, dst_row, out, ch);
      fk(m.data(), pos, b.data(), rows, cols, nch, dst_ch, dst_row, out, ch);
      CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0,
            "output transform case %d kind %d rows %zu cols %zu nch %zu", t, int(kind), rows, cols, nch);
    }
  }
}

// ---- layers -------------------------------------------------------------------------

// The reference: int64 direct convolution of the quantized weights, bias_q
// added, then the output stage (core/requant.h; float: fl32(acc) * scale,
// clamped). Returns the output bytes.
static std::vector<unsigned char> reference(const Conv2dParams& p, const int8_t* x, int64_t n, int64_t h, int64_t w,
                                            const int8_t* wq, const S8Output& out) {
  int64_t ho, wo;
  output_size(p, h, w, &ho, &wo);
  const int64_t g = p.groups, cg = p.in_channels / g, mg = p.out_channels / g;
  const size_t es = out.kind == S8OutKind::Int8 ? 1 : 4;
  std::vector<unsigned char> y(size_t(n * p.out_channels * ho * wo) * es);
  for (int64_t b = 0; b < n; b++)
    for (int64_t o = 0; o < p.out_channels; o++) {
      const int64_t gi = o / mg;
      for (int64_t oy = 0; oy < ho; oy++)
        for (int64_t ox = 0; ox < wo; ox++) {
          int64_t s = 0;
          for (int64_t c = 0; c < cg; c++)
            for (int64_t ky = 0; ky < 3; ky++)
              for (int64_t kx = 0; kx < 3; kx++) {
                const int64_t iy = oy + ky - p.pad_top, ix = ox + kx - p.pad_left;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                s += int64_t(wq[((o * cg + c) * 3 + ky) * 3 + kx]) *
                     int64_t(x[((b * p.in_channels + gi * cg + c) * h + iy) * w + ix]);
              }
          const int64_t acc64 = s + out.bias[o];
          CHECK(acc64 >= INT32_MIN && acc64 <= INT32_MAX, "reference accumulator out of int32");
          const int32_t acc = int32_t(acc64);
          const size_t at = size_t(((b * p.out_channels + o) * ho + oy) * wo + ox);
          if (out.kind == S8OutKind::Int8) {
            y[at] = static_cast<unsigned char>(int8_t(s8_requant(acc, out.mult[o], out.shift, out.qmin, out.qmax)));
          } else {
            float v = float(acc) * out.fscale[o];
            if (out.fclamp) v = std::min(std::max(v, out.fmin), out.fmax);
            std::memcpy(&y[at * 4], &v, 4);
          }
        }
    }
  return y;
}

struct Case {
  int64_t cin, cout, h, w, n, groups;
  int64_t pt, pb, pl, pr;
  int act;          // 0 none, 1 relu, 2 relu6, 3 (-1.5, 2)
  bool int8_out;
  int values;       // 0 random, 1 weights +-127 (float +-1) and inputs -128/127, 2 all extreme (K bound)
};

static Conv2dParams params_of(const Case& c) {
  Conv2dParams p;
  p.in_channels = c.cin;
  p.out_channels = c.cout;
  p.kernel_h = p.kernel_w = 3;
  p.groups = c.groups;
  p.pad_top = c.pt;
  p.pad_bottom = c.pb;
  p.pad_left = c.pl;
  p.pad_right = c.pr;
  if (c.act) {
    p.clamp = true;
    p.out_min = c.act == 3 ? -1.5f : 0.0f;
    p.out_max = c.act == 1 ? INFINITY : c.act == 2 ? 6.0f : 2.0f;
  }
  return p;
}

static int layer_cases = 0, auto_wino = 0, auto_im2col = 0;

static void run_case(const Case& c) {
  const Conv2dParams p = params_of(c);
  int64_t ho, wo;
  output_size(p, c.h, c.w, &ho, &wo);
  const size_t per = size_t(c.cin / c.groups * 9);
  std::vector<float> wt(size_t(c.cout) * per), bias(size_t(c.cout));
  for (auto& v : wt)
    v = c.values == 2 ? -1.0f : c.values == 1 ? (rnd(0, 1) ? 1.0f : -1.0f) : float(rnd(-1000, 1000)) / 997.0f;
  for (auto& v : bias) v = float(rnd(-2000, 2000)) / 100.0f;
  std::vector<int8_t> x(size_t(c.n * c.cin * c.h * c.w));
  for (auto& v : x) v = int8_t(c.values == 2 ? -128 : c.values == 1 ? (rnd(0, 1) ? 127 : -128) : rnd(-128, 127));
  const float in_scale = 0.02f, out_scale = c.int8_out ? (c.values == 2 ? 4000.0f : 0.35f) : 0.0f;
  const QConv2d wl(p, wt.data(), bias.data(), in_scale, out_scale, Algo::Winograd23);
  const QConv2d il(p, wt.data(), bias.data(), in_scale, out_scale, Algo::Im2col);
  const QConv2d al(p, wt.data(), bias.data(), in_scale, out_scale);
  CHECK(std::string(wl.algo()) == "winograd23", "forced algo %s", wl.algo());
  S8Output out;
  out.kind = c.int8_out ? S8OutKind::Int8 : S8OutKind::Float;
  out.bias = wl.bias_q().data();
  out.mult = wl.requant_multiplier().data();
  out.shift = wl.requant_shift();
  out.qmin = wl.qmin();
  out.qmax = wl.qmax();
  out.fscale = wl.dequant_scale().data();
  out.fclamp = p.clamp;
  out.fmin = p.out_min;
  out.fmax = p.out_max;
  const auto ref = reference(p, x.data(), c.n, c.h, c.w, wl.weight_q().data(), out);
  const size_t bytes = ref.size();
  std::vector<unsigned char> yw(bytes + 1, 0xa5), yi(bytes + 1, 0x5a), ya(bytes + 1, 0x33);
  auto run = [&](const QConv2d& l, std::vector<unsigned char>& y) {
    if (c.int8_out)
      l.run(x.data(), c.n, c.h, c.w, reinterpret_cast<int8_t*>(y.data()));
    else
      l.run(x.data(), c.n, c.h, c.w, reinterpret_cast<float*>(y.data()));
  };
  run(wl, yw);
  run(il, yi);
  run(al, ya);
  char what[200];
  std::snprintf(what, sizeof what, "%lld->%lld g%lld %lldx%lld n%lld pad %lld,%lld,%lld,%lld act %d %s values %d",
                (long long)c.cin, (long long)c.cout, (long long)c.groups, (long long)c.h, (long long)c.w,
                (long long)c.n, (long long)c.pt, (long long)c.pb, (long long)c.pl, (long long)c.pr, c.act,
                c.int8_out ? "int8" : "float", c.values);
  CHECK(std::memcmp(yw.data(), ref.data(), bytes) == 0, "winograd23 != reference: %s", what);
  CHECK(std::memcmp(yi.data(), ref.data(), bytes) == 0, "im2col != reference: %s", what);
  CHECK(std::memcmp(ya.data(), ref.data(), bytes) == 0, "auto != reference: %s", what);
  CHECK(yw[bytes] == 0xa5, "winograd23 wrote past the output: %s", what);
  // The auto layer's plan on this map: what the cost models pick.
  int team = 0;
  const ConvPlan pl = PlanAccess::plan(al, c.n, c.h, c.w, &team);
  const bool wino = std::string(pl.algo) == "winograd23";
  const bool pays = winograd_s8_conv_cost(p, ho, wo) < im2col_s8_conv_cost(p, ho, wo);
  CHECK(wino == pays, "auto ran %s where the models say %s: %s", pl.algo, pays ? "winograd23" : "im2col", what);
  (wino ? auto_wino : auto_im2col)++;
  // The generic twin's layer, on a QuantLayer with this layer's output stage.
  QuantLayer q;
  q.w_q = wl.weight_q();
  q.out = out;
  const ConvImplS8Ptr twin =
      make_winograd_s8_conv_with(p, q, wino23_s8_generic_kernels(), wino_gemm_s16_generic_kernels());
  std::vector<unsigned char> yt(bytes + 1, 0x11);
  run_all(*twin, twin->plan(c.n, c.h, c.w), x.data(), static_cast<void*>(yt.data()));
  CHECK(std::memcmp(yt.data(), ref.data(), bytes) == 0, "generic winograd23 != reference: %s", what);
  layer_cases++;
}

static void test_layers() {
  // Every map 1..20 (with a non-square partner), channels 1..70.
  const int64_t chans[] = {1, 2, 3, 5, 7, 8, 9, 13, 16, 17, 24, 31, 33, 40, 47, 64, 65, 70};
  for (int64_t h = 1; h <= 20; h++) {
    for (int rep = 0; rep < 2; rep++) {
      Case c{};
      c.h = h;
      c.w = rep ? h : (h * 7) % 20 + 1;
      c.cin = chans[size_t(rnd(0, 17))];
      c.cout = chans[size_t(rnd(0, 17))];
      c.groups = 1;
      c.n = rnd(1, 2);
      const int pad = rnd(0, 3);
      if (pad < 3) {
        c.pt = c.pb = c.pl = c.pr = pad;
      } else {
        c.pt = rnd(0, 2), c.pb = rnd(0, 2), c.pl = rnd(0, 2), c.pr = rnd(0, 2);
      }
      if (c.h + c.pt + c.pb < 3 || c.w + c.pl + c.pr < 3) c.pt = c.pb = c.pl = c.pr = 1;
      c.act = rnd(0, 3);
      c.int8_out = rnd(0, 1);
      c.values = h % 5 == 0 ? 1 : 0;
      run_case(c);
    }
  }
  // Every activation and output kind, and the extreme values, on one shape.
  for (int act = 0; act < 4; act++)
    for (bool i8 : {true, false})
      for (int values : {0, 1}) run_case(Case{19, 21, 9, 11, 2, 1, 1, 1, 1, 1, act, i8, values});
  // Groups, asymmetric padding, several input / output chunks, many tiles.
  run_case(Case{12, 18, 13, 10, 2, 3, 0, 2, 1, 0, 1, true, 0});
  run_case(Case{70, 66, 20, 19, 1, 2, 2, 1, 0, 2, 3, false, 0});
  run_case(Case{300, 136, 17, 15, 1, 1, 1, 1, 1, 1, 0, true, 0});
  run_case(Case{64, 64, 56, 56, 1, 1, 1, 1, 1, 1, 1, true, 0});
  // The channel bound: 3669 input channels at w = -127, x = -128 (4 x the
  // sum 2147157504 < 2^31), 1x1 and 2x2 outputs (unpadded 3x3 and 4x4 maps).
  run_case(Case{int64_t(kWinoS8MaxChannels), 8, 3, 3, 1, 1, 0, 0, 0, 0, 0, false, 2});
  run_case(Case{int64_t(kWinoS8MaxChannels), 3, 4, 4, 1, 1, 0, 0, 0, 0, 0, true, 2});
  run_case(Case{int64_t(kWinoS8MaxChannels) - 5, 9, 4, 5, 1, 1, 0, 0, 0, 1, 0, false, 1});
  // Beyond it: im2col, and forcing Winograd throws.
  Case big{int64_t(kWinoS8MaxChannels) + 1, 4, 3, 3, 1, 1, 0, 0, 0, 0, 0, true, 0};
  const Conv2dParams p = params_of(big);
  std::vector<float> wt(size_t(big.cout * big.cin * 9), 0.5f);
  bool threw = false;
  try {
    QConv2d l(p, wt.data(), nullptr, 0.1f, 1.0f, Algo::Winograd23);
  } catch (const Error&) {
    threw = true;
  }
  CHECK(threw, "winograd23 beyond %zu input channels did not throw", kWinoS8MaxChannels);
  const QConv2d l(p, wt.data(), nullptr, 0.1f, 1.0f);
  CHECK(std::string(l.algo()) == "im2col", "auto beyond the bound: %s", l.algo());
  int team = 0;
  CHECK(std::string(PlanAccess::plan(l, 1, 56, 56, &team).algo) == "im2col", "auto beyond the bound runs im2col");
  // Families without int8 Winograd kernels.
  threw = false;
  try {
    Conv2dParams q = params_of(Case{4, 4, 8, 8, 1, 1, 1, 1, 1, 1, 0, true, 0});
    std::vector<float> w4(4 * 4 * 9, 0.5f);
    QConv2d l2(q, w4.data(), nullptr, 0.1f, 1.0f, Algo::Winograd43);
  } catch (const Error&) {
    threw = true;
  }
  CHECK(threw, "winograd43 (no int8 kernels) did not throw");
  std::printf("layers: %d cases (auto on their maps: %d winograd23, %d im2col)\n", layer_cases, auto_wino,
              auto_im2col);
}

int main() {
  test_kernels();
  test_layers();
  std::printf("%s\n", failures ? "FAILED" : "ok");
  return failures ? 1 : 0;
}

// fp16 depthwise 3x3 (Precision::Fp16, core/dwconv.h DwPlaneH): the generic
// twin against a float64 reference within the binary16 bound (any host);
// where the CPU runs the fp16 kernels (Cortex-A76 under QEMU), the NEON
// kernels against the twin bit for bit over map sizes 1..40 and wider ones
// (every strip width and overlap), paddings 0..3 on each side, strides 1 and 2, clamp on
// and off, float32 and binary16 images, bands (tall maps), NaN/Inf; calls of
// one, two and more planes (DwPlaneH::count), with the "same" maps of the
// rows kernels (widths 1..20, MobileNetV2's 7 .. 112, odd ones, heights 1..4).
// A call's input and output end at a guard page (tests/cpp/guard.h); the scratch too.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "armconv/armconv.h"
#include "rand.h"
#include "check.h"
#include "core/dispatch.h"
#include "core/dwconv.h"
#include "core/half.h"
#include "guard.h"

using namespace armconv;
using namespace armconv::detail;
using armconv_test::GuardedArray;

namespace {

std::mt19937 gen(777);
float randf() { return armconv_test::Uniform<float>(-1.0f, 1.0f)(gen); }
double val(float f) { return f; }
double val(Half h) { return half_to_float(h); }
void set(float& d, float v) { d = v; }
void set(Half& d, float v) { d = float_to_half(v); }

template <class IO>
dw3x3_h_plane_fn<IO> fn(const Dw3x3F16Kernels& k, size_t s);
template <>
dw3x3_h_plane_fn<float> fn<float>(const Dw3x3F16Kernels& k, size_t s) { return s == 1 ? k.stride1 : k.stride2; }
template <>
dw3x3_h_plane_fn<Half> fn<Half>(const Dw3x3F16Kernels& k, size_t s) { return s == 1 ? k.stride1_h : k.stride2_h; }

struct Case {
  size_t h, w, s, pt, pb, pl, pr;
  bool clamp;
};

// One call of `planes` consecutive planes (DwPlaneH::count; the rows
// kernels of narrow "same" maps run all of them, or all but the last, the
// strips the rest): each plane against the twin run on it alone. The call's
// input and output end at a guard page (the rows kernels' loads and stores
// reach past a row's end, into the next plane: never past the last).
template <class IO>
void run_case(const Dw3x3F16Kernels* kn, const Dw3x3F16Kernels& gk, const Case& c, bool specials,
              size_t planes = 1) {
  const int64_t eh = int64_t(c.h + c.pt + c.pb) - 3, ew = int64_t(c.w + c.pl + c.pr) - 3;
  if (eh < 0 || ew < 0) return;
  const size_t ho = size_t(eh) / c.s + 1, wo = size_t(ew) / c.s + 1;
  const size_t hw = c.h * c.w, howo = ho * wo;
  GuardedArray<IO> x(planes * hw), y(planes * howo), y_ref(planes * howo);
  std::vector<Half> k(planes * kDw3x3PackedHalves);
  auto fill = [&] {
    for (size_t i = 0; i < x.size(); i++) set(x[i], 2.0f * randf());
    if (specials && hw > 4)
      for (size_t q = 0; q < planes; q++) {
        set(x[q * hw + hw / 2], NAN);
        set(x[q * hw + 1], INFINITY);
        set(x[q * hw + hw - 1], -INFINITY);
      }
    for (size_t q = 0; q < planes; q++)
      for (size_t t = 0; t < kDw3x3PackedHalves; t++)
        k[q * kDw3x3PackedHalves + t] = t < 10 ? float_to_half(randf()) : Half{0};
  };
  fill();
  DwPlaneH<IO> p{};
  p.h = c.h;
  p.w = c.w;
  p.ho = ho;
  p.wo = wo;
  p.pad_top = c.pt;
  p.pad_left = c.pl;
  p.clamp = c.clamp;
  p.lo = float_to_half(-0.3f);
  p.hi = float_to_half(0.45f);
  char tag[200];
  std::snprintf(tag, sizeof tag, "%s %zux%zu s%zu pad %zu,%zu,%zu,%zu clamp %d%s, %zu planes",
                sizeof(IO) == 4 ? "float32" : "binary16", c.h, c.w, c.s, c.pt, c.pb, c.pl, c.pr,
                int(c.clamp), specials ? " NaN/Inf" : "", planes);
  auto twin = [&] {  // plane by plane
    for (size_t q = 0; q < planes; q++) {
      DwPlaneH<IO> pq = p;
      pq.x = x.data() + q * hw;
      pq.y = y_ref.data() + q * howo;
      pq.k = k.data() + q * kDw3x3PackedHalves;
      pq.count = 1;
      fn<IO>(gk, c.s)(pq);
    }
  };
  twin();
  // The twin against float64, on the call's first plane: the twin runs each
  // plane alone (count 1), the others are the same code on other data (all
  // of them are the bits the kernels must give, below).
  if (!specials) {
    for (size_t q = 0; q < 1; q++)
      for (size_t oy = 0; oy < ho; oy++)
        for (size_t ox = 0; ox < wo; ox++) {
          const Half* kq = k.data() + q * kDw3x3PackedHalves;
          double s = 0, mag = 0;
          for (size_t t = 0; t < 9; t++) {
            const int64_t iy = int64_t(oy * c.s + t / 3) - int64_t(c.pt);
            const int64_t ix = int64_t(ox * c.s + t % 3) - int64_t(c.pl);
            if (iy < 0 || ix < 0 || iy >= int64_t(c.h) || ix >= int64_t(c.w)) continue;
            const double v =
                val(float_to_half(float(val(x[q * hw + size_t(iy) * c.w + size_t(ix)])))) * val(kq[t]);
            s += v;
            mag += std::fabs(v);
          }
          s += val(kq[9]);
          mag += std::fabs(val(kq[9]));
          if (c.clamp) s = std::min(std::max(s, val(p.lo)), val(p.hi));
          const double got = val(y_ref[q * howo + oy * wo + ox]);
          CHECK(std::fabs(got - s) <= 12 * std::ldexp(1.0, -11) * mag + 1e-7,
                "twin %s plane %zu at (%zu, %zu): %g vs %g", tag, q, oy, ox, got, s);
        }
  }
  if (!kn) return;
  // Scratch starts as garbage (all-ones halves are NaNs): the first plane of
  // a call (fresh) zeroes what it needs; a second call of the same geometry
  // (not fresh, new input and taps) must find the padding still zero.
  GuardedArray<unsigned char> scratch(kn->scratch_bytes(wo, c.s));
  std::memset(scratch.data(), 0xff, scratch.size());
  p.scratch = scratch.data();
  p.x = x.data();
  p.k = k.data();
  p.count = planes;
  for (int pass = 0; pass < 2; pass++) {
    if (pass == 1) {
      fill();
      twin();
    }
    p.fresh = pass == 0;
    p.y = y.data();
    for (size_t i = 0; i < y.size(); i++) set(y[i], NAN);  // an output not written shows
    fn<IO>(*kn, c.s)(p);
    for (size_t i = 0; i < y.size(); i++) {
      const bool nan = std::isnan(val(y[i])) && std::isnan(val(y_ref[i]));
      if (!nan && std::memcmp(&y[i], &y_ref[i], sizeof(IO)) != 0) {
        CHECK(false, "%s pass %d: plane %zu y[%zu] (%zu, %zu) = %.8g, the twin has %.8g", tag, pass,
              i / howo, i % howo, i % howo / wo, i % wo, val(y[i]), val(y_ref[i]));
        return;
      }
    }
  }
}

// The layer (Conv2d, Algo::Depthwise3x3, Precision::Fp16: core/conv_dwconv.cpp,
// which hands each image's run of consecutive channels to one kernel call):
// batch 2, channel counts not a multiple of 8, float32 and binary16 views,
// against the twin plane by plane with the weights the layer rounds. Only
// where the layer runs fp16 (elsewhere the fp32 kernels, test_dwconv).
template <class IO>
bool run_layer(const Dw3x3F16Kernels& gk, size_t c, size_t s, size_t hw, bool relu6) {
  Conv2dParams p;
  p.in_channels = p.out_channels = p.groups = int64_t(c);
  p.kernel_h = p.kernel_w = 3;
  p.stride_h = p.stride_w = int64_t(s);
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
  p.clamp = relu6;
  p.out_min = relu6 ? 0.0f : -INFINITY;
  p.out_max = relu6 ? 6.0f : INFINITY;
  std::vector<float> wt(c * 9), bias(c);
  for (float& v : wt) v = randf();
  for (float& v : bias) v = randf();
  Conv2d layer(p, wt.data(), bias.data(), Algo::Depthwise3x3, Precision::Fp16);
  if (layer.precision() != Precision::Fp16) return false;
  const size_t n = 2, h = hw, w = hw, ho = (h - 1) / s + 1, wo = (w - 1) / s + 1;
  std::vector<IO> x(n * c * h * w), y(n * c * ho * wo), y_ref(n * c * ho * wo);
  for (IO& v : x) set(v, 4.0f * randf());
  layer.run(x.data(), int64_t(n), int64_t(h), int64_t(w), y.data());
  for (size_t i = 0; i < n * c; i++) {
    Half k[kDw3x3PackedHalves] = {};
    for (size_t t = 0; t < 9; t++) k[t] = float_to_half(wt[(i % c) * 9 + t]);
    k[9] = float_to_half(bias[i % c]);
    DwPlaneH<IO> q{};
    q.x = x.data() + i * h * w;
    q.h = h;
    q.w = w;
    q.y = y_ref.data() + i * ho * wo;
    q.ho = ho;
    q.wo = wo;
    q.pad_top = q.pad_left = 1;
    q.k = k;
    q.clamp = relu6;
    q.lo = float_to_half(p.out_min);
    q.hi = float_to_half(p.out_max);
    fn<IO>(gk, s)(q);
  }
  for (size_t i = 0; i < y.size(); i++)
    if (std::memcmp(&y[i], &y_ref[i], sizeof(IO)) != 0) {
      CHECK(false, "Conv2d %s %zu channels %zux%zu s%zu: y[%zu] (plane %zu) = %.8g, the twin has %.8g",
            sizeof(IO) == 4 ? "float32" : "binary16", c, hw, hw, s, i, i / (ho * wo), val(y[i]),
            val(y_ref[i]));
      break;
    }
  return true;
}

}  // namespace

int main() {
  const Dw3x3F16Kernels& gk = dw3x3_f16_generic_kernels();
  const Dw3x3F16Kernels* kn = kernels().dw3x3_f16;
  std::printf("fp16 depthwise: %s (cpu fp16: %d); twin %s\n", kn ? kn->name : "none",
              int(cpu_features().fp16), gk.name);
  CHECK(bool(kn) == (cpu_features().fp16 && kernels().hgemm.f32 != nullptr),
        "fp16 depthwise dispatched iff the CPU runs fp16 kernels");
  std::vector<Case> cases;
  size_t i = 0;
  for (size_t s : {1, 2})
    for (size_t w = 1; w <= 40; w++, i++) {
      const size_t h = 1 + (i * 7) % 13;
      const size_t pads[][4] = {{1, 1, 1, 1}, {0, 0, 0, 0}, {2, 0, 3, 1}, {0, 2, 1, 3}, {1, 0, 0, 2}};
      const auto& pd = pads[i % 5];
      cases.push_back({h, w, s, pd[0], pd[1], pd[2], pd[3], i % 3 == 1});
    }
  // Tall and wide maps: several bands, whole 32-column strips plus overlaps.
  cases.push_back({300, 9, 1, 1, 1, 1, 1, false});
  cases.push_back({250, 70, 2, 1, 1, 1, 1, true});
  cases.push_back({60, 130, 1, 1, 1, 1, 1, true});
  cases.push_back({56, 56, 2, 1, 1, 1, 1, false});
  cases.push_back({7, 7, 1, 1, 1, 1, 1, false});
  cases.push_back({14, 14, 2, 0, 1, 0, 1, true});
  // Past 32 columns, every kind of last strip (left 1..8, 9..16, 17..24, 25..31).
  for (size_t w : {36, 45, 52, 57, 62, 63})
    cases.push_back({5 + w % 4, w, 1, 1, 1, 1, 1, w % 2 == 0});
  for (size_t w : {70, 90, 100, 118})
    cases.push_back({6 + w % 3, w, 2, 1, 1, 1, 1, w % 4 == 0});
  // Stride 2: strips of 2 blocks (32 columns) and the blocks of 16 after
  // them (none, one ending at the last column, or one whole and one
  // overlapping), exact multiples, pads on one side only.
  for (size_t w : {31, 33, 34, 63, 64, 65, 66, 95, 97, 127, 129, 160})
    cases.push_back({3 + w % 5, w, 2, w % 3, (w + 1) % 3, w % 4, (w / 2) % 3, w % 3 == 0});
  // Runs of planes (DwPlaneH::count) of "same" maps, those of the rows
  // kernels (stride 1 up to 32 columns, stride 2 up to 32 output columns) and
  // wider: every width 1..20, MobileNetV2's maps (112 .. 7), odd sizes
  // around 8, 16, 32 and 64 columns, heights 1..4 (each tail of the row loops:
  // stride 1 unrolled by 3, stride 2 by 2, odd heights) and square; stride 2
  // from 36 .. 48 and 66 .. 128 columns: the bands (16 + 8 overlapping from 18
  // outputs, ..., 32 + 16 + 8 from 56, 32 + 32 from 64, the last piece
  // overlapping the one before unless wo is a multiple of 8).
  std::vector<Case> runs;
  std::vector<size_t> widths;
  for (size_t w = 1; w <= 20; w++) widths.push_back(w);
  for (size_t w : {23, 24, 25, 28, 31, 32, 33, 36, 40, 44, 47, 48, 49, 56, 63, 64, 65, 66, 70, 80, 90, 96,
                   100, 112, 128})
    widths.push_back(w);
  size_t r = 0;
  for (size_t s : {1, 2})
    for (size_t w : widths)
      for (size_t h : {size_t(1), size_t(2), size_t(3), size_t(4), w, w + 5}) {
        if (w > 40 && h != w) continue;
        runs.push_back({h, w, s, 1, 1, 1, 1, (r++ % 3) != 1});
      }
  // Calls of several planes (DwPlaneH::count) are the NEON kernels'
  // structure; without them (kn null: no fp16 arithmetic) a case runs once,
  // its one-plane call (the twin check above: every plane runs alone anyway).
  size_t n = 0;
  for (size_t planes : {1, 2, 5}) {
    if (!kn && planes != 1) continue;
    for (const Case& c : cases) {
      run_case<float>(kn, gk, c, false, planes);
      run_case<Half>(kn, gk, c, false, planes);
      n += 2 * planes;
    }
    for (size_t j = 0; j < cases.size(); j += 7) {
      run_case<float>(kn, gk, cases[j], true, planes);
      run_case<Half>(kn, gk, cases[j], true, planes);
      n += 2 * planes;
    }
  }
  // (5 planes: stride 2 from 13..16 columns, float32, runs two pairs of
  // planes a vector and one plane alone before the strips take the last.)
  for (size_t planes : {1, 2, 4, 5}) {
    for (size_t j = 0; j < runs.size(); j++) {
      const Case& c = runs[j];
      if (c.w * c.h > 2000 && planes != 2) continue;
      if (!kn && planes != (c.w * c.h > 2000 ? 2u : 1u)) continue;  // (as above)
      run_case<float>(kn, gk, c, j % 11 == 3, planes);
      run_case<Half>(kn, gk, c, j % 11 == 5, planes);
      n += 2 * planes;
    }
  }
  // MobileNetV2's depthwise maps (and odd ones) as layers.
  size_t layers = 0;
  for (size_t s : {1, 2})
    for (size_t hw : {7, 13, 14, 27, 28, 56, 112}) {
      const size_t c = hw >= 56 ? 5 : 13 + hw % 4;
      layers += run_layer<float>(gk, c, s, hw, hw % 2 == 0);
      layers += run_layer<Half>(gk, c, s, hw, hw % 2 == 1);
    }
  if (failures) {
    std::printf("%d failures\n", failures);
    return 1;
  }
  std::printf("ok (%zu planes, each call twice; %zu fp16 layers)\n", n, layers);
  return 0;
}

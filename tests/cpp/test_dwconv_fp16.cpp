// fp16 depthwise 3x3 (Precision::Fp16, core/dwconv.h DwPlaneH): the generic
// twin against a float64 reference within the binary16 bound (any host);
// where the CPU runs the fp16 kernels (Cortex-A76 under QEMU), the NEON
// kernels against the twin bit for bit over map sizes 1..40 and wider ones
// (every strip width and overlap), paddings 0..3 on each side, strides 1 and 2, clamp on
// and off, float32 and binary16 images, bands (tall maps), NaN/Inf. Input and
// output planes end at a guard page (tests/cpp/guard.h); the scratch too.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

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

template <class IO>
void run_case(const Dw3x3F16Kernels* kn, const Dw3x3F16Kernels& gk, const Case& c, bool specials) {
  const int64_t eh = int64_t(c.h + c.pt + c.pb) - 3, ew = int64_t(c.w + c.pl + c.pr) - 3;
  if (eh < 0 || ew < 0) return;
  const size_t ho = size_t(eh) / c.s + 1, wo = size_t(ew) / c.s + 1;
  GuardedArray<IO> x(c.h * c.w), y(ho * wo), y_ref(ho * wo);
  for (size_t i = 0; i < x.size(); i++) set(x[i], 2.0f * randf());
  if (specials && x.size() > 4) {
    set(x[x.size() / 2], NAN);
    set(x[1], INFINITY);
    set(x[x.size() - 1], -INFINITY);
  }
  Half k[kDw3x3PackedHalves] = {};
  for (size_t t = 0; t < 10; t++) k[t] = float_to_half(randf());
  DwPlaneH<IO> p{};
  p.x = x.data();
  p.h = c.h;
  p.w = c.w;
  p.ho = ho;
  p.wo = wo;
  p.pad_top = c.pt;
  p.pad_left = c.pl;
  p.k = k;
  p.clamp = c.clamp;
  p.lo = float_to_half(-0.3f);
  p.hi = float_to_half(0.45f);
  char tag[200];
  std::snprintf(tag, sizeof tag, "%s %zux%zu s%zu pad %zu,%zu,%zu,%zu clamp %d%s",
                sizeof(IO) == 4 ? "float32" : "binary16", c.h, c.w, c.s, c.pt, c.pb, c.pl, c.pr,
                int(c.clamp), specials ? " NaN/Inf" : "");
  p.y = y_ref.data();
  fn<IO>(gk, c.s)(p);
  if (!specials) {  // the twin against float64
    for (size_t oy = 0; oy < ho; oy++)
      for (size_t ox = 0; ox < wo; ox++) {
        double s = 0, mag = 0;
        for (size_t t = 0; t < 9; t++) {
          const int64_t iy = int64_t(oy * c.s + t / 3) - int64_t(c.pt);
          const int64_t ix = int64_t(ox * c.s + t % 3) - int64_t(c.pl);
          if (iy < 0 || ix < 0 || iy >= int64_t(c.h) || ix >= int64_t(c.w)) continue;
          const double v = val(float_to_half(float(val(x[size_t(iy) * c.w + size_t(ix)])))) *
                           val(k[t]);
          s += v;
          mag += std::fabs(v);
        }
        s += val(k[9]);
        mag += std::fabs(val(k[9]));
        if (c.clamp) s = std::min(std::max(s, val(p.lo)), val(p.hi));
        const double err = std::fabs(val(y_ref[oy * wo + ox]) - s);
        CHECK(err <= 12 * std::ldexp(1.0, -11) * mag + 1e-7, "twin %s at (%zu, %zu): %g vs %g", tag,
              oy, ox, val(y_ref[oy * wo + ox]), s);
      }
  }
  if (!kn) return;
  // Scratch starts as garbage (all-ones halves are NaNs): the first plane of
  // a call (fresh) zeroes what it needs; a second plane of the same geometry
  // (not fresh, new input and taps) must find the padding still zero.
  GuardedArray<unsigned char> scratch(kn->scratch_bytes(wo, c.s));
  std::memset(scratch.data(), 0xff, scratch.size());
  p.scratch = scratch.data();
  for (int pass = 0; pass < 2; pass++) {
    if (pass == 1) {
      for (size_t i = 0; i < x.size(); i++) set(x[i], 2.0f * randf());
      for (size_t t = 0; t < 10; t++) k[t] = float_to_half(randf());
      p.y = y_ref.data();
      fn<IO>(gk, c.s)(p);
    }
    p.fresh = pass == 0;
    p.y = y.data();
    fn<IO>(*kn, c.s)(p);
    for (size_t i = 0; i < ho * wo; i++) {
      const bool nan = std::isnan(val(y[i])) && std::isnan(val(y_ref[i]));
      if (!nan && std::memcmp(&y[i], &y_ref[i], sizeof(IO)) != 0) {
        CHECK(false, "%s pass %d: y[%zu] (%zu, %zu) = %.8g, the twin has %.8g", tag, pass, i,
              i / wo, i % wo, val(y[i]), val(y_ref[i]));
        return;
      }
    }
  }
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
  for (const Case& c : cases) {
    run_case<float>(kn, gk, c, false);
    run_case<Half>(kn, gk, c, false);
  }
  for (size_t j = 0; j < cases.size(); j += 7) {
    run_case<float>(kn, gk, cases[j], true);
    run_case<Half>(kn, gk, cases[j], true);
  }
  if (failures) {
    std::printf("%d failures\n", failures);
    return 1;
  }
  std::printf("ok (%zu planes, twice each)\n", cases.size());
  return 0;
}

// Depthwise plane kernels (core/dwconv.h): the dispatched fp32 3x3 and 5x5
// implementations (NEON on ARM) and their generic twins against a float64
// reference, over every width 1..40 (every strip and tail combination of the
// NEON column plan), heights 1..11, both strides, symmetric/asymmetric/large
// paddings, with and without a clamp, one plane per call and runs of three
// (the small-map strips that run all planes of a call); the any-shape
// kernels over kernel sizes, strides and dilations. Inputs and outputs sit
// against PROT_NONE pages (after the end, or before the start): any read or
// write outside the planes dies with SIGSEGV. Output cells the kernel must not
// touch are also checked (the guard catches only overruns at the ends).
// The small-map and wide-row checks (check_small_maps, check_wide_rows) run
// the whole-row kernels, including the assembly ones that read and write
// past a row's end within a run of planes, in runs of 1..3 planes against
// guard pages.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <vector>

#include "armconv/armconv.h"
#include "core/dispatch.h"
#include "core/dwconv.h"
#include "guard.h"

using armconv::detail::DwAnyKernels;
using armconv::detail::DwKernels;
using armconv::detail::DwPlane;
using armconv::detail::DwShape;
using armconv::detail::Dw3x3S8Kernels;
using armconv_test::GuardedArray;

namespace {

unsigned g_seed = 12345;
float frand() {
  g_seed = g_seed * 1664525u + 1013904223u;
  return float(int(g_seed >> 8) % 20001 - 10000) / 5000.0f;
}

int g_failures = 0;

struct Pads {
  int t, b, l, r;
};

// The fp32 kernel under test: a K x K table (stride from the shape) or an
// any-shape table.
struct Fp32Kernel {
  const char* name;
  const DwKernels* kxk;
  const DwAnyKernels* any;
};

// `count` planes of h x w through the kernel; returns false on a mismatch
// (and prints it).
bool check_plane(const Fp32Kernel& kern, const DwShape& sh, int h, int w, Pads pd, bool clamp,
                 bool guard_at_end, int count = 1, float lo = -0.5f, float hi = 0.75f) {
  const int kh = int(sh.kh), kw = int(sh.kw), sy = int(sh.sh), sx = int(sh.sw);
  const int eh = (kh - 1) * int(sh.dh) + 1, ew = (kw - 1) * int(sh.dw) + 1;
  if (h + pd.t + pd.b < eh || w + pd.l + pd.r < ew) return true;
  const int ho = (h + pd.t + pd.b - eh) / sy + 1, wo = (w + pd.l + pd.r - ew) / sx + 1;
  const size_t plane = size_t(h) * w, oplane = size_t(ho) * wo;
  const size_t taps = size_t(kh * kw), kstep = armconv::detail::dw_packed_floats(taps);
  GuardedArray<float> x(plane * count, guard_at_end), y(oplane * count, !guard_at_end);
  std::vector<float> k(kstep * count, 0.0f);
  for (int c = 0; c < count; c++)
    for (size_t i = 0; i <= taps; i++) k[c * kstep + i] = frand();  // taps, bias
  for (size_t i = 0; i < x.size(); i++) x[i] = frand();
  const float sentinel = -12345.0f;
  for (size_t i = 0; i < y.size(); i++) y[i] = sentinel;
  DwPlane p{x.data(), size_t(h), size_t(w), y.data(), size_t(ho), size_t(wo),
            size_t(pd.t), size_t(pd.l), k.data(), clamp, lo, hi, size_t(count)};
  if (kern.kxk) {
    (sy == 1 ? kern.kxk->stride1 : kern.kxk->stride2)(p);
  } else {
    // The kernel's scratch against a guard page: staging stays inside what it asked for.
    GuardedArray<float> scratch(kern.any->scratch_floats(sh, size_t(w), size_t(pd.l), size_t(ho), size_t(wo)));
    kern.any->planes(p, sh, scratch.data());
  }
  for (int c = 0; c < count; c++) {
    const float* xc = x.data() + c * plane;
    const float* kc = k.data() + c * kstep;
    for (int oy = 0; oy < ho; oy++) {
      for (int ox = 0; ox < wo; ox++) {
        double ref = kc[taps], mag = std::fabs(kc[taps]);
        for (int ky = 0; ky < kh; ky++) {
          for (int kx = 0; kx < kw; kx++) {
            const int iy = oy * sy - pd.t + ky * int(sh.dh), ix = ox * sx - pd.l + kx * int(sh.dw);
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            const double v = double(xc[size_t(iy) * w + ix]) * kc[ky * kw + kx];
            ref += v;
            mag += std::fabs(v);
          }
        }
        if (clamp) ref = ref < lo ? lo : (ref > hi ? hi : ref);
        const double bound = double(taps + 2) * std::ldexp(1.0, -23) * mag + 1e-30;
        const float got = y[c * oplane + size_t(oy) * wo + ox];
        if (!(std::fabs(got - ref) <= bound)) {
          std::printf("FAIL %s %dx%d stride %dx%d dilation %dx%d h %d w %d pads (t%d b%d l%d r%d) "
                      "clamp %d [%g, %g] count %d: plane %d y[%d][%d] = %g, want %g\n",
                      kern.name, kh, kw, sy, sx, int(sh.dh), int(sh.dw), h, w, pd.t, pd.b, pd.l,
                      pd.r, clamp, double(lo), double(hi), count, c, oy, ox, got, ref);
          return false;
        }
      }
    }
  }
  return true;
}

const Pads kPads[] = {{0, 0, 0, 0}, {1, 1, 1, 1}, {2, 2, 2, 2}, {0, 1, 0, 1}, {1, 0, 1, 0},
                      {2, 0, 1, 3}, {0, 2, 3, 1}, {3, 1, 0, 2}, {1, 2, 4, 0}, {5, 4, 6, 5},
                      {0, 0, 7, 9}, {4, 4, 4, 4}, {3, 3, 3, 3}};

// every > 1 (the generic twins where NEON kernels are dispatched, see
// main()): only the (height, width, padding) cases with (h + w + padding
// index) % every == 0 (of the large planes, (plane + padding index) %
// every == 0): every width still meets several paddings and every padding
// every width (through the heights).
void sweep(const Fp32Kernel& kern, int k, int every = 1) {
  int cases = 0, bad = 0;
  const int npads = int(sizeof(kPads) / sizeof(kPads[0]));
  for (int s = 1; s <= 2; s++) {
    const DwShape sh{size_t(k), size_t(k), s, s, 1, 1};
    for (int h = 1; h <= k + 6; h++) {
      for (int w = 1; w <= 40; w++) {
        for (int pi = 0; pi < npads; pi++) {
          if ((h + w + pi) % every != 0) continue;
          const Pads& pd = kPads[pi];
          const bool clamp = (h + w) % 3 == 0;
          const bool at_end = (h * 7 + w + pd.l) % 2 == 0;
          cases++;
          // Runs of planes where the row fits one strip (small maps).
          const int count = w <= 34 && (h + w + pd.t) % 2 == 0 ? 3 : 1;
          if (!check_plane(kern, sh, h, w, pd, clamp, at_end, count)) {
            if (++bad > 20) { g_failures += bad; return; }
          }
        }
      }
    }
    // A few large planes: several wide strips, long steady runs.
    const int big[][2] = {{56, 56}, {28, 57}, {17, 75}, {33, 64}};
    for (int bi = 0; bi < 4; bi++)
      for (int pi = 0; pi < npads; pi++) {
        if ((bi + pi) % every != 0) continue;
        const int* hw = big[bi];
        const Pads& pd = kPads[pi];
        cases++;
        if (!check_plane(kern, sh, hw[0], hw[1], pd, s == 2, (hw[1] + pd.t) % 2 == 0)) bad++;
      }
  }
  std::printf("%s: %d plane runs, %d failures\n", kern.name, cases, bad);
  g_failures += bad;
}

// The any-shape kernels: kernel sizes 1..7 and 17 (square or not), strides
// 1..3 (and unequal), dilations 1..3.
// every: as sweep()'s.
void sweep_any(const Fp32Kernel& kern, int every = 1) {
  const DwShape shapes[] = {{1, 1, 1, 1, 1, 1}, {3, 3, 1, 1, 2, 2}, {3, 3, 2, 2, 2, 3},
                            {7, 7, 1, 1, 1, 1}, {7, 7, 2, 2, 1, 1}, {2, 2, 1, 1, 1, 1},
                            {1, 5, 1, 1, 1, 1}, {5, 1, 2, 1, 1, 1}, {4, 3, 3, 1, 1, 2},
                            {3, 3, 3, 3, 1, 1}, {5, 5, 1, 2, 1, 1}, {6, 6, 1, 1, 1, 1},
                            {3, 5, 2, 1, 2, 1}, {3, 3, 1, 1, 1, 1}, {5, 5, 2, 2, 1, 1},
                            // wider than the column ranges the generic loop caches (16)
                            {2, 17, 1, 2, 1, 1}};
  int cases = 0, bad = 0;
  const int npads = int(sizeof(kPads) / sizeof(kPads[0]));
  for (const DwShape& sh : shapes)
    for (int h = 1; h <= 12; h++)
      for (int w = 1; w <= 37; w += (w < 20 ? 1 : 3))
        for (int pi = 0; pi < npads; pi++) {
          if ((h + w + pi) % every != 0) continue;
          const Pads& pd = kPads[pi];
          cases++;
          const int count = (h + w) % 4 == 0 ? 2 : 1;
          if (!check_plane(kern, sh, h, w, pd, (h + w) % 3 == 0, (h + w + pd.r) % 2 == 0, count) &&
              ++bad > 20) {
            g_failures += bad;
            return;
          }
        }
  const int big[][2] = {{40, 61}, {23, 100}};
  int si = 0;
  for (const DwShape& sh : shapes)
    for (const auto& hw : big) {
      if (si++ % every != 0) continue;
      cases++;
      if (!check_plane(kern, sh, hw[0], hw[1], {3, 2, 3, 1}, true, true)) bad++;
    }
  std::printf("%s: %d plane runs, %d failures\n", kern.name, cases, bad);
  g_failures += bad;
}

// int8 3x3 (core/dwconv.h): the dispatched kernels against the generic loop,
// bit for bit, over the same widths, heights and paddings (plus planes wider
// than the NEON kernel's column chunk), both output stages. Inputs hold
// -128; x and y sit against guard pages as above.
// `count` planes per call (runs of channels: each its own taps, bias,
// multiplier and scale).
bool check_plane_s8(const Dw3x3S8Kernels& kern, int s, int h, int w, Pads pd, bool int8_out,
                    bool guard_at_end, int count = 1) {
  using armconv::detail::DwPlaneS8;
  using armconv::detail::S8OutKind;
  using armconv::detail::kDwS8PackedBytes;
  if (h + pd.t + pd.b < 3 || w + pd.l + pd.r < 3) return true;
  const int ho = (h + pd.t + pd.b - 3) / s + 1, wo = (w + pd.l + pd.r - 3) / s + 1;
  const size_t es = int8_out ? 1 : 4, outs = size_t(ho) * size_t(wo), plane = size_t(h) * w;
  GuardedArray<int8_t> x(plane * count, guard_at_end);
  GuardedArray<unsigned char> y(outs * es * count, !guard_at_end);
  std::vector<unsigned char> want(outs * es * count);
  std::vector<int8_t> k(kDwS8PackedBytes * count, 0);
  std::vector<int32_t> bias(count), mult(count);
  std::vector<float> scale(count);
  for (int c = 0; c < count; c++) {
    int8_t* kc = k.data() + c * kDwS8PackedBytes;
    for (int i = 0; i < 9; i++) kc[i] = int8_t(int(frand() * 63.5f));
    kc[4] = (h + w + c) % 2 ? 127 : -127;
    bias[c] = int32_t(frand() * 4000.0f);
    mult[c] = (1 << 26) + c * 12345;
    scale[c] = 0.01f + 0.001f * float(c);
  }
  for (size_t i = 0; i < x.size(); i++) x[i] = int8_t(int(frand() * 64.0f));
  if (x.size() > 2) x[x.size() / 2] = -128;
  armconv::detail::S8Output out;
  out.kind = int8_out ? S8OutKind::Int8 : S8OutKind::Float;
  out.bias = bias.data();
  out.mult = mult.data();
  out.shift = (h + w) % 3;
  out.qmin = -120;
  out.qmax = 100;
  out.fscale = scale.data();
  out.fclamp = (w % 2) == 0;
  out.fmin = -150.0f;
  out.fmax = 90.0f;
  for (int c = 0; c < count; c++) {
    DwPlaneS8 q{x.data() + c * plane, size_t(h), size_t(w), want.data() + c * outs * es, size_t(ho), size_t(wo),
                size_t(pd.t), size_t(pd.l), k.data() + c * kDwS8PackedBytes, armconv::detail::out_from_row(out, c)};
    armconv::detail::dw_s8_plane_generic(q, armconv::detail::DwShape{3, 3, s, s, 1, 1});
  }
  std::memset(y.data(), 0x5a, y.size());
  DwPlaneS8 p{x.data(), size_t(h), size_t(w), y.data(), size_t(ho), size_t(wo),
              size_t(pd.t), size_t(pd.l), k.data(), out, size_t(count)};
  (s == 1 ? kern.stride1 : kern.stride2)(p);
  if (std::memcmp(y.data(), want.data(), want.size()) != 0) {
    std::printf("FAIL %s stride %d h %d w %d pads (t%d b%d l%d r%d) %s out, %d planes: differs from the generic loop\n",
                kern.name, s, h, w, pd.t, pd.b, pd.l, pd.r, int8_out ? "int8" : "float", count);
    return false;
  }
  return true;
}

void sweep_s8(const Dw3x3S8Kernels& kern) {
  const Pads pads[] = {{0, 0, 0, 0}, {1, 1, 1, 1}, {2, 2, 2, 2}, {0, 1, 0, 1}, {1, 0, 1, 0},
                       {2, 0, 1, 3}, {0, 2, 3, 1}, {5, 4, 6, 5}, {0, 0, 7, 9}, {1, 1, 17, 18}};
  int cases = 0, bad = 0;
  for (int s = 1; s <= 2; s++)
    for (int h = 1; h <= 7; h++)
      for (int w = 1; w <= 40; w++)
        for (const Pads& pd : pads) {
          cases++;
          if (!check_plane_s8(kern, s, h, w, pd, (h + w + pd.l) % 2 == 0, (h * 7 + w) % 2 == 0,
                              1 + (h + w) % 3) && ++bad > 20) {
            g_failures += bad;
            return;
          }
        }
  // Narrow maps with pad_left 1 and right 1 (neon/dwconv3x3_s8_rows.h: rows
  // built by table lookups; 8 or 16 lanes), taller, every top/bottom padding
  // up to 2 (a range of a plane's rows starts with pad 0 or 1).
  for (int s = 1; s <= 2; s++)
    for (int h = 1; h <= 20; h++)
      for (int w = 3; w <= 17; w++)
        for (int t = 0; t <= 2; t++)
          for (int b = 0; b <= 2; b++) {
            cases++;
            for (bool i8 : {true, false})
              if (!check_plane_s8(kern, s, h, w, {t, b, 1, 1}, i8, (h + w + t + b) % 2 == 0, 1 + (h + t) % 3) &&
                  ++bad > 20) {
                g_failures += bad;
                return;
              }
          }
  // Wider than a column chunk (256 outputs), taller maps.
  const int big[][2] = {{5, 300}, {9, 530}, {33, 64}, {20, 257}};
  for (int s = 1; s <= 2; s++)
    for (const auto& hw : big)
      for (const Pads& pd : pads) {
        cases++;
        for (bool i8 : {true, false})
          if (!check_plane_s8(kern, s, hw[0], hw[1], pd, i8, pd.l % 2 == 0)) bad++;
      }
  std::printf("%s: %d planes, %d failures\n", kern.name, cases, bad);
  g_failures += bad;
}

// The int8 tables' strip plan (neon/aarch64/dwconv3x3_s8_1x16_dotprod.cpp:
// 16-column strips, direct or through a table near the padding; a partial
// strip below 16 outputs that stores past each row into the next): every
// width 1..72 (each remainder of 16 and of 4, narrow rows of 4..15 bytes,
// 16..31 and wider), heights 1..9, paddings 0/1/2 on each side and
// asymmetric ones, both strides, int8 (shift 0 and > 0) and float (with and
// without the clamp) outputs, runs of 1..4 planes, guard pages at either end.
void sweep_s8_widths(const Dw3x3S8Kernels& kern) {
  const Pads pads[] = {{0, 0, 0, 0}, {1, 1, 1, 1}, {1, 0, 1, 0}, {0, 1, 0, 1}, {2, 2, 2, 2}, {1, 2, 0, 2}, {3, 1, 2, 0}};
  int cases = 0, bad = 0;
  for (int s = 1; s <= 2; s++)
    for (int h = 1; h <= 9; h++)
      for (int w = 1; w <= 72; w++)
        for (const Pads& pd : pads)
          for (bool i8 : {true, false}) {
            cases++;
            if (!check_plane_s8(kern, s, h, w, pd, i8, (h + w + pd.t) % 2 == 0, 1 + (h * 3 + w + pd.l) % 4) &&
                ++bad > 20) {
              g_failures += bad;
              return;
            }
          }
  std::printf("%s: %d planes over widths 1..72, %d failures\n", kern.name, cases, bad);
  g_failures += bad;
}

// The column strips of the aarch64 baseline table
// (neon/aarch64/dwconv3x3_s8_1x16_smull.cpp: 16-column strips, the last
// overlapping, edge strips by EXT, rows swept downwards with the windows
// kept, the rows below the plane a second call): taller maps (heights
// 10..20: the 3- and 2-row unrolled loops exit at every phase) and widths
// up to 113 (every remainder of 16 and of 8 near 16..40, and the wide
// MobileNet rows), paddings 0..2 at the top and bottom, 0/1/2 at the sides,
// both strides, int8 (shift 0 and > 0) and float (clamp on and off), runs of
// 1..3 planes, guard pages at either end; and narrow maps with bottom
// padding 3..5 in runs of 2..4 planes.
void sweep_s8_tall(const Dw3x3S8Kernels& kern) {
  const Pads pads[] = {{1, 1, 1, 1}, {0, 0, 0, 0}, {1, 0, 1, 0}, {0, 1, 0, 1}, {2, 2, 0, 2},
                       {0, 2, 1, 2}, {1, 2, 2, 1}, {2, 1, 1, 0}};
  const int widths[] = {16, 17, 18, 19, 20, 23, 24, 25, 28, 31, 32, 33, 34, 35, 36, 39, 40,
                        47, 48, 49, 56, 57, 63, 64, 65, 72, 112, 113};
  int cases = 0, bad = 0;
  for (int s = 1; s <= 2; s++)
    for (int h = 10; h <= 20; h++)
      for (int w : widths)
        for (const Pads& pd : pads) {
          if ((h + w + pd.t + pd.l) % 2 == 1 && w > 40) continue;  // (half the wide rows)
          cases++;
          const bool i8 = (h + w + pd.r) % 2 == 0;
          if (!check_plane_s8(kern, s, h, w, pd, i8, (h + w + pd.b) % 2 == 0, 1 + (h + 2 * w + pd.t) % 3) &&
              ++bad > 20) {
            g_failures += bad;
            return;
          }
        }
  // Deep bottom padding (stride 2: output rows whose input rows are all
  // below the plane, run by calls of their own), runs of planes (the narrow
  // strip's stores past a plane's last row land in the next plane): narrow
  // maps (stride 2: the 16-lane narrow strip up to 31) and a few wide ones.
  const int deep_w[] = {17, 18, 20, 24, 31, 33, 40, 47, 64};
  for (int s = 1; s <= 2; s++)
    for (int h = 1; h <= 8; h++)
      for (int wi = 0; wi < (s == 1 ? 14 : 29) + 9; wi++)
        for (int t = 0; t <= 1; t++) {
          const int w = wi < (s == 1 ? 14 : 29) ? 3 + wi : deep_w[wi - (s == 1 ? 14 : 29)];
          for (int b = 3; b <= 5; b++) {
            cases++;
            if (!check_plane_s8(kern, s, h, w, {t, b, 1, 1}, (h + w + b) % 2 == 0, (h + w + t) % 2 == 0,
                                2 + (h + b) % 3) &&
                ++bad > 20) {
              g_failures += bad;
              return;
            }
          }
        }
  std::printf("%s: %d tall planes, %d failures\n", kern.name, cases, bad);
  g_failures += bad;
}

// Long runs of small planes (the dotprod table's row pairs: maps at most 8
// outputs wide, 7x7 and 14 -> 7 among them): runs of 1..13 planes, odd and
// even, so that the planes whose every step stores 16 outputs (the lanes
// past the plane landing in the next plane's output) meet the last planes,
// which store exactly; every output height 1..9, both strides, paddings,
// int8 (shift 0 and > 0) and float (with and without the clamp) outputs,
// guard pages at either end.
void sweep_s8_runs(const Dw3x3S8Kernels& kern) {
  const Pads pads[] = {{1, 1, 1, 1}, {0, 0, 0, 0}, {0, 1, 0, 1}, {2, 1, 2, 0}};
  int cases = 0, bad = 0;
  for (int s = 1; s <= 2; s++)
    for (int h = 1; h <= 18; h++)
      for (int w = 3; w <= (s == 1 ? 9 : 17); w++)
        for (const Pads& pd : pads) {
          if (s == 1 && h > 10) continue;
          for (int count : {1, 2, 3, 5, 6, 13}) {
            const bool i8 = (h + w + count) % 2 == 0;
            cases++;
            if (!check_plane_s8(kern, s, h, w, pd, i8, (h + count + pd.l) % 2 == 0, count) && ++bad > 20) {
              g_failures += bad;
              return;
            }
          }
        }
  // The MobileNetV2 shapes, both outputs, many planes.
  for (int s = 1; s <= 2; s++)
    for (int count : {7, 8, 31})
      for (bool i8 : {true, false}) {
        cases++;
        if (!check_plane_s8(kern, s, 7 * s, 7 * s, {1, 1, 1, 1}, i8, count % 2 == 1, count)) bad++;
        if (s == 2 && !check_plane_s8(kern, s, 14, 14, {0, 1, 0, 1}, i8, count % 2 == 0, count)) bad++;
      }
  std::printf("%s: %d runs of small planes, %d failures\n", kern.name, cases, bad);
  g_failures += bad;
}

// The operator layer: batch > 1, several channels, bias, forced algorithm.
void check_operator() {
  armconv::Conv2dParams p;
  p.in_channels = p.out_channels = p.groups = 5;
  p.kernel_h = p.kernel_w = 3;
  p.stride_h = p.stride_w = 2;
  p.pad_top = 1, p.pad_bottom = 0, p.pad_left = 2, p.pad_right = 1;
  const int n = 2, h = 11, w = 13;
  int64_t ho, wo;
  armconv::output_size(p, h, w, &ho, &wo);
  std::vector<float> x(size_t(n) * 5 * h * w), wt(5 * 9), b(5);
  for (auto& v : x) v = frand();
  for (auto& v : wt) v = frand();
  for (auto& v : b) v = frand();
  std::vector<float> y1(size_t(n) * 5 * ho * wo), y2(y1.size());
  armconv::conv2d(p, x.data(), n, h, w, wt.data(), b.data(), y1.data(), armconv::Algo::Depthwise3x3);
  armconv::conv2d(p, x.data(), n, h, w, wt.data(), b.data(), y2.data(), armconv::Algo::Im2col);
  for (size_t i = 0; i < y1.size(); i++) {
    if (!(std::fabs(y1[i] - y2[i]) <= 1e-4f * (1 + std::fabs(y2[i])))) {
      std::printf("FAIL operator: y[%zu] = %g, im2col gives %g\n", i, y1[i], y2[i]);
      g_failures++;
      return;
    }
  }
  armconv::Conv2d layer(p, wt.data(), b.data());
  if (layer.algo() != armconv::Algo::Depthwise3x3) {
    std::printf("FAIL: auto did not pick depthwise3x3\n");
    g_failures++;
  }
}

}  // namespace

// A plane cut into row ranges (as the operator runs a range of rows: rows
// oy0.. are a plane of their own starting at input row oy0*s - pad_top) gives
// the same bits as the whole plane: the whole-row small-map kernels
// (neon/dwconv3x3_rows.h) run whole "same"-padded planes, the strips run the
// cuts, and results must not depend on how a layer's rows are cut. Also the
// MobileNet map sizes (14x14, 7x7, with 14 and 7 rows) against the reference,
// in runs of several planes.
// Output rows [r0, r1) of the one-plane q (q.x its first input row, q.h its
// height) as a plane of their own, written at y: the input from the row the
// first output reads, the top padding what is left of it.
DwPlane row_cut(DwPlane q, int r0, int r1, int s, float* y) {
  const int iy = r0 * s - int(q.pad_top);
  if (iy >= 0) {
    q.x += size_t(iy) * q.w;
    q.h -= size_t(iy);
    q.pad_top = 0;
  } else {
    q.pad_top = size_t(-iy);
  }
  q.y = y;
  q.ho = size_t(r1 - r0);
  return q;
}

void check_row_cuts(const DwKernels& kern) {
  int cases = 0, bad = 0;
  const int k = int(kern.k), pad = k / 2;
  for (int s = 1; s <= 2; s++) {
    for (int h = 1; h <= 16; h++) {
      for (int w = 1; w <= (s == 1 ? 20 : 34); w++) {  // (stride 2: the rows kernels and past them)
        const int ho = (h + 2 * pad - k) / s + 1, wo = (w + 2 * pad - k) / s + 1;
        if (ho < 2) continue;
        const int count = 1 + (h + w) % 3;
        const size_t plane = size_t(h) * w, oplane = size_t(ho) * wo;
        const size_t kstep = armconv::detail::dw_packed_floats(size_t(k * k));
        std::vector<float> x(plane * count), whole(oplane * count), cut(oplane * count);
        std::vector<float> kk(kstep * count, 0.0f);
        for (int c = 0; c < count; c++)
          for (int i = 0; i <= k * k; i++) kk[c * kstep + i] = frand();
        for (float& v : x) v = frand();
        const bool clamp = (h + w) % 2 == 0;
        DwPlane p{x.data(), size_t(h), size_t(w), whole.data(), size_t(ho), size_t(wo), size_t(pad),
                  size_t(pad), kk.data(), clamp, -0.5f, 0.75f, size_t(count)};
        (s == 1 ? kern.stride1 : kern.stride2)(p);
        for (int c = 0; c < count; c++) {
          // Two ranges [0, a) and [a, ho), each a plane of its own (the
          // operator keeps cuts at rows that read inside the plane).
          const int a = 1 + (h * 3 + w + c) % (ho - 1);
          if (a * s - pad > h - 1) continue;
          const int ranges[2][2] = {{0, a}, {a, ho}};
          for (const auto& r : ranges) {
            DwPlane q = p;
            q.x = x.data() + c * plane;
            q.k = kk.data() + c * kstep;
            q.count = 1;
            (s == 1 ? kern.stride1 : kern.stride2)(
                row_cut(q, r[0], r[1], s, cut.data() + c * oplane + size_t(r[0]) * wo));
          }
          cases++;
          if (std::memcmp(whole.data() + c * oplane, cut.data() + c * oplane, oplane * sizeof(float)) != 0) {
            std::printf("FAIL %s row cuts: %dx%d stride %d h %d w %d plane %d of %d cut at row %d: "
                        "bits differ from the whole plane\n", kern.name, k, k, s, h, w, c, count, a);
            bad++;
          }
        }
      }
    }
  }
  const int sizes[][2] = {{14, 14}, {7, 7}, {14, 16}, {28, 15}};
  for (int s = 1; s <= 2; s++)
    for (const auto& hw : sizes)
      for (int clamp = 0; clamp < 2; clamp++) {
        cases++;
        const DwShape sh{size_t(k), size_t(k), s, s, 1, 1};
        if (!check_plane({kern.name, &kern, nullptr}, sh, hw[0], hw[1], {pad, pad, pad, pad}, clamp != 0,
                         (hw[0] + clamp) % 2 == 0, 5))
          bad++;
      }
  std::printf("%s: %d row-cut and map-size checks, %d failures\n", kern.name, cases, bad);
  g_failures += bad;
}

// Small "same"-padded maps, every size 1..20 x 1..20 (stride 2: 1..20 x
// 1..34), in runs of 1..3 planes, with and without the clamp: the small-map
// kernels (neon/dwconv3x3_rows.h: stride-1 whole rows, the armv7 bands of
// 9..16 columns whose right band stores before the left one, stride-2 rows
// of up to 16 columns) against the reference, the planes against guard
// pages at either end.
void check_small_maps(const DwKernels& kern) {
  int cases = 0, bad = 0;
  const int k = int(kern.k), pad = k / 2;
  for (int s = 1; s <= 2; s++) {
    const DwShape sh{size_t(k), size_t(k), s, s, 1, 1};
    for (int h = 1; h <= 20; h++)
      for (int w = 1; w <= (s == 1 ? 20 : 34); w++)
        for (int clamp = 0; clamp < 2; clamp++) {
          cases++;
          if (!check_plane({kern.name, &kern, nullptr}, sh, h, w, {pad, pad, pad, pad}, clamp != 0,
                           (h + w + clamp) % 2 == 0, 1 + (h * w + clamp) % 3) &&
              ++bad > 20) {
            g_failures += bad;
            return;
          }
        }
  }
  std::printf("%s: %d small same-padded maps, %d failures\n", kern.name, cases, bad);
  g_failures += bad;
}

// The 3x3 strips' direct windows (aarch64; neon/dwconv.h): stride 1, each
// tap column's windows one LD1 from where they start, the zero unit at a
// strip's left or right end patched in (Strip1); stride 2, 16 columns per
// LD4, the even and odd outputs apart and stored by ST2 (Strip2). Every
// width 1..40 (stride 2: 1..72, several 4-vector strips and a 2-vector
// one), heights 1..20, paddings that give the fast strips (left 0, 1, 4, 5;
// top 0, 1, 2; asymmetric right and bottom), with and without the clamp,
// runs of 1..3 planes against guard pages, against the reference; then
// each plane cut into two row ranges gives the bits of the whole plane.
void check_strip_windows(const DwKernels& kern, int s) {
  if (kern.k != 3) return;
  const Pads pads[] = {{1, 1, 1, 1}, {1, 0, 1, 0}, {0, 0, 0, 0}, {0, 1, 0, 1}, {2, 1, 5, 3},
                       {1, 2, 4, 0}, {0, 2, 1, 2}, {2, 2, 1, 1}};
  const DwShape sh{3, 3, s, s, 1, 1};
  const int wmax = s == 1 ? 40 : 72;
  int cases = 0, bad = 0;
  for (int h = 1; h <= 20; h++)
    for (int w = 1; w <= wmax; w++)
      for (const Pads& pd : pads) {
        cases++;
        const bool clamp = (h + w + pd.l) % 2 == 0;
        if (!check_plane({kern.name, &kern, nullptr}, sh, h, w, pd, clamp, (h * 3 + w + pd.t) % 2 == 0,
                         1 + (h + w + pd.r) % 3) &&
            ++bad > 20) {
          g_failures += bad;
          return;
        }
      }
  for (int h = 3; h <= 20; h++)
    for (int w = 17; w <= wmax; w++)
      for (const Pads& pd : pads) {
        const int ho = (h + pd.t + pd.b - 3) / s + 1, wo = (w + pd.l + pd.r - 3) / s + 1;
        if (ho < 2 || wo < 1) continue;
        const size_t plane = size_t(h) * w, oplane = size_t(ho) * wo;
        std::vector<float> x(plane), whole(oplane), cut(oplane), kk(12, 0.0f);
        for (int i = 0; i < 10; i++) kk[i] = frand();
        for (float& v : x) v = frand();
        DwPlane p{x.data(), size_t(h), size_t(w), whole.data(), size_t(ho), size_t(wo), size_t(pd.t),
                  size_t(pd.l), kk.data(), (h + w) % 2 == 0, -0.5f, 0.75f, 1};
        (s == 1 ? kern.stride1 : kern.stride2)(p);
        const int a = 1 + (h * 5 + w) % (ho - 1);
        if (a * s - pd.t > h - 1) continue;
        const int ranges[2][2] = {{0, a}, {a, ho}};
        for (const auto& r : ranges) {
          (s == 1 ? kern.stride1 : kern.stride2)(row_cut(p, r[0], r[1], s, cut.data() + size_t(r[0]) * wo));
        }
        cases++;
        if (std::memcmp(whole.data(), cut.data(), oplane * sizeof(float)) != 0) {
          std::printf("FAIL %s strip windows row cuts: stride %d h %d w %d pads (t%d b%d l%d r%d) cut at row %d: "
                      "bits differ from the whole plane\n", kern.name, s, h, w, pd.t, pd.b, pd.l, pd.r, a);
          bad++;
        }
      }
  std::printf("%s: %d stride-%d strip checks, %d failures\n", kern.name, cases, s, bad);
  g_failures += bad;
}

// Wide "same"-padded rows: stride 2 (aarch64: neon/aarch64/dwconv3x3_1x16_s2_ld4rows.cpp,
// one band of up to four LD4 groups for up to 64 columns, then a right
// band of 1..4 groups and from 130 columns middle bands of 4, all planes
// of a run but the last unless w is a multiple of 16; up to 56 columns
// with 2..8 past a multiple of 16 the last 1..4 outputs by one LD2 (the
// half group: 34..40, 50..56 here, 8, 18..24 in check_small_maps), all
// planes where w = 16n + 8, and odd ones 16n + 1..7 up to 55, the padding
// lane zeroed; from 65 (16n + 1..8, even or odd) the half group a band of
// its own before the whole groups (65, 66, 70, 81 .. 152, 200, 209 here);
// other odd widths from 17:
// the right band ends at the row's end, overlapping the band before it,
// its padding lane zeroed, all planes but the last; armv7:
// neon/armv7/dwconv3x3_1x8_s2_ld4rows.cpp, one-group bands from the last to
// the first, every even width from 8, all planes of a run but the last
// unless w is a multiple of 16; odd widths from 17: a right band of 15
// columns and the padding lane ending at the row's end, overlapping the band
// before it, nothing read past the row, all planes) and
// stride 1 (dwconv3x3_1x16_s1_ld1rows.cpp: bands of 4 vectors down the
// plane, the right one of 1..4, for w >= 17, where w is not a multiple of
// 4 the right band first and reaching 2..4 columns past the row, all
// planes of a run but the last; one band of 2..4 vectors for 5..15 but 8
// and 12, reaching past the row likewise; armv7:
// dwconv3x3_1x8_s1_ld1rows.cpp, bands of 2 vectors, the right one of 1..2,
// for w >= 5: whole vectors, or reaching 1..3 columns past the row, all
// planes of a run but the last), in runs of 1..3 planes against the
// reference and guard pages, then each plane of the run cut into two row
// ranges (which the strips run) gives the run's bits.
void check_wide_rows(const DwKernels& kern) {
  if (kern.k != 3) return;
  const int widths2[] = {17,  19,  21,  31,  33,  34,  35,  36,  37,  38,  39,  40,  41,  42,  43,  44,
                         45,  46,  47,  48,  49,  50,  51,  52,  53,  55,  56,  57,  58,  59,  60,  61,
                         62,  63,  64,  65,  66,  70,  74,  75,  76,  77,  78,  79,  80,  81,  82,  86,
                         88,  90,  91,  93,  95,  96,  97,  98,  102, 104, 106, 110, 111, 112, 113, 114,
                         118, 120, 122, 126, 127, 128, 129, 130, 136, 138, 139, 140, 141, 143, 144, 145,
                         150, 151, 152, 160, 190, 192, 200, 207, 208, 209};
  const int widths1[] = {5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,
                         25, 26, 27, 28, 29, 30, 31, 33, 34, 38, 39, 44, 45, 50, 52, 56, 60, 64, 75,
                         100, 110, 112, 116, 149, 150, 151};
  const int heights[] = {1, 2, 3, 4, 5, 6, 7, 9, 14};
  int cases = 0, bad = 0;
  const auto check = [&](int s, int h, int w) {
    const DwShape sh{3, 3, s, s, 1, 1};
    const int count = 1 + (h + w / 2) % 3;
    const bool clamp = (h + w / 2) % 2 == 0;
    cases++;
    if (!check_plane({kern.name, &kern, nullptr}, sh, h, w, {1, 1, 1, 1}, clamp, (h + w / 2) % 2 == 1, count))
      bad++;
    const int ho = s == 1 ? h : (h + 1) / 2, wo = s == 1 ? w : (w + 1) / 2;
    if (ho < 2) return;
    const size_t plane = size_t(h) * w, oplane = size_t(ho) * wo, kstep = armconv::detail::dw_packed_floats(9);
    std::vector<float> x(plane * count), whole(oplane * count), cut(oplane * count), kk(kstep * count, 0.0f);
    for (int c = 0; c < count; c++)
      for (int i = 0; i < 10; i++) kk[c * kstep + i] = frand();
    for (float& v : x) v = frand();
    DwPlane p{x.data(), size_t(h), size_t(w), whole.data(), size_t(ho), size_t(wo), 1, 1, kk.data(),
              clamp, -0.5f, 0.75f, size_t(count)};
    const auto run = s == 1 ? kern.stride1 : kern.stride2;
    run(p);
    for (int c = 0; c < count; c++) {
      const int a = 1 + (h + c) % (ho - 1);  // (a * s - 1 <= h - 1: the cut reads inside the plane)
      DwPlane q = p;
      q.x = x.data() + c * plane;
      q.k = kk.data() + c * kstep;
      q.count = 1;
      run(row_cut(q, 0, a, s, cut.data() + c * oplane));
      run(row_cut(q, a, ho, s, cut.data() + c * oplane + size_t(a) * wo));
    }
    cases++;
    if (std::memcmp(whole.data(), cut.data(), oplane * count * sizeof(float)) != 0) {
      std::printf("FAIL %s wide rows: stride %d h %d w %d, %d planes: row cuts' bits differ from the run's\n",
                  kern.name, s, h, w, count);
      bad++;
    }
  };
  for (int s = 1; s <= 2; s++) {
    const int nw = s == 1 ? int(sizeof(widths1) / sizeof(int)) : int(sizeof(widths2) / sizeof(int));
    for (int iw = 0; iw < nw; iw++)
      for (int h : heights) check(s, h, s == 1 ? widths1[iw] : widths2[iw]);
  }
  // Stride 2, the heights whose rows the aarch64 LD4 kernel writes out (10
  // and 14 rows of 10..16 columns, 28 of 26..32) and their neighbours.
  for (int h : {10, 11, 13, 14, 15, 27, 28, 29})
    for (int w = 8; w <= 34; w++) check(2, h, w);
  std::printf("%s: %d wide-row checks, %d failures\n", kern.name, cases, bad);
  g_failures += bad;
}

// Square "same"-padded maps, the MobileNet family's narrow layers (stride 1,
// aarch64: dwconv3x3_1x16_s1_ld1rows.cpp runs planes of exactly h = w = 5,
// 7, 8, 12 and 16 rows with unrolled passes and 6, 10, 14 with the row-pair
// tails, whose window and output pointers walk on across the planes of a
// call; rows ending one column into their last vector (5, 9, 13, 17, 21)
// leave out that vector's tap column 2; 8, 12, 16: one band of whole
// vectors, every plane of a call), with their neighbours (h = w - 1, w + 1:
// the looped passes), in runs of 1..9 planes (all but the last run by that
// kernel where w is not a multiple of 4) against the reference, guard pages
// at either end, with and without the clamp (without it the shapes of w
// not a multiple of 4 run with infinite bounds); then each plane cut into
// two row ranges (the strips) gives the run's bits.
void check_square_maps(const DwKernels& kern) {
  if (kern.k != 3) return;
  const DwShape sh{3, 3, 1, 1, 1, 1};
  const int widths[] = {5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 20, 21, 22};
  const int counts[] = {1, 2, 3, 4, 9};
  int cases = 0, bad = 0;
  for (int w : widths)
    for (int h = w - 1; h <= w + 1; h++)
      for (int count : counts)
        for (int clamp = 0; clamp < 2; clamp++) {
          cases++;
          if (!check_plane({kern.name, &kern, nullptr}, sh, h, w, {1, 1, 1, 1}, clamp != 0,
                           (h + count + clamp) % 2 == 0, count)) {
            bad++;
            continue;
          }
          const size_t plane = size_t(h) * w, kstep = armconv::detail::dw_packed_floats(9);
          std::vector<float> x(plane * count), whole(plane * count), cut(plane * count), kk(kstep * count, 0.0f);
          for (int c = 0; c < count; c++)
            for (int i = 0; i < 10; i++) kk[c * kstep + i] = frand();
          for (float& v : x) v = frand();
          DwPlane p{x.data(), size_t(h), size_t(w), whole.data(), size_t(h), size_t(w), 1, 1, kk.data(),
                    clamp != 0, -0.5f, 0.75f, size_t(count)};
          kern.stride1(p);
          for (int c = 0; c < count; c++) {
            const int a = 1 + (w + c) % (h - 1);
            DwPlane q = p;
            q.x = x.data() + c * plane;
            q.k = kk.data() + c * kstep;
            q.count = 1;
            kern.stride1(row_cut(q, 0, a, 1, cut.data() + c * plane));
            kern.stride1(row_cut(q, a, h, 1, cut.data() + c * plane + size_t(a) * w));
          }
          cases++;
          if (std::memcmp(whole.data(), cut.data(), plane * count * sizeof(float)) != 0) {
            std::printf("FAIL %s square maps: h %d w %d, %d planes: row cuts' bits differ from the run's\n",
                        kern.name, h, w, count);
            bad++;
          }
        }
  std::printf("%s: %d square-map checks, %d failures\n", kern.name, cases, bad);
  g_failures += bad;
}

// Runs of the small square "same" planes with kernels of their own (aarch64:
// 7x7, the LD2 kernel dwconv3x3_1x8_s1_ld2w7, which runs all but the last
// plane of a call, its loads and stores reaching one column past each row;
// 14x14, the LD1 rows kernel's row-pair-tail pass, clamped and unclamped)
// and the shapes next to them (h or w one less or more, and 2 x 7, 13 x 7,
// which other kernels run): runs of 1..13 planes, guard page after the
// input (and before the output) or before it, the bounds of no clamp, ReLU,
// ReLU6 and [-0.5, 0.75], against the reference; then the bits of the run
// against the same planes one call each (a single plane: the last-plane
// kernels).
void check_square_runs(const DwKernels& kern) {
  if (kern.k != 3) return;
  const DwShape sh{3, 3, 1, 1, 1, 1};
  const float inf = std::numeric_limits<float>::infinity();
  struct Bounds {
    bool clamp;
    float lo, hi;
  };
  const Bounds bounds[] = {{false, -0.5f, 0.75f}, {true, 0.0f, inf}, {true, 0.0f, 6.0f}, {true, -0.5f, 0.75f}};
  const int shapes[][2] = {{7, 7}, {6, 7}, {8, 7}, {7, 6}, {7, 8}, {2, 7}, {13, 7}, {14, 14}, {13, 14}, {14, 13}};
  int cases = 0, bad = 0;
  for (const auto& hw : shapes)
    for (int count = 1; count <= 13; count++)
      for (const Bounds& b : bounds)
        for (int at_end = 0; at_end < 2; at_end++) {
          const int h = hw[0], w = hw[1];
          cases++;
          if (!check_plane({kern.name, &kern, nullptr}, sh, h, w, {1, 1, 1, 1}, b.clamp, at_end != 0, count, b.lo,
                           b.hi)) {
            bad++;
            continue;
          }
          if (at_end == 0) continue;
          const size_t plane = size_t(h) * w, kstep = armconv::detail::dw_packed_floats(9);
          std::vector<float> x(plane * count), run(plane * count), one(plane * count), kk(kstep * count, 0.0f);
          for (int c = 0; c < count; c++)
            for (int i = 0; i < 10; i++) kk[c * kstep + i] = frand();
          for (float& v : x) v = frand();
          DwPlane p{x.data(), size_t(h), size_t(w), run.data(), size_t(h), size_t(w), 1, 1, kk.data(),
                    b.clamp, b.lo, b.hi, size_t(count)};
          kern.stride1(p);
          for (int c = 0; c < count; c++) {
            DwPlane q = p;
            q.x = x.data() + c * plane;
            q.y = one.data() + c * plane;
            q.k = kk.data() + c * kstep;
            q.count = 1;
            kern.stride1(q);
          }
          cases++;
          if (std::memcmp(run.data(), one.data(), plane * count * sizeof(float)) != 0) {
            std::printf("FAIL %s square runs: h %d w %d, %d planes, clamp %d [%g, %g]: the run's bits differ from "
                        "single planes'\n",
                        kern.name, h, w, count, int(b.clamp), double(b.lo), double(b.hi));
            bad++;
          }
        }
  std::printf("%s: %d square-run checks, %d failures\n", kern.name, cases, bad);
  g_failures += bad;
}

int main() {
  using namespace armconv::detail;
  const Kernels& kt = kernels();
  std::printf("dispatched depthwise: %s %s %s\n", kt.dw3x3->name, kt.dw5x5->name, kt.dw_any->name);
  sweep({kt.dw3x3->name, kt.dw3x3, nullptr}, 3);
  sweep({kt.dw5x5->name, kt.dw5x5, nullptr}, 5);
  check_row_cuts(*kt.dw3x3);
  check_row_cuts(*kt.dw5x5);
  check_small_maps(*kt.dw3x3);
  check_small_maps(*kt.dw5x5);
  check_strip_windows(*kt.dw3x3, 1);
  check_strip_windows(*kt.dw3x3, 2);
  check_wide_rows(*kt.dw3x3);
  check_square_maps(*kt.dw3x3);
  check_square_runs(*kt.dw3x3);
  sweep_any({kt.dw_any->name, nullptr, kt.dw_any});
  // The generic twins where NEON kernels are dispatched: a quarter of the
  // sweeps' cases (sweep(): every width with several paddings, every padding
  // with every width; all three tables are the one loop of
  // generic/dwconv.cpp, dw_plane_generic). The full sweeps of the generic
  // kernels run above wherever they are the dispatched ones: host-ctest
  // (x86-64) and armv6-ctest-a9 (ARM, no VFPv4), as test.sh runs them
  // (were a third of this test's QEMU time on the NEON CPUs).
  if (kt.dw3x3 != &dw3x3_generic_kernels()) sweep({"dwconv3x3 generic", &dw3x3_generic_kernels(), nullptr}, 3, 4);
  if (kt.dw5x5 != &dw5x5_generic_kernels()) sweep({"dwconv5x5 generic", &dw5x5_generic_kernels(), nullptr}, 5, 4);
  if (kt.dw_any != &dw_any_generic_kernels())
    sweep_any({"dwconv generic", nullptr, &dw_any_generic_kernels()}, 4);
  const Dw3x3S8Kernels& chosen8 = *kt.dw3x3_s8;
  std::printf("dispatched int8 depthwise 3x3: %s\n", chosen8.name);
  sweep_s8(chosen8);
  sweep_s8_widths(chosen8);
  sweep_s8_runs(chosen8);
  sweep_s8_tall(chosen8);
#if defined(ARMCONV_HAVE_DOTPROD)
  // The dotprod table only where the CPU has dotprod (else SIGILL); it is the
  // dispatched one there, checked above: here again by name, and the
  // baseline NEON table it hands shapes to.
  std::printf("cpu dotprod=%d\n", int(cpu_features().dotprod));
  if (cpu_features().dotprod && &chosen8 != &dw3x3_s8_dotprod_kernels()) {
    sweep_s8(dw3x3_s8_dotprod_kernels());
    sweep_s8_widths(dw3x3_s8_dotprod_kernels());
    sweep_s8_runs(dw3x3_s8_dotprod_kernels());
  }
#endif
#if defined(ARMCONV_HAVE_NEON)
  // The baseline table where another is dispatched (a dotprod CPU): all of
  // its sweeps (the aarch64 strips, the intrinsics kernels it hands the
  // narrow maps and wide paddings to).
  if (&chosen8 != &dw3x3_s8_neon_kernels()) {
    sweep_s8(dw3x3_s8_neon_kernels());
    sweep_s8_widths(dw3x3_s8_neon_kernels());
    sweep_s8_runs(dw3x3_s8_neon_kernels());
    sweep_s8_tall(dw3x3_s8_neon_kernels());
  }
#endif
  check_operator();
  if (g_failures) {
    std::printf("%d failures\n", g_failures);
    return 1;
  }
  std::printf("ok\n");
  return 0;
}

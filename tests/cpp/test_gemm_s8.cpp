// int8 GEMM: every implementation this CPU can run (generic tiles, the NEON
// smull kernel, the sdot kernel, the i8mm smmla kernel) against an int64
// scalar reference and against its generic twin (the generic table of the
// same tile: every output byte), bit for bit, over every tile remainder (m,
// n, k up to twice the tile and past it), every output stage, several B
// blocks, ±127 extremes, -128 in one operand, with all operands and the
// output in buffers that end at a guard page. Also: the packers against the
// generic ones of the same tile, the public gemm_s8() checks, and the
// requantization rule at its ties; and that the dispatched table is the one
// the CPU's features call for (an extension kernel only where the CPU has it).
#include <cmath>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <random>
#include <tuple>
#include <string>
#include <vector>

#include "armconv/quant.h"
#include "core/buffer.h"
#include "core/dispatch.h"
#include "core/gemm.h"
#include "core/requant.h"
#include "check.h"
#include "guard.h"

using namespace armconv;
using namespace armconv::detail;
using armconv_test::GuardedArray;

enum class Fill { Random, Max, Min, MinusA };

static void fill(std::vector<int8_t>& v, Fill f, std::mt19937& g, bool is_a) {
  std::uniform_int_distribution<int> d(-127, 127);
  for (auto& x : v) {
    switch (f) {
      case Fill::Random: x = int8_t(d(g)); break;
      case Fill::Max: x = 127; break;
      case Fill::Min: x = -127; break;
      // -128 in A only, B at its extremes: the one-operand case the rule allows.
      case Fill::MinusA: x = is_a ? int8_t(-128) : int8_t(d(g) < 0 ? -127 : 127); break;
    }
  }
}

// Runs the macro loops of `kern` with nc forced to `nc_panels` panels (so
// several B blocks are exercised) and checks every output stage.
static void check_gemm(const S8GemmKernels& kern, size_t m, size_t n, size_t k, Fill f,
                       size_t nc_panels, std::mt19937& g) {
  std::vector<int8_t> av(m * k), bv(k * n);
  fill(av, f, g, true);
  fill(bv, f == Fill::MinusA ? Fill::MinusA : f, g, false);
  GuardedArray<int8_t> a(m * k), b(k * n);
  std::memcpy(a.data(), av.data(), av.size());
  std::memcpy(b.data(), bv.data(), bv.size());
  const size_t mpad = round_up(m, kern.mr);
  GemmPlan plan = gemm_plan(kern, m, n, k, false);
  plan.nc = std::min(plan.nc, nc_panels * kern.nr);  // (scratch stays large enough)
  plan.n_blocks = div_up(n, plan.nc);
  Buffer<int8_t> pa(mpad * plan.kp);
  Buffer<unsigned char> ws(plan.scratch_bytes);
  kern.pack_a(m, k, a.data(), k, pa.data());
  // Per-row output parameters, exercising extreme biases and multipliers.
  Buffer<int32_t> bias(mpad), mult(mpad);
  Buffer<float> fscale(mpad);
  std::uniform_int_distribution<int32_t> db(-(1 << 20), 1 << 20);
  std::uniform_int_distribution<int32_t> dm(0, INT32_MAX);
  for (size_t r = 0; r < m; r++) {
    bias[r] = r == 0 ? kS8MaxBias : (r == 1 ? -kS8MaxBias : db(g));
    mult[r] = r == 2 ? INT32_MAX : (r == 3 ? 0 : dm(g) >> (r % 24));
    fscale[r] = std::ldexp(1.0f + float(r) / 7.0f, -int(r % 9));
  }
  // Reference accumulators.
  std::vector<int64_t> ref(m * n);
  for (size_t i = 0; i < m; i++)
    for (size_t j = 0; j < n; j++) {
      int64_t s = 0;
      for (size_t kk = 0; kk < k; kk++) s += int64_t(av[i * k + kk]) * int64_t(bv[kk * n + j]);
      ref[i * n + j] = s;
    }
  GemmB<S8Gemm> src;
  src.b = b.data();
  src.ldb = n;
  const char* what = kern.name;
  const S8GemmKernels* twin = gemm_s8_generic_kernels_for(kern.mr, kern.nr, kern.kr);
  for (S8OutKind kind : {S8OutKind::Int32, S8OutKind::Int8, S8OutKind::Float}) {
    // int8: [-127, 127] (no upper clamp), [0, 100] with a shift (ReLU: the
    // unsigned narrowing), [-50, 90] (both clamps), [0, 127] with a shift;
    // without a shift (the smull kernel's E = 0 stores): [0, 100] and
    // [0, 127] (ReLU), [-50, 127] (the lower clamp alone), [-3, 6].
    for (int variant = 0; variant < (kind == S8OutKind::Int32 ? 1 : kind == S8OutKind::Int8 ? 8 : 2); variant++) {
      static const int32_t kQmin[8] = {-127, 0, -50, 0, 0, 0, -50, -3}, kQmax[8] = {127, 100, 90, 127, 100, 127, 127, 6},
                           kShift[8] = {0, 3, 0, 1, 0, 0, 0, 0};
      S8Output out;
      out.kind = kind;
      out.bias = bias.data();
      out.mult = mult.data();
      out.shift = kShift[variant];
      out.qmin = kQmin[variant];
      out.qmax = kQmax[variant];
      out.fscale = fscale.data();
      out.fclamp = variant == 1;
      out.fmin = -1000.0f;
      out.fmax = 5000.0f;
      const size_t es = kind == S8OutKind::Int8 ? 1 : 4;
      GuardedArray<unsigned char> c(m * n * es);
      std::memset(c.data(), 0x5a, m * n * es);
      gemm_run(kern, plan, pa.data(), src, c.data(), n, out, 0, plan.units(), ws.data());
      if (twin && twin != &kern) {  // the same plan and A panels (same MR, NR, KR)
        GuardedArray<unsigned char> c2(m * n * es);
        std::memset(c2.data(), 0xa5, m * n * es);
        gemm_run(*twin, plan, pa.data(), src, c2.data(), n, out, 0, plan.units(), ws.data());
        CHECK(std::memcmp(c.data(), c2.data(), m * n * es) == 0, "%s != %s: kind %d v=%d m=%zu n=%zu k=%zu",
              what, twin->name, int(kind), variant, m, n, k);
      }
      int bad = 0;
      for (size_t i = 0; i < m && bad < 3; i++)
        for (size_t j = 0; j < n && bad < 3; j++) {
          const int64_t acc64 = ref[i * n + j] + bias[i];
          CHECK(acc64 >= INT32_MIN && acc64 <= INT32_MAX, "test overflow");
          const int32_t acc = int32_t(acc64);
          const size_t idx = i * n + j;
          if (kind == S8OutKind::Int32) {
            int32_t got;
            std::memcpy(&got, c.data() + idx * 4, 4);
            if (got != acc) bad++;
            CHECK(got == acc, "%s int32 m=%zu n=%zu k=%zu (%zu,%zu): %d != %d", what, m, n, k, i, j, got, acc);
          } else if (kind == S8OutKind::Int8) {
            const int8_t got = int8_t(c.data()[idx]);
            const int32_t want = s8_requant(acc, mult[i], out.shift, out.qmin, out.qmax);
            if (got != want) bad++;
            CHECK(got == want, "%s int8 m=%zu n=%zu k=%zu v=%d (%zu,%zu): %d != %d", what, m, n, k, variant, i, j, got, want);
          } else {
            float got;
            std::memcpy(&got, c.data() + idx * 4, 4);
            float want = float(acc) * fscale[i];
            if (out.fclamp) want = want < out.fmin ? out.fmin : (want > out.fmax ? out.fmax : want);
            if (std::memcmp(&got, &want, 4) != 0) bad++;
            CHECK(std::memcmp(&got, &want, 4) == 0, "%s float m=%zu n=%zu k=%zu (%zu,%zu): %g != %g", what, m, n, k, i, j, got, want);
          }
        }
    }
  }
}

// The packers of `kern` produce exactly the bytes of the generic ones.
static void check_packers(const S8GemmKernels& kern, std::mt19937& g) {
  const S8GemmKernels* ref = gemm_s8_generic_kernels_for(kern.mr, kern.nr, kern.kr);
  CHECK(ref != nullptr, "no generic table for %s", kern.name);
  if (!ref) return;
  for (size_t k : {1, 3, 4, 5, 15, 16, 17, 33, 70})
    for (size_t n : {1, 2, 3, 5, 11, 12, 13, 16, 17, 29, 35, 50, 64}) {  // (35..64: 2-4 blocks of 16 columns)
      std::vector<int8_t> v(k * n);
      fill(v, Fill::Random, g, false);
      GuardedArray<int8_t> b(k * n);
      std::memcpy(b.data(), v.data(), v.size());
      const size_t kp = round_up(k, kern.kr), bytes = round_up(n, kern.nr) * kp;
      GuardedArray<int8_t> x(bytes);  // a packer that writes past its panels dies
      Buffer<int8_t> y(bytes);
      std::memset(x.data(), 0x33, bytes);
      kern.pack_b(k, n, b.data(), n, x.data());
      ref->pack_b(k, n, b.data(), n, y.data());
      CHECK(std::memcmp(x.data(), y.data(), bytes) == 0, "%s pack_b k=%zu n=%zu", kern.name, k, n);
      const size_t abytes = round_up(n, kern.mr) * kp;  // n rows of length k
      Buffer<int8_t> xa(abytes), ya(abytes);
      std::memset(xa.data(), 0x33, abytes);
      kern.pack_a(n, k, b.data(), k, xa.data());
      ref->pack_a(n, k, b.data(), k, ya.data());
      CHECK(std::memcmp(xa.data(), ya.data(), abytes) == 0, "%s pack_a m=%zu k=%zu", kern.name, n, k);
    }
}

// pack_b of a block narrower than its rows (ldb > n: a column block of a
// wider matrix), the block's last byte at a guard page: the packers may read
// other columns inside the block's span, never past its last byte.
static void check_pack_b_strided(const S8GemmKernels& kern, std::mt19937& g) {
  const S8GemmKernels* ref = gemm_s8_generic_kernels_for(kern.mr, kern.nr, kern.kr);
  if (!ref) return;
  for (size_t k : {1, 2, 5, 8, 19, 32, 35})
    for (size_t n = 1; n <= std::max<size_t>(2 * kern.nr + 5, 37); n++)
      for (size_t extra : {0, 1, 2, 3, 4, 5, 7, 11, 16}) {
        const size_t ldb = n + extra, span = (k - 1) * ldb + n;
        std::vector<int8_t> v(span);
        fill(v, Fill::Random, g, false);
        GuardedArray<int8_t> b(span);
        std::memcpy(b.data(), v.data(), span);
        const size_t bytes = round_up(n, kern.nr) * round_up(k, kern.kr);
        GuardedArray<int8_t> x(bytes);
        Buffer<int8_t> y(bytes);
        std::memset(x.data(), 0x33, bytes);
        kern.pack_b(k, n, b.data(), ldb, x.data());
        ref->pack_b(k, n, b.data(), ldb, y.data());
        CHECK(std::memcmp(x.data(), y.data(), bytes) == 0, "%s pack_b k=%zu n=%zu ldb=%zu", kern.name, k, n, ldb);
      }
}

// im2col against a scalar im2col of a guarded image: the table's own
// packer (if it has one) byte for byte against pack_b of the dense matrix,
// and the driver's GEMM over the image (the staged packer for the NEON
// tables) against the GEMM over the dense matrix, bit for bit.
static void check_im2col(const S8GemmKernels& kern, std::mt19937& g) {
  struct Geo { size_t c, h, w, kh, kw, sh, sw, dh, dw, pt, pb, pl, pr; };
  const Geo geos[] = {{3, 5, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, {2, 6, 5, 3, 2, 2, 1, 1, 2, 0, 2, 1, 0},
                      {5, 4, 4, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0}, {1, 9, 8, 5, 5, 1, 2, 2, 1, 3, 2, 2, 3},
                      {7, 9, 11, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},
                      {2, 12, 10, 8, 7, 1, 2, 1, 1, 3, 2, 3, 3},  // 56 taps: no tap cache
                      // Without padding (the geometry of a padded layer's
                      // zero-padded copy): the packers straight from the
                      // image (gemm_s8-aarch64-8x12k4-dotprod: stride 1 or 2
                      // along x, output width >= 4). Output widths 4 (a
                      // panel crosses up to 4 rows), 11, 14, 15, 56; stride
                      // 2 along x and along y only; dilation; 70 channels
                      // (K = 630: more rows than one batch of offsets).
                      {1, 5, 6, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0}, {3, 7, 13, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0},
                      {4, 9, 16, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0}, {70, 6, 17, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0},
                      {5, 11, 29, 3, 3, 2, 2, 1, 1, 0, 0, 0, 0}, {2, 9, 9, 3, 3, 2, 2, 1, 1, 0, 0, 0, 0},
                      {3, 10, 12, 3, 3, 1, 1, 2, 2, 0, 0, 0, 0}, {2, 13, 20, 3, 3, 2, 1, 1, 1, 0, 0, 0, 0},
                      {6, 8, 30, 1, 5, 1, 1, 1, 3, 0, 0, 0, 0}, {8, 6, 58, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0},
                      {9, 4, 30, 2, 2, 3, 2, 1, 1, 0, 0, 0, 0}, {1, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0}};
  for (const Geo& e : geos) {
    const size_t ho = (e.h + e.pt + e.pb - (e.kh - 1) * e.dh - 1) / e.sh + 1;
    const size_t wo = (e.w + e.pl + e.pr - (e.kw - 1) * e.dw - 1) / e.sw + 1;
    std::vector<int8_t> v(e.c * e.h * e.w);
    fill(v, Fill::Random, g, false);
    GuardedArray<int8_t> x(v.size());
    std::memcpy(x.data(), v.data(), v.size());
    const Im2colGeom geom{x.data(), e.c, e.h, e.w, e.kh, e.kw, int64_t(e.sh), int64_t(e.sw),
                          int64_t(e.dh), int64_t(e.dw), int64_t(e.pt), int64_t(e.pl), ho, wo};
    const size_t k = e.c * e.kh * e.kw, n = ho * wo;
    std::vector<int8_t> dense(k * n);
    for (size_t c = 0; c < e.c; c++)
      for (size_t ky = 0; ky < e.kh; ky++)
        for (size_t kx = 0; kx < e.kw; kx++)
          for (size_t oy = 0; oy < ho; oy++)
            for (size_t ox = 0; ox < wo; ox++) {
              const ptrdiff_t iy = ptrdiff_t(oy * e.sh + ky * e.dh) - ptrdiff_t(e.pt);
              const ptrdiff_t ix = ptrdiff_t(ox * e.sw + kx * e.dw) - ptrdiff_t(e.pl);
              const bool in = iy >= 0 && ix >= 0 && size_t(iy) < e.h && size_t(ix) < e.w;
              dense[((c * e.kh + ky) * e.kw + kx) * n + oy * wo + ox] =
                  in ? v[(c * e.h + size_t(iy)) * e.w + size_t(ix)] : 0;
            }
    if (kern.pack_im2col) {
      for (size_t n0 : {size_t(0), size_t(1), n / 2}) {
        const size_t nc = n - n0;
        const size_t bytes = round_up(nc, kern.nr) * round_up(k, kern.kr);
        GuardedArray<int8_t> p1(bytes);
        Buffer<int8_t> p2(bytes);
        std::memset(p1.data(), 0x33, bytes);
        kern.pack_im2col(geom, 0, k, n0, nc, p1.data());
        kern.pack_b(k, nc, dense.data() + n0, n, p2.data());
        CHECK(std::memcmp(p1.data(), p2.data(), bytes) == 0, "%s im2col c=%zu h=%zu n0=%zu", kern.name, e.c, e.h, n0);
      }
      // Slices of the rows (k0 a multiple of KR; kc not), as the staged
      // plans pack them, and narrow column ranges.
      for (size_t k0 : {kern.kr, 2 * kern.kr})
        for (size_t kc : {size_t(1), size_t(5), k > k0 ? k - k0 : size_t(0)}) {
          if (k0 + kc > k || kc == 0) continue;
          for (size_t n0 : {size_t(0), n > 7 ? n - 7 : size_t(0)}) {
            const size_t nc = std::min(n - n0, 2 * kern.nr + 1);
            const size_t bytes = round_up(nc, kern.nr) * round_up(kc, kern.kr);
            GuardedArray<int8_t> p1(bytes);
            Buffer<int8_t> p2(bytes);
            std::memset(p1.data(), 0x33, bytes);
            kern.pack_im2col(geom, k0, kc, n0, nc, p1.data());
            kern.pack_b(kc, nc, dense.data() + k0 * n + n0, n, p2.data());
            CHECK(std::memcmp(p1.data(), p2.data(), bytes) == 0, "%s im2col c=%zu h=%zu w=%zu k0=%zu kc=%zu n0=%zu",
                  kern.name, e.c, e.h, e.w, k0, kc, n0);
          }
        }
    }
    const size_t m = 2 * kern.mr + 1;
    std::vector<int8_t> av(m * k);
    fill(av, Fill::Random, g, true);
    Buffer<int8_t> pa(round_up(m, kern.mr) * round_up(k, kern.kr));
    kern.pack_a(m, k, av.data(), k, pa.data());
    Buffer<int32_t> bias(m);
    S8Output out;
    out.bias = bias.data();
    std::vector<int32_t> c1(m * n), c2(m * n);
    for (size_t panels : {size_t(1), size_t(3), size_t(1000)}) {
      GemmPlan plan = gemm_plan(kern, m, n, k, true);
      plan.nc = std::min(plan.nc, panels * kern.nr);  // several B blocks
      plan.n_blocks = div_up(n, plan.nc);
      Buffer<unsigned char> ws(plan.scratch_bytes, Buffer<unsigned char>::Uninitialized());
      GemmB<S8Gemm> img, mat;
      img.im2col = &geom;
      mat.b = dense.data();
      mat.ldb = n;
      gemm_run(kern, plan, pa.data(), img, c1.data(), n, out, 0, plan.units(), ws.data());
      gemm_run(kern, plan, pa.data(), mat, c2.data(), n, out, 0, plan.units(), ws.data());
      CHECK(c1 == c2, "%s GEMM over im2col c=%zu h=%zu w=%zu nc=%zu", kern.name, e.c, e.h, e.w, plan.nc);
    }
  }
}

static void check_kernels(const S8GemmKernels& kern) {
  std::printf("checking %s (%zux%zu, k groups of %zu)\n", kern.name, kern.mr, kern.nr, kern.kr);
  std::mt19937 g(12345);
  check_packers(kern, g);
  check_pack_b_strided(kern, g);
  check_im2col(kern, g);
  std::vector<size_t> ms, ns;
  for (size_t m = 1; m <= 2 * kern.mr + 1; m++) ms.push_back(m);
  for (size_t n = 1; n <= 2 * kern.nr + 1; n++) ns.push_back(n);
  const size_t ks[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 100};
  for (size_t m : ms)
    for (size_t n : ns)
      for (size_t k : ks) check_gemm(kern, m, n, k, Fill::Random, 1 + (m + n + k) % 3, g);
  // Strips of full tiles (the sdot kernel runs a call's full tiles in one
  // assembly loop: 1..8 tiles a call by nc_panels, then the partial panel,
  // n % NR = 0..12) over every K from 1 to 72: every remainder of 8 k groups
  // (0..7), without and with the 8-group loop, K not a multiple of 4.
  for (size_t k = 1; k <= 72; k++)
    check_gemm(kern, 2 * kern.mr, 7 * kern.nr + k % 13, k, Fill::Random, 1 + k % 8, g);
  // The same for k grouped by 16 (the smull kernel's k code by the number of
  // groups: 1, 2, 3, 4, then 5..12 with the odd group, the pair and the
  // blocks of four by the bits of groups - 1), the group full or not, and
  // strips of fewer than 4 rows.
  for (size_t gr = 1; gr <= 12; gr++)
    for (size_t k : {16 * gr - 15, 16 * gr - 1, 16 * gr}) {
      check_gemm(kern, 2 * kern.mr, 7 * kern.nr + k % 13, k, Fill::Random, 1 + (k + gr) % 8, g);
      check_gemm(kern, kern.mr - 1, 2 * kern.nr + gr % 3, k, Fill::Random, 1 + gr % 3, g);
    }
  // k grouped by 8 (the i8mm kernel: 8-group loop, then 4, 2, 1 groups by
  // the bits of the rest; partial panels of 1-2, 3-4, 5-7 columns compute
  // 1, 2 or 4 column pairs): every K from 1 to 70 with N from 1 to 40
  // (every remainder of 8 columns, one to five panels, strips of 1-4 full
  // tiles), full and partial M-panels.
  if (kern.kr == 8)
    for (size_t k = 1; k <= 70; k++)
      for (size_t n = 1 + k % 3; n <= 40; n += 3)
        check_gemm(kern, (k + n) % 4 == 0 ? 1 + k % (kern.mr - 1) : 2 * kern.mr, n, k, Fill::Random,
                   1 + (k + n) % 4, g);
  // Extremes: all +127 / all -127 (the int16 pair sums at their largest),
  // -128 in one operand, long K with several B blocks.
  for (Fill f : {Fill::Max, Fill::Min, Fill::MinusA})
    for (size_t k : {16, 32, 257, 1000}) check_gemm(kern, kern.mr + 1, 3 * kern.nr + 1, k, f, 2, g);
  check_gemm(kern, 3 * kern.mr - 1, 5 * kern.nr + 3, 700, Fill::Random, 2, g);
}

static void check_rule() {
  // requant: x * M / 2^31 rounded half up (toward +inf).
  const int32_t half = int32_t(1) << 30;  // M = 2^30: t = round(x / 2)
  CHECK(s8_requant(1, half, 0, -127, 127) == 1, "0.5 -> 1");
  CHECK(s8_requant(-1, half, 0, -127, 127) == 0, "-0.5 -> 0");
  CHECK(s8_requant(3, half, 0, -127, 127) == 2, "1.5 -> 2");
  CHECK(s8_requant(-3, half, 0, -127, 127) == -1, "-1.5 -> -1");
  CHECK(s8_requant(1000, half, 0, -127, 127) == 127, "saturate high");
  CHECK(s8_requant(-1000, half, 0, -127, 127) == -127, "saturate low: never -128");
  CHECK(s8_requant(INT32_MIN, INT32_MAX, 0, -127, 127) == -127, "extreme");
  CHECK(s8_requant(5, half, 2, -127, 127) == 10, "shift");
  CHECK(s8_requant(INT32_MAX, half, 5, -127, 127) == 127, "shift saturates");
  double s[3] = {0.5, 0.25, 1e-3};
  int32_t m[3];
  int e = -1;
  requant_multipliers(s, 3, m, &e);
  CHECK(e == 0 && m[0] == (1 << 30) && m[1] == (1 << 29) && m[2] == 2147484, "multipliers %d %d %d %d", e, m[0], m[1], m[2]);
  double s2[2] = {3.0, 0.1};
  requant_multipliers(s2, 2, m, &e);
  CHECK(e == 2 && m[0] == 1610612736, "multipliers with shift %d %d", e, m[0]);
  // quantize: ties away from zero, clamp to +-127.
  const float xs[] = {0.5f, -0.5f, 1.5f, -1.5f, 2.5f, 0.49999997f, 1000.0f, -1000.0f, -0.0f};
  const int8_t want[] = {1, -1, 2, -2, 3, 0, 127, -127, 0};
  int8_t q[9];
  const float one = 1.0f;
  quantize(xs, q, 1, 1, 9, &one);
  for (int i = 0; i < 9; i++) CHECK(q[i] == want[i], "quantize %g -> %d, want %d", double(xs[i]), q[i], want[i]);
}

static void check_public() {
  std::mt19937 g(7);
  const int64_t m = 13, n = 29, k = 37;
  std::vector<int8_t> a(m * k), b(k * n);
  fill(a, Fill::Random, g, true);
  fill(b, Fill::Random, g, false);
  std::vector<int32_t> c(m * n);
  gemm_s8(m, n, k, a.data(), k, b.data(), n, c.data(), n);
  for (int64_t i = 0; i < m; i++)
    for (int64_t j = 0; j < n; j++) {
      int64_t s = 0;
      for (int64_t kk = 0; kk < k; kk++) s += a[i * k + kk] * b[kk * n + j];
      CHECK(c[i * n + j] == s, "gemm_s8 (%d,%d)", int(i), int(j));
    }
  a[5] = -128;
  bool threw = false;
  try {
    gemm_s8(m, n, k, a.data(), k, b.data(), n, c.data(), n);
  } catch (const Error&) {
    threw = true;
  }
  CHECK(threw, "gemm_s8 accepts -128");
}

int main() {
  check_rule();
  check_public();
  check_kernels(gemm_s8_generic_kernels());
  for (auto t : {std::make_tuple(4, 2, 16), std::make_tuple(8, 12, 4), std::make_tuple(8, 8, 8)})
    check_kernels(*gemm_s8_generic_kernels_for(size_t(std::get<0>(t)), size_t(std::get<1>(t)),
                                               size_t(std::get<2>(t))));
  const CpuFeatures& f = cpu_features();
  std::printf("cpu: %s neon=%d dotprod=%d i8mm=%d; chosen: %s\n", f.arch, f.neon, f.dotprod, f.i8mm,
              kernels().gemm_s8->name);
  // The dispatched table: i8mm > dotprod > smull > generic, by the features
  // (a CPU without an extension never reaches its kernel: SIGILL otherwise).
  const S8GemmKernels* want = &gemm_s8_generic_kernels();
#if defined(ARMCONV_HAVE_NEON)
  if (f.neon) want = &gemm_s8_neon_kernels();
#endif
#if defined(ARMCONV_HAVE_DOTPROD)
  if (f.dotprod) want = &gemm_s8_dotprod_kernels();
#endif
#if defined(ARMCONV_HAVE_I8MM)
  if (f.i8mm) want = &gemm_s8_i8mm_kernels();
#endif
  CHECK(kernels().gemm_s8 == want, "dispatched %s, want %s", kernels().gemm_s8->name, want->name);
#if defined(ARMCONV_HAVE_NEON)
  if (f.neon) check_kernels(gemm_s8_neon_kernels());
#endif
#if defined(ARMCONV_HAVE_DOTPROD)
  if (f.dotprod) check_kernels(gemm_s8_dotprod_kernels());
#endif
#if defined(ARMCONV_HAVE_I8MM)
  if (f.i8mm) check_kernels(gemm_s8_i8mm_kernels());
#endif
  if (failures) std::printf("%d failures\n", failures);
  else std::printf("ok\n");
  return failures ? 1 : 0;
}

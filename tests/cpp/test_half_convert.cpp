// float16 arrays <-> float (core/half_convert.h): the dispatched table (NEON
// on aarch64) and the portable one against an independent reference: binary16
// decoded with ldexp (NaNs quietened, as FCVTL), and floats rounded to binary16
// in double arithmetic with libm (round_half_libm below). Every binary16 value;
// every float at, next to and halfway between binary16 values (ties both ways),
// across the subnormal, normal and overflow ranges; NaN payloads; 2^20 random
// bit patterns; every length 0..40 in arrays that end (and start) at a guard
// page.
//
// Also core/half.h's round_half (integer arithmetic on a double's bits; the
// generic fp16 twins round every multiply-add with it) against the same libm
// formulation: on those floats, and on the exact products and the TwoSum-split
// sums of binary16 values that fma_half hands it, ties with `below` either way.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "check.h"
#include "core/dispatch.h"
#include "core/half.h"
#include "core/half_convert.h"
#include "guard.h"

using armconv::Half;
using namespace armconv::detail;

namespace {

uint32_t bits_of(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
float float_of(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// binary16 -> float by its definition: (-1)^s * 2^(e-15) * 1.f, or 2^-14 * 0.f.
uint32_t ref_to_float(uint16_t h) {
  const int s = h >> 15, e = (h >> 10) & 31, f = h & 1023;
  if (e == 31)  // inf; NaN: payload kept, quietened
    return (uint32_t(s) << 31) | 0x7f800000u | (uint32_t(f) << 13) | (f ? 0x00400000u : 0u);
  const double mag = e == 0 ? std::ldexp(double(f), -24) : std::ldexp(double(1024 + f), e - 25);
  return bits_of(float(s ? -mag : mag));
}

// v (exactly a binary16 value, or beyond its range) as binary16 bits.
uint16_t libm_bits_of(double v) {
  const uint16_t s = std::signbit(v) ? 0x8000 : 0;
  const double a = std::fabs(v);
  if (std::isinf(a) || a >= 65536.0) return s | 0x7c00;
  if (a < 6.103515625e-05) return uint16_t(s | uint16_t(a * 16777216.0));  // subnormal: a = f 2^-24
  int e;
  const double m = std::frexp(a, &e);  // a = m 2^e, m in [0.5, 1)
  return uint16_t(s | uint16_t((e + 14) << 10) | uint16_t(m * 2048.0 - 1024.0));
}

// v rounded to binary16 by scaling with the binary16 ulp at |v| and rounding
// to an integer (nearbyint: to nearest even); a tie of v breaks toward the
// exact value when `below` says on which side of v it lies.
uint16_t round_half_libm(double v, double below = 0.0) {
  if (std::isnan(v)) return 0x7e00;
  if (std::isinf(v)) return libm_bits_of(v);
  const double a = std::fabs(v);
  int e = a == 0.0 ? -14 : std::ilogb(a);
  if (e < -14) e = -14;
  const double ulp = std::ldexp(1.0, e - 10);
  const double q = v / ulp;  // exact: a power-of-two scaling
  const double fl = std::floor(q);
  const double r = q - fl == 0.5 && below != 0.0 ? (below > 0.0 ? fl + 1.0 : fl) : std::nearbyint(q);
  const double out = r * ulp;
  if (out == 0.0) return std::signbit(v) ? 0x8000 : 0;
  return libm_bits_of(out);
}

// float -> binary16: rounded in double (exact for every float), NaN quietened as FCVTN.
uint16_t ref_to_half(float f) {
  if (std::isnan(f)) return uint16_t(((bits_of(f) >> 16) & 0x8000u) | 0x7e00u | ((bits_of(f) >> 13) & 0x3ffu));
  return round_half_libm(double(f));
}

void check_round_half(const std::vector<float>& floats) {
  for (float f : floats)
    if (!std::isnan(f))
      CHECK(round_half(double(f)).bits == round_half_libm(double(f)), "round_half(%a) = 0x%04x, want 0x%04x",
            double(f), round_half(double(f)).bits, round_half_libm(double(f)));
  // What fma_half rounds: s = fl(p + z) with err = p + z - s (TwoSum), p = x y
  // exact; binary16 operands from random bits over every exponent, half of
  // them with z near -p (cancellation down to the subnormals).
  std::mt19937 rng(11);
  auto any_half = [&] {
    const uint16_t b = uint16_t(rng());
    return ((b >> 10) & 31) == 31 ? double(b & 0x3ff) : double(float_of(ref_to_float(b)));
  };
  int ties = 0;
  for (int i = 0; i < (1 << 18); i++) {
    const double x = any_half(), y = any_half();
    const double p = x * y;
    double z = any_half();
    if (i & 1) z = -double(float_of(ref_to_float(round_half_libm(p)))) + z * 0x1p-12;
    const double s = p + z, bb = s - p, err = (p - (s - bb)) + (z - bb);
    CHECK(round_half(p).bits == round_half_libm(p), "round_half(%a) = 0x%04x, want 0x%04x", p, round_half(p).bits,
          round_half_libm(p));
    for (double below : {err, 1.0, -1.0}) {
      CHECK(round_half(s, below).bits == round_half_libm(s, below), "round_half(%a, %g) = 0x%04x, want 0x%04x", s,
            below, round_half(s, below).bits, round_half_libm(s, below));
    }
    // The tie next to s at its binary16 ulp, with `below` each way.
    const double h = double(float_of(ref_to_float(round_half_libm(s))));
    const int e = h == 0.0 ? -14 : std::max(std::ilogb(std::fabs(h)), -14);
    const double tie = h + std::ldexp(0.5, e - 10);
    for (double below : {0.0, 1.0, -1.0}) {
      ties++;
      CHECK(round_half(tie, below).bits == round_half_libm(tie, below), "round_half(%a, %g) = 0x%04x, want 0x%04x",
            tie, below, round_half(tie, below).bits, round_half_libm(tie, below));
    }
  }
  std::printf("round_half: %zu floats, %d products and sums, %d ties\n", floats.size(), 1 << 18, ties);
}

void check_table(const HalfConvertKernels& k, const std::vector<float>& floats) {
  // Every binary16 value to float.
  std::vector<Half> h(65536);
  for (size_t i = 0; i < h.size(); i++) h[i].bits = uint16_t(i);
  std::vector<float> f(h.size());
  k.to_float(h.data(), f.data(), h.size());
  for (size_t i = 0; i < h.size(); i++)
    CHECK(bits_of(f[i]) == ref_to_float(uint16_t(i)), "%s to_float(0x%04zx) = 0x%08x, want 0x%08x", k.name, i,
          bits_of(f[i]), ref_to_float(uint16_t(i)));
  // The floats to binary16.
  std::vector<Half> out(floats.size());
  k.to_half(floats.data(), out.data(), floats.size());
  for (size_t i = 0; i < floats.size(); i++)
    CHECK(out[i].bits == ref_to_half(floats[i]), "%s to_half(0x%08x) = 0x%04x, want 0x%04x", k.name,
          bits_of(floats[i]), out[i].bits, ref_to_half(floats[i]));
  // Every length up to 40, at a guard page on either side (unaligned starts).
  for (size_t n = 0; n <= 40; n++)
    for (bool at_end : {true, false}) {
      armconv_test::GuardedArray<Half> hx(n, at_end);
      armconv_test::GuardedArray<float> fx(n, at_end), fy(n, at_end);
      armconv_test::GuardedArray<Half> hy(n, at_end);
      for (size_t i = 0; i < n; i++) {
        hx[i].bits = uint16_t(0x3c00 + 37 * i);
        fx[i] = floats[(i * 7919) % floats.size()];
      }
      k.to_float(hx.data(), fy.data(), n);
      k.to_half(fx.data(), hy.data(), n);
      for (size_t i = 0; i < n; i++) {
        CHECK(bits_of(fy[i]) == ref_to_float(hx[i].bits), "%s to_float n=%zu i=%zu", k.name, n, i);
        CHECK(hy[i].bits == ref_to_half(fx[i]), "%s to_half n=%zu i=%zu", k.name, n, i);
      }
    }
}

}  // namespace

int main() {
  std::vector<float> floats;
  for (uint32_t i = 0; i < 65536; i++) {
    const uint16_t hb = uint16_t(i);
    if (((hb >> 10) & 31) == 31) continue;
    const float v = float_of(ref_to_float(hb));
    // The next binary16 away from zero (past the largest, 65504: 65536, whose tie 65520 rounds to inf).
    const float next = (hb & 0x7fff) == 0x7bff ? std::copysign(65536.0f, v)
                                                : float_of(ref_to_float(uint16_t(hb + 1)));
    floats.push_back(v);
    floats.push_back(std::nextafter(v, 0.0f));
    floats.push_back(std::nextafter(v, 2.0f * v));
    {
      const float mid = float((double(v) + double(next)) / 2.0);  // the tie (exact in float)
      floats.push_back(mid);
      floats.push_back(std::nextafter(mid, 0.0f));
      floats.push_back(std::nextafter(mid, 2.0f * mid));
    }
  }
  for (uint32_t u : {0x7f800000u, 0xff800000u, 0x7fc00000u, 0x7f800001u, 0xffbfe000u, 0x7fffffffu,
                     0x477fefffu, 0x477ff000u, 0x00000001u, 0x80000001u, 0x337fffffu, 0x33800000u, 0x33800001u})
    floats.push_back(float_of(u));
  std::mt19937 rng(7);
  for (int i = 0; i < (1 << 20); i++) floats.push_back(float_of(uint32_t(rng())));

  const HalfConvertKernels& chosen = *kernels().half_convert;
  std::printf("dispatched: %s\n", chosen.name);
#if defined(__aarch64__) && defined(ARMCONV_HAVE_NEON)
  CHECK(std::strcmp(chosen.name, "half_convert-aarch64-16") == 0 || !cpu_features().neon,
        "aarch64 with NEON should dispatch the FCVTL/FCVTN table, got %s", chosen.name);
#endif
  check_round_half(floats);
  check_table(chosen, floats);
  check_table(half_convert_generic_kernels(), floats);
  std::printf("%s\n", failures ? "FAILED" : "ok");
  return failures ? 1 : 0;
}

// Random test operands without std::uniform_real_distribution.
//
// libstdc++'s real distributions go through std::generate_canonical, which
// computes log2 of the generator's range in long double. On AArch64 long
// double is IEEE binary128, done in software: GCC folds that logarithm at
// compile time, clang 14 calls logl for every number drawn, and test_sgemm
// executed 209 G instructions under QEMU instead of 2.5 G (4.8 minutes of
// the CI run per CPU model). These draw from the generator's bits directly.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>

namespace armconv_test {

// Uniform on [lo, hi): a float from the top 24 bits of one 32-bit draw, a
// double from 53 bits of two.
template <class T>
class Uniform {
 public:
  Uniform(T lo, T hi) : lo_(lo), width_(hi - lo) {}
  T operator()(std::mt19937& g) const {
    if constexpr (sizeof(T) == sizeof(float)) {
      return lo_ + width_ * (T(g() >> 8) * T(0x1p-24));
    } else {
      const uint64_t hi = g() >> 5, lo = g() >> 6;  // 27 + 26 bits
      return lo_ + width_ * (T((hi << 26) | lo) * T(0x1p-53));
    }
  }

 private:
  T lo_, width_;
};

// Normal(mean, stddev) by Box-Muller on two uniform draws (u1 in (0, 1]).
template <class T>
class Normal {
 public:
  Normal(T mean, T stddev) : mean_(mean), stddev_(stddev) {}
  T operator()(std::mt19937& g) const {
    const double u1 = (double(g() >> 8) + 1.0) * 0x1p-24, u2 = double(g() >> 8) * 0x1p-24;
    return T(mean_ + stddev_ * std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
  }

 private:
  T mean_, stddev_;
};

}  // namespace armconv_test

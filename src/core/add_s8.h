// Elementwise Add of two int8 tensors into an int8 tensor (the "add_s8"
// family): the residual Add of an int8 model (python/armconv/_model/int8.py),
// symmetric per-tensor scales, no zero point: a holds a * sa, b holds b * sb,
// y is to hold (a sa + b sb) at the scale sy.
//
// Contract (an exact integer rule). With params {ma, mb, shift, lo}
// (add_s8_params below), for i < n:
//   acc  = a[i] ma + b[i] mb                   (exact: |acc| < 2^23)
//   v    = round_half_away_from_zero(acc / 2^shift)
//   y[i] = max(lo, min(max(v, -127), 127))
// bit for bit on every implementation, for 1 <= shift <= 16, |ma|, |mb| <=
// 32767 and -127 <= lo <= 127 (lo = 0: a fused ReLU; -127: none). The
// multipliers are fixed-point approximations of the scale ratios
// (as TFLite's and XNNPACK's int8 Add: ma ~ (sa / sy) 2^shift), so y is the
// documented y = clamp(round_half_away((a sa + b sb) / sy), -127, 127) up to
// the multipliers' rounding: (a ma + b mb) / 2^shift differs from
// (a sa + b sb) / sy by at most 127 / 2^shift (each multiplier is within 1/2
// of its ideal), which add_s8_params keeps below 0.0079 max(sa, sb) / sy (and
// below 0.002 where max(sa, sb) / sy < 1/2); a value that close to a
// half-integer may round the other way. The tests' reference is this rule in
// float64 (every quantity exact there).
// Every element goes through the same instructions whatever n and its
// position (tails run the vector code on a staged copy; the rule is exact
// anyway). Aliasing: y may be a or b (the same pointer: in place); it must not
// overlap them otherwise. Reads a[0, n), b[0, n), writes y[0, n) only; no
// alignment needed.
#pragma once

#include <cstddef>
#include <cstdint>

namespace armconv {
namespace detail {

struct AddS8Params {
  int32_t ma, mb;  // |.| <= 32767
  int32_t shift;   // 1..16
  int32_t lo;      // -127..127: the lower clamp (0: ReLU)
};

// The parameters for input scales sa, sb and output scale sy (finite, > 0):
//   r = max(sa, sb) / sy (float64 quotients), shift = the largest s in
//   [1, 16] with round_half_away(r 2^s) <= 32767, ma = round_half_away(
//   (sa / sy) 2^shift), mb likewise (the quotients and products in float64).
// The largest shift keeps the larger multiplier in [16384, 32767] unless
// shift is 16. Returns false (p untouched) when no shift fits (r > 16383.75:
// an output scale that small saturates every nonzero input) or a scale is not
// finite and positive, or lo is outside [-127, 127].
bool add_s8_params(float sa, float sb, float sy, int lo, AddS8Params* p);

struct AddS8Kernels {
  const char* name;  // add_s8-<isa>-<elements per step>
  void (*add)(const int8_t* a, const int8_t* b, int8_t* y, size_t n, const AddS8Params& p);
};

// generic/add_s8.cpp: the rule itself, one element at a time.
const AddS8Kernels& add_s8_generic_kernels();
// neon/add_s8.h, instantiated by neon/aarch64/add_s8_16.cpp and
// neon/armv7/add_s8_16.cpp: 16 elements per step.
const AddS8Kernels& add_s8_neon_kernels();

// The operator (core/add_s8.cpp): y = rule(a, b) over n elements, cut into
// units of `per_unit` elements (a multiple of 16; the last unit may be
// shorter) planned from n and the team, as the float eltwise operator's Same
// kind (core/eltwise.h); results do not depend on the cut.
struct AddS8Plan {
  AddS8Params params;
  size_t n;
  size_t units, per_unit;
};
// The plan for a run on `team` threads (1: the fewest units).
AddS8Plan add_s8_plan(const AddS8Params& p, size_t n, int team = 1);
// Units [begin, end) of `plan` with `k`'s kernel.
void add_s8_run(const AddS8Kernels& k, const AddS8Plan& plan, const int8_t* a, const int8_t* b, int8_t* y,
                size_t begin, size_t end);
// Plan and run all units on the thread pool with the dispatched kernel.
void add_s8(const AddS8Params& p, const int8_t* a, const int8_t* b, int8_t* y, size_t n);
const char* add_s8_kernel_name();

}  // namespace detail
}  // namespace armconv

// armconv int8: symmetric quantization, the int8 GEMM and quantized
// convolution (C++ API; the Python package wraps exactly these).
//
// Quantized values are int8 in [-127, 127] with a float scale (real value =
// q * scale, no zero point). Rounding rules (bit-exact on every CPU):
//   quantize:   q = clamp(round_half_away_from_zero(x / scale), -127, 127),
//               the division done in double precision.
//   dequantize: x = fl32(q * scale).
//   requantize: int32 -> int8 by the rule of src/core/requant.h: scale s
//               becomes M = round(s * 2^(31-E)) (E >= 0 the smallest shift
//               with every M < 2^31), then
//               q = clamp(floor((2 * sat32(acc * 2^E) * M + 2^31) / 2^32), qmin, qmax).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "armconv/armconv.h"

namespace armconv {

// Limits of the int8 GEMM: K <= 65536 and quantized biases in [-2^30, 2^30]
// keep the int32 accumulator exact.
constexpr int64_t kGemmS8MaxK = int64_t(1) << 16;

// C (m x n int32, row stride ldc) = A (m x k int8) * B (k x n int8), exact.
// Throws Error if A or B holds -128 (the smull kernels' precondition) or k > 65536.
void gemm_s8(int64_t m, int64_t n, int64_t k, const int8_t* a, int64_t lda, const int8_t* b,
             int64_t ldb, int32_t* c, int64_t ldc);

// Element (o, ch, i) of an (outer, channels, inner) array uses scales[ch]
// (per tensor: channels = 1). Scales must be finite and > 0.
// quantize throws Error on NaN (infinities clamp to +-127); it runs on the
// library's threads (get_num_threads()) from about 4400 elements per thread,
// with the same bits for every thread count.
void quantize(const float* x, int8_t* q, int64_t outer, int64_t channels, int64_t inner,
              const float* scales);
void dequantize(const int8_t* q, float* x, int64_t outer, int64_t channels, int64_t inner,
                const float* scales);
// Scales must be finite and >= 0; qmin/qmax in [-127, 127].
void requantize(const int32_t* acc, int8_t* q, int64_t outer, int64_t channels, int64_t inner,
                const float* scales, int32_t qmin = -127, int32_t qmax = 127);

namespace detail {
class QConvImpl;
struct PlanAccess;
}  // namespace detail

// A quantized convolution layer. The float weights are quantized once, per
// output channel (scale = max|w| / 127, rounded to float32; 1 for an all-zero
// channel), and packed for the int8 GEMM; the float bias is quantized to int32
// with scale input_scale * weight_scale (clamped to [-2^30, 2^30]).
//   output_scale > 0: run() returns int8 requantized with
//       s = input_scale * weight_scale[o] / output_scale (double), the
//       activation clamp (p.clamp: [out_min, out_max] in real units) becoming
//       qmin = max(-127, round(out_min / output_scale)),
//       qmax = min(127, round(out_max / output_scale));
//   output_scale == 0: run() returns float32 fl32(acc) * fl32(input_scale *
//       weight_scale[o]), clamped to [out_min, out_max] if p.clamp.
// The input may hold -128 (the weights never do). Algorithms (algo()):
// "depthwise3x3" (groups == in == out channels > 1, 3x3, stride 1 or 2 in
// both dimensions, dilation 1: NEON kernels with their generic twin),
// "depthwise" (any other depthwise shape: a direct generic loop), "gemm"
// (1x1, stride 1, no padding: the image is the GEMM's B), "im2col" (anything
// else: int8 im2col panels packed straight from the image), "winograd23"
// (3x3, stride 1, dilation 1, at most 3669 input channels per group:
// Winograd F(2x2, 3x3) in exact integer arithmetic, the same bits as
// im2col; an `auto` layer runs it or im2col, whichever counts cheaper on
// the map, each packed the first time a map needs it: algo() names the pick
// on a 224x224 output map).
// `algo` forces a family (Algo::Auto: the planner's choice; Gemm, Im2col,
// Depthwise3x3, Depthwise, Winograd23); one that cannot run the layer, or
// has no int8 kernels, throws Error saying why.
// Immutable after construction: run() may be called from several threads.
class QConv2d {
 public:
  QConv2d(const Conv2dParams& p, const float* weight, const float* bias, float input_scale,
          float output_scale, Algo algo = Algo::Auto);
  ~QConv2d();
  QConv2d(QConv2d&&) noexcept;
  QConv2d& operator=(QConv2d&&) noexcept;

  const Conv2dParams& params() const { return p_; }
  bool int8_output() const { return output_scale_ > 0.0f; }
  float input_scale() const { return input_scale_; }
  float output_scale() const { return output_scale_; }
  const char* algo() const;
  // Scratch memory one run() over an h x w map (batch 1) takes at this thread's
  // get_num_threads() (as Conv2d::workspace_bytes).
  size_t workspace_bytes(int64_t h, int64_t w) const;

  // x: (n, in_channels, h, w) int8; y: (n, out_channels, ho, wo), int8 when
  // int8_output(), float otherwise (the other overload throws Error).
  void run(const int8_t* x, int64_t n, int64_t h, int64_t w, int8_t* y) const;
  void run(const int8_t* x, int64_t n, int64_t h, int64_t w, float* y) const;

  // What construction derived (for tests and inspection).
  const std::vector<int8_t>& weight_q() const;         // (out, in/groups, kh, kw)
  const std::vector<float>& weight_scale() const;      // (out)
  const std::vector<int32_t>& bias_q() const;          // (out)
  const std::vector<int32_t>& requant_multiplier() const;  // (out), int8 output
  int requant_shift() const;
  const std::vector<float>& dequant_scale() const;     // (out), float output
  int32_t qmin() const;
  int32_t qmax() const;

 private:
  friend struct detail::PlanAccess;  // the library's own benchmarks and tests
  void run_any(const int8_t* x, int64_t n, int64_t h, int64_t w, void* y) const;
  Conv2dParams p_;
  float input_scale_, output_scale_;
  std::unique_ptr<const detail::QConvImpl> impl_;
};

}  // namespace armconv

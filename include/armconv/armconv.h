// armconv: ARM NEON convolution kernels for neural-network inference.
//
// The public C++ API of the core library (libarmconv_core). The Python package
// is a thin layer over exactly these entry points. All arrays are dense,
// row-major (C order) float32 (or IEEE binary16, armconv::Half, where a
// function says so); images are NCHW.
//
// Errors in arguments throw armconv::Error (a std::invalid_argument).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>

namespace armconv {

class Error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// One IEEE 754 binary16 value (numpy's float16, ARM's __fp16) as its bits: a
// storage type only, the same on every target (x86 included).
struct Half {
  uint16_t bits;
};

// What the running CPU offers, and which implementation each kernel family uses.
struct CpuInfo {
  std::string arch;  // "aarch64", "armv7", "x86_64", ...
  // Features of the CPU (getauxval), less those hidden by ARMCONV_DISABLE.
  bool neon = false, dotprod = false, fp16 = false, i8mm = false;
  // Whether the NEON kernels run: false on x86, in a build without them, and
  // on a 32-bit CPU with NEON but without VFPv4 (e.g. Cortex-A9).
  bool neon_kernels = false;
  // The implementation each kernel family uses, named
  // <family>-<isa>-<tile>[-<variant>] (see the README), e.g. "sgemm-aarch64-8x12".
  std::string sgemm, depthwise3x3, winograd, gemm_s8;
  std::string winograd_gemm, depthwise3x3_s8, depthwise5x5, depthwise;
  std::string winograd43, winograd23;  // F(4,3), F(2,3) transforms (winograd: F(6,3))
  std::string winograd43s2, winograd23s2;  // stride-2 F(4,3)s2, F(2,3)s2 transforms
  // int8 Winograd F(2,3) (QConv2d "winograd23"): transforms and the int16 per-position GEMM.
  std::string winograd23_s8, winograd_gemm_s16;
  // float16 arrays <-> float, for float16 images on layers that run fp32 kernels.
  std::string half_convert;
  std::string quantize;
  // The fp16 kernels (Precision::Fp16 layers), empty where they do not run
  // (no fp16 vector arithmetic, or not built): "hgemm-aarch64-8x24-fp16"...
  std::string hgemm, depthwise3x3_fp16;
  // fp16 Winograd: F(4,3), F(2,3) transforms and the per-position GEMM.
  std::string winograd43_fp16, winograd23_fp16, winograd_gemm_fp16;
  int cpus = 1;  // CPUs this process may run on (sched_getaffinity): the default thread count
};
CpuInfo cpu_info();

// Threads. Multi-threaded calls share one process-wide pool of persistent
// worker threads and run on at most get_num_threads() threads (the calling
// thread is one of them); results are bit-identical for every thread count.
// The count, for a call from a given thread: that thread's innermost
// ScopedNumThreads, else the last set_num_threads(), else the environment
// variable ARMCONV_NUM_THREADS (read at first use; a bad value is ignored
// with a warning on stderr), else cpu_info().cpus.
constexpr int kMaxThreads = 1024;
// Process-wide; throws Error unless 1 <= n <= kMaxThreads.
void set_num_threads(int n);
int get_num_threads();
// Sets this thread's count for the lifetime of the object (other threads are
// unaffected), then restores the previous one. Throws Error like set_num_threads.
class ScopedNumThreads {
 public:
  explicit ScopedNumThreads(int n);
  ~ScopedNumThreads();
  ScopedNumThreads(const ScopedNumThreads&) = delete;
  ScopedNumThreads& operator=(const ScopedNumThreads&) = delete;

 private:
  int previous_;
};

// Convolution algorithms ("kernel families").
enum class Algo {
  Auto,         // let the library choose
  Gemm,         // 1x1 kernel, no padding: the input is the GEMM's B matrix
  Im2col,       // any shape: im2col panels packed straight from the image + GEMM
  Depthwise3x3, // groups == C == Cout, 3x3, stride 1 or 2, dilation 1
  Winograd63,   // F(6x6, 3x3): 3x3, stride 1, dilation 1 (any groups)
  Winograd43,   // F(4x4, 3x3): the same shapes
  Winograd23,   // F(2x2, 3x3): the same shapes
  Depthwise5x5, // groups == C == Cout, 5x5, stride 1 or 2, dilation 1
  Depthwise,    // groups == C == Cout > 1, any kernel, stride, dilation: a direct loop
  // Mixed Winograd tilings, Winograd's shapes: F(6,3) (F(4,3)) tiles on the
  // largest part of the map that is a multiple of 6 (4), F(2,3) or F(4,3)
  // tiles on the borders that leaves ("winograd63+23", "winograd63+43",
  // "winograd43+23"; src/core/conv_winograd.cpp).
  Winograd63x23,
  Winograd63x43,
  Winograd43x23,
  // Stride-2 Winograd (3x3, stride 2, dilation 1, any groups): F(2x2, 3x3)
  // and F(4x4, 3x3) from F(m,2) on the even input columns and rows plus the
  // odd ones direct ("winograd23s2", "winograd43s2"), and F(4,3)s2 tiles on
  // the map's multiple of 4 with F(2,3)s2 on its borders ("winograd43s2+23s2").
  Winograd23s2,
  Winograd43s2,
  Winograd43s2x23s2,
  // One level of Strassen over the fp32 GEMM ("strassen"): 1x1, stride 1,
  // no padding, groups 1; 7 half-size products instead of 8 (fp32 only;
  // src/core/strassen.h).
  Strassen,
};
const char* algo_name(Algo a);
Algo algo_from_name(const std::string& name);  // throws Error on unknown names

// Arithmetic precision of a layer. Fp16: weights packed to binary16 once,
// the image converted while it is packed, binary16 multiply-adds (the README
// tabulates the error of each kernel family); it runs where the CPU has fp16
// vector arithmetic (Armv8.2 FP16: Cortex-A76 / Raspberry Pi 5 and later)
// and the layer's kernel family has fp16 kernels; elsewhere the layer runs
// the fp32 kernels, and Conv2d::precision() says so.
enum class Precision { Fp32, Fp16 };
const char* precision_name(Precision p);  // "fp32", "fp16"
Precision precision_from_name(const std::string& name);  // throws Error on unknown names

struct Conv2dParams {
  int64_t in_channels = 0, out_channels = 0;
  int64_t kernel_h = 1, kernel_w = 1;
  int64_t stride_h = 1, stride_w = 1;
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  int64_t groups = 1;
  // Fused activation: the output is clamped to [out_min, out_max] when
  // `clamp` is set (relu = [0, inf), relu6 = [0, 6]). NaN propagates.
  bool clamp = false;
  float out_min = -std::numeric_limits<float>::infinity();
  float out_max = std::numeric_limits<float>::infinity();
};

// Checks the parameters; throws Error naming the bad one.
void validate(const Conv2dParams& p);
// Output size of a convolution over an h x w map; throws Error if it is < 1.
void output_size(const Conv2dParams& p, int64_t h, int64_t w, int64_t* ho, int64_t* wo);
// Why `algo` cannot run these parameters, or nullptr if it can.
const char* algo_rejects(Algo algo, const Conv2dParams& p);

namespace detail {
class ConvImpl;
class PlanMemo;
struct PlanAccess;
}  // namespace detail

// A convolution layer with its weights packed once for the chosen algorithm.
// Immutable after construction: run() may be called from several threads at once.
class Conv2d {
 public:
  // weight: (out_channels, in_channels / groups, kernel_h, kernel_w); bias: (out_channels) or nullptr.
  // precision: the arithmetic asked for (see Precision; precision() is the one that runs).
  Conv2d(const Conv2dParams& p, const float* weight, const float* bias, Algo algo = Algo::Auto,
         Precision precision = Precision::Fp32);
  ~Conv2d();
  Conv2d(Conv2d&&) noexcept;
  Conv2d& operator=(Conv2d&&) noexcept;

  // The algorithm chosen at construction (for an `auto` 3x3 stride-1 layer:
  // the one large maps get) ...
  Algo algo() const { return algo_; }
  // ... and the one a run over an h x w input map uses: they differ only for
  // an `auto` 3x3 stride-1 layer, which runs the cheapest of the Winograd
  // tile sizes and im2col on the map by the cost model (measured instruction
  // counts) and packs its weights for it on first use (see README).
  Algo algo_for(int64_t h, int64_t w) const;
  const Conv2dParams& params() const { return p_; }
  // The arithmetic the layer runs: Fp16 only if it was asked for and this CPU
  // runs fp16 kernels for the layer's algorithm.
  Precision precision() const { return precision_; }
  // Scratch memory one run() over an h x w map (batch 1) takes at this thread's
  // get_num_threads(): each thread's scratch, plus the buffer the threads share
  // on small maps (bounded for large maps; kept per thread between calls).
  size_t workspace_bytes(int64_t h, int64_t w) const;
  // x: (n, in_channels, h, w); y: (n, out_channels, ho, wo) with ho, wo from output_size().
  void run(const float* x, int64_t n, int64_t h, int64_t w, float* y) const;
  // The same with binary16 input and output. An Fp16 layer converts nothing
  // (its packers read binary16); an Fp32 layer converts x to float32 first
  // and rounds its float32 result to binary16 (round to nearest even).
  void run(const Half* x, int64_t n, int64_t h, int64_t w, Half* y) const;

 private:
  friend struct detail::PlanAccess;  // the library's own benchmarks and tests
  Conv2dParams p_;
  Algo algo_;
  Precision precision_ = Precision::Fp32;
  bool by_map_size_ = false;  // impl_ picks its algorithm by map size (an `auto` 3x3 layer)
  std::unique_ptr<const detail::ConvImpl> impl_;
  std::unique_ptr<const detail::PlanMemo> plans_;  // the plans of the sizes run() has run (core/plan.h)
};

// One-shot convolution (packs the weights, runs, frees).
void conv2d(const Conv2dParams& p, const float* x, int64_t n, int64_t h, int64_t w,
            const float* weight, const float* bias, float* y, Algo algo = Algo::Auto,
            Precision precision = Precision::Fp32);

// C (m x n, row stride ldc) = A (m x k, row stride lda) * B (k x n, row stride ldb).
void sgemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
           int64_t ldb, float* c, int64_t ldc);

}  // namespace armconv

// armconv: ARM NEON convolution kernels for neural-network inference.
//
// The public C++ API of the core library (libarmconv_core). The Python package
// is a thin layer over exactly these entry points. All arrays are dense,
// row-major (C order) float32; images are NCHW.
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
  std::string winograd_gemm, depthwise3x3_s8;
  std::string winograd43, winograd23;  // F(4,3), F(2,3) transforms (winograd: F(6,3))
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
};
const char* algo_name(Algo a);
Algo algo_from_name(const std::string& name);  // throws Error on unknown names

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
struct PlanAccess;
}  // namespace detail

// A convolution layer with its weights packed once for the chosen algorithm.
// Immutable after construction: run() may be called from several threads at once.
class Conv2d {
 public:
  // weight: (out_channels, in_channels / groups, kernel_h, kernel_w); bias: (out_channels) or nullptr.
  Conv2d(const Conv2dParams& p, const float* weight, const float* bias, Algo algo = Algo::Auto);
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
  // Scratch memory one run() over an h x w map allocates (bounded for large maps).
  size_t workspace_bytes(int64_t h, int64_t w) const;
  // x: (n, in_channels, h, w); y: (n, out_channels, ho, wo) with ho, wo from output_size().
  void run(const float* x, int64_t n, int64_t h, int64_t w, float* y) const;

 private:
  friend struct detail::PlanAccess;  // the library's own benchmarks and tests
  Conv2dParams p_;
  Algo algo_;
  bool auto_winograd_ = false;
  std::unique_ptr<const detail::ConvImpl> impl_;
};

// One-shot convolution (packs the weights, runs, frees).
void conv2d(const Conv2dParams& p, const float* x, int64_t n, int64_t h, int64_t w,
            const float* weight, const float* bias, float* y, Algo algo = Algo::Auto);

// C (m x n, row stride ldc) = A (m x k, row stride lda) * B (k x n, row stride ldb).
void sgemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
           int64_t ldb, float* c, int64_t ldc);

}  // namespace armconv

// The one dispatch point: CPU features are read once, and each kernel family's
// implementation is chosen once from them. Everything here is immutable after
// first use (function-local statics, initialised thread-safely).
#pragma once

#include "sgemm.h"

namespace armconv {
namespace detail {

struct CpuFeatures {
  const char* arch;  // "aarch64", "armv7", "x86_64", ...
  bool neon, dotprod, fp16, i8mm;
};

// Features of the running CPU (getauxval on Linux/Android), masked by the
// environment variable ARMCONV_DISABLE (comma-separated: neon, dotprod, fp16,
// i8mm), read once at first use.
const CpuFeatures& cpu_features();

// The implementations chosen for this CPU.
struct Kernels {
  const SgemmKernels* sgemm;
};
const Kernels& kernels();

}  // namespace detail
}  // namespace armconv

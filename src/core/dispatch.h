// The one dispatch point: CPU features are read once, and each kernel family's
// implementation is chosen once from them. Everything here is immutable after
// first use (function-local statics, initialised thread-safely).
#pragma once

#include "sgemm.h"
#include "winograd.h"
#include "gemm_s8.h"
#include "dwconv.h"

namespace armconv {
namespace detail {

struct CpuFeatures {
  const char* arch;  // "aarch64", "armv7", "x86_64", ...
  // neon: the NEON kernels can run (armv7: NEON and VFPv4, what they are built for).
  bool neon, dotprod, fp16, i8mm;
  bool has_neon;  // the CPU has NEON (armv7: with or without VFPv4)
};

// Features of the running CPU (getauxval on Linux/Android), masked by the
// environment variable ARMCONV_DISABLE (comma-separated: neon, dotprod, fp16,
// i8mm), read once at first use.
const CpuFeatures& cpu_features();

// The implementations chosen for this CPU.
struct Kernels {
  const SgemmKernels* sgemm;
  const WinoKernels* winograd;  // F(6x6, 3x3) transforms: neon > generic
  const S8GemmKernels* gemm_s8;  // int8 GEMM: dotprod > neon (smull) > generic
  const Dw3x3Kernels* dw3x3;     // depthwise 3x3: neon > generic
  bool neon;                     // the NEON kernels were chosen
};
const Kernels& kernels();

}  // namespace detail
}  // namespace armconv

// The one dispatch point: CPU features are read once, and each kernel family's
// implementation is chosen once from them. Everything here is immutable after
// first use (function-local statics, initialised thread-safely).
#pragma once

#include "core/add_s8.h"
#include "core/dwconv.h"
#include "core/eltwise.h"
#include "core/gemm.h"
#include "core/half_convert.h"
#include "core/pool.h"
#include "core/quantize.h"
#include "core/strassen.h"
#include "core/wino_gemm.h"
#include "core/winograd.h"

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

// The implementations chosen for this CPU, one table per family (each named
// <family>-<isa>-<tile>[-<variant>], see the README).
struct Kernels {
  const SgemmKernels* sgemm;          // fp32 GEMM: neon > generic
  const S8GemmKernels* gemm_s8;       // int8 GEMM: i8mm > dotprod > neon (smull) > generic
  // Winograd F(2,3), F(4,3), F(6,3) transforms, by wino_index(m): neon > generic.
  const WinoKernels* winograd[3];
  // Winograd stride-2 F(2,3)s2, F(4,3)s2 transforms, by wino_s2_index(m): neon > generic.
  const WinoKernels* winograd_s2[2];
  const WinoGemmKernels* wino_gemm;   // its per-position GEMM: neon > generic
  // int8 Winograd F(2,3) (QConv2d): transforms and the int16 per-position GEMM: neon > generic.
  const WinoS8Kernels* winograd23_s8;
  const WinoGemmS16Kernels* wino_gemm_s16;
  const DwKernels* dw3x3;             // fp32 depthwise 3x3: neon > generic
  const DwKernels* dw5x5;             // fp32 depthwise 5x5: neon > generic
  const DwAnyKernels* dw_any;         // fp32 depthwise, any shape: neon > generic
  const Dw3x3S8Kernels* dw3x3_s8;     // int8 depthwise 3x3: neon > generic
  const HalfConvertKernels* half_convert;  // float16 arrays <-> float: neon (aarch64) > generic
  const PoolKernels* pool;            // max / average pooling: neon > generic
  const EltwiseKernels* eltwise;      // elementwise binary ops + clamp: neon > generic
  const QuantizeKernels* quantize;    // float32 -> int8 arrays: neon > generic
  const AddS8Kernels* add_s8;         // int8 elementwise Add: neon > generic
  const StrassenKernels* strassen;    // fp32 Strassen combine (1x1 layers): neon > generic
  // fp16 (Precision::Fp16 layers): only where the CPU has fp16 vector
  // arithmetic and the kernels were built; nullptr otherwise (the layers
  // then run the fp32 kernels).
  HgemmPair hgemm;                    // GEMM, float32 and binary16 images
  const Dw3x3F16Kernels* dw3x3_f16;   // depthwise 3x3
  const WinoGemmF16Kernels* wino_gemm_f16;  // Winograd per-position GEMM
  // Winograd transforms of the fp16 F(2,3), F(4,3) (fp32 arithmetic, binary16
  // V; baseline units), set with wino_gemm_f16: index 0 F(2,3), 1 F(4,3).
  const WinoF16Kernels* winograd_f16[2];
  bool neon;                          // the NEON kernels were chosen
};
const Kernels& kernels();

}  // namespace detail
}  // namespace armconv

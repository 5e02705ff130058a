// The one dispatch point (see dispatch.h). This file is compiled for the
// baseline ISA: it only reads hardware capabilities and picks function tables;
// code for ISA extensions lives in its own translation units and is reached
// only through these tables.
#include "dispatch.h"

#include <cstdlib>
#include <cstring>
#include <string>

#if defined(__linux__) || defined(__ANDROID__)
#include <sys/auxv.h>
#endif

#include "armconv/armconv.h"
#include "threads/threads.h"

namespace armconv {
namespace detail {
namespace {

// Linux hwcap bits (asm/hwcap.h), spelled out so that no kernel header is needed.
#if defined(__aarch64__)
constexpr unsigned long kHwcapAsimd = 1ul << 1;
constexpr unsigned long kHwcapAsimdHp = 1ul << 10;  // fp16 vector arithmetic
constexpr unsigned long kHwcapAsimdDp = 1ul << 20;  // sdot/udot
constexpr unsigned long kHwcap2I8mm = 1ul << 13;
#elif defined(__arm__)
constexpr unsigned long kHwcapNeon = 1ul << 12;
constexpr unsigned long kHwcapVfpv4 = 1ul << 16;
#endif

bool disabled(const char* feature) {
  const char* env = std::getenv("ARMCONV_DISABLE");
  if (!env) return false;
  std::string list = std::string(",") + env + ",";
  return list.find(std::string(",") + feature + ",") != std::string::npos;
}

CpuFeatures read_features() {
  CpuFeatures f{"unknown", false, false, false, false, false};
#if defined(__aarch64__)
  f.arch = "aarch64";
  unsigned long hw = 0, hw2 = 0;
#if defined(__linux__) || defined(__ANDROID__)
  hw = getauxval(AT_HWCAP);
  hw2 = getauxval(AT_HWCAP2);
#endif
  f.neon = f.has_neon = (hw & kHwcapAsimd) != 0;
  f.fp16 = (hw & kHwcapAsimdHp) != 0;
  f.dotprod = (hw & kHwcapAsimdDp) != 0;
  f.i8mm = (hw2 & kHwcap2I8mm) != 0;
#elif defined(__arm__)
  f.arch = "armv7";
  unsigned long hw = 0;
#if defined(__linux__) || defined(__ANDROID__)
  hw = getauxval(AT_HWCAP);
#endif
  // The NEON kernels are built with -mfpu=neon-vfpv4 (fused multiply-add).
  f.has_neon = (hw & kHwcapNeon) != 0;
  f.neon = f.has_neon && (hw & kHwcapVfpv4);
#elif defined(__x86_64__)
  f.arch = "x86_64";
#elif defined(__i386__)
  f.arch = "x86";
#endif
  if (disabled("neon")) f.neon = f.has_neon = false;
  if (disabled("dotprod") || !f.neon) f.dotprod = false;
  if (disabled("fp16") || !f.neon) f.fp16 = false;
  if (disabled("i8mm") || !f.neon) f.i8mm = false;
  return f;
}

Kernels choose(const CpuFeatures& f) {
  Kernels k{};
  k.sgemm = &sgemm_generic_kernels();
  k.gemm_s8 = &gemm_s8_generic_kernels();
  k.winograd[0] = &wino23_generic_kernels();
  k.winograd[1] = &wino43_generic_kernels();
  k.winograd[2] = &wino63_generic_kernels();
  k.winograd_s2[0] = &wino23s2_generic_kernels();
  k.winograd_s2[1] = &wino43s2_generic_kernels();
  k.wino_gemm = &wino_gemm_generic_kernels();
  k.winograd23_s8 = &wino23_s8_generic_kernels();
  k.wino_gemm_s16 = &wino_gemm_s16_generic_kernels();
  k.dw3x3 = &dw3x3_generic_kernels();
  k.dw5x5 = &dw5x5_generic_kernels();
  k.dw_any = &dw_any_generic_kernels();
  k.dw3x3_s8 = &dw3x3_s8_generic_kernels();
  k.half_convert = &half_convert_generic_kernels();
  k.pool = &pool_generic_kernels();
  k.eltwise = &eltwise_generic_kernels();
  k.quantize = &quantize_generic_kernels();
  k.add_s8 = &add_s8_generic_kernels();
  k.strassen = &strassen_generic_kernels();
#if defined(ARMCONV_HAVE_NEON)
  if (f.neon) {
    k.sgemm = &sgemm_neon_kernels();
    k.gemm_s8 = &gemm_s8_neon_kernels();
    k.winograd[0] = &wino23_neon_kernels();
    k.winograd[1] = &wino43_neon_kernels();
    k.winograd[2] = &wino63_neon_kernels();
    k.winograd_s2[0] = &wino23s2_neon_kernels();
    k.winograd_s2[1] = &wino43s2_neon_kernels();
    k.wino_gemm = &wino_gemm_neon_kernels();
    k.winograd23_s8 = &wino23_s8_neon_kernels();
    k.wino_gemm_s16 = &wino_gemm_s16_neon_kernels();
    k.dw3x3 = &dw3x3_neon_kernels();
    k.dw5x5 = &dw5x5_neon_kernels();
    k.dw_any = &dw_any_neon_kernels();
    k.dw3x3_s8 = &dw3x3_s8_neon_kernels();
    k.pool = &pool_neon_kernels();
    k.eltwise = &eltwise_neon_kernels();
    k.quantize = &quantize_neon_kernels();
    k.add_s8 = &add_s8_neon_kernels();
    k.strassen = &strassen_neon_kernels();
#if defined(__aarch64__)
    k.half_convert = &half_convert_neon_kernels();  // armv7: see core/half_convert.h
#endif
    k.neon = true;
  }
#endif
#if defined(ARMCONV_HAVE_DOTPROD)
  // Built with -march=armv8.2-a+dotprod in its own unit: reached only here.
  if (f.dotprod) {
    k.gemm_s8 = &gemm_s8_dotprod_kernels();
#if defined(__aarch64__)
    k.dw3x3_s8 = &dw3x3_s8_dotprod_kernels();
#endif
  }
#endif
#if defined(ARMCONV_HAVE_I8MM)
  // Built with -march=armv8.2-a+i8mm in its own unit: reached only here
  // (int8 GEMM: i8mm > dotprod > smull > generic).
  if (f.i8mm) k.gemm_s8 = &gemm_s8_i8mm_kernels();
#endif
#if defined(ARMCONV_HAVE_FP16)
  // Built with -march=armv8.2-a+fp16 in their own units: reached only here.
  if (f.fp16) {
    k.hgemm = hgemm_fp16_kernels();
    k.dw3x3_f16 = &dw3x3_fp16_kernels();
    k.wino_gemm_f16 = &wino_gemm_fp16_kernels();
    k.winograd_f16[0] = &wino23_f16_neon_kernels();
    k.winograd_f16[1] = &wino43_f16_neon_kernels();
  }
#endif
  (void)f;
  return k;
}

}  // namespace

const CpuFeatures& cpu_features() {
  static const CpuFeatures f = read_features();
  return f;
}

const Kernels& kernels() {
  static const Kernels k = choose(cpu_features());
  return k;
}

}  // namespace detail

CpuInfo cpu_info() {
  const detail::CpuFeatures& f = detail::cpu_features();
  const detail::Kernels& k = detail::kernels();
  CpuInfo info;
  info.arch = f.arch;
  info.neon = f.has_neon;
  info.neon_kernels = k.neon;
  info.dotprod = f.dotprod;
  info.fp16 = f.fp16;
  info.i8mm = f.i8mm;
  info.sgemm = k.sgemm->name;
  info.depthwise3x3 = k.dw3x3->name;
  info.depthwise5x5 = k.dw5x5->name;
  info.depthwise = k.dw_any->name;
  info.winograd = k.winograd[2]->name;
  info.winograd43 = k.winograd[1]->name;
  info.winograd23 = k.winograd[0]->name;
  info.winograd43s2 = k.winograd_s2[1]->name;
  info.winograd23s2 = k.winograd_s2[0]->name;
  info.winograd_gemm = k.wino_gemm->name;
  info.winograd23_s8 = k.winograd23_s8->name;
  info.winograd_gemm_s16 = k.wino_gemm_s16->name;
  info.gemm_s8 = k.gemm_s8->name;
  info.depthwise3x3_s8 = k.dw3x3_s8->name;
  info.half_convert = k.half_convert->name;
  info.quantize = k.quantize->name;
  if (k.hgemm.f32) info.hgemm = k.hgemm.f32->name;
  if (k.dw3x3_f16) info.depthwise3x3_fp16 = k.dw3x3_f16->name;
  if (k.winograd_f16[1]) info.winograd43_fp16 = k.winograd_f16[1]->name;
  if (k.winograd_f16[0]) info.winograd23_fp16 = k.winograd_f16[0]->name;
  if (k.wino_gemm_f16) info.winograd_gemm_fp16 = k.wino_gemm_f16->name;
  info.cpus = detail::cpus_available();
  return info;
}

}  // namespace armconv

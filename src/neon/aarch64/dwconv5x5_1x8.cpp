// NEON fp32 depthwise 5x5, stride 1 and 2, aarch64 (dwconv5x5-aarch64-1x8: strips
// of up to 8 output columns, 2 vectors per output row). The kernels are
// written once for both ISAs and kernel sizes in neon/dwconv.h; each stride
// is instantiated unclamped in a translation unit of its own (dwconv5x5_1x8_s1.cpp,
// _s2.cpp); clamped calls run those strips and then a clamp pass over the
// output (neon/dwconv_clamp.h: the same bits; the clamped 5x5 layers are
// the rare ones), which halves the compiler's time for the kernel.
#include "core/dwconv.h"
#include "neon/dwconv_clamp.h"

namespace armconv {
namespace detail {

void dwconv5x5_aarch64_1x8_s1(const DwPlane& p);
void dwconv5x5_aarch64_1x8_s2(const DwPlane& p);

namespace {
// Clamped calls: the unclamped strips, then a clamp pass (neon/dwconv_clamp.h).
__attribute__((noinline)) void clamped1(const DwPlane& p) { dw_run_then_clamp(p, 25, dwconv5x5_aarch64_1x8_s1); }
void stride1(const DwPlane& p) { p.clamp ? clamped1(p) : dwconv5x5_aarch64_1x8_s1(p); }
__attribute__((noinline)) void clamped2(const DwPlane& p) { dw_run_then_clamp(p, 25, dwconv5x5_aarch64_1x8_s2); }
void stride2(const DwPlane& p) { p.clamp ? clamped2(p) : dwconv5x5_aarch64_1x8_s2(p); }
}  // namespace

const DwKernels& dw5x5_neon_kernels() {
  static const DwKernels k = {"dwconv5x5-aarch64-1x8", 5, stride1, stride2};
  return k;
}

}  // namespace detail
}  // namespace armconv

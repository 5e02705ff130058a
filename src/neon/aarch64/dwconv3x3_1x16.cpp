// NEON fp32 depthwise 3x3, stride 1 and 2, aarch64 (dwconv3x3-aarch64-1x16: strips
// of up to 16 output columns, 4 vectors per output row). The kernels are
// written once for both ISAs and kernel sizes in neon/dwconv.h; each stride
// is instantiated in a translation unit of its own, both activations
// (dwconv3x3_1x16_s1.cpp, _s2.cpp: the strips rare planes take are shared
// by the two, neon/dwconv.h kOwnStrip).
#include "core/dwconv.h"

namespace armconv {
namespace detail {

void dwconv3x3_aarch64_1x16_s1(const DwPlane& p);
void dwconv3x3_aarch64_1x16_s1_clamp(const DwPlane& p);
void dwconv3x3_aarch64_1x16_s2(const DwPlane& p);
void dwconv3x3_aarch64_1x16_s2_clamp(const DwPlane& p);
bool dwconv3x3_aarch64_1x16_s1_rows(const DwPlane& p);  // small maps, pad 1
size_t dwconv3x3_aarch64_1x16_s1_ld1rows(const DwPlane& p);  // pad 1, w >= 5
size_t dwconv3x3_aarch64_1x8_s1_ld2w7(const DwPlane& p);     // pad 1, 7x7 planes
bool dwconv3x3_aarch64_1x16_s2_rows(const DwPlane& p);  // stride 2, small maps, pad 1
size_t dwconv3x3_aarch64_1x16_s2_ld4rows(const DwPlane& p);  // stride 2, pad 1, w even >= 8 or odd >= 17

namespace {
void stride1(const DwPlane& p) {
  // 7x7 planes: the LD2 kernel runs all but the last (4 window instructions
  // per input row where the LD1 rows kernel takes 5). Else the LD1 rows
  // kernel runs all planes, or all but the last (when its loads and stores
  // reach past a row's end); the rest as before.
  // (The width test here: other shapes pay no call.)
  size_t done = p.w == 7 && p.h == 7 ? dwconv3x3_aarch64_1x8_s1_ld2w7(p) : 0;
  if (done == 0) done = dwconv3x3_aarch64_1x16_s1_ld1rows(p);
  if (done == p.count) return;
  const DwPlane q = dw_planes_after(p, done, 9);
  if (dwconv3x3_aarch64_1x16_s1_rows(q)) return;
  q.clamp ? dwconv3x3_aarch64_1x16_s1_clamp(q) : dwconv3x3_aarch64_1x16_s1(q);
}
void stride2(const DwPlane& p) {
  // The LD4 rows kernel runs all planes, or all but the last (when its
  // loads and stores reach past a row's end into the next row); the rest as
  // before.
  const size_t done = dwconv3x3_aarch64_1x16_s2_ld4rows(p);
  if (done == p.count) return;
  const DwPlane q = dw_planes_after(p, done, 9);
  if (dwconv3x3_aarch64_1x16_s2_rows(q)) return;
  q.clamp ? dwconv3x3_aarch64_1x16_s2_clamp(q) : dwconv3x3_aarch64_1x16_s2(q);
}
}  // namespace

const DwKernels& dw3x3_neon_kernels() {
  static const DwKernels k = {"dwconv3x3-aarch64-1x16", 3, stride1, stride2};
  return k;
}

}  // namespace detail
}  // namespace armconv

// NEON fp32 depthwise 3x3, stride 1 and 2, armv7 (dwconv3x3-armv7-1x8: strips
// of up to 8 output columns, 2 vectors per output row; "same"-padded planes
// of the usual widths first go to the assembly rows kernels,
// dwconv3x3_1x8_s1_ld1rows.cpp and _s2_ld4rows.cpp). The kernels are
// written once for both ISAs and kernel sizes in neon/dwconv.h; each stride
// is instantiated in a translation unit of its own, both activations
// (dwconv3x3_1x8_s1.cpp, _s2.cpp: the strips rare planes take are shared by
// the two, neon/dwconv.h kOwnStrip).
#include "core/dwconv.h"

namespace armconv {
namespace detail {

void dwconv3x3_armv7_1x8_s1(const DwPlane& p);
void dwconv3x3_armv7_1x8_s1_clamp(const DwPlane& p);
void dwconv3x3_armv7_1x8_s2(const DwPlane& p);
void dwconv3x3_armv7_1x8_s2_clamp(const DwPlane& p);
bool dwconv3x3_armv7_1x8_s1_rows(const DwPlane& p);   // small maps, pad 1
bool dwconv3x3_armv7_1x8_s2_rows(const DwPlane& p);  // stride 2, small maps, pad 1
bool dwconv3x3_armv7_1x8_s1_bands(const DwPlane& p);  // 9..16 columns, pad 1
size_t dwconv3x3_armv7_1x8_s2_ld4rows(const DwPlane& p);  // stride 2, pad 1, w even >= 8, odd >= 17
// Stride 1, pad 1, w >= 5: the first `planes` (dw_s1_ld1_planes) planes.
void dwconv3x3_armv7_1x8_s1_ld1rows(const DwPlane& p, size_t planes);

namespace {
// Stride 1 without the VLD1 rows kernel: the rows kernels, else the strips.
void stride1_rest(const DwPlane& p) {
  if (dwconv3x3_armv7_1x8_s1_rows(p) || dwconv3x3_armv7_1x8_s1_bands(p)) return;
  p.clamp ? dwconv3x3_armv7_1x8_s1_clamp(p) : dwconv3x3_armv7_1x8_s1(p);
}
// The VLD1 rows kernel runs all planes, or all but the last (when its
// loads and stores reach past a row's end); the rest as before.
__attribute__((noinline)) void stride1_ld1(const DwPlane& p, size_t done) {
  dwconv3x3_armv7_1x8_s1_ld1rows(p, done);
  if (done < p.count) stride1_rest(dw_planes_after(p, done, 9));
}
void stride1(const DwPlane& p) {
  // (The shape test inline, the rest in calls of their own: the calls it
  // turns away pay only the test.) Planes of at most 16 columns and 3 rows
  // stay with the rows kernels, which count fewer instructions there
  // (their whole plane is a few rows; cortex-a15, 64 channels: e.g. 9x2
  // 1.082 vs 1.044 MACs per instruction, 9x3 1.194 vs 1.168; from 4 rows
  // the VLD1 rows count fewer: 9x4 1.264 vs 1.276, 7x7 1.580 vs 1.732).
  const size_t done = p.w >= 5 && (p.w > 16 || p.h >= 4) ? dw_s1_ld1_planes(p) : 0;
  if (done > 0) stride1_ld1(p, done);
  else stride1_rest(p);
}
void stride2(const DwPlane& p) {
  // The VLD4 rows kernel runs all planes, or all but the last (w even, when
  // its loads and stores reach past a row's end); the rest as before.
  const size_t done = dwconv3x3_armv7_1x8_s2_ld4rows(p);
  if (done == p.count) return;
  const DwPlane q = dw_planes_after(p, done, 9);
  if (dwconv3x3_armv7_1x8_s2_rows(q)) return;
  q.clamp ? dwconv3x3_armv7_1x8_s2_clamp(q) : dwconv3x3_armv7_1x8_s2(q);
}
}  // namespace

const DwKernels& dw3x3_neon_kernels() {
  static const DwKernels k = {"dwconv3x3-armv7-1x8", 3, stride1, stride2};
  return k;
}

}  // namespace detail
}  // namespace armconv

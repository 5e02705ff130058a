// The depthwise families (NCHW, channel planes): fp32 3x3 and 5x5 (stride 1
// and 2) and any other depthwise shape (fp32 and int8), int8 3x3 (stride 1
// and 2).
//
// A kernel convolves channel planes:
//   acc[oy][ox] = bias + sum_{ky,kx} k[ky][kx] * x[oy*sh - pad_top + ky*dh][ox*sw - pad_left + kx*dw]
// for oy < ho, ox < wo, where taps outside the h x w plane read zero; then
// the output stage (fp32: clamp; int8: the requantization rule of
// core/requant.h or the float dequantization, as the GEMM's S8Output). The
// padding is resolved inside the kernel (zero taps skipped or zero vectors
// substituted), so the padded image is never materialised. Bottom and right
// padding are implied by ho and wo; pad_top may be any value, which lets the
// operator run a range of output rows as a plane of its own (rows oy0.. of a
// plane are the plane starting at input row oy0*s - pad_top: conv_dwconv.cpp).
// Kernels read only their input planes (and packed weights) and write only
// their output planes: they may be handed user arrays with nothing around
// them. Every implementation of the int8 kernels gives the same bits (the
// int32 sum is exact).
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/gemm.h"  // S8Output, Half

namespace armconv {
namespace detail {

// ---- fp32 ----
// Packed weights of a kernel with `taps` = kh * kw taps, per channel:
// dw_packed_floats(taps) floats: the taps row-major, the bias, zeros to a
// whole number of vectors (3x3: 12 floats, the bias lane 1 of the third
// vector; 5x5: 28).
constexpr size_t dw_packed_floats(size_t taps) { return (taps + 1 + 3) / 4 * 4; }

// `count` consecutive channel planes: plane i reads x + i*h*w, writes
// y + i*ho*wo, with the weights at k + i*dw_packed_floats(taps).
struct DwPlane {
  const float* x;  // input plane, h x w, dense
  size_t h, w;
  float* y;        // output plane, ho x wo, dense
  size_t ho, wo;
  size_t pad_top, pad_left;
  const float* k;  // packed weights (see above)
  bool clamp;      // clamp the result to [lo, hi] (NaN propagates)
  float lo, hi;
  size_t count = 1;
};

// The planes of a call after its first `done` (where a kernel that ran those
// hands the rest to another: the same geometry, every pointer `done` planes
// on; weights packed for `taps` taps).
inline DwPlane dw_planes_after(const DwPlane& p, size_t done, size_t taps) {
  DwPlane q = p;
  q.x += done * p.h * p.w;
  q.y += done * p.ho * p.wo;
  q.k += done * dw_packed_floats(taps);
  q.count -= done;
  return q;
}

// The stride-2 "same" rows kernels that load 16 input columns per LD4
// (neon/aarch64/dwconv3x3_1x16_s2_ld4rows.cpp, neon/armv7/dwconv3x3_1x8_s2_ld4rows.cpp):
// 0 unless p has their shape (pad 1 at the top and left, w even >= 8,
// ho = ceil(h/2), wo = w/2), else how many of its planes they may run, from
// the first: all where w is a multiple of 16, else all but the last (their
// loads and stores reach past each row's end into the next row).
inline size_t dw_s2_ld4_planes(const DwPlane& p) {
  if (p.pad_top != 1 || p.pad_left != 1 || p.h < 1 || p.ho != (p.h + 1) / 2 || p.w % 2 != 0 || p.w < 8 ||
      p.wo != p.w / 2 || p.count < 1)
    return 0;
  return p.w % 16 == 0 ? p.count : p.count - 1;
}

// The stride-1 "same" rows kernels that load each tap column's windows
// straight from memory (neon/aarch64/dwconv3x3_1x16_s1_ld1rows.cpp,
// neon/armv7/dwconv3x3_1x8_s1_ld1rows.cpp): 0 unless p has their shape (pad
// 1 at the top and left, ho = h >= 2, wo = w), else how many of its planes
// they may run, from the first: all where w is a multiple of 4, else all
// but the last (their loads and stores reach past each row's end into the
// next row). Each kernel has its widths besides.
inline size_t dw_s1_ld1_planes(const DwPlane& p) {
  if (p.pad_top != 1 || p.pad_left != 1 || p.h < 2 || p.ho != p.h || p.wo != p.w || p.count < 1) return 0;
  return p.w % 4 == 0 ? p.count : p.count - 1;
}

using dw_plane_fn = void (*)(const DwPlane& p);

// K x K, stride 1 and 2 (the same in both dimensions), dilation 1.
struct DwKernels {
  const char* name;  // dwconv<K>x<K>-<isa>-<tile>, reported by cpu_info()
  size_t k;
  dw_plane_fn stride1, stride2;
};

const DwKernels& dw3x3_generic_kernels();
const DwKernels& dw5x5_generic_kernels();
#if defined(ARMCONV_HAVE_NEON)
const DwKernels& dw3x3_neon_kernels();
const DwKernels& dw5x5_neon_kernels();
#endif

// Any depthwise shape: a kh x kw kernel, stride and dilation per dimension.
struct DwShape {
  size_t kh, kw;
  int64_t sh, sw, dh, dw;
};

// fp32, any shape ("depthwise"): the generic direct loop (the reference the
// K x K kernels are tested against) and the dispatched table.
void dw_plane_generic(const DwPlane& p, const DwShape& s);
struct DwAnyKernels {
  const char* name;  // dwconv-<isa>-<tile>
  // Scratch floats one call of planes of at most ho x wo outputs needs (the
  // padded input it stages), or 0.
  size_t (*scratch_floats)(const DwShape& s, size_t w, size_t pad_left, size_t ho, size_t wo);
  void (*planes)(const DwPlane& p, const DwShape& s, float* scratch);
};
const DwAnyKernels& dw_any_generic_kernels();
#if defined(ARMCONV_HAVE_NEON)
const DwAnyKernels& dw_any_neon_kernels();
#endif

// ---- fp16, 3x3 (Precision::Fp16) ----
// The same planes with binary16 arithmetic: x read as IO (float: converted
// to binary16 when staged; or Half), result stored as IO. Per output, in
// this order: the product of tap 0 (rounded), one fused multiply-add per
// further tap in row-major order (taps reading padding add zero), the bias
// added (rounded), the clamp with binary16 bounds. Every implementation gives
// the same bits (tests/cpp/test_dwconv_fp16.cpp), NaN payloads aside.
// The kernels stage bands of the plane into `scratch` (binary16, padding
// zero-filled; even and odd columns apart for stride 2): the conversion of a
// float32 image happens there, each input element once per band. Only the
// first plane of a call zeroes the staging (fresh); the contents of scratch
// between planes of a call belong to the kernel.
// Packed weights: 16 halves per channel, taps 0..8, the bias at 9, zeros.
constexpr size_t kDw3x3PackedHalves = 16;

template <class IO>
struct DwPlaneH {
  const IO* x;  // input plane, h x w, dense
  size_t h, w;
  IO* y;        // output plane, ho x wo, dense
  size_t ho, wo;
  size_t pad_top, pad_left;
  const Half* k;  // 16 packed halves
  bool clamp;     // clamp to [lo, hi] (NaN propagates)
  Half lo, hi;
  void* scratch;  // scratch_bytes(w, stride) bytes, 64-byte aligned
  // True for the first plane a call gives this scratch; later planes (same
  // w, pad_left, wo) find the kernel's zero padding in it still.
  bool fresh;
  // `count` consecutive channel planes: plane i reads x + i*h*w, writes
  // y + i*ho*wo, with the weights at k + i*kDw3x3PackedHalves (one call of
  // the kernel; fresh is the first plane's).
  size_t count = 1;
};

template <class IO>
using dw3x3_h_plane_fn = void (*)(const DwPlaneH<IO>& p);

struct Dw3x3F16Kernels {
  const char* name;  // dwconv3x3-<isa>-<tile>-fp16
  dw3x3_h_plane_fn<float> stride1, stride2;   // float32 image and output
  dw3x3_h_plane_fn<Half> stride1_h, stride2_h;  // binary16 image and output
  size_t (*scratch_bytes)(size_t w, size_t stride);
};

// The generic twin (core/half.h arithmetic), for tests; never dispatched.
const Dw3x3F16Kernels& dw3x3_f16_generic_kernels();
#if defined(ARMCONV_HAVE_FP16)
const Dw3x3F16Kernels& dw3x3_fp16_kernels();  // neon/aarch64/dwconv3x3_1x32_fp16.cpp
// Its narrow-map rows kernels (neon/aarch64/dwconv3x3_rows_fp16.cpp), called
// by its entry points only: "same" planes (pad 1 at the top and left; stride
// 1: ho = h, wo = w <= 32; stride 2: ho = ceil(h/2), wo = ceil(w/2) <= 32,
// or w = 2 wo with wo > 32),
// whole rows in registers. They return how many of p's planes they ran,
// from the first: 0 unless p has their shape, else all, or all but the last
// where their loads and stores reach past a row's end (into the next plane).
size_t dw3x3_fp16_rows_s1(const DwPlaneH<float>& p);
size_t dw3x3_fp16_rows_s1(const DwPlaneH<Half>& p);
size_t dw3x3_fp16_rows_s2(const DwPlaneH<float>& p);
size_t dw3x3_fp16_rows_s2(const DwPlaneH<Half>& p);
#endif

// ---- int8 ----
// Packed weights: 16 bytes per channel, the 9 taps row-major then zeros.
constexpr size_t kDwS8PackedBytes = 16;

struct DwPlaneS8 {
  const int8_t* x;  // input plane, h x w, dense (values in [-128, 127])
  size_t h, w;
  void* y;          // output plane, ho x wo, dense: int8_t (out.kind Int8) or float (Float)
  size_t ho, wo;
  size_t pad_top, pad_left;
  const int8_t* k;  // the channel's packed taps (in [-127, 127])
  S8Output out;     // advanced to the channel: bias[0], mult[0], fscale[0]
  // The 3x3 kernels (Dw3x3S8Kernels) take `count` consecutive channel
  // planes: plane i reads x + i*h*w, writes element i*ho*wo of y, taps
  // k + i*kDwS8PackedBytes, output stage out_from_row(out, i) (core/gemm.h).
  // dw_s8_plane_generic takes one plane (count 1).
  size_t count = 1;
};

using dw3x3_s8_plane_fn = void (*)(const DwPlaneS8& p);

struct Dw3x3S8Kernels {
  const char* name;  // dwconv3x3_s8-<isa>-<tile>
  dw3x3_s8_plane_fn stride1, stride2;
};

const Dw3x3S8Kernels& dw3x3_s8_generic_kernels();
#if defined(ARMCONV_HAVE_NEON)
const Dw3x3S8Kernels& dw3x3_s8_neon_kernels();
#endif
#if defined(ARMCONV_HAVE_DOTPROD)
// aarch64 + dotprod (neon/aarch64/dwconv3x3_s8_1x16_dotprod.cpp): SDOT over
// 4-byte windows, one kernel row per instruction; only for CPUs with dotprod
// (dispatch.cpp). Shapes it does not take (w < 4, many padding strips) go to
// dw3x3_s8_neon_kernels() through its table.
const Dw3x3S8Kernels& dw3x3_s8_dotprod_kernels();
#endif

// Any depthwise shape (generic/dwconv_s8.cpp): a kh x kw kernel (taps at k,
// row-major, kh * kw bytes). The 3x3 generic kernels are this loop.
void dw_s8_plane_generic(const DwPlaneS8& p, const DwShape& s);

}  // namespace detail
}  // namespace armconv

// The depthwise families (operator side), fp32 and int8: groups ==
// in_channels == out_channels (channel multiplier 1).
//   fp32 "depthwise3x3", "depthwise5x5": 3x3 / 5x5, stride 1 or 2 (the same
//     in both dimensions), dilation 1, any padding: the dispatched K x K
//     kernels (NEON: neon/dwconv.h).
//   fp32 "depthwise": any other depthwise shape (kernel size, stride,
//     dilation), a direct loop (generic/dwconv.cpp; NEON where it pays).
//   int8 "depthwise3x3": 3x3 stride 1 or 2, requantization fused.
//   int8 "depthwise": any other depthwise shape, a direct generic loop.
//
// Weights are packed once per channel (core/dwconv.h). Work units: row
// blocks of (image, channel) planes. A layer with many planes has one block
// per plane; with few (fewer than kTargetUnits), each plane's output rows are
// cut into blocks of at least kMinRows, so a thread pool still finds work to
// share. A range of whole planes goes to the K x K kernels (fp32, int8 3x3)
// as runs of consecutive planes of one image (one call per run: small maps
// pay their fixed costs once per call, not per plane); a range that cuts planes runs each plane it
// touches as one kernel call over the plane's rows in the range: rows oy0 ..
// oy1 - 1 of a plane are a plane of their own that starts at input row
// oy0*s - pad_top (core/dwconv.h), and every output row sees the same input
// rows in the same order as in a call for the whole plane, so cuts do not
// change the bits. Block boundaries are kept at rows whose first input row is
// above the plane's last row (a block of rows reading only bottom padding
// could not start a plane of its own). Scratch: only the any-shape NEON
// kernel's (padded input rows).
#include <algorithm>
#include <cstring>

#include "core/buffer.h"
#include "core/conv_impl.h"
#include "core/dispatch.h"
#include "core/dwconv.h"
#include "core/half.h"

namespace armconv {
namespace detail {
namespace {

constexpr size_t kTargetUnits = 16;
constexpr size_t kMinRows = 8;

// target: the units wanted (kTargetUnits, or more for a team of threads).
ConvPlan dw_plan(const Conv2dParams& p, const char* algo, int64_t n, int64_t h, int64_t w,
                 size_t target = kTargetUnits) {
  ConvPlan pl;
  pl.algo = algo;
  pl.n = n;
  pl.h = h;
  pl.w = w;
  output_size(p, h, w, &pl.ho, &pl.wo);
  DwPlan& d = pl.dw;
  d.planes = size_t(n) * size_t(p.in_channels);
  // Output rows that may start a block: oy * s - pad_top <= h - 1.
  const int64_t last = std::min<int64_t>(pl.ho - 1, (h - 1 + p.pad_top) / p.stride_h);
  const size_t starts = size_t(last) + 1;
  d.row_blocks = 1;
  if (d.planes < target)
    d.row_blocks = std::max<size_t>(1, std::min(div_up(target, d.planes), starts / kMinRows));
  d.rows_per_block = div_up(starts, d.row_blocks);
  d.row_blocks = div_up(starts, d.rows_per_block);
  pl.axes[0] = d.planes;
  pl.axes[1] = d.row_blocks;
  // The last block runs to the last output row.
  pl.last_cost[1] = double(size_t(pl.ho) - (d.row_blocks - 1) * d.rows_per_block) / double(d.rows_per_block);
  pl.units = d.planes * d.row_blocks;
  pl.scratch_bytes = 0;
  pl.macs = conv_macs(p, pl);
  pl.cost_per_mac = 3.0;  // 0.5 to 2.4 MACs per instruction, the fp32 GEMM's 3.6
  return pl;
}

size_t dw_target_units(int threads) {
  return std::max(kTargetUnits, kUnitsPerThread * size_t(threads));
}

// Calls f(plane, channel, oy0, oy1) for each plane that units [begin, end)
// touch, with its output rows in the range.
template <class F>
void for_each_plane(const ConvPlan& pl, size_t channels, size_t begin, size_t end, F&& f) {
  const DwPlan& d = pl.dw;
  const size_t ho = size_t(pl.ho);
  if (d.row_blocks == 1) {  // units are planes
    for (size_t i = begin, c = begin % channels; i < end; i++) {
      f(i, c, size_t(0), ho);
      if (++c == channels) c = 0;
    }
    return;
  }
  for (size_t u = begin; u < end;) {
    const size_t plane = u / d.row_blocks, b0 = u % d.row_blocks;
    const size_t b1 = std::min(d.row_blocks, b0 + (end - u));
    u += b1 - b0;
    const size_t oy0 = b0 * d.rows_per_block;
    const size_t oy1 = b1 == d.row_blocks ? ho : b1 * d.rows_per_block;
    f(plane, plane % channels, oy0, oy1);
  }
}

// Units [begin, end) of a whole-plane plan (row_blocks == 1) as runs of one
// image's consecutive channels: f(i, c, count) for planes i .. i+count-1,
// channels c .. c+count-1 (a kernel call takes such a run: DwPlane*::count).
template <class F>
void for_each_plane_run(size_t channels, size_t begin, size_t end, F&& f) {
  for (size_t i = begin; i < end;) {
    const size_t c = i % channels, count = std::min(end - i, channels - c);
    f(i, c, count);
    i += count;
  }
}

// The geometry every plane of a call shares.
template <class Plane>
void plane_geometry(Plane& plane, const ConvPlan& pl, const Conv2dParams& p) {
  plane.h = size_t(pl.h);
  plane.w = size_t(pl.w);
  plane.ho = size_t(pl.ho);
  plane.wo = size_t(pl.wo);
  plane.pad_top = size_t(p.pad_top);
  plane.pad_left = size_t(p.pad_left);
}

// Output rows [oy0, oy1) of plane `full` (stride s) as a plane of their own.
template <class Plane>
Plane sub_plane(const Plane& full, int64_t s, size_t oy0, size_t oy1, size_t out_bytes) {
  Plane sp = full;
  const int64_t iy = int64_t(oy0) * s - int64_t(full.pad_top);  // <= h - 1 (dw_plan)
  if (iy >= 0) {
    sp.x = full.x + size_t(iy) * full.w;
    sp.h = full.h - size_t(iy);
    sp.pad_top = 0;
  } else {
    sp.pad_top = size_t(-iy);
  }
  sp.y = static_cast<decltype(sp.y)>(static_cast<void*>(static_cast<char*>(static_cast<void*>(full.y)) +
                                                        oy0 * full.wo * out_bytes));
  sp.ho = oy1 - oy0;
  return sp;
}

// ---- fp32 -------------------------------------------------------------------------

// Both fp32 families: K x K through a dispatched DwKernels table, any other
// shape through the DwAnyKernels table.
class DwConv final : public ConvImpl {
 public:
  DwConv(const Conv2dParams& p, const float* weight, const float* bias, const DwKernels* kxk)
      : p_(p), kxk_(kxk), any_(*kernels().dw_any), c_(size_t(p.in_channels)) {
    shape_ = DwShape{size_t(p.kernel_h), size_t(p.kernel_w), p.stride_h, p.stride_w,
                     p.dilation_h, p.dilation_w};
    const size_t taps = shape_.kh * shape_.kw;
    kstep_ = dw_packed_floats(taps);
    packed_.reset(c_ * kstep_);  // zeros past the bias
    for (size_t c = 0; c < c_; c++) {
      float* k = packed_.data() + c * kstep_;
      std::memcpy(k, weight + c * taps, taps * sizeof(float));
      k[taps] = bias ? bias[c] : 0.0f;
    }
    if (kxk_) fn_ = p.stride_h == 1 ? kxk_->stride1 : kxk_->stride2;
    algo_ = !kxk_ ? "depthwise" : kxk_->k == 3 ? "depthwise3x3" : "depthwise5x5";
  }

  ConvPlan plan(int64_t n, int64_t h, int64_t w) const override {
    ConvPlan pl = dw_plan(p_, algo_, n, h, w);
    add_scratch(&pl, w);
    return pl;
  }
  ConvPlan plan_for_threads(int64_t n, int64_t h, int64_t w, int threads) const override {
    ConvPlan pl = dw_plan(p_, algo_, n, h, w, dw_target_units(threads));
    add_scratch(&pl, w);
    return pl;
  }

  void run(const ConvPlan& pl, const float* x, float* y, size_t begin, size_t end,
           void* scratch) const override {
    DwPlane plane{};
    plane_geometry(plane, pl, p_);
    plane.clamp = p_.clamp;
    plane.lo = p_.out_min;
    plane.hi = p_.out_max;
    const size_t hw = plane.h * plane.w, howo = plane.ho * plane.wo;
    float* const buf = static_cast<float*>(scratch);
    if (pl.dw.row_blocks == 1) {  // whole planes: runs of one image's consecutive channels
      for_each_plane_run(c_, begin, end, [&](size_t i, size_t c, size_t count) {
        plane.x = x + i * hw;
        plane.y = y + i * howo;
        plane.k = packed_.data() + c * kstep_;
        plane.count = count;
        call(plane, buf);
      });
      return;
    }
    for_each_plane(pl, c_, begin, end, [&](size_t i, size_t c, size_t oy0, size_t oy1) {
      plane.x = x + i * hw;
      plane.y = y + i * howo;
      plane.k = packed_.data() + c * kstep_;
      if (oy0 == 0 && oy1 == plane.ho)
        call(plane, buf);
      else
        call(sub_plane(plane, p_.stride_h, oy0, oy1, sizeof(float)), buf);
    });
  }

 private:
  // The any-shape kernel's scratch (a call's planes have at most pl->ho rows).
  void add_scratch(ConvPlan* pl, int64_t w) const {
    if (!kxk_)
      pl->scratch_bytes =
          any_.scratch_floats(shape_, size_t(w), size_t(p_.pad_left), size_t(pl->ho), size_t(pl->wo)) * sizeof(float);
  }

  void call(const DwPlane& plane, float* buf) const {
    if (kxk_) fn_(plane);
    else any_.planes(plane, shape_, buf);
  }

  Conv2dParams p_;
  const DwKernels* kxk_;
  const DwAnyKernels& any_;
  size_t c_, kstep_;
  DwShape shape_;
  dw_plane_fn fn_ = nullptr;
  const char* algo_;
  Buffer<float> packed_;
};

// ---- fp16 3x3 ------------------------------------------------------------------------

// Weights rounded to binary16 once; the float32-image and binary16-image
// kernels of the table share them. Scratch: the kernel's staging band.
class Dw3x3F16Conv final : public ConvImplF16 {
 public:
  Dw3x3F16Conv(const Conv2dParams& p, const Dw3x3F16Kernels& kern, const float* weight,
               const float* bias)
      : p_(p), kern_(kern), c_(size_t(p.in_channels)) {
    packed_.reset(c_ * kDw3x3PackedHalves);  // zeros past the bias
    for (size_t c = 0; c < c_; c++) {
      Half* k = packed_.data() + c * kDw3x3PackedHalves;
      for (size_t t = 0; t < 9; t++) k[t] = float_to_half(weight[c * 9 + t]);
      k[9] = float_to_half(bias ? bias[c] : 0.0f);
    }
    lo_ = float_to_half(p.out_min);
    hi_ = float_to_half(p.out_max);
  }

  ConvPlan plan(int64_t n, int64_t h, int64_t w) const override {
    ConvPlan pl = dw_plan(p_, "depthwise3x3", n, h, w);
    pl.scratch_bytes = kern_.scratch_bytes(size_t(pl.wo), size_t(p_.stride_h));
    return pl;
  }
  void run(const ConvPlan& pl, const float* x, float* y, size_t begin, size_t end,
           void* scratch) const override {
    run_io(pl, x, y, begin, end, scratch, p_.stride_h == 1 ? kern_.stride1 : kern_.stride2);
  }
  void run(const ConvPlan& pl, const Half* x, Half* y, size_t begin, size_t end,
           void* scratch) const override {
    run_io(pl, x, y, begin, end, scratch, p_.stride_h == 1 ? kern_.stride1_h : kern_.stride2_h);
  }

 private:
  template <class IO>
  void run_io(const ConvPlan& pl, const IO* x, IO* y, size_t begin, size_t end, void* scratch,
              dw3x3_h_plane_fn<IO> fn) const {
    DwPlaneH<IO> plane{};
    plane_geometry(plane, pl, p_);
    plane.clamp = p_.clamp;
    plane.lo = lo_;
    plane.hi = hi_;
    plane.scratch = scratch;
    plane.fresh = true;
    const size_t hw = plane.h * plane.w, howo = plane.ho * plane.wo;
    if (pl.dw.row_blocks == 1) {  // whole planes: runs of one image's consecutive channels
      for_each_plane_run(c_, begin, end, [&](size_t i, size_t c, size_t count) {
        plane.x = x + i * hw;
        plane.y = y + i * howo;
        plane.k = packed_.data() + c * kDw3x3PackedHalves;
        plane.count = count;
        fn(plane);
        plane.fresh = false;
      });
      return;
    }
    for_each_plane(pl, c_, begin, end, [&](size_t i, size_t c, size_t oy0, size_t oy1) {
      plane.x = x + i * hw;
      plane.y = y + i * howo;
      plane.k = packed_.data() + c * kDw3x3PackedHalves;
      if (oy0 == 0 && oy1 == plane.ho)
        fn(plane);
      else
        fn(sub_plane(plane, p_.stride_h, oy0, oy1, sizeof(IO)));
      plane.fresh = false;
    });
  }

  Conv2dParams p_;
  const Dw3x3F16Kernels& kern_;
  size_t c_;
  Half lo_, hi_;
  Buffer<Half> packed_;
};

// ---- int8 ------------------------------------------------------------------------------

// Both int8 families: 3x3 through the dispatched table, other shapes through
// the generic loop.
class DwS8Conv final : public ConvImplS8 {
 public:
  DwS8Conv(const Conv2dParams& p, const QuantLayer& q, bool k3x3)
      : p_(p), q_(q), c_(size_t(p.in_channels)), k3x3_(k3x3) {
    shape_ = DwShape{size_t(p.kernel_h), size_t(p.kernel_w), p.stride_h, p.stride_w,
                     p.dilation_h, p.dilation_w};
    taps_ = shape_.kh * shape_.kw;
    if (k3x3_) {
      const Dw3x3S8Kernels& k = *kernels().dw3x3_s8;
      fn_ = p.stride_h == 1 ? k.stride1 : k.stride2;
      packed_.reset(c_ * kDwS8PackedBytes);  // zeros past the 9 taps
      for (size_t c = 0; c < c_; c++) std::memcpy(packed_.data() + c * kDwS8PackedBytes, q.w_q.data() + c * 9, 9);
    }
  }

  ConvPlan plan(int64_t n, int64_t h, int64_t w) const override {
    return dw_plan(p_, k3x3_ ? "depthwise3x3" : "depthwise", n, h, w);
  }
  ConvPlan plan_for_threads(int64_t n, int64_t h, int64_t w, int threads) const override {
    return dw_plan(p_, k3x3_ ? "depthwise3x3" : "depthwise", n, h, w, dw_target_units(threads));
  }

  void run(const ConvPlan& pl, const int8_t* x, void* y, size_t begin, size_t end,
           void*) const override {
    DwPlaneS8 plane{};
    plane_geometry(plane, pl, p_);
    const size_t hw = plane.h * plane.w, howo = plane.ho * plane.wo;
    const size_t es = out_elem_bytes(q_.out);
    if (k3x3_ && pl.dw.row_blocks == 1) {  // whole planes: runs of one image's consecutive channels
      for_each_plane_run(c_, begin, end, [&](size_t i, size_t c, size_t count) {
        plane.x = x + i * hw;
        plane.y = static_cast<char*>(y) + i * howo * es;
        plane.out = out_from_row(q_.out, c);
        plane.k = packed_.data() + c * kDwS8PackedBytes;
        plane.count = count;
        fn_(plane);
      });
      return;
    }
    for_each_plane(pl, c_, begin, end, [&](size_t i, size_t c, size_t oy0, size_t oy1) {
      plane.x = x + i * hw;
      plane.y = static_cast<char*>(y) + i * howo * es;
      plane.out = out_from_row(q_.out, c);
      plane.k = k3x3_ ? packed_.data() + c * kDwS8PackedBytes : q_.w_q.data() + c * taps_;
      const DwPlaneS8 sp =
          oy0 == 0 && oy1 == plane.ho ? plane : sub_plane(plane, p_.stride_h, oy0, oy1, es);
      if (k3x3_)
        fn_(sp);
      else
        dw_s8_plane_generic(sp, shape_);
    });
  }

 private:
  Conv2dParams p_;
  const QuantLayer& q_;
  size_t c_, taps_;
  bool k3x3_;
  DwShape shape_;
  dw3x3_s8_plane_fn fn_ = nullptr;
  Buffer<int8_t> packed_;
};

const char* depthwise_rejects(const Conv2dParams& p) {
  if (p.groups != p.in_channels || p.out_channels != p.in_channels)
    return "it needs groups == in_channels == out_channels (a depthwise convolution with "
           "channel multiplier 1)";
  return nullptr;
}

const char* kxk_shape_rejects(const Conv2dParams& p, int64_t k) {
  if (const char* why = depthwise_rejects(p)) return why;
  if (p.kernel_h != k || p.kernel_w != k)
    return k == 3 ? "it needs a 3x3 kernel" : "it needs a 5x5 kernel";
  if (p.dilation_h != 1 || p.dilation_w != 1) return "it needs dilation 1";
  if (p.stride_h != p.stride_w || (p.stride_h != 1 && p.stride_h != 2))
    return "it needs stride 1 or 2 (the same in both dimensions)";
  return nullptr;
}

// A single-channel layer (groups == 1) stays with the GEMM families.
const char* any_shape_rejects(const Conv2dParams& p) {
  if (p.groups < 2) return "it needs groups == in_channels == out_channels > 1";
  return depthwise_rejects(p);
}

}  // namespace

const char* dw3x3_conv_rejects(const Conv2dParams& p) { return kxk_shape_rejects(p, 3); }

ConvImplPtr make_dw3x3_conv(const Conv2dParams& p, const float* weight, const float* bias) {
  return ConvImplPtr(new DwConv(p, weight, bias, kernels().dw3x3));
}

const char* dw5x5_conv_rejects(const Conv2dParams& p) { return kxk_shape_rejects(p, 5); }

ConvImplPtr make_dw5x5_conv(const Conv2dParams& p, const float* weight, const float* bias) {
  return ConvImplPtr(new DwConv(p, weight, bias, kernels().dw5x5));
}

const char* dw_conv_rejects(const Conv2dParams& p) { return any_shape_rejects(p); }

ConvImplPtr make_dw_conv(const Conv2dParams& p, const float* weight, const float* bias) {
  return ConvImplPtr(new DwConv(p, weight, bias, nullptr));
}

ConvImplPtr make_dw3x3_conv_f16(const Conv2dParams& p, const float* weight, const float* bias) {
  const Dw3x3F16Kernels* k = kernels().dw3x3_f16;
  return k ? ConvImplPtr(new Dw3x3F16Conv(p, *k, weight, bias)) : nullptr;
}

// int8: a single-channel layer (groups == 1) stays with the GEMM families.
const char* dw3x3_s8_conv_rejects(const Conv2dParams& p) {
  if (p.groups < 2) return "it needs groups == in_channels == out_channels > 1";
  return kxk_shape_rejects(p, 3);
}

ConvImplS8Ptr make_dw3x3_s8_conv(const Conv2dParams& p, const QuantLayer& q) {
  return ConvImplS8Ptr(new DwS8Conv(p, q, true));
}

const char* dw_s8_conv_rejects(const Conv2dParams& p) { return any_shape_rejects(p); }

ConvImplS8Ptr make_dw_s8_conv(const Conv2dParams& p, const QuantLayer& q) {
  return ConvImplS8Ptr(new DwS8Conv(p, q, false));
}

}  // namespace detail
}  // namespace armconv

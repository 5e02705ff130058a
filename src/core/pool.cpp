// Pooling operator (armconv/pool.h): checks, output size, and the planes split
// over the thread pool, each range run by the chosen kernel (core/pool.h).
#include "armconv/pool.h"

#include <string>

#include "core/dispatch.h"
#include "core/pool.h"
#include "threads/threads.h"

namespace armconv {
namespace {

constexpr int64_t kMaxPoolDim = int64_t(1) << 31;

void check_range(const char* name, int64_t v, int64_t lo) {
  if (v < lo) throw Error(std::string(name) + " must be >= " + std::to_string(lo) + ", got " + std::to_string(v));
  if (v >= kMaxPoolDim) throw Error(std::string(name) + " is too large: " + std::to_string(v));
}

int64_t axis_out(const char* axis, int64_t n, int64_t k, int64_t s, int64_t d, int64_t p0, int64_t p1,
                 bool ceil_mode) {
  const int64_t eff = (k - 1) * d + 1;
  const int64_t num = n + p0 + p1 - eff;
  if (num < 0)
    throw Error(std::string("the padded input ") + axis + " (" + std::to_string(n + p0 + p1) +
                ") is smaller than the pooling window (" + std::to_string(eff) + ")");
  int64_t o = (ceil_mode ? (num + s - 1) / s : num / s) + 1;
  // Ceil mode: a window that would start past the input and its top/left padding is dropped.
  if (ceil_mode && (o - 1) * s >= n + p0) o--;
  return o;
}

}  // namespace

void pool_output_size(const Pool2dParams& p, int64_t h, int64_t w, int64_t* ho, int64_t* wo) {
  check_range("kernel_h", p.kernel_h, 1);
  check_range("kernel_w", p.kernel_w, 1);
  check_range("stride_h", p.stride_h, 1);
  check_range("stride_w", p.stride_w, 1);
  check_range("dilation_h", p.dilation_h, 1);
  check_range("dilation_w", p.dilation_w, 1);
  check_range("pad_top", p.pad_top, 0);
  check_range("pad_bottom", p.pad_bottom, 0);
  check_range("pad_left", p.pad_left, 0);
  check_range("pad_right", p.pad_right, 0);
  check_range("h", h, 1);
  check_range("w", w, 1);
  if (p.kind != PoolKind::Max && p.kind != PoolKind::Average) throw Error("unknown pooling kind");
  *ho = axis_out("height", h, p.kernel_h, p.stride_h, p.dilation_h, p.pad_top, p.pad_bottom, p.ceil_mode);
  *wo = axis_out("width", w, p.kernel_w, p.stride_w, p.dilation_w, p.pad_left, p.pad_right, p.ceil_mode);
}

void pool2d(const Pool2dParams& p, const float* x, int64_t n, int64_t c, int64_t h, int64_t w, float* y) {
  int64_t ho, wo;
  pool_output_size(p, h, w, &ho, &wo);
  if (n < 0) throw Error("batch size must be >= 0");
  if (c < 0) throw Error("channels must be >= 0");
  const size_t planes = size_t(n) * size_t(c);
  if (planes == 0) return;
  detail::PoolShape s;
  s.h = size_t(h), s.w = size_t(w), s.ho = size_t(ho), s.wo = size_t(wo);
  s.kh = size_t(p.kernel_h), s.kw = size_t(p.kernel_w);
  s.sh = size_t(p.stride_h), s.sw = size_t(p.stride_w);
  s.dh = size_t(p.dilation_h), s.dw = size_t(p.dilation_w);
  s.pt = size_t(p.pad_top), s.pl = size_t(p.pad_left), s.pb = size_t(p.pad_bottom), s.pr = size_t(p.pad_right);
  s.include_pad = p.kind == PoolKind::Average && p.count_include_pad;
  const detail::PoolKernels& k = *detail::kernels().pool;
  auto fn = p.kind == PoolKind::Max ? k.max : k.avg;
  // A plane's cost: its window elements, or its input when that is larger
  // (the staged rows read every input row once per output row using it).
  const double per_plane = double(ho) * double(wo) * double(p.kernel_h * p.kernel_w) + double(h) * double(w);
  const int team = detail::team_size(planes, per_plane);
  detail::UnitGrid grid;
  grid.axes[0] = planes;
  const size_t plane_in = size_t(h) * size_t(w), plane_out = size_t(ho) * size_t(wo);
  detail::run_units(grid, team, k.scratch_floats(s) * sizeof(float),
                    [&](size_t begin, size_t end, void* scratch) {
                      fn(s, x + begin * plane_in, y + begin * plane_out, end - begin,
                         static_cast<float*>(scratch));
                    });
}

const char* pool_kernel_name() { return detail::kernels().pool->name; }

}  // namespace armconv

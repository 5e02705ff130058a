// Aligned scratch buffers. Packed panels are 64-byte aligned (one cache line)
// and carry `slack` zeroed bytes at the end so that vector kernels may load a
// whole register past the last valid element of a panel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

namespace armconv {
namespace detail {

template <typename T>
class Buffer {
 public:
  Buffer() = default;
  explicit Buffer(size_t count, size_t slack_bytes = 64) { reset(count, slack_bytes); }
  // A scratch buffer whose `count` elements are left uninitialised (only the
  // slack is zeroed): for per-call workspaces that the packers overwrite
  // entirely, where zeroing would cost a pass over the whole buffer per call.
  struct Uninitialized {};
  Buffer(size_t count, Uninitialized, size_t slack_bytes = 64) { reset(count, slack_bytes, false); }
  ~Buffer() { std::free(p_); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  Buffer(Buffer&& o) noexcept : p_(o.p_), n_(o.n_) { o.p_ = nullptr; o.n_ = 0; }
  Buffer& operator=(Buffer&& o) noexcept {
    if (this != &o) { std::free(p_); p_ = o.p_; n_ = o.n_; o.p_ = nullptr; o.n_ = 0; }
    return *this;
  }

  // Allocates `count` elements (zeroed unless `zero` is false; the slack is
  // always zeroed). Throws std::bad_alloc.
  void reset(size_t count, size_t slack_bytes = 64, bool zero = true) {
    std::free(p_);
    p_ = nullptr;
    n_ = 0;
    if (count > (SIZE_MAX - slack_bytes - 64) / sizeof(T)) throw std::bad_alloc();
    size_t bytes = (count * sizeof(T) + slack_bytes + 63) & ~size_t(63);
    void* mem = nullptr;
    if (posix_memalign(&mem, 64, bytes ? bytes : 64) != 0) throw std::bad_alloc();
    const size_t head = zero ? 0 : count * sizeof(T);
    std::memset(static_cast<unsigned char*>(mem) + head, 0, bytes - head);
    p_ = static_cast<T*>(mem);
    n_ = count;
  }
  T* data() { return p_; }
  const T* data() const { return p_; }
  size_t size() const { return n_; }
  T& operator[](size_t i) { return p_[i]; }
  const T& operator[](size_t i) const { return p_[i]; }

 private:
  T* p_ = nullptr;
  size_t n_ = 0;
};

inline size_t round_up(size_t x, size_t m) { return (x + m - 1) / m * m; }
inline size_t div_up(size_t x, size_t m) { return (x + m - 1) / m; }

}  // namespace detail
}  // namespace armconv

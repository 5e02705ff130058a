// Per-thread scratch (threads.h, ScratchLease): one cached buffer per thread.
#include <cstdlib>
#include <new>

#include "threads/threads.h"

namespace armconv {
namespace detail {

namespace {

// The calling thread's buffer; freed by the thread_local destructor when the
// thread exits (pool workers exit at fork() and at process exit).
struct ThreadBuffer {
  void* p = nullptr;
  size_t bytes = 0;
  bool leased = false;
  ~ThreadBuffer() { std::free(p); }
};
thread_local ThreadBuffer t_buffer;

void* aligned_alloc64(size_t bytes) {
  void* p = nullptr;
  if (posix_memalign(&p, 64, bytes ? bytes : 64) != 0) throw std::bad_alloc();
  return p;
}

}  // namespace

ScratchLease::ScratchLease(size_t bytes) {
  if (bytes == 0) return;
  ThreadBuffer& tb = t_buffer;
  if (tb.leased || bytes > kMaxCachedScratch) {
    p_ = aligned_alloc64(bytes);
    own_ = true;
    return;
  }
  if (tb.bytes < bytes) {
    std::free(tb.p);
    tb.p = nullptr;
    tb.bytes = 0;
    tb.p = aligned_alloc64(bytes);
    tb.bytes = bytes;
  }
  tb.leased = true;
  p_ = tb.p;
}

ScratchLease::~ScratchLease() {
  if (own_) std::free(p_);
  else if (p_) t_buffer.leased = false;
}

}  // namespace detail
}  // namespace armconv

// Buffers that end (or start) at an inaccessible page, so that a kernel that
// reads or writes one element past (or before) its array dies with SIGSEGV
// instead of passing by luck. Works natively and under qemu-user (where ASan
// does not).
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace armconv_test {

template <typename T>
class GuardedArray {
 public:
  // `count` elements placed so that the element after the last one is the
  // first byte of a PROT_NONE page (at_end), or so that the byte before the
  // first element is the last byte of a PROT_NONE page (!at_end). The start is
  // only as aligned as count * sizeof(T) makes it: pick counts that are not a
  // multiple of 4 floats to test unaligned operands.
  explicit GuardedArray(size_t count, bool at_end = true) : count_(count) {
    page_ = size_t(sysconf(_SC_PAGESIZE));
    const size_t bytes = count * sizeof(T);
    const size_t data_pages = (bytes + page_ - 1) / page_ + 1;
    map_bytes_ = (data_pages + 2) * page_;
    void* m = mmap(nullptr, map_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) { std::perror("mmap"); std::abort(); }
    base_ = static_cast<unsigned char*>(m);
    // Guard pages on both sides of the data pages.
    mprotect(base_, page_, PROT_NONE);
    mprotect(base_ + map_bytes_ - page_, page_, PROT_NONE);
    unsigned char* data_lo = base_ + page_;
    unsigned char* data_hi = base_ + map_bytes_ - page_;
    unsigned char* p = at_end ? data_hi - count * sizeof(T) : data_lo;
    data_ = reinterpret_cast<T*>(p);
    if (count) std::memset(static_cast<void*>(data_), 0, count * sizeof(T));
  }
  ~GuardedArray() { munmap(base_, map_bytes_); }
  GuardedArray(const GuardedArray&) = delete;
  GuardedArray& operator=(const GuardedArray&) = delete;

  T* data() { return data_; }
  const T* data() const { return data_; }
  size_t size() const { return count_; }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }

 private:
  size_t count_, page_, map_bytes_;
  unsigned char* base_;
  T* data_;
};

}  // namespace armconv_test

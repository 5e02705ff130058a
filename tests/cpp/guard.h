// Buffers that end (or start) at an inaccessible page, so that a kernel that
// reads or writes one element past (or before) its array dies with SIGSEGV
// instead of passing by luck. Works natively and under qemu-user (where ASan
// does not).
//
// Mappings are reused: a freed array's mapping (guard pages still PROT_NONE)
// goes to a small cache, and the next array of the same mapping size takes
// it, its data pages zeroed again (as a fresh anonymous mapping reads), so an
// array is laid out and filled exactly as a new mapping would give it. The
// C++ tests make hundreds of thousands of small guarded arrays; under
// qemu-user each mmap/mprotect/munmap cycle and its first-touch page fault
// cost ~15 us of host time (test_dwconv: a third of its CPU time).
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace armconv_test {

namespace guard_detail {
// Freed mappings of at most kMaxBytes, most recent last; never unmapped at
// exit (plain storage: no destructor to order against static arrays).
struct MappingCache {
  static constexpr int kSlots = 8;
  static constexpr size_t kMaxBytes = size_t(4) << 20;
  std::mutex mu;
  unsigned char* base[kSlots];
  size_t bytes[kSlots];
  int n = 0;
  // A cached mapping of exactly `want` bytes (removed from the cache), or null.
  unsigned char* take(size_t want) {
    std::lock_guard<std::mutex> lock(mu);
    for (int i = n - 1; i >= 0; i--)
      if (bytes[i] == want) {
        unsigned char* b = base[i];
        for (int j = i; j + 1 < n; j++) base[j] = base[j + 1], bytes[j] = bytes[j + 1];
        n--;
        return b;
      }
    return nullptr;
  }
  // Keeps the mapping (evicting the oldest when full) or unmaps it if too large.
  void give(unsigned char* b, size_t sz) {
    if (sz > kMaxBytes) { munmap(b, sz); return; }
    std::lock_guard<std::mutex> lock(mu);
    if (n == kSlots) {
      munmap(base[0], bytes[0]);
      for (int j = 0; j + 1 < n; j++) base[j] = base[j + 1], bytes[j] = bytes[j + 1];
      n--;
    }
    base[n] = b;
    bytes[n] = sz;
    n++;
  }
};
inline MappingCache& mapping_cache() {
  static MappingCache* c = new MappingCache;  // (never destroyed)
  return *c;
}
}  // namespace guard_detail

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
    base_ = guard_detail::mapping_cache().take(map_bytes_);
    if (base_) {
      // A reused mapping: its guard pages are PROT_NONE already; every data
      // byte back to zero, as in a new one.
      std::memset(base_ + page_, 0, map_bytes_ - 2 * page_);
    } else {
      void* m = mmap(nullptr, map_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (m == MAP_FAILED) { std::perror("mmap"); std::abort(); }
      base_ = static_cast<unsigned char*>(m);
      // Guard pages on both sides of the data pages.
      mprotect(base_, page_, PROT_NONE);
      mprotect(base_ + map_bytes_ - page_, page_, PROT_NONE);
    }
    unsigned char* data_lo = base_ + page_;
    unsigned char* data_hi = base_ + map_bytes_ - page_;
    unsigned char* p = at_end ? data_hi - count * sizeof(T) : data_lo;
    data_ = reinterpret_cast<T*>(p);
  }
  ~GuardedArray() { guard_detail::mapping_cache().give(base_, map_bytes_); }
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

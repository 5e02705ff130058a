// The thread count: set_num_threads / get_num_threads, ARMCONV_NUM_THREADS,
// the CPU count, ScopedNumThreads.
//
// Precedence for a call from some thread: that thread's ScopedNumThreads (or
// Python's `with armconv.threads(n)`), else the process-wide value:
// set_num_threads(n) (threadpoolctl uses it too), else ARMCONV_NUM_THREADS read
// at first use, else the CPUs this process may run on.
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

#include "armconv/armconv.h"
#include "threads/threads.h"

namespace armconv {
namespace detail {
namespace {

std::atomic<int> g_num_threads{0};  // process-wide; 0 until init_thread_settings ran
std::string g_env_message;          // what was wrong with ARMCONV_NUM_THREADS
thread_local int t_override = 0;    // this thread's override; 0: none

int ensure_settings() {
  int n = g_num_threads.load(std::memory_order_acquire);
  if (n == 0) {
    init_thread_settings(false);
    n = g_num_threads.load(std::memory_order_acquire);
  }
  return n;
}

}  // namespace

int cpus_available() {
  int n = 0;
#if defined(__linux__) && defined(CPU_COUNT)
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) n = CPU_COUNT(&set);
#endif
  if (n < 1) n = int(sysconf(_SC_NPROCESSORS_ONLN));
  if (n < 1) n = 1;
  return n;
}

const char* parse_num_threads(const char* text, int* n) {
  static_assert(kMaxThreads == 1024, "update the message below");
  const char* p = text;
  while (std::isspace(static_cast<unsigned char>(*p))) ++p;
  const char* digits = p;
  long long v = 0;
  while (std::isdigit(static_cast<unsigned char>(*p))) {
    if (v <= kMaxThreads) v = v * 10 + (*p - '0');  // stops growing once too large
    ++p;
  }
  const bool is_integer = p != digits;
  while (std::isspace(static_cast<unsigned char>(*p))) ++p;
  if (!is_integer || *p != '\0') return "not a whole number";
  if (v < 1) return "less than 1";
  if (v > kMaxThreads) return "more than 1024";
  *n = int(v);
  return nullptr;
}

const char* init_thread_settings(bool quiet) {
  ForkSafeSection section;  // (threads.h: a fork() waits for it)
  static std::once_flag once;
  std::call_once(once, [quiet] {
    int n = cpus_available();
    if (n > kMaxThreads) n = kMaxThreads;
    const char* env = std::getenv("ARMCONV_NUM_THREADS");
    if (env && *env) {  // set and not empty
      int v = 0;
      if (const char* why = parse_num_threads(env, &v)) {
        g_env_message = std::string("ARMCONV_NUM_THREADS='") + env + "' is ignored (" + why +
                        "; expected a whole number from 1 to " + std::to_string(kMaxThreads) +
                        "); using " +
                        std::to_string(n) + " threads, the CPUs this process may run on";
        if (!quiet) std::fprintf(stderr, "armconv: warning: %s\n", g_env_message.c_str());
      } else {
        n = v;
      }
    }
    // A set_num_threads() that raced with this first read wins.
    int expected = 0;
    g_num_threads.compare_exchange_strong(expected, n, std::memory_order_acq_rel);
  });
  return g_env_message.c_str();
}

int process_num_threads() { return ensure_settings(); }

int set_thread_override(int n) {
  const int old = t_override;
  t_override = n;
  return old;
}

}  // namespace detail

void set_num_threads(int n) {
  if (n < 1 || n > kMaxThreads)
    throw Error("set_num_threads: n must be from 1 to " + std::to_string(kMaxThreads) + ", got " +
                std::to_string(n));
  detail::ensure_settings();  // the environment is read first, then overridden
  detail::g_num_threads.store(n, std::memory_order_release);
}

int get_num_threads() {
  return detail::t_override > 0 ? detail::t_override : detail::ensure_settings();
}

ScopedNumThreads::ScopedNumThreads(int n) {
  if (n < 1 || n > kMaxThreads)
    throw Error("ScopedNumThreads: n must be from 1 to " + std::to_string(kMaxThreads) +
                ", got " + std::to_string(n));
  previous_ = detail::set_thread_override(n);
}

ScopedNumThreads::~ScopedNumThreads() { detail::set_thread_override(previous_); }

}  // namespace armconv

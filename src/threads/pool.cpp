// The shared thread pool (see threads.h for the contract).
//
// Shape: persistent workers 1..N-1 (pthreads, created when a call first needs
// them); the calling thread is worker 0. A job is published in the Pool (fn,
// units, team); the caller bumps the wake signal of workers 1..team-1 only,
// runs its own range, then waits on `done_`, which the last worker to finish
// bumps. Workers not needed by a job are not woken.
//
// fork(): a pthread_atfork prepare handler waits for the running job and
// joins the workers; parent and child then start new ones at their next
// multi-threaded call. So a child never inherits a pool whose threads it does
// not have, and no thread of ours is alive across fork() (OpenBLAS does the
// same; it also keeps qemu-user 7.2 working, which crashes when a forked child
// creates a thread while its parent had other threads).
//
// Why our own pool and not OpenMP or pthreadpool: both leave a forked child
// that uses them hung (README, "Threads"; fork_experiment/run.sh shows it).
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "armconv/armconv.h"
#include "threads/threads.h"

// Marks around every wait of the pool (a worker waiting for a job, the caller
// waiting for the workers or for another caller's job). Empty and never inlined, with C names and default
// visibility so that they survive stripping: an instruction counter (QEMU
// plugin) can watch their entry addresses to pause / resume its per-vCPU
// count, leaving out the waiting (spin, futex, clock reads) and keeping the
// work.
extern "C" {
__attribute__((noinline, visibility("default"))) void armconv_pool_wait_begin() {
  __asm__ __volatile__("" ::: "memory");
}
__attribute__((noinline, visibility("default"))) void armconv_pool_wait_end() {
  __asm__ __volatile__("" ::: "memory");
}
}

namespace armconv {
namespace detail {
namespace {

// How long a waiter spins before it sleeps: covers the gap between two
// back-to-back layers of a network run from Python; afterwards idle threads
// sleep. Only when the job has no more threads than the process has CPUs:
// an oversubscribed spinner would take the core of a thread that has work
// (libgomp throttles its spinning the same way).
constexpr int kSpinMicroseconds = 200;
// Stack of a worker: kernels need little (their scratch is given to them).
constexpr size_t kWorkerStackBytes = size_t(1) << 20;

inline void cpu_relax() {
#if defined(__aarch64__) || (defined(__arm__) && defined(__ARM_ARCH) && __ARM_ARCH >= 7)
  __asm__ __volatile__("yield" ::: "memory");
#elif defined(__x86_64__) || defined(__i386__)
  __asm__ __volatile__("pause" ::: "memory");
#else
  __asm__ __volatile__("" ::: "memory");
#endif
}

// A counter that one thread waits on and another bumps. One waiter at a time.
class Signal {
 public:
  uint32_t value() const { return value_.load(std::memory_order_acquire); }

  // Bumps the value and wakes the waiter if it sleeps. This is Dekker's
  // pattern: we write value_ then read sleeping_, the waiter writes sleeping_
  // then reads value_; so either we see it asleep (and notify under its
  // mutex, so the notification cannot fall between its check and its wait),
  // or it sees the new value before sleeping. Both writes are seq_cst
  // read-modify-writes, not plain stores: a plain seq_cst store is a barrier
  // plus a store, and where the barrier is weak the store can pass the load
  // that follows it. That happens in practice: ARMv6 code (32-bit Pi OS)
  // fences with the CP15 barrier, which qemu-user executes as a no-op, so on
  // an x86 host the store waited in the store buffer and a wake-up was lost
  // (1 run in 15 hung). An RMW is ldrex/strex (a locked cmpxchg under QEMU),
  // which orders it on every target.
  void bump() {
    value_.fetch_add(1, std::memory_order_seq_cst);
    if (sleeping_.load(std::memory_order_seq_cst)) {
      { std::lock_guard<std::mutex> lock(mutex_); }
      cv_.notify_one();
    }
  }

  // Returns once the value differs from `old` (with acquire semantics: what
  // the bumping thread wrote before bump() is visible), and the new value.
  uint32_t wait_change(uint32_t old, bool spin) {
    armconv_pool_wait_begin();
    if (!(spin && spin_while(old))) sleep_while(old);
    armconv_pool_wait_end();
    return value();
  }

 private:
  // Spins up to kSpinMicroseconds; true if the value changed meanwhile.
  __attribute__((noinline)) bool spin_while(uint32_t old) const {
    using clock = std::chrono::steady_clock;
    const clock::time_point deadline = clock::now() + std::chrono::microseconds(kSpinMicroseconds);
    for (;;) {
      for (int i = 0; i < 128; ++i) {
        if (value_.load(std::memory_order_acquire) != old) return true;
        cpu_relax();
      }
      if (clock::now() >= deadline) return false;
    }
  }

  __attribute__((noinline)) void sleep_while(uint32_t old) {
    std::unique_lock<std::mutex> lock(mutex_);
    sleeping_.exchange(true, std::memory_order_seq_cst);  // an RMW: see bump()
    while (value_.load(std::memory_order_seq_cst) == old) cv_.wait(lock);
    sleeping_.store(false, std::memory_order_relaxed);
  }

  std::atomic<uint32_t> value_{0};
  std::atomic<bool> sleeping_{false};
  std::mutex mutex_;
  std::condition_variable cv_;
};

// Set while this thread runs a share of a job: a nested parallel call runs inline.
thread_local bool t_in_job = false;

class Pool {
 public:
  // fork(): before, wait for the running job and join the workers; keep new
  // jobs out until after (in the parent and in the child).
  void before_fork() {
    job_mutex_.lock();
    stopping_ = true;
    for (auto& w : workers_) w->wake.bump();
    for (auto& w : workers_) pthread_join(w->thread, nullptr);
    workers_.clear();
    stopping_ = false;
  }
  void after_fork() { job_mutex_.unlock(); }

  // bounds: the ranges (team + 1 entries), or nullptr for the equal split of
  // `units`.
  void run(size_t units, const size_t* bounds, int team, RangeFn fn) {
    // One job at a time; waiting for another caller's job counts as waiting.
    std::unique_lock<std::mutex> job_lock(job_mutex_, std::try_to_lock);
    if (!job_lock.owns_lock()) {
      armconv_pool_wait_begin();
      job_lock.lock();
      armconv_pool_wait_end();
    }
    // If the system refuses threads: the equal split is made for the threads
    // there are; given ranges are dealt round-robin to them.
    const int ranges = bounds ? team : 0;
    team = grow(team);
    if (team <= 1) {
      run_share(fn, units, bounds, ranges, 1, 0);
      return;
    }
    fn_ = &fn;
    units_ = units;
    bounds_ = bounds;
    ranges_ = ranges;
    team_ = team;
    spin_.store(team <= cpus_, std::memory_order_relaxed);
    error_ = nullptr;
    const uint32_t done_before = done_.value();
    pending_.store(team - 1, std::memory_order_relaxed);
    for (int w = 1; w < team; ++w) workers_[w - 1]->wake.bump();  // publishes the job
    share(0);
    done_.wait_change(done_before, spin_.load(std::memory_order_relaxed));
    fn_ = nullptr;
    if (error_) std::rethrow_exception(error_);
  }

 private:
  struct Worker {
    Pool* pool;
    int index;
    pthread_t thread;
    Signal wake;
  };

  // Runs worker w's range of the current job; records an exception.
  void share(int w) {
    try {
      run_share(*fn_, units_, bounds_, ranges_, team_, w);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex_);
      if (!error_) error_ = std::current_exception();
    }
  }

  // Worker w's share: range w of the equal split of `units` over `team`, or
  // ranges w, w + team, ... of the `ranges` given by `bounds`.
  static void run_share(RangeFn fn, size_t units, const size_t* bounds, int ranges, int team, int w) {
    t_in_job = true;
    struct Reset {
      ~Reset() { t_in_job = false; }
    } reset;
    if (!bounds) {
      const size_t begin = range_begin(units, team, w), end = range_begin(units, team, w + 1);
      if (begin != end) fn(begin, end, w);
      return;
    }
    for (int r = w; r < ranges; r += team)
      if (bounds[r] != bounds[r + 1]) fn(bounds[r], bounds[r + 1], w);
  }

  static void* worker_main(void* arg) {
    Worker* self = static_cast<Worker*>(arg);
    Pool* pool = self->pool;
    uint32_t seen = 0;
    for (;;) {
      seen = self->wake.wait_change(seen, pool->spin_.load(std::memory_order_relaxed));
      if (pool->stopping_) return nullptr;
      pool->share(self->index);
      if (pool->pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) pool->done_.bump();
    }
    return nullptr;
  }

  // Starts workers until there are team - 1 (called with job_mutex_ held).
  // Returns the team the pool can run: fewer if the system refused a thread.
  int grow(int team) {
    while (int(workers_.size()) < team - 1) {
      std::unique_ptr<Worker> w(new Worker());
      w->pool = this;
      w->index = int(workers_.size()) + 1;
      if (!start_thread(w.get())) break;
      workers_.push_back(std::move(w));
    }
    return std::min(team, int(workers_.size()) + 1);
  }

  static bool start_thread(Worker* w) {
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0) return false;
    pthread_attr_setstacksize(&attr, kWorkerStackBytes);
    // Workers block every signal, so that signals (Ctrl-C) reach the threads
    // that expect them (Python handles them in its main thread).
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    const int rc = pthread_create(&w->thread, &attr, &Pool::worker_main, w);
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    pthread_attr_destroy(&attr);
#if defined(__linux__)
    if (rc == 0) {
      char name[16];
      std::snprintf(name, sizeof name, "armconv-%d", w->index);
      pthread_setname_np(w->thread, name);
    }
#endif
    return rc == 0;
  }

  std::mutex job_mutex_;
  std::vector<std::unique_ptr<Worker>> workers_;  // worker w is workers_[w - 1]
  bool stopping_ = false;  // tells the workers woken by before_fork() to exit
  // The current job (written by the caller before it bumps the workers' wake
  // signals, read by the workers after they see the bump).
  const RangeFn* fn_ = nullptr;
  size_t units_ = 0;
  const size_t* bounds_ = nullptr;
  int ranges_ = 0;
  int team_ = 0;
  const int cpus_ = cpus_available();
  std::atomic<bool> spin_{true};  // this job's waits spin first (team <= cpus_)
  std::atomic<int> pending_{0};  // workers of the job not yet done
  Signal done_;                  // bumped by the last of them
  std::mutex error_mutex_;
  std::exception_ptr error_;
};

// The process's pool: made at first use, never deleted (workers may still
// sleep in it at exit).
std::mutex g_pool_mutex;
Pool* g_pool = nullptr;
bool g_quiesced = false;  // before_fork() ran for the fork in progress

void atfork_prepare() {
  g_pool_mutex.lock();
  // A fork from inside a job (fn forks) cannot wait for the job: the child
  // then drops the pool instead (leaked: it must not touch its locks).
  g_quiesced = g_pool && !t_in_job;
  if (g_quiesced) g_pool->before_fork();
}
void atfork_parent() {
  if (g_quiesced) g_pool->after_fork();
  g_pool_mutex.unlock();
}
void atfork_child() {
  if (g_quiesced) g_pool->after_fork();
  else g_pool = nullptr;
  g_pool_mutex.unlock();
}

// ForkSafeSection (threads.h). Not a reader-writer lock held across fork():
// glibc tells a write unlock from a read unlock by the owner's thread id,
// which the child's thread does not share. Two counters instead, in
// Dekker's order (seq_cst): a section counts itself in, then checks that no
// fork is starting (else counts itself out and waits); fork's prepare marks
// itself starting, then waits until no section of another thread is in.
// Registered when the library loads, before pool() registers the pool's
// handlers, so (prepare handlers run in the reverse order of registration)
// fork() first waits for the running job, whose nested layer calls may be
// inside a section, then for the sections of other threads, which never wait
// for the pool.
std::atomic<int> g_sections{0};         // threads inside a section (outermost only)
std::atomic<bool> g_forking{false};     // a fork() is between prepare and parent/child
std::mutex g_fork_mutex;                // one fork() at a time through the wait
thread_local int t_section_depth = 0;

void pause_briefly() { std::this_thread::sleep_for(std::chrono::microseconds(50)); }

void fork_guard_prepare() {
  g_fork_mutex.lock();
  g_forking.store(true);
  const int own = t_section_depth > 0 ? 1 : 0;  // (a fork from inside a section: not waited for)
  while (g_sections.load() > own) pause_briefly();
}
void fork_guard_release() {
  g_forking.store(false);
  g_fork_mutex.unlock();
}

struct ForkGuardRegistration {
  ForkGuardRegistration() { pthread_atfork(fork_guard_prepare, fork_guard_release, fork_guard_release); }
} g_fork_guard_registration;

Pool& pool() {
  static std::once_flag atfork_once;
  std::call_once(atfork_once, [] { pthread_atfork(atfork_prepare, atfork_parent, atfork_child); });
  std::lock_guard<std::mutex> lock(g_pool_mutex);
  if (!g_pool) g_pool = new Pool();
  return *g_pool;
}

}  // namespace

ForkSafeSection::ForkSafeSection() {
  if (t_section_depth++ > 0) return;
  for (;;) {
    g_sections.fetch_add(1);
    if (!g_forking.load()) return;
    g_sections.fetch_sub(1);
    while (g_forking.load()) pause_briefly();
  }
}
ForkSafeSection::~ForkSafeSection() {
  if (--t_section_depth == 0) g_sections.fetch_sub(1);
}

int team_size(size_t units, double ops_per_unit, int max_threads) {
  if (t_in_job || units <= 1) return 1;
  size_t team = size_t(max_threads > 0 ? max_threads : get_num_threads());
  if (team > units) team = units;
  if (ops_per_unit > 0) {
    const double worth = double(units) * ops_per_unit / kMinOpsPerThread;
    if (worth < double(team)) team = worth < 1 ? 1 : size_t(worth);
  }
  return int(team);
}

int team_for_work(double ops, int max_threads) {
  if (t_in_job) return 1;
  const int most = max_threads > 0 ? max_threads : get_num_threads();
  const double worth = ops / kMinOpsPerThread;
  if (!(worth >= 2.0)) return 1;  // also NaN
  return worth < double(most) ? int(worth) : most;
}

void parallelize(size_t units, int team, RangeFn fn) {
  if (units == 0) return;
  if (team > kMaxThreads) team = kMaxThreads;
  if (size_t(team) > units) team = int(units);
  if (team <= 1 || t_in_job) {
    fn(0, units, 0);  // inline; the caller's thread-local state is unchanged
    return;
  }
  pool().run(units, nullptr, team, fn);
}

void parallelize(const size_t* bounds, int team, RangeFn fn) {
  if (team < 1) return;
  const size_t units = bounds[team];
  if (units == 0) return;
  if (team == 1 || t_in_job) {
    fn(0, units, 0);  // inline, as one range: the same units in the same order
    return;
  }
  pool().run(units, bounds, team, fn);
}

}  // namespace detail
}  // namespace armconv

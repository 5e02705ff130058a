// The shared thread pool and parallel-for (src/threads/threads.h):
// - every unit runs exactly once, on the worker the static split names, for
//   1, 2, 3, 4, 7 threads and many unit counts; workers 1.. are other threads;
// - team_size (unit count, minimum work per thread, nesting);
// - nested calls run inline; an exception in any worker reaches the caller;
// - two callers at once (two std::threads), also of one mixed Winograd layer
//   (the plans it keeps) over many map sizes and thread counts;
// - thread-count changes between calls; bad counts; ScopedNumThreads is per
//   thread and restores;
// - ARMCONV_NUM_THREADS: the parser, and the first read in forked children
//   (each forks before anything in this process read the settings);
// - fork: a child of a parent that ran multi-threaded work (also while
//   another thread of the parent is in a job) runs multi-threaded work;
//   a child forked while another thread builds a layer's state runs it;
// - idle workers sleep: no CPU time used while the process idles.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "armconv/armconv.h"
#include "check.h"
#include "threads/threads.h"

using armconv::detail::parallelize;
using armconv::detail::range_begin;
using armconv::detail::team_size;

namespace {

const int kTeams[] = {1, 2, 3, 4, 7};

// Runs parallelize(units, team) once and checks every unit ran once, on the
// worker the static split gives it, and that workers > 0 ran on other threads.
bool check_cover(size_t units, int team) {
  std::vector<std::atomic<int>> count(units);
  std::vector<int> worker_of(units, -1);
  std::vector<std::thread::id> thread_of(size_t(team) + 1);
  std::atomic<int> calls{0}, bad_worker{0};
  for (auto& c : count) c.store(0);
  parallelize(units, team, [&](size_t b, size_t e, int w) {
    calls.fetch_add(1);
    if (w < 0 || w >= team || b >= e || e > units) {
      bad_worker.fetch_add(1);
      return;
    }
    thread_of[size_t(w)] = std::this_thread::get_id();
    for (size_t u = b; u < e; ++u) {
      count[u].fetch_add(1);
      worker_of[u] = w;
    }
  });
  bool ok = bad_worker.load() == 0;
  CHECK(ok, "units %zu team %d: a call got a bad worker index or range", units, team);
  const int used = int(std::min<size_t>(size_t(team), units));
  CHECK(calls.load() == used, "units %zu team %d: %d calls, expected %d", units, team,
        calls.load(), used);
  ok = ok && calls.load() == used;
  for (size_t u = 0; u < units; ++u) {
    if (count[u].load() != 1) {
      CHECK(false, "units %zu team %d: unit %zu ran %d times", units, team, u, count[u].load());
      return false;
    }
    const int w = worker_of[u];
    if (!(range_begin(units, used, w) <= u && u < range_begin(units, used, w + 1))) {
      CHECK(false, "units %zu team %d: unit %zu ran on worker %d, not its static one", units,
            team, u, w);
      return false;
    }
  }
  for (int w = 1; w < used; ++w) {
    if (thread_of[size_t(w)] == std::this_thread::get_id()) {
      CHECK(false, "units %zu team %d: worker %d ran on the calling thread", units, team, w);
      return false;
    }
  }
  if (used > 0 && thread_of[0] != std::this_thread::get_id()) {
    CHECK(false, "units %zu team %d: worker 0 is not the calling thread", units, team);
    return false;
  }
  return ok;
}

void test_cover() {
  const size_t unit_counts[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 16, 31, 64, 100, 257, 1000};
  for (int team : kTeams)
    for (size_t units : unit_counts) check_cover(units, team);
  // The split: contiguous, sizes differ by at most one.
  for (int team : kTeams)
    for (size_t units : unit_counts) {
      size_t lo = units, hi = 0;
      for (int w = 0; w < team; ++w) {
        const size_t n = range_begin(units, team, w + 1) - range_begin(units, team, w);
        lo = std::min(lo, n);
        hi = std::max(hi, n);
      }
      CHECK(range_begin(units, team, 0) == 0 && range_begin(units, team, team) == units,
            "split of %zu over %d does not cover", units, team);
      CHECK(hi - lo <= 1, "split of %zu over %d: sizes %zu..%zu", units, team, lo, hi);
    }
  // No overflow of units * w on 32-bit targets.
  const size_t big = size_t(-1) / 3;
  CHECK(range_begin(big, 7, 7) == big && range_begin(big, 7, 6) < big,
        "range_begin overflows for %zu units", big);
}

void test_team_size() {
  armconv::ScopedNumThreads four(4);
  CHECK(team_size(0, 0) == 1 && team_size(1, 0) == 1, "0 or 1 unit: one thread");
  CHECK(team_size(3, 0) == 3, "3 units, 4 threads: %d", team_size(3, 0));
  CHECK(team_size(100, 0) == 4, "100 units, 4 threads: %d", team_size(100, 0));
  CHECK(team_size(100, 0, 2) == 2, "max_threads 2: %d", team_size(100, 0, 2));
  CHECK(team_size(100, 0, 9) == 9, "max_threads 9: %d", team_size(100, 0, 9));
  const double k = armconv::detail::kMinOpsPerThread;
  CHECK(team_size(100, k / 1000) == 1, "little work: %d", team_size(100, k / 1000));
  CHECK(team_size(100, 2.5 * k / 100) == 2, "work for 2.5 threads: %d",
        team_size(100, 2.5 * k / 100));
  CHECK(team_size(100, k) == 4, "much work: %d", team_size(100, k));
  int nested = -1;
  parallelize(4, 4, [&](size_t b, size_t, int) {
    if (b == 0) nested = team_size(100, 0);
  });
  CHECK(nested == 1, "team_size inside a job: %d", nested);
}

void test_nested_and_exceptions() {
  // A nested call runs inline on the worker's thread (no deadlock), as worker 0.
  std::vector<std::atomic<int>> count(40);
  for (auto& c : count) c.store(0);
  std::atomic<int> bad{0};
  parallelize(4, 4, [&](size_t b, size_t e, int) {
    for (size_t u = b; u < e; ++u) {
      const std::thread::id me = std::this_thread::get_id();
      parallelize(10, 4, [&](size_t b2, size_t e2, int w2) {
        if (w2 != 0 || std::this_thread::get_id() != me) bad.fetch_add(1);
        for (size_t v = b2; v < e2; ++v) count[u * 10 + v].fetch_add(1);
      });
    }
  });
  CHECK(bad.load() == 0, "nested call did not run inline as worker 0");
  for (size_t i = 0; i < count.size(); ++i)
    CHECK(count[i].load() == 1, "nested: unit %zu ran %d times", i, count[i].load());

  // Exceptions: thrown on a worker thread, or on the caller's; the pool still works.
  for (int thrower : {0, 2}) {
    std::atomic<int> ran{0};
    bool caught = false;
    try {
      parallelize(8, 4, [&](size_t b, size_t e, int w) {
        ran.fetch_add(int(e - b));
        if (w == thrower) throw std::runtime_error("boom " + std::to_string(w));
      });
    } catch (const std::runtime_error& ex) {
      caught = std::string(ex.what()) == "boom " + std::to_string(thrower);
    }
    CHECK(caught, "exception from worker %d did not reach the caller", thrower);
    CHECK(ran.load() == 8, "exception from worker %d: %d of 8 units ran", thrower, ran.load());
    check_cover(50, 4);
  }
}

// Two threads submitting jobs at once: every job covers its units exactly once.
void test_two_callers() {
  std::atomic<int> errors{0};
  auto caller = [&errors](int seed) {
    for (int i = 0; i < 60; ++i) {
      const size_t units = size_t(1 + (seed * 31 + i * 17) % 97);
      const int team = kTeams[(seed + i) % 5];
      std::vector<std::atomic<int>> count(units);
      for (auto& c : count) c.store(0);
      parallelize(units, team, [&](size_t b, size_t e, int) {
        for (size_t u = b; u < e; ++u) count[u].fetch_add(1);
      });
      for (auto& c : count)
        if (c.load() != 1) errors.fetch_add(1);
    }
  };
  std::thread a(caller, 1), b(caller, 2);
  a.join();
  b.join();
  CHECK(errors.load() == 0, "two callers: %d units ran other than once", errors.load());
}

// A mixed Winograd layer keeps the plans it made (conv_winograd.cpp,
// WinogradMixed::kept): two threads call one layer at once over more map
// sizes than it keeps (17 + 3), each at its own thread count; every output
// is, bit for bit, that of a fresh layer's one-thread call.
void test_kept_plans() {
  armconv::Conv2dParams p;
  p.in_channels = p.out_channels = 16;
  p.kernel_h = p.kernel_w = 3;
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
  std::vector<float> wt(16 * 16 * 9), bias(16);
  unsigned seed = 7;
  auto next = [&seed] {
    seed = seed * 1664525u + 1013904223u;
    return float(int(seed >> 9) % 2001 - 1000) / 1000.0f;
  };
  for (float& v : wt) v = next();
  for (float& v : bias) v = next();
  std::vector<std::pair<int64_t, int64_t>> maps;
  for (int64_t i = 0; i < 17; i++) maps.push_back({14 + i, 20 - i / 2});
  maps.push_back({28, 28});
  maps.push_back({13, 30});
  maps.push_back({30, 14});
  std::vector<std::vector<float>> x(maps.size()), want(maps.size());
  {
    armconv::ScopedNumThreads one(1);
    for (size_t i = 0; i < maps.size(); i++) {
      const size_t hw = size_t(maps[i].first * maps[i].second);
      x[i].resize(16 * hw);
      for (float& v : x[i]) v = next();
      want[i].resize(16 * hw);  // (stride 1, padding 1: the same size)
      armconv::Conv2d fresh(p, wt.data(), bias.data(), armconv::Algo::Winograd63x23);
      fresh.run(x[i].data(), 1, maps[i].first, maps[i].second, want[i].data());
    }
  }
  armconv::Conv2d layer(p, wt.data(), bias.data(), armconv::Algo::Winograd63x23);
  std::atomic<int> errors{0};
  auto caller = [&](int k) {
    for (int rep = 0; rep < 3; rep++)
      for (size_t j = 0; j < maps.size(); j++) {
        const size_t i = k == 0 ? j : maps.size() - 1 - j;  // the two in opposite orders
        armconv::ScopedNumThreads team(1 + int((i + size_t(rep) + size_t(k)) % 4));
        std::vector<float> y(want[i].size(), -1.0f);
        layer.run(x[i].data(), 1, maps[i].first, maps[i].second, y.data());
        if (std::memcmp(y.data(), want[i].data(), y.size() * sizeof(float)) != 0) errors.fetch_add(1);
      }
  };
  std::thread a(caller, 0), b(caller, 1);
  a.join();
  b.join();
  CHECK(errors.load() == 0, "kept plans: %d calls of a mixed Winograd layer from two threads differ from a fresh "
        "layer's", errors.load());
}

void test_settings() {
  const int start = armconv::get_num_threads();
  CHECK(start >= 1 && start <= armconv::kMaxThreads, "get_num_threads() = %d", start);
  for (int n : {1, 2, 3, 4, 7, 2, 1, 5}) {
    armconv::set_num_threads(n);
    CHECK(armconv::get_num_threads() == n, "set %d, get %d", n, armconv::get_num_threads());
    CHECK(team_size(1000, 0) == n, "team_size after set_num_threads(%d): %d", n,
          team_size(1000, 0));
    check_cover(100, team_size(100, 0));
  }
  for (int bad : {0, -1, -1000, armconv::kMaxThreads + 1, 1 << 30}) {
    bool threw = false;
    try {
      armconv::set_num_threads(bad);
    } catch (const armconv::Error& e) {
      threw = std::strstr(e.what(), "set_num_threads") != nullptr;
    }
    CHECK(threw, "set_num_threads(%d) did not throw armconv::Error", bad);
    bool scoped_threw = false;
    try {
      armconv::ScopedNumThreads s(bad);
    } catch (const armconv::Error&) {
      scoped_threw = true;
    }
    CHECK(scoped_threw, "ScopedNumThreads(%d) did not throw", bad);
  }
  CHECK(armconv::get_num_threads() == 5, "a bad value changed the count");
  armconv::set_num_threads(armconv::kMaxThreads);  // the limit itself is valid
  armconv::set_num_threads(3);
  {
    armconv::ScopedNumThreads outer(2);
    CHECK(armconv::get_num_threads() == 2, "scoped 2: %d", armconv::get_num_threads());
    {
      armconv::ScopedNumThreads inner(7);
      CHECK(armconv::get_num_threads() == 7, "scoped 7: %d", armconv::get_num_threads());
      int other = 0;
      std::thread t([&] { other = armconv::get_num_threads(); });
      t.join();
      CHECK(other == 3, "another thread sees %d, not the process-wide 3", other);
      CHECK(armconv::detail::process_num_threads() == 3, "process-wide count changed");
    }
    CHECK(armconv::get_num_threads() == 2, "after inner scope: %d", armconv::get_num_threads());
  }
  CHECK(armconv::get_num_threads() == 3, "after scopes: %d", armconv::get_num_threads());
  CHECK(armconv::cpu_info().cpus == armconv::detail::cpus_available() &&
            armconv::cpu_info().cpus >= 1,
        "cpu_info().cpus = %d", armconv::cpu_info().cpus);
}

void test_parse() {
  struct Case {
    const char* text;
    int want;  // 0: rejected
  } cases[] = {{"1", 1},     {"4", 4},       {" 8 ", 8},   {"1024", 1024}, {"007", 7},
               {"0", 0},     {"-1", 0},      {"1025", 0},  {"99999999999999999999", 0},
               {"", 0},      {"  ", 0},      {"2.5", 0},   {"4x", 0},      {"x4", 0},
               {"four", 0},  {"+4", 0},      {"4 4", 0},   {"0x10", 0}};
  for (const Case& c : cases) {
    int n = -1;
    const char* why = armconv::detail::parse_num_threads(c.text, &n);
    if (c.want)
      CHECK(!why && n == c.want, "parse('%s') = %d (%s), expected %d", c.text, n, why ? why : "ok",
            c.want);
    else
      CHECK(why != nullptr, "parse('%s') accepted (%d)", c.text, n);
  }
}

// Runs `child` in a forked child (with a time limit) and returns its exit
// status: 0 if it returned true.
template <typename F>
int in_child(F child, int seconds = 60) {
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    alarm(unsigned(seconds));  // a hang ends in SIGALRM
    const bool ok = child();
    std::fflush(stdout);
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

// Before this process reads its settings: each child sets ARMCONV_NUM_THREADS
// and is the first to read it.
void test_env_first_read() {
  struct Case {
    const char* value;
    int want;  // 0: the default (CPU count)
  } cases[] = {{"3", 3}, {" 7 ", 7}, {"1", 1}, {"0", 0}, {"abc", 0}, {"2.0", 0}, {"5000", 0},
               {"", 0}};
  for (const Case& c : cases) {
    const int rc = in_child([&c] {
      setenv("ARMCONV_NUM_THREADS", c.value, 1);
      const int want = c.want ? c.want : armconv::detail::cpus_available();
      const char* msg = armconv::detail::init_thread_settings(true);
      const bool warned = *msg != '\0';
      const bool want_warning = c.want == 0 && *c.value != '\0';
      bool ok = armconv::get_num_threads() == want && warned == want_warning;
      if (!ok)
        std::printf("ARMCONV_NUM_THREADS='%s': %d threads (want %d), message '%s'\n", c.value,
                    armconv::get_num_threads(), want, msg);
      ok = ok && check_cover(50, armconv::get_num_threads() > 7 ? 7 : armconv::get_num_threads());
      return ok;
    });
    CHECK(rc == 0, "ARMCONV_NUM_THREADS='%s': child exit %d", c.value, rc);
  }
  // Unset: the CPUs this process may run on.
  const int rc = in_child([] {
    unsetenv("ARMCONV_NUM_THREADS");
    return armconv::get_num_threads() ==
           std::min(armconv::detail::cpus_available(), armconv::kMaxThreads);
  });
  CHECK(rc == 0, "unset ARMCONV_NUM_THREADS: child exit %d", rc);
}

void test_fork() {
  check_cover(100, 4);  // the parent has run multi-threaded work
  int rc = in_child([] {
    if (!check_cover(100, 4)) return false;
    // And a grandchild.
    return in_child([] { return check_cover(64, 7); }) == 0;
  });
  CHECK(rc == 0, "fork after multi-threaded work: child exit %d", rc);

  // After the fork the parent's pool works again (its workers were joined).
  check_cover(100, 4);

  // Fork while another thread of the parent keeps the pool busy. Not under
  // qemu-user (QEMU_CPU set): qemu 7.2 itself crashes when a forked child
  // creates a thread while the parent had other threads alive at fork
  // (assertion in qemu_plugin_vcpu_init_hook), and this test's busy thread is
  // such a thread (the pool's own workers are joined before fork).
  if (std::getenv("QEMU_CPU")) {
    std::printf("skipped under qemu-user: fork while another thread is in a job\n");
    return;
  }
  std::atomic<bool> stop{false};
  std::thread busy([&stop] {
    while (!stop.load()) {
      std::vector<std::atomic<int>> count(200);
      parallelize(200, 4, [&](size_t b, size_t e, int) {
        for (size_t u = b; u < e; ++u) count[u].fetch_add(1);
      });
    }
  });
  for (int i = 0; i < 5; ++i) {
    rc = in_child([] { return check_cover(100, 4) && check_cover(7, 3); });
    CHECK(rc == 0, "fork %d while the pool is busy: child exit %d", i, rc);
  }
  stop.store(true);
  busy.join();
}

// fork() while another thread builds a layer's state (threads.h,
// ForkSafeSection): a thread keeps making fresh `auto` layers and calling
// each once on a map where they run a mixed Winograd tiling, so that it
// spends most of its time inside the first call's kept-plan section
// (WinogradMixed::kept holds the layer's mutex while its first plan packs
// each tile size's U); the main thread forks now and then, and each child
// calls the layer that thread was building. Without the guard, a child
// forked inside the section inherits the layer's mutex held by a thread it
// does not have and waits forever (SIGALRM).
void test_fork_while_building() {
  armconv::Conv2dParams p;
  p.in_channels = p.out_channels = 128;
  p.kernel_h = p.kernel_w = 3;
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
  const int64_t side = 14;
  unsigned seed = 11;
  auto next = [&seed] {
    seed = seed * 1664525u + 1013904223u;
    return float(int(seed >> 9) % 2001 - 1000) / 1000.0f;
  };
  std::vector<float> wt(128 * 128 * 9), bias(128), x(128 * side * side), want(x.size());
  for (float& v : wt) v = next();
  for (float& v : bias) v = next();
  for (float& v : x) v = next();
  armconv::ScopedNumThreads one(1);  // (the children create no thread: see test_fork)
  {
    armconv::Conv2d fresh(p, wt.data(), bias.data());
    const armconv::Algo a = fresh.algo_for(side, side);
    CHECK(std::strchr(armconv::algo_name(a), '+') != nullptr,
          "fork while building: the layer runs %s on %dx%d, not a mixed tiling", armconv::algo_name(a), int(side),
          int(side));
    fresh.run(x.data(), 1, side, side, want.data());
  }
  std::atomic<armconv::Conv2d*> building{nullptr};
  std::atomic<bool> stop{false};
  std::atomic<int> builds{0};
  std::thread builder([&] {
    armconv::ScopedNumThreads single(1);
    std::unique_ptr<armconv::Conv2d> layer, previous;
    std::vector<float> y(want.size());
    while (!stop.load()) {
      previous = std::move(layer);
      layer.reset(new armconv::Conv2d(p, wt.data(), bias.data()));
      building.store(layer.get());
      previous.reset();
      layer->run(x.data(), 1, side, side, y.data());
      builds.fetch_add(1);
    }
  });
  while (builds.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  int hung = 0, wrong = 0;
  for (int i = 0; i < 8; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1 + 3 * i));
    const int rc = in_child(
        [&] {
          std::vector<float> y(want.size(), -1.0f);
          building.load()->run(x.data(), 1, side, side, y.data());
          return std::memcmp(y.data(), want.data(), y.size() * sizeof(float)) == 0;
        },
        30);
    hung += rc == 128 + SIGALRM;
    wrong += rc != 0 && rc != 128 + SIGALRM;
  }
  stop.store(true);
  builder.join();
  CHECK(hung == 0 && wrong == 0, "fork while a thread builds a layer: %d of 8 children hung, %d failed (%d builds)",
        hung, wrong, builds.load());
}

double cpu_seconds() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

// After a job, idle workers spin briefly (only if the job had no more threads
// than there are CPUs), then sleep: over half a second of idling, spinning
// workers would use up to 0.5 s of CPU each; sleeping ones ~0.
void test_idle_sleeps() {
  check_cover(70, 7);
  check_cover(70, std::min(armconv::detail::cpus_available(), 7));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // past the spin
  const double t0 = cpu_seconds();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const double used = cpu_seconds() - t0;
  CHECK(used < 0.1, "idle pool used %.3f s of CPU in 0.5 s", used);
}

}  // namespace

int main() {
  test_env_first_read();  // first: nothing has read the settings yet
  test_parse();
  test_cover();
  test_team_size();
  test_nested_and_exceptions();
  test_two_callers();
  test_kept_plans();
  test_settings();
  test_fork();
  test_fork_while_building();
  test_idle_sleeps();
  if (failures) std::printf("%d failures\n", failures);
  else std::printf("threads: all checks passed\n");
  return failures ? 1 : 0;
}

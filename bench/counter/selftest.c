/* Test program for the instruction counter (bench/test_qcount.py).
 *
 *   selftest N M
 *
 * Main thread (vCPU 0): L(5000), then one asm block
 *     region on; L(N); pause; L(M); resume; region off
 * then L(5000), then region on, starts a thread and waits for it paused.
 * Second thread (vCPU 1): L(2N); pause; L(M); resume; then L(M) between calls
 * of armconv_pool_wait_begin() and armconv_pool_wait_end(), the function
 * marks of armconv's thread pool (qcount.py passes pause_at/resume_at);
 * then it pauses for good: its exit (glibc's thread teardown, whose atomic
 * read-modify-write loops may retry under qemu's emulated exclusives when
 * the main thread touches the same lines: a run once counted 5 more) is
 * not counted, so that two runs count the same.
 * L(n) = "mov <counter>, n" + n x (BODY, subs, branch): 1 + 3n instructions,
 * n of them BODY (fmla.4s on AArch64, vmla.f32 on 32-bit ARM; with
 * -DSELFTEST_SDOT an sdot that qemu 7.2 cannot disassemble).
 * Marks sit inside the asm blocks, mid translation block, with no compiler
 * code between them and the loops, so the test knows the exact counts:
 * BODY runs N times counted on vCPU 0 and 2N on vCPU 1; nothing of L(M) or
 * of the L(5000) outside the regions is counted.
 */
#include <pthread.h>
#include <stdlib.h>

#include "marks.h"

#if defined(__aarch64__)
#define MARK(imm) "hint #" #imm "\n"
#define ON MARK(120)
#define OFF MARK(121)
#define PAUSE MARK(122)
#define RESUME MARK(123)
#define L(reg, lbl) "mov x9, %" #reg "\n" #lbl ":\n" BODY "\nsubs x9, x9, #1\nb.ne " #lbl "b\n"
#define CLOBBERS "x9", "v0", "v1", "v2", "cc", "memory"
#ifdef SELFTEST_SDOT
#define BODY ".inst 0x4e829420" /* sdot v0.4s, v1.16b, v2.16b */
#else
#define BODY "fmla v0.4s, v1.4s, v2.4s"
#endif
#else /* 32-bit ARM: A32 or T32 (Debian's armhf default) */
#if defined(__thumb2__)
#define MARK(imm) ".inst.w 0xf3af80" #imm "\n"
#else
#define MARK(imm) ".inst 0xe320f0" #imm "\n"
#endif
#define ON MARK(78)
#define OFF MARK(79)
#define PAUSE MARK(7a)
#define RESUME MARK(7b)
#define L(reg, lbl) "mov r12, %" #reg "\n" #lbl ":\n" BODY "\nsubs r12, r12, #1\nbne " #lbl "b\n"
#define CLOBBERS "r12", "q0", "q1", "q2", "cc", "memory"
#define BODY "vmla.f32 q0, q1, q2"
#endif

static long n_iter, m_iter;

/* Stand-ins for the pool's wait marks (src/threads/pool.cpp): empty, never
 * inlined, C names. */
__attribute__((noinline)) void armconv_pool_wait_begin(void) { __asm__ __volatile__("" ::: "memory"); }
__attribute__((noinline)) void armconv_pool_wait_end(void) { __asm__ __volatile__("" ::: "memory"); }
static const long outside = 5000;

static void *worker(void *arg) {
  (void)arg;
  long two_n = 2 * n_iter;
  __asm__ __volatile__(L(0, 1) PAUSE L(1, 2) RESUME : : "r"(two_n), "r"(m_iter) : CLOBBERS);
  armconv_pool_wait_begin();
  __asm__ __volatile__(L(0, 1) : : "r"(m_iter) : CLOBBERS);
  armconv_pool_wait_end();
  armconv_mark_pause();
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  n_iter = atol(argv[1]);
  m_iter = atol(argv[2]);
  __asm__ __volatile__(L(0, 1) : : "r"(outside) : CLOBBERS);
  __asm__ __volatile__(ON L(0, 1) PAUSE L(1, 2) RESUME OFF : : "r"(n_iter), "r"(m_iter) : CLOBBERS);
  __asm__ __volatile__(L(0, 1) : : "r"(outside) : CLOBBERS);
  armconv_mark_region_on();
  pthread_t t;
  if (pthread_create(&t, NULL, worker, NULL)) return 3;
  armconv_mark_pause();
  pthread_join(t, NULL);
  armconv_mark_resume();
  armconv_mark_region_off();
  return 0;
}

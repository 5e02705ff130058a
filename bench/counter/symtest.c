/* Test program for the counter's per-function counts (bench/test_qcount.py,
 * symbols=on).
 *
 *   symtest N M
 *
 * Two functions in assembly, so that their instruction counts are known
 * exactly (n >= 1):
 *   sym_three(n): "mov" + n x (BODY, subs, branch) + return   = 3n + 2
 *   sym_two(n):   "mov" + n x (subs, branch) + return         = 2n + 2
 * BODY is fmla.4s on AArch64, vmla.f32 on 32-bit ARM (A32 or T32).
 * sym_inline(n), a C function, runs the 3-instruction loop as inline asm:
 * the loop counts under sym_inline (3n + its own few instructions).
 * Inside the region: the main thread calls sym_three(N), sym_two(M),
 * sym_inline(N) and getpid() (libc, which qemu has no symbols for:
 * "[unknown]"); then a second thread runs sym_three(N) and sym_two(2M).
 * So summed over threads, sym_three executes 2 (3N + 2) and sym_two
 * (2M + 2) + (4M + 2) instructions; before and after the region, each runs
 * once more with 5000, uncounted.
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "marks.h"

#if defined(__aarch64__)
__asm__(
    ".text\n"
    ".global sym_three\n.type sym_three, %function\n.p2align 2\n"
    "sym_three:\n"
    "  mov x9, x0\n"
    "1: fmla v0.4s, v1.4s, v2.4s\n"
    "  subs x9, x9, #1\n"
    "  b.ne 1b\n"
    "  ret\n"
    ".size sym_three, .-sym_three\n"
    ".global sym_two\n.type sym_two, %function\n.p2align 2\n"
    "sym_two:\n"
    "  mov x9, x0\n"
    "1: subs x9, x9, #1\n"
    "  b.ne 1b\n"
    "  ret\n"
    ".size sym_two, .-sym_two\n");
#define LOOP3 "mov x9, %0\n1: fmla v0.4s, v1.4s, v2.4s\nsubs x9, x9, #1\nb.ne 1b\n"
#define CLOBBERS "x9", "v0", "cc", "memory"
#else
#if defined(__thumb2__)
#define FUNC(name) ".global " #name "\n.type " #name ", %function\n.thumb_func\n.p2align 2\n" #name ":\n"
#define MODE ".syntax unified\n.thumb\n"
#else
#define FUNC(name) ".global " #name "\n.type " #name ", %function\n.p2align 2\n" #name ":\n"
#define MODE ".syntax unified\n.arm\n"
#endif
__asm__(
    ".text\n" MODE
    FUNC(sym_three)
    "  mov r12, r0\n"
    "1: vmla.f32 q0, q1, q2\n"
    "  subs r12, r12, #1\n"
    "  bne 1b\n"
    "  bx lr\n"
    ".size sym_three, .-sym_three\n"
    FUNC(sym_two)
    "  mov r12, r0\n"
    "1: subs r12, r12, #1\n"
    "  bne 1b\n"
    "  bx lr\n"
    ".size sym_two, .-sym_two\n");
#define LOOP3 "mov r12, %0\n1: vmla.f32 q0, q1, q2\nsubs r12, r12, #1\nbne 1b\n"
#define CLOBBERS "r12", "q0", "cc", "memory"
#endif

void sym_three(long n);
void sym_two(long n);

__attribute__((noinline)) void sym_inline(long n) { __asm__ __volatile__(LOOP3 : : "r"(n) : CLOBBERS); }

static long n_iter, m_iter;

static void *worker(void *arg) {
  (void)arg;
  sym_three(n_iter);
  sym_two(2 * m_iter);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  n_iter = atol(argv[1]);
  m_iter = atol(argv[2]);
  sym_three(5000);
  sym_two(5000);
  armconv_mark_region_on();
  sym_three(n_iter);
  sym_two(m_iter);
  sym_inline(n_iter);
  if (getpid() <= 0) return 4;
  pthread_t t;
  if (pthread_create(&t, NULL, worker, NULL)) return 3;
  pthread_join(t, NULL);
  armconv_mark_region_off();
  sym_three(5000);
  sym_two(5000);
  return 0;
}

/* Region marks for armconv's instruction counter (bench/counter/insncount.c).
 *
 * Each mark is one hint instruction that no Arm architecture version
 * allocates: every armv7/armv8 CPU executes it as a NOP, and the counter,
 * loaded into qemu-user, acts on it:
 *   armconv_mark_region_on()   start counting (every thread), when the
 *                              counter runs with region=on
 *   armconv_mark_region_off()  stop counting
 *   armconv_mark_pause()       stop counting this thread (e.g. a pool worker
 *                              about to wait for work)
 *   armconv_mark_resume()      count this thread again
 * The "memory" clobber keeps the compiler from moving loads and stores
 * across a mark. Header-only, C and C++; for benchmark drivers, never for
 * the library's kernels.
 */
#ifndef ARMCONV_BENCH_MARKS_H
#define ARMCONV_BENCH_MARKS_H

#if defined(__aarch64__)
#define ARMCONV_MARK_(imm) __asm__ __volatile__("hint #" #imm ::: "memory")
#elif defined(__arm__) && defined(__thumb2__)
#define ARMCONV_MARK_(imm) __asm__ __volatile__(".inst.w 0xf3af80" #imm ::: "memory")
#elif defined(__arm__)
#define ARMCONV_MARK_(imm) __asm__ __volatile__(".inst 0xe320f0" #imm ::: "memory")
#else
#define ARMCONV_MARK_(imm) ((void)0) /* not ARM: nothing to count */
#endif

/* The immediates are 0x78..0x7b; written without 0x so that "#imm" pastes
 * into both the AArch64 "hint #120" and the A32/T32 encodings' low byte. */
#if defined(__aarch64__)
static inline void armconv_mark_region_on(void) { ARMCONV_MARK_(120); }
static inline void armconv_mark_region_off(void) { ARMCONV_MARK_(121); }
static inline void armconv_mark_pause(void) { ARMCONV_MARK_(122); }
static inline void armconv_mark_resume(void) { ARMCONV_MARK_(123); }
#else
static inline void armconv_mark_region_on(void) { ARMCONV_MARK_(78); }
static inline void armconv_mark_region_off(void) { ARMCONV_MARK_(79); }
static inline void armconv_mark_pause(void) { ARMCONV_MARK_(7a); }
static inline void armconv_mark_resume(void) { ARMCONV_MARK_(7b); }
#endif

#endif

/* armconv's instruction counter: a QEMU TCG plugin (plugin API v1, qemu 7.2)
 * that counts the guest instructions a program executes under qemu-user,
 * per guest thread and per mnemonic + arrangement ("fmla.4s", "ldr.q",
 * "vmla.f32.q", "add"), optionally only inside marked regions, and on
 * request per function (symbols=on).
 *
 * Built by bench/qcount.py with the host C compiler:
 *   cc -O2 -shared -fPIC insncount.c -o libinsncount.so -lpthread
 * Used as
 *   qemu-aarch64 -plugin libinsncount.so,out=FILE[,region=on][,keys=off]\
 *                [,pause_at=SYMBOL,resume_at=SYMBOL][,symbols=on] PROG...
 *
 * Threads. In qemu-user every guest thread is a vCPU; the callbacks get its
 * index. qemu 7.2 has no per-vCPU scoreboard and its inline counters are
 * shared and not atomic, so counting goes through execution callbacks that
 * write only the calling vCPU's own counters (struct vcpu): exact per thread
 * whatever the number of threads. A slot freed by a thread that exited is
 * reused by the next thread qemu starts; its counts add up.
 *
 * Counting. At translation each block is cut at the marker instructions into
 * segments; a segment's instruction count and its (key, count) pairs are
 * computed once. The segment before the first marker is counted by a block
 * execution callback, each later one by the execution callback of the marker
 * that starts it, which first applies the marker. So a marker takes effect
 * exactly at its position, also in the middle of a block. (A block left
 * early, by a fault for instance, is still counted whole: no such exit
 * occurs in the benchmarks.) Marker instructions are never counted.
 *
 * Markers: hint instructions that no Arm architecture version allocates, so
 * every armv7/armv8 CPU executes them as NOPs (bench/counter/marks.h emits
 * them):
 *   imm   AArch64 (hint #imm)  A32 (hint)   T32 (hint.w)   meaning
 *   0x78  d5032f1f             e320f078     f3af 8078      region on (all threads)
 *   0x79  d5032f3f             e320f079     f3af 8079      region off
 *   0x7a  d5032f5f             e320f07a     f3af 807a      pause this thread
 *   0x7b  d5032f7f             e320f07b     f3af 807b      resume this thread
 * A thread counts while (region=on was not given or a region is open) and it
 * is not paused: a thread pool marks "pause" before it waits for work and
 * "resume" after, so only its work is counted.
 *
 * Function marks: with pause_at=SYMBOL / resume_at=SYMBOL, every instruction
 * of that function acts as a pause / resume mark of the thread running it
 * (both are idempotent, so a function of several instructions marks once in
 * effect). This is how armconv's thread pool is watched: it calls the empty
 * functions armconv_pool_wait_begin / armconv_pool_wait_end around every wait
 * (src/threads/pool.cpp), with no counter code in the library. qemu knows the
 * symbols of the program and its ELF interpreter only, so this works for a
 * program linked with armconv_core (bench/insn_bench), not for a library
 * opened later (the Python module).
 *
 * Keys. qemu 7.2 cannot disassemble some armv8.2+ encodings (SDOT/UDOT,
 * half-precision vector arithmetic, the i8mm SMMLA/UMMLA/USMMLA/USDOT/SUDOT,
 * BF16) and prints ".byte ..." for them; those are keyed by their encoding,
 * "?xxxxxxxx", and bench/qcount.py names them with llvm-mc.
 *
 * Functions (symbols=on): each segment also gets its (symbol, count) pairs,
 * the symbol of an instruction being qemu_plugin_insn_symbol's answer: the
 * function of the program (or of the ELF interpreter) whose symbol covers
 * its address, so inline asm counts under its enclosing function. qemu has
 * no symbols for libraries the program loads (libc, libstdc++): those
 * instructions, and any other address no symbol covers, are one entry,
 * "[unknown]". Only then is a segment's callback the one that also adds per
 * symbol (on_segment_sym), so the default path does no more work.
 *
 * Output (to FILE, or qemu's log when out= is not given):
 *   insncount 1 region=<0|1> regions=<times a region was opened>
 *   vcpu <v> <counted> <all executed>
 *   <v> <key> <count>            (one line per vCPU and key, counted only)
 *   sym <v> <count> <symbol>     (symbols=on: one line per vCPU and symbol,
 *                                 counted only)
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(ARMCONV_SYSTEM_QEMU_PLUGIN_H)
#include <qemu-plugin.h>
#else
#include "qemu_plugin_v1.h"
#endif

QEMU_PLUGIN_EXPORT int qemu_plugin_version = 1;

enum { MAX_VCPUS = 256, MAX_KEYS = 8192, KEY_LEN = 24 };
enum { MAX_SYMS = 1 << 16, SYM_HASH = 1 << 17 }; /* symbols=on */
enum { MARK_NONE = -1, MARK_REGION_ON = 0, MARK_REGION_OFF, MARK_PAUSE, MARK_RESUME, N_MARKS };

/* One per vCPU, written only by that vCPU's thread (read at exit). Padded to
 * its own cache lines so that threads do not share them. */
struct vcpu {
  uint64_t counted;  /* instructions counted (region open, not paused) */
  uint64_t all;      /* every instruction executed, markers excluded */
  uint64_t *per_key; /* [MAX_KEYS], allocated by the vCPU on first count */
  uint64_t *per_sym; /* [MAX_SYMS], symbols=on only, likewise */
  int paused;
  char pad[64 - 4 * sizeof(uint64_t) - sizeof(int)];
} __attribute__((aligned(64)));

static struct vcpu vcpus[MAX_VCPUS];
static int region_mode;    /* region=on: count only inside regions */
static int region_open;    /* written by a marker, read by every vCPU */
static uint64_t n_regions; /* times a region was opened */
static int count_keys = 1; /* keys=off: totals only */
static const char *mark_symbol[N_MARKS]; /* pause_at= / resume_at= */
static const char *out_path;
static int count_symbols;  /* symbols=on: also per function */

/* Symbol table (symbols=on): filled at translation time (under sym_lock),
 * read at exit; entry 0 is every instruction without a symbol. Looked up by
 * an open-addressing hash of the name. */
static const char *sym_names[MAX_SYMS] = {"[unknown]"};
static unsigned n_syms = 1;
static uint32_t sym_hash[SYM_HASH]; /* symbol index + 1, 0: free */
static pthread_mutex_t sym_lock = PTHREAD_MUTEX_INITIALIZER;

/* Key table: filled at translation time (under key_lock), read at exit. */
static char key_names[MAX_KEYS][KEY_LEN];
static unsigned n_keys;
static pthread_mutex_t key_lock = PTHREAD_MUTEX_INITIALIZER;

struct key_count {
  uint32_t key, n;
};
/* A run of instructions between markers in one translation block. */
struct segment {
  int mark;       /* the marker that starts it, or MARK_NONE (block start) */
  uint32_t n;     /* instructions, markers excluded */
  uint32_t n_sc;  /* entries in sc (symbols=on) */
  struct key_count *sc; /* (symbol, instructions) pairs, symbols=on */
  uint32_t n_kc;  /* entries in kc */
  struct key_count kc[];
};

/* ------------------------------------------------------------------ keys */

/* "fmla v1.4s, v2.4s, v3.s[0]" -> "fmla.4s"; "ld1 {v0.16b}, [x0]" -> "ld1.16b";
 * "ldr q0, [x1]" -> "ldr.q"; "vmla.f32 q4, q0, d4[0]" -> "vmla.f32.q";
 * "add x0, x1, x2" -> "add" (general-purpose registers get no suffix). */
static void key_of_disas(const char *dis, char *key) {
  while (*dis == ' ' || *dis == '\t') dis++;
  int i = 0;
  while (dis[i] && dis[i] != ' ' && dis[i] != '\t' && i < 15) {
    key[i] = (char)tolower((unsigned char)dis[i]);
    i++;
  }
  key[i] = 0;
  const char *p = dis + i;
  while (*p && !isalnum((unsigned char)*p)) p++; /* spaces, tabs, '{' */
  char suffix[8] = "";
  if ((p[0] == 'v' || p[0] == 'V') && isdigit((unsigned char)p[1])) {
    const char *d = p + 1;
    while (isdigit((unsigned char)*d)) d++;
    if (*d == '.') {
      int n = 0;
      d++;
      while (n < 4 && isalnum((unsigned char)d[n])) {
        suffix[n] = (char)tolower((unsigned char)d[n]);
        n++;
      }
      suffix[n] = 0;
    }
  } else if (p[0] && strchr("bhsdq", p[0]) && isdigit((unsigned char)p[1])) {
    const char *d = p + 1;
    while (isdigit((unsigned char)*d)) d++;
    if (*d == ',' || *d == 0 || *d == ' ' || *d == '[' || *d == '}') {
      suffix[0] = p[0];
      suffix[1] = 0;
    }
  }
  if (suffix[0]) {
    strcat(key, ".");
    strcat(key, suffix);
  }
}

static uint32_t key_index(const char *key) {
  pthread_mutex_lock(&key_lock);
  unsigned k;
  for (k = 0; k < n_keys; k++)
    if (!strcmp(key_names[k], key)) break;
  if (k == n_keys) {
    if (n_keys == MAX_KEYS) {
      fprintf(stderr, "insncount: more than %d distinct instruction keys\n", MAX_KEYS);
      abort();
    }
    snprintf(key_names[k], KEY_LEN, "%s", key);
    n_keys++;
  }
  pthread_mutex_unlock(&key_lock);
  return k;
}

static uint32_t symbol_index(const char *sym) {
  if (!sym || !*sym) return 0;
  uint32_t h = 2166136261u;
  for (const char *p = sym; *p; p++) h = (h ^ (unsigned char)*p) * 16777619u;
  pthread_mutex_lock(&sym_lock);
  uint32_t slot = h & (SYM_HASH - 1);
  while (sym_hash[slot] && strcmp(sym_names[sym_hash[slot] - 1], sym)) slot = (slot + 1) & (SYM_HASH - 1);
  if (!sym_hash[slot]) {
    if (n_syms == MAX_SYMS) {
      fprintf(stderr, "insncount: more than %d distinct symbols\n", MAX_SYMS);
      abort();
    }
    char *copy = strdup(sym);
    if (!copy) abort();
    sym_names[n_syms] = copy;
    sym_hash[slot] = ++n_syms; /* index n_syms - 1, stored + 1 */
  }
  uint32_t index = sym_hash[slot] - 1;
  pthread_mutex_unlock(&sym_lock);
  return index;
}

/* The instruction's word: AArch64/A32 as read; T32 32-bit as first halfword
 * in the high half (the way the architecture writes it: f3af8078). */
static uint32_t insn_word(const struct qemu_plugin_insn *insn, int thumb) {
  const uint8_t *b = qemu_plugin_insn_data(insn);
  size_t size = qemu_plugin_insn_size(insn);
  if (size == 2) return (uint32_t)b[0] | (uint32_t)b[1] << 8;
  uint32_t w = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
  if (thumb) w = (w << 16) | (w >> 16);
  return w;
}

static int is_aarch64;

static int symbol_marker_of(const struct qemu_plugin_insn *insn) {
  if (!mark_symbol[MARK_PAUSE] && !mark_symbol[MARK_RESUME]) return MARK_NONE;
  const char *sym = qemu_plugin_insn_symbol(insn);
  if (!sym) return MARK_NONE;
  for (int m = MARK_PAUSE; m <= MARK_RESUME; m++)
    if (mark_symbol[m] && !strcmp(sym, mark_symbol[m])) return m;
  return MARK_NONE;
}

static int marker_of(const struct qemu_plugin_insn *insn) {
  int by_symbol = symbol_marker_of(insn);
  if (by_symbol != MARK_NONE) return by_symbol;
  size_t size = qemu_plugin_insn_size(insn);
  if (size != 4) return MARK_NONE;
  uint32_t w = insn_word(insn, 0);
  uint32_t imm;
  if (is_aarch64) {
    if ((w & 0xfffff01fu) != 0xd503201fu) return MARK_NONE; /* HINT #imm */
    imm = (w >> 5) & 0x7f;
  } else if ((w & 0xffffff00u) == 0xe320f000u) { /* A32 HINT, cond AL */
    imm = w & 0xff;
  } else if ((insn_word(insn, 1) & 0xffffff00u) == 0xf3af8000u) { /* T32 HINT.W */
    imm = insn_word(insn, 1) & 0xff;
  } else {
    return MARK_NONE;
  }
  if (imm < 0x78 || imm >= 0x78 + N_MARKS) return MARK_NONE;
  if (!is_aarch64) {
    /* The plugin API does not say whether a 4-byte instruction is A32 or
     * T32, and each form could be another instruction in the other state:
     * qemu's disassembler, which knows the state, must see a hint. */
    char *dis = qemu_plugin_insn_disas(insn);
    int hint = dis && (!strncmp(dis, "hint", 4) || !strncmp(dis, "nop", 3));
    free(dis);
    if (!hint) return MARK_NONE;
  }
  return (int)(imm - 0x78);
}

static uint32_t key_of_insn(const struct qemu_plugin_insn *insn) {
  char key[KEY_LEN];
  char *dis = qemu_plugin_insn_disas(insn);
  const char *d = dis ? dis : "";
  while (*d == ' ' || *d == '\t') d++;
  if (!*d || *d == '.' || !strncmp(d, "unknown", 7) || !strncmp(d, "undefined", 9) ||
      !strncmp(d, "unallocated", 11)) {
    size_t size = qemu_plugin_insn_size(insn);
    uint32_t w = insn_word(insn, !is_aarch64);
    if (size == 2)
      snprintf(key, sizeof key, "?%04x", (unsigned)w);
    else
      snprintf(key, sizeof key, "?%08x", (unsigned)w);
  } else {
    key_of_disas(d, key);
  }
  free(dis);
  return key_index(key);
}

/* ------------------------------------------------------------- counting */

static void apply_mark(struct vcpu *c, int mark) {
  switch (mark) {
    case MARK_REGION_ON:
      __atomic_store_n(&region_open, 1, __ATOMIC_RELAXED);
      __atomic_fetch_add(&n_regions, 1, __ATOMIC_RELAXED);
      break;
    case MARK_REGION_OFF: __atomic_store_n(&region_open, 0, __ATOMIC_RELAXED); break;
    case MARK_PAUSE: c->paused = 1; break;
    case MARK_RESUME: c->paused = 0; break;
    default: break;
  }
}

/* Counts segment s on vCPU vcpu_index (totals and keys); returns the vCPU
 * when the segment counted (region open, not paused), else NULL. */
static inline struct vcpu *count_segment(unsigned int vcpu_index, const struct segment *s) {
  if (vcpu_index >= MAX_VCPUS) {
    fprintf(stderr, "insncount: vCPU index %u >= %d (more live guest threads than slots)\n",
            vcpu_index, MAX_VCPUS);
    abort();
  }
  struct vcpu *c = &vcpus[vcpu_index];
  if (s->mark != MARK_NONE) apply_mark(c, s->mark);
  c->all += s->n;
  if (c->paused || (region_mode && !__atomic_load_n(&region_open, __ATOMIC_RELAXED))) return NULL;
  c->counted += s->n;
  if (!count_keys) return c;
  if (!c->per_key) {
    c->per_key = calloc(MAX_KEYS, sizeof(uint64_t));
    if (!c->per_key) abort();
  }
  for (uint32_t i = 0; i < s->n_kc; i++) c->per_key[s->kc[i].key] += s->kc[i].n;
  return c;
}

static void on_segment(unsigned int vcpu_index, void *userdata) {
  count_segment(vcpu_index, userdata);
}

/* symbols=on: also per symbol. */
static void on_segment_sym(unsigned int vcpu_index, void *userdata) {
  const struct segment *s = userdata;
  struct vcpu *c = count_segment(vcpu_index, s);
  if (!c) return;
  if (!c->per_sym) {
    c->per_sym = calloc(MAX_SYMS, sizeof(uint64_t));
    if (!c->per_sym) abort();
  }
  for (uint32_t i = 0; i < s->n_sc; i++) c->per_sym[s->sc[i].key] += s->sc[i].n;
}

/* Segment of instructions [begin, end) of tb, started by `mark`. */
static struct segment *make_segment(struct qemu_plugin_tb *tb, size_t begin, size_t end, int mark) {
  struct segment *s = malloc(sizeof *s + (end - begin) * sizeof(struct key_count));
  if (!s) abort();
  s->mark = mark;
  s->n = (uint32_t)(end - begin);
  s->n_kc = 0;
  for (size_t i = begin; i < end && count_keys; i++) {
    uint32_t k = key_of_insn(qemu_plugin_tb_get_insn(tb, i));
    uint32_t j = 0;
    while (j < s->n_kc && s->kc[j].key != k) j++;
    if (j == s->n_kc) s->kc[s->n_kc++] = (struct key_count){k, 0};
    s->kc[j].n++;
  }
  s->n_sc = 0;
  s->sc = NULL;
  if (count_symbols && end > begin) {
    s->sc = malloc((end - begin) * sizeof(struct key_count));
    if (!s->sc) abort();
    for (size_t i = begin; i < end; i++) {
      uint32_t k = symbol_index(qemu_plugin_insn_symbol(qemu_plugin_tb_get_insn(tb, i)));
      uint32_t j = 0;
      while (j < s->n_sc && s->sc[j].key != k) j++;
      if (j == s->n_sc) s->sc[s->n_sc++] = (struct key_count){k, 0};
      s->sc[j].n++;
    }
  }
  return s;
}

/* Segments live as long as the process: qemu 7.2 does not tell a plugin when
 * a block is discarded, and benchmarks translate each block a few times at
 * most. */
static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
  (void)id;
  size_t n = qemu_plugin_tb_n_insns(tb);
  size_t begin = 0;
  int mark = MARK_NONE;
  const qemu_plugin_vcpu_udata_cb_t cb = count_symbols ? on_segment_sym : on_segment;
  for (size_t i = 0; i <= n; i++) {
    int m = i < n ? marker_of(qemu_plugin_tb_get_insn(tb, i)) : MARK_NONE;
    if (i < n && m == MARK_NONE) continue;
    /* [begin, i) is a segment; instruction i (if any) is a marker. */
    if (mark == MARK_NONE) {
      if (i > begin)
        qemu_plugin_register_vcpu_tb_exec_cb(tb, cb, QEMU_PLUGIN_CB_NO_REGS,
                                             make_segment(tb, begin, i, MARK_NONE));
    } else {
      qemu_plugin_register_vcpu_insn_exec_cb(qemu_plugin_tb_get_insn(tb, begin - 1), cb,
                                             QEMU_PLUGIN_CB_NO_REGS, make_segment(tb, begin, i, mark));
    }
    mark = m;
    begin = i + 1;
  }
}

/* --------------------------------------------------------------- output */

static void on_exit_cb(qemu_plugin_id_t id, void *userdata) {
  (void)id;
  (void)userdata;
  FILE *f = out_path ? fopen(out_path, "w") : NULL;
  if (out_path && !f) fprintf(stderr, "insncount: cannot write %s\n", out_path);
  char line[1100];
#define EMIT(...)                            \
  do {                                       \
    snprintf(line, sizeof line, __VA_ARGS__); \
    if (f)                                   \
      fputs(line, f);                        \
    else                                     \
      qemu_plugin_outs(line);                \
  } while (0)
  EMIT("insncount 1 region=%d regions=%llu\n", region_mode, (unsigned long long)n_regions);
  for (unsigned v = 0; v < MAX_VCPUS; v++) {
    const struct vcpu *c = &vcpus[v];
    if (!c->all) continue;
    EMIT("vcpu %u %llu %llu\n", v, (unsigned long long)c->counted, (unsigned long long)c->all);
    for (unsigned k = 0; c->per_key && k < n_keys; k++)
      if (c->per_key[k]) EMIT("%u %s %llu\n", v, key_names[k], (unsigned long long)c->per_key[k]);
    for (unsigned k = 0; c->per_sym && k < n_syms; k++)
      if (c->per_sym[k])  /* (a name longer than the line is cut) */
        EMIT("sym %u %llu %.1024s\n", v, (unsigned long long)c->per_sym[k], sym_names[k]);
  }
#undef EMIT
  if (f) fclose(f);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
                                           char **argv) {
  if (info->system_emulation) {
    fprintf(stderr, "insncount: for qemu-user (linux-user) only\n");
    return 1;
  }
  is_aarch64 = !strcmp(info->target_name, "aarch64");
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (!strncmp(a, "out=", 4)) {
      out_path = a + 4;
    } else if (!strcmp(a, "region=on")) {
      region_mode = 1;
    } else if (!strcmp(a, "region=off")) {
      region_mode = 0;
    } else if (!strcmp(a, "keys=off")) {
      count_keys = 0;
    } else if (!strcmp(a, "keys=on")) {
      count_keys = 1;
    } else if (!strcmp(a, "symbols=on")) {
      count_symbols = 1;
    } else if (!strcmp(a, "symbols=off")) {
      count_symbols = 0;
    } else if (!strncmp(a, "pause_at=", 9)) {
      mark_symbol[MARK_PAUSE] = a + 9;
    } else if (!strncmp(a, "resume_at=", 10)) {
      mark_symbol[MARK_RESUME] = a + 10;
    } else {
      fprintf(stderr,
              "insncount: unknown argument '%s' (out=FILE, region=on|off, keys=on|off, "
              "symbols=on|off, pause_at=SYMBOL, resume_at=SYMBOL)\n",
              a);
      return 1;
    }
  }
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
  qemu_plugin_register_atexit_cb(id, on_exit_cb, NULL);
  return 0;
}

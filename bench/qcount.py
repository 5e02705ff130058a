#!/usr/bin/env python3
"""Count the instructions an ARM program executes under qemu-user.

armconv's instruction counter: a QEMU TCG plugin (bench/counter/insncount.c,
built here with the host C compiler) counts executed guest instructions per
guest thread and per mnemonic + arrangement ("fmla.4s", "ldr.q", "sdot.4s"),
the whole run or only inside regions that the program marks
(bench/counter/marks.h; for a Python program bench/guest_marks.py), and
on request per function (--functions N: the symbol qemu finds for each
instruction, so inline asm counts under its function; code without a
symbol, such as the shared libraries the program loads, is "[unknown]").
Instructions that qemu 7.2 cannot disassemble (SDOT/UDOT, fp16 vector
arithmetic, i8mm, BF16) are named with llvm-mc.

    python3 bench/qcount.py [-a aarch64|arm] [-c CPU] [--region] [--top N] [--functions N] -- PROGRAM [ARGS...]
    python3 bench/qcount.py --python [--region] -- SCRIPT.py [ARGS...]   # the ARM Python of scripts/test.sh

The guest gets a fixed, small environment (see guest_env()), so that two runs
of the same program give the same count. Needs qemu-user and a host C
compiler (scripts/test.sh installs them), and llvm-mc (package llvm) to name
the encodings above.

As a module: run(argv, arch=..., cpu=..., region=..., symbols=...) -> Count.
"""
import argparse
import collections
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COUNTER = os.path.join(ROOT, "bench", "counter")
DEFAULT_TOOLS = os.path.join(ROOT, "build-bench", "tools")

ARCHES = {
    "aarch64": {"qemu": "qemu-aarch64", "triple": "aarch64-linux-gnu", "cpu": "cortex-a72"},
    "arm": {"qemu": "qemu-arm", "triple": "arm-linux-gnueabihf", "cpu": "cortex-a15"},
}
# scripts/test.sh names the armhf target "armv7"
SYSROOT_ARCH = {"aarch64": "aarch64", "arm": "armv7"}
# armconv's thread pool calls these empty functions around every wait
# (src/threads/pool.cpp): the counter pauses a thread from the first to the
# second, so that only work is counted.
POOL_WAIT_MARKS = ("armconv_pool_wait_begin", "armconv_pool_wait_end")
# The plugin's name for instructions no symbol covers (insncount.c).
UNKNOWN_SYMBOL = "[unknown]"
LLVM_MATTR = "+v8.6a,+dotprod,+fullfp16,+fp16fml,+i8mm,+bf16,+rcpc,+crc,+lse,+rdm,+aes,+sha2,+sve2"


class CounterError(RuntimeError):
    pass


# ------------------------------------------------------------------ building

def _digest(*parts):
    h = hashlib.sha256()
    for p in parts:
        h.update(p if isinstance(p, bytes) else str(p).encode())
    return h.hexdigest()[:12]


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def _system_plugin_header(cc):
    """-D flag to build against an installed qemu-plugin.h of plugin API 1, or []."""
    r = subprocess.run([cc, "-E", "-dD", "-x", "c", "-", "-o", "-"], input="#include <qemu-plugin.h>\n",
                       capture_output=True, text=True)
    if r.returncode == 0 and re.search(r"#\s*define\s+QEMU_PLUGIN_VERSION\s+1\b", r.stdout):
        return ["-DARMCONV_SYSTEM_QEMU_PLUGIN_H"]
    return []


def host_cc():
    for cc in (os.environ.get("CC"), "cc", "gcc", "clang"):
        if cc and shutil.which(cc):
            return cc
    raise CounterError("no host C compiler (apt-get install gcc)")


def build_plugin(tools_dir=DEFAULT_TOOLS):
    """Build the counter plugin with the host compiler (once per source version)."""
    cc = host_cc()
    src = os.path.join(COUNTER, "insncount.c")
    flags = _system_plugin_header(cc)
    tag = _digest(_read(src), _read(os.path.join(COUNTER, "qemu_plugin_v1.h")), cc, " ".join(flags))
    lib = os.path.join(tools_dir, f"libinsncount-{tag}.so")
    if not os.path.exists(lib):
        os.makedirs(tools_dir, exist_ok=True)
        tmp = f"{lib}.tmp{os.getpid()}.{threading.get_ident()}"
        cmd = [cc, "-O2", "-shared", "-fPIC", "-fvisibility=hidden", "-Wall", "-I", COUNTER, *flags, src,
               "-o", tmp, "-lpthread"]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise CounterError(f"building the counter plugin failed: {' '.join(cmd)}\n{r.stderr}")
        os.replace(tmp, lib)
    return lib


def build_marks(arch, tools_dir=DEFAULT_TOOLS):
    """Cross-build libarmconv_marks.so (the region marks, for ctypes) for arch."""
    cc = ARCHES[arch]["triple"] + "-gcc"
    if not shutil.which(cc):
        raise CounterError(f"{cc} not found (apt-get install gcc-{ARCHES[arch]['triple']})")
    src = os.path.join(COUNTER, "marks.c")
    tag = _digest(_read(src), _read(os.path.join(COUNTER, "marks.h")), cc)
    lib = os.path.join(tools_dir, f"libarmconv_marks-{arch}-{tag}.so")
    if not os.path.exists(lib):
        os.makedirs(tools_dir, exist_ok=True)
        tmp = f"{lib}.tmp{os.getpid()}.{threading.get_ident()}"
        r = subprocess.run([cc, "-O2", "-shared", "-fPIC", "-I", COUNTER, src, "-o", tmp],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise CounterError(f"building {lib} failed:\n{r.stderr}")
        os.replace(tmp, lib)
    return lib


# ------------------------------------------------------------------ naming

def key_of_disas(text):
    """The plugin's key rule (insncount.c key_of_disas) for a disassembly line."""
    text = text.strip()
    mn, _, ops = text.replace("\t", " ").partition(" ")
    mn = mn.lower()[:15]
    ops = ops.lstrip(" {")
    m = re.match(r"[vV]\d+\.([0-9A-Za-z]{1,4})", ops)
    if m:
        return f"{mn}.{m.group(1).lower()}"
    m = re.match(r"([bhsdq])\d+(?=$|[,\s\[}])", ops)
    if m:
        return f"{mn}.{m.group(1)}"
    return mn


def _llvm_mc():
    for name in ("llvm-mc", "llvm-mc-19", "llvm-mc-18", "llvm-mc-17", "llvm-mc-16", "llvm-mc-15", "llvm-mc-14"):
        if shutil.which(name):
            return name
    return None


def name_encodings(words, tools_dir=DEFAULT_TOOLS):
    """{"4e829420": "sdot.4s", ...} for AArch64 words qemu could not disassemble.

    Each word goes on its own input line; llvm-mc prints the instructions it
    decodes in order and warns, with the line number, about the ones it
    cannot: those keep their "?xxxxxxxx" key. Cached in tools_dir.
    """
    cache_path = os.path.join(tools_dir, "llvm-names-aarch64.json")
    cache = {}
    if os.path.exists(cache_path):
        with open(cache_path) as f:
            cache = json.load(f)
    todo = sorted({w.lower() for w in words} - set(cache))
    mc = _llvm_mc()
    if todo and mc:
        lines = [" ".join(f"0x{b:02x}" for b in int(w, 16).to_bytes(4, "little")) for w in todo]
        r = subprocess.run([mc, "--disassemble", "-triple=aarch64", f"-mattr={LLVM_MATTR}"],
                           input="\n".join(lines) + "\n", capture_output=True, text=True)
        bad = {int(n) for n in re.findall(r"<stdin>:(\d+):\d+: warning: invalid instruction encoding", r.stderr)}
        decoded = [ln for ln in r.stdout.splitlines() if ln.strip() and not ln.strip().startswith(".")]
        good = [w for i, w in enumerate(todo, 1) if i not in bad]
        if len(decoded) == len(good):
            cache.update({w: key_of_disas(d) for w, d in zip(good, decoded)})
            os.makedirs(tools_dir, exist_ok=True)
            with open(cache_path, "w") as f:
                json.dump(cache, f, indent=0, sort_keys=True)
    return {w: cache[w.lower()] for w in words if w.lower() in cache}


# ------------------------------------------------------------------ running

class ThreadCount:
    def __init__(self):
        self.counted = 0  # inside regions (or all, without region=on), not paused
        self.all = 0      # everything this vCPU executed
        self.keys = collections.Counter()
        self.symbols = collections.Counter()  # symbols=True: counted per symbol (as in the ELF)


class Count:
    """What one run executed: per vCPU (guest thread slot) and merged."""

    def __init__(self, threads, regions, region_mode, returncode, stdout, stderr):
        self.threads = threads          # {vcpu index: ThreadCount}
        self.regions = regions          # times a region was opened
        self.region_mode = region_mode
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr

    @property
    def total(self):
        return sum(t.counted for t in self.threads.values())

    @property
    def keys(self):
        c = collections.Counter()
        for t in self.threads.values():
            c.update(t.keys)
        return c

    @property
    def symbols(self):
        """Counted instructions per symbol, summed over threads (run(symbols=True))."""
        c = collections.Counter()
        for t in self.threads.values():
            c.update(t.symbols)
        return c


def parse_output(text):
    lines = text.splitlines()
    m = re.match(r"insncount 1 region=(\d) regions=(\d+)$", lines[0] if lines else "")
    if not m:
        raise CounterError("the counter wrote no result (did the program crash?)")
    threads = {}
    for ln in lines[1:]:
        if ln.startswith("sym "):
            _, v, n, sym = ln.split(" ", 3)
            threads[int(v)].symbols[sym] += int(n)
            continue
        f = ln.split()
        if f[0] == "vcpu":
            t = threads.setdefault(int(f[1]), ThreadCount())
            t.counted, t.all = int(f[2]), int(f[3])
        else:
            threads[int(f[0])].keys[f[1]] += int(f[2])
    return threads, int(m.group(2)), m.group(1) == "1"


def guest_env(extra=None):
    """The guest's whole environment: fixed, so that every run starts alike."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LC_ALL": "C", "HOME": "/nonexistent"}
    env.update(extra or {})
    return env


def run(argv, arch="aarch64", cpu=None, sysroot=None, region=False, keys=True, env=None, cwd=None,
        tools_dir=DEFAULT_TOOLS, name=True, timeout=None, pool_marks=True, symbols=False):
    """Run argv (an ARM program and its arguments) under qemu-user with the counter.

    region: count only between region marks. env: the guest's environment
    (default guest_env()). name: name "?xxxxxxxx" keys with llvm-mc.
    pool_marks: leave out what a thread runs between the thread pool's wait
    marks (POOL_WAIT_MARKS; found by symbol in the program, not in libraries
    it opens later).
    symbols: also count per symbol (Count.symbols; costs a little more per
    executed block, so only when asked).
    """
    spec = ARCHES[arch]
    qemu = shutil.which(spec["qemu"])
    if not qemu:
        raise CounterError(f"{spec['qemu']} not found (apt-get install qemu-user, or run bash scripts/test.sh)")
    plugin = build_plugin(tools_dir)
    sysroot = sysroot or f"/usr/{spec['triple']}"
    fd, out = tempfile.mkstemp(prefix="qcount-", suffix=".txt")
    os.close(fd)
    try:
        args = [f"out={out}", f"region={'on' if region else 'off'}", f"keys={'on' if keys else 'off'}"]
        if symbols:
            args.append("symbols=on")
        if pool_marks:
            args += [f"pause_at={POOL_WAIT_MARKS[0]}", f"resume_at={POOL_WAIT_MARKS[1]}"]
        cmd = [qemu, "-cpu", cpu or spec["cpu"], "-L", sysroot, "-plugin", ",".join([plugin] + args), *argv]
        r = subprocess.run(cmd, capture_output=True, text=True, env=env if env is not None else guest_env(),
                           cwd=cwd, timeout=timeout)
        with open(out) as f:
            text = f.read()
    finally:
        os.unlink(out)
    if not text:
        raise CounterError(f"{' '.join(argv)} (exit {r.returncode}) left no count:\n{r.stderr[-2000:]}")
    threads, regions, region_mode = parse_output(text)
    if name and arch == "aarch64":
        unknown = {k[1:] for t in threads.values() for k in t.keys if k.startswith("?")}
        names = name_encodings(unknown, tools_dir) if unknown else {}
        for t in threads.values():
            for w, nm in names.items():
                if f"?{w}" in t.keys:
                    t.keys[nm] += t.keys.pop(f"?{w}")
    return Count(threads, regions, region_mode, r.returncode, r.stdout, r.stderr)


# ------------------------------------------------------------------ functions

def demangle(names):
    """{mangled: readable} for C++ symbol names, through c++filt (binutils) when
    it is installed; names it does not change, or all without it, map to
    themselves."""
    names = list(names)
    tool = next((t for t in ("c++filt", "aarch64-linux-gnu-c++filt", "arm-linux-gnueabihf-c++filt")
                 if shutil.which(t)), None)
    if not tool or not names:
        return {n: n for n in names}
    r = subprocess.run([tool], input="\n".join(names) + "\n", capture_output=True, text=True)
    out = r.stdout.splitlines()
    if r.returncode != 0 or len(out) != len(names):
        return {n: n for n in names}
    return dict(zip(names, out))


def function_table(symbols, top, divide=1, width=100):
    """Rows (name, instructions / divide, share of the total) of the top
    symbols, then "(other N symbols)" for the rest: the total of every
    symbol, which equals the counted total."""
    total = sum(symbols.values())
    ranked = symbols.most_common()
    shown, rest = ranked[:top], ranked[top:]
    names = demangle(n for n, _ in shown)
    rows = []
    for n, k in shown:
        name = names[n]
        if len(name) > width:
            name = name[:width - 3] + "..."
        rows.append((name, k / divide, k / total if total else 0.0))
    if rest:
        k = sum(k for _, k in rest)
        rows.append((f"(other {len(rest)} symbols)", k / divide, k / total if total else 0.0))
    return rows


def format_functions(symbols, top, divide=1, indent="  "):
    return "\n".join(f"{indent}{share * 100:6.2f}%  {n:14.0f}  {name}"
                     for name, n, share in function_table(symbols, top, divide))


# ------------------------------------------------------------------ ARM Python

def arm_python(arch, cache=None):
    """(sysroot, python, site) of the ARM Python 3.11 that scripts/test.sh builds."""
    cache = cache or os.environ.get("ARMCONV_CACHE") or os.path.expanduser("~/.cache/armconv")
    found = sorted(glob.glob(os.path.join(cache, f"sysroot-{SYSROOT_ARCH[arch]}-*", ".complete")),
                   key=os.path.getmtime)
    if not found:
        raise CounterError(f"no {arch} Python sysroot in {cache}: run "
                           f"ARMCONV_TARGETS={SYSROOT_ARCH[arch]} bash scripts/test.sh once")
    sr = os.path.dirname(found[-1])
    return sr, os.path.join(sr, "usr", "bin", "python3.11"), os.path.join(sr, "site")


def python_env(arch, pythonpath=(), tools_dir=DEFAULT_TOOLS, extra=None):
    """Environment for a counted guest Python: every source of run-to-run noise
    pinned (hash seed, BLAS threads spinning, bytecode writes, user site, ORT
    telemetry); the marks library on ARMCONV_MARKS_LIB for bench/guest_marks.py."""
    _, _, site = arm_python(arch)
    env = {"PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1", "ORT_DISABLE_TELEMETRY": "1",
           "ARMCONV_MARKS_LIB": build_marks(arch, tools_dir),
           "PYTHONPATH": os.pathsep.join([*pythonpath, os.path.join(ROOT, "bench"), site])}
    env.update(extra or {})
    return guest_env(env)


# ------------------------------------------------------------------ CLI

def format_count(c, top=25, per_thread=False, divide=1, functions=0):
    out = []
    scope = "inside regions" if c.region_mode else "whole run"
    out.append(f"insns {c.total / divide:.0f}  ({scope}; regions opened: {c.regions}"
               f"{f'; per call of {divide}' if divide != 1 else ''})")
    if per_thread or len(c.threads) > 1:
        for v, t in sorted(c.threads.items()):
            out.append(f"  thread (vCPU) {v}: {t.counted / divide:.0f} counted, {t.all} executed")
    if top:
        for k, n in c.keys.most_common(top):
            out.append(f"  {k:20} {n / divide:14.0f}")
    if functions:
        out.append(f"  per function (summed over threads; {UNKNOWN_SYMBOL}: no symbol, e.g. shared libraries):")
        out.append(format_functions(c.symbols, functions, divide, "  "))
    return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-a", "--arch", default="aarch64", choices=sorted(ARCHES))
    ap.add_argument("-c", "--cpu", help="qemu CPU model (default cortex-a72; arm: cortex-a15)")
    ap.add_argument("-L", "--sysroot", help="qemu -L (default /usr/<triple>; --python: its sysroot)")
    ap.add_argument("--region", action="store_true", help="count only inside marked regions")
    ap.add_argument("--python", action="store_true",
                    help="run PROGRAM as a script of the ARM Python 3.11 that scripts/test.sh builds")
    ap.add_argument("--pythonpath", action="append", default=[], help="extra guest PYTHONPATH entry")
    ap.add_argument("--top", type=int, default=25, help="rows of the per-key table (0: total only)")
    ap.add_argument("--threads", action="store_true", help="one line per guest thread")
    ap.add_argument("--functions", type=int, default=0, metavar="N",
                    help="also count per function (symbol) and print the top N with their share")
    ap.add_argument("--count-pool-waits", action="store_true",
                    help="also count what threads run between armconv's pool wait marks (left out by default)")
    ap.add_argument("--json", action="store_true", help="machine-readable output")
    ap.add_argument("--tools-dir", default=DEFAULT_TOOLS, help="where the plugin is built")
    ap.add_argument("program", nargs=argparse.REMAINDER)
    a = ap.parse_args(argv)
    prog = a.program[1:] if a.program[:1] == ["--"] else a.program
    if not prog:
        ap.error("no program given")
    env = None
    sysroot = a.sysroot
    if a.python:
        sr, py, _ = arm_python(a.arch)
        sysroot = sysroot or sr
        env = python_env(a.arch, a.pythonpath, a.tools_dir)
        prog = [py] + prog
    try:
        c = run(prog, a.arch, a.cpu, sysroot, a.region, a.top != 0 or a.json, env, tools_dir=a.tools_dir,
                pool_marks=not a.count_pool_waits, symbols=a.functions > 0)
    except CounterError as e:
        print(f"qcount: {e}", file=sys.stderr)
        return 2
    sys.stderr.write(c.stderr)
    sys.stdout.write(c.stdout)
    if a.json:
        print(json.dumps({"total": c.total, "regions": c.regions, "region_mode": c.region_mode,
                          "threads": {v: {"counted": t.counted, "all": t.all, "keys": dict(t.keys),
                                          **({"symbols": dict(t.symbols)} if a.functions else {})}
                                      for v, t in sorted(c.threads.items())}}, indent=1))
    else:
        print(format_count(c, a.top, a.threads, functions=a.functions), file=sys.stderr)
    return c.returncode


if __name__ == "__main__":
    sys.exit(main())

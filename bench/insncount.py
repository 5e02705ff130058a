#!/usr/bin/env python3
"""Instruction-count benchmark: MACs per executed instruction under qemu-user.

Cross-builds bench/insn_bench for aarch64 (or armv7) with the project's
toolchain files and runs each case under armconv's instruction counter
(bench/qcount.py): after set-up (weights packed) and one warm-up call, K calls
run between region marks and their count divided by K is one call: the whole
call (input packing, transforms, stores), one thread. Wall time under QEMU
means nothing; executed instructions do.

    python3 bench/insncount.py [--cpu cortex-a72] [--arch aarch64|arm] [--exe TREE/bench/insn_bench] [-k 2] [--top N] [--functions N] [CASE|'PATTERN*' ...]
    python3 bench/insncount.py --list

--functions N adds, per case, the N functions (symbols of insn_bench, which
links armconv statically) that executed the most instructions per call and
their share of the call; inline asm counts under its enclosing function;
libc/libstdc++ code (memcpy, operator new) has no symbol for qemu and counts
as "[unknown]".

Bounds: fp32 FMLA 4 MACs per instruction, smull+smlal2+sadalp 5.33, sdot 16.
Needs the cross compilers, qemu-user, cmake and llvm that `bash scripts/test.sh`
installs.
"""
import argparse
import concurrent.futures
import fnmatch
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qcount  # noqa: E402

ROOT = qcount.ROOT
TOOLCHAINS = {"aarch64": "toolchains/aarch64-linux-gnu.cmake", "arm": "toolchains/arm-linux-gnueabihf.cmake"}
DEFAULT_CPU = {"aarch64": "cortex-a72", "arm": "cortex-a15"}


def _tool(name):
    """cmake/ninja from PATH, else from the venv scripts/test.sh made."""
    found = shutil.which(name)
    if found:
        return found
    venv = os.path.join(os.environ.get("ARMCONV_BUILD_DIR", os.path.join(ROOT, "build-test")), "venv", "bin", name)
    return venv if os.path.exists(venv) else None


def build(arch, build_dir, quiet=True):
    """Configure and build insn_bench for arch (Release); returns its path."""
    cmake = _tool("cmake")
    if not cmake:
        raise qcount.CounterError("cmake not found: run `bash scripts/test.sh` once (it installs cmake and ninja)")
    ninja = _tool("ninja")
    gen = ["-G", "Ninja", f"-DCMAKE_MAKE_PROGRAM={ninja}"] if ninja else []
    toolchain = os.path.join(ROOT, TOOLCHAINS[arch])
    configure = [cmake, "-S", ROOT, "-B", build_dir, *gen, "-DCMAKE_BUILD_TYPE=Release",
                 f"-DCMAKE_TOOLCHAIN_FILE={toolchain}", "-DARMCONV_PYTHON=OFF", "-DARMCONV_TESTS=OFF",
                 "-DARMCONV_BENCH=ON"]
    # A toolchain file is read only when the cache is made: start afresh when it
    # or the configure line changed.
    with open(toolchain) as f:
        stamp = qcount._digest(" ".join(configure), f.read())
    stamp_file = os.path.join(build_dir, ".insncount-config")
    if os.path.exists(build_dir) and (not os.path.exists(stamp_file) or open(stamp_file).read() != stamp):
        shutil.rmtree(build_dir)
    cmds = [[cmake, "--build", build_dir, "--target", "insn_bench"]]
    if not os.path.exists(os.path.join(build_dir, "CMakeCache.txt")):
        cmds.insert(0, configure)
    for cmd in cmds:
        r = subprocess.run(cmd, capture_output=quiet, text=True)
        if r.returncode != 0:
            raise qcount.CounterError(f"{' '.join(cmd)} failed:\n{(r.stdout or '')[-3000:]}{(r.stderr or '')[-3000:]}")
        if cmd is configure:
            with open(stamp_file, "w") as f:
                f.write(stamp)
    return os.path.join(build_dir, "bench", "insn_bench")


def list_cases(exe, arch):
    spec = qcount.ARCHES[arch]
    r = subprocess.run([shutil.which(spec["qemu"]) or spec["qemu"], "-L", f"/usr/{spec['triple']}", exe, "list"],
                       capture_output=True, text=True, check=True)
    return {ln.split()[0]: float(ln.split()[1]) for ln in r.stdout.splitlines() if ln.strip()}


def count_case(exe, arch, cpu, case, reps, keys=False, tools_dir=qcount.DEFAULT_TOOLS, symbols=False):
    """(instructions per call, Count) for one case. The program runs as
    ./insn_bench from its own folder, so its arguments and environment are
    the same bytes on every machine."""
    c = qcount.run(["./" + os.path.basename(exe), case, str(reps)], arch, cpu, region=True, keys=keys,
                   cwd=os.path.dirname(exe), tools_dir=tools_dir, symbols=symbols)
    if c.returncode != 0:
        raise qcount.CounterError(f"{case}: exit {c.returncode}: {c.stderr.strip()[-400:]}")
    if c.regions != 1:
        raise qcount.CounterError(f"{case}: {c.regions} regions opened, expected 1")
    return c.total / reps, c


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cpu", help="qemu CPU model (default cortex-a72; --arch arm: cortex-a15)")
    ap.add_argument("--arch", default="aarch64", choices=sorted(TOOLCHAINS))
    ap.add_argument("-k", type=int, default=2, help="calls counted per case (default 2)")
    ap.add_argument("-j", "--jobs", type=int, default=1, help="cases counted at once (default 1)")
    ap.add_argument("--build-dir", help="default build-bench/<arch>")
    ap.add_argument("--exe", help="count this insn_bench (built for --arch) instead of building one")
    ap.add_argument("--top", type=int, default=0, help="also print the top N mnemonics per call")
    ap.add_argument("--functions", type=int, default=0, metavar="N",
                    help="also print the top N functions (symbols) per call and their share")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    ap.add_argument("--list", action="store_true", help="list the cases and their MACs per call")
    ap.add_argument("cases", nargs="*")
    a = ap.parse_args(argv)
    cpu = a.cpu or DEFAULT_CPU[a.arch]
    build_dir = os.path.abspath(a.build_dir or os.path.join(ROOT, "build-bench", a.arch))
    try:
        exe = os.path.abspath(a.exe) if a.exe else build(a.arch, build_dir)
        macs = list_cases(exe, a.arch)
    except (qcount.CounterError, subprocess.CalledProcessError) as e:
        print(f"insncount: {e}", file=sys.stderr)
        return 2
    if a.list:
        for name, m in macs.items():
            print(f"{name:28} {m:14.0f}")
        return 0
    # a CASE may be a shell-style pattern: 'pays_*', 'mbv1_dw_*'
    cases = [m for pat in a.cases for m in (fnmatch.filter(macs, pat) or [pat])] if a.cases else list(macs)
    unknown = [c for c in cases if c not in macs]
    if unknown:
        print(f"insncount: unknown case(s): {' '.join(unknown)} (see --list)", file=sys.stderr)
        return 2

    def one(case):
        try:
            return count_case(exe, a.arch, cpu, case, a.k, keys=a.top > 0, symbols=a.functions > 0)
        except qcount.CounterError as e:
            return e

    with concurrent.futures.ThreadPoolExecutor(max(1, a.jobs)) as pool:
        results = pool.map(one, cases)
        if not a.json:
            print(f"{'case':28} {'insns/call':>12} {'MACs/call':>12} {'MACs/insn':>9}  impl  ({a.arch}, -cpu {cpu})")
        status, rows = 0, []
        for case, res in zip(cases, results):
            if isinstance(res, Exception):
                print(f"{case:28} failed: {res}", file=sys.stderr)
                status = 1
                continue
            per, c = res
            impl = c.stdout.strip()
            rows.append({"case": case, "insns_per_call": per, "macs_per_call": macs[case],
                         "macs_per_insn": macs[case] / per, "impl": impl})
            if a.functions:
                rows[-1]["functions"] = [{"symbol": n, "insns_per_call": k, "share": sh}
                                         for n, k, sh in qcount.function_table(c.symbols, a.functions, a.k)]
            if a.json:
                continue
            print(f"{case:28} {per:12.0f} {macs[case]:12.0f} {macs[case] / per:9.3f}  {impl}", flush=True)
            for k, n in c.keys.most_common(a.top):
                print(f"    {k:20} {n / a.k:12.0f}")
            if a.functions:
                print(qcount.format_functions(c.symbols, a.functions, a.k, "    "))
    if a.json:
        print(json.dumps({"arch": a.arch, "cpu": cpu, "k": a.k, "cases": rows}, indent=1))
    return status


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Performance gate: MACs per executed instruction against bench/baseline.json.

For each (arch, QEMU CPU model) in the baseline, builds bench/insn_bench and
counts its cases exactly as `bench/insncount.py -k K` does (same build flags,
same K), then prints case / baseline / now / change. Fails (exit 1) when a
case runs more than `tolerance` (1%) below its baseline, or is missing.

    python3 bench/perf_gate.py                  # the gate (scripts/test.sh runs it as target perf)
    python3 bench/perf_gate.py --update [CASE]  # write this run's figures into the baseline
    python3 bench/perf_gate.py --arch aarch64 --exe BUILD/bench/insn_bench
        # one architecture's runs, counted on an insn_bench already built
        # (scripts/test.sh: in the C++ test tree, configured with
        # -DARMCONV_BENCH=ON and the same Release flags as insncount.py's)

Counts are deterministic (same build, same case: the same count), so 1% only
absorbs changes of toolchain version. Raising a baseline is a deliberate edit
of bench/baseline.json (by --update or by hand) in the commit that earns it.
"""
import argparse
import concurrent.futures
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import insncount  # noqa: E402
import qcount  # noqa: E402

BASELINE = os.path.join(qcount.ROOT, "bench", "baseline.json")


def short(cpu):
    return cpu.replace("cortex-", "")


def measure(baseline, runs, build_root, jobs, log, exe=None):
    """{(cpu, case): (MACs/insn, impl)} for every case of `runs` (runs of the
    baseline); `exe`: a prebuilt insn_bench for their (one) architecture."""
    k = baseline["k"]
    exes = {}
    for arch in dict.fromkeys(r["arch"] for r in runs):
        if exe:
            exes[arch] = os.path.abspath(exe)
            continue
        t = time.time()
        exes[arch] = insncount.build(arch, os.path.join(build_root, arch))
        log(f"built insn_bench for {arch} ({time.time() - t:.0f} s)")
    macs = {arch: insncount.list_cases(exe, arch) for arch, exe in exes.items()}
    work = [(r["arch"], r["cpu"], case) for r in runs for case in r["cases"]]
    t = time.time()

    def one(item):
        arch, cpu, case = item
        if case not in macs[arch]:
            return item, None
        per, c = insncount.count_case(exes[arch], arch, cpu, case, k)
        return item, (macs[arch][case] / per, c.stdout.strip())

    with concurrent.futures.ThreadPoolExecutor(max(1, jobs)) as pool:
        got = dict(pool.map(one, work))
    log(f"counted {len(work)} cases ({time.time() - t:.0f} s)")
    return {(cpu, case): v for (arch, cpu, case), v in got.items()}


def write_baseline(path, baseline):
    """One case per line, in the baseline's order, so that a raise is a one-line diff."""
    lines = ["{"]
    for key in baseline:
        if key != "runs":
            lines.append(f"  {json.dumps(key)}: {json.dumps(baseline[key])},")
    lines.append('  "runs": [')
    for i, r in enumerate(baseline["runs"]):
        lines.append(f'    {{"arch": {json.dumps(r["arch"])}, "cpu": {json.dumps(r["cpu"])}, "cases": {{')
        items = list(r["cases"].items())
        for j, (case, v) in enumerate(items):
            lines.append(f"      {json.dumps(case)}: {v:.4f}{',' if j + 1 < len(items) else ''}")
        lines.append("    }}" + ("," if i + 1 < len(baseline["runs"]) else ""))
    lines += ["  ]", "}"]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--baseline", default=BASELINE)
    ap.add_argument("--build-dir", default=os.path.join(qcount.ROOT, "build-bench"),
                    help="build trees go in DIR/<arch> (default build-bench, shared with insncount.py)")
    ap.add_argument("-j", "--jobs", type=int, default=2, help="cases counted at once (default 2)")
    ap.add_argument("--arch", choices=sorted(insncount.TOOLCHAINS),
                    help="gate only this architecture's runs (default: all)")
    ap.add_argument("--exe", help="with --arch: count this insn_bench instead of building one")
    ap.add_argument("--update", nargs="*", metavar="CASE",
                    help="write this run's figures into the baseline (all cases, or the CASEs named)")
    a = ap.parse_args(argv)
    if a.exe and not a.arch:
        ap.error("--exe needs --arch")
    with open(a.baseline) as f:
        baseline = json.load(f)
    runs = [r for r in baseline["runs"] if not a.arch or r["arch"] == a.arch]
    if not runs:
        ap.error(f"no run for {a.arch} in {a.baseline}")
    tol = baseline["tolerance"]
    t0 = time.time()

    def log(msg):
        print(f"[perf {time.time() - t0:5.0f} s] {msg}", flush=True)

    try:
        now = measure(baseline, runs, os.path.abspath(a.build_dir), a.jobs, log, a.exe)
    except qcount.CounterError as e:
        print(f"perf gate: {e}", file=sys.stderr)
        return 2

    print(f"\n{'case':34} {'baseline':>9} {'now':>9} {'change':>8}   (MACs per executed instruction, "
          f"fail below -{tol:.0%})")
    failed, improved = [], []
    for r in runs:
        for case, base in r["cases"].items():
            label = f"{short(r['cpu'])} {case}"
            got = now[(r["cpu"], case)]
            if got is None:
                print(f"{label:34} {base:9.4f} {'-':>9} {'':>8}   FAIL: no such case in insn_bench")
                failed.append(label)
                continue
            v = got[0]
            if base <= 0:
                print(f"{label:34} {'-':>9} {v:9.4f} {'':>8}   FAIL: no baseline figure yet (--update)")
                failed.append(label)
                continue
            change = v / base - 1
            mark = ""
            if change < -tol:
                mark = "   FAIL"
                failed.append(f"{label} ({base:.4f} -> {v:.4f}, {change:+.2%})")
            elif change > tol:
                mark = "   improved: raise the baseline"
                improved.append(label)
            print(f"{label:34} {base:9.4f} {v:9.4f} {change:+8.2%}{mark}")
    if a.update is not None:
        for r in runs:
            for case in r["cases"]:
                if (not a.update or case in a.update) and now[(r["cpu"], case)] is not None:
                    r["cases"][case] = round(now[(r["cpu"], case)][0], 4)
        write_baseline(a.baseline, baseline)
        print(f"\nwrote {os.path.relpath(a.baseline)}: commit it with the change that earns it")
        return 0
    n = sum(len(r["cases"]) for r in runs)
    print(f"\nperf gate: {n - len(failed)} passed, {len(failed)} failed"
          f"{f'; {len(improved)} improved by more than {tol:.0%}' if improved else ''} ({time.time() - t0:.0f} s)")
    if failed:
        print("below baseline or missing:\n  " + "\n  ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

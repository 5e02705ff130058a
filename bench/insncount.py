#!/usr/bin/env python3
"""Instruction-count benchmark: MACs per executed instruction under qemu-user.

Cross-builds bench/insn_bench for aarch64 (or armv7) with the project's
toolchain files, then runs each case under ../shared/tools/insncount with 1
and 1+K repetitions; the difference divided by K is one call, with weights
packed beforehand and everything else (input packing, transforms, stores)
counted. Wall time under QEMU means nothing; executed instructions do.

    python3 bench/insncount.py [--cpu cortex-a72] [--arch aarch64] [-k 2] [CASE ...]

Bounds: fp32 FMLA does 4 MACs per instruction, sdot 16.
"""
import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INSNCOUNT = os.environ.get("INSNCOUNT", os.path.join(ROOT, "..", "shared", "tools", "insncount", "insncount"))
TOOLCHAINS = {"aarch64": "toolchains/aarch64-linux-gnu.cmake", "arm": "toolchains/arm-linux-gnueabihf.cmake"}


def build(arch, build_dir):
    cfg = ["cmake", "-S", ROOT, "-B", build_dir, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
           f"-DCMAKE_TOOLCHAIN_FILE={os.path.join(ROOT, TOOLCHAINS[arch])}",
           "-DARMCONV_PYTHON=OFF", "-DARMCONV_BENCH=ON"]
    subprocess.run(cfg, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", build_dir, "--target", "insn_bench"], check=True,
                   stdout=subprocess.DEVNULL)
    return os.path.join(build_dir, "bench", "insn_bench")


def count(exe, arch, cpu, case, reps, top=0):
    r = subprocess.run([INSNCOUNT, "-a", arch, "-c", cpu, "-n", str(top), "--", exe, case, str(reps)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{case}: {r.stdout.strip()} {r.stderr.strip()[-400:]}")
    m = re.search(r"^insns (\d+)", r.stderr, re.M)
    return int(m.group(1)), r.stdout.strip(), r.stderr


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cpu", default="cortex-a72")
    ap.add_argument("--arch", default="aarch64", choices=sorted(TOOLCHAINS))
    ap.add_argument("-k", type=int, default=2, help="extra repetitions to difference (default 2)")
    ap.add_argument("--build-dir", default=None)
    ap.add_argument("--top", type=int, default=0, help="also print the top N mnemonics of the K extra calls")
    ap.add_argument("cases", nargs="*")
    a = ap.parse_args()
    build_dir = a.build_dir or os.path.join(ROOT, f"build-bench-{a.arch}")
    exe = build(a.arch, build_dir)
    listing = subprocess.run(["qemu-" + ("aarch64" if a.arch == "aarch64" else "arm"), "-L",
                              "/usr/aarch64-linux-gnu" if a.arch == "aarch64" else "/usr/arm-linux-gnueabihf",
                              exe, "list"], capture_output=True, text=True, check=True).stdout
    macs = {ln.split()[0]: float(ln.split()[1]) for ln in listing.splitlines() if ln.strip()}
    cases = a.cases or list(macs)
    print(f"{'case':24} {'insns/call':>14} {'MACs/call':>12} {'MACs/insn':>9}  impl  ({a.arch}, -cpu {a.cpu})")
    status = 0
    for case in cases:
        if case not in macs:
            print(f"{case:24} unknown case")
            status = 1
            continue
        try:
            n1, impl, _ = count(exe, a.arch, a.cpu, case, 1)
            nk, _, table = count(exe, a.arch, a.cpu, case, 1 + a.k, a.top)
        except RuntimeError as e:
            print(f"{case:24} failed: {e}")
            status = 1
            continue
        per = (nk - n1) / a.k
        print(f"{case:24} {per:14.0f} {macs[case]:12.0f} {macs[case] / per:9.3f}  {impl}")
        if a.top:
            print("\n".join("    " + ln for ln in table.splitlines()[1:]))
    return status


if __name__ == "__main__":
    sys.exit(main())

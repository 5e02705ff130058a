#!/usr/bin/env python3
"""Per-stage work balance of a layer's plan for threads, counted under QEMU.

For each layer, team T and planned team P (the plan is plan_for_threads(P),
split for T as run_all splits it), insn_bench's "balance:" case
(bench/bench_balance.cpp) runs every (stage, worker) range on a guest thread
of its own; the counter counts each apart. Per stage: busiest range / (stage
total / T) (1.000 is an even split); per call: the busiest worker's summed
ranges / (all ranges / T), the figure bench/threads_bench.py's "balance" is
(there over the one-thread count, which the ranges' total is within ~1% of).

    python3 bench/stage_balance.py --exe b-a64/bench/insn_bench [--cpu cortex-a72]
        [--teams 2,3,4] [--planned 4:3] [--layers r18] [-j 2] [--json FILE]

--planned P:T adds the plan for P threads run by T (a team smaller than
planned: call_plan gives that when the plan has few units).
"""
import argparse
import concurrent.futures
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qcount  # noqa: E402

# (label, algo, spec): the ResNet-18 layers of README's threads table that
# run a mixed or stride-2 Winograd, and a few of other families.
LAYERS = {
    "r18": [
        ("r18.01 64,64,3,1,1,1,56,56,relu", "winograd63+23", "64,64,3,1,1,1,56,56,relu"),
        ("r18.06 128,128,3,1,1,1,28,28", "winograd63+43", "128,128,3,1,1,1,28,28"),
        ("r18.10 128,256,3,2,1,1,28,28,relu", "winograd43s2+23s2", "128,256,3,2,1,1,28,28,relu"),
        ("r18.11 256,256,3,1,1,1,14,14", "winograd63+23", "256,256,3,1,1,1,14,14"),
        ("r18.05 64,128,3,2,1,1,56,56,relu", "winograd43s2", "64,128,3,2,1,1,56,56,relu"),
    ],
    "other": [
        ("im2col 3,64,7,2,3,1,224,224", "im2col", "3,64,7,2,3,1,224,224,relu"),
        ("gemm 128,256,1,2,0,1,28,28", "gemm", "128,256,1,2,0,1,28,28"),
        ("dw3x3 64,64,3,1,1,64,56,56", "dw3x3", "64,64,3,1,1,64,56,56,relu6"),
        ("winograd43 512,512,3,1,1,1,7,7", "winograd43", "512,512,3,1,1,1,7,7"),
    ],
}


def count(exe, arch, cpu, algo, spec, team, planned):
    case = f"balance:{algo}:{spec}:{team}:{planned}"
    c = qcount.run(["./" + os.path.basename(exe), case, "1"], arch, cpu, region=True, keys=False,
                   cwd=os.path.dirname(exe))
    if c.returncode != 0 or c.regions != 1:
        raise qcount.CounterError(f"{case}: exit {c.returncode}, {c.regions} regions:\n{c.stderr[-1000:]}")
    info = {}
    for ln in c.stderr.splitlines():
        if ln.startswith("plan: "):
            info = dict(kv.split("=", 1) for kv in ln[6:].split())
    stages = int(info["stages"])
    per = [[0] * team for _ in range(stages)]
    for vcpu, t in c.threads.items():
        k = int(vcpu) - 1
        if 0 <= k < stages * team:
            per[k // team][k % team] = t.counted
    return per, info


def figures(per, team):
    stage = []
    for s in per:
        tot = sum(s)
        stage.append(max(s) / (tot / team) if tot else 1.0)
    worker = [sum(per[s][w] for s in range(len(per))) for w in range(team)]
    total = sum(worker)
    return stage, max(worker) / (total / team), total


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--exe", required=True, help="insn_bench built with bench/bench_balance.cpp")
    ap.add_argument("--arch", default="aarch64", choices=sorted(qcount.ARCHES))
    ap.add_argument("--cpu")
    ap.add_argument("--teams", default="2,3,4")
    ap.add_argument("--planned", default="4:3", help="P:T pairs, comma-separated ('' for none)")
    ap.add_argument("--layers", default="r18,other")
    ap.add_argument("--cases", help="only layers whose label contains one of these (comma-separated)")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--json")
    a = ap.parse_args(argv)
    cpu = a.cpu or qcount.ARCHES[a.arch]["cpu"]
    exe = os.path.abspath(a.exe)
    layers = [l for s in a.layers.split(",") for l in LAYERS[s]]
    if a.cases:
        layers = [l for l in layers if any(k in l[0] for k in a.cases.split(","))]
    runs = [(t, t) for t in (int(x) for x in a.teams.split(","))]
    runs += [tuple(int(v) for v in pt.split(":")) for pt in a.planned.split(",") if pt]
    work = [(l, p, t) for l in layers for p, t in runs]
    res = {}
    with concurrent.futures.ThreadPoolExecutor(max(1, a.jobs)) as pool:
        futs = {pool.submit(count, exe, a.arch, cpu, l[1], l[2], t, p): (l, p, t) for l, p, t in work}
        for f in concurrent.futures.as_completed(futs):
            res[futs[f]] = f.result()
    print(f"Per-stage balance (busiest range / even share), {qcount.ARCHES[a.arch]['qemu']} -cpu {cpu}")
    print("| layer | algo | plan:team | stages' units | per stage | call |")
    print("|---|---|---|---|---|---:|")
    out = []
    for l, p, t in work:
        per, info = res[(l, p, t)]
        stage, call, total = figures(per, t)
        units = "/".join(info.get(f"units{s}", "?") for s in range(len(per)))
        print(f"| {l[0]} | {info.get('algo', l[1])} | {p}:{t} | {units} | "
              f"{' '.join(f'{x:.3f}' for x in stage)} | {call:.3f} |")
        out.append({"layer": l[0], "algo": l[1], "planned": p, "team": t, "per": per, "info": info,
                    "stage": stage, "call": call})
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

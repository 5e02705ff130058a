#!/usr/bin/env python3
"""Work balance and overhead of armconv's threads: instructions per guest thread.

For each layer and thread count T, bench/insn_bench runs one call at T threads
(set_num_threads(T), after set-up and a warm-up call that starts the pool)
under armconv's instruction counter (bench/qcount.py), which counts each guest
thread on its own and leaves out what a thread runs between the pool's wait
marks (armconv_pool_wait_begin / _end: spinning, sleeping, waking). So each
thread's count is its share of the work; the thread that ran the most sets
how long the call takes before memory effects.

    build-test/venv/bin/python bench/threads_bench.py [--threads 1,2,4] [--arch aarch64|arm]
        [--cpu cortex-a72] [--sets bench,mobilenet_v2,resnet18] [--wall] [--json FILE] [-j N] [--markdown]

--arch arm counts the armv7 build under qemu-arm (--cpu default cortex-a15), the
default aarch64 under qemu-aarch64 (cortex-a72).

Sets: `bench` is the perf gate's cases for the --arch and --cpu (bench/baseline.json) and
the public sgemm() (sgemm_api_256); `mobilenet_v2` and `resnet18` are every
convolution of torchvision's networks at 1x3x224x224, batch 1, BatchNorm
folded and activations fused, as armconv.load() runs them (exported on the
host by bench/model_bench.py: needs torch, torchvision and onnx, which the
test venv has, and the host build of armconv that scripts/test.sh makes).

Per layer and T > 1:
  units    work units of the call's plan at T threads (the plan cuts finer
           units for more threads), and the team that ran if it is not T
  balance  busiest thread / (one-thread count / T): 1.00 is a perfect split
  overhead all threads' instructions / the one-thread count
A call whose plan runs one thread on purpose (its work, MACs x the family's
cost per MAC, is less than two threads' worth of kMinOpsPerThread: waking the
team would cost more than it saves) has balance T by definition; it is listed
apart ("one thread by design"), not as a balance miss, after checking that the
plan said so (team 1, work below the threshold) and that one thread ran. A
call that ran fewer threads than its plan's team, or a team of 1 with more work
than that, is an accident: reported as a miss.
Per network, summed over its layers: busiest / one-thread total (0.25 at 4
threads would be a perfect 4x), and all threads / one-thread total.

--wall also times each network layer on this machine (the host's armconv,
float32, best of 5 calls after a warm-up) at 1 and 2 threads: one run on a
shared, noisy machine; the ratio is indicative only.

Needs what bench/insncount.py needs (cross compilers, qemu-user, cmake).
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

ROOT = qcount.ROOT
NETS = ("mobilenet_v2", "resnet18")
SHORT = {"mobilenet_v2": "mbv2", "resnet18": "r18"}
ISSUE_LAYER_BOUND = 1.15   # busiest <= 1.15 x (one thread / T) for layers with >= 4 T units
ISSUE_NET_BOUND = 0.30     # summed busiest <= 0.30 x summed one-thread count at 4 threads
ISSUE_OVERHEAD = 1.05      # all threads <= 1.05 x one thread


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# ------------------------------------------------------------------ layers

# The perf gate's GEMM cases call the driver on one plan directly (one thread
# by design); the public sgemm() (sgemm_api_256) is the threaded GEMM case.
DRIVER_ONLY = ("sgemm_256", "gemm_s8_256")


def bench_cases(arch, cpu):
    """The perf gate's cases for this architecture and CPU model (cortex-a76's
    fp16 cases would run the fp32 fallback on cortex-a72: not what they gate)."""
    with open(os.path.join(ROOT, "bench", "baseline.json")) as f:
        base = json.load(f)
    cases = []
    for r in base["runs"]:
        if r["arch"] == arch and r["cpu"] == cpu:
            cases += [c for c in r["cases"] if c not in cases and c not in DRIVER_ONLY]
    return [(c, c) for c in cases] + [("sgemm_api_256", "sgemm_api_256")]


def conv_spec(model_plan, step, consts):
    """insn_bench's spec "conv:CIN,COUT,K,S,P,G,H,W[,relu|relu6]" of a Conv step."""
    n = step.node
    x_shape = model_plan.tensors[n.inputs[0]].shape
    w_shape = consts[n.inputs[1]].shape
    cout, cg, kh, kw = w_shape
    g = n.attrs.get("group", 1)
    pads = n.attrs.get("pads") or [0, 0, 0, 0]
    strides = n.attrs.get("strides") or [1, 1]
    dil = n.attrs.get("dilations") or [1, 1]
    if kh != kw or len(set(pads)) != 1 or strides[0] != strides[1] or dil != [1, 1] or x_shape[2] != x_shape[3]:
        raise ValueError(f"{n.name}: not a square, evenly padded, undilated layer: {w_shape} {n.attrs}")
    act = n.attrs.get("activation")
    suffix = ""
    if act is not None:
        lo, hi = act
        if lo == 0.0 and hi == 6.0:
            suffix = ",relu6"
        elif lo == 0.0 and hi == float("inf"):
            suffix = ",relu"
        else:
            raise ValueError(f"{n.name}: activation {act} has no spec")
    return (f"conv:{x_shape[1]},{cout},{kh},{strides[0]},{pads[0]},{g},{x_shape[2]},{x_shape[3]}{suffix}",
            cg * g == x_shape[1])


def net_layers(names, host_stage, out):
    """{net: [(label, spec)]}: the Conv nodes of torchvision's networks, as armconv runs them."""
    sys.path.insert(0, host_stage)
    import model_bench

    import armconv
    os.makedirs(out, exist_ok=True)
    models = model_bench.export_models(list(names), out)
    res = {}
    for name in names:
        m = armconv.load(models[name][1])
        p = m.plan()
        consts = m._graph.consts
        layers = []
        for i, s in enumerate(st for st in p.steps if st.node.op == "Conv"):
            spec, ok = conv_spec(p, s, consts)
            assert ok
            layers.append((f"{SHORT[name]}.{i:02d} {spec[5:]}", spec))
        res[name] = layers
    return res


# ------------------------------------------------------------------ counting

def count(exe, arch, cpu, case, threads):
    """(per-thread counts, busiest first; plan info) of one call of `case` at `threads`."""
    c = qcount.run(["./" + os.path.basename(exe), case, "1", str(threads)], arch, cpu, region=True,
                   keys=False, cwd=os.path.dirname(exe))
    if c.returncode != 0 or c.regions != 1:
        raise qcount.CounterError(f"{case} at {threads} threads: exit {c.returncode}, {c.regions} regions:"
                                  f"\n{c.stderr[-1000:]}")
    info = {}
    for ln in c.stderr.splitlines():
        if ln.startswith("plan: "):
            info = dict(kv.split("=", 1) for kv in ln[6:].split())
    per = sorted((t.counted for t in c.threads.values() if t.counted), reverse=True)
    return per, info


def wall_times(specs, threads=(1, 2), repeat=5):
    """{spec: {T: best seconds}} on this machine with the host's armconv (float32)."""
    import numpy as np

    import armconv
    rng = np.random.default_rng(0)
    res = {}
    for spec in specs:
        cin, cout, k, s, p, g, h, w = (int(v) for v in spec[5:].split(",")[:8])
        act = spec.split(",")[8] if spec.count(",") == 8 else None
        x = rng.standard_normal((1, cin, h, w)).astype(np.float32)
        wt = rng.standard_normal((cout, cin // g, k, k)).astype(np.float32)
        layer = armconv.Conv2d(wt, rng.standard_normal(cout).astype(np.float32), stride=s, padding=p, groups=g,
                               activation=act)
        y = np.empty(layer.output_shape(1, h, w), np.float32)
        res[spec] = {}
        for t in threads:
            with armconv.threads(t):
                layer(x, out=y)
                best = float("inf")
                for _ in range(repeat):
                    t0 = time.perf_counter()
                    layer(x, out=y)
                    best = min(best, time.perf_counter() - t0)
            res[spec][t] = best
    return res


# ------------------------------------------------------------------ tables

def layer_rows(cases, counts, threads):
    rows = []
    for label, case in cases:
        one = counts[(case, 1)][0][0]
        r = {"label": label, "case": case, "one": one, "algo": counts[(case, 1)][1].get("algo", "")}
        for t in threads:
            if t == 1:
                continue
            per, info = counts[(case, t)]
            team = int(info.get("team", len(per)))
            work, least = float(info.get("work", "nan")), float(info.get("min_work_per_thread", "nan"))
            r[t] = {"units": int(info["units"]) if "units" in info else None,
                    "team": team, "ran": len(per), "stages": int(info.get("stages", 1)),
                    "work": work, "min_work_per_thread": least,
                    # team_for_work (threads.h): one thread below two threads' worth
                    "by_design": team == 1 and len(per) == 1 and work < 2 * least,
                    "busiest": per[0], "total": sum(per), "balance": per[0] / (one / t),
                    "overhead": sum(per) / one}
        rows.append(r)
    return rows


def print_tables(sets, rows_by_set, threads, wall, markdown):
    multi = [t for t in threads if t > 1]
    out = []
    for name in sets:
        rows = rows_by_set[name]
        hdr = ["layer", "algo", "1T Minsns"]
        for t in multi:
            hdr += [f"units@{t}", f"balance@{t}", f"overhead@{t}"]
        if wall:
            hdr += ["host ms 1T", "host ms 2T", "1T/2T"]
        lines = []
        for r in rows:
            cells = [r["label"], r["algo"], f"{r['one'] / 1e6:.2f}"]
            for t in multi:
                x = r[t]
                flag = "*" if balance_miss(x, t) else ""
                units = "-" if x["units"] is None else str(x["units"])
                cells += [units + (f" ({x['team']}T)" if x["team"] != t else ""),
                          "1T by design" if x["by_design"] else f"{x['balance']:.3f}{flag}",
                          f"{x['overhead']:.3f}"]
            if wall:
                wt = wall.get(r["case"])
                cells += [f"{wt[1] * 1e3:.2f}", f"{wt[2] * 1e3:.2f}", f"{wt[1] / wt[2]:.2f}"] if wt else ["-"] * 3
            lines.append(cells)
        one = sum(r["one"] for r in rows)
        cells = [f"sum ({len(rows)} layers)", "", f"{one / 1e6:.2f}"]
        for t in multi:
            busy = sum(r[t]["busiest"] for r in rows)
            tot = sum(r[t]["total"] for r in rows)
            cells += ["", f"{busy / one:.3f} of 1T", f"{tot / one:.3f}"]
        if wall:
            w1 = sum(wall[r["case"]][1] for r in rows if r["case"] in wall)
            w2 = sum(wall[r["case"]][2] for r in rows if r["case"] in wall)
            cells += [f"{w1 * 1e3:.1f}", f"{w2 * 1e3:.1f}", f"{w1 / w2:.2f}"] if w2 else ["-"] * 3
        lines.append(cells)
        out.append(f"\n{name}:")
        if markdown:
            out.append("| " + " | ".join(hdr) + " |")
            out.append("|" + "|".join("---" if i < 2 else "---:" for i in range(len(hdr))) + "|")
            out += ["| " + " | ".join(c) + " |" for c in lines]
        else:
            widths = [max(len(str(x[i])) for x in [hdr] + lines) for i in range(len(hdr))]
            out.append("  ".join(h.ljust(w) if i < 2 else h.rjust(w) for i, (h, w) in enumerate(zip(hdr, widths))))
            for c in lines:
                out.append("  ".join(x.ljust(w) if i < 2 else x.rjust(w) for i, (x, w) in enumerate(zip(c, widths))))
    return "\n".join(out)


def balance_miss(x, t):
    """A layer's figure at t threads beyond the issue's balance bound (layers of at
    least 4 t units), or a call that ran fewer threads than it should have."""
    if x["by_design"]:
        return False
    if x["ran"] < min(x["team"], t) or (x["team"] == 1 and x["units"] and x["units"] > 1):
        return True  # fewer threads than planned, or one thread with work for more
    return (x["units"] or 0) >= 4 * t and x["balance"] > ISSUE_LAYER_BOUND


def one_thread_by_design(rows_by_set, threads):
    """Lines naming the calls that run one thread on purpose."""
    out = []
    for name, rows in rows_by_set.items():
        for r in rows:
            ts = [t for t in threads if t > 1 and r[t]["by_design"]]
            if ts:
                x = r[ts[0]]
                out.append(f"{name} {r['label']} @{','.join(map(str, ts))}: work {x['work']:.0f} < 2 x "
                           f"{x['min_work_per_thread']:.0f} (plan: team 1; {x['ran']} thread ran)")
    return out


def check_bounds(rows_by_set, threads):
    """Lines naming every figure beyond the issue's bounds."""
    bad = []
    for name, rows in rows_by_set.items():
        for t in (t for t in threads if t > 1):
            for r in rows:
                x = r[t]
                if balance_miss(x, t):
                    what = (f"ran {x['ran']} of a team of {x['team']}" if x["ran"] < min(x["team"], t) or
                            x["team"] == 1 else f"balance {x['balance']:.3f} > {ISSUE_LAYER_BOUND}")
                    bad.append(f"{name} {r['label']} @{t}: {what}")
                if x["overhead"] > ISSUE_OVERHEAD:
                    bad.append(f"{name} {r['label']} @{t}: overhead {x['overhead']:.3f} > {ISSUE_OVERHEAD}")
            one = sum(r["one"] for r in rows)
            if t == 4 and name in NETS and sum(r[t]["busiest"] for r in rows) / one > ISSUE_NET_BOUND:
                bad.append(f"{name} @4: summed busiest {sum(r[t]['busiest'] for r in rows) / one:.3f} > "
                           f"{ISSUE_NET_BOUND}")
            if sum(r[t]["total"] for r in rows) / one > ISSUE_OVERHEAD:
                bad.append(f"{name} @{t}: summed overhead > {ISSUE_OVERHEAD}")
    return bad


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", default="1,2,4", help="thread counts (1 is always counted)")
    ap.add_argument("--arch", default="aarch64", choices=sorted(qcount.ARCHES),
                    help="aarch64 (qemu-aarch64) or arm (armv7, qemu-arm)")
    ap.add_argument("--cpu", help="QEMU CPU model (default: cortex-a72 for aarch64, cortex-a15 for arm)")
    ap.add_argument("--sets", default="bench," + ",".join(NETS))
    ap.add_argument("--cases", help="only cases whose label contains one of these (comma-separated)")
    ap.add_argument("--wall", action="store_true", help="also time the network layers on this host, 1 and 2 threads")
    ap.add_argument("--host-stage", default=os.path.join(ROOT, "build-test", "host-py", "stage"),
                    help="the host's armconv build (layer lists and --wall; build it from this tree: "
                         "ARMCONV_TARGETS=host bash scripts/test.sh)")
    ap.add_argument("--build-dir", help="insn_bench's build (default build-bench/<arch>)")
    ap.add_argument("--models", default=os.path.join(ROOT, "build-bench", "models"),
                    help="where the exported networks are kept")
    ap.add_argument("-j", "--jobs", type=int, default=2, help="counts run at once (default 2)")
    ap.add_argument("--json", help="write every count here")
    ap.add_argument("--markdown", action="store_true", help="tables as Markdown")
    a = ap.parse_args(argv)
    a.cpu = a.cpu or qcount.ARCHES[a.arch]["cpu"]
    a.build_dir = a.build_dir or os.path.join(ROOT, "build-bench", a.arch)
    threads = sorted({1} | {int(t) for t in a.threads.split(",")})
    sets = [s for s in a.sets.split(",") if s]
    unknown = [s for s in sets if s not in ("bench",) + NETS]
    if unknown:
        ap.error(f"unknown set(s) {unknown}: choose from bench, {', '.join(NETS)}")
    cases_by_set = {}
    if "bench" in sets:
        cases_by_set["bench"] = bench_cases(a.arch, a.cpu)
    nets = [s for s in sets if s in NETS]
    if nets:
        cases_by_set.update(net_layers(nets, a.host_stage, a.models))
    if a.cases:
        keys = a.cases.split(",")
        cases_by_set = {s: [c for c in cs if any(k in c[0] for k in keys)] for s, cs in cases_by_set.items()}
    wall = {}
    if a.wall:  # first: a few seconds, where the counts take minutes
        sys.path.insert(0, a.host_stage)
        specs = [c for s in nets for _, c in cases_by_set[s]]
        log(f"timing {len(specs)} layers on this host at 1 and 2 threads ...")
        wall = wall_times(specs)
    t0 = time.time()
    exe = insncount.build(a.arch, os.path.abspath(a.build_dir))
    log(f"built insn_bench ({time.time() - t0:.0f} s)")
    work = list(dict.fromkeys((case, t) for cs in cases_by_set.values() for _, case in cs for t in threads))
    counts = {}
    t0 = time.time()
    with concurrent.futures.ThreadPoolExecutor(max(1, a.jobs)) as pool:
        futs = {pool.submit(count, exe, a.arch, a.cpu, case, t): (case, t) for case, t in work}
        for i, f in enumerate(concurrent.futures.as_completed(futs), 1):
            counts[futs[f]] = f.result()
            if i % 20 == 0 or i == len(work):
                log(f"counted {i}/{len(work)} ({time.time() - t0:.0f} s)")
    rows_by_set = {s: layer_rows(cases_by_set[s], counts, threads) for s in sets}
    print(f"Instructions per guest thread, one call, {qcount.ARCHES[a.arch]['qemu']} -cpu {a.cpu} "
          "(pool waiting left out)")
    print(print_tables(sets, rows_by_set, threads, wall, a.markdown))
    bad = check_bounds(rows_by_set, threads)
    print(f"\nbeyond the issue's bounds: {len(bad)}" + "".join(f"\n  {b}" for b in bad))
    alone = one_thread_by_design(rows_by_set, threads)
    if alone:
        print(f"\none thread by design (less work than waking the team costs): {len(alone)}" +
              "".join(f"\n  {b}" for b in alone))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"arch": a.arch, "cpu": a.cpu, "threads": threads, "sets": rows_by_set,
                       "wall": {k: {str(t): v for t, v in d.items()} for k, d in wall.items()}}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

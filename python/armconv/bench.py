"""Benchmark armconv on this CPU: is it worth it here?

For each layer (MobileNetV2 and ResNet-18 layers by default, or your own with
--shape) it times armconv's float32 convolution (the algorithm `auto` picks)
and its int8 QConv2d, reports GFLOPS and the % of this core's peak, and times
the same convolution in numpy (im2col + np.matmul) and, when installed,
PyTorch (torch.nn.functional.conv2d) and onnxruntime, all on one thread, or
all on N threads with --threads N (then the % of peak is of N cores' peak,
and the "team" column says how many threads armconv's call used: a layer
with little work runs on fewer). Every armconv result is checked against a
float64 reference.

The core is read from /proc/cpuinfo (MIDR) and its clock from cpufreq. Under
emulation (qemu-user) or on a non-ARM CPU the figures mean nothing and a
warning says so.

Shapes (--shape, repeatable): CIN,COUT,K,H[xW][,stride=S][,pad=P][,groups=G]
  e.g. 64,128,3,56  (3x3, 56x56 map, padding 1)   or   96,96,3,28,stride=2,groups=96
  K is a square kernel; pad defaults to K // 2; groups=CIN is depthwise.
"""
import argparse
import json
import os
import sys
import time

import numpy as np

import armconv

from . import _cpuinfo, _peers

# (label, in_channels, out_channels, kernel, stride, padding, groups, h, w)
LAYERS = [
    ("MobileNetV2 conv3x3/2 3->32 224x224", 3, 32, 3, 2, 1, 1, 224, 224),
    ("MobileNetV2 conv1x1 24->144 56x56", 24, 144, 1, 1, 0, 1, 56, 56),
    ("MobileNetV2 dw3x3 144 56x56", 144, 144, 3, 1, 1, 144, 56, 56),
    ("MobileNetV2 conv1x1 96->576 14x14", 96, 576, 1, 1, 0, 1, 14, 14),
    ("MobileNetV2 dw3x3/2 576 14x14", 576, 576, 3, 2, 1, 576, 14, 14),
    ("MobileNetV2 conv1x1 320->1280 7x7", 320, 1280, 1, 1, 0, 1, 7, 7),
    ("ResNet-18 conv3x3 64->64 56x56", 64, 64, 3, 1, 1, 1, 56, 56),
    ("ResNet-18 conv3x3/2 64->128 56x56", 64, 128, 3, 2, 1, 1, 56, 56),
    ("ResNet-18 conv3x3 128->128 28x28", 128, 128, 3, 1, 1, 1, 28, 28),
    ("ResNet-18 conv3x3 256->256 14x14", 256, 256, 3, 1, 1, 1, 14, 14),
    ("ResNet-18 conv3x3 512->512 7x7", 512, 512, 3, 1, 1, 1, 7, 7),
]
QUICK = ("MobileNetV2 conv1x1 96->576 14x14", "MobileNetV2 dw3x3 144 56x56", "ResNet-18 conv3x3 256->256 14x14")
ALGOS = ("gemm", "strassen", "im2col", "depthwise3x3", "depthwise5x5", "depthwise", "winograd23", "winograd43",
         "winograd63")
# fp32 results are within ~1e-6 of the output's scale (Strassen within a few
# times that); Winograd trades some accuracy for speed (README, Accuracy);
# int8 carries quantization error.
ERR_LIMIT = {"fp32": 1e-4, "winograd23": 1e-4, "winograd43": 1e-3, "winograd63": 1e-3, "winograd63+23": 1e-3,
             "winograd63+43": 1e-3, "winograd43+23": 1e-3, "winograd23s2": 1e-4,
             "winograd43s2": 1e-3, "winograd43s2+23s2": 1e-3, "int8": 0.05}


# ------------------------------------------------------------------ options

def parse_shape(text):
    """--shape CIN,COUT,K,H[xW][,stride=S][,pad=P][,groups=G] -> a layer tuple."""
    example = "e.g. --shape 64,128,3,56 or --shape 96,96,3,28x28,stride=2,groups=96"
    parts = [p.strip() for p in text.split(",") if p.strip()]
    pos = [p for p in parts if "=" not in p]
    kw = dict(p.split("=", 1) for p in parts if "=" in p)
    if len(pos) != 4:
        raise argparse.ArgumentTypeError(f"'{text}': expected CIN,COUT,K,H[xW] and optional "
                                         f"stride=, pad=, groups= ({example})")
    unknown = set(kw) - {"stride", "pad", "groups"}
    if unknown:
        raise argparse.ArgumentTypeError(f"'{text}': unknown key(s) {', '.join(sorted(unknown))}: "
                                         f"use stride=, pad=, groups= ({example})")

    def num(name, s, lo):
        try:
            v = int(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}': {name} must be an integer, got '{s}' ({example})")
        if v < lo:
            raise argparse.ArgumentTypeError(f"'{text}': {name} must be >= {lo}, got {v} ({example})")
        return v

    cin, cout, k = num("CIN", pos[0], 1), num("COUT", pos[1], 1), num("K", pos[2], 1)
    hw = pos[3].lower().split("x")
    if len(hw) > 2:
        raise argparse.ArgumentTypeError(f"'{text}': map size must be H or HxW, got '{pos[3]}' ({example})")
    h = num("H", hw[0], 1)
    w = num("W", hw[1], 1) if len(hw) == 2 else h
    stride = num("stride", kw.get("stride", "1"), 1)
    pad = num("pad", kw.get("pad", str(k // 2)), 0)
    groups = num("groups", kw.get("groups", "1"), 1)
    if cin % groups or cout % groups:
        raise argparse.ArgumentTypeError(f"'{text}': groups={groups} must divide CIN={cin} and COUT={cout}")
    if h + 2 * pad < k or w + 2 * pad < k:
        raise argparse.ArgumentTypeError(f"'{text}': a {k}x{k} kernel does not fit a {h}x{w} map "
                                         f"with padding {pad}")
    kind = "dw" if groups == cin == cout and groups > 1 else "conv"
    label = f"{kind}{k}x{k}{f'/{stride}' if stride > 1 else ''} {cin}->{cout} {h}x{w}"
    if groups > 1 and kind == "conv":
        label += f" g{groups}"
    return (label, cin, cout, k, stride, pad, groups, h, w)


def positive_int(text):
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got '{text}'")
    if v < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {v}")
    return v


def thread_count(text):
    v = positive_int(text)
    if v > armconv._armconv.MAX_THREADS:
        raise argparse.ArgumentTypeError(f"expected at most {armconv._armconv.MAX_THREADS} threads, got {v}")
    return v


def peer_list(text):
    names = [p.strip() for p in text.split(",") if p.strip()]
    bad = [p for p in names if p not in _peers.NAMES + ("none",)]
    if bad or not names:
        raise argparse.ArgumentTypeError(f"unknown peer(s) '{text}': choose from "
                                         f"{', '.join(_peers.NAMES)}, or none")
    return [] if names == ["none"] else names


def build_parser(prog="python -m armconv"):
    ap = argparse.ArgumentParser(prog=prog, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shape", action="append", type=parse_shape, metavar="SPEC",
                    help="benchmark this layer instead of the default list (repeatable; format above)")
    ap.add_argument("--quick", action="store_true", help="three of the default layers only")
    ap.add_argument("--list", action="store_true", help="print the layers that would run and exit")
    ap.add_argument("--repeat", type=positive_int, default=5, metavar="N",
                    help="timed runs per measurement after one warm-up; the best is shown (default 5)")
    ap.add_argument("--algos", choices=("auto", "all"), default="auto",
                    help="auto: the algorithm armconv picks for each layer (default); all: also every "
                         "other kernel family that can run it")
    ap.add_argument("--no-int8", action="store_true", help="skip the int8 (QConv2d) rows")
    ap.add_argument("--peers", type=peer_list, default=list(_peers.NAMES), metavar="LIST",
                    help="comparison columns, comma-separated from numpy,torch,onnxruntime, or none "
                         "(default: all; those not installed show as such)")
    ap.add_argument("--json", action="store_true",
                    help="print the results as one JSON document on stdout (progress stays on stderr)")
    ap.add_argument("--plot", metavar="FILE.png",
                    help="save a bar chart of GFLOPS per layer against the core's peak (needs matplotlib)")
    ap.add_argument("--threads", type=thread_count, default=1, metavar="N",
                    help="run armconv and the peers on N threads (default 1); results are the same bits "
                         "at any N")
    return ap


# ------------------------------------------------------------------ running

def timeit(fn, repeat):
    fn()  # warm-up (page faults, caches, lazy initialisation)
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


class Progress:
    """'[3/11] ResNet-18 conv3x3 ...: torch' on stderr; rewritten in place on a terminal."""

    def __init__(self, total):
        self.total, self.i = total, 0
        self.tty = sys.stderr.isatty()

    def layer(self, label):
        self.i += 1
        self.label = label

    def step(self, what):
        msg = f"[{self.i}/{self.total}] {self.label}: {what}"
        if self.tty:
            sys.stderr.write("\r\033[K" + msg)
        else:
            sys.stderr.write(msg + "\n")
        sys.stderr.flush()

    def done(self):
        if self.tty:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def run_layer(layer, a, peak, int8_peak, rng, progress, peers):
    label, cin, cout, k, s, p, g, h, w = layer
    x = rng.standard_normal((1, cin, h, w)).astype(np.float32)
    wt = (rng.standard_normal((cout, cin // g, k, k)) / np.sqrt(cin // g * k * k)).astype(np.float32)
    b = rng.standard_normal(cout).astype(np.float32)
    progress.step("float64 reference")
    ref = _peers.numpy_conv(x.astype(np.float64), wt.astype(np.float64), b.astype(np.float64), s, p, g)
    flops = 2.0 * ref.size * (cin // g) * k * k
    scale = float(np.abs(ref).max()) or 1.0

    peer_ms = {}
    for name in peers:
        progress.step(name)
        try:
            fn = _peers.make(name, x, wt, b, s, p, g, a.threads)
            with _peers.limit_threads(name, a.threads):
                y = fn()
                if np.abs(y - ref).max() / scale > 1e-3:  # a peer we would compare wrongly
                    peer_ms[name] = None
                    continue
                peer_ms[name] = timeit(fn, a.repeat) * 1e3
        except _peers.PeerUnavailable:
            peer_ms[name] = None
    best_peer = min((v for v in peer_ms.values() if v), default=None)

    rows = []
    auto = armconv.Conv2d(wt, b, stride=s, padding=p, groups=g)
    auto_algo = auto.algo_for(h, w)
    algos = [auto_algo] + ([x_ for x_ in ALGOS if x_ != auto_algo] if a.algos == "all" else [])
    for algo in algos:
        try:
            layer_obj = auto if algo == auto_algo else armconv.Conv2d(wt, b, stride=s, padding=p, groups=g, algo=algo)
        except ValueError:
            continue  # this family cannot run this shape
        progress.step(f"armconv {algo}")
        y = layer_obj(x)
        err = float(np.abs(y - ref).max() / scale)
        t = timeit(lambda: layer_obj(x), a.repeat)
        gflops = flops / t / 1e9
        rows.append({"layer": label, "kind": "fp32", "algo": algo, "auto": algo == auto_algo,
                     "team": layer_obj._impl._plan(1, h, w)["team"], "ms": t * 1e3, "gflops": gflops, "pct_peak": 100 * gflops / peak if peak else None,
                     "max_rel_err": err, "ok": err <= ERR_LIMIT.get(algo, ERR_LIMIT["fp32"]),
                     "peers_ms": peer_ms if algo == auto_algo else {},
                     "speedup": best_peer / (t * 1e3) if best_peer and algo == auto_algo else None})
    if g == 1 and not a.no_int8:
        # int8: input quantized per tensor, weights per output channel by
        # QConv2d, float32 out; the error is quantization error.
        progress.step("armconv int8")
        xs = float(np.abs(x).max()) / 127 or 1.0
        q = armconv.QConv2d(wt, b, input_scale=xs, stride=s, padding=p, groups=g)
        xq = armconv.quantize(x, xs)
        err = float(np.abs(q(xq) - ref).max() / scale)
        t = timeit(lambda: q(xq), a.repeat)
        gops = flops / t / 1e9
        rows.append({"layer": label, "kind": "int8", "algo": q.algo, "auto": True,
                     "team": q._impl._plan(1, h, w)["team"], "ms": t * 1e3,
                     "gflops": gops, "pct_peak": 100 * gops / int8_peak if int8_peak else None,
                     "max_rel_err": err, "ok": err <= ERR_LIMIT["int8"], "peers_ms": {},
                     "speedup": best_peer / (t * 1e3) if best_peer else None})
    return {"layer": label, "shape": {"in_channels": cin, "out_channels": cout, "kernel": k, "stride": s,
                                      "padding": p, "groups": g, "h": h, "w": w},
            "flops": flops, "rows": rows}


# ------------------------------------------------------------------ output

def fmt(v, spec, width):
    return f"{v:{width}{spec}}" if v is not None else f"{'-':>{width}}"


def print_table(results, peers, out):
    cols = "".join(f" {n[:11] + ' ms':>14}" for n in peers)
    hdr = (f"{'layer':36} {'armconv':13} {'team':>4} {'ms':>8} {'GFLOPS':>7} {'%peak':>6}{cols} {'speed-up':>8} "
           f"{'max err':>8}")
    print(hdr, file=out)
    print("-" * len(hdr), file=out)
    for res in results:
        first = True
        for r in res["rows"]:
            name = ("int8 " if r["kind"] == "int8" else "") + r["algo"] + ("*" if r["auto"] and r["kind"] == "fp32" else "")
            peer_cells = "".join(fmt(r["peers_ms"].get(n), ".2f", 15) if r["peers_ms"] else f"{'':15}" for n in peers)
            sp = f"{r['speedup']:7.2f}x" if r["speedup"] else f"{'':>8}"
            pct = f"{r['pct_peak']:5.0f}%" if r["pct_peak"] is not None else f"{'-':>6}"
            print(f"{res['layer'] if first else '':36} {name:13} {r['team']:4d} {r['ms']:8.3f} {r['gflops']:7.2f} {pct}"
                  f"{peer_cells} {sp} {r['max_rel_err']:8.1e}{'' if r['ok'] else '  FAIL'}", file=out)
            first = False
    print("\n* = the algorithm armconv's auto picks for this map; int8 rows: QConv2d, GOPS against the int8 "
          "peak;\nteam = threads armconv's call ran on; speed-up = fastest peer's time / armconv's; max err "
          "relative to the output's largest value", file=out)


def plot(results, peers, peak, core_name, path, threads=1):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [r["layer"] for r in results]
    series = {"armconv": [next((x["gflops"] for x in r["rows"] if x["kind"] == "fp32" and x["auto"]), 0)
                          for r in results]}
    for n in peers:
        vals = []
        for r in results:
            auto = next((x for x in r["rows"] if x["kind"] == "fp32" and x["auto"]), None)
            ms = auto["peers_ms"].get(n) if auto else None
            vals.append(r["flops"] / (ms * 1e-3) / 1e9 if ms else 0)
        if any(vals):
            series[n] = vals
    fig, ax = plt.subplots(figsize=(max(6, 1.1 * len(labels) + 2), 5))
    width = 0.8 / len(series)
    for i, (name, vals) in enumerate(series.items()):
        ax.bar([j + i * width for j in range(len(labels))], vals, width, label=name)
    if peak:
        ax.axhline(peak, color="k", linestyle="--", linewidth=1,
                   label=f"fp32 peak of {threads} core{'s' if threads > 1 else ''} ({peak:.1f} GFLOPS)")
    ax.set_xticks([j + 0.4 - width / 2 for j in range(len(labels))])
    ax.set_xticklabels(labels, rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("GFLOPS (one thread)" if threads == 1 else f"GFLOPS ({threads} threads)")
    ax.set_title(f"armconv {armconv.__version__} float32 convolution on {core_name}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


# ------------------------------------------------------------------ main

def main(argv=None, prog="python -m armconv"):
    ap = build_parser(prog)
    a = ap.parse_args(argv)
    layers = a.shape or [lay for lay in LAYERS if not a.quick or lay[0] in QUICK]
    if a.list:
        for lay in layers:
            label, cin, cout, k, s, p, g, h, w = lay
            print(f"{label:36} in_channels={cin} out_channels={cout} kernel={k} stride={s} padding={p} "
                  f"groups={g} map={h}x{w}")
        return 0
    if a.plot:
        if not a.plot.lower().endswith(".png"):
            print(f"{prog}: --plot writes a PNG file: give a name ending in .png, not '{a.plot}'", file=sys.stderr)
            return 2
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            print(f"{prog}: --plot needs matplotlib, which is not installed: pip install matplotlib "
                  "(or leave out --plot)", file=sys.stderr)
            return 2

    info = armconv.cpu_info()
    det = _cpuinfo.detect()
    core = det["core"]
    peak = core.peak_gflops() if core and not det["emulated"] else None
    int8_peak = core.peak_int8_gops(info["dotprod"]) if core and not det["emulated"] else None
    # N threads: the peak of N cores (of as many as this process may use).
    cores_used = min(a.threads, info["cpus"])
    peak = peak * cores_used if peak else peak
    int8_peak = int8_peak * cores_used if int8_peak else int8_peak
    warnings = _cpuinfo.warnings_for(det, info)
    if a.threads > info["cpus"]:
        warnings.append(f"--threads {a.threads} is more than the {info['cpus']} CPUs this process may run on")
    if core and not det["emulated"] and core.mhz is None and core.known:
        warnings.append("clock not readable from cpufreq: no GFLOPS peak, no % of peak shown")
    peers = [n for n in a.peers]
    versions = {n: _version(n) for n in peers}

    head = sys.stderr if a.json else sys.stdout
    on = "one thread" if a.threads == 1 else f"{a.threads} threads"
    print(f"armconv {armconv.__version__} benchmark: {on}, best of {a.repeat} runs", file=head)
    if det["cores"] and not det["emulated"]:
        print("CPU: " + " + ".join(c.describe() for c in det["cores"]) + f" ({det['machine']})", file=head)
        if core and peak:
            i8 = "sdot" if info["dotprod"] else "smull"
            extra = f", int8 ({i8}) peak {int8_peak:.1f} GOPS" if int8_peak else ""
            what = f"one {core.name}" if cores_used == 1 else f"{cores_used} {core.name} cores"
            print(f"peak of {what}: fp32 {peak:.1f} GFLOPS ({core.fp32_flop_per_cycle} FLOP/cycle)"
                  f"{extra}", file=head)
    else:
        print(f"CPU: {det['machine']}", file=head)
    print(f"features: neon={info['neon']} dotprod={info['dotprod']} fp16={info['fp16']} i8mm={info['i8mm']}; "
          "kernels: " + ", ".join(f"{k}={v}" for k, v in info["kernels"].items()), file=head)
    if peers:
        print(f"peers ({on}): " + ", ".join(f"{n} {versions[n] or 'not installed'}" for n in peers), file=head)
    if "numpy" in peers and not _peers.available("threadpoolctl") and os.environ.get("OPENBLAS_NUM_THREADS") != "1":
        warnings.append(f"numpy's BLAS may use another number of threads than armconv ({a.threads}): install "
                        f"threadpoolctl, or set OPENBLAS_NUM_THREADS={a.threads}, for a comparable numpy column")
    for wmsg in warnings:
        print(f"WARNING: {wmsg}", file=sys.stderr)
    print(file=head)

    rng = np.random.default_rng(0)
    progress = Progress(len(layers))
    results = []
    installed = [n for n in peers if versions[n]]
    with armconv.threads(a.threads):
        for lay in layers:
            progress.layer(lay[0])
            results.append(run_layer(lay, a, peak, int8_peak, rng, progress, installed))
    progress.done()

    failures = sum(not r["ok"] for res in results for r in res["rows"])
    if a.json:
        doc = {"armconv": armconv.__version__, "machine": det["machine"], "emulated": det["emulated"],
               "cores": [c.as_dict() for c in det["cores"]], "peak_gflops": peak, "peak_int8_gops": int8_peak,
               "cpu_info": info, "threads": a.threads, "repeat": a.repeat, "peers": versions, "warnings": warnings,
               "layers": results}
        json.dump(doc, sys.stdout, indent=1)
        print()
    else:
        print_table(results, installed, sys.stdout)
    if a.plot:
        plot(results, installed, peak, core.name if core and not det["emulated"] else det["machine"], a.plot,
             a.threads)
        print(f"plot: {os.path.abspath(a.plot)}", file=sys.stderr)
    if failures:
        print(f"{failures} result(s) outside the error limit", file=sys.stderr)
        return 1
    return 0


def _version(name):
    if name == "numpy":
        return np.__version__
    if not _peers.available(name):
        return None
    import importlib

    return getattr(importlib.import_module(name), "__version__", "?")

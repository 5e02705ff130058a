"""The main job: ``python -m armconv [bench] [--repeat N] [--quick]``.

Prints cpu_info(), then runs every algorithm that applies on a few
representative layer shapes (MobileNet/ResNet-like), checks each result
against a float64 numpy reference and prints time, GFLOPS and error.
"""
import argparse
import sys
import time

import numpy as np

import armconv

# (label, in_channels, out_channels, kernel, stride, padding, groups, h, w)
SHAPES = [
    ("conv1x1 64->64 56x56", 64, 64, 1, 1, 0, 1, 56, 56),
    ("conv1x1 128->128 28x28", 128, 128, 1, 1, 0, 1, 28, 28),
    ("conv3x3 64->64 28x28", 64, 64, 3, 1, 1, 1, 28, 28),
    ("conv3x3 32->32 56x56", 32, 32, 3, 1, 1, 1, 56, 56),
    ("conv3x3/2 32->64 56x56", 32, 64, 3, 2, 1, 1, 56, 56),
    ("dw3x3 64 56x56", 64, 64, 3, 1, 1, 64, 56, 56),
    ("dw3x3/2 64 56x56", 64, 64, 3, 2, 1, 64, 56, 56),
]
QUICK = {"conv1x1 64->64 56x56", "conv3x3 64->64 28x28", "dw3x3 64 56x56"}
ALGOS = ["gemm", "im2col", "depthwise3x3", "winograd63"]


def reference(x, w, b, stride, pad, groups):
    """float64 direct convolution (one kernel tap at a time)."""
    x = x.astype(np.float64)
    w = w.astype(np.float64)
    n, c, h, wd = x.shape
    cout, cg, kh, kw = w.shape
    ho = (h + 2 * pad - kh) // stride + 1
    wo = (wd + 2 * pad - kw) // stride + 1
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    y = np.zeros((n, cout, ho, wo))
    mg = cout // groups
    for g in range(groups):
        xs = xp[:, g * cg:(g + 1) * cg]
        ws = w[g * mg:(g + 1) * mg]
        for ky in range(kh):
            for kx in range(kw):
                patch = xs[:, :, ky:ky + stride * (ho - 1) + 1:stride, kx:kx + stride * (wo - 1) + 1:stride]
                y[:, g * mg:(g + 1) * mg] += np.einsum("nchw,mc->nmhw", patch, ws[:, :, ky, kx])
    return y + b.astype(np.float64)[None, :, None, None]


def timeit(fn, repeat):
    fn()  # warm up (page faults, caches)
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m armconv", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", nargs="?", default="bench", choices=["bench"])
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per case (best is shown)")
    ap.add_argument("--quick", action="store_true", help="three shapes only")
    a = ap.parse_args(argv)

    info = armconv.cpu_info()
    print(f"armconv {armconv.__version__} on {info['arch']}: neon={info['neon']} "
          f"dotprod={info['dotprod']} fp16={info['fp16']} i8mm={info['i8mm']}")
    print("kernels: " + ", ".join(f"{k}={v}" for k, v in info["kernels"].items()))
    print()
    rng = np.random.default_rng(0)
    hdr = f"{'layer':26} {'algo':13} {'ms':>9} {'GFLOPS':>8} {'max rel err':>12}"
    print(hdr)
    print("-" * len(hdr))
    failures = 0
    for label, cin, cout, k, s, p, g, h, w in SHAPES:
        if a.quick and label not in QUICK:
            continue
        x = rng.standard_normal((1, cin, h, w)).astype(np.float32)
        wt = (rng.standard_normal((cout, cin // g, k, k)) / np.sqrt(cin // g * k * k)).astype(np.float32)
        b = rng.standard_normal(cout).astype(np.float32)
        ref = reference(x, wt, b, s, p, g)
        flops = 2.0 * ref.size * (cin // g) * k * k
        scale = np.abs(ref).max()
        auto = armconv.Conv2d(wt, b, stride=s, padding=p, groups=g).algo
        for algo in ALGOS:
            try:
                layer = armconv.Conv2d(wt, b, stride=s, padding=p, groups=g, algo=algo)
            except ValueError:
                continue  # this family does not run this shape
            y = layer(x)
            err = float(np.abs(y - ref).max() / scale)
            t = timeit(lambda: layer(x), a.repeat)
            # fp32 direct/GEMM results are within ~1e-6 of the output scale;
            # Winograd F(6,3) trades some accuracy for speed (see README).
            limit = 1e-3 if algo == "winograd63" else 1e-4
            ok = err <= limit
            failures += not ok
            mark = "*" if algo == auto else " "
            print(f"{label:26} {algo + mark:13} {t * 1e3:9.3f} {flops / t / 1e9:8.2f} "
                  f"{err:12.2e}{'' if ok else '  FAIL'}")
        if g == 1:
            # int8: input quantized per tensor, weights per output channel by
            # QConv2d; float32 out. The error is quantization error (both
            # operands rounded to 8 bits), far above fp32 rounding.
            xs = float(np.abs(x).max()) / 127
            q = armconv.QConv2d(wt, b, input_scale=xs, stride=s, padding=p, groups=g)
            xq = armconv.quantize(x, xs)
            y = q(xq)
            err = float(np.abs(y - ref).max() / scale)
            t = timeit(lambda: q(xq), a.repeat)
            ok = err <= 0.05
            failures += not ok
            print(f"{label:26} {'int8 ' + q.algo:13} {t * 1e3:9.3f} {flops / t / 1e9:8.2f} "
                  f"{err:12.2e}{'' if ok else '  FAIL'}")
    print("\n* = the algorithm `auto` chooses for the layer; int8 rows: QConv2d (GOPS)")
    if failures:
        print(f"{failures} result(s) outside the error limit", file=sys.stderr)
        return 1
    return 0

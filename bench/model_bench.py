#!/usr/bin/env python3
"""Whole-model instructions per inference under qemu-user: armconv next to
onnxruntime, same .onnx, same ARM Python, one thread.

    python3 bench/model_bench.py [--cpu cortex-a72] [-k 2] [--models mobilenet_v2,resnet18]
    python3 bench/model_bench.py --precision int8 [--layers auto|all] [--cpu cortex-a76] ...

On the host: torch exports torchvision's networks (random weights, eval mode,
1x3x224x224) with torch.onnx.export (dynamo) and armconv converts each to its
numpy-only .npz; onnxruntime runs the .onnx. Under qemu-aarch64 (the ARM
Python 3.11 that scripts/test.sh builds, with armconv's aarch64 wheel from
build-test/aarch64-py/stage and onnxruntime's aarch64 wheel from PyPI)
bench/model_guest.py runs each engine 1 and 1+K times; the difference of the
two instruction counts divided by K is one inference (loading, planning and
first-touch costs cancel). armconv is also run with only its glue nodes and
with no node at all, which splits its count into conv/fully connected layers,
glue (pooling, elementwise, ...) and the call's fixed cost.

Needs: scripts/test.sh run once with the host and aarch64 targets
(ARMCONV_TARGETS="host aarch64"), so that the venv (torch, torchvision, onnx),
the ARM sysroot and both armconv builds exist; and an instruction counter:
bench/qcount.py when present, else a program given by --insncount (or
$INSNCOUNT) with the command line `insncount -a ARCH -c CPU -L SYSROOT -n 0
-- PROGRAM...` that prints "insns N" on stderr.

onnxruntime's aarch64 wheel crashes at import under qemu-user when
/proc/cpuinfo describes the x86 host (qemu passes it through); the guest gets
a sysroot overlay (bench/guest_root.py) whose proc/cpuinfo and
/sys/devices/system/cpu describe the emulated core on its Raspberry Pi (qemu
resolves absolute paths under -L first), and ORT_DISABLE_TELEMETRY=1.

--precision int8: the host calibrates each converted model
(Model.quantize on 8 random normal 1x3x224x224 inputs, seed 1: random
weights have no real inputs either) and saves NAME_int8[_all].npz; the
guest loads it with precision="int8", which picks the int8 layers for the
emulated CPU (--layers all: every convolution). The table then has the
float32 model's count, the int8 model's (and of it its Quantize nodes, the
float32 -> int8 input conversions, and its other glue, and of that its Add
nodes: the residual Adds, float32 or int8), and the int8
output's error against float32 on 4 random inputs (an uncounted qemu run).
--precision int8+fp16: the same calibrated file loaded at precision
"int8+fp16" (on cortex-a76 the layers that stay float run fp16 where that
counts fewer instructions).
--precision fp16: the converted (uncalibrated) file loaded at precision
"fp16" (on cortex-a76 the convolutions run half precision where that counts
fewer instructions than float32, armconv/_model/int8.py FP16_RATES; the
others float32): the same table, with no Quantize column (an fp16 model has
no Quantize node), and the fp16 output's error against float32. (The
random-weight MobileNetV2 export has identity BatchNorm layers: its
activations shrink to ~3e-9 by the last layers, below binary16's smallest
subnormal, 6e-8, so its fp16 output is all but zero: error 1.0 against
float32. The counts do not depend on the values; ResNet-18's error is
1.4e-3. tests/model_zoo.py's fixtures randomize BatchNorm and stay in range.)
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from guest_root import CORES, NUMPY, ORT, arm_sysroot, guest_site, overlay  # noqa: E402
GUEST = os.path.join(ROOT, "bench", "model_guest.py")


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# ------------------------------------------------------------------ host side

def export_models(names, out):
    """name -> (.onnx, .npz, MACs) at 1x3x224x224 (host torch + host armconv)."""
    import numpy as np
    import torch
    import torchvision

    import armconv
    res = {}
    for name in names:
        onnx_path = os.path.join(out, f"{name}.onnx")
        npz_path = os.path.join(out, f"{name}.npz")
        if not (os.path.exists(onnx_path) and os.path.exists(npz_path)):
            torch.manual_seed(0)
            module = getattr(torchvision.models, name)(weights=None).eval()
            x = torch.randn(1, 3, 224, 224)
            prog = torch.onnx.export(module, (x,), dynamo=True, input_names=["input"],
                                     output_names=["output"], verbose=False)
            prog.save(onnx_path)
            armconv.load(onnx_path).save(npz_path)
        model = armconv.load(npz_path)
        plan = model.plan()
        res[name] = (onnx_path, npz_path, sum(s.macs for s in plan.steps),
                     sum(s.macs for s in plan.steps if not s.glue), np.__version__)
    return res


# ------------------------------------------------------------------ counting

class Counter:
    """Whole-run instruction count of an ARM program under qemu-user."""

    def __init__(self, insncount, cpu):
        self.cpu = cpu
        self.tool = insncount
        self.qcount = None
        if not insncount and os.path.exists(os.path.join(ROOT, "bench", "qcount.py")):
            sys.path.insert(0, os.path.join(ROOT, "bench"))
            import qcount
            self.qcount = qcount
        elif not insncount:
            sys.exit("no instruction counter: bench/qcount.py is missing; give --insncount or $INSNCOUNT")

    def count(self, root, argv, env):
        if self.qcount is not None:
            c = self.qcount.run(argv, arch="aarch64", cpu=self.cpu, sysroot=root, env=env, keys=False)
            if c.returncode != 0:
                raise RuntimeError(f"{' '.join(argv[1:])} failed ({c.returncode}):\n{c.stderr[-3000:]}")
            return c.total
        r = subprocess.run([self.tool, "-a", "aarch64", "-c", self.cpu, "-L", root, "-n", "0", "--", *argv],
                           capture_output=True, text=True, env=env)
        m = re.search(r"^insns (\d+)", r.stderr, re.M)
        if r.returncode != 0 or not m:
            raise RuntimeError(f"{' '.join(argv[1:])} failed ({r.returncode}):\n{r.stdout[-2000:]}{r.stderr[-3000:]}")
        return int(m.group(1))


def per_inference(counter, root, py, env, engine, path, k, precision="fp32"):
    argv = [py, GUEST, engine, path]
    n1 = counter.count(root, argv + ["1", "1,3,224,224", precision], env)
    nk = counter.count(root, argv + [str(1 + k), "1,3,224,224", precision], env)
    return (nk - n1) / k


def quantize_models(models, out, layers):
    """name -> the calibrated .npz (host armconv; see the module docstring)."""
    import numpy as np

    import armconv
    res = {}
    for name, (_, npz_path, *_rest) in models.items():
        path = os.path.join(out, f"{name}_int8{'' if layers == 'auto' else '_' + layers}.npz")
        if not os.path.exists(path):
            cal = np.random.default_rng(1).standard_normal((8, 3, 224, 224)).astype(np.float32)
            armconv.load(npz_path).quantize(cal, layers=layers).save(path)
        res[name] = path
    return res


def int8_rows(a, counter, root, py, env, models):
    """The int8 / int8+fp16 / fp16 table (the module docstring). For fp16 the
    columns named int8 hold the fp16 model's counts (no Quantize nodes: not run)."""
    half = a.precision == "fp16"
    paths = ({name: m[1] for name, m in models.items()} if half else quantize_models(models, a.out, a.layers))
    rows = {}
    for name, (_, npz_path, macs, *_rest) in models.items():
        r = {"macs": macs}
        p8 = a.precision
        runs = [("fp32", "armconv", npz_path, "fp32"), ("int8", "armconv", paths[name], p8),
                ("int8-noquant", "armconv-noquant", paths[name], p8),
                ("int8-noadd", "armconv-noquant-noadd", paths[name], p8),
                ("int8-layers", "armconv-layers", paths[name], p8)]
        for key, engine, path, prec in runs:
            if half and key == "int8-noquant":
                continue
            log(f"{name}: counting {key if not half else key.replace('int8', 'fp16')} on {a.cpu} ...")
            r[key] = per_inference(counter, root, py, env, engine, path, a.k, prec)
        if half:
            r["int8-noquant"] = r["int8"]
        log(f"{name}: {a.precision} against fp32 on {a.cpu} ...")
        c = subprocess.run(["qemu-aarch64", "-cpu", a.cpu, "-L", root, py, GUEST, "compare", paths[name], "4",
                            "1,3,224,224", a.precision], capture_output=True, text=True, env=env)
        if c.returncode != 0:
            raise RuntimeError(f"compare failed:\n{c.stderr[-3000:]}")
        r["error"] = c.stdout.strip()
        rows[name] = r
    print(f"Instructions per inference, qemu-aarch64 -cpu {a.cpu}, one thread, 1x3x224x224 "
          f"(millions; K = {a.k}); {a.precision}" + ("" if half else f": layers={a.layers!r}"))
    lo = "fp16" if half else "int8"
    print(f"{'model':14} {'GMACs':>6} {'fp32':>8} {lo:>8} {lo + '/fp32':>9} {'quantize':>9} "
          f"{'other glue':>10} {'of it Add':>9}")
    for name, r in rows.items():
        # (model_guest.py: the partial runs of an int8 model leave its Quantize nodes out)
        quant = r["int8"] - r["int8-noquant"]
        glue = r["int8-noquant"] - r["int8-layers"]
        add = r["int8-noquant"] - r["int8-noadd"]
        print(f"{name:14} {r['macs'] / 1e9:6.3f} {r['fp32'] / 1e6:8.1f} {r['int8'] / 1e6:8.1f} "
              f"{r['int8'] / r['fp32']:9.3f} {quant / 1e6:9.2f} {glue / 1e6:10.2f} {add / 1e6:9.2f}")
        print(f"  {name}: {r['error']}")
        r.update(quantize=quant, glue=glue, add=add)
        if half:  # the --json keys say what ran
            rows[name] = {k.replace("int8", "fp16"): v for k, v in r.items() if k != "int8-noquant"}
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cpu", default="cortex-a72", choices=sorted(CORES))
    ap.add_argument("-k", type=int, default=2, help="extra inferences whose count is divided (default 2)")
    ap.add_argument("--models", default="mobilenet_v2,resnet18")
    ap.add_argument("--stage", default=os.path.join(ROOT, "build-test", "aarch64-py", "stage"),
                    help="armconv's aarch64 build (default: scripts/test.sh's)")
    ap.add_argument("--host-stage", default=os.path.join(ROOT, "build-test", "host-py", "stage"),
                    help="armconv's host build, which converts the models")
    ap.add_argument("--out", default=os.path.join(ROOT, "build-bench-model"))
    ap.add_argument("--insncount", default=os.environ.get("INSNCOUNT"))
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--precision", choices=("fp32", "int8", "int8+fp16", "fp16"), default="fp32",
                    help="int8: the calibrated int8 model against the float32 one (no onnxruntime); "
                         "int8+fp16: the same loaded at precision 'int8+fp16'; fp16: the float32 "
                         "file loaded at precision 'fp16' against float32")
    ap.add_argument("--layers", choices=("auto", "all"), default="auto",
                    help="with --precision int8: Model.quantize's layers")
    a = ap.parse_args()
    if not 1 <= a.k <= 8:
        sys.exit("-k must be 1 to 8 (the two runs' command lines must have the same length)")
    for d in (a.stage, a.host_stage):
        if not glob.glob(os.path.join(d, "armconv", "_armconv*.so")):
            sys.exit(f"no armconv build in {d}: run ARMCONV_TARGETS='host aarch64' bash scripts/test.sh")
    os.makedirs(a.out, exist_ok=True)
    sys.path.insert(0, a.host_stage)
    counter = Counter(a.insncount, a.cpu)
    models = export_models(a.models.split(","), a.out)
    sr = arm_sysroot()
    site = guest_site(a.out, [ORT, NUMPY], "ort-site")
    root = overlay(sr, a.cpu, a.out)
    py = os.path.join(root, "usr", "bin", "python3.11")
    env = {"PATH": "/usr/bin:/bin", "LC_ALL": "C", "HOME": "/nonexistent", "PYTHONHASHSEED": "0",
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1",
           "PYTHONNOUSERSITE": "1", "ORT_DISABLE_TELEMETRY": "1", "ARMCONV_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join([a.stage, os.path.join(sr, "site"), site])}
    if a.precision != "fp32":
        rows = int8_rows(a, counter, root, py, env, models)
        if a.json:
            with open(a.json, "w") as f:
                json.dump({"cpu": a.cpu, "k": a.k, "precision": a.precision, "layers": a.layers, "models": rows}, f,
                          indent=1)
        return 0
    rows = {}
    for name, (onnx_path, npz_path, macs, conv_macs, _) in models.items():
        r = {"macs": macs}
        for engine, path in (("armconv", npz_path), ("armconv-glue", npz_path), ("armconv-none", npz_path),
                             ("onnxruntime", onnx_path)):
            log(f"{name}: counting {engine} on {a.cpu} ...")
            r[engine] = per_inference(counter, root, py, env, engine, path, a.k)
        rows[name] = r
    print(f"Instructions per inference, qemu-aarch64 -cpu {a.cpu}, one thread, 1x3x224x224 "
          f"(millions; K = {a.k})")
    hdr = (f"{'model':14} {'GMACs':>6} {'armconv':>9} {'conv+FC':>9} {'glue':>7} {'fixed':>6} "
           f"{'onnxruntime':>11} {'armconv/ORT':>11} {'glue share':>10}")
    print(hdr)
    for name, r in rows.items():
        glue = r["armconv-glue"] - r["armconv-none"]
        layers = r["armconv"] - r["armconv-glue"]
        print(f"{name:14} {r['macs'] / 1e9:6.3f} {r['armconv'] / 1e6:9.1f} {layers / 1e6:9.1f} {glue / 1e6:7.2f} "
              f"{r['armconv-none'] / 1e6:6.2f} {r['onnxruntime'] / 1e6:11.1f} "
              f"{r['armconv'] / r['onnxruntime']:11.3f} {100 * glue / r['armconv']:9.1f}%")
        r.update(glue=glue, layers=layers)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"cpu": a.cpu, "k": a.k, "models": rows}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""ncnn and onnxruntime next to armconv: executed instructions of single
convolution layers under qemu-aarch64, MACs per executed instruction.

    build-test/venv/bin/python bench/peers.py [--cpu cortex-a72|cortex-a76] [--engines E,...]
                                              [-k K] [-j N] [--markdown] [--json FILE] SUITE|CASE|'PATTERN*' ...
    build-test/venv/bin/python bench/peers.py --list

SUITEs: readme (the README's fp32 and int8 cases, ncnn and onnxruntime),
fp16 (issue 15's cases, ncnn with fp16 storage and arithmetic; use
--cpu cortex-a76), layers (issue 13's single-layer cases), mobilenet_v2,
resnet18, networks (both: every convolution layer, with totals, ratios and
the kinds of layer issue 13 names). Case names are bench/insncount.py's
where it has the case (sgemm_256, conv1x1_64_56, ...), the torchvision
module path for network layers (mbv2/features.2.conv.0.0, r18/layer1.0.conv1).

How a figure is made. Every engine runs in the ARM Python 3.11 that
scripts/test.sh builds (its sysroot), under armconv's counter
(bench/qcount.py), one process per layer and engine: bench/peers_guest.py
prepares the layer (weights packed or transformed, the input converted to
the layout and type the engine takes: not counted), calls it once (warm-up),
then K times between region marks; the count inside the region, less that of
an empty region of K no-op calls, divided by K, is one call. Engines:
- armconv: armconv.Conv2d(...)(x) through the Python API, NCHW float32 in
  and out (the build scripts/test.sh made: build-test/aarch64-py/stage).
- ncnn (PyPI's aarch64 wheel, pinned below): the Convolution or
  ConvolutionDepthWise layer's forward() through ncnn's Python binding, one
  thread, pool allocators as ncnn's Net uses them; fp32 (fp16/bf16 storage
  off) with the input packed as a Net hands it to the layer (pack4 when the
  channels are a multiple of 4) and the output left packed: layout
  conversion not counted. ncnn-fp16: fp16 storage and arithmetic on, the
  input cast to fp16 and packed by 8 (not counted). ncnn-int8: int8 weights
  with a scale per output channel, int8 input packed by 8 (not counted),
  output requantized to int8 or dequantized to float32 as the case says.
- onnxruntime (pinned): InferenceSession.run of a one-node model (Conv with
  its Relu/Clip, which the session fuses; QLinearConv for int8 convolutions;
  MatMulInteger for the int8 GEMM), one intra-op thread: the whole call a
  Python user makes, NCHW in and out.
GEMM 256^3 (sgemm_256, gemm_s8_256) is a 1x1 convolution 256->256 on a 16x16
map for ncnn (int8: float32 output) and onnxruntime's Conv; onnxruntime's
int8 GEMM is MatMulInteger (int8 x int8 -> int32, B a constant).

Each output is checked against a float64 numpy reference on the host
(max|err| / max|ref|; int8 output: the largest difference in LSB): a call
that computes something else fails the case. The guest sees a Raspberry Pi
4 (cortex-a72) or Pi 5 (cortex-a76) in /proc/cpuinfo and /sys
(bench/guest_root.py), so the peers' cache-size-dependent blocking does not
depend on the host. Counts repeat exactly; results are cached in
build-bench-peers/results.json by everything that determines them
(--fresh ignores the cache).

Needs `ARMCONV_TARGETS="host aarch64" bash scripts/test.sh` once (the ARM
sysroot and Python, armconv's aarch64 build, the venv with torch and onnx);
the ncnn and onnxruntime wheels are installed on first use into
build-bench-peers/ (pip, from PyPI). bench/peer_layers.json, the network
layer lists, is written by bench/peer_layers.py.
"""
import argparse
import concurrent.futures
import fnmatch
import glob
import hashlib
import json
import os
import sys
import threading
import time
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import guest_root  # noqa: E402
import qcount  # noqa: E402

ROOT = qcount.ROOT
GUEST = os.path.join(HERE, "peers_guest.py")
NCNN, ORT, NUMPY = guest_root.NCNN, guest_root.ORT, guest_root.NUMPY
PINS = [NCNN, ORT, NUMPY]
ENGINES = ("armconv", "ncnn", "ncnn-fp16", "ncnn-int8", "onnxruntime")
ACTS = {None: 0, "relu": 1, "relu6": 2}
# Largest accepted max|err| / max|ref| per engine (fp32 Winograd F(6,3) stays
# near 1e-5; fp16 is reported, and only a wrong result fails).
TOL = {"armconv": 1e-3, "ncnn": 1e-3, "onnxruntime": 1e-3, "ncnn-fp16": 0.5, "ncnn-int8": 2e-2}


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# ------------------------------------------------------------------ cases

class Case:
    """One layer. kind: conv (float32), qconv (int8 in; int8 out unless
    float_out), gemm_s8 (int8 GEMM 256^3)."""

    def __init__(self, name, cin, cout, k, stride, pad, groups, h, w=None, act=None, kind="conv",
                 float_out=False, engines=None, note=""):
        self.name, self.cin, self.cout, self.k, self.stride, self.pad = name, cin, cout, k, stride, pad
        self.groups, self.h, self.w, self.act, self.kind, self.float_out = groups, h, w or h, act, kind, float_out
        self.note = note
        self.ho = (self.h + 2 * pad - k) // stride + 1
        self.wo = (self.w + 2 * pad - k) // stride + 1
        self.macs = cout * self.ho * self.wo * (cin // groups) * k * k
        if engines is None:
            engines = {"conv": ("armconv", "ncnn", "ncnn-fp16", "onnxruntime"),
                       "qconv": ("ncnn-int8",) + (() if float_out else ("onnxruntime",)),
                       "gemm_s8": ("ncnn-int8", "onnxruntime")}[kind]
        self.engines = engines

    def spec(self):
        return dict(name=self.name, cin=self.cin, cout=self.cout, k=self.k, stride=self.stride, pad=self.pad,
                    groups=self.groups, h=self.h, w=self.w, act=self.act, kind=self.kind, float_out=self.float_out)

    def shape(self):
        g = f" g{self.groups}" if 1 < self.groups < self.cin else " dw" if self.groups > 1 else ""
        a = f" {self.act}" if self.act else ""
        return (f"{self.k}x{self.k}{g} s{self.stride} {self.cin}->{self.cout} "
                f"{self.h}x{self.w}{a}")


def readme_cases():
    """The README Performance tables' cases, named as in bench/insncount.py."""
    return [
        Case("sgemm_256", 256, 256, 1, 1, 0, 1, 16, note="GEMM 256^3 as a 1x1 conv on 16x16"),
        Case("conv1x1_64_56", 64, 64, 1, 1, 0, 1, 56),
        Case("conv1x1_128_28", 128, 128, 1, 1, 0, 1, 28),
        Case("conv3x3s2_32_64_56", 32, 64, 3, 2, 1, 1, 56),
        Case("dw3x3s1_64_56", 64, 64, 3, 1, 1, 64, 56),
        Case("dw3x3s2_64_56", 64, 64, 3, 2, 1, 64, 56),
        Case("wino3x3_64_28", 64, 64, 3, 1, 1, 1, 28),
        Case("wino3x3_32_56", 32, 32, 3, 1, 1, 1, 56),
        Case("gemm_s8_256", 256, 256, 1, 1, 0, 1, 16, kind="gemm_s8",
             note="ncnn: int8 1x1 conv on 16x16, float out; onnxruntime: MatMulInteger, int32 out"),
        Case("qconv1x1_64_56", 64, 64, 1, 1, 0, 1, 56, kind="qconv"),
        Case("qconv1x1_64_56_f32", 64, 64, 1, 1, 0, 1, 56, kind="qconv", float_out=True),
        Case("qconv3x3_32_64_56", 32, 64, 3, 1, 1, 1, 56, kind="qconv"),
    ]


def issue13_cases():
    """Issue 13's layers that are not in the two networks."""
    return [
        Case("conv5x5_16_32_28", 16, 32, 5, 1, 2, 1, 28),
        Case("gconv3x3_64_g4_28", 64, 64, 3, 1, 1, 4, 28),
        Case("gconv3x3_160_g10_14", 160, 160, 3, 1, 1, 10, 14),
        Case("se1x1_1152_48", 1152, 48, 1, 1, 0, 1, 1, note="1x1 on a 1x1 map (squeeze-and-excitation)"),
        Case("se1x1_48_1152", 48, 1152, 1, 1, 0, 1, 1, note="1x1 on a 1x1 map (squeeze-and-excitation)"),
    ]


def network_cases(path=os.path.join(HERE, "peer_layers.json")):
    """{network: [Case]} from bench/peer_layers.json."""
    with open(path) as f:
        doc = json.load(f)
    nets = {}
    for net, d in doc["networks"].items():
        nets[net] = [Case(f"{d['short']}/{l_['name']}", l_["cin"], l_["cout"], l_["k"], l_["stride"], l_["pad"],
                          l_["groups"], l_["h"], l_["w"], l_["act"]) for l_ in d["layers"]]
    return nets


FP16_CASES = ("sgemm_256", "conv1x1_64_56", "conv1x1_128_28", "conv3x3s2_32_64_56", "dw3x3s1_64_56",
              "dw3x3s2_64_56", "wino3x3_64_28", "wino3x3_32_56")


def suites():
    nets = network_cases()
    readme = readme_cases()
    by = {c.name: c for c in readme}
    return {
        "readme": ([c for c in readme], ("ncnn", "ncnn-int8", "onnxruntime")),
        "fp16": ([by[n] for n in FP16_CASES], ("ncnn-fp16",)),
        "layers": (issue13_cases(), ("armconv", "ncnn", "onnxruntime")),
        "mobilenet_v2": (nets["mobilenet_v2"], ("armconv", "ncnn", "onnxruntime")),
        "resnet18": (nets["resnet18"], ("armconv", "ncnn", "onnxruntime")),
        "networks": (nets["mobilenet_v2"] + nets["resnet18"], ("armconv", "ncnn", "onnxruntime")),
    }


def all_cases():
    cases = readme_cases() + issue13_cases()
    for layers in network_cases().values():
        cases += layers
    return {c.name: c for c in cases}


# ------------------------------------------------------------------ data and references

def _seed(name):
    return zlib.crc32(name.encode())


def _conv64(x, w, b, stride, pad, groups):
    """float64 direct convolution (im2col with a strided view), NCHW."""
    n, c, h, wd = x.shape
    cout, cg, kh, kw = w.shape
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    ho = (h + 2 * pad - kh) // stride + 1
    wo = (wd + 2 * pad - kw) // stride + 1
    win = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride][:, :, :ho, :wo]
    win = win.reshape(n, groups, cg, ho, wo, kh, kw)
    wg = w.astype(np.float64).reshape(groups, cout // groups, cg, kh, kw)
    y = np.einsum("ngchwij,gocij->ngohw", win, wg, optimize=True).reshape(n, cout, ho, wo)
    return y + b.astype(np.float64).reshape(1, cout, 1, 1)


def _act(y, act):
    if act == "relu":
        return np.maximum(y, 0)
    if act == "relu6":
        return np.clip(y, 0, 6)
    return y


def make_data(case):
    """The arrays of a case (inputs, weights, quantization) and its float64 reference."""
    rng = np.random.default_rng(_seed(case.name))
    cg = case.cin // case.groups
    d = dict(stride=case.stride, pad=case.pad, groups=case.groups, act=ACTS[case.act])
    wshape = (case.cout, cg, case.k, case.k)
    if case.kind == "conv":
        # x ~ N(0, 1), w ~ N(0, 1/fan_in) (the README's accuracy test): outputs of unit
        # scale; with relu6, of scale 3, so that the clamp at 6 is exercised too
        gain = 3.0 if case.act == "relu6" else 1.0
        d["x"] = rng.standard_normal((1, case.cin, case.h, case.w)).astype(np.float32)
        d["w"] = (gain * rng.standard_normal(wshape) / np.sqrt(cg * case.k * case.k)).astype(np.float32)
        d["b"] = (0.1 * rng.standard_normal(case.cout)).astype(np.float32)
        ref = _act(_conv64(d["x"], d["w"], d["b"], case.stride, case.pad, case.groups), case.act)
        return d, ref
    # int8: q in [-127, 127]; x = xq * x_scale, w = wq * w_scale[o]; the bias an
    # integer number of accumulator units, so that every engine adds the same
    xq = rng.integers(-127, 128, (1, case.cin, case.h, case.w), dtype=np.int8)
    wq = rng.integers(-127, 128, wshape, dtype=np.int8)
    x_scale = np.float32(1 / 64)
    w_scale = (rng.uniform(0.5, 1.5, case.cout) / (127 * np.sqrt(cg * case.k * case.k))).astype(np.float32)
    unit = np.float64(x_scale) * w_scale.astype(np.float64)
    bq = rng.integers(-2000, 2001, case.cout).astype(np.int32)
    d.update(xq=xq, wq=wq, x_scale=x_scale, w_scale=w_scale, bq=bq,
             b=(bq * unit).astype(np.float32), w=(wq * w_scale.reshape(-1, 1, 1, 1)).astype(np.float32),
             x=(xq.astype(np.float32) * x_scale))
    acc = _conv64(xq, wq, np.zeros(case.cout), case.stride, case.pad, case.groups)
    real = acc * unit.reshape(1, -1, 1, 1) + d["b"].astype(np.float64).reshape(1, -1, 1, 1)
    if case.kind == "gemm_s8":
        # onnxruntime's MatMulInteger: A (M=256 rows of the map, K=256) @ B (K, N=256 channels)
        d["a"] = np.ascontiguousarray(xq.reshape(case.cin, -1).T)
        d["bmat"] = np.ascontiguousarray(wq.reshape(case.cout, case.cin).T)
        d["int8_out"] = False
        return d, real
    d["int8_out"] = not case.float_out
    if case.float_out:
        return d, real
    y_scale = np.float32(np.abs(real).max() / 100)
    d["y_scale"] = y_scale
    return d, np.clip(np.round(real / np.float64(y_scale)), -127, 127)


def make_onnx(case, d, path):
    """The one-node model onnxruntime runs for a case; returns the kind."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes, inits = [], []
    ho, wo = case.ho, case.wo

    def init(name, arr):
        inits.append(numpy_helper.from_array(np.asarray(arr), name))
        return name

    if case.kind == "gemm_s8":
        kind = "matmulinteger"
        inp = helper.make_tensor_value_info("a", TensorProto.INT8, list(d["a"].shape))
        out = helper.make_tensor_value_info("y", TensorProto.INT32, [d["a"].shape[0], d["bmat"].shape[1]])
        nodes.append(helper.make_node("MatMulInteger", ["a", init("B", d["bmat"])], ["y"]))
    elif case.kind == "qconv":
        kind = "qlinearconv"
        inp = helper.make_tensor_value_info("x", TensorProto.INT8, [1, case.cin, case.h, case.w])
        out = helper.make_tensor_value_info("y", TensorProto.INT8, [1, case.cout, ho, wo])
        zp = np.int8(0)
        nodes.append(helper.make_node(
            "QLinearConv",
            ["x", init("x_scale", np.float32(d["x_scale"])), init("x_zp", zp), init("W", d["wq"]),
             init("w_scale", d["w_scale"]), init("w_zp", np.zeros(case.cout, np.int8)),
             init("y_scale", np.float32(d["y_scale"])), init("y_zp", zp), init("B", d["bq"])],
            ["y"], kernel_shape=[case.k, case.k], strides=[case.stride] * 2, pads=[case.pad] * 4,
            group=case.groups))
    else:
        kind = "conv"
        inp = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, case.cin, case.h, case.w])
        out = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, case.cout, ho, wo])
        conv_out = "y" if case.act is None else "c"
        nodes.append(helper.make_node("Conv", ["x", init("W", d["w"]), init("B", d["b"])], [conv_out],
                                      kernel_shape=[case.k, case.k], strides=[case.stride] * 2,
                                      pads=[case.pad] * 4, group=case.groups))
        if case.act == "relu":
            nodes.append(helper.make_node("Relu", ["c"], ["y"]))
        elif case.act == "relu6":
            nodes.append(helper.make_node("Clip", ["c", init("lo", np.float32(0)), init("hi", np.float32(6))], ["y"]))
    graph = helper.make_graph(nodes, case.name.replace("/", "_"), [inp], [out], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="armconv-peers")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return kind


def error_of(case, engine, y, ref):
    """(error, text): max|err| / max|ref|, or for int8 output the largest difference in LSB."""
    y = np.asarray(y)
    if engine == "onnxruntime" and case.kind == "gemm_s8":
        acc = y.astype(np.int64).T.reshape(ref.shape)  # int32 (pixels, channels): exact
        d = np.load(_case_path(case))
        exact = _conv64(d["xq"], d["wq"], np.zeros(case.cout), 1, 0, 1)
        bad = int(np.abs(acc - exact).max())
        return float(bad), f"int32 exact" if bad == 0 else f"int32 off by {bad}"
    y = y.reshape(ref.shape).astype(np.float64)
    if case.kind == "qconv" and not case.float_out:
        lsb = float(np.abs(y - ref).max())
        return lsb, f"{lsb:.0f} LSB"
    err = float(np.abs(y - ref).max() / max(np.abs(ref).max(), 1e-30))
    return err, f"{err:.1e}"


# ------------------------------------------------------------------ running

WORK = os.path.join(ROOT, "build-bench-peers")
_lock = threading.Lock()


def _case_path(case):
    return os.path.join(WORK, "cases", case.name.replace("/", "_") + ".npz")


def prepare(case):
    """Write the case's arrays (and onnxruntime's model); returns the float64
    reference and a digest of the arrays (part of the results' cache key)."""
    path = _case_path(case)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    d, ref = make_data(case)
    if "onnxruntime" in case.engines:
        d["ort"] = np.array(make_onnx(case, d, os.path.splitext(path)[0] + ".onnxruntime.onnx"))
    h = hashlib.sha256()
    for name in sorted(d):
        h.update(name.encode() + np.asarray(d[name]).tobytes())
    np.savez(path + ".tmp.npz", **d)
    os.replace(path + ".tmp.npz", path)
    return ref, h.hexdigest()[:16]


def _digest_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


class Runner:
    def __init__(self, cpu, k, stage, fresh=False, timeout=None):
        self.cpu, self.k, self.stage, self.timeout = cpu, k, stage, timeout
        so = glob.glob(os.path.join(stage, "armconv", "_armconv*.so"))
        if not so:
            sys.exit(f"no armconv aarch64 build in {stage}: run ARMCONV_TARGETS='host aarch64' bash scripts/test.sh")
        sr = guest_root.arm_sysroot()
        self.site = guest_root.guest_site(WORK, PINS, "peers")
        self.root = guest_root.overlay(sr, cpu, WORK)
        self.py = os.path.join(self.root, "usr", "bin", "python3.11")
        self.env = qcount.python_env("aarch64", [stage, self.site],
                                     extra={"ARMCONV_NUM_THREADS": "1", "OMP_WAIT_POLICY": "PASSIVE"})
        tools = _digest_file(GUEST) + _digest_file(os.path.join(HERE, "guest_marks.py"))
        self.tags = {"armconv": _digest_file(so[0]), "empty": "", **{e: " ".join(PINS) for e in ENGINES[1:]}}
        self.tags = {e: f"{t} {tools} {sr} {self.root}" for e, t in self.tags.items()}
        self.cache_path = os.path.join(WORK, "results.json")
        self.cache = {}
        if not fresh and os.path.exists(self.cache_path):
            with open(self.cache_path) as f:
                self.cache = json.load(f)
        self.empty = None

    def _key(self, case, engine, digest):
        return json.dumps([self.cpu, engine, self.k, case.spec(), digest, self.tags[engine]], sort_keys=True)

    def count(self, case, engine):
        """Instructions inside the region (K calls + the region's own cost) and the output."""
        out = os.path.join(WORK, "out", f"{case.name.replace('/', '_')}.{engine}.{self.cpu}.npy")
        os.makedirs(os.path.dirname(out), exist_ok=True)
        argv = [self.py, GUEST, engine, _case_path(case), str(self.k), out]
        c = qcount.run(argv, "aarch64", self.cpu, sysroot=self.root, region=True, keys=False, env=self.env,
                       timeout=self.timeout, pool_marks=False)
        if c.returncode != 0 or c.regions != 1:
            raise RuntimeError(f"{case.name} / {engine}: exit {c.returncode}, {c.regions} regions\n"
                               f"{c.stderr[-3000:]}")
        return c.total, out

    def empty_region(self):
        if self.empty is None:
            probe = Case("empty", 4, 4, 1, 1, 0, 1, 4)
            self.empty = self.result(probe, "empty", prepare(probe))["region"]
        return self.empty

    def result(self, case, engine, prepared):
        ref, digest = prepared
        key = self._key(case, engine, digest)
        with _lock:
            hit = self.cache.get(key)
        if hit is not None:
            return hit
        t = time.time()
        total, out = self.count(case, engine)
        r = {"region": total, "seconds": round(time.time() - t, 1)}
        if engine != "empty":
            r["insns"] = (total - self.empty_region()) / self.k
            r["err"], r["err_text"] = error_of(case, engine, np.load(out), ref)
        with _lock:
            self.cache[key] = r
            tmp = self.cache_path + ".tmp"
            with open(tmp, "w") as f:
                json.dump(self.cache, f, indent=0, sort_keys=True)
            os.replace(tmp, self.cache_path)
        return r


# ------------------------------------------------------------------ reporting

def fmt_m(n):
    return f"{n / 1e6:.2f} M" if n >= 1e6 else f"{n / 1e3:.1f} k"


def table(rows, headers, markdown):
    """rows of strings; first column left-aligned, others right-aligned."""
    if markdown:
        out = ["| " + " | ".join(headers) + " |", "|" + "|".join(["---"] + ["---:"] * (len(headers) - 1)) + "|"]
        out += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(out)
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]
    line = lambda r: "  ".join(str(x).ljust(w) if i == 0 else str(x).rjust(w)  # noqa: E731
                               for i, (x, w) in enumerate(zip(r, widths)))
    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])


def print_cases(cases, engines, res, markdown, errors=False):
    headers = ["case", "layer", "MACs"] + [f"{e} MACs/insn" for e in engines]
    if errors:
        headers += [f"{e} error" for e in engines]
    rows = []
    for c in cases:
        cells = [c.name, c.shape() if c.kind == "conv" else f"{c.kind} {c.shape()}", fmt_m(c.macs)]
        errs = []
        for e in engines:
            r = res.get((c.name, e))
            cells.append(f"{c.macs / r['insns']:.2f}" if r else "-")
            errs.append(r["err_text"] if r else "-")
        rows.append(cells + (errs if errors else []))
    print(table(rows, headers, markdown))


def print_networks(nets, res, markdown, engines=("armconv", "ncnn", "onnxruntime")):
    """Issue 13's tables: totals per network, per layer, per kind of layer,
    over the engines that were run (`engines`); the others' columns show "-"."""
    cols = ("armconv", "ncnn", "onnxruntime")
    eng = [e for e in cols if e in engines]
    have = lambda c: all((c.name, e) in res for e in eng)  # noqa: E731

    def mpi(macs, n):  # MACs per instruction of n instructions, "-" when not run
        return f"{macs / n:.2f}" if n else "-"

    def ratio(ins, a, b):
        return f"{ins[a] / ins[b]:.2f}" if ins.get(a) and ins.get(b) else "-"

    rows = []
    for net, cases in nets.items():
        done = [c for c in cases if have(c)]
        macs = sum(c.macs for c in done)
        tot = {e: sum(res[(c.name, e)]["insns"] for c in done) for e in eng}
        part = "" if len(done) == len(cases) else f", {len(done)} of {len(cases)} measured by all of {', '.join(eng)}"
        rows.append([f"{net} ({len(cases)} layers{part}, {macs / 1e6:.1f} M MACs)"] +
                    [f"{tot[e] / 1e6:.1f} M ({macs / tot[e]:.2f})" if tot.get(e) else "-" for e in cols] +
                    [ratio(tot, "armconv", "ncnn"), ratio(tot, "armconv", "onnxruntime")])
    print("Conv layers, executed instructions per inference (MACs per instruction):\n")
    print(table(rows, ["network (conv layers)", "armconv", "ncnn", "onnxruntime", "armconv / ncnn",
                       "armconv / onnxruntime"], markdown))
    skipped = [e for e in cols if e not in eng]
    if skipped:
        print(f"\n(measured: {', '.join(eng)}; not run: {', '.join(skipped)})")
    print("\nPer layer (MACs per instruction; ratio = armconv / ncnn instructions):\n")
    rows = []
    for net, cases in nets.items():
        for c in cases:
            if not have(c):
                continue
            ins = {e: res[(c.name, e)]["insns"] for e in eng}
            rows.append([c.name, c.shape(), f"{c.macs / 1e6:.2f}"] + [mpi(c.macs, ins.get(e)) for e in cols] +
                        [ratio(ins, "armconv", "ncnn")])
    print(table(rows, ["layer", "shape", "MMACs", "armconv", "ncnn", "onnxruntime", "ratio"], markdown))
    # kinds: same shape and stride (issue 13's second table)
    kinds = {}
    for net, cases in nets.items():
        for c in cases:
            if have(c):
                kinds.setdefault((c.k, c.stride, c.groups > 1, c.cin, c.cout, c.h), []).append(c)
    rows = []
    for (k, s, dw, cin, cout, h), cs in kinds.items():
        ins = {e: sum(res[(c.name, e)]["insns"] for c in cs) for e in eng}
        macs = sum(c.macs for c in cs)
        both = ins.get("armconv") and ins.get("ncnn")
        rows.append((ins["armconv"] - ins["ncnn"] if both else 0,
                     [cs[0].shape().replace(f" {cs[0].act}", "") + f" ({len(cs)})", f"{macs / 1e6:.1f}"] +
                     [mpi(macs, ins.get(e)) for e in cols] +
                     [ratio(ins, "armconv", "ncnn"),
                      f"{(ins['armconv'] - ins['ncnn']) / 1e6:+.2f}" if both else "-"]))
    rows.sort(key=lambda r: -r[0])
    print("\nBy kind of layer (same shape; most instructions above ncnn first; MACs per instruction):\n")
    print(table([r[1] for r in rows], ["layers (count)", "MMACs", "armconv", "ncnn", "onnxruntime", "ratio",
                                       "armconv - ncnn (M insns)"], markdown))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cpu", default="cortex-a72", choices=sorted(guest_root.CORES))
    ap.add_argument("--engines", help=f"comma-separated subset of {','.join(ENGINES)} (default: the suite's)")
    ap.add_argument("-k", type=int, default=1, help="calls counted per case (default 1; counts repeat exactly)")
    ap.add_argument("-j", "--jobs", type=int, default=1, help="cases counted at once (default 1)")
    ap.add_argument("--stage", default=os.path.join(ROOT, "build-test", "aarch64-py", "stage"),
                    help="armconv's aarch64 build (default: scripts/test.sh's)")
    ap.add_argument("--markdown", action="store_true", help="print markdown tables")
    ap.add_argument("--errors", action="store_true", help="also print each result's error against float64")
    ap.add_argument("--json", help="also write the results to this file")
    ap.add_argument("--fresh", action="store_true", help="count again, ignoring cached results")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per counted process")
    ap.add_argument("--list", action="store_true", help="list the suites and cases")
    ap.add_argument("what", nargs="*")
    a = ap.parse_args(argv)
    su = suites()
    everything = all_cases()
    if a.list:
        for name, (cases, engines) in su.items():
            print(f"{name}: {len(cases)} cases; engines {', '.join(engines)}")
        for c in everything.values():
            print(f"  {c.name:36} {c.kind:8} {c.shape():34} {c.macs:12d} MACs  {' '.join(c.engines)}")
        return 0
    if not a.what:
        ap.error("name a suite or cases (see --list)")
    cases, engines, nets = [], [], {}
    for w in a.what:
        if w in su:
            cs, es = su[w]
            if w in ("mobilenet_v2", "resnet18", "networks"):
                for net in ("mobilenet_v2", "resnet18"):
                    if w in (net, "networks"):
                        nets[net] = network_cases()[net]
        else:
            cs = [everything[n] for n in fnmatch.filter(everything, w)]
            es = ENGINES
            if not cs:
                ap.error(f"unknown suite or case {w!r} (see --list)")
        cases += [c for c in cs if c not in cases]
        engines += [e for e in es if e not in engines]
    if a.engines:
        engines = a.engines.split(",")
        bad = set(engines) - set(ENGINES)
        if bad:
            ap.error(f"unknown engine(s) {', '.join(sorted(bad))}: {', '.join(ENGINES)}")
    if "ncnn-fp16" in engines and "asimdhp" not in guest_root.CORES[a.cpu]["features"]:
        if a.engines:
            ap.error(f"ncnn-fp16 needs fp16 arithmetic, which {a.cpu} lacks: use --cpu cortex-a76")
        engines.remove("ncnn-fp16")
    runner = Runner(a.cpu, a.k, os.path.abspath(a.stage), a.fresh, a.timeout)
    jobs = [(c, e) for c in cases for e in engines if e in c.engines]
    refs = {}
    for c in cases:
        refs[c.name] = prepare(c)  # (reference, digest)
    runner.empty_region()
    res, failed = {}, []
    log(f"{len(jobs)} counts on {a.cpu} (K = {a.k}); empty region: {runner.empty} instructions")

    def one(job):
        c, e = job
        try:
            r = runner.result(c, e, refs[c.name])
        except Exception as ex:  # a failed case is reported, the others go on
            return job, ex
        return job, r

    with concurrent.futures.ThreadPoolExecutor(max(1, a.jobs)) as pool:
        for n, ((c, e), r) in enumerate(pool.map(one, jobs), 1):
            if isinstance(r, Exception):
                log(f"[{n}/{len(jobs)}] {c.name} {e}: FAILED {r}")
                failed.append((c.name, e))
                continue
            bad = r["err"] > TOL[e] if not (c.kind == "qconv" and not c.float_out) else r["err"] > 1
            if e == "onnxruntime" and c.kind == "gemm_s8":
                bad = r["err"] != 0
            log(f"[{n}/{len(jobs)}] {c.name} {e}: {r['insns']:.0f} insns, {c.macs / r['insns']:.3f} MACs/insn, "
                f"error {r['err_text']}{'  WRONG RESULT' if bad else ''} ({r['seconds']} s)")
            if bad:
                failed.append((c.name, e))
            res[(c.name, e)] = r
    print(f"qemu-aarch64 -cpu {a.cpu}, one thread, MACs per executed instruction (K = {a.k}); "
          f"{NCNN}, {ORT}\n")
    flat = [c for c in cases if not any(c in v for v in nets.values())]
    if flat:
        shown = [e for e in engines if any((c.name, e) in res for c in flat)]
        print_cases(flat, shown, res, a.markdown, a.errors)
        print()
    if nets:
        print_networks(nets, res, a.markdown, engines)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"cpu": a.cpu, "k": a.k, "pins": PINS,
                       "results": [{"case": c, "engine": e, "macs": everything[c].macs, **r}
                                   for (c, e), r in res.items()]}, f, indent=1)
    if failed:
        log(f"{len(failed)} failed: {', '.join(f'{c} {e}' for c, e in failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

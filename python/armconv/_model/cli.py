"""Command line for whole models (reached from ``python -m armconv``):

    python -m armconv run MODEL [--input x.npy] [--shape 1,3,224,224] [--repeat N]
    python -m armconv convert MODEL.onnx MODEL.npz [--int8 CALIB.npy [--layers auto|all]]
    python -m armconv bench --model MODEL [--input x.npy] [--shape ...] [--repeat N]
                            [--compare onnxruntime] [--threads N]

MODEL is an .onnx file (needs the onnx package) or a .npz that
``convert`` / ``Model.save`` wrote (numpy only). Without --input the input is
random normal (seed 0) of the declared shape, batch 1 (--shape for free
dimensions).

``convert --int8 CALIB.npy`` calibrates the model for int8 inference
(Model.quantize: CALIB.npy holds representative inputs, preprocessed as for
the model, batch on axis 0; once per model input, in order, or one .npz of
arrays named by the inputs) and saves the scales; ``run`` / ``bench
--precision int8`` then run its convolutions int8 where that pays on the
CPU that runs them.
"""
import argparse
import sys
import time

import numpy as np

from .._threads import threads
from .model import load

COMMANDS = ("run", "convert")


def wants(argv):
    """Whether argv (without the program name) is a model command."""
    if not argv:
        return False
    if argv[0] in COMMANDS:
        return True
    return argv[0] == "bench" and any(a == "--model" or a.startswith("--model=") for a in argv[1:])


def _threads(text):
    try:
        n = int(text)
    except ValueError:
        n = 0
    if not 1 <= n <= 1024:
        raise argparse.ArgumentTypeError(f"a thread count from 1 to 1024, got {text!r}")
    return n


def _shape(text):
    try:
        dims = tuple(int(d) for d in text.replace("x", ",").split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"a shape is comma-separated integers, e.g. 1,3,224,224; got {text!r}")
    if not dims or min(dims) < 1:
        raise argparse.ArgumentTypeError(f"a shape needs dimensions >= 1, got {text!r}")
    return dims


def _inputs(model, a):
    """{name: array} from --input / --shape / the declared shapes."""
    names = model.input_names
    if a.input:
        if len(a.input) != len(names):
            raise SystemExit(f"error: the model has {len(names)} input(s) {names}; give one --input each")
        feeds = {}
        for name, path in zip(names, a.input):
            x = np.load(path, allow_pickle=False)
            if x.dtype != np.float32:
                print(f"note: {path} holds {x.dtype}; converted to float32", file=sys.stderr)
                x = x.astype(np.float32)
            feeds[name] = x
        return feeds, "from " + ", ".join(a.input)
    rng = np.random.default_rng(0)
    feeds = {}
    for i, (name, decl) in enumerate(model.inputs):
        if a.shape and i < len(a.shape):
            shape = a.shape[i]
        else:
            if any(d is None for d in decl[1:]):
                raise SystemExit(f"error: input {name!r} has free dimensions "
                                 f"({', '.join('N' if d is None else str(d) for d in decl)}): give --shape")
            shape = (1 if decl[0] is None else decl[0],) + tuple(decl[1:])
        feeds[name] = rng.standard_normal(shape).astype(np.float32)
    return feeds, "random normal, seed 0"


def _best(fn, repeat):
    times = []
    for _ in range(max(repeat, 1)):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def cmd_run(a):
    t = time.perf_counter()
    model = load(a.model, precision=a.precision)
    t_load = time.perf_counter() - t
    feeds, what = _inputs(model, a)
    t = time.perf_counter()
    out = model.run(feeds)
    t_first = time.perf_counter() - t
    best = _best(lambda: model.run(feeds), a.repeat)
    print(f"model {a.model}: loaded in {t_load * 1e3:.1f} ms")
    if a.precision in ("int8", "int8+fp16"):
        n = sum(1 for _, op in model.nodes if op in ("Conv", "FullyConnected"))
        print(f"precision {a.precision}: {len(model.int8_layers)} of {n} convolution / fully connected layers "
              "run int8 kernels on this CPU")
    for name, x in feeds.items():
        print(f"input {name!r}: {x.shape} float32 ({what})")
    for name, y in out.items():
        print(f"output {name!r}: {y.shape} {y.dtype}")
        if y.ndim >= 1 and y.shape[-1] == 1000 and y.size // 1000 <= 8:
            for row in y.reshape(-1, 1000):
                top = np.argsort(row)[::-1][:5]
                print("  top-5: " + ", ".join(f"{int(i)} ({row[i]:.4g})" for i in top))
    print(f"time: {best * 1e3:.2f} ms per run (best of {max(a.repeat, 1)}; first run "
          f"{t_first * 1e3:.2f} ms, planning included)")
    return 0


def _calibration(model, paths):
    """Model.quantize's calibration from --int8 files."""
    names = model.input_names
    if len(paths) == 1 and paths[0].endswith(".npz"):
        with np.load(paths[0], allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    if len(paths) != len(names):
        raise SystemExit(f"error: the model has {len(names)} input(s) {names}; give one --int8 .npy "
                         "each (in order) or one .npz of arrays named by the inputs")
    return {n: np.load(p, allow_pickle=False) for n, p in zip(names, paths)}


def cmd_convert(a):
    if not a.output.endswith(".npz"):
        raise SystemExit("error: the output must be a .npz file")
    model = load(a.model)
    note = "numpy only"
    if a.int8:
        cal = _calibration(model, a.int8)
        model = model.quantize(cal, layers=a.layers)
        n = next(iter(cal.values())).shape[0] if cal else 0
        note = (f"int8 scales of {len(model.input_scales)} convolutions from {n} calibration inputs; "
                f"armconv.load({a.output!r}, precision='int8') runs {len(model.int8_layers)} of them "
                f"int8 on this CPU (layers={a.layers!r}; the pick is made again on the CPU that runs it)")
    elif a.layers != "auto":
        raise SystemExit("error: --layers needs --int8 CALIB.npy")
    model.save(a.output)
    print(f"{a.model} -> {a.output}: {len(model.nodes)} nodes after the graph work; load it with "
          f"armconv.load({a.output!r}) ({note})")
    return 0


def cmd_bench(a):
    model = load(a.model, precision=a.precision)
    feeds, what = _inputs(model, a)
    plan = model.plan({k: v.shape for k, v in feeds.items()})
    xs = [feeds[n] for n in model.input_names]
    plan.run(xs)  # warm up: arena, page faults
    timings = [0.0] * len(plan.steps)
    repeat = max(a.repeat, 1)
    for _ in range(repeat):
        plan.run(xs, timings=timings)
    best = _best(lambda: plan.run(xs), repeat)
    total = sum(timings) / repeat
    print(f"model {a.model}, input " + ", ".join(f"{k} {v.shape}" for k, v in feeds.items()) + f" ({what})")
    print(f"{'node':32} {'op':16} {'output':20} {'algo':13} {'ms':>8} {'share':>6}")
    glue = 0.0
    for s, t in zip(plan.steps, timings):
        t /= repeat
        shape = plan.tensors[s.outputs[0]].shape
        name = s.node.name if len(s.node.name) <= 32 else "..." + s.node.name[-29:]
        print(f"{name:32} {s.node.op:16} {str(shape):20} {s.algo:13} {t * 1e3:8.3f} {100 * t / total:5.1f}%")
        glue += t if s.glue else 0.0
    print(f"whole model: {best * 1e3:.2f} ms per run (best of {repeat}); nodes sum "
          f"{total * 1e3:.2f} ms, of which glue (not conv / fully connected) {100 * glue / total:.1f}%")
    print(f"activation arena {plan.arena_bytes / 1e6:.2f} MB (liveness lower bound "
          f"{plan.lower_bound_bytes / 1e6:.2f} MB)")
    if a.compare:
        return _compare(a, model, feeds, repeat, best)
    return 0


def _compare(a, model, feeds, repeat, best):
    if a.compare != "onnxruntime":
        raise SystemExit(f"error: --compare knows onnxruntime only, got {a.compare!r}")
    if not a.model.endswith(".onnx"):
        raise SystemExit("error: --compare onnxruntime needs the .onnx file")
    try:
        import onnxruntime as ort
    except ImportError:
        raise SystemExit("error: --compare onnxruntime needs onnxruntime (pip install onnxruntime)")
    so = ort.SessionOptions()
    so.intra_op_num_threads = a.threads
    so.inter_op_num_threads = 1
    sess = ort.InferenceSession(a.model, so, providers=["CPUExecutionProvider"])
    ref = sess.run(None, feeds)
    t = _best(lambda: sess.run(None, feeds), repeat)
    ours = model.run(feeds)
    print(f"onnxruntime {ort.__version__} ({a.threads} thread(s)): {t * 1e3:.2f} ms per run "
          f"(best of {repeat}); armconv / onnxruntime = {best / t:.2f}")
    for (name, y), r in zip(ours.items(), ref):
        d = float(np.abs(y.astype(np.float64) - r).max())
        print(f"output {name!r}: max |armconv - onnxruntime| = {d:.3g} "
              f"({d / max(float(np.abs(r).max()), 1e-30):.2e} of max |output|)")
    return 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    ap = argparse.ArgumentParser(prog="python -m armconv", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)

    def common(p):
        p.add_argument("--input", action="append", metavar="X.npy",
                       help="input array (.npy); once per model input, in order")
        p.add_argument("--shape", action="append", type=_shape, metavar="N,C,H,W",
                       help="shape of the random input (for free dimensions); once per input")
        p.add_argument("--repeat", type=int, default=5, help="timed runs (the best is shown)")
        p.add_argument("--precision", choices=("fp32", "fp16", "int8", "int8+fp16"), default="fp32",
                       help="the layers' arithmetic (fp16: half precision where the CPU has it and it pays; "
                            "int8: a model converted with --int8, its convolutions int8 where that pays; "
                            "int8+fp16: the same, its other layers fp16 where the CPU has it and it pays)")
    p = sub.add_parser("run", help="run a model once and print its outputs")
    p.add_argument("model")
    common(p)
    p = sub.add_parser("convert", help="save an ONNX model in armconv's numpy-only .npz form")
    p.add_argument("model")
    p.add_argument("output")
    p.add_argument("--int8", action="append", metavar="CALIB.npy",
                   help="calibrate for int8 inference on these representative inputs (batch on axis 0; "
                        "once per model input, or one .npz named by input) and save the scales")
    p.add_argument("--layers", choices=("auto", "all"), default="auto",
                   help="with --int8: which convolutions run int8 (auto: where that pays on the CPU; "
                        "all: every one)")
    p = sub.add_parser("bench", help="time every node of a model")
    p.add_argument("--model", required=True)
    common(p)
    p.add_argument("--compare", metavar="onnxruntime", help="also run onnxruntime on the same .onnx")
    p.add_argument("--threads", type=_threads, default=1,
                   help="threads of armconv and of onnxruntime (default 1)")
    a = ap.parse_args(argv)
    try:
        if a.command == "bench":
            with threads(a.threads):
                return cmd_bench(a)
        return {"run": cmd_run, "convert": cmd_convert}[a.command](a)
    except (ValueError, TypeError, ImportError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2

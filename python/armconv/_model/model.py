"""armconv.load() and the Model it returns."""
from __future__ import annotations

import io
import json
import math
import os
import threading
import zipfile
from typing import Any, Dict, List, Literal, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

from .._armconv import cpu_info as _cpu_info
from .._conv import Conv2d
from .._quant import QConv2d
from .._types import PrecisionArg
from . import int8 as _int8
from .ir import Graph, Node, describe
from .ops import OPS
from .passes import optimize
from .plan import Plan

SAVED_FORMAT = "armconv-model"
SAVED_VERSION = 1
GRAPH_KEY = "__armconv_graph__"
PRECISIONS = ("fp32", "fp16", "int8", "int8+fp16")
INT8 = ("int8", "int8+fp16")
ModelPrecision = Union[PrecisionArg, Literal["int8", "int8+fp16"]]
NO_SCALES = ("has no int8 scales: calibrate it first, model.quantize(calibration) with "
             "representative inputs (then model.save(path) keeps the scales), or from the command "
             "line: python -m armconv convert MODEL.onnx MODEL_int8.npz --int8 CALIBRATION.npy")


def _precision(v):
    if not isinstance(v, str) or v not in PRECISIONS:
        raise ValueError(f"precision must be 'fp32', 'fp16', 'int8' or 'int8+fp16', got {v!r}")
    return v


class LayerCache:
    """Hands out each Conv / FullyConnected node's prepacked armconv.Conv2d.

    The one place where layers are made, at the model's precision ("fp32";
    a Conv node marked ``int8`` is a QConv2d at its calibrated input_scale,
    with float32 output, or int8 output at its ``output_scale`` when an int8
    conv alone reads it, int8.py; "fp16", and the layers of an "int8+fp16"
    model that do not run int8: half precision where the CPU has fp16
    arithmetic and int8.float_precision says it counts fewer instructions
    than float32 for the layer and its input width, else float32; fully
    connected layers float32; activations between layers stay float32), with
    the library's own thread policy. A layer depends on the node alone,
    except for auto_pad SAME convolutions, whose padding depends on the input
    size, and for depthwise layers at "fp16", whose precision depends on the
    input width: those get one layer per padding and precision seen.
    """

    def __init__(self, graph, precision="fp32"):
        self._graph = graph
        self._precision = "fp32" if precision in INT8 else precision
        # "fp16", "int8+fp16": half precision layer by layer where the CPU has it
        # and it counts fewer instructions (int8.float_precision); None: every
        # layer at self._precision.
        self._half = None
        if precision in ("fp16", "int8+fp16"):
            self._half = bool(_cpu_info()["fp16"])
            self._isa = _int8.int8_isa()
        self._layers = {}
        self._lock = threading.Lock()

    def _make(self, key, build):
        layer = self._layers.get(key)
        if layer is None:
            with self._lock:
                layer = self._layers.get(key)
                if layer is None:
                    layer = self._layers[key] = build()
        return layer

    def _weights(self, node):
        c = self._graph.consts
        w = c[node.inputs[1]]
        b = c[node.inputs[2]] if len(node.inputs) > 2 and node.inputs[2] else None
        return np.ascontiguousarray(w, np.float32), (None if b is None else np.ascontiguousarray(b, np.float32))

    def conv_layer(self, node, pads, strides, dilations, groups, width=1):
        """width: the input's (the half-precision rule depends on it for depthwise layers)."""
        prec = "int8" if node.attrs.get("int8") else self._conv_precision(node, strides, groups, width)

        def build():
            w, b = self._weights(node)
            if w.ndim == 3:
                w = w[:, :, None, :]
            try:
                if prec == "int8":
                    return QConv2d(w, b, input_scale=node.attrs["input_scale"],
                                   output_scale=node.attrs.get("output_scale"), stride=strides,
                                   padding=pads, dilation=dilations, groups=groups,
                                   activation=_activation(node))
                return Conv2d(w, b, stride=strides, padding=pads, dilation=dilations, groups=groups,
                              activation=_activation(node), precision=prec)
            except ValueError as e:
                raise ValueError(f"{describe(node)}: {e}") from None
        return self._make((node.name, pads, prec), build)

    def fc_layer(self, node):
        # The half-precision rule keeps fully connected layers float32: at batch 1
        # (one GEMV per call, the layer packed once for every batch size) fp16
        # counted more instructions than float32 on cortex-a76 (int8.py FP16_RATES).
        prec = "fp32" if self._half is not None else self._precision

        def build():
            w, b = self._weights(node)
            return Conv2d(w[:, :, None, None], b, activation=_activation(node), precision=prec)
        return self._make((node.name,), build)

    def _conv_precision(self, node, strides, groups, width):
        if self._half is None:
            return self._precision
        w = self._graph.consts[node.inputs[1]]
        shape = tuple(w.shape) if w.ndim == 4 else (w.shape[0], w.shape[1], 1, w.shape[2])
        return _int8.float_precision(shape, groups, strides, self._isa, self._half, width)

    def layers(self):
        """The layers made so far."""
        with self._lock:
            return list(self._layers.values())


def _activation(node):
    a = node.attrs.get("activation")
    if a is None:
        return None
    lo, hi = float(a[0]), float(a[1])
    if lo == 0 and hi == math.inf:
        return "relu"
    if lo == 0 and hi == 6:
        return "relu6"
    return (lo, hi)


class Model:
    """A network loaded by :func:`armconv.load`, its convolutions prepacked.

    ``model(x)`` runs it on a float32 array (several inputs: positional, in
    :attr:`input_names` order) and returns the output, or a tuple when the
    graph has several. ``model.run({"name": x, ...})`` takes and returns
    dicts. Any batch size works (the first axis of each input is free); the
    other dimensions must be those the file declares, except where it leaves
    them free.

    A Model is immutable and may be called from several threads at once: each
    call runs in its own activation arena (arenas are pooled and reused).

    ``precision``: "fp32"; or "fp16": each convolution runs half precision
    (see :class:`armconv.Conv2d`) where the CPU has fp16 arithmetic and that
    counts fewer instructions than float32 for its kind and input width (on
    a Cortex-A76: every dense convolution, depthwise 3x3 layers on maps 14
    or more wide (stride 1) or 28 or more (stride 2); not fully connected
    layers: armconv/_model/int8.py
    FP16_RATES), the others float32; the activations between layers stay
    float32; or "int8" for a model that :meth:`quantize` calibrated: its
    convolutions run int8 where that pays on this CPU, see :meth:`quantize`;
    or "int8+fp16": the same, its other layers as at "fp16". :meth:`summary`
    says which layers run half-precision or int8 kernels on this CPU.
    """

    def __init__(self, graph: Graph, name: str = "model", precision: ModelPrecision = "fp32") -> None:
        self.name = name
        self.precision = _precision(precision)
        for n in graph.nodes:
            if n.op not in OPS:
                raise ValueError(f"{describe(n)}: operator {n.op!r} is not supported")
        self._source = graph  # what save() writes (the calibrated scales included)
        self._int8_why = {}
        if self.precision in INT8:
            if not _int8.has_scales(graph):
                raise ValueError(f"model {name!r} {NO_SCALES}")
            layers = graph.meta.get("int8", {}).get("layers", "auto")
            graph, self._int8_why = _int8.int8_graph(graph, layers)
        self._graph = graph
        self._layers = LayerCache(graph, self.precision)
        self._plans = {}
        self._lock = threading.Lock()
        # Pack every convolution now (auto_pad SAME ones wait for an input size).
        for n in graph.nodes:
            if n.op == "FullyConnected":
                self._layers.fc_layer(n)
        if all(d is not None for _, s in graph.inputs for d in s[1:]):
            self.plan()  # folds the shape computations and packs the rest for the declared shapes

    # ------------------------------------------------------------ description
    @property
    def input_names(self) -> List[str]:
        return [n for n, _ in self._graph.inputs]

    @property
    def output_names(self) -> List[str]:
        return list(self._graph.outputs)

    @property
    def inputs(self) -> List[Tuple[str, Tuple[Optional[int], ...]]]:
        """[(name, shape)] as the file declares them; None marks a free dimension."""
        return [(n, tuple(s)) for n, s in self._graph.inputs]

    @property
    def input_scales(self) -> Dict[str, float]:
        """{Conv node name: the calibrated scale of its int8 input} ({} before :meth:`quantize`)."""
        return {n.name: float(n.attrs["input_scale"]) for n in self._source.nodes
                if n.op == "Conv" and "input_scale" in n.attrs}

    @property
    def int8_layers(self) -> List[str]:
        """The convolutions that run int8 kernels (precision "int8" or "int8+fp16"; else [])."""
        return [n.name for n in self._graph.nodes if n.op == "Conv" and n.attrs.get("int8")]

    # ------------------------------------------------------------ int8
    def quantize(self, calibration: Any, layers: str = "auto", precision: str = "int8") -> "Model":
        """A new Model whose convolutions run int8 (post-training static quantization).

        calibration: representative inputs, preprocessed as for ``model(x)``:
        an array (a batch; single-input models), a dict {input name: array},
        or a list of those. The float32 model runs over every one of them and
        each convolution records max|x| of its input; its int8 input scale is
        ``max|x| / 127`` (symmetric, no zero point; values beyond the range
        saturate to +-127). Weights are quantized per output channel, bias
        and fused activations kept, outputs dequantized to float32 in the
        kernel (QConv2d with float output), or, where another int8
        convolution alone reads the output, requantized to its input scale
        in the kernel (int8 output: no float round trip between them). An
        Add of two tensors (a residual connection) records max|x| of its
        operands and output as well; with layers="auto", where the
        convolutions around it run int8 and nothing else reads its tensors,
        it runs int8 if that counts fewer instructions than float32 with its
        Quantize nodes (the int8 residual stream: armconv/_model/int8.py).

        layers: "auto" (the default): on the CPU that runs the model, int8
        where its kernels count fewer instructions than float32's, input
        quantization included (the rule: armconv/_model/int8.py); "all":
        every calibrated convolution. Fully connected layers stay float32.

        precision: "int8" (the default): the layers that do not run int8 run
        float32; "int8+fp16": on a CPU with fp16 vector arithmetic (Cortex-A76,
        Raspberry Pi 5) they run half precision where that counts fewer
        instructions than float32 (by the counts in armconv/_model/int8.py,
        FP16_RATES: 1x1, 3x3 and other dense convolutions, depthwise 3x3
        layers on maps 14 or more wide (stride 1) or 28 or more (stride 2);
        not other depthwise or fully connected layers; a layer whose algorithm
        has no fp16 kernels
        stays float32); the int8 layers are those of "int8". Their
        error is then fp16's (README "Half precision": about 1e-2 of a layer's
        output RMS at worst, weights and inputs rounded to 11 bits, sums in
        half precision; values beyond 65504 overflow to inf) on top of int8's
        rounding in the int8 layers: check the outputs on your data as for
        int8. Elsewhere (Pi 4, 32-bit ARM, x86) "int8+fp16" runs as "int8",
        bit for bit.

        The new model has that precision; ``save()`` keeps its scales
        (``load(path, precision="int8")`` or ``"int8+fp16"``: the file does not
        say which). This model is unchanged.
        """
        if layers not in _int8.LAYERS:
            raise ValueError(f"layers must be 'auto' or 'all', got {layers!r}")
        if precision not in INT8:
            raise ValueError(f"precision must be 'int8' or 'int8+fp16', got {precision!r}")
        batches = _int8.calibration_batches(self, calibration)
        fmodel = self if self.precision == "fp32" else Model(self._source, self.name, "fp32")
        ranges = _int8.observe_ranges(fmodel, batches)
        if not any(v > 0 for v in ranges.values() if isinstance(v, float)):
            raise ValueError("calibration gave every convolution an all-zero input (or the model has "
                             "none): give representative inputs")
        samples = sum(next(iter(b.values())).shape[0] if next(iter(b.values())).ndim else 1
                      for b in batches)
        return Model(_int8.calibrated_graph(self._source, ranges, layers, samples), self.name, precision)

    @property
    def nodes(self) -> List[Tuple[str, str]]:
        """The nodes that run after the graph work at load time, as (name, op) pairs."""
        return [(n.name, n.op) for n in self._graph.nodes]

    def __repr__(self) -> str:
        ins = ", ".join(f"{n}{_shape_str(s)}" for n, s in self.inputs)
        return f"<armconv.Model {self.name!r}: {len(self._graph.nodes)} nodes, inputs {ins}>"

    # ------------------------------------------------------------ running
    def _default_shapes(self):
        shapes = {}
        for name, s in self._graph.inputs:
            if any(d is None for d in s[1:]):
                raise ValueError(f"input {name!r} has free dimensions {_shape_str(s)}: give the "
                                 "input shapes, e.g. model.summary({%r: (1, 3, 224, 224)})" % name)
            shapes[name] = (1 if s[0] is None else s[0],) + tuple(s[1:]) if s else ()
        return shapes

    def plan(self, shapes: Optional[Dict[str, Sequence[int]]] = None) -> Plan:
        """The execution plan for these input shapes ({name: shape}; default: the declared ones)."""
        shapes = self._default_shapes() if shapes is None else {
            k: tuple(int(d) for d in v) for k, v in shapes.items()}
        for name, decl in self._graph.inputs:
            if name not in shapes:
                raise ValueError(f"missing the shape of input {name!r}")
            _check_shape(name, shapes[name], decl)
        key = tuple(shapes[n] for n, _ in self._graph.inputs)
        p = self._plans.get(key)
        if p is None:
            with self._lock:
                p = self._plans.get(key)
                if p is None:
                    p = self._plans[key] = Plan(self._graph, shapes, self._layers)
        return p

    def _feeds(self, feeds):
        if not isinstance(feeds, dict):
            raise TypeError(f"run() takes a dict {{input name: array}}, got {type(feeds).__name__}")
        names = self.input_names
        extra = [k for k in feeds if k not in names]
        if extra:
            raise ValueError(f"unknown input name(s) {', '.join(map(repr, extra))}; the model's "
                             f"inputs are {', '.join(map(repr, names))}")
        missing = [k for k in names if k not in feeds]
        if missing:
            raise ValueError(f"missing input(s) {', '.join(map(repr, missing))}; the model's inputs "
                             f"are {', '.join(f'{n!r} {_shape_str(s)}' for n, s in self.inputs)}")
        arrays = []
        for name, decl in self._graph.inputs:
            x = feeds[name]
            if not isinstance(x, np.ndarray):
                raise TypeError(f"input {name!r} must be a numpy.ndarray of float32, got "
                                f"{type(x).__name__}; convert it with np.asarray(x, dtype=np.float32)")
            if x.dtype != np.float32:
                raise TypeError(f"input {name!r} must have dtype float32, got {x.dtype}; cast it "
                                "with x.astype(np.float32)")
            _check_shape(name, x.shape, decl)
            arrays.append(x)
        return arrays

    def run(self, feeds: Dict[str, npt.NDArray[np.float32]],
            outputs: Union[None, str, Sequence[str]] = None) -> Dict[str, npt.NDArray[np.float32]]:
        """Run on {input name: array}; returns {output name: array} (all, or those named)."""
        xs = self._feeds(feeds)
        plan = self.plan({n: x.shape for (n, _), x in zip(self._graph.inputs, xs)})
        ys = plan.run(xs)
        res = dict(zip(self._graph.outputs, ys))
        if outputs is None:
            return res
        if isinstance(outputs, str):
            outputs = [outputs]
        for o in outputs:
            if o not in res:
                raise ValueError(f"unknown output {o!r}; the model's outputs are "
                                 f"{', '.join(map(repr, self._graph.outputs))}")
        return {o: res[o] for o in outputs}

    def __call__(self, *inputs: npt.NDArray[np.float32]
                 ) -> Union[npt.NDArray[np.float32], Tuple[npt.NDArray[np.float32], ...]]:
        names = self.input_names
        if len(inputs) != len(names):
            raise TypeError(f"the model takes {len(names)} input(s) ({', '.join(map(repr, names))}), "
                            f"got {len(inputs)}")
        res = self.run(dict(zip(names, inputs)))
        ys = [res[o] for o in self._graph.outputs]
        return ys[0] if len(ys) == 1 else tuple(ys)

    # ------------------------------------------------------------ summary
    def summary(self, shapes: Optional[Dict[str, Sequence[int]]] = None) -> str:
        """A table of the nodes that run (op, output shape, algorithm, MACs, what was
        fused into them) with totals and the activation memory of the plan for
        these input shapes (default: the declared ones, batch 1). Returns a str."""
        p = self.plan(shapes)
        rows = []
        for s in p.steps:
            out = p.tensors[s.outputs[0]].shape if s.outputs and s.outputs[0] else ()
            fused = [f for f in s.node.attrs.get("fused", []) if f != s.node.name]
            note = ("+ " + ", ".join(fused)) if fused else ""
            if s.node.name in p.inplace:
                note = (note + "; " if note else "") + "in place"
            rows.append((s.node.name, s.node.op, _shape_str(out), s.algo, s.macs, note))
        w = max([len(r[0]) for r in rows] + [4])
        w = min(w, 40)
        lines = [f"armconv model {self.name!r}: inputs " +
                 ", ".join(f"{n} {_shape_str(v)}" for n, v in p.input_shapes.items())]
        if self.precision == "fp16":
            layers = self._layers.layers()
            half = sum(1 for layer in layers if layer.precision == "fp16")
            lines.append(f"precision fp16: {half} of {len(layers)} convolution / fully connected "
                         f"layers run half-precision kernels on this CPU (the others float32)")
        if self.precision in INT8:
            convs = [s for s in p.steps if s.node.op in ("Conv", "FullyConnected")]
            i8 = [s for s in convs if s.node.attrs.get("int8")]
            q = [s for s in p.steps if s.node.op == "Quantize"]
            layers = self._source.meta.get("int8", {}).get("layers", "auto")
            half = sum(1 for layer in self._layers.layers() if getattr(layer, "precision", "") == "fp16")
            rest = (f"of the others {half} run half-precision kernels, the rest float32"
                    if self.precision == "int8+fp16" else "the others float32")
            lines.append(f"precision {self.precision} (layers={layers!r}): {len(i8)} of {len(convs)} "
                         f"convolution / fully connected layers run int8 kernels on this CPU "
                         f"({sum(s.macs for s in i8) / 1e6:.2f} of {sum(s.macs for s in convs) / 1e6:.2f} "
                         f"MMACs), {len(q)} Quantize nodes; {rest}")
        aw = max([len(r[3]) for r in rows] + [13])
        hdr = f"{'node':{w}}  {'op':17} {'output':22} {'algo':{aw}} {'MMACs':>9}  fused"
        lines += [hdr, "-" * len(hdr)]
        for name, op, out, algo, macs, note in rows:
            name = name if len(name) <= w else "..." + name[-(w - 3):]
            lines.append(f"{name:{w}}  {op:17} {out:22} {algo:{aw}} {macs / 1e6:9.2f}  {note}".rstrip())
        total = sum(r[4] for r in rows)
        conv = sum(s.macs for s in p.steps if not s.glue)
        weights = sum(v.nbytes for v in self._graph.consts.values())
        lines.append("-" * len(hdr))
        lines.append(f"{len(p.steps)} nodes run ({len(p.folded)} computed before the run, "
                     f"{len(p.views)} views); {total / 1e6:.2f} MMACs "
                     f"({conv / 1e6:.2f} in convolution and fully connected layers)")
        ratio = p.arena_bytes / p.lower_bound_bytes if p.lower_bound_bytes else 1.0
        lines.append(f"activation memory: {p.arena_bytes / 1e6:.3f} MB peak (one arena, buffers "
                     f"reused after their last use); liveness lower bound "
                     f"{p.lower_bound_bytes / 1e6:.3f} MB ({ratio:.2f}x); weights {weights / 1e6:.2f} MB")
        return "\n".join(lines)

    # ------------------------------------------------------------ saving
    def save(self, path: Union[str, "os.PathLike[str]", Any]) -> None:
        """Save the graph after the load-time work (BN folded, activations fused) and its
        weights as a .npz that :func:`armconv.load` reads with numpy alone; a
        model from :meth:`quantize` keeps its int8 scales (each Conv node's
        ``input_scale`` attribute; an older armconv reads the file and runs it
        in float32)."""
        g = self._source
        names = list(g.consts)
        doc = {
            "format": SAVED_FORMAT, "version": SAVED_VERSION, "name": self.name, "meta": g.meta,
            "inputs": [[n, list(s)] for n, s in g.inputs], "outputs": g.outputs,
            "consts": names,
            "nodes": [{"op": n.op, "name": n.name, "inputs": n.inputs, "outputs": n.outputs,
                       "attrs": n.attrs} for n in g.nodes],
        }
        blob = json.dumps(doc).encode()
        arrays = {f"c{i}": np.asarray(g.consts[n], order="C") for i, n in enumerate(names)}
        arrays[GRAPH_KEY] = np.frombuffer(blob, np.uint8)
        if isinstance(path, (str, os.PathLike)) and not os.fspath(path).endswith(".npz"):
            raise ValueError(f"save() writes a .npz file; give a path ending in .npz, got {os.fspath(path)!r}")
        np.savez(path, **arrays)


def _shape_str(s):
    return "(" + ", ".join("N" if d is None else str(d) for d in s) + ("," if len(s) == 1 else "") + ")"


def _check_shape(name, shape, decl):
    if len(shape) != len(decl):
        raise ValueError(f"input {name!r} must have {len(decl)} dimensions {_shape_str(decl)}, "
                         f"got shape {tuple(shape)}")
    for i, (d, e) in enumerate(zip(shape, decl)):
        if d < 1:
            raise ValueError(f"input {name!r}: dimension {i} is {d}; expected {_shape_str(decl)}")
        if i > 0 and e is not None and d != e:
            raise ValueError(f"input {name!r} must have shape {_shape_str(decl[:1] + decl[1:])} "
                             f"(any batch size), got {tuple(shape)}")


# ------------------------------------------------------------------ loading

def load(source: Union[str, "os.PathLike[str]", Any], precision: ModelPrecision = "fp32") -> Model:
    """Load a model: an ONNX file (needs the onnx package), an onnx.ModelProto,
    or a .npz written by :meth:`Model.save` (numpy only).

    The graph is optimised once (see Model.summary()) and every convolution
    prepacked, at ``precision`` ("fp32", or "fp16": half-precision kernels
    where the CPU has them and they count fewer instructions, see
    :class:`Model`; or "int8" /
    "int8+fp16" for a .npz that a quantized model saved, see
    :meth:`Model.quantize`). Raises
    ValueError for an unreadable file, an operator armconv does not run
    (naming it and its node), or "int8" for a model without int8 scales.
    """
    precision = _precision(precision)
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        with open(path, "rb") as f:
            head = f.read(4)
        name = os.path.splitext(os.path.basename(path))[0]
        if head.startswith(b"PK"):
            return _load_saved(path, name, precision)
        from .onnx_import import read_onnx
        graph, _ = read_onnx(path)
        return Model(optimize(graph), name, precision)
    if type(source).__name__ == "ModelProto":
        from .onnx_import import read_onnx
        graph, _ = read_onnx(source)
        return Model(optimize(graph), source.graph.name or "model", precision)
    raise TypeError(f"load() takes a file path or an onnx.ModelProto, got {type(source).__name__}")


def _load_saved(path, name, precision="fp32"):
    try:
        with open(path, "rb") as f, np.load(f, allow_pickle=False) as z:
            if GRAPH_KEY not in z.files:
                raise ValueError(f"{path!r} is a .npz but not a model saved by armconv (no {GRAPH_KEY})")
            doc = json.loads(bytes(z[GRAPH_KEY]).decode())
            if doc.get("format") != SAVED_FORMAT:
                raise ValueError(f"{path!r} is not an armconv model file")
            if doc.get("version") != SAVED_VERSION:
                raise ValueError(f"{path!r} is an armconv model of format version {doc.get('version')}; "
                                 f"this armconv reads version {SAVED_VERSION}: convert the ONNX file again")
            consts = {n: z[f"c{i}"] for i, n in enumerate(doc["consts"])}
    except (zipfile.BadZipFile, EOFError, KeyError, json.JSONDecodeError, UnicodeDecodeError,
            io.UnsupportedOperation) as e:
        raise ValueError(f"{path!r} is not a readable armconv model file ({type(e).__name__}: {e}); "
                         "was it truncated?") from None
    except ValueError as e:
        if "armconv" in str(e):
            raise
        raise ValueError(f"{path!r} is not a readable armconv model file ({e}); was it truncated?") from None
    nodes = [Node(d["op"], d["name"], d["inputs"], d["outputs"], d["attrs"]) for d in doc["nodes"]]
    for n in nodes:
        if n.op not in OPS:
            raise ValueError(f"{path!r}: {describe(n)}: operator {n.op!r} is not supported by this "
                             "armconv (saved by a newer one?)")
    graph = Graph([(n, [None if d is None else int(d) for d in s]) for n, s in doc["inputs"]],
                  doc["outputs"], nodes, consts, doc.get("meta"))
    if precision in INT8 and not _int8.has_scales(graph):
        raise ValueError(f"{path!r} {NO_SCALES}")
    return Model(graph, doc.get("name", name), precision)

"""What every node does: output shapes, and a kernel that writes its outputs.

Each operator is an :class:`Op` with

- ``infer(node, ins)``: the outputs' (shape, dtype) from the inputs'
  :class:`Tensor` (shape, dtype and, for a value known before the run, the
  value itself: constants, and what is computed from shapes alone);
- ``prepare(node, ins, outs, env)``: a function ``fn(xs, ys)`` that reads the
  input arrays ``xs`` and writes the preallocated, C-contiguous output arrays
  ``ys`` (the memory plan owns them). Parameters that must be known before the
  run (a Reshape's shape, a Slice's bounds, a Resize's scales) are read here
  once; the function does only the arithmetic;
- ``macs(node, ins, outs)`` for the summary.

``Op.view`` ops (Reshape, Flatten, Squeeze, Unsqueeze, Identity) move no data:
their output is their input's buffer under another shape. ``Op.inplace``
kernels are written so that ``ys[0]`` may be the very buffer of an input of
the same shape and dtype (the memory plan uses that when the input dies at
this node).

The convolution and fully connected layers run on armconv's kernels
(``env`` hands out the prepacked :class:`armconv.Conv2d` of a node), and so do
2-D pooling and the float32 elementwise Add, Sub, Mul, Max, Min of two
operands whose shapes the kernels cover (src/core/eltwise.h); the other
("glue") operators are NumPy.
"""
import itertools
import math

import numpy as np

from .._armconv import add_s8 as _add_s8
from .._armconv import eltwise as _eltwise
from .._armconv import pool2d as _pool2d
from .ir import describe

F32 = np.dtype(np.float32)
I64 = np.dtype(np.int64)
I8 = np.dtype(np.int8)


class Tensor:
    """What the planner knows of a tensor: shape, dtype and, if known before the run, its value."""

    __slots__ = ("shape", "dtype", "value")

    def __init__(self, shape, dtype, value=None):
        self.shape = tuple(int(d) for d in shape)
        self.dtype = np.dtype(dtype)
        self.value = value

    @property
    def size(self):
        return int(np.prod(self.shape, dtype=np.int64))


def fail(node, msg):
    raise ValueError(f"{describe(node)}: {msg}")


def static(node, ins, i, what, default=None):
    """The value of input i, which must be known before the run (or absent: default)."""
    if i >= len(ins) or ins[i] is None:
        return default
    v = ins[i].value
    if v is None:
        fail(node, f"its {what} (input {i}) must be a constant or computable from the input "
                   "shapes; here it depends on the input's values")
    return v


def ints(v):
    return [int(e) for e in np.asarray(v).reshape(-1)]


def norm_axis(node, axis, rank, what="axis"):
    a = int(axis)
    if not -rank <= a < rank:
        fail(node, f"{what} {axis} is out of range for a tensor of rank {rank}")
    return a + rank if a < 0 else a


class Op:
    view = False
    inplace = False
    n_inputs = (1, 1)  # (min, max) non-absent inputs

    def inplace_inputs(self, node):
        """Inputs whose buffer the output may take over (when they die here)."""
        return range(len(node.inputs)) if self.inplace else ()

    def infer(self, node, ins):
        raise NotImplementedError

    def prepare(self, node, ins, outs, env):
        raise NotImplementedError

    def macs(self, node, ins, outs):
        return 0

    def algo(self, node, ins, outs, env):
        return ""


OPS = {}


def register(*names):
    def deco(cls):
        for n in names:
            OPS[n] = cls(n)
        return cls
    return deco


class Named(Op):
    def __init__(self, name):
        self.name = name


# ----------------------------------------------------------------- activations

def clamp_into(y, lo, hi):
    """y = clamp(y, lo, hi) in place; NaN stays NaN (as torch.clamp)."""
    if lo is not None and lo > -math.inf:
        np.maximum(y, np.float32(lo), out=y)
    if hi is not None and hi < math.inf:
        np.minimum(y, np.float32(hi), out=y)


def activation_bounds(node):
    """A node's fused activation as (lo, hi), or None."""
    a = node.attrs.get("activation")
    return None if a is None else (float(a[0]), float(a[1]))


def _relu(node):
    def fn(xs, ys):
        np.maximum(xs[0], np.float32(0), out=ys[0])
    return fn


def _clip(node, lo, hi):
    lo = -math.inf if lo is None else float(lo)
    hi = math.inf if hi is None else float(hi)

    def fn(xs, ys):
        x, y = xs[0], ys[0]
        if lo > -math.inf:
            np.maximum(x, np.float32(lo), out=y)
            x = y
        if hi < math.inf:
            np.minimum(x, np.float32(hi), out=y)
            x = y
        if x is not y:
            np.copyto(y, x)
    return fn


def _leaky_relu(node):
    alpha = np.float32(node.attrs.get("alpha", 0.01))

    def fn(xs, ys):
        x = xs[0]
        neg = x * alpha  # a temporary, so that ys[0] may be xs[0]
        np.copyto(ys[0], np.where(x < 0, neg, x))
    return fn


def _sigmoid(node):
    def fn(xs, ys):
        y = ys[0]
        with np.errstate(over="ignore"):
            np.negative(xs[0], out=y)
            np.exp(y, out=y)
        np.add(y, np.float32(1), out=y)
        np.reciprocal(y, out=y)
    return fn


def _hard_sigmoid(node):
    alpha = np.float32(node.attrs.get("alpha", 0.2))
    beta = np.float32(node.attrs.get("beta", 0.5))

    def fn(xs, ys):
        y = ys[0]
        np.multiply(xs[0], alpha, out=y)
        np.add(y, beta, out=y)
        clamp_into(y, 0.0, 1.0)
    return fn


def _hard_swish(node):
    sixth = np.float32(1.0 / 6.0)

    def fn(xs, ys):
        x = xs[0]
        t = x * sixth  # x * clamp(x/6 + 1/2, 0, 1); a temporary so that ys[0] may be x
        np.add(t, np.float32(0.5), out=t)
        clamp_into(t, 0.0, 1.0)
        np.multiply(x, t, out=ys[0])
    return fn


def _tanh(node):
    def fn(xs, ys):
        np.tanh(xs[0], out=ys[0])
    return fn


def _neg(node):
    def fn(xs, ys):
        np.negative(xs[0], out=ys[0])
    return fn


def _sqrt(node):
    def fn(xs, ys):
        np.sqrt(xs[0], out=ys[0])
    return fn


def _exp(node):
    def fn(xs, ys):
        np.exp(xs[0], out=ys[0])
    return fn


def _reciprocal(node):
    def fn(xs, ys):
        np.reciprocal(xs[0], out=ys[0])
    return fn


def _abs(node):
    def fn(xs, ys):
        np.abs(xs[0], out=ys[0])
    return fn


UNARY = {"Relu": _relu, "LeakyRelu": _leaky_relu, "Sigmoid": _sigmoid,
         "HardSigmoid": _hard_sigmoid, "HardSwish": _hard_swish, "Tanh": _tanh, "Neg": _neg,
         "Sqrt": _sqrt, "Exp": _exp, "Reciprocal": _reciprocal, "Abs": _abs}


@register(*UNARY)
class Unary(Named):
    inplace = True

    def infer(self, node, ins):
        if ins[0].dtype != F32 and self.name not in ("Neg", "Abs"):
            fail(node, f"expects float32, got {ins[0].dtype}")
        return [(ins[0].shape, ins[0].dtype)]

    def prepare(self, node, ins, outs, env):
        return UNARY[self.name](node)


@register("Clip")
class Clip(Named):
    inplace = True
    n_inputs = (1, 3)

    def infer(self, node, ins):
        return [(ins[0].shape, ins[0].dtype)]

    def prepare(self, node, ins, outs, env):
        lo = static(node, ins, 1, "min")
        hi = static(node, ins, 2, "max")
        lo = None if lo is None else float(np.asarray(lo).reshape(-1)[0])
        hi = None if hi is None else float(np.asarray(hi).reshape(-1)[0])
        if ins[0].dtype != F32:  # integer clip (shape arithmetic)
            def fn(xs, ys):
                np.clip(xs[0], lo, hi, out=ys[0])
            return fn
        return _clip(node, lo, hi)


@register("PRelu")
class PRelu(Named):
    inplace = True
    n_inputs = (2, 2)

    def infer(self, node, ins):
        shape = np.broadcast_shapes(ins[0].shape, ins[1].shape)
        if shape != ins[0].shape:
            fail(node, f"slope of shape {ins[1].shape} does not broadcast to x {ins[0].shape}")
        return [(shape, F32)]

    def prepare(self, node, ins, outs, env):
        def fn(xs, ys):
            x = xs[0]
            neg = x * xs[1]  # a temporary, so that ys[0] may be x
            np.copyto(ys[0], np.where(x < 0, neg, x))
        return fn


@register("ChannelAffine")
class ChannelAffine(Named):
    """y = x * scale[c] + shift[c] along axis 1 (a BatchNormalization that follows no Conv)."""
    inplace = True
    n_inputs = (3, 3)

    def infer(self, node, ins):
        x = ins[0]
        if len(x.shape) < 2 or ins[1].shape != (x.shape[1],) or ins[2].shape != (x.shape[1],):
            fail(node, f"scale/shift of shapes {ins[1].shape}, {ins[2].shape} do not match the "
                       f"channels of x {x.shape}")
        return [(x.shape, F32)]

    def prepare(self, node, ins, outs, env):
        bshape = (-1,) + (1,) * (len(ins[0].shape) - 2)
        scale = np.ascontiguousarray(static(node, ins, 1, "scale"), F32).reshape(bshape)
        shift = np.ascontiguousarray(static(node, ins, 2, "shift"), F32).reshape(bshape)

        def fn(xs, ys):
            np.multiply(xs[0], scale, out=ys[0])
            np.add(ys[0], shift, out=ys[0])
        return fn


# ----------------------------------------------------------------- elementwise binary

def _int_div(a, b, out):
    q = np.abs(a) // np.abs(b)  # integer Div truncates toward zero
    np.copyto(out, np.where((a < 0) != (b < 0), -q, q))


BINARY = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": np.divide,
          "Pow": np.power, "Max": np.maximum, "Min": np.minimum}

# Ops of two float32 operands that run on armconv's elementwise kernels
# (src/core/eltwise.h: one pass, the clamp fused), and the commutative ones.
KERNEL_BINARY = {"Add": "add", "Sub": "sub", "Mul": "mul", "Max": "max", "Min": "min"}
_COMMUTATIVE = {"add", "mul", "max", "min"}


def _prod(dims):
    return int(np.prod(dims, dtype=np.int64))


def _broadcast_view(small, full):
    """How an operand of shape ``small`` broadcasts to ``full`` for the
    elementwise kernels: ("same" | "scalar" | "mid", outer, mid, inner), the
    output viewed as outer x mid x inner with the operand varying along mid
    only (a per-channel (C, 1, 1) operand of (N, C, H, W): N, C, H*W; a
    trailing (W,) one: N*C*H, W, 1); None when its non-1 dimensions are not
    one contiguous run (numpy then)."""
    if tuple(small) == tuple(full):
        return ("same", 1, 1, _prod(full))
    if len(small) > len(full):
        return None
    s = (1,) * (len(full) - len(small)) + tuple(small)
    dims = [i for i, d in enumerate(s) if d != 1]
    if not dims:
        return ("scalar", 1, 1, _prod(full))
    i0, i1 = dims[0], dims[-1] + 1
    if any(s[i] != full[i] for i in range(i0, i1)):
        return None
    return ("mid", _prod(full[:i0]), _prod(full[i0:i1]), _prod(full[i1:]))


def _kernel_binary(name, ins, out_shape, consts, lo, hi):
    """fn(xs, ys) running a two-operand float32 node on the elementwise
    kernels, or None when its shapes are not theirs (both operands
    broadcast, or a broadcast the kernels do not cover). The clamp bounds
    are clamp_into's: None (or NaN) clamps nothing on that side."""
    if name not in KERNEL_BINARY or any(t.dtype != F32 for t in ins):
        return None
    op = KERNEL_BINARY[name]
    if ins[0].shape == out_shape:
        full, small = 0, 1
    elif ins[1].shape == out_shape:
        full, small = 1, 0
        if op not in _COMMUTATIVE:
            op = "rsub"  # a - b with b the full operand: b's elements minus a's
    else:
        return None
    view = _broadcast_view(ins[small].shape, out_shape)
    if view is None:
        return None
    kind, outer, mid, inner = view
    lo = lo if lo is not None and lo > -math.inf else -math.inf
    hi = hi if hi is not None and hi < math.inf else math.inf
    cf, cs = consts[full], consts[small]
    if cf is None and cs is None:
        def fn(xs, ys):
            _eltwise(op, xs[full], xs[small], ys[0], kind, outer, mid, inner, lo, hi)
    elif cf is None:
        def fn(xs, ys):
            _eltwise(op, xs[full], cs, ys[0], kind, outer, mid, inner, lo, hi)
    elif cs is None:
        def fn(xs, ys):
            _eltwise(op, cf, xs[small], ys[0], kind, outer, mid, inner, lo, hi)
    else:
        def fn(xs, ys):
            _eltwise(op, cf, cs, ys[0], kind, outer, mid, inner, lo, hi)
    return fn


@register(*BINARY)
class Binary(Named):
    """Elementwise with numpy broadcasting; Max and Min take any number of inputs.
    ``activation`` (lo, hi) clamps the result (Add + Relu fused). Two float32
    operands run on the elementwise kernels when their shapes allow
    (_kernel_binary); the rest is numpy."""
    inplace = True
    n_inputs = (2, 2)

    def __init__(self, name):
        super().__init__(name)
        if name in ("Max", "Min"):
            self.n_inputs = (1, 1 << 30)

    def inplace_inputs(self, node):
        return range(min(len(node.inputs), 2))  # a third input is read after y is written

    def infer(self, node, ins):
        try:
            shape = np.broadcast_shapes(*(t.shape for t in ins))
        except ValueError:
            fail(node, "input shapes " + ", ".join(str(t.shape) for t in ins) + " do not broadcast")
        dtypes = {t.dtype for t in ins}
        if len(dtypes) > 1:
            fail(node, "inputs have different dtypes: " + ", ".join(str(d) for d in dtypes))
        if node.attrs.get("int8") and ins[0].dtype != I8:
            fail(node, f"input of dtype {ins[0].dtype} for an int8 Add")
        if node.attrs.get("int8") and ins[0].shape != ins[1].shape:
            fail(node, f"runs int8 (calibrated on operands of one shape) but its operands have shapes "
                       f"{ins[0].shape} and {ins[1].shape}")
        return [(shape, ins[0].dtype)]

    def algo(self, node, ins, outs, env):
        return "int8" if node.attrs.get("int8") else ""

    def prepare(self, node, ins, outs, env):
        if node.attrs.get("int8"):  # the int8 residual Add (int8.py): add_s8, params from add_scales
            ma, mb, shift, lo = node.attrs["add_params"]

            def fn(xs, ys):
                _add_s8(xs[0], xs[1], ys[0], ma, mb, shift, lo)
            return fn
        f = BINARY[self.name]
        if self.name == "Div" and ins[0].dtype.kind in "iu":
            f = _int_div
        if self.name == "Pow" and ins[0].dtype == F32:
            f = _pow_f32
        act = activation_bounds(node)
        lo, hi = act if act else (None, None)
        # A constant operand is prepared once (dtype, contiguity).
        consts = [None if t.value is None else np.asarray(t.value, t.dtype, order="C") for t in ins]
        n = len(ins)

        if n == 1:
            def fn(xs, ys):
                np.copyto(ys[0], xs[0])
            return fn
        if n == 2:
            k = _kernel_binary(self.name, ins, outs[0].shape, consts, lo, hi)
            if k is not None:
                return k
        a_c, b_c = consts[0], consts[1]
        if n == 2 and a_c is None and b_c is None:
            def fn(xs, ys):
                f(xs[0], xs[1], out=ys[0])
                if act:
                    clamp_into(ys[0], lo, hi)
        elif n == 2 and b_c is not None:
            def fn(xs, ys):
                f(xs[0], b_c, out=ys[0])
                if act:
                    clamp_into(ys[0], lo, hi)
        elif n == 2:
            def fn(xs, ys):
                f(a_c, xs[1], out=ys[0])
                if act:
                    clamp_into(ys[0], lo, hi)
        else:
            def fn(xs, ys):
                y = ys[0]
                # the first pair writes y from two inputs: y may alias either
                f(xs[0], xs[1], out=y)
                for x in xs[2:]:
                    f(y, x, out=y)
        return fn


def _pow_f32(a, b, out):
    b = np.asarray(b)
    if b.size == 1 and float(b.reshape(-1)[0]) == 2.0:
        np.multiply(a, a, out=out)
    else:
        np.power(a, b, out=out)


# ----------------------------------------------------------------- convolution

def conv_pads(node, in_spatial, kernel, strides, dilations):
    """Begin and end pads per spatial dim from ``pads`` or ``auto_pad``."""
    nd = len(in_spatial)
    auto = node.attrs.get("auto_pad", "NOTSET")
    if auto in ("NOTSET", ""):
        pads = node.attrs.get("pads") or [0] * (2 * nd)
        if len(pads) != 2 * nd:
            fail(node, f"pads {pads} should have {2 * nd} entries")
        return list(pads[:nd]), list(pads[nd:])
    if auto == "VALID":
        return [0] * nd, [0] * nd
    if auto not in ("SAME_UPPER", "SAME_LOWER"):
        fail(node, f"unknown auto_pad {auto!r}")
    begin, end = [], []
    for i in range(nd):
        out = -(-in_spatial[i] // strides[i])
        total = max((out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - in_spatial[i], 0)
        small, big = total // 2, total - total // 2
        b, e = (small, big) if auto == "SAME_UPPER" else (big, small)
        begin.append(b)
        end.append(e)
    return begin, end


@register("Conv")
class Conv(Named):
    """2-D (and 1-D, run as 2-D with height 1) convolution on armconv.Conv2d.
    Inputs x, W, B (W and B constants); ``activation`` (lo, hi) is fused into
    the kernel's output stage."""
    n_inputs = (2, 3)

    def geometry(self, node, ins):
        x, w = ins[0], ins[1]
        if len(x.shape) not in (3, 4):
            fail(node, f"only 1-D and 2-D convolutions are supported; the input has shape {x.shape}")
        if len(w.shape) != len(x.shape):
            fail(node, f"weight of shape {w.shape} does not match the input of shape {x.shape}")
        nd = len(x.shape) - 2
        kernel = list(w.shape[2:])
        ks = node.attrs.get("kernel_shape")
        if ks and list(ks) != kernel:
            fail(node, f"kernel_shape {ks} differs from the weight's {kernel}")
        strides = list(node.attrs.get("strides") or [1] * nd)
        dil = list(node.attrs.get("dilations") or [1] * nd)
        g = int(node.attrs.get("group", 1))
        if x.shape[1] != w.shape[1] * g:
            fail(node, f"input has {x.shape[1]} channels; weight {w.shape} with group {g} "
                       f"expects {w.shape[1] * g}")
        begin, end = conv_pads(node, x.shape[2:], kernel, strides, dil)
        out = []
        for i in range(nd):
            o = (x.shape[2 + i] + begin[i] + end[i] - (kernel[i] - 1) * dil[i] - 1) // strides[i] + 1
            if o < 1:
                fail(node, f"the input of shape {x.shape} is too small for this convolution")
            out.append(o)
        return nd, kernel, strides, dil, g, begin, end, out

    def infer(self, node, ins):
        if ins[1].value is None:
            fail(node, "its weight must be a constant")
        if (ins[0].dtype == I8) != bool(node.attrs.get("int8")):
            fail(node, f"input of dtype {ins[0].dtype} for a{'n int8' if node.attrs.get('int8') else ' float'} "
                       "convolution")
        nd, _, _, _, _, _, _, out = self.geometry(node, ins)
        return [((ins[0].shape[0], ins[1].shape[0], *out), I8 if "output_scale" in node.attrs else F32)]

    def layer(self, node, ins, env):
        nd, kernel, strides, dil, g, begin, end, _ = self.geometry(node, ins)
        if nd == 1:  # (t, b, l, r) of the 2-D view with height 1
            pads, strides, dil = (0, 0, begin[0], end[0]), (1, strides[0]), (1, dil[0])
        else:
            pads = (begin[0], end[0], begin[1], end[1])
        return env.conv_layer(node, pads, tuple(strides), tuple(dil), g, ins[0].shape[-1])

    def prepare(self, node, ins, outs, env):
        run = self.layer(node, ins, env)._impl.run
        if len(ins[0].shape) == 3:
            def fn(xs, ys):
                x, y = xs[0], ys[0]
                run(x.reshape(x.shape[0], x.shape[1], 1, x.shape[2]),
                    y.reshape(y.shape[0], y.shape[1], 1, y.shape[2]))
            return fn

        def fn(xs, ys):
            run(xs[0], ys[0])
        return fn

    def macs(self, node, ins, outs):
        w = ins[1].shape
        return outs[0].size * int(np.prod(w[1:]))

    def algo(self, node, ins, outs, env):
        layer = self.layer(node, ins, env)
        x = ins[0].shape
        hw = x[2:] if len(x) == 4 else (1, x[2])
        if node.attrs.get("int8"):  # a QConv2d: what a batch-1 call runs
            out = " >int8" if "output_scale" in node.attrs else ""
            return "int8 " + layer._impl._plan(1, *hw)["algo"] + out
        return layer.algo_for(*hw)


@register("Quantize")
class Quantize(Named):
    """float32 -> int8 at attribute ``scale`` (armconv.quantize's rule) for the
    int8 convolutions that read it (int8.py)."""

    def infer(self, node, ins):
        if ins[0].dtype != F32:
            fail(node, f"expects float32, got {ins[0].dtype}")
        return [(ins[0].shape, I8)]

    def prepare(self, node, ins, outs, env):
        from .int8 import quantize_kernel
        return quantize_kernel(node.attrs["scale"], node)


@register("FullyConnected")
class FullyConnected(Named):
    """y = x @ W.T + B over the last axis of x, W (M, K) constant: a 1x1 armconv.Conv2d
    (armconv's GEMM, weights packed once), one output row per input row."""
    n_inputs = (2, 3)

    def infer(self, node, ins):
        x, w = ins[0], ins[1]
        if not x.shape or x.shape[-1] != w.shape[1]:
            fail(node, f"input of shape {x.shape} does not match the weight of shape {w.shape}")
        return [(x.shape[:-1] + (w.shape[0],), F32)]

    def prepare(self, node, ins, outs, env):
        run = env.fc_layer(node)._impl.run
        k, m = ins[1].shape[1], ins[1].shape[0]
        rows = ins[0].size // k

        def fn(xs, ys):
            run(xs[0].reshape(rows, k, 1, 1), ys[0].reshape(rows, m, 1, 1))
        return fn

    def macs(self, node, ins, outs):
        return outs[0].size * ins[1].shape[1]

    def algo(self, node, ins, outs, env):
        return env.fc_layer(node).algo


@register("MatMul")
class MatMul(Named):
    n_inputs = (2, 2)

    def infer(self, node, ins):
        a, b = ins[0].shape, ins[1].shape
        if not a or not b:
            fail(node, "MatMul of a scalar")
        a2 = (1,) + a if len(a) == 1 else a  # numpy.matmul's rules
        b2 = b + (1,) if len(b) == 1 else b
        if a2[-1] != b2[-2]:
            fail(node, f"shapes {a} and {b} do not conform")
        try:
            batch = np.broadcast_shapes(a2[:-2], b2[:-2])
        except ValueError:
            fail(node, f"the batch dimensions of {a} and {b} do not broadcast")
        shape = batch + (a2[-2], b2[-1])
        if len(a) == 1:
            shape = shape[:-2] + shape[-1:]
        if len(b) == 1:
            shape = shape[:-1]
        return [(shape, ins[0].dtype)]

    def prepare(self, node, ins, outs, env):
        def fn(xs, ys):
            np.matmul(xs[0], xs[1], out=ys[0])
        return fn

    def macs(self, node, ins, outs):
        return outs[0].size * ins[0].shape[-1]


@register("Gemm")
class Gemm(Named):
    """General ONNX Gemm (a Gemm whose B is constant becomes FullyConnected at load time)."""
    n_inputs = (2, 3)

    def infer(self, node, ins):
        a, b = ins[0].shape, ins[1].shape
        if len(a) != 2 or len(b) != 2:
            fail(node, f"inputs must be matrices, got {a} and {b}")
        m, k = a[::-1] if node.attrs.get("transA", 0) else a
        k2, n = b[::-1] if node.attrs.get("transB", 0) else b
        if k != k2:
            fail(node, f"shapes {a} and {b} do not conform (transA={node.attrs.get('transA', 0)}, "
                       f"transB={node.attrs.get('transB', 0)})")
        if len(ins) > 2 and ins[2] is not None:
            try:
                np.broadcast_shapes(ins[2].shape, (m, n))
            except ValueError:
                fail(node, f"C of shape {ins[2].shape} does not broadcast to ({m}, {n})")
        return [((m, n), F32)]

    def prepare(self, node, ins, outs, env):
        ta, tb = node.attrs.get("transA", 0), node.attrs.get("transB", 0)
        alpha = np.float32(node.attrs.get("alpha", 1.0))
        beta = np.float32(node.attrs.get("beta", 1.0))
        has_c = len(ins) > 2 and ins[2] is not None

        def fn(xs, ys):
            a = xs[0].T if ta else xs[0]
            b = xs[1].T if tb else xs[1]
            y = ys[0]
            np.matmul(a, b, out=y)
            if alpha != 1:
                np.multiply(y, alpha, out=y)
            if has_c:
                np.add(y, xs[2] * beta if beta != 1 else xs[2], out=y)
        return fn

    def macs(self, node, ins, outs):
        a = ins[0].shape
        return outs[0].size * (a[0] if node.attrs.get("transA", 0) else a[1])


# ----------------------------------------------------------------- pooling

def pool_geometry(node, x_shape):
    nd = len(x_shape) - 2
    if nd < 1:
        fail(node, f"expects an (N, C, ...) input, got shape {x_shape}")
    kernel = list(node.attrs.get("kernel_shape") or [])
    if len(kernel) != nd:
        fail(node, f"kernel_shape {kernel} does not match an input of rank {len(x_shape)}")
    strides = list(node.attrs.get("strides") or [1] * nd)
    dil = list(node.attrs.get("dilations") or [1] * nd)
    ceil_mode = int(node.attrs.get("ceil_mode", 0))
    begin, end = conv_pads(node, x_shape[2:], kernel, strides, dil)
    out = []
    for i in range(nd):
        eff = (kernel[i] - 1) * dil[i] + 1
        num = x_shape[2 + i] + begin[i] + end[i] - eff
        if num < 0:
            fail(node, f"the input of shape {x_shape} is smaller than the pooling window")
        o = (-(-num // strides[i]) if ceil_mode else num // strides[i]) + 1
        # ceil mode: a window that would start past the padded input is dropped
        if ceil_mode and (o - 1) * strides[i] >= x_shape[2 + i] + begin[i]:
            o -= 1
        out.append(o)
    return kernel, strides, dil, begin, end, out


def _padded(x_shape, begin, kernel, strides, dil, out, fill):
    """A function x -> x placed in a `fill`ed array covering every window (or x itself)."""
    nd = len(kernel)
    extent = [(out[i] - 1) * strides[i] + (kernel[i] - 1) * dil[i] + 1 for i in range(nd)]
    if all(b == 0 for b in begin) and all(extent[i] <= x_shape[2 + i] for i in range(nd)):
        return lambda x: x, extent
    pshape = tuple(x_shape[:2]) + tuple(max(extent[i], begin[i] + x_shape[2 + i]) for i in range(nd))
    inner = (slice(None), slice(None)) + tuple(slice(begin[i], begin[i] + x_shape[2 + i]) for i in range(nd))

    def pad(x):
        xp = np.full(pshape, fill, np.float32)
        xp[inner] = x
        return xp
    return pad, extent


def _window_slices(kernel, strides, dil, out):
    """Slices of the padded input, one per window offset, each of the output's shape."""
    res = []
    for offs in itertools.product(*(range(k) for k in kernel)):
        res.append((slice(None), slice(None)) + tuple(
            slice(o * dil[i], o * dil[i] + (out[i] - 1) * strides[i] + 1, strides[i])
            for i, o in enumerate(offs)))
    return res


def _pool_kernel(x_shape, kind, kernel, strides, dil, begin, end, ceil_mode, include_pad):
    """1-D and 2-D pooling on armconv's pooling kernels (src/core/pool.h: padding
    as -inf for max, excluded or counted for average as ONNX's
    count_include_pad; a NaN in a max window gives NaN, as np.maximum did);
    1-D runs as 2-D with height 1. 3-D pooling keeps the numpy loop."""
    if len(kernel) == 1:
        k, st, d = (1, kernel[0]), (1, strides[0]), (1, dil[0])
        pads = (0, 0, begin[0], end[0])
    else:
        k, st, d = tuple(kernel), tuple(strides), tuple(dil)
        pads = (begin[0], end[0], begin[1], end[1])
    ceil = bool(ceil_mode)
    if len(kernel) == 1:
        def fn(xs, ys):
            x, y = xs[0], ys[0]
            _pool2d(x.reshape(x.shape[0], x.shape[1], 1, x.shape[2]), kind, k, st, d, pads, ceil,
                    include_pad, y.reshape(y.shape[0], y.shape[1], 1, y.shape[2]))
        return fn

    def fn(xs, ys):
        _pool2d(xs[0], kind, k, st, d, pads, ceil, include_pad, ys[0])
    return fn


@register("MaxPool")
class MaxPool(Named):
    def infer(self, node, ins):
        if len(node.outputs) > 1 and node.outputs[1]:
            fail(node, "the Indices output is not supported")
        _, _, _, _, _, out = pool_geometry(node, ins[0].shape)
        return [(ins[0].shape[:2] + tuple(out), F32)]

    def prepare(self, node, ins, outs, env):
        kernel, strides, dil, begin, end, out = pool_geometry(node, ins[0].shape)
        if len(kernel) <= 2:
            return _pool_kernel(ins[0].shape, "max", kernel, strides, dil, begin, end,
                                int(node.attrs.get("ceil_mode", 0)), False)
        pad, _ = _padded(ins[0].shape, begin, kernel, strides, dil, out, -np.inf)
        sl = _window_slices(kernel, strides, dil, out)

        def fn(xs, ys):
            xp, y = pad(xs[0]), ys[0]
            np.copyto(y, xp[sl[0]])
            for s in sl[1:]:
                np.maximum(y, xp[s], out=y)
        return fn


def _avg_divisors(node, x_shape, kernel, strides, begin, end, out):
    """1/count of each output cell's window, shaped to broadcast over y (or a scalar)."""
    include_pad = int(node.attrs.get("count_include_pad", 0))
    nd = len(kernel)
    counts = []
    for i in range(nd):
        n = x_shape[2 + i]
        lo, hi = (-begin[i], n + end[i]) if include_pad else (0, n)
        start = np.arange(out[i]) * strides[i] - begin[i]
        c = np.minimum(start + kernel[i], hi) - np.maximum(start, lo)
        counts.append(c.astype(np.float64))
    total = counts[0]
    for c in counts[1:]:
        total = np.multiply.outer(total, c)
    if np.all(total == total.reshape(-1)[0]):
        return np.float32(1.0 / total.reshape(-1)[0])
    return (1.0 / total).astype(np.float32)


@register("AveragePool")
class AveragePool(Named):
    def infer(self, node, ins):
        _, _, _, _, _, out = pool_geometry(node, ins[0].shape)
        return [(ins[0].shape[:2] + tuple(out), F32)]

    def prepare(self, node, ins, outs, env):
        kernel, strides, dil, begin, end, out = pool_geometry(node, ins[0].shape)
        if any(d != 1 for d in dil):
            fail(node, "dilated average pooling is not supported")
        if len(kernel) <= 2:
            return _pool_kernel(ins[0].shape, "avg", kernel, strides, dil, begin, end,
                                int(node.attrs.get("ceil_mode", 0)),
                                bool(int(node.attrs.get("count_include_pad", 0))))
        pad, _ = _padded(ins[0].shape, begin, kernel, strides, dil, out, 0.0)
        sl = _window_slices(kernel, strides, dil, out)
        inv = _avg_divisors(node, ins[0].shape, kernel, strides, begin, end, out)

        def fn(xs, ys):
            xp, y = pad(xs[0]), ys[0]
            np.copyto(y, xp[sl[0]])
            for s in sl[1:]:
                np.add(y, xp[s], out=y)
            np.multiply(y, inv, out=y)
        return fn


@register("GlobalAveragePool", "GlobalMaxPool")
class GlobalPool(Named):
    def infer(self, node, ins):
        x = ins[0].shape
        if len(x) < 3:
            fail(node, f"expects an (N, C, ...) input, got shape {x}")
        return [(x[:2] + (1,) * (len(x) - 2), F32)]

    def prepare(self, node, ins, outs, env):
        axes = tuple(range(2, len(ins[0].shape)))
        rows = ins[0].shape[0] * ins[0].shape[1]
        kind = "avg" if self.name == "GlobalAveragePool" else "max"
        plane = int(np.prod(ins[0].shape[2:]))
        if plane > 0:  # one window over each whole plane, viewed as 1 x plane
            def run(xs, ys):
                _pool2d(xs[0].reshape(ins[0].shape[0], ins[0].shape[1], 1, plane), kind, (1, plane),
                        (1, 1), (1, 1), (0, 0, 0, 0), False, False,
                        ys[0].reshape(ins[0].shape[0], ins[0].shape[1], 1, 1))
            return run
        f = np.mean if self.name == "GlobalAveragePool" else np.max

        def fn(xs, ys):
            f(xs[0].reshape(rows, -1), axis=1, out=ys[0].reshape(rows))
        return fn


def reduce_axes(node, ins):
    rank = len(ins[0].shape)
    axes = static(node, ins, 1, "axes")
    if axes is None or np.asarray(axes).size == 0:
        if node.attrs.get("noop_with_empty_axes", 0):
            return None
        return tuple(range(rank))
    return tuple(sorted({norm_axis(node, a, rank) for a in ints(axes)}))


REDUCE = {"ReduceMean": np.mean, "ReduceSum": np.sum, "ReduceMax": np.max, "ReduceMin": np.min}


@register(*REDUCE)
class Reduce(Named):
    n_inputs = (1, 2)

    def infer(self, node, ins):
        axes = reduce_axes(node, ins)
        x = ins[0].shape
        if axes is None:
            return [(x, ins[0].dtype)]
        keep = node.attrs.get("keepdims", 1)
        shape = tuple((1 if i in axes else d) for i, d in enumerate(x) if keep or i not in axes)
        return [(shape, ins[0].dtype)]

    def prepare(self, node, ins, outs, env):
        axes = reduce_axes(node, ins)
        if axes is None:
            def fn(xs, ys):
                np.copyto(ys[0], xs[0])
            return fn
        f = REDUCE[self.name]
        keep_shape = tuple(1 if i in axes else d for i, d in enumerate(ins[0].shape))

        def fn(xs, ys):
            f(xs[0], axis=axes, keepdims=True, out=ys[0].reshape(keep_shape))
        return fn


@register("Softmax", "LogSoftmax")
class Softmax(Named):
    """``axis``; ``coerce2d`` (files of opset < 13): the input is seen as 2-D
    [prod(shape[:axis]), prod(shape[axis:])] and normalised over its rows."""
    inplace = True

    def infer(self, node, ins):
        norm_axis(node, node.attrs.get("axis", -1), len(ins[0].shape))
        return [(ins[0].shape, F32)]

    def prepare(self, node, ins, outs, env):
        shape = ins[0].shape
        axis = norm_axis(node, node.attrs.get("axis", -1), len(shape))
        if node.attrs.get("coerce2d", 0):
            view = (int(np.prod(shape[:axis], dtype=np.int64)), -1)
            axis = 1
        else:
            view = shape
        log = self.name == "LogSoftmax"

        def fn(xs, ys):
            x, y = xs[0].reshape(view), ys[0].reshape(view)
            m = np.max(x, axis=axis, keepdims=True)
            np.subtract(x, m, out=y)
            if log:
                s = np.log(np.sum(np.exp(y), axis=axis, keepdims=True))
                np.subtract(y, s, out=y)
            else:
                np.exp(y, out=y)
                np.divide(y, np.sum(y, axis=axis, keepdims=True), out=y)
        return fn


# ----------------------------------------------------------------- data movement

@register("Concat")
class Concat(Named):
    n_inputs = (1, 1 << 30)

    def infer(self, node, ins):
        rank = len(ins[0].shape)
        axis = norm_axis(node, node.attrs.get("axis", 0), rank)
        for t in ins[1:]:
            if len(t.shape) != rank or any(t.shape[i] != ins[0].shape[i] for i in range(rank) if i != axis):
                fail(node, "inputs of shapes " + ", ".join(str(t.shape) for t in ins) +
                     f" cannot be concatenated on axis {axis}")
        shape = list(ins[0].shape)
        shape[axis] = sum(t.shape[axis] for t in ins)
        return [(tuple(shape), ins[0].dtype)]

    def prepare(self, node, ins, outs, env):
        axis = norm_axis(node, node.attrs.get("axis", 0), len(ins[0].shape))

        def fn(xs, ys):
            np.concatenate(xs, axis=axis, out=ys[0])
        return fn


def split_sizes(node, ins):
    x = ins[0].shape
    axis = norm_axis(node, node.attrs.get("axis", 0), len(x))
    sizes = static(node, ins, 1, "split")
    n = len(node.outputs)
    if sizes is not None and np.asarray(sizes).size:
        sizes = ints(sizes)
        if len(sizes) != n or sum(sizes) != x[axis] or min(sizes) < 0:
            fail(node, f"split sizes {sizes} do not cut axis {axis} of size {x[axis]} into {n} parts")
    else:
        chunk = -(-x[axis] // n)  # ONNX: equal parts, the last one smaller if needed
        sizes = [min(chunk, max(x[axis] - chunk * i, 0)) for i in range(n)]
    return axis, sizes


@register("Split")
class Split(Named):
    n_inputs = (1, 2)

    def infer(self, node, ins):
        axis, sizes = split_sizes(node, ins)
        res = []
        for s in sizes:
            shape = list(ins[0].shape)
            shape[axis] = s
            res.append((tuple(shape), ins[0].dtype))
        return res

    def prepare(self, node, ins, outs, env):
        axis, sizes = split_sizes(node, ins)
        starts = np.cumsum([0] + sizes[:-1])
        sl = [(slice(None),) * axis + (slice(int(a), int(a) + s),) for a, s in zip(starts, sizes)]

        def fn(xs, ys):
            x = xs[0]
            for y, s in zip(ys, sl):
                if y is not None:
                    np.copyto(y, x[s])
        return fn


def slice_index(node, ins):
    x = ins[0].shape
    starts = ints(static(node, ins, 1, "starts"))
    ends = ints(static(node, ins, 2, "ends"))
    axes = static(node, ins, 3, "axes")
    axes = list(range(len(starts))) if axes is None else [norm_axis(node, a, len(x)) for a in ints(axes)]
    steps = static(node, ins, 4, "steps")
    steps = [1] * len(starts) if steps is None else ints(steps)
    if not len(starts) == len(ends) == len(axes) == len(steps):
        fail(node, "starts, ends, axes and steps must have the same length")
    idx = [slice(None)] * len(x)
    for s, e, a, st in zip(starts, ends, axes, steps):
        if st == 0:
            fail(node, "a step of 0 is not allowed")
        # python slicing clamps as ONNX does; ONNX's INT_MAX/INT_MIN sentinels included
        idx[a] = slice(s, e if e > -(1 << 62) else None, st)
    return tuple(idx)


@register("Slice")
class Slice(Named):
    n_inputs = (3, 5)

    def infer(self, node, ins):
        idx = slice_index(node, ins)
        shape = tuple(len(range(*s.indices(d))) for s, d in zip(idx, ins[0].shape))
        return [(shape, ins[0].dtype)]

    def prepare(self, node, ins, outs, env):
        idx = slice_index(node, ins)

        def fn(xs, ys):
            np.copyto(ys[0], xs[0][idx])
        return fn


@register("Transpose")
class Transpose(Named):
    def perm(self, node, rank):
        p = node.attrs.get("perm")
        p = list(range(rank))[::-1] if p is None else [norm_axis(node, a, rank, "perm entry") for a in p]
        if sorted(p) != list(range(rank)):
            fail(node, f"perm {p} is not a permutation of {rank} axes")
        return p

    def infer(self, node, ins):
        p = self.perm(node, len(ins[0].shape))
        return [(tuple(ins[0].shape[a] for a in p), ins[0].dtype)]

    def prepare(self, node, ins, outs, env):
        p = self.perm(node, len(ins[0].shape))

        def fn(xs, ys):
            np.copyto(ys[0], xs[0].transpose(p))
        return fn


class View(Named):
    """Output = input 0's data under another shape (no copy)."""
    view = True

    def prepare(self, node, ins, outs, env):
        shape = outs[0].shape

        def fn(xs, ys):  # only used when the value is computed before the run
            np.copyto(ys[0], xs[0].reshape(shape))
        return fn


@register("Reshape")
class Reshape(View):
    n_inputs = (2, 2)

    def infer(self, node, ins):
        x = ins[0].shape
        want = ints(static(node, ins, 1, "shape"))
        allowzero = node.attrs.get("allowzero", 0)
        shape = [x[i] if (d == 0 and not allowzero and i < len(x)) else d for i, d in enumerate(want)]
        size = ins[0].size
        if shape.count(-1) > 1:
            fail(node, f"shape {want} has more than one -1")
        if -1 in shape:
            rest = int(np.prod([d for d in shape if d != -1], dtype=np.int64))
            if rest == 0 or size % rest:
                fail(node, f"cannot reshape {x} to {want}")
            shape[shape.index(-1)] = size // rest
        if int(np.prod(shape, dtype=np.int64)) != size or min(shape, default=0) < 0:
            fail(node, f"cannot reshape a tensor of shape {x} to {want}" +
                 (" (was the model exported with a fixed batch size? export it with a dynamic batch axis)"
                  if x and want and want[0] not in (0, -1) and want[0] != x[0] else ""))
        return [(tuple(shape), ins[0].dtype)]


@register("Flatten")
class Flatten(View):
    def infer(self, node, ins):
        x = ins[0].shape
        axis = node.attrs.get("axis", 1)
        axis = axis + len(x) if axis < 0 else axis
        if not 0 <= axis <= len(x):
            fail(node, f"axis {node.attrs.get('axis')} is out of range for shape {x}")
        return [((int(np.prod(x[:axis], dtype=np.int64)), int(np.prod(x[axis:], dtype=np.int64))),
                 ins[0].dtype)]


@register("Squeeze")
class Squeeze(View):
    n_inputs = (1, 2)

    def infer(self, node, ins):
        x = ins[0].shape
        axes = static(node, ins, 1, "axes")
        if axes is None:
            axes = [i for i, d in enumerate(x) if d == 1]
        axes = {norm_axis(node, a, len(x)) for a in ints(axes)}
        for a in axes:
            if x[a] != 1:
                fail(node, f"cannot squeeze axis {a} of size {x[a]} (shape {x})")
        return [(tuple(d for i, d in enumerate(x) if i not in axes), ins[0].dtype)]


@register("Unsqueeze")
class Unsqueeze(View):
    n_inputs = (2, 2)

    def infer(self, node, ins):
        x = ins[0].shape
        axes = ints(static(node, ins, 1, "axes"))
        rank = len(x) + len(axes)
        axes = sorted(norm_axis(node, a, rank) for a in axes)
        if len(set(axes)) != len(axes):
            fail(node, f"repeated axes {axes}")
        shape, it = [], iter(x)
        for i in range(rank):
            shape.append(1 if i in axes else next(it))
        return [(tuple(shape), ins[0].dtype)]


@register("Identity")
class Identity(View):
    def infer(self, node, ins):
        return [(ins[0].shape, ins[0].dtype)]


@register("Expand")
class Expand(Named):
    n_inputs = (2, 2)

    def infer(self, node, ins):
        want = ints(static(node, ins, 1, "shape"))
        try:
            shape = np.broadcast_shapes(ins[0].shape, tuple(want))
        except ValueError:
            fail(node, f"cannot expand shape {ins[0].shape} to {want}")
        return [(shape, ins[0].dtype)]

    def prepare(self, node, ins, outs, env):
        def fn(xs, ys):
            np.copyto(ys[0], np.broadcast_to(xs[0], ys[0].shape))
        return fn


@register("Gather")
class Gather(Named):
    n_inputs = (2, 2)

    def infer(self, node, ins):
        x, idx = ins[0].shape, ins[1].shape
        axis = norm_axis(node, node.attrs.get("axis", 0), len(x))
        if ins[1].dtype.kind not in "iu":
            fail(node, f"indices must be integers, got {ins[1].dtype}")
        if ins[1].value is not None:
            v = np.asarray(ins[1].value)
            if v.size and (v.max() >= x[axis] or v.min() < -x[axis]):
                fail(node, f"indices out of range for axis {axis} of size {x[axis]}")
        return [(x[:axis] + idx + x[axis + 1:], ins[0].dtype)]

    def prepare(self, node, ins, outs, env):
        axis = norm_axis(node, node.attrs.get("axis", 0), len(ins[0].shape))

        def fn(xs, ys):
            np.take(xs[0], xs[1], axis=axis, out=ys[0], mode="raise")
        return fn


@register("Shape")
class Shape(Named):
    def infer(self, node, ins):
        return [((len(self.value(node, ins)),), I64)]

    def value(self, node, ins):
        x = ins[0].shape
        start = node.attrs.get("start", 0)
        end = node.attrs.get("end", len(x))
        return np.array(x[slice(start, end)], np.int64)

    def prepare(self, node, ins, outs, env):
        v = self.value(node, ins)

        def fn(xs, ys):
            ys[0][...] = v
        return fn


@register("ConstantOfShape")
class ConstantOfShape(Named):
    def infer(self, node, ins):
        shape = ints(static(node, ins, 0, "shape"))
        if min(shape, default=0) < 0:
            fail(node, f"negative size in {shape}")
        return [(tuple(shape), np.dtype(node.attrs.get("dtype", "float32")))]

    def prepare(self, node, ins, outs, env):
        v = node.attrs.get("value", 0.0)

        def fn(xs, ys):
            ys[0].fill(v)
        return fn


@register("Cast")
class Cast(Named):
    def infer(self, node, ins):
        return [(ins[0].shape, np.dtype(node.attrs["to"]))]

    def prepare(self, node, ins, outs, env):
        def fn(xs, ys):
            np.copyto(ys[0], xs[0], casting="unsafe")
        return fn


@register("Range")
class Range(Named):
    n_inputs = (3, 3)

    def value(self, node, ins):
        a, b, d = (np.asarray(static(node, ins, i, w)).reshape(()) for i, w in
                   enumerate(("start", "limit", "delta")))
        return np.arange(a, b, d).astype(ins[0].dtype)

    def infer(self, node, ins):
        return [(self.value(node, ins).shape, ins[0].dtype)]

    def prepare(self, node, ins, outs, env):
        v = self.value(node, ins)

        def fn(xs, ys):
            ys[0][...] = v
        return fn


PAD_MODES = {"constant": "constant", "reflect": "reflect", "edge": "edge", "wrap": "wrap"}


def pad_amounts(node, ins):
    x = ins[0].shape
    pads = ints(static(node, ins, 1, "pads"))
    axes = static(node, ins, 3, "axes")
    axes = list(range(len(x))) if axes is None else [norm_axis(node, a, len(x)) for a in ints(axes)]
    if len(pads) != 2 * len(axes):
        fail(node, f"pads {pads} should have {2 * len(axes)} entries")
    begin, end = [0] * len(x), [0] * len(x)
    for i, a in enumerate(axes):
        begin[a], end[a] = pads[i], pads[len(axes) + i]
    return begin, end


@register("Pad")
class Pad(Named):
    n_inputs = (2, 4)

    def infer(self, node, ins):
        begin, end = pad_amounts(node, ins)
        shape = tuple(d + b + e for d, b, e in zip(ins[0].shape, begin, end))
        if min(shape, default=1) < 0:
            fail(node, f"pads crop the input of shape {ins[0].shape} below zero")
        mode = node.attrs.get("mode", "constant")
        if mode not in PAD_MODES:
            fail(node, f"unknown mode {mode!r}")
        return [(shape, ins[0].dtype)]

    def prepare(self, node, ins, outs, env):
        begin, end = pad_amounts(node, ins)
        mode = node.attrs.get("mode", "constant")
        value = static(node, ins, 2, "constant_value")
        value = 0 if value is None else np.asarray(value).reshape(-1)[0]
        # negative pads crop first
        crop = tuple(slice(max(-b, 0), d - max(-e, 0)) for d, b, e in zip(ins[0].shape, begin, end))
        width = [(max(b, 0), max(e, 0)) for b, e in zip(begin, end)]
        if mode == "constant":
            inner = tuple(slice(b, b + (c.stop - c.start)) for (b, _), c in zip(width, crop))

            def fn(xs, ys):
                y = ys[0]
                y.fill(value)
                y[inner] = xs[0][crop]
        else:
            def fn(xs, ys):
                np.copyto(ys[0], np.pad(xs[0][crop], width, mode=PAD_MODES[mode]))
        return fn


# ----------------------------------------------------------------- Resize

RESIZE_COORD = ("half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric",
                "tf_half_pixel_for_nn", "half_pixel_symmetric")


def resize_geometry(node, ins):
    x = ins[0].shape
    rank = len(x)
    axes = node.attrs.get("axes")
    axes = list(range(rank)) if axes is None else [norm_axis(node, a, rank) for a in axes]
    scales = static(node, ins, 2, "scales")
    sizes = static(node, ins, 3, "sizes")
    if scales is not None and np.asarray(scales).size == 0:
        scales = None
    if sizes is not None and np.asarray(sizes).size == 0:
        sizes = None
    if (scales is None) == (sizes is None):
        fail(node, "exactly one of scales and sizes must be given")
    full_scale = [1.0] * rank
    out = list(x)
    if scales is not None:
        s = [float(v) for v in np.asarray(scales).reshape(-1)]
        if len(s) != len(axes):
            fail(node, f"scales {s} do not match {len(axes)} axes")
        for a, v in zip(axes, s):
            if v <= 0:
                fail(node, f"scale {v} must be positive")
            full_scale[a] = v
            out[a] = int(math.floor(x[a] * v))
    else:
        z = ints(sizes)
        if len(z) != len(axes):
            fail(node, f"sizes {z} do not match {len(axes)} axes")
        policy = node.attrs.get("keep_aspect_ratio_policy", "stretch")
        if policy != "stretch":
            r = [z[i] / x[a] for i, a in enumerate(axes)]
            r = min(r) if policy == "not_larger" else max(r)
            z = [int(round(r * x[a])) for a in axes]
            for a in axes:
                full_scale[a] = r
        for a, v in zip(axes, z):
            out[a] = v
            if policy == "stretch":
                full_scale[a] = v / x[a]
    if min(out) < 1:
        fail(node, f"the output shape {tuple(out)} is empty")
    return full_scale, out


def resize_coords(node, n_in, n_out, scale):
    """Input coordinate of every output index along one axis (ONNX's formulas)."""
    mode = node.attrs.get("coordinate_transformation_mode", "half_pixel")
    i = np.arange(n_out, dtype=np.float64)
    if mode == "half_pixel":
        return (i + 0.5) / scale - 0.5
    if mode == "pytorch_half_pixel":
        return (i + 0.5) / scale - 0.5 if n_out > 1 else np.zeros(n_out)
    if mode == "align_corners":
        return i * (n_in - 1) / (n_out - 1) if n_out > 1 else np.zeros(n_out)
    if mode == "asymmetric":
        return i / scale
    if mode == "tf_half_pixel_for_nn":
        return (i + 0.5) / scale
    if mode == "half_pixel_symmetric":
        adj = n_out / (scale * n_in)
        offset = n_in / 2 * (1 - adj)
        return offset + (i + 0.5) / scale - 0.5
    fail(node, f"coordinate_transformation_mode {mode!r} is not supported "
               f"(supported: {', '.join(RESIZE_COORD)})")


def nearest_index(node, c, n_in):
    mode = node.attrs.get("nearest_mode", "round_prefer_floor")
    if mode == "round_prefer_floor":
        idx = np.ceil(c - 0.5)
    elif mode == "round_prefer_ceil":
        idx = np.floor(c + 0.5)
    elif mode == "floor":
        idx = np.floor(c)
    elif mode == "ceil":
        idx = np.ceil(c)
    else:
        fail(node, f"unknown nearest_mode {mode!r}")
    return np.clip(idx, 0, n_in - 1).astype(np.intp)


@register("Resize")
class Resize(Named):
    n_inputs = (2, 4)

    def infer(self, node, ins):
        mode = node.attrs.get("mode", "nearest")
        if mode not in ("nearest", "linear"):
            fail(node, f"mode {mode!r} is not supported (nearest, linear)")
        if node.attrs.get("antialias", 0):
            fail(node, "antialias is not supported")
        if node.attrs.get("coordinate_transformation_mode") == "tf_crop_and_resize":
            fail(node, "coordinate_transformation_mode 'tf_crop_and_resize' is not supported")
        _, out = resize_geometry(node, ins)
        return [(tuple(out), F32)]

    def prepare(self, node, ins, outs, env):
        scale, out = resize_geometry(node, ins)
        x = ins[0].shape
        steps = []  # one per resized axis: (axis, i0, i1, w1) or (axis, idx)
        linear = node.attrs.get("mode", "nearest") == "linear"
        for a in range(len(x)):
            if out[a] == x[a] and scale[a] == 1.0:
                continue
            c = resize_coords(node, x[a], out[a], scale[a])
            bshape = [1] * len(x)
            bshape[a] = out[a]
            if linear:
                c = np.clip(c, 0, x[a] - 1)
                i0 = np.floor(c).astype(np.intp)
                i1 = np.minimum(i0 + 1, x[a] - 1)
                w1 = (c - i0).astype(np.float32).reshape(bshape)
                steps.append((a, i0, i1, w1))
            else:
                steps.append((a, nearest_index(node, c, x[a])))

        def fn(xs, ys):
            t = xs[0]
            for st in steps:
                if len(st) == 2:
                    t = np.take(t, st[1], axis=st[0])
                else:
                    a, i0, i1, w1 = st
                    lo = np.take(t, i0, axis=a)
                    hi = np.take(t, i1, axis=a)
                    hi -= lo
                    hi *= w1
                    lo += hi
                    t = lo
            np.copyto(ys[0], t)
        return fn


def supported():
    return sorted(set(OPS) - {"ChannelAffine", "FullyConnected", "Quantize"})

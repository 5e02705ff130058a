"""Graph work at load time (shape independent; runs once per model).

In order:

1. Identity and (inference) Dropout are removed.
2. Nodes whose inputs are all constants are computed (constant folding).
3. A zero Pad on the spatial axes only, read by a Conv alone, becomes that
   Conv's padding.
4. Gemm and MatMul with a constant weight become FullyConnected (armconv's
   GEMM with the weight packed once); alpha and beta are folded in.
5. BatchNormalization after a Conv (or a fully connected layer from a Gemm) is
   folded into its weights and bias: with s = gamma / sqrt(var + eps),
   W' = W * s (per output channel) and b' = (b - mean) * s + beta.
   A BatchNormalization that follows anything else becomes a ChannelAffine
   (x * s + (beta - mean * s)).
6. Mul/Div/Add/Sub by a per-output-channel constant after a Conv or a
   FullyConnected is folded into its weights and bias.
7. Relu, Clip with constant bounds, and Max/Min with a scalar constant that
   follow a Conv or FullyConnected become its fused ``activation`` (lo, hi),
   a clamp in the kernel's output stage. After an Add or Sub of two tensors
   (residual blocks) they become that node's ``activation`` (one pass over
   the sum instead of two).
8. Nodes whose outputs nobody reads are dropped.

A node that absorbed others lists them in its ``fused`` attribute (shown by
Model.summary()). Every rewrite needs the intermediate tensor to have a
single reader and not to be a graph output.
"""
import math

import numpy as np

from .ir import describe
from .ops import OPS, Tensor
from .plan import evaluate

FOLDABLE_INTO = ("Conv", "FullyConnected")


def optimize(g):
    remove_identities(g)
    fold_constants(g)
    fold_pad_into_conv(g)
    fc_from_gemm(g)
    fold_batchnorm(g)
    fold_channel_arith(g)
    fuse_activations(g)
    remove_dead(g)
    return g


# ----------------------------------------------------------------- helpers

class Rewriter:
    def __init__(self, g):
        self.g = g
        self.uses = g.consumers()
        self.prod = g.producers()
        self.outputs = set(g.outputs)

    def sole_reader(self, tensor):
        """The node that alone reads `tensor` (not a graph output), or None."""
        if tensor in self.outputs:
            return None
        readers = self.uses.get(tensor, [])
        return readers[0] if len(readers) == 1 and readers[0].inputs.count(tensor) == 1 else None

    def absorb(self, keep, gone):
        """`gone` (which read keep's output alone) disappears; its output becomes keep's."""
        keep.outputs[0] = gone.outputs[0]
        keep.attrs["fused"] = keep.attrs.get("fused", []) + [gone.name] + gone.attrs.get("fused", [])
        self.g.nodes.remove(gone)
        self.__init__(self.g)


def const(g, name):
    return g.consts.get(name) if name else None


def add_const(g, base, value):
    name, k = base, 0
    while name in g.consts or any(name in n.outputs for n in g.nodes):
        k += 1
        name = f"{base}:{k}"
    g.consts[name] = value
    return name


def scalar(v):
    v = np.asarray(v)
    return float(v.reshape(-1)[0]) if v.size == 1 else None


# ----------------------------------------------------------------- 1, 2

def remove_identities(g):
    outputs = set(g.outputs)
    for n in list(g.nodes):
        if n.op not in ("Identity", "Dropout"):
            continue
        if n.op == "Dropout" and len(n.outputs) > 1 and n.outputs[1]:
            if any(n.outputs[1] in m.inputs for m in g.nodes) or n.outputs[1] in outputs:
                raise ValueError(f"{describe(n)}: its mask output is used; only inference-mode "
                                 "Dropout (no mask) is supported")
        src, dst = n.inputs[0], n.outputs[0]
        if dst in outputs:
            n.op, n.inputs, n.outputs, n.attrs = "Identity", [src], [dst], {}
            continue  # a graph output keeps its name: a free view
        for m in g.nodes:
            m.inputs = [src if i == dst else i for i in m.inputs]
        g.nodes.remove(n)


def fold_constants(g):
    for n in list(g.nodes):
        if n.op in FOLDABLE_INTO or n.op not in OPS:
            continue
        ins = [None if not i else (Tensor(g.consts[i].shape, g.consts[i].dtype, g.consts[i])
                                   if i in g.consts else False) for i in n.inputs]
        if any(x is False for x in ins):
            continue
        try:
            vals = evaluate(n, ins)
        except ValueError:
            continue  # left for the plan, which reports it with the shapes in context
        for name, v in zip(n.outputs, vals):
            if name:
                g.consts[name] = v
        g.nodes.remove(n)


# ----------------------------------------------------------------- 3

def fold_pad_into_conv(g):
    r = Rewriter(g)
    for pad in list(g.nodes):
        if pad.op != "Pad" or pad.attrs.get("mode", "constant") != "constant":
            continue
        conv = r.sole_reader(pad.outputs[0])
        pads = const(g, pad.input(1))
        value = const(g, pad.input(2))
        if (conv is None or conv.op != "Conv" or conv.inputs[0] != pad.outputs[0] or pads is None
                or pad.input(3) or (value is not None and scalar(value) != 0)
                or conv.attrs.get("auto_pad", "NOTSET") not in ("NOTSET", "")):
            continue
        w = const(g, conv.input(1))
        if w is None:
            continue
        p = [int(v) for v in np.asarray(pads).reshape(-1)]
        rank = len(p) // 2
        nd = w.ndim - 2
        if rank != w.ndim or any(p[i] or p[rank + i] for i in range(2)) or min(p) < 0:
            continue  # pads on N or C, or cropping
        old = conv.attrs.get("pads") or [0] * (2 * nd)
        conv.attrs["pads"] = [old[i] + p[2 + i] for i in range(nd)] + [old[nd + i] + p[rank + 2 + i] for i in range(nd)]
        conv.inputs[0] = pad.inputs[0]
        conv.attrs["fused"] = [pad.name] + conv.attrs.get("fused", [])
        g.nodes.remove(pad)
        r = Rewriter(g)


# ----------------------------------------------------------------- 4

def bn_params(g, bn):
    vals = [const(g, bn.input(i)) for i in range(1, 5)]
    if any(v is None for v in vals):
        raise ValueError(f"{describe(bn)}: scale, bias, mean and variance must be constants")
    if bn.attrs.get("training_mode", 0) or any(o for o in bn.outputs[1:]):
        raise ValueError(f"{describe(bn)}: training mode is not supported (export the model in eval mode)")
    gamma, beta, mean, var = (np.asarray(v, np.float64).reshape(-1) for v in vals)
    s = gamma / np.sqrt(var + float(bn.attrs.get("epsilon", 1e-5)))
    return s, beta - mean * s


def fold_batchnorm(g):
    r = Rewriter(g)
    for bn in [n for n in g.nodes if n.op == "BatchNormalization"]:
        s, t = bn_params(g, bn)
        prod = r.prod.get(bn.inputs[0])
        # (a FullyConnected from a MatMul may see a rank-3 input, whose axis 1 is not its features)
        if (prod is not None and (prod.op == "Conv" or prod.attrs.get("from") == "Gemm")
                and r.sole_reader(bn.inputs[0]) is bn
                and "activation" not in prod.attrs and scale_layer(g, prod, s, t)):
            r.absorb(prod, bn)
            continue
        bn.op = "ChannelAffine"
        bn.inputs = [bn.inputs[0], add_const(g, bn.name + ":scale", s.astype(np.float32)),
                     add_const(g, bn.name + ":shift", t.astype(np.float32))]
        bn.outputs = bn.outputs[:1]
        bn.attrs = {"fused": [bn.name]}
        r = Rewriter(g)


def scale_layer(g, layer, s, t):
    """layer's output y becomes y * s + t per output channel (s, t: float64 vectors)."""
    w = const(g, layer.input(1))
    if w is None:
        return False
    m = w.shape[0]
    s = np.broadcast_to(s, (m,)) if s.size in (1, m) else None
    t = np.broadcast_to(t, (m,)) if t.size in (1, m) else None
    if s is None or t is None:
        return False
    b = const(g, layer.input(2))
    b = np.zeros(m) if b is None else np.asarray(b, np.float64)
    w2 = (np.asarray(w, np.float64) * s.reshape((m,) + (1,) * (w.ndim - 1))).astype(np.float32)
    b2 = (b * s + t).astype(np.float32)
    layer.inputs = [layer.inputs[0], add_const(g, layer.name + ":weight", w2),
                    add_const(g, layer.name + ":bias", b2)]
    return True


# ----------------------------------------------------------------- 5

def fc_from_gemm(g):
    for n in g.nodes:
        if n.op == "Gemm" and not n.attrs.get("transA", 0):
            b, c = const(g, n.input(1)), const(g, n.input(2))
            if b is None or b.ndim != 2 or (n.input(2) and c is None):
                continue
            w = b if n.attrs.get("transB", 0) else b.T
            w = np.asarray(w, np.float64) * float(n.attrs.get("alpha", 1.0))
            bias = None
            if c is not None:
                if c.size not in (1, w.shape[0]) or (c.ndim == 2 and c.shape[0] != 1) or c.ndim > 2:
                    continue  # a C that is not a per-output bias stays a Gemm
                bias = np.broadcast_to(np.asarray(c, np.float64).reshape(-1), (w.shape[0],)) \
                    * float(n.attrs.get("beta", 1.0))
        elif n.op == "MatMul":
            b = const(g, n.input(1))
            if b is None or b.ndim != 2 or n.input(0) in g.consts:
                continue
            w, bias = np.asarray(b, np.float64).T, None
        else:
            continue
        inputs = [n.inputs[0], add_const(g, n.name + ":weight", np.ascontiguousarray(w, np.float32))]
        if bias is not None:
            inputs.append(add_const(g, n.name + ":bias", np.asarray(bias, np.float32)))
        n.attrs = {"fused": [n.name], "from": n.op}
        n.op, n.inputs = "FullyConnected", inputs


# ----------------------------------------------------------------- 6

def per_channel(layer, g, v):
    """A constant that broadcasts over layer's output as one value per output channel
    (or one value): the vector, else None."""
    w = const(g, layer.input(1))
    m = w.shape[0]
    v = np.asarray(v, np.float64)
    if layer.op == "FullyConnected":
        ok = v.ndim <= 2 and all(d == 1 for d in v.shape[:-1]) and v.size in (1, m)
    else:
        rank = w.ndim
        shape = (1,) * (rank - v.ndim) + v.shape
        ok = v.ndim <= rank and shape[0] == 1 and all(d == 1 for d in shape[2:]) and shape[1] in (1, m)
    return v.reshape(-1) if ok else None


def fold_channel_arith(g):
    r = Rewriter(g)
    changed = True
    while changed:
        changed = False
        for n in g.nodes:
            if n.op not in ("Mul", "Div", "Add", "Sub") or "activation" in n.attrs or len(n.inputs) != 2:
                continue
            for k in (0, 1):
                if n.op in ("Div", "Sub") and k == 1:
                    break  # c / y and c - y are not per-channel affine in y
                x, c = n.inputs[k], n.inputs[1 - k]
                layer = r.prod.get(x)
                cv = const(g, c)
                if (cv is None or layer is None or layer.op not in FOLDABLE_INTO
                        or "activation" in layer.attrs or r.sole_reader(x) is not n):
                    continue
                v = per_channel(layer, g, cv)
                if v is None:
                    continue
                one, zero = np.ones_like(v), np.zeros_like(v)
                s, t = {"Mul": (v, zero), "Div": (1.0 / v, zero), "Add": (one, v), "Sub": (one, -v)}[n.op]
                if n.op == "Div" and np.any(v == 0):
                    continue
                if scale_layer(g, layer, s, t):
                    r.absorb(layer, n)
                    changed = True
                    break
            if changed:
                break


# ----------------------------------------------------------------- 7

def clamp_of(g, n):
    """The (lo, hi) clamp a node applies to its first input, or None."""
    if n.op == "Relu":
        return (0.0, math.inf)
    if n.op == "Clip":
        lo, hi = const(g, n.input(1)), const(g, n.input(2))
        if (n.input(1) and lo is None) or (n.input(2) and hi is None):
            return None
        return (-math.inf if lo is None else scalar(lo), math.inf if hi is None else scalar(hi))
    if n.op in ("Max", "Min") and len(n.inputs) == 2:
        c = const(g, n.inputs[1])
        if c is None or c.size != 1:
            return None
        return (scalar(c), math.inf) if n.op == "Max" else (-math.inf, scalar(c))
    return None


def fuse_activations(g):
    r = Rewriter(g)
    changed = True
    while changed:
        changed = False
        for act in g.nodes:
            bounds = clamp_of(g, act)
            if bounds is None or None in bounds:
                continue
            src = act.inputs[0]
            prod = r.prod.get(src)
            if prod is None or r.sole_reader(src) is not act:
                continue
            if not (prod.op in FOLDABLE_INTO or (prod.op in ("Add", "Sub") and len(prod.inputs) == 2
                                                  and not any(i in g.consts for i in prod.inputs))):
                continue
            lo0, hi0 = prod.attrs.get("activation", (-math.inf, math.inf))
            lo, hi = max(lo0, bounds[0]), min(hi0, bounds[1])
            if lo > hi:
                continue
            prod.attrs["activation"] = [lo, hi]
            r.absorb(prod, act)
            changed = True
            break


# ----------------------------------------------------------------- 8

def remove_dead(g):
    live = set(g.outputs)
    keep = []
    for n in reversed(g.nodes):
        if any(o in live for o in n.outputs if o):
            keep.append(n)
            live.update(i for i in n.inputs if i)
    g.nodes = keep[::-1]
    g.consts = {k: v for k, v in g.consts.items() if k in live}


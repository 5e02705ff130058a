"""Models built straight from armconv's graph form, against float64 numpy
references: needs numpy only, so it runs on every target (the NEON kernels
under QEMU included). Also the memory plan, threads, batch sizes and the
saved form's round trip.
"""
import math
import threading

import numpy as np
import pytest

from reference import conv2d_ref

import armconv
from armconv._model.ir import Graph, Node
from armconv._model.model import Model
from armconv._model.passes import optimize

INF = math.inf


def rnd(rng, *shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def rel_err(y, ref):
    assert y.shape == ref.shape, (y.shape, ref.shape)
    return float(np.abs(y.astype(np.float64) - ref).max() / np.abs(ref).max())


# ----------------------------------------------------------------- numpy references

def maxpool_ref(x, k, s, p):
    n, c, h, w = x.shape
    xp = np.full((n, c, h + 2 * p + s, w + 2 * p + s), -np.inf)
    xp[:, :, p:p + h, p:p + w] = x
    ho = -(-(h + 2 * p - k) // s) + 1  # ceil mode
    wo = -(-(w + 2 * p - k) // s) + 1
    ho -= (ho - 1) * s >= h + p
    wo -= (wo - 1) * s >= w + p
    y = np.full((n, c, ho, wo), -np.inf)
    for i in range(ho):
        for j in range(wo):
            y[:, :, i, j] = xp[:, :, i * s:i * s + k, j * s:j * s + k].max(axis=(2, 3))
    return y


def avgpool_ref(x, k, s, p, include_pad):
    """ceil mode; with include_pad the divisor counts the padding, not what lies past it."""
    n, c, h, w = x.shape
    ho = -(-(h + 2 * p - k) // s) + 1
    wo = -(-(w + 2 * p - k) // s) + 1
    ho -= (ho - 1) * s >= h + p
    wo -= (wo - 1) * s >= w + p
    y = np.zeros((n, c, ho, wo))
    for i in range(ho):
        for j in range(wo):
            r0, c0 = i * s - p, j * s - p
            r1, c1 = r0 + k, c0 + k
            win = x[:, :, max(r0, 0):min(r1, h), max(c0, 0):min(c1, w)]
            if include_pad:
                cnt = (min(r1, h + p) - max(r0, -p)) * (min(c1, w + p) - max(c0, -p))
            else:
                cnt = win.shape[2] * win.shape[3]
            y[:, :, i, j] = win.sum(axis=(2, 3)) / cnt
    return y


# ----------------------------------------------------------------- a small network

def network(rng, c=8):
    """conv3x3+BN+relu6 -> depthwise 3x3 -> 1x1 -> Add(residual)+Relu -> MaxPool(ceil) and
    AvgPool(pad) branches -> Concat -> GlobalAveragePool -> Flatten -> Gemm -> Softmax."""
    k = {
        "w1": rnd(rng, c, 3, 3, 3, scale=0.3), "b1": rnd(rng, c),
        "g": rng.random(c).astype(np.float32) + 0.5, "be": rnd(rng, c), "mu": rnd(rng, c, scale=0.1),
        "var": rng.random(c).astype(np.float32) + 0.5,
        "wd": rnd(rng, c, 1, 3, 3, scale=0.3), "w2": rnd(rng, c, c, 1, 1, scale=0.3), "b2": rnd(rng, c),
        "lo": np.float32(0), "hi": np.float32(6),
        "fc": rnd(rng, 5, 2 * c, scale=0.3), "fcb": rnd(rng, 5),
    }
    nodes = [
        Node("Conv", "conv1", ["x", "w1", "b1"], ["c1"], {"pads": [1, 1, 1, 1], "strides": [2, 2]}),
        Node("BatchNormalization", "bn1", ["c1", "g", "be", "mu", "var"], ["n1"], {"epsilon": 1e-3}),
        Node("Clip", "relu6", ["n1", "lo", "hi"], ["a1"]),
        Node("Conv", "dw", ["a1", "wd"], ["d"], {"pads": [1, 1, 1, 1], "group": c}),
        Node("Relu", "dw_relu", ["d"], ["dr"]),
        Node("Conv", "pw", ["dr", "w2", "b2"], ["p"], {}),
        Node("Add", "res", ["p", "a1"], ["s"]),
        Node("Relu", "res_relu", ["s"], ["r"]),
        Node("MaxPool", "mp", ["r"], ["m"], {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1],
                                              "ceil_mode": 1}),
        Node("AveragePool", "ap", ["r"], ["a"], {"kernel_shape": [3, 3], "strides": [2, 2],
                                                  "pads": [1, 1, 1, 1], "count_include_pad": 1,
                                                  "ceil_mode": 1}),
        Node("Concat", "cat", ["m", "a"], ["cat"], {"axis": 1}),
        Node("GlobalAveragePool", "gap", ["cat"], ["gp"]),
        Node("Flatten", "flat", ["gp"], ["f"], {"axis": 1}),
        Node("Gemm", "fc", ["f", "fc", "fcb"], ["logits"], {"transB": 1}),
        Node("Softmax", "sm", ["logits"], ["y"], {"axis": -1}),
    ]
    return Graph([("x", [None, 3, None, None])], ["y", "logits"], nodes, k), k


def network_ref(x, k):
    s = k["g"].astype(np.float64) / np.sqrt(k["var"].astype(np.float64) + 1e-3)
    c1 = conv2d_ref(x, k["w1"], k["b1"], stride=(2, 2), pads=(1, 1, 1, 1))
    a1 = np.clip((c1 - k["mu"][None, :, None, None]) * s[None, :, None, None] + k["be"][None, :, None, None], 0, 6)
    d = np.maximum(conv2d_ref(a1, k["wd"], pads=(1, 1, 1, 1), groups=a1.shape[1]), 0)
    r = np.maximum(conv2d_ref(d, k["w2"], k["b2"]) + a1, 0)
    cat = np.concatenate([maxpool_ref(r, 3, 2, 1), avgpool_ref(r, 3, 2, 1, True)], 1)
    logits = cat.mean(axis=(2, 3)) @ k["fc"].astype(np.float64).T + k["fcb"]
    e = np.exp(logits - logits.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True), logits


@pytest.fixture(scope="module")
def net():
    g, k = network(np.random.default_rng(5))
    return Model(optimize(g), "net"), k


@pytest.mark.parametrize("shape", [(1, 3, 16, 16), (3, 3, 15, 9), (2, 3, 7, 12)])
def test_network(net, shape, rng):
    model, k = net
    x = rnd(rng, *shape)
    y, logits = model(x)
    ry, rl = network_ref(x, k)
    assert rel_err(logits, rl) < 1e-4 and rel_err(y, ry) < 1e-4
    assert np.allclose(y.sum(1), 1, atol=1e-5)


def test_network_fused(net):
    model, _ = net
    ops = [op for _, op in model.nodes]
    assert ops == ["Conv", "Conv", "Conv", "Add", "MaxPool", "AveragePool", "Concat", "GlobalAveragePool",
                   "Flatten", "FullyConnected", "Softmax"], ops
    g = model._graph
    acts = {n.name: n.attrs.get("activation") for n in g.nodes}
    assert acts["conv1"] == [0.0, 6.0] and acts["dw"] == [0.0, INF] and acts["res"] == [0.0, INF]
    assert "bn1" in g.nodes[0].attrs["fused"]


def test_saved_round_trip(net, tmp_path, rng):
    model, _ = net
    model.save(tmp_path / "net.npz")
    again = armconv.load(str(tmp_path / "net.npz"))
    assert again.nodes == model.nodes and again.output_names == ["y", "logits"]
    x = rnd(rng, 2, 3, 10, 10)
    for a, b in zip(again(x), model(x)):
        np.testing.assert_array_equal(a, b)
    assert set(again.run({"x": x})) == {"y", "logits"}


def test_outputs_are_fresh_arrays(net, rng):
    model, _ = net
    x1, x2 = rnd(rng, 1, 3, 8, 8), rnd(rng, 1, 3, 8, 8)
    y1 = model(x1)[1]
    keep = y1.copy()
    model(x2)
    np.testing.assert_array_equal(y1, keep)
    assert y1.flags.owndata or y1.base is not None and y1.base.size == y1.size


def test_threads(net, rng):
    """Concurrent calls each get an arena of their own: same results as one by one."""
    model, _ = net
    xs = [rnd(rng, 2, 3, 12, 12) for _ in range(6)]
    want = [model(x)[1] for x in xs]
    got = [None] * len(xs)
    errors = []

    def work(i):
        try:
            for _ in range(3):
                got[i] = model(xs[i])[1]
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)
    ts = [threading.Thread(target=work, args=(i,)) for i in range(len(xs))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)


# ----------------------------------------------------------------- the memory plan

def chain(rng, depth=8, c=8):
    nodes, consts, x = [], {}, "x"
    for i in range(depth):
        consts[f"w{i}"] = rnd(rng, c, c, 3, 3, scale=0.2)
        nodes.append(Node("Conv", f"conv{i}", [x, f"w{i}"], [f"c{i}"], {"pads": [1, 1, 1, 1]}))
        nodes.append(Node("Relu", f"relu{i}", [f"c{i}"], [f"r{i}"]))
        x = f"r{i}"
    return Graph([("x", [None, c, 12, 12])], [x], nodes, consts), consts


def test_plan_reuses_buffers(rng):
    g, consts = chain(rng)
    model = Model(optimize(g))
    p = model.plan({"x": (2, 8, 12, 12)})
    act = 2 * 8 * 12 * 12 * 4
    # 9 tensors of `act` bytes, never more than 2 alive at once
    assert p.lower_bound_bytes == 2 * act
    assert p.arena_bytes == 2 * act
    x = rnd(rng, 2, 8, 12, 12)
    ref = x.astype(np.float64)
    for i in range(8):
        ref = np.maximum(conv2d_ref(ref, consts[f"w{i}"], pads=(1, 1, 1, 1)), 0)
    assert rel_err(model(x), ref) < 1e-4
    s = model.summary()
    assert "liveness lower bound" in s and "1.00x" in s


def test_plan_in_place_and_views(rng):
    """Elementwise nodes write over an input that dies there; Reshape/Flatten move nothing."""
    consts = {"w": rnd(rng, 4, 4, 1, 1), "shape": np.array([0, -1], np.int64), "half": np.float32(0.5)}
    nodes = [Node("Sigmoid", "sig", ["x"], ["s"]),
             Node("Mul", "mul", ["s", "half"], ["m"]),
             Node("Reshape", "flat", ["m", "shape"], ["f"]),
             Node("Tanh", "tanh", ["f"], ["y"])]
    model = Model(Graph([("x", [None, 4, 3, 3])], ["y"], nodes, consts))
    p = model.plan({"x": (2, 4, 3, 3)})
    assert set(p.inplace) == {"sig", "mul", "tanh"}
    assert [n.name for n in p.views] == ["flat"]
    # everything lives in the input's buffer (72 floats, 64-byte aligned)
    assert p.arena_bytes == p.lower_bound_bytes == 320
    x = rnd(rng, 2, 4, 3, 3)
    ref = np.tanh(0.5 / (1 + np.exp(-x.astype(np.float64)))).reshape(2, -1)
    assert rel_err(model(x), ref) < 1e-6


def test_plan_diamond_lower_bound(rng):
    """Branches alive together: the bound counts them all, the arena matches it."""
    c = 4
    consts = {f"w{i}": rnd(rng, c, c, 1, 1) for i in range(4)}
    nodes = [Node("Conv", "a", ["x", "w0"], ["a"]), Node("Conv", "b", ["a", "w1"], ["b"]),
             Node("Conv", "c", ["a", "w2"], ["c"]), Node("Conv", "d", ["a", "w3"], ["d"]),
             Node("Concat", "cat", ["b", "c", "d"], ["y"], {"axis": 1})]
    model = Model(Graph([("x", [1, c, 8, 8])], ["y"], nodes, consts))
    p = model.plan()
    t = c * 64 * 4  # bytes of one c x 8 x 8 map
    # when cat runs: b, c, d and y (3 t) are alive
    assert p.lower_bound_bytes == 6 * t
    assert p.arena_bytes <= 1.25 * p.lower_bound_bytes


def test_batch_sizes_share_the_layers(net, rng):
    model, k = net
    for n in (1, 4, 2):
        x = rnd(rng, n, 3, 9, 9)
        assert rel_err(model(x)[1], network_ref(x, k)[1]) < 1e-4
    assert len(model._plans) >= 3
    assert len(model._layers._layers) == 4  # 3 convs and the fully connected layer, packed once


# ----------------------------------------------------------------- glue ops under every kernel

def test_glue_ops(rng):
    """Resize (nearest, linear), Pad (reflect), Transpose, Split, Slice, LeakyRelu,
    HardSwish, HardSigmoid, PRelu, ReduceMean, Sub/Div broadcasting, Squeeze/Unsqueeze."""
    c = {"scales": np.array([1, 1, 2, 2], np.float32), "pads": np.array([0, 0, 1, 2, 0, 0, 2, 1], np.int64),
         "slope": rnd(rng, 4, 1, 1), "mean": rnd(rng, 1, 4, 1, 1), "std": np.float32(1.7),
         "starts": np.array([1], np.int64), "ends": np.array([-1], np.int64), "axes3": np.array([3], np.int64),
         "ax1": np.array([1], np.int64), "rax": np.array([2, 3], np.int64), "empty": np.zeros(0, np.float32),
         "sizes": np.array([1, 3], np.int64)}
    nodes = [Node("Sub", "sub", ["x", "mean"], ["n0"]), Node("Div", "div", ["n0", "std"], ["n"]),
             Node("Resize", "up", ["n", "", "scales"], ["u"], {"mode": "nearest",
                                                               "coordinate_transformation_mode": "asymmetric",
                                                               "nearest_mode": "floor"}),
             Node("Resize", "lin", ["n", "empty", "scales"], ["l"], {"mode": "linear"}),
             Node("Add", "sum", ["u", "l"], ["s"]),
             Node("Pad", "pad", ["s", "pads"], ["p"], {"mode": "reflect"}),
             Node("LeakyRelu", "lrelu", ["p"], ["lr"], {"alpha": 0.1}),
             Node("PRelu", "prelu", ["p", "slope"], ["pr"]),
             Node("HardSwish", "hs", ["lr"], ["h"]),
             Node("HardSigmoid", "hsig", ["pr"], ["hg"], {"alpha": 0.25, "beta": 0.4}),
             Node("Mul", "mul", ["h", "hg"], ["m"]),
             Node("Transpose", "tr", ["m"], ["t"], {"perm": [0, 2, 3, 1]}),
             Node("Split", "split", ["t", "sizes"], ["t0", "t1"], {"axis": 3}),
             Node("Slice", "slice", ["t1", "starts", "ends", "axes3"], ["sl"]),
             Node("Unsqueeze", "unsq", ["sl", "ax1"], ["us"]),
             Node("Squeeze", "sq", ["us", "ax1"], ["sq"]),
             Node("ReduceMean", "mean", ["sq", "rax"], ["y"], {"keepdims": 0}),
             Node("Tanh", "tanh", ["t0"], ["y2"])]
    model = Model(optimize(Graph([("x", [None, 4, 5, 6])], ["y", "y2"], nodes, c)))
    x = rnd(rng, 2, 4, 5, 6)
    y, y2 = model(x)
    # float64 reference
    n = (x.astype(np.float64) - c["mean"]) / 1.7
    u = n.repeat(2, axis=2).repeat(2, axis=3)

    def lin(a, axis):
        size = a.shape[axis]
        cc = np.clip((np.arange(2 * size) + 0.5) / 2 - 0.5, 0, size - 1)
        i0 = np.floor(cc).astype(int)
        i1 = np.minimum(i0 + 1, size - 1)
        w = (cc - i0).reshape([-1 if d == axis else 1 for d in range(a.ndim)])
        return np.take(a, i0, axis) * (1 - w) + np.take(a, i1, axis) * w
    s = u + lin(lin(n, 2), 3)
    p = np.pad(s, ((0, 0), (0, 0), (1, 2), (2, 1)), mode="reflect")
    lr = np.where(p < 0, 0.1 * p, p)
    pr = np.where(p < 0, c["slope"] * p, p)
    h = lr * np.clip(lr / 6 + 0.5, 0, 1)
    hg = np.clip(0.25 * pr + 0.4, 0, 1)
    t = (h * hg).transpose(0, 2, 3, 1)
    ry = t[..., 1:][..., 1:-1].mean(axis=(2, 3))
    assert rel_err(y, ry) < 1e-5
    assert rel_err(y2, np.tanh(t[..., :1])) < 1e-5


# ----------------------------------------------------------------- elementwise on armconv's kernels

# (shape of a, shape of b, runs on the kernels): same shape, per-channel
# either side, a squeeze-and-excitation (N, C, 1, 1), a trailing vector, a
# scalar either side; then what stays numpy (both broadcast, a gap).
_BINARY_SHAPES = [((2, 8, 7, 9), (2, 8, 7, 9), True), ((2, 8, 7, 9), (1, 8, 1, 1), True),
                  ((8, 1, 1), (2, 8, 7, 9), True), ((2, 8, 7, 9), (2, 8, 1, 1), True),
                  ((2, 8, 7, 9), (9,), True), ((2, 8, 7, 9), (), True), ((1,), (2, 8, 7, 9), True),
                  ((2, 1, 7, 9), (1, 8, 1, 1), False), ((2, 8, 7, 9), (1, 8, 1, 9), False)]


def _operand(rng, shape):
    """Normal values with NaN, +-inf and -0 sprinkled in (none subnormal: armv7's NEON flushes those)."""
    v = np.array(rnd(rng, *shape, scale=3.0), np.float32)
    flat = v.reshape(-1)
    if flat.size >= 8:
        idx = rng.choice(flat.size, size=max(4, flat.size // 50), replace=False)
        flat[idx] = rng.choice(np.array([np.nan, np.inf, -np.inf, -0.0], np.float32), size=idx.size)
    return v


@pytest.mark.parametrize("op", ["Add", "Sub", "Mul", "Max", "Min"])
@pytest.mark.parametrize("act", [None, (0.0, INF), (-1.5, 2.0)])
@pytest.mark.parametrize("const", [False, True])
def test_binary_kernels_equal_numpy(op, act, const, rng, monkeypatch):
    """Two float32 operands run on the elementwise kernels where their shapes
    allow (one call each), numpy otherwise; either way the result is numpy's
    f(a, b) then clamp, bit for bit (a op b rounded once in both; NaN where
    numpy has NaN)."""
    import armconv._model.ops as ops_mod
    calls = []
    real = ops_mod._eltwise

    def counting(*args):
        calls.append(args[0])
        return real(*args)
    monkeypatch.setattr(ops_mod, "_eltwise", counting)
    f = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Max": np.maximum, "Min": np.minimum}[op]
    for sa, sb, on_kernel in _BINARY_SHAPES:
        a, b = _operand(rng, sa), _operand(rng, sb)
        attrs = {} if act is None else {"activation": list(act)}
        consts = {"b": b} if const else {}
        inputs = [("a", list(sa))] + ([] if const else [("b", list(sb))])
        model = Model(Graph(inputs, ["y"], [Node(op, "n", ["a", "b"], ["y"], attrs)], consts))
        del calls[:]
        with np.errstate(invalid="ignore"):
            y = model(a) if const else model(a, b)
            want = f(a, b)
            if act is not None:
                want = np.minimum(np.maximum(want, np.float32(act[0])), np.float32(act[1]))
        assert y.dtype == np.float32 and y.shape == want.shape
        np.testing.assert_array_equal(y, want, err_msg=f"{op} {sa} {sb} act {act}")
        assert len(calls) == (1 if on_kernel else 0), (op, sa, sb, calls)
        if on_kernel and op == "Sub" and sa != sb and sa != want.shape:
            assert calls == ["rsub"]  # the full operand second: b - a on the kernels


def test_residual_add_relu_in_place_on_kernels(rng, monkeypatch):
    """ResNet's block ending: Conv, then Add(conv, x) + Relu fused and written
    over the convolution's buffer; one kernel call, numpy's bits."""
    import armconv._model.ops as ops_mod
    calls, in_place = [], []
    real = ops_mod._eltwise

    def counting(*args):
        calls.append(args[:5:4])
        in_place.append(args[3].ctypes.data == args[1].ctypes.data)
        return real(*args)
    monkeypatch.setattr(ops_mod, "_eltwise", counting)
    c = 16
    consts = {"w": rnd(rng, c, c, 3, 3, scale=0.2), "b": rnd(rng, c)}
    nodes = [Node("Conv", "conv", ["x", "w", "b"], ["c"], {"pads": [1, 1, 1, 1]}),
             Node("Add", "add", ["c", "x"], ["s"]), Node("Relu", "relu", ["s"], ["y"])]
    g = optimize(Graph([("x", [None, c, 13, 11])], ["y"], nodes, consts))
    model = Model(g)
    assert [n.op for n in model._graph.nodes] == ["Conv", "Add"]
    p = model.plan({"x": (2, c, 13, 11)})
    assert "add" in p.inplace
    x = rnd(rng, 2, c, 13, 11)
    y = model(x)
    conv = armconv.conv2d(x, consts["w"], consts["b"], padding=1)
    np.testing.assert_array_equal(y, np.maximum(conv + x, np.float32(0)))
    assert calls == [("add", "same")] and in_place == [True]  # out is the convolution's buffer


def test_binary_kernels_threads(rng):
    """A residual Add + ReLU large enough for a team: the same bits on 1 and 4 threads."""
    shape = (1, 64, 28, 28)
    nodes = [Node("Add", "add", ["a", "b"], ["s"]), Node("Relu", "relu", ["s"], ["y"])]
    model = Model(optimize(Graph([("a", list(shape)), ("b", list(shape))], ["y"], nodes, {})))
    a, b = _operand(rng, shape), _operand(rng, shape)
    with armconv.threads(1):
        y1 = model(a, b)
    with armconv.threads(4):
        y4 = model(a, b)
    assert y1.tobytes() == y4.tobytes()
    with np.errstate(invalid="ignore"):
        np.testing.assert_array_equal(y1, np.maximum(a + b, np.float32(0)))
